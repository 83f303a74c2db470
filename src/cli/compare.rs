//! `kommunrank compare`: rankings under named weight scenarios side by side.

use super::{InputArgs, output_format};
use clap::Args;
use kommunrank::Result;
use kommunrank::report::{OutputFormat, sensitivity as render};
use kommunrank::sensitivity::analysis;
use std::path::PathBuf;

/// Arguments of `compare`.
#[derive(Debug, Args)]
pub struct CompareArgs {
    #[command(flatten)]
    input: InputArgs,
    /// CSV of weight sets: a `scenario` column and one column per node or indicator id.
    #[arg(long, value_name = "CSV")]
    scenarios: Option<PathBuf>,
    #[command(flatten)]
    alternatives: super::AlternativeArgs,
    #[command(flatten)]
    output: super::OutputArgs,
    #[command(flatten)]
    size: super::TableSize,
}

/// Runs `compare`.
pub fn run(args: CompareArgs) -> Result<()> {
    let format = output_format(args.output.format, &args.output.out)?;
    let alternatives = args.alternatives.alternatives()?;
    if args.scenarios.is_none() && alternatives.is_empty() {
        return Err(kommunrank::Error::Usage(
            "nothing to compare: give --scenarios FILE.csv, --weightings LIST or --aggregations LIST".into(),
        ));
    }
    let index = args.input.index()?;
    let (subject, scenarios) = analysis::compare(
        &index,
        &args.input.overrides(),
        args.scenarios.as_deref(),
        &alternatives,
    )?;
    let text = match format {
        OutputFormat::Json => render::compare_json(&subject, &scenarios),
        OutputFormat::Csv => render::compare_csv(&subject, &scenarios),
        OutputFormat::Table => render::compare_table(
            &subject,
            &scenarios,
            args.size.top,
            args.size.bottom,
            args.output.lang,
        ),
    };
    let mut inputs = args.input.input_paths(&index);
    inputs.extend(args.scenarios.clone());
    args.output.deliver(&text, format, &inputs, "")
}
