//! The terminal table: the top and bottom of the ranking, the main node
//! scores, and a summary of who was left out and why.

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
}

impl Default for TableOptions {
    fn default() -> Self {
        TableOptions { top: 15, bottom: 5 }
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
fn missing_data_note(result: &RankResult) -> Option<String> {
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
        .map(|u| format!("{} {} {:.0}%", u.id, u.name, 100.0 * u.coverage))
        .collect();
    let handled = match (imputed, gaps.saturating_sub(imputed)) {
        (0, _) => "none imputed: those units are scored on the indicators they have".to_string(),
        (i, 0) => format!("all {i} imputed"),
        (i, r) => format!("{i} imputed, {r} left out (scored on the indicators present)"),
    };
    Some(format!(
        "Missing data: {} of {} scored units lack some indicators (e.g. {}{}); {} missing values, {}.\n  (coverage and imputed values per unit: --format csv or --format json)",
        partial.len(),
        result.units.len(),
        examples.join(", "),
        if partial.len() > 3 { ", ..." } else { "" },
        gaps,
        handled
    ))
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
    let _ = writeln!(out, "{}", index.root().label);
    let _ = writeln!(
        out,
        "Ranked {} of {} units ({} excluded{}); {:?} ranking{}.",
        ranked.len(),
        result.data.table.len(),
        result.excluded.len(),
        if unranked.is_empty() {
            String::new()
        } else {
            format!(", {} scored but not ranked", unranked.len())
        },
        index.spec.ranking.method,
        index
            .spec
            .ranking
            .round
            .map(|d| format!(", scores rounded to {d} decimals before ranking"))
            .unwrap_or_default()
    );
    out.push('\n');
    // Columns: the root's child nodes (at most 6).
    let dims: Vec<usize> = index
        .root()
        .children
        .iter()
        .filter_map(|m| match m {
            crate::spec::Member::Node(n) => Some(*n),
            _ => None,
        })
        .take(6)
        .collect();
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
        "Rank", "Id", "Name", "Score"
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
            Some(r) if tie_count(r.0) > 1 => format!("{r}="),
            Some(r) => format!("{r} "),
            None => "- ".into(),
        };
        let _ = write!(
            out,
            "{:>6}  {:<id_w$}  {:<name_w$}  {:>width$}",
            rank,
            truncate(&u.id, id_w),
            truncate(&u.name, name_w),
            super::fmt_score(u.score, d)
        );
        for (&n, &w) in dims.iter().zip(&dim_w) {
            let _ = write!(out, "  {:>w$}", super::fmt_score(u.nodes[n], d));
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
            "{:>6}  ({} more)",
            "...",
            ranked.len() - options.top - options.bottom
        );
        for u in &ranked[ranked.len() - options.bottom..] {
            line(u, &mut out);
        }
    }
    if !unranked.is_empty() {
        let _ = writeln!(out, "\nScored but not ranked:");
        for u in &unranked {
            line(u, &mut out);
        }
    }
    if let Some(note) = missing_data_note(result) {
        let _ = writeln!(out, "\n{note}");
    }
    if !result.excluded.is_empty() {
        let k = result.excluded.len();
        let _ = writeln!(
            out,
            "\nNot ranked ({k} unit{}):",
            if k == 1 { "" } else { "s" }
        );
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
                "  {:>4} {cat}: e.g. {}{}",
                list.len(),
                examples.join(", "),
                if list.len() > 3 { ", ..." } else { "" }
            );
            let _ = writeln!(out, "       first reason: {}", list[0].reason);
        }
        let _ = writeln!(
            out,
            "  (every unit and its reason: --format csv or --format json)"
        );
    }
    if !result.notes.is_empty() {
        let _ = writeln!(out, "\nNotes:");
        for n in &result.notes {
            let _ = writeln!(out, "  - {n}");
        }
    }
    if !dims.is_empty() {
        let _ = writeln!(
            out,
            "\nColumns: {}",
            dims.iter()
                .map(|&n| format!("{} = {}", index.nodes[n].id, index.nodes[n].label))
                .collect::<Vec<_>>()
                .join("; ")
        );
    }
    out
}
