//! The one error type of kommunrank.
//!
//! Every message names where the problem is (file and line/row/record and
//! column, or the spec key, or the node) and, where one exists, how to fix it.
//! [`Error::exit_code`] maps errors to the documented exit codes.

use std::fmt;
use std::path::PathBuf;

/// Where in an input file a problem was found.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Location {
    /// The file (as the user named it) or `builtin:<name>` for embedded data.
    pub file: String,
    /// "line 5" (CSV), "row 5" (XLSX) or "record 5" (JSON); empty when unknown.
    pub position: String,
    /// The column name, when the problem is in one column.
    pub column: Option<String>,
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file)?;
        if !self.position.is_empty() {
            write!(f, ", {}", self.position)?;
        }
        if let Some(c) = &self.column {
            write!(f, ", column '{c}'")?;
        }
        Ok(())
    }
}

/// Everything that can go wrong in kommunrank.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A file could not be opened, read or written.
    #[error("cannot {action} '{}': {source}", path.display())]
    Io {
        /// What was being done ("read", "write", "create a temporary file in").
        action: &'static str,
        /// The path involved.
        path: PathBuf,
        /// The operating system's error.
        source: std::io::Error,
    },
    /// A problem in a data file at a known location.
    #[error("{location}: {message}{}", hint_suffix(hint))]
    Data {
        /// Where the problem is.
        location: Location,
        /// What is wrong.
        message: String,
        /// How to fix it.
        hint: Option<String>,
    },
    /// A problem in the index spec at a known key.
    #[error("{file}: {key}: {message}{}", hint_suffix(hint))]
    Spec {
        /// The spec file (or `builtin:` name).
        file: String,
        /// The TOML key path, e.g. `indicator[3].weight` or `node 'services'`.
        key: String,
        /// What is wrong.
        message: String,
        /// How to fix it.
        hint: Option<String>,
    },
    /// A method combination that cannot work (e.g. a geometric mean over zscores).
    #[error("node '{node}': {message}{}", hint_suffix(hint))]
    Method {
        /// The node whose aggregation is refused.
        node: String,
        /// What is wrong.
        message: String,
        /// How to fix it.
        hint: Option<String>,
    },
    /// Command-line usage problem.
    #[error("{0}")]
    Usage(String),
    /// Several independent problems, all reported together.
    #[error("{} problems found:\n{}", .0.len(), list(.0))]
    Many(Vec<Error>),
}

fn hint_suffix(hint: &Option<String>) -> String {
    match hint {
        Some(h) => format!("\n  fix: {h}"),
        None => String::new(),
    }
}

fn list(errors: &[Error]) -> String {
    errors
        .iter()
        .enumerate()
        .map(|(i, e)| {
            let text = e.to_string().replace('\n', "\n     ");
            format!("  {:>2}. {text}", i + 1)
        })
        .collect::<Vec<_>>()
        .join("\n")
}

impl Error {
    /// The process exit code for this error: 2 for bad input or usage (a
    /// file that cannot be read, an output folder that does not exist), 1
    /// for failures while running (a write that fails: disk full, no
    /// permission, standard output closed).
    pub fn exit_code(&self) -> i32 {
        match self {
            // Writing failed (disk full, a closed stdout, no permission):
            // a failure while running, not a problem of the input.
            Error::Io { action, .. } if !action.starts_with("read") => 1,
            Error::Many(all) if !all.is_empty() && all.iter().all(|e| e.exit_code() == 1) => 1,
            _ => 2,
        }
    }

    /// A data error at a location.
    pub fn data(location: Location, message: impl Into<String>) -> Self {
        Error::Data {
            location,
            message: shorten(message.into()),
            hint: None,
        }
    }

    /// A spec error at a key.
    pub fn spec(file: &str, key: impl Into<String>, message: impl Into<String>) -> Self {
        Error::Spec {
            file: file.to_string(),
            key: shorten(key.into()),
            message: shorten(message.into()),
            hint: None,
        }
    }

    /// Adds (or replaces) the "fix:" hint of a data, spec or method error.
    pub fn with_hint(mut self, text: impl Into<String>) -> Self {
        match &mut self {
            Error::Data { hint, .. } | Error::Spec { hint, .. } | Error::Method { hint, .. } => {
                *hint = Some(text.into())
            }
            _ => {}
        }
        self
    }

    /// Combines a list of problems: none is `Ok`, one is itself, more are [`Error::Many`].
    pub fn collect(mut errors: Vec<Error>) -> Result<()> {
        match errors.len() {
            0 => Ok(()),
            1 => Err(errors.pop().expect("one error")),
            _ => Err(Error::Many(errors)),
        }
    }

    /// The individual problems, owned (one for a single error).
    pub fn into_problems(self) -> Vec<Error> {
        match self {
            Error::Many(v) => v.into_iter().flat_map(Error::into_problems).collect(),
            e => vec![e],
        }
    }

    /// The individual problems (one for a single error).
    pub fn problems(&self) -> Vec<&Error> {
        match self {
            Error::Many(v) => v.iter().flat_map(|e| e.problems()).collect(),
            e => vec![e],
        }
    }
}

/// kommunrank's result type.
pub type Result<T> = std::result::Result<T, Error>;

/// The longest message text kept (a message quoting a cell or a file's
/// contents shows its start and end around an ellipsis).
pub const MAX_MESSAGE_CHARS: usize = 400;

/// `text` cut to [`MAX_MESSAGE_CHARS`] characters, keeping its start and end.
pub fn shorten(text: String) -> String {
    let count = text.chars().count();
    if count <= MAX_MESSAGE_CHARS {
        return text;
    }
    let keep = MAX_MESSAGE_CHARS / 2;
    let head: String = text.chars().take(keep).collect();
    let tail: String = text.chars().skip(count - keep / 2).collect();
    format!(
        "{head} ... ({} characters left out) ... {tail}",
        count - keep - keep / 2
    )
}
