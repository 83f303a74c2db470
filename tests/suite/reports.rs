//! Reports a person reads: the HTML report rendered in a real (headless)
//! Chromium, the Excel workbook read back with calamine, JSON on every
//! command.

use crate::common::*;
use calamine::{Reader, Xlsx};
use std::path::Path;
use std::process::Command;

fn make_report(dir: &Path, lang: &str) -> std::path::PathBuf {
    let mc = dir.join("mc.json");
    let sobol = dir.join("sobol.json");
    let report = dir.join(format!("report-{lang}.html"));
    for args in [
        vec![
            "sensitivity",
            "--runs",
            "2000",
            "--format",
            "json",
            "--quiet",
            "--out",
            mc.to_str().unwrap(),
        ],
        vec![
            "sensitivity",
            "--method",
            "sobol",
            "--base-samples",
            "128",
            "--bootstrap",
            "50",
            "--format",
            "json",
            "--quiet",
            "--out",
            sobol.to_str().unwrap(),
        ],
        vec![
            "report",
            "--sensitivity",
            mc.to_str().unwrap(),
            "--sensitivity",
            sobol.to_str().unwrap(),
            "--lang",
            lang,
            "--quiet",
            "--out",
            report.to_str().unwrap(),
        ],
    ] {
        let out = kommunrank(&args);
        assert!(out.status.success(), "{args:?}: {}", stderr(&out));
    }
    report
}

#[test]
fn html_report_renders_in_chromium() {
    let tmp = tempfile::tempdir().unwrap();
    let report = make_report(tmp.path(), "en");
    let html = std::fs::read_to_string(&report).unwrap();
    // Self-contained: nothing fetched from anywhere.
    for needle in ["http://", "https://", "<link", "src=\""] {
        let outside_svg_ns = html.replace("http://www.w3.org/2000/svg", "");
        assert!(
            !outside_svg_ns.contains(needle),
            "the report refers to {needle}"
        );
    }
    for section in [
        "id=\"ranking\"",
        "id=\"intervals\"",
        "id=\"sobol\"",
        "id=\"distributions\"",
        "id=\"correlations\"",
        "id=\"excluded\"",
        "id=\"methods\"",
        "id=\"provenance\"",
    ] {
        assert!(html.contains(section), "{section} missing");
    }
    let Some(browser) = chromium() else { return };
    let profile = tmp.path().join("profile");
    let flags = [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--enable-logging=stderr",
        "--v=0",
    ];
    let url = format!("file://{}", report.display());
    let dom = Command::new(&browser)
        .args(flags)
        .arg(format!("--user-data-dir={}", profile.display()))
        .args(["--virtual-time-budget=3000", "--dump-dom", &url])
        .output()
        .unwrap();
    let dom_text = String::from_utf8_lossy(&dom.stdout);
    let log = String::from_utf8_lossy(&dom.stderr);
    assert!(
        dom_text.contains("data-ready=\"yes\""),
        "the script did not run to the end"
    );
    assert!(
        !log.contains("Uncaught") && !log.contains(":CONSOLE("),
        "console errors:\n{log}"
    );
    // Charts rendered: the rank intervals have one circle per ranked unit,
    // and every chart has drawn shapes.
    let svgs = dom_text.matches("<svg").count();
    assert!(svgs >= 5, "{svgs} charts");
    assert!(dom_text.matches("<circle").count() >= 150);
    assert!(dom_text.matches("<rect").count() > 100);
    let shot = tmp.path().join("shot.png");
    let out = Command::new(&browser)
        .args(flags)
        .arg(format!("--user-data-dir={}", profile.display()))
        .args([
            "--window-size=1200,2400",
            &format!("--screenshot={}", shot.display()),
            &url,
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let png = std::fs::read(&shot).unwrap();
    assert!(
        png.starts_with(b"\x89PNG") && png.len() > 50_000,
        "screenshot of {} bytes",
        png.len()
    );
}

#[test]
fn swedish_report_uses_swedish_labels_and_decimal_comma() {
    let tmp = tempfile::tempdir().unwrap();
    let html = std::fs::read_to_string(make_report(tmp.path(), "sv")).unwrap();
    assert!(
        html.contains("lang=\"sv\"")
            && html.contains("Rangordning")
            && html.contains("Sök på namn")
    );
    assert!(html.contains(">14,00<"), "decimal comma");
    // The notes, chart keys and method lines are Swedish too.
    for sv in [
        "körningar, slumpfrö",
        "beräkningar, utfall",
        "punkt: nominell",
        "första ordningen",
        "minsta täckning 50 %",
    ] {
        assert!(html.contains(sv), "missing {sv:?}");
    }
    for en in [
        "runs, seed",
        "evaluations",
        "dot: nominal",
        "first order",
        "min coverage",
        "Missing values",
    ] {
        assert!(!html.contains(en), "English {en:?} in the Swedish report");
    }
}

#[test]
fn excel_workbook_reads_back_with_every_sheet() {
    let tmp = tempfile::tempdir().unwrap();
    let mc = tmp.path().join("mc.json");
    let out = kommunrank(&[
        "sensitivity",
        "--runs",
        "1000",
        "--format",
        "json",
        "--quiet",
        "--out",
        mc.to_str().unwrap(),
    ]);
    assert!(out.status.success());
    let book = tmp.path().join("results.xlsx");
    let out = kommunrank(&[
        "report",
        "--sensitivity",
        mc.to_str().unwrap(),
        "--quiet",
        "--out",
        book.to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let mut wb: Xlsx<_> = calamine::open_workbook(&book).unwrap();
    assert_eq!(
        wb.sheet_names(),
        vec![
            "Ranking",
            "Node scores",
            "Indicators",
            "Exclusions",
            "Audit",
            "Sensitivity",
            "Run statistics"
        ]
    );
    let ranking = wb.worksheet_range("Ranking").unwrap();
    assert_eq!(ranking.get((0, 0)).unwrap().to_string(), "Rank");
    // The ranks within groups the spec asks for (within = ["county"]).
    let headers = |r: &calamine::Range<calamine::Data>| -> Vec<String> {
        (0..r.width())
            .map(|c| r.get((0, c)).unwrap().to_string())
            .collect()
    };
    let within = headers(&ranking)
        .iter()
        .position(|h| h == "Rank within county")
        .expect("a rank within county column");
    assert_eq!(ranking.get((1, within)).unwrap().to_string(), "1");
    // Headers are labels, not ids; the indicators' values are there.
    assert!(
        headers(&wb.worksheet_range("Node scores").unwrap())
            .contains(&"E-services and apps (0-8)".to_string())
    );
    let values = wb.worksheet_range("Indicators").unwrap();
    assert!(headers(&values).contains(&"Offers apps (2 points)".to_string()));
    assert_eq!(values.height(), 291, "header + every unit of the data");
    assert_eq!(
        ranking.get((1, 1)).unwrap().to_string(),
        "0160",
        "ids stay text"
    );
    assert_eq!(ranking.height(), 187, "header + 186 ranked units");
    let excl = wb.worksheet_range("Exclusions").unwrap();
    assert_eq!(excl.height(), 105);
    let sens = wb.worksheet_range("Sensitivity").unwrap();
    assert_eq!(sens.get((0, 2)).unwrap().to_string(), "Nominal rank");
    // rank --out x.xlsx writes the same tables without sensitivity.
    let r = tmp.path().join("r.xlsx");
    assert!(
        kommunrank(&["rank", "--quiet", "--out", r.to_str().unwrap()])
            .status
            .success()
    );
    let wb: Xlsx<_> = calamine::open_workbook(&r).unwrap();
    assert_eq!(wb.sheet_names().len(), 5);
    // --lang sv: Swedish sheet names, headers and statuses.
    let sv = tmp.path().join("resultat.xlsx");
    let args = [
        "report",
        "--sensitivity",
        mc.to_str().unwrap(),
        "--lang",
        "sv",
        "--quiet",
        "--out",
        sv.to_str().unwrap(),
    ];
    assert!(kommunrank(&args).status.success());
    let mut wb: Xlsx<_> = calamine::open_workbook(&sv).unwrap();
    assert_eq!(
        wb.sheet_names(),
        vec![
            "Rangordning",
            "Nodpoäng",
            "Indikatorer",
            "Ej rangordnade",
            "Granskning",
            "Känslighet",
            "Körningsstatistik"
        ]
    );
    let ranking = wb.worksheet_range("Rangordning").unwrap();
    let header: Vec<String> = (0..3)
        .map(|c| ranking.get((0, c)).unwrap().to_string())
        .collect();
    assert_eq!(header, ["Rang", "Kod", "Namn"]);
    let last = ranking.width() - 1;
    assert_eq!(ranking.get((1, last)).unwrap().to_string(), "rangordnad");
}

#[test]
fn every_command_speaks_json() {
    let tmp = tempfile::tempdir().unwrap();
    let p = tmp.path().join("part.json");
    assert!(
        kommunrank(&[
            "sensitivity",
            "--runs",
            "1100",
            "--shard",
            "0/1",
            "--quiet",
            "--out",
            p.to_str().unwrap()
        ])
        .status
        .success()
    );
    let w = tmp.path().join("w.csv");
    std::fs::write(&w, "scenario,services\nheavy,3\n").unwrap();
    let commands: Vec<Vec<&str>> = vec![
        vec!["rank"],
        vec!["validate"],
        vec!["sensitivity", "--runs", "200", "--quiet"],
        vec!["sensitivity", "--method", "loo"],
        vec!["compare", "--scenarios", w.to_str().unwrap()],
        vec!["merge", p.to_str().unwrap()],
        vec!["audit"],
        vec!["explain", "--unit", "0180"],
    ];
    for mut c in commands {
        c.extend(["--format", "json"]);
        let out = kommunrank(&c);
        assert!(out.status.success(), "{c:?}: {}", stderr(&out));
        let _: serde_json::Value =
            serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{c:?}: {e}"));
    }
}

#[test]
fn cli_reference_is_current() {
    let out = kommunrank(&["reference"]);
    assert!(out.status.success());
    let doc = std::fs::read_to_string(root().join("docs/cli.md")).unwrap();
    assert!(
        stdout(&out) == doc,
        "docs/cli.md is stale: run `cargo run --release -- reference > docs/cli.md`"
    );
}

#[test]
fn report_for_a_small_index_with_unranked_units() {
    // 27 ranked units + the EU (scored, not ranked): small charts, ticks of 1.
    if shared("desi2022").is_none() {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let mc = tmp.path().join("mc.json");
    let html = tmp.path().join("desi.html");
    let spec = "examples/desi2022.toml";
    monte_carlo_json(spec, "500", &mc);
    let out = kommunrank(&[
        "report",
        "--spec",
        spec,
        "--sensitivity",
        mc.to_str().unwrap(),
        "--quiet",
        "--out",
        html.to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = std::fs::read_to_string(&html).unwrap();
    assert_eq!(text.matches("<circle").count(), 27);
    assert!(text.contains("scored, not ranked"));
    // A sensitivity result of another spec is refused.
    let other = kommunrank(&[
        "report",
        "--sensitivity",
        mc.to_str().unwrap(),
        "--quiet",
        "--out",
        tmp.path().join("x.html").to_str().unwrap(),
    ]);
    assert_eq!(other.status.code(), Some(2));
    assert!(stderr(&other).contains("another spec"));
}

#[test]
fn long_rankings_draw_the_top_and_bottom_intervals_and_say_so() {
    let tmp = tempfile::tempdir().unwrap();
    let mut data = String::from("id,x,y\n");
    for u in 0..400 {
        data += &format!("u{u:03},{},{}\n", (u * 37) % 400, (u * 91) % 400);
    }
    std::fs::write(tmp.path().join("d.csv"), data).unwrap();
    std::fs::write(
        tmp.path().join("s.toml"),
        "[index]\nid = \"big\"\n[data]\nfiles = [\"d.csv\"]\n[units]\nid = \"id\"\n[[indicator]]\nid = \"x\"\n[[indicator]]\nid = \"y\"\n",
    )
    .unwrap();
    let run = |args: &[&str]| {
        let out = kommunrank_in(tmp.path(), args);
        assert!(out.status.success(), "{args:?}: {}", stderr(&out));
    };
    run(&[
        "sensitivity",
        "--spec",
        "s.toml",
        "--runs",
        "200",
        "--out",
        "mc.json",
        "--quiet",
    ]);
    run(&[
        "report",
        "--spec",
        "s.toml",
        "--sensitivity",
        "mc.json",
        "--out",
        "r.html",
        "--quiet",
    ]);
    let html = std::fs::read_to_string(tmp.path().join("r.html")).unwrap();
    // Compact: the top and bottom 20; all, up to 200 + 100, on demand.
    for note in [
        "The chart shows the top 20 and the bottom 20 of the 400 units",
        "The chart shows the top 200 and the bottom 100 of the 400 units",
    ] {
        assert!(html.contains(note), "no note {note:?}");
    }
    let rows = html.matches("<circle").count();
    assert_eq!(rows, 40 + 300, "interval rows drawn");
    assert!(html.contains("<details class=\"all\"><summary>All units (400)</summary>"));
    // A unit searched for (in the middle, so not in the compact chart)
    // gets its interval drawn in a chart of its own.
    let Some(browser) = chromium() else { return };
    let search = |query: &str| {
        let page = tmp.path().join("searched.html");
        std::fs::write(
            &page,
            html.replace(
                "</body>",
                &format!("<script>var q = document.getElementById('search'); q.value = '{query}'; q.dispatchEvent(new Event('input'));</script></body>"),
            ),
        )
        .unwrap();
        let dom = dump_dom(&browser, tmp.path(), &format!("file://{}", page.display()));
        let chart = &dom[dom
            .find("id=\"iv-searched\"")
            .expect("the searched units' chart")..];
        let chart = &chart[..chart.find("</svg>").unwrap()];
        let ids: Vec<String> = chart
            .split("<g data-unit=\"")
            .skip(1)
            .map(|g| g[..g.find('"').unwrap()].to_string())
            .collect();
        (
            chart.starts_with("id=\"iv-searched\" data-row=\"12\" data-top=\"30\" hidden"),
            ids,
        )
    };
    let (hidden, ids) = search("u150");
    assert!(!hidden && ids == ["u150"], "{hidden} {ids:?}");
    let (hidden, ids) = search("u1");
    assert!(!hidden && ids.len() == 20, "at most 20 rows: {ids:?}");
    let (hidden, ids) = search("no such unit");
    assert!(hidden && ids.is_empty());
}

/// A map of Sweden: every municipality drawn once and used by both maps
/// (index by rank, width of the rank interval), coloured by its rank's
/// fifth, unranked ones hatched with their reason, the boundaries' source
/// named; the map alone as SVG; well under 300 KB added to the page.
#[test]
fn map_of_sweden_colours_every_municipality() {
    let (Some(_), Some(geo)) = (shared("kolada"), shared("geo")) else {
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    let spec = "examples/kolada_digital2022.toml";
    let mc = tmp.path().join("mc.json");
    let run = |args: &[&str]| {
        let out = kommunrank(args);
        assert!(out.status.success(), "{args:?}: {}", stderr(&out));
    };
    monte_carlo_json(spec, "500", &mc);
    let municipalities = geo.join("swedish_municipalities.geojson");
    let counties = geo.join("swedish_regions.geojson");
    let html = tmp.path().join("k.html");
    let plain = tmp.path().join("plain.html");
    let map_args = [
        "--map",
        municipalities.to_str().unwrap(),
        "--map-borders",
        counties.to_str().unwrap(),
    ];
    let write_report = |out: &Path, extra: &[&str]| {
        let mut args = vec![
            "report",
            "--spec",
            spec,
            "--sensitivity",
            mc.to_str().unwrap(),
            "--quiet",
            "--out",
            out.to_str().unwrap(),
        ];
        args.extend(extra);
        run(&args);
    };
    let report = |out: &Path, extra: &[&str]| {
        write_report(out, extra);
        std::fs::read_to_string(out).unwrap()
    };
    let text = report(&html, &map_args);
    let without = report(&plain, &[]);
    assert!(without.contains("No boundaries were given"));
    assert!(
        text.len() - without.len() < 300_000,
        "the maps add {} bytes",
        text.len() - without.len()
    );
    assert_eq!(
        text.matches("<path id=\"u").count(),
        290,
        "each shape defined once"
    );
    assert_eq!(text.matches("<use href=\"#u").count(), 2 * 290, "two maps");
    assert!(text.contains("Boundaries: swedish_municipalities.geojson, swedish_regions.geojson"));
    // Each unit's fill, checked against the ranking: the rank's fifth
    // (1-58 darkest), hatched when not ranked.
    let result: serde_json::Value =
        serde_json::from_slice(&kommunrank(&["rank", "--spec", spec, "--format", "json"]).stdout)
            .unwrap();
    let palette = ["#08306b", "#2171b5", "#4292c6", "#9ecae1", "#deebf7"];
    let first_map = &text[..text.find("Width of the 5–95% rank interval").unwrap()];
    let fill_of = |id: &str| {
        let at = first_map
            .find(&format!("({id})\n"))
            .unwrap_or_else(|| panic!("{id} has no shape"));
        let use_at = first_map[..at].rfind("<use ").unwrap();
        let fill = &first_map[use_at..at];
        fill[fill.find("fill=\"").unwrap() + 6..]
            .split('"')
            .next()
            .unwrap()
            .to_string()
    };
    let units = result["units"].as_array().unwrap();
    let ranked = units.iter().filter(|u| u["rank"].is_number()).count();
    for u in units.iter().filter(|u| u["rank"].is_number()) {
        let rank = u["rank"].as_f64().unwrap() as usize;
        let fifth = (0..5)
            .find(|&k| rank <= (ranked * (k + 1)).div_ceil(5))
            .unwrap();
        assert_eq!(fill_of(u["id"].as_str().unwrap()), palette[fifth], "{u}");
    }
    for e in result["excluded"].as_array().unwrap() {
        assert_eq!(fill_of(e["id"].as_str().unwrap()), "url(#unranked)");
    }
    assert!(first_map.contains("Gällivare (2523)\nnot ranked: data for"));
    // The map alone, for slides.
    let svg_path = tmp.path().join("map.svg");
    let svg = report(&svg_path, &map_args);
    assert!(svg.starts_with("<?xml") && svg.contains("xmlns=\"http://www.w3.org/2000/svg\""));
    assert_eq!(svg.matches("<use href=\"#u").count(), 290);
    // ... and as a PNG: about 1,500 pixels across, every rank fifth's
    // colour present, the text drawn (dark pixels right of the map).
    let png_path = tmp.path().join("map.png");
    write_report(&png_path, &map_args);
    let image = resvg::tiny_skia::Pixmap::load_png(&png_path).unwrap();
    assert!((1400..1700).contains(&image.width()), "{}", image.width());
    let rgb = |p: &resvg::tiny_skia::PremultipliedColorU8| {
        format!("#{:02x}{:02x}{:02x}", p.red(), p.green(), p.blue())
    };
    for colour in palette {
        let count = image.pixels().iter().filter(|p| rgb(p) == colour).count();
        assert!(count > 1000, "{colour}: {count} pixels");
    }
    let w = image.width() as usize;
    let legend_text = image
        .pixels()
        .iter()
        .enumerate()
        .filter(|(i, p)| i % w > w * 3 / 4 && p.red() < 60 && p.green() < 60 && p.blue() < 60)
        .count();
    assert!(
        legend_text > 500,
        "the legend's text was not drawn ({legend_text})"
    );
    // In the page, #map=NODE colours the first map by that node's ranks.
    if let Some(browser) = chromium() {
        let dom = dump_dom(
            &browser,
            tmp.path(),
            &format!("file://{}#map=connectivity", html.display()),
        );
        assert!(dom.contains("data-ready=\"yes\"") && dom.contains("data-node=\"connectivity\""));
        let first = &dom[dom.find("id=\"map-index\"").unwrap()..];
        let first = &first[..first.find("</figure>").unwrap()];
        // The borders (each drawn once, over the fills) stay unfilled.
        assert!(
            first.contains("<use class=\"mesh\" href=\"#mesh\" fill=\"none\""),
            "the borders' mesh was filled"
        );
        let node_ranked = units
            .iter()
            .filter(|u| u["node_ranks"]["connectivity"].is_number())
            .count();
        for u in units {
            let id = u["id"].as_str().unwrap();
            let at = first
                .find(&format!("({id})\n"))
                .unwrap_or_else(|| panic!("{id}"));
            let fill = &first[first[..at].rfind("<use ").unwrap()..at];
            let fill = fill[fill.find("fill=\"").unwrap() + 6..]
                .split('"')
                .next()
                .unwrap();
            match u["node_ranks"]["connectivity"].as_f64() {
                Some(rank) => {
                    let fifth = (0..5)
                        .find(|&k| rank as usize <= (node_ranked * (k + 1)).div_ceil(5))
                        .unwrap();
                    assert_eq!(fill, palette[fifth], "{id}");
                }
                None => assert_eq!(fill, "url(#unranked)", "{id}"),
            }
        }
    }
    // A property that is not there is named.
    let out = kommunrank(&[
        "report",
        "--spec",
        spec,
        "--map",
        municipalities.to_str().unwrap(),
        "--map-id",
        "kod",
        "--quiet",
        "--out",
        tmp.path().join("x.html").to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("property 'kod'"), "{}", stderr(&out));
}

/// Names and ids on a map come from the data: escaped in its hover texts.
#[test]
fn map_hover_texts_escape_hostile_names() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let square = |x: f64| {
        format!(
            "[[[{x},60],[{},60],[{},61],[{x},61],[{x},60]]]",
            x + 1.0,
            x + 1.0
        )
    };
    let features: Vec<String> = ["a", "b", "c"]
        .iter()
        .enumerate()
        .map(|(i, id)| format!("{{\"type\":\"Feature\",\"properties\":{{\"code\":\"{id}\"}},\"geometry\":{{\"type\":\"Polygon\",\"coordinates\":{}}}}}", square(i as f64)))
        .collect();
    std::fs::write(
        dir.join("m.geojson"),
        format!(
            "{{\"type\":\"FeatureCollection\",\"features\":[{}]}}",
            features.join(",")
        ),
    )
    .unwrap();
    let html = report_of(
        dir,
        "code,name,x\na,</title><script>alert(1)</script>,1\nb,\"<img src=x onerror=alert(2)>\",2\nc,C&C</script><script>document.title='pwned'</script><!-- \u{2028},3\n",
        "[index]\nid = \"i\"\n[data]\nfiles = [\"d.csv\"]\n[units]\nid = \"code\"\nname = \"name\"\n[map]\nfile = \"m.geojson\"\nid = \"code\"\ncredit = \"<b>test</b>\"\n[[indicator]]\nid = \"x\"\n",
    );
    assert_eq!(html.matches("<use href=\"#u").count(), 3);
    assert!(
        !html.contains("<script>alert")
            && !html.contains("<img src=x")
            && !html.contains("<b>test")
    );
    assert!(html.contains("&lt;/title&gt;&lt;script&gt;alert(1)&lt;/script&gt;"));
    assert!(html.contains("C&amp;C"));
    // The map's data for the page's script cannot end its element either,
    // and nothing in it runs: the script reaches its end, the page's title
    // is untouched.
    let data = &html[html.find("id=\"map-data\">").unwrap()..];
    let data = &data[..data.find("</script>").unwrap()];
    assert!(
        !data[15..].contains('<') && !data.contains('\u{2028}'),
        "{data}"
    );
    let Some(browser) = chromium() else { return };
    let dom = dump_dom(
        &browser,
        dir,
        &format!("file://{}#map=i", dir.join("r.html").display()),
    );
    assert!(dom.contains("data-ready=\"yes\""), "the script stopped");
    assert!(dom.contains("data-node=\"i\""));
    assert!(
        !dom.contains("pwned") || !dom.contains("<title>pwned"),
        "a script in the data ran"
    );
}
