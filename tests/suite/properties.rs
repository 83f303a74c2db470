//! Properties of the ranking that must hold for any data (proptest), and
//! byte-identical output whatever the thread count.

use crate::common;
use kommunrank::input::{Column, PositionKind, RawCell, Table};
use kommunrank::pipeline::{self, Dataset, RankResult};
use kommunrank::spec::{self, Base, Index};
use proptest::prelude::*;
use std::collections::HashMap;

/// A two-node index over `k` indicators with the given method texts.
fn index(k: usize, weights: &[f64], normalise: &str, aggregation: &str) -> Index {
    let mut text = format!(
        "[index]\nid = \"idx\"\naggregation = \"{aggregation}\"\n[units]\nid = \"id\"\n[normalise]\n{normalise}\n[[node]]\nid = \"a\"\naggregation = \"{aggregation}\"\n[[node]]\nid = \"b\"\naggregation = \"{aggregation}\"\n"
    );
    for (j, w) in weights.iter().enumerate().take(k) {
        text += &format!(
            "[[indicator]]\nid = \"x{j}\"\nparent = \"{}\"\nweight = {w}\n",
            if j % 2 == 0 { "a" } else { "b" }
        );
    }
    spec::resolve(&spec::parse_spec(&text, "prop.toml", Base::Dir(".".into())).unwrap()).unwrap()
}

fn dataset(ids: &[String], rows: &[Vec<f64>]) -> Dataset {
    let k = rows[0].len();
    let mut table = Table::with_ids(ids.to_vec());
    for j in 0..k {
        let mut c = Column::new(&format!("x{j}"), "prop", PositionKind::Line, ids.len());
        for (u, row) in rows.iter().enumerate() {
            c.set(u, &RawCell::Number(row[j]), u as u32 + 2, false, &[]);
        }
        table.columns.push(c);
    }
    Dataset {
        table,
        names: ids.to_vec(),
        groups: Vec::new(),
        sources: Vec::new(),
        notes: Vec::new(),
    }
}

fn ranks(r: &RankResult) -> HashMap<String, f64> {
    r.units
        .iter()
        .map(|u| (u.id.clone(), u.rank.unwrap().0))
        .collect()
}

fn scores(r: &RankResult) -> HashMap<String, f64> {
    r.units.iter().map(|u| (u.id.clone(), u.score)).collect()
}

/// Tables of 3-12 units x 2-5 indicators with distinct-enough values.
fn table() -> impl Strategy<Value = (Vec<String>, Vec<Vec<f64>>)> {
    (3usize..12, 2usize..5).prop_flat_map(|(n, k)| {
        prop::collection::vec(prop::collection::vec(0.0f64..1000.0, k), n).prop_map(move |rows| {
            let ids = (0..n).map(|i| format!("{:04}", i * 7 + 114)).collect();
            (ids, rows)
        })
    })
}

const MINMAX: &str = "method = \"minmax\"\nlow = 1\nhigh = 100";
const ZSCORE: &str = "method = \"zscore\"";

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, .. ProptestConfig::default() })]

    #[test]
    fn row_order_does_not_change_the_ranking((ids, rows) in table(), seed in 0u64..1000) {
        let k = rows[0].len();
        let idx = index(k, &[1.0, 2.0, 1.0, 3.0, 1.0], MINMAX, "arithmetic");
        let base = pipeline::run(&idx, dataset(&ids, &rows)).unwrap();
        let mut order: Vec<usize> = (0..ids.len()).collect();
        order.sort_by_key(|&i| (i as u64 * 2654435761 + seed) % 1009);
        let ids2: Vec<String> = order.iter().map(|&i| ids[i].clone()).collect();
        let rows2: Vec<Vec<f64>> = order.iter().map(|&i| rows[i].clone()).collect();
        let shuffled = pipeline::run(&idx, dataset(&ids2, &rows2)).unwrap();
        prop_assert_eq!(ranks(&base), ranks(&shuffled));
    }

    #[test]
    fn improving_an_indicator_never_lowers_the_score(
        (ids, rows) in table(), unit in 0usize..3, j in 0usize..2, delta in 0.0f64..500.0,
        geometric in any::<bool>()
    ) {
        let k = rows[0].len();
        let agg = if geometric { "geometric" } else { "arithmetic" };
        let idx = index(k, &[1.0, 2.0, 1.0, 3.0, 1.0], MINMAX, agg);
        let before = pipeline::run(&idx, dataset(&ids, &rows)).unwrap();
        let mut better = rows.clone();
        better[unit][j] += delta;
        let after = pipeline::run(&idx, dataset(&ids, &better)).unwrap();
        prop_assert!(scores(&after)[&ids[unit]] >= scores(&before)[&ids[unit]] - 1e-9);
    }

    #[test]
    fn affine_rescaling_of_an_indicator_keeps_minmax_and_zscore_ranks(
        (ids, rows) in table(), a in 0.01f64..100.0, b in -1000.0f64..1000.0, z in any::<bool>()
    ) {
        let k = rows[0].len();
        let idx = index(k, &[1.0, 2.0, 1.0, 3.0, 1.0], if z { ZSCORE } else { MINMAX }, "arithmetic");
        let base = pipeline::run(&idx, dataset(&ids, &rows)).unwrap();
        let scaled: Vec<Vec<f64>> = rows.iter().map(|r| { let mut r = r.clone(); r[0] = a * r[0] + b; r }).collect();
        let after = pipeline::run(&idx, dataset(&ids, &scaled)).unwrap();
        for (id, s) in scores(&base) {
            prop_assert!((scores(&after)[&id] - s).abs() < 1e-6 * (1.0 + s.abs()));
        }
    }

    #[test]
    fn scaling_all_weights_changes_nothing((ids, rows) in table(), c in 0.001f64..1000.0) {
        let k = rows[0].len();
        let w = [1.0, 2.0, 1.0, 3.0, 1.0];
        let scaled: Vec<f64> = w.iter().map(|x| x * c).collect();
        let a = pipeline::run(&index(k, &w, MINMAX, "arithmetic"), dataset(&ids, &rows)).unwrap();
        let b = pipeline::run(&index(k, &scaled, MINMAX, "arithmetic"), dataset(&ids, &rows)).unwrap();
        for (id, s) in scores(&a) {
            prop_assert!((scores(&b)[&id] - s).abs() < 1e-9 * (1.0 + s.abs()));
        }
        prop_assert_eq!(ranks(&a), ranks(&b));
    }

    #[test]
    fn zero_perturbation_gives_nominal_ranks_in_every_run((ids, rows) in table(), geometric in any::<bool>()) {
        let k = rows[0].len();
        let idx = index(k, &[1.0, 2.0, 1.0, 3.0, 1.0], MINMAX, if geometric { "geometric" } else { "arithmetic" });
        let nominal = pipeline::run(&idx, dataset(&ids, &rows)).unwrap();
        let o = kommunrank::sensitivity::model::Overrides { runs: Some(300), spread: Some(0.0), ..Default::default() };
        let m = kommunrank::sensitivity::model::resolve_model(&nominal, &o).unwrap();
        let eval = kommunrank::sensitivity::prepare(&nominal, m).unwrap();
        let res = kommunrank::sensitivity::summary::finish(&kommunrank::sensitivity::run_mc(&eval, None, &|_| {}));
        for u in &res.units {
            prop_assert_eq!(u.q05, u.nominal_rank);
            prop_assert_eq!(u.q95, u.nominal_rank);
        }
    }

    #[test]
    fn identical_units_share_a_rank((ids, rows) in table()) {
        let k = rows[0].len();
        let mut ids2 = ids.clone();
        ids2.push("9999".into());
        let mut rows2 = rows.clone();
        rows2.push(rows[1].clone());
        let r = pipeline::run(&index(k, &[1.0; 5], MINMAX, "arithmetic"), dataset(&ids2, &rows2)).unwrap();
        prop_assert_eq!(ranks(&r)[&ids[1]], ranks(&r)["9999"]);
    }
}

#[test]
fn output_is_byte_identical_for_any_thread_count() {
    let mut outputs = Vec::new();
    for threads in ["1", "2", "3", "7"] {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_kommunrank"))
            .args(["rank", "--format", "json"])
            .env("RAYON_NUM_THREADS", threads)
            .current_dir(common::root())
            .output()
            .unwrap();
        assert!(out.status.success());
        outputs.push(out.stdout);
    }
    assert!(outputs.windows(2).all(|w| w[0] == w[1]));
}
