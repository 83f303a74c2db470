//! The block path: index scores of a block of Monte Carlo runs computed
//! as matrix products instead of node by node.
//!
//! Every aggregation the block path takes is a quasi-arithmetic mean,
//! `f^-1(sum_c e_c f(v_c))` with weight shares `e_c` (the raw weights under
//! a points sum) and `f` the identity (arithmetic, sum), the logarithm
//! (geometric), the reciprocal (harmonic) or a power (generalised): linear
//! in the transformed child values. The hierarchy is cut into
//! [`Segment`]s: a segment is rooted at the index, at every non-arithmetic
//! node, and at every child of one; below an arithmetic root it takes in
//! all arithmetic descendants, whose weight shares multiply along the path
//! (one effective weight per column). A segment's columns are indicators
//! (their normalised values transformed once per data variant, multiplied
//! for a whole block by the [`ScoreKernel`]) and other segments (their
//! block values transformed and added run by run). With every node
//! arithmetic there is one segment: the score is one matrix product.
//!
//! A Mazziotta-Pareto node is a segment of its own whose columns are its
//! children (none walked through): their weighted mean `m` is a product as
//! above, then a second pass over the same columns, run by run, adds the
//! weighted variance `v = sum_c e_c (x_c - m)^2` and the score becomes
//! `m - v / m` (0 when m is 0), the two-pass formula of the node-by-node
//! aggregation.
//!
//! Missing values: units are grouped by which indicators they have (per
//! data variant); within a group a node's weights re-normalise over its
//! present members, as node by node, and each group is one product over
//! its units.
//!
//! Keyed plans: a plan that is one product over every unit of the only
//! data variant, complete, also holds that product in single precision
//! ([`KeyKernel`]): its blocks are ranked on those keys
//! ([`BlockPlan::block_keys`]), and double-precision scores are computed
//! only for the units and runs the ranker's proof needs
//! ([`BlockPlan::exact_pair`], [`BlockPlan::exact_row`]); its scores'
//! moments come from the runs' weights ([`LinearScores`]).
//!
//! The results equal the node-by-node aggregation up to rounding; a run
//! whose scores are not all finite is left to the node-by-node evaluation
//! (which treats a failed child as missing), so both paths fail the same
//! runs.

use super::accumulate::{LinearScores, RunScores};
use super::kernel::{Aligned, BLOCK_RUNS, KeyKernel, ScoreKernel};
use super::model::UncertaintyModel;
use super::sample::Draw;
use crate::pipeline::aggregate::Transform;
use crate::spec::{Aggregation, Index, Member};
use std::sync::Arc;

/// Where a column's effective weight comes from: the slots (in the flat
/// weights) of its weight and of its ancestors' up to the segment's root;
/// the weight is the product of their shares in this order.
type WeightPath = Vec<usize>;

/// A part of the hierarchy evaluated as one quasi-arithmetic mean over
/// indicator and segment columns (see the module comment).
#[derive(Debug, Clone)]
pub struct Segment {
    /// Its transform.
    pub transform: Transform,
    /// Whether the root is a Mazziotta-Pareto node (transform identity,
    /// then the variance penalty).
    penalised: bool,
    /// Indicator columns: indicator index and weight path.
    leaves: Vec<(usize, WeightPath)>,
    /// Segment columns: segment number (earlier in the plan) and path.
    inner: Vec<(usize, WeightPath)>,
    /// Per data variant and unit group ([`Pattern`]), the kernel over the
    /// indicator columns and their transformed values in its layout
    /// (missing values as 0, with weight 0).
    products: Vec<Vec<(ScoreKernel, Vec<f64>)>>,
    /// For a Mazziotta-Pareto segment, per data variant and unit group,
    /// the indicator columns one after the other (each the group's units
    /// in order, missing values as 0), for the variance pass.
    columns: Vec<Vec<Vec<f64>>>,
}

/// Units with the same indicators present (in one data variant).
#[derive(Debug, Clone)]
struct Pattern {
    /// The units (nominal positions), ascending.
    units: Vec<usize>,
    /// Per slot of the flat weights: whether that member is present (an
    /// indicator with a value, a node with a present member).
    present: Vec<bool>,
    /// Whether the group is every unit: block values are then written in
    /// place.
    all: bool,
    /// Whether every member is present (no weight re-normalised).
    complete: bool,
}

/// The segments of an index under one aggregation method per node,
/// children before parents (the root's last).
#[derive(Debug, Clone)]
pub struct BlockPlan {
    /// Aggregation method of every node (the index's, or an aggregation
    /// choice's alternatives).
    methods: Vec<Aggregation>,
    segments: Vec<Segment>,
    /// Per data variant, the unit groups by present indicators; None for a
    /// variant whose runs cannot take the block path (an infinite value, a
    /// unit without any value, more than [`MAX_PATTERNS`] groups).
    patterns: Vec<Option<Vec<Pattern>>>,
    /// Row stride of block values (units padded for the kernel).
    stride: usize,
    /// For a plan that is one product over every unit of the only data
    /// variant, that product in single precision (see
    /// [`BlockPlan::block_keys`]).
    keyed: Option<KeyedProduct>,
}

/// A single product's single-precision keys and the linear form of its
/// scores.
#[derive(Debug, Clone)]
struct KeyedProduct {
    keys: KeyKernel,
    linear: Arc<LinearScores>,
}

/// Buffers for scoring a block of runs.
#[derive(Debug, Clone, Default)]
pub struct BlockScratch {
    /// Effective weights of the block's runs for a product (runs x
    /// columns), and in a keyed block the same a lane per run (columns x
    /// [`BLOCK_RUNS`]).
    weights: Vec<f64>,
    weight_lanes: Vec<f64>,
    /// Single-precision keys of a keyed block (`BlockPlan::block_keys`),
    /// the weights transposed for them, and each run's margin.
    pub keys: Aligned<f32>,
    lanes: Aligned<f32>,
    /// See `keys`.
    pub margins: Vec<f64>,
    shares: Vec<f64>,
    /// Runs of the block (of one plan) by data variant.
    groups: Vec<(usize, Vec<usize>)>,
    group_scores: Vec<f64>,
    /// Per segment but the root's, its block values.
    values: Vec<Vec<f64>>,
    /// Index scores, one row per run (the stride `BlockPlan::stride`).
    pub scores: Vec<f64>,
    /// Per run of the block, whether a plan scored its row.
    pub scored: Vec<bool>,
    penalty: PenaltyScratch,
}

/// Buffers of the Mazziotta-Pareto pass, over a group's units.
#[derive(Debug, Clone, Default)]
struct PenaltyScratch {
    /// One run's weighted means.
    means: Vec<f64>,
    /// One child's values.
    child: Vec<f64>,
    /// The weighted squared deviations.
    spread: Vec<f64>,
}

impl BlockScratch {
    /// Sizes the scores for a block of `rows` runs, rows `stride` apart
    /// (the rows a plan scores are reset by [`BlockPlan::scores`]; the
    /// others keep stale values).
    pub fn start(&mut self, rows: usize, stride: usize) {
        self.scores.resize(rows * stride, 0.0);
        self.scores.truncate(rows * stride);
    }
}

impl BlockPlan {
    /// The plan for an index whose nodes aggregate by `methods`, or None
    /// when no run can take the block path: a node that is neither a
    /// quasi-arithmetic mean nor Mazziotta-Pareto (a generalised mean with
    /// p = 0), or no data variant that can (see
    /// [`BlockPlan::covers`]). `variants` are the normalised values (units
    /// x indicators, row-major; NaN = missing or left out) of every data
    /// variant.
    pub fn new(
        index: &Index,
        model: &UncertaintyModel,
        methods: &[Aggregation],
        variants: &[Vec<f64>],
        n: usize,
    ) -> Option<BlockPlan> {
        let methods_fit = methods
            .iter()
            .all(|&m| m == Aggregation::MazziottaPareto || Transform::of(m).is_some());
        if !methods_fit || n == 0 {
            return None;
        }
        let patterns: Vec<Option<Vec<Pattern>>> = variants
            .iter()
            .map(|z| {
                let finite = z.iter().all(|v| v.is_finite() || v.is_nan());
                finite.then(|| patterns(index, model, z, n)).flatten()
            })
            .collect();
        if patterns.iter().all(Option::is_none) {
            return None;
        }
        let mut plan = BlockPlan {
            methods: methods.to_vec(),
            segments: Vec::new(),
            patterns,
            stride: ScoreKernel::new(n, 0).stride(),
            keyed: None,
        };
        let builder = Builder {
            index,
            methods,
            variants,
            patterns: &plan.patterns,
            layout_offsets: &model.layout.offsets,
        };
        // The root is node 0.
        builder.segment(0, &mut plan.segments);
        plan.keyed = plan.keyed_product(model, variants.len());
        Some(plan)
    }

    /// The single-precision product of a plan that is one product over
    /// every unit (complete) of the only data variant.
    fn keyed_product(&self, model: &UncertaintyModel, variants: usize) -> Option<KeyedProduct> {
        let [pattern] = &self.patterns.first()?.as_ref()?[..] else {
            return None;
        };
        let seg = &self.segments[0];
        let fits = variants == 1
            && self.is_single_product()
            && pattern.all
            && pattern.complete
            && !seg.leaves.is_empty()
            && seg.inner.is_empty();
        let (kernel, values) = &seg.products[0][0];
        let (n, k, stride) = (kernel.units(), seg.leaves.len(), kernel.stride());
        // The score moments then cost about k^2 / 2 per run (the weights'
        // outer products) instead of the n k of the scores: keyed only
        // with at most a quarter as many indicators as units (measured:
        // 290 x 100 the same either way, 290 x 300 twice as long keyed).
        if !fits || 4 * k > n {
            return None;
        }
        let unit_major: Vec<f64> = (0..n)
            .flat_map(|u| (0..k).map(move |j| values[j * stride + u]))
            .collect();
        let keys = KeyKernel::new(&unit_major, n, k)?;
        let nominal = [Draw::nominal(model)];
        let mut shares = Vec::new();
        self.shares(model, &nominal, &[0], pattern, &mut shares);
        let mut weights = Vec::new();
        leaf_weights(seg, 1, &shares, model.layout.nominal.len(), &mut weights);
        let linear = LinearScores::new(n, k, stride, values, weights);
        Some(KeyedProduct {
            keys,
            linear: Arc::new(linear),
        })
    }

    /// Whether the plan has single-precision keys
    /// ([`BlockPlan::block_keys`]).
    pub fn is_keyed(&self) -> bool {
        self.keyed.is_some()
    }

    /// For a keyed plan ([`BlockPlan::is_keyed`]), the block's effective
    /// weights (every draw of the block, all of this plan) and the
    /// single-precision keys of its runs, with each run's margin, into
    /// `b.keys` and `b.margins` (see [`KeyKernel::keys`]; the scores
    /// themselves are not computed: [`BlockPlan::exact_pair`] and
    /// [`BlockPlan::exact_row`] give them). False when the plan has no keys
    /// or a weight is out of their range.
    pub fn block_keys(
        &self,
        model: &UncertaintyModel,
        draws: &[Draw],
        highest_best: bool,
        b: &mut BlockScratch,
    ) -> bool {
        let Some(keyed) = &self.keyed else {
            return false;
        };
        // A keyed plan has every member of every unit (no weight
        // re-normalised), and its keys take at most a block of runs.
        self.lane_weights(model, draws, b);
        b.start(draws.len(), self.stride);
        keyed.keys.keys(
            &b.weight_lanes,
            draws.len(),
            highest_best,
            &mut b.lanes,
            &mut b.keys,
            &mut b.margins,
        )
    }

    /// The effective weights of a block of at most [`BLOCK_RUNS`] draws
    /// (into `b.weights`, runs x columns) when every member is present:
    /// [`BlockPlan::shares`] and [`leaf_weights`] with the runs side by
    /// side in lanes (vectorised), the same operations in the same order
    /// for each run, so the same weights bit for bit.
    fn lane_weights(&self, model: &UncertaintyModel, draws: &[Draw], b: &mut BlockScratch) {
        #[cfg(target_arch = "x86_64")]
        if crate::cpu::isa() >= crate::cpu::Isa::Avx2 {
            // SAFETY: AVX2 is present.
            return unsafe { lane_weights_avx2(self, model, draws, b) };
        }
        lane_weights(self, model, draws, b);
    }

    /// Run `r`'s effective weights in a keyed block.
    pub fn run_weights<'b>(&self, b: &'b BlockScratch, r: usize) -> &'b [f64] {
        let k = self.segments[0].leaves.len();
        &b.weights[r * k..(r + 1) * k]
    }

    /// The scores of units `u` and `v` in run `r` of a keyed block, as
    /// [`BlockPlan::scores`] computes them.
    pub fn exact_pair(&self, b: &BlockScratch, r: usize, u: usize, v: usize) -> (f64, f64) {
        let (kernel, values) = &self.segments[0].products[0][0];
        let [x, y] = kernel.scores_of(self.run_weights(b, r), values, [u, v]);
        (x, y)
    }

    /// Writes run `r`'s scores of a keyed block into its row of
    /// `b.scores`, as [`BlockPlan::scores`] computes them.
    pub fn exact_row(&self, b: &mut BlockScratch, r: usize) {
        let (kernel, values) = &self.segments[0].products[0][0];
        let k = self.segments[0].leaves.len();
        let row = &mut b.scores[r * self.stride..(r + 1) * self.stride];
        kernel.scores(&b.weights[r * k..(r + 1) * k], 1, values, row);
    }

    /// How run `r` of a block of a keyed plan (scored by
    /// [`BlockPlan::block_keys`] or [`BlockPlan::scores`]: both leave the
    /// runs' effective weights in `b`) records its scores: by their linear
    /// form, whichever way the run was ranked.
    pub fn recorded_scores<'b>(&'b self, b: &'b BlockScratch, r: usize) -> RunScores<'b> {
        let keyed = self.keyed.as_ref().expect("a keyed plan");
        RunScores::Linear(self.run_weights(b, r), &keyed.linear)
    }

    /// Row stride of the block scores.
    pub fn stride(&self) -> usize {
        self.stride
    }

    /// Whether the plan is one matrix product (every node arithmetic).
    pub fn is_single_product(&self) -> bool {
        self.segments.len() == 1
            && self.segments[0].transform == Transform::Identity
            && !self.segments[0].penalised
    }

    /// Whether runs of data variant `v` can take the block path.
    pub fn covers(&self, v: usize) -> bool {
        self.patterns.get(v).is_some_and(Option::is_some)
    }

    /// Scores draws `runs` (ascending, each of a variant the plan
    /// [covers](BlockPlan::covers)) of a block into their rows of
    /// `b.scores` (one row per draw of the block, units in nominal order,
    /// sized by [`BlockScratch::start`]); `variant` gives each draw's data
    /// variant.
    pub fn scores(
        &self,
        model: &UncertaintyModel,
        draws: &[Draw],
        runs: &[usize],
        variant: impl Fn(&Draw) -> usize,
        b: &mut BlockScratch,
    ) {
        let rows = draws.len();
        let stride = self.stride;
        assert_eq!(
            b.scores.len(),
            rows * stride,
            "BlockScratch::start sizes the block"
        );
        // The runs by data variant, in run order.
        b.groups.clear();
        for &r in runs {
            let v = variant(&draws[r]);
            match b.groups.iter_mut().find(|(g, _)| *g == v) {
                Some((_, group)) => group.push(r),
                None => b.groups.push((v, vec![r])),
            }
        }
        // Every segment's block values, the root's last (into `b.scores`).
        b.values.resize(self.segments.len() - 1, Vec::new());
        let mut outs = std::mem::take(&mut b.values);
        for out in &mut outs {
            out.clear();
            out.resize(rows * stride, 0.0);
        }
        outs.push(std::mem::take(&mut b.scores));
        // The root's rows start at zero, as segments add into them; unless
        // one product writes them whole: a single segment with indicator
        // columns, every row of the block, one data variant whose one
        // pattern holds every unit (W1: the zeroing was 1.4% of the time).
        let written_whole = self.segments.len() == 1
            && !self.segments[0].leaves.is_empty()
            && runs.len() == rows
            && b.groups.len() == 1
            && self.patterns[b.groups[0].0]
                .as_ref()
                .is_some_and(|p| p.len() == 1 && p[0].all);
        if !written_whole {
            let root = outs.last_mut().expect("the root's segment");
            for &r in runs {
                root[r * stride..(r + 1) * stride].fill(0.0);
            }
        }
        let groups = std::mem::take(&mut b.groups);
        for (v, runs) in &groups {
            let patterns = self.patterns[*v].as_ref().expect("a covered variant");
            for (pi, pattern) in patterns.iter().enumerate() {
                self.pattern_scores(model, draws, runs, (*v, pi), pattern, &mut outs, b);
            }
        }
        b.groups = groups;
        b.scores = outs.pop().expect("the root's segment");
        b.values = outs;
    }

    /// Each run of `runs` (draws) gets its weight shares (into `shares`,
    /// runs x slots of the flat weights) for the units of `pattern`.
    fn shares(
        &self,
        model: &UncertaintyModel,
        draws: &[Draw],
        runs: &[usize],
        pattern: &Pattern,
        shares: &mut Vec<f64>,
    ) {
        // Each run's weight shares: per slot of the flat weights, the
        // weight over its node's present weights (the raw weight under a
        // sum), 0 for a member missing in this pattern.
        let slots = model.layout.nominal.len();
        shares.clear();
        shares.resize(runs.len() * slots, 0.0);
        for (&r, out) in runs.iter().zip(shares.chunks_exact_mut(slots)) {
            let weights = &draws[r].weights;
            for (node, &method) in self.methods.iter().enumerate() {
                let range = model.layout.range(node);
                let (w, present) = (&weights[range.clone()], &pattern.present[range.clone()]);
                let out = &mut out[range];
                let sum_node = method == Aggregation::Sum;
                if pattern.complete {
                    if sum_node {
                        out.copy_from_slice(w);
                    } else {
                        let sum = w.iter().sum::<f64>();
                        for (o, &x) in out.iter_mut().zip(w) {
                            *o = x / sum;
                        }
                    }
                    continue;
                }
                let sum = if sum_node {
                    1.0
                } else {
                    w.iter()
                        .zip(present)
                        .filter(|(_, p)| **p)
                        .map(|(x, _)| x)
                        .sum::<f64>()
                };
                for ((o, &x), &p) in out.iter_mut().zip(w).zip(present) {
                    *o = if !p {
                        0.0
                    } else if sum_node {
                        x
                    } else {
                        x / sum
                    };
                }
            }
        }
    }

    /// The block values of every segment for the runs `runs` (of one data
    /// variant) and the units of one pattern.
    #[allow(clippy::too_many_arguments)]
    fn pattern_scores(
        &self,
        model: &UncertaintyModel,
        draws: &[Draw],
        runs: &[usize],
        (v, pi): (usize, usize),
        pattern: &Pattern,
        outs: &mut [Vec<f64>],
        b: &mut BlockScratch,
    ) {
        let stride = self.stride;
        let rows = draws.len();
        let in_place = pattern.all && runs.len() == rows;
        let slots = model.layout.nominal.len();
        self.shares(model, draws, runs, pattern, &mut b.shares);
        let share =
            |j: usize, path: &WeightPath| path_share(&b.shares[j * slots..(j + 1) * slots], path);
        for (s, seg) in self.segments.iter().enumerate() {
            let (done, rest) = outs.split_at_mut(s);
            let out = &mut rest[0];
            let k = seg.leaves.len();
            if k > 0 {
                let (kernel, values) = &seg.products[v][pi];
                let mut weights = std::mem::take(&mut b.weights);
                leaf_weights(seg, runs.len(), &b.shares, slots, &mut weights);
                if in_place {
                    kernel.scores(&weights, rows, values, out);
                } else {
                    let sp = kernel.stride();
                    b.group_scores.clear();
                    b.group_scores.resize(runs.len() * sp, 0.0);
                    kernel.scores(&weights, runs.len(), values, &mut b.group_scores);
                    for (j, &r) in runs.iter().enumerate() {
                        let from = &b.group_scores[j * sp..j * sp + pattern.units.len()];
                        for (&u, &x) in pattern.units.iter().zip(from) {
                            out[r * stride + u] = x;
                        }
                    }
                }
                b.weights = weights;
            }
            for (child, path) in &seg.inner {
                if !pattern.present[path[0]] {
                    continue;
                }
                let child_values = &done[*child];
                for (j, &r) in runs.iter().enumerate() {
                    let e = share(j, path);
                    let row = r * stride;
                    if pattern.all {
                        let n = pattern.units.len();
                        let to = &mut out[row..row + n];
                        seg.transform
                            .add_forward(e, &child_values[row..row + n], to);
                    } else {
                        for &u in &pattern.units {
                            out[row + u] += e * seg.transform.forward(child_values[row + u]);
                        }
                    }
                }
            }
            if seg.penalised {
                let columns = &seg.columns[v][pi];
                penalise(
                    seg,
                    columns,
                    pattern,
                    done,
                    out,
                    runs,
                    stride,
                    share,
                    &mut b.penalty,
                );
            }
            if seg.transform != Transform::Identity {
                for &r in runs {
                    let row = &mut out[r * stride..(r + 1) * stride];
                    if pattern.all {
                        seg.transform.invert(&mut row[..pattern.units.len()]);
                    } else {
                        for &u in &pattern.units {
                            row[u] = seg.transform.inverse(row[u]);
                        }
                    }
                }
            }
        }
    }
}

/// [`BlockPlan::lane_weights`] (portable code; the vector versions are
/// this code compiled for AVX2).
#[inline(always)]
fn lane_weights(plan: &BlockPlan, model: &UncertaintyModel, draws: &[Draw], b: &mut BlockScratch) {
    const L: usize = BLOCK_RUNS;
    let slots = model.layout.nominal.len();
    assert!(draws.len() <= L);
    // The draws' weights slot by slot, a lane per run (unused lanes 1).
    b.shares.clear();
    b.shares.resize(slots * L, 1.0);
    to_lanes(draws, &mut b.shares);
    let lanes = b.shares.as_chunks_mut::<L>().0;
    // Shares in place: each weight over its node's sum (summed as
    // `Iterator::sum` does: from -0.0, in order), the raw weight under a
    // sum node.
    for (node, &method) in plan.methods.iter().enumerate() {
        if method == Aggregation::Sum {
            continue;
        }
        let node = &mut lanes[model.layout.range(node)];
        let mut sum = [-0.0f64; L];
        for lane in node.iter() {
            for l in 0..L {
                sum[l] += lane[l];
            }
        }
        for lane in node.iter_mut() {
            for l in 0..L {
                lane[l] /= sum[l];
            }
        }
    }
    // Each column's product of the shares along its path (from 1, as
    // `path_share`).
    let (weights, columns) = (&mut b.weights, &mut b.weight_lanes);
    path_products(plan, draws.len(), weights, columns, |path, e| {
        *e = [1.0f64; L];
        for &slot in path {
            for l in 0..L {
                e[l] *= lanes[slot][l];
            }
        }
    });
}

/// What [`lane_weights`] and its AVX2 version share after the shares:
/// `product(path, e)` sets each column's lanes `e` to the product of the
/// shares along its path, into `columns` (columns x [`BLOCK_RUNS`]), and
/// the columns are written run by run into `weights` (`runs` x columns).
#[inline(always)]
fn path_products(
    plan: &BlockPlan,
    runs: usize,
    weights: &mut Vec<f64>,
    columns: &mut Vec<f64>,
    mut product: impl FnMut(&[usize], &mut [f64; BLOCK_RUNS]),
) {
    let leaves = &plan.segments[0].leaves;
    let k = leaves.len();
    weights.clear();
    weights.resize(runs * k, 0.0);
    columns.resize(k * BLOCK_RUNS, 0.0);
    let columns = columns.as_chunks_mut::<BLOCK_RUNS>().0;
    for ((j, (_, path)), e) in leaves.iter().enumerate().zip(columns) {
        product(path, e);
        from_lanes(e, j, k, weights);
    }
}

/// Each draw's weights into lane r of `lanes` (slots x [`BLOCK_RUNS`]).
/// Without target features, so that the compiler keeps plain stores.
#[inline(never)]
fn to_lanes(draws: &[Draw], lanes: &mut [f64]) {
    let lanes = lanes.as_chunks_mut::<BLOCK_RUNS>().0;
    for (r, draw) in draws.iter().enumerate() {
        for (lane, &w) in lanes.iter_mut().zip(&draw.weights) {
            lane[r] = w;
        }
    }
}

/// Column `j` of the run-major weights (`k` a run) from its lanes.
/// Without target features, so that the compiler keeps plain stores.
#[inline(never)]
fn from_lanes(e: &[f64; BLOCK_RUNS], j: usize, k: usize, weights: &mut [f64]) {
    for (row, &x) in weights.chunks_exact_mut(k).zip(e) {
        row[j] = x;
    }
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
fn lane_weights_avx2(
    plan: &BlockPlan,
    model: &UncertaintyModel,
    draws: &[Draw],
    b: &mut BlockScratch,
) {
    lane_weights(plan, model, draws, b);
}

/// The effective weights of a segment's indicator columns (runs x
/// columns, into `out`) from the runs' weight shares (runs x `slots`): the
/// product of the shares along each column's path.
fn leaf_weights(seg: &Segment, runs: usize, shares: &[f64], slots: usize, out: &mut Vec<f64>) {
    out.clear();
    for row in shares.chunks_exact(slots).take(runs) {
        out.extend(seg.leaves.iter().map(|(_, path)| path_share(row, path)));
    }
}

/// The product of one run's `shares` along `path`.
fn path_share(shares: &[f64], path: &WeightPath) -> f64 {
    path.iter().fold(1.0, |e, &slot| e * shares[slot])
}

/// Copies row `row` of block values `from` at a group's units into `to`
/// (in the group's order).
fn gather(from: &[f64], row: usize, pattern: &Pattern, to: &mut Vec<f64>) {
    to.clear();
    if pattern.all {
        to.extend_from_slice(&from[row..row + pattern.units.len()]);
    } else {
        to.extend(pattern.units.iter().map(|&u| from[row + u]));
    }
}

/// The Mazziotta-Pareto pass of segment `seg` over one unit group: `out`
/// holds each run's weighted means `m` of the children; adds the weighted
/// variance `v` over the same children (indicator `columns`, child segments
/// in `done`) and writes `m - v / m` (0 where m is 0), as
/// `pipeline::aggregate` does. `share(j, path)` is run j's effective weight.
#[allow(clippy::too_many_arguments)]
fn penalise(
    seg: &Segment,
    columns: &[f64],
    pattern: &Pattern,
    done: &[Vec<f64>],
    out: &mut [f64],
    runs: &[usize],
    stride: usize,
    share: impl Fn(usize, &WeightPath) -> f64,
    scratch: &mut PenaltyScratch,
) {
    let n = pattern.units.len();
    let PenaltyScratch {
        means,
        child,
        spread,
    } = scratch;
    let add = |e: f64, x: &[f64], means: &[f64], spread: &mut [f64]| {
        for ((s, &x), &m) in spread.iter_mut().zip(x).zip(means) {
            *s += e * (x - m) * (x - m);
        }
    };
    for (j, &r) in runs.iter().enumerate() {
        let row = r * stride;
        gather(out, row, pattern, means);
        spread.clear();
        spread.resize(n, 0.0);
        for (l, (_, path)) in seg.leaves.iter().enumerate() {
            add(share(j, path), &columns[l * n..(l + 1) * n], means, spread);
        }
        for (c, path) in &seg.inner {
            if pattern.present[path[0]] {
                gather(&done[*c], row, pattern, child);
                add(share(j, path), child, means, spread);
            }
        }
        for ((&u, &m), &v) in pattern.units.iter().zip(means.iter()).zip(spread.iter()) {
            out[row + u] = if m == 0.0 { 0.0 } else { m - v / m };
        }
    }
}

/// Most unit groups (missing-value patterns) a data variant may have on
/// the block path: each group costs a product and its own weight shares
/// per run, and tiny groups fill the kernel's tiles poorly.
const MAX_PATTERNS: usize = 1024;

/// The unit groups of one data variant by present members, or None when a
/// unit has no value at all or there are more than [`MAX_PATTERNS`].
fn patterns(index: &Index, model: &UncertaintyModel, z: &[f64], n: usize) -> Option<Vec<Pattern>> {
    let k = index.indicators.len();
    let slots = model.layout.nominal.len();
    let mut out: Vec<Pattern> = Vec::new();
    let mut known: std::collections::HashMap<Vec<bool>, usize> = Default::default();
    let mut node_present = vec![false; index.nodes.len()];
    for u in 0..n {
        let mut present = vec![false; slots];
        for &node in &index.bottom_up {
            let offset = model.layout.offsets[node];
            let mut any = false;
            for (j, m) in index.nodes[node].children.iter().enumerate() {
                let p = match *m {
                    Member::Indicator(i) => !z[u * k + i].is_nan(),
                    Member::Node(c) => node_present[c],
                };
                present[offset + j] = p;
                any |= p;
            }
            node_present[node] = any;
        }
        if !node_present[0] {
            return None;
        }
        match known.get(&present) {
            Some(&g) => out[g].units.push(u),
            None => {
                if out.len() == MAX_PATTERNS {
                    return None;
                }
                known.insert(present.clone(), out.len());
                out.push(Pattern {
                    units: vec![u],
                    complete: present.iter().all(|&p| p),
                    present,
                    all: false,
                });
            }
        }
    }
    if let [only] = &mut out[..] {
        only.all = true;
    }
    Some(out)
}

/// Builds the segments of a plan.
struct Builder<'a> {
    index: &'a Index,
    methods: &'a [Aggregation],
    variants: &'a [Vec<f64>],
    patterns: &'a [Option<Vec<Pattern>>],
    layout_offsets: &'a [usize],
}

impl Builder<'_> {
    /// Pushes the segment rooted at `root` (after the segments it uses) and
    /// returns its number.
    fn segment(&self, root: usize, segments: &mut Vec<Segment>) -> usize {
        let penalised = self.methods[root] == Aggregation::MazziottaPareto;
        let transform = match penalised {
            true => Transform::Identity,
            false => Transform::of(self.methods[root]).expect("checked by BlockPlan::new"),
        };
        let mut leaves = Vec::new();
        let mut inner = Vec::new();
        // A Mazziotta-Pareto root needs each child's own value: none is
        // walked through.
        let walk = transform == Transform::Identity && !penalised;
        self.columns(root, &[], walk, &mut leaves, &mut inner, segments);
        // Indicator columns in index order: with every node arithmetic the
        // score is the plain sum over indicators in their order.
        leaves.sort_by_key(|(i, _)| *i);
        let k = self.index.indicators.len();
        let products = self
            .variants
            .iter()
            .zip(self.patterns)
            .map(|(z, patterns)| {
                patterns
                    .iter()
                    .flatten()
                    .map(|pattern| {
                        let kernel = ScoreKernel::new(pattern.units.len(), leaves.len());
                        let columns: Vec<f64> = pattern
                            .units
                            .iter()
                            .flat_map(|&u| {
                                leaves.iter().map(move |(i, _): &(usize, WeightPath)| {
                                    let x = z[u * k + i];
                                    if x.is_nan() {
                                        0.0
                                    } else {
                                        transform.forward(x)
                                    }
                                })
                            })
                            .collect();
                        let values = kernel.layout(&columns);
                        (kernel, values)
                    })
                    .collect()
            })
            .collect();
        let columns = match penalised {
            false => Vec::new(),
            true => self
                .variants
                .iter()
                .zip(self.patterns)
                .map(|(z, patterns)| {
                    let by_leaf = |pattern: &Pattern| -> Vec<f64> {
                        leaves
                            .iter()
                            .flat_map(|&(i, _)| {
                                pattern.units.iter().map(move |&u| {
                                    let x = z[u * k + i];
                                    if x.is_nan() { 0.0 } else { x }
                                })
                            })
                            .collect()
                    };
                    patterns.iter().flatten().map(by_leaf).collect()
                })
                .collect(),
        };
        segments.push(Segment {
            transform,
            penalised,
            leaves,
            inner,
            products,
            columns,
        });
        segments.len() - 1
    }

    /// The columns under `node` (whose path up to the segment root is
    /// `tail`): indicators, and child segments for children that start
    /// one. With `walk` (an arithmetic segment root), arithmetic children
    /// are walked through.
    fn columns(
        &self,
        node: usize,
        tail: &[usize],
        walk: bool,
        leaves: &mut Vec<(usize, WeightPath)>,
        inner: &mut Vec<(usize, WeightPath)>,
        segments: &mut Vec<Segment>,
    ) {
        for (slot_in_node, member) in self.index.nodes[node].children.iter().enumerate() {
            let mut path = vec![self.layout_offsets[node] + slot_in_node];
            path.extend_from_slice(tail);
            match *member {
                Member::Indicator(i) => leaves.push((i, path)),
                Member::Node(c) => {
                    let linear = Transform::of(self.methods[c]) == Some(Transform::Identity);
                    if walk && linear {
                        self.columns(c, &path, walk, leaves, inner, segments);
                    } else {
                        let s = self.segment(c, segments);
                        inner.push((s, path));
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pipeline::{self, DataOverrides};
    use crate::sensitivity::{self, model, rng::Rng, sample};
    use crate::spec::{self, Base};
    use std::path::Path;

    /// The W1 evaluator (benches/w1.toml), its first pillar summed
    /// instead of averaged when `sum`.
    fn w1(sum: bool) -> sensitivity::evaluate::Evaluator {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("benches");
        let mut text = std::fs::read_to_string(dir.join("w1.toml")).unwrap();
        if sum {
            text = text.replacen(
                "id = \"p0\"\nparent = \"d0\"\n",
                "id = \"p0\"\nparent = \"d0\"\naggregation = \"sum\"\n",
                1,
            );
            assert!(text.contains("\"sum\""));
        }
        let loaded = spec::parse_spec(&text, "w1.toml", Base::Dir(dir)).unwrap();
        let index = spec::resolve(&loaded).unwrap();
        let nominal = pipeline::run_index(&index, &DataOverrides::default()).unwrap();
        let m = model::resolve_model(&nominal, &model::Overrides::default()).unwrap();
        sensitivity::prepare(&nominal, m).unwrap()
    }

    /// The lane-wise effective weights of a keyed block equal, bit for
    /// bit, the run-by-run shares and path products, with every
    /// instruction set this CPU has, for whole and partial blocks and a
    /// summed node.
    #[test]
    fn lane_weights_equal_the_run_by_run_ones() {
        for sum in [false, true] {
            let eval = w1(sum);
            let mut rng = Rng::new(7, 0);
            for rows in [BLOCK_RUNS, 5, 1] {
                let draws: Vec<Draw> = (0..rows)
                    .map(|_| sample::draw_mc(&eval.model, &mut rng))
                    .collect();
                let plan = eval.keyed_plan(&draws).expect("W1 is keyed");
                let pattern = &plan.patterns[0].as_ref().unwrap()[0];
                assert!(pattern.complete);
                let runs: Vec<usize> = (0..rows).collect();
                let mut shares = Vec::new();
                plan.shares(&eval.model, &draws, &runs, pattern, &mut shares);
                let mut want = Vec::new();
                let slots = eval.model.layout.nominal.len();
                leaf_weights(&plan.segments[0], rows, &shares, slots, &mut want);
                let mut b = BlockScratch::default();
                lane_weights(plan, &eval.model, &draws, &mut b);
                let bits = |v: &[f64]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
                assert_eq!(
                    bits(&b.weights),
                    bits(&want),
                    "portable, {rows} runs, sum {sum}"
                );
                #[cfg(target_arch = "x86_64")]
                {
                    if crate::cpu::isa() >= crate::cpu::Isa::Avx2 {
                        // SAFETY: the instruction set was checked just above (or by the test's CPU check).
                        unsafe { lane_weights_avx2(plan, &eval.model, &draws, &mut b) };
                        assert_eq!(bits(&b.weights), bits(&want), "AVX2, {rows} runs");
                    }
                }
            }
        }
    }
}
