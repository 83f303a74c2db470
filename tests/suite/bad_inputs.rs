//! The bad-input catalogue: every folder of tests/bad_inputs/ holds a spec,
//! data and `case.json` (command, an expected message and optionally an
//! exit code, default 2). Each must end with that exit code, a message containing the expected text, no panic, no
//! output file and no input file changed. docs/errors.md lists every case.

use crate::common;
use std::collections::BTreeMap;
use std::path::Path;

fn snapshot(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut out = BTreeMap::new();
    for e in std::fs::read_dir(dir).unwrap() {
        let e = e.unwrap();
        if e.file_type().unwrap().is_file() {
            out.insert(
                e.file_name().to_string_lossy().into_owned(),
                std::fs::read(e.path()).unwrap(),
            );
        }
    }
    out
}

#[test]
fn every_bad_input_gets_exit_2_and_a_clear_message() {
    let root = common::root().join("tests/bad_inputs");
    let docs = std::fs::read_to_string(common::root().join("docs/errors.md")).unwrap();
    let mut cases: Vec<_> = std::fs::read_dir(&root)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir())
        .collect();
    cases.sort();
    assert!(cases.len() >= 40, "the catalogue has {} cases", cases.len());
    let mut failures = Vec::new();
    for case in &cases {
        let name = case.file_name().unwrap().to_string_lossy().into_owned();
        let meta: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(case.join("case.json")).unwrap())
                .unwrap();
        let tmp = tempfile::tempdir().unwrap();
        for (file, bytes) in snapshot(case) {
            if file != "case.json" {
                std::fs::write(tmp.path().join(file), bytes).unwrap();
            }
        }
        let before = snapshot(tmp.path());
        let args: Vec<&str> = meta["command"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a.as_str().unwrap())
            .collect();
        let out = common::kommunrank_in(tmp.path(), &args);
        let err = common::stderr(&out);
        let expect = meta["expect"].as_str().unwrap();
        let mut problems = Vec::new();
        // Exit 2 for bad usage or input; a case may expect 1 (a failure
        // while running, e.g. a write to a full device).
        let want = meta["exit"].as_i64().unwrap_or(2) as i32;
        if out.status.code() != Some(want) {
            problems.push(format!("exit code {:?}", out.status.code()));
        }
        if !err.contains(expect) {
            problems.push(format!("expected {expect:?}"));
        }
        if err.contains("panicked") || err.lines().count() > 40 {
            problems.push("panic or runaway message".into());
        }
        if snapshot(tmp.path()) != before {
            problems
                .push("files in the folder changed (input modified or output left behind)".into());
        }
        if !docs.contains(&format!("`{name}`")) {
            problems.push("not listed in docs/errors.md".into());
        }
        if !problems.is_empty() {
            failures.push(format!(
                "{name}: {}\n  stderr: {}",
                problems.join("; "),
                err.trim()
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} cases failed:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
}
