//! Sensitivity and uncertainty analysis: how far a ranking can be trusted.
//!
//! [`analysis::run`] is the one call a caller needs: it ranks, resolves
//! the model, checks the options and runs the analysis.
//!
//! Inside: [`model`] resolves what varies; [`sample`] turns random numbers
//! into draws; [`evaluate`] scores and ranks a draw (with `block` and
//! [`kernel`], the fast path, for blocks of runs); [`statistic`] defines
//! the per-run statistics; `accumulate` streams Monte Carlo results into
//! exact histograms and sums (`exact`), kept as a [`partial`] result
//! (what a shard writes and `merge` reads) and summed up by [`summary`];
//! [`analyze`] computes Sobol indices. The functions here run each
//! analysis: [`run_mc`], [`run_sobol`], [`run_loo`], [`compare`],
//! [`replay`].
//!
//! The public API is [`analysis`], [`model`], [`partial`], [`summary`],
//! [`statistic`] and [`analyze`]'s results. The engine's inner modules
//! (`accumulate`, `evaluate`, `kernel`, `rng`, `sample`) are public only
//! for the benchmarks and the integration tests, hidden from the docs and
//! not a stable interface; `block` and `exact` are private to the crate.

#[doc(hidden)]
pub mod accumulate;
pub mod analysis;
pub mod analyze;
pub(crate) mod block;
#[doc(hidden)]
pub mod evaluate;
pub(crate) mod exact;
#[doc(hidden)]
pub mod kernel;
pub mod model;
pub mod partial;
#[doc(hidden)]
pub mod rng;
#[doc(hidden)]
pub mod sample;
pub mod statistic;
pub mod summary;

use crate::error::{Error, Result};
use crate::pipeline::RankResult;
use accumulate::{ChunkStats, RunRecorder, Tally};
use evaluate::{BlockRuns, Evaluator, RunOutcome, Scratch};
use kernel::SharedWindows;
use model::{FactorKind, UncertaintyModel};
use partial::CHUNK;
use partial::{McHeader, McPartial, UnitInfo, chunk_count};
use rayon::prelude::*;
use rng::Rng;
use sample::Draw;
use serde::Serialize;
use std::sync::Arc;

/// Progress callback: called with the number of evaluations just finished.
pub type Progress<'a> = &'a (dyn Fn(u64) + Sync);

/// Builds the evaluator of a nominal result under a model.
pub fn prepare(nominal: &RankResult, model: UncertaintyModel) -> Result<Evaluator> {
    if nominal.units.iter().filter(|u| u.rank.is_some()).count() < 2 {
        return Err(Error::Usage(
            "sensitivity analysis needs at least 2 ranked units".into(),
        ));
    }
    Evaluator::new(nominal, model)
}

/// What identifies a Monte Carlo analysis of `eval` (the partial results'
/// header).
pub fn header(eval: &Evaluator) -> McHeader {
    let index = &eval.index;
    McHeader {
        seed: eval.model.settings.seed,
        runs: eval.model.settings.runs,
        chunk_size: CHUNK,
        spec_hash: crate::text::fingerprint(index.spec_text.as_bytes()),
        index: partial::IndexName {
            id: index.root().id.clone(),
            label: index.root().label.clone(),
        },
        rank_method: format!("{:?}", index.spec.ranking.method).to_lowercase(),
        half_bins: index.spec.ranking.method == crate::spec::RankMethod::Fractional,
        bin_width: bin_width(eval.units(), eval.model.settings.rank_bins),
        top_k: eval.model.settings.top_k.clone(),
        units: eval
            .ids
            .iter()
            .enumerate()
            .map(|(u, id)| UnitInfo {
                id: id.clone(),
                name: eval.names[u].clone(),
                nominal_rank: eval.nominal_ranks[u],
                nominal_score: eval.nominal_scores[u],
            })
            .collect(),
        model: eval.model.describe(index),
    }
}

/// Units above which rank histograms are binned by default.
pub const EXACT_UNITS: usize = 5000;

/// Ranks per histogram bin: exact up to [`EXACT_UNITS`] units (or as asked
/// with `rank_bins` = the number of bins), else about 1,000 bins per unit.
pub fn bin_width(units: usize, rank_bins: Option<usize>) -> u64 {
    let target = match rank_bins {
        Some(b) => b.max(1),
        None if units <= EXACT_UNITS => return 1,
        None => 1000,
    };
    units.div_ceil(target).max(1) as u64
}

/// The chunk range of shard `i` of `n` (all chunks for `None`).
pub fn shard_chunks(runs: u64, shard: Option<(u64, u64)>) -> [u64; 2] {
    let total = chunk_count(runs);
    match shard {
        None => [0, total],
        Some((i, n)) => [i * total / n, (i + 1) * total / n],
    }
}

/// Runs scored together by the fast path's matrix product.
const BLOCK: u64 = kernel::BLOCK_RUNS as u64;

/// One thread's Monte Carlo state.
struct McThread {
    tally: Tally,
    runs: BlockRuns,
    draws: Vec<Draw>,
    /// One draw's uniforms.
    uniforms: Vec<f64>,
}

/// The draw of run `run` and the random stream state after it.
fn runs_of_chunk(model: &UncertaintyModel, chunk: u64) -> (Rng, std::ops::Range<u64>) {
    let start = chunk * CHUNK;
    let end = (start + CHUNK).min(model.settings.runs);
    (Rng::new(model.settings.seed, chunk), start..end)
}

/// Monte Carlo: runs the chunks of `shard` (all for `None`) in parallel on
/// the current rayon pool; returns the accumulated (partial) result.
pub fn run_mc(eval: &Evaluator, shard: Option<(u64, u64)>, progress: Progress) -> McPartial {
    let h = header(eval);
    let recorder = RunRecorder::new(&h, eval.is_reference());
    let range = shard_chunks(h.runs, shard);
    let windows = Arc::new(SharedWindows::default());
    let new_thread = || McThread {
        tally: recorder.tally(),
        runs: BlockRuns::sharing(&windows),
        draws: Vec::new(),
        uniforms: Vec::new(),
    };
    // One tally per worker (not per rayon split: a tally holds units x
    // bins counters), chunks handed out in turn from a shared counter.
    let next = std::sync::atomic::AtomicU64::new(range[0]);
    let workers = rayon::current_num_threads().max(1) as u64;
    let workers = workers.min(range[1] - range[0]).max(1);
    let tally = (0..workers)
        .into_par_iter()
        .map(|_| {
            let mut t = new_thread();
            loop {
                let chunk = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                if chunk >= range[1] {
                    break;
                }
                let count = run_chunk(eval, &recorder, &mut t, chunk);
                progress(count);
            }
            t.tally
        })
        .reduce_with(|mut a, b| {
            a.absorb(b);
            a
        })
        .unwrap_or_else(|| recorder.tally());
    McPartial {
        format: partial::PARTIAL_FORMAT.into(),
        header: h,
        chunk_range: range,
        hist: tally.hist,
        top_k_same: tally.top_k_same,
        failures: tally.failures,
        successful_runs: tally.successful,
        score_sum: tally.score_sum,
        score_sum_sq: tally.score_sum_sq,
        statistics: statistic::STATISTICS
            .iter()
            .zip(tally.statistics)
            .map(|(s, h)| (s.name.to_string(), h))
            .collect(),
        checksum: String::new(),
    }
}

/// Runs Monte Carlo chunk `chunk` on the calling thread into `t`'s tally;
/// returns its number of runs.
fn run_chunk(eval: &Evaluator, recorder: &RunRecorder, t: &mut McThread, chunk: u64) -> u64 {
    let (mut rng, runs) = runs_of_chunk(&eval.model, chunk);
    let count = runs.end - runs.start;
    let mut stats = recorder.chunk();
    // The thread's draws of earlier chunks are reused in place.
    t.draws
        .resize_with(count as usize, || Draw::nominal(&eval.model));
    sample::draw_mc_chunk(&eval.model, &mut rng, &mut t.uniforms, &mut t.draws);
    // Runs with discrete choices: those of the keyed block path first
    // (recorded in that order: the chunk's statistics depend on its draws
    // alone).
    if let Some(order) = eval.block_order(&t.draws) {
        t.draws = permuted(&mut t.draws, &order);
    }
    for block in t.draws.chunks(BLOCK as usize) {
        run_block(eval, recorder, &mut t.tally, &mut t.runs, block, &mut stats);
    }
    recorder.close(&mut t.tally, stats);
    count
}

/// `items` in `order` (a permutation of their indices), moved out.
fn permuted(items: &mut [Draw], order: &[usize]) -> Vec<Draw> {
    order
        .iter()
        .map(|&i| std::mem::take(&mut items[i]))
        .collect()
}

/// Evaluates and records a block of draws (at most
/// [`kernel::BLOCK_RUNS`]) of a Monte Carlo chunk.
pub fn run_block(
    eval: &Evaluator,
    recorder: &RunRecorder,
    tally: &mut Tally,
    runs: &mut BlockRuns,
    draws: &[Draw],
    stats: &mut ChunkStats,
) {
    let proven = eval.evaluate_block(draws, runs, |_, outcome| match outcome {
        RunOutcome::Sorted {
            scores,
            order,
            swaps,
        } => recorder.sorted(tally, stats, scores, order, swaps),
        RunOutcome::Proven { scores, run } => recorder.proven(tally, stats, scores, &run),
        RunOutcome::Ranked(s) => {
            let kendall = eval.kendall_counts(s);
            recorder.ranked(
                tally,
                stats,
                &s.scores,
                &s.ranks,
                &s.rank.fractional,
                kendall,
            );
        }
        RunOutcome::Failed(reason) => recorder.failure(tally, reason),
    });
    if let Some(block) = proven {
        recorder.proven_block(tally, &block);
    }
}

/// Recomputes Monte Carlo run `run` (0-based): its draw and its evaluation.
pub fn replay(eval: &Evaluator, run: u64) -> Result<(Draw, Scratch)> {
    if run >= eval.model.settings.runs {
        return Err(Error::Usage(format!(
            "--replay {run}: there are only {} runs (0 to {})",
            eval.model.settings.runs,
            eval.model.settings.runs - 1
        )));
    }
    let (mut rng, runs) = runs_of_chunk(&eval.model, run / CHUNK);
    let mut draw = Draw::nominal(&eval.model);
    for _ in runs.start..=run {
        draw = sample::draw_mc(&eval.model, &mut rng);
    }
    let mut scratch = Scratch::default();
    eval.evaluate(&draw, &mut scratch)
        .map_err(|reason| Error::Usage(format!("run {run} failed: {reason}")))?;
    Ok((draw, scratch))
}

/// Sobol indices of one output, by factor.
#[derive(Debug, Clone, Serialize)]
pub struct SobolOutput {
    /// Output name (`mean_abs_rank_shift` or a unit id).
    pub output: String,
    /// One entry per factor, in model order.
    pub indices: Vec<analyze::SobolIndex>,
}

/// The result of a Sobol analysis.
#[derive(Debug, Clone, Serialize)]
pub struct SobolResult {
    /// Base samples N.
    pub base_samples: u64,
    /// Evaluations N (d + 2).
    pub evaluations: u64,
    /// Factor names in order.
    pub factors: Vec<String>,
    /// Indices for the mean absolute rank shift.
    pub scalar: SobolOutput,
    /// Indices for each unit's rank (nominal order).
    pub units: Vec<SobolOutput>,
}

/// Number of model evaluations of a Sobol analysis: N (d + 2).
pub fn sobol_evaluations(model: &UncertaintyModel) -> u64 {
    model.settings.runs * (model.factors.len() as u64 + 2)
}

/// Variance-based sensitivity: Saltelli design, first-order and total
/// indices for the mean absolute rank shift and for every unit's rank.
pub fn run_sobol(eval: &Evaluator, progress: Progress) -> Result<SobolResult> {
    let model = &eval.model;
    let n_base = model.settings.runs as usize;
    let d = model.factors.len();
    let dims = model.dims();
    let (a, b) = sample::saltelli_base(n_base, dims, model.settings.design, model.settings.seed);
    let mut offsets = vec![0];
    for f in &model.factors {
        offsets.push(offsets.last().unwrap() + f.dims);
    }
    let total = n_base * (d + 2);
    let units = eval.units();
    let row = |e: usize| -> Vec<f64> {
        if e < n_base {
            a[e].clone()
        } else if e < 2 * n_base {
            b[e - n_base].clone()
        } else {
            let i = (e - 2 * n_base) / n_base;
            let j = (e - 2 * n_base) % n_base;
            sample::ab_row(&a[j], &b[j], offsets[i]..offsets[i + 1])
        }
    };
    // Outputs per evaluation, in evaluation order. Work items are spans
    // of evaluations (as Monte Carlo chunks), evaluated in blocks; with
    // discrete choices the span is reordered so that the keyed runs share
    // blocks, and each output goes back to its place.
    let block = BLOCK as usize;
    let span = CHUNK as usize;
    let windows = Arc::new(SharedWindows::default());
    let results: Vec<std::result::Result<(f64, Vec<f32>), String>> = (0..total.div_ceil(span))
        .into_par_iter()
        .map_init(
            || {
                (
                    BlockRuns::sharing(&windows),
                    Vec::new(),
                    vec![0.0f64; units],
                )
            },
            |(runs, draws, ranks), si| {
                let first = si * span;
                let end = total.min(first + span);
                draws.clear();
                draws.extend((first..end).map(|e| sample::draw_from_uniforms(model, &row(e))));
                let order = eval.block_order(draws);
                if let Some(order) = &order {
                    *draws = permuted(draws, order);
                }
                let mut out = vec![Err(String::new()); end - first];
                for (bi, blk) in draws.chunks(block).enumerate() {
                    eval.evaluate_block(blk, runs, |r, outcome| {
                        let at = bi * block + r;
                        let at = order.as_ref().map_or(at, |o| o[at]);
                        let ranks: &[f64] = match outcome {
                            RunOutcome::Sorted { order, .. } => {
                                for (q, &p) in order.iter().enumerate() {
                                    ranks[p as usize] = (q + 1) as f64;
                                }
                                ranks
                            }
                            RunOutcome::Proven { run, .. } => {
                                for (r, q) in ranks.iter_mut().zip(run.positions()) {
                                    *r = (q + 1) as f64;
                                }
                                ranks
                            }
                            RunOutcome::Ranked(s) => &s.ranks,
                            RunOutcome::Failed(reason) => {
                                out[at] = Err(format!("evaluation {}: {reason}", first + at));
                                return;
                            }
                        };
                        let shift = eval.nominal.mean_abs_shift(ranks);
                        out[at] = Ok((shift, ranks.iter().map(|&r| r as f32).collect()));
                    });
                    progress(blk.len() as u64);
                }
                out
            },
        )
        .flatten_iter()
        .collect();
    let mut y = Vec::with_capacity(total);
    let mut ranks = Vec::with_capacity(total);
    for r in results {
        let (s, rk) = r.map_err(|reason| {
            Error::Usage(format!(
                "a Sobol evaluation failed ({reason}); indices need every evaluation"
            ))
        })?;
        y.push(s);
        ranks.push(rk);
    }
    let split = |v: &[f64]| -> (Vec<f64>, Vec<f64>, Vec<Vec<f64>>) {
        let ya = v[..n_base].to_vec();
        let yb = v[n_base..2 * n_base].to_vec();
        let yab = (0..d)
            .map(|i| v[(2 + i) * n_base..(3 + i) * n_base].to_vec())
            .collect();
        (ya, yb, yab)
    };
    let seed = model.settings.seed;
    let boot = model.settings.bootstrap;
    let (ya, yb, yab) = split(&y);
    let resamples = analyze::Resamples::new(n_base, boot, seed);
    let scalar = SobolOutput {
        output: "mean_abs_rank_shift".into(),
        indices: analyze::sobol_indices(&ya, &yb, &yab, &resamples),
    };
    let unit_outputs: Vec<SobolOutput> = (0..units)
        .into_par_iter()
        .map(|u| {
            let v: Vec<f64> = ranks.iter().map(|r| r[u] as f64).collect();
            let (ya, yb, yab) = split(&v);
            SobolOutput {
                output: eval.ids[u].clone(),
                indices: analyze::sobol_indices(&ya, &yb, &yab, &resamples),
            }
        })
        .collect();
    Ok(SobolResult {
        base_samples: n_base as u64,
        evaluations: total as u64,
        factors: model.factors.iter().map(|f| f.name.clone()).collect(),
        scalar,
        units: unit_outputs,
    })
}

/// One left-out indicator or node.
#[derive(Debug, Clone, Serialize)]
pub struct LeftOut {
    /// "indicator" or "node".
    pub kind: &'static str,
    /// Its id.
    pub id: String,
    /// Mean absolute rank shift over units (None if the run failed).
    pub mean_abs_shift: Option<f64>,
    /// Largest absolute shift.
    pub max_abs_shift: Option<f64>,
    /// Rank of each unit without it (nominal order; None if it failed).
    pub ranks: Option<Vec<f64>>,
    /// Why it failed, if it did.
    pub failure: Option<String>,
}

/// Leave-one-out: every indicator, then every node below the index, left
/// out in turn (its parent re-weights over the rest).
pub fn run_loo(eval: &Evaluator) -> Vec<LeftOut> {
    let index = &eval.index;
    let k = index.indicators.len();
    let mut items: Vec<(&'static str, String, Vec<bool>)> = Vec::new();
    for (i, ind) in index.indicators.iter().enumerate() {
        let mut m = vec![false; k];
        m[i] = true;
        items.push(("indicator", ind.id.clone(), m));
    }
    for node in index.nodes.iter().skip(1) {
        let mut m = vec![false; k];
        for &i in &node.indicators {
            m[i] = true;
        }
        items.push(("node", node.id.clone(), m));
    }
    let nominal = Draw::nominal(&eval.model);
    items
        .into_par_iter()
        .map_init(Scratch::default, |s, (kind, id, mask)| {
            match eval.evaluate_without(&nominal, &mask, s) {
                Ok(()) => {
                    let shifts: Vec<f64> = s
                        .ranks
                        .iter()
                        .zip(&eval.nominal_ranks)
                        .map(|(a, b)| (a - b).abs())
                        .collect();
                    LeftOut {
                        kind,
                        id,
                        mean_abs_shift: Some(eval.nominal.mean_abs_shift(&s.ranks)),
                        max_abs_shift: Some(shifts.iter().copied().fold(0.0, f64::max)),
                        ranks: Some(s.ranks.clone()),
                        failure: None,
                    }
                }
                Err(reason) => LeftOut {
                    kind,
                    id,
                    mean_abs_shift: None,
                    max_abs_shift: None,
                    ranks: None,
                    failure: Some(reason),
                },
            }
        })
        .collect()
}

/// Rankings under named weight sets.
#[derive(Debug, Clone, Serialize)]
pub struct Scenario {
    /// Scenario name.
    pub name: String,
    /// Each unit's score (nominal order).
    pub scores: Vec<f64>,
    /// Each unit's rank.
    pub ranks: Vec<f64>,
}

/// Ranks the units under every weight set of a scenario CSV.
pub fn compare(eval: &Evaluator, path: &str) -> Result<Vec<Scenario>> {
    let (names, sets) = model::read_scenarios(&eval.index, path, &eval.model.layout)?;
    let mut scratch = Scratch::default();
    names
        .into_iter()
        .zip(sets)
        .map(|(name, weights)| {
            let draw = Draw {
                weights,
                levels: vec![0; eval.model.factors.len()],
            };
            eval.evaluate(&draw, &mut scratch).map_err(|reason| {
                Error::Usage(format!("scenario '{name}' cannot run: {reason}"))
            })?;
            Ok(Scenario {
                name,
                scores: scratch.scores.clone(),
                ranks: scratch.ranks.clone(),
            })
        })
        .collect()
}

/// A draw as `--replay` shows it: per node, its children's weights as
/// shares of the node's total; per discrete factor, the level drawn.
#[derive(Debug, Clone, Serialize)]
pub struct DrawDescription {
    /// Node id -> child id -> share.
    pub weights: indexmap::IndexMap<String, indexmap::IndexMap<String, f64>>,
    /// Factor name -> level label.
    pub choices: indexmap::IndexMap<String, String>,
}

/// The normalised weights of every node and the level of every discrete
/// factor of a draw (for `--replay`).
pub fn describe_draw(eval: &Evaluator, draw: &Draw) -> DrawDescription {
    let index = &eval.index;
    let layout = &eval.model.layout;
    let weights = index
        .nodes
        .iter()
        .enumerate()
        .map(|(n, node)| {
            let r = layout.range(n);
            let sum: f64 = draw.weights[r.clone()].iter().sum();
            let shares = node
                .children
                .iter()
                .enumerate()
                .map(|(j, c)| {
                    let share = draw.weights[r.start + j] / sum;
                    (index.member_id(*c).to_string(), share)
                })
                .collect();
            (node.id.clone(), shares)
        })
        .collect();
    let choices = eval
        .model
        .factors
        .iter()
        .zip(&draw.levels)
        .filter(|(f, _)| !matches!(f.kind, FactorKind::Weights { .. }))
        .map(|(f, &l)| (f.name.clone(), f.level_label(l, index)))
        .collect();
    DrawDescription { weights, choices }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cpu;
    use crate::spec::{self, Base};

    use crate::sensitivity::rng::tests::lcg;

    /// An evaluator of `spec` over `data` (one CSV file, `data.csv`).
    fn evaluator(spec_text: &str, data: &'static [u8], runs: u64) -> Evaluator {
        let files: &'static [(&'static str, &'static [u8])] =
            Box::leak(Box::new([("data.csv", data)]));
        let loaded = spec::parse_spec(spec_text, "test.toml", Base::Embedded(files)).unwrap();
        let index = spec::resolve(&loaded).unwrap();
        let nominal = crate::pipeline::run_index(&index, &Default::default()).unwrap();
        let overrides = model::Overrides {
            runs: Some(runs),
            ..Default::default()
        };
        prepare(
            &nominal,
            model::resolve_model(&nominal, &overrides).unwrap(),
        )
        .unwrap()
    }

    /// Synthetic data: `n` units, `k` indicators, values rounded to
    /// `decimals` (few decimals: ties).
    fn data(n: usize, k: usize, decimals: i32, seed: &mut u64) -> &'static [u8] {
        let mut text = String::from("id");
        for j in 0..k {
            text += &format!(",x{j}");
        }
        for u in 0..n {
            text += &format!("\nu{u:03}");
            for _ in 0..k {
                let v = (lcg(seed) * 100.0 * 10f64.powi(decimals)).round() / 10f64.powi(decimals);
                text += &format!(",{v}");
            }
        }
        text.push('\n');
        Box::leak(text.into_bytes().into_boxed_slice())
    }

    /// One chunk's tally of `eval`'s runs, on this thread.
    fn chunk_tally(eval: &Evaluator) -> Tally {
        let recorder = RunRecorder::new(&header(eval), eval.is_reference());
        let windows = Arc::new(SharedWindows::default());
        let mut t = McThread {
            tally: recorder.tally(),
            runs: BlockRuns::sharing(&windows),
            draws: Vec::new(),
            uniforms: Vec::new(),
        };
        run_chunk(eval, &recorder, &mut t, 0);
        t.tally
    }

    /// Every statistic's fast form, on every instruction set this CPU has,
    /// with a partial last block (1,000 runs = 31 blocks of 32 and one of
    /// 8), gives exactly the reference engine's keys (each statistic from
    /// its reference definition on the run's ranks), rank histograms and
    /// top-k counts: on data without ties (the keyed path), with ties in
    /// every run, with scores rounded before ranking, and for each tie rule.
    #[test]
    fn every_statistic_and_instruction_set_agrees_with_the_reference() {
        let mut seed = 17;
        let cases = [
            ("competition", 0, data(70, 6, 3, &mut seed)),
            ("competition", 0, data(45, 4, 0, &mut seed)),
            ("fractional", 0, data(45, 4, 0, &mut seed)),
            ("dense", 1, data(60, 5, 2, &mut seed)),
            ("ordinal", 0, data(33, 3, 1, &mut seed)),
        ];
        for (method, round, data) in cases {
            let k = String::from_utf8_lossy(data)
                .lines()
                .next()
                .unwrap()
                .split(',')
                .count()
                - 1;
            let mut text = format!(
                "[index]\nid = \"idx\"\n[data]\nfiles = [\"data.csv\"]\n[units]\nid = \"id\"\n\
                 [ranking]\nmethod = \"{method}\"\n"
            );
            if round > 0 {
                text += &format!("round = {round}\n");
            }
            text += "[sensitivity.weights]\nmethod = \"uniform\"\nspread = 0.3\n";
            for j in 0..k {
                text += &format!("[[indicator]]\nid = \"x{j}\"\nweight = {}\n", 1 + j % 3);
            }
            let eval = evaluator(&text, data, 1000);
            let want = chunk_tally(&eval.clone().with_engine(evaluate::Engine::Reference));
            assert_eq!(want.successful, 1000, "{method}");
            for isa in cpu::available() {
                cpu::force(Some(isa));
                let got = chunk_tally(&eval);
                let what = format!("{method}, round {round}, {isa:?}");
                for (stat, (a, b)) in statistic::STATISTICS
                    .iter()
                    .zip(got.statistics.iter().zip(&want.statistics))
                {
                    assert!(a == b, "{what}: {} keys differ", stat.name);
                }
                assert!(got.hist == want.hist, "{what}: rank histograms differ");
                assert_eq!(got.top_k_same, want.top_k_same, "{what}");
                assert_eq!(got.failures, want.failures, "{what}");
            }
            cpu::force(None);
        }
    }
}
