//! The command line as a user meets it: formats, inputs (CSV, XLSX, JSON,
//! long), refusals before computing, validation listing every problem,
//! atomic output, exit codes.

use crate::common::*;
use serde_json::Value;
use std::path::Path;

fn write(dir: &Path, name: &str, text: &str) -> String {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p.to_str().unwrap().to_string()
}

const DATA: &str = "kommun,name,county,x,y\n0114,Upplands Väsby,01,1,10\n0115,Vallentuna,01,2,30\n0117,Österåker,01,3,20\n2321,Åre,23,4,\n";

fn spec(extra: &str) -> String {
    format!(
        r#"[index]
id = "idx"
[data]
files = ["data.csv"]
[units]
id = "kommun"
name = "name"
groups = ["county"]
{extra}
"#
    )
}

const TWO: &str = r#"
[[indicator]]
id = "x"
[[indicator]]
id = "y"
"#;

/// Asserts that `text` contains `needle`, showing the text if not.
fn assert_has(text: &str, needle: &str) {
    assert!(text.contains(needle), "missing {needle:?} in\n{text}");
}

/// The score of unit `id` in a `rank --format json` result.
fn score_of(j: &Value, id: &str) -> f64 {
    j["units"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["id"] == id)
        .unwrap()["score"]
        .as_f64()
        .unwrap()
}

fn json_of(dir: &Path, args: &[&str]) -> Value {
    let out = kommunrank_in(dir, args);
    assert!(out.status.success(), "{}", stderr(&out));
    serde_json::from_str(&stdout(&out)).unwrap()
}

#[test]
fn hand_computed_minmax_mean_with_reweighting() {
    let tmp = tempfile::tempdir().unwrap();
    write(tmp.path(), "data.csv", DATA);
    write(tmp.path(), "s.toml", &spec(TWO));
    let j = json_of(
        tmp.path(),
        &["rank", "--spec", "s.toml", "--format", "json"],
    );
    // x: 0, 33.3, 66.7, 100; y: 0, 100, 50, missing -> mean of present.
    let score = |id: &str| score_of(&j, id);
    assert!((score("0114") - 0.0).abs() < 1e-12);
    assert!((score("0115") - (100.0 / 3.0 + 100.0) / 2.0).abs() < 1e-12);
    assert!((score("0117") - (200.0 / 3.0 + 50.0) / 2.0).abs() < 1e-12);
    assert!(
        (score("2321") - 100.0).abs() < 1e-12,
        "only x present: re-weighted"
    );
    assert_eq!(j["units"][0]["id"], "2321");
    let u = &j["units"][0];
    assert_eq!(u["coverage"], 0.5);
    assert_eq!(u["name"], "Åre");
}

#[test]
fn geometric_over_zscores_is_refused_before_reading_data() {
    let tmp = tempfile::tempdir().unwrap();
    // No data file exists: the refusal must come before any reading.
    let s = spec(
        r#"
[[node]]
id = "services"
aggregation = "geometric"
[[indicator]]
id = "x"
parent = "services"
normalise = { method = "zscore" }
[[indicator]]
id = "y"
parent = "services"
normalise = { method = "minmax", low = 1, high = 100 }
"#,
    );
    write(tmp.path(), "s.toml", &s);
    let out = kommunrank_in(tmp.path(), &["rank", "--spec", "s.toml"]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(err.contains("node 'services'"), "{err}");
    assert!(err.contains("indicator 'x'"), "{err}");
    assert!(!err.contains("indicator 'y'"), "y is positive: {err}");
    assert!(err.contains("low = 1"), "suggests a fix: {err}");
    assert!(!err.contains("data.csv"), "nothing read: {err}");
}

#[test]
fn validate_lists_every_problem() {
    let tmp = tempfile::tempdir().unwrap();
    write(tmp.path(), "data.csv", DATA);
    let s = spec(
        r#"
[[indicator]]
id = "x"
parent = "servics"
weight = -2
[[indicator]]
id = "y"
direction = 0
normalise = { method = "goalposts", lower = 10, upper = 1 }
"#,
    );
    write(tmp.path(), "s.toml", &s);
    let out = kommunrank_in(tmp.path(), &["validate", "--spec", "s.toml"]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    for needle in ["servics", "weight -2", "direction 0", "lower < upper"] {
        assert!(err.contains(needle), "{needle} missing: {err}");
    }
    assert!(err.contains("4 problems found"), "{err}");
    // A data problem (column) and a value problem are listed together too.
    write(
        tmp.path(),
        "data.csv",
        "kommun,name,county,x,y\n0114,A,01,1,abc\n0115,B,01,2,3\n",
    );
    write(
        tmp.path(),
        "s2.toml",
        &spec("[[indicator]]\nid = \"x\"\n[[indicator]]\nid = \"y\"\n[[indicator]]\nid = \"z\"\n"),
    );
    let out = kommunrank_in(tmp.path(), &["validate", "--spec", "s2.toml"]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(err.contains("no column 'z'"), "{err}");
    assert!(
        err.contains("line 2, column 'y'") && err.contains("'abc'"),
        "{err}"
    );
    // A valid spec validates.
    write(tmp.path(), "data.csv", DATA);
    write(tmp.path(), "ok.toml", &spec(TWO));
    let out = kommunrank_in(tmp.path(), &["validate", "--spec", "ok.toml"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).contains("valid: 4 units"));
}

#[test]
fn out_file_is_written_atomically_and_never_over_an_input() {
    let tmp = tempfile::tempdir().unwrap();
    write(tmp.path(), "data.csv", DATA);
    write(tmp.path(), "s.toml", &spec(TWO));
    let out = kommunrank_in(tmp.path(), &["rank", "--spec", "s.toml", "--out", "r.csv"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let csv = std::fs::read_to_string(tmp.path().join("r.csv")).unwrap();
    assert!(csv.starts_with("rank,id,name,county,score"), "{csv}");
    let out = kommunrank_in(tmp.path(), &["rank", "--spec", "s.toml", "--out", "r.json"]);
    assert!(out.status.success());
    let _: Value =
        serde_json::from_str(&std::fs::read_to_string(tmp.path().join("r.json")).unwrap()).unwrap();
    // --out equal to the data file is refused and the file is untouched.
    let out = kommunrank_in(
        tmp.path(),
        &[
            "rank", "--spec", "s.toml", "--out", "data.csv", "--format", "csv",
        ],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("one of the inputs"),
        "{}",
        stderr(&out)
    );
    assert_eq!(
        std::fs::read_to_string(tmp.path().join("data.csv")).unwrap(),
        DATA
    );
    // An unwritable folder: exit 2, no file, no temp file left.
    let out = kommunrank_in(
        tmp.path(),
        &["rank", "--spec", "s.toml", "--out", "nope/r.csv"],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("nope"), "{}", stderr(&out));
    let leftovers: Vec<_> = std::fs::read_dir(tmp.path())
        .unwrap()
        .filter(|e| {
            e.as_ref()
                .unwrap()
                .file_name()
                .to_string_lossy()
                .contains(".tmp")
        })
        .collect();
    assert!(leftovers.is_empty());
    // Unknown extension without --format: usage error.
    let out = kommunrank_in(tmp.path(), &["rank", "--spec", "s.toml", "--out", "r.xyz"]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn xlsx_json_and_long_inputs_rank_like_the_csv() {
    let tmp = tempfile::tempdir().unwrap();
    write(tmp.path(), "data.csv", DATA);
    write(tmp.path(), "s.toml", &spec(TWO));
    let expected = json_of(
        tmp.path(),
        &["rank", "--spec", "s.toml", "--format", "json"],
    );

    // XLSX with a named sheet; ids stored as numbers lose their zero, padded back.
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    sheet.set_name("Enkät").unwrap();
    for (r, line) in DATA.lines().enumerate() {
        for (c, f) in line.split(',').enumerate() {
            match f.parse::<f64>() {
                Ok(v) if r > 0 && c != 2 => sheet.write_number(r as u32, c as u16, v).unwrap(),
                _ if f.is_empty() => sheet,
                _ => sheet.write_string(r as u32, c as u16, f).unwrap(),
            };
        }
    }
    book.save(tmp.path().join("data.xlsx")).unwrap();
    let s = spec(TWO)
        .replace(
            "files = [\"data.csv\"]",
            "files = [{ path = \"data.xlsx\", sheet = \"Enkät\" }]",
        )
        .replace("id = \"kommun\"", "id = \"kommun\"\nid_pad = 4");
    write(tmp.path(), "x.toml", &s);
    let got = json_of(
        tmp.path(),
        &["rank", "--spec", "x.toml", "--format", "json"],
    );
    assert_eq!(got["units"], expected["units"]);
    // A wrong sheet name lists the sheets.
    write(tmp.path(), "bad.toml", &s.replace("Enkät", "Data"));
    let out = kommunrank_in(tmp.path(), &["rank", "--spec", "bad.toml"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("Enkät"), "{}", stderr(&out));

    // JSON array of records.
    write(
        tmp.path(),
        "data.json",
        r#"[{"kommun":"0114","name":"Upplands Väsby","county":"01","x":1,"y":10},
            {"kommun":"0115","name":"Vallentuna","county":"01","x":2,"y":30},
            {"kommun":"0117","name":"Österåker","county":"01","x":3,"y":20},
            {"kommun":"2321","name":"Åre","county":"23","x":4,"y":null}]"#,
    );
    write(
        tmp.path(),
        "j.toml",
        &spec(TWO).replace("data.csv", "data.json"),
    );
    let got = json_of(
        tmp.path(),
        &["rank", "--spec", "j.toml", "--format", "json"],
    );
    assert_eq!(got["units"], expected["units"]);

    // Long: unit,indicator,value,year plus a names file as the unit list.
    write(
        tmp.path(),
        "long.csv",
        "kommun,indicator,value,year\n0114,x,1,2022\n0114,y,10,2022\n0115,x,2,2022\n0115,y,30,2022\n\
         0117,x,3,2022\n0117,y,20,2022\n2321,x,4,2022\n0114,x,99,2021\n",
    );
    write(
        tmp.path(),
        "units.csv",
        "kommun,name,county\n0114,Upplands Väsby,01\n0115,Vallentuna,01\n0117,Österåker,01\n2321,Åre,23\n",
    );
    let s = spec(TWO)
        .replace(
            "files = [\"data.csv\"]",
            "files = [\"long.csv\"]\nyear = 2022",
        )
        .replace(
            "groups = [\"county\"]",
            "groups = [\"county\"]\nfile = \"units.csv\"",
        );
    write(tmp.path(), "l.toml", &s);
    let got = json_of(
        tmp.path(),
        &["rank", "--spec", "l.toml", "--format", "json"],
    );
    assert_eq!(got["units"], expected["units"]);
}

#[test]
fn bad_inputs_get_exit_2_and_a_located_message() {
    let tmp = tempfile::tempdir().unwrap();
    write(tmp.path(), "s.toml", &spec(TWO));
    let cases: &[(&str, &str, &str)] = &[
        ("", "is empty", "empty file"),
        (
            "kommun,name,county,x,y\n",
            "hold no data rows",
            "header only",
        ),
        (
            "kommun,name,county,x,y\n0114,A,01,1,2\n0114,B,01,1,2\n",
            "line 3",
            "duplicate id",
        ),
        (
            "kommun,name,county,x,x\n0114,A,01,1,2\n",
            "appears twice",
            "duplicate column",
        ),
        (
            "kommun,name,county,x,y\n0114,A,01,NaN,2\n0115,B,01,1,3\n",
            "'NaN'",
            "NaN text",
        ),
        (
            "kommun,name,county,x,y\n0114,A,01,inf,2\n0115,B,01,1,3\n",
            "'inf'",
            "inf text",
        ),
        (
            "kommun,name,county,x,y\n0114,A,01,1,2\n0115,B,01,1",
            "line 3",
            "truncated line",
        ),
        (
            "kommun,name,county,x,y\n0114,A,01,1,2\n0115,B,01,1,2\n",
            "same value",
            "constant indicator",
        ),
        (
            "kommun,name,county,x,y\n0114,A,01,,2\n0115,B,01,,3\n",
            "no ranked unit has a value",
            "all-missing indicator",
        ),
        (
            "kommun,name,county,x,y\n0114,A,01,1e400,2\n0115,B,01,1,3\n",
            "'1e400'",
            "overflow",
        ),
    ];
    for (data, needle, what) in cases {
        write(tmp.path(), "data.csv", data);
        let out = kommunrank_in(tmp.path(), &["rank", "--spec", "s.toml"]);
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(2), "{what}: {err}");
        assert!(err.contains(needle), "{what}: expected {needle:?} in {err}");
        assert!(!err.contains("panicked"), "{what}: {err}");
    }
    let out = kommunrank_in(tmp.path(), &["rank", "--spec", "missing.toml"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("missing.toml"));
}

#[test]
fn huge_values_and_custom_missing_markers() {
    let tmp = tempfile::tempdir().unwrap();
    write(
        tmp.path(),
        "s.toml",
        &spec(
            "[normalise]\nmethod = \"none\"\n[[indicator]]\nid = \"x\"\n[[indicator]]\nid = \"y\"\n",
        ),
    );
    write(
        tmp.path(),
        "data.csv",
        "kommun,name,county,x,y\n0114,A,01,1e308,1e308\n0115,B,01,1,3\n",
    );
    let out = kommunrank_in(tmp.path(), &["rank", "--spec", "s.toml"]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("overflows"), "{}", stderr(&out));
    write(tmp.path(), "s.toml", &spec(TWO));
    write(
        tmp.path(),
        "data.csv",
        "kommun,name,county,x,y\n0114,A,01,-1e308,1\n0115,B,01,1e308,3\n",
    );
    let out = kommunrank_in(tmp.path(), &["rank", "--spec", "s.toml"]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("overflows"), "{}", stderr(&out));
    // Configurable missing markers: "saknas" is missing, "NA" is then text.
    let s = spec(TWO).replace(
        "files = [\"data.csv\"]",
        "files = [\"data.csv\"]\nmissing = [\"\", \"saknas\"]",
    );
    write(tmp.path(), "m.toml", &s);
    write(
        tmp.path(),
        "data.csv",
        "kommun,name,county,x,y\n0114,A,01,1,saknas\n0115,B,01,2,3\n0117,C,01,3,4\n",
    );
    let j = json_of(
        tmp.path(),
        &["rank", "--spec", "m.toml", "--format", "json"],
    );
    assert_eq!(j["units"].as_array().unwrap().len(), 3);
    write(
        tmp.path(),
        "data.csv",
        "kommun,name,county,x,y\n0114,A,01,1,NA\n0115,B,01,2,3\n",
    );
    let out = kommunrank_in(tmp.path(), &["rank", "--spec", "m.toml"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("'NA'"), "{}", stderr(&out));
}

#[test]
fn directions_as_words_in_the_spec_and_in_a_metadata_table() {
    // y lower-is-better by word, in the spec and in a metadata table: both
    // rank as direction = -1 does.
    let tmp = tempfile::tempdir().unwrap();
    write(tmp.path(), "data.csv", DATA);
    let numeric = spec("[[indicator]]\nid = \"x\"\n[[indicator]]\nid = \"y\"\ndirection = -1\n");
    write(tmp.path(), "n.toml", &numeric);
    write(
        tmp.path(),
        "w.toml",
        &numeric.replace("direction = -1", "direction = \"lower\""),
    );
    write(tmp.path(), "meta.csv", "id;direction\nx;higher\ny;Lower\n");
    write(
        tmp.path(),
        "m.toml",
        &spec("[[indicator_table]]\nfile = \"meta.csv\"\nid = \"id\"\ndirection = \"direction\"\n"),
    );
    let scores = |s: &str| {
        let j = json_of(tmp.path(), &["rank", "--spec", s, "--format", "json"]);
        j["units"]
            .as_array()
            .unwrap()
            .iter()
            .map(|u| (u["id"].to_string(), u["score"].as_f64().unwrap()))
            .collect::<Vec<_>>()
    };
    let want = scores("n.toml");
    // Reversed, y gives 0114 100, 0117 50, 0115 0; with x (0, 66.7, 33.3):
    // 0117 58.3 above 0114 50 above 0115 16.7 (2321 has x only: 100).
    let order: Vec<&str> = want.iter().map(|(id, _)| id.as_str()).collect();
    assert_eq!(order, ["\"2321\"", "\"0117\"", "\"0114\"", "\"0115\""]);
    assert_eq!(scores("w.toml"), want);
    assert_eq!(scores("m.toml"), want);
    write(
        tmp.path(),
        "meta.csv",
        "id;direction\nx;higher\ny;sideways\n",
    );
    let out = kommunrank_in(tmp.path(), &["rank", "--spec", "m.toml"]);
    assert_eq!(out.status.code(), Some(2));
    let e = stderr(&out);
    assert!(e.contains("meta.csv") && e.contains("'sideways'"), "{e}");
}

#[test]
fn the_table_says_which_units_lack_data_and_how_they_were_scored() {
    let tmp = tempfile::tempdir().unwrap();
    write(tmp.path(), "data.csv", DATA);
    write(tmp.path(), "s.toml", &spec(TWO));
    let out = kommunrank_in(tmp.path(), &["rank", "--spec", "s.toml"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let t = stdout(&out);
    assert!(
        t.contains("Missing data: 1 of 4 scored units lack some indicators (e.g. 2321 Åre 50%); 1 missing values, none imputed"),
        "{t}"
    );
    write(
        tmp.path(),
        "m.toml",
        &spec(&format!("[missing]\nmethod = \"mean\"\n{TWO}")),
    );
    let t = stdout(&kommunrank_in(tmp.path(), &["rank", "--spec", "m.toml"]));
    assert!(t.contains("1 missing values, all 1 imputed"), "{t}");
    // validate says what a run would note.
    let t = stdout(&kommunrank_in(
        tmp.path(),
        &["validate", "--spec", "m.toml"],
    ));
    assert_has(&t, "note: indicator 'y': 1 missing value(s) imputed (mean)");
    write(tmp.path(), "data.csv", &DATA.replace(",4,\n", ",4,5\n"));
    let t = stdout(&kommunrank_in(tmp.path(), &["rank", "--spec", "s.toml"]));
    assert!(!t.contains("Missing data"), "{t}");
}

#[test]
fn top_k_lines_come_in_numeric_order_and_defaults_skip_k_of_all_units() {
    let tmp = tempfile::tempdir().unwrap();
    write(tmp.path(), "data.csv", DATA);
    write(tmp.path(), "s.toml", &spec(TWO));
    let lines = |extra: &[&str]| {
        let mut args = vec!["sensitivity", "--spec", "s.toml", "-n", "200"];
        args.extend(extra);
        let out = kommunrank_in(tmp.path(), &args);
        assert!(out.status.success(), "{}", stderr(&out));
        stdout(&out)
            .lines()
            .filter(|l| l.trim_start().starts_with("top-"))
            .map(|l| l.split_whitespace().next().unwrap().to_string())
            .collect::<Vec<_>>()
    };
    assert_eq!(lines(&["--top-k", "10,2"]), ["top-2", "top-10"]);
    // Defaults 1, 10 and n/4 = 1: 10 >= 4 units says nothing.
    assert_eq!(lines(&[]), ["top-1"]);
}

#[test]
fn xlsx_formulas_read_their_saved_values_and_unsaved_ones_are_refused() {
    // Sheet 1 is a cover sheet; the data is on sheet 2, x of 0115 a formula.
    let book_with = |x_result: &str| {
        // rust_xlsxwriter always saves a value (0 when none is set).
        let mut book = rust_xlsxwriter::Workbook::new();
        book.add_worksheet()
            .set_name("Info")
            .unwrap()
            .write_string(0, 0, "Survey 2022")
            .unwrap();
        let sheet = book.add_worksheet();
        sheet.set_name("Data").unwrap();
        for (r, line) in DATA.lines().enumerate() {
            for (c, f) in line.split(',').enumerate() {
                if r == 2 && c == 3 {
                    let formula = rust_xlsxwriter::Formula::new("=1+1").set_result(x_result);
                    sheet.write_formula(r as u32, c as u16, formula).unwrap();
                } else if !f.is_empty() {
                    sheet.write_string(r as u32, c as u16, f).unwrap();
                }
            }
        }
        book.save_to_buffer().unwrap()
    };
    let tmp = tempfile::tempdir().unwrap();
    write(tmp.path(), "data.csv", DATA);
    write(tmp.path(), "s.toml", &spec(TWO));
    let expected = json_of(
        tmp.path(),
        &["rank", "--spec", "s.toml", "--format", "json"],
    );
    std::fs::write(tmp.path().join("d.xlsx"), book_with("2")).unwrap();
    let args = ["rank", "--spec", "s.toml", "--data", "d.xlsx"];
    // The first sheet has no id column: the sheets are named.
    let out = kommunrank_in(tmp.path(), &args);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("sheets are Info, Data"),
        "{}",
        stderr(&out)
    );
    let mut with_sheet = args.to_vec();
    with_sheet.extend(["--sheet", "Data", "--format", "json"]);
    let got = json_of(tmp.path(), &with_sheet);
    assert_eq!(got["units"], expected["units"]);
    // A formula without a saved value (openpyxl writes none; see
    // fixtures/README.md) is refused, with the cell named.
    std::fs::copy(
        root().join("fixtures/xlsx/uncomputed_formula.xlsx"),
        tmp.path().join("d.xlsx"),
    )
    .unwrap();
    let out = kommunrank_in(tmp.path(), &with_sheet);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("sheet 'Data': 1 formula cell(s) have no saved value: D3"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn data_filter_keeps_one_kind_of_row_and_duplicates_point_to_it() {
    // A Kolada-style export with a gender column: T (total), K, M.
    let tmp = tempfile::tempdir().unwrap();
    write(
        tmp.path(),
        "long.csv",
        "kommun,indicator,value,year,gender\n0114,x,1,2022,T\n0114,x,7,2022,K\n0115,x,2,2022,T\n0115,x,0,2022,K\n0114,y,10,2022,T\n0115,y,30,2022,T\n0117,x,3,2022,T\n0117,y,20,2022,T\n",
    );
    let base = "[index]\nid = \"idx\"\n[data]\nfiles = [\"long.csv\"]\nyear = 2022\n";
    let rest = "[units]\nid = \"kommun\"\n[[indicator]]\nid = \"x\"\n[[indicator]]\nid = \"y\"\n";
    write(tmp.path(), "all.toml", &format!("{base}{rest}"));
    let out = kommunrank_in(tmp.path(), &["rank", "--spec", "all.toml"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("the rows differ in column 'gender' (T, K): keep one kind with filter = { gender = \"T\" }"),
        "{}",
        stderr(&out)
    );
    write(
        tmp.path(),
        "t.toml",
        &format!("{base}filter = {{ gender = \"T\" }}\n{rest}"),
    );
    let j = json_of(
        tmp.path(),
        &["rank", "--spec", "t.toml", "--format", "json"],
    );
    // The T rows are the small table of the other tests: x 1, 2, 3; y 10, 30, 20.
    let score = |id: &str| score_of(&j, id);
    assert!((score("0114") - 0.0).abs() < 1e-12);
    assert!((score("0115") - 75.0).abs() < 1e-12);
    assert!((score("0117") - 75.0).abs() < 1e-12);
    assert!(
        j["notes"].as_array().unwrap().iter().any(|n| n
            .as_str()
            .unwrap()
            .contains("kept 6 of 8 rows where gender is T")),
        "{}",
        j["notes"]
    );
    // A list of values keeps both kinds (and so duplicates again); a
    // misspelt column is named first.
    write(
        tmp.path(),
        "l.toml",
        &format!("{base}filter = {{ gender = [\"T\", \"K\"] }}\n{rest}"),
    );
    let out = kommunrank_in(tmp.path(), &["rank", "--spec", "l.toml"]);
    assert!(stderr(&out).contains("a second value"), "{}", stderr(&out));
    write(
        tmp.path(),
        "m.toml",
        &format!("{base}filter = {{ gendr = \"T\" }}\n{rest}"),
    );
    let out = kommunrank_in(tmp.path(), &["rank", "--spec", "m.toml"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("1. m.toml: data.filter.gendr: no data file has a column 'gendr'"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn init_drafts_a_spec_that_ranks_and_lists_what_it_left_out() {
    let tmp = tempfile::tempdir().unwrap();
    // As Swedish Excel saves it: ';', decimal comma, a county code, a yes/no
    // answer, a constant column and a column of free text.
    write(
        tmp.path(),
        "enkat.csv",
        "Kommun;Namn;Län;Andel e-tjänster;Väntetid dagar;Svarat;Version;Kommentar\n\
         0114;Upplands Väsby;01;12,5;30;ja;2;bra\n\
         0115;Vallentuna;01;14,1;45;nej;2;\n\
         0117;Österåker;01;9,0;20;ja;2;ok\n\
         2321;Åre;23;;60;ja;2;svårt\n",
    );
    let sub = tmp.path().join("specs");
    std::fs::create_dir(&sub).unwrap();
    let out = kommunrank_in(
        tmp.path(),
        &["init", "--data", "enkat.csv", "--out", "specs/enkat.toml"],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let draft = std::fs::read_to_string(sub.join("enkat.toml")).unwrap();
    for needle in [
        "files = [\"../enkat.csv\"]",
        "id = \"Kommun\"",
        "name = \"Namn\"",
        "groups = [\"Län\"]",
        "# within = [\"Län\"]",
        "id = \"e_tjanster\"\nlabel = \"Andel e-tjänster\"\ncolumn = \"Andel e-tjänster\"",
        "data for 3 of 4 units, 9 to 14.1",
        "id = \"vantetid_dagar\"\nlabel = \"Väntetid dagar\"",
        "direction = -1         # CHECK: lower is better? guessed from 'vantetid'",
        "# - id: 'Kommun', because it holds Swedish municipality codes (4 of the 290)",
        "# Svarat: answers ja, nej -> a points indicator:",
        "map = { \"ja\" = 1, \"nej\" = 0 }",
        "# Version: every unit has 2 (cannot tell units apart)",
        "# Kommentar: answers bra, ok, svårt (set each answer's points)",
    ] {
        assert_has(&draft, needle);
    }
    // It ranks as written, from its own folder. Waiting days count down
    // as drafted (the heading says so): 0114 leads with 68.6 (e-services)
    // and 75 (waiting), 0115 follows (100 and 37.5), and 2321, with the
    // longest wait alone, is last.
    let j = json_of(
        tmp.path(),
        &["rank", "--spec", "specs/enkat.toml", "--format", "json"],
    );
    assert_eq!(j["summary"]["ranked"], 4);
    assert_eq!(j["units"][0]["id"], "0114");
    assert_eq!(j["units"][1]["id"], "0115");
    assert_eq!(j["units"][3]["id"], "2321");
    // An existing spec is not replaced without --force.
    let again = ["init", "--data", "enkat.csv", "--out", "specs/enkat.toml"];
    let out = kommunrank_in(tmp.path(), &again);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("pass --force"), "{}", stderr(&out));
    let mut forced = again.to_vec();
    forced.push("--force");
    assert!(kommunrank_in(tmp.path(), &forced).status.success());
    // A workbook whose first sheet is a cover: the sheets are named, and
    // --sheet goes into the spec.
    let mut book = rust_xlsxwriter::Workbook::new();
    book.add_worksheet()
        .set_name("Info")
        .unwrap()
        .write_string(0, 0, "Enkät 2022")
        .unwrap();
    let sheet = book.add_worksheet().set_name("Data").unwrap();
    for (r, line) in DATA.lines().enumerate() {
        for (c, f) in line.split(',').enumerate().filter(|(_, f)| !f.is_empty()) {
            sheet.write_string(r as u32, c as u16, f).unwrap();
        }
    }
    book.save(tmp.path().join("enkat.xlsx")).unwrap();
    let out = kommunrank_in(tmp.path(), &["init", "--data", "enkat.xlsx"]);
    assert_eq!(out.status.code(), Some(2));
    assert_has(
        &stderr(&out),
        "sheets are Info, Data: choose one with --sheet",
    );
    let out = kommunrank_in(
        tmp.path(),
        &[
            "init",
            "--data",
            "enkat.xlsx",
            "--sheet",
            "Data",
            "--out",
            "x.toml",
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let draft = std::fs::read_to_string(tmp.path().join("x.toml")).unwrap();
    assert_has(
        &draft,
        "files = [{ path = \"enkat.xlsx\", sheet = \"Data\" }]",
    );
    let j = json_of(
        tmp.path(),
        &["rank", "--spec", "x.toml", "--format", "json"],
    );
    assert_eq!(j["summary"]["ranked"], 4);
    // Nothing numeric to rank on is an error.
    write(tmp.path(), "text.csv", "id;namn\n1;a\n2;b\n");
    let out = kommunrank_in(tmp.path(), &["init", "--data", "text.csv"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("nothing to rank"), "{}", stderr(&out));
    // A column with both decimal separators is left out, not drafted.
    write(
        tmp.path(),
        "mixed.csv",
        "kommun;a;b\n0114;1,5;1\n0115;2.5;2\n0117;3;3\n",
    );
    let out = kommunrank_in(tmp.path(), &["init", "--data", "mixed.csv"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_has(
        &stdout(&out),
        "# a: mixed decimal separators (a comma at line 2, a point at line 3)",
    );
    // b differs only for 0120, which has too little data to be ranked: left
    // out, and the draft still ranks.
    write(
        tmp.path(),
        "thin.csv",
        "kommun;a;b;d\n0114;1;5;3\n0115;2;5;1\n0117;3;5;2\n0120;;9;\n",
    );
    let out = kommunrank_in(tmp.path(), &["init", "--data", "thin.csv"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_has(
        &stdout(&out),
        "# b: the same for every unit with enough data to be ranked",
    );
    // Municipality codes saved as numbers: recognised, and padded.
    write(tmp.path(), "nums.csv", "kod,x\n114,1\n2321,3\n180,2\n");
    let out = kommunrank_in(
        tmp.path(),
        &["init", "--data", "nums.csv", "--out", "n.toml"],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert_has(&stderr(&out), "2 lost their leading zero");
    assert_has(
        &std::fs::read_to_string(tmp.path().join("n.toml")).unwrap(),
        "\nid_pad = 4 ",
    );
    let j = json_of(
        tmp.path(),
        &["rank", "--spec", "n.toml", "--format", "json"],
    );
    assert_eq!(j["units"][0]["id"], "2321");
    assert_eq!(j["units"][2]["id"], "0114");
    // Numbers of 3 and 4 digits that are not municipality codes: the
    // padding is offered, not applied.
    write(tmp.path(), "other.csv", "kod,x\n100,1\n2000,3\n180,2\n");
    let out = kommunrank_in(tmp.path(), &["init", "--data", "other.csv"]);
    assert_has(&stdout(&out), "\n# id_pad = 4 ");
    // Rows split by gender need a filter, which goes into the spec.
    write(
        tmp.path(),
        "long.csv",
        "kommun,indicator,value,year,gender\n0114,x,1,2022,T\n0114,x,7,2022,K\n0115,x,2,2022,T\n0117,x,3,2022,T\n",
    );
    let out = kommunrank_in(tmp.path(), &["init", "--data", "long.csv"]);
    assert_eq!(out.status.code(), Some(2));
    assert_has(&stderr(&out), "--filter gender=T");
    let args = [
        "init", "--data", "long.csv", "--filter", "gender=T", "--out", "g.toml",
    ];
    assert!(kommunrank_in(tmp.path(), &args).status.success());
    assert_has(
        &std::fs::read_to_string(tmp.path().join("g.toml")).unwrap(),
        "filter = { \"gender\" = \"T\" }",
    );
    let j = json_of(
        tmp.path(),
        &["rank", "--spec", "g.toml", "--format", "json"],
    );
    assert_eq!(j["units"][0]["id"], "0117");
}

#[test]
fn init_on_kolada_files_with_a_unit_list() {
    let Some(kolada) = shared("kolada") else {
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    let file = |k: &str| {
        kolada
            .join(format!("datapoints/{k}.csv"))
            .display()
            .to_string()
    };
    let units = kolada.join("municipalities.csv").display().to_string();
    let (a, b) = (file("n07918"), file("n00563"));
    let out = kommunrank_in(
        tmp.path(),
        &[
            "init", "--units", &units, "--data", &a, "--data", &b, "--out", "k.toml",
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let draft = std::fs::read_to_string(tmp.path().join("k.toml")).unwrap();
    for needle in [
        "id = \"geo\"",
        "file_id = \"kommun\"",
        "name = \"name\"",
        "year = 2022",
        "id = \"n07918\"",
        "id = \"n00563\"",
        "groups = [\"region\"]",
    ] {
        assert_has(&draft, needle);
    }
    let j = json_of(
        tmp.path(),
        &["rank", "--spec", "k.toml", "--format", "json"],
    );
    assert_eq!(j["summary"]["units_in_data"], 290);
    assert!(!stderr(&out).contains("lengths"), "{}", stderr(&out));
    // Without the unit list, the counties (2 digits) and the country (0)
    // are units too: init says so.
    let out = kommunrank_in(
        tmp.path(),
        &["init", "--data", &a, "--data", &b, "--out", "all.toml"],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let note = "the ids in 'geo' have 3 lengths (290 of 4 digits, 21 of 2 digits, 1 of 1 digit)";
    assert_has(&stderr(&out), note);
    assert_has(
        &std::fs::read_to_string(tmp.path().join("all.toml")).unwrap(),
        note,
    );
}

#[test]
fn a_spec_saved_as_windows_1252_is_read_and_a_workbook_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    write(tmp.path(), "data.csv", &DATA.replace(",x,y", ",x,Vård"));
    let text = spec(
        "[[indicator]]\nid = \"x\"\n[[indicator]]\nid = \"Vård\"\nlabel = \"Väntetid i vården\"\n",
    );
    let latin1: Vec<u8> = text
        .chars()
        .map(|c| u8::try_from(u32::from(c)).unwrap())
        .collect();
    std::fs::write(tmp.path().join("ansi.toml"), latin1).unwrap();
    write(tmp.path(), "utf8.toml", &text);
    let a = json_of(
        tmp.path(),
        &["rank", "--spec", "ansi.toml", "--format", "json"],
    );
    let b = json_of(
        tmp.path(),
        &["rank", "--spec", "utf8.toml", "--format", "json"],
    );
    assert_eq!(a["units"], b["units"]);
    assert_eq!(a["spec"]["indicators"][1]["label"], "Väntetid i vården");
    let mut book = rust_xlsxwriter::Workbook::new();
    book.add_worksheet().write_string(0, 0, "id").unwrap();
    book.save(tmp.path().join("book.xlsx")).unwrap();
    let out = kommunrank_in(tmp.path(), &["rank", "--spec", "book.xlsx"]);
    assert_eq!(out.status.code(), Some(2));
    assert_has(
        &stderr(&out),
        "the spec is not text (is it a spreadsheet or data file?)",
    );
}
