//! The terminal table: the top and bottom of the ranking, the main node
//! scores, and a summary of who was left out and why.

use super::Lang;
use super::words;
use super::words::either as t;
use crate::pipeline::{RankResult, UnitResult};
use std::collections::BTreeMap;
use std::fmt::Write;

/// How many units the table shows at the top and at the bottom.
#[derive(Debug, Clone, Copy)]
pub struct TableOptions {
    /// Units shown from the top.
    pub top: usize,
    /// Units shown from the bottom.
    pub bottom: usize,
    /// The language of words and numbers.
    pub lang: Lang,
}

impl Default for TableOptions {
    fn default() -> Self {
        TableOptions {
            top: 15,
            bottom: 5,
            lang: Lang::En,
        }
    }
}

/// An exclusion category in words.
fn category(cat: &str, lang: Lang) -> &str {
    match (lang, cat) {
        (Lang::En, c) => c,
        (Lang::Sv, "no data") => "inga data",
        (Lang::Sv, "low coverage") => "låg täckning",
        (Lang::Sv, "low node coverage") => "låg täckning i en nod",
        (Lang::Sv, "no score") => "ingen poäng",
        (Lang::Sv, "not scored") => "ej beräknade",
        (Lang::Sv, c) => c,
    }
}

fn decimals(result: &RankResult) -> usize {
    if let Some(d) = result.index.spec.ranking.round {
        return d as usize;
    }
    let all_integral = result
        .units
        .iter()
        .all(|u| u.nodes.iter().all(|v| v.is_nan() || v.fract() == 0.0));
    if all_integral { 0 } else { 2 }
}

/// A note on the scored units that lack some indicators: how many, a few
/// of them with their coverage, and how their gaps were handled (imputed,
/// or left out with the weights re-spread over the indicators present).
fn missing_data_note(result: &RankResult, lang: Lang) -> Option<String> {
    let partial: Vec<&UnitResult> = result.units.iter().filter(|u| u.coverage < 1.0).collect();
    if partial.is_empty() {
        return None;
    }
    let k = result.index.indicators.len() as f64;
    let gaps: usize = partial
        .iter()
        .map(|u| ((1.0 - u.coverage) * k).round() as usize)
        .sum();
    let imputed: usize = partial.iter().map(|u| u.imputed.len()).sum();
    let examples: Vec<String> = partial
        .iter()
        .take(3)
        .map(|u| {
            format!(
                "{} {} {}",
                u.id,
                u.name,
                words::percent(round_percent(u.coverage), lang)
            )
        })
        .collect();
    let more = if partial.len() > 3 { ", ..." } else { "" };
    Some(match lang {
        Lang::En => format!(
            "Missing data: {} of {} scored units lack some indicators (e.g. {}{more}); {gaps} missing values, {}.\n  (coverage and imputed values per unit: --format csv or --format json)",
            partial.len(),
            result.units.len(),
            examples.join(", "),
            match (imputed, gaps.saturating_sub(imputed)) {
                (0, _) =>
                    "none imputed: those units are scored on the indicators they have".to_string(),
                (i, 0) => format!("all {i} imputed"),
                (i, r) => format!("{i} imputed, {r} left out (scored on the indicators present)"),
            }
        ),
        Lang::Sv => format!(
            "Saknade data: {} av {} beräknade enheter saknar några indikatorer (t.ex. {}{more}); {gaps} saknade värden, {}.\n  (täckning och imputerade värden per enhet: --format csv eller --format json)",
            partial.len(),
            result.units.len(),
            examples.join(", "),
            match (imputed, gaps.saturating_sub(imputed)) {
                (0, _) =>
                    "inga imputerade: de enheterna beräknas på de indikatorer de har".to_string(),
                (i, 0) => format!("alla {i} imputerade"),
                (i, r) => format!(
                    "{i} imputerade, {r} utelämnade (beräknade på de indikatorer som finns)"
                ),
            }
        ),
    })
}

/// A share rounded to a whole percent (as the note shows it).
fn round_percent(share: f64) -> f64 {
    (share * 100.0).round() / 100.0
}

fn truncate(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_string()
    } else {
        let mut t: String = s.chars().take(n - 1).collect();
        t.push('…');
        t
    }
}

/// Renders the ranking for a terminal.
pub fn to_table(result: &RankResult, options: TableOptions) -> String {
    let index = &result.index;
    let mut out = String::new();
    let ranked: Vec<&UnitResult> = result.units.iter().filter(|u| u.rank.is_some()).collect();
    let unranked: Vec<&UnitResult> = result.units.iter().filter(|u| u.rank.is_none()).collect();
    let lang = options.lang;
    let _ = writeln!(out, "{}", index.root().label);
    headline(&mut out, result, ranked.len(), unranked.len(), lang);
    out.push('\n');
    // Columns: the root's child nodes (at most 6).
    let dims: Vec<usize> = index.dimensions().into_iter().take(6).collect();
    let d = decimals(result);
    let width = 8.max(d + 5);
    let name_w = super::column_width(
        ranked.iter().chain(&unranked).map(|u| u.name.as_str()),
        4,
        28,
    );
    let id_w = super::column_width(result.units.iter().map(|u| u.id.as_str()), 2, 12);
    let mut header = format!(
        "{:>6}  {:<id_w$}  {:<name_w$}  {:>width$}",
        t(lang, "Rank", "Rang"),
        t(lang, "Id", "Kod"),
        t(lang, "Name", "Namn"),
        t(lang, "Score", "Poäng")
    );
    let dim_w: Vec<usize> = dims
        .iter()
        .map(|&n| index.nodes[n].id.chars().count().clamp(width, 16))
        .collect();
    for (&n, &w) in dims.iter().zip(&dim_w) {
        let _ = write!(header, "  {:>w$}", truncate(&index.nodes[n].id, w));
    }
    let _ = writeln!(out, "{header}");
    let _ = writeln!(out, "{}", "-".repeat(header.chars().count()));
    let tie_count = |r: f64| {
        ranked
            .iter()
            .filter(|u| u.rank.map(|x| x.0) == Some(r))
            .count()
    };
    let line = |u: &UnitResult, out: &mut String| {
        let rank = match u.rank {
            Some(r) if tie_count(r.0) > 1 => format!("{}=", words::plain(r.0, lang)),
            Some(r) => format!("{} ", words::plain(r.0, lang)),
            None => "- ".into(),
        };
        let _ = write!(
            out,
            "{:>6}  {:<id_w$}  {:<name_w$}  {:>width$}",
            rank,
            truncate(&u.id, id_w),
            truncate(&u.name, name_w),
            super::fmt_score(u.score, d, lang)
        );
        for (&n, &w) in dims.iter().zip(&dim_w) {
            let _ = write!(out, "  {:>w$}", super::fmt_score(u.nodes[n], d, lang));
        }
        out.push('\n');
    };
    if ranked.len() <= options.top + options.bottom + 1 {
        for u in &ranked {
            line(u, &mut out);
        }
    } else {
        for u in &ranked[..options.top] {
            line(u, &mut out);
        }
        let _ = writeln!(
            out,
            "{:>6}  ({} {})",
            "...",
            ranked.len() - options.top - options.bottom,
            t(lang, "more", "till")
        );
        for u in &ranked[ranked.len() - options.bottom..] {
            line(u, &mut out);
        }
    }
    if !unranked.is_empty() {
        let _ = writeln!(
            out,
            "\n{}",
            t(
                lang,
                "Scored but not ranked:",
                "Beräknade men inte rangordnade:"
            )
        );
        for u in &unranked {
            line(u, &mut out);
        }
    }
    if let Some(note) = missing_data_note(result, lang) {
        let _ = writeln!(out, "\n{note}");
    }
    exclusions_text(&mut out, result, lang);
    if !result.notes.is_empty() {
        let _ = writeln!(out, "\n{}", t(lang, "Notes:", "Att notera:"));
        for n in &result.notes {
            let _ = writeln!(out, "  - {}", words::note(n, lang));
        }
    }
    if !dims.is_empty() {
        let _ = writeln!(
            out,
            "\n{}: {}",
            t(lang, "Columns", "Kolumner"),
            dims.iter()
                .map(|&n| format!("{} = {}", index.nodes[n].id, index.nodes[n].label))
                .collect::<Vec<_>>()
                .join("; ")
        );
    }
    out
}

/// The table's headline: how many units were ranked, excluded or only
/// scored, and the ranking rule.
fn headline(o: &mut String, result: &RankResult, ranked: usize, unranked: usize, lang: Lang) {
    let ranking = &result.index.spec.ranking;
    let (total, excluded) = (result.data.table.len(), result.excluded.len());
    let only_scored = match (unranked, lang) {
        (0, _) => String::new(),
        (u, Lang::En) => format!(", {u} scored but not ranked"),
        (u, Lang::Sv) => format!(", {u} beräknade men inte rangordnade"),
    };
    let rounded = match (ranking.round, lang) {
        (None, _) => String::new(),
        (Some(d), Lang::En) => format!(", scores rounded to {d} decimals before ranking"),
        (Some(d), Lang::Sv) => format!(", poängen avrundade till {d} decimaler före rangordningen"),
    };
    let _ = match lang {
        Lang::En => writeln!(
            o,
            "Ranked {ranked} of {total} units ({excluded} excluded{only_scored}); {:?} ranking{rounded}.",
            ranking.method
        ),
        Lang::Sv => writeln!(
            o,
            "{ranked} av {total} enheter rangordnade ({excluded} ej rangordnade{only_scored}); {}{rounded}.",
            words::ranking_method(ranking.method, lang)
        ),
    };
}

/// The units not ranked, by category, with examples and the first reason.
fn exclusions_text(out: &mut String, result: &RankResult, lang: Lang) {
    if result.excluded.is_empty() {
        return;
    }
    let k = result.excluded.len();
    let _ = match lang {
        Lang::En => writeln!(
            out,
            "\nNot ranked ({k} unit{}):",
            if k == 1 { "" } else { "s" }
        ),
        Lang::Sv => writeln!(
            out,
            "\nEj rangordnade ({k} {}):",
            if k == 1 { "enhet" } else { "enheter" }
        ),
    };
    let mut by: BTreeMap<&str, Vec<&crate::pipeline::Exclusion>> = BTreeMap::new();
    for e in &result.excluded {
        by.entry(e.category).or_default().push(e);
    }
    for (cat, list) in by {
        let examples: Vec<String> = list
            .iter()
            .take(3)
            .map(|e| format!("{} {}", e.id, e.name))
            .collect();
        let _ = writeln!(
            out,
            "  {:>4} {}: {} {}{}",
            list.len(),
            category(cat, lang),
            t(lang, "e.g.", "t.ex."),
            examples.join(", "),
            if list.len() > 3 { ", ..." } else { "" }
        );
        let _ = writeln!(
            out,
            "       {}: {}",
            t(lang, "first reason", "första skälet"),
            words::exclusion(&list[0].reason, lang)
        );
    }
    let _ = writeln!(
        out,
        "  ({})",
        t(
            lang,
            "every unit and its reason: --format csv or --format json",
            "varje enhet och dess skäl: --format csv eller --format json"
        )
    );
}
