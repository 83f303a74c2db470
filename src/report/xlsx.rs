//! Excel output: one sheet per table (ranking with ranks within groups,
//! node scores, indicator values, exclusions, audit, and sensitivity when
//! given), headers as labels (not ids), bold and frozen, columns fitted to
//! their contents, whole numbers (points) shown as whole numbers; words in
//! English or Swedish (numbers are cells, which Excel shows in its locale).

use super::results::McResults;
use super::words;
use crate::audit::index_audit::Audit;
use crate::error::{Error, Result};
use crate::pipeline::{Rank, RankResult};
use crate::report::Lang;
use rust_xlsxwriter::{Format, Workbook, XlsxError};

fn xerr(e: XlsxError) -> Error {
    Error::Usage(format!("cannot build the Excel workbook: {e}"))
}

/// Swedish for the workbook's English sheet names, headers and statuses.
const SWEDISH: &[(&str, &str)] = &[
    ("Ranking", "Rangordning"),
    ("Node scores", "Nodpoäng"),
    ("Indicators", "Indikatorer"),
    ("Exclusions", "Ej rangordnade"),
    ("Audit", "Granskning"),
    ("Sensitivity", "Känslighet"),
    ("Run statistics", "Körningsstatistik"),
    ("Statistic", "Mått"),
    ("Median", "Median"),
    ("5%", "5 %"),
    ("95%", "95 %"),
    ("Rank", "Rang"),
    ("Id", "Kod"),
    ("Name", "Namn"),
    ("Label", "Benämning"),
    ("Score", "Poäng"),
    ("Rounded score", "Avrundad poäng"),
    ("Coverage", "Täckning"),
    ("Status", "Status"),
    ("Reason", "Skäl"),
    ("Indicator", "Indikator"),
    ("Parent", "Nod"),
    ("Mean", "Medelvärde"),
    ("SD", "Standardavvikelse"),
    ("Min", "Min"),
    ("Max", "Max"),
    ("Skewness", "Skevhet"),
    ("Kurtosis", "Toppighet"),
    ("Flags", "Flaggor"),
    ("r with node", "r med noden"),
    ("r with index", "r med indexet"),
    ("Effective weight", "Effektiv vikt"),
    ("Importance share", "Andel av betydelsen"),
    ("Share of the spread", "Andel av spridningen"),
    ("Nominal rank", "Nominell rang"),
    ("Median rank", "Medianrang"),
    ("Rank 5%", "Rang 5 %"),
    ("Rank 95%", "Rang 95 %"),
    ("Score mean", "Poäng, medelvärde"),
    ("Score SD", "Poäng, standardavvikelse"),
    ("ranked", "rangordnad"),
    ("skewed", "skev"),
    ("low coverage", "låg täckning"),
    ("scored, not ranked", "beräknad, ej rangordnad"),
];

/// `en` in the workbook's language.
fn word(lang: Lang, en: &str) -> String {
    match lang {
        Lang::En => en.to_string(),
        Lang::Sv => SWEDISH
            .iter()
            .find(|(e, _)| *e == en)
            .map_or(en, |(_, sv)| sv)
            .to_string(),
    }
}

/// How a column's numbers are shown.
#[derive(Clone, Copy, PartialEq)]
enum Shown {
    /// Whole numbers when every value is whole (points, ranks), else three
    /// decimals.
    Auto,
    /// A share as a percentage.
    Percent,
}

/// One column of a sheet: its header and cells (text or number).
struct Column {
    header: String,
    shown: Shown,
    cells: Vec<Cell>,
}

enum Cell {
    Text(String),
    Number(f64),
}

impl Column {
    fn new(header: impl Into<String>) -> Self {
        Column {
            header: header.into(),
            shown: Shown::Auto,
            cells: Vec::new(),
        }
    }

    fn percent(mut self) -> Self {
        self.shown = Shown::Percent;
        self
    }

    fn texts<I: IntoIterator<Item = String>>(mut self, v: I) -> Self {
        self.cells.extend(v.into_iter().map(Cell::Text));
        self
    }

    fn numbers<I: IntoIterator<Item = f64>>(mut self, v: I) -> Self {
        self.cells.extend(v.into_iter().map(Cell::Number));
        self
    }

    /// Whether every number is whole.
    fn whole(&self) -> bool {
        self.cells.iter().all(|c| match c {
            Cell::Number(v) => !v.is_finite() || v.fract() == 0.0,
            Cell::Text(_) => true,
        })
    }

    /// The width that shows the header and every cell (in characters).
    fn width(&self, header: &str, whole: bool) -> f64 {
        let cell = |c: &Cell| match c {
            Cell::Text(t) => t.chars().count(),
            Cell::Number(v) if !v.is_finite() => 0,
            Cell::Number(v) => match (self.shown, whole) {
                (Shown::Percent, _) => format!("{:.1}", v * 100.0).len() + 1,
                (Shown::Auto, true) => format!("{v:.0}").len(),
                (Shown::Auto, false) => format!("{v:.3}").len(),
            },
        };
        let longest = self
            .cells
            .iter()
            .map(cell)
            .chain([header.chars().count()])
            .max()
            .unwrap_or(0);
        (longest as f64 + 2.0).clamp(6.0, 60.0)
    }
}

/// Writes a sheet of `columns` (headers translated), bold frozen headers,
/// fitted widths.
fn sheet(book: &mut Workbook, name: &str, columns: &[Column], lang: Lang) -> Result<()> {
    let bold = Format::new().set_bold().set_background_color("#DCE6F1");
    let dec = Format::new().set_num_format("0.000");
    let int = Format::new().set_num_format("0");
    let pct = Format::new().set_num_format("0.0%");
    let ws = book
        .add_worksheet()
        .set_name(word(lang, name))
        .map_err(xerr)?;
    for (c, col) in columns.iter().enumerate() {
        let c = c as u16;
        let header = word(lang, &col.header);
        ws.write_string_with_format(0, c, &header, &bold)
            .map_err(xerr)?;
        let whole = col.whole();
        let format = match (col.shown, whole) {
            (Shown::Percent, _) => &pct,
            (Shown::Auto, true) => &int,
            (Shown::Auto, false) => &dec,
        };
        for (r, cell) in col.cells.iter().enumerate() {
            let r = r as u32 + 1;
            match cell {
                Cell::Text(t) if !t.is_empty() => {
                    ws.write_string(r, c, t).map_err(xerr)?;
                }
                Cell::Number(v) if v.is_finite() => {
                    ws.write_number_with_format(r, c, *v, format)
                        .map_err(xerr)?;
                }
                _ => {}
            }
        }
        ws.set_column_width(c, col.width(&header, whole))
            .map_err(xerr)?;
    }
    ws.set_freeze_panes(1, 0).map_err(xerr)?;
    Ok(())
}

fn rank_number(r: Option<Rank>) -> f64 {
    r.map_or(f64::NAN, |r| r.0)
}

/// The workbook's bytes.
pub fn workbook(
    result: &RankResult,
    audit: &Audit,
    mc: Option<&McResults>,
    lang: Lang,
) -> Result<Vec<u8>> {
    let mut book = Workbook::new();
    sheet(&mut book, "Ranking", &ranking_columns(result, lang), lang)?;
    sheet(&mut book, "Node scores", &node_columns(result, lang), lang)?;
    sheet(&mut book, "Indicators", &indicator_columns(result), lang)?;
    sheet(
        &mut book,
        "Exclusions",
        &exclusion_columns(result, lang),
        lang,
    )?;
    sheet(
        &mut book,
        "Audit",
        &audit_columns(result, audit, lang),
        lang,
    )?;
    if let Some(mc) = mc {
        sheet(
            &mut book,
            "Sensitivity",
            &sensitivity_columns(mc, lang),
            lang,
        )?;
        let statistics = run_statistic_columns(mc, lang);
        sheet(&mut book, "Run statistics", &statistics, lang)?;
    }
    book.save_to_buffer().map_err(xerr)
}

/// The "Ranking" sheet: rank, id, name, groups, score, ranks within
/// groups, status.
fn ranking_columns(result: &RankResult, lang: Lang) -> Vec<Column> {
    let index = &result.index;
    let units = &result.units;
    let ranking = &index.spec.ranking;
    let within = |g: &str| match lang {
        Lang::En => format!("Rank within {g}"),
        Lang::Sv => format!("Rang inom {g}"),
    };
    let mut cols = vec![
        Column::new("Rank").numbers(units.iter().map(|u| rank_number(u.rank))),
        Column::new("Id").texts(units.iter().map(|u| u.id.clone())),
        Column::new("Name").texts(units.iter().map(|u| u.name.clone())),
    ];
    for (g, (group, _)) in result.data.groups.iter().enumerate() {
        cols.push(Column::new(group.clone()).texts(units.iter().map(|u| u.groups[g].clone())));
    }
    cols.push(Column::new("Score").numbers(units.iter().map(|u| u.score)));
    if ranking.round.is_some() {
        cols.push(
            Column::new("Rounded score")
                .numbers(units.iter().map(|u| u.score_rounded.unwrap_or(f64::NAN))),
        );
    }
    for (k, g) in ranking.within.iter().enumerate() {
        cols.push(
            Column::new(within(g)).numbers(units.iter().map(|u| rank_number(u.group_ranks[k]))),
        );
    }
    cols.push(
        Column::new("Coverage")
            .percent()
            .numbers(units.iter().map(|u| u.coverage)),
    );
    cols.push(Column::new("Status").texts(units.iter().map(|u| {
        word(
            lang,
            if u.rank.is_some() {
                "ranked"
            } else {
                "scored, not ranked"
            },
        )
    })));
    cols
}

/// The "Node scores" sheet: node scores and ranks, headed by the nodes' labels.
fn node_columns(result: &RankResult, lang: Lang) -> Vec<Column> {
    let (index, units) = (&result.index, &result.units);
    let mut cols = vec![
        Column::new("Id").texts(units.iter().map(|u| u.id.clone())),
        Column::new("Name").texts(units.iter().map(|u| u.name.clone())),
    ];
    for (j, node) in index.nodes.iter().enumerate() {
        cols.push(Column::new(node.label.clone()).numbers(units.iter().map(|u| u.nodes[j])));
    }
    for (j, node) in index.nodes.iter().enumerate() {
        cols.push(
            Column::new(format!("{}: {}", word(lang, "Rank"), node.label))
                .numbers(units.iter().map(|u| rank_number(u.node_ranks[j]))),
        );
    }
    cols
}

/// The "Indicators" sheet: indicator values as read (every unit of the
/// data, excluded ones too), headed by the indicators' labels.
fn indicator_columns(result: &RankResult) -> Vec<Column> {
    let (index, units) = (&result.index, &result.units);
    let rows: Vec<(usize, &str, &str)> = units
        .iter()
        .map(|u| (u.row, u.id.as_str(), u.name.as_str()))
        .chain(
            result
                .excluded
                .iter()
                .map(|e| (e.row, e.id.as_str(), e.name.as_str())),
        )
        .collect();
    let raw = &result.stages.raw;
    let mut cols = vec![
        Column::new("Id").texts(rows.iter().map(|r| r.1.to_string())),
        Column::new("Name").texts(rows.iter().map(|r| r.2.to_string())),
    ];
    for (i, ind) in index.indicators.iter().enumerate() {
        cols.push(Column::new(ind.label.clone()).numbers(rows.iter().map(|r| raw[[r.0, i]])));
    }
    cols
}

/// The "Exclusions" sheet, with the reasons in the workbook's language.
fn exclusion_columns(result: &RankResult, lang: Lang) -> Vec<Column> {
    let ex = &result.excluded;
    let cols = vec![
        Column::new("Id").texts(ex.iter().map(|e| e.id.clone())),
        Column::new("Name").texts(ex.iter().map(|e| e.name.clone())),
        Column::new("Coverage")
            .percent()
            .numbers(ex.iter().map(|e| e.coverage)),
        Column::new("Reason").texts(ex.iter().map(|e| words::exclusion(&e.reason, lang))),
    ];
    cols
}

/// The "Audit" sheet: each indicator's coverage, distribution, flags,
/// correlations and weight shares.
fn audit_columns(result: &RankResult, audit: &Audit, lang: Lang) -> Vec<Column> {
    let index = &result.index;
    let a = &audit.indicators;
    let label = |id: &str| {
        index
            .indicators
            .iter()
            .find(|i| i.id == id)
            .map_or_else(|| id.to_string(), |i| i.label.clone())
    };
    let mut cols = vec![
        Column::new("Indicator").texts(a.iter().map(|i| i.id.clone())),
        Column::new("Label").texts(a.iter().map(|i| label(&i.id))),
        Column::new("Parent").texts(a.iter().map(|i| i.parent.clone())),
        Column::new("Coverage")
            .percent()
            .numbers(a.iter().map(|i| i.coverage)),
    ];
    type Stat = fn(&crate::audit::index_audit::IndicatorAudit) -> f64;
    let stats: [(&str, Stat); 6] = [
        ("Mean", |i| i.mean),
        ("SD", |i| i.sd),
        ("Min", |i| i.min),
        ("Max", |i| i.max),
        ("Skewness", |i| i.skew),
        ("Kurtosis", |i| i.kurtosis),
    ];
    for (name, f) in stats {
        cols.push(Column::new(name).numbers(a.iter().map(f)));
    }
    cols.push(Column::new("Flags").texts(a.iter().map(|i| {
        i.flags
            .iter()
            .map(|f| word(lang, f))
            .collect::<Vec<_>>()
            .join(", ")
    })));
    let more: [(&str, Stat); 5] = [
        ("r with node", |i| i.r_parent),
        ("r with index", |i| i.r_index),
        ("Effective weight", |i| i.effective_weight),
        ("Share of the spread", |i| i.range_share),
        ("Importance share", |i| i.importance_share),
    ];
    for (name, f) in more {
        cols.push(Column::new(name).numbers(a.iter().map(f)));
    }
    cols
}

/// The "Sensitivity" sheet: each unit's Monte Carlo rank interval, score
/// moments and top-k probabilities.
fn sensitivity_columns(mc: &McResults, lang: Lang) -> Vec<Column> {
    let m = &mc.units;
    let mut cols = vec![
        Column::new("Id").texts(m.iter().map(|u| u.id.clone())),
        Column::new("Name").texts(m.iter().map(|u| u.name.clone())),
        Column::new("Nominal rank").numbers(m.iter().map(|u| u.nominal_rank)),
        Column::new("Median rank").numbers(m.iter().map(|u| u.median_rank)),
        Column::new("Rank 5%").numbers(m.iter().map(|u| u.q05)),
        Column::new("Rank 95%").numbers(m.iter().map(|u| u.q95)),
        Column::new("Score mean").numbers(m.iter().map(|u| u.score_mean)),
        Column::new("Score SD").numbers(m.iter().map(|u| u.score_sd)),
    ];
    for &k in &mc.top_k {
        let header = match lang {
            Lang::En => format!("P(rank <= {k})"),
            Lang::Sv => format!("P(rang ≤ {k})"),
        };
        cols.push(
            Column::new(header)
                .percent()
                .numbers(m.iter().map(|u| u.p_top(k))),
        );
    }
    cols
}

/// The "Run statistics" sheet: every registered per-run statistic over the runs.
fn run_statistic_columns(mc: &McResults, lang: Lang) -> Vec<Column> {
    let stats = crate::sensitivity::statistic::STATISTICS;
    let summaries: Vec<_> = stats.iter().map(|s| mc.statistic(s)).collect();
    let cols = vec![
        Column::new("Statistic").texts(stats.iter().map(|s| {
            match lang {
                Lang::En => s.label,
                Lang::Sv => s.label_sv,
            }
            .to_string()
        })),
        Column::new("Mean").numbers(summaries.iter().map(|s| s.mean)),
        Column::new("Median").numbers(summaries.iter().map(|s| s.median)),
        Column::new("5%").numbers(summaries.iter().map(|s| s.q05)),
        Column::new("95%").numbers(summaries.iter().map(|s| s.q95)),
    ];
    cols
}
