//! CSV output: one row per unit of the data (ranked, scored-but-unranked and
//! excluded), so no unit disappears; excluded units carry their reason.

use super::{Lang, words};
use crate::pipeline::RankResult;

/// The result as CSV text (comma-separated, point decimals, UTF-8; the
/// dialect is applied when it is written); headers and statuses in `lang`
/// (English ones are stable names for scripts).
pub fn to_csv(result: &RankResult, lang: Lang) -> String {
    let index = &result.index;
    let ranking = &index.spec.ranking;
    let t = |en: &'static str, sv: &'static str| words::either(lang, en, sv);
    super::csv_text(|w| {
        let mut header: Vec<String> = vec![
            t("rank", "rang").into(),
            t("id", "kod").into(),
            t("name", "namn").into(),
        ];
        header.extend(result.data.groups.iter().map(|(g, _)| g.clone()));
        header.push(t("score", "poäng").into());
        if ranking.round.is_some() {
            header.push(t("score_rounded", "avrundad_poäng").into());
        }
        header.extend(
            ranking
                .within
                .iter()
                .map(|g| format!("{}{g}", t("rank_within_", "rang_inom_"))),
        );
        header.extend(index.nodes.iter().skip(1).map(|n| n.id.clone()));
        header.push(t("coverage", "täckning").into());
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
                t("ranked", "rangordnad").into()
            } else {
                t(
                    "not ranked (ranking.unranked)",
                    "ej rangordnad (ranking.unranked)",
                )
                .into()
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
            row.push(format!(
                "{}: {}",
                t("excluded", "utesluten"),
                words::exclusion(&e.reason, lang)
            ));
            w.row(&row);
        }
    })
}
