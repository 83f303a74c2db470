//! `kommunrank rank`: compute a ranking and print or write it.

use super::{InputArgs, output_format};
use clap::Args;
use kommunrank::report::{self, OutputFormat, table::TableOptions};
use kommunrank::{Result, pipeline};

/// Arguments of `rank`.
#[derive(Debug, Args)]
pub struct RankArgs {
    #[command(flatten)]
    input: InputArgs,
    #[command(flatten)]
    output: super::OutputArgs,
    #[command(flatten)]
    size: super::TableSize,
}

/// Runs `rank`.
pub fn run(args: RankArgs) -> Result<()> {
    let xlsx = args
        .output
        .out
        .as_ref()
        .and_then(|p| p.extension())
        .is_some_and(|e| e.eq_ignore_ascii_case("xlsx"));
    let format = if xlsx {
        OutputFormat::Table
    } else {
        output_format(args.output.format, &args.output.out)?
    };
    let index = args.input.index()?;
    let result = pipeline::run_index(&index, &args.input.overrides())?;
    // Warnings reach the terminal whatever the output (the table lists them too).
    if format != OutputFormat::Table || args.output.out.is_some() || xlsx {
        for w in result.notes.iter().filter(|n| n.is_warning()) {
            eprintln!("{}", report::words::note(w, args.output.lang));
        }
    }
    if xlsx {
        // One sheet per table: ranking, node scores, exclusions, audit.
        let audit = kommunrank::audit::index_audit::audit(&result, Default::default());
        let bytes = report::xlsx::workbook(&result, &audit, None, args.output.lang)?;
        let path = args.output.out.as_ref().expect("xlsx implies --out");
        report::write_atomic(path, &bytes, &args.input.input_paths(&index))?;
        if !args.output.quiet {
            eprintln!("{} {}", args.output.wrote(), path.display());
        }
        return Ok(());
    }
    let text = match format {
        OutputFormat::Table => colour(report::table::to_table(
            &result,
            TableOptions {
                top: args.size.top,
                bottom: args.size.bottom,
                lang: args.output.lang,
            },
        )),
        OutputFormat::Csv => report::csv::to_csv(&result, args.output.lang),
        OutputFormat::Json => report::json::to_json(&result),
    };
    let ranked = result.units.iter().filter(|u| u.rank.is_some()).count();
    let excluded = result.excluded.len();
    let summary = match args.output.lang {
        report::Lang::En => format!(" ({ranked} ranked, {excluded} excluded)"),
        report::Lang::Sv => format!(" ({ranked} rangordnade, {excluded} ej rangordnade)"),
    };
    args.output
        .deliver(&text, format, &args.input.input_paths(&index), &summary)
}

/// Bold title and header when writing to a terminal (not with NO_COLOR).
fn colour(table: String) -> String {
    use std::io::IsTerminal;
    if !std::io::stdout().is_terminal() || std::env::var_os("NO_COLOR").is_some() {
        return table;
    }
    table
        .lines()
        .enumerate()
        .map(|(i, l)| {
            if i == 0 {
                format!("\x1b[1m{l}\x1b[0m")
            } else if l.trim_start().starts_with("Rank ") || l.trim_start().starts_with("Rang ") {
                format!("\x1b[1;36m{l}\x1b[0m")
            } else if l.ends_with(':') {
                format!("\x1b[1m{l}\x1b[0m")
            } else {
                l.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
        + "\n"
}
