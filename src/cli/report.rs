//! `kommunrank report`: a self-contained HTML report (or an Excel workbook)
//! of the ranking, its sensitivity, distributions, correlations and methods.

use super::InputArgs;
use clap::Args;
use kommunrank::audit::index_audit;
use kommunrank::input::Source;
use kommunrank::report::results::{self, SensitivityFile};
use kommunrank::report::{self, html, map};
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
    /// Boundaries for a map of the ranking: a GeoJSON file of the units' shapes (overrides the spec's [map] file). With --out FILE.svg (or .png), only the map is written.
    #[arg(long, value_name = "GEOJSON")]
    map: Option<PathBuf>,
    /// The GeoJSON property that holds the unit id (default: the spec's [map] id, else "id").
    #[arg(long, value_name = "NAME")]
    map_id: Option<String>,
    /// Larger areas (counties) whose borders are drawn over the map (GeoJSON).
    #[arg(long, value_name = "GEOJSON")]
    map_borders: Option<PathBuf>,
    #[command(flatten)]
    alternatives: super::AlternativeArgs,
    /// No messages on stderr.
    #[arg(long, short = 'q')]
    quiet: bool,
}

/// The map's boundaries: the command line's, else the spec's `[map]`.
fn map_source(args: &ReportArgs, index: &kommunrank::spec::Index) -> Option<map::MapSource> {
    let spec = index.spec.map.as_ref();
    let file = match (&args.map, spec) {
        (Some(p), _) => Source::Path(p.clone()),
        (None, Some(m)) => index.base.source(&m.file),
        (None, None) => return None,
    };
    let borders = match (&args.map_borders, spec.and_then(|m| m.borders.as_ref())) {
        (Some(p), _) => Some(Source::Path(p.clone())),
        (None, Some(b)) if args.map.is_none() => Some(index.base.source(b)),
        _ => None,
    };
    Some(map::MapSource {
        file,
        id_property: args
            .map_id
            .clone()
            .or_else(|| spec.map(|m| m.id.clone()))
            .unwrap_or_else(|| "id".into()),
        borders,
        credit: spec
            .and_then(|m| m.credit.clone())
            .filter(|_| args.map.is_none()),
    })
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
    if !["html", "htm", "xlsx", "svg", "png"].contains(&ext.as_str()) {
        return Err(Error::Usage(format!(
            "--out '{}': a report is .html or .xlsx (or .svg or .png for the map alone)",
            args.out.display()
        )));
    }
    let alternatives = args.alternatives.alternatives()?;
    if !alternatives.is_empty() && !["html", "htm"].contains(&ext.as_str()) {
        return Err(Error::Usage(format!(
            "--weightings and --aggregations add a section to the .html report, not to a .{ext}: for a table, run `kommunrank compare --weightings ... --out comparison.csv`"
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
    let source = map_source(&args, &index);
    let boundaries = source.as_ref().map(map::load).transpose()?;
    let bytes = if ext == "svg" || ext == "png" {
        let Some(b) = &boundaries else {
            return Err(Error::Usage(format!(
                "--out FILE.{ext} writes the map alone: give the boundaries (--map FILE.geojson, or [map] file in the spec)"
            )));
        };
        if ext == "svg" {
            map::map_svg(b, &result, mc.as_ref(), args.lang).into_bytes()
        } else {
            map::map_png(b, &result, mc.as_ref(), args.lang, 3.0)?
        }
    } else if ext == "xlsx" {
        report::xlsx::workbook(&result, &audit, mc.as_ref(), args.lang)?
    } else {
        let comparison = if alternatives.is_empty() {
            None
        } else {
            Some(kommunrank::sensitivity::analysis::compare(
                &index,
                &args.input.overrides(),
                None,
                &alternatives,
            )?)
        };
        let input = html::ReportInput {
            comparison: comparison.as_ref(),
            result: &result,
            audit: &audit,
            mc: mc.as_ref(),
            sobol: sobol.as_ref(),
            lang: args.lang,
            data_hash: data_fingerprint(&args.input, &index),
            map: boundaries.as_ref(),
        };
        html::html(&input).into_bytes()
    };
    let mut inputs = args.input.input_paths(&index);
    inputs.extend(args.sensitivity.clone());
    for s in source
        .iter()
        .flat_map(|s| [Some(&s.file), s.borders.as_ref()])
        .flatten()
    {
        inputs.extend(s.path().map(std::path::Path::to_path_buf));
    }
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
