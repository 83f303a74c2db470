//! Sensitivity benchmarks on workload W1 (benches/w1.toml: 290 units x 30
//! indicators, 3 levels, weights +-25%, exact rank histograms):
//! - `mc/w1_8192_runs`: Monte Carlo, linear fast path, all threads;
//! - `mc/w1_8192_runs_general_path`: the same model plus a leave-out choice
//!   for one indicator, which makes scores non-linear in the draw, so every
//!   run goes through the general node-by-node evaluator;
//! - `sobol/w1_n1024`: Sobol indices with N = 1024 (N(d+2) evaluations);
//! - `scale/100k_x50_64_runs_one_core`: 100,000 units x 50 indicators
//!   (synthetic, in memory), binned histograms, 64 runs on one core.
//!
//! The numpy baseline of the same Monte Carlo workload is
//! benches/baseline/mc_numpy.py (run side by side, see docs/PERFORMANCE.md).
//!
//! Run: cargo bench --bench sensitivity

use criterion::{Criterion, criterion_group, criterion_main};
use kommunrank::pipeline::{self, DataOverrides};
use kommunrank::sensitivity::{self, model};
use kommunrank::spec;
use std::path::Path;

#[path = "common/synthetic.rs"]
mod synthetic;

fn evaluator(
    extra: &str,
    runs: u64,
    method: Option<spec::SensitivityMethod>,
) -> sensitivity::evaluate::Evaluator {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("benches");
    let text = std::fs::read_to_string(dir.join("w1.toml")).unwrap() + extra;
    let loaded = spec::parse_spec(&text, "w1.toml", spec::Base::Dir(dir)).unwrap();
    let index = spec::resolve(&loaded).unwrap();
    let nominal = pipeline::run_index(&index, &DataOverrides::default()).unwrap();
    let o = model::Overrides {
        runs: Some(runs),
        method,
        bootstrap: Some(100),
        ..Default::default()
    };
    let m = model::resolve_model(&index, &o, 290).unwrap();
    sensitivity::prepare(&nominal, m).unwrap()
}

fn benches(c: &mut Criterion) {
    let mut g = c.benchmark_group("mc");
    g.sample_size(10);
    let fast = evaluator("", 8192, None);
    assert!(fast.is_linear());
    g.bench_function("w1_8192_runs", |b| {
        b.iter(|| sensitivity::run_mc(&fast, None, &|_| {}))
    });
    // An include choice makes scores non-linear in the draw: the general path.
    let general = evaluator(
        "\n[[sensitivity.choice]]\nkind = \"include\"\nindicator = \"x00\"\n",
        8192,
        None,
    );
    assert!(!general.is_linear());
    g.bench_function("w1_8192_runs_general_path", |b| {
        b.iter(|| sensitivity::run_mc(&general, None, &|_| {}))
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
    let m = model::resolve_model(&index, &o, 100_000).unwrap();
    let scale = sensitivity::prepare(&nominal, m).unwrap();
    assert!(scale.is_linear());
    g.bench_function("100k_x50_64_runs_one_core", |b| {
        b.iter(|| sensitivity::run_mc(&scale, None, &|_| {}))
    });
    g.finish();
}

criterion_group!(sensitivity_benches, benches);
criterion_main!(sensitivity_benches);
