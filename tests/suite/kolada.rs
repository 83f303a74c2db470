//! The digital municipality index over real Kolada KPIs: real gaps are
//! handled, coverage-based exclusions are reported with reasons, and the
//! non-municipality ids of the long files are reported as ignored.

use crate::common::*;
use serde_json::Value;

fn run(year: &str) -> Option<Value> {
    shared("kolada")?;
    let out = kommunrank(&[
        "rank",
        "--spec",
        "examples/kolada_digital2022.toml",
        "--year",
        year,
        "--format",
        "json",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    Some(serde_json::from_str(&stdout(&out)).unwrap())
}

#[test]
fn kolada_2022_reports_coverage_exclusions() {
    let Some(json) = run("2022") else { return };
    let units = json["units"].as_array().unwrap();
    let excluded = json["excluded"].as_array().unwrap();
    // Every one of the 290 municipalities is either ranked or excluded.
    assert_eq!(units.len() + excluded.len(), 290);
    assert_eq!(json["summary"]["units_in_data"], 290);
    assert!(
        !excluded.is_empty(),
        "the welfare survey misses some municipalities"
    );
    for e in excluded {
        let reason = e["reason"].as_str().unwrap();
        assert!(reason.contains("min_coverage"), "{reason}");
        assert!(e["coverage"].as_f64().unwrap() < 0.5);
        assert_eq!(
            e["id"].as_str().unwrap().len(),
            4,
            "ids keep their 4 digits"
        );
    }
    // Ids are strings with leading zeros; names come from the unit list.
    let upplands = units
        .iter()
        .find(|u| u["id"] == "0114")
        .expect("0114 ranked");
    assert_eq!(upplands["name"], "Upplands Väsby");
    assert_eq!(upplands["groups"]["region"], "01");
    // The citizen survey covers about half: units without it are still ranked
    // (exclude = re-weighting) and their citizens node is null.
    let without = units
        .iter()
        .filter(|u| u["nodes"]["citizens"].is_null())
        .count();
    assert!(without > 100, "{without} units without citizen survey");
    // County and country rows of the long files are reported, not silent.
    let notes = json["notes"].as_array().unwrap();
    assert!(
        notes
            .iter()
            .any(|n| n.as_str().unwrap().contains("not in the unit list")),
        "{notes:?}"
    );
    // Rounded to 2 decimals before ranking: equal rounded scores share a rank.
    for w in units.windows(2) {
        let (a, b) = (&w[0], &w[1]);
        if a["score_rounded"] == b["score_rounded"] {
            assert_eq!(a["rank"], b["rank"]);
        } else {
            assert!(a["rank"].as_i64() < b["rank"].as_i64());
        }
    }
}

#[test]
fn kolada_2021_misses_the_2022_only_kpis_gracefully() {
    // The health-care KPIs (u073xx) exist only for 2022: for 2021 the file
    // has no rows for the year, which is an error naming the file and years.
    if shared("kolada").is_none() {
        return;
    }
    let out = kommunrank(&[
        "rank",
        "--spec",
        "examples/kolada_digital2022.toml",
        "--year",
        "2021",
    ]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(err.contains("u07340.csv"), "{err}");
    assert!(err.contains("no rows for year 2021"), "{err}");
    assert!(!err.contains("panicked"), "{err}");
}

/// The examples' indicator labels are Kolada's own titles, whole (not cut
/// at a comma), and tell every KPI apart.
#[test]
fn example_labels_are_kolada_titles_whole_and_distinct() {
    let Some(kolada) = shared("kolada") else {
        return;
    };
    let read = |p: &std::path::Path| {
        let mut r = csv::Reader::from_path(p).unwrap();
        r.records()
            .map(|x| x.unwrap().iter().map(str::to_string).collect::<Vec<_>>())
            .collect::<Vec<_>>()
    };
    let titles: std::collections::HashMap<String, String> = read(&kolada.join("kpis.csv"))
        .into_iter()
        .map(|r| {
            let title = r[1].split_whitespace().collect::<Vec<_>>().join(" ");
            (r[0].to_lowercase(), title)
        })
        .collect();
    for file in [
        "examples/kolada_digital2022_indicators.csv",
        "examples/kolada_digital_trend_indicators.csv",
    ] {
        let rows = read(&root().join(file));
        let mut seen = std::collections::HashSet::new();
        for r in &rows {
            assert_eq!(
                Some(&r[1]),
                titles.get(&r[0].to_lowercase()),
                "{file}: {}",
                r[0]
            );
            assert!(seen.insert(r[1].clone()), "{file}: label {:?} twice", r[1]);
        }
    }
}
