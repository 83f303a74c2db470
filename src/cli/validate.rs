//! `kommunrank validate`: check a spec and its data, listing every problem.

use super::InputArgs;
use clap::Args;
use kommunrank::{Error, Result, pipeline, report::OutputFormat};
use serde_json::json;

/// Arguments of `validate`.
#[derive(Debug, Args)]
pub struct ValidateArgs {
    #[command(flatten)]
    input: InputArgs,
    /// Output format (table or json).
    #[arg(long, short = 'f', value_enum, default_value = "table")]
    format: OutputFormat,
}

/// Runs `validate`: exit 0 when valid, 2 with the list of problems otherwise.
pub fn run(args: ValidateArgs) -> Result<()> {
    let (result, problems) = match args.input.index_lenient() {
        Ok((index, skipped)) => {
            let (result, mut problems) = pipeline::validate(&index, &args.input.overrides());
            let mut all: Vec<Error> = skipped;
            all.append(&mut problems);
            (result, all)
        }
        Err(e) => (
            None,
            e.problems()
                .into_iter()
                .map(|p| Error::Usage(p.to_string()))
                .collect(),
        ),
    };
    // What a run would note (ids ignored, values imputed, rows filtered).
    let notes: Vec<String> = result.as_ref().map_or_else(Vec::new, |r| {
        r.notes.iter().map(ToString::to_string).collect()
    });
    let summary = result.as_ref().map(|r| {
        (
            r.data.table.len(),
            r.index.indicators.len(),
            r.index.nodes.len(),
            r.units.iter().filter(|u| u.rank.is_some()).count(),
            r.excluded.len(),
        )
    });
    if args.format == OutputFormat::Json {
        let v = json!({
            "valid": problems.is_empty(),
            "problems": problems.iter().map(|p| p.to_string()).collect::<Vec<_>>(),
            "notes": notes,
            "summary": summary.map(|(u, i, n, r, e)| json!({"units": u, "indicators": i, "nodes": n, "ranked": r, "excluded": e})),
        });
        super::emit(&format!(
            "{}\n",
            serde_json::to_string_pretty(&v).expect("JSON")
        ))?;
    } else if let Some((u, i, n, r, e)) = summary.filter(|_| problems.is_empty()) {
        let mut text = format!(
            "valid: {u} unit{}, {i} indicator{}, {n} node{}; {r} ranked, {e} excluded\n",
            plural(u),
            plural(i),
            plural(n)
        );
        for note in &notes {
            text += &format!("  note: {note}\n");
        }
        super::emit(&text)?;
    }
    if problems.is_empty() {
        Ok(())
    } else if args.format == OutputFormat::Json {
        std::process::exit(2)
    } else {
        Error::collect(problems)
    }
}

/// `s` for a count other than one.
fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}
