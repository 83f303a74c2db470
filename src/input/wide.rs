//! Wide layout: one row per unit, one column per variable.

use super::raw::RawTable;
use super::table::{Column, IdOptions, Table, id_text, require_column};
use crate::error::{Error, Result};
use std::collections::HashMap;

/// Turns a wide raw table into a [`Table`] keyed by `id_column`.
pub fn wide_table(
    raw: &RawTable,
    id_column: &str,
    ids: &IdOptions,
    missing: &[String],
) -> Result<Table> {
    let id_col = require_column(raw, id_column, "unit id")?;
    let mut unit_ids = Vec::with_capacity(raw.rows.len());
    let mut seen: HashMap<String, u32> = HashMap::new();
    let mut errors = Vec::new();
    for row in &raw.rows {
        let id = id_text(&row.cells[id_col], ids);
        if id.is_empty() {
            errors.push(
                Error::data(
                    raw.location(Some(row.position), Some(id_column)),
                    "the unit id is empty",
                )
                .with_hint("every data row needs a unit id; delete rows that are not units"),
            );
            continue;
        }
        if let Some(first) = seen.get(&id) {
            errors.push(
                Error::data(
                    raw.location(Some(row.position), Some(id_column)),
                    format!(
                        "unit id '{id}' appears again (first at {})",
                        raw.kind.describe(*first)
                    ),
                )
                .with_hint("each unit must have one row; remove or merge the duplicate"),
            );
            continue;
        }
        seen.insert(id.clone(), row.position);
        unit_ids.push(id);
    }
    if errors.len() > 20 {
        errors.truncate(20);
    }
    Error::collect(errors)?;
    let n = unit_ids.len();
    let mut table = Table::with_ids(unit_ids);
    for (c, name) in raw.header.iter().enumerate() {
        if c == id_col {
            continue;
        }
        let mut col = Column::new(name, &raw.file, raw.kind, n);
        // Every row has a non-empty, unique id here (errors returned above).
        for (u, row) in raw.rows.iter().enumerate() {
            col.set(u, &row.cells[c], row.position, raw.decimal_comma, missing);
        }
        table.columns.push(col);
    }
    table.sources = raw.notes.clone();
    Ok(table)
}
