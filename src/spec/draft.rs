//! A first spec drafted from data files (`kommunrank init`): the unit id and
//! name columns guessed (or given), every numeric column an indicator under
//! the index, with its coverage and range in a comment; columns that cannot
//! be indicators (constant, empty, text answers, codes) listed in comments
//! with what to do. The draft is a starting point to edit, and it always
//! ranks as written: `init` checks it before handing it out.

use crate::error::{Error, Result};
use crate::input::{self, IdOptions, LayoutOptions, RawTable, ReadOptions, Source, Table};
use std::collections::BTreeSet;
use std::fmt::Write;
use std::path::{Path, PathBuf};

/// What `init` is told; everything else is guessed from the files.
#[derive(Debug, Clone, Default)]
pub struct DraftOptions {
    /// Data files (as the user gave them).
    pub files: Vec<PathBuf>,
    /// A unit list (ids and names), joined to the data by id.
    pub units: Option<PathBuf>,
    /// The unit id column of the data files.
    pub id: Option<String>,
    /// The name column (data or unit list).
    pub name: Option<String>,
    /// The year to take from long files (default: the latest).
    pub year: Option<i64>,
    /// The sheet of XLSX files (default: the first).
    pub sheet: Option<String>,
    /// Rows to keep (`data.filter`): column and value.
    pub filter: Vec<(String, String)>,
    /// The folder the spec will be saved in (paths are written relative to it).
    pub spec_dir: PathBuf,
}

/// Id column names tried first (any case), then the first column whose
/// cells are all filled and distinct.
const ID_NAMES: &[&str] = &[
    "kommun",
    "kommunkod",
    "kod",
    "geo",
    "id",
    "code",
    "unit",
    "municipality",
    "municipality_id",
    "country",
];
/// Name column names tried first (any case).
const NAME_NAMES: &[&str] = &["namn", "name", "kommunnamn", "label", "country_name"];
/// Text columns with at most this many different answers are offered as
/// categorical indicators.
const MAX_ANSWERS: usize = 8;
/// The draft's `[screening] min_coverage` (which the draft also applies to
/// keep out columns that would be constant among the ranked units).
const MIN_COVERAGE: f64 = 0.5;

/// A drafted spec and what its author should know before using it.
#[derive(Debug, Clone, PartialEq)]
pub struct Draft {
    /// The spec (TOML text).
    pub text: String,
    /// Warnings about the data (also written in the spec as comments).
    pub notes: Vec<String>,
}

/// Drafts a spec from the files in `options`.
pub fn draft_spec(options: &DraftOptions) -> Result<Draft> {
    if options.files.is_empty() {
        return Err(Error::Usage(
            "init needs at least one data file: --data FILE".into(),
        ));
    }
    let read = |p: &PathBuf| {
        let options = ReadOptions {
            sheet: options.sheet.clone(),
            ..ReadOptions::default()
        };
        input::read_raw(&Source::Path(p.clone()), &options)
    };
    let mut raws: Vec<RawTable> = options.files.iter().map(read).collect::<Result<_>>()?;
    for (column, value) in &options.filter {
        let hits = raws
            .iter_mut()
            .filter_map(|r| r.keep_rows(column, std::slice::from_ref(value)))
            .count();
        if hits == 0 {
            return Err(Error::Usage(format!(
                "--filter {column}={value}: no data file has a column '{column}'"
            )));
        }
    }
    let unit_raw = options.units.as_ref().map(read).transpose()?;
    let id = match &options.id {
        Some(id) => id.clone(),
        None => guess_id(&raws[0])?,
    };
    let defaults = super::DataSection::default();
    let long = |r: &RawTable| {
        r.column(&defaults.year_column).is_some()
            || (r.column(&defaults.indicator_column).is_some()
                && r.column(&defaults.value_column).is_some())
    };
    let years: BTreeSet<i64> = raws
        .iter()
        .filter_map(|r| r.column(&defaults.year_column).map(|c| (r, c)))
        .flat_map(|(r, c)| {
            r.rows
                .iter()
                .filter_map(move |row| input::cell::cell_text(&row.cells[c]).parse::<i64>().ok())
        })
        .collect();
    let year = options.year.or_else(|| years.last().copied());
    let layout = LayoutOptions {
        id_column: id.clone(),
        ids: IdOptions::default(),
        year_column: defaults.year_column.clone(),
        year,
        indicator_column: defaults.indicator_column.clone(),
        value_column: defaults.value_column.clone(),
    };
    let missing: Vec<String> = ReadOptions::default().missing;
    let tables: Vec<Table> = raws
        .iter()
        .map(|r| input::to_table(r, &layout, &missing))
        .collect::<Result<_>>()?;
    let table = Table::merge(tables)?;
    // The unit list: its id column is the data's, or its first filled,
    // distinct column.
    let unit_list = match &unit_raw {
        None => None,
        Some(raw) => {
            let file_id = if raw.column(&id).is_some() {
                id.clone()
            } else {
                guess_id(raw)?
            };
            let t = input::wide::wide_table(raw, &file_id, &IdOptions::default(), &missing)?;
            Some((file_id, t))
        }
    };
    let name = match &options.name {
        Some(n) => Some(n.clone()),
        None => unit_list
            .as_ref()
            .and_then(|(file_id, t)| guess_name(t, file_id))
            .or_else(|| guess_name(&table, &id)),
    };

    let mut o = String::new();
    let stem = options.files[0]
        .file_stem()
        .map(|s| s.to_string_lossy().to_string())
        .unwrap_or_else(|| "index".into());
    let _ = writeln!(
        o,
        "# A first spec drafted by `kommunrank init` from {}.\n\
         # Check every indicator's direction and weight, group indicators under\n\
         # [[node]]s, then: kommunrank validate --spec <this file>\n",
        options
            .files
            .iter()
            .map(|f| f.display().to_string())
            .collect::<Vec<_>>()
            .join(", ")
    );
    let _ = writeln!(
        o,
        "[index]\nid = {}\nlabel = {}\naggregation = \"arithmetic\"\n",
        quote(&slug(&stem)),
        quote(&format!("{stem} index"))
    );
    let xlsx = |f: &Path| input::Format::of(&f.to_string_lossy()) == input::Format::Xlsx;
    let files: Vec<String> = options
        .files
        .iter()
        .map(|f| match &options.sheet {
            Some(sheet) if xlsx(f) => format!(
                "{{ path = {}, sheet = {} }}",
                quote(&relative(f, &options.spec_dir)),
                quote(sheet)
            ),
            _ => quote(&relative(f, &options.spec_dir)),
        })
        .collect();
    let _ = writeln!(o, "[data]\nfiles = [{}]", files.join(", "));
    if !options.filter.is_empty() {
        let pairs: Vec<String> = options
            .filter
            .iter()
            .map(|(c, v)| format!("{} = {}", quote(c), quote(v)))
            .collect();
        let _ = writeln!(o, "filter = {{ {} }}", pairs.join(", "));
    }
    if raws.iter().any(long) {
        match year {
            Some(y) => {
                let _ = writeln!(
                    o,
                    "year = {y}                      # the long files hold {}",
                    years
                        .iter()
                        .map(i64::to_string)
                        .collect::<Vec<_>>()
                        .join(", ")
                );
            }
            None => {
                o.push_str("# year = 2022                  # the year to take from long files\n")
            }
        }
    }
    let _ = writeln!(o, "\n[units]\nid = {}", quote(&id));
    // Municipality codes saved as numbers lose their leading zero (0114 ->
    // 114): ids of 3 and 4 digits are offered the padding, commented out
    // (other numeric ids, 1 to 100, are left alone).
    let digits = table
        .ids
        .iter()
        .all(|i| i.bytes().all(|b| b.is_ascii_digit()));
    let widths: BTreeSet<usize> = table.ids.iter().map(String::len).collect();
    let mut notes = Vec::new();
    if digits && widths == BTreeSet::from([3, 4]) {
        o.push_str(
            "# id_pad = 4                    # ids of 3 and 4 digits: if they are municipality codes saved as numbers (114 for 0114), this restores the zero\n",
        );
    } else if options.units.is_none()
        && let Some(note) = mixed_levels(&table.ids, &id)
    {
        let _ = writeln!(o, "# {note}");
        notes.push(note);
    }
    if let (Some(path), Some((file_id, _))) = (&options.units, &unit_list) {
        let _ = writeln!(
            o,
            "file = {}\nfile_id = {}",
            quote(&relative(path, &options.spec_dir)),
            quote(file_id)
        );
    }
    if let Some(n) = &name {
        let _ = writeln!(o, "name = {}", quote(n));
    }
    // Group codes, in the data or the unit list.
    let mut codes: Vec<&str> = Vec::new();
    for t in std::iter::once(&table).chain(unit_list.as_ref().map(|(_, t)| t)) {
        for c in t.columns.iter().filter(|c| is_code(c, t.len())) {
            if Some(&c.name) != name.as_ref() && !codes.contains(&c.name.as_str()) {
                codes.push(&c.name);
            }
        }
    }
    if !codes.is_empty() {
        let _ = writeln!(
            o,
            "# groups = [{}]   # columns of codes: rank within them with [ranking] within",
            codes
                .iter()
                .map(|c| quote(c))
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
    let _ = writeln!(
        o,
        "\n[screening]\nmin_coverage = {MIN_COVERAGE}               # units with data for under this share of the indicators are not ranked"
    );
    o.push_str(
        "\n\
         [missing]\nmethod = \"exclude\"                # re-weight over the indicators a unit has (or mean, median, zero, ...)\n\n\
         [normalise]\nmethod = \"minmax\"                 # 0-100 between the lowest and highest unit\n\n\
         [ranking]\nmethod = \"competition\"            # ties share the best rank\n",
    );

    let n = table.len();
    let mut left_out = Vec::new();
    let mut drafted: Vec<(&input::Column, usize, f64, f64)> = Vec::new();
    for c in &table.columns {
        if c.name == id || Some(&c.name) == name.as_ref() || codes.contains(&c.name.as_str()) {
            continue;
        }
        match draft_column(c) {
            ColumnDraft::Indicator { present, lo, hi } => drafted.push((c, present, lo, hi)),
            ColumnDraft::LeftOut(line) => left_out.push(line),
        }
    }
    // Screening (min_coverage above) ranks only units with data for that
    // share of the drafted indicators; a column may be the same for all of
    // those. Such columns are left out, until the set holds.
    loop {
        let k = drafted.len();
        let ranked: Vec<usize> = (0..n)
            .filter(|&u| {
                let have = drafted.iter().filter(|d| d.0.values[u].is_finite()).count();
                have > 0 && have as f64 >= MIN_COVERAGE * k as f64
            })
            .collect();
        let (keep, drop): (Vec<_>, Vec<_>) = drafted.into_iter().partition(|d| {
            let mut values = ranked
                .iter()
                .map(|&u| d.0.values[u])
                .filter(|v| v.is_finite());
            let first = values.next();
            values.any(|v| Some(v) != first)
        });
        drafted = keep;
        if drop.is_empty() {
            break;
        }
        for d in drop {
            left_out.push(format!(
                "# {}: the same for every unit with enough data to be ranked (cannot tell them apart)",
                d.0.name
            ));
        }
    }
    let mut ids_used: BTreeSet<String> = BTreeSet::new();
    for &(c, present, lo, hi) in &drafted {
        let mut ind_id = slug(&c.name);
        while !ids_used.insert(ind_id.clone()) || ind_id == slug(&stem) {
            ind_id.push('_');
        }
        let _ = writeln!(o, "\n[[indicator]]\nid = {}", quote(&ind_id));
        if ind_id != c.name {
            let _ = writeln!(o, "column = {}", quote(&c.name));
        }
        let _ = writeln!(
            o,
            "direction = 1          # data for {present} of {n} units, {} to {}; 1 if higher is better, -1 if lower\nweight = 1",
            short(lo),
            short(hi)
        );
    }
    let indicators = drafted.len();
    if indicators == 0 {
        let sheets = raws.iter().find(|r| r.sheets.len() > 1).map(|r| {
            format!(
                "; the workbook's sheets are {}: choose one with --sheet",
                r.sheets.join(", ")
            )
        });
        return Err(Error::Usage(format!(
            "no column of {} holds numbers that differ between units: nothing to rank{}",
            raws.iter()
                .map(|r| r.file.as_str())
                .collect::<Vec<_>>()
                .join(", "),
            sheets.unwrap_or_default()
        )));
    }
    if !left_out.is_empty() {
        o.push_str("\n# Columns left out:\n");
        for l in left_out {
            let _ = writeln!(o, "{l}");
        }
    }
    Ok(Draft { text: o, notes })
}

/// The warning for ids that look like official codes of several levels
/// ranked side by side (Kolada: municipalities 4 digits, counties 2, the
/// country 0; FIPS codes alike): digits only, of several lengths, some
/// zero-padded (plain numbering, 1 to 290, is not warned about).
fn mixed_levels(ids: &[String], column: &str) -> Option<String> {
    let digits = ids.iter().all(|i| i.bytes().all(|b| b.is_ascii_digit()));
    let padded = ids.iter().any(|i| i.len() > 1 && i.starts_with('0'));
    let widths: BTreeSet<usize> = ids.iter().map(String::len).collect();
    if !(digits && padded && widths.len() > 1) {
        return None;
    }
    let mut by_width: std::collections::BTreeMap<usize, usize> = Default::default();
    for i in ids {
        *by_width.entry(i.len()).or_default() += 1;
    }
    let mut counts: Vec<(usize, usize)> = by_width.into_iter().collect();
    counts.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    let list: Vec<String> = counts
        .iter()
        .map(|(w, c)| format!("{c} of {w} digit{}", if *w == 1 { "" } else { "s" }))
        .collect();
    Some(format!(
        "the ids in '{column}' have {} lengths ({}): if they are units of different levels \
         (as Kolada's municipalities, counties and country), rank one level with \
         --units FILE listing its ids (e.g. Kolada's municipalities.csv)",
        counts.len(),
        list.join(", ")
    ))
}

/// What a data column becomes in the draft.
enum ColumnDraft {
    /// An indicator: units with data, lowest and highest value.
    Indicator { present: usize, lo: f64, hi: f64 },
    /// A comment saying why it is left out (and how to use it).
    LeftOut(String),
}

/// Numbers that differ between units make an indicator; a few text answers
/// a commented `categorical` block; anything else a comment.
fn draft_column(c: &input::Column) -> ColumnDraft {
    let present: Vec<f64> = c.values.iter().copied().filter(|v| v.is_finite()).collect();
    let answers: BTreeSet<&str> = c.text.values().map(String::as_str).collect();
    let list = |k: usize| {
        answers
            .iter()
            .take(k)
            .copied()
            .collect::<Vec<_>>()
            .join(", ")
    };
    if let Some((comma, point)) = c.mixed_separators {
        return ColumnDraft::LeftOut(format!(
            "# {}: mixed decimal separators (a comma at {}, a point at {}): use one in the file",
            c.name,
            c.kind.describe(comma),
            c.kind.describe(point)
        ));
    }
    if !c.text.is_empty() {
        return ColumnDraft::LeftOut(if !present.is_empty() {
            format!(
                "# {}: numbers mixed with text ({}): fix the cells or add them to [data] missing",
                c.name,
                list(3)
            )
        } else if answers.len() <= MAX_ANSWERS {
            let (map, yes_no) = answer_points(&answers);
            format!(
                "# {}: answers {}{} -> a points indicator:\n#   [[indicator]]\n#   id = {}\n#   column = {}\n#   normalise = {{ method = \"categorical\", map = {{ {} }} }}",
                c.name,
                list(MAX_ANSWERS),
                if yes_no {
                    ""
                } else {
                    " (set each answer's points)"
                },
                quote(&slug(&c.name)),
                quote(&c.name),
                map.join(", ")
            )
        } else {
            format!("# {}: text (not an indicator)", c.name)
        });
    }
    let (lo, hi) = present
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &v| {
            (a.min(v), b.max(v))
        });
    if present.len() < 2 || lo == hi {
        return ColumnDraft::LeftOut(format!(
            "# {}: {} (cannot tell units apart)",
            c.name,
            if present.is_empty() {
                "no data".to_string()
            } else {
                format!("every unit has {lo}")
            }
        ));
    }
    ColumnDraft::Indicator {
        present: present.len(),
        lo,
        hi,
    }
}

/// The first preferred id column, else the first column whose cells are all
/// filled and distinct.
fn guess_id(raw: &RawTable) -> Result<String> {
    let filled_distinct = |c: usize| {
        let mut seen = BTreeSet::new();
        raw.rows.iter().all(|r| {
            let t = input::cell::cell_text(&r.cells[c]);
            !t.is_empty() && seen.insert(t)
        })
    };
    let preferred = ID_NAMES
        .iter()
        .find_map(|n| raw.header.iter().position(|h| h.eq_ignore_ascii_case(n)));
    preferred
        .or_else(|| (0..raw.header.len()).find(|&c| filled_distinct(c)))
        .map(|c| raw.header[c].clone())
        .ok_or_else(|| {
            Error::data(
                raw.location(None, None),
                "no column looks like a unit id (filled and different in every row)",
            )
            .with_hint("name the id column with --id")
        })
}

/// A name column: a preferred name, else a text column different in every row.
fn guess_name(t: &Table, id: &str) -> Option<String> {
    let texts = |c: &input::Column| c.text.len() == t.len() && !t.is_empty();
    NAME_NAMES
        .iter()
        .find_map(|n| t.columns.iter().find(|c| c.name.eq_ignore_ascii_case(n)))
        .or_else(|| {
            t.columns.iter().find(|c| {
                c.name != id
                    && texts(c)
                    && c.text.values().collect::<BTreeSet<_>>().len() == t.len()
            })
        })
        .map(|c| c.name.clone())
}

/// Column names of codes for groups (any case).
const GROUP_NAMES: &[&str] = &[
    "lan",
    "län",
    "county",
    "region",
    "lanskod",
    "länskod",
    "group",
    "kommungrupp",
];

/// A column of codes (county `01`, `23`), not quantities: whole numbers,
/// some written with a leading zero or under a group-like name.
fn is_code(c: &input::Column, n: usize) -> bool {
    let filled: Vec<f64> = c.values.iter().copied().filter(|v| v.is_finite()).collect();
    let zero_led = c
        .original
        .values()
        .any(|t| t.starts_with('0') && t.len() > 1);
    let named = GROUP_NAMES.iter().any(|g| c.name.eq_ignore_ascii_case(g));
    !filled.is_empty()
        && filled.len() == n
        && c.text.is_empty()
        && filled.iter().all(|v| v.fract() == 0.0)
        && (zero_led || named)
}

/// Points for a text answer: 1 for yes-like answers, 0 for no-like ones,
/// else its place among the answers (to be set by hand).
fn answer_points(answers: &BTreeSet<&str>) -> (Vec<String>, bool) {
    const YES: &[&str] = &["ja", "yes", "true", "sant", "klar", "x", "y", "j"];
    const NO: &[&str] = &["nej", "no", "false", "falskt", "n"];
    let yes_no = answers.iter().all(|a| {
        YES.contains(&a.to_lowercase().as_str()) || NO.contains(&a.to_lowercase().as_str())
    });
    let map = answers
        .iter()
        .enumerate()
        .map(|(i, a)| {
            let points = if yes_no {
                usize::from(YES.contains(&a.to_lowercase().as_str()))
            } else {
                i
            };
            format!("{} = {points}", quote(a))
        })
        .collect();
    (map, yes_no)
}

/// An id for a column: lower case, letters, digits and `_`.
fn slug(s: &str) -> String {
    let mut out: String = s
        .trim()
        .to_lowercase()
        .chars()
        .map(|c| if c.is_alphanumeric() { c } else { '_' })
        .collect();
    if out.is_empty() {
        out.push('x');
    }
    out
}

/// A TOML string literal.
fn quote(s: &str) -> String {
    toml::Value::String(s.to_string()).to_string()
}

/// A number for a comment.
fn short(v: f64) -> String {
    let s = format!("{v:.4}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    s.to_string()
}

/// `path` as a spec in folder `dir` names it: relative to `dir` (with `..`
/// as needed), absolute when the two share no folder.
fn relative(path: &Path, dir: &Path) -> String {
    let abs = |p: &Path| std::path::absolute(p).unwrap_or_else(|_| p.to_path_buf());
    let (p, d) = (abs(path), abs(dir));
    let (pc, dc): (Vec<_>, Vec<_>) = (p.components().collect(), d.components().collect());
    let common = pc.iter().zip(&dc).take_while(|(a, b)| a == b).count();
    if common <= 1 {
        return p.display().to_string();
    }
    let mut rel = PathBuf::new();
    for _ in common..dc.len() {
        rel.push("..");
    }
    for c in &pc[common..] {
        rel.push(c);
    }
    rel.display().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn mixed_levels_warns_of_codes_not_of_numbering() {
        let kolada = ids(&["0114", "0115", "2584", "01", "25", "0"]);
        let note = mixed_levels(&kolada, "geo").expect("codes of three levels");
        assert!(
            note.contains("3 lengths (3 of 4 digits, 2 of 2 digits, 1 of 1 digit)"),
            "{note}"
        );
        // Plain numbering, one length, or not digits: no note.
        let numbered: Vec<String> = (1..=290).map(|i| i.to_string()).collect();
        assert_eq!(mixed_levels(&numbered, "id"), None);
        assert_eq!(mixed_levels(&ids(&["0114", "0115"]), "geo"), None);
        assert_eq!(mixed_levels(&ids(&["SE01", "SE011", "01"]), "nuts"), None);
    }
}
