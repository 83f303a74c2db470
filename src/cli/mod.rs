//! Argument parsing (clap) and dispatch to one module per command.

mod audit;
mod compare;
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
    Init(init::InitArgs),
    /// Compute and print a ranking (no --spec: the built-in SKL 2014-style example).
    Rank(rank::RankArgs),
    /// Check a spec and its data; list every problem found.
    Validate(validate::ValidateArgs),
    /// How far the ranking can be trusted: Monte Carlo rank intervals, Sobol indices, leave-one-out.
    Sensitivity(sensitivity::SensitivityArgs),
    /// Rankings under named weight scenarios (a CSV) side by side.
    Compare(compare::CompareArgs),
    /// Combine Monte Carlo shards (`sensitivity --shard I/N`) into the single-run result.
    Merge(merge::MergeArgs),
    /// Statistical audit: coverage, distributions, correlations, Cronbach's alpha, PCA, effective weights.
    Audit(audit::AuditArgs),
    /// What drives one unit's rank: values, normalised values and contributions vs the median unit.
    Explain(audit::ExplainArgs),
    /// Rank several years with today's method and base-year goalposts; biggest movers first.
    Trend(audit::TrendArgs),
    /// A self-contained HTML report (or an Excel workbook) with charts, methods and provenance.
    Report(report::ReportArgs),
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
    #[arg(long, requires = "data")]
    sheet: Option<String>,
}

impl InputArgs {
    /// Loads and resolves the spec (or the built-in example).
    fn index(&self) -> Result<Index> {
        let loaded = match &self.spec {
            Some(p) => spec::load_spec(p)?,
            None => {
                if !self.data.is_empty() {
                    eprintln!(
                        "note: no --spec given, so the built-in example's spec (SKL 2014-style \
                         e-service points, columns kommun, e_services, apps, ...) reads the \
                         --data files; pass --spec for your own index (docs/tutorial.md)"
                    );
                }
                kommunrank::example::load()?
            }
        };
        spec::resolve(&loaded)
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
                    eprintln!("wrote {}{summary}", path.display());
                }
                Ok(())
            }
        }
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

/// Chooses the output format: explicit, else from --out's extension, else table.
fn output_format(format: Option<OutputFormat>, out: &Option<PathBuf>) -> Result<OutputFormat> {
    match (format, out) {
        (Some(f), _) => Ok(f),
        (None, Some(p)) => OutputFormat::from_path(p).ok_or_else(|| {
            Error::Usage(format!(
                "cannot tell the format of '{}' from its extension; use .csv, .json or .txt, or pass --format",
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
        Command::Reference => emit(&reference()),
    }
}
