//! Evaluating draws: each combination of data-side choices (normalisation,
//! missing values) is computed once by the pipeline and cached; a run then
//! aggregates the cached normalised values with its weights and methods and
//! ranks the units with the nominal [`Ranker`]. Every combination is checked
//! before any run.

use super::accumulate::RunScores;
use super::block::BlockPlan;
pub use super::block::BlockScratch;
use super::kernel::{BlockRanker, ProvenBlock, ProvenRun, SharedWindows};
use super::model::{FactorKind, UncertaintyModel};
use super::sample::Draw;
use crate::error::{Error, Result};
use crate::pipeline::aggregate::{self, Requirement};
use crate::pipeline::rank::{RankScratch, Ranker};
use crate::pipeline::{self, Dataset, RankResult};
use crate::spec::{Aggregation, Best, Index, Member};
use std::sync::Arc;

/// Per-thread buffers for [`Evaluator::evaluate`].
#[derive(Debug, Clone, Default)]
pub struct Scratch {
    node_scores: Vec<f64>,
    values: Vec<f64>,
    weights: Vec<f64>,
    methods: Vec<Aggregation>,
    excluded: Vec<bool>,
    /// Ranking buffers (fractional ranks and tie pairs of the last run).
    pub rank: RankScratch,
    /// Block buffers for evaluating one draw on the block path.
    block: BlockScratch,
    kendall: Vec<f64>,
    kendall_tmp: Vec<u32>,
    /// Index scores of the ranked units.
    pub scores: Vec<f64>,
    /// Their ranks.
    pub ranks: Vec<f64>,
}

/// Evaluates draws on the ranked units of a nominal result.
#[derive(Debug, Clone)]
pub struct Evaluator {
    /// The nominal index.
    pub index: Index,
    /// The uncertainty model.
    pub model: UncertaintyModel,
    /// Ids of the ranked units (in nominal rank order).
    pub ids: Vec<String>,
    /// Their names.
    pub names: Vec<String>,
    /// Nominal index scores.
    pub nominal_scores: Vec<f64>,
    /// Nominal ranks.
    pub nominal_ranks: Vec<f64>,
    /// The nominal ranking as the run statistics see it.
    pub nominal: super::statistic::Nominal,
    /// Normalised values (units x indicators, row-major) per data variant
    /// (NaN = missing, or left out by an `include` factor).
    variants: Vec<Vec<f64>>,
    /// Factor index and level count of each data-side factor (mixed radix):
    /// normalisation and missing-value choices, and `include` factors when
    /// their variants fit (see [`MAX_VARIANT_BYTES`]).
    variant_factors: Vec<(usize, usize)>,
    /// `include` factors that are not data variants (runs leaving one of
    /// them out go node by node).
    flagged_includes: Vec<usize>,
    /// Factor index and level count of each aggregation choice.
    aggregation_factors: Vec<(usize, usize)>,
    ranker: Ranker,
    /// Each unit's row in the data (the order Copeland's pairs follow).
    rows: Vec<usize>,
    /// The block path per aggregation combination (empty when there are
    /// more than [`MAX_PLANS`]); None where runs cannot take it.
    blocks: Vec<Option<BlockPlan>>,
    /// Units in nominal rank order, and the ranges of nominal ties in it.
    nominal_order: Vec<u32>,
    /// Each unit's place in `nominal_order`.
    nominal_place: Vec<u32>,
    nominal_groups: Vec<(usize, usize)>,
    nominal_tie_pairs: u64,
    /// Whether the units are already in nominal order (nominal_order is
    /// the identity), as sorted ranking assumes.
    nominal_in_order: bool,
    /// How much of the fast path runs may use.
    fast: FastPath,
}

/// How much of the fast path Monte Carlo runs may use (all of it by
/// default; less to check the fast path against the general one).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FastPath {
    /// Every run aggregates node by node and ranks with the ranker.
    Off,
    /// Scores by the block path (`BlockPlan`); ranking with the ranker.
    Scores,
    /// Scores by matrix product, ranking by sorted packed keys (falling
    /// back to the ranker on ties).
    Full,
}

/// Why a run could not be used.
pub type Failure = String;

/// Failing combinations listed before the rest are summarised.
const MAX_LISTED: usize = 10;

/// Most data variants (normalisation and missing-value choices, and the
/// leave-outs held as variants).
const MAX_VARIANTS: usize = 256;

/// Most aggregation combinations that get a block plan each.
const MAX_PLANS: usize = 64;
/// Most memory the data variants of `include` factors (and the block
/// plans over them) may take; beyond it those factors stay flags and runs
/// leaving an indicator out go node by node.
const MAX_VARIANT_BYTES: usize = 256 << 20;

/// What one run of a block came to (see [`Evaluator::evaluate_block`]).
pub enum RunOutcome<'a> {
    /// Ranked by the [`BlockRanker`]: no ties, the units' nominal positions
    /// in rank order, and the pairs discordant with the nominal order.
    Sorted {
        /// Index scores.
        scores: RunScores<'a>,
        /// Nominal positions in rank order.
        order: &'a [u32],
        /// Discordant pairs.
        swaps: u64,
    },
    /// Proven in a keyed block: the units' positions and figures; its rank
    /// histogram and top-k sets are recorded with the block's
    /// ([`Evaluator::evaluate_block`] returns it).
    Proven {
        /// Index scores.
        scores: RunScores<'a>,
        /// Positions and figures.
        run: ProvenRun<'a>,
    },
    /// Ranked by the ranker: scores, ranks and ranking buffers are in the
    /// scratch.
    Ranked(&'a mut Scratch),
    /// The run failed.
    Failed(Failure),
}

/// Pairs i < j of `v` with `v[j] < v[i]`, and with `v[j] == v[i]` (one
/// plain double loop: groups of ties are small, and it vectorises).
fn pairs_below(v: &[f64]) -> (u64, u64) {
    let (mut below, mut equal) = (0u64, 0u64);
    for (i, &x) in v.iter().enumerate() {
        for &y in &v[i + 1..] {
            below += (y < x) as u64;
            equal += (y == x) as u64;
        }
    }
    (below, equal)
}

/// The outcome of a run ranked (or failed) with the ranker.
fn outcome(result: std::result::Result<(), Failure>, scratch: &mut Scratch) -> RunOutcome<'_> {
    match result {
        Ok(()) => RunOutcome::Ranked(scratch),
        Err(reason) => RunOutcome::Failed(reason),
    }
}

/// Per-thread buffers for [`Evaluator::evaluate_block`].
#[derive(Debug, Clone, Default)]
pub struct BlockRuns {
    scratch: Scratch,
    block: BlockScratch,
    ranker: BlockRanker,
}

impl BlockRuns {
    /// Buffers whose ranking windows are shared with the other threads'
    /// ([`SharedWindows`]).
    pub fn sharing(windows: &Arc<SharedWindows>) -> BlockRuns {
        let mut runs = BlockRuns::default();
        runs.ranker.share(Arc::clone(windows));
        runs
    }
}

impl Evaluator {
    /// Builds the evaluator: computes every data variant and validates every
    /// combination the model can produce.
    pub fn new(nominal: &RankResult, model: UncertaintyModel) -> Result<Evaluator> {
        let index = nominal.index.clone();
        let ranked: Vec<&pipeline::UnitResult> =
            nominal.units.iter().filter(|u| u.rank.is_some()).collect();
        let rows: Vec<usize> = ranked.iter().map(|u| u.row).collect();
        let ids: Vec<String> = ranked.iter().map(|u| u.id.clone()).collect();
        let ranking = &index.spec.ranking;
        let ranker = Ranker::new(&ids, ranking.method, ranking.best, ranking.round);
        let scored = nominal.scored_rows();
        let factors_of = |fits: fn(&FactorKind) -> bool| -> Vec<(usize, usize)> {
            model
                .factors
                .iter()
                .enumerate()
                .filter(|(_, f)| fits(&f.kind))
                .map(|(i, f)| (i, f.levels()))
                .collect()
        };
        let data_factors = factors_of(|k| {
            matches!(
                k,
                FactorKind::Normalisation { .. } | FactorKind::Missing { .. }
            )
        });
        let include_factors = factors_of(|k| matches!(k, FactorKind::Include { .. }));
        let aggregation_factors = factors_of(|k| matches!(k, FactorKind::Aggregation { .. }));
        let combos: usize = data_factors.iter().map(|(_, l)| *l).product();
        if combos > MAX_VARIANTS {
            return Err(Error::Usage(format!(
                "the normalisation/missing choices make {combos} data variants; at most {MAX_VARIANTS} are supported (fewer choices, or group indicators in one choice)"
            )));
        }
        let k = index.indicators.len();
        let mut variants = Vec::with_capacity(combos);
        let mut errors = Vec::new();
        for v in 0..combos {
            let levels = decode(v, &data_factors, model.factors.len());
            let mut variant = index.clone();
            for (f, factor) in model.factors.iter().enumerate() {
                let level = levels[f];
                if level == 0 {
                    continue;
                }
                match &factor.kind {
                    FactorKind::Normalisation {
                        indicators,
                        options,
                    } => {
                        for &i in indicators {
                            variant.indicators[i].normalisation = options[level - 1].clone();
                        }
                    }
                    FactorKind::Missing { options } => {
                        for ind in &mut variant.indicators {
                            ind.missing = options[level - 1];
                        }
                    }
                    _ => {}
                }
            }
            let label = combination_label(&model, &index, &levels);
            match pipeline::run_fixed(&variant, clone_data(&nominal.data), &scored) {
                Ok(r) => {
                    let mut z = Vec::with_capacity(rows.len() * k);
                    for &row in &rows {
                        z.extend(r.stages.normalised.row(row).iter());
                    }
                    variants.push(z);
                }
                Err(e) => errors.push(Error::Usage(format!(
                    "the combination [{label}] cannot run: {e}"
                ))),
            }
        }
        Error::collect(errors)?;
        // `include` factors as data variants (the indicator's column left
        // out, as missing for every unit), when those fit in memory: runs
        // leaving indicators out then take the block path too.
        let plans = aggregation_factors
            .iter()
            .try_fold(1usize, |a, (_, l)| a.checked_mul(*l))
            .filter(|&a| a <= MAX_PLANS)
            .unwrap_or(0);
        let expanded = u32::try_from(include_factors.len())
            .ok()
            .and_then(|m| combos.checked_mul(1usize.checked_shl(m)?))
            .filter(|&v| {
                v <= MAX_VARIANTS
                    && v.saturating_mul(plans.max(1) + 1)
                        .saturating_mul(rows.len() * k * 8)
                        <= MAX_VARIANT_BYTES
            });
        let (variant_factors, flagged_includes) = match expanded {
            Some(total) if !include_factors.is_empty() => {
                let all: Vec<(usize, usize)> = data_factors
                    .iter()
                    .chain(&include_factors)
                    .copied()
                    .collect();
                variants = (0..total)
                    .map(|v| {
                        let levels = decode(v, &all, model.factors.len());
                        let mut z = variants[encode(&levels, &data_factors)].clone();
                        for &(f, _) in &include_factors {
                            if let (FactorKind::Include { indicator }, 1) =
                                (&model.factors[f].kind, levels[f])
                            {
                                z.iter_mut()
                                    .skip(*indicator)
                                    .step_by(k)
                                    .for_each(|x| *x = f64::NAN);
                            }
                        }
                        z
                    })
                    .collect();
                (all, Vec::new())
            }
            _ => (
                data_factors,
                include_factors.iter().map(|&(f, _)| f).collect(),
            ),
        };
        let nominal_scores: Vec<f64> = ranked.iter().map(|u| u.score).collect();
        let nominal_ranks: Vec<f64> = ranked.iter().map(|u| u.rank.expect("ranked").0).collect();
        let blocks: Vec<Option<BlockPlan>> = (0..plans)
            .map(|a| {
                let levels = decode(a, &aggregation_factors, model.factors.len());
                let methods = node_methods(&index, &model, &levels);
                BlockPlan::new(&index, &model, &methods, &variants, rows.len())
            })
            .collect();
        let mut nominal_order: Vec<u32> = (0..nominal_ranks.len() as u32).collect();
        nominal_order.sort_by(|&a, &b| {
            nominal_ranks[a as usize]
                .total_cmp(&nominal_ranks[b as usize])
                .then(a.cmp(&b))
        });
        let mut nominal_groups = Vec::new();
        let mut nominal_tie_pairs = 0u64;
        let mut start = 0;
        for pos in 1..=nominal_order.len() {
            if pos == nominal_order.len()
                || nominal_ranks[nominal_order[pos] as usize]
                    != nominal_ranks[nominal_order[start] as usize]
            {
                let t = (pos - start) as u64;
                nominal_tie_pairs += t * (t - 1) / 2;
                if t > 1 {
                    nominal_groups.push((start, pos));
                }
                start = pos;
            }
        }
        let eval = Evaluator {
            index,
            model,
            ids,
            names: ranked.iter().map(|u| u.name.clone()).collect(),
            nominal_scores,
            nominal: super::statistic::Nominal::new(&nominal_ranks),
            nominal_ranks,
            variants,
            variant_factors,
            flagged_includes,
            aggregation_factors,
            ranker,
            rows,
            blocks,
            nominal_groups,
            nominal_in_order: nominal_order
                .iter()
                .enumerate()
                .all(|(p, &u)| p == u as usize),
            nominal_place: {
                let mut place = vec![0u32; nominal_order.len()];
                for (p, &u) in nominal_order.iter().enumerate() {
                    place[u as usize] = p as u32;
                }
                place
            },
            nominal_order,
            nominal_tie_pairs,
            fast: FastPath::Full,
        };
        eval.validate_combinations()?;
        Ok(eval)
    }

    /// Whether runs take the block path ([`BlockPlan`]).
    pub fn has_block_path(&self) -> bool {
        self.fast != FastPath::Off && self.blocks.iter().any(Option::is_some)
    }

    /// Whether the block path of the nominal aggregation methods is a
    /// single matrix product (every node arithmetic or a sum).
    pub fn is_single_product(&self) -> bool {
        self.has_block_path()
            && self
                .blocks
                .first()
                .is_some_and(|b| b.as_ref().is_some_and(BlockPlan::is_single_product))
    }

    /// Limits the fast path (for checking it against the general path).
    pub fn with_fast_path(mut self, fast: FastPath) -> Evaluator {
        self.fast = fast;
        self
    }

    /// Whether a draw is evaluated on the block path (else node by node).
    pub fn takes_block_path(&self, draw: &Draw) -> bool {
        self.plan_of(draw).is_some()
    }

    /// An order of `draws` in which runs sharing an aggregation combination
    /// and a data variant are adjacent (stable; runs leaving out a flagged
    /// indicator last), so that blocks taken from it in turn are one
    /// product each instead of many small ones; None when every draw is in
    /// one group (keep the order). A function of the draws alone: not of
    /// threads, nor of the fast-path setting (so both paths record runs in
    /// the same order).
    pub fn block_order(&self, draws: &[Draw]) -> Option<Vec<usize>> {
        if self.blocks.len() <= 1 && self.variants.len() <= 1 && self.flagged_includes.is_empty() {
            return None;
        }
        let keys: Vec<(bool, usize, usize)> = draws
            .iter()
            .map(|d| {
                let a = encode(&d.levels, &self.aggregation_factors);
                (self.leaves_flagged_out(d), a, self.variant_of(d))
            })
            .collect();
        let mut order: Vec<usize> = (0..draws.len()).collect();
        order.sort_by_key(|&i| keys[i]);
        Some(order)
    }

    /// Whether a draw leaves out an indicator whose `include` factor is a
    /// flag (not a data variant): such runs go node by node.
    fn leaves_flagged_out(&self, draw: &Draw) -> bool {
        self.flagged_includes.iter().any(|&f| draw.levels[f] != 0)
    }

    /// The aggregation combination of a draw and its block plan, when the
    /// draw can take the block path.
    fn plan_of(&self, draw: &Draw) -> Option<(usize, &BlockPlan)> {
        if self.fast == FastPath::Off || self.leaves_flagged_out(draw) {
            return None;
        }
        let a = encode(&draw.levels, &self.aggregation_factors);
        let plan = self.blocks.get(a)?.as_ref()?;
        plan.covers(self.variant_of(draw)).then_some((a, plan))
    }

    /// The counts Kendall's tau-b with the nominal ranking is made of
    /// (discordant pairs, pairs the run ties, pairs tied on both sides) for
    /// the last evaluated run (its ranks and tie pairs in `s`), in
    /// O(n log n) without allocating: Knight's algorithm on the fixed
    /// nominal order, or the swaps of an insertion sort from it.
    pub fn kendall_counts(&self, s: &mut Scratch) -> [u64; 3] {
        // No ties on either side and an insertion sort from the nominal
        // order: its swaps are exactly the discordant pairs.
        if let (Some(swaps), 0, false) = (s.rank.swaps, self.nominal_tie_pairs, s.rank.any_group) {
            return [swaps, 0, 0];
        }
        let (discordant, joint) = match s.rank.swaps {
            Some(swaps) => self.discordant_from_swaps(swaps, s),
            None => self.discordant_by_merging(s),
        };
        [discordant, s.rank.tie_pairs, joint]
    }

    /// Kendall's discordant pairs (ranked strictly the other way round by
    /// the run and the nominal ranking) and pairs tied in both, in
    /// O(n log n): the run's ranks in nominal order, sorted within nominal
    /// ties, and their strict inversions counted (Knight's algorithm).
    fn discordant_by_merging(&self, s: &mut Scratch) -> (u64, u64) {
        let ranks = &s.ranks;
        let y = &mut s.kendall;
        y.clear();
        y.extend(self.nominal_order.iter().map(|&u| ranks[u as usize]));
        // Within nominal ties, order by y; count pairs tied in both.
        let mut joint = 0u64;
        for &(a, b) in &self.nominal_groups {
            y[a..b].sort_by(f64::total_cmp);
            let mut start = a;
            for pos in a + 1..=b {
                if pos == b || y[pos] != y[start] {
                    let t = (pos - start) as u64;
                    joint += t * (t - 1) / 2;
                    start = pos;
                }
            }
        }
        let n = self.units();
        let swaps = crate::sensitivity::analyze::count_rank_inversions(y, n, &mut s.kendall_tmp);
        (swaps, joint)
    }

    /// [`Evaluator::discordant_by_merging`] from the swaps of the ranker's
    /// insertion sort from the nominal order, in O(n + ties^2): every pair
    /// the run ranks strictly the other way round was swapped; the swapped
    /// pairs that are not discordant are those the run ties (put in id
    /// order, or within the tie tolerance) and those the nominal ranking
    /// ties, both counted group by group.
    fn discordant_from_swaps(&self, swaps: u64, s: &mut Scratch) -> (u64, u64) {
        let (ranks, place) = (&s.ranks, &self.nominal_place);
        // Each group's values gathered side by side, then every pair
        // compared in a loop the compiler vectorises.
        let buf = &mut s.kendall;
        let mut not_discordant = 0u64;
        // Run ties: units of equal rank, consecutive in the run's order;
        // a pair there was swapped if its nominal places are reversed.
        let order = s.rank.order();
        let mut start = 0;
        for end in 1..=order.len() {
            if end < order.len() && ranks[order[end] as usize] == ranks[order[start] as usize] {
                continue;
            }
            if end - start > 1 {
                buf.clear();
                buf.extend(order[start..end].iter().map(|&u| place[u as usize] as f64));
                not_discordant += pairs_below(buf).0;
            }
            start = end;
        }
        // Nominal ties: a pair the run ranks strictly the other way round
        // (swapped, not discordant); a pair the run ties too (joint).
        let mut joint = 0u64;
        for &(a, b) in &self.nominal_groups {
            buf.clear();
            buf.extend(self.nominal_order[a..b].iter().map(|&u| ranks[u as usize]));
            let (below, equal) = pairs_below(buf);
            not_discordant += below;
            joint += equal;
        }
        (swaps - not_discordant, joint)
    }

    /// Whether runs take the reference path alone (`--engine reference`):
    /// node by node, ranked by the ranker, statistics from their reference
    /// definitions.
    pub fn is_reference(&self) -> bool {
        self.fast == FastPath::Off
    }

    /// Number of ranked units.
    pub fn units(&self) -> usize {
        self.ids.len()
    }

    /// Checks every data variant with every aggregation combination (and,
    /// for flagged leave-out factors, all of them left out at once) at
    /// nominal weights.
    fn validate_combinations(&self) -> Result<()> {
        let agg_factors = &self.aggregation_factors;
        let agg_combos: usize = agg_factors.iter().map(|(_, l)| *l).product();
        let total = agg_combos * self.variants.len();
        if total > 100_000 {
            return Err(Error::Usage(format!(
                "the discrete choices make {total} combinations; at most 100,000 can be validated"
            )));
        }
        // Leave-outs held as data variants are covered by the loop over
        // variants; flagged ones are checked all left out at once.
        let include = &self.flagged_includes;
        let mut scratch = Scratch::default();
        let mut errors = Vec::new();
        for v in 0..self.variants.len() {
            let data_levels = decode(v, &self.variant_factors, self.model.factors.len());
            for a in 0..agg_combos {
                let agg_levels = decode(a, agg_factors, self.model.factors.len());
                let mut draw = Draw::nominal(&self.model);
                for f in 0..draw.levels.len() {
                    draw.levels[f] = data_levels[f] + agg_levels[f];
                }
                let mut checks = vec![draw.clone()];
                if !include.is_empty() {
                    let mut all_out = draw;
                    for &f in include {
                        all_out.levels[f] = 1;
                    }
                    checks.push(all_out);
                }
                for d in checks {
                    if let Err(reason) = self.evaluate_checked(&d, &mut scratch) {
                        if errors.len() == MAX_LISTED {
                            errors.push(Error::Usage(
                                "more combinations cannot run; fix the ones above first".into(),
                            ));
                            return Error::collect(errors);
                        }
                        let label = combination_label(&self.model, &self.index, &d.levels);
                        errors.push(Error::Usage(format!(
                            "the combination [{label}] cannot run: {reason}"
                        )));
                    }
                }
            }
        }
        Error::collect(errors)
    }

    /// Evaluates a draw: fills `scratch.scores` and `scratch.ranks`.
    pub fn evaluate(&self, draw: &Draw, scratch: &mut Scratch) -> std::result::Result<(), Failure> {
        if self.plan_of(draw).is_none() {
            return self.run(draw, scratch, false, None);
        }
        let mut block = std::mem::take(&mut scratch.block);
        let stride = self
            .block_scores(std::slice::from_ref(draw), &mut block)
            .expect("block path");
        let result = self.rank_block_row(draw, &block.scores[..stride][..self.units()], scratch);
        scratch.block = block;
        result
    }

    /// Evaluates a block of draws (at most [`super::kernel::BLOCK_RUNS`])
    /// and hands each run's outcome, in order, to `f`: on the block path
    /// the scores of the whole block at once, ranked by the
    /// [`BlockRanker`] where no ties allow it; otherwise (and for tied
    /// runs) run by run with the ranker.
    pub fn evaluate_block<'t>(
        &self,
        draws: &[Draw],
        t: &'t mut BlockRuns,
        mut f: impl FnMut(usize, RunOutcome<'_>),
    ) -> Option<ProvenBlock<'t>> {
        let n = self.units();
        // A block of one keyed plan: counted on single-precision keys
        // (when the ranker counts), its scores computed only where needed.
        // (The ranker's block is begun here for a keyed plan, whether or
        // not its keys are usable.)
        let sorted = self.sorted_ranking();
        let keyed = sorted.and(self.keyed_plan(draws));
        if let (Some(highest), Some(plan)) = (sorted, keyed)
            && t.ranker.begin(n)
            && plan.block_keys(&self.model, draws, highest, &mut t.block)
        {
            self.evaluate_keyed(plan, draws, highest, t, f);
            return t.ranker.proven();
        }
        let Some(stride) = self.block_scores(draws, &mut t.block) else {
            for (r, d) in draws.iter().enumerate() {
                let result = self.evaluate(d, &mut t.scratch);
                f(r, outcome(result, &mut t.scratch));
            }
            return None;
        };
        // Not keyed: each run is ranked alone ([`BlockRanker::rank`]).
        let counted = sorted.or(self.grouped_ranking());
        if counted.is_some() {
            t.ranker.allow_ties(sorted.is_none());
            if keyed.is_none() {
                t.ranker.begin(n);
            }
        }
        for (r, d) in draws.iter().enumerate() {
            if !t.block.scored[r] {
                let result = self.run(d, &mut t.scratch, false, None);
                f(r, outcome(result, &mut t.scratch));
                continue;
            }
            let scores = &t.block.scores[r * stride..r * stride + n];
            if let Some(highest) = counted
                && let Some((order, swaps)) = t.ranker.rank(scores, highest)
            {
                if sorted.is_some() {
                    // A keyed plan's runs record their scores by the
                    // linear form whichever way they were ranked (the same
                    // sums whatever a thread's windows).
                    let scores = match keyed {
                        Some(plan) => plan.recorded_scores(&t.block, r),
                        None => RunScores::Full(scores),
                    };
                    f(
                        r,
                        RunOutcome::Sorted {
                            scores,
                            order,
                            swaps,
                        },
                    );
                } else {
                    self.rank_ordered(scores, order, swaps, &mut t.scratch);
                    f(r, RunOutcome::Ranked(&mut t.scratch));
                }
                continue;
            }
            let result = self.rank_block_row(d, scores, &mut t.scratch);
            f(r, outcome(result, &mut t.scratch));
        }
        None
    }

    /// Writes the single-precision keys of a block of draws that share a
    /// keyed plan into `b` ([`BlockPlan::block_keys`], as
    /// [`Evaluator::evaluate_block`] does before counting); false when the
    /// block is not keyed (nor a ranking without ties).
    pub fn block_keys(&self, draws: &[Draw], b: &mut BlockScratch) -> bool {
        match (self.sorted_ranking(), self.keyed_plan(draws)) {
            (Some(highest), Some(plan)) => plan.block_keys(&self.model, draws, highest, b),
            _ => false,
        }
    }

    /// The block plan of `draws` when they all have the same one and it is
    /// keyed ([`BlockPlan::is_keyed`]).
    pub(crate) fn keyed_plan(&self, draws: &[Draw]) -> Option<&BlockPlan> {
        let (a, plan) = self.plan_of(draws.first()?)?;
        let same = draws[1..]
            .iter()
            .all(|d| self.plan_of(d).is_some_and(|(b, _)| b == a));
        (same && plan.is_keyed()).then_some(plan)
    }

    /// [`Evaluator::evaluate_block`] for a block whose keys `plan` wrote
    /// into `t.block` (the ranker begun, counting): each run's counted
    /// order is proven on the keys and the few scores they leave in doubt;
    /// a run not proven gets its full scores and the usual ranking.
    fn evaluate_keyed(
        &self,
        plan: &BlockPlan,
        draws: &[Draw],
        highest: bool,
        t: &mut BlockRuns,
        mut f: impl FnMut(usize, RunOutcome<'_>),
    ) {
        let n = self.units();
        t.ranker.allow_ties(false);
        t.ranker.count_keys(&mut t.block.keys, draws.len());
        let sign = if highest { -1.0 } else { 1.0 };
        for (r, d) in draws.iter().enumerate() {
            let block = &t.block;
            let exact = |p: u32, q: u32| {
                let (a, b) = plan.exact_pair(block, r, p as usize, q as usize);
                (sign * a, sign * b)
            };
            if let Some(run) = t.ranker.rank_keyed(r, block.margins[r], exact) {
                let scores = plan.recorded_scores(block, r);
                f(r, RunOutcome::Proven { scores, run });
                continue;
            }
            plan.exact_row(&mut t.block, r);
            let stride = plan.stride();
            let scores = &t.block.scores[r * stride..r * stride + n];
            if let Some((order, swaps)) = t.ranker.rank(scores, highest) {
                let scores = plan.recorded_scores(&t.block, r);
                f(
                    r,
                    RunOutcome::Sorted {
                        scores,
                        order,
                        swaps,
                    },
                );
                continue;
            }
            let result = self.rank_block_row(d, scores, &mut t.scratch);
            f(r, outcome(result, &mut t.scratch));
        }
    }

    /// Scores a block of draws on the block path, one row per draw (units
    /// in nominal order; `b.scored` tells which rows a plan scored: the
    /// others are for the node-by-node path), and returns the row stride;
    /// None when no draw of the block takes the block path.
    pub fn block_scores(&self, draws: &[Draw], b: &mut BlockScratch) -> Option<usize> {
        let plans: Vec<Option<(usize, &BlockPlan)>> =
            draws.iter().map(|d| self.plan_of(d)).collect();
        let stride = plans.iter().flatten().next()?.1.stride();
        b.start(draws.len(), stride);
        b.scored.clear();
        b.scored.extend(plans.iter().map(Option::is_some));
        // One call per plan, for its runs (usually all of them).
        let mut done = vec![false; draws.len()];
        for (r, p) in plans.iter().enumerate() {
            let Some((a, plan)) = *p else { continue };
            if done[r] {
                continue;
            }
            let runs: Vec<usize> = (r..draws.len())
                .filter(|&j| plans[j].is_some_and(|(b, _)| b == a))
                .collect();
            for &j in &runs {
                done[j] = true;
            }
            plan.scores(&self.model, draws, &runs, |d| self.variant_of(d), b);
        }
        Some(stride)
    }

    /// Ranks one row of block scores with the ranker; a row with scores
    /// that are not all finite is evaluated node by node instead (which
    /// treats a failed child as missing), so it fails or succeeds as the
    /// general path decides.
    pub fn rank_block_row(
        &self,
        draw: &Draw,
        scores: &[f64],
        scratch: &mut Scratch,
    ) -> std::result::Result<(), Failure> {
        if scores.iter().all(|v| v.is_finite()) {
            self.rank_scores(scores, scratch)
        } else {
            self.run(draw, scratch, false, None)
        }
    }

    /// Ranks given scores (units in nominal order) whose exact order (best
    /// first, exact ties in nominal order) is `order`, `swaps` pairs from
    /// the nominal order: the nominal ranker groups the ties (exact, or
    /// after rounding). Fills `s.scores` and `s.ranks`.
    fn rank_ordered(&self, scores: &[f64], order: &[u32], swaps: u64, s: &mut Scratch) {
        s.scores.clear();
        s.scores.extend_from_slice(scores);
        s.ranks.clear();
        s.ranks.resize(scores.len(), f64::NAN);
        self.ranker
            .rank_ordered(&s.scores, order, swaps, &mut s.rank, &mut s.ranks);
    }

    /// Ranks given scores (units in nominal order) with the nominal ranker:
    /// fills `scratch.scores` and `scratch.ranks`.
    pub fn rank_scores(&self, scores: &[f64], s: &mut Scratch) -> std::result::Result<(), Failure> {
        if let Some(u) = scores.iter().position(|v| !v.is_finite()) {
            return Err(format!(
                "unit {} gets no finite score (no data left under the index, or an infinite value)",
                self.ids[u]
            ));
        }
        s.scores.clear();
        s.scores.extend_from_slice(scores);
        s.ranks.clear();
        s.ranks.resize(scores.len(), f64::NAN);
        self.ranker
            .rank_from(&s.scores, &self.nominal_order, &mut s.rank, &mut s.ranks);
        Ok(())
    }

    /// Whether runs with ties (scores rounded before ranking, or a
    /// nominal ranking with ties) may be ordered by [`BlockRanker`] on
    /// their unrounded scores, exact ties accepted in nominal order and the
    /// rest exactly checked, and their ties then grouped by the ranker
    /// (`Ranker::rank_ordered`): units in nominal order. Returns whether
    /// higher is best.
    pub fn grouped_ranking(&self) -> Option<bool> {
        let fits = self.fast == FastPath::Full && self.nominal_in_order;
        fits.then_some(self.index.spec.ranking.best == Best::Highest)
    }

    /// Whether runs may be ranked by [`BlockRanker`] (falling
    /// back to the ranker on ties): scores are not rounded before ranking
    /// and the nominal ranking has no ties. Returns whether higher is best.
    pub fn sorted_ranking(&self) -> Option<bool> {
        let plain = self.fast == FastPath::Full
            && self.index.spec.ranking.round.is_none()
            && self.nominal_tie_pairs == 0
            && self.nominal_in_order;
        plain.then_some(self.index.spec.ranking.best == Best::Highest)
    }

    /// Evaluates a draw with some indicators left out (leave-one-out).
    pub fn evaluate_without(
        &self,
        draw: &Draw,
        left_out: &[bool],
        scratch: &mut Scratch,
    ) -> std::result::Result<(), Failure> {
        self.run(draw, scratch, false, Some(left_out))
    }

    /// Like [`Evaluator::evaluate`], also checking each method's requirement
    /// on every child value (used for validation).
    fn evaluate_checked(
        &self,
        draw: &Draw,
        scratch: &mut Scratch,
    ) -> std::result::Result<(), Failure> {
        self.run(draw, scratch, true, None)
    }

    /// The data variant of a draw.
    fn variant_of(&self, draw: &Draw) -> usize {
        encode(&draw.levels, &self.variant_factors)
    }

    fn run(
        &self,
        draw: &Draw,
        s: &mut Scratch,
        check: bool,
        left_out: Option<&[bool]>,
    ) -> std::result::Result<(), Failure> {
        let index = &self.index;
        let n = self.units();
        let k = index.indicators.len();
        let nodes = index.nodes.len();
        let z = &self.variants[self.variant_of(draw)];
        set_node_methods(&mut s.methods, index, &self.model, &draw.levels);
        s.excluded.clear();
        match left_out {
            Some(l) => s.excluded.extend_from_slice(l),
            None => s.excluded.resize(k, false),
        }
        for (f, factor) in self.model.factors.iter().enumerate() {
            if let (FactorKind::Include { indicator }, 1..) = (&factor.kind, draw.levels[f]) {
                s.excluded[*indicator] = true;
            }
        }
        s.node_scores.clear();
        s.node_scores.resize(nodes * n, f64::NAN);
        for &node_i in &index.bottom_up {
            let node = &index.nodes[node_i];
            let method = s.methods[node_i];
            let req = aggregate::requirement(method);
            s.weights.clear();
            s.weights
                .extend_from_slice(&draw.weights[self.model.layout.range(node_i)]);
            if aggregate::is_node_wide(method) {
                // Node-wide: every ranked unit against the others.
                s.values.clear();
                for u in 0..n {
                    s.values.extend(node.children.iter().map(|m| match m {
                        Member::Indicator(i) if s.excluded[*i] => f64::NAN,
                        Member::Indicator(i) => z[u * k + i],
                        Member::Node(c) => s.node_scores[c * n + u],
                    }));
                }
                let wide =
                    aggregate::node_wide(method, &s.values, &s.weights, &self.rows, &vec![true; n])
                        .map_err(|(at, why)| {
                            format!("node '{}', unit {}: {why}", node.id, self.ids[at])
                        })?;
                s.node_scores[node_i * n..(node_i + 1) * n].copy_from_slice(&wide.scores);
                continue;
            }
            for u in 0..n {
                s.values.clear();
                for m in &node.children {
                    s.values.push(match m {
                        Member::Indicator(i) if s.excluded[*i] => f64::NAN,
                        Member::Indicator(i) => z[u * k + i],
                        Member::Node(c) => s.node_scores[c * n + u],
                    });
                }
                if check
                    && let Some((m, v)) = node
                        .children
                        .iter()
                        .zip(&s.values)
                        .find(|(_, v)| !v.is_nan() && !aggregate::meets(req, **v))
                {
                    return Err(format!(
                        "node '{}' ({}) needs children {}, but '{}' is {v} for unit {}",
                        node.id,
                        method.name(),
                        if req == Requirement::Positive {
                            "> 0"
                        } else {
                            ">= 0"
                        },
                        index.member_id(*m),
                        self.ids[u]
                    ));
                }
                s.node_scores[node_i * n + u] = aggregate::aggregate(method, &s.values, &s.weights);
            }
        }
        let scores = std::mem::take(&mut s.node_scores);
        let result = self.rank_scores(&scores[..n], s);
        s.node_scores = scores;
        result
    }
}

/// The combination number of factor levels over mixed-radix factors (the
/// first factor varies fastest); the inverse of [`decode`].
fn encode(levels: &[usize], factors: &[(usize, usize)]) -> usize {
    let mut v = 0;
    for &(f, l) in factors.iter().rev() {
        v = v * l + levels[f];
    }
    v
}

/// Every node's aggregation method under the levels of the aggregation
/// factors (the index's own where a factor is at level 0).
fn node_methods(index: &Index, model: &UncertaintyModel, levels: &[usize]) -> Vec<Aggregation> {
    let mut methods = Vec::new();
    set_node_methods(&mut methods, index, model, levels);
    methods
}

/// [`node_methods`] into a buffer.
fn set_node_methods(
    methods: &mut Vec<Aggregation>,
    index: &Index,
    model: &UncertaintyModel,
    levels: &[usize],
) {
    methods.clear();
    methods.extend(index.nodes.iter().map(|n| n.aggregation));
    for (f, factor) in model.factors.iter().enumerate() {
        if let (FactorKind::Aggregation { nodes, options }, l @ 1..) = (&factor.kind, levels[f]) {
            for &node in nodes {
                methods[node] = options[l - 1];
            }
        }
    }
}

/// The levels of combination number `v` over mixed-radix factors.
fn decode(mut v: usize, factors: &[(usize, usize)], total: usize) -> Vec<usize> {
    let mut levels = vec![0; total];
    for &(f, l) in factors {
        levels[f] = v % l;
        v /= l;
    }
    levels
}

/// "normalisation = zscore, aggregation of services = geometric" for messages.
pub fn combination_label(model: &UncertaintyModel, index: &Index, levels: &[usize]) -> String {
    let parts: Vec<String> = model
        .factors
        .iter()
        .zip(levels)
        .filter(|(f, _)| !matches!(f.kind, FactorKind::Weights { .. }))
        .map(|(f, &l)| format!("{} = {}", f.name, f.level_label(l, index)))
        .collect();
    if parts.is_empty() {
        "nominal".into()
    } else {
        parts.join(", ")
    }
}

fn clone_data(d: &Dataset) -> Dataset {
    d.clone()
}
