//! Benchmarks of one nominal ranking (no sensitivity analysis yet):
//! - `pipeline/builtin_example`: the built-in example, data already loaded;
//! - `pipeline/synthetic_290x30`: 290 units x 30 indicators, 3 levels
//!   (indicators -> 6 pillars -> 2 dimensions -> index), minmax, arithmetic;
//! - `baseline/hand_loop_290x30`: the same numbers as a hand-written loop
//!   (minmax, effective weights, weighted sum, sort), the floor a script
//!   reaches without screening, checks, node scores or explanations.
//!
//! Run: cargo bench --bench pipeline

use criterion::{BatchSize, Criterion, criterion_group, criterion_main};
use kommunrank::input::{Column, PositionKind, RawCell, Table};
use kommunrank::pipeline::{self, Dataset};
use kommunrank::spec::{self, Base};
use std::hint::black_box;

const UNITS: usize = 290;
const INDICATORS: usize = 30;

/// Deterministic pseudo-random values in [0, 100).
fn value(u: usize, k: usize) -> f64 {
    let mut z = (u as u64 * 1_000_003 + k as u64 * 7919).wrapping_add(0x9E3779B97F4A7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58476D1CE4E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D049BB133111EB);
    ((z ^ (z >> 31)) >> 11) as f64 / (1u64 << 53) as f64 * 100.0
}

fn synthetic() -> (spec::Index, Dataset) {
    let mut text = String::from("[index]\nid = \"idx\"\n[units]\nid = \"id\"\n");
    for d in 0..2 {
        text += &format!("[[node]]\nid = \"d{d}\"\n");
    }
    for p in 0..6 {
        text += &format!("[[node]]\nid = \"p{p}\"\nparent = \"d{}\"\n", p % 2);
    }
    for k in 0..INDICATORS {
        text += &format!(
            "[[indicator]]\nid = \"x{k}\"\nparent = \"p{}\"\nweight = {}\n",
            k % 6,
            1 + k % 3
        );
    }
    let loaded = spec::parse_spec(&text, "bench.toml", Base::Dir(".".into())).unwrap();
    let index = spec::resolve(&loaded).unwrap();
    let ids: Vec<String> = (0..UNITS).map(|u| format!("{:04}", u + 100)).collect();
    let mut table = Table::with_ids(ids.clone());
    for k in 0..INDICATORS {
        let mut c = Column::new(&format!("x{k}"), "bench", PositionKind::Line, UNITS);
        for u in 0..UNITS {
            c.set(u, &RawCell::Number(value(u, k)), u as u32 + 2, false, &[]);
        }
        table.columns.push(c);
    }
    let data = Dataset {
        table,
        names: ids,
        groups: Vec::new(),
        sources: Vec::new(),
        notes: Vec::new(),
    };
    (index, data)
}

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

    let (index, data) = synthetic();
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
