//! `kommunrank report`: a self-contained HTML report (or an Excel workbook)
//! of the ranking, its sensitivity, distributions, correlations and methods.

use super::InputArgs;
use clap::Args;
use kommunrank::audit::index_audit;
use kommunrank::report::results::{self, SensitivityFile};
use kommunrank::report::{self, html};
use kommunrank::{Error, Result, pipeline};
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
    lang: report::Lang,
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
        let file = results::parse(&text, p)?;
        let hash = report::json::fingerprint(index.spec_text.as_bytes());
        if file.spec_hash() != hash {
            return Err(Error::Usage(
                "a sensitivity result was computed from another spec (its spec_hash differs); recompute it with this spec".into(),
            ));
        }
        match file {
            SensitivityFile::Mc(m) => mc = Some(m),
            SensitivityFile::Sobol(s) => sobol = Some(s),
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
        let wrote = match args.lang {
            report::Lang::En => "wrote",
            report::Lang::Sv => "skrev",
        };
        eprintln!("{wrote} {}", args.out.display());
    }
    Ok(())
}
