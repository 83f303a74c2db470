//! Reliability: interrupted runs leave nothing behind, large inputs load and
//! rank, inputs are never modified.

use crate::common;
use std::io::Write;
use std::process::{Command, Stdio};
use std::time::Duration;

#[test]
fn interrupted_run_leaves_no_file() {
    // Ctrl-C, a scheduler's SIGTERM and a closed terminal's SIGHUP alike.
    for signal in ["-INT", "-TERM", "-HUP"] {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("mc.json");
        let mut child = Command::new(env!("CARGO_BIN_EXE_kommunrank"))
            .args([
                "sensitivity",
                "--runs",
                "50000000",
                "--quiet",
                "--out",
                out.to_str().unwrap(),
            ])
            .current_dir(common::root())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(Duration::from_millis(700));
        let status = Command::new("kill")
            .args([signal, &child.id().to_string()])
            .status()
            .unwrap();
        assert!(status.success());
        let code = child.wait().unwrap();
        assert_eq!(
            code.code(),
            Some(130),
            "{signal}: the handler ran and exited with 130"
        );
        let left: Vec<_> = std::fs::read_dir(tmp.path()).unwrap().collect();
        assert!(left.is_empty(), "files left after {signal}: {left:?}");
    }
}

/// A write that fails while running (a full disk) exits with 1, not 2.
#[test]
fn failed_write_exits_with_one() {
    if !std::path::Path::new("/dev/full").exists() {
        eprintln!("skipped: no /dev/full on this system");
        return;
    }
    let out = Command::new(env!("CARGO_BIN_EXE_kommunrank"))
        .args(["rank", "--out", "/dev/full", "--format", "csv"])
        .current_dir(common::root())
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("No space left"));
    // /dev/full is still a device, not replaced by a file.
    assert!(!std::fs::metadata("/dev/full").unwrap().is_file());
}

#[test]
fn large_input_loads_and_ranks() {
    // 100,000 units x 60 indicators (a 41 MB CSV), generated here.
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("big.csv");
    let mut f = std::io::BufWriter::new(std::fs::File::create(&data).unwrap());
    write!(f, "id").unwrap();
    for j in 0..60 {
        write!(f, ",x{j}").unwrap();
    }
    writeln!(f).unwrap();
    let mut state: u64 = 7;
    for i in 0..100_000u32 {
        write!(f, "u{i:06}").unwrap();
        for _ in 0..60 {
            state = state
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            write!(f, ",{}", (state >> 40) % 100_000).unwrap();
        }
        writeln!(f).unwrap();
    }
    drop(f);
    let mut spec =
        String::from("[index]\nid = \"i\"\n[data]\nfiles = [\"big.csv\"]\n[units]\nid = \"id\"\n");
    for j in 0..60 {
        spec += &format!("[[indicator]]\nid = \"x{j}\"\nparent = \"g{}\"\n", j % 6);
    }
    for g in 0..6 {
        spec += &format!("[[node]]\nid = \"g{g}\"\n");
    }
    std::fs::write(tmp.path().join("big.toml"), spec).unwrap();
    let before = std::fs::metadata(&data).unwrap().len();
    let out = common::kommunrank_in(
        tmp.path(),
        &["rank", "--spec", "big.toml", "--out", "r.csv", "--quiet"],
    );
    assert!(out.status.success(), "{}", common::stderr(&out));
    let csv = std::fs::read_to_string(tmp.path().join("r.csv")).unwrap();
    assert_eq!(csv.lines().count(), 100_001);
    assert!(csv.lines().nth(1).unwrap().starts_with("1,"));
    assert_eq!(
        std::fs::metadata(&data).unwrap().len(),
        before,
        "input untouched"
    );
}
