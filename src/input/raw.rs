//! The raw grid every reader produces: a header and rows of cells, each row
//! remembering where it came from. Layouts ([`super::wide`], [`super::long`])
//! turn raw grids into the one [`super::Table`].

pub use super::cell::RawCell;
use super::cell::cell_text;
use crate::error::Location;

/// How positions in a file are named in messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PositionKind {
    /// CSV: the 1-based line number in the file.
    Line,
    /// XLSX: the 1-based row number in the sheet, as Excel shows it.
    Row,
    /// JSON: the 1-based index of the record in the array.
    Record,
}

impl PositionKind {
    /// "line 5", "row 5" or "record 5".
    pub fn describe(self, n: u32) -> String {
        match self {
            PositionKind::Line => format!("line {n}"),
            PositionKind::Row => format!("row {n}"),
            PositionKind::Record => format!("record {n}"),
        }
    }
}

/// One data row and where it came from.
#[derive(Debug, Clone)]
pub struct RawRow {
    /// Line, row or record number (1-based) in the file.
    pub position: u32,
    /// The cells, one per header column (short rows are padded with `Empty`).
    pub cells: Vec<RawCell>,
}

/// A header plus rows, as read from one file (or one sheet).
#[derive(Debug, Clone)]
pub struct RawTable {
    /// The file name as the user gave it (used in messages).
    pub file: String,
    /// How positions are named.
    pub kind: PositionKind,
    /// Column names, trimmed, unique.
    pub header: Vec<String>,
    /// Data rows in file order.
    pub rows: Vec<RawRow>,
    /// Whether `1,5` means 1.5 in this file (CSV with `;` or tab delimiter).
    pub decimal_comma: bool,
    /// What the reader noticed and the user should know (encoding used...).
    pub notes: Vec<String>,
    /// The workbook's sheets (XLSX; empty for other files), for hints.
    pub sheets: Vec<String>,
}

impl RawTable {
    /// The index of a column by name.
    pub fn column(&self, name: &str) -> Option<usize> {
        self.header.iter().position(|h| h == name)
    }

    /// Keeps the rows whose `column` holds one of `values` (cell text, as
    /// written). Returns the rows removed, or None when the table has no
    /// such column (nothing removed).
    pub fn keep_rows(&mut self, column: &str, values: &[String]) -> Option<usize> {
        let c = self.column(column)?;
        let before = self.rows.len();
        self.rows
            .retain(|r| values.contains(&cell_text(&r.cells[c])));
        Some(before - self.rows.len())
    }

    /// A location in this file.
    pub fn location(&self, position: Option<u32>, column: Option<&str>) -> Location {
        Location {
            file: self.file.clone(),
            position: position.map(|p| self.kind.describe(p)).unwrap_or_default(),
            column: column.map(str::to_string),
        }
    }
}
