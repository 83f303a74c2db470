//! Which column is which: the unit id (Swedish municipality codes first,
//! padded when Excel dropped their zero), the unit name and the group
//! columns (counties), each guess with the reason a user reads.

use crate::error::{Error, Result};
use crate::input::{self, RawTable, Table};
use crate::sweden;
use std::collections::BTreeSet;

/// Headings of id columns, in order of preference (any case).
const ID_HEADINGS: &[&str] = &[
    "kommunkod",
    "kommunnummer",
    "kommunnr",
    "knkod",
    "kod",
    "code",
    "id",
    "geo",
    "unit",
    "municipality_id",
    "regionkod",
    "lanskod",
    "länskod",
];
/// Headings that name an id column only when it holds codes (`0114`, `AT`),
/// not names (`Kommun` is the code in Kolada's lists, the name in most sheets).
const CODE_OR_NAME_HEADINGS: &[&str] = &["kommun", "municipality", "country", "land"];
/// Headings of name columns, in order of preference (any case).
const NAME_HEADINGS: &[&str] = &[
    "namn",
    "name",
    "kommunnamn",
    "kommun",
    "municipality",
    "label",
    "country_name",
    "enhet",
];
/// Headings of group columns (any case).
const GROUP_HEADINGS: &[&str] = &[
    "län",
    "lan",
    "länsnamn",
    "county",
    "county_name",
    "region",
    "lanskod",
    "länskod",
    "kommungrupp",
    "kommuntyp",
    "group",
    "grupp",
    "size_class",
    "storleksklass",
];

/// How the unit id column was chosen.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct IdGuess {
    /// The column.
    pub column: String,
    /// Pad numeric ids to this width (`id_pad`), when municipality codes lost
    /// their leading zero.
    pub pad: Option<usize>,
    /// Why this column (for the user).
    pub why: String,
}

/// The trimmed text of every row's cell in column `c`.
fn texts(raw: &RawTable, c: usize) -> Vec<String> {
    raw.rows
        .iter()
        .map(|r| input::cell::cell_text(&r.cells[c]))
        .collect()
}

/// Whether `heading` is one of `list` (lower-case names), in any case.
fn heading_in(list: &[&str], heading: &str) -> bool {
    list.contains(&heading.trim().to_lowercase().as_str())
}

/// The unit id column of `raw`: a column of Swedish municipality codes, else
/// an id-like heading, else the first column filled and different in every
/// row.
pub(crate) fn guess_id(raw: &RawTable) -> Result<IdGuess> {
    let columns: Vec<Vec<String>> = (0..raw.header.len()).map(|c| texts(raw, c)).collect();
    let filled = |v: &Vec<String>| !v.is_empty() && v.iter().all(|t| !t.is_empty());
    // Municipality codes: (nearly) every filled cell one of the 290 (as 0114
    // or 114); a total row (`Riket`, `00`) or two is named, not a reason to
    // miss the column.
    for (c, v) in columns.iter().enumerate() {
        let cells: Vec<&String> = v.iter().filter(|t| !t.is_empty()).collect();
        let (codes, others): (Vec<&String>, Vec<&String>) = cells
            .iter()
            .partition(|t| sweden::municipality(t).is_some());
        if codes.len() < 2 || others.len() * 20 > cells.len() {
            continue;
        }
        let distinct: BTreeSet<String> = codes.iter().map(|t| format!("{t:0>4}")).collect();
        let unpadded = codes.iter().filter(|t| t.len() == 3).count();
        let mut why = format!(
            "it holds Swedish municipality codes ({} of the 290)",
            distinct.len()
        );
        if !others.is_empty() {
            let list: Vec<&str> = others.iter().take(3).map(|t| t.as_str()).collect();
            why += &format!(
                "; {} other value{} ({}) will be units too unless you drop {} rows",
                others.len(),
                if others.len() == 1 { "" } else { "s" },
                list.join(", "),
                if others.len() == 1 { "its" } else { "their" }
            );
        }
        if unpadded > 0 {
            why += &format!(
                "; {unpadded} lost their leading zero (saved as numbers: 114 for 0114), \
                 so id_pad = 4 restores it"
            );
        }
        return Ok(IdGuess {
            column: raw.header[c].clone(),
            pad: (unpadded > 0).then_some(4),
            why,
        });
    }
    let code_like = |v: &Vec<String>| {
        v.iter().all(|t| {
            !t.is_empty() && !t.contains(char::is_whitespace) && !t.chars().any(char::is_lowercase)
        })
    };
    let by_heading = ID_HEADINGS
        .iter()
        .find_map(|n| raw.header.iter().position(|h| heading_in(&[n], h)))
        .map(|c| (c, "its heading names an id"))
        .or_else(|| {
            raw.header.iter().enumerate().find_map(|(c, h)| {
                (heading_in(CODE_OR_NAME_HEADINGS, h) && code_like(&columns[c]))
                    .then_some((c, "its heading names units and it holds codes"))
            })
        });
    let distinct = |v: &Vec<String>| {
        let mut seen = BTreeSet::new();
        filled(v) && v.iter().all(|t| seen.insert(t))
    };
    by_heading
        .or_else(|| {
            (0..columns.len())
                .find(|&c| distinct(&columns[c]))
                .map(|c| (c, "it is the first column filled and different in every row"))
        })
        .map(|(c, why)| IdGuess {
            column: raw.header[c].clone(),
            pad: None,
            why: why.to_string(),
        })
        .ok_or_else(|| {
            Error::data(
                raw.location(None, None),
                "no column looks like a unit id (filled and different in every row)",
            )
            .with_hint(if raw.sheets.len() > 1 {
                format!(
                    "the workbook's sheets are {}: choose one with --sheet, or name the id column with --id",
                    raw.sheets.join(", ")
                )
            } else {
                "name the id column with --id".to_string()
            })
        })
}

/// A name column of `t` and why: a name-like heading over text, else a text
/// column different in every row.
pub(crate) fn guess_name(t: &Table, id: &str) -> Option<(String, String)> {
    let all_text = |c: &input::Column| !t.is_empty() && c.text.len() == t.len();
    NAME_HEADINGS
        .iter()
        .find_map(|n| {
            t.columns
                .iter()
                .find(|c| c.name != id && heading_in(&[n], &c.name) && all_text(c))
        })
        .map(|c| (c.name.clone(), "its heading names units and it holds text"))
        .or_else(|| {
            t.columns
                .iter()
                .find(|c| {
                    c.name != id
                        && all_text(c)
                        && c.text.values().collect::<BTreeSet<_>>().len() == t.len()
                })
                .map(|c| (c.name.clone(), "it holds text different in every row"))
        })
        .map(|(c, why)| (c, why.to_string()))
}

/// Group columns of `t` (beside `taken`: the id and name) and why: a
/// group-like heading, or codes written with a leading zero (`01`), filled
/// in every row and shared by several units.
pub(crate) fn guess_groups(t: &Table, taken: &[&str]) -> Vec<(String, String)> {
    let n = t.len();
    let mut out = Vec::new();
    for c in &t.columns {
        if taken.contains(&c.name.as_str()) {
            continue;
        }
        let cells: Vec<Option<String>> = (0..n).map(|u| group_text(c, u)).collect();
        let named = heading_in(GROUP_HEADINGS, &c.name);
        // A named group column may lack a value in a total row or two.
        let empty = cells.iter().filter(|x| x.is_none()).count();
        if empty > 0 && !(named && empty * 20 <= n) {
            continue;
        }
        let distinct: BTreeSet<&String> = cells.iter().flatten().collect();
        if distinct.len() < 2 || distinct.len() * 2 > n {
            continue;
        }
        let zero_led = c.text.is_empty()
            && c.values.iter().all(|v| v.fract() == 0.0)
            && c.original.values().any(|t| {
                t.len() > 1 && t.starts_with('0') && t.bytes().all(|b| b.is_ascii_digit())
            });
        if named || zero_led {
            let why = format!(
                "{}, {} different values shared by the units",
                if named {
                    "its heading names groups"
                } else {
                    "it holds codes written with a leading zero"
                },
                distinct.len()
            );
            out.push((c.name.clone(), why));
        }
    }
    out
}

/// A unit's cell of `c` as text (the text, or the number as written), or
/// None when it is empty.
fn group_text(c: &input::Column, u: usize) -> Option<String> {
    c.text
        .get(&u)
        .or_else(|| c.original.get(&u))
        .cloned()
        .or_else(|| c.values[u].is_finite().then(|| c.values[u].to_string()))
}
