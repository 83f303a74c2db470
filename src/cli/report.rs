//! `kommunrank report`: a self-contained HTML report (or an Excel workbook)
//! of the ranking, its sensitivity, distributions, correlations and methods.

use super::InputArgs;
use clap::Args;
use kommunrank::audit::index_audit;
use kommunrank::report::{self, html};
use kommunrank::{Error, Result, pipeline};
use serde_json::Value;
use std::path::PathBuf;

/// Arguments of `report`.
#[derive(Debug, Args)]
pub struct ReportArgs {
    #[command(flatten)]
    input: InputArgs,
    /// Sensitivity results to include (JSON from `sensitivity --format json`; MC and/or Sobol).
    #[arg(long, value_name = "RESULT.json")]
    sensitivity: Vec<PathBuf>,
    /// Language of labels and numbers (sv: Swedish, decimal comma; for .xlsx: sheet names and headers).
    #[arg(long, value_enum, default_value = "en")]
    lang: html::Lang,
    /// The report file: .html (self-contained page) or .xlsx (one sheet per table).
    #[arg(long, short = 'o', value_name = "FILE")]
    out: PathBuf,
    /// No messages on stderr.
    #[arg(long, short = 'q')]
    quiet: bool,
}

/// Fingerprint of the data files an index reads.
pub fn data_fingerprint(input: &InputArgs, index: &kommunrank::spec::Index) -> String {
    let mut bytes = Vec::new();
    let sources: Vec<kommunrank::input::Source> = if input.data.is_empty() {
        index
            .spec
            .data
            .files
            .iter()
            .map(|f| index.base.source(f.path()))
            .collect()
    } else {
        input
            .data
            .iter()
            .map(|p| kommunrank::input::Source::Path(p.clone()))
            .collect()
    };
    for s in sources {
        if let Ok(b) = s.bytes() {
            bytes.extend_from_slice(&b);
        }
    }
    report::json::fingerprint(&bytes)
}

/// Runs `report`.
pub fn run(args: ReportArgs) -> Result<()> {
    let ext = args
        .out
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or_default()
        .to_ascii_lowercase();
    if ext != "html" && ext != "htm" && ext != "xlsx" {
        return Err(Error::Usage(format!(
            "--out '{}': a report is .html or .xlsx",
            args.out.display()
        )));
    }
    let index = args.input.index()?;
    let result = pipeline::run_index(&index, &args.input.overrides())?;
    let audit = index_audit::audit(&result, Default::default());
    let mut mc = None;
    let mut sobol = None;
    for p in &args.sensitivity {
        let text = kommunrank::input::read_input_text(p).map_err(|source| Error::Io {
            action: "read",
            path: p.clone(),
            source,
        })?;
        let v: Value = serde_json::from_str(&text).map_err(|e| {
            Error::Usage(format!(
                "{}: not a JSON sensitivity result ({e})",
                p.display()
            ))
        })?;
        match v["method"].as_str() {
            Some("mc") => mc = Some(v),
            Some("sobol") => sobol = Some(v),
            _ => {
                return Err(Error::Usage(format!(
                    "{}: not a Monte Carlo or Sobol result; write one with `kommunrank sensitivity --format json --out FILE`",
                    p.display()
                )));
            }
        }
    }
    for v in mc.iter().chain(sobol.iter()) {
        let hash = report::json::fingerprint(index.spec_text.as_bytes());
        if v["spec_hash"].as_str() != Some(hash.as_str()) {
            return Err(Error::Usage(
                "a sensitivity result was computed from another spec (its spec_hash differs); recompute it with this spec".into(),
            ));
        }
    }
    let bytes = if ext == "xlsx" {
        report::xlsx::workbook(&result, &audit, mc.as_ref(), args.lang)?
    } else {
        let input = html::ReportInput {
            result: &result,
            audit: &audit,
            mc: mc.as_ref(),
            sobol: sobol.as_ref(),
            lang: args.lang,
            data_hash: data_fingerprint(&args.input, &index),
        };
        html::html(&input).into_bytes()
    };
    let mut inputs = args.input.input_paths(&index);
    inputs.extend(args.sensitivity.clone());
    report::write_atomic(&args.out, &bytes, &inputs)?;
    if !args.quiet {
        eprintln!("wrote {}", args.out.display());
    }
    Ok(())
}
