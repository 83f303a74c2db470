//! Argument parsing (clap) and dispatch to one module per command.

mod audit;
mod compare;
mod example;
mod init;
mod merge;
mod rank;
mod report;
mod sensitivity;
mod validate;

use clap::{Args, Parser, Subcommand};
use kommunrank::pipeline::DataOverrides;
use kommunrank::report::{CsvDialect, Lang, OutputFormat};
use kommunrank::spec::{self, Index};
use kommunrank::{Error, Result};
use std::path::PathBuf;

/// Composite index rankings of municipalities, with every number explained.
#[derive(Debug, Parser)]
#[command(name = "kommunrank", version, about, long_about = None)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Draft a first spec from data files: id, names and numeric columns as indicators.
    #[command(
        after_help = "Examples:\n  kommunrank init --data enkat.csv --out enkat.toml\n  kommunrank init --data bok.xlsx --sheet Data --group Län --out index.toml\n  kommunrank init --units municipalities.csv --data n00563.csv --filter gender=T"
    )]
    Init(init::InitArgs),
    /// Compute and print a ranking (no --spec: the built-in SKL 2014-style example).
    #[command(
        after_help = "Examples:\n  kommunrank rank\n  kommunrank rank --spec index.toml --out ranking.xlsx\n  kommunrank rank --spec index.toml --lang sv --out rankning.csv"
    )]
    Rank(rank::RankArgs),
    /// Check a spec and its data; list every problem found.
    #[command(
        after_help = "Examples:\n  kommunrank validate --spec index.toml\n  kommunrank validate --spec index.toml --data 2023.csv --format json"
    )]
    Validate(validate::ValidateArgs),
    /// How far the ranking can be trusted: Monte Carlo rank intervals, Sobol indices, leave-one-out.
    #[command(
        after_help = "Examples:\n  kommunrank sensitivity --spec index.toml --runs 100000\n  kommunrank sensitivity --spec index.toml --method sobol --format json --out sobol.json\n  kommunrank sensitivity --spec index.toml --shard 1/4 --out part1.json"
    )]
    Sensitivity(sensitivity::SensitivityArgs),
    /// Rankings under weight scenarios (a CSV) or other weightings and methods, side by side.
    #[command(
        after_help = "Examples:\n  kommunrank compare --spec index.toml --scenarios weights.csv\n  kommunrank compare --spec index.toml --weightings equal,pca,optimised --aggregations bod,copeland\n  kommunrank compare --spec index.toml --scenarios weights.csv --out scenarios.csv"
    )]
    Compare(compare::CompareArgs),
    /// Combine Monte Carlo shards (`sensitivity --shard I/N`) into the single-run result.
    #[command(
        after_help = "Examples:\n  kommunrank merge part1.json part2.json part3.json part4.json --out mc.json\n  kommunrank merge part*.json"
    )]
    Merge(merge::MergeArgs),
    /// Statistical audit: coverage, distributions, correlations, Cronbach's alpha, PCA, effective weights.
    #[command(
        after_help = "Examples:\n  kommunrank audit --spec index.toml\n  kommunrank audit --spec index.toml --collinear 0.8 --out audit.json"
    )]
    Audit(audit::AuditArgs),
    /// What drives one unit's rank: values, normalised values and contributions vs the median unit.
    #[command(
        after_help = "Examples:\n  kommunrank explain --spec index.toml --unit 0180\n  kommunrank explain --spec index.toml Kiruna"
    )]
    Explain(audit::ExplainArgs),
    /// Rank several years with today's method and base-year goalposts; biggest movers first.
    #[command(
        after_help = "Examples:\n  kommunrank trend --spec index.toml --years 2020,2021,2022\n  kommunrank trend --spec index.toml --years 2021,2022 --base-year 2021 --out trend.csv"
    )]
    Trend(audit::TrendArgs),
    /// A self-contained HTML report (or an Excel workbook) with charts, methods and provenance.
    #[command(
        after_help = "Examples:\n  kommunrank report --spec index.toml --out rapport.html --lang sv\n  kommunrank report --spec index.toml --sensitivity mc.json --sensitivity sobol.json --out report.html\n  kommunrank report --spec index.toml --out resultat.xlsx"
    )]
    Report(report::ReportArgs),
    /// Write the built-in example's spec and data into a folder, to try the commands on.
    #[command(after_help = "Examples:\n  kommunrank example\n  kommunrank example --dir tutorial")]
    Example(example::ExampleArgs),
    /// Print the CLI reference (docs/cli.md) generated from these definitions.
    #[command(hide = true)]
    Reference,
}

/// Options shared by commands that read a spec and data.
#[derive(Debug, Args)]
pub struct InputArgs {
    /// The index spec (TOML). Without it, the built-in example is used.
    #[arg(long, short = 's', value_name = "SPEC")]
    spec: Option<PathBuf>,
    /// Data file(s) replacing the spec's [data] files (repeatable).
    #[arg(long, short = 'd', value_name = "FILE")]
    pub data: Vec<PathBuf>,
    /// Year to take from long (Kolada) files, replacing data.year.
    #[arg(long)]
    pub year: Option<i64>,
    /// Sheet of XLSX files given with --data (default: the first sheet).
    #[arg(long)]
    sheet: Option<String>,
}

impl InputArgs {
    /// Loads and resolves the spec (or the built-in example).
    fn index(&self) -> Result<Index> {
        let (index, skipped) = self.index_lenient()?;
        Error::collect(skipped)?;
        Ok(index)
    }

    /// As [`InputArgs::index`], reading past unknown spec keys: the index
    /// and the unknown keys (for `validate`, which lists every problem).
    fn index_lenient(&self) -> Result<(Index, Vec<Error>)> {
        if self.sheet.is_some() && self.data.is_empty() {
            return Err(Error::Usage(
                "--sheet picks the sheet of the --data files, and no --data was given; \
                 for a workbook named in the spec, write the sheet there: \
                 files = [{ path = \"book.xlsx\", sheet = \"Data\" }]"
                    .into(),
            ));
        }
        let (loaded, skipped) = match &self.spec {
            Some(p) => spec::load_spec_lenient(p)?,
            None => {
                if !self.data.is_empty() {
                    eprintln!(
                        "note: no --spec given, so the built-in example's spec (SKL 2014-style \
                         e-service points, columns kommun, e_services, apps, ...) reads the \
                         --data files; pass --spec for your own index (docs/tutorial.md)"
                    );
                }
                (kommunrank::example::load()?, Vec::new())
            }
        };
        match spec::resolve(&loaded) {
            Ok(index) => Ok((index, skipped)),
            Err(e) if skipped.is_empty() => Err(e),
            Err(e) => {
                let mut all = skipped;
                all.extend(e.into_problems());
                Err(Error::Many(all))
            }
        }
    }

    fn overrides(&self) -> DataOverrides {
        DataOverrides {
            files: self.data.clone(),
            year: self.year,
            sheet: self.sheet.clone(),
        }
    }

    /// Every input file path (to refuse an --out that would overwrite one).
    fn input_paths(&self, index: &Index) -> Vec<PathBuf> {
        let mut v: Vec<PathBuf> = self.data.clone();
        v.extend(self.spec.clone());
        for f in &index.spec.data.files {
            if let Some(p) = index.base.source(f.path()).path() {
                v.push(p.to_path_buf());
            }
        }
        if let Some(f) = &index.spec.units.file
            && let Some(p) = index.base.source(f.path()).path()
        {
            v.push(p.to_path_buf());
        }
        v
    }
}

/// Output options shared by every command that prints a result.
#[derive(Debug, Args)]
pub struct OutputArgs {
    /// Write the result to this file (atomically) instead of standard output.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub out: Option<PathBuf>,
    /// Output format (default: from --out's extension, else table).
    #[arg(long, short = 'f', value_enum)]
    pub format: Option<OutputFormat>,
    /// No progress bar or messages on stderr.
    #[arg(long, short = 'q')]
    pub quiet: bool,
    /// Language of words and numbers (sv: Swedish, decimal comma; also makes CSV excel-sv).
    #[arg(long, value_enum, default_value_t = Lang::En)]
    pub lang: Lang,
    /// CSV for scripts (plain: `,` and decimal point) or for a double-click in
    /// Swedish Excel (excel-sv: `;`, decimal comma, BOM). Default: excel-sv
    /// with --lang sv, else plain.
    #[arg(long, value_enum, value_name = "DIALECT")]
    pub csv_dialect: Option<CsvDialect>,
}

impl OutputArgs {
    /// "wrote", in the output's language.
    pub fn wrote(&self) -> &'static str {
        match self.lang {
            Lang::En => "wrote",
            Lang::Sv => "skrev",
        }
    }

    /// The CSV dialect: as given, else Excel-Sweden for Swedish.
    pub fn dialect(&self) -> CsvDialect {
        self.csv_dialect.unwrap_or(match self.lang {
            Lang::Sv => CsvDialect::ExcelSv,
            Lang::En => CsvDialect::Plain,
        })
    }

    /// Writes a rendered result to --out (atomically) or standard output, a
    /// CSV in the chosen dialect; `summary` follows the "wrote" message.
    pub fn deliver(
        &self,
        text: &str,
        format: OutputFormat,
        inputs: &[PathBuf],
        summary: &str,
    ) -> Result<()> {
        let bytes = match format {
            OutputFormat::Csv => kommunrank::report::csv_in_dialect(text, self.dialect()),
            _ => text.as_bytes().to_vec(),
        };
        match &self.out {
            None => emit_bytes(&bytes),
            Some(path) => {
                kommunrank::report::write_atomic(path, &bytes, inputs)?;
                if !self.quiet {
                    eprintln!("{} {}{summary}", self.wrote(), path.display());
                }
                Ok(())
            }
        }
    }
}

/// Other methods to rank by, beside the nominal ranking (`compare`,
/// `report`).
#[derive(Debug, Args)]
pub struct AlternativeArgs {
    /// Other weightings, comma-separated: equal, pca, optimised, ahp, experts (ahp and experts need the spec's [weights] files).
    #[arg(long, value_name = "LIST", value_delimiter = ',')]
    pub weightings: Vec<String>,
    /// Other aggregation methods at every node, comma-separated: arithmetic, geometric, harmonic, mazziotta_pareto, sum, mean_min, copeland, bod (parameters at their defaults).
    #[arg(long, value_name = "LIST", value_delimiter = ',')]
    pub aggregations: Vec<String>,
}

impl AlternativeArgs {
    /// The alternatives named, in order: weightings, then aggregations.
    pub fn alternatives(
        &self,
    ) -> kommunrank::Result<Vec<kommunrank::sensitivity::analysis::Alternative>> {
        use kommunrank::sensitivity::analysis::Alternative;
        use kommunrank::spec::{
            AggregationName, AggregationParams, WeightSetName, build_aggregation,
        };
        use serde::Deserialize;
        use serde::de::IntoDeserializer;
        let parse = |flag: &str, name: &str, list: &str| {
            kommunrank::Error::Usage(format!(
                "--{flag} {name}: not a method; the methods are {list}"
            ))
        };
        let mut out = Vec::new();
        for w in &self.weightings {
            let de: serde::de::value::StrDeserializer<serde::de::value::Error> =
                w.trim().into_deserializer();
            let name = WeightSetName::deserialize(de)
                .map_err(|_| parse("weightings", w, "equal, pca, optimised, ahp, experts"))?;
            out.push(Alternative::Weighting(name));
        }
        for a in &self.aggregations {
            let de: serde::de::value::StrDeserializer<serde::de::value::Error> =
                a.trim().into_deserializer();
            let list =
                "arithmetic, geometric, harmonic, mazziotta_pareto, sum, mean_min, copeland, bod";
            let name =
                AggregationName::deserialize(de).map_err(|_| parse("aggregations", a, list))?;
            let method = build_aggregation(name, AggregationParams::default()).map_err(|(_, m, hint)| {
                kommunrank::Error::Usage(format!("--aggregations {a}: {m} ({hint}); give it in the spec and use a sensitivity choice"))
            })?;
            out.push(Alternative::Aggregation(method));
        }
        Ok(out)
    }
}

/// How many units a terminal table shows.
#[derive(Debug, Args)]
pub struct TableSize {
    /// Units shown at the top of tables.
    #[arg(long, default_value_t = 15)]
    pub top: usize,
    /// Units shown at the bottom of tables.
    #[arg(long, default_value_t = 5)]
    pub bottom: usize,
}

/// A plainer message for a file given where a flag was due (`rank
/// spec.toml`): which flag it wants.
pub fn hint_for(e: &clap::Error) -> Option<String> {
    use clap::error::{ContextKind, ContextValue, ErrorKind};
    if e.kind() != ErrorKind::UnknownArgument {
        return None;
    }
    let ContextValue::String(arg) = e.get(ContextKind::InvalidArg)? else {
        return None;
    };
    let lower = arg.to_lowercase();
    let flag = if lower.ends_with(".toml") {
        "--spec"
    } else if [".csv", ".xlsx", ".json", ".txt", ".tsv"]
        .iter()
        .any(|x| lower.ends_with(x))
    {
        "--data"
    } else {
        return None;
    };
    Some(format!(
        "unexpected argument '{arg}': did you mean {flag} {arg}? (files are named by a flag; see --help)"
    ))
}

/// Chooses the output format: explicit, else from --out's extension, else table.
fn output_format(format: Option<OutputFormat>, out: &Option<PathBuf>) -> Result<OutputFormat> {
    match (format, out) {
        (Some(f), _) => Ok(f),
        (None, Some(p)) => OutputFormat::from_path(p).ok_or_else(|| {
            let ext = p
                .extension()
                .map(|e| e.to_string_lossy().to_lowercase())
                .unwrap_or_default();
            let writer = match ext.as_str() {
                "html" | "htm" => " (an HTML report is written by `kommunrank report --out FILE.html`)",
                "xlsx" => " (a workbook is written by `kommunrank report --out FILE.xlsx` or `kommunrank rank --out FILE.xlsx`)",
                _ => "",
            };
            Error::Usage(format!(
                "this command writes .csv, .json or .txt, not '{}'{writer}; or pass --format",
                p.display()
            ))
        }),
        (None, None) => Ok(OutputFormat::Table),
    }
}

/// Writes text to standard output; a closed pipe (`| head`) ends quietly.
pub fn emit(text: &str) -> Result<()> {
    emit_bytes(text.as_bytes())
}

/// Writes bytes to standard output; a closed pipe (`| head`) ends quietly.
pub fn emit_bytes(bytes: &[u8]) -> Result<()> {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    match out.write_all(bytes).and_then(|_| out.flush()) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => std::process::exit(0),
        Err(source) => Err(Error::Io {
            action: "write to",
            path: PathBuf::from("standard output"),
            source,
        }),
    }
}

/// The CLI reference in Markdown, generated from the clap definitions.
pub fn reference() -> String {
    use clap::CommandFactory;
    let mut cmd = Cli::command();
    let mut out = String::from(
        "# CLI reference\n\nGenerated from the command definitions by `kommunrank reference > docs/cli.md`\n\
         (a test checks that this file is current).\n\nExit codes: `0` success, `1` failure while running, \
         `2` bad usage or bad input.\n\n",
    );
    out += &format!(
        "## kommunrank\n\n```text\n{}\n```\n\n",
        cmd.render_long_help().to_string().trim_end()
    );
    let names: Vec<String> = cmd
        .get_subcommands()
        .filter(|s| !s.is_hide_set() && s.get_name() != "help")
        .map(|s| s.get_name().to_string())
        .collect();
    for name in names {
        let sub = cmd.find_subcommand_mut(&name).expect("listed");
        let help = sub.render_long_help().to_string();
        out += &format!(
            "## kommunrank {name}\n\n```text\n{}\n```\n\n",
            help.trim_end()
        );
    }
    out
}

/// Runs the parsed command.
pub fn run(cli: Cli) -> Result<()> {
    kommunrank::cpu::requested().map_err(Error::Usage)?;
    match cli.command {
        Command::Init(a) => init::run(a),
        Command::Rank(a) => rank::run(a),
        Command::Validate(a) => validate::run(a),
        Command::Sensitivity(a) => sensitivity::run(a),
        Command::Compare(a) => compare::run(a),
        Command::Merge(a) => merge::run(a),
        Command::Audit(a) => audit::run_audit(a),
        Command::Explain(a) => audit::run_explain(a),
        Command::Trend(a) => audit::run_trend(a),
        Command::Report(a) => report::run(a),
        Command::Example(a) => example::run(a),
        Command::Reference => emit(&reference()),
    }
}
