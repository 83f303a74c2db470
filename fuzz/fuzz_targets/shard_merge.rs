//! Any text as one of two Monte Carlo partial results (shard files): parsing,
//! validation and merging with a genuine part must give a result or an
//! error, never panic; a merged result is rendered in every format.
#![no_main]

use kommunrank::report::sensitivity::{mc_csv, mc_json, mc_table};
use kommunrank::sensitivity::accumulate::{McPartial, finish};
use libfuzzer_sys::fuzz_target;

/// A genuine shard (0 of 2) of a 3-unit, 1,100-run analysis.
const GENUINE: &str = include_str!("../../tests/bad_inputs/shard_other_seed/p0.json");

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let Ok(part) = serde_json::from_str::<McPartial>(text) else { return };
    let genuine: McPartial = serde_json::from_str(GENUINE).expect("the genuine part parses");
    // As written, and with its checksum recomputed (only the consistency
    // checks then stand between the part and the merge).
    let forged: McPartial = serde_json::from_str(&part.to_json()).expect("to_json parses");
    for p in [part, forged] {
        let parts = vec![("fuzz".to_string(), p), ("genuine".to_string(), genuine.clone())];
        if let Ok(merged) = McPartial::merge(parts) {
            let res = finish(&merged);
            let _ = mc_json(&merged, &res);
            let _ = mc_csv(&merged, &res);
            let _ = mc_table(&merged, &res, 5, 5);
        }
    }
});
