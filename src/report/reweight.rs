//! Re-weighting in the page, with no server: the controls (a slider and a
//! number for every node's and indicator's weight), the table of ranks under
//! the chosen weights, and the data the page's script needs to compute them
//! as the engine does. The script ([`SCRIPT`]) mirrors
//! [`crate::pipeline::aggregate::aggregate`] and the tie rule of
//! [`crate::pipeline::rank`]; a headless-Chromium test checks that it gives
//! the ranks `kommunrank compare` gives for the same weights.
//!
//! What the weights cannot change is fixed at the published run and
//! embedded as it came out: screening, imputation, outlier treatment and
//! normalisation (none depends on the weights).

use super::charts::esc;
use super::map::script_json;
use super::results::McResults;
use super::words::either;
use super::{Lang, csv_text};
use crate::pipeline::RankResult;
use crate::pipeline::aggregate::{Requirement, SMALL_P, requirement};
use crate::pipeline::rank::TIE_TOLERANCE;
use crate::sensitivity::model::WeightLayout;
use crate::spec::{Aggregation, Best, Member, RankMethod};
use serde_json::{Value, json};
use std::fmt::Write;

/// The re-weighting section of the report.
pub(crate) fn section(r: &RankResult, mc: Option<&McResults>, lang: Lang) -> String {
    let t = |en, sv| either(lang, en, sv);
    let index = &r.index;
    let layout = WeightLayout::of(index);
    let mut o = String::new();
    if let Some(node) = index
        .nodes
        .iter()
        .find(|n| matches!(n.aggregation, Aggregation::Bod(_)))
    {
        // Each unit's weights come from a linear programme: sliders would
        // move nothing, and the page has no solver.
        let _ = write!(
            o,
            "<h2 id=\"reweight\">{}</h2><p class=\"note\">{}</p>",
            t("Try other weights", "Pröva andra vikter"),
            esc(&match lang {
                Lang::En => format!(
                    "Not available for this index: node '{}' uses Benefit of the Doubt, where each unit gets its own most favourable weights. Compare other weightings with `kommunrank compare`.",
                    node.label
                ),
                Lang::Sv => format!(
                    "Finns inte för detta index: noden '{}' använder Benefit of the Doubt, där varje enhet får sina egna mest gynnsamma vikter. Jämför andra viktningar med `kommunrank compare`.",
                    node.label
                ),
            })
        );
        return o;
    }
    let _ = write!(
        o,
        "<h2 id=\"reweight\">{}</h2><p class=\"note\">{}</p><p class=\"note\">{}</p>",
        t("Try other weights", "Pröva andra vikter"),
        t(
            "Move a slider (or type a weight) and the ranking below, the map and the node scores are computed again in this page, with the index's own aggregation methods, re-weighting over missing values and tie rule: the ranks are those `kommunrank compare` gives for the same weights. Weights are relative within their node. The link in the address bar keeps the chosen weights.",
            "Flytta ett reglage (eller skriv en vikt) så räknas rangordningen nedan, kartan och delindexens poäng om i sidan, med indexets egna aggregeringsmetoder, omviktning vid saknade värden och regel för delad placering: rangerna blir desamma som `kommunrank compare` ger för samma vikter. Vikterna är relativa inom sin nod. Länken i adressfältet behåller de valda vikterna."
        ),
        t(
            "Fixed at the published run, because they do not depend on the weights: screening, imputation, outlier treatment and normalisation (the page holds the normalised values), and each node's aggregation method.",
            "Fast från den publicerade körningen, eftersom de inte beror på vikterna: urval, imputering, behandling av extremvärden och normalisering (sidan innehåller de normaliserade värdena) samt varje nods aggregeringsmetod."
        )
    );
    if !index.spec.ranking.within.is_empty() {
        let _ = write!(
            o,
            "<p class=\"note\">{}</p>",
            t(
                "Ranks within groups are not recomputed here.",
                "Placeringar inom grupper räknas inte om här."
            )
        );
    }
    o += "<div class=\"rw-controls\">";
    for (n, node) in index.nodes.iter().enumerate() {
        let _ = write!(
            o,
            "<fieldset><legend>{} <span class=\"note\">({})</span></legend>",
            esc(&node.label),
            esc(node.aggregation.name())
        );
        let range = layout.range(n);
        let most = layout.nominal[range.clone()]
            .iter()
            .copied()
            .fold(0.0, f64::max);
        let max = if most > 0.0 { 3.0 * most } else { 1.0 };
        for (j, member) in node.children.iter().enumerate() {
            let slot = range.start + j;
            let w = layout.nominal[slot];
            let label = match member {
                Member::Indicator(i) => &index.indicators[*i].label,
                Member::Node(c) => &index.nodes[*c].label,
            };
            let _ = write!(
                o,
                "<label class=\"rw\" title=\"{} ({id})\"><span>{}</span><input type=\"range\" id=\"rw-r{slot}\" min=\"0\" max=\"{max}\" step=\"any\" value=\"{w}\"><input type=\"number\" id=\"rw-n{slot}\" min=\"0\" step=\"any\" value=\"{w}\"></label>",
                esc(label),
                esc(label),
                id = esc(index.member_id(*member)),
            );
        }
        o += "</fieldset>";
    }
    let _ = write!(
        o,
        "</div><p><button type=\"button\" id=\"rw-reset\">{}</button> <label>{} <input type=\"text\" id=\"rw-name\" value=\"{}\"></label> <a id=\"rw-download\" download=\"weights.csv\" href=\"#\">{}</a></p><p id=\"rw-summary\" class=\"note\" aria-live=\"polite\"></p>",
        t(
            "Reset to the published weights",
            "Återställ de publicerade vikterna"
        ),
        t("Scenario name", "Scenariots namn"),
        t("my weights", "mina vikter"),
        t(
            "Download these weights (for kommunrank compare)",
            "Ladda ner vikterna (för kommunrank compare)"
        ),
    );
    let _ = write!(
        o,
        "<div class=\"scroll\"><table id=\"rw-table\"><thead><tr><th class=\"n\">{}</th><th class=\"n\">{}</th><th class=\"n\">{}</th><th>{}</th><th class=\"n\">{}</th>{}</tr></thead><tbody></tbody></table></div>",
        t("Rank", "Rang"),
        t("Change", "Förändring"),
        t("Published", "Publicerad"),
        t("Name", "Namn"),
        t("Score", "Poäng"),
        if mc.is_some() {
            format!(
                "<th>{}</th>",
                t("Within the 5–95% interval", "Inom 5–95 %-intervallet")
            )
        } else {
            String::new()
        } + &index
            .dimensions()
            .iter()
            .map(|&k| format!("<th class=\"n\">{}</th>", esc(&index.nodes[k].label)))
            .collect::<String>()
    );
    let _ = write!(
        o,
        "<script type=\"application/json\" id=\"rw-data\">{}</script>",
        script_json(&page_data(r, mc, &layout, lang))
    );
    o
}

/// What the page's script needs, as JSON.
fn page_data(r: &RankResult, mc: Option<&McResults>, layout: &WeightLayout, lang: Lang) -> Value {
    let t = |en, sv| either(lang, en, sv);
    let index = &r.index;
    let intervals = super::map::intervals(mc);
    // Each unit's place among the ids in byte order (ordinal ranks break
    // ties by id, as the engine's Ranker does).
    let mut by_id: Vec<usize> = (0..r.units.len()).collect();
    by_id.sort_by(|&a, &b| r.units[a].id.cmp(&r.units[b].id));
    let mut id_order = vec![0usize; r.units.len()];
    for (pos, &u) in by_id.iter().enumerate() {
        id_order[u] = pos;
    }
    let finite = |v: f64| v.is_finite().then_some(v);
    let units: Vec<Value> = r
        .units
        .iter()
        .enumerate()
        .map(|(u, unit)| {
            let interval = intervals.get(unit.id.as_str());
            json!({
                "id": unit.id,
                "name": unit.name,
                "rank": unit.rank.map(|x| x.0),
                "order": id_order[u],
                "row": unit.row,
                "lo": interval.map(|i| i.0),
                "hi": interval.map(|i| i.1),
                "values": (0..index.indicators.len())
                    .map(|j| finite(r.stages.normalised[[unit.row, j]]))
                    .collect::<Vec<_>>(),
            })
        })
        .collect();
    let nodes: Vec<Value> = index
        .nodes
        .iter()
        .enumerate()
        .map(|(n, node)| {
            let children: Vec<Value> = node
                .children
                .iter()
                .map(|m| match m {
                    Member::Indicator(i) => json!(["i", i]),
                    Member::Node(c) => json!(["n", c]),
                })
                .collect();
            json!({
                "id": node.id,
                "label": node.label,
                "method": node.aggregation.name(),
                "p": match node.aggregation {
                    Aggregation::Generalised { p } => Some(p),
                    _ => None,
                },
                "alpha": match node.aggregation {
                    Aggregation::MeanMin { alpha, .. } => Some(alpha),
                    _ => None,
                },
                "beta": match node.aggregation {
                    Aggregation::MeanMin { beta, .. } => Some(beta),
                    _ => None,
                },
                "requirement": match requirement(node.aggregation) {
                    Requirement::Any => "any",
                    Requirement::NonNegative => "non_negative",
                    Requirement::Positive => "positive",
                },
                "children": children,
                "first_slot": layout.offsets[n],
            })
        })
        .collect();
    let ranking = &index.spec.ranking;
    let header = csv_text(|c| {
        c.row(
            std::iter::once("scenario").chain(
                index
                    .nodes
                    .iter()
                    .flat_map(|node| node.children.iter().map(|m| index.member_id(*m))),
            ),
        )
    });
    json!({
        "units": units,
        "nodes": nodes,
        "bottom_up": index.bottom_up,
        "top_nodes": index.dimensions(),
        "intervals": mc.is_some(),
        "weights": layout.nominal,
        "ranking": {
            "method": match ranking.method {
                RankMethod::Competition => "competition",
                RankMethod::Dense => "dense",
                RankMethod::Fractional => "fractional",
                RankMethod::Ordinal => "ordinal",
            },
            "highest": ranking.best == Best::Highest,
            "round": ranking.round,
        },
        "tolerance": TIE_TOLERANCE,
        "small_p": SMALL_P,
        "csv_header": header.trim_end(),
        "decimals": ranking.round.unwrap_or(2),
        "words": {
            "decimal_comma": lang == Lang::Sv,
            "not_ranked": t("not ranked", "ej rangordnad"),
            "yes": t("yes", "ja"),
            "no": t("no", "nej"),
            "moved": t("units change rank; mean absolute change", "enheter byter rang; medelförändring i absoluta tal"),
            "largest": t("Largest move", "Största förflyttning"),
            "published": t("These are the published weights.", "Detta är de publicerade vikterna."),
            "zero": t("The weights of this node sum to 0; give one of its children a weight", "Vikterna i denna nod summerar till 0; ge något av dess barn en vikt"),
            "needs": t("needs children", "kräver barn"),
            "bad_link": t("The link's weights do not fit this report; the published weights are shown.", "Länkens vikter passar inte denna rapport; de publicerade vikterna visas."),
            "stays": t("stay within their 5–95% interval", "stannar inom sitt 5–95 %-intervall"),
        },
    })
}

/// The page's script for re-weighting (run inside the report's script,
/// after the map's, whose `show` it calls to recolour the map).
pub(crate) const SCRIPT: &str = r#"
  var rwEl = document.getElementById('rw-data');
  if (rwEl) (function(){
    var D = JSON.parse(rwEl.textContent);
    var W = D.words, U = D.units, n = U.length;
    var slots = D.weights.length;
    var num = function(v, d){
      var s = v.toFixed(d);
      return W.decimal_comma ? s.replace('.', ',').replace('-', '\u2212') : s;
    };
    // pipeline::aggregate::power: exact squares, roots and reciprocals.
    var power = function(v, p){
      if (p === 2) return v * v;
      if (p === 0.5) return Math.sqrt(v);
      if (p === 1) return v;
      if (p === -1) return 1 / v;
      if (p === 3) return v * v * v;
      return Math.pow(v, p);
    };
    // pipeline::aggregate::aggregate: the present (non-NaN) children, with
    // the weights re-normalised over them; NaN when none has weight.
    var aggregate = function(node, vs, ws){
      var method = node.method, p = node.p;
      var wsum = 0, s = 0, i;
      for (i = 0; i < vs.length; i++) if (!isNaN(vs[i])) wsum += ws[i];
      if (!(wsum > 0)) return NaN;
      var each = function(f){ for (var i = 0; i < vs.length; i++) if (!isNaN(vs[i])) s += f(vs[i], ws[i]); return s; };
      switch (method) {
        case 'arithmetic': return each(function(v, w){ return w * v; }) / wsum;
        case 'sum': return each(function(v, w){ return w * v; });
        case 'geometric': return Math.exp(each(function(v, w){ return w * Math.log(v); }) / wsum);
        case 'harmonic': return wsum / each(function(v, w){ return w / v; });
        case 'generalised':
          if (Math.abs(p) < D.small_p) {
            var e = each(function(v, w){ return w * Math.expm1(p * Math.log(v)); }) / wsum;
            return Math.exp(Math.log1p(e) / p);
          }
          return power(each(function(v, w){ return w * power(v, p); }) / wsum, 1 / p);
        case 'mazziotta_pareto':
          var m = each(function(v, w){ return w * v; }) / wsum;
          s = 0;
          var variance = each(function(v, w){ return w * (v - m) * (v - m); }) / wsum;
          if (m === 0) return 0;
          return m - variance / m;
        case 'mean_min':
          var mean = each(function(v, w){ return w * v; }) / wsum, least = Infinity;
          for (i = 0; i < vs.length; i++) if (!isNaN(vs[i])) least = Math.min(least, vs[i]);
          return mean - node.alpha * (Math.sqrt((mean - least) * (mean - least) + node.beta * node.beta) - node.beta);
      }
      return NaN;
    };
    // pipeline::rank::nearly_equal: equal up to the relative tolerance.
    var nearlyEqual = function(a, b){
      return a === b || Math.abs(a - b) <= D.tolerance * Math.max(Math.abs(a), Math.abs(b));
    };
    // pipeline::aggregate::copeland: each unit against every ranked unit,
    // pairs in data order as COINr fills its outranking matrix.
    var copeland = function(node, ws, scores){
      var total = ws.reduce(function(a, b){ return a + b; }, 0);
      var w = ws.map(function(x){ return x / total; });
      var rows = U.map(function(unit, u){
        return node.children.map(function(c){
          var v = c[0] === 'i' ? unit.values[c[1]] : scores[c[1]][u];
          return v === null ? NaN : v;
        });
      });
      var upper = function(a, b){
        var higher = 0, equal = 0;
        for (var j = 0; j < w.length; j++) {
          if (rows[a][j] > rows[b][j]) higher += w[j];
          else if (rows[a][j] === rows[b][j]) equal += w[j];
        }
        return higher + equal / 2;
      };
      return rows.map(function(x, u){
        if (x.every(function(v){ return isNaN(v); })) return NaN;
        var score = 0;
        for (var v = 0; v < n; v++) {
          if (v === u || U[v].rank === null) continue;
          var o = U[u].row < U[v].row ? upper(u, v) : 1 - upper(v, u);
          if (!nearlyEqual(o, 0.5)) score += o > 0.5 ? 1 : -1;
        }
        return score;
      });
    };
    var meets = function(req, v){
      return req === 'any' || (req === 'non_negative' ? v >= 0 : v > 0);
    };
    // pipeline::rank::round_half_away: half away from zero on the value's
    // 15-significant-digit decimal form.
    var round = function(x, d){
      if (!isFinite(x)) return x;
      var neg = x < 0 || Object.is(x, -0);
      if (d < 16) {
        var scale = Math.pow(10, d), y = Math.abs(x) * scale, f = Math.floor(y), frac = y - f;
        var m = frac > 0.5 ? f + 1 : f;
        if (y < 1e13 && Math.abs(frac - 0.5) > Math.max(1e-6, y * 1e-13)) return neg ? -(m / scale) : m / scale;
      }
      var parts = Math.abs(x).toExponential(14).split('e');
      var digits = parts[0].replace('.', '').split('').map(Number);
      var keep = parseInt(parts[1], 10) + 1 + d;
      if (keep < 0) return neg ? -0 : 0;
      if (keep >= digits.length) return x;
      var kept = digits.slice(0, keep);
      if (digits[keep] >= 5) {
        var i = kept.length;
        for (;;) {
          if (i === 0) { kept.unshift(1); break; }
          i -= 1;
          if (kept[i] === 9) { kept[i] = 0; } else { kept[i] += 1; break; }
        }
      }
      var v = parseFloat((kept.length ? kept.join('') : '0') + 'e-' + d);
      return neg ? -v : v;
    };
    // pipeline::rank::Ranker: ties on the rounded scores, or within the
    // relative tolerance when scores are not rounded; ordinal ties by id.
    var R = D.ranking;
    var tied = function(a, b){
      return a === b || (R.round === null && nearlyEqual(a, b));
    };
    var rankAll = function(scores){
      var keys = scores.map(function(s){ return R.round === null ? s : round(s, R.round); });
      var order = [];
      for (var u = 0; u < n; u++) if (U[u].rank !== null && !isNaN(keys[u])) order.push(u);
      order.sort(function(a, b){
        var c = R.highest ? keys[b] - keys[a] : keys[a] - keys[b];
        return c !== 0 ? c : U[a].order - U[b].order;
      });
      var ranks = new Array(n).fill(null), pos = 0, dense = 0;
      while (pos < order.length) {
        var first = keys[order[pos]], end = pos + 1;
        while (end < order.length && tied(first, keys[order[end]])) end++;
        dense += 1;
        var group = order.slice(pos, end);
        if (R.method === 'ordinal') group.sort(function(a, b){ return U[a].order - U[b].order; });
        for (var j = 0; j < group.length; j++) {
          ranks[group[j]] = R.method === 'competition' ? pos + 1 : R.method === 'dense' ? dense
            : R.method === 'fractional' ? (pos + 1 + end) / 2 : pos + 1 + j;
        }
        pos = end;
      }
      return {ranks: ranks, ranked: order.length};
    };
    // Node scores bottom-up, then every node's ranks.
    var compute = function(w){
      var scores = D.nodes.map(function(){ return new Array(n).fill(NaN); });
      var problem = null;
      D.bottom_up.forEach(function(k){
        var node = D.nodes[k], ws = [], vs = [];
        node.children.forEach(function(c, j){ ws.push(w[node.first_slot + j]); });
        if (!(ws.reduce(function(a, b){ return a + b; }, 0) > 0) && !problem) problem = node.label + ': ' + W.zero;
        if (node.method === 'copeland') {
          scores[k] = copeland(node, ws, scores);
          return;
        }
        for (var u = 0; u < n; u++) {
          vs.length = 0;
          node.children.forEach(function(c){
            var v = c[0] === 'i' ? U[u].values[c[1]] : scores[c[1]][u];
            vs.push(v === null ? NaN : v);
          });
          for (var i = 0; i < vs.length && !problem; i++) {
            if (!isNaN(vs[i]) && !meets(node.requirement, vs[i])) {
              problem = node.label + ' (' + node.method + ') ' + W.needs + ' ' + (node.requirement === 'positive' ? '> 0' : '>= 0') + ': ' + U[u].name + ' = ' + vs[i];
            }
          }
          scores[k][u] = aggregate(node, vs, ws);
        }
      });
      var ranks = scores.map(rankAll);
      return {scores: scores, ranks: ranks, problem: problem};
    };
    var weights = D.weights.slice();
    var range = [], field = [];
    for (var s = 0; s < slots; s++) {
      range.push(document.getElementById('rw-r' + s));
      field.push(document.getElementById('rw-n' + s));
    }
    var body = document.querySelector('#rw-table tbody');
    var rows = U.map(function(unit, u){
      var tr = document.createElement('tr');
      tr.setAttribute('data-u', u);
      var cells = [];
      var count = 5 + (D.intervals ? 1 : 0) + D.top_nodes.length;
      for (var c = 0; c < count; c++) {
        var td = document.createElement('td');
        if (c !== 3 && !(D.intervals && c === 5)) td.className = 'n';
        tr.appendChild(td);
        cells.push(td);
      }
      cells[2].textContent = unit.rank === null ? W.not_ranked : String(unit.rank);
      cells[3].textContent = unit.name + ' (' + unit.id + ')';
      body.appendChild(tr);
      return {tr: tr, cells: cells};
    });
    var summary = document.getElementById('rw-summary');
    var same = function(){ for (var s = 0; s < slots; s++) if (weights[s] !== D.weights[s]) return false; return true; };
    var update = function(){
      var res = compute(weights);
      var r0 = res.ranks[0].ranks, changed = 0, total = 0, largest = null, stays = 0, intervals = 0;
      var order = [];
      for (var u = 0; u < n; u++) order.push(u);
      order.sort(function(a, b){
        var x = r0[a], y = r0[b];
        if (x === null || y === null) return (x === null) - (y === null) || a - b;
        return x - y || a - b;
      });
      order.forEach(function(u){
        var row = rows[u], unit = U[u], rank = r0[u], score = res.scores[0][u];
        row.cells[0].textContent = rank === null ? W.not_ranked : String(rank);
        row.tr.setAttribute('data-rank', rank === null ? '' : String(rank));
        var delta = rank !== null && unit.rank !== null ? unit.rank - rank : null;
        row.cells[1].textContent = delta === null ? '' : delta > 0 ? '+' + delta : delta < 0 ? '\u2212' + (-delta) : '0';
        row.cells[4].textContent = isNaN(score) ? '' : num(score, D.decimals);
        D.top_nodes.forEach(function(k, j){
          var v = res.scores[k][u];
          row.cells[5 + (D.intervals ? 1 : 0) + j].textContent = isNaN(v) ? '\u2013' : num(v, D.decimals);
        });
        if (unit.lo !== null && rank !== null) {
          var inside = rank >= unit.lo && rank <= unit.hi;
          row.cells[5].textContent = inside ? W.yes : W.no;
          intervals += 1;
          if (inside) stays += 1;
        }
        if (delta !== null) {
          if (delta !== 0) changed += 1;
          total += Math.abs(delta);
          if (largest === null || Math.abs(delta) > Math.abs(largest.d)) largest = {u: u, d: delta};
        }
        body.appendChild(row.tr);
      });
      var ranked = order.filter(function(u){ return r0[u] !== null && U[u].rank !== null; }).length;
      var text = same() ? W.published + ' ' : '';
      text += changed + ' ' + W.moved + ' ' + num(ranked ? total / ranked : 0, 2) + '.';
      if (largest && largest.d !== 0) text += ' ' + W.largest + ': ' + U[largest.u].name + ' (' + (largest.d > 0 ? '+' : '\u2212') + Math.abs(largest.d) + ').';
      if (intervals) text += ' ' + stays + ' / ' + intervals + ' ' + W.stays + '.';
      if (res.problem) text = res.problem + '. ' + text;
      summary.textContent = text;
      problem = res.problem;
      link();
      if (typeof recolour === 'function') recolour(res);
    };
    // "Download these weights": a scenario row `kommunrank compare` reads,
    // under the page's CSV header (ids neutralised as report::csv_text does).
    var download = document.getElementById('rw-download');
    var problem = null;
    var link = function(){
      if (problem) {
        download.removeAttribute('href');
        download.setAttribute('aria-disabled', 'true');
        return;
      }
      var name = document.getElementById('rw-name').value || 'page';
      if (/^[=+\-@\t\r]/.test(name) && isNaN(Number(name))) name = "'" + name;
      if (/[",\r\n]/.test(name)) name = '"' + name.replace(/"/g, '""') + '"';
      var csv = D.csv_header + '\n' + name + ',' + weights.map(String).join(',') + '\n';
      download.setAttribute('href', 'data:text/csv;charset=utf-8,' + encodeURIComponent(csv));
      download.removeAttribute('aria-disabled');
    };
    var write = function(){
      setHashParam('w', same() ? null : weights.map(String).join(','));
    };
    var set = function(s, v, from){
      if (!(v >= 0) || !isFinite(v)) return;
      weights[s] = v;
      if (from !== range[s]) {
        if (v > parseFloat(range[s].max)) range[s].max = String(v);
        range[s].value = String(v);
      }
      if (from !== field[s]) field[s].value = String(v);
    };
    for (var s2 = 0; s2 < slots; s2++) (function(s){
      range[s].addEventListener('input', function(){ set(s, parseFloat(range[s].value), range[s]); update(); write(); });
      field[s].addEventListener('input', function(){ set(s, parseFloat(field[s].value), field[s]); update(); write(); });
    })(s2);
    document.getElementById('rw-reset').addEventListener('click', function(){
      for (var s = 0; s < slots; s++) set(s, D.weights[s], null);
      update(); write();
    });
    document.getElementById('rw-name').addEventListener('input', function(){ link(); });
    // Weights from the link (#w=...), when they fit.
    var linked = hashParam('w');
    if (linked !== null) {
      var ws = linked.split(',').map(Number);
      if (ws.length === slots && ws.every(function(v){ return isFinite(v) && v >= 0; })) {
        for (var s3 = 0; s3 < slots; s3++) set(s3, ws[s3], null);
      } else {
        linked = null;
        summary.setAttribute('data-bad-link', 'yes');
      }
    }
    update();
    if (summary.getAttribute('data-bad-link')) summary.textContent = W.bad_link + ' ' + summary.textContent;
  })();
"#;
