//! JSON output: every scored unit with its rank, score, node scores and
//! coverage; every excluded unit with its reason; notes; and the resolved
//! spec with effective weights, so a result can be traced.

use crate::pipeline::{RankResult, UnitResult};
use crate::spec::Index;
use serde_json::{Map, Value, json};

/// A float as JSON (NaN/inf as null).
pub fn num(v: f64) -> Value {
    serde_json::Number::from_f64(v).map_or(Value::Null, Value::Number)
}

fn rank_value(r: Option<crate::pipeline::Rank>) -> Value {
    r.map_or(Value::Null, |r| {
        serde_json::to_value(r).expect("rank serialises")
    })
}

pub use crate::text::fingerprint;

fn unit_json(result: &RankResult, u: &UnitResult) -> Value {
    let index = &result.index;
    let mut nodes = Map::new();
    let mut node_ranks = Map::new();
    for (i, node) in index.nodes.iter().enumerate() {
        nodes.insert(node.id.clone(), num(u.nodes[i]));
        node_ranks.insert(node.id.clone(), rank_value(u.node_ranks[i]));
    }
    let mut groups = Map::new();
    for ((name, _), v) in result.data.groups.iter().zip(&u.groups) {
        groups.insert(name.clone(), Value::String(v.clone()));
    }
    let mut group_ranks = Map::new();
    for (g, r) in index.spec.ranking.within.iter().zip(&u.group_ranks) {
        group_ranks.insert(g.clone(), rank_value(*r));
    }
    let mut o = Map::new();
    o.insert("id".into(), json!(u.id));
    o.insert("name".into(), json!(u.name));
    o.insert("rank".into(), rank_value(u.rank));
    o.insert("ranked".into(), json!(u.rank.is_some()));
    o.insert("score".into(), num(u.score));
    if let Some(r) = u.score_rounded {
        o.insert("score_rounded".into(), num(r));
    }
    o.insert("coverage".into(), num(u.coverage));
    o.insert("groups".into(), Value::Object(groups));
    if !group_ranks.is_empty() {
        o.insert("group_ranks".into(), Value::Object(group_ranks));
    }
    o.insert("nodes".into(), Value::Object(nodes));
    o.insert("node_ranks".into(), Value::Object(node_ranks));
    if !result.stages.unit_weights.is_empty() {
        // The weights each unit chose (Benefit of the Doubt), per node.
        let mut chosen = Map::new();
        for t in &result.stages.unit_weights {
            let node = &index.nodes[t.node];
            let weights: Map<String, Value> = node
                .children
                .iter()
                .enumerate()
                .map(|(c, m)| (index.member_id(*m).to_string(), num(t.weights[[u.row, c]])))
                .collect();
            chosen.insert(node.id.clone(), Value::Object(weights));
        }
        o.insert("unit_weights".into(), Value::Object(chosen));
    }
    o.insert(
        "imputed".into(),
        json!(
            u.imputed
                .iter()
                .map(|&i| index.indicators[i].id.clone())
                .collect::<Vec<_>>()
        ),
    );
    if u.rank.is_none() {
        o.insert(
            "note".into(),
            json!("scored but not ranked (listed in ranking.unranked)"),
        );
    }
    Value::Object(o)
}

/// The resolved spec: hierarchy, methods, and weights as used.
pub fn resolved_spec(index: &Index) -> Value {
    let nodes: Vec<Value> = index
        .nodes
        .iter()
        .enumerate()
        .map(|(i, n)| {
            let parent = n.parent.map(|p| index.nodes[p].id.clone());
            let share = n
                .parent
                .map(|p| n.weight / index.sibling_weight_sum(p))
                .unwrap_or(1.0);
            json!({
                "id": n.id,
                "label": n.label,
                "parent": parent,
                "depth": n.depth,
                "weight": num(n.weight),
                "normalised_weight": num(share),
                "aggregation": n.aggregation,
                "min_coverage": n.min_coverage,
                "children": n.children.iter().map(|m| index.member_id(*m).to_string()).collect::<Vec<_>>(),
                "indicators": n.indicators.len(),
                "is_root": i == 0,
            })
        })
        .collect();
    let indicators: Vec<Value> = index
        .indicators
        .iter()
        .enumerate()
        .map(|(i, ind)| {
            json!({
                "id": ind.id,
                "column": ind.column,
                "label": ind.label,
                "parent": index.nodes[ind.parent].id,
                "direction": ind.direction as i64,
                "weight": num(ind.weight),
                "normalised_weight": num(ind.weight / index.sibling_weight_sum(ind.parent)),
                "effective_weight": num(index.effective_weight(i)),
                "transform": ind.transform,
                "denominator": ind.denominator,
                "per": num(ind.per),
                "normalisation": ind.normalisation,
                "missing": ind.missing,
            })
        })
        .collect();
    let all_arithmetic = index
        .nodes
        .iter()
        .all(|n| matches!(n.aggregation, crate::spec::Aggregation::Arithmetic));
    json!({
        "file": index.spec_name,
        "hash": fingerprint(index.spec_text.as_bytes()),
        "index": { "id": index.root().id, "label": index.root().label },
        "units": index.spec.units,
        "screening": index.spec.screening,
        "missing": index.spec.missing,
        "ranking": index.spec.ranking,
        "effective_weights_note": if all_arithmetic {
            "effective_weight = product of normalised weights from the indicator to the index (exact shares under arithmetic aggregation)"
        } else {
            "effective_weight = product of normalised weights from the indicator to the index (nominal: some nodes are not arithmetic)"
        },
        "nodes": nodes,
        "indicators": indicators,
    })
}

/// The whole result as a JSON value.
pub fn to_value(result: &RankResult) -> Value {
    let ranked = result.units.iter().filter(|u| u.rank.is_some()).count();
    json!({
        "kommunrank": env!("CARGO_PKG_VERSION"),
        "index": { "id": result.index.root().id, "label": result.index.root().label },
        "summary": {
            "units_in_data": result.data.table.len(),
            "ranked": ranked,
            "scored_not_ranked": result.units.len() - ranked,
            "excluded": result.excluded.len(),
        },
        "units": result.units.iter().map(|u| unit_json(result, u)).collect::<Vec<_>>(),
        "excluded": result.excluded.iter().map(|e| json!({
            "id": e.id,
            "name": e.name,
            "reason": e.reason.to_string(),
            "category": e.category,
            "coverage": num(e.coverage),
        })).collect::<Vec<_>>(),
        "notes": result.notes,
        "treatments": result.treatments,
        "sources": result.data.sources,
        "spec": resolved_spec(&result.index),
    })
}

/// The whole result as pretty JSON text (with a final newline).
pub fn to_json(result: &RankResult) -> String {
    let mut s = serde_json::to_string_pretty(&to_value(result)).expect("JSON serialises");
    s.push('\n');
    s
}
