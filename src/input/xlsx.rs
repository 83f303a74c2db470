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
    check_used_range(&mut book, &name, file)?;
    let range = book.worksheet_range(&name).map_err(|e| {
        Error::data(
            at(format!("sheet '{name}'")),
            format!("cannot read the sheet: {e}"),
        )
    })?;
    // A formula whose value was never computed (a file written by a program
    // that does not calculate) reads as an empty cell: refused, not taken
    // as missing.
    if let Ok(formulas) = book.worksheet_formula(&name) {
        let (r0, c0) = formulas.start().unwrap_or((0, 0));
        let uncomputed: Vec<String> = formulas
            .used_cells()
            .filter(|(_, _, f)| !f.is_empty())
            .map(|(r, c, _)| (r0 + r as u32, c0 + c as u32))
            .filter(|&p| match range.get_value(p) {
                None | Some(Data::Empty) => true,
                Some(Data::String(s)) => s.is_empty(),
                _ => false,
            })
            .map(|(r, c)| cell_name(r, c))
            .collect();
        if !uncomputed.is_empty() {
            return Err(Error::data(
                at(format!("sheet '{name}'")),
                format!(
                    "{} formula cell(s) have no saved value: {}{}",
                    uncomputed.len(),
                    uncomputed[..uncomputed.len().min(5)].join(", "),
                    if uncomputed.len() > 5 { ", ..." } else { "" }
                ),
            )
            .with_hint("the file was written by a program that does not calculate formulas: open and save it in Excel (or LibreOffice), or write the values"));
        }
    }
    let (first_row, _) = range.start().unwrap_or((0, 0));
    let mut header: Option<Vec<String>> = None;
    let mut rows = Vec::new();
    for (i, row) in range.rows().enumerate() {
        let excel_row = first_row + i as u32 + 1;
        let cells: Vec<RawCell> = row.iter().map(convert).collect();
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
        sheets: names,
    })
}

/// The most cells the rectangle from a sheet's first to its last used cell
/// may span: the sheet is read as that whole rectangle.
const MAX_SHEET_CELLS: u64 = 20_000_000;

/// Refuses a sheet whose used cells (values or formulas) span more than
/// [`MAX_SHEET_CELLS`], before it is read as a rectangle (a stray cell at
/// XFD1048576 would ask for 17 billion cells). Streams the cells once.
fn check_used_range<RS: std::io::Read + std::io::Seek>(
    book: &mut Xlsx<RS>,
    name: &str,
    file: &str,
) -> Result<()> {
    let (mut lo, mut hi) = ((u32::MAX, u32::MAX), (0u32, 0u32));
    let mut far = (0u32, 0u32);
    let mut see = |(r, c): (u32, u32)| {
        lo = (lo.0.min(r), lo.1.min(c));
        hi = (hi.0.max(r), hi.1.max(c));
        if (r as u64 + 1) * (c as u64 + 1) > (far.0 as u64 + 1) * (far.1 as u64 + 1) {
            far = (r, c);
        }
    };
    if let Ok(mut cells) = book.worksheet_cells_reader(name) {
        while let Ok(Some(cell)) = cells.next_cell() {
            if !matches!(cell.get_value(), calamine::DataRef::Empty) {
                see(cell.get_position());
            }
        }
    }
    if let Ok(mut cells) = book.worksheet_cells_reader(name) {
        while let Ok(Some(f)) = cells.next_formula() {
            if !f.get_value().is_empty() {
                see(f.get_position());
            }
        }
    }
    if lo.0 == u32::MAX {
        return Ok(());
    }
    let span = (hi.0 - lo.0 + 1) as u64 * (hi.1 - lo.1 + 1) as u64;
    if span > MAX_SHEET_CELLS {
        return Err(Error::data(
            Location {
                file: file.to_string(),
                position: format!("sheet '{name}'"),
                column: None,
            },
            format!(
                "the sheet's used cells reach {} ({} rows x {} columns), more than the {MAX_SHEET_CELLS} cells read",
                cell_name(far.0, far.1),
                hi.0 - lo.0 + 1,
                hi.1 - lo.1 + 1
            ),
        )
        .with_hint(format!(
            "delete the stray content at {} (Ctrl+End in Excel goes there), or export the table as CSV",
            cell_name(far.0, far.1)
        )));
    }
    Ok(())
}

/// A cell's Excel name (`C7`) from its 0-based row and column.
fn cell_name(row: u32, col: u32) -> String {
    let mut letters = Vec::new();
    let mut c = col + 1;
    while c > 0 {
        letters.push(b'A' + ((c - 1) % 26) as u8);
        c = (c - 1) / 26;
    }
    letters.reverse();
    format!("{}{}", String::from_utf8_lossy(&letters), row + 1)
}

/// A cell's raw value. Dates become their ISO text (a date is not a number
/// to rank: its serial number would be), and Excel error values their text
/// (`#DIV/0!`), an error only where a column the spec uses holds one.
fn convert(cell: &Data) -> RawCell {
    match cell {
        Data::Empty => RawCell::Empty,
        Data::Int(i) => RawCell::Number(*i as f64),
        Data::Float(f) => RawCell::Number(*f),
        Data::String(s) => RawCell::Text(s.clone()),
        Data::Bool(b) => RawCell::Text(b.to_string()),
        Data::DateTime(d) => RawCell::Text(excel_date_text(d.as_f64())),
        Data::DateTimeIso(s) | Data::DurationIso(s) => RawCell::Text(s.clone()),
        Data::Error(e) => RawCell::Text(e.to_string()),
    }
}

/// An Excel serial date (1900 system: day 1 = 1900-01-01, with Excel's
/// phantom 1900-02-29) as `YYYY-MM-DD` (and the time when there is one).
fn excel_date_text(serial: f64) -> String {
    if !serial.is_finite() || !(0.0..3_000_000.0).contains(&serial) {
        return format!("date {serial}");
    }
    let days = serial.floor() as i64;
    // Days since 1970-01-01: Excel's day 25569 is 1970-01-01 (from 1900-03-01 on).
    let z = days - 25569 + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    let seconds = ((serial - serial.floor()) * 86_400.0).round() as i64;
    if seconds == 0 {
        format!("{y:04}-{m:02}-{d:02}")
    } else {
        format!(
            "{y:04}-{m:02}-{d:02} {:02}:{:02}:{:02}",
            seconds / 3600,
            seconds / 60 % 60,
            seconds % 60
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn excel_serial_dates_as_text() {
        assert_eq!(excel_date_text(44197.0), "2021-01-01");
        assert_eq!(excel_date_text(25569.0), "1970-01-01");
        assert_eq!(excel_date_text(61.0), "1900-03-01");
        assert_eq!(excel_date_text(45000.5), "2023-03-15 12:00:00");
    }
}
