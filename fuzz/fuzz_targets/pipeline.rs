//! The whole pipeline on small arbitrary tables: the bytes choose the
//! number of units and indicators, the values (with missing cells, zeros,
//! huge and negative numbers), the methods and the hierarchy. Ranking must
//! return a value or an error, never panic.
#![no_main]

use kommunrank::input::{Column, PositionKind, RawCell, Table};
use kommunrank::pipeline::{self, Dataset};
use kommunrank::spec::{self, Base};
use libfuzzer_sys::fuzz_target;

const NORMALISE: [&str; 9] = [
    "{ method = \"minmax\" }",
    "{ method = \"minmax\", low = 1, high = 100 }",
    "{ method = \"zscore\", mean = 100, sd = 10 }",
    "{ method = \"goalposts\", lower = -5, upper = 50, clip = true }",
    "{ method = \"rank\" }",
    "{ method = \"percentile\" }",
    "{ method = \"distance\", target = 40 }",
    "{ method = \"bands\", thresholds = [0, 10, 20] }",
    "{ method = \"none\" }",
];
const AGG: [&str; 7] = ["arithmetic", "geometric", "harmonic", "mazziotta_pareto", "sum", "generalised\"\np = 2", "generalised\"\np = -1"];
const MISSING: [&str; 6] = ["exclude", "mean", "median", "zero", "worst", "group_mean"];
const RANK: [&str; 4] = ["competition", "dense", "fractional", "ordinal"];

fuzz_target!(|data: &[u8]| {
    if data.len() < 8 {
        return;
    }
    let n = 1 + data[0] as usize % 12;
    let k = 1 + data[1] as usize % 5;
    let pick = |i: usize| data[i % data.len()] as usize;
    let mut text = format!(
        "[index]\nid = \"idx\"\naggregation = \"{}\"\n[units]\nid = \"id\"\ngroups = [\"g\"]\n[missing]\nmethod = \"{}\"\ngroup = \"g\"\n[screening]\nmin_coverage = {}\n[ranking]\nmethod = \"{}\"\n{}",
        AGG[pick(2) % AGG.len()],
        MISSING[pick(3) % MISSING.len()],
        (pick(4) % 4) as f64 / 4.0,
        RANK[pick(5) % RANK.len()],
        if pick(6) % 2 == 0 { "round = 2\n" } else { "" },
    );
    text += &format!("[[node]]\nid = \"a\"\naggregation = \"{}\"\n", AGG[pick(7) % AGG.len()]);
    for j in 0..k {
        text += &format!(
            "[[indicator]]\nid = \"x{j}\"\nparent = \"{}\"\ndirection = {}\nweight = {}\nnormalise = {}\n",
            if pick(8 + j) % 2 == 0 { "a" } else { "idx" },
            if pick(9 + j) % 2 == 0 { 1 } else { -1 },
            pick(10 + j) % 4,
            NORMALISE[pick(11 + j) % NORMALISE.len()],
        );
    }
    let Ok(loaded) = spec::parse_spec(&text, "fuzz.toml", Base::Embedded(&[])) else { return };
    let Ok(index) = spec::resolve(&loaded) else { return };
    let ids: Vec<String> = (0..n).map(|u| format!("u{u}")).collect();
    let mut table = Table::with_ids(ids.clone());
    for j in 0..k {
        let mut c = Column::new(&format!("x{j}"), "fuzz", PositionKind::Line, n);
        for u in 0..n {
            let b = pick(16 + u * k + j);
            let cell = match b % 8 {
                0 => RawCell::Empty,
                1 => RawCell::Number(0.0),
                2 => RawCell::Number(1e300 * if b > 128 { -1.0 } else { 1.0 }),
                3 => RawCell::Number(-(b as f64)),
                _ => RawCell::Number(b as f64 / 3.0),
            };
            c.set(u, &cell, u as u32 + 2, false, &[]);
        }
        table.columns.push(c);
    }
    let groups = vec![("g".to_string(), (0..n).map(|u| if u % 3 == 0 { String::new() } else { format!("{}", u % 2) }).collect())];
    let data = Dataset { table, names: ids, groups, sources: Vec::new(), notes: Vec::new() };
    if let Ok(r) = pipeline::run(&index, data) {
        let _ = kommunrank::report::json::to_json(&r);
        let _ = kommunrank::report::csv::to_csv(&r);
        let _ = kommunrank::report::table::to_table(&r, Default::default());
    }
});
