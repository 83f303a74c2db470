//! `kommunrank audit`, `explain` and `trend`: the statistical audit, what
//! drives one unit's rank, and rankings over several years.

use super::{InputArgs, OutputArgs, output_format};
use clap::Args;
use kommunrank::audit::{explain, index_audit, trend};
use kommunrank::report::{OutputFormat, audit as render};
use kommunrank::{Error, Result, pipeline};

/// Arguments of `audit`.
#[derive(Debug, Args)]
pub struct AuditArgs {
    #[command(flatten)]
    input: InputArgs,
    #[command(flatten)]
    output: OutputArgs,
    /// |r| above which a pair of indicators is flagged as collinear.
    #[arg(long, default_value_t = 0.9)]
    collinear: f64,
}

/// Ranks with the input's spec and data, renders the result in the chosen
/// format and delivers it: the shared body of `audit` and `explain`.
fn ranked_report(
    input: &InputArgs,
    output: &OutputArgs,
    render: impl FnOnce(&pipeline::RankResult, OutputFormat) -> Result<String>,
) -> Result<()> {
    let format = output_format(output.format, &output.out)?;
    let index = input.index()?;
    let result = pipeline::run_index(&index, &input.overrides())?;
    let text = render(&result, format)?;
    output.deliver(&text, format, &input.input_paths(&index), "")
}

/// Runs `audit`.
pub fn run_audit(args: AuditArgs) -> Result<()> {
    let thresholds = index_audit::Thresholds {
        collinear: args.collinear,
        ..Default::default()
    };
    let output_lang = args.output.lang;
    ranked_report(&args.input, &args.output, |result, format| {
        let a = index_audit::audit(result, thresholds);
        Ok(match format {
            OutputFormat::Json => render::audit_json(&a),
            OutputFormat::Csv => render::audit_csv(&a),
            OutputFormat::Table => render::audit_table(&a, &result.index.root().label, output_lang),
        })
    })
}

/// Arguments of `explain`.
#[derive(Debug, Args)]
pub struct ExplainArgs {
    #[command(flatten)]
    input: InputArgs,
    #[command(flatten)]
    output: OutputArgs,
    /// The unit to explain (its id, e.g. 0114, or its name).
    #[arg(long, short = 'u', required_unless_present = "unit_given")]
    unit: Option<String>,
    /// The unit, given without --unit (`explain 0114`).
    #[arg(value_name = "UNIT", conflicts_with = "unit")]
    unit_given: Option<String>,
}

/// Runs `explain`.
pub fn run_explain(args: ExplainArgs) -> Result<()> {
    let output_lang = args.output.lang;
    ranked_report(&args.input, &args.output, |result, format| {
        let unit = args.unit.as_ref().or(args.unit_given.as_ref());
        let e = explain::explain(result, unit.map_or("", String::as_str))?;
        Ok(match format {
            OutputFormat::Json => render::explain_json(&e),
            OutputFormat::Csv => render::explain_csv(&e),
            OutputFormat::Table => render::explain_table(&e, output_lang),
        })
    })
}

/// Arguments of `trend`.
#[derive(Debug, Args)]
pub struct TrendArgs {
    #[command(flatten)]
    input: InputArgs,
    #[command(flatten)]
    output: OutputArgs,
    /// Years to rank, comma-separated (data with a year column, e.g. Kolada files).
    #[arg(long, value_delimiter = ',', required = true)]
    years: Vec<i64>,
    /// Year whose data fixes the normalisation parameters (default: the first year).
    #[arg(long)]
    base_year: Option<i64>,
    /// Movers shown up and down.
    #[arg(long, default_value_t = 15)]
    top: usize,
}

/// Runs `trend`.
pub fn run_trend(args: TrendArgs) -> Result<()> {
    let format = output_format(args.output.format, &args.output.out)?;
    if args.input.year.is_some() {
        return Err(Error::Usage(
            "use --years (and --base-year) with trend, not --year".into(),
        ));
    }
    let index = args.input.index()?;
    let mut years = args.years.clone();
    years.sort_unstable();
    years.dedup();
    let base = args.base_year.unwrap_or(years[0]);
    let t = trend::trend(&index, &args.input.overrides(), &years, base)?;
    let text = match format {
        OutputFormat::Json => render::trend_json(&t),
        OutputFormat::Csv => render::trend_csv(&t),
        OutputFormat::Table => {
            render::trend_table(&t, &index.root().label, args.top, args.output.lang)
        }
    };
    args.output
        .deliver(&text, format, &args.input.input_paths(&index), "")
}
