//! A first spec drafted from data files (`kommunrank init`): the unit id,
//! name and group columns guessed (or given), every numeric column an
//! indicator with a short id, its heading as label, and its coverage, range
//! and a direction to check in a comment; columns that cannot be indicators
//! (constant, empty, text answers) listed in comments with what to do. Each
//! guess comes with its reason and the flag that overrides it. The draft is
//! a starting point to edit, and it always ranks as written: `init` checks it
//! before handing it out.

mod naming;
mod roles;

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
    /// The group columns (empty list: none; None: guessed).
    pub groups: Option<Vec<String>>,
    /// The year to take from long files (default: the latest).
    pub year: Option<i64>,
    /// The sheet of XLSX files (default: the first).
    pub sheet: Option<String>,
    /// Rows to keep (`data.filter`): column and value.
    pub filter: Vec<(String, String)>,
    /// The folder the spec will be saved in (paths are written relative to it).
    pub spec_dir: PathBuf,
}

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
    /// What was guessed, why, and how to change it (also in the spec's head).
    pub guesses: Vec<Guess>,
    /// Warnings about the data (also written in the spec as comments).
    pub notes: Vec<String>,
}

/// One thing `init` guessed: which column plays a role, why, and the flag
/// or spec key that changes it.
#[derive(Debug, Clone, PartialEq)]
pub struct Guess {
    /// The role (`id`, `name`, `groups`, `indicators`, `left out`).
    pub role: &'static str,
    /// What was chosen (column names, a count).
    pub chosen: String,
    /// Why.
    pub why: String,
    /// How to change it.
    pub change: String,
}

impl std::fmt::Display for Guess {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}: {}, because {}. To change: {}",
            self.role, self.chosen, self.why, self.change
        )
    }
}

/// The files as read, rows filtered.
struct Inputs {
    raws: Vec<RawTable>,
    units: Option<RawTable>,
}

/// Which column is which, and the table they give.
struct Roles {
    id: roles::IdGuess,
    /// The year taken from long files, and every year they hold.
    year: Option<i64>,
    years: BTreeSet<i64>,
    long: bool,
    /// The data, one row a unit.
    table: Table,
    /// The unit list: its id column and its table.
    unit_list: Option<(String, Table)>,
    name: Option<(String, String)>,
    groups: Vec<(String, String)>,
}

/// An indicator of the draft.
struct Drafted<'a> {
    column: &'a input::Column,
    present: usize,
    lo: f64,
    hi: f64,
}

/// Drafts a spec from the files in `options`.
pub fn draft_spec(options: &DraftOptions) -> Result<Draft> {
    let inputs = read_inputs(options)?;
    let roles = choose_roles(&inputs, options)?;
    let stem = options.files[0]
        .file_stem()
        .map(|s| s.to_string_lossy().to_string())
        .unwrap_or_else(|| "index".into());
    let (drafted, left_out) = draft_indicators(&roles);
    if drafted.is_empty() {
        return Err(nothing_to_rank(&inputs.raws));
    }
    let mut notes = Vec::new();
    if roles.id.pad.is_none()
        && options.units.is_none()
        && let Some(note) = mixed_levels(&roles.table.ids, &roles.id.column)
    {
        notes.push(note);
    }
    let guesses = guesses(&roles, &drafted, &left_out);
    let mut text = String::new();
    write_head(&mut text, options, &stem, &guesses);
    write_data(&mut text, options, &roles);
    write_units(&mut text, options, &roles, &notes);
    write_methods(&mut text, &roles);
    write_indicators(
        &mut text,
        &drafted,
        &naming::short_id(&stem),
        roles.table.len(),
    );
    if !left_out.is_empty() {
        text.push_str("\n# Columns left out:\n");
        for l in &left_out {
            let _ = writeln!(text, "{l}");
        }
    }
    Ok(Draft {
        text,
        guesses,
        notes,
    })
}

/// Reads the data files and the unit list, keeping the rows of `--filter`.
fn read_inputs(options: &DraftOptions) -> Result<Inputs> {
    if options.files.is_empty() {
        return Err(Error::Usage(
            "init needs at least one data file: --data FILE".into(),
        ));
    }
    let read = |p: &PathBuf| {
        let read_options = ReadOptions {
            sheet: options.sheet.clone(),
            ..ReadOptions::default()
        };
        input::read_raw(&Source::Path(p.clone()), &read_options)
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
    let units = options.units.as_ref().map(read).transpose()?;
    Ok(Inputs { raws, units })
}

/// Chooses the id, year, name and group columns, and builds the table.
fn choose_roles(inputs: &Inputs, options: &DraftOptions) -> Result<Roles> {
    let raws = &inputs.raws;
    let id = match &options.id {
        Some(column) => {
            let guessed = roles::guess_id(&raws[0]).ok();
            let pad = guessed.filter(|g| &g.column == column).and_then(|g| g.pad);
            roles::IdGuess {
                column: column.clone(),
                pad,
                why: "it was given with --id".into(),
            }
        }
        None => roles::guess_id(&raws[0])?,
    };
    let defaults = super::DataSection::default();
    let long = raws.iter().any(|r| {
        r.column(&defaults.year_column).is_some()
            || (r.column(&defaults.indicator_column).is_some()
                && r.column(&defaults.value_column).is_some())
    });
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
    let ids = IdOptions { pad: id.pad };
    let layout = LayoutOptions {
        id_column: id.column.clone(),
        ids: ids.clone(),
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
    // The unit list: its id column is the data's, or its own guess.
    let unit_list = match &inputs.units {
        None => None,
        Some(raw) => {
            let file_id = if raw.column(&id.column).is_some() {
                id.column.clone()
            } else {
                roles::guess_id(raw)?.column
            };
            let t = input::wide::wide_table(raw, &file_id, &ids, &missing)?;
            Some((file_id, t))
        }
    };
    let name = match &options.name {
        Some(n) => Some((n.clone(), "it was given with --name".to_string())),
        None => unit_list
            .as_ref()
            .and_then(|(file_id, t)| roles::guess_name(t, file_id))
            .or_else(|| roles::guess_name(&table, &id.column)),
    };
    let groups = match &options.groups {
        Some(given) => {
            let columns: Vec<&str> = table
                .columns
                .iter()
                .chain(unit_list.iter().flat_map(|(_, t)| &t.columns))
                .map(|c| c.name.as_str())
                .collect();
            for g in given {
                if !columns.contains(&g.as_str()) {
                    let hint = crate::text::suggest(g, columns.iter().copied())
                        .map(|s| format!("did you mean '{s}'? "))
                        .unwrap_or_default();
                    return Err(Error::Usage(format!(
                        "--group '{g}': no such column; {hint}the columns are: {}",
                        columns.join(", ")
                    )));
                }
            }
            given
                .iter()
                .map(|g| (g.clone(), "it was given with --group".to_string()))
                .collect()
        }
        None => {
            let mut taken = vec![id.column.as_str()];
            taken.extend(name.as_ref().map(|(n, _)| n.as_str()));
            let mut found = roles::guess_groups(&table, &taken);
            if let Some((file_id, t)) = &unit_list {
                taken.push(file_id);
                for g in roles::guess_groups(t, &taken) {
                    if !found.iter().any(|f| f.0 == g.0) {
                        found.push(g);
                    }
                }
            }
            found
        }
    };
    Ok(Roles {
        id,
        year,
        years,
        long,
        table,
        unit_list,
        name,
        groups,
    })
}

/// The indicators: numeric columns that tell units apart among those the
/// draft's screening ranks; every other column with why it is left out.
fn draft_indicators(roles: &Roles) -> (Vec<Drafted<'_>>, Vec<String>) {
    let table = &roles.table;
    let n = table.len();
    let used = |c: &str| {
        c == roles.id.column
            || roles.name.as_ref().is_some_and(|(n, _)| n == c)
            || roles.groups.iter().any(|(g, _)| g == c)
    };
    let mut left_out = Vec::new();
    let mut drafted = Vec::new();
    for c in table.columns.iter().filter(|c| !used(&c.name)) {
        match draft_column(c) {
            ColumnDraft::Indicator { present, lo, hi } => drafted.push(Drafted {
                column: c,
                present,
                lo,
                hi,
            }),
            ColumnDraft::LeftOut(line) => left_out.push(line),
        }
    }
    // Screening (min_coverage) ranks only units with data for that share of
    // the drafted indicators; a column may be the same for all of those.
    // Such columns are left out, until the set holds.
    loop {
        let k = drafted.len();
        let ranked: Vec<usize> = (0..n)
            .filter(|&u| {
                let have = drafted
                    .iter()
                    .filter(|d| d.column.values[u].is_finite())
                    .count();
                have > 0 && have as f64 >= MIN_COVERAGE * k as f64
            })
            .collect();
        let (keep, drop): (Vec<_>, Vec<_>) = drafted.into_iter().partition(|d| {
            let mut values = ranked
                .iter()
                .map(|&u| d.column.values[u])
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
                d.column.name
            ));
        }
    }
    (drafted, left_out)
}

/// The error when no column can be an indicator.
fn nothing_to_rank(raws: &[RawTable]) -> Error {
    let sheets = raws.iter().find(|r| r.sheets.len() > 1).map(|r| {
        format!(
            "; the workbook's sheets are {}: choose one with --sheet",
            r.sheets.join(", ")
        )
    });
    Error::Usage(format!(
        "no column of {} holds numbers that differ between units: nothing to rank{}",
        raws.iter()
            .map(|r| r.file.as_str())
            .collect::<Vec<_>>()
            .join(", "),
        sheets.unwrap_or_default()
    ))
}

/// What was guessed, why, and how to change it.
fn guesses(roles: &Roles, drafted: &[Drafted], left_out: &[String]) -> Vec<Guess> {
    let quoted = |c: &str| format!("'{c}'");
    let mut out = vec![Guess {
        role: "id",
        chosen: quoted(&roles.id.column),
        why: roles.id.why.clone(),
        change: "another column: --id COLUMN".into(),
    }];
    out.push(match &roles.name {
        Some((n, why)) => Guess {
            role: "name",
            chosen: quoted(n),
            why: why.clone(),
            change: "another column: --name COLUMN".into(),
        },
        None => Guess {
            role: "name",
            chosen: "none".into(),
            why: "no column holds a text for every unit".into(),
            change: "name one with --name COLUMN, or a unit list with --units FILE".into(),
        },
    });
    out.push(Guess {
        role: "groups",
        chosen: if roles.groups.is_empty() {
            "none".into()
        } else {
            roles
                .groups
                .iter()
                .map(|(g, _)| quoted(g))
                .collect::<Vec<_>>()
                .join(", ")
        },
        why: if roles.groups.is_empty() {
            "no column of group names or codes shared by several units".into()
        } else {
            roles
                .groups
                .iter()
                .map(|(g, why)| match roles.groups.len() {
                    1 => why.clone(),
                    _ => format!("{g}: {why}"),
                })
                .collect::<Vec<_>>()
                .join("; ")
        },
        change: "choose with --group COLUMN (repeatable), none with --group none".into(),
    });
    let lower = drafted
        .iter()
        .filter(|d| naming::lower_is_better(&d.column.name).is_some())
        .count();
    out.push(Guess {
        role: "indicators",
        chosen: format!("{} numeric column{}", drafted.len(), plural(drafted.len())),
        why: format!(
            "they hold numbers that differ between units; ids are shortened from the headings, which stay as labels; \
             {lower} guessed lower-is-better from their heading, the rest higher-is-better"
        ),
        change: "check every line marked CHECK in the spec (direction, weight)".into(),
    });
    if !left_out.is_empty() {
        out.push(Guess {
            role: "left out",
            chosen: format!("{} column{}", left_out.len(), plural(left_out.len())),
            why: "they hold no numbers that tell units apart".into(),
            change: "see the end of the spec for each one and how to use it".into(),
        });
    }
    out
}

/// `s` for a count other than one.
fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

/// The spec's head: where it came from, what was guessed, and `[index]`.
fn write_head(o: &mut String, options: &DraftOptions, stem: &str, guesses: &[Guess]) {
    let _ = writeln!(
        o,
        "# A first spec drafted by `kommunrank init` from {}.\n\
         # Check every line marked CHECK (directions, weights), group indicators\n\
         # under [[node]]s, then: kommunrank validate --spec <this file>\n#\n# Guessed:",
        options
            .files
            .iter()
            .map(|f| f.display().to_string())
            .collect::<Vec<_>>()
            .join(", ")
    );
    for g in guesses {
        let _ = writeln!(o, "# - {g}");
    }
    let _ = writeln!(
        o,
        "\n[index]\nid = {}\nlabel = {}\naggregation = \"arithmetic\"\n",
        quote(&naming::short_id(stem)),
        quote(&format!("{stem} index"))
    );
}

/// `[data]`: the files (relative to the spec), the filter and the year.
fn write_data(o: &mut String, options: &DraftOptions, roles: &Roles) {
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
    if roles.long {
        match roles.year {
            Some(y) => {
                let _ = writeln!(
                    o,
                    "year = {y}                      # the long files hold {}",
                    roles
                        .years
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
}

/// `[units]`: id (padded), unit list, name and groups.
fn write_units(o: &mut String, options: &DraftOptions, roles: &Roles, notes: &[String]) {
    let _ = writeln!(o, "\n[units]\nid = {}", quote(&roles.id.column));
    if let Some(w) = roles.id.pad {
        let _ = writeln!(
            o,
            "id_pad = {w}                     # municipality codes saved as numbers (114) get their zero back (0114)"
        );
    } else {
        let table = &roles.table;
        let digits = table
            .ids
            .iter()
            .all(|i| i.bytes().all(|b| b.is_ascii_digit()));
        let widths: BTreeSet<usize> = table.ids.iter().map(String::len).collect();
        if digits && widths == BTreeSet::from([3, 4]) {
            o.push_str(
                "# id_pad = 4                    # ids of 3 and 4 digits: if they are codes saved as numbers (114 for 0114), this restores the zero\n",
            );
        }
    }
    for note in notes {
        let _ = writeln!(o, "# {note}");
    }
    if let (Some(path), Some((file_id, _))) = (&options.units, &roles.unit_list) {
        let _ = writeln!(
            o,
            "file = {}\nfile_id = {}",
            quote(&relative(path, &options.spec_dir)),
            quote(file_id)
        );
    }
    if let Some((n, _)) = &roles.name {
        let _ = writeln!(o, "name = {}", quote(n));
    }
    if !roles.groups.is_empty() {
        let _ = writeln!(
            o,
            "groups = [{}]   # shown beside each unit; rank within them with [ranking] within",
            group_list(roles)
        );
    }
}

/// The group columns as a TOML list's items.
fn group_list(roles: &Roles) -> String {
    roles
        .groups
        .iter()
        .map(|(g, _)| quote(g))
        .collect::<Vec<_>>()
        .join(", ")
}

/// `[screening]`, `[missing]`, `[normalise]` and `[ranking]`.
fn write_methods(o: &mut String, roles: &Roles) {
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
    if !roles.groups.is_empty() {
        let _ = writeln!(
            o,
            "# within = [{}]               # also rank within each group",
            group_list(roles)
        );
    }
}

/// One `[[indicator]]` a drafted column: a short id, the heading as label,
/// and a direction marked CHECK.
fn write_indicators(o: &mut String, drafted: &[Drafted], index_id: &str, n: usize) {
    let mut taken: BTreeSet<String> = BTreeSet::from([index_id.to_string()]);
    for d in drafted {
        let heading = &d.column.name;
        let id = naming::unique(naming::short_id(heading), &mut taken);
        let _ = writeln!(o, "\n[[indicator]]\nid = {}", quote(&id));
        if !naming::is_plain_id(heading) {
            let _ = writeln!(o, "label = {}", quote(heading));
        }
        if &id != heading {
            let _ = writeln!(o, "column = {}", quote(heading));
        }
        let range = format!(
            "data for {} of {n} units, {} to {}",
            d.present,
            short(d.lo),
            short(d.hi)
        );
        let _ = match naming::lower_is_better(heading) {
            Some(word) => writeln!(
                o,
                "direction = -1         # CHECK: lower is better? guessed from '{word}' in the heading; {range}"
            ),
            None => writeln!(
                o,
                "direction = 1          # CHECK: higher is better? (-1 if lower is); {range}"
            ),
        };
        o.push_str("weight = 1\n");
    }
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
                quote(&naming::short_id(&c.name)),
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
