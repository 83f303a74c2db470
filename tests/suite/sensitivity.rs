//! Sensitivity analysis: brute-force checks of the Monte Carlo histograms,
//! zero perturbation, determinism across threads and shards, refusals.

use crate::common::*;
use kommunrank::pipeline::{self, DataOverrides};
use kommunrank::sensitivity::{self, evaluate, model, partial, sample, statistic, summary};
use kommunrank::spec;
use serde_json::Value;

fn write(dir: &std::path::Path, name: &str, text: &str) {
    std::fs::write(dir.join(name), text).unwrap();
}

const DATA: &str = "id,a,b,c\nu1,0,10,5\nu2,5,0,10\nu3,10,5,0\nu4,4,6,4\nu5,6,4,6\n";

fn small(extra: &str) -> (tempfile::TempDir, spec::Index) {
    let tmp = tempfile::tempdir().unwrap();
    write(tmp.path(), "d.csv", DATA);
    let text = format!(
        "[index]\nid = \"idx\"\n[data]\nfiles = [\"d.csv\"]\n[units]\nid = \"id\"\n\
         [[indicator]]\nid = \"a\"\nweight = 1\n[[indicator]]\nid = \"b\"\nweight = 2\n[[indicator]]\nid = \"c\"\nweight = 3\n{extra}"
    );
    write(tmp.path(), "s.toml", &text);
    let index = spec::resolve(&spec::load_spec(&tmp.path().join("s.toml")).unwrap()).unwrap();
    (tmp, index)
}

fn evaluator(
    index: &spec::Index,
    o: model::Overrides,
) -> kommunrank::Result<sensitivity::evaluate::Evaluator> {
    let nominal = pipeline::run_index(index, &DataOverrides::default())?;
    let m = model::resolve_model(&nominal, &o)?;
    sensitivity::prepare(&nominal, m)
}

/// The histogram equals a brute-force count: every run is replayed, scored
/// by hand (weighted mean of hand-normalised values) and ranked by counting.
#[test]
fn mc_histogram_equals_brute_force_count() {
    let (_tmp, index) = small("");
    let runs = 2500;
    let eval = evaluator(
        &index,
        model::Overrides {
            runs: Some(runs),
            seed: Some(42),
            spread: Some(0.5),
            ..Default::default()
        },
    )
    .unwrap();
    let partial = sensitivity::run_mc(&eval, None, &|_| {});
    // Hand minmax 0-100 of a, b, c: (x - 0) / 10 * 100.
    let raw = [
        [0.0, 10.0, 5.0],
        [5.0, 0.0, 10.0],
        [10.0, 5.0, 0.0],
        [4.0, 6.0, 4.0],
        [6.0, 4.0, 6.0],
    ];
    let z: Vec<[f64; 3]> = raw
        .iter()
        .map(|r| [r[0] * 10.0, r[1] * 10.0, r[2] * 10.0])
        .collect();
    let ids = ["u1", "u2", "u3", "u4", "u5"];
    let n = ids.len();
    let mut hist = vec![0u32; n * n];
    for k in 0..runs {
        let (draw, _) = sensitivity::replay(&eval, k).unwrap();
        let w = &draw.weights; // the root's three children
        let score: Vec<f64> = z
            .iter()
            .map(|v| (w[0] * v[0] + w[1] * v[1] + w[2] * v[2]) / (w[0] + w[1] + w[2]))
            .collect();
        for (u, id) in ids.iter().enumerate() {
            let better = score
                .iter()
                .filter(|&&s| s > score[u] && (s - score[u]).abs() > 1e-12 * s.abs())
                .count();
            let pos = eval.ids.iter().position(|x| x == id).unwrap();
            hist[pos * n + better] += 1;
        }
    }
    assert_eq!(partial.hist, hist);
    let res = summary::finish(&partial);
    assert_eq!(res.successful_runs, runs);
    // P(rank <= 1) summed over units is at least 1 (ties can share rank 1).
    let p1: f64 = res.units.iter().map(|u| u.p_top[&1]).sum();
    assert!(p1 >= 1.0 - 1e-12);
}

#[test]
fn zero_perturbation_gives_the_nominal_rank_in_every_run() {
    let (_tmp, index) = small("");
    let eval = evaluator(
        &index,
        model::Overrides {
            runs: Some(3000),
            spread: Some(0.0),
            ..Default::default()
        },
    )
    .unwrap();
    let res = summary::finish(&sensitivity::run_mc(&eval, None, &|_| {}));
    for u in &res.units {
        assert_eq!(
            (u.q05, u.median_rank, u.q95),
            (u.nominal_rank, u.nominal_rank, u.nominal_rank),
            "{}",
            u.id
        );
        assert_eq!(u.acceptability.len(), 1);
        assert_eq!(u.score_sd, 0.0);
    }
    assert_eq!(res.statistics.of(&statistic::SHIFT).q95, 0.0);
    assert_eq!(res.statistics.of(&statistic::SPEARMAN).q05, 1.0);
    assert!(res.top_k_unchanged.values().all(|&s| s == 1.0));
    // The same with every draw method fixed: weights = none.
    let eval = evaluator(
        &index,
        model::Overrides {
            runs: Some(100),
            weights: Some(spec::WeightMethod::None),
            ..Default::default()
        },
    )
    .unwrap();
    let res = summary::finish(&sensitivity::run_mc(&eval, None, &|_| {}));
    assert!(
        res.units
            .iter()
            .all(|u| u.q05 == u.nominal_rank && u.q95 == u.nominal_rank)
    );
    // The table says so rather than listing no factor.
    let out = kommunrank(&["sensitivity", "--weights", "none", "--runs", "100"]);
    assert!(
        stdout(&out).contains("no uncertain factor (no weights perturbed, no choices)"),
        "{}",
        stdout(&out)
    );
}

#[test]
fn impossible_combinations_are_refused_before_running() {
    // Geometric over minmax from 0 as an alternative for the index.
    let (_tmp, index) = small(
        "[[sensitivity.choice]]\nkind = \"aggregation\"\noptions = [\"arithmetic\", \"geometric\"]\n",
    );
    let e = evaluator(&index, model::Overrides::default())
        .unwrap_err()
        .to_string();
    assert!(e.contains("aggregation = geometric"), "{e}");
    assert!(e.contains("cannot run"), "{e}");
    // With leave-out factors every failing combination is listed once:
    // a (0 at u1) and b (0 at u2) in or out, c always in (0 at u3).
    let (_tmp, index) = small(
        "[[sensitivity.choice]]\nkind = \"aggregation\"\noptions = [\"geometric\"]\n\
         [[sensitivity.choice]]\nkind = \"include\"\nindicator = \"a\"\n\
         [[sensitivity.choice]]\nkind = \"include\"\nindicator = \"b\"\n",
    );
    let e = evaluator(&index, model::Overrides::default()).unwrap_err();
    let lines: Vec<String> = e.problems().iter().map(|p| p.to_string()).collect();
    let unique: std::collections::BTreeSet<&String> = lines.iter().collect();
    assert_eq!(unique.len(), lines.len(), "{lines:#?}");
    assert_eq!(lines.len(), 4, "{lines:#?}");
    // A zscore alternative with a constant indicator under it.
    let (tmp, _) = small(
        "[[sensitivity.choice]]\nkind = \"normalisation\"\nindicators = [\"a\"]\noptions = [{ method = \"zscore\" }]\n",
    );
    write(
        tmp.path(),
        "d.csv",
        "id,a,b,c\nu1,1,10,5\nu2,1,0,10\nu3,1,5,0\n",
    );
    let index = spec::resolve(&spec::load_spec(&tmp.path().join("s.toml")).unwrap()).unwrap();
    let e = match evaluator(&index, model::Overrides::default()) {
        Err(e) => e.to_string(),
        Ok(_) => panic!("constant indicator accepted"),
    };
    // Nominal minmax already refuses the constant indicator; either way it names it.
    assert!(e.contains("indicator 'a'"), "{e}");
    // Sobol with Dirichlet weights is refused, not ignored.
    let (_tmp, index) = small("");
    let e = evaluator(
        &index,
        model::Overrides {
            method: Some(spec::SensitivityMethod::Sobol),
            weights: Some(spec::WeightMethod::Dirichlet),
            ..Default::default()
        },
    )
    .unwrap_err()
    .to_string();
    assert!(e.contains("dirichlet"), "{e}");
}

#[test]
fn discrete_choices_and_leave_one_out() {
    let (_tmp, index) = small(
        "[[sensitivity.choice]]\nkind = \"normalisation\"\noptions = [{ method = \"rank\" }]\n\
         [[sensitivity.choice]]\nkind = \"include\"\nindicator = \"c\"\n",
    );
    let eval = evaluator(
        &index,
        model::Overrides {
            runs: Some(2000),
            spread: Some(0.0),
            ..Default::default()
        },
    )
    .unwrap();
    let res = summary::finish(&sensitivity::run_mc(&eval, None, &|_| {}));
    assert_eq!(res.failed_runs, 0);
    assert!(
        res.statistics.of(&statistic::SHIFT).mean > 0.0,
        "choices move ranks"
    );
    let loo = sensitivity::run_loo(&eval);
    assert_eq!(loo.len(), 3);
    // Leaving out c (weight 3 of 6) by hand: scores from a (1) and b (2).
    let c = loo.iter().find(|l| l.id == "c").unwrap();
    let ranks = c.ranks.as_ref().unwrap();
    let by_hand = |a: f64, b: f64| (a * 10.0 + 2.0 * b * 10.0) / 3.0;
    let s: Vec<f64> = [(0.0, 10.0), (5.0, 0.0), (10.0, 5.0), (4.0, 6.0), (6.0, 4.0)]
        .iter()
        .map(|(a, b)| by_hand(*a, *b))
        .collect();
    for (pos, id) in eval.ids.iter().enumerate() {
        let u: usize = id[1..].parse::<usize>().unwrap() - 1;
        let expect = 1 + s.iter().filter(|&&x| x > s[u] + 1e-9).count();
        assert_eq!(ranks[pos], expect as f64, "{id}");
    }
}

fn sensitivity_json(args: &[&str]) -> Vec<u8> {
    let out = kommunrank(args);
    assert!(out.status.success(), "{}", stderr(&out));
    out.stdout
}

#[test]
fn threads_do_not_change_a_byte() {
    let base = [
        "sensitivity",
        "--runs",
        "6000",
        "--format",
        "json",
        "--quiet",
    ];
    let one = sensitivity_json(&[&base[..], &["--threads", "1"]].concat());
    let two = sensitivity_json(&[&base[..], &["--threads", "2"]].concat());
    let three = sensitivity_json(&[&base[..], &["--threads", "3"]].concat());
    let seven = sensitivity_json(&[&base[..], &["--threads", "7"]].concat());
    assert!(one == two && two == three && three == seven);
    let json: Value = serde_json::from_slice(&one).unwrap();
    assert_eq!(json["runs"], 6000);
    assert_eq!(json["seed"], 2014, "the spec's [sensitivity] seed");
    assert!(json["spec_hash"].as_str().unwrap().starts_with("fnv1a64:"));
    let u = &json["units"][0];
    for key in [
        "id",
        "nominal_rank",
        "median_rank",
        "q05",
        "q95",
        "p_top",
        "acceptability",
        "score_mean",
        "score_sd",
    ] {
        assert!(!u[key].is_null(), "{key}");
    }
    assert!(json["model"]["factors"].as_array().unwrap().len() >= 2);
    // W1, on the keyed path: which runs each thread proves, and which it
    // sorts, depends on the windows it has learned; not one figure does
    // (score moments included).
    let w1 = root().join("benches/w1.toml");
    let w1_runs = |threads: &str| {
        let spec = w1.to_str().unwrap();
        sensitivity_json(&[
            "sensitivity",
            "--spec",
            spec,
            "--runs",
            "20000",
            "--format",
            "json",
            "--quiet",
            "--threads",
            threads,
        ])
    };
    let one = w1_runs("1");
    assert!(
        one == w1_runs("2") && one == w1_runs("3"),
        "W1 by thread count"
    );
    // With discrete choices, runs are grouped by block plan and data
    // variant within each chunk: still the same bytes whatever the threads.
    let tmp = tempfile::tempdir().unwrap();
    let fixture = root().join("fixtures/eservice2014");
    std::fs::copy(
        fixture.join("eservice2014.csv"),
        tmp.path().join("eservice2014.csv"),
    )
    .unwrap();
    let spec = std::fs::read_to_string(fixture.join("spec.toml")).unwrap()
        + "\n[[sensitivity.choice]]\nkind = \"include\"\nindicator = \"apps\"\n\
           [[sensitivity.choice]]\nkind = \"include\"\nindicator = \"open_data\"\n\
           [[sensitivity.choice]]\nkind = \"aggregation\"\nnodes = [\"services\"]\n\
           options = [\"arithmetic\"]\n";
    write(tmp.path(), "choices.toml", &spec);
    let spec_path = tmp.path().join("choices.toml");
    let with_choices = |threads: &str| {
        sensitivity_json(
            &[
                &base[..],
                &["--spec", spec_path.to_str().unwrap(), "--threads", threads],
            ]
            .concat(),
        )
    };
    let one = with_choices("1");
    assert!(one == with_choices("2") && one == with_choices("3"));
    let json: Value = serde_json::from_slice(&one).unwrap();
    assert_eq!(json["model"]["factors"].as_array().unwrap().len(), 7);
    // And two shards merged give the same bytes.
    let parts: Vec<std::path::PathBuf> = (0..2)
        .map(|i| {
            let part = tmp.path().join(format!("part{i}.json"));
            let shard = format!("{i}/2");
            let out = kommunrank(&[
                "sensitivity",
                "--spec",
                spec_path.to_str().unwrap(),
                "--runs",
                "6000",
                "--shard",
                &shard,
                "--out",
                part.to_str().unwrap(),
                "--quiet",
            ]);
            assert!(out.status.success(), "{}", stderr(&out));
            part
        })
        .collect();
    let merged = sensitivity_json(&[
        "merge",
        parts[0].to_str().unwrap(),
        parts[1].to_str().unwrap(),
        "--format",
        "json",
    ]);
    assert!(
        merged == one,
        "merged shards with choices differ from the single run"
    );
}

#[test]
fn merged_shards_are_byte_identical_to_the_single_run() {
    let tmp = tempfile::tempdir().unwrap();
    let p0 = tmp.path().join("p0.json");
    let p1 = tmp.path().join("p1.json");
    let p2 = tmp.path().join("p2.json");
    let single = sensitivity_json(&[
        "sensitivity",
        "--runs",
        "5000",
        "--seed",
        "7",
        "--format",
        "json",
        "--quiet",
    ]);
    for (i, p) in [&p0, &p1].iter().enumerate() {
        let shard = format!("{i}/2");
        let out = kommunrank(&[
            "sensitivity",
            "--runs",
            "5000",
            "--seed",
            "7",
            "--shard",
            &shard,
            "--out",
            p.to_str().unwrap(),
            "--quiet",
        ]);
        assert!(out.status.success(), "{}", stderr(&out));
    }
    let merged = sensitivity_json(&[
        "merge",
        p1.to_str().unwrap(),
        p0.to_str().unwrap(),
        "--format",
        "json",
    ]);
    assert!(merged == single, "merged shards differ from the single run");
    // Three shards, merged, too.
    for i in 0..3 {
        let shard = format!("{i}/3");
        let out = kommunrank(&[
            "sensitivity",
            "--runs",
            "5000",
            "--seed",
            "7",
            "--shard",
            &shard,
            "--out",
            p2.with_extension(format!("{i}.json")).to_str().unwrap(),
            "--quiet",
        ]);
        assert!(out.status.success());
    }
    let names: Vec<String> = (0..3)
        .map(|i| {
            p2.with_extension(format!("{i}.json"))
                .to_str()
                .unwrap()
                .to_string()
        })
        .collect();
    let merged3 = sensitivity_json(&["merge", &names[0], &names[1], &names[2], "--format", "json"]);
    assert!(merged3 == single);
    // A missing shard or a shard of another analysis is refused.
    let out = kommunrank(&["merge", p0.to_str().unwrap(), "--format", "json"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("shard is missing"),
        "{}",
        stderr(&out)
    );
    // A gap between shards, and a shard given twice, are named as such.
    let out = kommunrank(&["merge", &names[0], &names[2]]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("are in no part: a shard is missing"),
        "{}",
        stderr(&out)
    );
    let out = kommunrank(&["merge", &names[0], &names[1], &names[0], &names[2]]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("are in two parts"),
        "{}",
        stderr(&out)
    );
    let out = kommunrank(&[
        "sensitivity",
        "--runs",
        "5000",
        "--seed",
        "8",
        "--shard",
        "1/2",
        "--out",
        p1.to_str().unwrap(),
        "--quiet",
    ]);
    assert!(out.status.success());
    let out = kommunrank(&["merge", p0.to_str().unwrap(), p1.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("different analyses"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn replay_reproduces_a_run() {
    let out = kommunrank(&[
        "sensitivity",
        "--runs",
        "3000",
        "--replay",
        "2049",
        "--format",
        "json",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let a: Value = serde_json::from_slice(&out.stdout).unwrap();
    let b: Value = serde_json::from_slice(
        &kommunrank(&[
            "sensitivity",
            "--runs",
            "3000",
            "--replay",
            "2049",
            "--format",
            "json",
        ])
        .stdout,
    )
    .unwrap();
    assert_eq!(a, b);
    assert_eq!(a["run"], 2049);
    assert!(a["draw"]["weights"]["services"].is_object());
    let out = kommunrank(&["sensitivity", "--runs", "10", "--replay", "10"]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn sobol_and_loo_and_compare_from_the_cli() {
    let out = kommunrank(&[
        "sensitivity",
        "--method",
        "sobol",
        "--base-samples",
        "256",
        "--bootstrap",
        "100",
        "--format",
        "json",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stderr(&out).contains("evaluations"), "prints N(d+2) first");
    let j: Value = serde_json::from_slice(&out.stdout).unwrap();
    let factors = j["model"]["factors"].as_array().unwrap().len() as u64;
    assert_eq!(j["evaluations"].as_u64().unwrap(), 256 * (factors + 2));
    let first = j["mean_abs_rank_shift"]
        .as_object()
        .unwrap()
        .values()
        .next()
        .unwrap();
    assert!(first["first_ci"].as_array().unwrap().len() == 2 && !first["total"].is_null());
    let out = kommunrank(&["sensitivity", "--method", "loo"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).contains("e_services"));
    let tmp = tempfile::tempdir().unwrap();
    write(
        tmp.path(),
        "w.csv",
        "scenario,services,communication,organisation\nservices_heavy,3,1,1\nequal,1,1,1\n",
    );
    let out = kommunrank(&[
        "compare",
        "--scenarios",
        tmp.path().join("w.csv").to_str().unwrap(),
        "--format",
        "json",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let j: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        j["scenarios"],
        serde_json::json!(["services_heavy", "equal"])
    );
    // With equal node weights the points sum is unchanged: every change is 0.
    assert!(
        j["units"]
            .as_array()
            .unwrap()
            .iter()
            .all(|u| u["scenarios"]["equal"]["change"] == 0.0)
    );
    write(tmp.path(), "bad.csv", "scenario,servics\nx,1\n");
    let out = kommunrank(&[
        "compare",
        "--scenarios",
        tmp.path().join("bad.csv").to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("did you mean 'services'"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn binned_rank_histograms_for_many_units() {
    let (_tmp, index) = small("");
    let exact = evaluator(
        &index,
        model::Overrides {
            runs: Some(3000),
            seed: Some(5),
            spread: Some(0.5),
            ..Default::default()
        },
    )
    .unwrap();
    let binned = evaluator(
        &index,
        model::Overrides {
            runs: Some(3000),
            seed: Some(5),
            spread: Some(0.5),
            rank_bins: Some(2),
            ..Default::default()
        },
    )
    .unwrap();
    let pe = sensitivity::run_mc(&exact, None, &|_| {});
    let pb = sensitivity::run_mc(&binned, None, &|_| {});
    assert_eq!(pb.header.bin_width, 3, "5 ranks in 2 bins: 1-3 and 4-5");
    // Each bin holds exactly the counts of its ranks.
    for u in 0..5 {
        let e = &pe.hist[u * 5..u * 5 + 5];
        let b = &pb.hist[u * 2..u * 2 + 2];
        assert_eq!(b, &[e[0] + e[1] + e[2], e[3] + e[4]]);
    }
    let res = summary::finish(&pb);
    for u in &res.units {
        assert!(
            [2.0, 4.5].contains(&u.median_rank),
            "bin midpoints: {}",
            u.median_rank
        );
        assert_eq!(
            u.p_top[&1], 0.0,
            "a lower bound: bin 1-3 may hold worse ranks than 1"
        );
    }
    // Exact by default below 5,000 units; about 1,000 bins above.
    assert_eq!(sensitivity::bin_width(290, None), 1);
    assert_eq!(sensitivity::bin_width(100_000, None), 100);
}

/// Monte Carlo partial result of a spec file with an engine.
fn mc_with(
    spec_file: &std::path::Path,
    o: model::Overrides,
    engine: evaluate::Engine,
) -> partial::McPartial {
    let index = spec::resolve(&spec::load_spec(spec_file).unwrap()).unwrap();
    let nominal = pipeline::run_index(&index, &DataOverrides::default()).unwrap();
    let m = model::resolve_model(&nominal, &o).unwrap();
    let eval = sensitivity::prepare(&nominal, m)
        .unwrap()
        .with_engine(engine);
    sensitivity::run_mc(&eval, None, &|_| {})
}

/// The fast engine (keyed blocks, counting and sorting rankers, the
/// statistics' fast forms) gives the same histograms, shifts and top-k
/// counts as the reference engine (node by node, the ranker, the
/// statistics' reference definitions), and the same correlations and
/// score moments to rounding: on W1 (also with geometric, harmonic and
/// power nodes, and with choices), on DESI 2022 (real data), on the
/// built-in example (points with many ties, where sorted runs fall back to
/// the ranker) and on a geometric index whose runs sometimes leave a node
/// out.
#[test]
fn fast_path_agrees_with_the_general_path() {
    use evaluate::Engine;
    // No nominal tie, but the scenario "equal" ties u1 and u2 exactly: in
    // those runs sorted ranking must give way to the ranker.
    let tmp = tempfile::tempdir().unwrap();
    write(
        tmp.path(),
        "d.csv",
        "id,a,b\nu1,100,0\nu2,0,100\nu3,50,20\nu4,30,40\n",
    );
    write(
        tmp.path(),
        "w.csv",
        "scenario,a,b\nequal,1,1\nreverse,2,1\n",
    );
    write(
        tmp.path(),
        "s.toml",
        "[index]\nid = \"idx\"\n[data]\nfiles = [\"d.csv\"]\n[units]\nid = \"id\"\n\
         [sensitivity]\nscenarios = \"w.csv\"\n[sensitivity.weights]\nmethod = \"none\"\n\
         [[indicator]]\nid = \"a\"\nweight = 1\n[[indicator]]\nid = \"b\"\nweight = 2\n",
    );
    // W1 with geometric, harmonic and power nodes (values 1-100 so every
    // mean is defined): segments of matrix products on the block path.
    let w1 = std::fs::read_to_string(root().join("benches/w1.toml")).unwrap();
    let mut mixed = w1.replace(
        "files = [\"w1_data.csv\"]",
        &format!("files = [{:?}]", root().join("benches/w1_data.csv")),
    );
    for (node, method) in [
        ("p0", "aggregation = \"geometric\""),
        ("p1", "aggregation = \"harmonic\""),
        ("p3", "aggregation = \"generalised\"\np = 2"),
        ("d1", "aggregation = \"geometric\""),
    ] {
        let at = format!("id = \"{node}\"\n");
        assert!(mixed.contains(&at), "W1 has node {node}");
        mixed = mixed.replacen(&at, &format!("{at}{method}\n"), 1);
    }
    mixed.push_str("\n[normalise]\nmethod = \"minmax\"\nlow = 1\nhigh = 100\n");
    write(tmp.path(), "mixed.toml", &mixed);
    // A geometric node over an arithmetic pillar that turns negative for
    // u1 in many runs: node by node, the geometric node is then NaN and
    // the index leaves it out (u1 still ranked, on d alone); the block
    // path must hand those runs to the node-by-node path, not fail them.
    write(
        tmp.path(),
        "g.csv",
        "id,a,b,c,d\nu1,3,-2.9,2,1\nu2,1,1,1,2\nu3,2,0.5,3,0.5\nu4,0.5,2,0.8,3\nu5,1.5,1.2,1.1,2.5\n",
    );
    write(
        tmp.path(),
        "g.toml",
        "[index]\nid = \"idx\"\n[data]\nfiles = [\"g.csv\"]\n\
         [units]\nid = \"id\"\n[normalise]\nmethod = \"none\"\n\
         [[node]]\nid = \"geo\"\naggregation = \"geometric\"\n\
         [[node]]\nid = \"pillar\"\nparent = \"geo\"\n\
         [[indicator]]\nid = \"a\"\nparent = \"pillar\"\n[[indicator]]\nid = \"b\"\nparent = \"pillar\"\n\
         [[indicator]]\nid = \"c\"\nparent = \"geo\"\n[[indicator]]\nid = \"d\"\n",
    );
    // W1 with a normalisation choice: runs of a block grouped by variant.
    let variants = mixed.clone()
        + "\n[[sensitivity.choice]]\nkind = \"normalisation\"\n\
           indicators = [\"x00\", \"x07\"]\n\
           options = [{ method = \"rank\" }, { method = \"minmax\", low = 10, high = 20 }]\n";
    write(tmp.path(), "variants.toml", &variants);
    // Aggregation and leave-out choices: one block plan per aggregation
    // combination, leave-outs as data variants (missing for every unit);
    // the Mazziotta-Pareto option and (with nine leave-out factors, too
    // many variants) runs leaving an indicator out go node by node within
    // the same blocks.
    let choices = |includes: &[&str]| {
        let mut text = mixed.clone()
            + "\n[[sensitivity.choice]]\nkind = \"aggregation\"\nnodes = [\"p0\", \"p4\"]\n\
               options = [\"geometric\", \"harmonic\", \"mazziotta_pareto\"]\n\
               [[sensitivity.choice]]\nkind = \"aggregation\"\nnodes = [\"d1\"]\n\
               options = [\"arithmetic\"]\n";
        for x in includes {
            text += &format!("\n[[sensitivity.choice]]\nkind = \"include\"\nindicator = \"{x}\"\n");
        }
        text
    };
    write(tmp.path(), "choices.toml", &choices(&["x00", "x13", "x29"]));
    write(tmp.path(), "agg_only.toml", &choices(&[]));
    let many: Vec<String> = (0..9).map(|i| format!("x{:02}", i * 3)).collect();
    let many: Vec<&str> = many.iter().map(String::as_str).collect();
    write(tmp.path(), "flagged.toml", &choices(&many));
    // Which draws take the keyed block path: W1 (every node arithmetic,
    // complete data) at its own methods, not under an aggregation option
    // nor leaving an indicator out.
    let keyed_choices = w1.replace(
        "files = [\"w1_data.csv\"]",
        &format!("files = [{:?}]", root().join("benches/w1_data.csv")),
    ) + "\n[[sensitivity.choice]]\nkind = \"aggregation\"\nnodes = [\"p0\"]\n\
         options = [{ method = \"generalised\", p = 2 }, \"sum\"]\n\
         [[sensitivity.choice]]\nkind = \"include\"\nindicator = \"x00\"\n";
    write(tmp.path(), "keyed_choices.toml", &keyed_choices);
    let index =
        spec::resolve(&spec::load_spec(&tmp.path().join("keyed_choices.toml")).unwrap()).unwrap();
    let eval = evaluator(&index, model::Overrides::default()).unwrap();
    assert!(eval.is_keyed());
    let with = |levels: &[(usize, usize)]| {
        let mut d = sample::Draw::nominal(&eval.model);
        for &(f, l) in levels {
            d.levels[f] = l;
        }
        eval.takes_keyed_path(&d)
    };
    let (agg, include) = (eval.model.factors.len() - 2, eval.model.factors.len() - 1);
    assert!(with(&[]), "nominal");
    assert!(!with(&[(agg, 1)]), "generalised");
    // Another linear form (p0 summed): its runs do not start from the
    // nominal scores, so they go node by node.
    assert!(!with(&[(agg, 2)]), "sum");
    assert!(!with(&[(include, 1)]), "left out");
    assert!(
        !eval
            .clone()
            .with_engine(Engine::Reference)
            .takes_keyed_path(&sample::Draw::nominal(&eval.model))
    );
    let mut specs = vec![
        (tmp.path().join("variants.toml"), 0.25),
        (root().join("benches/w1.toml"), 0.25),
        (root().join("fixtures/eservice2014/spec.toml"), 0.5),
        (tmp.path().join("s.toml"), 0.0),
        (tmp.path().join("mixed.toml"), 0.25),
        (tmp.path().join("g.toml"), 0.25),
        (tmp.path().join("agg_only.toml"), 0.25),
        (tmp.path().join("choices.toml"), 0.25),
        (tmp.path().join("flagged.toml"), 0.25),
        (tmp.path().join("keyed_choices.toml"), 0.25),
    ];
    if shared("desi2022").is_some() {
        specs.push((root().join("examples/desi2022.toml"), 0.25));
    }
    // Real gaps (Kolada, missing values left out and weights re-normalised
    // over the indicators present, scores rounded before ranking): unit
    // groups by missing pattern on the block path.
    if shared("kolada").is_some() {
        specs.push((root().join("examples/kolada_digital2022.toml"), 0.25));
    }
    // W1 with gaps in two indicators of one pillar, one unit missing both,
    // left out (re-weighting) under arithmetic and geometric nodes, no
    // rounding: unit groups by pattern, ranked by counting.
    let rows: Vec<String> = std::fs::read_to_string(root().join("benches/w1_data.csv"))
        .unwrap()
        .lines()
        .map(str::to_string)
        .collect();
    let header: Vec<&str> = rows[0].split(',').collect();
    let blank = |name: &str| header.iter().position(|h| *h == name).unwrap();
    let (c0, c1) = (blank("x00"), blank("x06"));
    let mut gappy = vec![rows[0].clone()];
    for (i, row) in rows[1..].iter().enumerate() {
        let mut cells: Vec<String> = row.split(',').map(str::to_string).collect();
        if i % 7 == 3 || i == 10 {
            cells[c0].clear();
        }
        if i % 11 == 5 || i == 10 {
            cells[c1].clear();
        }
        gappy.push(cells.join(","));
    }
    write(tmp.path(), "gappy.csv", &(gappy.join("\n") + "\n"));
    let gaps = mixed.replace(
        &format!("files = [{:?}]", root().join("benches/w1_data.csv")),
        "files = [\"gappy.csv\"]",
    ) + "\n[missing]\nmethod = \"exclude\"\n";
    assert!(gaps.contains("gappy.csv"));
    write(tmp.path(), "gaps.toml", &gaps);
    specs.push((tmp.path().join("gaps.toml"), 0.25));
    // Gaps and a leave-out of an indicator with gaps, under aggregation
    // choices: Mazziotta-Pareto for a pillar with gaps (its weights
    // re-normalised per unit group) and for the index (over arithmetic
    // dimensions, which its variance pass must not walk through).
    write(
        tmp.path(),
        "gap_choices.toml",
        &(gaps.clone()
            + "\n[[sensitivity.choice]]\nkind = \"include\"\nindicator = \"x06\"\n\
               [[sensitivity.choice]]\nkind = \"aggregation\"\nnodes = [\"p1\"]\n\
               options = [\"arithmetic\", \"mazziotta_pareto\"]\n\
               [[sensitivity.choice]]\nkind = \"aggregation\"\nnodes = [\"w1\"]\n\
               options = [\"mazziotta_pareto\"]\n"),
    );
    specs.push((tmp.path().join("gap_choices.toml"), 0.25));
    // Scores rounded before ranking (ties in the nominal ranking and in
    // most runs): counted on the unrounded scores, ties grouped by the
    // ranker (ordinal ranks order them by id, and Kendall's tau is then
    // counted by merging).
    for method in ["competition", "fractional", "ordinal"] {
        let name = format!("rounded_{method}.toml");
        let text = gaps.clone() + &format!("\n[ranking]\nmethod = \"{method}\"\nround = 0\n");
        write(tmp.path(), &name, &text);
        specs.push((tmp.path().join(name), 0.25));
    }
    // W1 again with binned histograms and a top-k set of every unit: the
    // keyed blocks' histograms and top-k sets are recorded block by block.
    let binned = (
        root().join("benches/w1.toml"),
        0.25,
        Some((29, vec![1, 10, 145, 290])),
    );
    let cases = specs.into_iter().map(|(f, s)| (f, s, None)).chain([binned]);
    for (spec_file, spread, bins) in cases {
        let o = || model::Overrides {
            runs: Some(3000),
            seed: Some(9),
            spread: Some(spread),
            rank_bins: bins.as_ref().map(|b| b.0),
            top_k: bins.as_ref().map(|b| b.1.clone()),
            ..Default::default()
        };
        let off = mc_with(&spec_file, o(), Engine::Reference);
        let fast = mc_with(&spec_file, o(), Engine::Fast);
        let what = spec_file.display().to_string();
        if let Some(at) = (0..off.hist.len()).find(|&i| fast.hist.get(i) != off.hist.get(i)) {
            let bins = off.hist.len() / off.header.units.len();
            panic!(
                "{what}: histograms differ first at unit {} bin {}: {:?} vs {}",
                at / bins,
                at % bins,
                fast.hist.get(at),
                off.hist[at]
            );
        }
        assert_eq!(fast.top_k_same, off.top_k_same, "{what}: top-k");
        assert_eq!(fast.failures, off.failures, "{what}: failures");
        same_runs(&fast, &off, 1.0, &what);
    }
}

/// Two accumulations of the same runs agree: the run statistics' key
/// histograms exactly, the score moments to rounding (`scale`: of the
/// scores).
fn same_runs(a: &partial::McPartial, b: &partial::McPartial, scale: f64, what: &str) {
    assert_eq!(
        a.successful_runs, b.successful_runs,
        "{what}: successful runs"
    );
    for (name, h) in &a.statistics {
        assert!(h == &b.statistics[name], "{what}: {name} histograms differ");
    }
    let (ra, rb) = (summary::finish(a), summary::finish(b));
    for (x, y) in ra.units.iter().zip(&rb.units) {
        let (m, n) = (x.score_mean, y.score_mean);
        assert!(
            (m - n).abs() <= 1e-9 * m.abs().max(1.0) * scale.max(1.0),
            "{what}: mean {m} vs {n}"
        );
        let (s, t) = (x.score_sd, y.score_sd);
        assert!(
            (s - t).abs() <= 1e-6 * s.abs() + 1e-9 * scale.max(1.0) || (s.is_nan() && t.is_nan()),
            "{what}: sd {s} vs {t}"
        );
    }
}

/// Runs aggregated node by node give the hand-computed geometric and
/// harmonic scores: u1 = (sqrt(4 * 16) + 2 / (1/2 + 1/6) + 2 * 1) / 4 = 3.25 and
/// u2 = (sqrt(1 * 9) + 2 / (1/3 + 1/6) + 2 * 5) / 4 = 4.25; and so do
/// Mazziotta-Pareto nodes (over indicators and over child nodes, and a
/// unit with mean 0).
#[test]
fn runs_score_means_by_hand() {
    let tmp = tempfile::tempdir().unwrap();
    write(
        tmp.path(),
        "d.csv",
        "id,a,b,c,d,e\nu1,4,16,2,6,1\nu2,1,9,3,6,5\n",
    );
    write(
        tmp.path(),
        "s.toml",
        "[index]\nid = \"idx\"\n[data]\nfiles = [\"d.csv\"]\n[units]\nid = \"id\"\n\
         [normalise]\nmethod = \"none\"\n\
         [[node]]\nid = \"geo\"\naggregation = \"geometric\"\n\
         [[node]]\nid = \"har\"\naggregation = \"harmonic\"\n\
         [[indicator]]\nid = \"a\"\nparent = \"geo\"\n[[indicator]]\nid = \"b\"\nparent = \"geo\"\n\
         [[indicator]]\nid = \"c\"\nparent = \"har\"\n[[indicator]]\nid = \"d\"\nparent = \"har\"\n\
         [[indicator]]\nid = \"e\"\nweight = 2\n",
    );
    let index = spec::resolve(&spec::load_spec(&tmp.path().join("s.toml")).unwrap()).unwrap();
    let eval = evaluator(&index, model::Overrides::default()).unwrap();
    assert!(!eval.is_keyed());
    let mut scratch = evaluate::Scratch::default();
    eval.evaluate(&sample::Draw::nominal(&eval.model), &mut scratch)
        .unwrap();
    for (id, expected) in [("u1", 3.25), ("u2", 4.25)] {
        let u = eval.ids.iter().position(|i| i == id).unwrap();
        assert!(
            (scratch.scores[u] - expected).abs() < 1e-12,
            "{id}: {} vs {expected}",
            scratch.scores[u]
        );
    }
    // A Mazziotta-Pareto index over the same children, m - var / m with
    // weighted mean and variance of the child values (weights 1, 1, 2):
    // u1 8, 3, 1 -> m 3.25, var 8.1875; u2 3, 4, 5 -> m 4.25, var 0.6875.
    // With 'har' arithmetic, its value (4; 4.5) is one child, not c and d
    // apart: u1 8, 4, 1 -> m 3.5, var 8.25; u2 3, 4.5, 5 -> m 4.375,
    // var 0.671875.
    let mp = std::fs::read_to_string(tmp.path().join("s.toml"))
        .unwrap()
        .replace(
            "id = \"idx\"\n",
            "id = \"idx\"\naggregation = \"mazziotta_pareto\"\n",
        );
    let cases = [
        ("harmonic", [(3.25, 8.1875), (4.25, 0.6875)]),
        ("arithmetic", [(3.5, 8.25), (4.375, 0.671875)]),
    ];
    for (har, moments) in cases {
        let text = mp.replace("\"harmonic\"", &format!("{har:?}"));
        write(tmp.path(), "mp.toml", &text);
        let index = spec::resolve(&spec::load_spec(&tmp.path().join("mp.toml")).unwrap()).unwrap();
        let eval = evaluator(&index, model::Overrides::default()).unwrap();
        assert!(!eval.is_keyed(), "{har}");
        eval.evaluate(&sample::Draw::nominal(&eval.model), &mut scratch)
            .unwrap();
        for (id, (m, var)) in ["u1", "u2"].iter().zip(moments) {
            let u = eval.ids.iter().position(|i| i == id).unwrap();
            let expected = m - var / m;
            assert!(
                (scratch.scores[u] - expected).abs() < 1e-12,
                "{har} {id}: {} vs {expected}",
                scratch.scores[u]
            );
        }
    }
    // A unit whose children are all 0 (mean 0) scores 0, as node by node:
    // u2 1, 3 -> 2 - 1 / 2; u3 2, 1 -> 1.5 - 0.25 / 1.5.
    write(tmp.path(), "z.csv", "id,a,b\nu1,0,0\nu2,1,3\nu3,2,1\n");
    write(
        tmp.path(),
        "z.toml",
        "[index]\nid = \"idx\"\naggregation = \"mazziotta_pareto\"\n[data]\nfiles = [\"z.csv\"]\n\
         [units]\nid = \"id\"\n[normalise]\nmethod = \"none\"\n\
         [[indicator]]\nid = \"a\"\n[[indicator]]\nid = \"b\"\n",
    );
    let index = spec::resolve(&spec::load_spec(&tmp.path().join("z.toml")).unwrap()).unwrap();
    let eval = evaluator(&index, model::Overrides::default()).unwrap();
    assert!(!eval.is_keyed());
    eval.evaluate(&sample::Draw::nominal(&eval.model), &mut scratch)
        .unwrap();
    for (id, expected) in [("u1", 0.0), ("u2", 1.5), ("u3", 1.5 - 0.25 / 1.5)] {
        let u = eval.ids.iter().position(|i| i == id).unwrap();
        assert!(
            (scratch.scores[u] - expected).abs() < 1e-12,
            "{id}: {} vs {expected}",
            scratch.scores[u]
        );
    }
}

/// Kendall's tau-b of each run against the nominal ranking, as the Monte
/// Carlo records it, equals an independent O(n log n) computation when
/// both rankings have ties (scores rounded before ranking): from the
/// ranker's swaps (ties counted group by group) for every rank method.
#[test]
fn kendall_with_ties_matches_an_independent_count() {
    let tmp = tempfile::tempdir().unwrap();
    let mut seed = 11u64;
    let mut next = || {
        seed = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (seed >> 33) % 6
    };
    let mut csv = String::from("id,a,b,c,d\n");
    for u in 0..60 {
        csv += &format!("u{u:02},{},{},{},{}\n", next(), next(), next(), next());
    }
    write(tmp.path(), "t.csv", &csv);
    for method in ["competition", "dense", "fractional", "ordinal"] {
        let text = format!(
            "[index]\nid = \"idx\"\n[data]\nfiles = [\"t.csv\"]\n[units]\nid = \"id\"\n\
             [normalise]\nmethod = \"none\"\n[ranking]\nmethod = \"{method}\"\nround = 0\n\
             [sensitivity.weights]\nmethod = \"uniform\"\nspread = 0.4\n\
             [[indicator]]\nid = \"a\"\n[[indicator]]\nid = \"b\"\n\
             [[indicator]]\nid = \"c\"\n[[indicator]]\nid = \"d\"\nweight = 2\n"
        );
        write(tmp.path(), "t.toml", &text);
        let index = spec::resolve(&spec::load_spec(&tmp.path().join("t.toml")).unwrap()).unwrap();
        let eval = evaluator(&index, model::Overrides::default()).unwrap();
        let mut rng = kommunrank::sensitivity::rng::Rng::new(3, 0);
        let mut scratch = evaluate::Scratch::default();
        let mut from_swaps = 0;
        let nominal = statistic::Nominal::new(&eval.nominal_ranks);
        for _ in 0..300 {
            let draw = sample::draw_mc(&eval.model, &mut rng);
            eval.evaluate(&draw, &mut scratch).unwrap();
            from_swaps += scratch.rank.swaps.is_some() as usize;
            let counts = eval.kendall_counts(&mut scratch).map(|c| c as i64);
            let got = (statistic::KENDALL.value)(&nominal, counts);
            let expected = sensitivity::analyze::kendall_tau_b(&eval.nominal_ranks, &scratch.ranks);
            assert!(
                (got - expected).abs() < 1e-12 || (got.is_nan() && expected.is_nan()),
                "{method}: {got} vs {expected}"
            );
        }
        assert!(from_swaps > 250, "{method}: {from_swaps} of 300 from swaps");
    }
}

#[test]
fn meaningless_options_are_refused_and_sobol_without_bootstrap_says_so() {
    for (args, expect) in [
        (
            &["sensitivity", "--rank-bins", "1"][..],
            "--rank-bins 1: one bin holds every rank",
        ),
        (&["sensitivity", "--top-k", "0,5"], "starts at 1"),
        (
            &["sensitivity", "--spread", "-0.1"],
            "spread -0.1 is not in [0, 1)",
        ),
        // Sobol's base sample is its own setting, with a minimum.
        (
            &["sensitivity", "--method", "sobol", "--runs", "256"],
            "--base-samples N",
        ),
        (
            &["sensitivity", "--method", "sobol", "--base-samples", "1"],
            "use at least N = 64",
        ),
        (
            &["sensitivity", "--base-samples", "256"],
            "applies only with --method sobol",
        ),
        (
            &["sensitivity", "--method", "loo", "--runs", "10"],
            "does not apply to leave-one-out",
        ),
    ] {
        let out = kommunrank(args);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(stderr(&out).contains(expect), "{args:?}: {}", stderr(&out));
    }
    let out = kommunrank(&[
        "sensitivity",
        "--method",
        "sobol",
        "--base-samples",
        "64",
        "--bootstrap",
        "0",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let t = stdout(&out);
    assert!(
        t.contains("no bootstrap (no intervals)") && !t.contains("NaN"),
        "{t}"
    );
    assert!(t.contains("N = 64 is small"), "{t}");
}

/// Random indices (2-400 units, 1-35 indicators (up to a quarter of the
/// units) in 1-5 pillars, any
/// normalisation, either ranking direction, spreads up to 60%, values from
/// 1e-6 to 1e6, and every tenth unit a near copy of the one before, 1e-6
/// to 1e-11 apart): the keyed path (single-precision keys, proven) ranks
/// every run as the same double-precision block scores ranked by the
/// ranker do, and its score moments (from the weights) agree to rounding.
#[test]
fn keyed_blocks_rank_as_their_scores_do() {
    fn lcg(s: &mut u64) -> f64 {
        *s = s
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (*s >> 11) as f64 / (1u64 << 53) as f64
    }
    let mut seed = 12345u64;
    let mut keyed = 0;
    for case in 0..48 {
        let tmp = tempfile::tempdir().unwrap();
        let n = 2 + (lcg(&mut seed) * 400.0) as usize;
        // Keyed plans have at most a quarter as many indicators as units.
        let k = 1 + (lcg(&mut seed) * (n as f64 / 4.0).min(35.0)) as usize;
        let pillars = (1 + (lcg(&mut seed) * 5.0) as usize).min(k);
        let corr = lcg(&mut seed);
        let scale = [1.0, 1e-6, 1e6, 100.0][case % 4];
        let near = [0.0, 1e-6, 1e-9, 1e-11][(case / 4) % 4];
        let mut csv = String::from("id");
        for j in 0..k {
            csv += &format!(",x{j}");
        }
        let mut prev: Vec<f64> = Vec::new();
        for u in 0..n {
            csv += &format!("\nu{u}");
            let base = lcg(&mut seed);
            let row: Vec<f64> = (0..k)
                .map(|j| match near > 0.0 && u % 10 == 9 {
                    true => prev[j] * (1.0 + near * (lcg(&mut seed) - 0.5)),
                    false => (corr * base + (1.0 - corr) * lcg(&mut seed) - 0.3) * scale,
                })
                .collect();
            for v in &row {
                csv += &format!(",{v:e}");
            }
            prev = row;
        }
        write(tmp.path(), "d.csv", &(csv + "\n"));
        let norm = ["minmax", "zscore", "none", "rank"][(lcg(&mut seed) * 4.0) as usize];
        let best = ["highest", "lowest"][(lcg(&mut seed) * 2.0) as usize];
        let spread = [0.05, 0.25, 0.6][(lcg(&mut seed) * 3.0) as usize];
        let mut text = format!(
            "[index]\nid = \"idx\"\n[data]\nfiles = [\"d.csv\"]\n[units]\nid = \"id\"\n\
             [normalise]\nmethod = \"{norm}\"\n[ranking]\nbest = \"{best}\"\n\
             [sensitivity.weights]\nmethod = \"uniform\"\nspread = {spread}\n"
        );
        for p in 0..pillars {
            text += &format!("[[node]]\nid = \"p{p}\"\n");
        }
        for j in 0..k {
            let w = 0.5 + lcg(&mut seed) * 2.0;
            let direction = if lcg(&mut seed) < 0.2 { -1 } else { 1 };
            text += &format!(
                "[[indicator]]\nid = \"x{j}\"\nparent = \"p{}\"\nweight = {w}\ndirection = {direction}\n",
                j % pillars
            );
        }
        write(tmp.path(), "s.toml", &text);
        let index = spec::resolve(&spec::load_spec(&tmp.path().join("s.toml")).unwrap()).unwrap();
        let nominal = pipeline::run_index(&index, &DataOverrides::default()).unwrap();
        let o = model::Overrides {
            runs: Some(2000),
            seed: Some(case as u64),
            ..Default::default()
        };
        let m = model::resolve_model(&nominal, &o).unwrap();
        let eval = sensitivity::prepare(&nominal, m).unwrap();
        let mut rng = sensitivity::rng::Rng::new(1, 0);
        let draws: Vec<_> = (0..32)
            .map(|_| sample::draw_mc(&eval.model, &mut rng))
            .collect();
        keyed += eval.block_keys(&draws, &mut evaluate::BlockScratch::default()) as usize;
        let fast = sensitivity::run_mc(&eval, None, &|_| {});
        let scores = eval.clone().with_engine(evaluate::Engine::Reference);
        let plain = sensitivity::run_mc(&scores, None, &|_| {});
        let what = format!("case {case}: {n} units, {k} indicators, {norm}, {best}, near {near}");
        assert!(fast.hist == plain.hist, "{what}: histograms");
        assert_eq!(fast.top_k_same, plain.top_k_same, "{what}");
        assert_eq!(fast.failures, plain.failures, "{what}");
        same_runs(&fast, &plain, scale, &what);
    }
    assert!(keyed > 30, "{keyed} of 48 cases keyed");
}

/// Every method writes `nominal_rank` as an integer (for integral ranks),
/// and keys that are ranks or k are in numeric order, not text order.
#[test]
fn json_ranks_are_integers_and_numeric_keys_sort_numerically() {
    let out = kommunrank(&[
        "sensitivity",
        "--runs",
        "300",
        "--top-k",
        "5,1,47,10",
        "--spread",
        "0.6",
        "--format",
        "json",
        "--quiet",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = String::from_utf8(out.stdout).unwrap();
    let j: Value = serde_json::from_str(&text).unwrap();
    let keys = |v: &Value| -> Vec<f64> {
        v.as_object()
            .unwrap()
            .keys()
            .map(|k| k.split('-').next().unwrap().parse::<f64>().unwrap())
            .collect()
    };
    // serde_json keeps the order of the text.
    let top = keys(&j["overall"]["top_k_unchanged"]);
    assert_eq!(top, vec![1.0, 5.0, 10.0, 47.0]);
    let mut spread = 0;
    for u in j["units"].as_array().unwrap() {
        assert!(u["nominal_rank"].is_u64(), "{}", u["nominal_rank"]);
        assert_eq!(keys(&u["p_top"]), top);
        let acc = keys(&u["acceptability"]);
        assert!(acc.windows(2).all(|w| w[0] < w[1]), "{acc:?}");
        spread = spread.max(acc.len());
    }
    assert!(spread > 10, "some unit spreads over more than 10 ranks");
    for method in ["sobol", "loo"] {
        let out = kommunrank(&[
            "sensitivity",
            "--method",
            method,
            "--format",
            "json",
            "--quiet",
        ]);
        assert!(out.status.success(), "{}", stderr(&out));
        let j: Value = serde_json::from_slice(&out.stdout).unwrap();
        assert!(
            j["units"][0]["nominal_rank"].is_u64(),
            "{method}: {}",
            j["units"][0]
        );
    }
}

/// A path to one place in a JSON document, and the mutations a hand edit or
/// a truncated copy makes there.
fn mutate(v: &mut Value, rng: &mut u64) -> String {
    let mut next = |n: usize| {
        *rng ^= *rng << 13;
        *rng ^= *rng >> 7;
        *rng ^= *rng << 17;
        (*rng % n.max(1) as u64) as usize
    };
    match v {
        Value::Object(m) if !m.is_empty() => {
            let keys: Vec<String> = m.keys().cloned().collect();
            let k = keys[next(keys.len())].clone();
            if k == "checksum" {
                *v.get_mut("checksum").unwrap() = Value::String("fnv1a64:0".into());
                return "checksum".into();
            }
            let child = m.get_mut(&k).unwrap();
            format!("{k}.{}", mutate(child, rng))
        }
        Value::Array(a) if !a.is_empty() => match next(4) {
            0 => {
                let i = next(a.len());
                a.remove(i);
                format!("[{i}] removed")
            }
            1 => {
                let i = next(a.len());
                let x = a[i].clone();
                a.push(x);
                format!("[{i}] duplicated")
            }
            _ => {
                let i = next(a.len());
                format!("[{i}].{}", mutate(&mut a[i], rng))
            }
        },
        Value::Number(n) => {
            let x = n.as_f64().unwrap_or(0.0);
            let new = [x + 1.0, x - 1.0, 0.0, -1.0, 1e9, 4294967296.0, x * 2.0][next(7)];
            *v = serde_json::json!(new);
            format!("{x} -> {new}")
        }
        Value::Bool(b) => {
            *b = !*b;
            "flipped".into()
        }
        Value::String(s) => {
            s.push('x');
            "text changed".into()
        }
        _ => "nothing".into(),
    }
}

/// `merge` either reproduces the single run exactly or refuses: for random
/// edits of a part (values, lengths, counts, ranges, header fields), and,
/// with the checksum recomputed as a careful forger would, it never panics.
#[test]
fn merge_reproduces_the_single_run_or_refuses() {
    use kommunrank::report::sensitivity::mc_json;
    use kommunrank::sensitivity::partial::McPartial;
    use kommunrank::sensitivity::summary::finish;
    let tmp = tempfile::tempdir().unwrap();
    let mut parts = Vec::new();
    for i in 0..2 {
        let p = tmp.path().join(format!("p{i}.json"));
        let out = kommunrank(&[
            "sensitivity",
            "--runs",
            "2100",
            "--seed",
            "3",
            "--shard",
            &format!("{i}/2"),
            "--out",
            p.to_str().unwrap(),
            "--quiet",
        ]);
        assert!(out.status.success(), "{}", stderr(&out));
        let text = std::fs::read_to_string(&p).unwrap();
        parts.push(serde_json::from_str::<Value>(&text).unwrap());
    }
    let parse = |v: &Value| serde_json::from_value::<McPartial>(v.clone());
    let render = |p: &McPartial| mc_json(p, &finish(p));
    let whole = McPartial::merge(vec![
        ("p0".into(), parse(&parts[0]).unwrap()),
        ("p1".into(), parse(&parts[1]).unwrap()),
    ])
    .unwrap();
    let single = render(&whole);
    let mut rng = 0x9E37_79B9_7F4A_7C15u64;
    let (mut refused, mut same) = (0, 0);
    for round in 0..400 {
        let which = round % 2;
        let mut edited = parts[which].clone();
        let what = mutate(&mut edited, &mut rng);
        let forged = round % 4 >= 2;
        let Ok(mut part) = parse(&edited) else {
            refused += 1;
            continue;
        };
        if forged {
            // Recompute the checksum: only the consistency checks stand.
            part = serde_json::from_str(&part.to_json()).unwrap();
        }
        let other = parse(&parts[1 - which]).unwrap();
        let result = std::panic::catch_unwind(|| {
            McPartial::merge(vec![("a".into(), part), ("b".into(), other)])
                .map(|m| (m.is_complete(), render(&m)))
        });
        let Ok(result) = result else {
            panic!("merge panicked after editing {what}");
        };
        match result {
            Err(_) | Ok((false, _)) => refused += 1,
            Ok((true, text)) if !forged => {
                assert!(
                    text == single,
                    "edit {what} was accepted and changed the result"
                );
                same += 1;
            }
            Ok(_) => same += 1,
        }
    }
    assert!(refused > 200, "{refused} refused, {same} accepted");
}
