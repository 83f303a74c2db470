//! Sensitivity benchmarks on workload W1 (benches/w1.toml: 290 units x 30
//! indicators, 3 levels, weights +-25%, exact rank histograms):
//! - `mc/w1_65536_runs`: Monte Carlo on the keyed block path
//!   (single-precision keys of a block of runs, counted and proven), all
//!   threads;
//! - `mc/w1_choices_8192_runs` (and `..._general_path`, the reference
//!   engine): W1c (benches/w1_choices.toml: W1 plus a Mazziotta-Pareto or
//!   power-mean choice for two pillars and three leave-out choices): the
//!   runs at the index's own methods keyed, the others node by node;
//! - `mc/w1_mixed_means_8192_runs` (and `..._general_path`): W1 with
//!   geometric, harmonic and power nodes, node by node;
//! - `sobol/w1_n1024`: Sobol indices with N = 1024 (N(d+2) evaluations);
//! - `scale/100k_x50_64_runs_one_core`: 100,000 units x 50 indicators
//!   (synthetic, in memory), binned histograms, 64 runs on one core;
//! - `mc_parts/*`: the cost of each step of a W1 block of 32 runs on one
//!   core: drawing, the keyed path (keys; with counting and proof; with
//!   recording) and the double-precision path (scores, ranking, recording).
//!
//! The numpy baseline of the same Monte Carlo workload is
//! benches/baseline/mc_numpy.py (run side by side, see docs/PERFORMANCE.md).
//!
//! Run: cargo bench --features bench --bench sensitivity

use criterion::{Criterion, criterion_group, criterion_main};
use kommunrank::pipeline::{self, DataOverrides};
use kommunrank::sensitivity::accumulate::{RunRecorder, RunScores};
use kommunrank::sensitivity::evaluate::{self, BlockRuns, BlockScratch};
use kommunrank::sensitivity::kernel::{BLOCK_RUNS, BlockRanker};
use kommunrank::sensitivity::{self, model, rng::Rng, sample};
use kommunrank::spec;
use std::hint::black_box;
use std::path::Path;

#[path = "common/synthetic.rs"]
mod synthetic;

/// W1's spec text.
fn w1_text() -> String {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("benches");
    std::fs::read_to_string(dir.join("w1.toml")).unwrap()
}

/// W1 with geometric, harmonic and power pillars and a geometric dimension
/// (values 1-100 so every mean is defined).
fn w1_mixed_text() -> String {
    let mut text = w1_text();
    for (node, method) in [
        ("p0", "aggregation = \"geometric\""),
        ("p1", "aggregation = \"harmonic\""),
        ("p2", "aggregation = \"geometric\""),
        ("p3", "aggregation = \"generalised\"\np = 2"),
        ("d1", "aggregation = \"geometric\""),
    ] {
        let at = format!("id = \"{node}\"\n");
        text = text.replacen(&at, &format!("{at}{method}\n"), 1);
    }
    text + "\n[normalise]\nmethod = \"minmax\"\nlow = 1\nhigh = 100\n"
}

fn evaluator(
    extra: &str,
    runs: u64,
    method: Option<spec::SensitivityMethod>,
) -> sensitivity::evaluate::Evaluator {
    evaluator_of(w1_text() + extra, runs, method)
}

fn evaluator_of(
    text: String,
    runs: u64,
    method: Option<spec::SensitivityMethod>,
) -> sensitivity::evaluate::Evaluator {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("benches");
    let loaded = spec::parse_spec(&text, "w1.toml", spec::Base::Dir(dir)).unwrap();
    let index = spec::resolve(&loaded).unwrap();
    let nominal = pipeline::run_index(&index, &DataOverrides::default()).unwrap();
    let sobol = method == Some(spec::SensitivityMethod::Sobol);
    let o = model::Overrides {
        runs: (!sobol).then_some(runs),
        base_samples: sobol.then_some(runs),
        method,
        bootstrap: Some(100),
        ..Default::default()
    };
    let m = model::resolve_model(&nominal, &o).unwrap();
    sensitivity::prepare(&nominal, m).unwrap()
}

fn benches(c: &mut Criterion) {
    let mut g = c.benchmark_group("mc");
    g.sample_size(10);
    // Enough runs for the ranking windows to be learned (each analysis
    // starts without them), as in real analyses of 10^5-10^6 runs.
    let fast = evaluator("", 65536, None);
    assert!(fast.is_keyed());
    g.bench_function("w1_65536_runs", |b| {
        b.iter(|| sensitivity::run_mc(&fast, None, &|_| {}))
    });
    // Aggregation and leave-out choices (W1c, benches/w1_choices.toml):
    // the runs at the index's own methods keyed, the others node by node;
    // and the same with the reference engine.
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("benches");
    let choices = evaluator_of(
        std::fs::read_to_string(dir.join("w1_choices.toml")).unwrap(),
        8192,
        None,
    );
    assert!(choices.is_keyed());
    g.bench_function("w1_choices_8192_runs", |b| {
        b.iter(|| sensitivity::run_mc(&choices, None, &|_| {}))
    });
    let choices_general = choices.clone().with_engine(evaluate::Engine::Reference);
    g.bench_function("w1_choices_8192_runs_general_path", |b| {
        b.iter(|| sensitivity::run_mc(&choices_general, None, &|_| {}))
    });
    // Geometric, harmonic and power nodes: node by node, and the same with
    // the reference ranking and statistics.
    let mixed = evaluator_of(w1_mixed_text(), 8192, None);
    assert!(!mixed.is_keyed());
    g.bench_function("w1_mixed_means_8192_runs", |b| {
        b.iter(|| sensitivity::run_mc(&mixed, None, &|_| {}))
    });
    let mixed_general = mixed.clone().with_engine(evaluate::Engine::Reference);
    g.bench_function("w1_mixed_means_8192_runs_general_path", |b| {
        b.iter(|| sensitivity::run_mc(&mixed_general, None, &|_| {}))
    });
    g.finish();
    let mut g = c.benchmark_group("sobol");
    g.sample_size(10);
    let sobol = evaluator("", 1024, Some(spec::SensitivityMethod::Sobol));
    g.bench_function("w1_n1024", |b| {
        b.iter(|| sensitivity::run_sobol(&sobol, &|_| {}).unwrap())
    });
    g.finish();
    // The scale case: 100,000 units x 50 indicators (5 pillars), binned
    // rank histograms (automatic above 5,000 units), one chunk of runs per
    // iteration, hence one core: the cost of a run at scale.
    let mut g = c.benchmark_group("scale");
    g.sample_size(10);
    let extra = "[sensitivity.weights]\nmethod = \"uniform\"\nspread = 0.25\n";
    let (index, data) = synthetic::synthetic(100_000, 50, 5, 0, extra);
    let nominal = pipeline::run(&index, data).unwrap();
    let o = model::Overrides {
        runs: Some(64),
        ..Default::default()
    };
    let m = model::resolve_model(&nominal, &o).unwrap();
    let scale = sensitivity::prepare(&nominal, m).unwrap();
    assert!(scale.is_keyed());
    g.bench_function("100k_x50_64_runs_one_core", |b| {
        b.iter(|| sensitivity::run_mc(&scale, None, &|_| {}))
    });
    g.finish();
}

/// One W1 block of 32 runs, step by step, on one core: the keyed path
/// (W1's), and the node-by-node scores and sorting other models take.
fn parts(c: &mut Criterion) {
    let eval = evaluator("", 8192, None);
    let highest = eval.sorted_ranking().expect("W1 ranks by sorting");
    let n = eval.units();
    let mut rng = Rng::new(1, 0);
    let draws: Vec<_> = (0..BLOCK_RUNS)
        .map(|_| sample::draw_mc(&eval.model, &mut rng))
        .collect();
    let mut scratch = evaluate::Scratch::default();
    let scores_of = |draws: &[sample::Draw], s: &mut evaluate::Scratch| -> Vec<f64> {
        let mut scores = Vec::new();
        for d in draws {
            eval.evaluate(d, s).unwrap();
            scores.extend_from_slice(&s.scores);
        }
        scores
    };
    let stride = n;
    let mut g = c.benchmark_group("mc_parts");
    // Into reused buffers, as the Monte Carlo threads draw.
    let mut reused = draws.clone();
    let mut uniforms = Vec::new();
    g.bench_function("draw_32_runs", |b| {
        b.iter(|| {
            let mut rng = Rng::new(1, 0);
            sample::draw_mc_chunk(&eval.model, &mut rng, &mut uniforms, &mut reused);
            black_box(&reused);
        })
    });
    // The keyed path: effective weights and single-precision keys; then
    // with the counting and the proof (windows learned on earlier blocks,
    // as in a long run); then with the recording.
    let mut keyed = BlockScratch::default();
    assert!(eval.block_keys(&draws, &mut keyed), "W1 is keyed");
    g.bench_function("keys_32_runs", |b| {
        b.iter(|| eval.block_keys(black_box(&draws), &mut keyed))
    });
    let recorder = RunRecorder::new(&sensitivity::header(&eval), false);
    let mut tally = recorder.tally();
    let mut stats = recorder.chunk();
    let mut runs = BlockRuns::default();
    let mut warm = Rng::new(1, 1);
    for _ in 0..200 {
        let d: Vec<_> = (0..BLOCK_RUNS)
            .map(|_| sample::draw_mc(&eval.model, &mut warm))
            .collect();
        eval.evaluate_block(&d, &mut runs, |_, _| {});
    }
    g.bench_function("keys_rank_32_runs", |b| {
        b.iter(|| {
            eval.evaluate_block(&draws, &mut runs, |_, o| {
                black_box(o);
            });
        })
    });
    g.bench_function("keys_rank_record_32_runs", |b| {
        b.iter(|| {
            if stats.count > 1 << 20 {
                stats = recorder.chunk();
            }
            sensitivity::run_block(&eval, &recorder, &mut tally, &mut runs, &draws, &mut stats);
        })
    });
    // The node-by-node path (scores aggregated and ranked by the ranker).
    g.bench_function("node_by_node_32_runs", |b| {
        b.iter(|| {
            for d in &draws {
                black_box(eval.evaluate(d, &mut scratch).is_ok());
            }
        })
    });
    let mut ranker = BlockRanker::default();
    let mut warm = Rng::new(1, 1);
    for _ in 0..200 {
        let d: Vec<_> = (0..BLOCK_RUNS)
            .map(|_| sample::draw_mc(&eval.model, &mut warm))
            .collect();
        let warm_scores = scores_of(&d, &mut scratch);
        ranker.begin(n);
        for r in 0..BLOCK_RUNS {
            ranker.rank(&warm_scores[r * stride..][..n], highest);
        }
    }
    let scores = scores_of(&draws, &mut scratch);
    g.bench_function("rank_32_runs", |b| {
        b.iter(|| {
            ranker.begin(n);
            for r in 0..BLOCK_RUNS {
                black_box(ranker.rank(&scores[r * stride..][..n], highest));
            }
        })
    });
    let ranked: Vec<(Vec<u32>, u64)> = (0..BLOCK_RUNS)
        .map(|r| {
            let (order, swaps) = ranker.rank(&scores[r * stride..][..n], highest).unwrap();
            (order.to_vec(), swaps)
        })
        .collect();
    g.bench_function("record_32_runs", |b| {
        b.iter(|| {
            if stats.count > 1 << 20 {
                stats = recorder.chunk();
            }
            for (r, (order, swaps)) in ranked.iter().enumerate() {
                recorder.sorted(
                    &mut tally,
                    &mut stats,
                    RunScores::Full(&scores[r * stride..][..n]),
                    order,
                    *swaps,
                );
            }
        })
    });
    g.finish();
}

criterion_group!(sensitivity_benches, benches, parts);
criterion_main!(sensitivity_benches);
