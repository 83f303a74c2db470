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
//! The results equal the node-by-node aggregation up to rounding; a run
//! whose scores are not all finite is left to the node-by-node evaluation
//! (which treats a failed child as missing), so both paths fail the same
//! runs.

use super::kernel::ScoreKernel;
use super::model::{FactorKind, UncertaintyModel};
use super::sample::Draw;
use crate::spec::{Aggregation, Index, Member};

/// The transform `f` of a quasi-arithmetic mean.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Transform {
    /// Arithmetic mean or weighted sum.
    Identity,
    /// Geometric mean: `f = ln`, `f^-1 = exp`.
    Log,
    /// Harmonic mean: `f(v) = 1 / v`.
    Reciprocal,
    /// Power mean with exponent p (not 0): `f(v) = v^p`.
    Power(f64),
}

impl Transform {
    /// The transform of an aggregation method, None when it is not a
    /// quasi-arithmetic mean (Mazziotta-Pareto).
    pub fn of(method: Aggregation) -> Option<Transform> {
        match method {
            Aggregation::Arithmetic | Aggregation::Sum => Some(Transform::Identity),
            Aggregation::Geometric => Some(Transform::Log),
            Aggregation::Harmonic => Some(Transform::Reciprocal),
            Aggregation::Generalised { p } if p != 0.0 && p.is_finite() => {
                Some(Transform::Power(p))
            }
            Aggregation::Generalised { .. } | Aggregation::MazziottaPareto => None,
        }
    }

    /// `f(v)`.
    #[inline(always)]
    pub fn forward(self, v: f64) -> f64 {
        match self {
            Transform::Identity => v,
            Transform::Log => v.ln(),
            Transform::Reciprocal => 1.0 / v,
            Transform::Power(p) => v.powf(p),
        }
    }

    /// `f^-1(y)`.
    #[inline(always)]
    pub fn inverse(self, y: f64) -> f64 {
        match self {
            Transform::Identity => y,
            Transform::Log => y.exp(),
            Transform::Reciprocal => 1.0 / y,
            Transform::Power(p) => y.powf(1.0 / p),
        }
    }
}

/// Where a column's effective weight comes from: the slots (in the flat
/// weights) of its weight and of its ancestors' up to the segment's root;
/// the weight is the product of their shares in this order.
type WeightPath = Vec<usize>;

/// A part of the hierarchy evaluated as one quasi-arithmetic mean over
/// indicator and segment columns (see the module comment).
#[derive(Debug, Clone)]
pub struct Segment {
    /// The segment's root node.
    pub root: usize,
    /// Its transform.
    pub transform: Transform,
    /// Indicator columns: indicator index and weight path.
    leaves: Vec<(usize, WeightPath)>,
    /// Segment columns: segment number (earlier in the plan) and path.
    inner: Vec<(usize, WeightPath)>,
    /// Kernel over the indicator columns.
    kernel: ScoreKernel,
    /// Per data variant, the transformed indicator columns in the kernel's
    /// layout.
    values: Vec<Vec<f64>>,
}

/// The segments of an index, children before parents (the root's last).
#[derive(Debug, Clone)]
pub struct BlockPlan {
    segments: Vec<Segment>,
    /// Units.
    n: usize,
    /// Row stride of block values (units padded for the kernel).
    stride: usize,
}

/// Buffers for scoring a block of runs.
#[derive(Debug, Clone, Default)]
pub struct BlockScratch {
    weights: Vec<f64>,
    shares: Vec<f64>,
    /// Runs of the block by data variant (when there are several).
    groups: Vec<(usize, Vec<usize>)>,
    group_weights: Vec<f64>,
    group_scores: Vec<f64>,
    /// Per segment but the root's, its block values.
    values: Vec<Vec<f64>>,
    /// Index scores, one row per run (the stride [`BlockPlan::stride`]).
    pub scores: Vec<f64>,
}

impl BlockPlan {
    /// The plan for an index, or None when runs cannot take the block path:
    /// a node that is not a quasi-arithmetic mean, an aggregation or
    /// leave-out choice in the model, or missing normalised values.
    /// `variants` are the normalised values (units x indicators, row-major)
    /// of every data variant.
    pub fn new(
        index: &Index,
        model: &UncertaintyModel,
        variants: &[Vec<f64>],
        n: usize,
    ) -> Option<BlockPlan> {
        let methods_fit = index
            .nodes
            .iter()
            .all(|node| Transform::of(node.aggregation).is_some());
        let factors_fit = model.factors.iter().all(|f| {
            !matches!(
                f.kind,
                FactorKind::Aggregation { .. } | FactorKind::Include { .. }
            )
        });
        let complete = variants.iter().all(|z| z.iter().all(|v| v.is_finite()));
        if !(methods_fit && factors_fit && complete) || n == 0 {
            return None;
        }
        let mut plan = BlockPlan {
            segments: Vec::new(),
            n,
            stride: ScoreKernel::new(n, 0).stride(),
        };
        let builder = Builder {
            index,
            model,
            variants,
            n,
        };
        // The root is node 0.
        builder.segment(0, &mut plan.segments);
        Some(plan)
    }

    /// Row stride of the block scores.
    pub fn stride(&self) -> usize {
        self.stride
    }

    /// Whether the plan is one matrix product (every node arithmetic).
    pub fn is_single_product(&self) -> bool {
        self.segments.len() == 1 && self.segments[0].transform == Transform::Identity
    }

    /// Scores a block of draws into `b.scores` (one row per draw, units in
    /// nominal order); `variant` gives each draw's data variant.
    pub fn scores(
        &self,
        index: &Index,
        model: &UncertaintyModel,
        draws: &[Draw],
        variant: impl Fn(&Draw) -> usize,
        b: &mut BlockScratch,
    ) {
        let rows = draws.len();
        let nodes = index.nodes.len();
        let (n, stride) = (self.n, self.stride);
        // Each draw's weight shares: per slot of the flat weights, the
        // weight over its node's weight sum (the raw weight under a sum).
        let slots = model.layout.nominal.len();
        b.shares.clear();
        for d in draws {
            for node in 0..nodes {
                let range = model.layout.range(node);
                let w = &d.weights[range.clone()];
                match index.nodes[node].aggregation {
                    Aggregation::Sum => b.shares.extend_from_slice(w),
                    _ => {
                        let sum = w.iter().sum::<f64>();
                        b.shares.extend(w.iter().map(|x| x / sum));
                    }
                }
            }
        }
        let share = |r: usize, path: &WeightPath| -> f64 {
            let shares = &b.shares[r * slots..(r + 1) * slots];
            let mut e = 1.0;
            for &slot in path {
                e *= shares[slot];
            }
            e
        };
        b.values.resize(self.segments.len() - 1, Vec::new());
        let last = self.segments.len() - 1;
        let single_variant = self.segments[0].values.len() == 1;
        if !single_variant {
            // The block's runs by data variant, in run order.
            b.groups.clear();
            for (r, d) in draws.iter().enumerate() {
                let v = variant(d);
                match b.groups.iter_mut().find(|(g, _)| *g == v) {
                    Some((_, group)) => group.push(r),
                    None => b.groups.push((v, vec![r])),
                }
            }
        }
        for (s, seg) in self.segments.iter().enumerate() {
            let mut out = if s == last {
                std::mem::take(&mut b.scores)
            } else {
                std::mem::take(&mut b.values[s])
            };
            out.clear();
            out.resize(rows * stride, 0.0);
            let k = seg.leaves.len();
            if k > 0 {
                let mut weights = std::mem::take(&mut b.weights);
                weights.clear();
                for r in 0..rows {
                    weights.extend(seg.leaves.iter().map(|(_, path)| share(r, path)));
                }
                if single_variant {
                    seg.kernel.scores(&weights, rows, &seg.values[0], &mut out);
                } else {
                    // Runs grouped by data variant, each group one product
                    // (a score does not depend on the runs it is computed
                    // with).
                    for (v, group) in b.groups.iter() {
                        b.group_weights.clear();
                        for &r in group {
                            b.group_weights
                                .extend_from_slice(&weights[r * k..(r + 1) * k]);
                        }
                        b.group_scores.clear();
                        b.group_scores.resize(group.len() * stride, 0.0);
                        seg.kernel.scores(
                            &b.group_weights,
                            group.len(),
                            &seg.values[*v],
                            &mut b.group_scores,
                        );
                        for (j, &r) in group.iter().enumerate() {
                            out[r * stride..(r + 1) * stride]
                                .copy_from_slice(&b.group_scores[j * stride..(j + 1) * stride]);
                        }
                    }
                }
                b.weights = weights;
            }
            for (child, path) in &seg.inner {
                let child_values = &b.values[*child];
                for r in 0..rows {
                    let e = share(r, path);
                    let from = &child_values[r * stride..r * stride + n];
                    let to = &mut out[r * stride..r * stride + n];
                    for (t, &v) in to.iter_mut().zip(from) {
                        *t += e * seg.transform.forward(v);
                    }
                }
            }
            if seg.transform != Transform::Identity {
                for row in out.chunks_exact_mut(stride) {
                    for v in &mut row[..n] {
                        *v = seg.transform.inverse(*v);
                    }
                }
            }
            if s == last {
                b.scores = out;
            } else {
                b.values[s] = out;
            }
        }
    }
}

/// Builds the segments of a plan.
struct Builder<'a> {
    index: &'a Index,
    model: &'a UncertaintyModel,
    variants: &'a [Vec<f64>],
    n: usize,
}

impl Builder<'_> {
    /// Pushes the segment rooted at `root` (after the segments it uses) and
    /// returns its number.
    fn segment(&self, root: usize, segments: &mut Vec<Segment>) -> usize {
        let transform =
            Transform::of(self.index.nodes[root].aggregation).expect("checked by BlockPlan::new");
        let mut leaves = Vec::new();
        let mut inner = Vec::new();
        self.columns(root, &[], transform, &mut leaves, &mut inner, segments);
        // Indicator columns in index order: with every node arithmetic the
        // score is the plain sum over indicators in their order.
        leaves.sort_by_key(|(i, _)| *i);
        let k = self.index.indicators.len();
        let kernel = ScoreKernel::new(self.n, leaves.len());
        let values = self
            .variants
            .iter()
            .map(|z| {
                let columns: Vec<f64> = (0..self.n)
                    .flat_map(|u| {
                        leaves.iter().map(move |(i, _): &(usize, WeightPath)| {
                            transform.forward(z[u * k + i])
                        })
                    })
                    .collect();
                kernel.layout(&columns)
            })
            .collect();
        segments.push(Segment {
            root,
            transform,
            leaves,
            inner,
            kernel,
            values,
        });
        segments.len() - 1
    }

    /// The columns under `node` (whose path up to the segment root is
    /// `tail`): indicators, and child segments for children that start
    /// one. Below an arithmetic segment root, arithmetic children are
    /// walked through.
    fn columns(
        &self,
        node: usize,
        tail: &[usize],
        root_transform: Transform,
        leaves: &mut Vec<(usize, WeightPath)>,
        inner: &mut Vec<(usize, WeightPath)>,
        segments: &mut Vec<Segment>,
    ) {
        for (slot_in_node, member) in self.index.nodes[node].children.iter().enumerate() {
            let mut path = vec![self.model.layout.offsets[node] + slot_in_node];
            path.extend_from_slice(tail);
            match *member {
                Member::Indicator(i) => leaves.push((i, path)),
                Member::Node(c) => {
                    let linear =
                        Transform::of(self.index.nodes[c].aggregation) == Some(Transform::Identity);
                    if root_transform == Transform::Identity && linear {
                        self.columns(c, &path, root_transform, leaves, inner, segments);
                    } else {
                        let s = self.segment(c, segments);
                        inner.push((s, path));
                    }
                }
            }
        }
    }
}
