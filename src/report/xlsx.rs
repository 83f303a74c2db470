//! Excel output: one sheet per table (ranking, node scores, exclusions,
//! audit, and sensitivity when given), bold headers, number formats and
//! frozen header rows; sheet names and headers in English or Swedish.

use super::results::McResults;
use crate::audit::index_audit::Audit;
use crate::error::{Error, Result};
use crate::pipeline::RankResult;
use crate::report::Lang;
use rust_xlsxwriter::{Format, Workbook, Worksheet, XlsxError};

fn xerr(e: XlsxError) -> Error {
    Error::Usage(format!("cannot build the Excel workbook: {e}"))
}

/// Swedish for the workbook's English sheet names, headers and statuses.
const SWEDISH: &[(&str, &str)] = &[
    ("Ranking", "Rangordning"),
    ("Node scores", "Nodpoäng"),
    ("Exclusions", "Ej rangordnade"),
    ("Audit", "Granskning"),
    ("Sensitivity", "Känslighet"),
    ("Rank", "Rang"),
    ("Id", "Kod"),
    ("Name", "Namn"),
    ("Score", "Poäng"),
    ("Coverage", "Täckning"),
    ("Status", "Status"),
    ("Reason", "Skäl"),
    ("Indicator", "Indikator"),
    ("Parent", "Nod"),
    ("Mean", "Medel"),
    ("SD", "Standardavvikelse"),
    ("Skewness", "Skevhet"),
    ("Flags", "Flaggor"),
    ("r with node", "r med noden"),
    ("r with index", "r med indexet"),
    ("Effective weight", "Effektiv vikt"),
    ("Importance share", "Andel av betydelsen"),
    ("Nominal rank", "Nominell rang"),
    ("Median rank", "Medianrang"),
    ("Score mean", "Poäng, medel"),
    ("Score SD", "Poäng, standardavvikelse"),
    ("ranked", "rangordnad"),
    ("scored, not ranked", "beräknad, ej rangordnad"),
];

/// `en` in the workbook's language (as is when there is no translation:
/// node ids, Min, Max, Q5, ...).
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

struct Sheet<'a> {
    ws: &'a mut Worksheet,
    row: u32,
    lang: Lang,
}

impl Sheet<'_> {
    fn header(&mut self, names: &[String], bold: &Format) -> Result<()> {
        let names: Vec<String> = names.iter().map(|n| word(self.lang, n)).collect();
        for (c, n) in names.iter().enumerate() {
            self.ws
                .write_string_with_format(0, c as u16, n, bold)
                .map_err(xerr)?;
            self.ws
                .set_column_width(c as u16, (n.chars().count() as f64 + 2.0).max(10.0))
                .map_err(xerr)?;
        }
        self.ws.set_freeze_panes(1, 0).map_err(xerr)?;
        self.row = 1;
        Ok(())
    }

    fn text(&mut self, c: u16, s: &str) -> Result<()> {
        self.ws
            .write_string(self.row, c, s)
            .map(|_| ())
            .map_err(xerr)
    }

    fn number(&mut self, c: u16, v: f64, f: &Format) -> Result<()> {
        if v.is_finite() {
            self.ws
                .write_number_with_format(self.row, c, v, f)
                .map_err(xerr)?;
        }
        Ok(())
    }
}

/// The workbook's bytes.
pub fn workbook(
    result: &RankResult,
    audit: &Audit,
    mc: Option<&McResults>,
    lang: Lang,
) -> Result<Vec<u8>> {
    let mut book = Workbook::new();
    let bold = Format::new().set_bold().set_background_color("#DCE6F1");
    let dec = Format::new().set_num_format("0.000");
    let int = Format::new().set_num_format("0");
    let pct = Format::new().set_num_format("0.0%");
    let index = &result.index;
    let rank_num = |r: Option<crate::pipeline::Rank>| r.map_or(f64::NAN, |r| r.0);

    // Ranking.
    {
        let ws = book
            .add_worksheet()
            .set_name(word(lang, "Ranking"))
            .map_err(xerr)?;
        let mut s = Sheet { ws, row: 0, lang };
        let mut head: Vec<String> = vec!["Rank".into(), "Id".into(), "Name".into()];
        head.extend(result.data.groups.iter().map(|(g, _)| g.clone()));
        head.extend(["Score".to_string(), "Coverage".into(), "Status".into()]);
        s.header(&head, &bold)?;
        for u in &result.units {
            s.number(0, rank_num(u.rank), &int)?;
            s.text(1, &u.id)?;
            s.text(2, &u.name)?;
            let mut c = 3u16;
            for g in &u.groups {
                s.text(c, g)?;
                c += 1;
            }
            s.number(c, u.score, &dec)?;
            s.number(c + 1, u.coverage, &pct)?;
            let status = if u.rank.is_some() {
                "ranked"
            } else {
                "scored, not ranked"
            };
            s.text(c + 2, &word(lang, status))?;
            s.row += 1;
        }
    }
    // Node scores.
    {
        let ws = book
            .add_worksheet()
            .set_name(word(lang, "Node scores"))
            .map_err(xerr)?;
        let mut s = Sheet { ws, row: 0, lang };
        let mut head: Vec<String> = vec!["Id".into(), "Name".into()];
        head.extend(index.nodes.iter().map(|n| n.id.clone()));
        head.extend(index.nodes.iter().map(|n| format!("rank {}", n.id)));
        s.header(&head, &bold)?;
        let k = index.nodes.len() as u16;
        for u in &result.units {
            s.text(0, &u.id)?;
            s.text(1, &u.name)?;
            for (j, v) in u.nodes.iter().enumerate() {
                s.number(2 + j as u16, *v, &dec)?;
                s.number(2 + k + j as u16, rank_num(u.node_ranks[j]), &int)?;
            }
            s.row += 1;
        }
    }
    // Exclusions.
    {
        let ws = book
            .add_worksheet()
            .set_name(word(lang, "Exclusions"))
            .map_err(xerr)?;
        let mut s = Sheet { ws, row: 0, lang };
        s.header(
            &[
                "Id".into(),
                "Name".into(),
                "Coverage".into(),
                "Reason".into(),
            ],
            &bold,
        )?;
        for e in &result.excluded {
            s.text(0, &e.id)?;
            s.text(1, &e.name)?;
            s.number(2, e.coverage, &pct)?;
            s.text(3, &e.reason)?;
            s.row += 1;
        }
    }
    // Audit.
    {
        let ws = book
            .add_worksheet()
            .set_name(word(lang, "Audit"))
            .map_err(xerr)?;
        let mut s = Sheet { ws, row: 0, lang };
        let head: Vec<String> = [
            "Indicator",
            "Parent",
            "Coverage",
            "Mean",
            "SD",
            "Min",
            "Max",
            "Skewness",
            "Kurtosis",
            "Flags",
            "r with node",
            "r with index",
            "Effective weight",
            "Importance share",
        ]
        .iter()
        .map(|x| x.to_string())
        .collect();
        s.header(&head, &bold)?;
        for i in &audit.indicators {
            s.text(0, &i.id)?;
            s.text(1, &i.parent)?;
            s.number(2, i.coverage, &pct)?;
            for (c, v) in [i.mean, i.sd, i.min, i.max, i.skew, i.kurtosis]
                .iter()
                .enumerate()
            {
                s.number(3 + c as u16, *v, &dec)?;
            }
            s.text(9, &i.flags.join(", "))?;
            for (c, v) in [
                i.r_parent,
                i.r_index,
                i.effective_weight,
                i.importance_share,
            ]
            .iter()
            .enumerate()
            {
                s.number(10 + c as u16, *v, &dec)?;
            }
            s.row += 1;
        }
    }
    // Sensitivity.
    if let Some(mc) = mc {
        let ws = book
            .add_worksheet()
            .set_name(word(lang, "Sensitivity"))
            .map_err(xerr)?;
        let mut s = Sheet { ws, row: 0, lang };
        let top_k = &mc.top_k;
        let mut head: Vec<String> = [
            "Id",
            "Name",
            "Nominal rank",
            "Median rank",
            "Q5",
            "Q95",
            "Score mean",
            "Score SD",
        ]
        .iter()
        .map(|x| x.to_string())
        .collect();
        head.extend(top_k.iter().map(|k| format!("P(rank <= {k})")));
        s.header(&head, &bold)?;
        for u in &mc.units {
            s.text(0, &u.id)?;
            s.text(1, &u.name)?;
            for (c, v) in [u.nominal_rank, u.median_rank, u.q05, u.q95]
                .into_iter()
                .enumerate()
            {
                s.number(2 + c as u16, v, &int)?;
            }
            s.number(6, u.score_mean, &dec)?;
            s.number(7, u.score_sd, &dec)?;
            for (c, &k) in top_k.iter().enumerate() {
                s.number(8 + c as u16, u.p_top(k), &pct)?;
            }
            s.row += 1;
        }
    }
    book.save_to_buffer().map_err(xerr)
}
