//! Long layouts as Kolada publishes them, pivoted to a [`Table`] for one year:
//! - panel: `geo,year,<kpi>[,<kpi2>...]` (every other column is a variable);
//! - records: `unit,indicator,value[,year]`.

use super::raw::{RawCell, RawTable};
use super::table::{Column, IdOptions, Table, id_text, require_column};
use crate::error::{Error, Result};
use std::collections::{BTreeSet, HashMap};

/// How a long file is laid out.
#[derive(Debug, Clone)]
pub struct LongOptions {
    /// The unit id column (`geo` in Kolada).
    pub id_column: String,
    /// The year column; `None` when the file has none.
    pub year_column: Option<String>,
    /// The year to keep; required when the file holds several years.
    pub year: Option<i64>,
    /// For `unit,indicator,value` files: the indicator-name column.
    pub indicator_column: Option<String>,
    /// For `unit,indicator,value` files: the value column.
    pub value_column: Option<String>,
}

/// Pivots a long raw table to one row per unit for the chosen year.
pub fn long_table(
    raw: &RawTable,
    options: &LongOptions,
    ids: &IdOptions,
    missing: &[String],
) -> Result<Table> {
    let id_col = require_column(raw, &options.id_column, "unit id")?;
    let year_col = match &options.year_column {
        Some(y) => Some(require_column(raw, y, "year")?),
        None => None,
    };
    // Which rows belong to the chosen year.
    let mut years = BTreeSet::new();
    let mut row_years = Vec::with_capacity(raw.rows.len());
    if let Some(yc) = year_col {
        for row in &raw.rows {
            let text = super::cell::cell_text(&row.cells[yc]);
            let year = year_of(&text).ok_or_else(|| {
                Error::data(
                    raw.location(Some(row.position), options.year_column.as_deref()),
                    format!("'{text}' is not a year"),
                )
            })?;
            years.insert(year);
            row_years.push(year);
        }
    }
    let keep_year = match (year_col, options.year) {
        (None, _) => None,
        (Some(_), Some(y)) => {
            if !years.contains(&y) {
                return Err(Error::data(
                    raw.location(None, options.year_column.as_deref()),
                    format!("no rows for year {y}"),
                )
                .with_hint(format!("the file has years {}", year_list(&years))));
            }
            Some(y)
        }
        (Some(_), None) if years.len() <= 1 => years.iter().next().copied(),
        (Some(_), None) => {
            return Err(Error::data(
                raw.location(None, options.year_column.as_deref()),
                format!("the file holds several years ({})", year_list(&years)),
            )
            .with_hint("choose one with data.year in the spec or --year on the command line"));
        }
    };
    let rows: Vec<&super::raw::RawRow> = raw
        .rows
        .iter()
        .enumerate()
        .filter(|(i, _)| keep_year.is_none_or(|y| row_years[*i] == y))
        .map(|(_, r)| r)
        .collect();

    // Units in order of first appearance.
    let mut unit_ids = Vec::new();
    let mut index: HashMap<String, usize> = HashMap::new();
    for row in &rows {
        let id = id_text(&row.cells[id_col], ids);
        if id.is_empty() {
            return Err(Error::data(
                raw.location(Some(row.position), Some(&options.id_column)),
                "the unit id is empty",
            ));
        }
        if !index.contains_key(&id) {
            index.insert(id.clone(), unit_ids.len());
            unit_ids.push(id);
        }
    }
    let n = unit_ids.len();
    let mut table = Table::with_ids(unit_ids);
    let mut cells: Vec<Column> = Vec::new();
    let mut col_index: HashMap<String, usize> = HashMap::new();
    let mut put = |name: &str, u: usize, cell: &RawCell, position: u32| -> Result<()> {
        let c = *col_index.entry(name.to_string()).or_insert_with(|| {
            cells.push(Column::new(name, &raw.file, raw.kind, n));
            cells.len() - 1
        });
        let col = &mut cells[c];
        if col.positions[u] != 0 {
            return Err(Error::data(
                raw.location(Some(position), Some(name)),
                format!(
                    "a second value for unit '{}' and '{name}'{} (the first is at {})",
                    table_id(&index, u),
                    keep_year.map(|y| format!(" in {y}")).unwrap_or_default(),
                    raw.kind.describe(col.positions[u])
                ),
            )
            .with_hint(duplicate_hint(raw, col.positions[u], position, options)));
        }
        col.set(u, cell, position, raw.decimal_comma, missing);
        Ok(())
    };
    match (&options.indicator_column, &options.value_column) {
        (Some(ic), Some(vc)) => {
            let ic_i = require_column(raw, ic, "indicator")?;
            let vc_i = require_column(raw, vc, "value")?;
            for row in &rows {
                let u = index[&id_text(&row.cells[id_col], ids)];
                let name = super::cell::cell_text(&row.cells[ic_i]);
                if name.is_empty() {
                    return Err(Error::data(
                        raw.location(Some(row.position), Some(ic)),
                        "the indicator name is empty",
                    ));
                }
                put(&name, u, &row.cells[vc_i], row.position)?;
            }
        }
        _ => {
            for row in &rows {
                let u = index[&id_text(&row.cells[id_col], ids)];
                for (c, name) in raw.header.iter().enumerate() {
                    if c == id_col || Some(c) == year_col {
                        continue;
                    }
                    put(name, u, &row.cells[c], row.position)?;
                }
            }
        }
    }
    table.columns = cells;
    table.sources = raw.notes.clone();
    if let Some(y) = keep_year
        && years.len() > 1
    {
        table.sources.push(format!(
            "{}: kept year {y} ({} rows); the file also has {}",
            raw.file,
            rows.len(),
            year_list(&years)
        ));
    }
    Ok(table)
}

fn table_id(index: &HashMap<String, usize>, u: usize) -> String {
    index
        .iter()
        .find(|(_, v)| **v == u)
        .map(|(k, _)| k.clone())
        .unwrap_or_default()
}

/// The year a cell's text holds (a whole number, "2022" or "2022.0").
pub fn year_of(text: &str) -> Option<i64> {
    text.parse::<f64>()
        .ok()
        .filter(|y| y.fract() == 0.0)
        .map(|y| y as i64)
}

/// Years as a short list: "2021, 2022", or "2009-2022" for more than four
/// years in a row.
pub fn year_list(years: &BTreeSet<i64>) -> String {
    let v: Vec<i64> = years.iter().copied().collect();
    match v.as_slice() {
        [] => "none".into(),
        [a, .., b] if v.len() > 4 && b - a + 1 == v.len() as i64 => format!("{a}-{b}"),
        _ => v.iter().map(i64::to_string).collect::<Vec<_>>().join(", "),
    }
}
/// What to do about two rows for the same unit, indicator and year: when
/// they differ in another column (Kolada's `gender`: T, K, M), keep one
/// kind with `data.filter`. In a panel (`geo,year,<kpi>...`) every other
/// column holds values, so only a column of text in both rows is named.
fn duplicate_hint(raw: &RawTable, first: u32, second: u32, options: &LongOptions) -> String {
    let row = |p: u32| {
        raw.rows
            .binary_search_by_key(&p, |r| r.position)
            .ok()
            .map(|i| &raw.rows[i])
    };
    let own = [
        Some(&options.id_column),
        options.year_column.as_ref(),
        options.indicator_column.as_ref(),
        options.value_column.as_ref(),
    ];
    if let (Some(a), Some(b)) = (row(first), row(second)) {
        for (c, name) in raw.header.iter().enumerate() {
            let (x, y) = (
                super::cell::cell_text(&a.cells[c]),
                super::cell::cell_text(&b.cells[c]),
            );
            let number = |t: &str| super::cell::parse_number(t, raw.decimal_comma).is_some();
            let values_here = options.indicator_column.is_none() && (number(&x) || number(&y));
            if x != y && !own.contains(&Some(name)) && !values_here {
                return format!(
                    "the rows differ in column '{name}' ({x}, {y}): keep one kind with \
                     filter = {{ {name} = \"{x}\" }} under [data] (kommunrank init: \
                     --filter {name}={x})"
                );
            }
        }
    }
    "keep one row per unit, indicator and year".to_string()
}
