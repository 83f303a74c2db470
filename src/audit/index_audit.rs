//! The audit of a computed index: coverage, distributions with flags,
//! correlations (between indicators, with their node and with the index),
//! flagged pairs, Cronbach's alpha and PCA per node, effective weights.

use super::multivariate::{correlations, cronbach_alpha, pca_explained};
use super::stats;
use crate::pipeline::RankResult;
use crate::spec::{Aggregation, Index, Member};
use serde::Serialize;

/// The most indicators the pairwise correlation matrices are computed for.
pub const MAX_CORRELATED_INDICATORS: usize = 2000;

/// The most children a node's PCA is computed for.
pub const MAX_PCA_CHILDREN: usize = 200;

/// Thresholds of the audit (documented in docs/audit.md).
#[derive(Debug, Clone, Serialize)]
pub struct Thresholds {
    /// |skewness| at or above this (with kurtosis) flags an indicator.
    pub skew: f64,
    /// Excess kurtosis at or above this (with skewness) flags an indicator.
    pub kurtosis: f64,
    /// |r| above this flags a pair as collinear.
    pub collinear: f64,
    /// Coverage below this flags an indicator.
    pub coverage: f64,
}

impl Default for Thresholds {
    fn default() -> Self {
        Thresholds {
            skew: 2.0,
            kurtosis: 3.5,
            collinear: 0.9,
            coverage: 0.65,
        }
    }
}

/// One indicator's audit.
#[derive(Debug, Clone, Serialize)]
pub struct IndicatorAudit {
    /// Id.
    pub id: String,
    /// Parent node.
    pub parent: String,
    /// Units of the data with a value.
    pub present: usize,
    /// Share of the data's units with a value.
    pub coverage: f64,
    /// Raw mean over ranked units.
    pub mean: f64,
    /// Raw standard deviation.
    pub sd: f64,
    /// Raw minimum.
    pub min: f64,
    /// Raw maximum.
    pub max: f64,
    /// Skewness of the raw values.
    pub skew: f64,
    /// Excess kurtosis of the raw values.
    pub kurtosis: f64,
    /// Flags: `skewed`, `low coverage`.
    pub flags: Vec<String>,
    /// Treatment applied, if any.
    pub treatment: Option<crate::pipeline::treat::TreatmentAction>,
    /// Pearson r of the normalised indicator with its parent node's score.
    pub r_parent: f64,
    /// Spearman rho with the parent node.
    pub rho_parent: f64,
    /// Pearson r with the index.
    pub r_index: f64,
    /// Spearman rho with the index.
    pub rho_index: f64,
    /// Nominal effective weight (product of normalised weights to the index).
    pub effective_weight: f64,
    /// Share of r^2 with the index among all indicators: what it weighs in practice.
    pub importance_share: f64,
    /// Share of the index's spread: the weight along its path (points as
    /// written in `sum` nodes, shares in the others) times the spread
    /// (max - min) of its normalised values over the ranked units, over the
    /// sum of these for all indicators. In a points index, where nominal
    /// weights are all 1, this is each question's share of the points.
    pub range_share: f64,
}

/// Each indicator's share of the index's spread (see
/// [`IndicatorAudit::range_share`]): path weight x spread of its normalised
/// values, normalised to sum to 1 (NaN when nothing varies).
fn range_shares(index: &crate::spec::Index, normalised: &[Vec<f64>]) -> Vec<f64> {
    let path_weight = |j: usize| {
        let ind = &index.indicators[j];
        let share = |w: f64, node: usize| match index.nodes[node].aggregation {
            crate::spec::Aggregation::Sum => w,
            _ => w / index.sibling_weight_sum(node),
        };
        let mut w = share(ind.weight, ind.parent);
        let mut node = ind.parent;
        while let Some(parent) = index.nodes[node].parent {
            w *= share(index.nodes[node].weight, parent);
            node = parent;
        }
        w
    };
    let spread = |v: &[f64]| {
        let present = stats::present(v);
        let lo = present.iter().copied().fold(f64::INFINITY, f64::min);
        let hi = present.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        if hi >= lo { hi - lo } else { 0.0 }
    };
    let raw: Vec<f64> = (0..normalised.len())
        .map(|j| path_weight(j) * spread(&normalised[j]))
        .collect();
    let total: f64 = raw.iter().sum();
    raw.iter()
        .map(|&r| if total > 0.0 { r / total } else { f64::NAN })
        .collect()
}

/// A flagged pair of indicators.
#[derive(Debug, Clone, Serialize)]
pub struct Pair {
    /// First indicator.
    pub a: String,
    /// Second indicator.
    pub b: String,
    /// Pearson r.
    pub pearson: f64,
    /// Spearman rho.
    pub spearman: f64,
    /// Units used.
    pub n: usize,
    /// `collinear` or `negative within node`.
    pub flag: String,
}

/// One node's audit.
#[derive(Debug, Clone, Serialize)]
pub struct NodeAudit {
    /// Node id.
    pub id: String,
    /// Children ids.
    pub children: Vec<String>,
    /// Cronbach's alpha of the children (normalised), complete cases.
    pub cronbach_alpha: f64,
    /// Units used for alpha and PCA.
    pub complete_units: usize,
    /// Variance shares of the principal components (descending); empty when
    /// skipped (see `pca_note`).
    pub pca_explained: Vec<f64>,
    /// Why the PCA was not computed, when it was not.
    pub pca_note: Option<String>,
    /// Pearson r of the node score with the index.
    pub r_index: f64,
}

/// A unit's data coverage.
#[derive(Debug, Clone, Serialize)]
pub struct UnitCoverage {
    /// Id.
    pub id: String,
    /// Name.
    pub name: String,
    /// Share of indicators with a value.
    pub coverage: f64,
    /// `ranked`, `unranked` or the exclusion reason.
    pub status: String,
}

/// The whole audit.
#[derive(Debug, Clone, Serialize)]
pub struct Audit {
    /// Thresholds used.
    pub thresholds: Thresholds,
    /// Per indicator.
    pub indicators: Vec<IndicatorAudit>,
    /// Indicator ids, in matrix order (empty when skipped).
    pub matrix_ids: Vec<String>,
    /// Why the correlation matrices were not computed, when they were not.
    pub correlation_note: Option<String>,
    /// Pearson correlations between normalised indicators.
    pub pearson: Vec<Vec<f64>>,
    /// Spearman correlations.
    pub spearman: Vec<Vec<f64>>,
    /// Flagged pairs.
    pub pairs: Vec<Pair>,
    /// Per node.
    pub nodes: Vec<NodeAudit>,
    /// Per unit, lowest coverage first.
    pub units: Vec<UnitCoverage>,
    /// Whether effective weights are exact shares (all nodes arithmetic).
    pub all_arithmetic: bool,
    /// Every node's weights and how they were made (PCA loadings and
    /// explained variance, AHP consistency, optimisation's correlations).
    pub weights: Vec<super::explain::NodeWeights>,
}

/// Audits a computed index.
pub fn audit(result: &RankResult, thresholds: Thresholds) -> Audit {
    let index = &result.index;
    let st = &result.stages;
    let ranked: Vec<usize> = result
        .units
        .iter()
        .filter(|u| u.rank.is_some())
        .map(|u| u.row)
        .collect();
    let column = |m: &ndarray::Array2<f64>, j: usize| -> Vec<f64> {
        ranked.iter().map(|&u| m[[u, j]]).collect()
    };
    let k = index.indicators.len();
    let normalised: Vec<Vec<f64>> = (0..k).map(|j| column(&st.normalised, j)).collect();
    let node_scores: Vec<Vec<f64>> = (0..index.nodes.len())
        .map(|n| column(&st.nodes, n))
        .collect();
    let raw: Vec<Vec<f64>> = (0..k).map(|j| column(&st.raw, j)).collect();
    // The k x k matrices are quadratic in memory and time: capped, and said so.
    let matrix = k <= MAX_CORRELATED_INDICATORS;
    let (pearson, spearman, pairs) = match matrix {
        true => correlation_matrices(index, &normalised, &thresholds),
        false => (Vec::new(), Vec::new(), Vec::new()),
    };
    let indicators = indicator_audits(result, &raw, &normalised, &node_scores, &thresholds);
    let mut weights = super::explain::node_weights(index);
    // Benefit of the Doubt: no weights of the node's own, each unit has its.
    for w in weights
        .iter_mut()
        .filter(|w| w.origin == crate::spec::WeightOrigin::UnitOwn)
    {
        w.shares.iter_mut().for_each(|(_, s)| *s = f64::NAN);
    }
    Audit {
        weights,
        thresholds,
        indicators,
        matrix_ids: if matrix {
            index.indicators.iter().map(|i| i.id.clone()).collect()
        } else {
            Vec::new()
        },
        correlation_note: (!matrix).then(|| {
            format!(
                "pairwise correlations skipped: {k} indicators, more than {MAX_CORRELATED_INDICATORS} (the matrices grow with the square of their number)"
            )
        }),
        pearson,
        spearman,
        pairs,
        nodes: node_audits(index, &normalised, &node_scores),
        units: unit_coverage(result),
        all_arithmetic: index
            .nodes
            .iter()
            .all(|n| n.aggregation == Aggregation::Arithmetic),
    }
}

/// The Pearson and Spearman matrices of the indicators' normalised values
/// over the ranked units, and the pairs flagged: collinear, or negatively
/// correlated within a node.
fn correlation_matrices(
    index: &Index,
    normalised: &[Vec<f64>],
    thresholds: &Thresholds,
) -> (Vec<Vec<f64>>, Vec<Vec<f64>>, Vec<Pair>) {
    let size = normalised.len();
    let mut pearson = vec![vec![f64::NAN; size]; size];
    let mut spearman = vec![vec![f64::NAN; size]; size];
    let mut pairs = Vec::new();
    for a in 0..size {
        for b in a..size {
            let (p, s, n) = if a == b {
                (1.0, 1.0, 0)
            } else {
                correlations(&normalised[a], &normalised[b])
            };
            pearson[a][b] = p;
            pearson[b][a] = p;
            spearman[a][b] = s;
            spearman[b][a] = s;
            if a == b {
                continue;
            }
            let (ia, ib) = (&index.indicators[a], &index.indicators[b]);
            let flag = if p.abs() > thresholds.collinear {
                Some("collinear")
            } else if ia.parent == ib.parent && p < 0.0 {
                Some("negative within node")
            } else {
                None
            };
            if let Some(f) = flag {
                pairs.push(Pair {
                    a: ia.id.clone(),
                    b: ib.id.clone(),
                    pearson: p,
                    spearman: s,
                    n,
                    flag: f.into(),
                });
            }
        }
    }
    (pearson, spearman, pairs)
}

/// Each indicator's coverage, distribution and flags (raw values), its
/// correlations with its parent and the index, and its weight, importance
/// and range shares (normalised values over the ranked units; `raw`: the
/// raw values of the ranked units, indicator by indicator).
fn indicator_audits(
    result: &RankResult,
    raw: &[Vec<f64>],
    normalised: &[Vec<f64>],
    node_scores: &[Vec<f64>],
    thresholds: &Thresholds,
) -> Vec<IndicatorAudit> {
    let index = &result.index;
    let n_all = result.data.table.len();
    let r2: Vec<f64> = normalised
        .iter()
        .map(|x| correlations(x, &node_scores[0]).0.powi(2))
        .collect();
    let r2_sum: f64 = r2.iter().filter(|v| !v.is_nan()).sum();
    let range_shares = range_shares(index, normalised);
    index
        .indicators
        .iter()
        .enumerate()
        .map(|(j, ind)| {
            let present = (0..n_all)
                .filter(|&u| !result.stages.raw[[u, j]].is_nan())
                .count();
            let raw = stats::present(&raw[j]);
            let (skew, kurt) = (stats::skewness(&raw), stats::kurtosis(&raw));
            let coverage = present as f64 / n_all as f64;
            let mut flags = Vec::new();
            if stats::jrc_outlier(skew, kurt, thresholds.skew, thresholds.kurtosis) {
                flags.push("skewed".to_string());
            }
            if coverage < thresholds.coverage {
                flags.push("low coverage".to_string());
            }
            let (r_parent, rho_parent, _) = correlations(&normalised[j], &node_scores[ind.parent]);
            let (r_index, rho_index, _) = correlations(&normalised[j], &node_scores[0]);
            IndicatorAudit {
                id: ind.id.clone(),
                parent: index.nodes[ind.parent].id.clone(),
                present,
                coverage,
                mean: stats::mean(&raw),
                sd: stats::sd(&raw),
                min: raw.iter().copied().fold(f64::INFINITY, f64::min),
                max: raw.iter().copied().fold(f64::NEG_INFINITY, f64::max),
                skew,
                kurtosis: kurt,
                flags,
                treatment: result
                    .treatments
                    .iter()
                    .find(|t| t.indicator == ind.id)
                    .map(|t| t.action),
                r_parent,
                rho_parent,
                r_index,
                rho_index,
                effective_weight: index.effective_weight(j),
                importance_share: if r2_sum > 0.0 {
                    r2[j] / r2_sum
                } else {
                    f64::NAN
                },
                range_share: range_shares[j],
            }
        })
        .collect()
}

/// Each node's internal consistency (Cronbach's alpha), its children's
/// principal components and its correlation with the index.
fn node_audits(index: &Index, normalised: &[Vec<f64>], node_scores: &[Vec<f64>]) -> Vec<NodeAudit> {
    index
        .nodes
        .iter()
        .enumerate()
        .map(|(n, node)| {
            let items: Vec<Vec<f64>> = node
                .children
                .iter()
                .map(|m| match m {
                    Member::Indicator(i) => normalised[*i].clone(),
                    Member::Node(c) => node_scores[*c].clone(),
                })
                .collect();
            let (alpha, complete) = cronbach_alpha(&items);
            // The eigen solver is cubic in the number of children: capped,
            // and said so.
            let (pca, pca_note) = if items.len() > MAX_PCA_CHILDREN {
                (
                    Vec::new(),
                    Some(format!(
                        "skipped: {} children, more than {MAX_PCA_CHILDREN} (the eigen solver is cubic in their number)",
                        items.len()
                    )),
                )
            } else {
                (pca_explained(&items).0, None)
            };
            NodeAudit {
                id: node.id.clone(),
                children: node
                    .children
                    .iter()
                    .map(|m| index.member_id(*m).to_string())
                    .collect(),
                cronbach_alpha: alpha,
                complete_units: complete,
                pca_explained: pca,
                pca_note,
                r_index: if n == 0 {
                    1.0
                } else {
                    correlations(&node_scores[n], &node_scores[0]).0
                },
            }
        })
        .collect()
}

/// Every unit of the data (ranked or not) with its indicator coverage and
/// status, least covered first.
fn unit_coverage(result: &RankResult) -> Vec<UnitCoverage> {
    let st = &result.stages;
    let k = result.index.indicators.len();
    let mut units: Vec<UnitCoverage> = (0..result.data.table.len())
        .map(|u| {
            let have = (0..k).filter(|&j| !st.raw[[u, j]].is_nan()).count();
            let status = match result.units.iter().find(|x| x.row == u) {
                Some(x) if x.rank.is_some() => "ranked".to_string(),
                Some(_) => "scored, not ranked".to_string(),
                None => result
                    .excluded
                    .iter()
                    .find(|e| e.row == u)
                    .map(|e| format!("excluded: {}", e.reason))
                    .unwrap_or_default(),
            };
            UnitCoverage {
                id: result.data.table.ids[u].clone(),
                name: result.data.names[u].clone(),
                coverage: have as f64 / k as f64,
                status,
            }
        })
        .collect();
    units.sort_by(|a, b| a.coverage.total_cmp(&b.coverage));
    units
}
