//! Re-weighting in the report's page: sliders moved in headless Chromium
//! to a scenario's weights give the ranks `kommunrank compare` gives for
//! that scenario (on real data with gaps and rounded ties, and on every
//! aggregation method and tie rule); the link keeps the weights; the map
//! follows; hostile names never run.

use crate::common::*;
use serde_json::Value;
use std::collections::HashMap;
use std::path::Path;

/// The JSON a report embeds in `<script type="application/json" id=ID>`.
fn embedded(html: &str, id: &str) -> Value {
    let start = html
        .find(&format!("id=\"{id}\">"))
        .unwrap_or_else(|| panic!("no {id}"))
        + id.len()
        + 6;
    let end = start + html[start..].find("</script>").unwrap();
    serde_json::from_str(&html[start..end]).unwrap()
}

/// Each table row's unit (its place in the page data) and rank, from a
/// DOM the browser dumped.
fn table_ranks(dom: &str) -> Vec<(usize, Option<f64>)> {
    let table = &dom[dom.find("id=\"rw-table\"").expect("re-weighting table")..];
    table
        .split("<tr data-u=\"")
        .skip(1)
        .map(|row| {
            let u: usize = row[..row.find('"').unwrap()].parse().unwrap();
            let rank = row.split("data-rank=\"").nth(1).unwrap();
            let rank = &rank[..rank.find('"').unwrap()];
            (u, rank.parse().ok())
        })
        .collect()
}

/// Moves every slider to each scenario's weights in turn (as a reader
/// would, by `input` events), and records the ranks and the link after each.
fn driver(scenarios: &[Vec<f64>]) -> String {
    format!(
        r#"<script>(function(){{
  var all = {}, out = [];
  all.forEach(function(w){{
    w.forEach(function(v, s){{
      var r = document.getElementById('rw-r' + s);
      if (v > parseFloat(r.max)) r.max = String(v);
      r.value = String(v);
      r.dispatchEvent(new Event('input', {{bubbles: true}}));
    }});
    var ranks = [], scores = [];
    Array.prototype.forEach.call(document.querySelectorAll('#rw-table tbody tr'), function(tr){{
      ranks[+tr.getAttribute('data-u')] = tr.getAttribute('data-rank');
      scores[+tr.getAttribute('data-u')] = tr.cells[4].textContent;
    }});
    out.push({{ranks: ranks, scores: scores, hash: location.hash}});
  }});
  var p = document.createElement('pre');
  p.id = 'test-out';
  p.textContent = JSON.stringify(out);
  document.body.appendChild(p);
}})();</script>"#,
        serde_json::to_string(scenarios).unwrap()
    )
}

/// What the page gives for each scenario (ranks by unit id, the link),
/// checked against `compare` on the same weights; returns the links.
fn page_matches_compare(
    dir: &Path,
    spec: &str,
    report: &Path,
    scenarios: &[Vec<f64>],
) -> Vec<String> {
    let browser = chromium().expect("checked by the caller");
    let html = std::fs::read_to_string(report).unwrap();
    let data = embedded(&html, "rw-data");
    let ids: Vec<String> = data["units"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["id"].as_str().unwrap().to_string())
        .collect();
    // The scenarios as `compare` reads them: the page's own CSV header.
    let mut csv = format!("{}\n", data["csv_header"].as_str().unwrap());
    for (i, w) in scenarios.iter().enumerate() {
        let cells: Vec<String> = w.iter().map(|v| format!("{v}")).collect();
        csv += &format!("s{i},{}\n", cells.join(","));
    }
    let sc = dir.join("scenarios.csv");
    std::fs::write(&sc, csv).unwrap();
    let out = kommunrank(&[
        "compare",
        "--spec",
        spec,
        "--scenarios",
        sc.to_str().unwrap(),
        "--format",
        "json",
        "--quiet",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let compared: Value = serde_json::from_str(&stdout(&out)).unwrap();
    let driven = dir.join("driven.html");
    std::fs::write(
        &driven,
        html.replace("</body>", &format!("{}</body>", driver(scenarios))),
    )
    .unwrap();
    let (dom, log) = dump_dom_and_log(&browser, dir, &format!("file://{}", driven.display()));
    assert!(dom.contains("data-ready=\"yes\""), "the script stopped");
    assert!(
        !log.contains("Uncaught") && !log.contains(":CONSOLE("),
        "console errors:\n{log}"
    );
    let out = &dom[dom.find("<pre id=\"test-out\">").unwrap() + 19..];
    let out = &out[..out.find("</pre>").unwrap()];
    let results: Vec<Value> = serde_json::from_str(
        &out.replace("&quot;", "\"")
            .replace("&lt;", "<")
            .replace("&gt;", ">")
            .replace("&amp;", "&"),
    )
    .unwrap();
    let mut links = Vec::new();
    for (i, result) in results.iter().enumerate() {
        let page: HashMap<&str, Option<f64>> = ids
            .iter()
            .zip(result["ranks"].as_array().unwrap())
            .map(|(id, r)| (id.as_str(), r.as_str().and_then(|r| r.parse().ok())))
            .collect();
        let units = compared["units"].as_array().unwrap();
        assert!(units.len() > 1);
        let shown: HashMap<&str, f64> = ids
            .iter()
            .zip(result["scores"].as_array().unwrap())
            .filter_map(|(id, s)| Some((id.as_str(), s.as_str()?.parse().ok()?)))
            .collect();
        for u in units {
            let id = u["id"].as_str().unwrap();
            let want = u["scenarios"][format!("s{i}")]["rank"].as_f64();
            assert_eq!(
                page[id], want,
                "scenario {i}, unit {id}: the page ranks it {:?}, compare {want:?}",
                page[id]
            );
            // The score the page shows (rounded for display) is compare's.
            let score = u["scenarios"][format!("s{i}")]["score"].as_f64().unwrap();
            let decimals = data["decimals"].as_u64().unwrap() as i32;
            assert!(
                (shown[id] - score).abs() <= 0.5001 * 10f64.powi(-decimals),
                "scenario {i}, unit {id}: the page shows {}, compare {score}",
                shown[id]
            );
        }
        links.push(result["hash"].as_str().unwrap().to_string());
    }
    links
}

/// Weights a reader might choose: one node's child tripled, one child set
/// to 0, and every weight drawn at random (seeded).
fn scenarios_for(report: &Path) -> Vec<Vec<f64>> {
    let html = std::fs::read_to_string(report).unwrap();
    let data = embedded(&html, "rw-data");
    let nominal: Vec<f64> = data["weights"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_f64().unwrap())
        .collect();
    let mut tripled = nominal.clone();
    tripled[0] *= 3.0;
    let mut zero = nominal.clone();
    zero[1] = 0.0;
    let mut state = 0x9e37_79b9_7f4a_7c15u64;
    let random: Vec<f64> = nominal
        .iter()
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            0.05 + (state % 1000) as f64 / 500.0
        })
        .collect();
    vec![tripled, zero, random]
}

/// Kolada's digital index: 290 municipalities with real gaps (re-weighted
/// over the indicators present), ranks on 2 published decimals with ties,
/// a map and Monte Carlo intervals.
#[test]
fn sliders_give_compares_ranks_on_kolada_and_the_link_keeps_them() {
    let (Some(_), Some(geo)) = (shared("kolada"), shared("geo")) else {
        return;
    };
    let Some(browser) = chromium() else { return };
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let spec = "examples/kolada_digital2022.toml";
    let mc = dir.join("mc.json");
    let report = dir.join("r.html");
    monte_carlo_json(spec, "500", &mc);
    let out = kommunrank(&[
        "report",
        "--spec",
        spec,
        "--sensitivity",
        mc.to_str().unwrap(),
        "--map",
        geo.join("swedish_municipalities.geojson").to_str().unwrap(),
        "--quiet",
        "--out",
        report.to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let scenarios = scenarios_for(&report);
    let links = page_matches_compare(dir, spec, &report, &scenarios);

    // The link of the last scenario, opened afresh, gives its ranks again
    // and colours the map by them.
    let link = links.last().unwrap();
    assert!(link.contains("w="), "{link}");
    let (dom, log) = dump_dom_and_log(&browser, dir, &format!("file://{}{link}", report.display()));
    assert!(dom.contains("data-ready=\"yes\"") && !log.contains("Uncaught"));
    let html = std::fs::read_to_string(&report).unwrap();
    let data = embedded(&html, "rw-data");
    let map = embedded(&html, "map-data");
    let reopened = table_ranks(&dom);
    assert_eq!(reopened.len(), data["units"].as_array().unwrap().len());
    // The same ranks as the slider run gave (checked against compare).
    let again = page_matches_compare(dir, spec, &report, &scenarios[2..]);
    assert_eq!(&again[0], link, "the same weights give the same link");
    let ranks: HashMap<usize, Option<f64>> = reopened.into_iter().collect();
    // "Download these weights" gives a scenario `compare` reads, with the
    // same ranks.
    let href = &dom[dom.find("id=\"rw-download\"").unwrap()..];
    let href = &href[href.find("href=\"").unwrap() + 6..];
    let href = &href[..href.find('"').unwrap()];
    let downloaded = percent_decode(
        href.strip_prefix("data:text/csv;charset=utf-8,")
            .expect("a CSV data link"),
    );
    let file = dir.join("downloaded.csv");
    std::fs::write(&file, &downloaded).unwrap();
    let out = kommunrank(&[
        "compare",
        "--spec",
        spec,
        "--scenarios",
        file.to_str().unwrap(),
        "--format",
        "json",
        "--quiet",
    ]);
    assert!(out.status.success(), "{downloaded}: {}", stderr(&out));
    let compared: Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(compared["scenarios"][0], "my weights");
    let ids: Vec<&str> = data["units"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["id"].as_str().unwrap())
        .collect();
    for u in compared["units"].as_array().unwrap() {
        let at = ids.iter().position(|id| *id == u["id"]).unwrap();
        assert_eq!(ranks[&at], u["scenarios"]["my weights"]["rank"].as_f64());
    }
    let ranked = ranks.values().filter(|r| r.is_some()).count();
    let ends: Vec<usize> = (1..=5).map(|k| (ranked * k).div_ceil(5)).collect();
    let colours = map["colours"].as_array().unwrap();
    let figure = &dom[dom.find("id=\"map-index\"").unwrap()..];
    let fills: Vec<&str> = figure
        .split("<use ")
        .skip(1)
        .take(map["units"].as_array().unwrap().len())
        .map(|u| {
            let f = &u[u.find("fill=\"").unwrap() + 6..];
            &f[..f.find('"').unwrap()]
        })
        .collect();
    let mut checked = 0;
    for (shape, unit) in map["units"].as_array().unwrap().iter().enumerate() {
        let Some(u) = unit.as_u64() else { continue };
        let Some(rank) = ranks[&(u as usize)] else {
            continue;
        };
        let class = ends
            .iter()
            .position(|&e| rank.ceil() as usize <= e)
            .unwrap();
        assert_eq!(fills[shape], colours[class], "shape {shape}, rank {rank}");
        checked += 1;
    }
    assert!(checked > 280, "{checked} shapes checked");
}

/// Every aggregation method the page recomputes (geometric, harmonic,
/// power mean, Mazziotta-Pareto, sum, mean-min, Copeland with a gap) and the tie rules (fractional ranks
/// on rounded scores with lowest best; ordinal with ties broken by id).
#[test]
fn sliders_give_compares_ranks_for_every_method_and_tie_rule() {
    let Some(_) = chromium() else { return };
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    // Ties by construction: units g and h have the same values; k and l
    // differ only beyond the rounding; m has a gap.
    let mut csv = String::from("code,name,a,b,c,d,e\n");
    let rows = [
        ("a", 3.0, 7.0, 2.0, 9.0, 4.0),
        ("b", 8.0, 1.0, 5.0, 2.0, 6.0),
        ("c", 5.0, 5.0, 5.0, 5.0, 5.0),
        ("d", 1.0, 9.0, 8.0, 1.0, 2.0),
        ("e", 9.0, 2.0, 1.0, 7.0, 8.0),
        ("f", 4.0, 6.0, 9.0, 3.0, 1.0),
        ("g", 6.0, 4.0, 3.0, 8.0, 7.0),
        ("h", 6.0, 4.0, 3.0, 8.0, 7.0),
        ("k", 2.0, 8.0, 6.0, 6.0, 3.0),
        ("l", 2.0000001, 8.0, 6.0, 6.0, 3.0),
        ("m", 7.0, f64::NAN, 4.0, 4.0, 9.0),
    ];
    for (id, a, b, c, d, e) in rows {
        let cell = |v: f64| {
            if v.is_nan() {
                String::new()
            } else {
                v.to_string()
            }
        };
        csv += &format!(
            "{id},Unit {id},{},{},{},{},{}\n",
            cell(a),
            cell(b),
            cell(c),
            cell(d),
            cell(e)
        );
    }
    std::fs::write(dir.join("d.csv"), csv).unwrap();
    let specs = [
        (
            "fractional.toml",
            "[index]\nid = \"i\"\naggregation = \"mazziotta_pareto\"\n[data]\nfiles = [\"d.csv\"]\n[units]\nid = \"code\"\nname = \"name\"\n[normalise]\nmethod = \"minmax\"\nlow = 1\nhigh = 100\n[ranking]\nmethod = \"fractional\"\nround = 1\nbest = \"lowest\"\n[[node]]\nid = \"p\"\naggregation = \"geometric\"\n[[node]]\nid = \"q\"\naggregation = \"generalised\"\np = 0.5\n[[node]]\nid = \"r\"\naggregation = \"harmonic\"\n[[indicator]]\nid = \"a\"\nparent = \"p\"\n[[indicator]]\nid = \"b\"\nparent = \"p\"\nweight = 2\n[[indicator]]\nid = \"c\"\nparent = \"q\"\n[[indicator]]\nid = \"d\"\nparent = \"q\"\n[[indicator]]\nid = \"e\"\nparent = \"r\"\n",
        ),
        (
            "ordinal.toml",
            "[index]\nid = \"i\"\naggregation = \"generalised\"\np = 3\n[data]\nfiles = [\"d.csv\"]\n[units]\nid = \"code\"\nname = \"name\"\n[ranking]\nmethod = \"ordinal\"\n[[node]]\nid = \"p\"\naggregation = \"sum\"\n[[node]]\nid = \"q\"\naggregation = \"generalised\"\np = -1\n[[indicator]]\nid = \"a\"\nparent = \"p\"\n[[indicator]]\nid = \"b\"\nparent = \"p\"\n[[indicator]]\nid = \"c\"\nparent = \"q\"\nnormalise = { method = \"minmax\", low = 1, high = 10 }\n[[indicator]]\nid = \"d\"\nparent = \"q\"\nnormalise = { method = \"minmax\", low = 1, high = 10 }\n[[indicator]]\nid = \"e\"\n",
        ),
    ];
    let specs = [
        specs[0],
        specs[1],
        (
            "copeland.toml",
            "[index]\nid = \"i\"\n[data]\nfiles = [\"d.csv\"]\n[units]\nid = \"code\"\nname = \"name\"\n[ranking]\nmethod = \"dense\"\n[[node]]\nid = \"p\"\n[[node]]\nid = \"q\"\naggregation = \"copeland\"\n[[indicator]]\nid = \"a\"\nparent = \"p\"\n[[indicator]]\nid = \"b\"\nparent = \"p\"\n[[indicator]]\nid = \"c\"\nparent = \"q\"\n[[indicator]]\nid = \"d\"\nparent = \"q\"\n[[indicator]]\nid = \"b2\"\ncolumn = \"b\"\nparent = \"q\"\n[[indicator]]\nid = \"e\"\n",
        ),
        (
            "meanmin.toml",
            "[index]\nid = \"i\"\naggregation = \"mean_min\"\nalpha = 0.7\nbeta = 2\n[data]\nfiles = [\"d.csv\"]\n[units]\nid = \"code\"\nname = \"name\"\n[[node]]\nid = \"p\"\naggregation = \"generalised\"\np = 3\n[[node]]\nid = \"q\"\n[[indicator]]\nid = \"a\"\nparent = \"p\"\n[[indicator]]\nid = \"b\"\nparent = \"p\"\n[[indicator]]\nid = \"c\"\nparent = \"q\"\n[[indicator]]\nid = \"d\"\nparent = \"q\"\n[[indicator]]\nid = \"e\"\n",
        ),
    ];
    for (name, text) in specs {
        std::fs::write(dir.join(name), text).unwrap();
        let spec = dir.join(name);
        let report = dir.join(format!("{name}.html"));
        let out = kommunrank(&[
            "report",
            "--spec",
            spec.to_str().unwrap(),
            "--quiet",
            "--out",
            report.to_str().unwrap(),
        ]);
        assert!(out.status.success(), "{name}: {}", stderr(&out));
        let scenarios = scenarios_for(&report);
        page_matches_compare(dir, spec.to_str().unwrap(), &report, &scenarios);
    }
}

/// Names, labels and ids from the data are embedded for the page's script
/// and shown in its table: none of them can end its element or run.
#[test]
fn reweighting_data_and_table_escape_hostile_names() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let html = report_of(
        dir,
        "code,name,x,y\na,</script><script>document.title='pwned'</script>,1,4\nb,\"<img src=x onerror=document.title='pwned'>\",2,2\nc,<!-- \u{2028}\u{2029} ' \",3,1\n",
        "[index]\nid = \"i\"\nlabel = \"</script><script>document.title='pwned'</script>\"\n[data]\nfiles = [\"d.csv\"]\n[units]\nid = \"code\"\nname = \"name\"\n[[indicator]]\nid = \"x\"\nlabel = \"<b onmouseover=alert(1)>x</b>\"\n[[indicator]]\nid = \"y\"\nlabel = \"y\\\"><script>document.title='pwned'</script>\"\n",
    );
    let data = &html[html.find("id=\"rw-data\">").unwrap() + 13..];
    let data = &data[..data.find("</script>").unwrap()];
    assert!(
        !data.contains('<') && !data.contains('\u{2028}') && !data.contains('\u{2029}'),
        "{data}"
    );
    assert!(!html.contains("<b onmouseover") && !html.contains("<img src=x"));
    let Some(browser) = chromium() else { return };
    let (dom, log) = dump_dom_and_log(
        &browser,
        dir,
        &format!("file://{}#w=2,1", dir.join("r.html").display()),
    );
    assert!(dom.contains("data-ready=\"yes\""), "the script stopped");
    assert!(!dom.contains("<title>pwned"), "a script in the data ran");
    assert!(!log.contains("Uncaught"), "{log}");
    // The names reached the table as text.
    assert!(dom.contains("&lt;/script&gt;&lt;script&gt;document.title="));
    assert_eq!(table_ranks(&dom).len(), 3);
}

/// `%XX` escapes decoded (as a browser decodes a data link).
fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' && i + 2 < b.len() {
            out.push(u8::from_str_radix(&s[i + 1..i + 3], 16).unwrap());
            i += 3;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    String::from_utf8(out).unwrap()
}
