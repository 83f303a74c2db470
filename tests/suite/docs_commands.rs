//! The commands the documentation shows run as shown: every line of the
//! `sh` blocks of the tutorial and the method guides, run from a scratch
//! folder with the repository's paths made absolute (outputs land in the
//! scratch folder), must succeed. Lines with placeholders (`--spec S`) are
//! templates, not commands.

use crate::common::*;

/// The command lines of a Markdown file's ```sh blocks, without comments.
fn sh_lines(markdown: &str) -> Vec<String> {
    let mut lines = Vec::new();
    let mut inside = false;
    for line in markdown.lines() {
        if line.starts_with("```") {
            inside = line.trim() == "```sh";
            continue;
        }
        if inside {
            let command = line.split(" #").next().unwrap_or("").trim();
            if !command.is_empty() {
                lines.push(command.to_string());
            }
        }
    }
    lines
}

/// Runs `line` (a `kommunrank ...` command) in `dir`; false when skipped
/// (a template, or real data that is not there).
fn run_doc_line(line: &str, dir: &std::path::Path, has_shared: bool) -> bool {
    let words: Vec<&str> = line.split_whitespace().collect();
    assert_eq!(words[0], "kommunrank", "{line}");
    let template = words
        .iter()
        .any(|w| w.len() <= 5 && w.chars().all(|c| c.is_ascii_uppercase()))
        || words.contains(&"weights.csv");
    let real_data = ["kolada", "desi"].iter().any(|d| line.contains(d));
    if template || (real_data && !has_shared) {
        return false;
    }
    let args: Vec<String> = words[1..]
        .iter()
        .map(|w| {
            if w.starts_with("fixtures/") || w.starts_with("examples/") {
                root().join(w).display().to_string()
            } else {
                w.to_string()
            }
        })
        .collect();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let out = kommunrank_in(dir, &args);
    assert!(out.status.success(), "{line}: {}", stderr(&out));
    true
}

#[test]
fn every_documented_command_runs() {
    let has_shared = shared("kolada").is_some() && shared("desi2022").is_some();
    let tmp = tempfile::tempdir().unwrap();
    for doc in ["docs/tutorial.md", "docs/audit.md", "docs/sensitivity.md"] {
        let text = std::fs::read_to_string(root().join(doc)).unwrap();
        let lines = sh_lines(&text);
        let ran = lines
            .iter()
            .filter(|l| run_doc_line(l, tmp.path(), has_shared))
            .count();
        assert!(
            ran >= 3 || !has_shared,
            "{doc}: only {ran} of {lines:?} ran"
        );
    }
    // What the tutorial's commands wrote.
    for file in [
        "ranking.csv",
        "ranking.xlsx",
        "mc.json",
        "sobol.json",
        "rapport.html",
        "resultat.xlsx",
    ] {
        assert!(tmp.path().join(file).exists(), "{file} was not written");
    }
}
