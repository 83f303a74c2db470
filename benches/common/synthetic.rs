//! Synthetic indices for the benches, built in memory (no files): units x
//! indicators of deterministic pseudo-random values in [0, 100), indicators
//! spread over pillars, pillars over dimensions, weights 1-3.

use kommunrank::input::{Column, PositionKind, RawCell, Table};
use kommunrank::pipeline::Dataset;
use kommunrank::spec::{self, Base};

/// Deterministic pseudo-random value in [0, 100) of unit `u`, indicator `k`.
pub fn value(u: usize, k: usize) -> f64 {
    let mut z = (u as u64 * 1_000_003 + k as u64 * 7919).wrapping_add(0x9E3779B97F4A7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58476D1CE4E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D049BB133111EB);
    ((z ^ (z >> 31)) >> 11) as f64 / (1u64 << 53) as f64 * 100.0
}

/// An index of `indicators` indicators -> `pillars` pillars -> `dims`
/// dimensions (none: pillars under the index) and its data for `units`
/// units; `extra` is appended to the spec text (e.g. `[sensitivity]`).
pub fn synthetic(
    units: usize,
    indicators: usize,
    pillars: usize,
    dims: usize,
    extra: &str,
) -> (spec::Index, Dataset) {
    let mut text = String::from("[index]\nid = \"idx\"\n[units]\nid = \"id\"\n");
    for d in 0..dims {
        text += &format!("[[node]]\nid = \"d{d}\"\n");
    }
    for p in 0..pillars {
        text += &format!("[[node]]\nid = \"p{p}\"\n");
        if dims > 0 {
            text += &format!("parent = \"d{}\"\n", p % dims);
        }
    }
    for k in 0..indicators {
        text += &format!(
            "[[indicator]]\nid = \"x{k}\"\nparent = \"p{}\"\nweight = {}\n",
            k % pillars,
            1 + k % 3
        );
    }
    text += extra;
    let loaded = spec::parse_spec(&text, "bench.toml", Base::Dir(".".into())).unwrap();
    let index = spec::resolve(&loaded).unwrap();
    let ids: Vec<String> = (0..units).map(|u| format!("{:06}", u + 100)).collect();
    let mut table = Table::with_ids(ids.clone());
    for k in 0..indicators {
        let mut c = Column::new(&format!("x{k}"), "bench", PositionKind::Line, units);
        for u in 0..units {
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
