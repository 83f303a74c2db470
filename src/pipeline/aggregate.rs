//! Aggregation: one function per [`Aggregation`] method, combining a node's
//! children with weights re-normalised over the children present, and the
//! check that refuses method combinations that cannot work before anything
//! is computed. Formulas are in docs/methods.md.

use super::normalise::{Sign, describe, output_sign};
use crate::error::{Error, Result};
use crate::spec::{Aggregation, Index, Member};

/// Aggregates the present (non-NaN) `values` with their `weights`.
/// Returns NaN when no child with a positive weight is present. One unit's
/// case of [`aggregate_columns`], which defines every method.
pub fn aggregate(method: Aggregation, values: &[f64], weights: &[f64]) -> f64 {
    let columns: Vec<&[f64]> = values.iter().map(std::slice::from_ref).collect();
    let mut out = [0.0];
    aggregate_columns(
        method,
        &columns,
        weights,
        &mut out,
        &mut ColumnScratch::default(),
    );
    out[0]
}

/// Buffers for [`aggregate_columns`], reused from call to call.
#[derive(Debug, Clone, Default)]
pub struct ColumnScratch {
    /// Per unit, the summed weights of its present children.
    present: Vec<f64>,
    /// Per unit, a second sum over the children (the Mazziotta-Pareto
    /// variance, the mean-min minimum).
    second: Vec<f64>,
}

crate::cpu::multiversion! {
    /// Aggregates one node for many units at once: `children[c][u]` is child
    /// c's value for unit u (NaN = missing), `weights[c]` its weight, and
    /// `out[u]` receives unit u's score: the present children combined with
    /// their weights re-normalised over them (the raw weights under a sum),
    /// NaN when no child with a positive weight is present. Each unit's score
    /// is a sequence of operations on its own values alone, in child order,
    /// the same whichever units share the call and whatever the instruction
    /// set (so the sensitivity runs, which call this for every unit,
    /// reproduce [`aggregate`] to the bit). Node-wide methods
    /// ([`is_node_wide`]) give NaN here: see [`node_wide`].
    pub fn aggregate_columns(
        method: Aggregation,
        children: &[&[f64]],
        weights: &[f64],
        out: &mut [f64],
        scratch: &mut ColumnScratch,
    ) {
        columns(method, children, weights, out, scratch);
    }
}

/// `to[u] = step(u, to[u], v)` for each unit whose value `v = from[u]` is
/// present (not NaN); a missing value leaves `to[u]` as it was. A select,
/// not a branch, so that the loop over the units vectorises.
#[inline(always)]
fn add_present(to: &mut [f64], from: &[f64], step: impl Fn(usize, f64, f64) -> f64) {
    for (u, (t, &v)) in to.iter_mut().zip(from).enumerate() {
        let next = step(u, *t, v);
        *t = if v.is_nan() { *t } else { next };
    }
}

/// Per unit, the sum of `term(u, v, w)` over its present children (into
/// `to`, from -0.0 as `Iterator::sum` starts) and of their weights (into
/// `present`, from 0). Units are taken eight at a time, their sums kept
/// in registers over all the children (a missing value selects the sum as
/// it was), then stored.
#[inline(always)]
fn sums(
    to: &mut [f64],
    present: &mut [f64],
    children: &[&[f64]],
    weights: &[f64],
    term: impl Fn(usize, f64, f64) -> f64,
) {
    const T: usize = 8;
    let n = to.len();
    let mut u0 = 0;
    while u0 < n {
        let width = T.min(n - u0);
        let (mut t, mut p) = ([-0.0f64; T], [0.0f64; T]);
        for (column, &w) in children.iter().zip(weights) {
            let values = &column[u0..u0 + width];
            if width == T {
                for l in 0..T {
                    let v = values[l];
                    let (next, weight) = (t[l] + term(u0 + l, v, w), p[l] + w);
                    (t[l], p[l]) = if v.is_nan() {
                        (t[l], p[l])
                    } else {
                        (next, weight)
                    };
                }
            } else {
                for (l, &v) in values.iter().enumerate() {
                    if !v.is_nan() {
                        t[l] += term(u0 + l, v, w);
                        p[l] += w;
                    }
                }
            }
        }
        to[u0..u0 + width].copy_from_slice(&t[..width]);
        present[u0..u0 + width].copy_from_slice(&p[..width]);
        u0 += width;
    }
}

/// `out[u] = f(u, out[u], W)`, or NaN when the unit's present weight W is
/// not positive.
#[inline(always)]
fn finish(out: &mut [f64], present: &[f64], f: impl Fn(usize, f64, f64) -> f64) {
    for (u, (o, &total)) in out.iter_mut().zip(present).enumerate() {
        *o = if total <= 0.0 {
            f64::NAN
        } else {
            f(u, *o, total)
        };
    }
}

/// See [`aggregate_columns`]: every method's definition.
#[inline(always)]
fn columns(
    method: Aggregation,
    children: &[&[f64]],
    weights: &[f64],
    out: &mut [f64],
    scratch: &mut ColumnScratch,
) {
    let n = out.len();
    let ColumnScratch { present, second } = scratch;
    present.resize(n, 0.0);
    let present = &mut present[..n];
    match method {
        Aggregation::Arithmetic => {
            sums(out, present, children, weights, |_, v, w| w * v);
            finish(out, present, |_, s, total| s / total);
        }
        Aggregation::Sum => {
            sums(out, present, children, weights, |_, v, w| w * v);
            finish(out, present, |_, s, _| s);
        }
        Aggregation::Geometric => {
            sums(out, present, children, weights, |_, v, w| w * v.ln());
            finish(out, present, |_, s, total| (s / total).exp());
        }
        Aggregation::Harmonic => {
            sums(out, present, children, weights, |_, v, w| w / v);
            finish(out, present, |_, s, total| total / s);
        }
        Aggregation::Generalised { p } if p.abs() < SMALL_P => {
            // sum w (x^p - 1) / W with x^p - 1 = expm1(p ln x), then
            // ln(1 + that) / p: exact as p -> 0, where the mean becomes the
            // geometric mean (x^p = 1 to double precision for tiny p would
            // make every unit tie).
            sums(out, present, children, weights, |_, v, w| {
                w * (p * v.ln()).exp_m1()
            });
            finish(out, present, |_, s, total| ((s / total).ln_1p() / p).exp());
        }
        Aggregation::Generalised { p } => {
            sums(out, present, children, weights, |_, v, w| w * power(v, p));
            finish(out, present, |_, s, total| power(s / total, 1.0 / p));
        }
        Aggregation::MazziottaPareto => {
            // The weighted mean M, then the weighted variance about it.
            sums(out, present, children, weights, |_, v, w| w * v);
            finish(out, present, |_, s, total| s / total);
            second.resize(n, 0.0);
            let second = &mut second[..n];
            second.fill(-0.0);
            for (column, &w) in children.iter().zip(weights) {
                add_present(second, column, |u, t, v| {
                    t + w * (v - out[u]) * (v - out[u])
                });
            }
            // M - S * cv with cv = S / M.
            finish(out, present, |u, m, total| {
                let var = second[u] / total;
                if m == 0.0 { 0.0 } else { m - var / m }
            });
        }
        Aggregation::MeanMin { alpha, beta } => {
            sums(out, present, children, weights, |_, v, w| w * v);
            finish(out, present, |_, s, total| s / total);
            second.clear();
            second.resize(n, f64::INFINITY);
            for column in children {
                add_present(second, column, |_, low, v| f64::min(low, v));
            }
            finish(out, present, |u, m, _| {
                let min = second[u];
                m - alpha * (((m - min) * (m - min) + beta * beta).sqrt() - beta)
            });
        }
        // Node-wide scores: [`node_wide`] computes them, never a unit alone.
        Aggregation::Copeland | Aggregation::Bod(_) => out.fill(f64::NAN),
    }
}

/// Copeland scores of one node (COINr's `a_copeland`, over the outranking
/// matrix of its `outrankMatrix`): `values` holds each unit's children
/// (row-major, `weights.len()` per unit), `order` each unit's row in the
/// data and `reference` the units ranked. For units a (earlier in the data)
/// and b, o(a, b) = sum of the weights (scaled to sum 1) of the children on
/// which a is higher, plus half of those on which they are equal, both
/// present; o(b, a) = 1 - o(a, b), as COINr fills the matrix. A unit's
/// score is the number of ranked units it beats (o > 1/2) minus the number
/// it loses to (o < 1/2; o within [`nearly_equal`](crate::pipeline::rank::nearly_equal) of 1/2 is a draw). NaN
/// for a unit without any child present.
pub fn copeland(values: &[f64], weights: &[f64], order: &[usize], reference: &[bool]) -> Vec<f64> {
    let k = weights.len();
    let total: f64 = weights.iter().sum();
    let w: Vec<f64> = weights.iter().map(|w| w / total).collect();
    let n = order.len();
    let row = |u: usize| &values[u * k..(u + 1) * k];
    let upper = |a: usize, b: usize| -> f64 {
        let (xa, xb) = (row(a), row(b));
        let mut higher = 0.0;
        let mut equal = 0.0;
        for j in 0..k {
            if xa[j] > xb[j] {
                higher += w[j];
            } else if xa[j] == xb[j] {
                equal += w[j];
            }
        }
        higher + equal / 2.0
    };
    (0..n)
        .map(|u| {
            if row(u).iter().all(|v| v.is_nan()) {
                return f64::NAN;
            }
            let mut score = 0.0;
            for v in (0..n).filter(|&v| v != u && reference[v]) {
                let o = if order[u] < order[v] {
                    upper(u, v)
                } else {
                    1.0 - upper(v, u)
                };
                if !crate::pipeline::rank::nearly_equal(o, 0.5) {
                    score += if o > 0.5 { 1.0 } else { -1.0 };
                }
            }
            score
        })
        .collect()
}

/// Whether a method scores a node for every unit at once (each unit's
/// score depends on the others'): see [`node_wide`].
pub fn is_node_wide(method: Aggregation) -> bool {
    matches!(method, Aggregation::Copeland | Aggregation::Bod(_))
}

/// A node-wide method's result: each unit's score and, for Benefit of the
/// Doubt, the weights each unit chose (per child, NaN where missing).
pub struct NodeWide {
    /// Scores, one per unit.
    pub scores: Vec<f64>,
    /// Each unit's own weights (Benefit of the Doubt only).
    pub unit_weights: Option<Vec<Vec<f64>>>,
}

/// A unit (its position among the units given) a node-wide method could
/// not score, and why.
pub type UnitFailure = (usize, String);

/// Scores of a node-wide method ([`is_node_wide`]) over `values` (each
/// unit's children, row-major, `weights.len()` per unit); `order` is each
/// unit's row in the data, `reference` the ranked units. The one entry
/// point the pipeline and the sensitivity runs share.
pub fn node_wide(
    method: Aggregation,
    values: &[f64],
    weights: &[f64],
    order: &[usize],
    reference: &[bool],
) -> std::result::Result<NodeWide, UnitFailure> {
    match method {
        Aggregation::Copeland => Ok(NodeWide {
            scores: copeland(values, weights, order, reference),
            unit_weights: None,
        }),
        Aggregation::Bod(bounds) => {
            let solved = benefit_of_the_doubt(values, weights.len(), reference, bounds)?;
            let (scores, unit_weights) = solved.into_iter().unzip();
            Ok(NodeWide {
                scores,
                unit_weights: Some(unit_weights),
            })
        }
        _ => unreachable!("{} is not node-wide", method.name()),
    }
}

/// Benefit of the Doubt scores (Cherchye, Moesen, Rogge & Van Puyenbroeck
/// 2007; Compind's `ci_bod`): for each unit c, with its present children
/// J_c, the linear programme
///
/// ```text
/// max  sum_{j in J_c} w_j y_cj
/// s.t. sum_{j in J_c} w_j y_vj <= 1       for every reference unit v
///                                         (a missing y_vj counts 0)
///      min_weight <= w_j <= max_weight
///      min_share <= w_j y_cj / sum_l w_l y_cl <= max_share   (j in J_c)
/// ```
///
/// solved by microlp's simplex; the score is the optimum (in [0, 1] for a
/// reference unit) and the weights its solution (one optimal vertex; other
/// weights may give the same score). An error gives the unit's position
/// and why: the bounds leave no weights, or nothing bounds the score.
pub fn benefit_of_the_doubt(
    values: &[f64],
    k: usize,
    reference: &[bool],
    bounds: crate::spec::BodBounds,
) -> std::result::Result<Vec<(f64, Vec<f64>)>, UnitFailure> {
    use microlp::{ComparisonOp, OptimizationDirection, Problem};
    use rayon::prelude::*;
    let n = reference.len();
    let row = |u: usize| &values[u * k..(u + 1) * k];
    (0..n)
        .into_par_iter()
        .map(|c| {
            let y = row(c);
            let present: Vec<usize> = (0..k).filter(|&j| !y[j].is_nan()).collect();
            if present.is_empty() {
                return Ok((f64::NAN, vec![f64::NAN; k]));
            }
            // The share bounds are homogeneous (w = 0 meets them), so
            // bounds no shares can meet would give 0 silently: refuse them.
            let m = present.len() as f64;
            if bounds.min_share * m > 1.0 + 1e-12 || bounds.max_share * m < 1.0 - 1e-12 {
                return Err((
                    c,
                    format!(
                        "no weights meet the bounds: {} children cannot each give between {} and {} of the score",
                        present.len(),
                        bounds.min_share,
                        bounds.max_share
                    ),
                ));
            }
            let mut lp = Problem::new(OptimizationDirection::Maximize);
            let upper = bounds.max_weight.unwrap_or(f64::INFINITY);
            let w: Vec<_> = present
                .iter()
                .map(|&j| lp.add_var(y[j], (bounds.min_weight, upper)))
                .collect();
            for v in (0..n).filter(|&v| reference[v]) {
                let terms: Vec<_> = present
                    .iter()
                    .zip(&w)
                    .map(|(&j, &var)| (var, row(v)[j]))
                    .filter(|(_, x)| !x.is_nan() && *x != 0.0)
                    .collect();
                if !terms.is_empty() {
                    lp.add_constraint(terms.as_slice(), ComparisonOp::Le, 1.0);
                }
            }
            let mut share = |bound: f64, op: ComparisonOp| {
                for (a, &j) in present.iter().enumerate() {
                    let terms: Vec<_> = present
                        .iter()
                        .zip(&w)
                        .enumerate()
                        .map(|(b, (&l, &var))| {
                            (var, if a == b { y[j] } else { 0.0 } - bound * y[l])
                        })
                        .collect();
                    lp.add_constraint(terms.as_slice(), op, 0.0);
                }
            };
            if bounds.min_share > 0.0 {
                share(bounds.min_share, ComparisonOp::Ge);
            }
            if bounds.max_share < 1.0 {
                share(bounds.max_share, ComparisonOp::Le);
            }
            let solution = lp
                .solve()
                .map_err(|e| match e {
                    microlp::Error::Infeasible => (
                        c,
                        "no weights meet the bounds (min_weight too large for the data)".to_string(),
                    ),
                    microlp::Error::Unbounded => (c,
                        "the score is unbounded: no ranked unit has a value above 0 on a child this unit has".to_string()
                    ),
                    e => (c, format!("the linear programme failed ({e})")),
                })?
                .into_solution()
                .map_err(|_| (c, "the linear programme was interrupted".to_string()))?;
            let mut weights = vec![f64::NAN; k];
            for (&j, &var) in present.iter().zip(&w) {
                weights[j] = solution.var_value(var);
            }
            let score: f64 = present.iter().map(|&j| weights[j] * y[j]).sum();
            Ok((score, weights))
        })
        .collect()
}

/// Below this |p| a generalised mean is computed in a form that stays exact
/// as p approaches 0.
pub const SMALL_P: f64 = 1e-3;

/// `v^p` for a generalised mean: exact products and square roots for the
/// common exponents (2, 3, 1/2, -1, 1), `powf` otherwise.
#[inline(always)]
pub fn power(v: f64, p: f64) -> f64 {
    if p == 2.0 {
        v * v
    } else if p == 0.5 {
        v.sqrt()
    } else if p == 1.0 {
        v
    } else if p == -1.0 {
        1.0 / v
    } else if p == 3.0 {
        v * v * v
    } else {
        v.powf(p)
    }
}

/// What a method needs of its children's values.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Requirement {
    /// Any real value.
    Any,
    /// Values >= 0.
    NonNegative,
    /// Values > 0.
    Positive,
}

impl Requirement {
    /// The bound for messages: "> 0", ">= 0" (empty for any value).
    pub fn bound(self) -> &'static str {
        match self {
            Requirement::Any => "",
            Requirement::NonNegative => ">= 0",
            Requirement::Positive => "> 0",
        }
    }
}

/// The requirement of an aggregation method.
pub fn requirement(method: Aggregation) -> Requirement {
    match method {
        Aggregation::Arithmetic
        | Aggregation::Sum
        | Aggregation::MeanMin { .. }
        | Aggregation::Copeland => Requirement::Any,
        // A weighted sum maximised under "no unit above 1": values >= 0.
        Aggregation::Bod(_) => Requirement::NonNegative,
        // M - S^2 / M is only meaningful for values of one sign: over values
        // around 0 (raw z-scores) it sends mirror-image units far apart. The
        // MPI's own input is z-scores rescaled to mean 100, sd 10.
        Aggregation::MazziottaPareto => Requirement::NonNegative,
        Aggregation::Geometric | Aggregation::Harmonic => Requirement::Positive,
        Aggregation::Generalised { p } if p < 0.0 => Requirement::Positive,
        Aggregation::Generalised { .. } => Requirement::NonNegative,
    }
}

/// Whether a value meets a requirement.
pub fn meets(req: Requirement, v: f64) -> bool {
    match req {
        Requirement::Any => true,
        Requirement::NonNegative => v >= 0.0,
        Requirement::Positive => v > 0.0,
    }
}

/// The sign a member's values can take.
pub fn member_sign(index: &Index, m: Member) -> Sign {
    match m {
        Member::Indicator(i) => output_sign(&index.indicators[i].normalisation),
        Member::Node(n) => {
            let node = &index.nodes[n];
            let worst = node
                .children
                .iter()
                .map(|c| member_sign(index, *c))
                .max()
                .unwrap_or(Sign::Positive);
            match node.aggregation {
                // M - S*cv can reach 0 even for positive children.
                Aggregation::MazziottaPareto => Sign::DependsOnData.max(worst),
                // Wins minus losses: negative for most units below the middle.
                Aggregation::Copeland => Sign::MayBeNegative,
                // A weighted sum of values >= 0 with weights >= 0.
                Aggregation::Bod(_) => Sign::MayBeZero,
                _ => worst,
            }
        }
    }
}

/// Refuses, before any computation, every node whose aggregation needs
/// positive (or non-negative) children that can be 0 or negative.
pub fn check_methods(index: &Index) -> Result<()> {
    let mut errors = Vec::new();
    for node in &index.nodes {
        let req = requirement(node.aggregation);
        let refused = |s: Sign| match req {
            Requirement::Any => false,
            Requirement::NonNegative => s == Sign::MayBeNegative,
            Requirement::Positive => s >= Sign::MayBeZero,
        };
        let bad: Vec<String> = node
            .children
            .iter()
            .filter(|c| refused(member_sign(index, **c)))
            .map(|c| match c {
                Member::Indicator(i) => format!(
                    "indicator '{}' ({}: {})",
                    index.indicators[*i].id,
                    describe(&index.indicators[*i].normalisation),
                    output_sign(&index.indicators[*i].normalisation).describe()
                ),
                Member::Node(n) => format!(
                    "node '{}' ({})",
                    index.nodes[*n].id,
                    member_sign(index, *c).describe()
                ),
            })
            .collect();
        if !bad.is_empty() {
            let need = req.bound();
            errors.push(Error::Method {
                node: node.id.clone(),
                message: format!(
                    "{} aggregation needs children {need}, but these can be 0 or negative: {}",
                    node.aggregation.name(),
                    bad.join(", ")
                ),
                hint: Some(if node.aggregation == Aggregation::MazziottaPareto {
                    "the Mazziotta-Pareto index is defined on z-scores rescaled to mean 100 and sd 10: \
                     normalise = { method = \"zscore\", mean = 100, sd = 10 }"
                        .into()
                } else {
                    "normalise them to a strictly positive range, e.g. normalise = { method = \"minmax\", low = 1, high = 100 }, \
                     or use aggregation = \"arithmetic\""
                        .into()
                }),
            });
        }
    }
    Error::collect(errors)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The per-unit formulas as first written (one unit's present children
    /// in an iterator): the independent reference of [`aggregate_columns`].
    fn one_unit(method: Aggregation, values: &[f64], weights: &[f64]) -> f64 {
        let mut wsum = 0.0;
        for (v, w) in values.iter().zip(weights) {
            if !v.is_nan() {
                wsum += w;
            }
        }
        if wsum <= 0.0 {
            return f64::NAN;
        }
        let present = || {
            values
                .iter()
                .zip(weights)
                .filter(|(v, _)| !v.is_nan())
                .map(|(v, w)| (*v, *w))
        };
        match method {
            Aggregation::Arithmetic => present().map(|(v, w)| w * v).sum::<f64>() / wsum,
            Aggregation::Sum => present().map(|(v, w)| w * v).sum::<f64>(),
            Aggregation::Geometric => {
                (present().map(|(v, w)| w * v.ln()).sum::<f64>() / wsum).exp()
            }
            Aggregation::Harmonic => wsum / present().map(|(v, w)| w / v).sum::<f64>(),
            Aggregation::Generalised { p } if p.abs() < SMALL_P => {
                let s = present()
                    .map(|(v, w)| w * (p * v.ln()).exp_m1())
                    .sum::<f64>()
                    / wsum;
                (s.ln_1p() / p).exp()
            }
            Aggregation::Generalised { p } => power(
                present().map(|(v, w)| w * power(v, p)).sum::<f64>() / wsum,
                1.0 / p,
            ),
            Aggregation::MazziottaPareto => {
                let m = present().map(|(v, w)| w * v).sum::<f64>() / wsum;
                let var = present().map(|(v, w)| w * (v - m) * (v - m)).sum::<f64>() / wsum;
                if m == 0.0 {
                    return 0.0;
                }
                m - var / m
            }
            Aggregation::Copeland | Aggregation::Bod(_) => f64::NAN,
            Aggregation::MeanMin { alpha, beta } => {
                let m = present().map(|(v, w)| w * v).sum::<f64>() / wsum;
                let min = present().map(|(v, _)| v).fold(f64::INFINITY, f64::min);
                m - alpha * (((m - min) * (m - min) + beta * beta).sqrt() - beta)
            }
        }
    }

    /// Every method aggregated for many units at once gives each unit, bit
    /// for bit, the per-unit formula's score: with missing values (a unit
    /// missing everything, a weight of 0, negative and zero children,
    /// -0.0), unit counts that are and are not whole tiles, and every
    /// instruction set this CPU has.
    #[test]
    fn columns_give_the_per_unit_scores_bit_for_bit() {
        let methods = [
            Aggregation::Arithmetic,
            Aggregation::Sum,
            Aggregation::Geometric,
            Aggregation::Harmonic,
            Aggregation::Generalised { p: 2.0 },
            Aggregation::Generalised { p: -1.5 },
            Aggregation::Generalised { p: 1e-4 },
            Aggregation::MazziottaPareto,
            Aggregation::MeanMin {
                alpha: 0.5,
                beta: 1.0,
            },
            Aggregation::Copeland,
        ];
        let mut seed = 5;
        let mut isas = vec![crate::cpu::Isa::Portable];
        if crate::cpu::detected() >= crate::cpu::Isa::Avx2 {
            isas.push(crate::cpu::Isa::Avx2);
        }
        for isa in isas {
            crate::cpu::force(Some(isa));
            for (n, k) in [(1, 1), (3, 2), (8, 4), (19, 5), (64, 7)] {
                for method in methods {
                    let positive = requirement(method) != Requirement::Any;
                    let columns: Vec<Vec<f64>> = (0..k)
                        .map(|c| {
                            (0..n)
                                .map(|u| {
                                    let x = crate::sensitivity::rng::tests::lcg(&mut seed);
                                    match (u + c) % 7 {
                                        _ if u == 2 => NAN,
                                        3 => NAN,
                                        5 if !positive => -0.0,
                                        6 if !positive => x - 0.7,
                                        _ => 0.1 + 10.0 * x,
                                    }
                                })
                                .collect()
                        })
                        .collect();
                    let weights: Vec<f64> = (0..k)
                        .map(|c| if c == 1 { 0.0 } else { 0.5 + c as f64 })
                        .collect();
                    let children: Vec<&[f64]> = columns.iter().map(Vec::as_slice).collect();
                    let mut out = vec![7.0; n];
                    aggregate_columns(
                        method,
                        &children,
                        &weights,
                        &mut out,
                        &mut ColumnScratch::default(),
                    );
                    for (u, got) in out.iter().enumerate() {
                        let values: Vec<f64> = columns.iter().map(|c| c[u]).collect();
                        let want = one_unit(method, &values, &weights);
                        assert_eq!(
                            got.to_bits(),
                            want.to_bits(),
                            "{isa:?} {method:?} unit {u} of {n}: {got} vs {want}"
                        );
                        assert_eq!(
                            aggregate(method, &values, &weights).to_bits(),
                            want.to_bits()
                        );
                    }
                }
            }
        }
        crate::cpu::force(None);
    }

    const NAN: f64 = f64::NAN;

    fn close(a: f64, b: f64) {
        assert!((a - b).abs() < 1e-12, "{a} vs {b}");
    }

    #[test]
    fn power_agrees_with_powf() {
        for p in [2.0, 0.5, 1.0, -1.0, 3.0, 1.5, -2.0] {
            for v in [0.0, 1e-3, 0.37, 1.0, 2.5, 17.0, 99.9] {
                let (a, b) = (power(v, p), v.powf(p));
                assert!(
                    a == b || (a - b).abs() <= 2.0 * f64::EPSILON * b.abs(),
                    "{v}^{p}: {a} vs {b}"
                );
            }
        }
    }

    #[test]
    fn arithmetic_reweights_over_present() {
        close(
            aggregate(Aggregation::Arithmetic, &[10.0, 20.0], &[1.0, 3.0]),
            17.5,
        );
        close(
            aggregate(
                Aggregation::Arithmetic,
                &[10.0, NAN, 40.0],
                &[1.0, 5.0, 1.0],
            ),
            25.0,
        );
        assert!(aggregate(Aggregation::Arithmetic, &[NAN, NAN], &[1.0, 1.0]).is_nan());
        assert!(aggregate(Aggregation::Arithmetic, &[1.0, NAN], &[0.0, 1.0]).is_nan());
    }

    #[test]
    fn means_by_hand() {
        // Geometric: (4^1 * 16^1)^(1/2) = 8; weighted (2^3 * 16)^(1/4) = 128^(1/4).
        close(
            aggregate(Aggregation::Geometric, &[4.0, 16.0], &[1.0, 1.0]),
            8.0,
        );
        close(
            aggregate(Aggregation::Geometric, &[2.0, 16.0], &[3.0, 1.0]),
            128f64.powf(0.25),
        );
        // Harmonic: 2 / (1/2 + 1/6) = 3.
        close(
            aggregate(Aggregation::Harmonic, &[2.0, 6.0], &[1.0, 1.0]),
            3.0,
        );
        // Power mean p = 2: sqrt((9 + 16) / 2).
        close(
            aggregate(
                Aggregation::Generalised { p: 2.0 },
                &[3.0, 4.0],
                &[1.0, 1.0],
            ),
            12.5f64.sqrt(),
        );
        // p = -1 equals the harmonic mean.
        close(
            aggregate(
                Aggregation::Generalised { p: -1.0 },
                &[2.0, 6.0],
                &[1.0, 1.0],
            ),
            3.0,
        );
        close(
            aggregate(Aggregation::Sum, &[2.0, NAN, 5.0], &[1.0, 1.0, 2.0]),
            12.0,
        );
    }

    #[test]
    fn benefit_of_the_doubt_worked_example() {
        // docs/methods.md: the third unit maximises 0.5 a + 0.4 b with
        // 0.9 a + 0.2 b <= 1 and 0.4 a + 0.8 b <= 1 (both binding):
        // a = 0.9375, b = 0.78125, score 0.78125; the first two are on
        // the frontier (score 1).
        let values = [0.9, 0.2, 0.4, 0.8, 0.5, 0.4];
        let r = benefit_of_the_doubt(&values, 2, &[true; 3], Default::default()).unwrap();
        assert!((r[0].0 - 1.0).abs() < 1e-12 && (r[1].0 - 1.0).abs() < 1e-12);
        assert!((r[2].0 - 0.78125).abs() < 1e-12, "{r:?}");
        assert!((r[2].1[0] - 0.9375).abs() < 1e-12 && (r[2].1[1] - 0.78125).abs() < 1e-12);
    }

    #[test]
    fn copeland_by_hand_as_coinr_fills_its_matrix() {
        // Units in data order u0 = (5, 5, 5), u1 = (1, 9, 1), u2 = (5, 1, -),
        // equal weights. o(u0, u1) = 2/3: u0 wins. o(u0, u2) = 1/3 (higher
        // on the second) + 1/6 (equal on the first) = 1/2: a draw. o(u1, u2)
        // = 1/3 (the missing third counts for neither): u1 loses, and
        // o(u2, u1) = 1 - 1/3 = 2/3 (COINr fills the lower triangle as 1 -
        // the upper), so u2 wins, although u2 is higher than u1 only on
        // the first indicator.
        let nan = f64::NAN;
        let values = [5.0, 5.0, 5.0, 1.0, 9.0, 1.0, 5.0, 1.0, nan];
        let w = [1.0, 1.0, 1.0];
        let all = [true; 3];
        assert_eq!(
            copeland(&values, &w, &[0, 1, 2], &all),
            vec![1.0, -2.0, 1.0]
        );
        // With u2 first in the data, the missing value's weight goes to the
        // other side of u2's pairs: o(u0, u2) = 1 - 1/6 = 5/6 and o(u1, u2)
        // = 1 - 1/3 = 2/3, so u2 loses both.
        assert_eq!(
            copeland(&values, &w, &[1, 2, 0], &all),
            vec![2.0, 0.0, -2.0]
        );
        // Only ranked units count as opponents: u1 not ranked.
        assert_eq!(
            copeland(&values, &w, &[0, 1, 2], &[true, false, true]),
            vec![0.0, -2.0, 0.0]
        );
        // Weights: the third indicator alone decides u0 against u1, and a
        // unit with nothing present has no score.
        assert_eq!(
            copeland(
                &[5.0, 1.0, 1.0, 2.0, nan, nan],
                &[1.0, 0.0, 0.0],
                &[0, 1],
                &[true, true]
            )[..1],
            [1.0]
        );
        assert!(copeland(&[nan, nan, 1.0, 2.0], &[1.0, 1.0], &[0, 1], &[true, true])[0].is_nan());
    }

    #[test]
    fn mean_min_by_hand() {
        let mm = |alpha, beta| Aggregation::MeanMin { alpha, beta };
        // M = 60, m = 40: 60 - 0.5 (sqrt(20^2 + 10^2) - 10) = 53.81966...
        let v = aggregate(mm(0.5, 10.0), &[40.0, 80.0], &[1.0, 1.0]);
        close(v, 60.0 - 0.5 * (500f64.sqrt() - 10.0));
        close(v, 53.819_660_112_501_05);
        // alpha = 0 is the weighted mean; alpha = 1, beta = 0 the minimum.
        close(aggregate(mm(0.0, 3.0), &[40.0, 80.0], &[1.0, 3.0]), 70.0);
        close(
            aggregate(mm(1.0, 0.0), &[40.0, 80.0, 55.0], &[1.0, 3.0, 2.0]),
            40.0,
        );
        // Weighted: M = (40 + 3 * 80) / 4 = 70, gap 30, beta 0, alpha 0.5.
        close(aggregate(mm(0.5, 0.0), &[40.0, 80.0], &[1.0, 3.0]), 55.0);
        // A missing child is left out of both the mean and the minimum.
        close(
            aggregate(mm(0.5, 0.0), &[40.0, f64::NAN, 80.0], &[1.0, 5.0, 3.0]),
            55.0,
        );
        // Balanced children are not penalised.
        close(aggregate(mm(0.9, 4.0), &[70.0, 70.0], &[1.0, 2.0]), 70.0);
    }

    #[test]
    fn mazziotta_pareto_by_hand() {
        // Values 90, 110: M = 100, S = 10 (population), cv = 0.1, MPI = 100 - 10*0.1 = 99.
        close(
            aggregate(Aggregation::MazziottaPareto, &[90.0, 110.0], &[1.0, 1.0]),
            99.0,
        );
        // Balanced units are not penalised.
        close(
            aggregate(Aggregation::MazziottaPareto, &[100.0, 100.0], &[1.0, 1.0]),
            100.0,
        );
        // 80, 100, 120: M = 100, S^2 = 800/3, MPI = 100 - (800/3)/100.
        close(
            aggregate(
                Aggregation::MazziottaPareto,
                &[80.0, 100.0, 120.0],
                &[1.0, 1.0, 1.0],
            ),
            100.0 - 8.0 / 3.0,
        );
    }

    /// As p -> 0 the generalised mean tends to the geometric mean; a tiny p
    /// must not make every unit tie (x^p rounds to 1).
    #[test]
    fn generalised_mean_near_zero_is_the_geometric_mean() {
        let (v, w) = ([4.0, 9.0, 1.0], [1.0, 2.0, 1.0]);
        let geo = aggregate(Aggregation::Geometric, &v, &w);
        for p in [1e-300, -1e-300, 1e-12, 1e-6, -1e-6] {
            let g = aggregate(Aggregation::Generalised { p }, &v, &w);
            assert!((g - geo).abs() < 1e-5 * geo, "p = {p}: {g} vs {geo}");
        }
        // Both forms agree where they meet.
        let p = SMALL_P;
        let stable = aggregate(
            Aggregation::Generalised {
                p: p * (1.0 - 1e-12),
            },
            &v,
            &w,
        );
        let direct = aggregate(Aggregation::Generalised { p }, &v, &w);
        assert!((stable - direct).abs() < 1e-9, "{stable} vs {direct}");
        // Different units stay different.
        let a = aggregate(
            Aggregation::Generalised { p: 1e-300 },
            &[1.0, 2.0],
            &[1.0, 1.0],
        );
        let b = aggregate(
            Aggregation::Generalised { p: 1e-300 },
            &[1.0, 3.0],
            &[1.0, 1.0],
        );
        assert!(a < b, "{a} vs {b}");
    }

    /// Mazziotta-Pareto needs values of one sign: refused over raw z-scores.
    #[test]
    fn mazziotta_pareto_needs_non_negative_children() {
        assert_eq!(
            requirement(Aggregation::MazziottaPareto),
            Requirement::NonNegative
        );
    }
}
