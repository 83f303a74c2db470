//! Weights derived from the data, between normalisation and aggregation:
//! principal components with a varimax rotation (OECD/JRC Handbook, section
//! 6.1) and weights optimised so that each child's correlation with its
//! node's score meets a target (COINr's `get_opt_weights`, "balance").
//!
//! Both work on one node's children over the reference units (scored and
//! ranked) that have every child; the weights found are written into the
//! result's [`Index`] with their [`WeightOrigin`], and stay fixed in
//! sensitivity runs. Formulas and references: docs/methods.md.

use crate::error::{Error, Result};
use crate::spec::{
    DataWeighting, Index, Member, OptimisedWeights, PcaWeights, WeightOrigin, WeightSetName,
};
use crate::stats::pearson;
use nalgebra::{DMatrix, SymmetricEigen};

/// The values a node's children take over the units used: `rows[u][c]`.
pub(crate) struct ChildValues {
    /// One row per unit with every child present.
    pub rows: Vec<Vec<f64>>,
    /// How many reference units were left out for a missing child.
    pub incomplete: usize,
}

/// Pearson correlation matrix of the columns of `rows`; `Err(c)` names
/// the first column that does not vary.
fn correlations(rows: &[Vec<f64>]) -> std::result::Result<DMatrix<f64>, usize> {
    let p = rows[0].len();
    let columns: Vec<Vec<f64>> = (0..p)
        .map(|c| rows.iter().map(|r| r[c]).collect())
        .collect();
    if let Some(c) = columns.iter().position(|v| v.iter().all(|x| *x == v[0])) {
        return Err(c);
    }
    Ok(DMatrix::from_fn(p, p, |a, b| {
        if a == b {
            1.0
        } else {
            pearson(&columns[a], &columns[b])
        }
    }))
}

/// Varimax rotation of a loadings matrix with Kaiser normalisation, as R's
/// `stats::varimax(x, normalize = TRUE, eps = 1e-5)` computes it: rows
/// scaled to unit length, the rotation updated from the SVD of
/// `x' (z^3 - z diag(colSums(z^2)) / p)` until the sum of singular values
/// grows by less than a relative `eps`, at most 1,000 times.
pub fn varimax(loadings: &DMatrix<f64>) -> DMatrix<f64> {
    let (p, k) = loadings.shape();
    if k < 2 {
        return loadings.clone();
    }
    let scale: Vec<f64> = (0..p)
        .map(|i| loadings.row(i).norm_squared().sqrt())
        .collect();
    let x = DMatrix::from_fn(p, k, |i, j| {
        if scale[i] > 0.0 {
            loadings[(i, j)] / scale[i]
        } else {
            0.0
        }
    });
    let mut rotation = DMatrix::<f64>::identity(k, k);
    let mut d = 0.0;
    for _ in 0..1000 {
        let z = &x * &rotation;
        let column_sq: Vec<f64> = (0..k).map(|j| z.column(j).norm_squared()).collect();
        let target = DMatrix::from_fn(p, k, |i, j| {
            z[(i, j)].powi(3) - z[(i, j)] * column_sq[j] / p as f64
        });
        let b = x.transpose() * target;
        let svd = b.svd(true, true);
        let (u, v_t) = (svd.u.expect("asked for u"), svd.v_t.expect("asked for v_t"));
        rotation = u * v_t;
        let past = d;
        d = svd.singular_values.sum();
        if d < past * (1.0 + 1e-5) {
            break;
        }
    }
    let z = x * rotation;
    DMatrix::from_fn(p, k, |i, j| z[(i, j)] * scale[i])
}

/// Handbook 6.1 weights from principal components of `values`: the
/// components retained, rotated by varimax, each child assigned to the
/// factor on which its squared loading, scaled by the factor's explained
/// variance, is largest; its weight is that scaled squared loading times
/// the factor's share of the retained factors' variance, all weights then
/// summing to 1.
pub(crate) fn pca_weights(
    values: &ChildValues,
    rule: &DataWeighting,
) -> std::result::Result<PcaWeights, String> {
    let DataWeighting::Pca {
        factors,
        variance,
        min_share,
        min_eigenvalue,
        ..
    } = rule
    else {
        unreachable!("pca_weights takes a PCA rule");
    };
    let rows = &values.rows;
    let p = rows.first().map_or(0, Vec::len);
    if rows.len() < p + 1 || rows.len() < 3 {
        return Err(format!(
            "{} units have every child; principal components of {p} children need at least {}",
            rows.len(),
            (p + 1).max(3)
        ));
    }
    let cor = correlations(rows).map_err(|c| format!("child {} does not vary", c + 1))?;
    let eigen = SymmetricEigen::new(cor);
    let mut order: Vec<usize> = (0..p).collect();
    order.sort_by(|&a, &b| eigen.eigenvalues[b].total_cmp(&eigen.eigenvalues[a]));
    let eigenvalues: Vec<f64> = order.iter().map(|&j| eigen.eigenvalues[j]).collect();
    let explained: Vec<f64> = eigenvalues.iter().map(|e| e / p as f64).collect();
    let retained = match factors {
        Some(k) => (*k).min(p),
        None => {
            let mut k = explained
                .iter()
                .zip(&eigenvalues)
                .take_while(|(s, e)| **s > *min_share && **e >= *min_eigenvalue)
                .count()
                .max(1);
            while k < p && explained[..k].iter().sum::<f64>() < *variance {
                k += 1;
            }
            k
        }
    };
    let unrotated = DMatrix::from_fn(p, retained, |i, j| {
        eigen.eigenvectors[(i, order[j])] * eigenvalues[j].max(0.0).sqrt()
    });
    let mut rotated = varimax(&unrotated);
    // A factor's sign is arbitrary: show each with positive loadings mostly.
    for j in 0..retained {
        if rotated.column(j).sum() < 0.0 {
            rotated.column_mut(j).neg_mut();
        }
    }
    let factor_variance: Vec<f64> = (0..retained)
        .map(|j| rotated.column(j).norm_squared())
        .collect();
    let total: f64 = factor_variance.iter().sum();
    let scaled = |i: usize, j: usize| rotated[(i, j)].powi(2) / factor_variance[j];
    let factor_of: Vec<usize> = (0..p)
        .map(|i| {
            (0..retained).fold(0, |best, j| {
                if scaled(i, j) > scaled(i, best) {
                    j
                } else {
                    best
                }
            })
        })
        .collect();
    let raw: Vec<f64> = (0..p)
        .map(|i| scaled(i, factor_of[i]) * factor_variance[factor_of[i]] / total)
        .collect();
    let sum: f64 = raw.iter().sum();
    Ok(PcaWeights {
        units: rows.len(),
        left_out: values.incomplete,
        eigenvalues,
        explained,
        factors: retained,
        loadings: (0..p)
            .map(|i| (0..retained).map(|j| rotated[(i, j)]).collect())
            .collect(),
        factor_variance,
        factor_of,
        weights: raw.iter().map(|w| w / sum).collect(),
    })
}

/// Each child's correlation with the node score `score(weights, row)`.
fn child_correlations(
    values: &ChildValues,
    weights: &[f64],
    score: &dyn Fn(&[f64], &[f64]) -> f64,
) -> Vec<f64> {
    let scores: Vec<f64> = values.rows.iter().map(|r| score(r, weights)).collect();
    (0..weights.len())
        .map(|c| {
            let column: Vec<f64> = values.rows.iter().map(|r| r[c]).collect();
            pearson(&column, &scores)
        })
        .collect()
}

/// COINr's "balance" objective: the mean squared difference between the
/// target importances and the correlations scaled to sum to 1.
fn balance_gap(correlations: &[f64], target: &[f64]) -> f64 {
    let total: f64 = correlations.iter().sum();
    correlations
        .iter()
        .zip(target)
        .map(|(c, t)| (t - c / total).powi(2))
        .sum::<f64>()
        / target.len() as f64
}

/// Weights for which each child's (Pearson) correlation with the node
/// score, scaled so the correlations sum to 1, comes as close as possible to
/// `target` (relative importances, scaled to sum to 1): COINr's
/// `get_opt_weights(optype = "balance")` objective, minimised by
/// Nelder-Mead from the target itself over positive weights.
pub(crate) fn optimised_weights(
    values: &ChildValues,
    start: &[f64],
    target: &[f64],
    score: &dyn Fn(&[f64], &[f64]) -> f64,
) -> std::result::Result<OptimisedWeights, String> {
    if values.rows.len() < 3 {
        return Err(format!(
            "{} units have every child; correlations need at least 3",
            values.rows.len()
        ));
    }
    let t_sum: f64 = target.iter().sum();
    let target: Vec<f64> = target.iter().map(|t| t / t_sum).collect();
    let weights_of = |x: &[f64]| -> Vec<f64> {
        let a: Vec<f64> = x.iter().map(|v| v.abs()).collect();
        let s: f64 = a.iter().sum();
        a.iter().map(|v| v / s).collect()
    };
    let objective = |x: &[f64]| -> f64 {
        let w = weights_of(x);
        let gap = balance_gap(&child_correlations(values, &w, score), &target);
        if gap.is_nan() { f64::INFINITY } else { gap }
    };
    let s_sum: f64 = start.iter().sum();
    let before: Vec<f64> = start.iter().map(|w| w / s_sum).collect();
    let correlations_before = child_correlations(values, &before, score);
    let (x, iterations) = nelder_mead(&objective, &target.clone(), 1e-12, 20_000);
    let weights = weights_of(&x);
    let correlations = child_correlations(values, &weights, score);
    Ok(OptimisedWeights {
        units: values.rows.len(),
        left_out: values.incomplete,
        correlations_before,
        gap: objective(&x),
        correlations,
        iterations,
        weights,
        target: target.clone(),
    })
}

/// Nelder-Mead minimisation (reflection 1, expansion 2, contraction 1/2,
/// shrink 1/2) from `start` with a 5% simplex, until the spread of the
/// simplex's values is below `tol` (relative) or `max_iter` steps.
fn nelder_mead(
    f: &dyn Fn(&[f64]) -> f64,
    start: &[f64],
    tol: f64,
    max_iter: usize,
) -> (Vec<f64>, usize) {
    let n = start.len();
    let mut simplex: Vec<Vec<f64>> = vec![start.to_vec()];
    for i in 0..n {
        let mut v = start.to_vec();
        v[i] = if v[i] != 0.0 { v[i] * 1.05 } else { 0.00025 };
        simplex.push(v);
    }
    let mut values: Vec<f64> = simplex.iter().map(|v| f(v)).collect();
    let mut iterations = 0;
    while iterations < max_iter {
        iterations += 1;
        let mut order: Vec<usize> = (0..=n).collect();
        order.sort_by(|&a, &b| values[a].total_cmp(&values[b]));
        simplex = order.iter().map(|&i| simplex[i].clone()).collect();
        values = order.iter().map(|&i| values[i]).collect();
        let (best, worst) = (values[0], values[n]);
        if (worst - best).abs() <= tol * (best.abs() + tol) {
            break;
        }
        let centroid: Vec<f64> = (0..n)
            .map(|j| simplex[..n].iter().map(|v| v[j]).sum::<f64>() / n as f64)
            .collect();
        let along = |t: f64| -> Vec<f64> {
            (0..n)
                .map(|j| centroid[j] + t * (simplex[n][j] - centroid[j]))
                .collect()
        };
        let reflected = along(-1.0);
        let fr = f(&reflected);
        if fr < values[0] {
            let expanded = along(-2.0);
            let fe = f(&expanded);
            (simplex[n], values[n]) = if fe < fr {
                (expanded, fe)
            } else {
                (reflected, fr)
            };
        } else if fr < values[n - 1] {
            (simplex[n], values[n]) = (reflected, fr);
        } else {
            let contracted = if fr < values[n] {
                along(-0.5)
            } else {
                along(0.5)
            };
            let fc = f(&contracted);
            if fc < values[n].min(fr) {
                (simplex[n], values[n]) = (contracted, fc);
            } else {
                for i in 1..=n {
                    simplex[i] = (0..n)
                        .map(|j| simplex[0][j] + 0.5 * (simplex[i][j] - simplex[0][j]))
                        .collect();
                    values[i] = f(&simplex[i]);
                }
            }
        }
    }
    let best = (0..=n)
        .min_by(|&a, &b| values[a].total_cmp(&values[b]))
        .expect("a simplex has points");
    (simplex[best].clone(), iterations)
}

/// The children's values over the reference units that have all of them.
pub(crate) fn child_values(
    index: &Index,
    node: usize,
    normalised: &ndarray::Array2<f64>,
    scores: &ndarray::Array2<f64>,
    reference: &[bool],
) -> ChildValues {
    let mut rows = Vec::new();
    let mut incomplete = 0;
    for u in (0..reference.len()).filter(|&u| reference[u]) {
        let row: Vec<f64> = index.nodes[node]
            .children
            .iter()
            .map(|m| match m {
                Member::Indicator(i) => normalised[[u, *i]],
                Member::Node(c) => scores[[u, *c]],
            })
            .collect();
        if row.iter().any(|v| v.is_nan()) {
            incomplete += 1;
        } else {
            rows.push(row);
        }
    }
    ChildValues { rows, incomplete }
}

/// Sets the weights of node `node`'s children from the data, if its
/// weighting asks for it; `score` aggregates one unit's children.
pub(crate) fn settle(
    index: &mut Index,
    node: usize,
    values: &ChildValues,
    score: &dyn Fn(&[f64], &[f64]) -> f64,
) -> Result<()> {
    let WeightOrigin::FromData(rule) = &index.weighting[node] else {
        return Ok(());
    };
    let children = index.nodes[node].children.clone();
    let fail = |message: String| Error::Method {
        node: index.nodes[node].id.clone(),
        message,
        hint: Some(
            "data-driven weights need units with every child, each child varying; \
             impute missing values or give this node's weights in the spec"
                .into(),
        ),
    };
    let origin = match rule {
        DataWeighting::Pca { .. } => WeightOrigin::Pca(pca_weights(values, rule).map_err(fail)?),
        DataWeighting::Optimised { importance, .. } => {
            let target: Vec<f64> = children
                .iter()
                .map(|m| importance.get(index.member_id(*m)).copied().unwrap_or(1.0))
                .collect();
            let start: Vec<f64> = children.iter().map(|m| index.member_weight(*m)).collect();
            WeightOrigin::Optimised(
                optimised_weights(values, &start, &target, score).map_err(fail)?,
            )
        }
    };
    let weights = match &origin {
        WeightOrigin::Pca(p) => p.weights.clone(),
        WeightOrigin::Optimised(o) => o.weights.clone(),
        _ => unreachable!("set above"),
    };
    // A sum node's scale is its weights' total: keep it.
    let scale = match index.nodes[node].aggregation {
        crate::spec::Aggregation::Sum => children.iter().map(|m| index.member_weight(*m)).sum(),
        _ => 1.0,
    };
    for (m, w) in children.into_iter().zip(weights) {
        crate::spec::judgement::set_weight(index, m, w * scale);
    }
    index.weighting[node] = origin;
    Ok(())
}

/// The index of `nominal` with the weights of `method` instead: `equal`,
/// `pca` and `optimised` on `nodes` (every node with two children or more
/// when None), `ahp` and `experts` on the nodes the `[weights]` files
/// cover. Data-driven weights are computed on the nominal run's data. The
/// one place `compare --weightings` and the sensitivity's weight choices
/// make alternative weightings.
pub fn alternative(
    nominal: &super::RankResult,
    method: WeightSetName,
    nodes: Option<&[usize]>,
) -> Result<Index> {
    let mut alt = nominal.index.clone();
    let targets: Vec<usize> = match nodes {
        Some(list) => list.to_vec(),
        None => (0..alt.nodes.len())
            .filter(|&n| alt.nodes[n].children.len() >= 2)
            .collect(),
    };
    let section = alt.spec.weights.clone().unwrap_or_default();
    let missing_file = |key: &str| {
        Error::spec(
            &alt.spec_name,
            "weights",
            format!("the '{key}' weighting needs [weights] {key} = \"file.csv\""),
        )
    };
    match method {
        WeightSetName::Equal => {
            for &n in &targets {
                for m in alt.nodes[n].children.clone() {
                    crate::spec::judgement::set_weight(&mut alt, m, 1.0);
                }
                alt.weighting[n] = WeightOrigin::Spec;
            }
        }
        WeightSetName::Pca | WeightSetName::Optimised => {
            let rule = match method {
                WeightSetName::Pca => {
                    let p = section.pca.clone().unwrap_or_default();
                    DataWeighting::Pca {
                        factors: p.factors,
                        variance: p.variance,
                        min_share: p.min_share,
                        min_eigenvalue: p.min_eigenvalue,
                    }
                }
                _ => DataWeighting::Optimised {
                    importance: section
                        .optimised
                        .clone()
                        .map(|o| o.importance)
                        .unwrap_or_default(),
                },
            };
            for &n in &targets {
                alt.weighting[n] = WeightOrigin::FromData(rule.clone());
            }
            alt = super::run(&alt, nominal.data.clone())?.index;
        }
        WeightSetName::Ahp | WeightSetName::Experts => {
            let only = crate::spec::WeightsSection {
                ahp: (method == WeightSetName::Ahp)
                    .then(|| section.ahp.clone())
                    .flatten(),
                experts: (method == WeightSetName::Experts)
                    .then(|| section.experts.clone())
                    .flatten(),
                max_cr: section.max_cr,
                pca: None,
                optimised: None,
            };
            if only.ahp.is_none() && only.experts.is_none() {
                return Err(missing_file(if method == WeightSetName::Ahp {
                    "ahp"
                } else {
                    "experts"
                }));
            }
            let origins = crate::spec::judgement::derive(&mut alt, &only)?;
            for (n, o) in origins.into_iter().enumerate() {
                if o != WeightOrigin::Spec {
                    alt.weighting[n] = o;
                }
            }
        }
    }
    Ok(alt)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn varimax_gives_rs_rotation() {
        // Loadings turned 20 degrees away from a near-simple structure;
        // R 4.2.2 `stats::varimax` gives `want` (factor_analyzer 0.5.1's
        // `Rotator(method="varimax")`, a port of it, the same to 1e-9).
        let turned = [
            [0.81152134, 0.40178739],
            [0.7517541, 0.27361611],
            [-0.2394141, 0.65778483],
            [-0.1027786, 0.86714276],
            [0.29883624, 0.64085638],
        ];
        let want = [
            [0.8961382469707229, 0.1301392882823909],
            [0.799549616500393, 0.0268405155020616],
            [-0.0234854569564508, 0.6996059084716806],
            [0.1713693490680946, 0.8562316001166712],
            [0.4829431841711871, 0.5164938324768621],
        ];
        let back = varimax(&DMatrix::from_fn(5, 2, |i, j| turned[i][j]));
        for (i, row) in want.iter().enumerate() {
            for (j, w) in row.iter().enumerate() {
                assert!((back[(i, j)] - w).abs() < 1e-12, "{back}");
            }
        }
    }

    #[test]
    fn optimised_weights_equalise_two_correlations() {
        // x2 = noisy x1: with equal weights the noisier child correlates
        // less with the mean; the optimum makes both correlations equal,
        // which for two children is corr(x1, s) = corr(x2, s).
        let rows: Vec<Vec<f64>> = (0..20)
            .map(|k| {
                let x = k as f64;
                vec![x, x + if k % 2 == 0 { 6.0 } else { -6.0 }]
            })
            .collect();
        let values = ChildValues {
            rows,
            incomplete: 0,
        };
        let mean = |v: &[f64], w: &[f64]| (v[0] * w[0] + v[1] * w[1]) / (w[0] + w[1]);
        let o = optimised_weights(&values, &[1.0, 1.0], &[1.0, 1.0], &mean).unwrap();
        assert!(o.correlations_before[0] != o.correlations_before[1]);
        assert!(
            (o.correlations[0] - o.correlations[1]).abs() < 1e-6,
            "{o:?}"
        );
        assert!(o.gap < 1e-12);
        // By hand: with u = x1, v = x2 - x1 (uncorrelated here, var(v) = 36
        // * 20/19 ... ), equal correlations need the score's covariances
        // with x1 and x2 over their sds to match; check that directly.
        let s: Vec<f64> = values.rows.iter().map(|r| mean(r, &o.weights)).collect();
        let c = |k: usize| {
            let x: Vec<f64> = values.rows.iter().map(|r| r[k]).collect();
            crate::stats::pearson(&x, &s)
        };
        assert!((c(0) - c(1)).abs() < 1e-6);
    }
}
