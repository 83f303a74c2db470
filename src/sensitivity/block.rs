//! The keyed block path: when every node of an index is an arithmetic
//! mean or a sum and every unit has every indicator (one data variant),
//! a run's index scores are one linear form of the indicators,
//! `score[u] = sum_i e_i z[i][u]`, where `e_i` is the product of the
//! weight shares along indicator i's path to the index (each weight over
//! its node's sum, the raw weight under a sum). A block of
//! [`BLOCK_RUNS`] runs then gets:
//!
//! - its effective weights `e`, the runs side by side in vector lanes
//!   ([`KeyedPlan::block_keys`]);
//! - single-precision keys of every unit in one product ([`KeyKernel`]),
//!   which the [`super::kernel::BlockRanker`] ranks and proves;
//! - double-precision scores only for the units and runs that proof needs
//!   ([`KeyedPlan::exact_pair`], [`KeyedPlan::exact_row`]);
//! - score moments from the weights alone ([`LinearScores`]).
//!
//! Every other model (other methods, gaps, several data variants, runs
//! leaving an indicator out) is evaluated node by node with the pipeline's
//! own [`crate::pipeline::aggregate::aggregate_columns`]. The linear form
//! equals that aggregation up to rounding (tested), and the ranker's proof
//! is exact on it.

use super::accumulate::{LinearScores, RunScores};
use super::kernel::{Aligned, BLOCK_RUNS, KeyKernel};
use super::model::UncertaintyModel;
use super::sample::Draw;
use crate::spec::{Aggregation, Index, Member};
use std::sync::Arc;

/// The slots (in the flat weights) of an indicator's weight and of its
/// ancestors' up to the index: its effective weight is the product of
/// their shares in this order.
type WeightPath = Vec<usize>;

/// The linear form of an index whose nodes are all arithmetic means or
/// sums, over complete data (see the module comment).
#[derive(Debug, Clone)]
pub struct KeyedPlan {
    /// Per node, whether it is a sum (its weights are not re-normalised).
    sums: Vec<bool>,
    /// Per indicator, in index order, its weight path.
    paths: Vec<WeightPath>,
    /// Units.
    n: usize,
    /// The normalised values, indicator-major (k x n).
    values: Vec<f64>,
    /// The same in single precision, for the keys.
    keys: KeyKernel,
    /// The linear form of the scores, for their moments.
    linear: Arc<LinearScores>,
}

/// Buffers for a keyed block.
#[derive(Debug, Default)]
pub struct BlockScratch {
    /// The block's effective weights, runs x indicators.
    weights: Vec<f64>,
    /// The same, a lane per run (indicators x [`BLOCK_RUNS`]).
    weight_lanes: Vec<f64>,
    /// The runs' weight shares, slots x [`BLOCK_RUNS`].
    shares: Vec<f64>,
    /// Single-precision keys of the block (`KeyedPlan::block_keys`).
    pub keys: Aligned<f32>,
    /// The weights in single precision for them.
    lanes: Aligned<f32>,
    /// Each run's margin ([`KeyKernel::keys`]).
    pub margins: Vec<f64>,
    /// One run's scores (`KeyedPlan::exact_row`), units in nominal order.
    pub scores: Vec<f64>,
}

impl KeyedPlan {
    /// The plan for an index whose nodes aggregate by `methods`, over the
    /// only data variant `values` (indicators x `n` units, NaN = missing),
    /// or None when it has no linear form: a node that is neither an
    /// arithmetic mean nor a sum, a missing or non-finite value, or more
    /// than a quarter as many indicators as units (the score moments then
    /// cost about k^2 / 2 a run, the weights' outer products, instead of
    /// the n k of the scores: measured 290 x 100 the same either way,
    /// 290 x 300 twice as long keyed).
    pub fn new(
        index: &Index,
        model: &UncertaintyModel,
        methods: &[Aggregation],
        values: &[f64],
        n: usize,
    ) -> Option<KeyedPlan> {
        let k = index.indicators.len();
        let linear = methods
            .iter()
            .all(|m| matches!(m, Aggregation::Arithmetic | Aggregation::Sum));
        if !linear || n == 0 || k == 0 || 4 * k > n || values.iter().any(|v| !v.is_finite()) {
            return None;
        }
        let mut leaves = Vec::with_capacity(k);
        walk(index, &model.layout.offsets, 0, &[], &mut leaves);
        leaves.sort_by_key(|(i, _)| *i);
        if leaves.len() != k {
            return None;
        }
        let unit_major: Vec<f64> = (0..n)
            .flat_map(|u| (0..k).map(move |i| values[i * n + u]))
            .collect();
        let keys = KeyKernel::new(&unit_major, n, k)?;
        let mut plan = KeyedPlan {
            sums: methods.iter().map(|&m| m == Aggregation::Sum).collect(),
            paths: leaves.into_iter().map(|(_, path)| path).collect(),
            n,
            values: values.to_vec(),
            keys,
            linear: Arc::default(),
        };
        let mut b = BlockScratch::default();
        lane_weights(&plan, model, &[Draw::nominal(model)], &mut b);
        plan.linear = Arc::new(LinearScores::new(n, k, values, b.weights));
        Some(plan)
    }

    /// The block's effective weights (every draw of the block) and the
    /// single-precision keys of its runs, with each run's margin, into
    /// `b.keys` and `b.margins` (see [`KeyKernel::keys`]; the scores
    /// themselves are not computed: [`KeyedPlan::exact_pair`] and
    /// [`KeyedPlan::exact_row`] give them). False when a weight is out of
    /// the keys' range.
    pub fn block_keys(
        &self,
        model: &UncertaintyModel,
        draws: &[Draw],
        highest_best: bool,
        b: &mut BlockScratch,
    ) -> bool {
        lane_weights(self, model, draws, b);
        self.keys.keys(
            &b.weight_lanes,
            draws.len(),
            highest_best,
            &mut b.lanes,
            &mut b.keys,
            &mut b.margins,
        )
    }

    /// Run `r`'s effective weights in a keyed block.
    fn run_weights<'b>(&self, b: &'b BlockScratch, r: usize) -> &'b [f64] {
        let k = self.paths.len();
        &b.weights[r * k..(r + 1) * k]
    }

    /// The scores of units `u` and `v` in run `r` of a keyed block: the
    /// linear form summed in indicator order (as [`KeyedPlan::exact_row`]).
    pub fn exact_pair(&self, b: &BlockScratch, r: usize, u: usize, v: usize) -> (f64, f64) {
        let (mut x, mut y) = (0.0, 0.0);
        for (&e, column) in self.run_weights(b, r).iter().zip(self.columns()) {
            x += e * column[u];
            y += e * column[v];
        }
        (x, y)
    }

    /// Writes run `r`'s scores of a keyed block into `b.scores`.
    pub fn exact_row(&self, b: &mut BlockScratch, r: usize) {
        let mut scores = std::mem::take(&mut b.scores);
        scores.clear();
        scores.resize(self.n, 0.0);
        for (&e, column) in self.run_weights(b, r).iter().zip(self.columns()) {
            for (s, &z) in scores.iter_mut().zip(column) {
                *s += e * z;
            }
        }
        b.scores = scores;
    }

    /// The value columns, one per indicator.
    fn columns(&self) -> std::slice::ChunksExact<'_, f64> {
        self.values.chunks_exact(self.n)
    }

    /// How run `r` of a keyed block records its scores: by their linear
    /// form, whichever way the run was ranked.
    pub fn recorded_scores<'b>(&'b self, b: &'b BlockScratch, r: usize) -> RunScores<'b> {
        RunScores::Linear(self.run_weights(b, r), &self.linear)
    }
}

/// Pushes the weight path of every indicator under `node` (whose own path
/// is `tail`).
fn walk(
    index: &Index,
    offsets: &[usize],
    node: usize,
    tail: &[usize],
    leaves: &mut Vec<(usize, WeightPath)>,
) {
    for (slot, member) in index.nodes[node].children.iter().enumerate() {
        let mut path = vec![offsets[node] + slot];
        path.extend_from_slice(tail);
        match *member {
            Member::Indicator(i) => leaves.push((i, path)),
            Member::Node(c) => walk(index, offsets, c, &path, leaves),
        }
    }
}

crate::cpu::multiversion! {
    /// The effective weights of a block of at most [`BLOCK_RUNS`] draws
    /// (into `b.weights`, runs x indicators, and `b.weight_lanes`): the
    /// runs side by side in lanes (vectorised), the same operations in the
    /// same order for each run, so the same weights bit for bit whichever
    /// runs share the block.
    fn lane_weights(plan: &KeyedPlan, model: &UncertaintyModel, draws: &[Draw], b: &mut BlockScratch) {
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
        for (node, _) in plan.sums.iter().enumerate().filter(|(_, sum)| !**sum) {
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
        // Each indicator's product of the shares along its path (from 1), a
        // lane per run, then run by run.
        let k = plan.paths.len();
        b.weights.clear();
        b.weights.resize(draws.len() * k, 0.0);
        b.weight_lanes.resize(k * L, 0.0);
        let columns = b.weight_lanes.as_chunks_mut::<L>().0;
        for ((j, path), e) in plan.paths.iter().enumerate().zip(columns) {
            *e = [1.0f64; L];
            for &slot in path {
                for l in 0..L {
                    e[l] *= lanes[slot][l];
                }
            }
            from_lanes(e, j, k, &mut b.weights);
        }
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

#[cfg(test)]
mod tests;
