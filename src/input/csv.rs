//! CSV reading the way Swedish Excel writes it: the delimiter (`,` `;` tab)
//! is sniffed from the header, text is UTF-8 (with or without BOM), UTF-16
//! with BOM, or Windows-1252, quoted fields are honoured, and a decimal comma
//! is accepted when the delimiter is `;` or tab.

use super::raw::{PositionKind, RawCell, RawRow, RawTable};
use super::{Decimal, ReadOptions, TextEncoding};
use crate::error::{Error, Location, Result};

/// Why the first kilobytes of a file are not text a CSV reader should
/// read (NUL bytes: a binary file, or UTF-16 without a byte order mark).
/// Checking only the start keeps a multi-gigabyte binary from being decoded.
pub(crate) fn not_text(bytes: &[u8]) -> Option<String> {
    if bytes.starts_with(&[0xFF, 0xFE]) || bytes.starts_with(&[0xFE, 0xFF]) {
        return None; // UTF-16 with a byte order mark is decoded
    }
    let head = &bytes[..bytes.len().min(8192)];
    let nul = |parity: usize| {
        head.iter()
            .enumerate()
            .filter(|(i, b)| i % 2 == parity && **b == 0)
            .count()
    };
    let (even, odd) = (nul(0), nul(1));
    if even + odd == 0 {
        return None;
    }
    let half = head.len() / 2;
    if odd * 10 >= half * 8 || even * 10 >= half * 8 {
        Some("the file looks like UTF-16 text without a byte order mark, which is not read".into())
    } else if head.starts_with(b"PK") {
        Some("the file is a ZIP archive (an .xlsx workbook?), not CSV text".into())
    } else {
        Some(
            "the file is not text (it holds NUL bytes in its first kilobytes): a binary file"
                .into(),
        )
    }
}

/// Refuses bytes whose start is not text a CSV reader should read
/// ([`not_text`]), naming the file.
pub(crate) fn check_text(bytes: &[u8], file: &str) -> Result<()> {
    match not_text(bytes) {
        None => Ok(()),
        Some(problem) => Err(Error::data(
            Location {
                file: file.to_string(),
                position: String::new(),
                column: None,
            },
            problem,
        )
        .with_hint("save the table as CSV (UTF-8 or Windows-1252), or give an .xlsx or .json file its own extension")),
    }
}

/// Decodes file bytes to text; returns the text and the encoding used.
pub fn decode(bytes: &[u8], encoding: TextEncoding) -> (String, &'static str) {
    if let Some(rest) = bytes.strip_prefix(&[0xEF, 0xBB, 0xBF]) {
        return (String::from_utf8_lossy(rest).into_owned(), "UTF-8 with BOM");
    }
    if bytes.starts_with(&[0xFF, 0xFE]) || bytes.starts_with(&[0xFE, 0xFF]) {
        let (text, enc, _) = encoding_rs::Encoding::for_bom(bytes)
            .map(|(e, _)| e)
            .unwrap_or(encoding_rs::UTF_16LE)
            .decode(bytes);
        return (text.into_owned(), enc.name());
    }
    match encoding {
        TextEncoding::Windows1252 => {
            let (text, _, _) = encoding_rs::WINDOWS_1252.decode(bytes);
            (text.into_owned(), "Windows-1252")
        }
        TextEncoding::Utf8 => match std::str::from_utf8(bytes) {
            Ok(s) => (s.to_string(), "UTF-8"),
            // Reported by read_csv, which knows the file name.
            Err(_) => (String::new(), "invalid UTF-8"),
        },
        TextEncoding::Auto => match std::str::from_utf8(bytes) {
            Ok(s) => (s.to_string(), "UTF-8"),
            Err(_) => {
                let (text, _, _) = encoding_rs::WINDOWS_1252.decode(bytes);
                (text.into_owned(), "Windows-1252")
            }
        },
    }
}

/// Picks the delimiter from the header line: the most frequent of `,` `;`
/// tab outside quotes (`,` when none occurs: a one-column file).
pub fn sniff_delimiter(text: &str) -> u8 {
    let header = first_record_text(text);
    let mut best = (b',', 0usize);
    for d in [b';', b'\t', b','] {
        let mut in_quotes = false;
        let mut count = 0;
        for b in header.bytes() {
            if b == b'"' {
                in_quotes = !in_quotes;
            } else if b == d && !in_quotes {
                count += 1;
            }
        }
        if count > best.1 {
            best = (d, count);
        }
    }
    best.0
}

/// The text of the first record (up to the first newline outside quotes).
fn first_record_text(text: &str) -> &str {
    let mut in_quotes = false;
    for (i, b) in text.bytes().enumerate() {
        match b {
            b'"' => in_quotes = !in_quotes,
            b'\n' | b'\r' if !in_quotes => return &text[..i],
            _ => {}
        }
    }
    text
}

/// Reads CSV bytes into a raw table. `file` is the name used in messages.
pub fn read_csv(bytes: &[u8], file: &str, options: &ReadOptions) -> Result<RawTable> {
    check_text(bytes, file)?;
    let (text, encoding) = decode(bytes, options.encoding);
    let loc = |position: Option<u32>| Location {
        file: file.to_string(),
        position: position
            .map(|p| PositionKind::Line.describe(p))
            .unwrap_or_default(),
        column: None,
    };
    if encoding == "invalid UTF-8" {
        let err = std::str::from_utf8(bytes).expect_err("invalid");
        let line = bytes[..err.valid_up_to()]
            .iter()
            .filter(|&&b| b == b'\n')
            .count() as u32
            + 1;
        return Err(Error::data(
            loc(Some(line)),
            format!(
                "the file is not valid UTF-8 (byte {} of the file)",
                err.valid_up_to() + 1
            ),
        )
        .with_hint(
            "Swedish Excel writes Windows-1252: set data.encoding = \"windows-1252\" (or \"auto\")",
        ));
    }
    if text.trim().is_empty() {
        return Err(Error::data(loc(None), "the file is empty")
            .with_hint("export the table again with a header row and one row per unit"));
    }
    let delimiter = options.delimiter.unwrap_or_else(|| sniff_delimiter(&text));
    let decimal_comma = match options.decimal {
        Decimal::Point => false,
        Decimal::Comma => true,
        Decimal::Auto => delimiter != b',',
    };
    let mut reader = ::csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .has_headers(false)
        .flexible(true)
        .trim(::csv::Trim::All)
        .from_reader(text.as_bytes());
    let mut header: Option<Vec<String>> = None;
    let mut header_line = 1;
    let mut rows = Vec::new();
    let mut record = ::csv::StringRecord::new();
    let newlines: Vec<usize> = text
        .bytes()
        .enumerate()
        .filter(|(_, b)| *b == b'\n')
        .map(|(i, _)| i)
        .collect();
    loop {
        let more = reader.read_record(&mut record).map_err(|e| {
            let line = e.position().map(|p| p.line() as u32);
            Error::data(loc(line), format!("cannot parse CSV: {e}"))
                .with_hint("check for an unclosed quote (\") in this or an earlier line")
        })?;
        if !more {
            break;
        }
        let line = record
            .position()
            .map(|p| line_of(&text, &newlines, p.byte() as usize))
            .unwrap_or(0);
        if record.iter().all(|f| f.is_empty()) {
            continue; // a blank line or a row of empty cells carries no data
        }
        match &header {
            None => {
                let mut names: Vec<String> = record.iter().map(str::to_string).collect();
                // Trailing empty header fields (Excel's `;` after the last
                // column) are no columns; data under them is an error below.
                let keep = names
                    .iter()
                    .rposition(|n| !n.is_empty())
                    .map_or(0, |p| p + 1);
                names.truncate(keep);
                check_header(&names, file, line)?;
                header = Some(names);
                header_line = line;
            }
            Some(h) => {
                if record.len() < h.len() {
                    return Err(Error::data(
                        loc(Some(line)),
                        format!(
                            "this line has {} fields but the header (line {header_line}) has {}",
                            record.len(),
                            h.len()
                        ),
                    )
                    .with_hint(
                        "the line may be truncated, or a field contains the delimiter without quotes",
                    ));
                }
                if let Some((extra, value)) = record
                    .iter()
                    .enumerate()
                    .skip(h.len())
                    .find(|(_, f)| !f.is_empty())
                {
                    return Err(Error::data(
                        loc(Some(line)),
                        format!(
                            "field {} ('{value}') has no column in the header, which has {} columns",
                            extra + 1,
                            h.len()
                        ),
                    )
                    .with_hint("quote fields that contain the delimiter, or add the missing header name"));
                }
                let cells = record
                    .iter()
                    .take(h.len())
                    .map(|f| {
                        if f.is_empty() {
                            RawCell::Empty
                        } else {
                            RawCell::Text(f.to_string())
                        }
                    })
                    .collect();
                rows.push(RawRow {
                    position: line,
                    cells,
                });
            }
        }
    }
    let header = header.ok_or_else(|| Error::data(loc(None), "the file has no header row"))?;
    let delim_name = match delimiter {
        b';' => "';'",
        b'\t' => "tab",
        b',' => "','",
        _ => "custom",
    };
    Ok(RawTable {
        file: file.to_string(),
        kind: PositionKind::Line,
        header,
        rows,
        decimal_comma,
        notes: vec![format!(
            "{file}: read as {encoding}, delimiter {delim_name}, decimal {}",
            if decimal_comma {
                "comma accepted"
            } else {
                "point"
            }
        )],
        sheets: Vec::new(),
    })
}

/// The 1-based line of the first non-newline byte at or after `offset`
/// (the csv crate's record position may point at a preceding blank line).
fn line_of(text: &str, newlines: &[usize], offset: usize) -> u32 {
    let bytes = text.as_bytes();
    let mut at = offset;
    while at < bytes.len() && (bytes[at] == b'\n' || bytes[at] == b'\r') {
        at += 1;
    }
    (newlines.partition_point(|&n| n < at) + 1) as u32
}

/// Header names must be non-empty and unique.
pub fn check_header(names: &[String], file: &str, position: u32) -> Result<()> {
    // First column of each name: linear in the number of columns.
    let mut first: std::collections::HashMap<&str, usize> =
        std::collections::HashMap::with_capacity(names.len());
    for (i, n) in names.iter().enumerate() {
        let at = Location {
            file: file.to_string(),
            position: format!("header (line/row {position})"),
            column: None,
        };
        if n.trim().is_empty() {
            return Err(Error::data(at, format!("column {} has no name", i + 1))
                .with_hint("give every column a header name"));
        }
        if let Some(&j) = first.get(n.as_str()) {
            return Err(Error::data(
                at,
                format!(
                    "column name '{n}' appears twice (columns {} and {})",
                    j + 1,
                    i + 1
                ),
            )
            .with_hint("rename one of the columns"));
        }
        first.insert(n.as_str(), i);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sniffs_delimiters() {
        assert_eq!(sniff_delimiter("a,b,c\n1,2,3"), b',');
        assert_eq!(sniff_delimiter("a;b;c\n1,5;2,5;3"), b';');
        assert_eq!(sniff_delimiter("a\tb\n1\t2"), b'\t');
        assert_eq!(sniff_delimiter("\"x;y\",b,c\n"), b',');
        assert_eq!(sniff_delimiter("single\n1\n"), b',');
    }

    #[test]
    fn decodes_windows_1252_and_bom() {
        let latin1 = b"kommun;namn\r\n2321;\xc5re\r\n";
        let t = read_csv(latin1, "f.csv", &ReadOptions::default()).unwrap();
        assert_eq!(t.rows[0].cells[1], RawCell::Text("Åre".into()));
        assert!(t.decimal_comma);
        let bom = "\u{feff}kommun,namn\n2281,Härnösand\n".as_bytes();
        let t = read_csv(bom, "f.csv", &ReadOptions::default()).unwrap();
        assert_eq!(t.header[0], "kommun");
        assert_eq!(t.rows[0].cells[1], RawCell::Text("Härnösand".into()));
        assert!(!t.decimal_comma);
    }

    #[test]
    fn trailing_delimiters_after_the_last_column_are_no_column() {
        let text = b"kommun;x;\r\n0114;1,5;\r\n;;\r\n0115;2;\r\n";
        let t = read_csv(text, "f.csv", &ReadOptions::default()).unwrap();
        assert_eq!(t.header, vec!["kommun", "x"]);
        assert_eq!(t.rows.len(), 2);
        assert_eq!(t.rows[1].position, 4);
        let e = read_csv(b"kommun;x;\n0114;1;y\n", "f.csv", &ReadOptions::default()).unwrap_err();
        assert!(e.to_string().contains("field 3 ('y') has no column"), "{e}");
        let e = read_csv(b"kommun;;x\n0114;1;2\n", "f.csv", &ReadOptions::default()).unwrap_err();
        assert!(e.to_string().contains("column 2 has no name"), "{e}");
    }

    #[test]
    fn quoted_fields_and_line_numbers() {
        let text = b"id,name,x\n1,\"Dals-Ed, kommun\",2\n\n2,\"Multi\nline\",3\n3,c,4\n";
        let t = read_csv(text, "f.csv", &ReadOptions::default()).unwrap();
        assert_eq!(t.rows.len(), 3);
        assert_eq!(t.rows[0].cells[1], RawCell::Text("Dals-Ed, kommun".into()));
        assert_eq!(t.rows[0].position, 2);
        assert_eq!(t.rows[1].position, 4);
        assert_eq!(t.rows[2].position, 6);
    }

    #[test]
    fn truncated_line_is_an_error_naming_the_line() {
        let err = read_csv(b"id,a,b\n1,2,3\n2,3", "f.csv", &ReadOptions::default()).unwrap_err();
        let msg = err.to_string();
        assert!(msg.contains("f.csv, line 3"), "{msg}");
        assert!(msg.contains("2 fields"), "{msg}");
    }

    #[test]
    fn empty_and_duplicate_headers() {
        assert!(
            read_csv(b"", "f.csv", &ReadOptions::default())
                .unwrap_err()
                .to_string()
                .contains("empty")
        );
        let e = read_csv(b"id,a,a\n1,2,3\n", "f.csv", &ReadOptions::default()).unwrap_err();
        assert!(e.to_string().contains("'a' appears twice"), "{e}");
        let e = read_csv(b"id,,b\n1,2,3\n", "f.csv", &ReadOptions::default()).unwrap_err();
        assert!(e.to_string().contains("column 2 has no name"), "{e}");
    }

    #[test]
    fn trailing_empty_fields_are_accepted() {
        let t = read_csv(b"id;a\n1;2;;\n", "f.csv", &ReadOptions::default()).unwrap();
        assert_eq!(t.rows[0].cells.len(), 2);
        let e = read_csv(b"id;a\n1;2;9\n", "f.csv", &ReadOptions::default()).unwrap_err();
        assert!(e.to_string().contains("no column in the header"), "{e}");
    }
}
