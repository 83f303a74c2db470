//! The one in-memory table: unit ids as strings, one [`Column`] per variable
//! with f64 values (NaN = missing), the text of non-numeric cells, and where
//! every cell came from (for messages).

use super::cell::{Parsed, Separator, parse_cell};
use super::raw::{PositionKind, RawCell, RawTable};
use crate::error::{Error, Location, Result};
use std::collections::HashMap;

/// One variable of the table.
#[derive(Debug, Clone)]
pub struct Column {
    /// Column name (an indicator's `column` refers to it).
    pub name: String,
    /// The file the column came from (for messages).
    pub file: String,
    /// How positions in that file are named.
    pub kind: PositionKind,
    /// One value per unit; NaN when missing or not a number.
    pub values: Vec<f64>,
    /// Cells that are neither numbers nor missing markers, by unit index.
    pub text: HashMap<usize, String>,
    /// The text of numeric cells whose text is not the number's canonical
    /// form (`01`, `1,5`), so ids, codes and groups keep their spelling.
    pub original: HashMap<usize, String>,
    /// The line/row/record each unit's cell came from (0 = no cell).
    pub positions: Vec<u32>,
    /// First cell written with a decimal comma and first with a decimal point,
    /// when both occur (an ambiguous column).
    pub mixed_separators: Option<(u32, u32)>,
    first_comma: Option<u32>,
    first_point: Option<u32>,
}

impl Column {
    /// An empty column for `n` units.
    pub fn new(name: &str, file: &str, kind: PositionKind, n: usize) -> Self {
        Column {
            name: name.to_string(),
            file: file.to_string(),
            kind,
            values: vec![f64::NAN; n],
            text: HashMap::new(),
            original: HashMap::new(),
            positions: vec![0; n],
            mixed_separators: None,
            first_comma: None,
            first_point: None,
        }
    }

    /// Stores a raw cell for unit `unit`, read at `position`.
    pub fn set(
        &mut self,
        unit: usize,
        cell: &RawCell,
        position: u32,
        decimal_comma: bool,
        missing: &[String],
    ) {
        self.positions[unit] = position;
        match parse_cell(cell, decimal_comma, missing) {
            Parsed::Missing => self.values[unit] = f64::NAN,
            Parsed::Number(v, sep) => {
                self.values[unit] = v;
                if let RawCell::Text(t) = cell {
                    let t = t.trim();
                    if !plainly_canonical(t) && t != format!("{v}") {
                        self.original.insert(unit, t.to_string());
                    }
                }
                match sep {
                    Separator::Comma => {
                        self.first_comma.get_or_insert(position);
                    }
                    Separator::Point => {
                        self.first_point.get_or_insert(position);
                    }
                    Separator::None => {}
                }
                if let (Some(c), Some(p)) = (self.first_comma, self.first_point) {
                    self.mixed_separators.get_or_insert((c, p));
                }
            }
            Parsed::Text(t) => {
                self.values[unit] = f64::NAN;
                self.text.insert(unit, t.to_string());
            }
        }
    }

    /// Location of unit `unit`'s cell.
    pub fn location(&self, unit: usize) -> Location {
        let p = self.positions.get(unit).copied().unwrap_or(0);
        Location {
            file: self.file.clone(),
            position: if p == 0 {
                String::new()
            } else {
                self.kind.describe(p)
            },
            column: Some(self.name.clone()),
        }
    }

    /// The cell's text (numbers formatted, missing = empty).
    pub fn text_of(&self, unit: usize) -> String {
        if let Some(t) = self.text.get(&unit).or_else(|| self.original.get(&unit)) {
            return t.clone();
        }
        let v = self.values[unit];
        if v.is_nan() {
            String::new()
        } else {
            format!("{v}")
        }
    }

    /// Numeric values, or an error for every cell that is text (all of them
    /// listed, up to 10) and for mixed decimal separators.
    pub fn numeric(&self, ids: &[String]) -> Result<&[f64]> {
        let mut errors = Vec::new();
        if let Some((c, p)) = self.mixed_separators {
            errors.push(
                Error::data(
                    self.location(usize::MAX),
                    format!(
                        "mixed decimal separators: {} uses a decimal comma, {} a decimal point",
                        self.kind.describe(c),
                        self.kind.describe(p)
                    ),
                )
                .with_hint(
                    "use one decimal separator in the whole file (set data.decimal if needed)",
                ),
            );
        }
        let mut bad: Vec<(&usize, &String)> = self.text.iter().collect();
        bad.sort();
        for &(&u, t) in bad.iter().take(10) {
            errors.push(
                Error::data(
                    self.location(u),
                    format!("'{t}' (unit {}) is not a number", ids[u]),
                )
                .with_hint(
                    "write a number, or leave the cell empty (or NA, .., -) for a missing value; \
                     for yes/no answers use normalise = { method = \"categorical\", map = { ... } }",
                ),
            );
        }
        if bad.len() > 10 {
            errors.push(Error::data(
                self.location(usize::MAX),
                format!("... and {} more non-numeric cells", bad.len() - 10),
            ));
        }
        Error::collect(errors).map(|_| self.values.as_slice())
    }

    /// A copy laid out for `n` units, cell `source` going to row `target`
    /// for each `(source, target)` pair; other rows are empty.
    pub fn moved(&self, n: usize, pairs: impl Iterator<Item = (usize, usize)>) -> Column {
        let mut out = Column::new(&self.name, &self.file, self.kind, n);
        out.mixed_separators = self.mixed_separators;
        for (u, target) in pairs {
            out.values[target] = self.values[u];
            out.positions[target] = self.positions[u];
            if let Some(t) = self.text.get(&u) {
                out.text.insert(target, t.clone());
            }
            if let Some(t) = self.original.get(&u) {
                out.original.insert(target, t.clone());
            }
        }
        out
    }

    /// Number of units with a value (numeric or text).
    pub fn present(&self) -> usize {
        self.values.iter().filter(|v| !v.is_nan()).count() + self.text.len()
    }
}

/// Whether a number's text is certainly what `format!("{v}")` gives back
/// (a cheap test that spares formatting most cells): no sign, exponent or
/// separator, no superfluous zeros, at most 15 significant digits.
fn plainly_canonical(t: &str) -> bool {
    let b = t.as_bytes();
    if b.is_empty() || b.len() > 16 || !b.iter().all(|c| c.is_ascii_digit() || *c == b'.') {
        return false;
    }
    let dots = b.iter().filter(|c| **c == b'.').count();
    let int_end = b.iter().position(|c| *c == b'.').unwrap_or(b.len());
    let leading_zero = int_end > 1 && b[0] == b'0';
    match dots {
        0 => !leading_zero,
        1 => int_end > 0 && int_end + 1 < b.len() && !leading_zero && b[b.len() - 1] != b'0',
        _ => false,
    }
}

/// Units (rows) by variables (columns).
#[derive(Debug, Clone, Default)]
pub struct Table {
    /// Unit ids, always strings (`0114`), in order of first appearance.
    pub ids: Vec<String>,
    /// The variables.
    pub columns: Vec<Column>,
    /// How each file was read (encoding, delimiter, year kept...).
    pub sources: Vec<String>,
    id_index: HashMap<String, usize>,
}

impl Table {
    /// An empty table with these unit ids (which must be unique).
    pub fn with_ids(ids: Vec<String>) -> Self {
        let id_index = ids
            .iter()
            .enumerate()
            .map(|(i, s)| (s.clone(), i))
            .collect();
        Table {
            ids,
            columns: Vec::new(),
            sources: Vec::new(),
            id_index,
        }
    }

    /// Number of units.
    pub fn len(&self) -> usize {
        self.ids.len()
    }

    /// Whether the table has no units.
    pub fn is_empty(&self) -> bool {
        self.ids.is_empty()
    }

    /// The unit index of an id.
    pub fn unit(&self, id: &str) -> Option<usize> {
        self.id_index.get(id).copied()
    }

    /// A column by name.
    pub fn column(&self, name: &str) -> Option<&Column> {
        self.columns.iter().find(|c| c.name == name)
    }

    /// Column names.
    pub fn column_names(&self) -> Vec<&str> {
        self.columns.iter().map(|c| c.name.as_str()).collect()
    }

    /// Joins tables by unit id (outer join, ids in order of first appearance).
    /// A column in two tables must agree on every shared unit.
    pub fn merge(tables: Vec<Table>) -> Result<Table> {
        let mut ids: Vec<String> = Vec::new();
        let mut index: HashMap<String, usize> = HashMap::new();
        for t in &tables {
            for id in &t.ids {
                if !index.contains_key(id) {
                    index.insert(id.clone(), ids.len());
                    ids.push(id.clone());
                }
            }
        }
        let n = ids.len();
        let mut out = Table::with_ids(ids);
        // Column positions by name: linear in the number of columns.
        let mut by_name: HashMap<String, usize> = HashMap::new();
        for t in tables {
            out.sources.extend(t.sources);
            let map: Vec<usize> = t.ids.iter().map(|id| index[id]).collect();
            for col in t.columns {
                let moved = col.moved(n, map.iter().enumerate().map(|(u, &target)| (u, target)));
                match by_name.get(&moved.name) {
                    None => {
                        by_name.insert(moved.name.clone(), out.columns.len());
                        out.columns.push(moved);
                    }
                    Some(&c) => merge_column(&mut out.columns[c], moved, &out.ids)?,
                }
            }
        }
        Ok(out)
    }

    /// Keeps only the units of `ids` (in that order); returns the ids that
    /// were in the data but not in the list.
    pub fn restrict(&mut self, ids: &[String]) -> Vec<String> {
        let keep: Vec<Option<usize>> = ids.iter().map(|id| self.unit(id)).collect();
        let listed: std::collections::HashSet<&String> = ids.iter().collect();
        let dropped: Vec<String> = self
            .ids
            .iter()
            .filter(|id| !listed.contains(id))
            .cloned()
            .collect();
        for col in &mut self.columns {
            let pairs = keep
                .iter()
                .enumerate()
                .filter_map(|(target, src)| src.map(|u| (u, target)));
            *col = col.moved(ids.len(), pairs);
        }
        let sources = std::mem::take(&mut self.sources);
        let columns = std::mem::take(&mut self.columns);
        *self = Table::with_ids(ids.to_vec());
        self.sources = sources;
        self.columns = columns;
        dropped
    }
}

/// A column given by two files: fill gaps, refuse conflicting values.
fn merge_column(existing: &mut Column, other: Column, ids: &[String]) -> Result<()> {
    for (u, id) in ids.iter().enumerate() {
        if other.positions[u] == 0 {
            continue;
        }
        if existing.positions[u] == 0 {
            existing.values[u] = other.values[u];
            existing.positions[u] = other.positions[u];
            if let Some(t) = other.text.get(&u) {
                existing.text.insert(u, t.clone());
            }
            if let Some(t) = other.original.get(&u) {
                existing.original.insert(u, t.clone());
            }
            continue;
        }
        let (a, b) = (existing.values[u], other.values[u]);
        let same = if !a.is_nan() && !b.is_nan() {
            a == b
        } else {
            existing.text_of(u) == other.text_of(u)
        };
        if !same {
            return Err(Error::data(
                other.location(u),
                format!(
                    "unit {} has '{}' here but '{}' in {} ({})",
                    id,
                    other.text_of(u),
                    existing.text_of(u),
                    existing.file,
                    existing.kind.describe(existing.positions[u])
                ),
            )
            .with_hint("a column may appear in several files only with the same values; rename or drop one"));
        }
    }
    Ok(())
}

/// How a file's ids are read.
#[cfg(test)]
mod tests {
    use super::plainly_canonical;

    #[test]
    fn canonical_numbers_match_their_display() {
        for t in ["0", "1", "12.5", "0.25", "100", "3.14159"] {
            assert!(plainly_canonical(t), "{t}");
            assert_eq!(format!("{}", t.parse::<f64>().unwrap()), t);
        }
        for t in ["01", "1.50", "1.", ".5", "+1", "1e3", "1,5", "-1", "00.5"] {
            assert!(!plainly_canonical(t), "{t}");
        }
    }
}

#[derive(Debug, Clone, Default)]
pub struct IdOptions {
    /// Left-pad numeric ids with zeros to this width (Excel drops the zero of `0114`).
    pub pad: Option<usize>,
}

/// The id text of a cell, trimmed and padded.
pub fn id_text(cell: &RawCell, options: &IdOptions) -> String {
    let mut s = super::cell::cell_text(cell);
    if let Some(w) = options.pad
        && !s.is_empty()
        && s.len() < w
        && s.bytes().all(|b| b.is_ascii_digit())
    {
        s = format!("{}{s}", "0".repeat(w - s.len()));
    }
    s
}

/// The id column's index, or an error listing the columns there are.
pub fn require_column(raw: &RawTable, name: &str, what: &str) -> Result<usize> {
    raw.column(name).ok_or_else(|| {
        Error::data(
            raw.location(None, None),
            format!("no {what} column '{name}'"),
        )
        .with_hint(format!(
            "the columns are: {}{}{}",
            raw.header.join(", "),
            crate::text::suggest(name, raw.header.iter().map(String::as_str))
                .map(|s| format!(" (did you mean '{s}'?)"))
                .unwrap_or_default(),
            if raw.sheets.len() > 1 {
                format!(
                    "; the workbook's sheets are {}: choose one with --sheet, or \
                     files = [{{ path = \"...\", sheet = \"...\" }}] in [data]",
                    raw.sheets.join(", ")
                )
            } else if what == "unit id" {
                "; units.id names the id column of every data file: a unit list \
                 with another id column (municipalities.csv's 'kommun' beside \
                 Kolada's 'geo') goes in units.file, with units.file_id"
                    .to_string()
            } else {
                String::new()
            }
        ))
    })
}
