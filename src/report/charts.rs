//! Inline SVG charts for the HTML report: rank intervals, bars with
//! intervals (Sobol indices), histograms, a correlation heatmap. Each
//! function returns a self-contained `<svg>` element (no scripts, no fonts
//! to fetch).

use super::Lang;
use super::words::{number, plain, trimmed};
use std::fmt::Write;

/// Escapes text for XML/HTML.
pub fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// One unit's rank interval.
#[derive(Debug, Clone)]
pub struct Interval {
    /// Unit id.
    pub id: String,
    /// Label (unit name).
    pub label: String,
    /// Nominal rank.
    pub nominal: f64,
    /// Median rank.
    pub median: f64,
    /// 5% rank quantile.
    pub low: f64,
    /// 95% rank quantile.
    pub high: f64,
}

/// The words the charts write, in the report's language.
#[derive(Debug, Clone, Copy)]
pub struct ChartWords {
    /// "nominal" (rank), in tooltips.
    pub nominal: &'static str,
    /// "median" (rank), in tooltips.
    pub median: &'static str,
    /// The rank-interval chart's key.
    pub intervals_key: &'static str,
    /// The Sobol chart's key for first-order indices.
    pub first_order: &'static str,
    /// The Sobol chart's key for total indices.
    pub total_order: &'static str,
    /// The language of the numbers.
    pub lang: Lang,
}

/// English chart words.
pub const CHART_EN: ChartWords = ChartWords {
    nominal: "nominal",
    median: "median",
    intervals_key: "rank (1 = best); bar: 5%-95% of runs, tick: median, dot: nominal rank (tied units share the best rank of their tie)",
    first_order: "first order S_i",
    total_order: "total S_Ti (lines: 95% intervals)",
    lang: Lang::En,
};

/// Horizontal rank-interval chart: one row per unit (in the given order), a
/// bar from Q5 to Q95, a dot at the nominal rank and a tick at the median.
/// Each row is a `<g data-unit="ID">` placed by its `transform`, and the
/// bottom axis with the key is `<g class="foot">`, so that the page's
/// script can lay out any selection of rows (the searched units).
pub fn rank_intervals(
    items: &[Interval],
    max_rank: f64,
    title: &str,
    words: &ChartWords,
) -> String {
    let (left, right, top) = (INTERVAL_LEFT, 20.0, INTERVAL_TOP);
    let width = 760.0;
    let height = top + INTERVAL_ROW * items.len() as f64 + 44.0;
    let plot = width - left - right;
    let x = |r: f64| left + plot * (r - 1.0) / (max_rank - 1.0).max(1.0);
    let mut s = String::new();
    let _ = write!(
        s,
        r#"<svg class="chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="{width}" height="{height}" role="img"><title>{}</title>"#,
        esc(title)
    );
    // Axes with ticks, at the top and (in the foot) at the bottom.
    let step = nice_step(max_rank);
    let mut ticks = Vec::new();
    let mut t = 1.0;
    while t <= max_rank + 0.5 {
        ticks.push(t);
        t = if t == 1.0 && step > 1.0 {
            step
        } else {
            t + step
        };
    }
    for &t in &ticks {
        let _ = write!(
            s,
            r##"<line class="grid" x1="{0:.1}" y1="{1}" x2="{0:.1}" y2="{2}" stroke="#e3e3e3"/><text x="{0:.1}" y="{3}" font-size="10" text-anchor="middle" fill="#555">{4}</text>"##,
            x(t),
            top - 4.0,
            height - 40.0,
            top - 8.0,
            t as i64,
        );
    }
    for (i, it) in items.iter().enumerate() {
        let y = top + INTERVAL_ROW * i as f64 + INTERVAL_ROW / 2.0;
        let _ = write!(
            s,
            r##"<g data-unit="{}" data-name="{}" transform="translate(0 {y:.1})"><title>{}: {} {}, {} {}, 5%-95% {}-{}</title><text x="{}" y="3" font-size="9.5" text-anchor="end" fill="#222">{}</text><line x1="{:.1}" y1="0" x2="{:.1}" y2="0" stroke="#8fb3d9" stroke-width="5" stroke-linecap="round"/><line x1="{:.1}" y1="-4" x2="{:.1}" y2="4" stroke="#1f4e79" stroke-width="1.5"/><circle cx="{:.1}" cy="0" r="3" fill="#c0392b"/></g>"##,
            esc(&it.id),
            esc(&it.label),
            esc(&it.label),
            words.nominal,
            plain(it.nominal, words.lang),
            words.median,
            plain(it.median, words.lang),
            plain(it.low, words.lang),
            plain(it.high, words.lang),
            left - 6.0,
            esc(&truncate(&it.label, 28)),
            x(it.low),
            x(it.high).max(x(it.low) + 0.5),
            x(it.median),
            x(it.median),
            x(it.nominal),
        );
    }
    let _ = write!(s, r#"<g class="foot" transform="translate(0 {height})">"#);
    for &t in &ticks {
        let _ = write!(
            s,
            r##"<text x="{:.1}" y="-28" font-size="10" text-anchor="middle" fill="#555">{}</text>"##,
            x(t),
            t as i64,
        );
    }
    let _ = write!(
        s,
        r##"<text x="{left}" y="-8" font-size="10" fill="#555">{}</text></g></svg>"##,
        esc(words.intervals_key)
    );
    s
}

/// Rank-interval chart geometry the page's script shares (the searched
/// units' chart): the height of a row, the plot's top and its left margin.
pub(crate) const INTERVAL_ROW: f64 = 12.0;
/// See [`INTERVAL_ROW`].
pub(crate) const INTERVAL_TOP: f64 = 30.0;
/// See [`INTERVAL_ROW`].
pub(crate) const INTERVAL_LEFT: f64 = 170.0;

/// `s` cut to at most `n` characters with an ellipsis, at the end of a
/// word when one ends in its second half (no stray letters of the next).
fn truncate(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        return s.to_string();
    }
    let head: String = s.chars().take(n - 1).collect();
    let cut = match head.rfind(' ') {
        Some(i) if head[..i].chars().count() >= n / 2 => head[..i].trim_end().to_string(),
        _ => head,
    };
    cut + "…"
}

fn nice_step(max: f64) -> f64 {
    let raw = max / 8.0;
    let p = 10f64.powf(raw.log10().floor());
    let m = raw / p;
    let nice = if m < 1.5 {
        1.0
    } else if m < 3.5 {
        2.0
    } else if m < 7.5 {
        5.0
    } else {
        10.0
    };
    (nice * p).max(1.0)
}

/// A labelled value with a 95% interval.
#[derive(Debug, Clone)]
pub struct Bar {
    /// Label.
    pub label: String,
    /// First-order index.
    pub first: f64,
    /// Its interval.
    pub first_ci: [f64; 2],
    /// Total index.
    pub total: f64,
    /// Its interval.
    pub total_ci: [f64; 2],
}

/// Paired horizontal bars (first-order and total index) with interval whiskers.
pub fn sobol_bars(bars: &[Bar], title: &str, words: &ChartWords) -> String {
    let row = 26.0;
    let (left, right, top) = (190.0, 30.0, 24.0);
    let width = 760.0;
    let height = top + row * bars.len() as f64 + 34.0;
    let plot = width - left - right;
    // Indices are shares of variance: the axis is [0, 1] (estimates and
    // interval ends outside it are drawn at its ends; the tooltips give
    // them as estimated).
    let (lo, hi) = (0.0, 1.0);
    let x = |v: f64| left + plot * (v.clamp(lo, hi) - lo) / (hi - lo);
    let mut s = String::new();
    let _ = write!(
        s,
        r#"<svg class="chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="{width}" height="{height}" role="img"><title>{}</title>"#,
        esc(title)
    );
    for t in 0..=5 {
        let v = lo + (hi - lo) * t as f64 / 5.0;
        let _ = write!(
            s,
            r##"<line x1="{0:.1}" y1="{1}" x2="{0:.1}" y2="{2}" stroke="#e3e3e3"/><text x="{0:.1}" y="{3}" font-size="10" text-anchor="middle" fill="#555">{4}</text>"##,
            x(v),
            top - 4.0,
            height - 28.0,
            height - 16.0,
            trimmed(v, 1, words.lang)
        );
    }
    let _ = write!(
        s,
        r##"<line x1="{0:.1}" y1="{1}" x2="{0:.1}" y2="{2}" stroke="#999"/>"##,
        x(0.0),
        top - 4.0,
        height - 28.0
    );
    for (i, b) in bars.iter().enumerate() {
        let y = top + row * i as f64;
        let _ = write!(
            s,
            r##"<text x="{}" y="{:.1}" font-size="10.5" text-anchor="end" fill="#222">{}</text>"##,
            left - 6.0,
            y + 14.0,
            esc(&truncate(&b.label, 32))
        );
        for (k, (v, ci, colour)) in [
            (b.first, b.first_ci, "#5b8fc7"),
            (b.total, b.total_ci, "#e08a3c"),
        ]
        .into_iter()
        .enumerate()
        {
            let yy = y + 3.0 + 10.0 * k as f64;
            if !v.is_finite() {
                continue;
            }
            let (x0, x1) = (x(0.0).min(x(v)), x(0.0).max(x(v)));
            let _ = write!(
                s,
                r##"<g><title>{}: {} = {} [{}; {}]</title><rect x="{x0:.1}" y="{yy:.1}" width="{:.1}" height="8" fill="{colour}"/><line x1="{:.1}" y1="{:.1}" x2="{:.1}" y2="{:.1}" stroke="#222"/></g>"##,
                esc(&b.label),
                if k == 0 { "S_i" } else { "S_Ti" },
                number(v, 3, words.lang),
                number(ci[0], 3, words.lang),
                number(ci[1], 3, words.lang),
                (x1 - x0).max(0.5),
                x(ci[0]),
                yy + 4.0,
                x(ci[1]),
                yy + 4.0
            );
        }
    }
    let _ = write!(
        s,
        r##"<rect x="{left}" y="{0}" width="10" height="8" fill="#5b8fc7"/><text x="{1}" y="{2}" font-size="10" fill="#555">{5}</text><rect x="{3}" y="{0}" width="10" height="8" fill="#e08a3c"/><text x="{4}" y="{2}" font-size="10" fill="#555">{6}</text></svg>"##,
        height - 10.0,
        left + 14.0,
        height - 2.5,
        left + 130.0,
        left + 144.0,
        esc(words.first_order),
        esc(words.total_order)
    );
    s
}

/// A small histogram of values.
pub fn histogram(values: &[f64], title: &str, bins: usize, lang: Lang) -> String {
    let v: Vec<f64> = values.iter().copied().filter(|x| x.is_finite()).collect();
    let (w, h, pad) = (240.0, 130.0, 22.0);
    let mut s = String::new();
    let _ = write!(
        s,
        r#"<svg class="chart small" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {w} {h}" width="{w}" height="{h}" role="img"><title>{}</title>"#,
        esc(title)
    );
    let _ = write!(
        s,
        r##"<text x="4" y="12" font-size="11" fill="#222">{}</text>"##,
        esc(&truncate(title, 36))
    );
    if v.is_empty() {
        return s + "</svg>";
    }
    let lo = v.iter().copied().fold(f64::INFINITY, f64::min);
    let hi = v.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let span = if hi > lo { hi - lo } else { 1.0 };
    let mut counts = vec![0usize; bins];
    for x in &v {
        let b = (((x - lo) / span) * bins as f64) as usize;
        counts[b.min(bins - 1)] += 1;
    }
    let max = *counts.iter().max().unwrap_or(&1) as f64;
    let bw = (w - 2.0 * pad) / bins as f64;
    for (i, c) in counts.iter().enumerate() {
        let bh = (h - 2.0 * pad - 6.0) * *c as f64 / max;
        let _ = write!(
            s,
            r##"<rect x="{:.1}" y="{:.1}" width="{:.1}" height="{:.1}" fill="#8fb3d9"><title>{}</title></rect>"##,
            pad + bw * i as f64,
            h - pad - bh,
            (bw - 1.0).max(0.5),
            bh,
            c
        );
    }
    let _ = write!(
        s,
        r##"<text x="{pad}" y="{0}" font-size="9" fill="#555">{1}</text><text x="{2}" y="{0}" font-size="9" text-anchor="end" fill="#555">{3}</text></svg>"##,
        h - 8.0,
        short(lo, lang),
        w - pad,
        short(hi, lang)
    );
    s
}

/// A number with about 4 significant digits and no trailing zeros.
fn short(v: f64, lang: Lang) -> String {
    let d = if v.abs() >= 1000.0 {
        0
    } else if v.abs() >= 10.0 {
        2
    } else {
        3
    };
    trimmed(v, d, lang)
}

/// A correlation heatmap (blue negative, white 0, red positive) of the
/// variables named by `labels`, with its colour scale below.
pub fn heatmap(
    labels: &[String],
    groups: &[String],
    matrix: &[Vec<f64>],
    title: &str,
    lang: Lang,
) -> String {
    let ids = labels;
    let n = ids.len();
    let cell = (560.0 / n.max(1) as f64).clamp(8.0, 28.0);
    let left = 150.0;
    let top = 130.0;
    let size = (left + cell * n as f64 + 180.0).max(left + 230.0);
    let height = top + cell * n as f64 + 50.0;
    let mut s = String::new();
    let _ = write!(
        s,
        r#"<svg class="chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {size} {height}" width="{size}" height="{height}" role="img"><title>{}</title>"#,
        esc(title)
    );
    for (i, id) in ids.iter().enumerate() {
        let c = left + cell * i as f64 + cell / 2.0;
        let _ = write!(
            s,
            r##"<text x="{:.1}" y="{:.1}" font-size="{:.1}" text-anchor="end" fill="#222">{}</text><text transform="translate({c:.1},{:.1}) rotate(-60)" font-size="{:.1}" fill="#222">{}</text>"##,
            left - 4.0,
            top + cell * i as f64 + cell / 2.0 + 3.0,
            (cell * 0.7).min(10.0),
            esc(&truncate(id, 24)),
            top - 4.0,
            (cell * 0.7).min(10.0),
            esc(&truncate(id, 24))
        );
    }
    // Cell tooltips name their pair by labels cut short (n^2 of them).
    let short_labels: Vec<String> = ids.iter().map(|l| esc(&truncate(l, 32))).collect();
    for (i, row) in matrix.iter().enumerate() {
        for (j, &r) in row.iter().enumerate() {
            let fill = colour(r);
            let _ = write!(
                s,
                r##"<rect x="{:.1}" y="{:.1}" width="{cell:.1}" height="{cell:.1}" fill="{fill}" stroke="#fff" stroke-width="0.5"><title>{} ~ {}: r = {}</title></rect>"##,
                left + cell * j as f64,
                top + cell * i as f64,
                short_labels[i],
                short_labels[j],
                number(r, 2, lang)
            );
        }
    }
    // Blocks of consecutive items of one group: framed, named on the right.
    let mut start = 0;
    while start < n {
        let end = (start..n)
            .find(|&i| groups.get(i) != groups.get(start))
            .unwrap_or(n);
        let (a, b) = (cell * start as f64, cell * end as f64);
        let _ = write!(
            s,
            r##"<rect x="{:.1}" y="{:.1}" width="{:.1}" height="{:.1}" fill="none" stroke="#333" stroke-width="1"/><line x1="{:.1}" y1="{:.1}" x2="{:.1}" y2="{:.1}" stroke="#333"/><text x="{:.1}" y="{:.1}" font-size="10" fill="#222">{}</text>"##,
            left + a,
            top + a,
            b - a,
            b - a,
            left + cell * n as f64 + 4.0,
            top + a + 1.0,
            left + cell * n as f64 + 4.0,
            top + b - 1.0,
            left + cell * n as f64 + 8.0,
            top + (a + b) / 2.0 + 3.0,
            esc(&truncate(groups.get(start).map_or("", String::as_str), 28))
        );
        start = end;
    }
    // The colour scale: r from -1 to 1, in steps of 0.1, with its values.
    let (y, w) = (top + cell * n as f64 + 14.0, 10.0);
    for k in 0..=20 {
        let r = -1.0 + 0.1 * k as f64;
        let _ = write!(
            s,
            r##"<rect x="{:.1}" y="{y:.1}" width="{w}" height="10" fill="{}"/>"##,
            left + w * k as f64,
            colour(r)
        );
    }
    for r in [-1.0, -0.5, 0.0, 0.5, 1.0] {
        let _ = write!(
            s,
            r##"<text x="{:.1}" y="{:.1}" font-size="9" text-anchor="middle" fill="#555">{}</text>"##,
            left + w * ((r + 1.0) * 10.0) + w / 2.0,
            y + 22.0,
            trimmed(r, 1, lang)
        );
    }
    let _ = write!(
        s,
        r##"<text x="{:.1}" y="{:.1}" font-size="9" fill="#555">r</text>"##,
        left + w * 21.0 + 6.0,
        y + 9.0
    );
    s + "</svg>"
}

fn colour(r: f64) -> String {
    if !r.is_finite() {
        return "#dddddd".into();
    }
    let t = r.clamp(-1.0, 1.0);
    let (base, a) = if t >= 0.0 {
        ((192.0, 57.0, 43.0), t)
    } else {
        ((41.0, 98.0, 168.0), -t)
    };
    let mix = |c: f64| (255.0 + (c - 255.0) * a).round() as u8;
    format!("#{:02x}{:02x}{:02x}", mix(base.0), mix(base.1), mix(base.2))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn charts_are_well_formed_svg() {
        let items = vec![Interval {
            id: "x".into(),
            label: "Åre & <x>".into(),
            nominal: 1.0,
            median: 2.0,
            low: 1.0,
            high: 4.0,
        }];
        let svg = rank_intervals(&items, 10.0, "t", &CHART_EN);
        assert!(svg.starts_with("<svg") && svg.ends_with("</svg>"));
        assert!(svg.contains("Åre &amp; &lt;x&gt;"));
        assert!(histogram(&[1.0, 2.0, 2.0, 3.0], "h", 5, Lang::En).contains("<rect"));
        assert!(
            heatmap(
                &["a".into(), "b".into()],
                &["g".into(), "g".into()],
                &[vec![1.0, -0.5], vec![-0.5, 1.0]],
                "c",
                Lang::En
            )
            .matches("</title></rect>")
            .count()
                == 4
        );
        assert_eq!(colour(0.0), "#ffffff");
        assert_eq!(colour(1.0), "#c0392b");
    }
}
