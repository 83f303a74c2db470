//! Loading a spec: TOML parsing with helpful messages (line, column and a
//! suggestion for a misspelt key), path resolution against the spec's folder,
//! and expansion of `[[indicator_table]]` / `[[node_table]]` metadata files.

use super::model::{
    DataFile, FilterValues, IndicatorSpec, IndicatorTable, MissingMethod, NodeSpec, NodeTable,
    Normalisation, SpecFile, Transform, direction_word,
};
use crate::error::{Error, Location, Result};
use crate::input::{self, Base, RawTable, ReadOptions};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use toml::Value;

/// A parsed spec and where it came from.
#[derive(Debug, Clone)]
pub struct LoadedSpec {
    /// The spec as written (tables expanded into `indicators`/`nodes`).
    pub spec: SpecFile,
    /// The spec's name in messages (its path or `builtin:<name>`).
    pub name: String,
    /// The spec text (for hashing and provenance).
    pub text: String,
    /// Where relative paths resolve.
    pub base: Base,
}

/// Reads and parses a spec file from disk.
pub fn load_spec(path: &Path) -> Result<LoadedSpec> {
    let (loaded, skipped_keys) = load_spec_lenient(path)?;
    Error::collect(skipped_keys)?;
    Ok(loaded)
}

/// As [`load_spec`], but unknown keys are read past and returned beside the
/// spec, each as an error (for `validate`, which lists every problem).
pub fn load_spec_lenient(path: &Path) -> Result<(LoadedSpec, Vec<Error>)> {
    let bytes = input::read_input_file(path).map_err(|source| Error::Io {
        action: "read the spec",
        path: path.to_path_buf(),
        source,
    })?;
    // TOML is UTF-8, but Windows editors save "ANSI" (Windows-1252, `Vård`)
    // too: text that is not UTF-8 is read as that; UTF-16 with a byte order
    // mark (Notepad's "Unicode") is decoded. Bytes with control characters
    // are no text (a spreadsheet, a binary, UTF-16 without a mark).
    let utf16 = bytes.starts_with(&[0xFF, 0xFE]) || bytes.starts_with(&[0xFE, 0xFF]);
    if !utf16
        && let Some(problem) = crate::input::csv::not_text(&bytes)
        && problem.contains("UTF-16")
    {
        return Err(Error::data(
            Location {
                file: path.display().to_string(),
                position: String::new(),
                column: None,
            },
            format!("the spec cannot be read: {problem}"),
        )
        .with_hint("save the spec as UTF-8 text; --spec takes the TOML spec, data files go in [data] files or --data"));
    }
    let binary = !utf16
        && bytes
            .iter()
            .any(|&b| b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\r'));
    if binary {
        return Err(Error::data(
            Location {
                file: path.display().to_string(),
                position: String::new(),
                column: None,
            },
            "the spec is not text (is it a spreadsheet or data file?)",
        )
        .with_hint("--spec takes the TOML spec; data files go in [data] files or --data"));
    }
    let text = crate::input::csv::decode(&bytes, crate::input::TextEncoding::Auto).0;
    let dir = path
        .parent()
        .map(|p| {
            if p.as_os_str().is_empty() {
                PathBuf::from(".")
            } else {
                p.to_path_buf()
            }
        })
        .unwrap_or_else(|| PathBuf::from("."));
    parse_spec_lenient(&text, &path.display().to_string(), Base::Dir(dir))
}

/// Parses spec text; `name` is used in messages.
pub fn parse_spec(text: &str, name: &str, base: Base) -> Result<LoadedSpec> {
    let (loaded, skipped_keys) = parse_spec_lenient(text, name, base)?;
    Error::collect(skipped_keys)?;
    Ok(loaded)
}

/// At most this many unknown keys are read past before giving up.
const MAX_SKIPPED_KEYS: usize = 50;

/// The spec file of `text`, reading past unknown keys (misspelt `wieght`):
/// each is blanked (its line, with spaces, so later positions stay) and kept
/// as an error. Any other error ends the parse, with the keys before it.
fn from_toml(text: &str, name: &str) -> Result<(SpecFile, Vec<Error>)> {
    let mut current = text.to_string();
    let mut skipped = Vec::new();
    loop {
        let e = match toml::from_str::<SpecFile>(&current) {
            Ok(spec) => return Ok((spec, skipped)),
            Err(e) => e,
        };
        let message = e.message().trim().to_string();
        let from = e.span().map_or(0, |s| {
            current[..s.start.min(current.len())].matches('\n').count() + 1
        });
        let line = unknown_key_line(&message, &current, from).map(|(l, _)| l);
        skipped.push(toml_error(&e, text, name));
        match line {
            Some(l) if skipped.len() < MAX_SKIPPED_KEYS => {
                current = current
                    .split('\n')
                    .enumerate()
                    .map(|(i, s)| {
                        if i + 1 == l {
                            " ".repeat(s.len())
                        } else {
                            s.to_string()
                        }
                    })
                    .collect::<Vec<_>>()
                    .join("\n");
            }
            _ => {
                Error::collect(skipped)?;
                unreachable!("collect of a non-empty list is an error");
            }
        }
    }
}

/// As [`parse_spec`], but unknown keys are read past and returned beside
/// the spec, each as an error.
pub fn parse_spec_lenient(text: &str, name: &str, base: Base) -> Result<(LoadedSpec, Vec<Error>)> {
    let (mut spec, skipped_keys): (SpecFile, Vec<Error>) =
        match super::coinr::expand(text, name, &base)? {
            None => from_toml(text, name)?,
            Some(table) => (
                Value::Table(table)
                    .try_into()
                    .map_err(|e: toml::de::Error| toml_error(&e, text, name))?,
                Vec::new(),
            ),
        };
    let mut errors = Vec::new();
    let in_spec = |e: Error, key: String| match e {
        Error::Io { source, path, .. } => Error::spec(
            name,
            key,
            format!("cannot read '{}': {source}", path.display()),
        )
        .with_hint("paths are relative to the spec file's folder"),
        e => e,
    };
    for (t, table) in spec.indicator_table.clone().iter().enumerate() {
        match expand_indicator_table(table, &base, t) {
            Ok(list) => spec.indicators.extend(list),
            Err(e) => errors.push(in_spec(e, format!("indicator_table[{t}].file"))),
        }
    }
    for (t, table) in spec.node_table.clone().iter().enumerate() {
        match expand_node_table(table, &base, t, &spec.index.id) {
            Ok(list) => spec.nodes.extend(list),
            Err(e) => errors.push(in_spec(e, format!("node_table[{t}].file"))),
        }
    }
    Error::collect(errors)?;
    Ok((
        LoadedSpec {
            spec,
            name: name.to_string(),
            text: text.to_string(),
            base,
        },
        skipped_keys,
    ))
}

/// Turns a TOML error into a spec error with line/column and a suggestion.
fn toml_error(e: &toml::de::Error, text: &str, name: &str) -> Error {
    let (line, col) = e
        .span()
        .map(|s| {
            let before = &text[..s.start.min(text.len())];
            let line = before.matches('\n').count() + 1;
            let col = before.len() - before.rfind('\n').map_or(0, |p| p + 1) + 1;
            (line, col)
        })
        .unwrap_or((0, 0));
    let message = e.message().trim().to_string();
    // For an unknown key the span covers its table; point at the key's line.
    let (line, col) = unknown_key_line(&message, text, line).unwrap_or((line, col));
    let mut err = Error::spec(name, format!("line {line}, column {col}"), message.clone());
    // A key missing in a table is reported at its header; one missing at
    // the top level with an empty span.
    let top_level = e.span().is_none_or(|s| s.is_empty());
    let missing = || missing_key_hint(&message, text, (!top_level).then_some(line));
    if let Some(hint) = suggestion_for(&message).or_else(missing) {
        err = err.with_hint(hint);
    } else if let Some(ext) = Path::new(name)
        .extension()
        .map(|e| e.to_string_lossy().to_lowercase())
        .filter(|e| ["csv", "txt", "xlsx", "xlsm", "json", "tsv"].contains(&e.as_str()))
    {
        err = err.with_hint(format!(
            "this looks like a data file (.{ext}): --spec takes the TOML spec, --data the data files"
        ));
    }
    err
}

/// The line (at or after `from`) where the unknown key of `message` is written.
fn unknown_key_line(message: &str, text: &str, from: usize) -> Option<(usize, usize)> {
    let key = message.strip_prefix("unknown field `")?.split('`').next()?;
    text.lines()
        .enumerate()
        .skip(from.saturating_sub(1))
        .find_map(|(i, l)| {
            let t = l.trim_start();
            let rest = t.strip_prefix(key)?;
            rest.trim_start()
                .starts_with('=')
                .then(|| (i + 1, l.len() - t.len() + 1))
        })
}

/// "missing field `kind`" -> which table lacks it (the header at the
/// error's line) and where its keys are documented.
/// `line` is None for a key missing at the top level.
fn missing_key_hint(message: &str, text: &str, line: Option<usize>) -> Option<String> {
    let key = message.strip_prefix("missing field `")?.split('`').next()?;
    let header = line
        .and_then(|l| text.lines().nth(l.checked_sub(1)?))
        .map(str::trim)
        .filter(|l| l.starts_with('['));
    Some(match header {
        Some(h) => {
            let docs = if h.trim_start_matches('[').starts_with("sensitivity") {
                "docs/sensitivity.md"
            } else {
                "docs/spec.md"
            };
            format!("add `{key} = ...` to this {h} table ({docs} lists its keys)")
        }
        None => format!(
            "the spec needs `{key}` (a key or a [{key}] table): docs/spec.md lists what it takes"
        ),
    })
}

/// "unknown field `wieght`, expected one of `id`, `weight`" -> "did you mean `weight`?"
fn suggestion_for(message: &str) -> Option<String> {
    let words: Vec<&str> = message.split('`').skip(1).step_by(2).collect();
    let (bad, expected) = words.split_first()?;
    if !(message.starts_with("unknown field") || message.starts_with("unknown variant")) {
        return None;
    }
    match super::suggest(bad, expected.iter().copied()) {
        Some(s) => Some(format!("did you mean `{s}`?")),
        None if !expected.is_empty() => Some(format!("expected one of: {}", expected.join(", "))),
        None => None,
    }
}

/// Reads a metadata CSV (always CSV/XLSX/JSON by extension) as a raw table,
/// keeping the rows that `filter` selects.
fn read_meta(
    file: &DataFile,
    base: &Base,
    filter: &BTreeMap<String, FilterValues>,
    missing: &[String],
    key: &str,
) -> Result<RawTable> {
    let options = ReadOptions {
        sheet: file.sheet().map(str::to_string),
        ..ReadOptions::default()
    };
    let mut raw = input::read_raw(&base.source(file.path()), &options)?;
    if !missing.is_empty() {
        for cell in raw.rows.iter_mut().flat_map(|r| r.cells.iter_mut()) {
            if missing.contains(&input::cell::cell_text(cell)) {
                *cell = input::RawCell::Empty;
            }
        }
    }
    for (column, values) in filter {
        if raw.keep_rows(column, &values.0).is_none() {
            return Err(Error::data(
                raw.location(None, None),
                format!("no column '{column}' (named by {key}.filter)"),
            )
            .with_hint(format!("the columns are: {}", raw.header.join(", "))));
        }
    }
    Ok(raw)
}

/// A cell of a metadata row by column name (`None` when the key is unset or
/// the cell is empty).
fn meta_cell(
    raw: &RawTable,
    row: &input::RawRow,
    column: &Option<String>,
    key: &str,
) -> Result<Option<String>> {
    let Some(name) = column else {
        return Ok(None);
    };
    let c = raw.column(name).ok_or_else(|| {
        Error::data(
            raw.location(None, None),
            format!("no column '{name}' (named by {key})"),
        )
        .with_hint(format!("the columns are: {}", raw.header.join(", ")))
    })?;
    let text = input::cell::cell_text(&row.cells[c]);
    Ok((!text.is_empty()).then_some(text))
}

fn meta_number(
    raw: &RawTable,
    row: &input::RawRow,
    column: &Option<String>,
    key: &str,
) -> Result<Option<f64>> {
    match meta_cell(raw, row, column, key)? {
        None => Ok(None),
        Some(t) => match input::cell::parse_number(&t, raw.decimal_comma) {
            Some((v, _)) => Ok(Some(v)),
            // A published method's expression, e.g. ln(100).
            None => super::expr::evaluate(&t).map(Some).map_err(|why| {
                Error::data(
                    raw.location(Some(row.position), column.as_deref()),
                    format!("'{t}' is not a number or an expression ({why})"),
                )
            }),
        },
    }
}

fn parse_name<T: serde::de::DeserializeOwned>(
    raw: &RawTable,
    row: &input::RawRow,
    column: &Option<String>,
    text: &str,
) -> Result<T> {
    T::deserialize(serde::de::value::StrDeserializer::<serde::de::value::Error>::new(text)).map_err(
        |e| {
            let mut err = Error::data(
                raw.location(Some(row.position), column.as_deref()),
                format!("'{text}': {e}"),
            );
            if let Some(h) = suggestion_for(&e.to_string()) {
                err = err.with_hint(h);
            }
            err
        },
    )
}

/// The (required) id of a metadata row.
fn meta_id(
    raw: &RawTable,
    row: &input::RawRow,
    column: &str,
    key: &str,
    what: &str,
) -> Result<String> {
    meta_cell(raw, row, &Some(column.to_string()), key)?.ok_or_else(|| {
        Error::data(
            raw.location(Some(row.position), Some(column)),
            format!("empty {what} id"),
        )
    })
}

/// One `[[indicator]]` per row of an indicator metadata table.
fn expand_indicator_table(
    table: &IndicatorTable,
    base: &Base,
    t: usize,
) -> Result<Vec<IndicatorSpec>> {
    let key = |k: &str| format!("indicator_table[{t}].{k}");
    let raw = read_meta(
        &table.file,
        base,
        &table.filter,
        &table.missing,
        &format!("indicator_table[{t}]"),
    )?;
    let mut out = Vec::new();
    for row in &raw.rows {
        let id = meta_id(&raw, row, &table.id, &key("id"), "indicator")?;
        let direction = match meta_cell(&raw, row, &table.direction, &key("direction"))? {
            None => 1,
            Some(t) => direction_word(&t)
                .or_else(|| match input::cell::parse_number(&t, raw.decimal_comma) {
                    Some((v, _)) if v == 1.0 || v == -1.0 => Some(v as i64),
                    _ => None,
                })
                .ok_or_else(|| {
                    Error::data(
                        raw.location(Some(row.position), table.direction.as_deref()),
                        format!("direction '{t}' is not 1 or -1"),
                    )
                    .with_hint("use 1 (or higher) where higher is better, -1 (or lower) where lower is better")
                })?,
        };
        let lower = meta_number(&raw, row, &table.lower, &key("lower"))?;
        let upper = meta_number(&raw, row, &table.upper, &key("upper"))?;
        let target = meta_number(&raw, row, &table.target, &key("target"))?;
        let mut normalise = table.normalise.clone();
        if let Some(m) = meta_cell(&raw, row, &table.method, &key("method"))? {
            normalise = Some(method_from_name(&raw, row, &table.method, &m, target)?);
        }
        if let Some(Normalisation::Goalposts {
            lower: l, upper: u, ..
        }) = &mut normalise
        {
            if lower.is_some() {
                *l = lower;
            }
            if upper.is_some() {
                *u = upper;
            }
        }
        if let (Some(Normalisation::Distance { target: tg, .. }), Some(v)) =
            (&mut normalise, target)
        {
            *tg = v;
        }
        let transform = match meta_cell(&raw, row, &table.transform, &key("transform"))? {
            Some(t) => parse_name::<Transform>(&raw, row, &table.transform, &t)?,
            None => Transform::None,
        };
        out.push(IndicatorSpec {
            column: meta_cell(&raw, row, &table.column, &key("column"))?,
            label: meta_cell(&raw, row, &table.label, &key("label"))?,
            direction,
            parent: meta_cell(&raw, row, &table.parent, &key("parent"))?
                .or_else(|| table.default_parent.clone()),
            weight: meta_number(&raw, row, &table.weight, &key("weight"))?.unwrap_or(1.0),
            transform,
            denominator: meta_cell(&raw, row, &table.denominator, &key("denominator"))?,
            per: meta_number(&raw, row, &table.per, &key("per"))?.unwrap_or(1.0),
            normalise,
            missing: None::<MissingMethod>,
            treat: None,
            id,
        });
    }
    Ok(out)
}

/// A normalisation named in a metadata cell (parameters take defaults).
fn method_from_name(
    raw: &RawTable,
    row: &input::RawRow,
    column: &Option<String>,
    name: &str,
    target: Option<f64>,
) -> Result<Normalisation> {
    let mut table = toml::Table::new();
    table.insert("method".into(), toml::Value::String(name.to_string()));
    if name == "distance" {
        table.insert(
            "target".into(),
            toml::Value::Float(target.unwrap_or(f64::NAN)),
        );
    }
    toml::Value::Table(table)
        .try_into::<Normalisation>()
        .map_err(|e| {
            Error::data(
                raw.location(Some(row.position), column.as_deref()),
                format!(
                    "'{name}' is not a normalisation usable from a table: {}",
                    e.message()
                ),
            )
            .with_hint("use minmax, zscore, goalposts, rank, percentile, distance or none")
        })
}

/// One `[[node]]` per row of a node metadata table.
/// A row whose id is the index's describes the index itself and is skipped
/// (COINr's iMeta lists the index as the top aggregate).
fn expand_node_table(
    table: &NodeTable,
    base: &Base,
    t: usize,
    index_id: &str,
) -> Result<Vec<NodeSpec>> {
    let key = |k: &str| format!("node_table[{t}].{k}");
    let raw = read_meta(
        &table.file,
        base,
        &table.filter,
        &table.missing,
        &format!("node_table[{t}]"),
    )?;
    let mut out = Vec::new();
    for row in &raw.rows {
        let id = meta_id(&raw, row, &table.id, &key("id"), "node")?;
        if id == index_id {
            continue;
        }
        let aggregation = match meta_cell(&raw, row, &table.aggregation, &key("aggregation"))? {
            Some(a) => parse_name(&raw, row, &table.aggregation, &a)?,
            None => Default::default(),
        };
        out.push(NodeSpec {
            label: meta_cell(&raw, row, &table.label, &key("label"))?,
            parent: meta_cell(&raw, row, &table.parent, &key("parent"))?
                .or_else(|| table.default_parent.clone()),
            weight: meta_number(&raw, row, &table.weight, &key("weight"))?.unwrap_or(1.0),
            aggregation,
            p: None,
            alpha: None,
            beta: None,
            bod: None,
            min_coverage: None,
            id,
        });
    }
    Ok(out)
}

/// The location of a spec-level problem (for data-side messages).
pub fn spec_location(spec: &LoadedSpec) -> Location {
    Location {
        file: spec.name.clone(),
        position: String::new(),
        column: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MINIMAL: &str = r#"
[index]
id = "idx"
[units]
id = "kommun"
[[indicator]]
id = "a"
"#;

    fn parse(text: &str) -> Result<LoadedSpec> {
        parse_spec(text, "s.toml", Base::Dir(PathBuf::from(".")))
    }

    #[test]
    fn minimal_spec_parses_with_defaults() {
        let s = parse(MINIMAL).unwrap();
        assert_eq!(s.spec.indicators[0].weight, 1.0);
        assert_eq!(s.spec.indicators[0].direction, 1);
        assert_eq!(s.spec.data.year_column, "year");
    }

    #[test]
    fn misspelt_key_gets_a_suggestion_and_line() {
        let text = MINIMAL.replace("id = \"a\"", "id = \"a\"\nwieght = 2");
        let e = parse(&text).unwrap_err().to_string();
        assert!(e.contains("s.toml: line 8, column 1"), "{e}");
        assert!(e.contains("unknown field `wieght`"), "{e}");
        assert!(e.contains("did you mean `weight`?"), "{e}");
    }

    #[test]
    fn misspelt_method_gets_a_suggestion() {
        let text = MINIMAL.to_string() + "normalise = { method = \"minmx\" }\n";
        let e = parse(&text).unwrap_err().to_string();
        assert!(e.contains("did you mean `minmax`?"), "{e}");
        let text = MINIMAL.to_string() + "normalise = { method = \"minmax\", hihg = 3 }\n";
        let e = parse(&text).unwrap_err().to_string();
        assert!(e.contains("did you mean `high`?"), "{e}");
    }

    #[test]
    fn toml_syntax_error_names_line() {
        let e = parse("[index\nid = 1").unwrap_err().to_string();
        assert!(e.contains("s.toml: line 1"), "{e}");
    }

    #[test]
    fn relative_paths_resolve_against_the_spec_folder() {
        let b = Base::Dir(PathBuf::from("/a/b"));
        assert_eq!(b.source("d.csv").path().unwrap(), Path::new("/a/b/d.csv"));
        assert_eq!(b.source("/x/d.csv").path().unwrap(), Path::new("/x/d.csv"));
    }
}
