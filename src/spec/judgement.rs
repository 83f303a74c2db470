//! Setting weights from judgements (`[weights]`): the analytic hierarchy
//! process (pairwise comparisons, several judges combined by the geometric
//! mean of their matrices), budget allocation (experts share out points;
//! the weights are the mean shares) and the nodes whose weights the
//! pipeline derives from the data. Reads the files the section names,
//! checks every judgement (naming file, row and column) and sets the
//! weights on the [`Index`]; the types are in [`super::weighting`].

use super::index::{Index, Member};
use super::weighting::*;
use crate::error::{Error, Result};
use crate::input::Base;
use crate::input::{self, RawTable, ReadOptions, cell};

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

/// Weights by the analytic hierarchy process from the pairwise comparisons
/// in `path` (one row per pair, judges optional): each compared node's
/// children get the principal eigenvector of the judges' combined matrix,
/// and the node's origin records the consistency figures.
fn ahp(
    index: &mut Index,
    base: &Base,
    path: &str,
    max_cr: f64,
    origins: &mut [WeightOrigin],
) -> Result<()> {
    let raw = read(base, path)?;
    for (node, judges) in comparisons(index, &raw)? {
        origins[node] = ahp_node(index, &raw, node, &judges, max_cr)?;
    }
    Ok(())
}

/// The comparisons file read into one matrix per node and judge (the
/// reciprocals filled in), every node, child and value checked, and a pair
/// judged twice differently refused.
fn comparisons(index: &Index, raw: &RawTable) -> Result<Vec<(usize, Vec<Judged>)>> {
    let layout = "node, a, b, value (and optionally judge)";
    let (cn, ca, cb, cv) = (
        need_column(raw, "node", layout)?,
        need_column(raw, "a", layout)?,
        need_column(raw, "b", layout)?,
        need_column(raw, "value", layout)?,
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
        let v = judgement(raw, &row.cells[cv], row.position, "value")?;
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
    Ok(matrices)
}

/// Checks one node's matrices (every pair judged, not too many children,
/// consistent enough), sets its children's weights and returns its origin.
fn ahp_node(
    index: &mut Index,
    raw: &RawTable,
    node: usize,
    judges: &[Judged],
    max_cr: f64,
) -> Result<WeightOrigin> {
    let ids: Vec<String> = index.nodes[node]
        .children
        .iter()
        .map(|m| index.member_id(*m).to_string())
        .collect();
    let mut crs = Vec::new();
    for (judge, m) in judges {
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
                format!(
                    "node '{}' has {} children; AHP here takes at most {}",
                    index.nodes[node].id,
                    ids.len(),
                    RANDOM_INDEX.len()
                ),
            )
            .with_hint(
                "group the children into sub-nodes, or use budget allocation ([weights] experts)",
            ));
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
                    format!(
                        "; the judges' own: {}",
                        crs.iter()
                            .map(|c| format!("{c:.3}"))
                            .collect::<Vec<_>>()
                            .join(", ")
                    )
                } else {
                    String::new()
                }
            ),
        )
        .with_hint(
            "revise the judgements, or accept them with [weights] max_cr = a larger value",
        ));
    }
    for (c, m) in index.nodes[node].children.clone().into_iter().enumerate() {
        set_weight(index, m, w[c]);
    }
    Ok(WeightOrigin::Ahp(AhpWeights {
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
    }))
}

/// Sets a member's weight (an indicator's or a node's).
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
