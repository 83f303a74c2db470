//! The built-in example: reproducible from its generator, scored in points
//! 0-14 like SKL 2014, non-respondents not ranked (with reasons), ties at the
//! top sharing rank 1, and identical when saved as Swedish Excel CSV.

#[allow(dead_code)]
#[path = "../../examples/generate_fixture.rs"]
mod generator;

use crate::common::*;
use serde_json::Value;

fn builtin_json(extra: &[&str]) -> Value {
    let mut args = vec!["rank", "--format", "json"];
    args.extend_from_slice(extra);
    let out = kommunrank(&args);
    assert!(out.status.success(), "{}", stderr(&out));
    serde_json::from_str(&stdout(&out)).unwrap()
}

#[test]
fn fixture_is_what_the_seeded_generator_writes() {
    if shared("kolada").is_none() {
        return;
    }
    let generated = generator::generate(&root().join("../shared"));
    let committed =
        std::fs::read_to_string(root().join("fixtures/eservice2014/eservice2014.csv")).unwrap();
    assert!(
        generated == committed,
        "run `cargo run --example generate_fixture` and commit the result"
    );
}

#[test]
fn points_index_like_skl_2014() {
    let json = builtin_json(&[]);
    let units = json["units"].as_array().unwrap();
    let excluded = json["excluded"].as_array().unwrap();
    assert_eq!(
        units.len() + excluded.len(),
        290,
        "no municipality disappears"
    );
    // Points 0-14, integers.
    for u in units {
        let s = u["score"].as_f64().unwrap();
        assert!((0.0..=14.0).contains(&s) && s.fract() == 0.0, "{s}");
    }
    // Everyone at the top score shares rank 1; the next rank skips them.
    let top = units[0]["score"].as_f64().unwrap();
    let tied = units
        .iter()
        .filter(|u| u["score"].as_f64().unwrap() == top)
        .count();
    assert!(tied > 1, "ties at the top");
    assert!(units[..tied].iter().all(|u| u["rank"] == 1));
    assert_eq!(units[tied]["rank"].as_u64().unwrap() as usize, tied + 1);
    // Non-respondents (responded = nej) are all excluded, with a reason.
    let data =
        std::fs::read_to_string(root().join("fixtures/eservice2014/eservice2014.csv")).unwrap();
    let non_respondents: Vec<&str> = data
        .lines()
        .skip(1)
        .filter(|l| l.split(',').nth(5) == Some("nej"))
        .map(|l| l.split(',').next().unwrap())
        .collect();
    assert!(non_respondents.len() >= 60);
    for id in &non_respondents {
        let e = excluded
            .iter()
            .find(|e| e["id"] == *id)
            .unwrap_or_else(|| panic!("{id} ranked"));
        assert_eq!(e["reason"], "no data for any indicator");
    }
    // Partial respondents are excluded for coverage below 50%.
    assert!(excluded.iter().any(|e| e["category"] == "low coverage"));
}

#[test]
fn smaller_municipalities_lag_on_average() {
    let json = builtin_json(&[]);
    let mean = |class: &str| {
        let v: Vec<f64> = json["units"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|u| u["groups"]["size_class"] == class)
            .map(|u| u["score"].as_f64().unwrap())
            .collect();
        v.iter().sum::<f64>() / v.len() as f64
    };
    assert!(mean("small") < mean("medium") && mean("medium") < mean("large"));
}

#[test]
fn points_are_the_hand_computed_sum_of_answers() {
    // Recompute every ranked unit's points from the CSV by hand.
    let json = builtin_json(&[]);
    let data =
        std::fs::read_to_string(root().join("fixtures/eservice2014/eservice2014.csv")).unwrap();
    let mut lines = data.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let col = |name: &str| header.iter().position(|h| *h == name).unwrap();
    for line in lines {
        let f: Vec<&str> = line.split(',').collect();
        let Some(u) = json["units"]
            .as_array()
            .unwrap()
            .iter()
            .find(|u| u["id"] == f[0])
        else {
            continue;
        };
        let count: f64 = f[col("e_services")].parse().unwrap_or(0.0);
        let bands = [1.0, 5.0, 15.0, 30.0, 60.0, 100.0]
            .iter()
            .filter(|&&t| count >= t)
            .count() as f64;
        let yes = |c: &str| if f[col(c)] == "ja" { 1.0 } else { 0.0 };
        let points = bands
            + 2.0 * yes("apps")
            + yes("social_media")
            + yes("open_data")
            + if f[col("egov_priority")] == "hög" {
                1.0
            } else {
                0.0
            }
            + yes("collab_procurement")
            + yes("collab_it")
            + yes("collab_eservices");
        assert_eq!(u["score"].as_f64().unwrap(), points, "unit {}", f[0]);
    }
}

/// Saved as Swedish Excel writes CSV (`;`, Windows-1252, CRLF, quoted
/// fields), the example ranks identically and names such as Åre survive.
#[test]
fn swedish_excel_csv_ranks_identically() {
    let data =
        std::fs::read_to_string(root().join("fixtures/eservice2014/eservice2014.csv")).unwrap();
    let swedish: String = data
        .lines()
        .map(|l| {
            l.split(',')
                .map(|f| format!("\"{f}\""))
                .collect::<Vec<_>>()
                .join(";")
        })
        .collect::<Vec<_>>()
        .join("\r\n");
    let (bytes, _, unmappable) = encoding_rs::WINDOWS_1252.encode(&swedish);
    assert!(!unmappable);
    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join("enkät.csv");
    std::fs::write(&path, &bytes).unwrap();
    let a = builtin_json(&[]);
    let b = builtin_json(&["--data", path.to_str().unwrap()]);
    assert_eq!(a["units"], b["units"]);
    assert_eq!(a["excluded"], b["excluded"]);
    let names: Vec<&str> = b["units"]
        .as_array()
        .unwrap()
        .iter()
        .chain(b["excluded"].as_array().unwrap())
        .map(|u| u["name"].as_str().unwrap())
        .collect();
    assert!(names.contains(&"Åre") && names.contains(&"Härnösand"));
}

#[test]
fn table_output_shows_top_bottom_and_exclusions() {
    let out = kommunrank(&["rank"]);
    assert!(out.status.success());
    let text = stdout(&out);
    assert!(text.contains("Ranked 1"), "{text}");
    assert!(text.contains("1="), "ties marked: {text}");
    assert!(text.contains("Not ranked"), "{text}");
    assert!(text.contains("no data for any indicator"), "{text}");
}
