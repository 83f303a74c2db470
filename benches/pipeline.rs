//! Benchmarks of one nominal ranking (no sensitivity analysis yet):
//! - `pipeline/builtin_example`: the built-in example, data already loaded;
//! - `pipeline/synthetic_290x30`: 290 units x 30 indicators, 3 levels
//!   (indicators -> 6 pillars -> 2 dimensions -> index), minmax, arithmetic;
//! - `baseline/hand_loop_290x30`: the same numbers as a hand-written loop
//!   (minmax, effective weights, weighted sum, sort), the floor a script
//!   reaches without screening, checks, node scores or explanations.
//!
//! Run: cargo bench --features bench --bench pipeline

use criterion::{BatchSize, Criterion, criterion_group, criterion_main};
use kommunrank::pipeline;
use kommunrank::spec;
use std::hint::black_box;

#[path = "common/synthetic.rs"]
mod synthetic;
use synthetic::value;

const UNITS: usize = 290;
const INDICATORS: usize = 30;

/// The hand-written floor: minmax per indicator, effective weights, weighted sum, sort.
fn hand_loop(values: &[Vec<f64>], weights: &[f64]) -> Vec<usize> {
    let mut score = vec![0.0; UNITS];
    for (k, col) in values.iter().enumerate() {
        let min = col.iter().copied().fold(f64::INFINITY, f64::min);
        let max = col.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        for (s, v) in score.iter_mut().zip(col) {
            *s += weights[k] * 100.0 * (v - min) / (max - min);
        }
    }
    let mut order: Vec<usize> = (0..UNITS).collect();
    order.sort_by(|&a, &b| score[b].total_cmp(&score[a]));
    order
}

fn benches(c: &mut Criterion) {
    let builtin = spec::resolve(&kommunrank::example::load().unwrap()).unwrap();
    let builtin_data = pipeline::load_dataset(&builtin, &Default::default()).unwrap();
    c.bench_function("pipeline/builtin_example", |b| {
        b.iter_batched(
            || builtin_data.clone(),
            |d| pipeline::run(black_box(&builtin), d).unwrap(),
            BatchSize::SmallInput,
        )
    });

    let (index, data) = synthetic::synthetic(UNITS, INDICATORS, 6, 2, "");
    c.bench_function("pipeline/synthetic_290x30", |b| {
        b.iter_batched(
            || data.clone(),
            |d| pipeline::run(black_box(&index), d).unwrap(),
            BatchSize::SmallInput,
        )
    });

    let values: Vec<Vec<f64>> = (0..INDICATORS)
        .map(|k| (0..UNITS).map(|u| value(u, k)).collect())
        .collect();
    let weights: Vec<f64> = (0..INDICATORS).map(|k| index.effective_weight(k)).collect();
    // The engine and the loop must agree before their speeds are compared.
    let engine = pipeline::run(&index, data.clone()).unwrap();
    let floor = hand_loop(&values, &weights);
    assert_eq!(engine.units[0].row, floor[0]);
    c.bench_function("baseline/hand_loop_290x30", |b| {
        b.iter(|| hand_loop(black_box(&values), black_box(&weights)))
    });
}

criterion_group!(pipeline_benches, benches);
criterion_main!(pipeline_benches);
