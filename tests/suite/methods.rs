//! Methods end to end through the library, against hand-computed values.

use kommunrank::pipeline::treat::TreatmentAction;
use kommunrank::pipeline::{self, DataOverrides, RankResult};
use kommunrank::spec;

fn run(data: &str, body: &str) -> kommunrank::Result<RankResult> {
    run_with_index(data, "", body)
}

/// [`run`] with more keys of the `[index]` section (its aggregation).
fn run_with_index(data: &str, index: &str, body: &str) -> kommunrank::Result<RankResult> {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::write(tmp.path().join("d.csv"), data).unwrap();
    let text = format!(
        "[index]\nid = \"idx\"\n{index}[data]\nfiles = [\"d.csv\"]\n[units]\nid = \"id\"\ngroups = [\"g\"]\n{body}"
    );
    std::fs::write(tmp.path().join("s.toml"), &text).unwrap();
    let loaded = spec::load_spec(&tmp.path().join("s.toml"))?;
    let index = spec::resolve(&loaded)?;
    pipeline::run_index(&index, &DataOverrides::default())
}

fn score(r: &RankResult, id: &str) -> f64 {
    r.units
        .iter()
        .find(|u| u.id == id)
        .unwrap_or_else(|| panic!("{id} not scored"))
        .score
}

fn node(r: &RankResult, id: &str, node: &str) -> f64 {
    let n = r.index.node_index(node).unwrap();
    r.units.iter().find(|u| u.id == id).unwrap().nodes[n]
}

fn rank(r: &RankResult, id: &str) -> Option<f64> {
    r.units
        .iter()
        .find(|u| u.id == id)
        .unwrap()
        .rank
        .map(|r| r.0)
}

fn close(a: f64, b: f64) {
    assert!((a - b).abs() < 1e-9, "{a} vs {b}");
}

const D: &str = "id,g,a,b\nu1,n,2,10\nu2,n,4,\nu3,s,6,30\nu4,s,,40\nu5,s,8,20\n";

fn with_missing(method: &str) -> RankResult {
    run(
        D,
        &format!(
            "[missing]\nmethod = \"{method}\"\ngroup = \"g\"\n[normalise]\nmethod = \"none\"\n[[indicator]]\nid = \"a\"\n[[indicator]]\nid = \"b\"\n"
        ),
    )
    .unwrap()
}

#[test]
fn missing_value_methods() {
    // exclude: u2 = a only = 4; u4 = b only = 40.
    let r = with_missing("exclude");
    close(score(&r, "u2"), 4.0);
    close(score(&r, "u4"), 40.0);
    // mean: b mean of 10, 30, 40, 20 = 25 -> u2 = (4 + 25)/2; a mean = 5 -> u4 = (5 + 40)/2.
    let r = with_missing("mean");
    close(score(&r, "u2"), 14.5);
    close(score(&r, "u4"), 22.5);
    assert_eq!(
        r.units.iter().find(|u| u.id == "u2").unwrap().imputed,
        vec![1]
    );
    // median: b median 25, a median 5.
    let r = with_missing("median");
    close(score(&r, "u2"), 14.5);
    close(score(&r, "u4"), 22.5);
    // group_mean: u2 in n: b mean of n = 10 -> 7; u4 in s: a mean of s = 7 -> 23.5.
    let r = with_missing("group_mean");
    close(score(&r, "u2"), 7.0);
    close(score(&r, "u4"), 23.5);
    // zero: u2 = 2, u4 = 20.  worst: b worst 10 -> 7; a worst 2 -> 21.
    let r = with_missing("zero");
    close(score(&r, "u2"), 2.0);
    close(score(&r, "u4"), 20.0);
    let r = with_missing("worst");
    close(score(&r, "u2"), 7.0);
    close(score(&r, "u4"), 21.0);
}

#[test]
fn aggregation_methods_in_a_tree() {
    let data = "id,g,a,b,c\nu1,n,1,4,9\nu2,n,2,8,1\nu3,s,4,2,3\n";
    let body = r#"
[normalise]
method = "none"
[[node]]
id = "geo"
aggregation = "geometric"
weight = 1
[[node]]
id = "har"
aggregation = "harmonic"
weight = 3
[[node]]
id = "pow"
aggregation = "generalised"
p = 2
parent = "har"
[[node]]
id = "mpi"
aggregation = "mazziotta_pareto"
parent = "har"
[[indicator]]
id = "a"
parent = "geo"
[[indicator]]
id = "b"
parent = "geo"
weight = 3
[[indicator]]
id = "c"
parent = "pow"
[[indicator]]
id = "a2"
column = "a"
parent = "pow"
[[indicator]]
id = "b2"
column = "b"
parent = "mpi"
[[indicator]]
id = "c2"
column = "c"
parent = "mpi"
"#;
    let r = run(data, body).unwrap();
    for (id, a, b, c) in [
        ("u1", 1.0f64, 4.0f64, 9.0f64),
        ("u2", 2.0, 8.0, 1.0),
        ("u3", 4.0, 2.0, 3.0),
    ] {
        let geo = (a.ln() * 0.25 + b.ln() * 0.75).exp();
        let pow = ((c * c + a * a) / 2.0).sqrt();
        let m = (b + c) / 2.0;
        let var = ((b - m).powi(2) + (c - m).powi(2)) / 2.0;
        let mpi = m - var / m;
        let har = 2.0 / (1.0 / pow + 1.0 / mpi);
        close(node(&r, id, "geo"), geo);
        close(node(&r, id, "pow"), pow);
        close(node(&r, id, "mpi"), mpi);
        close(node(&r, id, "har"), har);
        close(score(&r, id), 0.25 * geo + 0.75 * har);
    }
}

#[test]
fn ranking_rules_round_groups_and_lowest_best() {
    let data = "id,g,a\nu1,n,0.1244\nu2,n,0.1246\nu3,s,0.1251\nu4,s,0.1262\nu5,s,0.1001\n";
    let base = "[normalise]\nmethod = \"none\"\n[[indicator]]\nid = \"a\"\n";
    let r = run(data, &format!("[ranking]\nround = 3\n{base}")).unwrap();
    // Rounded: 0.124, 0.125, 0.125, 0.126, 0.100.
    assert_eq!(
        (
            rank(&r, "u4"),
            rank(&r, "u2"),
            rank(&r, "u3"),
            rank(&r, "u1"),
            rank(&r, "u5")
        ),
        (Some(1.0), Some(2.0), Some(2.0), Some(4.0), Some(5.0))
    );
    let r = run(
        data,
        &format!("[ranking]\nround = 3\nmethod = \"dense\"\n{base}"),
    )
    .unwrap();
    assert_eq!(rank(&r, "u1"), Some(3.0));
    let r = run(
        data,
        &format!("[ranking]\nround = 3\nmethod = \"fractional\"\n{base}"),
    )
    .unwrap();
    assert_eq!(rank(&r, "u2"), Some(2.5));
    let r = run(
        data,
        &format!("[ranking]\nround = 3\nmethod = \"ordinal\"\n{base}"),
    )
    .unwrap();
    assert_eq!((rank(&r, "u2"), rank(&r, "u3")), (Some(2.0), Some(3.0)));
    let r = run(
        data,
        &format!("[ranking]\nbest = \"lowest\"\nwithin = [\"g\"]\n{base}"),
    )
    .unwrap();
    assert_eq!(rank(&r, "u5"), Some(1.0));
    let u4 = r.units.iter().find(|u| u.id == "u4").unwrap();
    assert_eq!(u4.group_ranks[0].map(|r| r.0), Some(3.0));
    let u1 = r.units.iter().find(|u| u.id == "u1").unwrap();
    assert_eq!(u1.group_ranks[0].map(|r| r.0), Some(1.0));
}

#[test]
fn per_capita_log_and_direction() {
    let data = "id,g,cost,pop\nu1,n,100,10\nu2,n,400,20\nu3,s,900,30\n";
    let body = r#"
[[indicator]]
id = "cost"
direction = -1
denominator = "pop"
per = 1000
transform = "log"
normalise = { method = "minmax" }
"#;
    let r = run(data, body).unwrap();
    // Per capita x1000: 10000, 20000, 30000; logs; lower is better.
    let l = [10000f64.ln(), 20000f64.ln(), 30000f64.ln()];
    close(score(&r, "u1"), 100.0);
    close(score(&r, "u3"), 0.0);
    close(score(&r, "u2"), 100.0 * (l[2] - l[1]) / (l[2] - l[0]));
    // A zero denominator is an error naming the cell.
    let e = run("id,g,cost,pop\nu1,n,1,0\nu2,n,2,1\n", body)
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("line 2, column 'pop'") && e.contains("denominator is 0"),
        "{e}"
    );
    // log of a non-positive value names the unit.
    let e = run("id,g,cost,pop\nu1,n,0,1\nu2,n,2,1\n", body)
        .unwrap_err()
        .to_string();
    assert!(e.contains("unit u1") && e.contains("log1p"), "{e}");
}

#[test]
fn unranked_units_are_scored_but_do_not_set_parameters() {
    let data = "id,g,a\nu1,n,10\nu2,n,20\nEU,n,100\n";
    let r = run(
        data,
        "[ranking]\nunranked = [\"EU\"]\n[[indicator]]\nid = \"a\"\n",
    )
    .unwrap();
    close(score(&r, "u1"), 0.0);
    close(score(&r, "u2"), 100.0);
    close(score(&r, "EU"), 900.0);
    assert_eq!(rank(&r, "EU"), None);
    assert_eq!(rank(&r, "u2"), Some(1.0));
    let e = run(
        data,
        "[ranking]\nunranked = [\"XX\"]\n[[indicator]]\nid = \"a\"\n",
    )
    .unwrap_err();
    assert!(e.to_string().contains("ranking.unranked"), "{e}");
}

#[test]
fn data_dependent_geometric_checks_values() {
    let spec_body = r#"
[normalise]
method = "goalposts"
lower = 0
upper = 10
[[node]]
id = "n1"
aggregation = "geometric"
[[indicator]]
id = "a"
parent = "n1"
[[indicator]]
id = "b"
parent = "n1"
"#;
    let ok = run("id,g,a,b\nu1,n,1,2\nu2,n,5,9\n", spec_body).unwrap();
    close(score(&ok, "u1"), (10.0f64 * 20.0).sqrt());
    let e = run("id,g,a,b\nu1,n,0,2\nu2,n,5,9\n", spec_body)
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("node 'n1'") && e.contains("unit u1") && e.contains("'a'"),
        "{e}"
    );
}

#[test]
fn categorical_answers_and_unknown_answers() {
    let body = r#"
[[indicator]]
id = "q"
normalise = { method = "categorical", map = { ja = 1, nej = 0, "delvis" = 0.5 } }
"#;
    let r = run("id,g,q\nu1,n,Ja\nu2,n,nej\nu3,n,delvis\nu4,n,\n", body).unwrap();
    close(score(&r, "u1"), 1.0);
    close(score(&r, "u3"), 0.5);
    assert!(
        r.excluded
            .iter()
            .any(|e| e.id == "u4" && e.reason.to_string() == "no data for any indicator")
    );
    let e = run("id,g,q\nu1,n,ja\nu2,n,kanske\n", body)
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("'kanske'") && e.contains("line 3") && e.contains("delvis"),
        "{e}"
    );
}

#[test]
fn node_coverage_screening_reports_reasons() {
    let body = r#"
[screening]
min_coverage = 0.25
[normalise]
method = "none"
[[node]]
id = "survey"
min_coverage = 1.0
[[indicator]]
id = "a"
[[indicator]]
id = "b"
parent = "survey"
"#;
    let r = run(D, body).unwrap();
    let u2 = r.excluded.iter().find(|e| e.id == "u2").unwrap();
    assert!(
        u2.reason.to_string().contains("node 'survey'") && u2.reason.to_string().contains("0 of 1"),
        "{}",
        u2.reason
    );
    assert_eq!(r.units.len(), 4);
}

#[test]
fn outlier_treatment_jrc_winsorise_log_and_box_cox() {
    let data = "id,g,a\nu1,n,1\nu2,n,2\nu3,n,3\nu4,n,4\nu5,n,5\nu6,n,6\nu7,n,7\nu8,n,8\nu9,n,9\nu10,n,100\n";
    let jrc = |extra: &str| {
        run(data, &format!("[normalise]\nmethod = \"none\"\n[[indicator]]\nid = \"a\"\ntreat = {{ method = \"jrc\"{extra} }}\n")).unwrap()
    };
    // 100 is winsorised to the next value, 9; that is enough.
    let r = jrc("");
    let t = &r.treatments[0];
    assert_eq!(t.action, TreatmentAction::Winsorised);
    assert_eq!(t.units, vec!["u10".to_string()]);
    assert!(t.skew_before > 2.0 && t.kurtosis_before > 3.5, "{t:?}");
    close(score(&r, "u10"), 9.0);
    close(score(&r, "u1"), 1.0);
    assert!(r.notes.iter().any(|n| n.to_string().contains("winsorised")));
    // With no points allowed, the rule falls back to COINr's log_CT of the
    // original values: ln(x - min + 0.01 (max - min)).
    let r = jrc(", max_points = 0");
    assert_eq!(r.treatments[0].action, TreatmentAction::Log);
    close(score(&r, "u10"), (99.0f64 + 0.99).ln());
    close(score(&r, "u1"), 0.99f64.ln());
    // Within thresholds: nothing changes, the check is still reported.
    let r = run(
        "id,g,a\nu1,n,1\nu2,n,2\nu3,n,3\nu4,n,5\n",
        "[normalise]\nmethod = \"none\"\n[treat]\nmethod = \"jrc\"\n[[indicator]]\nid = \"a\"\n",
    )
    .unwrap();
    assert_eq!(r.treatments[0].action, TreatmentAction::None);
    close(score(&r, "u4"), 5.0);
    // Quantile winsorisation (type 7 quantiles of 1..9, 100: 5% = 1.45, 95% = 59.05).
    let r = run(data, "[normalise]\nmethod = \"none\"\n[[indicator]]\nid = \"a\"\ntreat = { method = \"winsorise\", quantiles = [0.05, 0.95] }\n").unwrap();
    close(score(&r, "u1"), 1.45);
    close(score(&r, "u10"), 59.05);
    assert_eq!(
        r.treatments[0].units,
        vec!["u1".to_string(), "u10".to_string()]
    );
    // Box-Cox lambda 0.5: (sqrt(x) - 1) / 0.5.
    let r = run(data, "[normalise]\nmethod = \"none\"\n[[indicator]]\nid = \"a\"\ntreat = { method = \"box_cox\", lambda = 0.5 }\n").unwrap();
    close(score(&r, "u9"), (3.0 - 1.0) / 0.5);
    let e = run(
        "id,g,a\nu1,n,0\nu2,n,1\n",
        "[[indicator]]\nid = \"a\"\ntreat = { method = \"box_cox\", lambda = 0.5 }\n",
    )
    .unwrap_err();
    assert!(e.to_string().contains("unit u1"), "{e}");
}

/// Scores of units u1..un for one indicator with values `x`, treated by
/// `treat` and not normalised.
fn treated(x: &[f64], treat: &str) -> (Vec<f64>, kommunrank::pipeline::treat::TreatmentReport) {
    let mut data = String::from("id,g,a\n");
    for (i, v) in x.iter().enumerate() {
        data.push_str(&format!("u{},n,{v}\n", i + 1));
    }
    let r = run(
        &data,
        &format!("[normalise]\nmethod = \"none\"\n[[indicator]]\nid = \"a\"\ntreat = {treat}\n"),
    )
    .unwrap();
    let scores = (1..=x.len()).map(|i| score(&r, &format!("u{i}"))).collect();
    (scores, r.treatments[0].clone())
}

fn all_close(a: &[f64], b: &[f64]) {
    assert_eq!(a.len(), b.len());
    for (x, y) in a.iter().zip(b) {
        assert!((x - y).abs() < 1e-12, "{a:?}\nvs\n{b:?}");
    }
}

// The figures below are COINr's Treat() defaults (winsorise, then log_CT),
// computed by tests/reference/coinr_treat.py, a line-by-line transliteration
// of COINr's R/treat.R.

#[test]
fn jrc_thresholds_are_inclusive() {
    // An indicator whose |skewness| and kurtosis equal the thresholds
    // exactly is treated (COINr passes only when |skew| < t or kurt < t).
    let x = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 100.0];
    let (s, k) = (
        kommunrank::audit::stats::skewness(&x),
        kommunrank::audit::stats::kurtosis(&x),
    );
    let (scores, t) = treated(
        &x,
        &format!(
            "{{ method = \"jrc\", skew = {:?}, kurtosis = {k:?} }}",
            s.abs()
        ),
    );
    assert_eq!(t.action, TreatmentAction::Winsorised, "{t:?}");
    assert_eq!(scores[9], 9.0);
    // A hair above either threshold: it passes untouched.
    let (scores, t) = treated(
        &x,
        &format!(
            "{{ method = \"jrc\", skew = {:?}, kurtosis = {k:?} }}",
            s.abs() * (1.0 + 1e-12)
        ),
    );
    assert_eq!(t.action, TreatmentAction::None, "{t:?}");
    assert_eq!(scores[9], 100.0);
}

#[test]
fn jrc_winsorises_on_the_side_of_the_current_skewness() {
    // Skewed high at first (311); once 311 is brought in, the skew turns
    // negative and the two low values are winsorised in two steps.
    let mut x: Vec<f64> = (1..=15).map(f64::from).collect();
    x.extend([-54.0, 311.0, -36.0]);
    let (scores, t) = treated(&x, "{ method = \"jrc\" }");
    let mut expected: Vec<f64> = (1..=15).map(f64::from).collect();
    expected.extend([1.0, 15.0, 1.0]);
    all_close(&scores, &expected);
    assert_eq!(t.action, TreatmentAction::Winsorised);
    assert_eq!(t.units, vec!["u16", "u17", "u18"]);
    assert!(
        t.reason
            .to_string()
            .contains("3 unit(s) winsorised in 3 step(s) (both side)"),
        "{}",
        t.reason
    );
    // With max_points = 1 only the first step is allowed: it fails, so the
    // original values are log-transformed (COINr: nwin = 1 stops the loop).
    let (scores, t) = treated(&x, "{ method = \"jrc\", max_points = 1 }");
    assert_eq!(t.action, TreatmentAction::Log);
    all_close(
        &scores[15..],
        &[1.2947271675944, 5.909847684435659, 3.075005454448499],
    );
    all_close(&scores[..2], &[4.0715875750994845, 4.0884941485439255]);
}

#[test]
fn jrc_max_points_counts_distinct_units() {
    // Four steps on the high side change 4 distinct units (137, 151, 158,
    // 302 all end at 34): within max_points = 5. Counting a unit again at
    // each step (1 + 2 + 3 = 6) would stop after three steps and log instead.
    let mut x: Vec<f64> = (1..=34).map(f64::from).collect();
    x.extend([137.0, 151.0, 158.0, 302.0]);
    let (scores, t) = treated(&x, "{ method = \"jrc\" }");
    assert_eq!(t.action, TreatmentAction::Winsorised, "{t:?}");
    let mut expected: Vec<f64> = (1..=34).map(f64::from).collect();
    expected.extend([34.0; 4]);
    all_close(&scores, &expected);
    assert_eq!(t.units, vec!["u35", "u36", "u37", "u38"]);
    // Three distinct units are not enough: log_CT of the original values.
    let (scores, t) = treated(&x, "{ method = \"jrc\", max_points = 3 }");
    assert_eq!(t.action, TreatmentAction::Log);
    all_close(
        &scores[34..],
        &[
            4.934545872989001,
            5.030503278733722,
            5.075236313280783,
            5.717060595602044,
        ],
    );
    all_close(&scores[..1], &[1.1019400787607845]);
}

#[test]
fn jrc_log_variants() {
    let x = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 100.0];
    let neg: Vec<f64> = x.iter().map(|v| -v).collect();
    // log_CT whatever the sign of the skew: ln(x - min + 0.01 (max - min)).
    let (scores, t) = treated(&neg, "{ method = \"jrc\", max_points = 0 }");
    assert!(
        t.reason
            .to_string()
            .contains("ln(x - min + 0.01 (max - min))"),
        "{}",
        t.reason
    );
    close(scores[9], 0.99f64.ln());
    close(scores[0], (99.0f64 + 0.99).ln());
    // The skew-aware variant mirrors it for negative skew.
    let (scores, t) = treated(
        &neg,
        "{ method = \"jrc\", max_points = 0, log = \"ct_skew\" }",
    );
    assert!(
        t.reason
            .to_string()
            .contains("-ln(max + 0.01 (max - min) - x)"),
        "{}",
        t.reason
    );
    close(scores[9], -(99.0f64 + 0.99).ln());
    close(scores[0], -(0.99f64).ln());
    // ... and is log_CT for positive skew.
    let (scores, _) = treated(
        &x,
        "{ method = \"jrc\", max_points = 0, log = \"ct_skew\" }",
    );
    close(scores[9], (99.0f64 + 0.99).ln());
    // COINr's log_CT_orig: ln(x - min + 1).
    let (scores, t) = treated(
        &x,
        "{ method = \"jrc\", max_points = 0, log = \"ct_orig\" }",
    );
    assert!(
        t.reason.to_string().contains("ln(x - min + 1)"),
        "{}",
        t.reason
    );
    close(scores[9], 100f64.ln());
    close(scores[0], 0.0);
}

#[test]
fn screening_counts_coverage_on_raw_or_imputed_data() {
    let data = "id,g,a,b,c\nu1,n,1,10,100\nu2,n,2,20,200\nu3,n,3,,300\nu4,n,4,,\nu5,n,,,\n";
    let spec = |basis: &str, missing: &str| {
        format!(
            "[screening]\nmin_coverage = 0.6\n{basis}[missing]\nmethod = \"{missing}\"\n[normalise]\nmethod = \"none\"\n[[indicator]]\nid = \"a\"\n[[indicator]]\nid = \"b\"\n[[indicator]]\nid = \"c\"\n"
        )
    };
    // On the raw data (the default): u4 has 1 of 3, u5 none.
    let r = run(data, &spec("", "mean")).unwrap();
    let excluded: Vec<&str> = r.excluded.iter().map(|e| e.id.as_str()).collect();
    assert_eq!(excluded, vec!["u4", "u5"]);
    assert!(
        r.excluded[0]
            .reason
            .to_string()
            .contains("data for 1 of 3 indicators (33.3%) is below")
    );
    // Means over the ranked units u1-u3: a 2, b 15.
    close(score(&r, "u3"), (3.0 + 15.0 + 300.0) / 3.0);
    // After imputation (COINr's Impute then Screen): everyone has every
    // value, and the means come from every unit: a 2.5, b 15, c 200.
    let r = run(data, &spec("coverage_on = \"imputed\"\n", "mean")).unwrap();
    assert!(r.excluded.is_empty(), "{:?}", r.excluded);
    close(score(&r, "u5"), (2.5 + 15.0 + 200.0) / 3.0);
    close(score(&r, "u4"), (4.0 + 15.0 + 200.0) / 3.0);
    assert!(
        r.notes
            .iter()
            .any(|n| n.to_string().contains("coverage after imputation")),
        "{:?}",
        r.notes
    );
    // With nothing imputed, the same units go, and the reason says on what.
    let r = run(data, &spec("coverage_on = \"imputed\"\n", "exclude")).unwrap();
    assert_eq!(r.excluded.len(), 2);
    assert!(
        r.excluded[0]
            .reason
            .to_string()
            .contains("(33.3%) after imputation is below"),
        "{}",
        r.excluded[0].reason
    );
}

/// The HDI's income index: goalposts 100 and 75,000 in dollars, the log
/// applied to the data and to the bounds (UNDP HDR technical notes):
/// (ln x - ln 100) / (ln 75000 - ln 100), capped at 1.
#[test]
fn goalposts_on_the_raw_scale_go_through_the_transform() {
    let data = "id,g,gni\nu1,n,1000\nu2,n,20000\nu3,n,80000\n";
    let hdi = |x: f64| ((x.ln() - 100f64.ln()) / (75000f64.ln() - 100f64.ln())).min(1.0);
    let spec = |norm: &str| {
        format!("[[indicator]]\nid = \"gni\"\ntransform = \"log\"\nnormalise = {{ {norm} }}\n")
    };
    for norm in [
        "method = \"goalposts\", lower = 100, upper = 75000, bounds = \"raw\", clip = true, scale = 1",
        "method = \"goalposts\", lower = \"ln(100)\", upper = \"ln(75000)\", clip = true, scale = 1",
    ] {
        let r = run(data, &spec(norm)).unwrap();
        for (u, x) in [("u1", 1000.0), ("u2", 20000.0), ("u3", 80000.0)] {
            close(score(&r, u), hdi(x));
        }
        assert!(!r.notes.iter().any(|n| n.is_warning()), "{:?}", r.notes);
    }
    // The same bounds read on the log scale: every value (ln x < 12) is
    // below 100, and the run says so, naming the scale and the fix.
    let r = run(
        data,
        &spec("method = \"goalposts\", lower = 100, upper = 75000, clip = true, scale = 1"),
    )
    .unwrap();
    let w = r
        .notes
        .iter()
        .find(|n| n.is_warning())
        .map(ToString::to_string)
        .expect("a warning");
    assert!(
        w.contains("indicator 'gni': 3 of 3 ranked units lie outside the goalposts [100, 75000]"),
        "{w}"
    );
    assert!(
        w.contains("log scale") && w.contains("bounds = \"raw\""),
        "{w}"
    );
    // Without a transform, mostly-outside data is flagged too.
    let r = run(
        "id,g,a\nu1,n,1\nu2,n,2\nu3,n,3\n",
        "[[indicator]]\nid = \"a\"\nnormalise = { method = \"goalposts\", lower = 10, upper = 20 }\n",
    )
    .unwrap();
    assert!(
        r.notes
            .iter()
            .any(|n| n.to_string().contains("3 of 3 ranked units lie outside")),
        "{:?}",
        r.notes
    );
    // A raw bound outside the transform's domain is an error naming it.
    let e = run(
        data,
        &spec("method = \"goalposts\", lower = 0, upper = 75000, bounds = \"raw\""),
    )
    .unwrap_err()
    .to_string();
    assert!(
        e.contains("lower goalpost 0") && e.contains("log of 0 is undefined"),
        "{e}"
    );
    // A string that is not an expression gives the fix.
    let e = run(
        data,
        &spec("method = \"goalposts\", lower = \"ln100\", upper = 5"),
    )
    .unwrap_err()
    .to_string();
    assert!(e.contains("lower = 4.605170185988092"), "{e}");
}

/// COINr's iMeta and iData read as they are (`[coinr]`): indicators,
/// aggregates and the index told apart by `Type` and `Parent`, R's `NA` as
/// empty, a denominator from iMeta, groups from `Type = "Group"`; then
/// COINr's defaults: n_minmax 0-100, a_amean with the iMeta weights.
#[test]
fn coinr_imeta_and_idata_preset() {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::write(
        tmp.path().join("iMeta.csv"),
        "iCode,iName,Level,Parent,Direction,Weight,Type,Unit,Target,Denominator
i1,Flights,1,P1,1,1,Indicator,,NA,NA
i2,Goods,1,P1,-1,2,Indicator,,NA,NA
i3,Internet users,1,P2,1,1,Indicator,,NA,Population
P1,Connectivity,2,Index,NA,1,Aggregate,,NA,NA
P2,Digital,2,Index,NA,3,Aggregate,,NA,NA
Index,Composite index,3,NA,NA,1,Aggregate,,NA,NA
GDP_group,GDP group,NA,NA,NA,NA,Group,,NA,NA
Population,Population,NA,NA,NA,NA,Denominator,,NA,NA
",
    )
    .unwrap();
    std::fs::write(
        tmp.path().join("iData.csv"),
        "uCode,uName,GDP_group,Population,i1,i2,i3
AUT,Austria,L,10,1,8,5
BEL,Belgium,M,20,3,6,12
CZE,Czechia,L,5,2,2,4
DNK,Denmark,XL,8,5,4,4
",
    )
    .unwrap();
    let path = tmp.path().join("s.toml");
    std::fs::write(
        &path,
        "[coinr]\nimeta = \"iMeta.csv\"\nidata = \"iData.csv\"\n",
    )
    .unwrap();
    let index = spec::resolve(&spec::load_spec(&path).unwrap()).unwrap();
    assert_eq!(index.nodes[0].id, "Index");
    assert_eq!(index.indicators.len(), 3);
    let r = pipeline::run_index(&index, &DataOverrides::default()).unwrap();
    // By hand: i1 -> 0, 50, 25, 100; i2 (lower is better) -> 0, 33.3, 100,
    // 66.7; i3 / Population = .5, .6, .8, .5 -> 0, 33.3, 100, 0.
    // P1 = (i1 + 2 i2) / 3, P2 = i3, Index = (P1 + 3 P2) / 4.
    let by_hand = [
        ("AUT", 0.0, 0.0),
        ("BEL", (50.0 + 2.0 * 100.0 / 3.0) / 3.0, 100.0 / 3.0),
        ("CZE", (25.0 + 200.0) / 3.0, 100.0),
        ("DNK", (100.0 + 2.0 * 200.0 / 3.0) / 3.0, 0.0),
    ];
    for (id, p1, p2) in by_hand {
        close(node(&r, id, "P1"), p1);
        close(node(&r, id, "P2"), p2);
        close(score(&r, id), (p1 + 3.0 * p2) / 4.0);
    }
    assert_eq!(rank(&r, "CZE"), Some(1.0));
    let u = r.units.iter().find(|u| u.id == "BEL").unwrap();
    assert_eq!(u.name, "Belgium");
    // A metadata filter on a column the file lacks is an error naming it.
    std::fs::write(
        &path,
        "[index]\nid = \"Index\"\n[data]\nfiles = [\"iData.csv\"]\n[units]\nid = \"uCode\"\n[[indicator_table]]\nfile = \"iMeta.csv\"\nid = \"iCode\"\nfilter = { Kind = \"Indicator\" }\n",
    )
    .unwrap();
    let e = spec::load_spec(&path).unwrap_err().to_string();
    assert!(
        e.contains("no column 'Kind' (named by indicator_table[0].filter)"),
        "{e}"
    );
}

/// COINr's chain on a hand-computed case: i_mean_grp (a group without any
/// value stays missing), n_minmax 0-100, a_amean re-normalising the weights
/// over the values present, rank(-x, ties.method = "min").
#[test]
fn coinr_group_mean_minmax_amean_and_min_ties() {
    let data = "id,g,x1,x2\nu1,a,2,10\nu2,a,,20\nu3,b,6,20\nu4,b,8,40\nu5,c,,30\nu6,b,6,20\n";
    let spec = |fallback: &str| {
        format!(
            "[missing]\nmethod = \"group_mean\"\ngroup = \"g\"\n{fallback}[ranking]\nmethod = \"competition\"\n[[indicator]]\nid = \"x1\"\n[[indicator]]\nid = \"x2\"\n"
        )
    };
    let r = run(data, &spec("group_fallback = \"none\"\n")).unwrap();
    // x1: u2 <- 2 (group a); u5 (group c) stays missing; minmax over 2..8.
    // x2: minmax over 10..40.
    let expected = [
        ("u1", 0.0, 6.0),
        ("u2", (0.0 + 100.0 / 3.0) / 2.0, 5.0),
        ("u3", (200.0 / 3.0 + 100.0 / 3.0) / 2.0, 3.0),
        ("u6", (200.0 / 3.0 + 100.0 / 3.0) / 2.0, 3.0),
        ("u4", 100.0, 1.0),
        ("u5", 200.0 / 3.0, 2.0),
    ];
    for (id, s, k) in expected {
        close(score(&r, id), s);
        assert_eq!(rank(&r, id), Some(k), "{id}");
    }
    assert!(
        r.notes.iter().any(|n| n
            .to_string()
            .contains("group(s) c have no observed value; their values stay missing")),
        "{:?}",
        r.notes
    );
    // The default fills group c with the overall mean of the observed
    // values (2, 6, 8, 6: 5.5, normalised 58.33), and says so.
    let r = run(data, &spec("")).unwrap();
    close(score(&r, "u5"), (3.5 / 6.0 * 100.0 + 200.0 / 3.0) / 2.0);
    assert!(r.notes.iter().any(|n| {
        n.to_string()
            .contains("the overall mean was imputed instead")
    }));
}

/// Compind's `ci_mean_min(x, indic_col, alpha, beta)` (its source, "punto
/// A" and "punto B"): each indicator standardised to mean 100 and sample
/// sd 10, then per unit the unweighted mean M and minimum m of its values,
/// `M - alpha (sqrt((M - m)^2 + beta^2) - beta)`. The same here is zscore
/// normalisation (mean 100, sd 10) under a `mean_min` index; the expected
/// figures are computed independently below, step by step as Compind does.
#[test]
fn mean_min_is_compinds_ci_mean_min_on_standardised_indicators() {
    let data = "id,g,a,b,c\nu1,x,3,40,7\nu2,x,8,10,5\nu3,x,1,25,9\nu4,x,6,55,2\nu5,x,4,30,6\n";
    let columns = [
        [3.0, 8.0, 1.0, 6.0, 4.0],
        [40.0, 10.0, 25.0, 55.0, 30.0],
        [7.0, 5.0, 9.0, 2.0, 6.0],
    ];
    let z: Vec<[f64; 5]> = columns
        .iter()
        .map(|c| {
            let mean = c.iter().sum::<f64>() / 5.0;
            let sd = (c.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / 4.0).sqrt();
            c.map(|v| (v - mean) / sd * 10.0 + 100.0)
        })
        .collect();
    for (alpha, beta) in [(0.5, 0.0), (1.0, 5.0), (0.25, 20.0)] {
        let r = run_with_index(
            data,
            &format!("aggregation = \"mean_min\"\nalpha = {alpha}\nbeta = {beta}\n"),
            "[normalise]\nmethod = \"zscore\"\nmean = 100\nsd = 10\n[[indicator]]\nid = \"a\"\n[[indicator]]\nid = \"b\"\n[[indicator]]\nid = \"c\"\n",
        )
        .unwrap_or_else(|e| panic!("{e}"));
        for (u, values) in (0..5).map(|u| (u, [z[0][u], z[1][u], z[2][u]])) {
            let m = values.iter().sum::<f64>() / 3.0;
            let min = values.iter().cloned().fold(f64::INFINITY, f64::min);
            let want = m - alpha * (((m - min).powi(2) + beta * beta).sqrt() - beta);
            close(score(&r, &format!("u{}", u + 1)), want);
        }
    }
    // alpha outside 0-1 is refused, naming the key.
    let e = run_with_index(
        data,
        "aggregation = \"mean_min\"\nalpha = 1.5\n",
        "[[indicator]]\nid = \"a\"\n[[indicator]]\nid = \"b\"\n",
    )
    .unwrap_err()
    .to_string();
    assert!(
        e.contains("index.alpha") && e.contains("outside 0-1"),
        "{e}"
    );
}

/// Weights from judgements: AHP (two judges, combined by the geometric
/// mean of their matrices) on the index's dimensions, and experts' budget
/// allocations over one dimension's indicators. The figures below were
/// computed with numpy 2.4.6 (`numpy.linalg.eig` of the same matrices, the
/// eigenvector of the largest eigenvalue scaled to sum 1; CR = (lambda -
/// n) / (n - 1) / 0.58), independently of kommunrank's power iteration.
#[test]
fn ahp_and_expert_weights_match_numpy_and_the_mean_shares() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    std::fs::write(
        dir.join("d.csv"),
        "id,a1,a2,b1,c1\nu1,1,2,3,4\nu2,4,3,2,1\nu3,2,2,2,2\n",
    )
    .unwrap();
    // Judge one: A = [[1, 3, 5], [1/3, 1, 2], [1/5, 1/2, 1]]; judge two:
    // B = [[1, 1/2, 4], [2, 1, 3], [1/4, 1/3, 1]] (written both ways round).
    std::fs::write(
        dir.join("ahp.csv"),
        "node,judge,a,b,value\nidx,one,a,b,3\nidx,one,a,c,5\nidx,one,b,c,2\nidx,two,b,a,2\nidx,two,a,c,4\nidx,two,c,b,1/3\n",
    )
    .unwrap();
    // Three experts share 10, 20 and 4 points over a1 and a2.
    std::fs::write(
        dir.join("experts.csv"),
        "expert,a1,a2\nE1,7,3\nE2,5,15\nE3,2,2\n",
    )
    .unwrap();
    let spec = "[index]\nid = \"idx\"\n[data]\nfiles = [\"d.csv\"]\n[units]\nid = \"id\"\n[normalise]\nmethod = \"none\"\n[weights]\nahp = \"ahp.csv\"\nexperts = \"experts.csv\"\n[[node]]\nid = \"a\"\n[[node]]\nid = \"b\"\n[[node]]\nid = \"c\"\n[[indicator]]\nid = \"a1\"\nparent = \"a\"\n[[indicator]]\nid = \"a2\"\nparent = \"a\"\n[[indicator]]\nid = \"b1\"\nparent = \"b\"\n[[indicator]]\nid = \"c1\"\nparent = \"c\"\n";
    std::fs::write(dir.join("s.toml"), spec).unwrap();
    let loaded = spec::load_spec(&dir.join("s.toml")).unwrap();
    let index = spec::resolve(&loaded).unwrap();
    let w = |id: &str| index.nodes[index.node_index(id).unwrap()].weight;
    let numpy = [0.5075651958742483, 0.3627841384080458, 0.12965066571770587];
    for (id, want) in ["a", "b", "c"].iter().zip(numpy) {
        assert!((w(id) - want).abs() < 1e-12, "{id}: {} vs {want}", w(id));
    }
    let spec::WeightOrigin::Ahp(ahp) = &index.weighting[0] else {
        panic!("{:?}", index.weighting[0])
    };
    assert!((ahp.lambda_max - 3.0177376719442943).abs() < 1e-12);
    assert!((ahp.cr - 0.015291096503702).abs() < 1e-12);
    assert!((ahp.judge_cr[1] - 0.09297183953014955).abs() < 1e-12);
    assert_eq!(ahp.judges, ["one", "two"]);
    // Mean shares: a1 = (0.7 + 0.25 + 0.5) / 3, a2 = (0.3 + 0.75 + 0.5) / 3.
    let a1 = index
        .indicators
        .iter()
        .find(|i| i.id == "a1")
        .unwrap()
        .weight;
    let a2 = index
        .indicators
        .iter()
        .find(|i| i.id == "a2")
        .unwrap()
        .weight;
    assert!((a1 - 1.45 / 3.0).abs() < 1e-15 && (a2 - 1.55 / 3.0).abs() < 1e-15);
    // The ranking uses them: u1's score by hand.
    let r = pipeline::run_index(&index, &DataOverrides::default()).unwrap();
    let a_u1 = (a1 * 1.0 + a2 * 2.0) / (a1 + a2);
    let want = (numpy[0] * a_u1 + numpy[1] * 3.0 + numpy[2] * 4.0) / numpy.iter().sum::<f64>();
    close(score(&r, "u1"), want);

    // A judge too inconsistent for the limit is refused (CR 0.093 > 0.05).
    std::fs::write(
        dir.join("s2.toml"),
        spec.replace("[weights]\n", "[weights]\nmax_cr = 0.01\n"),
    )
    .unwrap();
    std::fs::write(
        dir.join("ahp.csv"),
        "node,judge,a,b,value\nidx,two,b,a,2\nidx,two,a,c,4\nidx,two,c,b,1/3\n",
    )
    .unwrap();
    let e = spec::resolve(&spec::load_spec(&dir.join("s2.toml")).unwrap())
        .unwrap_err()
        .to_string();
    assert!(e.contains("inconsistent") && e.contains("0.093"), "{e}");
    // A missing pair, a value off the scale, a budget that leaves out an
    // indicator: each named, with a fix.
    for (file, text, needle) in [
        (
            "ahp.csv",
            "node,a,b,value\nidx,a,b,3\nidx,a,c,5\n",
            "b vs c is not judged",
        ),
        (
            "ahp.csv",
            "node,a,b,value\nidx,a,b,12\nidx,a,c,5\nidx,b,c,1\n",
            "Saaty's scale",
        ),
        (
            "ahp.csv",
            "node,a,b,value\nidx,a,x,3\n",
            "not a child of node 'idx'",
        ),
        (
            "experts.csv",
            "expert,a1,b1\nE1,1,1\n",
            "'a2' is not covered",
        ),
    ] {
        let ok_ahp = "node,a,b,value\nidx,a,b,3\nidx,a,c,5\nidx,b,c,2\n";
        std::fs::write(
            dir.join("ahp.csv"),
            if file == "ahp.csv" { text } else { ok_ahp },
        )
        .unwrap();
        std::fs::write(
            dir.join("experts.csv"),
            if file == "experts.csv" {
                text
            } else {
                "expert,a1,a2\nE1,1,1\n"
            },
        )
        .unwrap();
        let e = spec::resolve(&spec::load_spec(&dir.join("s.toml")).unwrap())
            .unwrap_err()
            .to_string();
        assert!(e.contains(needle) && e.contains(file), "{needle}: {e}");
    }
}
