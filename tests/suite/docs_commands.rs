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
        "eservice2014.csv",
        "eservice2014.toml",
        "draft.toml",
        "rankning.csv",
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

/// The tutorial as a new user walks it: every command verbatim, from an
/// empty folder (no repository path, no real data), in order.
#[test]
fn the_tutorial_runs_verbatim_in_an_empty_folder() {
    let text = std::fs::read_to_string(root().join("docs/tutorial.md")).unwrap();
    let tmp = tempfile::tempdir().unwrap();
    let lines = sh_lines(&text);
    assert!(lines.len() >= 12, "{lines:?}");
    assert!(
        lines[0] == "kommunrank example",
        "the walk starts with its data"
    );
    for line in &lines {
        let words: Vec<&str> = line.split_whitespace().collect();
        assert_eq!(words[0], "kommunrank", "{line}");
        let out = kommunrank_in(tmp.path(), &words[1..]);
        assert!(out.status.success(), "{line}: {}", stderr(&out));
    }
    // The Swedish-Excel CSV: BOM, ';' and decimal commas.
    let csv = std::fs::read(tmp.path().join("rankning.csv")).unwrap();
    assert!(csv.starts_with("\u{feff}rang;kod;namn;".as_bytes()));
    let text = String::from_utf8(csv).unwrap();
    assert!(text.contains(";Täby;"), "{}", &text[..300]);
    // The built-in example's format is what the tutorial shows.
    let shown = text_block_after(&text_of_tutorial(), "kommunrank example");
    let data = std::fs::read_to_string(tmp.path().join("eservice2014.csv")).unwrap();
    for line in shown.lines() {
        assert!(
            data.contains(line),
            "the tutorial shows {line:?}, the example has not"
        );
    }
}

fn text_of_tutorial() -> String {
    std::fs::read_to_string(root().join("docs/tutorial.md")).unwrap()
}

/// The first ```text block after `marker`.
fn text_block_after(markdown: &str, marker: &str) -> String {
    let from = markdown.find(marker).expect("marker");
    let rest = &markdown[from..];
    let start = rest.find("```text\n").expect("a text block") + 8;
    let end = rest[start..].find("```").expect("closed");
    rest[start..start + end].to_string()
}
