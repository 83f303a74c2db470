//! `kommunrank init`: draft a first spec from data files, checked by
//! ranking with it before it is written.

use clap::Args;
use kommunrank::pipeline::{self, DataOverrides};
use kommunrank::spec::{self, Base, draft};
use kommunrank::{Error, Result, report};
use std::path::PathBuf;

/// Arguments of `init`.
#[derive(Debug, Args)]
pub struct InitArgs {
    /// Data file(s) to build the spec on (repeatable).
    #[arg(long, short = 'd', value_name = "FILE", required = true)]
    data: Vec<PathBuf>,
    /// A unit list (ids and names, e.g. Kolada's municipalities.csv).
    #[arg(long, value_name = "FILE")]
    units: Option<PathBuf>,
    /// The unit id column of the data files (default: guessed).
    #[arg(long)]
    id: Option<String>,
    /// The unit name column (default: guessed).
    #[arg(long)]
    name: Option<String>,
    /// A group column (e.g. the county; repeatable; `none` for none; default: guessed).
    #[arg(long = "group", value_name = "COLUMN")]
    groups: Vec<String>,
    /// The year to take from long files (default: the latest).
    #[arg(long)]
    year: Option<i64>,
    /// The sheet of XLSX files (default: the first).
    #[arg(long)]
    sheet: Option<String>,
    /// Keep only rows where COLUMN is VALUE (repeatable; e.g. gender=T in Kolada exports).
    #[arg(long, value_name = "COLUMN=VALUE", value_parser = parse_filter)]
    filter: Vec<(String, String)>,
    /// Write the spec to this file (default: standard output).
    #[arg(long, short = 'o', value_name = "FILE")]
    out: Option<PathBuf>,
    /// Replace --out if it exists.
    #[arg(long)]
    force: bool,
}

/// Reads `COLUMN=VALUE`.
fn parse_filter(text: &str) -> std::result::Result<(String, String), String> {
    match text.split_once('=') {
        Some((c, v)) if !c.trim().is_empty() => Ok((c.trim().to_string(), v.trim().to_string())),
        _ => Err(format!("'{text}' is not COLUMN=VALUE (e.g. gender=T)")),
    }
}

/// Runs `init`.
pub fn run(args: InitArgs) -> Result<()> {
    let spec_dir = args
        .out
        .as_ref()
        .and_then(|p| p.parent())
        .filter(|p| !p.as_os_str().is_empty())
        .map_or_else(|| PathBuf::from("."), PathBuf::from);
    let draft = draft::draft_spec(&draft::DraftOptions {
        files: args.data.clone(),
        units: args.units.clone(),
        id: args.id.clone(),
        name: args.name.clone(),
        groups: match args.groups.as_slice() {
            [] => None,
            [none] if none == "none" => Some(Vec::new()),
            given => Some(given.to_vec()),
        },
        year: args.year,
        sheet: args.sheet.clone(),
        filter: args.filter.clone(),
        spec_dir: spec_dir.clone(),
    })?;
    eprintln!("init guessed (each line: what, why, how to change it):");
    for guess in &draft.guesses {
        eprintln!("  {guess}");
    }
    for note in &draft.notes {
        eprintln!("note: {note}");
    }
    let text = draft.text;
    // The draft must rank as written (from the folder it will be saved in).
    let name = args.out.as_ref().map_or_else(
        || "the drafted spec".to_string(),
        |p| p.display().to_string(),
    );
    let checked = spec::parse_spec(&text, &name, Base::Dir(spec_dir))
        .and_then(|l| spec::resolve(&l))
        .and_then(|index| pipeline::run_index(&index, &DataOverrides::default()));
    if let Err(e) = checked {
        return Err(Error::Usage(format!(
            "the drafted spec does not rank ({e}); name the columns with --id and --name, \
             or write the spec by hand (docs/tutorial.md)"
        )));
    }
    match &args.out {
        None => super::emit(&text),
        Some(path) => {
            if path.exists() && !args.force {
                return Err(Error::Usage(format!(
                    "{} exists: pass --force to replace it, or choose another --out",
                    path.display()
                )));
            }
            let mut inputs = args.data.clone();
            inputs.extend(args.units.clone());
            report::write_atomic(path, text.as_bytes(), &inputs)?;
            eprintln!(
                "wrote {}: check directions and weights, then kommunrank rank --spec {}",
                path.display(),
                path.display()
            );
            Ok(())
        }
    }
}
