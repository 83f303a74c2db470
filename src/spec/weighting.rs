//! Weights derived from people's judgements or from the data instead of
//! written in the spec: what `[weights]` asks for ([`WeightsSection`]), how
//! each node's children got their weights ([`WeightOrigin`], for
//! `explain`, the audit and the report), and the analytic hierarchy
//! process's arithmetic (Saaty's principal eigenvector, several judges
//! combined by the geometric mean of their matrices). Reading the
//! judgements and setting the weights is [`super::judgement`]. Formulas and
//! references are in docs/methods.md.

use serde::{Deserialize, Serialize};

/// `[weights]`: where judgements come from.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct WeightsSection {
    /// Pairwise comparisons: a CSV with columns `node`, `a`, `b`, `value`
    /// (how much more important a is than b, Saaty's 1-9 scale) and
    /// optionally `judge`.
    #[serde(default)]
    pub ahp: Option<String>,
    /// Budget allocations: a CSV with an `expert` column and one column per
    /// node or indicator id holding the points that expert gave it.
    #[serde(default)]
    pub experts: Option<String>,
    /// The largest consistency ratio accepted (Saaty: 0.1).
    #[serde(default = "default_max_cr")]
    pub max_cr: f64,
    /// `[weights.pca]`: weights from principal components (Handbook 6.1).
    #[serde(default)]
    pub pca: Option<PcaSpec>,
    /// `[weights.optimised]`: weights balancing the children's correlations
    /// with their node (COINr's `get_opt_weights`).
    #[serde(default)]
    pub optimised: Option<OptimisedSpec>,
}

/// `[weights.pca]`: which nodes, and how many factors to keep.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct PcaSpec {
    /// The nodes whose children's weights come from the data.
    pub nodes: Vec<String>,
    /// A fixed number of factors (otherwise the rules below choose).
    #[serde(default)]
    pub factors: Option<usize>,
    /// Keep factors until they explain this share of the variance (0.6).
    #[serde(default = "default_variance")]
    pub variance: f64,
    /// Keep the leading factors that each explain more than this (0.1).
    #[serde(default = "default_min_share")]
    pub min_share: f64,
    /// ... and whose eigenvalue is at least this (0: no Kaiser rule).
    #[serde(default)]
    pub min_eigenvalue: f64,
}

fn default_variance() -> f64 {
    0.6
}

impl Default for PcaSpec {
    /// No nodes, the defaults of every rule (as an empty `[weights.pca]`).
    fn default() -> Self {
        PcaSpec {
            nodes: Vec::new(),
            factors: None,
            variance: default_variance(),
            min_share: default_min_share(),
            min_eigenvalue: 0.0,
        }
    }
}

fn default_min_share() -> f64 {
    0.1
}

/// `[weights.optimised]`: which nodes, and the target importances.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct OptimisedSpec {
    /// The nodes whose children's weights are optimised.
    pub nodes: Vec<String>,
    /// Relative target importance of a child, by id (1 when not named:
    /// equal influence).
    #[serde(default)]
    pub importance: indexmap::IndexMap<String, f64>,
}

/// How a node's weights are to be derived from the data.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "method", rename_all = "snake_case")]
pub enum DataWeighting {
    /// Principal components with varimax (see [`PcaSpec`]).
    Pca {
        /// A fixed number of factors.
        factors: Option<usize>,
        /// Cumulative share of variance to reach.
        variance: f64,
        /// Each leading factor's minimum share.
        min_share: f64,
        /// Each leading factor's minimum eigenvalue.
        min_eigenvalue: f64,
    },
    /// Balanced correlations (see [`OptimisedSpec`]).
    Optimised {
        /// Target importance by child id.
        importance: indexmap::IndexMap<String, f64>,
    },
}

fn default_max_cr() -> f64 {
    0.1
}

/// How a node's children got their weights.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "method", rename_all = "snake_case")]
pub enum WeightOrigin {
    /// As written in the spec (or its default, 1).
    Spec,
    /// From pairwise comparisons (AHP).
    Ahp(AhpWeights),
    /// From experts' budget allocations.
    Experts(ExpertWeights),
    /// To be derived from the data when the index is computed (the
    /// pipeline replaces it with [`WeightOrigin::Pca`] or
    /// [`WeightOrigin::Optimised`]).
    FromData(DataWeighting),
    /// From principal components (Handbook 6.1).
    Pca(PcaWeights),
    /// Optimised to balance correlations (COINr's `get_opt_weights`).
    Optimised(OptimisedWeights),
    /// Each unit's own, chosen by Benefit of the Doubt (the node's
    /// aggregation): shown per unit, not a property of the node.
    UnitOwn,
}

/// The principal-components result of one node.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PcaWeights {
    /// Units used (reference units with every child).
    pub units: usize,
    /// Reference units left out for a missing child.
    pub left_out: usize,
    /// Eigenvalues of the children's correlation matrix, largest first.
    pub eigenvalues: Vec<f64>,
    /// Each component's share of the variance.
    pub explained: Vec<f64>,
    /// Factors retained.
    pub factors: usize,
    /// Varimax-rotated loadings, per child (rows) and factor.
    pub loadings: Vec<Vec<f64>>,
    /// Variance each rotated factor explains (its column's sum of squares).
    pub factor_variance: Vec<f64>,
    /// The factor each child is assigned to (largest scaled squared loading).
    pub factor_of: Vec<usize>,
    /// The weights, summing to 1, in child order.
    pub weights: Vec<f64>,
}

/// The optimisation result of one node.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OptimisedWeights {
    /// Units used (reference units with every child).
    pub units: usize,
    /// Reference units left out for a missing child.
    pub left_out: usize,
    /// Target importances, summing to 1, in child order.
    pub target: Vec<f64>,
    /// Each child's correlation with the node score under the spec's weights.
    pub correlations_before: Vec<f64>,
    /// ... and under the optimised weights.
    pub correlations: Vec<f64>,
    /// The objective reached: mean squared gap between the target and the
    /// correlations scaled to sum to 1.
    pub gap: f64,
    /// Nelder-Mead steps taken.
    pub iterations: usize,
    /// The weights, summing to 1, in child order.
    pub weights: Vec<f64>,
}

/// The AHP result of one node.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AhpWeights {
    /// The judges whose matrices were combined (empty: one, unnamed).
    pub judges: Vec<String>,
    /// The principal eigenvalue of the (combined) matrix.
    pub lambda_max: f64,
    /// Consistency index (lambda_max - n) / (n - 1).
    pub ci: f64,
    /// Consistency ratio CI / RI (0 for two children or fewer).
    pub cr: f64,
    /// Each judge's own consistency ratio.
    pub judge_cr: Vec<f64>,
    /// The weights (the eigenvector, summing to 1), in child order.
    pub weights: Vec<f64>,
}

/// The budget-allocation result for the members an expert file covers.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ExpertWeights {
    /// The experts, in file order.
    pub experts: Vec<String>,
    /// Member ids the points were given to, in file order.
    pub members: Vec<String>,
    /// Each expert's shares (points / that expert's total), per member.
    pub shares: Vec<Vec<f64>>,
    /// The mean share of each member: its weight.
    pub mean: Vec<f64>,
}

/// Saaty's random consistency index RI for n = 1..=15 (Saaty 1980, as
/// extended in Saaty 1990 for n > 10).
pub(crate) const RANDOM_INDEX: [f64; 15] = [
    0.0, 0.0, 0.58, 0.90, 1.12, 1.24, 1.32, 1.41, 1.45, 1.49, 1.51, 1.48, 1.56, 1.57, 1.59,
];

/// The principal eigenvector (summing to 1) and eigenvalue of a positive
/// reciprocal matrix, by power iteration (it converges for positive
/// matrices, Perron-Frobenius), and the consistency ratio.
pub fn ahp_eigen(a: &[Vec<f64>]) -> (Vec<f64>, f64, f64, f64) {
    let n = a.len();
    let mut w = vec![1.0 / n as f64; n];
    for _ in 0..100_000 {
        let mut next: Vec<f64> = (0..n)
            .map(|i| (0..n).map(|j| a[i][j] * w[j]).sum())
            .collect();
        let total: f64 = next.iter().sum();
        next.iter_mut().for_each(|x| *x /= total);
        let change = next
            .iter()
            .zip(&w)
            .map(|(x, y)| (x - y).abs())
            .fold(0.0, f64::max);
        w = next;
        if change < 1e-16 {
            break;
        }
    }
    let lambda = (0..n)
        .map(|i| (0..n).map(|j| a[i][j] * w[j]).sum::<f64>() / w[i])
        .sum::<f64>()
        / n as f64;
    let ci = if n > 2 {
        (lambda - n as f64) / (n as f64 - 1.0)
    } else {
        0.0
    };
    let cr = if n > 2 { ci / RANDOM_INDEX[n - 1] } else { 0.0 };
    (w, lambda, ci, cr)
}

/// Element-wise geometric mean of the judges' matrices (Aczél-Saaty: the
/// combination that keeps the result reciprocal).
pub fn geometric_mean(matrices: &[Vec<Vec<f64>>]) -> Vec<Vec<f64>> {
    let n = matrices[0].len();
    let k = matrices.len() as f64;
    (0..n)
        .map(|i| {
            (0..n)
                .map(|j| (matrices.iter().map(|m| m[i][j].ln()).sum::<f64>() / k).exp())
                .collect()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_consistent_matrix_has_its_ratios_as_weights() {
        // w = (4, 2, 1) / 7: a_ij = w_i / w_j, lambda = n, CR = 0.
        let a = vec![
            vec![1.0, 2.0, 4.0],
            vec![0.5, 1.0, 2.0],
            vec![0.25, 0.5, 1.0],
        ];
        let (w, lambda, ci, cr) = ahp_eigen(&a);
        for (x, y) in w.iter().zip([4.0 / 7.0, 2.0 / 7.0, 1.0 / 7.0]) {
            assert!((x - y).abs() < 1e-14, "{w:?}");
        }
        assert!((lambda - 3.0).abs() < 1e-12 && ci.abs() < 1e-12 && cr.abs() < 1e-12);
    }

    #[test]
    fn geometric_mean_of_judges_stays_reciprocal() {
        let a = vec![vec![1.0, 3.0], vec![1.0 / 3.0, 1.0]];
        let b = vec![vec![1.0, 1.0 / 2.0], vec![2.0, 1.0]];
        let g = geometric_mean(&[a, b]);
        assert!((g[0][1] - 1.5f64.sqrt()).abs() < 1e-15);
        assert!((g[0][1] * g[1][0] - 1.0).abs() < 1e-15);
    }
}
