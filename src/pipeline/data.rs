//! Assembling the data of an index: reading every data file the spec (or
//! `--data`) names, joining them by unit id, applying the unit list, and
//! finding unit names and groups.

use super::note::{IDS_SHOWN, Note};
use crate::error::{Error, Result};
use crate::input::{self, IdOptions, LayoutOptions, RawTable, ReadOptions, Source, Table};
use crate::spec::Index;
use std::collections::BTreeSet;

/// The data of an index, ready for the pipeline.
#[derive(Debug, Clone)]
pub struct Dataset {
    /// Units by variables.
    pub table: Table,
    /// Unit names (the id when there is no name column).
    pub names: Vec<String>,
    /// Group columns: (column name, one value per unit; empty = unknown).
    pub groups: Vec<(String, Vec<String>)>,
    /// How each file was read.
    pub sources: Vec<String>,
    /// What loading noticed that the user should know.
    pub notes: Vec<Note>,
}

/// Overrides from the command line.
#[derive(Debug, Clone, Default)]
pub struct DataOverrides {
    /// Data files replacing the spec's `data.files` (paths as given).
    pub files: Vec<std::path::PathBuf>,
    /// Year replacing `data.year`.
    pub year: Option<i64>,
    /// XLSX sheet for the override files (default: the first sheet).
    pub sheet: Option<String>,
}

fn read_options(index: &Index) -> Result<ReadOptions> {
    let d = &index.spec.data;
    let delimiter = match d.delimiter.as_deref() {
        None => None,
        Some(",") => Some(b','),
        Some(";") => Some(b';'),
        Some("\t") | Some("tab") => Some(b'\t'),
        Some(other) => {
            return Err(Error::spec(
                &index.spec_name,
                "data.delimiter",
                format!("'{other}' is not a supported delimiter"),
            )
            .with_hint("use \",\", \";\" or \"\\t\", or remove the key to detect it"));
        }
    };
    Ok(ReadOptions {
        delimiter,
        decimal: d.decimal,
        encoding: d.encoding,
        missing: d.missing.clone().unwrap_or_else(|| {
            input::cell::DEFAULT_MISSING
                .iter()
                .map(|s| s.to_string())
                .collect()
        }),
        sheet: None,
    })
}

/// The data files a run reads (the spec's, or those given instead), each
/// with its sheet.
fn data_sources(index: &Index, overrides: &DataOverrides) -> Vec<(Source, Option<String>)> {
    if overrides.files.is_empty() {
        index
            .spec
            .data
            .files
            .iter()
            .map(|f| (index.base.source(f.path()), f.sheet().map(str::to_string)))
            .collect()
    } else {
        overrides
            .files
            .iter()
            .map(|p| (Source::Path(p.clone()), overrides.sheet.clone()))
            .collect()
    }
}

/// The years each data file holds (rows kept by `data.filter`), by file
/// name; None for a file without a year column (the same for every year).
pub fn data_years(
    index: &Index,
    overrides: &DataOverrides,
) -> Result<Vec<(String, Option<BTreeSet<i64>>)>> {
    let options = read_options(index)?;
    let year_column = &index.spec.data.year_column;
    data_sources(index, overrides)
        .into_iter()
        .map(|(source, sheet)| {
            let (raw, _) = read_filtered(index, &source, sheet, &options)?;
            let years = raw.column(year_column).map(|c| {
                raw.rows
                    .iter()
                    .filter_map(|row| input::long::year_of(&input::cell::cell_text(&row.cells[c])))
                    .collect()
            });
            Ok((source.name(), years))
        })
        .collect()
}

/// What one `data.filter` column did to a file.
struct Filtered<'a> {
    /// The filter column.
    column: &'a str,
    /// Rows before it, and rows it removed.
    rows: usize,
    removed: usize,
}

/// A data file read, with only the rows `data.filter` keeps, and what each
/// filter column the file has did.
fn read_filtered<'a>(
    index: &'a Index,
    source: &Source,
    sheet: Option<String>,
    options: &ReadOptions,
) -> Result<(RawTable, Vec<Filtered<'a>>)> {
    let opts = ReadOptions {
        sheet,
        ..options.clone()
    };
    let mut raw = input::read_raw(source, &opts)?;
    let mut kept = Vec::new();
    for (column, values) in &index.spec.data.filter {
        let rows = raw.rows.len();
        if let Some(removed) = raw.keep_rows(column, &values.0) {
            kept.push(Filtered {
                column,
                rows,
                removed,
            });
        }
    }
    Ok((raw, kept))
}

/// Reads and joins the data of an index.
pub fn load_dataset(index: &Index, overrides: &DataOverrides) -> Result<Dataset> {
    let spec = &index.spec;
    let options = read_options(index)?;
    let layout = LayoutOptions {
        id_column: spec.units.id.clone(),
        ids: IdOptions {
            pad: spec.units.id_pad,
        },
        year_column: spec.data.year_column.clone(),
        year: overrides.year.or(spec.data.year),
        indicator_column: spec.data.indicator_column.clone(),
        value_column: spec.data.value_column.clone(),
    };
    let sources = data_sources(index, overrides);
    if sources.is_empty() {
        return Err(
            Error::spec(&index.spec_name, "data.files", "no data files are given")
                .with_hint("add files = [\"data.csv\"] under [data], or pass --data FILE"),
        );
    }
    check_overrides_apply(&sources, overrides)?;
    let mut tables = Vec::new();
    let mut errors = Vec::new();
    let mut filter_notes = Vec::new();
    let mut filtered: BTreeSet<&str> = BTreeSet::new();
    let mut has_years = false;
    for (source, sheet) in &sources {
        match read_filtered(index, source, sheet.clone(), &options).and_then(|(raw, kept)| {
            has_years |= raw.column(&spec.data.year_column).is_some();
            for f in kept {
                filtered.insert(f.column);
                filter_notes.push(Note::Filtered {
                    source: source.name(),
                    kept: f.rows - f.removed,
                    rows: f.rows,
                    column: f.column.to_string(),
                    values: spec.data.filter[f.column].0.clone(),
                });
            }
            input::to_table(&raw, &layout, &options.missing)
        }) {
            Ok(t) => tables.push(t),
            Err(e) => errors.push(e),
        }
    }
    // A filter column no file has is most likely misspelt: said first.
    for column in spec.data.filter.keys().rev() {
        if !filtered.contains(column.as_str()) {
            errors.insert(
                0,
                Error::spec(
                    &index.spec_name,
                    format!("data.filter.{column}"),
                    format!("no data file has a column '{column}'"),
                )
                .with_hint("name a column of the data files, or remove the filter"),
            );
        }
    }
    if let Some(year) = overrides.year
        && errors.is_empty()
        && !has_years
    {
        errors.push(Error::Usage(format!(
            "--year {year}: no data file has a year column ('{}'), so there is no year to choose; leave --year out, or set data.year_column",
            spec.data.year_column
        )));
    }
    Error::collect(errors)?;
    let mut table = Table::merge(tables)?;
    check_ids_keep_their_zeros(&table.ids, spec.units.id_pad)
        .map_err(|e| Error::spec(&index.spec_name, "units.id", e).with_hint(format!(
            "one of the files lost the codes' leading zeros (Excel saves 0114 as the number 114): set [units] id_pad = {} to restore them",
            table.ids.iter().map(String::len).max().unwrap_or(4)
        )))?;
    let mut notes = filter_notes;
    let read_log = std::mem::take(&mut table.sources);

    // The unit list decides which units exist, in which order.
    let mut list_table: Option<Table> = None;
    if let Some(file) = &spec.units.file {
        let source = index.base.source(file.path());
        let opts = ReadOptions {
            sheet: file.sheet().map(str::to_string),
            ..options.clone()
        };
        let raw = input::read_raw(&source, &opts)?;
        let id_col = spec
            .units
            .file_id
            .clone()
            .unwrap_or_else(|| spec.units.id.clone());
        let list = input::wide::wide_table(&raw, &id_col, &layout.ids, &opts.missing)?;
        let dropped = table.restrict(&list.ids);
        if !dropped.is_empty() {
            notes.push(Note::IdsIgnored {
                count: dropped.len(),
                list: source.name(),
                shown: dropped.into_iter().take(IDS_SHOWN).collect(),
            });
        }
        list_table = Some(list);
    }
    if table.is_empty() {
        let names: Vec<String> = sources.iter().map(|(s, _)| s.name()).collect();
        return Err(Error::spec(
            &index.spec_name,
            "data.files",
            format!("the data has no units: {} hold no data rows", names.join(", ")),
        )
        .with_hint("check that the files have data rows under the header (and the year exists in long files)"));
    }

    // Names and groups: from the unit list first, then the data.
    let text_column = |name: &str| -> Option<Vec<String>> {
        if let Some(list) = &list_table
            && let Some(c) = list.column(name)
        {
            return Some(
                table
                    .ids
                    .iter()
                    .map(|id| list.unit(id).map(|u| c.text_of(u)).unwrap_or_default())
                    .collect(),
            );
        }
        table
            .column(name)
            .map(|c| (0..table.len()).map(|u| c.text_of(u)).collect())
    };
    let mut errors = Vec::new();
    let names = match &spec.units.name {
        None => table.ids.clone(),
        Some(n) => match text_column(n) {
            Some(v) => v
                .into_iter()
                .zip(&table.ids)
                .map(|(name, id)| if name.is_empty() { id.clone() } else { name })
                .collect(),
            None => {
                errors.push(missing_column(index, &table, "units.name", n));
                table.ids.clone()
            }
        },
    };
    let mut group_columns: Vec<String> = spec.units.groups.clone();
    for extra in spec.ranking.within.iter().chain(spec.missing.group.iter()) {
        if !group_columns.contains(extra) {
            group_columns.push(extra.clone());
        }
    }
    let mut groups = Vec::new();
    for g in group_columns {
        match text_column(&g) {
            Some(v) => groups.push((g, v)),
            None => errors.push(missing_column(index, &table, "units.groups", &g)),
        }
    }
    Error::collect(errors)?;
    Ok(Dataset {
        table,
        names,
        groups,
        sources: read_log,
        notes,
    })
}

/// "no column X" with the columns there are and a suggestion.
pub fn missing_column(index: &Index, table: &Table, key: &str, name: &str) -> Error {
    let cols = table.column_names();
    let hint = match crate::spec::suggest(name, cols.iter().copied()) {
        Some(s) => format!("did you mean '{s}'?"),
        None => format!(
            "the data columns are: {}",
            cols.iter().take(40).copied().collect::<Vec<_>>().join(", ")
        ),
    };
    Error::spec(
        &index.spec_name,
        key,
        format!("no column '{name}' in the data"),
    )
    .with_hint(hint)
}

/// Refuses options that would be ignored: `--sheet` without an XLSX file
/// given with `--data`.
fn check_overrides_apply(
    sources: &[(Source, Option<String>)],
    overrides: &DataOverrides,
) -> Result<()> {
    let Some(sheet) = &overrides.sheet else {
        return Ok(());
    };
    if overrides.files.is_empty() {
        return Err(Error::Usage(format!(
            "--sheet {sheet} applies to XLSX files given with --data; the spec's files name their sheet as {{ path = \"...\", sheet = \"...\" }}"
        )));
    }
    let xlsx = sources.iter().any(|(s, _)| {
        let name = s.name().to_lowercase();
        name.ends_with(".xlsx") || name.ends_with(".xlsm")
    });
    if !xlsx {
        return Err(Error::Usage(format!(
            "--sheet {sheet} applies to XLSX workbooks, but the --data files are not ({})",
            sources
                .iter()
                .map(|(s, _)| s.name())
                .collect::<Vec<_>>()
                .join(", ")
        )));
    }
    Ok(())
}

/// Unit ids that differ only by leading zeros (114 and 0114) are one unit
/// split in two by a file that lost its zeros: an error, not two half units.
fn check_ids_keep_their_zeros(
    ids: &[String],
    pad: Option<usize>,
) -> std::result::Result<(), String> {
    if pad.is_some() {
        return Ok(());
    }
    let mut seen: std::collections::HashMap<&str, &str> = std::collections::HashMap::new();
    for id in ids {
        if id.is_empty() || !id.bytes().all(|b| b.is_ascii_digit()) {
            continue;
        }
        let key = id.trim_start_matches('0');
        match seen.get(key) {
            Some(other) if *other != id => {
                return Err(format!(
                    "units '{other}' and '{id}' differ only by leading zeros: they are most likely one unit, split in two with half of its data each"
                ));
            }
            _ => {
                seen.insert(key, id);
            }
        }
    }
    Ok(())
}
