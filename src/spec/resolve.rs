//! Resolving a spec into a checked [`Index`]: the hierarchy as a tree of
//! indices, every reference checked, every weight and parameter validated.
//! All problems are collected and reported together.

use super::index::*;
use super::load::LoadedSpec;
use super::model::*;
use crate::error::{Error, Result};
use std::collections::HashMap;

/// The parameters a method may take, as a spec writes them.
#[derive(Debug, Clone, Copy, Default)]
pub struct AggregationParams {
    /// Exponent of `generalised`.
    pub p: Option<f64>,
    /// Penalty weight of `mean_min` (0-1).
    pub alpha: Option<f64>,
    /// Smoothing of `mean_min` (>= 0).
    pub beta: Option<f64>,
    /// Weight bounds of `bod`.
    pub bod: Option<BodBounds>,
}

/// What is wrong with a method and its parameters: the parameter's key
/// (`p`, `alpha`, `beta`, or empty for the method), the problem and a fix.
pub type AggregationProblem = (&'static str, String, &'static str);

/// The aggregation a method name and its parameters make: the one place
/// the spec's nodes and the sensitivity's choices turn names into methods.
pub fn build_aggregation(
    name: AggregationName,
    params: AggregationParams,
) -> std::result::Result<Aggregation, AggregationProblem> {
    let AggregationParams {
        p,
        alpha,
        beta,
        bod,
    } = params;
    if name != AggregationName::Bod && bod.is_some() {
        return Err((
            "bod",
            format!("bod bounds are only used by bod aggregation, not {name:?}"),
            "remove bod, or set aggregation = \"bod\"",
        ));
    }
    if name != AggregationName::Generalised && p.is_some() {
        return Err((
            "p",
            format!("p is only used by generalised aggregation, not {name:?}"),
            "remove p, or set aggregation = \"generalised\"",
        ));
    }
    if name != AggregationName::MeanMin && (alpha.is_some() || beta.is_some()) {
        return Err((
            if alpha.is_some() { "alpha" } else { "beta" },
            format!("alpha and beta are only used by mean_min aggregation, not {name:?}"),
            "remove them, or set aggregation = \"mean_min\"",
        ));
    }
    Ok(match name {
        AggregationName::Arithmetic => Aggregation::Arithmetic,
        AggregationName::Geometric => Aggregation::Geometric,
        AggregationName::Harmonic => Aggregation::Harmonic,
        AggregationName::MazziottaPareto => Aggregation::MazziottaPareto,
        AggregationName::Sum => Aggregation::Sum,
        AggregationName::Copeland => Aggregation::Copeland,
        AggregationName::Bod => {
            let b = bod.unwrap_or_default();
            let share_ok = (0.0..=1.0).contains(&b.min_share)
                && (0.0..=1.0).contains(&b.max_share)
                && b.min_share <= b.max_share;
            let weight_ok = b.min_weight.is_finite()
                && b.min_weight >= 0.0
                && b.max_weight
                    .is_none_or(|m| m.is_finite() && m >= b.min_weight);
            if !share_ok || !weight_ok {
                return Err((
                    "bod",
                    format!(
                        "bounds min_share = {}, max_share = {}, min_weight = {}, max_weight = {} do not fit",
                        b.min_share,
                        b.max_share,
                        b.min_weight,
                        b.max_weight.map_or("none".to_string(), |m| m.to_string())
                    ),
                    "shares lie in 0-1 with min_share <= max_share; weights are >= 0 with min_weight <= max_weight",
                ));
            }
            Aggregation::Bod(b)
        }
        AggregationName::Generalised => match p {
            Some(p) if p.is_finite() && p != 0.0 => Aggregation::Generalised { p },
            Some(p) => {
                return Err((
                    "p",
                    format!("p = {p} is not usable"),
                    "p = 0 is the geometric mean: use aggregation = \"geometric\"; p must be finite",
                ));
            }
            None => {
                return Err((
                    "p",
                    "generalised aggregation needs an exponent p".into(),
                    "add p = 2 (quadratic), p = 0.5, p = -1 (harmonic)...",
                ));
            }
        },
        AggregationName::MeanMin => {
            let alpha = alpha.unwrap_or(0.5);
            let beta = beta.unwrap_or(0.0);
            if !(0.0..=1.0).contains(&alpha) {
                return Err((
                    "alpha",
                    format!("alpha = {alpha} is outside 0-1"),
                    "alpha = 0 is the mean, alpha = 1 with beta = 0 the minimum; e.g. alpha = 0.5",
                ));
            }
            if !(beta.is_finite() && beta >= 0.0) {
                return Err((
                    "beta",
                    format!("beta = {beta} is not a number >= 0"),
                    "beta = 0 penalises the full gap to the minimum; larger beta softens it",
                ));
            }
            Aggregation::MeanMin { alpha, beta }
        }
    })
}

/// [`build_aggregation`] for a spec key, its problem an error naming
/// `key.<parameter>`.
fn aggregation(
    name: AggregationName,
    params: AggregationParams,
    file: &str,
    key: &str,
    errors: &mut Vec<Error>,
) -> Aggregation {
    build_aggregation(name, params).unwrap_or_else(|(param, message, hint)| {
        let at = if param.is_empty() {
            key.to_string()
        } else {
            format!("{key}.{param}")
        };
        errors.push(Error::spec(file, at, message).with_hint(hint));
        Aggregation::Arithmetic
    })
}

/// Checks a normalisation's parameters.
fn check_normalisation(n: &Normalisation, file: &str, key: &str, errors: &mut Vec<Error>) {
    let err = |m: String, h: &str| Error::spec(file, key.to_string(), m).with_hint(h.to_string());
    let finite = |v: f64| v.is_finite();
    match n {
        Normalisation::Minmax { low, high, .. } => {
            if !(finite(*low) && finite(*high) && low < high) {
                errors.push(err(
                    format!("minmax needs low < high (got low = {low}, high = {high})"),
                    "e.g. low = 0, high = 100; use direction = -1 to reverse an indicator",
                ));
            }
        }
        Normalisation::Zscore { mean, sd, .. } => {
            if !(finite(*mean) && finite(*sd) && *sd > 0.0) {
                errors.push(err(
                    format!("zscore needs a finite mean and sd > 0 (got mean = {mean}, sd = {sd})"),
                    "e.g. mean = 100, sd = 10",
                ));
            }
        }
        Normalisation::Goalposts {
            lower,
            upper,
            scale,
            ..
        } => match (lower, upper) {
            (Some(l), Some(u)) if finite(*l) && finite(*u) && l < u && finite(*scale) && *scale > 0.0 => {}
            (Some(l), Some(u)) => errors.push(err(
                format!("goalposts need lower < upper and scale > 0 (got lower = {l}, upper = {u}, scale = {scale})"),
                "for a lower-is-better indicator keep lower < upper and set direction = -1",
            )),
            _ => errors.push(err(
                "goalposts need both lower and upper".into(),
                "add lower = ..., upper = ... (or lower/upper columns in the indicator table)",
            )),
        },
        Normalisation::Rank | Normalisation::None => {}
        Normalisation::Percentile { scale } => {
            if !(finite(*scale) && *scale > 0.0) {
                errors.push(err(format!("scale must be > 0 (got {scale})"), "e.g. scale = 100"));
            }
        }
        Normalisation::Distance { target, scale, .. } => {
            if !(finite(*target) && finite(*scale) && *scale > 0.0) {
                errors.push(err(
                    format!("distance needs a finite target and scale > 0 (got target = {target}, scale = {scale})"),
                    "add target = <the value that scores full marks>",
                ));
            }
        }
        Normalisation::Bands { thresholds, points } => {
            if thresholds.is_empty() || thresholds.iter().any(|t| !t.is_finite()) {
                errors.push(err(
                    "bands need at least one finite threshold".into(),
                    "e.g. thresholds = [1, 10, 50]",
                ));
            } else if thresholds.windows(2).any(|w| w[0] >= w[1]) {
                errors.push(err(
                    format!("band thresholds must increase strictly (got {thresholds:?})"),
                    "sort them; for lower-is-better use direction = -1",
                ));
            }
            if let Some(p) = points {
                if p.len() != thresholds.len() + 1 {
                    errors.push(err(
                        format!(
                            "{} thresholds make {} bands, but {} points were given",
                            thresholds.len(),
                            thresholds.len() + 1,
                            p.len()
                        ),
                        "give one point value per band (below the first threshold included)",
                    ));
                } else if p.iter().any(|v| !v.is_finite()) {
                    errors.push(err("band points must be finite".into(), "use numbers"));
                }
            }
        }
        Normalisation::Categorical { map, .. } => {
            if map.is_empty() || map.values().any(|v| !v.is_finite()) {
                errors.push(err(
                    "categorical needs a map of answers to finite values".into(),
                    "e.g. map = { ja = 1, nej = 0 }",
                ));
            }
        }
    }
}

fn check_treatment(t: &Treatment, file: &str, key: &str, errors: &mut Vec<Error>) {
    match t {
        Treatment::None => {}
        Treatment::Jrc { skew, kurtosis, .. } => {
            if !(skew.is_finite() && *skew > 0.0 && kurtosis.is_finite()) {
                errors.push(
                    Error::spec(
                        file,
                        key,
                        "the JRC rule needs skew > 0 and a finite kurtosis threshold",
                    )
                    .with_hint("the defaults are skew = 2, kurtosis = 3.5"),
                );
            }
        }
        Treatment::Winsorise {
            quantiles: [lo, hi],
        } => {
            if !(0.0 <= *lo && lo < hi && *hi <= 1.0) {
                errors.push(
                    Error::spec(
                        file,
                        key,
                        format!(
                            "winsorising quantiles [{lo}, {hi}] must satisfy 0 <= low < high <= 1"
                        ),
                    )
                    .with_hint("e.g. quantiles = [0.05, 0.95]"),
                );
            }
        }
        Treatment::BoxCox { lambda } => {
            if !lambda.is_finite() {
                errors.push(Error::spec(file, key, "lambda must be finite"));
            }
        }
    }
}

fn check_weight(w: f64, file: &str, key: String, errors: &mut Vec<Error>) {
    if !w.is_finite() || w < 0.0 {
        errors.push(
            Error::spec(file, key, format!("weight {w} is not a finite number >= 0"))
                .with_hint("weights are relative: use e.g. 1, 2 or 0.25"),
        );
    }
}

/// The deepest hierarchy accepted (depth is walked recursively).
const MAX_DEPTH: usize = 1000;

/// The widest `units.id_pad` accepted.
const MAX_ID_PAD: usize = 64;

fn check_share(v: f64, file: &str, key: String, errors: &mut Vec<Error>) {
    if !(0.0..=1.0).contains(&v) {
        errors.push(
            Error::spec(file, key, format!("{v} is not a share between 0 and 1"))
                .with_hint("e.g. 0.5 means half of the indicators must have data"),
        );
    }
}

/// Resolves and checks a loaded spec. Every problem is reported.
pub fn resolve(loaded: &LoadedSpec) -> Result<Index> {
    let spec = &loaded.spec;
    let file = loaded.name.as_str();
    let mut errors = Vec::new();
    let root_id = spec.index.id.trim().to_string();
    if root_id.is_empty() {
        errors.push(Error::spec(file, "index.id", "the index needs an id"));
    }
    let (mut nodes, node_ids) = resolve_nodes(spec, file, &root_id, &mut errors);
    for k in 0..spec.nodes.len() {
        let n = &spec.nodes[k];
        let Some(&me) = node_ids.get(&n.id) else {
            continue;
        };
        if me != k + 1 {
            continue; // a duplicate, reported above
        }
        let parent = parent_of(
            spec,
            file,
            &root_id,
            &node_ids,
            &n.id,
            &n.parent,
            "node",
            &mut errors,
        );
        if let Some(p) = parent {
            nodes[me].parent = Some(p);
        }
    }
    let Ok(in_cycle) = check_hierarchy(&nodes, file, &root_id, &mut errors) else {
        return Err(Error::collect(errors).unwrap_err());
    };
    let indicators = resolve_indicators(spec, file, &root_id, &node_ids, &mut errors);
    check_settings(spec, file, &mut errors);
    let bottom_up = link_children(&mut nodes, &indicators, &in_cycle, file, &mut errors);
    Error::collect(errors)?;
    let weighting = vec![super::weighting::WeightOrigin::Spec; nodes.len()];
    let mut index = Index {
        spec_name: loaded.name.clone(),
        spec_text: loaded.text.clone(),
        base: loaded.base.clone(),
        spec: spec.clone(),
        nodes,
        indicators,
        bottom_up,
        weighting,
    };
    if let Some(section) = &spec.weights {
        index.weighting = super::judgement::derive(&mut index, section)?;
    }
    Ok(index)
}

/// The nodes: the root first, then the spec's `[[node]]`s in order
/// (parents not yet linked), and each id's index.
fn resolve_nodes(
    spec: &SpecFile,
    file: &str,
    root_id: &str,
    errors: &mut Vec<Error>,
) -> (Vec<Node>, HashMap<String, usize>) {
    let mut nodes = vec![Node {
        id: root_id.to_string(),
        label: spec
            .index
            .label
            .clone()
            .unwrap_or_else(|| root_id.to_string()),
        parent: None,
        weight: 1.0,
        aggregation: aggregation(
            spec.index.aggregation,
            AggregationParams {
                p: spec.index.p,
                alpha: spec.index.alpha,
                beta: spec.index.beta,
                bod: spec.index.bod,
            },
            file,
            "index",
            errors,
        ),
        min_coverage: None,
        children: Vec::new(),
        indicators: Vec::new(),
        depth: 0,
    }];
    let mut node_ids: HashMap<String, usize> = HashMap::new();
    node_ids.insert(root_id.to_string(), 0);
    for (k, n) in spec.nodes.iter().enumerate() {
        let key = format!("node '{}'", n.id);
        if n.id.trim().is_empty() {
            errors.push(Error::spec(file, format!("node[{k}].id"), "empty node id"));
            continue;
        }
        if node_ids.contains_key(&n.id) {
            errors.push(
                Error::spec(
                    file,
                    key.clone(),
                    "this node id is used twice (or is the index id)",
                )
                .with_hint("give every node a unique id"),
            );
            continue;
        }
        check_weight(n.weight, file, format!("{key}.weight"), errors);
        if let Some(c) = n.min_coverage {
            check_share(c, file, format!("{key}.min_coverage"), errors);
        }
        node_ids.insert(n.id.clone(), nodes.len());
        nodes.push(Node {
            id: n.id.clone(),
            label: n.label.clone().unwrap_or_else(|| n.id.clone()),
            parent: None,
            weight: n.weight,
            aggregation: aggregation(
                n.aggregation,
                AggregationParams {
                    p: n.p,
                    alpha: n.alpha,
                    beta: n.beta,
                    bod: n.bod,
                },
                file,
                &key,
                errors,
            ),
            min_coverage: n.min_coverage,
            children: Vec::new(),
            indicators: Vec::new(),
            depth: 0,
        });
    }
    (nodes, node_ids)
}

/// Where a node or indicator hangs: its `parent` (default: the root) as a
/// node index, or an error naming the key, with a suggestion.
#[allow(clippy::too_many_arguments)]
fn parent_of(
    spec: &SpecFile,
    file: &str,
    root_id: &str,
    node_ids: &HashMap<String, usize>,
    id: &str,
    parent: &Option<String>,
    what: &str,
    errors: &mut Vec<Error>,
) -> Option<usize> {
    let p = parent.as_deref().unwrap_or(root_id);
    match node_ids.get(p) {
        Some(&i) => Some(i),
        None => {
            let is_indicator = spec.indicators.iter().any(|x| x.id == p);
            let mut e = Error::spec(
                file,
                format!("{what} '{id}'.parent"),
                if is_indicator {
                    format!("parent '{p}' is an indicator; only nodes can have children")
                } else {
                    format!("parent '{p}' is not a node")
                },
            );
            let cands = node_ids.keys().map(String::as_str);
            e = e.with_hint(match super::suggest(p, cands) {
                Some(s) => format!("did you mean '{s}'?"),
                None => {
                    let mut all: Vec<&str> = node_ids.keys().map(String::as_str).collect();
                    all.sort();
                    format!(
                        "add a [[node]] with id = \"{p}\", or use one of: {}",
                        all.join(", ")
                    )
                }
            });
            errors.push(e);
            None
        }
    }
}

/// Checks that walking up from every node reaches the root (no cycle, at
/// most [`MAX_DEPTH`] levels); returns which nodes are in a cycle. Each
/// node is walked once (linear in the number of nodes).
fn check_hierarchy(
    nodes: &[Node],
    file: &str,
    root_id: &str,
    errors: &mut Vec<Error>,
) -> std::result::Result<Vec<bool>, ()> {
    // 0 new, 1 on the walk being made, 2 known to reach the root or a
    // reported cycle.
    let mut in_cycle = vec![false; nodes.len()];
    let mut state = vec![0u8; nodes.len()];
    let mut at = vec![0usize; nodes.len()];
    let mut depth = vec![0usize; nodes.len()];
    let mut depth_reported = false;
    for start in 1..nodes.len() {
        if state[start] != 0 {
            continue;
        }
        let mut path = Vec::new();
        let mut cur = start;
        loop {
            state[cur] = 1;
            at[cur] = path.len();
            path.push(cur);
            match nodes[cur].parent {
                None | Some(0) => break,
                Some(p) if state[p] == 2 => break,
                Some(p) if state[p] == 1 => {
                    let cycle: Vec<usize> = path[at[p]..].to_vec();
                    let names: Vec<&str> = cycle.iter().map(|&c| nodes[c].id.as_str()).collect();
                    errors.push(
                        Error::spec(
                            file,
                            format!("node '{}'.parent", nodes[cycle[0]].id),
                            format!(
                                "the hierarchy has a cycle: {} -> {}",
                                names.join(" -> "),
                                names[0]
                            ),
                        )
                        .with_hint(format!(
                            "one of these nodes must have parent = \"{root_id}\" or another node"
                        )),
                    );
                    for c in cycle {
                        in_cycle[c] = true;
                    }
                    break;
                }
                Some(p) => cur = p,
            }
        }
        // Depths along the walk, from the settled node (or root) it reached.
        let last = *path.last().expect("a walk visits its start");
        let mut d = match nodes[last].parent {
            Some(p) if p != 0 && state[p] == 2 => depth[p],
            _ => 0,
        };
        for &c in path.iter().rev() {
            d += 1;
            depth[c] = d;
            state[c] = 2;
        }
        if d > MAX_DEPTH && !depth_reported {
            depth_reported = true;
            errors.push(
                Error::spec(
                    file,
                    format!("node '{}'.parent", nodes[start].id),
                    format!("the hierarchy is {d} levels deep at this node, more than {MAX_DEPTH}"),
                )
                .with_hint("composite indices have a few levels (indicators, dimensions, index): check the parent keys"),
            );
        }
    }
    if depth_reported {
        return Err(());
    }
    Ok(in_cycle)
}

/// The indicators, in spec order, with their settings checked.
fn resolve_indicators(
    spec: &SpecFile,
    file: &str,
    root_id: &str,
    node_ids: &HashMap<String, usize>,
    errors: &mut Vec<Error>,
) -> Vec<Indicator> {
    let default_norm = spec.normalise.clone().unwrap_or(Normalisation::Minmax {
        low: 0.0,
        high: 100.0,
        if_constant: ConstantPolicy::Error,
    });
    let mut indicators: Vec<Indicator> = Vec::new();
    let mut ind_ids: HashMap<&str, usize> = HashMap::new();
    for (k, s) in spec.indicators.iter().enumerate() {
        let key = format!("indicator '{}'", s.id);
        if s.id.trim().is_empty() {
            errors.push(Error::spec(
                file,
                format!("indicator[{k}].id"),
                "empty indicator id",
            ));
            continue;
        }
        if ind_ids.contains_key(s.id.as_str()) || node_ids.contains_key(&s.id) {
            errors.push(
                Error::spec(
                    file,
                    key,
                    "this id is used twice (by another indicator or a node)",
                )
                .with_hint("give every indicator and node a unique id"),
            );
            continue;
        }
        ind_ids.insert(&s.id, k);
        check_weight(s.weight, file, format!("{key}.weight"), errors);
        if s.direction != 1 && s.direction != -1 {
            errors.push(
                Error::spec(
                    file,
                    format!("{key}.direction"),
                    format!("direction {} is not 1 or -1", s.direction),
                )
                .with_hint("1: higher is better; -1: lower is better"),
            );
        }
        if !s.per.is_finite() || s.per == 0.0 {
            errors.push(Error::spec(
                file,
                format!("{key}.per"),
                format!("per = {} must be a finite non-zero number", s.per),
            ));
        }
        let normalisation = s.normalise.clone().unwrap_or_else(|| default_norm.clone());
        check_normalisation(&normalisation, file, &format!("{key}.normalise"), errors);
        if let Some(t) = s.treat.as_ref().or(spec.treat.as_ref()) {
            check_treatment(t, file, &format!("{key}.treat"), errors);
        }
        let missing = s.missing.unwrap_or(spec.missing.method);
        if missing == MissingMethod::GroupMean && spec.missing.group.is_none() {
            errors.push(
                Error::spec(
                    file,
                    format!("{key}.missing"),
                    "group_mean needs a group column",
                )
                .with_hint("set [missing] group = \"county\" (a column of the data or unit list)"),
            );
        }
        let Some(parent) = parent_of(
            spec,
            file,
            root_id,
            node_ids,
            &s.id,
            &s.parent,
            "indicator",
            errors,
        ) else {
            continue;
        };
        indicators.push(Indicator {
            id: s.id.clone(),
            column: s.column.clone().unwrap_or_else(|| s.id.clone()),
            label: s.label.clone().unwrap_or_else(|| s.id.clone()),
            direction: if s.direction < 0 { -1.0 } else { 1.0 },
            parent,
            weight: s.weight,
            transform: s.transform,
            denominator: s.denominator.clone(),
            per: s.per,
            normalisation,
            missing,
            treatment: s
                .treat
                .clone()
                .or_else(|| spec.treat.clone())
                .unwrap_or(Treatment::None),
        });
    }
    indicators
}

/// Checks the spec's settings outside the hierarchy (missing values,
/// screening, id padding, rounding).
fn check_settings(spec: &SpecFile, file: &str, errors: &mut Vec<Error>) {
    if spec.missing.method == MissingMethod::GroupMean && spec.missing.group.is_none() {
        errors.push(
            Error::spec(file, "missing.method", "group_mean needs a group column")
                .with_hint("set [missing] group = \"county\""),
        );
    }
    check_share(
        spec.screening.min_coverage,
        file,
        "screening.min_coverage".into(),
        errors,
    );
    if let Some(pad) = spec.units.id_pad
        && !(1..=MAX_ID_PAD).contains(&pad)
    {
        errors.push(
            Error::spec(
                file,
                "units.id_pad",
                format!("id_pad = {pad} is not a width of ids (1 to {MAX_ID_PAD})"),
            )
            .with_hint("Swedish municipality codes have 4 digits: id_pad = 4"),
        );
    }
    if let Some(r) = spec.ranking.round
        && r > 12
    {
        errors.push(
            Error::spec(
                file,
                "ranking.round",
                format!("{r} decimals is more than doubles hold"),
            )
            .with_hint("use at most 12 decimals, or remove round"),
        );
    }
}

/// Links every node to its children (nodes first as written, then
/// indicators), sets depths and indicator lists, checks for empty nodes
/// and weights that sum to 0 or overflow; returns the nodes bottom-up.
fn link_children(
    nodes: &mut [Node],
    indicators: &[Indicator],
    in_cycle: &[bool],
    file: &str,
    errors: &mut Vec<Error>,
) -> Vec<usize> {
    for i in 1..nodes.len() {
        if let Some(p) = nodes[i].parent
            && !in_cycle[i]
        {
            nodes[p].children.push(Member::Node(i));
        }
    }
    for (i, ind) in indicators.iter().enumerate() {
        nodes[ind.parent].children.push(Member::Indicator(i));
    }
    // Depth, indicator lists, empty nodes, zero weight sums.
    let mut bottom_up: Vec<usize> = Vec::new();
    fill_depth(nodes, 0, 0, &mut bottom_up);
    bottom_up.reverse();
    for (i, n) in nodes.iter().enumerate() {
        if in_cycle[i] {
            continue;
        }
        let node_key = if i == 0 {
            "index".to_string()
        } else {
            format!("node '{}'", n.id)
        };
        if n.children.is_empty() {
            errors.push(
                Error::spec(
                    file,
                    node_key.clone(),
                    "this node has no indicators or child nodes",
                )
                .with_hint(format!(
                    "give an indicator or node parent = \"{}\", or remove the node",
                    n.id
                )),
            );
            continue;
        }
        let sum: f64 = n
            .children
            .iter()
            .map(|m| match m {
                Member::Indicator(k) => indicators[*k].weight,
                Member::Node(k) => nodes[*k].weight,
            })
            .sum();
        if sum <= 0.0 {
            errors.push(
                Error::spec(
                    file,
                    node_key.clone(),
                    "the weights of its children sum to 0",
                )
                .with_hint("give at least one child a positive weight"),
            );
        } else if !sum.is_finite() {
            errors.push(
                Error::spec(
                    file,
                    node_key.clone(),
                    "the weights of its children are too large to add up (their sum overflows)",
                )
                .with_hint(
                    "weights are relative: scale them down (e.g. 1, 2, 3 or shares that sum to 1)",
                ),
            );
        }
    }
    bottom_up
}

/// Sets depth and indicator lists; pushes nodes in pre-order.
fn fill_depth(nodes: &mut [Node], node: usize, depth: usize, order: &mut Vec<usize>) -> Vec<usize> {
    nodes[node].depth = depth;
    order.push(node);
    let mut below = Vec::new();
    for m in nodes[node].children.clone() {
        match m {
            Member::Indicator(i) => below.push(i),
            Member::Node(c) => below.extend(fill_depth(nodes, c, depth + 1, order)),
        }
    }
    below.sort_unstable();
    nodes[node].indicators = below.clone();
    below
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::input::Base;
    use crate::spec::load::parse_spec;
    use std::path::PathBuf;

    fn resolve_text(text: &str) -> Result<Index> {
        let l = parse_spec(text, "s.toml", Base::Dir(PathBuf::from(".")))?;
        resolve(&l)
    }

    const TREE: &str = r#"
[index]
id = "idx"
[units]
id = "kommun"
[[node]]
id = "a"
weight = 3
[[node]]
id = "b"
weight = 1
[[indicator]]
id = "x"
parent = "a"
[[indicator]]
id = "y"
parent = "a"
weight = 3
[[indicator]]
id = "z"
parent = "b"
"#;

    #[test]
    fn indicators_in_tree_order_keep_each_node_together() {
        // Indicators listed out of their nodes' order in the spec.
        let text = "[index]\nid = \"i\"\n[units]\nid = \"k\"\n[[node]]\nid = \"a\"\n[[node]]\nid = \"b\"\n[[indicator]]\nid = \"b1\"\nparent = \"b\"\n[[indicator]]\nid = \"a1\"\nparent = \"a\"\n[[indicator]]\nid = \"top\"\n[[indicator]]\nid = \"b2\"\nparent = \"b\"\n[[indicator]]\nid = \"a2\"\nparent = \"a\"\n";
        let idx = resolve_text(text).unwrap();
        let ids: Vec<&str> = idx
            .indicators_in_tree_order()
            .into_iter()
            .map(|i| idx.indicators[i].id.as_str())
            .collect();
        let a = ids.iter().position(|&i| i == "a1").unwrap();
        let b = ids.iter().position(|&i| i == "b1").unwrap();
        assert_eq!(&ids[a..a + 2], ["a1", "a2"]);
        assert_eq!(&ids[b..b + 2], ["b1", "b2"]);
        assert_eq!(ids.len(), 5);
        assert_eq!(idx.dimensions().len(), 2);
    }

    #[test]
    fn effective_weights_multiply_down_the_path() {
        let idx = resolve_text(TREE).unwrap();
        let w: Vec<f64> = (0..3).map(|i| idx.effective_weight(i)).collect();
        assert!((w[0] - 0.75 * 0.25).abs() < 1e-15);
        assert!((w[1] - 0.75 * 0.75).abs() < 1e-15);
        assert!((w[2] - 0.25).abs() < 1e-15);
        assert_eq!(idx.bottom_up.last(), Some(&0));
    }

    #[test]
    fn all_structural_problems_are_reported_together() {
        let text = r#"
[index]
id = "idx"
[units]
id = "k"
[[node]]
id = "a"
parent = "b"
[[node]]
id = "b"
parent = "a"
[[node]]
id = "empty"
[[indicator]]
id = "x"
parent = "nodee"
weight = -1
direction = 2
[[indicator]]
id = "y"
parent = "x"
[[indicator]]
id = "z"
normalise = { method = "goalposts", lower = 5, upper = 1 }
"#;
        let e = resolve_text(text).unwrap_err();
        let all = e.to_string();
        for needle in [
            "cycle: a -> b -> a",
            "'empty'",
            "weight -1",
            "direction 2",
            "parent 'x' is an indicator",
            "parent 'nodee' is not a node",
            "lower < upper",
        ] {
            assert!(all.contains(needle), "missing {needle:?} in\n{all}");
        }
    }

    #[test]
    fn direction_words_read_as_numbers_and_others_are_refused() {
        for (word, want) in [("\"lower\"", -1.0), ("\"Higher\"", 1.0), ("-1", -1.0)] {
            let idx = resolve_text(&TREE.replace(
                "id = \"z\"\nparent = \"b\"",
                &format!("id = \"z\"\nparent = \"b\"\ndirection = {word}"),
            ))
            .unwrap();
            assert_eq!(idx.indicators[2].direction, want, "{word}");
        }
        let e = parse_spec(
            &TREE.replace("parent = \"b\"", "parent = \"b\"\ndirection = \"down-ish\""),
            "s.toml",
            Base::Dir(PathBuf::from(".")),
        )
        .unwrap_err()
        .to_string();
        assert!(e.contains("down-ish") && e.contains("\"lower\""), "{e}");
    }

    #[test]
    fn zero_weight_sum_and_nan_weight() {
        let e = resolve_text(&TREE.replace(
            "weight = 3\n[[indicator]]\nid = \"z\"",
            "weight = 3\n[[indicator]]\nid = \"z\"\nweight = 0",
        ))
        .unwrap_err();
        assert!(
            e.to_string()
                .contains("node 'b': the weights of its children sum to 0"),
            "{e}"
        );
        let e = resolve_text(&TREE.replace("weight = 1\n", "weight = nan\n")).unwrap_err();
        assert!(e.to_string().contains("weight NaN"), "{e}");
    }

    #[test]
    fn generalised_needs_p() {
        let e = resolve_text(&TREE.replace(
            "[[node]]\nid = \"b\"",
            "[[node]]\nid = \"b\"\naggregation = \"generalised\"",
        ))
        .unwrap_err();
        assert!(e.to_string().contains("needs an exponent p"), "{e}");
    }
}
