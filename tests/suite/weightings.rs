//! Weights derived from the data and non-compensatory aggregation (issue
//! 24): principal components (Handbook 6.1), optimised weights (COINr's
//! `get_opt_weights`) and Benefit of the Doubt, each against a hand
//! calculation or a reference implementation's figures.

use kommunrank::pipeline::{self, DataOverrides, RankResult};
use kommunrank::spec::{self, WeightOrigin};
use std::path::Path;

fn run_spec(path: &Path) -> kommunrank::Result<RankResult> {
    let loaded = spec::load_spec(path)?;
    let index = spec::resolve(&loaded)?;
    pipeline::run_index(&index, &DataOverrides::default())
}

/// Writes `data` and a spec (`[index] id = "idx"`, then `body`) to a
/// temporary folder and runs it.
fn run(data: &str, body: &str) -> kommunrank::Result<RankResult> {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::write(tmp.path().join("d.csv"), data).unwrap();
    let text = format!(
        "[index]\nid = \"idx\"\n{body}\n[data]\nfiles = [\"d.csv\"]\n[units]\nid = \"id\"\n"
    );
    std::fs::write(tmp.path().join("s.toml"), text).unwrap();
    run_spec(&tmp.path().join("s.toml"))
}

/// The error [`run`] gives (it must fail).
fn error_of(data: &str, body: &str) -> String {
    run(data, body).unwrap_err().to_string()
}

#[test]
fn pca_weights_follow_the_handbook_on_its_tai_data() {
    let r = run_spec(Path::new("fixtures/tai/tai.toml")).unwrap();
    let WeightOrigin::Pca(p) = &r.index.weighting[0] else {
        panic!("{:?}", r.index.weighting[0]);
    };
    // Handbook (2008) Table 16: eigenvalues 3.3, 1.7, 1.0, 0.9 and
    // cumulative variance 41.9, 63.7, 76.0, 87.2% (published to one
    // decimal, some truncated).
    let mut cumulative = 0.0;
    for (k, (ev, cum)) in [(3.3, 41.9), (1.7, 63.7), (1.0, 76.0), (0.9, 87.2)]
        .into_iter()
        .enumerate()
    {
        cumulative += 100.0 * p.explained[k];
        assert!(
            (p.eigenvalues[k] - ev).abs() < 0.1,
            "{k}: {}",
            p.eigenvalues[k]
        );
        assert!((cumulative - cum).abs() < 0.1, "{k}: {cumulative}");
    }
    // Four factors kept (each explains over 10%), as the Handbook keeps.
    assert_eq!((p.factors, p.units, p.left_out), (4, 23, 0));
    // Table 17, Patents: loadings 0.07 0.97 0.06 0.06, squared and scaled
    // to unity sum 0.67 on factor 2.
    for (got, want) in p.loadings[0].iter().zip([0.07, 0.97, 0.06, 0.06]) {
        assert!((got.abs() - want).abs() < 0.011, "{:?}", p.loadings[0]);
    }
    assert_eq!(p.factor_of[0], 1);
    assert!((p.loadings[0][1].powi(2) / p.factor_variance[1] - 0.67).abs() < 0.006);
    // The weights: R 4.2.2, `eigen(cor(m))`, loadings of the first four
    // components rotated by `stats::varimax` (Kaiser normalisation, eps
    // 1e-5), then the Handbook's steps (tests/reference/pca_weights.R);
    // numpy 2.4.6 `eigh` with factor_analyzer 0.5.1's `Rotator("varimax")`
    // gives the same to 1e-15. psych 2.2.9 `principal(m, 4, rotate =
    // "varimax")` gives the same loadings.
    let reference = [
        0.1679667338801651,
        0.1546179206711561,
        0.111319405296817,
        0.0565056521553715,
        0.0861448793088567,
        0.118625877714394,
        0.138797280624487,
        0.1660222503487527,
    ];
    for (k, want) in reference.iter().enumerate() {
        assert!(
            (p.weights[k] - want).abs() < 1e-6,
            "{k}: {} vs {want}",
            p.weights[k]
        );
        assert!((r.index.indicators[k].weight - p.weights[k]).abs() < 1e-15);
    }
    // The audit's JSON carries the loadings, variance and weights.
    let out = crate::common::kommunrank(&[
        "audit",
        "--spec",
        "fixtures/tai/tai.toml",
        "--format",
        "json",
    ]);
    let audit: serde_json::Value = serde_json::from_str(&crate::common::stdout(&out)).unwrap();
    let origin = &audit["audit"]["weights"][0]["origin"];
    assert_eq!(origin["method"], "pca");
    assert_eq!(origin["loadings"].as_array().unwrap().len(), 8);
    assert!((origin["weights"][0].as_f64().unwrap() - reference[0]).abs() < 1e-6);
    // The ranking uses them: Finland's score by hand from its z-scores.
    let finland = r.units.iter().find(|u| u.id == "Finland").unwrap();
    let z: f64 = (0..8)
        .map(|k| p.weights[k] * r.stages.normalised[[finland.row, k]])
        .sum();
    assert!((finland.score - z).abs() < 1e-12);
}

/// Twelve units, three indicators, weakly correlated (0.17-0.38); `c` has
/// one outlier, so min-max leaves it little spread.
const THREE: &str = "id,a,b,c\nu1,1,3,1\nu2,2,9,1\nu3,3,1,2\nu4,4,7,1\nu5,5,2,3\nu6,6,12,2\nu7,7,5,1\nu8,8,11,20\nu9,9,4,2\nu10,10,8,3\nu11,11,6,1\nu12,12,10,2\n";

const INDICATORS: &str =
    "[[indicator]]\nid = \"a\"\n[[indicator]]\nid = \"b\"\n[[indicator]]\nid = \"c\"\n";

#[test]
fn optimised_weights_meet_their_target_importances() {
    let share = |c: &[f64]| -> Vec<f64> {
        let s: f64 = c.iter().sum();
        c.iter().map(|x| x / s).collect()
    };
    // The weights: scipy 1.17.1 `minimize(method="Nelder-Mead")` of the
    // same objective (COINr's "balance": mean squared gap between the
    // target and the correlations scaled to sum to 1) to a gap of 1e-30.
    for (importance, target, scipy) in [
        (
            "",
            [1.0 / 3.0; 3],
            [0.3533879431708797, 0.23939559697763532, 0.40721645985148497],
        ),
        (
            "importance = { a = 2 }\n",
            [0.5, 0.25, 0.25],
            [0.6900419453932952, 0.028224776776385557, 0.2817332778303192],
        ),
    ] {
        let r = run(
            THREE,
            &format!("[weights.optimised]\nnodes = [\"idx\"]\n{importance}{INDICATORS}"),
        )
        .unwrap();
        let WeightOrigin::Optimised(o) = &r.index.weighting[0] else {
            panic!("{:?}", r.index.weighting[0]);
        };
        // Independent check: each indicator's Pearson correlation with the
        // index scores the run produced, scaled to sum to 1.
        let scores: Vec<f64> = (0..12).map(|u| r.stages.nodes[[u, 0]]).collect();
        let corr: Vec<f64> = (0..3)
            .map(|k| {
                let x: Vec<f64> = (0..12).map(|u| r.stages.normalised[[u, k]]).collect();
                kommunrank::stats::pearson(&x, &scores)
            })
            .collect();
        for (got, want) in share(&corr).iter().zip(target) {
            assert!((got - want).abs() < 1e-4, "{importance}: {corr:?}");
        }
        // Equal weights did not balance them.
        let before = share(&o.correlations_before);
        assert!(before.iter().zip(target).any(|(b, t)| (b - t).abs() > 0.02));
        assert!((o.weights.iter().sum::<f64>() - 1.0).abs() < 1e-12);
        for (got, want) in o.weights.iter().zip(scipy) {
            assert!((got - want).abs() < 1e-6, "{:?}", o.weights);
        }
    }
}

#[test]
fn data_driven_weights_keep_a_sum_nodes_scale() {
    // In a points index the weights' total is the scale: PCA keeps it.
    let r = run(
        THREE,
        &format!("aggregation = \"sum\"\n[weights.pca]\nnodes = [\"idx\"]\n{INDICATORS}"),
    )
    .unwrap();
    let WeightOrigin::Pca(p) = &r.index.weighting[0] else {
        panic!()
    };
    let total: f64 = r.index.indicators.iter().map(|i| i.weight).sum();
    assert!((total - 3.0).abs() < 1e-12, "{total}");
    for (i, w) in r.index.indicators.iter().zip(&p.weights) {
        assert!((i.weight - 3.0 * w).abs() < 1e-12);
    }
}

#[test]
fn data_driven_weights_refuse_what_they_cannot_do() {
    // A child that does not vary.
    let flat = "id,a,b\nu1,1,3\nu2,2,3\nu3,3,3\nu4,4,3\n";
    let e = error_of(
        flat,
        "[weights.pca]\nnodes = [\"idx\"]\n[[indicator]]\nid = \"a\"\n[[indicator]]\nid = \"b\"\n[normalise]\nmethod = \"none\"\n",
    );
    assert!(e.contains("does not vary") && e.contains("idx"), "{e}");
    // A node that is not there; a node weighed two ways.
    let e = error_of(
        THREE,
        &format!("[weights.pca]\nnodes = [\"nope\"]\n{INDICATORS}"),
    );
    assert!(
        e.contains("weights.pca.nodes") && e.contains("'nope'"),
        "{e}"
    );
    let e = error_of(
        THREE,
        &format!(
            "[weights.pca]\nnodes = [\"idx\"]\n[weights.optimised]\nnodes = [\"idx\"]\n{INDICATORS}"
        ),
    );
    assert!(e.contains("already gets its weights"), "{e}");
}

/// Seven units, three indicators already on a 0-1 scale; u7 lacks `c`.
const BOD_DATA: &str = "id,a,b,c\nu1,0.9,0.2,0.5\nu2,0.4,0.8,0.3\nu3,0.6,0.6,0.6\nu4,0.1,0.3,0.9\nu5,0.5,0.4,0.2\nu6,0.3,0.1,0.4\nu7,0.7,0.5,\n";

#[test]
fn benefit_of_the_doubt_matches_scipy_linprog() {
    // scipy 1.17.1 `linprog(method="highs")` of the same programme per unit
    // (u7 on the two indicators it has; a missing value counts 0 in the
    // other units' constraints), for six sets of bounds; R's lpSolve 5.6.18
    // (tests/reference/bod_lpsolve.R) gives the same to 1e-15.
    let cases: [(&str, [f64; 7]); 6] = [
        (
            "",
            [
                1.0,
                1.0,
                1.0,
                1.0,
                0.7520325203252033,
                0.5789473684210527,
                1.0,
            ],
        ),
        (
            "bod = { min_share = 0.1 }",
            [
                1.0,
                1.0,
                1.0,
                0.7086614173228345,
                0.6794055201698513,
                0.4931972789115646,
                1.0,
            ],
        ),
        (
            "bod = { max_share = 0.6 }",
            [
                1.0,
                0.9473684210526316,
                1.0,
                0.7894736842105265,
                0.7513661202185793,
                0.5263157894736843,
                1.0,
            ],
        ),
        (
            "bod = { min_weight = 0.2 }",
            [
                1.0,
                1.0,
                1.0,
                1.0,
                0.7133333333333334,
                0.5591666666666668,
                1.0,
            ],
        ),
        (
            "bod = { max_weight = 0.8 }",
            [
                1.0,
                0.98,
                1.0,
                0.9666666666666668,
                0.7333333333333334,
                0.5285714285714287,
                0.96,
            ],
        ),
        (
            "bod = { min_share = 0.2, max_share = 0.5 }",
            [
                0.7731958762886598,
                0.8163265306122449,
                1.0,
                0.4390243902439027,
                0.6060606060606061,
                0.39215686274509803,
                0.9210526315789473,
            ],
        ),
    ];
    for (bounds, scipy) in cases {
        let r = run(
            BOD_DATA,
            &format!(
                "aggregation = \"bod\"\n{bounds}\n[normalise]\nmethod = \"none\"\n{INDICATORS}"
            ),
        )
        .unwrap();
        let table = &r.stages.unit_weights[0];
        for (u, want) in scipy.iter().enumerate() {
            let unit = r.units.iter().find(|x| x.row == u).unwrap();
            assert!(
                (unit.score - want).abs() < 1e-9,
                "{bounds} u{}: {} vs {want}",
                u + 1,
                unit.score
            );
            // The weights chosen are feasible and give the score.
            let w: Vec<f64> = (0..3).map(|c| table.weights[[u, c]]).collect();
            let y = |v: usize, c: usize| r.stages.normalised[[v, c]];
            let own: f64 = (0..3)
                .filter(|&c| !y(u, c).is_nan())
                .map(|c| w[c] * y(u, c))
                .sum();
            assert!((own - unit.score).abs() < 1e-9);
            for v in 0..7 {
                let s: f64 = (0..3)
                    .filter(|&c| !y(u, c).is_nan() && !y(v, c).is_nan())
                    .map(|c| w[c] * y(v, c))
                    .sum();
                assert!(
                    s <= 1.0 + 1e-9,
                    "{bounds}: u{} weights give u{} {s}",
                    u + 1,
                    v + 1
                );
            }
        }
    }
    // Per-unit weights reach the JSON output.
    let json = kommunrank::report::json::to_value(
        &run(
            BOD_DATA,
            &format!("aggregation = \"bod\"\n[normalise]\nmethod = \"none\"\n{INDICATORS}"),
        )
        .unwrap(),
    );
    let u7 = json["units"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["id"] == "u7")
        .unwrap();
    assert!(u7["unit_weights"]["idx"]["a"].as_f64().unwrap() >= 0.0);
    assert!(u7["unit_weights"]["idx"]["c"].is_null());
}

#[test]
fn benefit_of_the_doubt_refuses_impossible_bounds_and_negative_values() {
    let e = error_of(
        BOD_DATA,
        &format!(
            "aggregation = \"bod\"\nbod = {{ min_share = 0.4 }}\n[normalise]\nmethod = \"none\"\n{INDICATORS}"
        ),
    );
    assert!(
        e.contains("idx") && e.contains("no weights meet the bounds"),
        "{e}"
    );
    let e = error_of(
        BOD_DATA,
        &format!("aggregation = \"bod\"\n[normalise]\nmethod = \"zscore\"\n{INDICATORS}"),
    );
    assert!(e.contains("bod") && e.contains(">= 0"), "{e}");
    let e = error_of(
        BOD_DATA,
        &format!("bod = {{ min_share = 0.1 }}\n{INDICATORS}"),
    );
    assert!(e.contains("only used by bod"), "{e}");
}

/// The TAI spec with `weights` in place of its `[weights.pca]` section and
/// `extra` appended, written beside a copy of its data.
fn tai_variant(dir: &Path, name: &str, weights: &str, extra: &str) -> std::path::PathBuf {
    std::fs::copy("fixtures/tai/tai.csv", dir.join("tai.csv")).unwrap();
    let text = std::fs::read_to_string("fixtures/tai/tai.toml").unwrap();
    let text = text.replace(
        "[weights.pca]\nnodes = [\"tai\"]          # the index's children: its eight indicators\n",
        weights,
    );
    assert!(!text.contains("[weights.pca]") || weights.contains("[weights.pca]"));
    let path = dir.join(name);
    std::fs::write(&path, format!("{text}\n{extra}")).unwrap();
    path
}

/// [`tai_variant`] on min-max normalised data (Benefit of the Doubt needs
/// values >= 0), with `aggregation` at the index when given.
fn tai_minmax(
    dir: &Path,
    name: &str,
    weights: &str,
    extra: &str,
    aggregation: Option<&str>,
) -> std::path::PathBuf {
    let path = tai_variant(dir, name, weights, extra);
    let mut text = std::fs::read_to_string(&path)
        .unwrap()
        .replace("method = \"zscore\"", "method = \"minmax\"");
    if let Some(a) = aggregation {
        let label = "label = \"Technology Achievement Index\"\n";
        text = text.replace(label, &format!("{label}aggregation = \"{a}\"\n"));
    }
    std::fs::write(&path, text).unwrap();
    path
}

/// Each unit's rank distribution (acceptability) from a Monte Carlo's JSON.
fn acceptability(spec: &Path) -> Vec<(String, Vec<(usize, f64)>)> {
    let out = spec.with_extension("json");
    crate::common::monte_carlo_json(spec.to_str().unwrap(), "3000", &out);
    let v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&out).unwrap()).unwrap();
    v["units"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| {
            let a = u["acceptability"].as_object().unwrap();
            (
                u["id"].as_str().unwrap().to_string(),
                a.iter()
                    .map(|(r, p)| (r.parse().unwrap(), p.as_f64().unwrap()))
                    .collect(),
            )
        })
        .collect()
}

/// Ranks of an independent run of `spec`, by unit id.
fn ranks_of(spec: &Path) -> std::collections::HashMap<String, usize> {
    run_spec(spec)
        .unwrap()
        .units
        .iter()
        .map(|u| (u.id.clone(), u.rank.unwrap().0 as usize))
        .collect()
}

/// Each run's ranks are one of `sets`, set i drawn with probability
/// `sets[i].1`: a unit's rank distribution puts that mass on its rank there.
fn assert_mixture_weighted(
    dist: &[(String, Vec<(usize, f64)>)],
    sets: &[(std::collections::HashMap<String, usize>, f64)],
    tolerance: f64,
) {
    assert_eq!(dist.len(), 23);
    for (id, probs) in dist {
        assert!((probs.iter().map(|(_, p)| p).sum::<f64>() - 1.0).abs() < 1e-9);
        for &(rank, p) in probs {
            let share: f64 = sets
                .iter()
                .filter(|(s, _)| s[id] == rank)
                .map(|(_, q)| q)
                .sum();
            assert!(
                share > 0.0,
                "{id}: rank {rank} is none of the weightings' ({probs:?})"
            );
            assert!(
                (p - share).abs() < tolerance,
                "{id}: P(rank {rank}) = {p}, expected {share}"
            );
        }
    }
}

/// Each run's ranks are one of `sets` (drawn with equal probability).
fn assert_mixture(
    dist: &[(String, Vec<(usize, f64)>)],
    sets: &[std::collections::HashMap<String, usize>],
) {
    let q = 1.0 / sets.len() as f64;
    let weighted: Vec<_> = sets.iter().map(|s| (s.clone(), q)).collect();
    assert_mixture_weighted(dist, &weighted, 0.05);
}

#[test]
fn weightings_and_experts_drive_the_monte_carlo() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let sensitivity =
        "[sensitivity]\n[sensitivity.weights]\nmethod = \"none\"\n[[sensitivity.choice]]\n";
    // Nominal PCA weights, the alternative equal weights: every run ranks
    // as one of the two.
    let pca = "[weights.pca]\nnodes = [\"tai\"]\n";
    let choice = tai_variant(
        dir,
        "choice.toml",
        pca,
        &format!("{sensitivity}kind = \"weights\"\noptions = [\"equal\"]\n"),
    );
    let nominal = tai_variant(dir, "nominal.toml", pca, "");
    let equal = tai_variant(dir, "equal.toml", "", "");
    assert_mixture(
        &acceptability(&choice),
        &[ranks_of(&nominal), ranks_of(&equal)],
    );

    // Three experts' allocations: every run takes one expert's, so each
    // unit's ranks are those of the three experts' weights (written as
    // plain indicator weights: shares are points over a total).
    let points = [
        [10, 10, 10, 10, 10, 10, 10, 30],
        [30, 10, 10, 10, 10, 10, 10, 10],
        [5, 5, 30, 5, 5, 30, 10, 10],
    ];
    let ids = [
        "patents",
        "royalties",
        "internet",
        "exports",
        "telephones",
        "electricity",
        "schooling",
        "university",
    ];
    let mut budget = format!("expert,{}\n", ids.join(","));
    for (e, p) in points.iter().enumerate() {
        let row: Vec<String> = p.iter().map(|x| x.to_string()).collect();
        budget += &format!("E{e},{}\n", row.join(","));
    }
    std::fs::write(dir.join("budget.csv"), budget).unwrap();
    let experts = tai_variant(
        dir,
        "experts.toml",
        "[weights]\nexperts = \"budget.csv\"\n",
        &format!("{sensitivity}kind = \"expert\"\n"),
    );
    let each: Vec<_> = points
        .iter()
        .enumerate()
        .map(|(e, p)| {
            let text = std::fs::read_to_string(dir.join("equal.toml")).unwrap();
            let mut text = text;
            for (id, w) in ids.iter().zip(p) {
                text = text.replace(
                    &format!("id = \"{id}\"\n"),
                    &format!("id = \"{id}\"\nweight = {w}\n"),
                );
            }
            let path = dir.join(format!("e{e}.toml"));
            std::fs::write(&path, text).unwrap();
            ranks_of(&path)
        })
        .collect();
    assert_mixture(&acceptability(&experts), &each);

    // Resampled panels: three experts drawn with replacement, their mean
    // shares. The ten possible panels (counts a + b + c = 3) come with
    // multinomial probabilities 3! / (a! b! c!) / 27.
    let resample = tai_variant(
        dir,
        "resample.toml",
        "[weights]\nexperts = \"budget.csv\"\n",
        &format!("{sensitivity}kind = \"expert\"\ndraw = \"resample\"\n"),
    );
    let shares: Vec<Vec<f64>> = points
        .iter()
        .map(|p| {
            let total: i32 = p.iter().sum();
            p.iter().map(|x| *x as f64 / total as f64).collect()
        })
        .collect();
    let fact = |n: usize| (1..=n).product::<usize>() as f64;
    let mut panels = Vec::new();
    for a in 0..=3usize {
        for b in 0..=3 - a {
            let c = 3 - a - b;
            let mean: Vec<f64> = (0..8)
                .map(|j| {
                    (a as f64 * shares[0][j] + b as f64 * shares[1][j] + c as f64 * shares[2][j])
                        / 3.0
                })
                .collect();
            let mut text = std::fs::read_to_string(dir.join("equal.toml")).unwrap();
            for (id, w) in ids.iter().zip(&mean) {
                text = text.replace(
                    &format!("id = \"{id}\"\n"),
                    &format!("id = \"{id}\"\nweight = {w}\n"),
                );
            }
            let path = dir.join(format!("p{a}{b}{c}.toml"));
            std::fs::write(&path, text).unwrap();
            panels.push((ranks_of(&path), 6.0 / (fact(a) * fact(b) * fact(c)) / 27.0));
        }
    }
    assert_mixture_weighted(&acceptability(&resample), &panels, 0.06);

    // Benefit of the Doubt as an aggregation choice (min-max data, as BoD
    // needs values >= 0): each run ranks as the nominal or as BoD.
    let choice = tai_minmax(
        dir,
        "bodchoice.toml",
        "",
        &format!("{sensitivity}kind = \"aggregation\"\noptions = [\"bod\"]\n"),
        None,
    );
    let plain = tai_minmax(dir, "plain.toml", "", "", None);
    let bod = tai_minmax(dir, "bod.toml", "", "", Some("bod"));
    assert_mixture(&acceptability(&choice), &[ranks_of(&plain), ranks_of(&bod)]);

    // Two factors choosing the weight set are refused.
    let both = tai_variant(
        dir,
        "both.toml",
        "[weights]\nexperts = \"budget.csv\"\n",
        &format!(
            "{sensitivity}kind = \"expert\"\n[[sensitivity.choice]]\nkind = \"weights\"\noptions = [\"equal\"]\n"
        ),
    );
    let out = crate::common::kommunrank(&[
        "sensitivity",
        "--spec",
        both.to_str().unwrap(),
        "--runs",
        "10",
    ]);
    assert!(crate::common::stderr(&out).contains("more than one factor chooses the weight set"));
}

#[test]
fn compare_puts_weightings_and_methods_side_by_side() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let spec = tai_minmax(dir, "s.toml", "", "", None);
    let pca = tai_minmax(
        dir,
        "pca.toml",
        "[weights.pca]\nnodes = [\"tai\"]\n",
        "",
        None,
    );
    let bod = tai_minmax(dir, "bod.toml", "", "", Some("bod"));
    let table = dir.join("compare.csv");
    let out = crate::common::kommunrank(&[
        "compare",
        "--spec",
        spec.to_str().unwrap(),
        "--weightings",
        "pca",
        "--aggregations",
        "bod",
        "--out",
        table.to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", crate::common::stderr(&out));
    let mut reader = csv::Reader::from_path(&table).unwrap();
    let header: Vec<String> = reader
        .headers()
        .unwrap()
        .iter()
        .map(str::to_string)
        .collect();
    let rows: Vec<Vec<String>> = reader
        .records()
        .map(|r| r.unwrap().iter().map(str::to_string).collect())
        .collect();
    assert_eq!(
        header.join(","),
        "id,name,nominal_rank,pca_rank,pca_change,bod_rank,bod_change"
    );
    // Each column is the ranking of a spec that says so, run on its own.
    let (nominal, by_pca, by_bod) = (ranks_of(&spec), ranks_of(&pca), ranks_of(&bod));
    let rank = |s: &str| s.parse::<f64>().unwrap() as usize;
    for f in &rows {
        let id = f[0].as_str();
        assert_eq!(rank(&f[2]), nominal[id], "{f:?}");
        assert_eq!(rank(&f[3]), by_pca[id], "{f:?}");
        assert_eq!(rank(&f[5]), by_bod[id], "{f:?}");
    }
    assert_eq!(rows.len(), 23);
    // Nothing to compare is explained.
    let out = crate::common::kommunrank(&["compare", "--spec", spec.to_str().unwrap()]);
    assert!(crate::common::stderr(&out).contains("nothing to compare"));
}

#[test]
fn the_report_shows_the_comparison() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let spec = tai_minmax(dir, "s.toml", "", "", None);
    let html = dir.join("r.html");
    let s = spec.to_str().unwrap();
    let out = crate::common::kommunrank(&[
        "report",
        "--spec",
        s,
        "--weightings",
        "pca",
        "--aggregations",
        "bod",
        "--out",
        html.to_str().unwrap(),
        "--quiet",
    ]);
    assert!(out.status.success(), "{}", crate::common::stderr(&out));
    let page = std::fs::read_to_string(&html).unwrap();
    // The summary's "units moved" agrees with `compare`'s changes.
    let table = dir.join("c.csv");
    let out = crate::common::kommunrank(&[
        "compare",
        "--spec",
        s,
        "--weightings",
        "pca",
        "--aggregations",
        "bod",
        "--out",
        table.to_str().unwrap(),
    ]);
    assert!(out.status.success());
    let mut reader = csv::Reader::from_path(&table).unwrap();
    let rows: Vec<csv::StringRecord> = reader.records().map(|r| r.unwrap()).collect();
    for (name, col) in [("pca", 4), ("bod", 6)] {
        let moved = rows
            .iter()
            .filter(|r| r[col].parse::<f64>().unwrap() != 0.0)
            .count();
        let want = format!("<tr><td>{name}</td><td class=\"n\">{moved}</td>");
        assert!(page.contains(&want), "{want}");
    }
    assert!(page.contains("<h2 id=\"comparison\">"));
    // A Benefit-of-the-Doubt index's page, with the comparison, runs its
    // scripts without an error (it has no re-weighting data to read).
    let bod = tai_minmax(dir, "bod.toml", "", "", Some("bod"));
    let bod_html = dir.join("bod.html");
    let out = crate::common::kommunrank(&[
        "report",
        "--spec",
        bod.to_str().unwrap(),
        "--aggregations",
        "arithmetic",
        "--out",
        bod_html.to_str().unwrap(),
        "--quiet",
    ]);
    assert!(out.status.success(), "{}", crate::common::stderr(&out));
    if let Some(browser) = crate::common::chromium() {
        let url = format!("file://{}", bod_html.display());
        let (dom, log) = crate::common::dump_dom_and_log(&browser, dir, &url);
        assert!(
            dom.contains("data-ready=\"yes\""),
            "the page's script did not finish"
        );
        assert!(
            !log.contains("Uncaught") && !log.contains(":CONSOLE("),
            "{log}"
        );
        assert!(dom.contains("Benefit of the Doubt"));
    }
    // Not for a workbook: said so.
    let out = crate::common::kommunrank(&[
        "report",
        "--spec",
        s,
        "--weightings",
        "pca",
        "--out",
        dir.join("r.xlsx").to_str().unwrap(),
    ]);
    assert!(crate::common::stderr(&out).contains("kommunrank compare"));
}
