//! An SKR analyst's first hour: `init` on sheets shaped as municipalities'
//! sheets are (codes as text or as numbers that lost their zero, a county
//! column, Swedish headings), in CSV as Swedish Excel saves it and in XLSX.

use crate::common::*;
use kommunrank::sweden;
use serde_json::Value;
use std::path::Path;

/// Swedish headings as municipalities' sheets have them.
const HEADINGS: [&str; 4] = [
    "Andel hushåll med bredband ≥ 100 Mbit/s (%)",
    "Antal e-tjänster",
    "Väntetid i dagar till särskilt boende",
    "Nöjd-Medborgar-Index, helhet (0-100)",
];

/// The four values of municipality `i` (of 290): made up, deterministic,
/// and different between municipalities.
fn values(i: usize) -> [f64; 4] {
    let x = i as f64;
    [
        40.0 + (x * 7.3) % 60.0,
        (i * 13 % 31) as f64,
        10.0 + (x * 3.7) % 190.0,
        40.0 + (x * 1.9) % 40.0,
    ]
}

/// A sheet of all 290 municipalities: `Kommunkod;Kommun;Län;...`, as
/// Swedish Excel saves it (UTF-8 with BOM, `;`, decimal comma); codes as
/// text (`0114`) or as numbers (`114`).
fn swedish_csv(codes_as_numbers: bool) -> String {
    let mut s = String::from("\u{feff}Kommunkod;Kommun;Län");
    for h in HEADINGS {
        s += ";";
        s += h;
    }
    s += "\r\n";
    for (i, m) in sweden::municipalities().iter().enumerate() {
        let code = if codes_as_numbers {
            m.code.trim_start_matches('0').to_string()
        } else {
            m.code.to_string()
        };
        s += &format!("{code};{};{}", m.name, m.county_name);
        for v in values(i) {
            s += &format!(";{}", format!("{v:.1}").replace('.', ","));
        }
        s += "\r\n";
    }
    s
}

/// The same sheet as a workbook, codes and values as numbers.
fn swedish_xlsx(path: &Path) {
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    for (c, h) in ["Kommunkod", "Kommun", "Län"]
        .iter()
        .chain(&HEADINGS)
        .enumerate()
    {
        sheet.write_string(0, c as u16, *h).unwrap();
    }
    for (i, m) in sweden::municipalities().iter().enumerate() {
        let r = i as u32 + 1;
        sheet
            .write_number(r, 0, m.code.parse::<f64>().unwrap())
            .unwrap();
        sheet.write_string(r, 1, m.name).unwrap();
        sheet.write_string(r, 2, m.county_name).unwrap();
        for (c, v) in values(i).iter().enumerate() {
            sheet.write_number(r, c as u16 + 3, *v).unwrap();
        }
    }
    book.save(path).unwrap();
}

/// Runs `init` on `file` in `dir`, then `rank` on the spec; returns the
/// spec, what init said, and the ranking.
fn init_and_rank(dir: &Path, file: &str) -> (String, String, Value) {
    let out = kommunrank_in(
        dir,
        &["init", "--data", file, "--out", "spec.toml", "--force"],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let spec = std::fs::read_to_string(dir.join("spec.toml")).unwrap();
    let ranked = kommunrank_in(dir, &["rank", "--spec", "spec.toml", "--format", "json"]);
    assert!(ranked.status.success(), "{}", stderr(&ranked));
    (
        spec,
        stderr(&out),
        serde_json::from_slice(&ranked.stdout).unwrap(),
    )
}

#[test]
fn init_recognises_municipality_codes_names_counties_and_headings() {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::write(tmp.path().join("text.csv"), swedish_csv(false)).unwrap();
    std::fs::write(tmp.path().join("numbers.csv"), swedish_csv(true)).unwrap();
    swedish_xlsx(&tmp.path().join("book.xlsx"));
    for (file, padded) in [
        ("text.csv", false),
        ("numbers.csv", true),
        ("book.xlsx", true),
    ] {
        let (spec, said, j) = init_and_rank(tmp.path(), file);
        let has = |needle: &str| assert!(spec.contains(needle), "{file}: {needle:?} in\n{spec}");
        has("[units]\nid = \"Kommunkod\"\n");
        has("name = \"Kommun\"\n");
        has("groups = [\"Län\"]");
        assert_eq!(spec.contains("\nid_pad = 4 "), padded, "{file}:\n{spec}");
        // Short ASCII ids, the headings as labels, a direction to check.
        for (id, heading) in [
            ("hushall_bredband_100_mbit_s", HEADINGS[0]),
            ("e_tjanster", HEADINGS[1]),
            ("vantetid_dagar_sarskilt_boende", HEADINGS[2]),
            ("nojd_medborgar_index_helhet", HEADINGS[3]),
        ] {
            has(&format!(
                "id = \"{id}\"\nlabel = \"{heading}\"\ncolumn = \"{heading}\"\n"
            ));
        }
        assert_eq!(spec.matches("# CHECK").count(), 4, "{file}");
        has("direction = -1         # CHECK: lower is better? guessed from 'vantetid'");
        assert!(
            !spec.contains("id = \"kommunkod\""),
            "the code is no indicator"
        );
        // init says what it guessed, why, and how to change it.
        for needle in [
            "id: 'Kommunkod', because it holds Swedish municipality codes (290 of the 290)",
            "To change: another column: --id COLUMN",
            "name: 'Kommun'",
            "groups: 'Län', because its heading names groups, 21 different values",
            "indicators: 4 numeric columns",
        ] {
            assert!(said.contains(needle), "{file}: {needle:?} in\n{said}");
        }
        assert_eq!(
            said.contains("lost their leading zero"),
            padded,
            "{file}: {said}"
        );
        // The draft ranks every municipality under its 4-digit code, with
        // its county.
        assert_eq!(j["summary"]["ranked"], 290, "{file}");
        let units = j["units"].as_array().unwrap();
        let stockholm = units.iter().find(|u| u["id"] == "0180").expect("0180");
        assert_eq!(stockholm["name"], "Stockholm");
        assert_eq!(
            stockholm["groups"]["Län"], "Region Stockholm",
            "{stockholm}"
        );
        assert!(units.iter().all(|u| u["id"].as_str().unwrap().len() == 4));
    }
    // The guesses can be overridden.
    let out = kommunrank_in(
        tmp.path(),
        &[
            "init", "--data", "text.csv", "--group", "none", "--name", "Kommun",
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(!stdout(&out).contains("groups ="), "{}", stdout(&out));
    assert!(stderr(&out).contains("name: 'Kommun', because it was given with --name"));
}

#[test]
fn init_keeps_ids_unique_when_headings_shorten_alike() {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::write(
        tmp.path().join("d.csv"),
        "Kommunkod;Kommun;Andel (%) 2021;Andel (%) 2022;Andel elever (%);Andel elever, %\n\
         0114;Upplands Väsby;1;4;7;1\n0115;Vallentuna;2;5;9;2\n0117;Österåker;3;6;8;4\n",
    )
    .unwrap();
    let out = kommunrank_in(tmp.path(), &["init", "--data", "d.csv"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let spec = stdout(&out);
    for id in ["andel_2021", "andel_2022", "elever", "elever_2"] {
        assert!(
            spec.contains(&format!("id = \"{id}\"\n")),
            "{id} in\n{spec}"
        );
    }
}

/// The words of `text`: runs of letters, without those holding a digit
/// (fingerprints, codes) or listed in `allowed`.
fn words_of(
    text: &str,
    allowed: &std::collections::BTreeSet<String>,
) -> std::collections::BTreeSet<String> {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty() && !w.chars().any(|c| c.is_ascii_digit()))
        .filter(|w| !allowed.contains(*w))
        .map(str::to_string)
        .collect()
}

/// What a reader sees of an HTML page: text, tooltips (`<title>`,
/// `title=`), placeholders and labels; no script or style.
fn visible(html: &str) -> String {
    let strip = |text: &str, open: &str, close: &str| {
        let mut kept = String::new();
        let mut rest = text;
        while let Some(a) = rest.find(open) {
            kept += &rest[..a];
            rest = rest[a..]
                .find(close)
                .map_or("", |b| &rest[a + b + close.len()..]);
        }
        kept + rest
    };
    let out = strip(&strip(html, "<script", "</script>"), "<style", "</style>");
    let mut text = String::new();
    let mut attrs = String::new();
    let mut in_tag = false;
    let mut tag = String::new();
    for c in out.chars() {
        match (in_tag, c) {
            (false, '<') => {
                in_tag = true;
                tag.clear();
                text.push(' ');
            }
            (true, '>') => {
                in_tag = false;
                for key in ["title=\"", "placeholder=\"", "aria-label=\""] {
                    if let Some(a) = tag.find(key) {
                        let v = &tag[a + key.len()..];
                        attrs += " ";
                        attrs += &v[..v.find('"').unwrap_or(v.len())];
                    }
                }
            }
            (true, c) => tag.push(c),
            (false, c) => text.push(c),
        }
    }
    (text + &attrs)
        .replace("&amp;", "&")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
}

/// Words that are the same in both languages, or names: allowed in Swedish
/// output. Everything else a Swedish output shares with the English one is
/// an untranslated word.
fn allowed_words() -> std::collections::BTreeSet<String> {
    let mut allowed: std::collections::BTreeSet<String> = [
        "Monte",
        "Carlo",
        // File formats and the command a note names.
        "CSV",
        "JSON",
        "geojson",
        "report",
        "Sobol",
        "Spearman",
        "Pearson",
        "Kendall",
        "N",
        "S",
        "Ti",
        "i",
        "r",
        "P",
        "k",
        "bootstrap",
        "PCA",
        "n",
        "w",
        "nom",
        "median",
        "Median",
        "tau",
        "b",
        "Data",
        "data",
        "kommunrank",
        "compare", // the command named in the re-weighting section
        "min",
        "max",
        "Min",
        "Max",
        "Status",
        // spec keys quoted in messages
        "screening",
        "coverage",
        "format",
        "csv",
        "json",
        "builtin",
        "spec",
        "toml",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    // Names, ids and labels come from the data and the spec.
    let data =
        std::fs::read_to_string(root().join("fixtures/eservice2014/eservice2014.csv")).unwrap();
    allowed.extend(words_of(&data, &Default::default()));
    fn strings(v: &toml::Value, out: &mut Vec<String>) {
        match v {
            toml::Value::String(s) => out.push(s.clone()),
            toml::Value::Array(a) => a.iter().for_each(|x| strings(x, out)),
            toml::Value::Table(t) => t.iter().for_each(|(k, x)| {
                out.push(k.clone());
                strings(x, out)
            }),
            _ => {}
        }
    }
    let spec: toml::Value = toml::from_str(
        &std::fs::read_to_string(root().join("fixtures/eservice2014/spec.toml")).unwrap(),
    )
    .unwrap();
    let mut texts = Vec::new();
    strings(&spec, &mut texts);
    allowed.extend(words_of(&texts.join(" "), &Default::default()));
    allowed
}

/// Numbers written with a decimal point (`0.25`), outside `except`.
fn decimal_points(text: &str, except: &str) -> Vec<String> {
    let text = text.replace(except, "");
    let b: Vec<char> = text.chars().collect();
    (1..b.len().saturating_sub(1))
        .filter(|&i| b[i] == '.' && b[i - 1].is_ascii_digit() && b[i + 1].is_ascii_digit())
        .map(|i| {
            b[i.saturating_sub(12)..(i + 8).min(b.len())]
                .iter()
                .collect()
        })
        .collect()
}

/// Every word and number of the Swedish HTML report, workbook and
/// terminal table is Swedish: no word of the English output is left
/// (beyond names from the data and the spec, and words both languages
/// share), and no decimal point.
#[test]
fn swedish_outputs_have_no_english_words_or_decimal_points() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    std::fs::write(
        dir.join("w.csv"),
        "scenario,services,communication,organisation\nlika,1,1,1\ntjanst,3,1,1\n",
    )
    .unwrap();
    let run = |args: &[&str]| {
        let out = kommunrank_in(dir, args);
        assert!(out.status.success(), "{args:?}: {}", stderr(&out));
        stdout(&out)
    };
    run(&[
        "sensitivity",
        "--runs",
        "2000",
        "--out",
        "mc.json",
        "--quiet",
    ]);
    run(&[
        "sensitivity",
        "--method",
        "sobol",
        "-N",
        "64",
        "--out",
        "sobol.json",
        "--quiet",
    ]);
    let mut allowed = allowed_words();
    // The scenarios' names are the user's.
    allowed.extend(["lika".to_string(), "tjanst".to_string()]);
    let version = env!("CARGO_PKG_VERSION");
    let mut failures = Vec::new();
    let mut compare = |what: &str, en: &str, sv: &str| {
        let english = words_of(en, &allowed);
        // A name cut short in a chart (`collab_procur…`) is still a name.
        let truncated =
            |w: &String| w.len() >= 3 && allowed.iter().any(|a| a.starts_with(w.as_str()));
        let left: Vec<String> = words_of(sv, &allowed)
            .into_iter()
            .filter(|w| english.contains(w) && !truncated(w))
            .collect();
        if !left.is_empty() {
            failures.push(format!("{what}: English words {left:?}"));
        }
        let points = decimal_points(sv, version);
        if !points.is_empty() {
            failures.push(format!("{what}: decimal points in {points:?}"));
        }
    };
    // The HTML report.
    for lang in ["en", "sv"] {
        run(&[
            "report",
            "--sensitivity",
            "mc.json",
            "--sensitivity",
            "sobol.json",
            "--lang",
            lang,
            "--out",
            &format!("{lang}.html"),
        ]);
    }
    let page = |l: &str| visible(&std::fs::read_to_string(dir.join(format!("{l}.html"))).unwrap());
    compare("HTML report", &page("en"), &page("sv"));
    // The terminal table.
    compare(
        "rank table",
        &run(&["rank"]),
        &run(&["rank", "--lang", "sv"]),
    );
    for (what, args) in [
        (
            "Monte Carlo table",
            &["sensitivity", "--runs", "2000", "--quiet"][..],
        ),
        (
            "Sobol table",
            &["sensitivity", "--method", "sobol", "-N", "64", "--quiet"],
        ),
        (
            "leave-one-out table",
            &["sensitivity", "--method", "loo", "--quiet"],
        ),
        ("audit table", &["audit"]),
        ("compare table", &["compare", "--scenarios", "w.csv"]),
        ("explain table", &["explain", "0180"]),
    ] {
        compare(what, &run(args), &run(&[args, &["--lang", "sv"]].concat()));
    }
    // The workbook: sheet names, headers and text cells.
    for lang in ["en", "sv"] {
        run(&[
            "report",
            "--sensitivity",
            "mc.json",
            "--lang",
            lang,
            "--out",
            &format!("{lang}.xlsx"),
        ]);
    }
    let book = |l: &str| {
        let path = dir.join(format!("{l}.xlsx"));
        let source = kommunrank::input::Source::Path(path);
        let first = kommunrank::input::read_raw(&source, &Default::default()).unwrap();
        let mut text = first.sheets.join(" ");
        for sheet in &first.sheets {
            let options = kommunrank::input::ReadOptions {
                sheet: Some(sheet.clone()),
                ..Default::default()
            };
            let raw = kommunrank::input::read_raw(&source, &options).unwrap();
            text += &format!(" {}", raw.header.join(" "));
            for row in &raw.rows {
                for cell in &row.cells {
                    if let kommunrank::input::RawCell::Text(t) = cell {
                        text += &format!(" {t}");
                    }
                }
            }
        }
        text
    };
    compare("workbook", &book("en"), &book("sv"));
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// Every kind of run note (and every treatment reason in it) reads in
/// Swedish: no word of its English form left, no decimal point.
#[test]
fn every_note_reads_in_swedish() {
    use kommunrank::pipeline::Note;
    use kommunrank::pipeline::note::GoalpostsWarning;
    use kommunrank::pipeline::treat::{Side, TreatmentAction, TreatmentReason};
    use kommunrank::report::{Lang, words};
    use kommunrank::spec::{GroupFallback, MissingMethod, Transform};
    let treated = |action, reason| Note::Treated {
        indicator: "gini".into(),
        action,
        reason,
    };
    let rule = [2.0, 3.5];
    let found = [2.25, 4.125];
    let goalposts = |transform, raw_bounds, clip| {
        Note::Goalposts(GoalpostsWarning {
            indicator: "gni".into(),
            outside: 3,
            total: 3,
            bounds: [4.6, 11.2],
            clip,
            transform,
            raw_bounds,
        })
    };
    let notes = vec![
        Note::Filtered {
            source: "d.csv".into(),
            kept: 290,
            rows: 870,
            column: "kon".into(),
            values: vec!["T".into(), "Totalt".into()],
        },
        Note::IdsIgnored {
            count: 22,
            list: "kommuner.csv".into(),
            shown: vec!["0000".into(), "01".into()],
        },
        Note::CoverageAfterImputation,
        Note::GroupFallback {
            indicator: "gini".into(),
            groups: vec!["Gotland".into()],
            fallback: GroupFallback::OverallMean,
        },
        Note::GroupFallback {
            indicator: "gini".into(),
            groups: vec!["Gotland".into()],
            fallback: GroupFallback::None,
        },
        Note::Imputed {
            indicator: "gini".into(),
            count: 3,
            method: MissingMethod::Mean,
        },
        treated(TreatmentAction::None, TreatmentReason::TooFewValues),
        treated(
            TreatmentAction::None,
            TreatmentReason::Passes { rule, found },
        ),
        treated(
            TreatmentAction::Winsorised,
            TreatmentReason::Winsorised {
                rule,
                found,
                points: 3,
                steps: 3,
                side: Side::Both,
            },
        ),
        treated(
            TreatmentAction::Log,
            TreatmentReason::Logged {
                rule,
                found,
                points: 5,
                max_points: 5,
                formula: "ln(x - min + 1)",
                still: Some([2.5, 7.25]),
            },
        ),
        treated(
            TreatmentAction::Winsorised,
            TreatmentReason::Quantiles {
                quantiles: [0.05, 0.95],
                bounds: [1.5, 9.5],
            },
        ),
        treated(
            TreatmentAction::BoxCox,
            TreatmentReason::BoxCox { lambda: 0.5 },
        ),
        goalposts(None, false, true),
        goalposts(Some(Transform::Log), true, false),
        goalposts(Some(Transform::Log), false, true),
    ];
    // Ids, spec keys, the log's formula and the user's file names stay.
    let mut allowed = allowed_words();
    for w in [
        "gini",
        "gni",
        "d",
        "csv",
        "kon",
        "T",
        "Totalt",
        "kommuner",
        "Gotland",
        "JRC",
        "ln",
        "x",
        "max_points",
        "lambda",
        "Box",
        "Cox",
        "screening",
        "coverage_on",
        "imputed",
        "missing",
        "group_fallback",
        "group",
        "fallback",
        "none",
        "transform",
        "log",
        "bounds",
        "raw",
        "normalise",
    ] {
        allowed.insert(w.to_string());
    }
    let mut failures = Vec::new();
    for n in &notes {
        let (en, sv) = (words::note(n, Lang::En), words::note(n, Lang::Sv));
        assert_eq!(en, n.to_string());
        let english = words_of(&en, &allowed);
        let left: Vec<String> = words_of(&sv, &allowed)
            .into_iter()
            .filter(|w| english.contains(w))
            .collect();
        if !left.is_empty() {
            failures.push(format!("{sv}: English words {left:?}"));
        }
        let points = decimal_points(&sv, "");
        if !points.is_empty() {
            failures.push(format!("{sv}: decimal points {points:?}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// CSV for spreadsheets: names that would be formulas are neutralised with
/// a leading `'` (OWASP), numbers stay numbers; the Excel-Sweden dialect
/// has a BOM, `;` and decimal commas, the plain one neither.
#[test]
fn csv_neutralises_formulas_and_speaks_swedish_excel() {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::write(
        tmp.path().join("d.csv"),
        "kommun,name,x\n0114,\"=HYPERLINK(\"\"http://x\"\";\"\"klick\"\")\",-1.5\n0115,+46 8 123,2.25\n0117,@SUM(A1),3\n0120,Täby,-2\n",
    )
    .unwrap();
    std::fs::write(
        tmp.path().join("s.toml"),
        "[index]\nid = \"i\"\n[data]\nfiles = [\"d.csv\"]\n[units]\nid = \"kommun\"\nname = \"name\"\n\
         [normalise]\nmethod = \"none\"\n[[indicator]]\nid = \"x\"\n",
    )
    .unwrap();
    let csv = |extra: &[&str]| {
        let mut args = vec!["rank", "--spec", "s.toml", "--format", "csv"];
        args.extend(extra);
        let out = kommunrank_in(tmp.path(), &args);
        assert!(out.status.success(), "{}", stderr(&out));
        out.stdout
    };
    let plain = String::from_utf8(csv(&[])).unwrap();
    for line in [
        "3,0114,\"'=HYPERLINK(\"\"http://x\"\";\"\"klick\"\")\",-1.5,",
        "1,0117,'@SUM(A1),3,",
        "2,0115,'+46 8 123,2.25,",
        "Täby,-2,",
    ] {
        assert!(plain.contains(line), "{line:?} in\n{plain}");
    }
    assert!(!plain.starts_with('\u{feff}'));
    let excel = csv(&["--csv-dialect", "excel-sv"]);
    assert!(excel.starts_with(&[0xEF, 0xBB, 0xBF]), "BOM");
    let excel = String::from_utf8(excel).unwrap();
    for line in [
        "3;0114;\"'=HYPERLINK(\"\"http://x\"\";\"\"klick\"\")\";-1,5;",
        "2;0115;'+46 8 123;2,25;",
        "\r\n",
    ] {
        assert!(excel.contains(line), "{line:?} in\n{excel}");
    }
    // --lang sv makes it the default, with Swedish headers.
    let sv = String::from_utf8(csv(&["--lang", "sv"])).unwrap();
    assert!(sv.starts_with("\u{feff}rang;kod;namn;poäng;"), "{sv}");
}

/// A sheet with a total row (`Riket`, code 0000, no county) below the
/// municipalities: the code column is still recognised (and padded), the
/// county still a group, and init names the odd row.
#[test]
fn init_sees_through_a_total_row() {
    let tmp = tempfile::tempdir().unwrap();
    let mut sheet = swedish_csv(true);
    sheet += "0000;Riket;;70,0;15;50,0;60,0\r\n";
    std::fs::write(tmp.path().join("riket.csv"), sheet).unwrap();
    let (spec, said, j) = init_and_rank(tmp.path(), "riket.csv");
    assert!(
        spec.contains("[units]\nid = \"Kommunkod\"\nid_pad = 4 "),
        "{spec}"
    );
    assert!(spec.contains("groups = [\"Län\"]"), "{spec}");
    assert!(
        said.contains("1 other value (0000) will be units too unless you drop its rows"),
        "{said}"
    );
    assert_eq!(j["summary"]["ranked"], 291);
}
