//! Input: reading CSV, XLSX and JSON files (wide or long) into one [`Table`].
//!
//! Each format has its own module producing a [`RawTable`]; the layout
//! modules ([`wide`], [`long`]) turn raw grids into a [`Table`] keyed by unit
//! id; [`Table::merge`] joins several files by unit id.

pub mod cell;
pub mod csv;
pub mod json;
pub mod long;
pub mod raw;
pub mod table;
pub mod wide;
pub mod xlsx;

pub use long::LongOptions;
pub use raw::{PositionKind, RawCell, RawRow, RawTable};
pub use table::{Column, IdOptions, Table};

use crate::error::{Error, Result};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// Which decimal separator numbers use.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Decimal {
    /// A point, or also a comma when the CSV delimiter is `;` or tab.
    #[default]
    Auto,
    /// Always a point.
    Point,
    /// A comma (a point is accepted too, but not both in one column).
    Comma,
}

/// How CSV bytes are decoded.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TextEncoding {
    /// UTF-8 (BOM or not) if valid, else Windows-1252; UTF-16 with a BOM.
    #[default]
    Auto,
    /// UTF-8.
    #[serde(rename = "utf-8", alias = "utf8")]
    Utf8,
    /// Windows-1252 (Latin-1 as Swedish Excel writes it).
    #[serde(rename = "windows-1252", alias = "latin1", alias = "latin-1")]
    Windows1252,
}

/// How to read the bytes of a file.
#[derive(Debug, Clone)]
pub struct ReadOptions {
    /// CSV delimiter; `None` sniffs it.
    pub delimiter: Option<u8>,
    /// Decimal separator.
    pub decimal: Decimal,
    /// Text encoding of CSV files.
    pub encoding: TextEncoding,
    /// Cell texts that mean "missing".
    pub missing: Vec<String>,
    /// XLSX sheet name (`None`: the first sheet).
    pub sheet: Option<String>,
}

impl Default for ReadOptions {
    fn default() -> Self {
        ReadOptions {
            delimiter: None,
            decimal: Decimal::Auto,
            encoding: TextEncoding::Auto,
            missing: cell::DEFAULT_MISSING
                .iter()
                .map(|s| s.to_string())
                .collect(),
            sheet: None,
        }
    }
}

/// A file format, from the file extension.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// `.csv`, `.txt`, `.tsv` (and anything unknown).
    Csv,
    /// `.xlsx`, `.xlsm`
    Xlsx,
    /// `.json`
    Json,
}

impl Format {
    /// The format of a file name.
    pub fn of(name: &str) -> Format {
        let lower = name.to_ascii_lowercase();
        if lower.ends_with(".xlsx") || lower.ends_with(".xlsm") {
            Format::Xlsx
        } else if lower.ends_with(".json") {
            Format::Json
        } else {
            Format::Csv
        }
    }
}

/// Where relative paths in a spec point (resolved to a [`Source`]).
#[derive(Debug, Clone)]
pub enum Base {
    /// The folder of the spec file.
    Dir(PathBuf),
    /// Embedded files (the built-in example), by name.
    Embedded(&'static [(&'static str, &'static [u8])]),
}

impl Base {
    /// The source of a file named in the spec.
    pub fn source(&self, path: &str) -> Source {
        match self {
            Base::Dir(dir) => {
                let p = Path::new(path);
                if p.is_absolute() {
                    Source::Path(p.to_path_buf())
                } else {
                    Source::Path(dir.join(p))
                }
            }
            Base::Embedded(files) => match files.iter().find(|(n, _)| *n == path) {
                Some((n, b)) => Source::Embedded(n, b),
                None => Source::Path(PathBuf::from(path)),
            },
        }
    }
}

/// Where a file's bytes come from.
#[derive(Debug, Clone)]
pub enum Source {
    /// A file on disk.
    Path(PathBuf),
    /// Bytes embedded in the binary (the built-in example), with a name.
    Embedded(&'static str, &'static [u8]),
}

impl Source {
    /// The name used in messages.
    pub fn name(&self) -> String {
        match self {
            Source::Path(p) => p.display().to_string(),
            Source::Embedded(n, _) => format!("builtin:{n}"),
        }
    }

    /// The file's bytes.
    pub fn bytes(&self) -> Result<std::borrow::Cow<'static, [u8]>> {
        match self {
            Source::Path(p) => read_input_file(p)
                .map(std::borrow::Cow::Owned)
                .map_err(|source| Error::Io {
                    action: "read",
                    path: p.clone(),
                    source,
                }),
            Source::Embedded(_, b) => Ok(std::borrow::Cow::Borrowed(b)),
        }
    }

    /// The path on disk, if any.
    pub fn path(&self) -> Option<&Path> {
        match self {
            Source::Path(p) => Some(p),
            Source::Embedded(..) => None,
        }
    }
}

/// Every input file this process has read (canonical paths): no output may
/// replace one of them, whichever route (spec, table, flag) named it.
static FILES_READ: std::sync::Mutex<Vec<PathBuf>> = std::sync::Mutex::new(Vec::new());

/// Reads a whole input file. Only regular files are read: a pipe, device or
/// folder is refused (`/dev/zero` would never end). The path is remembered
/// ([`files_read`]).
pub fn read_input_file(path: &Path) -> std::io::Result<Vec<u8>> {
    let meta = std::fs::metadata(path)?;
    if !meta.is_file() {
        return Err(std::io::Error::new(
            std::io::ErrorKind::InvalidInput,
            if meta.is_dir() {
                "it is a folder, not a file"
            } else {
                "it is not a regular file (a pipe or a device); save the data to a file first"
            },
        ));
    }
    if let (Ok(c), Ok(mut read)) = (std::fs::canonicalize(path), FILES_READ.lock())
        && !read.contains(&c)
    {
        read.push(c);
    }
    std::fs::read(path)
}

/// Reads a whole input file as UTF-8 text (see [`read_input_file`]).
pub fn read_input_text(path: &Path) -> std::io::Result<String> {
    String::from_utf8(read_input_file(path)?)
        .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidData, e))
}

/// The input files read so far (canonical paths).
pub fn files_read() -> Vec<PathBuf> {
    FILES_READ.lock().map(|r| r.clone()).unwrap_or_default()
}

/// Reads a file into a raw grid according to its extension.
pub fn read_raw(source: &Source, options: &ReadOptions) -> Result<RawTable> {
    let name = source.name();
    // A CSV that is no text is refused from its first kilobytes, before a
    // multi-gigabyte binary is read into memory.
    if let (Format::Csv, Some(path)) = (Format::of(&name), source.path())
        && let Ok(mut f) = std::fs::File::open(path)
        && f.metadata().is_ok_and(|m| m.is_file())
    {
        use std::io::Read;
        let mut head = Vec::with_capacity(8192);
        if (&mut f).take(8192).read_to_end(&mut head).is_ok() {
            csv::check_text(&head, &name)?;
        }
    }
    let bytes = source.bytes()?;
    match Format::of(&name) {
        Format::Csv => csv::read_csv(&bytes, &name, options),
        Format::Xlsx => xlsx::read_xlsx(&bytes, &name, options.sheet.as_deref()),
        Format::Json => json::read_json(&bytes, &name, options.decimal != Decimal::Point),
    }
}

/// Layout choice for one file.
#[derive(Debug, Clone)]
pub struct LayoutOptions {
    /// Unit id column.
    pub id_column: String,
    /// Id normalisation (zero padding).
    pub ids: IdOptions,
    /// Year column name (a file with it is read as long/panel).
    pub year_column: String,
    /// The year to keep from long files.
    pub year: Option<i64>,
    /// Indicator-name column of `unit,indicator,value` files.
    pub indicator_column: String,
    /// Value column of `unit,indicator,value` files.
    pub value_column: String,
}

/// Turns a raw grid into a table, choosing the layout from its header:
/// `indicator` + `value` columns: records; a year column: panel; else wide.
pub fn to_table(raw: &RawTable, layout: &LayoutOptions, missing: &[String]) -> Result<Table> {
    let has = |c: &str| raw.column(c).is_some();
    if has(&layout.indicator_column) && has(&layout.value_column) {
        let opts = LongOptions {
            id_column: layout.id_column.clone(),
            year_column: has(&layout.year_column).then(|| layout.year_column.clone()),
            year: layout.year,
            indicator_column: Some(layout.indicator_column.clone()),
            value_column: Some(layout.value_column.clone()),
        };
        long::long_table(raw, &opts, &layout.ids, missing)
    } else if has(&layout.year_column) {
        let opts = LongOptions {
            id_column: layout.id_column.clone(),
            year_column: Some(layout.year_column.clone()),
            year: layout.year,
            indicator_column: None,
            value_column: None,
        };
        long::long_table(raw, &opts, &layout.ids, missing)
    } else {
        wide::wide_table(raw, &layout.id_column, &layout.ids, missing)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn layout() -> LayoutOptions {
        LayoutOptions {
            id_column: "geo".into(),
            ids: IdOptions::default(),
            year_column: "year".into(),
            year: Some(2022),
            indicator_column: "indicator".into(),
            value_column: "value".into(),
        }
    }

    fn table(text: &str, layout: &LayoutOptions) -> Result<Table> {
        let raw = csv::read_csv(text.as_bytes(), "t.csv", &ReadOptions::default())?;
        to_table(&raw, layout, &ReadOptions::default().missing)
    }

    #[test]
    fn kolada_panel_is_pivoted_for_the_year() {
        let t = table(
            "geo,year,n07900\n0114,2021,80\n0114,2022,85.5\n0115,2022,\n01,2022,90\n",
            &layout(),
        )
        .unwrap();
        assert_eq!(t.ids, vec!["0114", "0115", "01"]);
        let c = t.column("n07900").unwrap();
        assert_eq!(c.values[0], 85.5);
        assert!(c.values[1].is_nan());
        assert_eq!(c.positions[0], 3);
    }

    #[test]
    fn records_layout_and_duplicates() {
        let t = table(
            "geo,indicator,value,year\n0114,a,1,2022\n0114,b,2,2022\n0115,a,3,2022\n0115,a,9,2021\n",
            &layout(),
        )
        .unwrap();
        assert_eq!(t.column("a").unwrap().values, vec![1.0, 3.0]);
        assert!(t.column("b").unwrap().values[1].is_nan());
        let e = table(
            "geo,indicator,value,year\n0114,a,1,2022\n0114,a,2,2022\n",
            &layout(),
        )
        .unwrap_err();
        assert!(e.to_string().contains("line 3"), "{e}");
        assert!(e.to_string().contains("first is at line 2"), "{e}");
    }

    #[test]
    fn several_years_need_a_choice() {
        let mut l = layout();
        l.year = None;
        let e = table("geo,year,x\n1,2021,1\n1,2022,2\n", &l).unwrap_err();
        assert!(e.to_string().contains("several years"), "{e}");
        l.year = Some(2030);
        let e = table("geo,year,x\n1,2021,1\n1,2022,2\n", &l).unwrap_err();
        assert!(e.to_string().contains("no rows for year 2030"), "{e}");
    }

    #[test]
    fn wide_duplicate_ids_and_missing_id_column() {
        let e = table("geo,x\n0114,1\n0115,2\n0114,3\n", &layout()).unwrap_err();
        assert!(e.to_string().contains("line 4"), "{e}");
        assert!(e.to_string().contains("first at line 2"), "{e}");
        let e = table("kommun,x\n0114,1\n", &layout()).unwrap_err();
        assert!(e.to_string().contains("no unit id column 'geo'"), "{e}");
        assert!(e.to_string().contains("kommun, x"), "{e}");
    }

    #[test]
    fn merge_joins_by_id_and_refuses_conflicts() {
        let a = table("geo,x\n0114,1\n0115,2\n", &layout()).unwrap();
        let b = table("geo,y,x\n0115,5,2\n0117,6,\n", &layout()).unwrap();
        let m = Table::merge(vec![a, b]).unwrap();
        assert_eq!(m.ids, vec!["0114", "0115", "0117"]);
        assert_eq!(m.column("y").unwrap().values[1], 5.0);
        assert!(m.column("y").unwrap().values[0].is_nan());
        let a = table("geo,x\n0114,1\n", &layout()).unwrap();
        let b = table("geo,x\n0114,2\n", &layout()).unwrap();
        assert!(Table::merge(vec![a, b]).is_err());
    }

    #[test]
    fn id_padding_restores_leading_zeros() {
        let mut l = layout();
        l.ids.pad = Some(4);
        let t = table("geo,x\n114,1\n2580,2\n", &l).unwrap();
        assert_eq!(t.ids, vec!["0114", "2580"]);
    }

    #[test]
    fn mixed_decimal_separators_are_refused_when_used() {
        let raw =
            csv::read_csv(b"geo;x\n1;1,5\n2;2.5\n", "t.csv", &ReadOptions::default()).unwrap();
        let t = to_table(&raw, &layout(), &ReadOptions::default().missing).unwrap();
        let e = t.column("x").unwrap().numeric(&t.ids).unwrap_err();
        assert!(e.to_string().contains("mixed decimal separators"), "{e}");
    }

    #[test]
    fn text_cells_are_reported_with_location() {
        let t = table("geo,x\n0114,1\n0115,abc\n", &layout()).unwrap();
        let e = t.column("x").unwrap().numeric(&t.ids).unwrap_err();
        let m = e.to_string();
        assert!(m.contains("t.csv, line 3, column 'x'"), "{m}");
        assert!(m.contains("'abc'"), "{m}");
    }
}
