//! The sensitivity analysis as one call: [`run`] ranks the index, resolves
//! the uncertainty model, checks that the options fit the method, and
//! runs Monte Carlo (whole or one shard), Sobol, leave-one-out or the
//! replay of one run, on a pool of the threads asked for.

pub use super::evaluate::Engine;
use super::evaluate::Evaluator;
use super::model::{self, ModelDescription, Overrides, Settings};
use super::partial::{CHUNK, McPartial};
use super::statistic::Nominal;
use super::{DrawDescription, LeftOut, Progress, Scenario, SobolResult};
use crate::error::{Error, Result};
use crate::pipeline::{self, DataOverrides};
use crate::spec::{Index, SensitivityMethod, spec_name};
use std::str::FromStr;

/// Shard `index` of `count` of a Monte Carlo analysis's chunks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shard {
    /// Which shard, from 0.
    pub index: u64,
    /// How many.
    pub count: u64,
}

impl FromStr for Shard {
    type Err = Error;

    /// `I/N` with 0 <= I < N.
    fn from_str(s: &str) -> Result<Shard> {
        let bad = || {
            Error::Usage(format!(
                "--shard '{s}': expected I/N with 0 <= I < N, e.g. --shard 0/4"
            ))
        };
        let (i, n) = s.split_once('/').ok_or_else(bad)?;
        let (index, count): (u64, u64) = (
            i.trim().parse().map_err(|_| bad())?,
            n.trim().parse().map_err(|_| bad())?,
        );
        if count == 0 || index >= count {
            return Err(bad());
        }
        Ok(Shard { index, count })
    }
}

/// How an analysis runs, beyond what the spec's model says.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Data choices (year, sheet, ...) for the nominal ranking.
    pub data: DataOverrides,
    /// Model settings from the command line.
    pub model: Overrides,
    /// One shard of a Monte Carlo analysis (a partial result).
    pub shard: Option<Shard>,
    /// Recompute Monte Carlo run k (0-based) alone.
    pub replay: Option<u64>,
    /// Fast or reference engine.
    pub engine: Engine,
    /// Worker threads (None: every core); results do not depend on it.
    pub threads: Option<usize>,
}

/// What an analysis gave.
pub enum Outcome {
    /// Monte Carlo: the accumulation of every chunk, or of one shard's.
    Mc(Box<McPartial>),
    /// Sobol indices.
    Sobol(SobolResult),
    /// Leave-one-out.
    Loo(Vec<LeftOut>),
    /// One Monte Carlo run replayed (`--replay K`).
    Replay(ReplayedRun),
}

/// One Monte Carlo run recomputed from its chunk's stream.
#[derive(Debug, Clone)]
pub struct ReplayedRun {
    /// The run (0-based).
    pub run: u64,
    /// Its weights and choices.
    pub draw: DrawDescription,
    /// The ranked units' scores (in the order of [`Subject::ids`]).
    pub scores: Vec<f64>,
    /// Their ranks.
    pub ranks: Vec<f64>,
}

/// A finished analysis: what it ran on (which the renderings name) and
/// what it found.
pub struct Analysis {
    /// What it ran on.
    pub subject: Subject,
    /// What it found.
    pub outcome: Outcome,
}

/// What an analysis ran on, as its outputs name it: the index, the ranked
/// units (in nominal rank order) with their nominal scores and ranks, and
/// the uncertainty model.
#[derive(Debug, Clone)]
pub struct Subject {
    /// The nominal index.
    pub index: Index,
    /// Ids of the ranked units.
    pub ids: Vec<String>,
    /// Their names.
    pub names: Vec<String>,
    /// Their nominal index scores.
    pub nominal_scores: Vec<f64>,
    /// Their nominal ranks.
    pub nominal_ranks: Vec<f64>,
    /// The model's settings (method, runs, seed, design...).
    pub settings: Settings,
    /// The model's factors, described.
    pub model: ModelDescription,
    nominal: Nominal,
}

impl Subject {
    /// The subject of an evaluator.
    pub(crate) fn of(eval: &Evaluator) -> Subject {
        Subject {
            index: eval.index.clone(),
            ids: eval.ids.clone(),
            names: eval.names.clone(),
            nominal_scores: eval.nominal_scores.clone(),
            nominal_ranks: eval.nominal_ranks.clone(),
            settings: eval.model.settings.clone(),
            model: eval.model.describe(&eval.index),
            nominal: eval.nominal.clone(),
        }
    }

    /// The number of ranked units.
    pub fn units(&self) -> usize {
        self.ids.len()
    }

    /// The mean absolute rank shift of `ranks` from the nominal ranks
    /// (the registered statistic's definition).
    pub fn mean_abs_shift(&self, ranks: &[f64]) -> f64 {
        self.nominal.mean_abs_shift(ranks)
    }
}

/// The most worker threads accepted (each has its own scratch buffers).
pub const MAX_THREADS: usize = 1024;

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

/// Ranks `index`, resolves its uncertainty model and checks `options`
/// against the method: the evaluator an analysis runs on.
pub fn prepare_analysis(index: &Index, options: &Options) -> Result<Evaluator> {
    let nominal = pipeline::run_index(index, &options.data)?;
    let model = model::resolve_model(&nominal, &options.model)?;
    let method = model.settings.method;
    if options.shard.is_some() && method != SensitivityMethod::Mc {
        return Err(Error::Usage("--shard works with --method mc".into()));
    }
    if let Some(k) = options.replay
        && method != SensitivityMethod::Mc
    {
        return Err(Error::Usage(format!(
            "--replay {k} shows Monte Carlo run {k}; --method {} has no such runs (leave out --replay, or use --method mc)",
            spec_name(&method)
        )));
    }
    Ok(super::prepare(&nominal, model)?.with_engine(options.engine))
}

/// The evaluations an analysis of `eval` under `options` makes (for a
/// progress bar).
pub fn evaluations(eval: &Evaluator, options: &Options) -> u64 {
    let settings = &eval.model.settings;
    match (settings.method, options.replay) {
        (_, Some(_)) => 1,
        (SensitivityMethod::Mc, None) => {
            let shard = options.shard.map(|s| (s.index, s.count));
            let [from, to] = super::shard_chunks(settings.runs, shard);
            (to * CHUNK).min(settings.runs).saturating_sub(from * CHUNK)
        }
        (SensitivityMethod::Sobol, None) => super::sobol_evaluations(&eval.model),
        (SensitivityMethod::Loo, None) => eval.model.factors.len() as u64 + 1,
    }
}

/// Runs the analysis `eval` was prepared for (on the current rayon pool;
/// see [`run`] for one that makes its own).
pub fn run_prepared(eval: &Evaluator, options: &Options, progress: Progress) -> Result<Outcome> {
    if let Some(run) = options.replay {
        let (draw, scratch) = super::replay(eval, run)?;
        return Ok(Outcome::Replay(ReplayedRun {
            run,
            draw: super::describe_draw(eval, &draw),
            scores: scratch.scores,
            ranks: scratch.ranks,
        }));
    }
    Ok(match eval.model.settings.method {
        SensitivityMethod::Mc => {
            let shard = options.shard.map(|s| (s.index, s.count));
            Outcome::Mc(Box::new(super::run_mc(eval, shard, progress)))
        }
        SensitivityMethod::Sobol => Outcome::Sobol(super::run_sobol(eval, progress)?),
        SensitivityMethod::Loo => Outcome::Loo(super::run_loo(eval)),
    })
}

/// Runs a sensitivity analysis of `index` as `options` say, on
/// `options.threads` threads: `started` is called once with the subject
/// and the number of evaluations to come, `progress` as they finish.
///
/// ```
/// use kommunrank::sensitivity::analysis::{self, Options, Outcome};
/// use kommunrank::sensitivity::{model::Overrides, summary};
/// use kommunrank::spec::SensitivityMethod;
///
/// let index = kommunrank::spec::resolve(&kommunrank::example::load().unwrap()).unwrap();
/// // Monte Carlo: rank intervals over 2,048 weightings.
/// let options = Options {
///     model: Overrides { runs: Some(2048), ..Default::default() },
///     ..Default::default()
/// };
/// let done = analysis::run(&index, &options, |_, _| {}, &|_| {}).unwrap();
/// let Outcome::Mc(partial) = done.outcome else { panic!("Monte Carlo") };
/// let result = summary::finish(&partial);
/// assert_eq!(result.successful_runs + result.failed_runs, 2048);
/// let best = &result.units[0];
/// assert!(best.q05 <= best.median_rank && best.median_rank <= best.q95);
///
/// // Sobol indices of the same model, N = 64 base samples.
/// let options = Options {
///     model: Overrides {
///         method: Some(SensitivityMethod::Sobol),
///         base_samples: Some(64),
///         ..Default::default()
///     },
///     ..Default::default()
/// };
/// let done = analysis::run(&index, &options, |_, _| {}, &|_| {}).unwrap();
/// let Outcome::Sobol(sobol) = done.outcome else { panic!("Sobol") };
/// assert_eq!(sobol.scalar.indices.len(), sobol.factors.len());
/// ```
pub fn run(
    index: &Index,
    options: &Options,
    started: impl FnOnce(&Subject, u64) + Send,
    progress: Progress,
) -> Result<Analysis> {
    with_threads(options.threads, || -> Result<Analysis> {
        let evaluator = prepare_analysis(index, options)?;
        let subject = Subject::of(&evaluator);
        started(&subject, evaluations(&evaluator, options));
        let outcome = run_prepared(&evaluator, options, progress)?;
        Ok(Analysis { subject, outcome })
    })?
}

/// A method to rank by beside the nominal one (`compare`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Alternative {
    /// Another weighting of the whole index (pipeline::weigh::alternative).
    Weighting(crate::spec::WeightSetName),
    /// Another aggregation method at every node.
    Aggregation(crate::spec::Aggregation),
}

impl Alternative {
    /// Its name in outputs: `pca`, `bod`, ...
    pub fn name(&self) -> String {
        match self {
            Alternative::Weighting(w) => spec_name(w),
            Alternative::Aggregation(a) => a.name().to_string(),
        }
    }
}

/// The rankings of `index` under the named weight sets of the scenario
/// CSV at `scenarios` (a `scenario` column and one column per node or
/// indicator id), then under each alternative method, beside the nominal
/// one. Alternatives run the whole pipeline on the nominal run's data with
/// the units it scored, so every column ranks the same units.
pub fn compare(
    index: &Index,
    data: &DataOverrides,
    scenarios: Option<&std::path::Path>,
    alternatives: &[Alternative],
) -> Result<(Subject, Vec<Scenario>)> {
    let nominal = pipeline::run_index(index, data)?;
    let overrides = Overrides {
        weights: Some(crate::spec::WeightMethod::None),
        ..Default::default()
    };
    let mut m = model::resolve_model(&nominal, &overrides)?;
    m.factors.clear();
    let eval = super::prepare(&nominal, m)?;
    let mut out = match scenarios {
        Some(path) => {
            let path = std::path::absolute(path).unwrap_or(path.to_path_buf());
            super::compare(&eval, &path.to_string_lossy())?
        }
        None => Vec::new(),
    };
    let subject = Subject::of(&eval);
    let scored = nominal.scored_rows();
    for alternative in alternatives {
        let cannot = |e: Error| Error::Usage(format!("'{}' cannot run: {e}", alternative.name()));
        let alt = match *alternative {
            Alternative::Weighting(w) => {
                pipeline::weigh::alternative(&nominal, w, None).map_err(cannot)?
            }
            Alternative::Aggregation(a) => {
                let mut alt = nominal.index.clone();
                alt.nodes.iter_mut().for_each(|n| n.aggregation = a);
                alt
            }
        };
        let result = pipeline::run_fixed(&alt, nominal.data.clone(), &scored).map_err(cannot)?;
        let by_id: std::collections::HashMap<&str, &pipeline::UnitResult> =
            result.units.iter().map(|u| (u.id.as_str(), u)).collect();
        let (scores, ranks) = subject
            .ids
            .iter()
            .map(|id| {
                let u = by_id[id.as_str()];
                (u.score, u.rank.map_or(f64::NAN, |r| r.0))
            })
            .unzip();
        out.push(Scenario {
            name: alternative.name(),
            scores,
            ranks,
        });
    }
    Ok((subject, out))
}
