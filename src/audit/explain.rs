//! What drives one unit's rank: each indicator's raw and normalised value,
//! its contribution to its node and to the index, the same for the median
//! unit, and the unit's ranks (overall, per node, within groups).

use crate::error::{Error, Result};
use crate::pipeline::{Rank, RankResult};
use crate::spec::{Aggregation, Member};
use serde::Serialize;

/// One indicator of the explained unit.
#[derive(Debug, Clone, Serialize)]
pub struct IndicatorLine {
    /// Indicator id.
    pub id: String,
    /// Label.
    pub label: String,
    /// Parent node.
    pub parent: String,
    /// Raw value (after the denominator; NaN = missing).
    pub raw: f64,
    /// Whether the value was imputed.
    pub imputed: bool,
    /// Value after imputation, transform and treatment.
    pub treated: f64,
    /// Normalised value.
    pub normalised: f64,
    /// Weighted share of the indicator in its parent node's score:
    /// w v / (sum of present weights); exact for arithmetic nodes.
    pub contribution_to_node: f64,
    /// Contribution to the index: the node contribution times the shares of
    /// every node above; exact when every node on the path is arithmetic.
    pub contribution_to_index: f64,
    /// The median ranked unit's raw value.
    pub median_raw: f64,
    /// The median ranked unit's normalised value.
    pub median_normalised: f64,
}

/// One node of the explained unit.
#[derive(Debug, Clone, Serialize)]
pub struct NodeLine {
    /// Node id.
    pub id: String,
    /// Label.
    pub label: String,
    /// The unit's score.
    pub score: f64,
    /// The unit's rank on this node.
    pub rank: Option<Rank>,
    /// The median ranked unit's score.
    pub median_score: f64,
}

/// The explanation of one unit.
#[derive(Debug, Clone, Serialize)]
pub struct Explanation {
    /// Unit id.
    pub id: String,
    /// Name.
    pub name: String,
    /// Rank (None if not ranked).
    pub rank: Option<Rank>,
    /// Number of ranked units.
    pub ranked_units: usize,
    /// Index score.
    pub score: f64,
    /// Group column, value and rank within it.
    pub groups: Vec<(String, String, Option<Rank>)>,
    /// Nodes, the index first.
    pub nodes: Vec<NodeLine>,
    /// Indicators, largest contribution to the index first.
    pub indicators: Vec<IndicatorLine>,
    /// Whether contributions are exact (all nodes arithmetic or sum).
    pub additive: bool,
    /// Every node's weights and how they were made (the index first).
    pub weights: Vec<NodeWeights>,
}

/// A node's children's weights (shares of the node's total) and the method
/// that made them.
#[derive(Debug, Clone, Serialize)]
pub struct NodeWeights {
    /// Node id.
    pub node: String,
    /// How the weights were made (spec, AHP, experts).
    pub origin: crate::spec::WeightOrigin,
    /// Child id and its share of the node's weights.
    pub shares: Vec<(String, f64)>,
}

/// Every node's weights as shares, with their origin.
pub fn node_weights(index: &crate::spec::Index) -> Vec<NodeWeights> {
    index
        .nodes
        .iter()
        .enumerate()
        .map(|(n, node)| {
            let total = index.sibling_weight_sum(n);
            NodeWeights {
                node: node.id.clone(),
                origin: match node.aggregation {
                    Aggregation::Bod(_) => crate::spec::WeightOrigin::UnitOwn,
                    _ => index.weighting[n].clone(),
                },
                shares: node
                    .children
                    .iter()
                    .map(|m| {
                        (
                            index.member_id(*m).to_string(),
                            index.member_weight(*m) / total,
                        )
                    })
                    .collect(),
            }
        })
        .collect()
}

fn median(mut v: Vec<f64>) -> f64 {
    v.retain(|x| !x.is_nan());
    crate::pipeline::impute::median(&v)
}

/// The id of the unit `key` names: its id, else a name (in any case)
/// that exactly one unit, scored or excluded, has.
fn unit_id<'a>(result: &'a RankResult, key: &'a str) -> Result<&'a str> {
    if result.data.table.ids.iter().any(|id| id == key) {
        return Ok(key);
    }
    let wanted = key.trim().to_lowercase();
    let named: Vec<(&str, &str)> = result
        .units
        .iter()
        .map(|u| (u.id.as_str(), u.name.as_str()))
        .chain(
            result
                .excluded
                .iter()
                .map(|e| (e.id.as_str(), e.name.as_str())),
        )
        .filter(|(_, name)| name.to_lowercase() == wanted)
        .collect();
    match named.as_slice() {
        [] => Ok(key),
        [(id, _)] => Ok(id),
        more => Err(Error::Usage(format!(
            "{} units are named '{key}': give the id ({})",
            more.len(),
            more.iter()
                .map(|(id, _)| *id)
                .collect::<Vec<_>>()
                .join(", ")
        ))),
    }
}

/// Explains the unit `key` names (its id, or a name only one unit has).
pub fn explain(result: &RankResult, key: &str) -> Result<Explanation> {
    let index = &result.index;
    let id = unit_id(result, key)?;
    let Some(unit) = result.units.iter().find(|u| u.id == id) else {
        if let Some(e) = result.excluded.iter().find(|e| e.id == id) {
            return Err(Error::Usage(format!(
                "unit {id} ({}) is not ranked: {}",
                e.name, e.reason
            )));
        }
        let names = result
            .units
            .iter()
            .map(|u| (u.id.as_str(), u.name.as_str()));
        let hint = crate::spec::suggest(id, result.data.table.ids.iter().map(String::as_str))
            .map(|s| format!(" (did you mean {s}?)"))
            .or_else(|| {
                let all: Vec<(&str, &str)> = names.collect();
                crate::spec::suggest(id, all.iter().map(|(_, n)| *n)).map(|n| {
                    let id = all.iter().find(|(_, m)| *m == n).map_or("", |(i, _)| *i);
                    format!(" (did you mean {id} {n}?)")
                })
            })
            .unwrap_or_default();
        return Err(Error::Usage(format!(
            "unit '{id}' is not in the data{hint}"
        )));
    };
    let st = &result.stages;
    let u = unit.row;
    let ranked: Vec<usize> = result
        .units
        .iter()
        .filter(|x| x.rank.is_some())
        .map(|x| x.row)
        .collect();
    // Share of each member in its parent's score for this unit.
    let present_weight = |node: usize| -> f64 {
        index.nodes[node]
            .children
            .iter()
            .filter(|m| {
                !match m {
                    Member::Indicator(i) => st.normalised[[u, *i]],
                    Member::Node(c) => st.nodes[[u, *c]],
                }
                .is_nan()
            })
            .map(|m| index.member_weight(*m))
            .sum()
    };
    // Benefit of the Doubt: the unit's own weights, which sum to its score.
    let own = |node: usize, m: Member| -> Option<f64> {
        let t = st.unit_weights.iter().find(|t| t.node == node)?;
        let c = index.nodes[node].children.iter().position(|x| *x == m)?;
        Some(t.weights[[u, c]])
    };
    let share = |node: usize, m: Member| -> f64 {
        if let Some(w) = own(node, m) {
            return w;
        }
        let weight = index.member_weight(m);
        match index.nodes[node].aggregation {
            Aggregation::Sum => weight,
            _ => weight / present_weight(node),
        }
    };
    let indicators: Vec<IndicatorLine> = index
        .indicators
        .iter()
        .enumerate()
        .map(|(j, ind)| {
            let z = st.normalised[[u, j]];
            let to_node = if z.is_nan() {
                0.0
            } else {
                share(ind.parent, Member::Indicator(j)) * z
            };
            let mut to_index = to_node;
            let mut node = ind.parent;
            while let Some(p) = index.nodes[node].parent {
                to_index *= share(p, Member::Node(node));
                node = p;
            }
            IndicatorLine {
                id: ind.id.clone(),
                label: ind.label.clone(),
                parent: index.nodes[ind.parent].id.clone(),
                raw: st.raw[[u, j]],
                imputed: st.imputed[[u, j]],
                treated: st.treated[[u, j]],
                normalised: z,
                contribution_to_node: to_node,
                contribution_to_index: to_index,
                median_raw: median(ranked.iter().map(|&r| st.raw[[r, j]]).collect()),
                median_normalised: median(ranked.iter().map(|&r| st.normalised[[r, j]]).collect()),
            }
        })
        .collect();
    let mut indicators = indicators;
    indicators.sort_by(|a, b| b.contribution_to_index.total_cmp(&a.contribution_to_index));
    let nodes = index
        .nodes
        .iter()
        .enumerate()
        .map(|(n, node)| NodeLine {
            id: node.id.clone(),
            label: node.label.clone(),
            score: st.nodes[[u, n]],
            rank: unit.node_ranks[n],
            median_score: median(ranked.iter().map(|&r| st.nodes[[r, n]]).collect()),
        })
        .collect();
    let within = &index.spec.ranking.within;
    let groups = result
        .data
        .groups
        .iter()
        .zip(&unit.groups)
        .map(|((g, _), v)| {
            let r = within
                .iter()
                .position(|w| w == g)
                .and_then(|p| unit.group_ranks[p]);
            (g.clone(), v.clone(), r)
        })
        .collect();
    Ok(Explanation {
        id: unit.id.clone(),
        name: unit.name.clone(),
        rank: unit.rank,
        ranked_units: ranked.len(),
        score: unit.score,
        groups,
        nodes,
        indicators,
        additive: index.nodes.iter().all(|n| {
            matches!(
                n.aggregation,
                Aggregation::Arithmetic | Aggregation::Sum | Aggregation::Bod(_)
            )
        }),
        weights: node_weights(index)
            .into_iter()
            .enumerate()
            .map(|(n, mut w)| {
                if w.origin == crate::spec::WeightOrigin::UnitOwn {
                    for ((_, s), m) in w.shares.iter_mut().zip(&index.nodes[n].children) {
                        *s = own(n, *m).unwrap_or(f64::NAN);
                    }
                }
                w
            })
            .collect(),
    })
}
