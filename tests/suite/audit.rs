//! Audit, explain and trend: statistics against independent calculations,
//! contributions that add up, and Kolada 2021-2022 with base-year goalposts.

use crate::common::*;
use kommunrank::audit::{explain, index_audit, trend};
use kommunrank::pipeline::{self, DataOverrides};
use kommunrank::spec;
use serde_json::Value;

fn result_of(path: &str, year: Option<i64>) -> pipeline::RankResult {
    let index = spec::resolve(&spec::load_spec(&root().join(path)).unwrap()).unwrap();
    pipeline::run_index(
        &index,
        &DataOverrides {
            year,
            ..Default::default()
        },
    )
    .unwrap()
}

#[test]
fn audit_sections_on_the_builtin_example_and_kolada() {
    let out = kommunrank(&["audit"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    for section in [
        "Indicators",
        "Flagged pairs",
        "Nodes",
        "alpha",
        "PCA",
        "Units with incomplete data",
    ] {
        assert!(text.contains(section), "{section} missing:\n{text}");
    }
    let out = kommunrank(&["audit", "--format", "json"]);
    let j: Value = serde_json::from_slice(&out.stdout).unwrap();
    let a = &j["audit"];
    assert_eq!(a["indicators"].as_array().unwrap().len(), 8);
    assert_eq!(a["pearson"].as_array().unwrap().len(), 8);
    assert!(a["nodes"][1]["cronbach_alpha"].is_number());
    let out = kommunrank(&["audit", "--format", "csv"]);
    assert!(stdout(&out).starts_with("indicator,parent,present,coverage"));
    if shared("kolada").is_none() {
        return;
    }
    let out = kommunrank(&[
        "audit",
        "--spec",
        "examples/kolada_digital2022.toml",
        "--format",
        "json",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let j: Value = serde_json::from_slice(&out.stdout).unwrap();
    let inds = j["audit"]["indicators"].as_array().unwrap();
    // The citizen survey covers under half of the municipalities: flagged.
    let n00563 = inds.iter().find(|i| i["id"] == "n00563").unwrap();
    assert!(
        n00563["flags"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f == "low coverage")
    );
    assert_eq!(n00563["present"], 137);
    let shares: f64 = inds
        .iter()
        .map(|i| i["importance_share"].as_f64().unwrap())
        .sum();
    assert!((shares - 1.0).abs() < 1e-9);
}

#[test]
fn audit_statistics_match_independent_calculations() {
    // A small index: x = (1,2,3,4,10), y = 2x (collinear), z = (5,4,3,2,1).
    let tmp = tempfile::tempdir().unwrap();
    std::fs::write(
        tmp.path().join("d.csv"),
        "id,x,y,z\na,1,2,5\nb,2,4,4\nc,3,6,3\nd,4,8,2\ne,10,20,1\n",
    )
    .unwrap();
    std::fs::write(
        tmp.path().join("s.toml"),
        "[index]\nid = \"i\"\n[data]\nfiles = [\"d.csv\"]\n[units]\nid = \"id\"\n[[node]]\nid = \"n\"\n\
         [[indicator]]\nid = \"x\"\nparent = \"n\"\n[[indicator]]\nid = \"y\"\nparent = \"n\"\n[[indicator]]\nid = \"z\"\n",
    )
    .unwrap();
    let index = spec::resolve(&spec::load_spec(&tmp.path().join("s.toml")).unwrap()).unwrap();
    let r = pipeline::run_index(&index, &DataOverrides::default()).unwrap();
    let a = index_audit::audit(&r, Default::default());
    let x = &a.indicators[0];
    assert!((x.mean - 4.0).abs() < 1e-12 && (x.sd - 12.5f64.sqrt()).abs() < 1e-12);
    assert_eq!((x.min, x.max), (1.0, 10.0));
    // x and y are perfectly correlated: a collinear pair; r(x, z) by hand.
    assert!(a.pairs.iter().any(|p| p.a == "x"
        && p.b == "y"
        && p.flag == "collinear"
        && (p.pearson - 1.0).abs() < 1e-12));
    let (xs, zs) = ([1.0, 2.0, 3.0, 4.0, 10.0], [5.0, 4.0, 3.0, 2.0, 1.0]);
    let (mx, mz) = (4.0, 3.0);
    let sxz: f64 = xs.iter().zip(&zs).map(|(a, b)| (a - mx) * (b - mz)).sum();
    let sxx: f64 = xs.iter().map(|a| (a - mx) * (a - mx)).sum();
    let szz: f64 = zs.iter().map(|b| (b - mz) * (b - mz)).sum();
    assert!((a.pearson[0][2] - sxz / (sxx * szz).sqrt()).abs() < 1e-12);
    assert!(
        (a.spearman[0][2] + 1.0).abs() < 1e-12,
        "monotone decreasing"
    );
    // Cronbach's alpha of node n (x and y normalised identically): 1.
    assert!((a.nodes[1].cronbach_alpha - 1.0).abs() < 1e-12);
    assert!((a.nodes[1].pca_explained[0] - 1.0).abs() < 1e-9);
    // Effective weights: x, y 1/4 each, z 1/2.
    assert!((a.indicators[2].effective_weight - 0.5).abs() < 1e-15);
}

#[test]
fn explained_contributions_add_up_to_the_scores() {
    if shared("desi2022").is_none() {
        return;
    }
    let r = result_of("examples/desi2022.toml", None);
    for id in ["SE", "RO", "EU"] {
        let e = explain::explain(&r, id).unwrap();
        assert!(e.additive);
        let total: f64 = e.indicators.iter().map(|i| i.contribution_to_index).sum();
        assert!(
            (total - e.score).abs() < 1e-9,
            "{id}: {total} vs {}",
            e.score
        );
        for node in &e.nodes[1..] {
            let direct: Vec<&explain::IndicatorLine> = e
                .indicators
                .iter()
                .filter(|i| i.parent == node.id)
                .collect();
            if !direct.is_empty() {
                let s: f64 = direct.iter().map(|i| i.contribution_to_node).sum();
                assert!(
                    (s - node.score).abs() < 1e-9,
                    "{id} {}: {s} vs {}",
                    node.id,
                    node.score
                );
            }
        }
    }
    let e = explain::explain(&r, "SE").unwrap();
    assert_eq!(e.rank.unwrap().0, 4.0);
    assert!(explain::explain(&r, "XX").is_err());
    let out = kommunrank(&["explain", "--unit", "0180"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).contains("Stockholm") && stdout(&out).contains("within the group"));
    let out = kommunrank(&["explain", "--unit", "0115"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("not ranked"), "{}", stderr(&out));
}

#[test]
fn explain_takes_the_unit_by_id_or_by_name_with_or_without_the_flag() {
    let by_id = stdout(&kommunrank(&["explain", "--unit", "0180"]));
    assert!(by_id.starts_with("0180 Stockholm: rank"), "{by_id}");
    for args in [
        &["explain", "0180"][..],
        &["explain", "stockholm"],
        &["explain", "-u", "Stockholm"],
    ] {
        let out = kommunrank(args);
        assert!(out.status.success(), "{args:?}: {}", stderr(&out));
        assert_eq!(stdout(&out), by_id, "{args:?}");
    }
    let out = kommunrank(&["explain", "Stokholm"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("did you mean 0180 Stockholm?"),
        "{}",
        stderr(&out)
    );
    let out = kommunrank(&["explain"]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn kolada_trend_2021_2022_uses_base_year_goalposts() {
    if shared("kolada").is_none() {
        return;
    }
    let path = "examples/kolada_digital_trend.toml";
    let index = spec::resolve(&spec::load_spec(&root().join(path)).unwrap()).unwrap();
    let t = trend::trend(&index, &DataOverrides::default(), &[2021, 2022], 2021).unwrap();
    assert_eq!(t.years, vec![2021, 2022]);
    assert!(t.summary.iter().all(|(_, ranked, _)| *ranked > 250));
    // The base year ranks exactly as a plain 2021 run.
    let r2021 = result_of(path, Some(2021));
    for u in r2021.units.iter().filter(|u| u.rank.is_some()) {
        let tu = t.units.iter().find(|x| x.id == u.id).unwrap();
        assert_eq!(tu.ranks[0], u.rank);
        assert!((tu.scores[0].unwrap() - u.score).abs() < 1e-9);
    }
    // 2022 normalises with 2021's min and max: n90002 (log, minmax) by hand.
    let r2022 = pipeline::run_with_base(
        &index,
        pipeline::load_dataset(
            &index,
            &DataOverrides {
                year: Some(2022),
                ..Default::default()
            },
        )
        .unwrap(),
        &pipeline::BaseReference::of(&r2021),
    )
    .unwrap();
    let j = index
        .indicators
        .iter()
        .position(|i| i.id == "n90002")
        .unwrap();
    let base: Vec<f64> = r2021
        .units
        .iter()
        .filter(|u| u.rank.is_some())
        .map(|u| r2021.stages.treated[[u.row, j]])
        .filter(|v| !v.is_nan())
        .collect();
    let (lo, hi) = (
        base.iter().copied().fold(f64::INFINITY, f64::min),
        base.iter().copied().fold(f64::NEG_INFINITY, f64::max),
    );
    let u = r2022.units[0].row;
    let by_hand = 100.0 * (r2022.stages.treated[[u, j]] - lo) / (hi - lo);
    assert!((r2022.stages.normalised[[u, j]] - by_hand).abs() < 1e-9);
    // Biggest movers first.
    let changes: Vec<f64> = t
        .units
        .iter()
        .filter_map(|u| u.rank_change)
        .map(f64::abs)
        .collect();
    assert!(changes.windows(2).all(|w| w[0] >= w[1]));
    let out = kommunrank(&["trend", "--spec", path, "--years", "2021,2022"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).contains("Biggest movers up"));
}

#[test]
fn trend_names_the_files_without_a_year_and_the_years_every_file_has() {
    let tmp = tempfile::tempdir().unwrap();
    let put = |name: &str, text: &str| std::fs::write(tmp.path().join(name), text).unwrap();
    put(
        "a.csv",
        "geo,year,a\n1,2020,1\n2,2020,2\n3,2020,3\n1,2021,2\n2,2021,1\n3,2021,3\n1,2022,3\n2,2022,1\n3,2022,2\n",
    );
    put(
        "b.csv",
        "geo,year,b\n1,2021,5\n2,2021,6\n3,2021,7\n1,2022,7\n2,2022,5\n3,2022,6\n",
    );
    put(
        "t.toml",
        "[index]\nid = \"t\"\n[data]\nfiles = [\"a.csv\", \"b.csv\"]\n[units]\nid = \"geo\"\n\
         [[indicator]]\nid = \"a\"\n[[indicator]]\nid = \"b\"\n",
    );
    let out = kommunrank_in(
        tmp.path(),
        &["trend", "--spec", "t.toml", "--years", "2020,2022"],
    );
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let e = stderr(&out);
    assert!(
        e.contains("year 2020 is not in 1 of the 2 data files: "),
        "{e}"
    );
    assert!(e.contains("b.csv (has 2021, 2022)"), "{e}");
    assert!(!e.contains("a.csv"), "{e}");
    assert!(!e.contains("year 2022 is not"), "{e}");
    assert!(
        e.contains("the years every file has: 2021, 2022; rank those (--years 2021,2022)"),
        "{e}"
    );
    // A base year outside the years ranked is checked too.
    let out = kommunrank_in(
        tmp.path(),
        &[
            "trend",
            "--spec",
            "t.toml",
            "--years",
            "2021,2022",
            "--base-year",
            "2020",
        ],
    );
    assert!(
        stderr(&out).contains("base year 2020 is not in 1 of the 2 data files"),
        "{}",
        stderr(&out)
    );
    let out = kommunrank_in(
        tmp.path(),
        &["trend", "--spec", "t.toml", "--years", "2021,2022"],
    );
    assert!(out.status.success(), "{}", stderr(&out));
}

/// In a points index every nominal weight is 1, but the questions give 0-6,
/// 0-2 and 0-1 points of 14: the audit's range share says so (by hand:
/// 6/14, 2/14, then 1/14 each), while the nominal effective weights do not.
#[test]
fn range_shares_are_the_points_of_a_points_index() {
    let out = kommunrank(&["audit", "--format", "json"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let j: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    let shares: Vec<f64> = j["audit"]["indicators"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["range_share"].as_f64().unwrap())
        .collect();
    let points = [6.0, 2.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0];
    assert_eq!(shares.len(), points.len());
    for (s, p) in shares.iter().zip(points) {
        assert!((s - p / 14.0).abs() < 1e-12, "{shares:?}");
    }
}
