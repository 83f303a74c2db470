//! Unit tests of [`super`]: each fast form against plain reference code.

use super::*;
use crate::pipeline::{self, DataOverrides};
use crate::sensitivity::{self, model, rng::Rng, sample};
use crate::spec::{self, Base};
use std::path::Path;

/// The W1 evaluator (benches/w1.toml), its first pillar summed
/// instead of averaged when `sum`.
fn w1(sum: bool) -> sensitivity::evaluate::Evaluator {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("benches");
    let mut text = std::fs::read_to_string(dir.join("w1.toml")).unwrap();
    if sum {
        text = text.replacen(
            "id = \"p0\"\nparent = \"d0\"\n",
            "id = \"p0\"\nparent = \"d0\"\naggregation = \"sum\"\n",
            1,
        );
        assert!(text.contains("\"sum\""));
    }
    let loaded = spec::parse_spec(&text, "w1.toml", Base::Dir(dir)).unwrap();
    let index = spec::resolve(&loaded).unwrap();
    let nominal = pipeline::run_index(&index, &DataOverrides::default()).unwrap();
    let m = model::resolve_model(&nominal, &model::Overrides::default()).unwrap();
    sensitivity::prepare(&nominal, m).unwrap()
}

/// The keyed plan's effective weights, with every instruction set this
/// CPU has, for whole and partial blocks and a summed node, equal bit
/// for bit each run's shares multiplied along each path one run at a
/// time; and its scores equal the node-by-node aggregation's to
/// rounding.
#[test]
fn lane_weights_equal_the_run_by_run_ones() {
    for sum in [false, true] {
        let eval = w1(sum);
        let mut rng = Rng::new(7, 0);
        for rows in [BLOCK_RUNS, 5, 1] {
            let draws: Vec<Draw> = (0..rows)
                .map(|_| sample::draw_mc(&eval.model, &mut rng))
                .collect();
            let plan = eval.keyed_plan(&draws).expect("W1 is keyed");
            let layout = &eval.model.layout;
            let mut want = Vec::new();
            for d in &draws {
                let share = |slot: usize| {
                    let node = (0..plan.sums.len())
                        .find(|&node| layout.range(node).contains(&slot))
                        .unwrap();
                    let w = &d.weights[layout.range(node)];
                    match plan.sums[node] {
                        true => d.weights[slot],
                        false => d.weights[slot] / w.iter().sum::<f64>(),
                    }
                };
                want.extend(
                    plan.paths
                        .iter()
                        .map(|path| path.iter().fold(1.0, |e, &slot| e * share(slot))),
                );
            }
            let mut b = BlockScratch::default();
            let bits = |v: &[f64]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
            for isa in crate::cpu::available() {
                crate::cpu::force(Some(isa));
                lane_weights(plan, &eval.model, &draws, &mut b);
                crate::cpu::force(None);
                let what = format!("{isa:?}, {rows} runs, sum {sum}");
                assert_eq!(bits(&b.weights), bits(&want), "{what}");
            }
            let mut s = sensitivity::evaluate::Scratch::default();
            for (r, d) in draws.iter().enumerate() {
                plan.exact_row(&mut b, r);
                eval.evaluate(d, &mut s).unwrap();
                for (u, (&x, &y)) in b.scores.iter().zip(&s.scores).enumerate() {
                    assert!((x - y).abs() <= 1e-12 * y.abs().max(1.0), "{u}: {x} vs {y}");
                    let (p, q) = plan.exact_pair(&b, r, u, (u + 1) % eval.units());
                    assert_eq!(p, x, "exact_pair {u}");
                    assert_eq!(q, b.scores[(u + 1) % eval.units()], "exact_pair");
                }
            }
        }
    }
}
