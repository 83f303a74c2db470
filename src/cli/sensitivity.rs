//! `kommunrank sensitivity`: Monte Carlo rank intervals, Sobol indices or
//! leave-one-out, with shards for clusters and replay of single runs.

use super::{InputArgs, emit, output_format};
use clap::Args;
use kommunrank::report::{self, OutputFormat, sensitivity as render};
use kommunrank::sensitivity::{self, accumulate, model};
use kommunrank::spec::{SensitivityMethod, SobolDesign, WeightMethod};
use kommunrank::{Error, Result, pipeline};
use std::io::IsTerminal;
use std::path::PathBuf;

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
    #[command(flatten)]
    output: super::OutputArgs,
    #[command(flatten)]
    size: super::TableSize,
}

/// A progress bar on stderr (hidden when quiet or not a terminal).
pub fn progress_bar(total: u64, quiet: bool, what: &str) -> indicatif::ProgressBar {
    if quiet || !std::io::stderr().is_terminal() {
        return indicatif::ProgressBar::hidden();
    }
    let pb = indicatif::ProgressBar::new(total);
    pb.set_style(
        indicatif::ProgressStyle::with_template(
            "{msg} [{bar:40}] {pos}/{len} ({per_sec}, eta {eta})",
        )
        .expect("template")
        .progress_chars("=> "),
    );
    pb.set_message(what.to_string());
    pb
}

/// The most worker threads accepted (each has its own scratch buffers).
const MAX_THREADS: usize = 1024;

/// Runs `f` on a pool of `threads` threads (or rayon's default pool).
pub fn with_threads<T: Send>(threads: Option<usize>, f: impl FnOnce() -> T + Send) -> Result<T> {
    match threads {
        None => Ok(f()),
        Some(0) => Err(Error::Usage("--threads must be at least 1".into())),
        Some(t) if t > MAX_THREADS => Err(Error::Usage(format!(
            "--threads {t} is more than {MAX_THREADS}; this machine has {} core(s), and more threads than cores only add overhead",
            std::thread::available_parallelism().map_or(1, |n| n.get())
        ))),
        Some(t) => rayon::ThreadPoolBuilder::new()
            .num_threads(t)
            .build()
            .map_err(|e| Error::Usage(format!("cannot start {t} threads: {e}")))
            .map(|pool| pool.install(f)),
    }
}

fn parse_shard(s: &str) -> Result<(u64, u64)> {
    let bad = || {
        Error::Usage(format!(
            "--shard '{s}': expected I/N with 0 <= I < N, e.g. --shard 0/4"
        ))
    };
    let (i, n) = s.split_once('/').ok_or_else(bad)?;
    let (i, n): (u64, u64) = (
        i.trim().parse().map_err(|_| bad())?,
        n.trim().parse().map_err(|_| bad())?,
    );
    if n == 0 || i >= n {
        return Err(bad());
    }
    Ok((i, n))
}

/// Writes text to --out (atomically) or standard output.
pub fn deliver(text: &str, out: &Option<PathBuf>, inputs: &[PathBuf], quiet: bool) -> Result<()> {
    match out {
        None => emit(text),
        Some(path) => {
            report::write_atomic(path, text.as_bytes(), inputs)?;
            if !quiet {
                eprintln!("wrote {}", path.display());
            }
            Ok(())
        }
    }
}

/// Renders a complete Monte Carlo accumulation.
pub fn render_mc(
    p: &accumulate::McPartial,
    format: OutputFormat,
    top: usize,
    bottom: usize,
) -> String {
    let res = accumulate::finish(p);
    match format {
        OutputFormat::Json => render::mc_json(p, &res),
        OutputFormat::Csv => render::mc_csv(p, &res),
        OutputFormat::Table => render::mc_table(p, &res, top, bottom),
    }
}

/// Runs `sensitivity`.
pub fn run(args: SensitivityArgs) -> Result<()> {
    let shard = args.shard.as_deref().map(parse_shard).transpose()?;
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
    let overrides = model::Overrides {
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
    };
    let quiet = args.output.quiet;
    let (top, bottom) = (args.size.top, args.size.bottom);
    let replay = args.replay;
    let data_overrides = args.input.overrides();
    let text = with_threads(args.threads, move || -> Result<String> {
        let nominal = pipeline::run_index(&index, &data_overrides)?;
        let ranked = nominal.units.iter().filter(|u| u.rank.is_some()).count();
        let model = model::resolve_model(&index, &overrides, ranked)?;
        if shard.is_some() && model.settings.method != SensitivityMethod::Mc {
            return Err(Error::Usage("--shard works with --method mc".into()));
        }
        if let Some(k) = replay
            && model.settings.method != SensitivityMethod::Mc
        {
            return Err(Error::Usage(format!(
                "--replay {k} shows Monte Carlo run {k}; --method {} has no such runs (leave out --replay, or use --method mc)",
                kommunrank::spec::spec_name(&model.settings.method)
            )));
        }
        let eval = sensitivity::prepare(&nominal, model)?;
        if let Some(k) = replay {
            let (draw, scratch) = sensitivity::replay(&eval, k)?;
            return Ok(render_replay(&eval, k, &draw, &scratch, format));
        }
        Ok(match eval.model.settings.method {
            SensitivityMethod::Mc => {
                let range = sensitivity::shard_chunks(eval.model.settings.runs, shard);
                let runs = ((range[1] * accumulate::CHUNK).min(eval.model.settings.runs))
                    .saturating_sub(range[0] * accumulate::CHUNK);
                let pb = progress_bar(runs, quiet, "Monte Carlo");
                let partial = sensitivity::run_mc(&eval, shard, &|n| pb.inc(n));
                pb.finish_and_clear();
                if shard.is_some() {
                    partial.to_json()
                } else {
                    render_mc(&partial, format, top, bottom)
                }
            }
            SensitivityMethod::Sobol => {
                let total = sensitivity::sobol_evaluations(&eval.model);
                if !quiet {
                    eprintln!(
                        "Sobol: N(d+2) = {} x ({} + 2) = {total} evaluations",
                        eval.model.settings.runs,
                        eval.model.factors.len()
                    );
                }
                let pb = progress_bar(total, quiet, "Sobol");
                let res = sensitivity::run_sobol(&eval, &|n| pb.inc(n))?;
                pb.finish_and_clear();
                match format {
                    OutputFormat::Json => render::sobol_json(&eval, &res),
                    OutputFormat::Csv => render::sobol_csv(&res),
                    OutputFormat::Table => render::sobol_table(&eval, &res),
                }
            }
            SensitivityMethod::Loo => {
                let items = sensitivity::run_loo(&eval);
                match format {
                    OutputFormat::Json => render::loo_json(&eval, &items),
                    OutputFormat::Csv => render::loo_csv(&items),
                    OutputFormat::Table => render::loo_table(&eval, &items),
                }
            }
        })
    })??;
    deliver(&text, &args.output.out, &inputs, quiet)
}

fn render_replay(
    eval: &sensitivity::evaluate::Evaluator,
    k: u64,
    draw: &sensitivity::sample::Draw,
    scratch: &sensitivity::evaluate::Scratch,
    format: OutputFormat,
) -> String {
    let described = sensitivity::describe_draw(eval, draw);
    let mut order: Vec<usize> = (0..eval.units()).collect();
    order.sort_by(|&a, &b| scratch.ranks[a].total_cmp(&scratch.ranks[b]));
    if format == OutputFormat::Json {
        let v = serde_json::json!({
            "run": k,
            "seed": eval.model.settings.seed,
            "draw": described,
            "units": order.iter().map(|&u| serde_json::json!({
                "id": eval.ids[u],
                "name": eval.names[u],
                "rank": pipeline::Rank(scratch.ranks[u]),
                "score": report::json::num(scratch.scores[u]),
                "nominal_rank": pipeline::Rank(eval.nominal_ranks[u]),
            })).collect::<Vec<_>>(),
        });
        return serde_json::to_string_pretty(&v).expect("JSON") + "\n";
    }
    let mut out = format!(
        "Run {k} (seed {})\n\nWeights (shares within each node):\n",
        eval.model.settings.seed
    );
    for (node, w) in described["weights"].as_object().into_iter().flatten() {
        let parts: Vec<String> = w
            .as_object()
            .into_iter()
            .flatten()
            .map(|(c, v)| format!("{c} {:.4}", v.as_f64().unwrap_or(f64::NAN)))
            .collect();
        out += &format!("  {node}: {}\n", parts.join(", "));
    }
    for (f, level) in described["choices"].as_object().into_iter().flatten() {
        out += &format!("  {f}: {}\n", level.as_str().unwrap_or_default());
    }
    out += &format!(
        "\n{:>6} {:>8} {:<10} {:<24} {:>12}\n",
        "Rank", "Nominal", "Id", "Name", "Score"
    );
    for &u in &order {
        out += &format!(
            "{:>6} {:>8} {:<10} {:<24} {:>12.4}\n",
            pipeline::Rank(scratch.ranks[u]).to_string(),
            pipeline::Rank(eval.nominal_ranks[u]).to_string(),
            eval.ids[u],
            eval.names[u].chars().take(24).collect::<String>(),
            scratch.scores[u]
        );
    }
    out
}
