//! CSV output: one row per unit of the data (ranked, scored-but-unranked and
//! excluded), so no unit disappears; excluded units carry their reason.

use crate::pipeline::RankResult;

/// The result as CSV text (comma-separated, point decimals, UTF-8).
pub fn to_csv(result: &RankResult) -> String {
    let index = &result.index;
    let ranking = &index.spec.ranking;
    super::csv_text(|w| {
        let mut header: Vec<String> = vec!["rank".into(), "id".into(), "name".into()];
        header.extend(result.data.groups.iter().map(|(g, _)| g.clone()));
        header.push("score".into());
        if ranking.round.is_some() {
            header.push("score_rounded".into());
        }
        header.extend(ranking.within.iter().map(|g| format!("rank_within_{g}")));
        header.extend(index.nodes.iter().skip(1).map(|n| n.id.clone()));
        header.push("coverage".into());
        header.push("status".into());
        w.row(&header);
        let f = super::csv_number;
        for u in &result.units {
            let mut row = vec![
                u.rank.map(|r| r.to_string()).unwrap_or_default(),
                u.id.clone(),
                u.name.clone(),
            ];
            row.extend(u.groups.iter().cloned());
            row.push(f(u.score));
            if ranking.round.is_some() {
                row.push(u.score_rounded.map(f).unwrap_or_default());
            }
            row.extend(
                u.group_ranks
                    .iter()
                    .map(|r| r.map(|r| r.to_string()).unwrap_or_default()),
            );
            row.extend(u.nodes.iter().skip(1).map(|v| f(*v)));
            row.push(f(u.coverage));
            row.push(if u.rank.is_some() {
                "ranked".into()
            } else {
                "not ranked (ranking.unranked)".into()
            });
            w.row(&row);
        }
        for e in &result.excluded {
            let mut row = vec![String::new(), e.id.clone(), e.name.clone()];
            row.extend(result.data.groups.iter().map(|(_, v)| v[e.row].clone()));
            row.push(String::new());
            if ranking.round.is_some() {
                row.push(String::new());
            }
            row.extend(ranking.within.iter().map(|_| String::new()));
            row.extend(index.nodes.iter().skip(1).map(|_| String::new()));
            row.push(f(e.coverage));
            row.push(format!("excluded: {}", e.reason));
            w.row(&row);
        }
    })
}
