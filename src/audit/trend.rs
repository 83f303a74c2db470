//! Rankings over several years with today's method (a back-series): every
//! year is computed with the same spec, and data-driven normalisations take
//! their parameters (min, max, mean, sd, ranks) from a base year, as DESI
//! fixes its goalposts, so that scores are comparable across years.

use crate::error::{Error, Result};
use crate::input::long::year_list;
use crate::pipeline::{self, BaseReference, DataOverrides, Rank, RankResult};
use crate::spec::Index;
use serde::Serialize;
use std::collections::BTreeSet;

/// One unit over the years.
#[derive(Debug, Clone, Serialize)]
pub struct UnitTrend {
    /// Unit id.
    pub id: String,
    /// Name.
    pub name: String,
    /// Score per year (None: not scored that year).
    pub scores: Vec<Option<f64>>,
    /// Rank per year (None: not ranked that year).
    pub ranks: Vec<Option<Rank>>,
    /// Last minus first score (both years scored).
    pub score_change: Option<f64>,
    /// First minus last rank: positive = moved up.
    pub rank_change: Option<f64>,
}

/// The trend result.
#[derive(Debug, Clone, Serialize)]
pub struct Trend {
    /// The years, in order.
    pub years: Vec<i64>,
    /// The base year of the normalisation parameters.
    pub base_year: i64,
    /// Units, biggest absolute rank change first (then by id).
    pub units: Vec<UnitTrend>,
    /// Per year: units ranked and excluded.
    pub summary: Vec<(i64, usize, usize)>,
    /// Notes from each year's run.
    pub notes: Vec<String>,
}

/// Whether every data file with a year column holds every year asked for
/// (a year some indicators lack would rank a different index): if not, the
/// error names, per year, the files without it and their years, and the
/// years every file has. Called when a year's data fails to load.
fn years_in_every_file(
    index: &Index,
    data: &DataOverrides,
    years: &[i64],
    base_year: i64,
) -> Result<()> {
    let files = pipeline::data_years(index, data)?;
    if files.iter().all(|(_, y)| y.is_none()) {
        return Err(Error::Usage(format!(
            "trend ranks several years, and no data file has a year column ('{}'): {}; \
             give data with a year column (Kolada files have one), or set data.year_column",
            index.spec.data.year_column,
            files
                .iter()
                .map(|(f, _)| f.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        )));
    }
    let dated: Vec<(&str, &BTreeSet<i64>)> = files
        .iter()
        .filter_map(|(f, y)| y.as_ref().map(|y| (f.as_str(), y)))
        .collect();
    let mut wanted: Vec<(i64, &str)> = years.iter().map(|&y| (y, "year")).collect();
    if !years.contains(&base_year) {
        wanted.push((base_year, "base year"));
    }
    let lines: Vec<String> = wanted
        .iter()
        .filter_map(|&(y, what)| {
            let lacking: Vec<String> = dated
                .iter()
                .filter(|(_, have)| !have.contains(&y))
                .map(|(f, have)| format!("{f} (has {})", year_list(have)))
                .collect();
            (!lacking.is_empty()).then(|| {
                format!(
                    "{what} {y} is not in {} of the {} data files: {}",
                    lacking.len(),
                    files.len(),
                    lacking.join(", ")
                )
            })
        })
        .collect();
    if lines.is_empty() {
        return Ok(());
    }
    let common: BTreeSet<i64> = dated
        .iter()
        .map(|(_, y)| (*y).clone())
        .reduce(|a, b| a.intersection(&b).copied().collect())
        .unwrap_or_default();
    let advice = match common.len() {
        0 | 1 => format!(
            "no two years are in every file ({}): leave out the indicators that \
             start later (or end earlier), or rank them in a spec of their own",
            match common.len() {
                0 => "none is".to_string(),
                _ => format!("only {} is", year_list(&common)),
            }
        ),
        _ => format!(
            "the years every file has: {}; rank those (--years {}), or leave out the \
             indicators that start later",
            year_list(&common),
            common
                .iter()
                .map(i64::to_string)
                .collect::<Vec<_>>()
                .join(",")
        ),
    };
    Err(Error::Usage(format!("{}\n{advice}", lines.join("\n"))))
}

/// Ranks every year of `years` with parameters from `base_year`.
pub fn trend(index: &Index, data: &DataOverrides, years: &[i64], base_year: i64) -> Result<Trend> {
    if years.len() < 2 {
        return Err(Error::Usage(
            "--years needs at least two years, e.g. --years 2021,2022".into(),
        ));
    }
    // Years must be there: checked first (data without years cannot trend).
    years_in_every_file(index, data, years, base_year)?;
    // A year's data that fails to load is first explained by the years
    // the files hold (read only then), else by its own error.
    let load = |y: i64| {
        let o = DataOverrides {
            year: Some(y),
            ..data.clone()
        };
        pipeline::load_dataset(index, &o).map_err(|e| {
            match years_in_every_file(index, data, years, base_year) {
                Err(years) => years,
                Ok(()) => Error::Usage(format!("year {y}: {e}")),
            }
        })
    };
    let run_year = |y: i64| -> Result<RankResult> {
        let d = load(y)?;
        pipeline::run(index, d).map_err(|e| Error::Usage(format!("year {y}: {e}")))
    };
    let base = run_year(base_year)?;
    let reference = BaseReference::of(&base);
    let mut results = Vec::new();
    for &y in years {
        let d = load(y)?;
        results.push(
            pipeline::run_with_base(index, d, &reference)
                .map_err(|e| Error::Usage(format!("year {y}: {e}")))?,
        );
    }
    // Units in order of first appearance over the years.
    let mut ids: Vec<(String, String)> = Vec::new();
    for r in &results {
        for (id, name) in r.data.table.ids.iter().zip(&r.data.names) {
            if !ids.iter().any(|(i, _)| i == id) {
                ids.push((id.clone(), name.clone()));
            }
        }
    }
    let mut units: Vec<UnitTrend> = ids
        .into_iter()
        .map(|(id, name)| {
            let found: Vec<Option<&pipeline::UnitResult>> = results
                .iter()
                .map(|r| r.units.iter().find(|u| u.id == id))
                .collect();
            let scores: Vec<Option<f64>> = found.iter().map(|u| u.map(|u| u.score)).collect();
            let ranks: Vec<Option<Rank>> = found.iter().map(|u| u.and_then(|u| u.rank)).collect();
            let score_change = match (
                scores.first().copied().flatten(),
                scores.last().copied().flatten(),
            ) {
                (Some(a), Some(b)) => Some(b - a),
                _ => None,
            };
            let rank_change = match (
                ranks.first().copied().flatten(),
                ranks.last().copied().flatten(),
            ) {
                (Some(a), Some(b)) => Some(a.0 - b.0),
                _ => None,
            };
            UnitTrend {
                id,
                name,
                scores,
                ranks,
                score_change,
                rank_change,
            }
        })
        .collect();
    units.sort_by(|a, b| {
        let key = |u: &UnitTrend| u.rank_change.map_or(-1.0, f64::abs);
        key(b).total_cmp(&key(a)).then_with(|| a.id.cmp(&b.id))
    });
    let summary = years
        .iter()
        .zip(&results)
        .map(|(y, r)| {
            (
                *y,
                r.units.iter().filter(|u| u.rank.is_some()).count(),
                r.excluded.len(),
            )
        })
        .collect();
    let mut notes = Vec::new();
    for (y, r) in years.iter().zip(&results) {
        notes.extend(r.notes.iter().map(|n| format!("{y}: {n}")));
    }
    Ok(Trend {
        years: years.to_vec(),
        base_year,
        units,
        summary,
        notes,
    })
}
