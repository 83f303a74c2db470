//! Weights derived from people's judgements instead of written in the spec
//! (`[weights]`): the analytic hierarchy process (Saaty's pairwise
//! comparisons, several judges combined by the geometric mean of their
//! matrices) and budget allocation (experts share out points; the weights
//! are the mean shares). Each node records how its children's weights were
//! made ([`WeightOrigin`]), for `explain`, the audit and the report.
//! Formulas and references are in docs/methods.md.

use super::load::Base;
use super::resolve::{Index, Member};
use crate::error::{Error, Result};
use crate::input::{self, RawTable, ReadOptions, cell};
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
const RANDOM_INDEX: [f64; 15] = [
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

/// Reads `[weights]` and sets the derived weights on `index`; returns each
/// node's origin (in node order).
pub(crate) fn derive(index: &mut Index, section: &WeightsSection) -> Result<Vec<WeightOrigin>> {
    let mut origins = vec![WeightOrigin::Spec; index.nodes.len()];
    if let Some(path) = &section.ahp {
        ahp(
            index,
            &index.base.clone(),
            path,
            section.max_cr,
            &mut origins,
        )?;
    }
    if let Some(path) = &section.experts {
        experts(index, &index.base.clone(), path, &mut origins)?;
    }
    if let Some(pca) = &section.pca {
        let rule = DataWeighting::Pca {
            factors: pca.factors,
            variance: pca.variance,
            min_share: pca.min_share,
            min_eigenvalue: pca.min_eigenvalue,
        };
        from_data(index, &pca.nodes, "weights.pca", &rule, &mut origins)?;
    }
    if let Some(opt) = &section.optimised {
        let rule = DataWeighting::Optimised {
            importance: opt.importance.clone(),
        };
        from_data(index, &opt.nodes, "weights.optimised", &rule, &mut origins)?;
        for (id, &v) in &opt.importance {
            let named = opt.nodes.iter().any(|n| {
                index.node_index(n).is_some_and(|n| {
                    index.nodes[n]
                        .children
                        .iter()
                        .any(|m| index.member_id(*m) == id)
                })
            });
            if !(named && v > 0.0 && v.is_finite()) {
                return Err(Error::spec(
                    &index.spec_name,
                    "weights.optimised.importance",
                    format!(
                        "'{id}' = {v}: each entry needs a child of a listed node and an importance > 0"
                    ),
                ));
            }
        }
    }
    Ok(origins)
}

/// Marks `nodes` (spec key `key`) for weights derived from the data.
fn from_data(
    index: &Index,
    nodes: &[String],
    key: &str,
    rule: &DataWeighting,
    origins: &mut [WeightOrigin],
) -> Result<()> {
    if let DataWeighting::Pca {
        variance,
        min_share,
        ..
    } = rule
        && !((0.0..=1.0).contains(variance) && (0.0..1.0).contains(min_share))
    {
        return Err(Error::spec(
            &index.spec_name,
            key,
            "variance and min_share are shares of the variance, 0-1",
        ));
    }
    for id in nodes {
        let Some(n) = index.node_index(id) else {
            return Err(Error::spec(
                &index.spec_name,
                format!("{key}.nodes"),
                format!("'{id}' is not a node of the index"),
            )
            .with_hint(format!(
                "the nodes are {} (the index's id for its own children)",
                index.node_ids()
            )));
        };
        if origins[n] != WeightOrigin::Spec {
            return Err(Error::spec(
                &index.spec_name,
                format!("{key}.nodes"),
                format!(
                    "node '{id}' already gets its weights another way ([weights] ahp, experts, pca or optimised)"
                ),
            ));
        }
        if index.nodes[n].children.len() < 2 {
            return Err(Error::spec(
                &index.spec_name,
                format!("{key}.nodes"),
                format!("node '{id}' has fewer than two children: there is nothing to weigh"),
            ));
        }
        origins[n] = WeightOrigin::FromData(rule.clone());
    }
    Ok(())
}

fn read(base: &Base, path: &str) -> Result<RawTable> {
    input::read_raw(&base.source(path), &ReadOptions::default())
}

fn need_column(raw: &RawTable, name: &str, layout: &str) -> Result<usize> {
    raw.column(name).ok_or_else(|| {
        Error::data(raw.location(None, None), format!("no '{name}' column"))
            .with_hint(format!("the file's columns are {layout}"))
    })
}

/// A judgement: a number, or a fraction such as `1/3`, in Saaty's range.
fn judgement(raw: &RawTable, c: &cell::RawCell, position: u32, column: &str) -> Result<f64> {
    let text = cell::cell_text(c);
    let value = match text.split_once('/') {
        Some((a, b)) => match (a.trim().parse::<f64>(), b.trim().parse::<f64>()) {
            (Ok(a), Ok(b)) if b != 0.0 => Some(a / b),
            _ => None,
        },
        None => match cell::parse_cell(c, raw.decimal_comma, &[]) {
            cell::Parsed::Number(v, _) => Some(v),
            _ => None,
        },
    };
    match value {
        Some(v) if (1.0 / 9.0 - 1e-9..=9.0 + 1e-9).contains(&v) => Ok(v),
        _ => Err(Error::data(
            raw.location(Some(position), Some(column)),
            format!("'{text}' is not a judgement on Saaty's scale (1/9 to 9)"),
        )
        .with_hint("write how much more important a is than b: 1 (equal), 3, 5, 7, 9, or 1/3 ... 1/9 when b matters more")),
    }
}

/// A judge's name and pairwise matrix.
type Judged = (String, Vec<Vec<f64>>);

fn ahp(
    index: &mut Index,
    base: &Base,
    path: &str,
    max_cr: f64,
    origins: &mut [WeightOrigin],
) -> Result<()> {
    let raw = read(base, path)?;
    let layout = "node, a, b, value (and optionally judge)";
    let (cn, ca, cb, cv) = (
        need_column(&raw, "node", layout)?,
        need_column(&raw, "a", layout)?,
        need_column(&raw, "b", layout)?,
        need_column(&raw, "value", layout)?,
    );
    let cj = raw.column("judge");
    // node -> judge -> filled matrix (0 = not given yet).
    let mut matrices: Vec<(usize, Vec<Judged>)> = Vec::new();
    for row in &raw.rows {
        let text = |c: usize| cell::cell_text(&row.cells[c]);
        let node_id = text(cn);
        let Some(node) = index.node_index(&node_id) else {
            return Err(Error::data(
                raw.location(Some(row.position), Some("node")),
                format!("'{node_id}' is not a node of the index"),
            )
            .with_hint(
                "name the node whose children are compared (the index's id for its dimensions)",
            ));
        };
        let children = &index.nodes[node].children;
        let place = |col: usize, name: &str| -> Result<usize> {
            let id = text(col);
            children
                .iter()
                .position(|m| index.member_id(*m) == id)
                .ok_or_else(|| {
                    Error::data(
                        raw.location(Some(row.position), Some(name)),
                        format!("'{id}' is not a child of node '{node_id}'"),
                    )
                    .with_hint(format!(
                        "its children are {}",
                        children
                            .iter()
                            .map(|m| index.member_id(*m))
                            .collect::<Vec<_>>()
                            .join(", ")
                    ))
                })
        };
        let (i, j) = (place(ca, "a")?, place(cb, "b")?);
        let v = judgement(&raw, &row.cells[cv], row.position, "value")?;
        let judge = cj.map(&text).unwrap_or_default();
        let n = children.len();
        let at = match matrices.iter().position(|(k, _)| *k == node) {
            Some(at) => at,
            None => {
                matrices.push((node, Vec::new()));
                matrices.len() - 1
            }
        };
        let judges = &mut matrices[at].1;
        let m = match judges.iter().position(|(name, _)| *name == judge) {
            Some(k) => &mut judges[k].1,
            None => {
                let mut m = vec![vec![0.0; n]; n];
                (0..n).for_each(|d| m[d][d] = 1.0);
                judges.push((judge.clone(), m));
                &mut judges.last_mut().expect("pushed").1
            }
        };
        let conflict = |given: f64, want: f64| given != 0.0 && (given - want).abs() > 1e-9 * want;
        if i == j && v != 1.0 || conflict(m[i][j], v) || conflict(m[j][i], 1.0 / v) {
            return Err(Error::data(
                raw.location(Some(row.position), Some("value")),
                format!(
                    "node '{node_id}'{}: {} vs {} is judged twice, differently",
                    if judge.is_empty() {
                        String::new()
                    } else {
                        format!(", judge '{judge}'")
                    },
                    text(ca),
                    text(cb)
                ),
            )
            .with_hint("give each pair once (its reciprocal is implied)"));
        }
        m[i][j] = v;
        m[j][i] = 1.0 / v;
    }
    for (node, judges) in matrices {
        let ids: Vec<String> = index.nodes[node]
            .children
            .iter()
            .map(|m| index.member_id(*m).to_string())
            .collect();
        let mut crs = Vec::new();
        for (judge, m) in &judges {
            if let Some((i, j)) = (0..ids.len())
                .flat_map(|i| (0..ids.len()).map(move |j| (i, j)))
                .find(|&(i, j)| m[i][j] == 0.0)
            {
                return Err(Error::data(
                    raw.location(None, None),
                    format!(
                        "node '{}'{}: {} vs {} is not judged",
                        index.nodes[node].id,
                        if judge.is_empty() {
                            String::new()
                        } else {
                            format!(", judge '{judge}'")
                        },
                        ids[i],
                        ids[j]
                    ),
                )
                .with_hint(
                    "every pair of a node's children needs a judgement (n(n-1)/2 rows per judge)",
                ));
            }
            if ids.len() > RANDOM_INDEX.len() {
                return Err(Error::data(
                    raw.location(None, None),
                    format!("node '{}' has {} children; AHP here takes at most {}", index.nodes[node].id, ids.len(), RANDOM_INDEX.len()),
                )
                .with_hint("group the children into sub-nodes, or use budget allocation ([weights] experts)"));
            }
            crs.push(ahp_eigen(m).3);
        }
        let combined = geometric_mean(&judges.iter().map(|(_, m)| m.clone()).collect::<Vec<_>>());
        let (w, lambda_max, ci, cr) = ahp_eigen(&combined);
        if cr > max_cr {
            return Err(Error::data(
                raw.location(None, None),
                format!(
                    "node '{}': the judgements are inconsistent (consistency ratio {:.3} > {max_cr}{})",
                    index.nodes[node].id,
                    cr,
                    if judges.len() > 1 {
                        format!("; the judges' own: {}", crs.iter().map(|c| format!("{c:.3}")).collect::<Vec<_>>().join(", "))
                    } else {
                        String::new()
                    }
                ),
            )
            .with_hint("revise the judgements, or accept them with [weights] max_cr = a larger value"));
        }
        for (c, m) in index.nodes[node].children.clone().into_iter().enumerate() {
            set_weight(index, m, w[c]);
        }
        origins[node] = WeightOrigin::Ahp(AhpWeights {
            judges: judges
                .iter()
                .map(|(j, _)| j.clone())
                .filter(|j| !j.is_empty())
                .collect(),
            lambda_max,
            ci,
            cr,
            judge_cr: crs,
            weights: w,
        });
    }
    Ok(())
}

pub(crate) fn set_weight(index: &mut Index, m: Member, w: f64) {
    match m {
        Member::Indicator(i) => index.indicators[i].weight = w,
        Member::Node(n) => index.nodes[n].weight = w,
    }
}

/// The nodes above a member, nearest first (the root last).
fn ancestors_of(index: &Index, m: Member) -> Vec<usize> {
    let mut up = Vec::new();
    let mut at = parent(index, m);
    while let Some(n) = at {
        up.push(n);
        at = index.nodes[n].parent;
    }
    up
}

/// The node a member hangs from.
fn parent(index: &Index, m: Member) -> Option<usize> {
    match m {
        Member::Indicator(i) => Some(index.indicators[i].parent),
        Member::Node(n) => index.nodes[n].parent,
    }
}

/// An experts' file read and checked: the members the points go to, the
/// node they share out, each expert's shares.
struct ExpertFile {
    raw: RawTable,
    members: Vec<Member>,
    top: usize,
    names: Vec<String>,
    shares: Vec<Vec<f64>>,
}

fn read_experts(index: &Index, base: &Base, path: &str) -> Result<ExpertFile> {
    let raw = read(base, path)?;
    let ce = need_column(
        &raw,
        "expert",
        "expert, then one column per node or indicator id",
    )?;
    let mut members: Vec<(usize, Member)> = Vec::new();
    for (c, h) in raw.header.iter().enumerate().filter(|(c, _)| *c != ce) {
        let m = index
            .indicators
            .iter()
            .position(|i| &i.id == h)
            .map(Member::Indicator)
            .or_else(|| index.node_index(h).filter(|&n| n > 0).map(Member::Node));
        match m {
            Some(m) => members.push((c, m)),
            None => {
                return Err(Error::data(
                    raw.location(None, Some(h)),
                    format!("'{h}' is not a node or indicator of the index"),
                )
                .with_hint(
                    "name each column by a node or indicator id (the points an expert gives it)",
                ));
            }
        }
    }
    if members.is_empty() {
        return Err(Error::data(raw.location(None, None), "no member columns")
            .with_hint("add one column per node or indicator that experts give points to"));
    }
    // The budget covers a subtree: the lowest node above every member, whose
    // indicators each sit under exactly one member.
    let ancestors = |m: Member| ancestors_of(index, m);
    let first = ancestors(members[0].1);
    let top = *first
        .iter()
        .find(|n| members.iter().all(|(_, m)| ancestors(*m).contains(n)))
        .expect("the root is above every member");
    let covered = |i: usize| {
        members
            .iter()
            .filter(|(_, m)| match m {
                Member::Indicator(j) => *j == i,
                Member::Node(n) => ancestors(Member::Indicator(i)).contains(n),
            })
            .count()
    };
    for i in 0..index.indicators.len() {
        if ancestors(Member::Indicator(i)).contains(&top) && covered(i) != 1 {
            return Err(Error::data(
                raw.location(None, None),
                format!(
                    "indicator '{}' is {} by the experts' columns",
                    index.indicators[i].id,
                    if covered(i) == 0 { "not covered" } else { "covered twice" }
                ),
            )
            .with_hint(format!(
                "the columns must share out all of node '{}': each of its indicators, or a node above it, exactly once",
                index.nodes[top].id
            )));
        }
    }
    let mut names = Vec::new();
    let mut shares = Vec::new();
    for row in &raw.rows {
        let name = cell::cell_text(&row.cells[ce]);
        let mut points = Vec::new();
        for &(c, _) in &members {
            match cell::parse_cell(&row.cells[c], raw.decimal_comma, &[String::new()]) {
                cell::Parsed::Number(v, _) if v >= 0.0 => points.push(v),
                cell::Parsed::Missing => points.push(0.0),
                _ => {
                    return Err(Error::data(
                        raw.location(Some(row.position), Some(&raw.header[c])),
                        format!(
                            "'{}' is not a number of points >= 0",
                            cell::cell_text(&row.cells[c])
                        ),
                    )
                    .with_hint("write the points this expert gives (empty = 0)"));
                }
            }
        }
        let total: f64 = points.iter().sum();
        if total <= 0.0 {
            return Err(Error::data(
                raw.location(Some(row.position), None),
                format!("expert '{name}' gives no points"),
            )
            .with_hint("remove the row, or give the expert's points"));
        }
        names.push(name);
        shares.push(points.iter().map(|p| p / total).collect::<Vec<f64>>());
    }
    if shares.is_empty() {
        return Err(Error::data(
            raw.location(None, None),
            "no experts (the file has no data rows)",
        ));
    }
    Ok(ExpertFile {
        raw,
        members: members.iter().map(|&(_, m)| m).collect(),
        top,
        names,
        shares,
    })
}

/// Sets the members' weights to `values` and the nodes between them and
/// `top` to the sum of their members' values (so that effective weights
/// are the values); returns the nodes that got weights.
fn apply_shares(index: &mut Index, members: &[Member], values: &[f64], top: usize) -> Vec<usize> {
    let mut sums = vec![0.0; index.nodes.len()];
    for (&m, &w) in members.iter().zip(values) {
        set_weight(index, m, w);
        for n in ancestors_of(index, m).into_iter().take_while(|&n| n != top) {
            sums[n] += w;
        }
    }
    for (n, &s) in sums.iter().enumerate().filter(|(_, s)| **s > 0.0) {
        index.nodes[n].weight = s;
    }
    (0..index.nodes.len())
        .filter(|&n| n == top || sums[n] > 0.0)
        .collect()
}

/// The experts' allocations as weight sets: the index with each expert's
/// own shares as weights (in file order), or, with `resample = (count,
/// pick)`, `count` panels of as many experts drawn with replacement
/// (`pick(e)` gives a number below e), each with its mean shares.
pub(crate) fn expert_weightings(
    index: &Index,
    resample: Option<(usize, &mut dyn FnMut(usize) -> usize)>,
) -> Result<Vec<(String, Index)>> {
    let Some(path) = index.spec.weights.as_ref().and_then(|w| w.experts.clone()) else {
        return Err(Error::spec(
            &index.spec_name,
            "weights.experts",
            "drawing an expert needs the experts' allocations: [weights] experts = \"file.csv\"",
        ));
    };
    let file = read_experts(index, &index.base, &path)?;
    let with = |shares: &[f64]| {
        let mut alt = index.clone();
        apply_shares(&mut alt, &file.members, shares, file.top);
        alt
    };
    let Some((count, pick)) = resample else {
        return Ok(file
            .names
            .iter()
            .zip(&file.shares)
            .map(|(name, shares)| (name.clone(), with(shares)))
            .collect());
    };
    let e = file.shares.len();
    Ok((0..count)
        .map(|k| {
            let mut mean = vec![0.0; file.members.len()];
            for _ in 0..e {
                let drawn = &file.shares[pick(e)];
                mean.iter_mut()
                    .zip(drawn)
                    .for_each(|(m, s)| *m += s / e as f64);
            }
            (format!("resample {}", k + 1), with(&mean))
        })
        .collect())
}

fn experts(index: &mut Index, base: &Base, path: &str, origins: &mut [WeightOrigin]) -> Result<()> {
    let ExpertFile {
        raw,
        members,
        top,
        names,
        shares,
    } = read_experts(index, base, path)?;
    let k = shares.len() as f64;
    let mean: Vec<f64> = (0..members.len())
        .map(|j| shares.iter().map(|s| s[j]).sum::<f64>() / k)
        .collect();
    let touched = apply_shares(index, &members, &mean, top);
    let result = ExpertWeights {
        experts: names,
        members: members
            .iter()
            .map(|&m| index.member_id(m).to_string())
            .collect(),
        shares,
        mean,
    };
    for n in touched {
        let node = &index.nodes[n];
        if node.children.iter().all(|&c| index.member_weight(c) <= 0.0) {
            return Err(Error::data(
                raw.location(None, None),
                format!("no expert gives points to any child of node '{}'", node.id),
            )
            .with_hint("a node needs some weight on at least one child"));
        }
        if let WeightOrigin::Ahp(_) = origins[n] {
            return Err(Error::data(
                raw.location(None, None),
                format!(
                    "node '{}' gets weights from both the AHP file and the experts",
                    node.id
                ),
            )
            .with_hint("derive each node's weights one way"));
        }
        origins[n] = WeightOrigin::Experts(result.clone());
    }
    Ok(())
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
