//! `kommunrank compare`: rankings under named weight scenarios side by side.

use super::{InputArgs, output_format};
use clap::Args;
use kommunrank::report::{OutputFormat, sensitivity as render};
use kommunrank::sensitivity::{self, model};
use kommunrank::{Result, pipeline};
use std::path::PathBuf;

/// Arguments of `compare`.
#[derive(Debug, Args)]
pub struct CompareArgs {
    #[command(flatten)]
    input: InputArgs,
    /// CSV of weight sets: a `scenario` column and one column per node or indicator id.
    #[arg(long, value_name = "CSV")]
    scenarios: PathBuf,
    #[command(flatten)]
    output: super::OutputArgs,
    #[command(flatten)]
    size: super::TableSize,
}

/// Runs `compare`.
pub fn run(args: CompareArgs) -> Result<()> {
    let format = output_format(args.output.format, &args.output.out)?;
    let index = args.input.index()?;
    let nominal = pipeline::run_index(&index, &args.input.overrides())?;
    let ranked = nominal.units.iter().filter(|u| u.rank.is_some()).count();
    let overrides = model::Overrides {
        weights: Some(kommunrank::spec::WeightMethod::None),
        ..Default::default()
    };
    let mut m = model::resolve_model(&index, &overrides, ranked)?;
    m.factors.clear();
    let eval = sensitivity::prepare(&nominal, m)?;
    let path = std::path::absolute(&args.scenarios).unwrap_or(args.scenarios.clone());
    let scenarios = sensitivity::compare(&eval, &path.to_string_lossy())?;
    let text = match format {
        OutputFormat::Json => render::compare_json(&eval, &scenarios),
        OutputFormat::Csv => render::compare_csv(&eval, &scenarios),
        OutputFormat::Table => render::compare_table(
            &eval,
            &scenarios,
            args.size.top,
            args.size.bottom,
            args.output.lang,
        ),
    };
    let mut inputs = args.input.input_paths(&index);
    inputs.push(args.scenarios.clone());
    args.output.deliver(&text, format, &inputs, "")
}
