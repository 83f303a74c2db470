//! DESI 2022 recomputed from the published inputs must match the published
//! scores (overall and the 4 dimensions within 1e-9, sub-dimensions too) and
//! the 27 published ranks exactly; the EU aggregate is scored, not ranked.

use crate::common::*;
use serde_json::Value;
use std::collections::HashMap;

/// Published scores by country, by column.
type Published = HashMap<String, HashMap<String, String>>;

fn published() -> Option<(Vec<String>, Published)> {
    let dir = shared("desi2022")?;
    let (header, rows) = read_plain_csv(&dir.join("published_scores.csv"));
    let mut by_country = HashMap::new();
    for r in rows {
        let m: HashMap<String, String> = header.iter().cloned().zip(r.iter().cloned()).collect();
        by_country.insert(r[0].clone(), m);
    }
    Some((header, by_country))
}

fn check_against_published(json: &Value) {
    let Some((_, published)) = published() else {
        return;
    };
    let units = json["units"].as_array().unwrap();
    assert_eq!(units.len(), 28, "27 member states + EU are scored");
    assert_eq!(json["excluded"].as_array().unwrap().len(), 0);
    let mut checked = 0;
    for u in units {
        let id = u["id"].as_str().unwrap();
        let p = &published[id];
        let close = |ours: &Value, theirs: &str, what: &str| {
            let a = ours
                .as_f64()
                .unwrap_or_else(|| panic!("{id} {what}: no score"));
            let b: f64 = theirs.parse().unwrap();
            assert!((a - b).abs() <= 1e-9, "{id} {what}: {a} vs published {b}");
        };
        close(&u["score"], &p["desi"], "DESI");
        for d in 1..=4 {
            close(
                &u["nodes"][d.to_string()],
                &p[&format!("dim{d}")],
                &format!("dim{d}"),
            );
        }
        for sub in ["1a", "1b", "2a", "2b", "2c", "2d", "3a", "3b", "3c", "4a"] {
            close(&u["nodes"][sub], &p[&format!("sub_{sub}")], sub);
        }
        if id == "EU" {
            assert!(u["rank"].is_null(), "EU must not be ranked");
            assert_eq!(p["rank_desi"], "");
        } else {
            assert_eq!(
                u["rank"].as_i64().unwrap().to_string(),
                p["rank_desi"],
                "{id} rank"
            );
            for d in 1..=4 {
                assert_eq!(
                    u["node_ranks"][d.to_string()].as_i64().unwrap().to_string(),
                    p[&format!("rank_dim{d}")],
                    "{id} rank of dimension {d}"
                );
            }
        }
        checked += 1;
    }
    assert_eq!(checked, 28);
}

#[test]
fn cli_json_matches_published_desi_2022() {
    if shared("desi2022").is_none() {
        return;
    }
    let out = kommunrank(&[
        "rank",
        "--spec",
        "examples/desi2022.toml",
        "--format",
        "json",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let json: Value = serde_json::from_str(&stdout(&out)).unwrap();
    check_against_published(&json);
    // Published top five, in order.
    let top: Vec<&str> = json["units"].as_array().unwrap()[..5]
        .iter()
        .map(|u| u["id"].as_str().unwrap())
        .collect();
    assert_eq!(top, vec!["FI", "DK", "NL", "SE", "IE"]);
    // The resolved spec carries effective weights that sum to 1.
    let w: f64 = json["spec"]["indicators"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["effective_weight"].as_f64().unwrap())
        .sum();
    assert!((w - 1.0).abs() < 1e-12, "effective weights sum to {w}");
}

/// The same inputs saved as Swedish Excel writes CSV (`;`, decimal comma,
/// Windows-1252, CRLF) rank identically.
#[test]
fn swedish_excel_csv_ranks_identically() {
    let Some(dir) = shared("desi2022") else {
        return;
    };
    let text = std::fs::read_to_string(dir.join("indicators.csv")).unwrap();
    let swedish: String = text
        .lines()
        .map(|l| {
            l.split(',')
                .map(|f| f.replace('.', ","))
                .collect::<Vec<_>>()
                .join(";")
        })
        .collect::<Vec<_>>()
        .join("\r\n");
    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join("desi_sv.csv");
    let (bytes, _, _) = encoding_rs::WINDOWS_1252.encode(&swedish);
    std::fs::write(&path, &bytes).unwrap();
    let plain = kommunrank(&[
        "rank",
        "--spec",
        "examples/desi2022.toml",
        "--format",
        "json",
    ]);
    let sv = kommunrank(&[
        "rank",
        "--spec",
        "examples/desi2022.toml",
        "--data",
        path.to_str().unwrap(),
        "--format",
        "json",
    ]);
    assert!(sv.status.success(), "{}", stderr(&sv));
    let a: Value = serde_json::from_str(&stdout(&plain)).unwrap();
    let b: Value = serde_json::from_str(&stdout(&sv)).unwrap();
    assert_eq!(
        a["units"], b["units"],
        "units differ between plain and Swedish CSV"
    );
    check_against_published(&b);
}
