//! The COINr preset (`[coinr] imeta = "...", idata = "..."`): a spec that
//! reads a COINr iMeta table (columns `iCode`, `iName`, `Level`, `Parent`,
//! `Direction`, `Weight`, `Type`, optionally `Denominator`) and iData table
//! (`uCode`, `uName`, `Time`, group, denominator and indicator columns) as
//! they are, expanded into the ordinary sections before the spec is read.

use crate::error::{Error, Result};
use crate::input::Base;
use crate::input::{self, ReadOptions};
use serde::{Deserialize, Serialize};
use toml::{Table, Value};

/// `[coinr]`: COINr's metadata and data tables.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CoinrPreset {
    /// The iMeta file (indicators, aggregates, groups, denominators).
    pub imeta: String,
    /// The iData file (one row per unit, and per `Time` when present).
    pub idata: String,
}

/// Expands `[coinr]` in a parsed spec table; `None` when the spec has none.
pub(crate) fn expand(text: &str, name: &str, base: &Base) -> Result<Option<Table>> {
    let Ok(mut table) = text.parse::<Table>() else {
        return Ok(None); // the ordinary path reports the syntax error
    };
    let Some(preset) = table.get("coinr").cloned() else {
        return Ok(None);
    };
    let preset: CoinrPreset = preset.try_into().map_err(|e: toml::de::Error| {
        Error::spec(name, "coinr", e.message().to_string())
            .with_hint("[coinr] takes imeta = \"iMeta.csv\" and idata = \"iData.csv\"")
    })?;
    let read = |path: &str, key: &str| {
        input::read_raw(&base.source(path), &ReadOptions::default()).map_err(|e| match e {
            Error::Io { source, path, .. } => Error::spec(
                name,
                format!("coinr.{key}"),
                format!("cannot read '{}': {source}", path.display()),
            )
            .with_hint("paths are relative to the spec file's folder"),
            e => e,
        })
    };
    let meta = read(&preset.imeta, "imeta")?;
    let data = read(&preset.idata, "idata")?;
    let column = |c: &str| meta.column(c);
    for required in ["iCode", "Parent", "Type"] {
        if column(required).is_none() {
            return Err(Error::data(
                meta.location(None, None),
                format!("a COINr iMeta table needs a '{required}' column"),
            )
            .with_hint(format!(
                "COINr's iMeta columns are iCode, iName, Level, Parent, Direction, Weight, Type (and Denominator); this file has: {}",
                meta.header.join(", ")
            )));
        }
    }
    let cell = |row: &input::RawRow, c: &str| {
        column(c)
            .map(|i| input::cell::cell_text(&row.cells[i]))
            .unwrap_or_default()
    };
    let of_type = |t: &str| -> Vec<&input::RawRow> {
        meta.rows.iter().filter(|r| cell(r, "Type") == t).collect()
    };
    // The index: the aggregate without a parent.
    let roots: Vec<&input::RawRow> = of_type("Aggregate")
        .into_iter()
        .filter(|r| matches!(cell(r, "Parent").as_str(), "" | "NA"))
        .collect();
    if !table.contains_key("index") {
        let [root] = roots.as_slice() else {
            return Err(Error::data(
                meta.location(None, Some("Parent")),
                format!(
                    "{} aggregates have no parent; COINr's iMeta has exactly one (the index)",
                    roots.len()
                ),
            )
            .with_hint("or name the index yourself: [index] id = \"...\""));
        };
        let mut index = Table::new();
        index.insert("id".into(), Value::String(cell(root, "iCode")));
        let label = cell(root, "iName");
        if !label.is_empty() {
            index.insert("label".into(), Value::String(label));
        }
        table.insert("index".into(), Value::Table(index));
    }
    if table
        .get("data")
        .and_then(Value::as_table)
        .is_some_and(|d| d.contains_key("files"))
    {
        return Err(Error::spec(
            name,
            "data.files",
            "[coinr] names the data file (idata); [data] files would be a second one",
        )
        .with_hint("remove data.files, or [coinr] and write the sections yourself"));
    }
    let data_section = table
        .entry("data")
        .or_insert_with(|| Value::Table(Table::new()));
    if let Some(d) = data_section.as_table_mut() {
        d.insert(
            "files".into(),
            Value::Array(vec![Value::String(preset.idata.clone())]),
        );
        if data.column("Time").is_some() && !d.contains_key("year_column") {
            d.insert("year_column".into(), Value::String("Time".into()));
        }
    }
    if !table.contains_key("units") {
        let mut units = Table::new();
        units.insert("id".into(), Value::String("uCode".into()));
        if data.column("uName").is_some() {
            units.insert("name".into(), Value::String("uName".into()));
        }
        let groups: Vec<Value> = of_type("Group")
            .iter()
            .map(|r| cell(r, "iCode"))
            .filter(|g| data.column(g).is_some())
            .map(Value::String)
            .collect();
        units.insert("groups".into(), Value::Array(groups));
        table.insert("units".into(), Value::Table(units));
    }
    let common = |id_filter: &str| {
        let mut t = Table::new();
        t.insert("file".into(), Value::String(preset.imeta.clone()));
        t.insert("id".into(), Value::String("iCode".into()));
        for (key, col) in [
            ("label", "iName"),
            ("parent", "Parent"),
            ("weight", "Weight"),
        ] {
            if column(col).is_some() {
                t.insert(key.into(), Value::String(col.into()));
            }
        }
        let mut filter = Table::new();
        filter.insert("Type".into(), Value::String(id_filter.into()));
        t.insert("filter".into(), Value::Table(filter));
        t.insert(
            "missing".into(),
            Value::Array(vec![Value::String("NA".into())]),
        );
        t
    };
    let mut indicators = common("Indicator");
    for (key, col) in [("direction", "Direction"), ("denominator", "Denominator")] {
        if column(col).is_some() {
            indicators.insert(key.into(), Value::String(col.into()));
        }
    }
    push_table(&mut table, "indicator_table", indicators);
    push_table(&mut table, "node_table", common("Aggregate"));
    Ok(Some(table))
}

fn push_table(table: &mut Table, key: &str, entry: Table) {
    let list = table.entry(key).or_insert_with(|| Value::Array(Vec::new()));
    if let Some(a) = list.as_array_mut() {
        a.push(Value::Table(entry));
    }
}
