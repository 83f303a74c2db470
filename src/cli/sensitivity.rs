//! `kommunrank sensitivity`: Monte Carlo rank intervals, Sobol indices or
//! leave-one-out, with shards for clusters and replay of single runs.

use super::{InputArgs, output_format};
use clap::Args;
use kommunrank::report::{self, OutputFormat, sensitivity as render};
use kommunrank::sensitivity::analysis::Subject;
use kommunrank::sensitivity::analysis::{self, Engine, Options, Outcome, Shard};
use kommunrank::sensitivity::{model, partial, summary};
use kommunrank::spec::{SensitivityMethod, SobolDesign, WeightMethod};
use kommunrank::{Error, Result};
use std::io::IsTerminal;

/// Arguments of `sensitivity`.
#[derive(Debug, Args)]
pub struct SensitivityArgs {
    #[command(flatten)]
    input: InputArgs,
    /// mc (rank intervals), sobol (variance indices) or loo (leave one out).
    #[arg(long, short = 'm', value_enum)]
    method: Option<SensitivityMethod>,
    /// Monte Carlo runs (default 10000).
    #[arg(long, short = 'n')]
    runs: Option<u64>,
    /// Sobol base sample N: N (d + 2) evaluations (default 1024, at least 64).
    #[arg(long, short = 'N', value_name = "N")]
    base_samples: Option<u64>,
    /// Random seed (default 1).
    #[arg(long)]
    seed: Option<u64>,
    /// Worker threads (default: all cores); results do not depend on it.
    #[arg(long, short = 't')]
    threads: Option<usize>,
    /// Weight perturbation (overrides [sensitivity.weights] method).
    #[arg(long, value_enum)]
    weights: Option<WeightMethod>,
    /// Half-width of the uniform weight perturbation (0.25 = +-25%).
    #[arg(long, allow_negative_numbers = true)]
    spread: Option<f64>,
    /// k values for P(rank <= k), comma-separated (default 1,10,n/4).
    #[arg(long, value_delimiter = ',')]
    top_k: Option<Vec<usize>>,
    /// Sobol base points: sobol (scrambled quasi-random) or random.
    #[arg(long, value_enum)]
    design: Option<SobolDesign>,
    /// Bootstrap resamples for Sobol intervals (default 100, as SALib).
    #[arg(long)]
    bootstrap: Option<usize>,
    /// Rank histogram bins per unit (default: exact up to 5,000 units, else 1,000 bins).
    #[arg(long, value_name = "BINS")]
    rank_bins: Option<usize>,
    /// Compute shard I of N of the Monte Carlo runs and write a partial result.
    #[arg(long, value_name = "I/N")]
    shard: Option<String>,
    /// Print Monte Carlo run K (0-based): its weights, choices and ranking.
    #[arg(long, value_name = "K")]
    replay: Option<u64>,
    /// fast, or reference: every run node by node with the reference
    /// statistics (slow; to check the fast engine's results).
    #[arg(long, value_enum, default_value_t = Engine::Fast)]
    engine: Engine,
    #[command(flatten)]
    output: super::OutputArgs,
    #[command(flatten)]
    size: super::TableSize,
}

/// Shows `pb` on stderr as a bar of `total` steps (not when quiet or not
/// a terminal).
fn show_progress(pb: &indicatif::ProgressBar, total: u64, quiet: bool, what: &str) {
    if quiet || !std::io::stderr().is_terminal() {
        return;
    }
    pb.set_length(total);
    pb.set_style(
        indicatif::ProgressStyle::with_template("{msg} [{bar:40}] {pos}/{len} ({rate}, eta {eta})")
            .expect("template")
            .with_key(
                "rate",
                |state: &indicatif::ProgressState, w: &mut dyn std::fmt::Write| {
                    let _ = write!(w, "{:.0} runs/s", state.per_sec());
                },
            )
            .progress_chars("=> "),
    );
    pb.set_message(what.to_string());
    pb.set_draw_target(indicatif::ProgressDrawTarget::stderr());
}

/// Renders a complete Monte Carlo accumulation.
pub fn render_mc(
    p: &partial::McPartial,
    format: OutputFormat,
    top: usize,
    bottom: usize,
    lang: report::Lang,
) -> String {
    let res = summary::finish(p);
    match format {
        OutputFormat::Json => render::mc_json(p, &res),
        OutputFormat::Csv => render::mc_csv(p, &res),
        OutputFormat::Table => render::mc_table(p, &res, top, bottom, lang),
    }
}

/// Runs `sensitivity`.
pub fn run(args: SensitivityArgs) -> Result<()> {
    let shard = args.shard.as_deref().map(str::parse::<Shard>).transpose()?;
    let format = match (&shard, args.output.format) {
        (Some(_), None) | (Some(_), Some(OutputFormat::Json)) => OutputFormat::Json,
        (Some(_), Some(_)) => {
            return Err(Error::Usage(
                "a shard writes a partial result, always JSON".into(),
            ));
        }
        (None, f) => output_format(f, &args.output.out)?,
    };
    let index = args.input.index()?;
    let inputs = args.input.input_paths(&index);
    let options = Options {
        data: args.input.overrides(),
        model: model::Overrides {
            method: args.method,
            runs: args.runs,
            base_samples: args.base_samples,
            seed: args.seed,
            weights: args.weights,
            spread: args.spread,
            top_k: args.top_k.clone(),
            design: args.design,
            bootstrap: args.bootstrap,
            rank_bins: args.rank_bins,
        },
        shard,
        replay: args.replay,
        engine: args.engine,
        threads: args.threads,
    };
    let quiet = args.output.quiet;
    let pb = indicatif::ProgressBar::hidden();
    let replay = args.replay.is_some();
    let started = |subject: &Subject, total: u64| {
        let what = match subject.settings.method {
            _ if replay => return,
            SensitivityMethod::Mc => "Monte Carlo",
            SensitivityMethod::Sobol => "Sobol",
            SensitivityMethod::Loo => return,
        };
        if subject.settings.method == SensitivityMethod::Sobol && !quiet {
            eprintln!(
                "Sobol: N(d+2) = {} x ({} + 2) = {total} evaluations",
                subject.settings.runs,
                subject.model.factors.len()
            );
        }
        show_progress(&pb, total, quiet, what);
    };
    let done = analysis::run(&index, &options, started, &|n| pb.inc(n))?;
    pb.finish_and_clear();
    let subject = &done.subject;
    let (top, bottom) = (args.size.top, args.size.bottom);
    let text = match done.outcome {
        Outcome::Replay(replayed) => match format {
            OutputFormat::Json => render::replay_json(subject, &replayed),
            _ => render::replay_table(subject, &replayed),
        },
        Outcome::Mc(partial) if shard.is_some() => partial.to_json(),
        Outcome::Mc(partial) => render_mc(&partial, format, top, bottom, args.output.lang),
        Outcome::Sobol(res) => match format {
            OutputFormat::Json => render::sobol_json(subject, &res),
            OutputFormat::Csv => render::sobol_csv(&res),
            OutputFormat::Table => render::sobol_table(subject, &res, args.output.lang),
        },
        Outcome::Loo(items) => match format {
            OutputFormat::Json => render::loo_json(subject, &items),
            OutputFormat::Csv => render::loo_csv(&items),
            OutputFormat::Table => render::loo_table(subject, &items, args.output.lang),
        },
    };
    args.output.deliver(&text, format, &inputs, "")
}
