//! What the draft calls things: short readable indicator ids made from
//! column headings (the heading itself stays as the label), and the
//! direction a heading suggests.

use std::collections::BTreeSet;

/// Words that say nothing in an id (Swedish and English fillers, and the
/// "share of"/"number of" that every heading starts with).
const FILLER: &[&str] = &[
    "och", "med", "i", "av", "till", "pa", "om", "som", "per", "den", "det", "de", "en", "ett",
    "vid", "fran", "under", "inom", "efter", "eller", "samt", "andel", "antal", "the", "of", "and",
    "in", "for", "to", "with", "a", "an", "by", "at", "on", "or", "from", "share", "number",
    "percent", "procent",
];

/// An id's longest length before words are dropped from its end.
const MAX_ID: usize = 32;

/// Whether `heading` can be an indicator id as it is (ASCII letters, digits,
/// `_` and `-`: Kolada's `N00563`, DESI's `1a1`, `e_services`).
pub(crate) fn is_plain_id(heading: &str) -> bool {
    !heading.is_empty()
        && heading
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}

/// A letter's ASCII spelling (`å` -> `a`, `æ` -> `ae`); empty for other
/// non-ASCII characters.
fn ascii(c: char) -> &'static str {
    match c {
        'å' | 'ä' | 'á' | 'à' | 'â' | 'ã' => "a",
        'ö' | 'ø' | 'ó' | 'ò' | 'ô' | 'õ' => "o",
        'é' | 'è' | 'ê' | 'ë' => "e",
        'ü' | 'ú' | 'ù' | 'û' => "u",
        'í' | 'ì' | 'î' | 'ï' => "i",
        'ç' => "c",
        'ñ' => "n",
        'ý' | 'ÿ' => "y",
        'æ' => "ae",
        'ß' => "ss",
        _ => "",
    }
}

/// The words of a heading, in lower-case ASCII, without what stands in
/// parentheses (units such as `(%)`, `(0-100)`).
fn words(heading: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut word = String::new();
    let mut depth = 0usize;
    for c in heading.chars().flat_map(char::to_lowercase) {
        match c {
            '(' | '[' => depth += 1,
            ')' | ']' => depth = depth.saturating_sub(1),
            _ if depth > 0 => {}
            c if c.is_ascii_alphanumeric() => word.push(c),
            c if !ascii(c).is_empty() => word.push_str(ascii(c)),
            _ => {
                if !word.is_empty() {
                    out.push(std::mem::take(&mut word));
                }
            }
        }
    }
    if !word.is_empty() {
        out.push(word);
    }
    out
}

/// A short id for a column heading: transliterated (`å` -> `a`), fillers
/// dropped, at most 32 characters on a word boundary.
///
/// "Andel hushåll med bredband ≥ 100 Mbit/s (%)" -> `hushall_bredband_100_mbit_s`;
/// a heading that is already an id (`N00563`) stays as it is, in lower case.
pub(crate) fn short_id(heading: &str) -> String {
    if is_plain_id(heading) {
        return heading.to_lowercase().replace('-', "_");
    }
    let all = words(heading);
    let meaningful: Vec<&String> = all
        .iter()
        .filter(|w| !FILLER.contains(&w.as_str()))
        .collect();
    let lettered = |w: &&String| w.bytes().any(|b| b.is_ascii_alphabetic());
    let chosen = if !meaningful.iter().any(lettered) {
        all.iter().collect()
    } else {
        meaningful
    };
    let mut id = String::new();
    for w in chosen {
        if !id.is_empty() && id.len() + 1 + w.len() > MAX_ID {
            break;
        }
        if !id.is_empty() {
            id.push('_');
        }
        id.push_str(w);
    }
    if id.is_empty() {
        id.push_str("indicator");
    }
    id
}

/// `id`, or `id_2`, `id_3`, ... when it is taken; the result is taken.
pub(crate) fn unique(id: String, taken: &mut BTreeSet<String>) -> String {
    let mut candidate = id.clone();
    let mut k = 2;
    while taken.contains(&candidate) {
        candidate = format!("{id}_{k}");
        k += 1;
    }
    taken.insert(candidate.clone());
    candidate
}

/// Word stems that make "lower is better" likely (waiting times, costs,
/// unemployment, crime, emissions...), in the transliterated lower case
/// `words` gives.
const LOWER_IS_BETTER: &[&str] = &[
    "vantetid",
    "kostnad",
    "arbetslos",
    "ohalsa",
    "ohalsotal",
    "sjuk",
    "brott",
    "utslapp",
    "skuld",
    "dodlighet",
    "fattig",
    "avbrott",
    "klagomal",
    "olyck",
    "skador",
    "franvaro",
    "wait",
    "cost",
    "unemploy",
    "crime",
    "emission",
    "debt",
    "mortality",
    "poverty",
    "complaint",
    "accident",
    "absence",
];

/// The word of `heading` that suggests lower values are better, if any.
pub(crate) fn lower_is_better(heading: &str) -> Option<String> {
    words(heading)
        .into_iter()
        .find(|w| LOWER_IS_BETTER.iter().any(|s| w.starts_with(s)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_short_readable_and_ascii() {
        for (heading, id) in [
            (
                "Andel hushåll med bredband ≥ 100 Mbit/s (%)",
                "hushall_bredband_100_mbit_s",
            ),
            ("Antal e-tjänster", "e_tjanster"),
            (
                "Väntetid i dagar till särskilt boende",
                "vantetid_dagar_sarskilt_boende",
            ),
            (
                "Nöjd-Medborgar-Index, helhet (0-100)",
                "nojd_medborgar_index_helhet",
            ),
            (
                "Andel elever med behörighet till gymnasiet, %",
                "elever_behorighet_gymnasiet",
            ),
            // Long headings stop at a word boundary within 32 characters.
            (
                "Invånare som kan nå en vårdcentral inom trettio minuter med kollektivtrafik",
                "invanare_kan_na_vardcentral",
            ),
            // Already ids: kept (lower case).
            ("N00563", "n00563"),
            ("1a1", "1a1"),
            ("e_services", "e_services"),
            // Nothing but fillers or symbols.
            ("Andel (%)", "andel"),
            ("Andel 2021 (%)", "andel_2021"),
            ("≥ %", "indicator"),
        ] {
            let got = short_id(heading);
            assert_eq!(got, id, "{heading}");
            assert!(got.len() <= MAX_ID && got.is_ascii(), "{got}");
        }
    }

    #[test]
    fn ids_are_made_unique_in_order() {
        let mut taken = BTreeSet::from(["index".to_string()]);
        assert_eq!(unique("x".into(), &mut taken), "x");
        assert_eq!(unique("x".into(), &mut taken), "x_2");
        assert_eq!(unique("x".into(), &mut taken), "x_3");
        assert_eq!(unique("index".into(), &mut taken), "index_2");
    }

    #[test]
    fn headings_that_suggest_lower_is_better() {
        assert_eq!(
            lower_is_better("Väntetid i dagar till särskilt boende").as_deref(),
            Some("vantetid")
        );
        assert_eq!(
            lower_is_better("Kostnad per elev, kr").as_deref(),
            Some("kostnad")
        );
        assert_eq!(
            lower_is_better("Waiting days (median)").as_deref(),
            Some("waiting")
        );
        assert_eq!(lower_is_better("Andel elever med behörighet"), None);
    }
}
