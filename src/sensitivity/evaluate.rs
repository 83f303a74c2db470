//! Evaluating draws: each combination of data-side choices (normalisation,
//! missing values) is computed once by the pipeline and cached; a run then
//! aggregates the cached normalised values node by node with its weights
//! and methods (the pipeline's own [`aggregate::aggregate_columns`]) and
//! ranks the units with the nominal [`Ranker`], or, without ties, with the
//! [`BlockRanker`]. Runs of an index with a linear form take the keyed
//! block path (`KeyedPlan`, `super::block`). Every combination is checked
//! before any run.

use super::accumulate::RunScores;
pub use super::block::BlockScratch;
use super::block::KeyedPlan;
use super::kernel::{BlockRanker, ProvenBlock, ProvenRun, SharedWindows};
use super::model::{Combinations, FactorKind, UncertaintyModel};
use super::sample::Draw;
use crate::error::{Error, Result};
use crate::pipeline::aggregate;
use crate::pipeline::rank::{RankScratch, Ranker};
use crate::pipeline::{self, RankResult};
use crate::spec::{Aggregation, Best, Index, Member};
use std::sync::Arc;

/// Per-thread buffers for [`Evaluator::evaluate`].
#[derive(Debug, Clone, Default)]
pub struct Scratch {
    node_scores: Vec<Vec<f64>>,
    values: Vec<f64>,
    weights: Vec<f64>,
    methods: Vec<Aggregation>,
    excluded: Vec<bool>,
    columns: aggregate::ColumnScratch,
    /// Ranking buffers (fractional ranks and tie pairs of the last run).
    pub rank: RankScratch,
    kendall: super::statistic::KendallScratch,
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
    /// Normalised values per data variant, indicator-major (indicators x
    /// units; NaN = missing).
    variants: Vec<Vec<f64>>,
    /// A column of NaN, for an indicator left out.
    left_out: Vec<f64>,
    /// The data-side factors, numbering the data variants: normalisation
    /// and missing-value choices.
    data_choices: Combinations,
    /// The `include` factors.
    includes: Vec<usize>,
    /// The aggregation choices.
    aggregation_choices: Combinations,
    ranker: Ranker,
    /// Each unit's row in the data (the order Copeland's pairs follow).
    rows: Vec<usize>,
    /// The keyed block path of the index's own aggregation methods, when
    /// it has one (runs under another aggregation choice go node by node:
    /// their linear form would not start from the nominal scores).
    keyed: Option<KeyedPlan>,
    /// Whether the units are already in nominal order, as sorted ranking
    /// assumes.
    nominal_in_order: bool,
    /// Which code evaluates the runs.
    engine: Engine,
}

/// Which code evaluates the runs.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum Engine {
    /// Keyed blocks where the index is linear, counting and sorting
    /// rankers, and the statistics' fast forms.
    #[default]
    Fast,
    /// Every run node by node, ranked by the ranker, each statistic from
    /// its reference definition: slow, for checking the fast engine (the
    /// results are the same up to the last bits of score moments).
    Reference,
}

/// Why a run could not be used.
pub type Failure = String;

/// Failing combinations listed before the rest are summarised.
const MAX_LISTED: usize = 10;

/// Most data variants (normalisation and missing-value choices).
const MAX_VARIANTS: usize = 256;

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

/// The outcome of a run ranked (or failed) with the ranker.
fn outcome(result: std::result::Result<(), Failure>, scratch: &mut Scratch) -> RunOutcome<'_> {
    match result {
        Ok(()) => RunOutcome::Ranked(scratch),
        Err(reason) => RunOutcome::Failed(reason),
    }
}

/// Per-thread buffers for [`Evaluator::evaluate_block`].
#[derive(Debug, Default)]
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
        let data_choices = Combinations::of(&model, |k| {
            matches!(
                k,
                FactorKind::Normalisation { .. } | FactorKind::Missing { .. }
            )
        });
        let includes = Combinations::of(&model, |k| matches!(k, FactorKind::Include { .. }));
        let aggregation_choices =
            Combinations::of(&model, |k| matches!(k, FactorKind::Aggregation { .. }));
        let combos = data_choices.count();
        if combos > MAX_VARIANTS {
            return Err(Error::Usage(format!(
                "the normalisation/missing choices make {combos} data variants; at most {MAX_VARIANTS} are supported (fewer choices, or group indicators in one choice)"
            )));
        }
        let variants = data_variants(nominal, &model, &data_choices, &rows)?;
        let nominal_scores: Vec<f64> = ranked.iter().map(|u| u.score).collect();
        let nominal_ranks: Vec<f64> = ranked.iter().map(|u| u.rank.expect("ranked").0).collect();
        let methods: Vec<Aggregation> = index.nodes.iter().map(|n| n.aggregation).collect();
        let keyed = match &variants[..] {
            [z] => KeyedPlan::new(&index, &model, &methods, z, rows.len()),
            _ => None,
        };
        let nominal = super::statistic::Nominal::new(&nominal_ranks);
        let eval = Evaluator {
            index,
            model,
            ids,
            names: ranked.iter().map(|u| u.name.clone()).collect(),
            nominal_scores,
            nominal_in_order: nominal.in_order(),
            nominal,
            nominal_ranks,
            left_out: vec![f64::NAN; rows.len()],
            variants,
            data_choices,
            includes: includes.factors().collect(),
            aggregation_choices,
            ranker,
            rows,
            keyed,
            engine: Engine::Fast,
        };
        eval.validate_combinations()?;
        Ok(eval)
    }

    /// Whether some runs take the keyed block path ([`KeyedPlan`]).
    pub fn is_keyed(&self) -> bool {
        self.engine != Engine::Reference && self.keyed.is_some()
    }

    /// Evaluates runs with `engine` (the reference engine checks the
    /// fast one).
    pub fn with_engine(mut self, engine: Engine) -> Evaluator {
        self.engine = engine;
        self
    }

    /// Whether a draw is evaluated on the keyed block path (else node by
    /// node).
    pub fn takes_keyed_path(&self, draw: &Draw) -> bool {
        self.plan_of(draw).is_some()
    }

    /// An order of `draws` in which the runs that take the keyed block path
    /// come first (stable), so that blocks taken from it in turn are keyed
    /// whole; None when all or none can (keep the order). A function of
    /// the draws alone: not of threads, nor of the fast-path setting (so
    /// both paths record runs in the same order).
    pub fn block_order(&self, draws: &[Draw]) -> Option<Vec<usize>> {
        if self.keyed.is_none() || (self.includes.is_empty() && self.aggregation_choices.is_empty())
        {
            return None;
        }
        let mut order: Vec<usize> = (0..draws.len()).collect();
        order.sort_by_key(|&i| !self.at_own_methods(&draws[i]));
        Some(order)
    }

    /// Whether a draw runs the index's own aggregation methods on every
    /// indicator (no aggregation choice away from them, none left out).
    fn at_own_methods(&self, draw: &Draw) -> bool {
        let left_out = self.includes.iter().any(|&f| draw.levels[f] != 0);
        !left_out && self.aggregation_choices.number(&draw.levels) == 0
    }

    /// The keyed plan of a draw that can take the keyed block path: the
    /// index's own methods, no indicator left out.
    fn plan_of(&self, draw: &Draw) -> Option<&KeyedPlan> {
        if self.engine == Engine::Reference || !self.at_own_methods(draw) {
            return None;
        }
        self.keyed.as_ref()
    }

    /// The counts Kendall's tau-b with the nominal ranking is made of
    /// for the last evaluated run (its ranks and ranking buffers in `s`):
    /// [`super::statistic::Nominal::kendall_counts`].
    pub fn kendall_counts(&self, s: &mut Scratch) -> [u64; 3] {
        self.nominal
            .kendall_counts(&s.ranks, &s.rank, &mut s.kendall)
    }

    /// Whether runs take the reference path alone (`--engine reference`):
    /// node by node, ranked by the ranker, statistics from their reference
    /// definitions.
    pub fn is_reference(&self) -> bool {
        self.engine == Engine::Reference
    }

    /// Number of ranked units.
    pub fn units(&self) -> usize {
        self.ids.len()
    }

    /// Checks every data variant with every aggregation combination and
    /// every set of leave-outs (with many leave-out factors: none, and all
    /// at once) at nominal weights.
    fn validate_combinations(&self) -> Result<()> {
        let aggregations = &self.aggregation_choices;
        let agg_combos = aggregations.count();
        let total = agg_combos * self.variants.len();
        if total > 100_000 {
            return Err(Error::Usage(format!(
                "the discrete choices make {total} combinations; at most 100,000 can be validated"
            )));
        }
        // Every set of leave-outs when they are few (each failing set is
        // named), else none and all of them at once (leaving out fewer
        // can only leave more data).
        let include = &self.includes;
        let every_set = include.len() < 16 && self.variants.len() << include.len() <= MAX_VARIANTS;
        let sets: Vec<Vec<usize>> = if every_set {
            // Bit b of `bits`: the b-th include factor is left out.
            let set = |bits: usize| -> Vec<usize> {
                let out = (0..include.len()).filter(|b| bits >> b & 1 == 1);
                out.map(|b| include[b]).collect()
            };
            (0..1usize << include.len()).map(set).collect()
        } else {
            vec![vec![], include.clone()]
        };
        let mut scratch = Scratch::default();
        let mut errors = Vec::new();
        for left_out in &sets {
            for v in 0..self.variants.len() {
                let data_levels = self.data_choices.levels(v, self.model.factors.len());
                for a in 0..agg_combos {
                    let agg_levels = aggregations.levels(a, self.model.factors.len());
                    let mut d = Draw::nominal(&self.model);
                    for f in 0..d.levels.len() {
                        d.levels[f] = data_levels[f] + agg_levels[f];
                    }
                    for &f in left_out {
                        d.levels[f] = 1;
                    }
                    // Each method's requirement checked on every child value.
                    let Err(reason) = self.run(&d, &mut scratch, true, None) else {
                        continue;
                    };
                    if errors.len() == MAX_LISTED {
                        errors.push(Error::Usage(
                            "more combinations cannot run; fix the ones above first".into(),
                        ));
                        return Error::collect(errors);
                    }
                    let label = self.model.combination_label(&self.index, &d.levels);
                    errors.push(Error::Usage(format!(
                        "the combination [{label}] cannot run: {reason}"
                    )));
                }
            }
        }
        Error::collect(errors)
    }

    /// Evaluates a draw node by node: fills `scratch.scores` and
    /// `scratch.ranks`.
    pub fn evaluate(&self, draw: &Draw, scratch: &mut Scratch) -> std::result::Result<(), Failure> {
        self.run(draw, scratch, false, None)
    }

    /// Evaluates a block of draws (at most [`super::kernel::BLOCK_RUNS`])
    /// and hands each run's outcome, in order, to `f`: a block of one keyed
    /// plan is ranked on its keys; otherwise each run's scores are
    /// aggregated node by node and ranked by the [`BlockRanker`] where no
    /// ties allow it, else by the ranker.
    pub fn evaluate_block<'t>(
        &self,
        draws: &[Draw],
        t: &'t mut BlockRuns,
        mut f: impl FnMut(usize, RunOutcome<'_>),
    ) -> Option<ProvenBlock<'t>> {
        let n = self.units();
        let sorted = self.sorted_ranking();
        if let Some(highest) = sorted
            && let Some(plan) = self.keyed_plan(draws)
        {
            // Counted on the keys when the ranker counts and the keys are
            // usable; the runs' weights are there either way.
            let counting = t.ranker.begin(n);
            let usable = plan.block_keys(&self.model, draws, highest, &mut t.block);
            self.evaluate_keyed(plan, draws, highest, counting && usable, t, f);
            return t.ranker.proven();
        }
        let counted = sorted.or(self.grouped_ranking());
        if counted.is_some() {
            t.ranker.allow_ties(sorted.is_none());
            t.ranker.begin(n);
        }
        let s = &mut t.scratch;
        for (r, d) in draws.iter().enumerate() {
            if let Err(why) = self.node_scores(d, s, false, None) {
                f(r, RunOutcome::Failed(why));
                continue;
            }
            let all = std::mem::take(&mut s.node_scores[0]);
            let scores = &all[..];
            let finite = scores.iter().all(|v| v.is_finite());
            match counted
                .filter(|_| finite)
                .and_then(|h| t.ranker.rank(scores, h))
            {
                Some((order, swaps)) if sorted.is_some() => {
                    let scores = RunScores::Full(scores);
                    f(
                        r,
                        RunOutcome::Sorted {
                            scores,
                            order,
                            swaps,
                        },
                    );
                }
                Some((order, swaps)) => {
                    self.rank_ordered(scores, order, swaps, s);
                    f(r, RunOutcome::Ranked(s));
                }
                None => {
                    let result = self.rank_scores(scores, s);
                    f(r, outcome(result, s));
                }
            }
            s.node_scores[0] = all;
        }
        None
    }

    /// Writes the single-precision keys of a block of draws that share a
    /// keyed plan into `b` ([`KeyedPlan::block_keys`], as
    /// [`Evaluator::evaluate_block`] does before counting); false when the
    /// block is not keyed (nor a ranking without ties).
    pub fn block_keys(&self, draws: &[Draw], b: &mut BlockScratch) -> bool {
        match (self.sorted_ranking(), self.keyed_plan(draws)) {
            (Some(highest), Some(plan)) => plan.block_keys(&self.model, draws, highest, b),
            _ => false,
        }
    }

    /// The keyed plan of `draws` when every one of them can take it.
    pub(crate) fn keyed_plan(&self, draws: &[Draw]) -> Option<&KeyedPlan> {
        let plan = self.plan_of(draws.first()?)?;
        draws[1..]
            .iter()
            .all(|d| self.plan_of(d).is_some())
            .then_some(plan)
    }

    /// [`Evaluator::evaluate_block`] for a block of a keyed plan whose
    /// weights (and, to `count` on, keys) `plan` wrote into `t.block` (the
    /// ranker begun): each run's counted order is proven on the keys and
    /// the few scores they leave in doubt; a run not proven gets its full
    /// scores and the usual ranking. Every run records its scores by their
    /// linear form, whichever way it was ranked (the same sums whatever a
    /// thread's windows).
    fn evaluate_keyed(
        &self,
        plan: &KeyedPlan,
        draws: &[Draw],
        highest: bool,
        count: bool,
        t: &mut BlockRuns,
        mut f: impl FnMut(usize, RunOutcome<'_>),
    ) {
        t.ranker.allow_ties(false);
        if count {
            t.ranker.count_keys(&mut t.block.keys, draws.len());
        }
        let sign = if highest { -1.0 } else { 1.0 };
        for (r, d) in draws.iter().enumerate() {
            let block = &t.block;
            let exact = |p: u32, q: u32| {
                let (a, b) = plan.exact_pair(block, r, p as usize, q as usize);
                (sign * a, sign * b)
            };
            if count && let Some(run) = t.ranker.rank_keyed(r, block.margins[r], exact) {
                let scores = plan.recorded_scores(block, r);
                f(r, RunOutcome::Proven { scores, run });
                continue;
            }
            plan.exact_row(&mut t.block, r);
            if let Some((order, swaps)) = t.ranker.rank(&t.block.scores, highest) {
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
            // Tied within the tolerance: node by node and the ranker.
            let result = self.evaluate(d, &mut t.scratch);
            f(r, outcome(result, &mut t.scratch));
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
            .rank_from(&s.scores, self.nominal.order(), &mut s.rank, &mut s.ranks);
        Ok(())
    }

    /// Whether runs with ties (scores rounded before ranking, or a
    /// nominal ranking with ties) may be ordered by [`BlockRanker`] on
    /// their unrounded scores, exact ties accepted in nominal order and the
    /// rest exactly checked, and their ties then grouped by the ranker
    /// (`Ranker::rank_ordered`): units in nominal order. Returns whether
    /// higher is best.
    pub fn grouped_ranking(&self) -> Option<bool> {
        let fits = self.engine == Engine::Fast && self.nominal_in_order;
        fits.then_some(self.index.spec.ranking.best == Best::Highest)
    }

    /// Whether runs may be ranked by [`BlockRanker`] (falling
    /// back to the ranker on ties): scores are not rounded before ranking
    /// and the nominal ranking has no ties. Returns whether higher is best.
    pub fn sorted_ranking(&self) -> Option<bool> {
        let plain = self.engine == Engine::Fast
            && self.index.spec.ranking.round.is_none()
            && self.nominal.untied()
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

    /// The data variant of a draw.
    fn variant_of(&self, draw: &Draw) -> usize {
        self.data_choices.number(&draw.levels)
    }

    /// Evaluates a draw node by node (`left_out`: indicators left out
    /// besides the draw's own) and ranks it with the ranker; with `check`,
    /// each method's requirement is checked on every child value.
    fn run(
        &self,
        draw: &Draw,
        s: &mut Scratch,
        check: bool,
        left_out: Option<&[bool]>,
    ) -> std::result::Result<(), Failure> {
        self.node_scores(draw, s, check, left_out)?;
        let scores = std::mem::take(&mut s.node_scores[0]);
        let result = self.rank_scores(&scores, s);
        s.node_scores[0] = scores;
        result
    }

    /// Every node's scores of a draw, node by node with the pipeline's
    /// aggregation, into `s.node_scores` (one vector of the units' scores
    /// per node; the index, node 0, first). See [`Evaluator::run`].
    fn node_scores(
        &self,
        draw: &Draw,
        s: &mut Scratch,
        check: bool,
        left_out: Option<&[bool]>,
    ) -> std::result::Result<(), Failure> {
        let index = &self.index;
        let n = self.units();
        let k = index.indicators.len();
        let z = &self.variants[self.variant_of(draw)];
        (self.model).node_methods(index, &draw.levels, &mut s.methods);
        s.excluded.clear();
        match left_out {
            Some(l) => s.excluded.extend_from_slice(l),
            None => s.excluded.resize(k, false),
        }
        for &f in &self.includes {
            if let (FactorKind::Include { indicator }, 1..) =
                (&self.model.factors[f].kind, draw.levels[f])
            {
                s.excluded[*indicator] = true;
            }
        }
        s.node_scores.resize(index.nodes.len(), Vec::new());
        for &node_i in &index.bottom_up {
            let node = &index.nodes[node_i];
            let method = s.methods[node_i];
            s.weights.clear();
            s.weights
                .extend_from_slice(&draw.weights[self.model.layout.range(node_i)]);
            // Every node's vector is written whole before its parent reads
            // it (bottom up); this one is taken out while it is written.
            let mut out = std::mem::take(&mut s.node_scores[node_i]);
            let children: Vec<&[f64]> = node
                .children
                .iter()
                .map(|m| match *m {
                    Member::Indicator(i) if s.excluded[i] => &self.left_out[..],
                    Member::Indicator(i) => &z[i * n..(i + 1) * n],
                    Member::Node(c) => &s.node_scores[c][..],
                })
                .collect();
            if check {
                self.check_children(node_i, method, &children)?;
            }
            if aggregate::is_node_wide(method) {
                // Node-wide: every ranked unit against the others.
                s.values.clear();
                for u in 0..n {
                    s.values.extend(children.iter().map(|c| c[u]));
                }
                let wide =
                    aggregate::node_wide(method, &s.values, &s.weights, &self.rows, &vec![true; n])
                        .map_err(|(at, why)| {
                            format!("node '{}', unit {}: {why}", node.id, self.ids[at])
                        })?;
                out = wide.scores;
            } else {
                out.resize(n, 0.0);
                aggregate::aggregate_columns(
                    method,
                    &children,
                    &s.weights,
                    &mut out,
                    &mut s.columns,
                );
            }
            s.node_scores[node_i] = out;
        }
        Ok(())
    }

    /// Refuses a child value of node `node_i` that breaks `method`'s
    /// requirement (> 0 or >= 0), naming node, child and unit.
    fn check_children(
        &self,
        node_i: usize,
        method: Aggregation,
        children: &[&[f64]],
    ) -> std::result::Result<(), Failure> {
        let node = &self.index.nodes[node_i];
        let req = aggregate::requirement(method);
        for u in 0..self.units() {
            let bad = children
                .iter()
                .position(|c| !c[u].is_nan() && !aggregate::meets(req, c[u]));
            if let Some(c) = bad {
                let (m, column) = (node.children[c], children[c]);
                return Err(format!(
                    "node '{}' ({}) needs children {}, but '{}' is {} for unit {}",
                    node.id,
                    method.name(),
                    req.bound(),
                    self.index.member_id(m),
                    column[u],
                    self.ids[u]
                ));
            }
        }
        Ok(())
    }
}

/// The normalised values of every data variant (each combination of the
/// `factors`' levels: normalisation and missing-value choices), computed
/// by the pipeline on the nominal data and units, indicator-major over the
/// ranked units `rows`; every variant that cannot run is an error naming
/// it.
fn data_variants(
    nominal: &RankResult,
    model: &UncertaintyModel,
    choices: &Combinations,
    rows: &[usize],
) -> Result<Vec<Vec<f64>>> {
    let index = &nominal.index;
    let k = index.indicators.len();
    let scored = nominal.scored_rows();
    let combos = choices.count();
    let mut variants = Vec::with_capacity(combos);
    let mut errors = Vec::new();
    for v in 0..combos {
        let levels = choices.levels(v, model.factors.len());
        let mut variant = index.clone();
        for (factor, &level) in model.factors.iter().zip(&levels) {
            match &factor.kind {
                _ if level == 0 => {}
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
        match pipeline::run_fixed(&variant, nominal.data.clone(), &scored) {
            Ok(r) => {
                let z = &r.stages.normalised;
                variants.push(
                    (0..k)
                        .flat_map(|i| rows.iter().map(move |&u| z[[u, i]]))
                        .collect::<Vec<f64>>(),
                );
            }
            Err(e) => errors.push(Error::Usage(format!(
                "the combination [{}] cannot run: {e}",
                model.combination_label(index, &levels)
            ))),
        }
    }
    Error::collect(errors)?;
    Ok(variants)
}
