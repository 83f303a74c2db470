//! XLSX reading (one named sheet, or the first sheet) through calamine.
//! The first non-empty row is the header; Excel row numbers are kept for messages.

use super::csv::check_header;
use super::raw::{PositionKind, RawCell, RawRow, RawTable};
use crate::error::{Error, Location, Result};
use calamine::{Data, Reader, Xlsx};
use std::io::Cursor;

/// Reads a sheet (`None`: the first) of an XLSX workbook given as bytes.
pub fn read_xlsx(bytes: &[u8], file: &str, sheet: Option<&str>) -> Result<RawTable> {
    let at = |position: String| Location {
        file: file.to_string(),
        position,
        column: None,
    };
    let mut book: Xlsx<_> =
        calamine::open_workbook_from_rs(Cursor::new(bytes.to_vec())).map_err(|e| {
            Error::data(
                at(String::new()),
                format!("not a readable XLSX workbook: {e}"),
            )
            .with_hint("save the file as 'Excel Workbook (.xlsx)', or export it as CSV")
        })?;
    let names = book.sheet_names().to_vec();
    let name = match sheet {
        Some(s) => {
            if !names.iter().any(|n| n == s) {
                return Err(Error::data(
                    at(String::new()),
                    format!("the workbook has no sheet named '{s}'"),
                )
                .with_hint(format!("use one of: {}", names.join(", "))));
            }
            s.to_string()
        }
        None => names
            .first()
            .cloned()
            .ok_or_else(|| Error::data(at(String::new()), "the workbook has no sheets"))?,
    };
    let range = book.worksheet_range(&name).map_err(|e| {
        Error::data(
            at(format!("sheet '{name}'")),
            format!("cannot read the sheet: {e}"),
        )
    })?;
    let (first_row, _) = range.start().unwrap_or((0, 0));
    let mut header: Option<Vec<String>> = None;
    let mut rows = Vec::new();
    for (i, row) in range.rows().enumerate() {
        let excel_row = first_row + i as u32 + 1;
        let cells: Vec<RawCell> = row
            .iter()
            .map(|c| convert(c, file, &name, excel_row))
            .collect::<Result<_>>()?;
        if cells.iter().all(|c| *c == RawCell::Empty) {
            continue;
        }
        match &header {
            None => {
                let names: Vec<String> = cells.iter().map(super::cell::cell_text).collect();
                // Trailing empty header cells beyond the used data are ignored.
                let keep = names
                    .iter()
                    .rposition(|n| !n.is_empty())
                    .map_or(0, |p| p + 1);
                let names = names[..keep].to_vec();
                check_header(&names, &format!("{file} [sheet '{name}']"), excel_row)?;
                header = Some(names);
            }
            Some(h) => {
                if let Some((j, c)) = cells
                    .iter()
                    .enumerate()
                    .skip(h.len())
                    .find(|(_, c)| **c != RawCell::Empty)
                {
                    return Err(Error::data(
                        at(format!("sheet '{name}', row {excel_row}")),
                        format!(
                            "cell in column {} ('{}') has no header name",
                            j + 1,
                            super::cell::cell_text(c)
                        ),
                    ));
                }
                let mut cells = cells;
                cells.truncate(h.len());
                cells.resize(h.len(), RawCell::Empty);
                rows.push(RawRow {
                    position: excel_row,
                    cells,
                });
            }
        }
    }
    let header = header.ok_or_else(|| {
        Error::data(
            at(format!("sheet '{name}'")),
            "the sheet is empty (no header row)",
        )
    })?;
    Ok(RawTable {
        file: format!("{file} [sheet '{name}']"),
        kind: PositionKind::Row,
        header,
        rows,
        decimal_comma: true,
        notes: vec![format!("{file}: read sheet '{name}'")],
    })
}

fn convert(cell: &Data, file: &str, sheet: &str, row: u32) -> Result<RawCell> {
    Ok(match cell {
        Data::Empty => RawCell::Empty,
        Data::Int(i) => RawCell::Number(*i as f64),
        Data::Float(f) => RawCell::Number(*f),
        Data::String(s) => RawCell::Text(s.clone()),
        Data::Bool(b) => RawCell::Text(b.to_string()),
        Data::DateTime(d) => RawCell::Number(d.as_f64()),
        Data::DateTimeIso(s) | Data::DurationIso(s) => RawCell::Text(s.clone()),
        Data::Error(e) => {
            return Err(Error::data(
                Location {
                    file: file.to_string(),
                    position: format!("sheet '{sheet}', row {row}"),
                    column: None,
                },
                format!("the cell holds an Excel error ({e:?})"),
            )
            .with_hint("fix the formula in Excel, or replace the cell with an empty cell for a missing value"));
        }
    })
}
