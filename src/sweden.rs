//! Sweden's 290 municipalities and 21 counties (SCB's official codes, names
//! and counties; public facts, embedded from `fixtures/sweden/`), for
//! recognising municipality codes in a user's sheet and restoring the
//! leading zero Excel drops (`114` -> `0114`).

use std::sync::OnceLock;

/// One municipality as SCB lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Municipality {
    /// The 4-digit code (`0114`).
    pub code: &'static str,
    /// The name (`Upplands Väsby`).
    pub name: &'static str,
    /// The county's 2-digit code (`01`).
    pub county: &'static str,
    /// The county's name (`Region Stockholm`).
    pub county_name: &'static str,
}

/// The embedded list (`code,name,county,county_name`, one municipality a line).
const LIST: &str = include_str!("../fixtures/sweden/municipalities.csv");

/// Every municipality, in code order.
///
/// ```
/// let all = kommunrank::sweden::municipalities();
/// assert_eq!(all.len(), 290);
/// assert_eq!(all[0].name, "Upplands Väsby");
/// ```
pub fn municipalities() -> &'static [Municipality] {
    static ALL: OnceLock<Vec<Municipality>> = OnceLock::new();
    ALL.get_or_init(|| {
        LIST.lines()
            .skip(1)
            .filter(|l| !l.is_empty())
            .map(|line| {
                let mut f = line.splitn(4, ',');
                let mut next = || f.next().expect("fixtures/sweden: four fields a line");
                Municipality {
                    code: next(),
                    name: next(),
                    county: next(),
                    county_name: next(),
                }
            })
            .collect()
    })
}

/// The municipality with this code, written as SCB writes it (`0114`) or as
/// Excel leaves it when the zero was dropped (`114`).
///
/// ```
/// use kommunrank::sweden::municipality;
/// assert_eq!(municipality("114").map(|m| m.name), Some("Upplands Väsby"));
/// assert_eq!(municipality("0114").map(|m| m.code), Some("0114"));
/// assert!(municipality("0100").is_none());
/// ```
pub fn municipality(code: &str) -> Option<&'static Municipality> {
    let code = code.trim();
    if !(3..=4).contains(&code.len()) || !code.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let padded = format!("{code:0>4}");
    municipalities()
        .binary_search_by(|m| m.code.cmp(padded.as_str()))
        .ok()
        .map(|i| &municipalities()[i])
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    #[test]
    fn the_list_is_sweden_s() {
        let all = municipalities();
        assert_eq!(all.len(), 290);
        assert!(all.windows(2).all(|w| w[0].code < w[1].code), "sorted");
        let counties: BTreeSet<_> = all.iter().map(|m| m.county).collect();
        assert_eq!(counties.len(), 21);
        assert!(
            all.iter()
                .all(|m| m.code.len() == 4 && m.code[..2] == *m.county)
        );
        assert_eq!(municipality("2584").map(|m| m.name), Some("Kiruna"));
        assert_eq!(municipality("180").map(|m| m.name), Some("Stockholm"));
        for bad in ["", "14", "01140", "x114", "0999"] {
            assert!(municipality(bad).is_none(), "{bad}");
        }
    }
}
