//! Output: terminal table, CSV and JSON renderings of a [`RankResult`](crate::pipeline::RankResult), and
//! atomic file writing (temp file + rename, never a half-written output).

pub mod audit;
pub mod charts;
pub mod csv;
pub mod html;
pub mod json;
pub mod map;
pub mod results;
pub(crate) mod reweight;
pub mod sensitivity;
pub mod table;
pub mod words;
pub mod xlsx;

use crate::error::{Error, Result};
use std::io::Write;
use std::path::{Path, PathBuf};

/// The language of words and numbers in outputs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum Lang {
    /// English, decimal point.
    #[default]
    En,
    /// Swedish, decimal comma.
    Sv,
}

/// Output formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum OutputFormat {
    /// Aligned text for a terminal.
    Table,
    /// Comma-separated values, one row per unit.
    Csv,
    /// JSON with every detail.
    Json,
}

impl OutputFormat {
    /// The format implied by a file extension (`.csv`, `.json`; anything else: table).
    pub fn from_path(path: &Path) -> Option<OutputFormat> {
        match path.extension()?.to_str()?.to_ascii_lowercase().as_str() {
            "csv" => Some(OutputFormat::Csv),
            "json" => Some(OutputFormat::Json),
            "txt" => Some(OutputFormat::Table),
            _ => None,
        }
    }
}

/// The temporary output file being written, removed if the run is interrupted.
static PENDING: std::sync::Mutex<Option<PathBuf>> = std::sync::Mutex::new(None);

/// Removes the temporary file of an output being written (for a Ctrl-C
/// handler: an interrupted run leaves neither a partial output nor a temp file).
pub fn remove_pending_output() {
    if let Ok(mut p) = PENDING.lock()
        && let Some(path) = p.take()
    {
        let _ = std::fs::remove_file(path);
    }
}

/// Writes `bytes` to `path` through a temporary file in the same folder and a
/// rename, so the output is complete or absent. Refuses to overwrite any of
/// `inputs`.
pub fn write_atomic(path: &Path, bytes: &[u8], inputs: &[PathBuf]) -> Result<()> {
    let target = std::fs::canonicalize(path).ok();
    let read = crate::input::files_read();
    for input in inputs.iter().chain(&read) {
        let same = match (&target, std::fs::canonicalize(input)) {
            (Some(t), Ok(i)) => *t == i,
            _ => false,
        };
        if same {
            return Err(Error::Usage(format!(
                "--out '{}' is one of the inputs; refusing to overwrite it (choose another output file)",
                path.display()
            )));
        }
    }
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let io = |action: &'static str, p: &Path| {
        let p = p.to_path_buf();
        move |source| Error::Io {
            action,
            path: p,
            source,
        }
    };
    if !dir.is_dir() {
        return Err(Error::Usage(format!(
            "cannot create a temporary file in '{}' for --out '{}': the folder does not exist",
            dir.display(),
            path.display()
        )));
    }
    // A pipe or device (`--out /dev/stdout`, a FIFO) is written into as it
    // is, never replaced by a regular file; a folder is refused.
    if let Ok(meta) = std::fs::metadata(path)
        && !meta.is_file()
    {
        if meta.is_dir() {
            return Err(Error::Usage(format!(
                "--out '{}' is a folder; name a file in it",
                path.display()
            )));
        }
        let mut f = std::fs::OpenOptions::new()
            .write(true)
            .open(path)
            .map_err(io("open", path))?;
        f.write_all(bytes).map_err(io("write", path))?;
        return f.flush().map_err(io("write", path));
    }
    let mut tmp = tempfile::Builder::new()
        .prefix(".kommunrank-")
        .suffix(".tmp")
        .tempfile_in(&dir)
        .map_err(io("create a temporary file in", &dir))?;
    if let Ok(mut p) = PENDING.lock() {
        *p = Some(tmp.path().to_path_buf());
    }
    tmp.write_all(bytes).map_err(io("write", path))?;
    tmp.flush().map_err(io("write", path))?;
    // Temporary files are private (0600); give the output the permissions
    // of the file it replaces, or the usual 0644.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(path)
            .map(|m| m.permissions().mode())
            .unwrap_or(0o644);
        let _ = tmp
            .as_file()
            .set_permissions(std::fs::Permissions::from_mode(mode));
    }
    let persisted = tmp.persist(path);
    if let Ok(mut p) = PENDING.lock() {
        *p = None;
    }
    persisted.map_err(|e| Error::Io {
        action: "write",
        path: path.to_path_buf(),
        source: e.error,
    })?;
    Ok(())
}

/// How CSV output is written: for scripts, or for a double-click in Swedish
/// Excel. Both neutralise text that a spreadsheet would run as a formula.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum CsvDialect {
    /// Comma-separated, decimal point, UTF-8 without BOM (R, pandas, scripts).
    #[default]
    Plain,
    /// As Swedish Excel reads it: `;`, decimal comma, UTF-8 with BOM, CRLF.
    ExcelSv,
}

pub use crate::text::neutralise;

/// CSV text written by [`csv_text`] (plain, neutralised) in `dialect`:
/// for Excel-Sweden, fields are re-delimited with `;`, numbers as
/// [`csv_number`] writes them (`12.5`, `1e-7`) get a decimal comma, and the
/// file gets a BOM and CRLF line ends. Other text is unchanged.
pub fn csv_in_dialect(plain: &str, dialect: CsvDialect) -> Vec<u8> {
    if dialect == CsvDialect::Plain {
        return plain.as_bytes().to_vec();
    }
    let mut reader = ::csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(plain.as_bytes());
    let mut writer = ::csv::WriterBuilder::new()
        .delimiter(b';')
        .flexible(true)
        .terminator(::csv::Terminator::CRLF)
        .from_writer(b"\xEF\xBB\xBF".to_vec());
    for record in reader.records() {
        let record = record.expect("csv_text writes valid CSV");
        let fields = record.iter().map(|f| match f.parse::<f64>() {
            Ok(v) if csv_number(v) == f => f.replace('.', ","),
            _ => f.to_string(),
        });
        writer
            .write_record(fields)
            .expect("writing to memory cannot fail");
    }
    writer.into_inner().expect("flushing memory cannot fail")
}

/// Rows of a CSV being written in memory (see [`csv_text`]).
pub struct CsvOut(::csv::Writer<Vec<u8>>);

impl CsvOut {
    /// Writes one record (fields are quoted as needed).
    pub fn row<I, T>(&mut self, fields: I)
    where
        I: IntoIterator<Item = T>,
        T: AsRef<[u8]>,
    {
        let fields: Vec<String> = fields
            .into_iter()
            .map(|f| neutralise(&String::from_utf8_lossy(f.as_ref())).into_owned())
            .collect();
        self.0
            .write_record(fields)
            .expect("writing to memory cannot fail");
    }
}

/// CSV text (comma-separated, UTF-8) of the rows that `fill` writes, text
/// that would be a formula neutralised ([`neutralise`]): the one place every
/// CSV output is produced ([`csv_in_dialect`] re-writes it for Excel).
pub fn csv_text(fill: impl FnOnce(&mut CsvOut)) -> String {
    let mut out = CsvOut(::csv::Writer::from_writer(Vec::new()));
    fill(&mut out);
    let bytes = out.0.into_inner().expect("flushing memory cannot fail");
    String::from_utf8(bytes).expect("fields are UTF-8")
}

/// A number in a CSV cell: shortest round-trip text, empty when not a
/// number (a missing score, an interval without bootstrap).
pub fn csv_number(v: f64) -> String {
    if v.is_nan() {
        String::new()
    } else {
        format!("{v}")
    }
}

/// Width of a text column: the longest entry (in characters), kept within
/// `min..=max`.
pub fn column_width<'a>(texts: impl IntoIterator<Item = &'a str>, min: usize, max: usize) -> usize {
    texts
        .into_iter()
        .map(|t| t.chars().count())
        .max()
        .unwrap_or(0)
        .clamp(min, max)
}

/// Formats a score for people: `decimals` decimals, trailing zeros kept,
/// in `lang`; empty when missing.
pub fn fmt_score(v: f64, decimals: usize, lang: Lang) -> String {
    if v.is_nan() {
        String::new()
    } else {
        words::number(v, decimals, lang)
    }
}
