//! Helpers shared by the integration tests.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The repository root.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// `../shared/data/<sub>`, or `None` (with a printed notice) when the shared
/// folder is missing outside CI. In CI (`CI` set) a missing folder fails.
pub fn shared(sub: &str) -> Option<PathBuf> {
    let p = root().join("../shared/data").join(sub);
    if p.exists() {
        return Some(p);
    }
    if std::env::var_os("CI").is_some() {
        panic!(
            "{} is missing: CI must provide ../shared/data (see ../shared/README.md)",
            p.display()
        );
    }
    eprintln!(
        "SKIPPED: {} not found (tests on real data need ../shared)",
        p.display()
    );
    None
}

/// Runs the kommunrank binary with arguments, in `dir`.
pub fn kommunrank_in(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_kommunrank"))
        .args(args)
        .current_dir(dir)
        .output()
        .expect("run kommunrank")
}

/// Runs the kommunrank binary in the repository root.
pub fn kommunrank(args: &[&str]) -> Output {
    kommunrank_in(&root(), args)
}

/// Standard output as text.
pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// Standard error as text.
pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Reads a simple comma-separated file (no quotes) into header + rows.
pub fn read_plain_csv(path: &Path) -> (Vec<String>, Vec<Vec<String>>) {
    let text = std::fs::read_to_string(path).expect("read csv");
    let mut lines = text.lines();
    let header = lines
        .next()
        .unwrap()
        .split(',')
        .map(str::to_string)
        .collect();
    let rows = lines
        .filter(|l| !l.is_empty())
        .map(|l| l.split(',').map(str::to_string).collect())
        .collect();
    (header, rows)
}

/// The headless browser the report tests use, or `None` (with a printed
/// notice) outside CI; in CI (`CI` set) a missing Chromium fails.
pub fn chromium() -> Option<String> {
    for c in ["chromium", "chromium-browser", "google-chrome"] {
        if Command::new(c)
            .arg("--version")
            .output()
            .is_ok_and(|o| o.status.success())
        {
            return Some(c.to_string());
        }
    }
    if std::env::var_os("CI").is_some() {
        panic!("Chromium is missing: .ci/run installs Debian's chromium package");
    }
    eprintln!("SKIPPED: no chromium on this machine");
    None
}

/// The page's DOM after its scripts ran in headless Chromium, and the
/// browser's log (console errors show there as `Uncaught` or `:CONSOLE(`).
pub fn dump_dom_and_log(browser: &str, dir: &Path, url: &str) -> (String, String) {
    let out = Command::new(browser)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--enable-logging=stderr",
            "--v=0",
        ])
        .arg(format!("--user-data-dir={}", dir.join("profile").display()))
        .args(["--virtual-time-budget=5000", "--dump-dom", url])
        .output()
        .expect("run chromium");
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// The page's DOM after its scripts ran (headless Chromium).
pub fn dump_dom(browser: &str, dir: &Path, url: &str) -> String {
    dump_dom_and_log(browser, dir, url).0
}

/// Writes `d.csv` and `s.toml` into `dir`, runs `report` on them into
/// `r.html` and returns the page.
pub fn report_of(dir: &Path, data: &str, spec: &str) -> String {
    std::fs::write(dir.join("d.csv"), data).unwrap();
    std::fs::write(dir.join("s.toml"), spec).unwrap();
    let out = kommunrank_in(
        dir,
        &["report", "--spec", "s.toml", "--quiet", "--out", "r.html"],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    std::fs::read_to_string(dir.join("r.html")).unwrap()
}

/// Runs a Monte Carlo of `runs` runs on the spec `spec` (a path from the
/// repository root) and writes its JSON to `out`, for a report to read.
pub fn monte_carlo_json(spec: &str, runs: &str, out: &Path) {
    let args = [
        "sensitivity",
        "--spec",
        spec,
        "--runs",
        runs,
        "--format",
        "json",
        "--quiet",
        "--out",
        out.to_str().unwrap(),
    ];
    let result = kommunrank(&args);
    assert!(result.status.success(), "{args:?}: {}", stderr(&result));
}
