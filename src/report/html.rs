//! The HTML report: one self-contained file (inline CSS, SVG and a few lines
//! of script for sorting and searching; nothing fetched), in English or
//! Swedish (labels and decimal comma).

use super::Lang;
use super::charts::{self, Bar, Interval, esc};
use super::results::{McResults, SobolResults};
use crate::audit::index_audit::Audit;
use crate::pipeline::RankResult;
use crate::sensitivity::statistic;
use crate::spec::Member;
use std::fmt::Write;

struct Labels {
    ranking: &'static str,
    search: &'static str,
    rank: &'static str,
    id: &'static str,
    name: &'static str,
    score: &'static str,
    ranked_of: &'static str,
    excluded: &'static str,
    reason: &'static str,
    intervals: &'static str,
    intervals_missing: &'static str,
    sobol: &'static str,
    sobol_missing: &'static str,
    distributions: &'static str,
    correlations: &'static str,
    methods: &'static str,
    notes: &'static str,
    provenance: &'static str,
    spec: &'static str,
    none: &'static str,
    indicator: &'static str,
    direction: &'static str,
    weight: &'static str,
    effective: &'static str,
    normalisation: &'static str,
    aggregation: &'static str,
    hierarchy: &'static str,
    not_ranked: &'static str,
    runs: &'static str,
    seed: &'static str,
    mean_shift: &'static str,
    evaluations: &'static str,
    output: &'static str,
    missing_values: &'static str,
    screening: &'static str,
    min_coverage: &'static str,
    rounded: (&'static str, &'static str),
    chart: charts::ChartWords,
    /// Which units a long rank-interval chart shows (top, bottom, all).
    shown: fn(usize, usize, usize) -> String,
}

/// Rank-interval rows of the compact chart: the top and bottom of longer
/// rankings (all of them, up to the caps below, on demand).
const COMPACT_TOP: usize = 20;
const COMPACT_BOTTOM: usize = 20;
/// Rank-interval rows drawn at most: the top and bottom of longer rankings.
const INTERVAL_TOP: usize = 200;
const INTERVAL_BOTTOM: usize = 100;

const EN: Labels = Labels {
    ranking: "Ranking",
    search: "Search by name or id",
    rank: "Rank",
    id: "Id",
    name: "Name",
    score: "Score",
    ranked_of: "ranked of",
    excluded: "Units not ranked",
    reason: "Reason",
    intervals: "How stable are the ranks? Rank intervals",
    intervals_missing: "No Monte Carlo result was given: run `kommunrank sensitivity --format json --out mc.json` and pass `--sensitivity mc.json`.",
    sobol: "Which choices move the ranks? Sobol indices",
    sobol_missing: "No Sobol result was given: run `kommunrank sensitivity --method sobol --format json --out sobol.json` and pass `--sensitivity sobol.json`.",
    distributions: "Score distributions",
    correlations: "Correlations between indicators (Pearson, normalised values)",
    methods: "Methods",
    notes: "Notes on this run",
    provenance: "Provenance",
    spec: "Spec",
    none: "none",
    indicator: "Indicator",
    direction: "Direction",
    weight: "Weight in node",
    effective: "Effective weight",
    normalisation: "Normalisation",
    aggregation: "aggregation",
    hierarchy: "Hierarchy",
    not_ranked: "scored, not ranked",
    runs: "runs",
    seed: "seed",
    mean_shift: "mean |rank shift|",
    evaluations: "evaluations",
    output: "output",
    missing_values: "Missing values",
    screening: "Screening",
    min_coverage: "min coverage",
    rounded: ("scores rounded to", "decimals before ranking"),
    chart: charts::CHART_EN,
    shown: |top, bottom, n| {
        format!(
            "The chart shows the top {top} and the bottom {bottom} of the {n} units (all of them below); every unit's interval is in the Monte Carlo JSON and CSV."
        )
    },
};

const SV: Labels = Labels {
    ranking: "Rangordning",
    search: "Sök på namn eller kod",
    rank: "Rang",
    id: "Kod",
    name: "Namn",
    score: "Poäng",
    ranked_of: "rangordnade av",
    excluded: "Ej rangordnade",
    reason: "Skäl",
    intervals: "Hur stabila är rangplatserna? Rangintervall",
    intervals_missing: "Inget Monte Carlo-resultat angavs: kör `kommunrank sensitivity --format json --out mc.json` och ange `--sensitivity mc.json`.",
    sobol: "Vilka val flyttar rangplatserna? Sobol-index",
    sobol_missing: "Inget Sobol-resultat angavs: kör `kommunrank sensitivity --method sobol --format json --out sobol.json` och ange `--sensitivity sobol.json`.",
    distributions: "Fördelning av poäng",
    correlations: "Korrelationer mellan indikatorer (Pearson, normaliserade värden)",
    methods: "Metod",
    notes: "Att notera om körningen",
    provenance: "Ursprung",
    spec: "Specifikation",
    none: "inga",
    indicator: "Indikator",
    direction: "Riktning",
    weight: "Vikt i noden",
    effective: "Effektiv vikt",
    normalisation: "Normalisering",
    aggregation: "aggregering",
    hierarchy: "Hierarki",
    not_ranked: "beräknad, ej rangordnad",
    runs: "körningar",
    seed: "slumpfrö",
    mean_shift: "medel av |rangförändring|",
    evaluations: "beräkningar",
    output: "utfall",
    missing_values: "Saknade värden",
    screening: "Urval",
    min_coverage: "minsta täckning",
    rounded: ("poäng avrundade till", "decimaler före rangordningen"),
    chart: charts::ChartWords {
        nominal: "nominell",
        median: "median",
        intervals_key: "rang (1 = bäst); stapel: 5 %–95 % av körningarna, streck: median, punkt: nominell rang (lika poäng delar den bästa rangen i gruppen)",
        first_order: "första ordningen S_i",
        total_order: "totalt S_Ti (linjer: 95 %-intervall)",
        lang: Lang::Sv,
    },
    shown: |top, bottom, n| {
        format!(
            "Diagrammet visar de {top} översta och de {bottom} nedersta av {n} enheter (alla nedan); alla enheters intervall finns i Monte Carlo-resultatets JSON och CSV."
        )
    },
};

/// What the report is made of.
pub struct ReportInput<'a> {
    /// The nominal ranking.
    pub result: &'a RankResult,
    /// Its audit (correlations).
    pub audit: &'a Audit,
    /// A Monte Carlo result (`sensitivity --format json`).
    pub mc: Option<&'a McResults>,
    /// A Sobol result (`sensitivity --method sobol --format json`).
    pub sobol: Option<&'a SobolResults>,
    /// Language.
    pub lang: Lang,
    /// Fingerprint of the data files.
    pub data_hash: String,
    /// Boundaries for the maps, if any.
    pub map: Option<&'a super::map::Boundaries>,
    /// Rankings under other weightings and methods (`compare`), if any.
    pub comparison: Option<&'a (
        crate::sensitivity::analysis::Subject,
        Vec<crate::sensitivity::Scenario>,
    )>,
}

use super::words::{self, number as num};

const CSS: &str = r#"
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0;color:#1d1d1d;background:#fafafa}
main{max-width:1100px;margin:0 auto;padding:24px 32px 64px;background:#fff}
h1{font-size:1.6em;margin:.2em 0}h2{font-size:1.25em;margin-top:2em;border-bottom:2px solid #1f4e79;padding-bottom:4px}
.sub{color:#555}figure.map{display:inline-block;margin:0 24px 8px 0;vertical-align:top}details.all summary{cursor:pointer;color:#1f4e79;margin:8px 0}@media print{@page{size:A4;margin:14mm}body{background:#fff}main{max-width:none;padding:0}.scroll{max-height:none;overflow:visible;border:0}#search{display:none}th{position:static}h2{break-after:avoid}svg,figure,tr{break-inside:avoid}details.all{display:none}}table{border-collapse:collapse;width:100%;font-size:.9em}
th,td{padding:4px 8px;border-bottom:1px solid #e5e5e5;text-align:left}
th{background:#f0f4f8;position:sticky;top:0;cursor:pointer;user-select:none}
td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}
.scroll{max-height:520px;overflow:auto;border:1px solid #e5e5e5}
input#search{padding:6px 10px;width:280px;margin:8px 0;border:1px solid #bbb;border-radius:4px}
.grid{display:flex;flex-wrap:wrap;gap:12px}.chart{max-width:100%;height:auto}
.note{color:#555;font-size:.9em}code{background:#f3f3f3;padding:1px 4px;border-radius:3px}
.rw-controls{display:flex;flex-wrap:wrap;gap:8px 16px}fieldset{border:1px solid #ddd;border-radius:4px;margin:0;padding:4px 10px 8px}legend{font-weight:600}label.rw{display:grid;grid-template-columns:12em 9em 6em;gap:6px;align-items:center;font-size:.9em}label.rw span{overflow:hidden;text-overflow:ellipsis;white-space:nowrap}label.rw input[type=number]{width:6em}
dl{display:grid;grid-template-columns:max-content auto;gap:4px 16px}dt{font-weight:600}
"#;

const SCRIPT: &str = r#"
  function sortTable(table, col, th){
    var body = table.tBodies[0];
    var rows = Array.prototype.slice.call(body.rows);
    var asc = th.getAttribute('data-dir') !== 'asc';
    rows.sort(function(a, b){
      var x = a.cells[col].getAttribute('data-v'), y = b.cells[col].getAttribute('data-v');
      if (x !== null && y !== null) {
        var fx = parseFloat(x), fy = parseFloat(y);
        if (isNaN(fx)) fx = Infinity; if (isNaN(fy)) fy = Infinity;
        return asc ? fx - fy : fy - fx;
      }
      var tx = a.cells[col].textContent, ty = b.cells[col].textContent;
      return asc ? tx.localeCompare(ty) : ty.localeCompare(tx);
    });
    rows.forEach(function(r){ body.appendChild(r); });
    th.setAttribute('data-dir', asc ? 'asc' : 'desc');
  }
  var tables = document.querySelectorAll('table.sortable');
  Array.prototype.forEach.call(tables, function(table){
    var ths = table.tHead.rows[0].cells;
    Array.prototype.forEach.call(ths, function(th, i){
      th.addEventListener('click', function(){ sortTable(table, i, th); });
    });
  });
  var q = document.getElementById('search');
  if (q) q.addEventListener('input', function(){
    var v = q.value.toLowerCase();
    Array.prototype.forEach.call(document.querySelectorAll('#ranking tbody tr'), function(r){
      r.style.display = r.textContent.toLowerCase().indexOf(v) >= 0 ? '' : 'none';
    });
  });
  // The searched units' rank intervals: rows of the chart of all units,
  // laid out in a chart of their own (at most 20).
  var ivq = document.getElementById('iv-search'), ivs = document.getElementById('iv-searched');
  if (ivq && ivs) {
    var ivSvg = ivs.querySelector('svg'), ivFoot = ivSvg.querySelector('g.foot');
    var ivRow = parseFloat(ivs.getAttribute('data-row')), ivTop = parseFloat(ivs.getAttribute('data-top'));
    var ivRows = document.querySelectorAll('details.all g[data-unit]');
    var ivFind = function(){
      var v = ivq.value.trim().toLowerCase(), k = 0, found = 0;
      Array.prototype.forEach.call(ivSvg.querySelectorAll('g[data-unit]'), function(g){ ivSvg.removeChild(g); });
      if (v) Array.prototype.forEach.call(ivRows, function(g){
        var text = (g.getAttribute('data-unit') + ' ' + g.getAttribute('data-name')).toLowerCase();
        if (text.indexOf(v) < 0) return;
        found += 1;
        if (k >= 20) return;
        var c = g.cloneNode(true);
        c.setAttribute('transform', 'translate(0 ' + (ivTop + ivRow * k + ivRow / 2) + ')');
        ivSvg.insertBefore(c, ivFoot);
        k += 1;
      });
      var h = ivTop + ivRow * k + 44;
      ivSvg.setAttribute('height', h);
      ivSvg.setAttribute('viewBox', '0 0 ' + ivSvg.getAttribute('width') + ' ' + h);
      Array.prototype.forEach.call(ivSvg.querySelectorAll('line.grid'), function(l){ l.setAttribute('y2', h - 40); });
      ivFoot.setAttribute('transform', 'translate(0 ' + h + ')');
      ivs.hidden = k === 0;
      document.getElementById('iv-count').textContent = v ? k + ' / ' + found : '';
    };
    ivq.addEventListener('input', ivFind);
    if (q) q.addEventListener('input', function(){ ivq.value = q.value; ivFind(); });
  }
  // State kept in the link: #map=NODE&w=WEIGHTS.
  var hashParam = function(key){
    var m = new RegExp('[#&]' + key + '=([^&]*)').exec(location.hash);
    return m ? decodeURIComponent(m[1]) : null;
  };
  var setHashParam = function(key, value){
    var parts = location.hash.replace(/^#/, '').split('&').filter(function(p){
      return p !== '' && p.split('=')[0] !== key;
    });
    if (value !== null) parts.push(key + '=' + encodeURIComponent(value).replace(/%2C/g, ','));
    if (history.replaceState) history.replaceState(null, '', parts.length ? '#' + parts.join('&') : location.pathname + location.search);
  };
  var show = null, recolour = null;
  // The map of a node: classes, hover texts and legend from the page's
  // data (#map=NODE picks one).
  var md = document.getElementById('map-data');
  var fig = document.getElementById('map-index');
  var sel = document.getElementById('map-node');
  if (md && fig && sel) {
    var data = JSON.parse(md.textContent);
    show = function(id){
      var node = null;
      data.nodes.forEach(function(n){ if (n.id === id) node = n; });
      if (!node) return;
      sel.value = id;
      var w = data.words;
      var num = function(v){
        var s = v.toFixed(3);
        return w.decimal_comma ? s.replace('.', ',').replace('-', '\u2212') : s;
      };
      var title = function(i){
        var c = +node.classes.charAt(i);
        if (c === 6) return w.absent;
        if (node.ranks[i] === null) {
          return w.not_ranked + (data.reasons[i] !== null ? ': ' + data.reasons[i] : '');
        }
        return node.label + ': ' + w.score + ' ' + num(node.scores[i]) + ', ' + w.rank + ' ' + node.ranks[i] + ' ' + w.of + ' ' + node.ranked;
      };
      Array.prototype.forEach.call(fig.querySelectorAll('use:not(.mesh)'), function(u, i){
        u.setAttribute('fill', data.colours[+node.classes.charAt(i)]);
        var t = u.querySelector('title');
        if (t) t.textContent = data.names[i] + '\n' + title(i);
      });
      var texts = fig.querySelectorAll('svg > text');
      if (texts.length) texts[0].textContent = node.label + ': ' + w.rank;
      var rects = fig.querySelectorAll('svg > rect');
      for (var k = 0; k < 5 && k + 1 < texts.length; k++) {
        var shown = k < node.legend.length;
        texts[k + 1].textContent = shown ? node.legend[k] : '';
        if (rects[k]) rects[k].style.display = shown ? '' : 'none';
      }
      fig.setAttribute('data-node', id);
    };
    sel.addEventListener('change', function(){
      show(sel.value);
      setHashParam('map', sel.value);
    });
    // Re-weighted ranks (the re-weighting's result) give every node's
    // classes anew: rank fifths as report::map cuts them.
    var original = data.nodes.map(function(node){ return node.classes; });
    recolour = function(res){
      data.nodes.forEach(function(node, k){
        var ranks = res.ranks[k].ranks, n = res.ranks[k].ranked, ends = [], start = 1;
        for (var f = 1; f <= 5; f++) {
          var e = Math.ceil(n * f / 5);
          if (ends.indexOf(e) < 0) ends.push(e);
        }
        if (!ends.length) ends.push(0);
        var classes = '';
        node.legend = ends.map(function(e){ var l = start === e ? String(e) : start + '\u2013' + e; start = e + 1; return l; });
        node.ranked = n;
        data.units.forEach(function(u, i){
          var rank = u === null ? null : ranks[u];
          if (rank === null) {
            classes += original[k].charAt(i) === '6' ? '6' : '5';
            node.ranks[i] = null;
            node.scores[i] = null;
            return;
          }
          var c = 0;
          while (c < ends.length - 1 && Math.ceil(rank) > ends[c]) c++;
          classes += String(c);
          node.ranks[i] = rank;
          node.scores[i] = res.scores[k][u];
        });
        node.classes = classes;
      });
      show(sel.value);
    };
    var m = hashParam('map');
    if (m !== null) show(m);
  }
"#;

/// The report as one HTML document.
pub fn html(input: &ReportInput) -> String {
    let r = input.result;
    let index = &r.index;
    let l = if input.lang == Lang::Sv { &SV } else { &EN };
    let lang = input.lang;
    let mut o = String::new();
    let ranked = r.units.iter().filter(|u| u.rank.is_some()).count();
    let _ = write!(
        o,
        "<!DOCTYPE html>\n<html lang=\"{}\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>{}</title><style>{CSS}</style></head><body><main>",
        if lang == Lang::Sv { "sv" } else { "en" },
        esc(&index.root().label)
    );
    let _ = write!(
        o,
        "<h1>{}</h1><p class=\"sub\">{} {} {} · {} {}</p>",
        esc(&index.root().label),
        ranked,
        l.ranked_of,
        r.data.table.len(),
        r.excluded.len(),
        l.excluded.to_lowercase()
    );
    if let Some(d) = &index.spec.index.description {
        let _ = write!(o, "<p>{}</p>", esc(d));
    }

    ranking_table(input, l, &mut o);
    maps(input, &mut o);
    o += &super::reweight::section(input.result, input.mc, lang);
    comparison(input, &mut o);
    rank_intervals(input, l, &mut o);
    sobol_section(input, l, &mut o);
    score_distributions(input, l, &mut o);
    correlations(input, l, &mut o);
    exclusions(input, l, &mut o);
    methods(input, l, &mut o);
    provenance(input, l, &mut o);
    let _ = writeln!(
        o,
        "</dl></main><script>(function(){{{SCRIPT}{}  document.body.setAttribute('data-ready', 'yes');\n}})();</script></body></html>",
        super::reweight::SCRIPT
    );
    o
}

/// Rankings under other weightings and methods beside the published one:
/// per alternative how many units move and how far, then every unit's rank
/// under each (with its change; + moved up).
fn comparison(input: &ReportInput, o: &mut String) {
    let Some((subject, scenarios)) = input.comparison else {
        return;
    };
    let lang = input.lang;
    let t = |en, sv| words::either(lang, en, sv);
    let _ = write!(
        o,
        "<h2 id=\"comparison\">{}</h2><p class=\"note\">{}</p><table><thead><tr><th>{}</th><th class=\"n\">{}</th><th class=\"n\">{}</th><th>{}</th></tr></thead><tbody>",
        t(
            "Other weightings and methods",
            "Andra viktningar och metoder"
        ),
        t(
            "The same data and units ranked with other weights or aggregation methods (kommunrank compare): how much the ranking depends on the method chosen. Methods are described in docs/methods.md.",
            "Samma data och enheter rangordnade med andra vikter eller aggregeringsmetoder (kommunrank compare): hur mycket rangordningen beror på vald metod. Metoderna beskrivs i docs/methods.md."
        ),
        t("Alternative", "Alternativ"),
        t("Units moved", "Enheter som flyttar"),
        t("Mean |rank change|", "Medel |rangförändring|"),
        t("Largest move", "Största flytt")
    );
    for s in scenarios {
        let moves: Vec<f64> = s
            .ranks
            .iter()
            .zip(&subject.nominal_ranks)
            .map(|(r, n)| n - r)
            .collect();
        let moved = moves.iter().filter(|m| **m != 0.0).count();
        let largest = (0..moves.len()).max_by(|&a, &b| moves[a].abs().total_cmp(&moves[b].abs()));
        let _ = write!(
            o,
            "<tr><td>{}</td><td class=\"n\">{moved}</td><td class=\"n\">{}</td><td>{}</td></tr>",
            esc(&s.name),
            num(subject.mean_abs_shift(&s.ranks), 2, lang),
            largest
                .filter(|&u| moves[u] != 0.0)
                .map(|u| format!(
                    "{} ({}{})",
                    esc(&subject.names[u]),
                    if moves[u] > 0.0 { "+" } else { "" },
                    words::plain(moves[u], lang)
                ))
                .unwrap_or_else(|| "–".into())
        );
    }
    let _ = write!(
        o,
        "</tbody></table><div class=\"scroll\"><table class=\"sortable\"><thead><tr><th class=\"n\">{}</th><th>{}</th>",
        t("Rank", "Rang"),
        t("Name", "Namn")
    );
    for s in scenarios {
        let _ = write!(o, "<th class=\"n\">{}</th>", esc(&s.name));
    }
    *o += "</tr></thead><tbody>";
    for u in 0..subject.units() {
        let _ = write!(
            o,
            "<tr><td class=\"n\" data-v=\"{}\">{}</td><td>{}</td>",
            subject.nominal_ranks[u],
            words::plain(subject.nominal_ranks[u], lang),
            esc(&subject.names[u])
        );
        for s in scenarios {
            let change = subject.nominal_ranks[u] - s.ranks[u];
            let _ = write!(
                o,
                "<td class=\"n\" data-v=\"{}\">{}{}</td>",
                s.ranks[u],
                words::plain(s.ranks[u], lang),
                if change == 0.0 {
                    String::new()
                } else {
                    format!(
                        " ({}{})",
                        if change > 0.0 { "+" } else { "" },
                        words::plain(change, lang)
                    )
                }
            );
        }
        *o += "</tr>";
    }
    *o += "</tbody></table></div>";
}

/// The maps of the index and its rank uncertainty, or how to add them.
fn maps(input: &ReportInput, o: &mut String) {
    let lang = input.lang;
    let _ = write!(
        o,
        "<h2 id=\"map\">{}</h2>",
        words::either(lang, "Map", "Karta")
    );
    match input.map {
        Some(b) => *o += &super::map::maps_html(b, input.result, input.mc, lang),
        None => {
            let _ = write!(
                o,
                "<p class=\"note\">{}</p>",
                words::either(
                    lang,
                    "No boundaries were given: add [map] file = \"municipalities.geojson\" (and id = the property holding the unit id) to the spec, or run `kommunrank report --map FILE.geojson`.",
                    "Inga gränser angavs: lägg till [map] file = \"kommuner.geojson\" (och id = egenskapen med enhetens id) i specifikationen, eller kör `kommunrank report --map FIL.geojson`."
                )
            );
        }
    }
}

/// The ranking table: rank, name, score and the top-level nodes.
fn ranking_table(input: &ReportInput, l: &Labels, o: &mut String) {
    let r = input.result;
    let index = &r.index;
    let lang = input.lang;
    let dims = index.dimensions();
    let d = index.spec.ranking.round.map_or(2, |d| d as usize);
    let _ = write!(
        o,
        "<h2 id=\"ranking-section\">{}</h2><input id=\"search\" type=\"search\" placeholder=\"{}\" aria-label=\"{}\"><div class=\"scroll\"><table id=\"ranking\" class=\"sortable\"><thead><tr><th class=\"n\">{}</th><th>{}</th><th>{}</th><th class=\"n\">{}</th>",
        l.ranking, l.search, l.search, l.rank, l.id, l.name, l.score
    );
    for &n in &dims {
        let _ = write!(
            o,
            "<th class=\"n\" title=\"{}\">{}</th>",
            esc(&index.nodes[n].id),
            esc(&index.nodes[n].label)
        );
    }
    *o += "</tr></thead><tbody>";
    for u in &r.units {
        let rank_v = u.rank.map_or(f64::NAN, |x| x.0);
        let _ = write!(
            o,
            "<tr><td class=\"n\" data-v=\"{}\">{}</td><td>{}</td><td>{}</td><td class=\"n\" data-v=\"{}\">{}</td>",
            rank_v,
            u.rank
                .map_or_else(|| l.not_ranked.to_string(), |x| words::plain(x.0, lang)),
            esc(&u.id),
            esc(&u.name),
            -u.score,
            num(u.score, d, lang)
        );
        for &n in &dims {
            let _ = write!(
                o,
                "<td class=\"n\" data-v=\"{}\">{}</td>",
                -u.nodes[n],
                num(u.nodes[n], d, lang)
            );
        }
        *o += "</tr>";
    }
    *o += "</tbody></table></div>";
}

/// The rank-interval chart (Monte Carlo) or how to add one.
fn rank_intervals(input: &ReportInput, l: &Labels, o: &mut String) {
    let lang = input.lang;
    let _ = write!(o, "<h2 id=\"intervals\">{}</h2>", l.intervals);
    match input.mc {
        Some(mc) => {
            let units = &mc.units;
            let mut items: Vec<Interval> = units
                .iter()
                .map(|u| Interval {
                    id: u.id.clone(),
                    label: u.name.clone(),
                    nominal: u.nominal_rank,
                    median: u.median_rank,
                    low: u.q05,
                    high: u.q95,
                })
                .collect();
            // Every registered per-run statistic: its mean and 5%-95% range.
            let stats: Vec<String> = statistic::STATISTICS
                .iter()
                .map(|stat| {
                    let s = mc.statistic(stat);
                    format!(
                        "{} {} (5–95 %: {}–{})",
                        esc(match lang {
                            Lang::En => stat.label,
                            Lang::Sv => stat.label_sv,
                        }),
                        num(s.mean, 3, lang),
                        num(s.q05, 3, lang),
                        num(s.q95, 3, lang)
                    )
                })
                .collect();
            let _ = write!(
                o,
                "<p class=\"note\">{} {}, {} {}; {}.</p>",
                mc.runs,
                l.runs,
                l.seed,
                mc.seed,
                stats.join("; ")
            );
            let max_rank = units.len().max(2) as f64;
            if items.len() <= COMPACT_TOP + COMPACT_BOTTOM {
                *o += &charts::rank_intervals(&items, max_rank, l.intervals, &l.chart);
                return;
            }
            // Compact: the top and the bottom; all (up to the caps) on demand.
            let _ = write!(
                o,
                "<p class=\"note\">{}</p>",
                esc(&(l.shown)(COMPACT_TOP, COMPACT_BOTTOM, items.len()))
            );
            let compact: Vec<Interval> = items[..COMPACT_TOP]
                .iter()
                .chain(&items[items.len() - COMPACT_BOTTOM..])
                .cloned()
                .collect();
            *o += &charts::rank_intervals(&compact, max_rank, l.intervals, &l.chart);
            // The units a reader searches for, drawn by the page's script
            // from the rows of the chart of all units.
            let _ = write!(
                o,
                "<p><label>{} <input id=\"iv-search\" type=\"search\"></label> <span id=\"iv-count\" class=\"note\"></span></p><div id=\"iv-searched\" data-row=\"{}\" data-top=\"{}\" hidden>{}</div>",
                words::either(
                    lang,
                    "Show the intervals of (name or id; the ranking's search too):",
                    "Visa intervallen för (namn eller id; även rangordningens sökning):"
                ),
                charts::INTERVAL_ROW,
                charts::INTERVAL_TOP,
                charts::rank_intervals(&[], max_rank, l.intervals, &l.chart)
            );
            let n = items.len();
            if n > INTERVAL_TOP + INTERVAL_BOTTOM {
                items.drain(INTERVAL_TOP..n - INTERVAL_BOTTOM);
            }
            let _ = write!(
                o,
                "<details class=\"all\"><summary>{} ({n})</summary>",
                words::either(lang, "All units", "Alla enheter")
            );
            if n > INTERVAL_TOP + INTERVAL_BOTTOM {
                let _ = write!(
                    o,
                    "<p class=\"note\">{}</p>",
                    esc(&(l.shown)(INTERVAL_TOP, INTERVAL_BOTTOM, n))
                );
            }
            *o += &charts::rank_intervals(&items, max_rank, l.intervals, &l.chart);
            *o += "</details>";
        }
        None => {
            let _ = write!(o, "<p class=\"note\">{}</p>", esc(l.intervals_missing));
        }
    }
}

/// The Sobol chart or how to add one.
fn sobol_section(input: &ReportInput, l: &Labels, o: &mut String) {
    let _ = write!(o, "<h2 id=\"sobol\">{}</h2>", l.sobol);
    match input.sobol {
        Some(s) => {
            let bars: Vec<Bar> = s
                .mean_abs_rank_shift
                .iter()
                .map(|(name, v)| Bar {
                    label: s.factor(name).map_or_else(
                        || name.clone(),
                        |f| words::factor_named(f, input.lang, &|id| label_of(input, id)),
                    ),
                    first: v.first,
                    first_ci: v.first_ci,
                    total: v.total,
                    total_ci: v.total_ci,
                })
                .collect();
            let _ = write!(
                o,
                "<p class=\"note\">N = {}, {} {}, {}: {}.</p>",
                s.base_samples, s.evaluations, l.evaluations, l.output, l.mean_shift
            );
            *o += &charts::sobol_bars(&bars, l.sobol, &l.chart);
        }
        None => {
            let _ = write!(o, "<p class=\"note\">{}</p>", esc(l.sobol_missing));
        }
    }
}

/// Score distributions per node.
fn score_distributions(input: &ReportInput, l: &Labels, o: &mut String) {
    let r = input.result;
    let index = &r.index;
    let _ = write!(
        o,
        "<h2 id=\"distributions\">{}</h2><div class=\"grid\">",
        l.distributions
    );
    for (n, node) in index
        .nodes
        .iter()
        .enumerate()
        .filter(|(_, nd)| nd.depth <= 2)
        .take(13)
    {
        let values: Vec<f64> = r
            .units
            .iter()
            .filter(|u| u.rank.is_some())
            .map(|u| u.nodes[n])
            .collect();
        *o += &charts::histogram(&values, &node.label, 20, input.lang);
    }
    *o += "</div>";
}

/// The correlation heatmap.
fn correlations(input: &ReportInput, l: &Labels, o: &mut String) {
    let _ = write!(o, "<h2 id=\"correlations\">{}</h2>", l.correlations);
    let audit = input.audit;
    let index = &input.result.index;
    // Indicators in the hierarchy's order, so that each node's indicators
    // sit together as a block named by the node.
    let mut order: Vec<usize> = (0..audit.matrix_ids.len()).collect();
    let place = |id: &str| index.indicators.iter().position(|i| i.id == id);
    let tree_order = index.indicators_in_tree_order();
    order.sort_by_key(|&m| {
        place(&audit.matrix_ids[m]).and_then(|i| tree_order.iter().position(|&t| t == i))
    });
    let labels: Vec<String> = order
        .iter()
        .map(|&m| label_of(input, &audit.matrix_ids[m]))
        .collect();
    let groups: Vec<String> = order
        .iter()
        .map(|&m| {
            place(&audit.matrix_ids[m])
                .map(|i| index.nodes[index.indicators[i].parent].label.clone())
                .unwrap_or_default()
        })
        .collect();
    let matrix: Vec<Vec<f64>> = order
        .iter()
        .map(|&i| order.iter().map(|&j| audit.pearson[i][j]).collect())
        .collect();
    if labels.len() > 1 {
        let _ = write!(
            o,
            "<p class=\"note\">{}</p>",
            words::either(
                input.lang,
                "Indicators are grouped by the node they belong to (its name on the right); hover a cell for the pair and its r.",
                "Indikatorerna är grupperade efter noden de hör till (namnet till höger); håll pekaren över en ruta för paret och dess r."
            )
        );
    }
    *o += &charts::heatmap(&labels, &groups, &matrix, l.correlations, input.lang);
}

/// The label of a node or indicator id (the id when there is none).
fn label_of(input: &ReportInput, id: &str) -> String {
    let index = &input.result.index;
    index
        .nodes
        .iter()
        .find(|n| n.id == id)
        .map(|n| n.label.clone())
        .or_else(|| {
            index
                .indicators
                .iter()
                .find(|i| i.id == id)
                .map(|i| i.label.clone())
        })
        .unwrap_or_else(|| id.to_string())
}

/// The units excluded and why.
fn exclusions(input: &ReportInput, l: &Labels, o: &mut String) {
    let r = input.result;
    let _ = write!(
        o,
        "<h2 id=\"excluded\">{} ({})</h2>",
        l.excluded,
        r.excluded.len()
    );
    if r.excluded.is_empty() {
        let _ = write!(o, "<p>{}</p>", l.none);
    } else {
        let _ = write!(
            o,
            "<div class=\"scroll\"><table class=\"sortable\"><thead><tr><th>{}</th><th>{}</th><th>{}</th></tr></thead><tbody>",
            l.id, l.name, l.reason
        );
        for e in &r.excluded {
            let _ = write!(
                o,
                "<tr><td>{}</td><td>{}</td><td>{}</td></tr>",
                esc(&e.id),
                esc(&e.name),
                esc(&words::exclusion(&e.reason, input.lang))
            );
        }
        *o += "</tbody></table></div>";
    }
}

/// The methods: hierarchy, indicators, normalisation, ranking rule.
fn methods(input: &ReportInput, l: &Labels, o: &mut String) {
    let r = input.result;
    let index = &r.index;
    let lang = input.lang;
    let _ = write!(o, "<h2 id=\"methods\">{}</h2>", l.methods);
    let _ = write!(o, "<h3>{}</h3>", l.hierarchy);
    *o += &tree(r, 0, l, lang);
    let _ = write!(
        o,
        "<table><thead><tr><th>{}</th><th>{}</th><th class=\"n\">{}</th><th class=\"n\">{}</th><th>{}</th></tr></thead><tbody>",
        l.indicator, l.direction, l.weight, l.effective, l.normalisation
    );
    for (i, ind) in index.indicators.iter().enumerate() {
        let _ = write!(
            o,
            "<tr><td>{} <span class=\"note\">({})</span></td><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td>{}{}</td></tr>",
            esc(&ind.label),
            esc(&ind.id),
            if ind.direction > 0.0 { "+" } else { "−" },
            num(ind.weight / index.sibling_weight_sum(ind.parent), 3, lang),
            num(index.effective_weight(i), 3, lang),
            esc(&words::normalisation(&ind.normalisation, lang)),
            if ind.transform != crate::spec::Transform::None {
                format!(", {}", words::transform(ind.transform, lang))
            } else {
                String::new()
            }
        );
    }
    *o += "</tbody></table>";
    // How the weights were made, where they were not written in the spec.
    let derived: Vec<String> = crate::audit::explain::node_weights(index)
        .into_iter()
        .filter(|n| n.origin != crate::spec::WeightOrigin::Spec)
        .filter(|n| n.origin != crate::spec::WeightOrigin::UnitOwn)
        .map(|n| {
            let shares: Vec<String> = n
                .shares
                .iter()
                .map(|(id, s)| format!("{} {}", esc(&label_of(input, id)), num(*s, 3, lang)))
                .collect();
            let table = super::audit::derivation_table(&n, lang);
            format!(
                "<li><b>{}</b>: {} ({}){}</li>",
                esc(&label_of(input, &n.node)),
                shares.join(", "),
                esc(&words::weight_origin(&n.origin, lang)),
                if table.is_empty() {
                    String::new()
                } else {
                    format!("<pre>{}</pre>", esc(&table.join("\n")))
                }
            )
        })
        .collect();
    if !derived.is_empty() {
        let _ = write!(
            o,
            "<h3>{}</h3><ul>{}</ul>",
            words::either(
                lang,
                "Weights from judgements or the data",
                "Vikter från bedömningar eller data"
            ),
            derived.concat()
        );
    }
    let ranking = &index.spec.ranking;
    let _ = write!(
        o,
        "<dl><dt>{}</dt><dd>{}{}{}</dd><dt>{}</dt><dd>{}</dd><dt>{}</dt><dd>{} {}</dd></dl>",
        l.ranking,
        words::ranking_method(ranking.method, lang),
        ranking
            .round
            .map(|d| format!(", {} {d} {}", l.rounded.0, l.rounded.1))
            .unwrap_or_default(),
        if ranking.unranked.is_empty() {
            String::new()
        } else {
            format!(", {}: {}", l.not_ranked, esc(&ranking.unranked.join(", ")))
        },
        l.missing_values,
        words::missing_method(index.spec.missing.method, lang),
        l.screening,
        l.min_coverage,
        words::percent(index.spec.screening.min_coverage, lang)
    );
    if !r.notes.is_empty() {
        let _ = write!(o, "<h3>{}</h3><ul>", l.notes);
        for n in &r.notes {
            let _ = write!(o, "<li>{}</li>", esc(&words::note(n, lang)));
        }
        *o += "</ul>";
    }
}

/// Provenance: versions, spec and data fingerprints, sensitivity runs.
fn provenance(input: &ReportInput, l: &Labels, o: &mut String) {
    let r = input.result;
    let index = &r.index;
    let _ = write!(
        o,
        "<h2 id=\"provenance\">{}</h2><dl><dt>kommunrank</dt><dd>{}</dd><dt>{}</dt><dd><code>{}</code> {}</dd><dt>Data</dt><dd>{}</dd>",
        l.provenance,
        env!("CARGO_PKG_VERSION"),
        l.spec,
        esc(&index.spec_name),
        super::json::fingerprint(index.spec_text.as_bytes()),
        esc(&input.data_hash)
    );
    if let Some(mc) = input.mc {
        let _ = write!(
            o,
            "<dt>Monte Carlo</dt><dd>{} {}, {} {}, {} {}</dd>",
            l.seed,
            mc.seed,
            mc.runs,
            l.runs,
            l.spec.to_lowercase(),
            esc(&mc.spec_hash)
        );
    }
    if let Some(s) = input.sobol {
        let _ = write!(
            o,
            "<dt>Sobol</dt><dd>{} {}, N = {}, {} {}</dd>",
            l.seed,
            s.seed,
            s.base_samples,
            l.spec.to_lowercase(),
            esc(&s.spec_hash)
        );
    }
}

fn tree(r: &RankResult, node: usize, l: &Labels, lang: Lang) -> String {
    let index = &r.index;
    let n = &index.nodes[node];
    let mut o = format!(
        "<ul><li><b>{}</b> <span class=\"note\">({}: {})</span>",
        esc(&n.label),
        l.aggregation,
        words::aggregation(n.aggregation, lang)
    );
    // Sum nodes add weighted points (weights as written); means use shares.
    let sum = if n.aggregation == crate::spec::Aggregation::Sum {
        1.0
    } else {
        index.sibling_weight_sum(node)
    };
    o += "<ul>";
    for m in &n.children {
        match m {
            Member::Node(c) => {
                let w = index.nodes[*c].weight / sum;
                o += &format!("<li>{} × ", words::trimmed(w, 3, lang));
                o += &tree(r, *c, l, lang);
                o += "</li>";
            }
            Member::Indicator(i) => {
                let ind = &index.indicators[*i];
                o += &format!(
                    "<li>{} × {}</li>",
                    words::trimmed(ind.weight / sum, 3, lang),
                    esc(&ind.label)
                );
            }
        }
    }
    o + "</ul></li></ul>"
}
