//! The index spec: the TOML as written ([`model`]), loading it ([`load`]),
//! and resolving it into a checked [`Index`] ([`resolve`](mod@resolve)).

pub mod coinr;
pub mod draft;
pub mod expr;
pub mod load;
pub mod model;
pub mod resolve;

pub use load::{Base, LoadedSpec, load_spec, parse_spec};
pub use model::*;
pub use resolve::{Aggregation, Index, Indicator, Member, Node, resolve};

/// A method's name as the spec spells it (`group_mean`, `log1p`): what
/// notes and reports show, so a reader can copy it into a spec.
pub fn spec_name<T: serde::Serialize + std::fmt::Debug>(value: &T) -> String {
    match serde_json::to_value(value) {
        Ok(serde_json::Value::String(s)) => s,
        _ => format!("{value:?}").to_lowercase(),
    }
}

/// The closest candidate to a misspelt name (edit distance at most 2, or a
/// third of the length), for "did you mean ...?" hints.
pub fn suggest<'a>(name: &str, candidates: impl Iterator<Item = &'a str>) -> Option<&'a str> {
    let limit = (name.chars().count() / 3).max(2);
    candidates
        .map(|c| (edit_distance(&name.to_lowercase(), &c.to_lowercase()), c))
        .filter(|(d, _)| *d <= limit)
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

/// Levenshtein distance between two strings (by characters).
pub fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.iter().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != cb);
            cur[j + 1] = (prev[j] + cost).min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn edit_distances() {
        assert_eq!(edit_distance("weight", "wieght"), 2);
        assert_eq!(edit_distance("", "abc"), 3);
        assert_eq!(edit_distance("kommun", "kommun"), 0);
        assert_eq!(
            suggest("wieght", ["id", "weight", "label"].into_iter()),
            Some("weight")
        );
        assert_eq!(suggest("zzzzzz", ["id", "weight"].into_iter()), None);
    }
}
