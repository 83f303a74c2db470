//! Choropleth maps of a ranking: boundaries read from GeoJSON (any units,
//! keyed by a property that holds the unit id), projected and simplified
//! for the page, drawn as SVG with a legend. Each unit's shape is defined
//! once and reused by every map of the page; its hover text names the unit,
//! its score, rank and rank interval, or why it has no rank.

use super::Lang;
use super::charts::esc;
use super::results::McResults;
use super::words::{self, either as t};
use crate::error::{Error, Result};
use crate::pipeline::{Rank, RankResult};
use serde_json::Value;
use std::collections::HashMap;
use std::fmt::Write;

/// Where the boundaries come from: a GeoJSON file of the units (and,
/// optionally, one of larger areas whose borders are drawn over them).
#[derive(Debug, Clone)]
pub struct MapSource {
    /// The units' boundaries (a GeoJSON FeatureCollection).
    pub file: crate::input::Source,
    /// The feature property that holds the unit id.
    pub id_property: String,
    /// Larger areas (counties) drawn as borders, if any.
    pub borders: Option<crate::input::Source>,
    /// Where the boundaries come from, as the report credits it.
    pub credit: Option<String>,
}

/// Boundaries projected to the page: shapes on a grid of 0.8 pixels.
#[derive(Debug, Clone)]
pub struct Boundaries {
    /// Unit id -> path data (in grid units), filled without a stroke.
    shapes: Vec<(String, String)>,
    /// The units' borders, each drawn once: one path of every edge of the
    /// shapes, an edge two neighbours share written a single time.
    mesh: String,
    /// Path data of the borders of larger areas.
    borders: Vec<String>,
    /// Width and height in pixels.
    size: (f64, f64),
    /// What the report names as the source.
    credit: String,
}

/// Width of a map in pixels.
const WIDTH: f64 = 340.0;
/// The grid (in pixels) every point is snapped to: the simplification.
/// Snapping does not depend on the direction a ring runs, so a border two
/// neighbours share comes out the same in both (no slivers or gaps), and
/// can be drawn once.
const GRID: f64 = 0.8;

/// A ring of lon/lat points.
type Ring = Vec<[f64; 2]>;

/// Reads and projects the boundaries; an error names the file, the feature
/// and what is wrong.
pub fn load(source: &MapSource) -> Result<Boundaries> {
    let units = features(&source.file, Some(&source.id_property))?;
    let borders = match &source.borders {
        Some(b) => features(b, None)?,
        None => Vec::new(),
    };
    let all = units
        .iter()
        .chain(&borders)
        .flat_map(|(_, r)| r.iter().flatten());
    let (mut lo, mut hi) = ([f64::INFINITY; 2], [f64::NEG_INFINITY; 2]);
    for p in all {
        for d in 0..2 {
            lo[d] = lo[d].min(p[d]);
            hi[d] = hi[d].max(p[d]);
        }
    }
    if !(lo[0] < hi[0] && lo[1] < hi[1]) {
        return Err(map_error(
            &source.file,
            None,
            "no coordinates to draw",
            MAP_FIX,
        ));
    }
    // Equirectangular at the middle latitude: true shapes near it, enough
    // for a country the size of Sweden.
    let shrink = ((lo[1] + hi[1]) / 2.0).to_radians().cos().max(0.05);
    let scale = WIDTH / ((hi[0] - lo[0]) * shrink);
    let project = |p: &[f64; 2]| [(p[0] - lo[0]) * shrink * scale, (hi[1] - p[1]) * scale];
    // Every ring on the grid, consecutive repeats dropped; rings that
    // collapse to fewer than 3 points are not drawn.
    let snap = |rings: &[Ring]| -> Vec<Vec<[i64; 2]>> {
        rings
            .iter()
            .filter_map(|ring| {
                let mut kept: Vec<[i64; 2]> = Vec::new();
                for p in ring.iter().map(project) {
                    let q = [(p[0] / GRID).round() as i64, (p[1] / GRID).round() as i64];
                    if kept.last() != Some(&q) {
                        kept.push(q);
                    }
                }
                while kept.len() > 1 && kept.first() == kept.last() {
                    kept.pop();
                }
                (kept.len() >= 3).then_some(kept)
            })
            .collect()
    };
    let units: Vec<(String, Vec<Vec<[i64; 2]>>)> =
        units.iter().map(|(id, r)| (id.clone(), snap(r))).collect();
    let path = |rings: &[Vec<[i64; 2]>]| -> String {
        let mut d = String::new();
        for kept in rings {
            let _ = write!(d, "M{} {}", kept[0][0], kept[0][1]);
            for w in kept.windows(2) {
                let _ = write!(d, "l{} {}", w[1][0] - w[0][0], w[1][1] - w[0][1]);
            }
            d.push('z');
        }
        d
    };
    Ok(Boundaries {
        shapes: units.iter().map(|(id, r)| (id.clone(), path(r))).collect(),
        mesh: mesh(units.iter().map(|(_, r)| r)),
        borders: borders.iter().map(|(_, r)| path(&snap(r))).collect(),
        size: (WIDTH, ((hi[1] - lo[1]) * scale).ceil()),
        credit: source.credit.clone().unwrap_or_else(|| {
            let name = |s: &crate::input::Source| {
                s.path()
                    .and_then(|p| p.file_name())
                    .map_or_else(|| s.name(), |n| n.to_string_lossy().into_owned())
            };
            let mut c = name(&source.file);
            if let Some(b) = &source.borders {
                c += &format!(", {}", name(b));
            }
            c
        }),
    })
}

/// One path of every edge of the rings, each edge once (a border two
/// shapes share is written by the first): runs of new edges along a ring
/// become one polyline.
fn mesh<'a>(shapes: impl Iterator<Item = &'a Vec<Vec<[i64; 2]>>>) -> String {
    let mut drawn: std::collections::HashSet<([i64; 2], [i64; 2])> = Default::default();
    let mut d = String::new();
    for ring in shapes.flatten() {
        let mut at: Option<[i64; 2]> = None;
        for k in 0..ring.len() {
            let (a, b) = (ring[k], ring[(k + 1) % ring.len()]);
            let edge = if a <= b { (a, b) } else { (b, a) };
            if !drawn.insert(edge) {
                at = None;
                continue;
            }
            if at != Some(a) {
                let _ = write!(d, "M{} {}", a[0], a[1]);
            }
            let _ = write!(d, "l{} {}", b[0] - a[0], b[1] - a[1]);
            at = Some(b);
        }
    }
    d
}

/// What to give as boundaries.
const MAP_FIX: &str = "give a GeoJSON FeatureCollection of Polygon or MultiPolygon features (--map FILE, or [map] file in the spec)";

/// A problem in a boundary file, at a feature when `feature` is given.
fn map_error(
    source: &crate::input::Source,
    feature: Option<usize>,
    what: impl Into<String>,
    fix: &str,
) -> Error {
    Error::data(
        crate::error::Location {
            file: source.name(),
            position: feature.map(|i| format!("feature {i}")).unwrap_or_default(),
            column: None,
        },
        what,
    )
    .with_hint(fix)
}

/// The features of a GeoJSON file: (id, rings); the id is the property
/// `id_property` (text, or a whole number) when given.
fn features(
    source: &crate::input::Source,
    id_property: Option<&str>,
) -> Result<Vec<(String, Vec<Ring>)>> {
    let bytes = source.bytes()?;
    let doc: Value = serde_json::from_slice(&bytes)
        .map_err(|e| map_error(source, None, format!("not JSON ({e})"), MAP_FIX))?;
    let Some(list) = doc.get("features").and_then(Value::as_array) else {
        return Err(map_error(source, None, "no \"features\" list", MAP_FIX));
    };
    let mut out = Vec::with_capacity(list.len());
    for (i, f) in list.iter().enumerate() {
        let id = match id_property {
            None => String::new(),
            Some(key) => match f.get("properties").and_then(|p| p.get(key)) {
                Some(Value::String(s)) => s.trim().to_string(),
                Some(Value::Number(n)) if n.as_u64().is_some() => n.to_string(),
                _ => {
                    return Err(map_error(
                        source,
                        Some(i),
                        format!("no text or whole-number property '{key}' to take as the unit id"),
                        "name the property that holds the unit id: --map-id NAME, or [map] id in the spec",
                    ));
                }
            },
        };
        let geometry = f.get("geometry").unwrap_or(&Value::Null);
        let polygons: Vec<&Value> = match geometry.get("type").and_then(Value::as_str) {
            Some("Polygon") => geometry.get("coordinates").into_iter().collect(),
            Some("MultiPolygon") => geometry
                .get("coordinates")
                .and_then(Value::as_array)
                .map(|a| a.iter().collect())
                .unwrap_or_default(),
            other => {
                return Err(map_error(
                    source,
                    Some(i),
                    format!(
                        "geometry {} is not a Polygon or MultiPolygon",
                        other.unwrap_or("(none)")
                    ),
                    MAP_FIX,
                ));
            }
        };
        let mut rings = Vec::new();
        for polygon in polygons {
            for ring in polygon.as_array().into_iter().flatten() {
                let points: Option<Ring> = ring
                    .as_array()
                    .map(|pts| {
                        pts.iter()
                            .map(|p| {
                                let x = p.get(0).and_then(Value::as_f64)?;
                                let y = p.get(1).and_then(Value::as_f64)?;
                                (x.is_finite() && y.is_finite()).then_some([x, y])
                            })
                            .collect()
                    })
                    .unwrap_or(None);
                match points {
                    Some(p) => rings.push(p),
                    None => {
                        return Err(map_error(
                            source,
                            Some(i),
                            "a ring's coordinates are not [lon, lat] numbers",
                            MAP_FIX,
                        ));
                    }
                }
            }
        }
        out.push((id, rings));
    }
    Ok(out)
}

/// How a unit is shown on a map: its fill and hover text.
struct Fill {
    colour: &'static str,
    title: String,
}

/// A map's classes: colours, best class first, and their legend labels.
struct Legend {
    title: String,
    classes: Vec<(&'static str, String)>,
}

/// Dark = best: ranks in fifths.
const RANK_COLOURS: [&str; 5] = ["#08306b", "#2171b5", "#4292c6", "#9ecae1", "#deebf7"];
/// Dark = most uncertain: interval widths in fifths.
const WIDTH_COLOURS: [&str; 5] = ["#fee6ce", "#fdae6b", "#f16913", "#d94801", "#7f2704"];
/// Units in the data without a rank (hatched; the legend's key has its
/// own pattern, unscaled).
const UNRANKED: &str = "url(#unranked)";
const UNRANKED_KEY: &str = "url(#unranked-key)";
/// Shapes of units not in the data.
const ABSENT: &str = "#ffffff";

/// The maps of a report, with their legends, as one HTML fragment: the
/// index by rank, and (with a Monte Carlo result) the width of the 5-95%
/// rank interval. Shapes are defined once and reused by both maps.
pub fn maps_html(b: &Boundaries, r: &RankResult, mc: Option<&McResults>, lang: Lang) -> String {
    let mut o = defs(b);
    o += &node_choice(b, r, lang);
    let (fills, legend) = rank_fills(r, mc, lang);
    o += &one_map(b, &fills, &legend, lang, None).replacen(
        "<figure class=\"map\">",
        "<figure class=\"map\" id=\"map-index\">",
        1,
    );
    if let Some(mc) = mc {
        let (fills, legend) = width_fills(r, mc, lang);
        o += &one_map(b, &fills, &legend, lang, None);
    }
    let missing: Vec<&str> = {
        let drawn: std::collections::HashSet<&str> =
            b.shapes.iter().map(|(id, _)| id.as_str()).collect();
        r.units
            .iter()
            .map(|u| u.id.as_str())
            .chain(r.excluded.iter().map(|e| e.id.as_str()))
            .filter(|id| !drawn.contains(id))
            .collect()
    };
    if !missing.is_empty() {
        let shown: Vec<&str> = missing.iter().take(8).copied().collect();
        let _ = write!(
            o,
            "<p class=\"note\">{} {}: {}{}</p>",
            missing.len(),
            t(
                lang,
                "units of the data have no shape in the boundaries",
                "enheter i data saknar form i gränsfilen"
            ),
            esc(&shown.join(", ")),
            if missing.len() > 8 { ", …" } else { "" }
        );
    }
    let _ = write!(
        o,
        "<p class=\"note\">{}: {}</p>",
        t(lang, "Boundaries", "Gränser"),
        esc(&b.credit)
    );
    o
}

/// The colours of the map's classes, by index: the rank fifths, then
/// unranked, then absent (the page's script recolours by these).
const CLASS_COLOURS: [&str; 7] = [
    RANK_COLOURS[0],
    RANK_COLOURS[1],
    RANK_COLOURS[2],
    RANK_COLOURS[3],
    RANK_COLOURS[4],
    UNRANKED,
    ABSENT,
];

/// JSON for a `<script type="application/json">` element: nothing in it can
/// end the element or start markup (`<`, `>`, `&` escaped), and the line
/// separators JavaScript once took for line ends are escaped too.
pub(crate) fn script_json(v: &serde_json::Value) -> String {
    serde_json::to_string(v)
        .expect("JSON")
        .replace('<', "\\u003c")
        .replace('>', "\\u003e")
        .replace('&', "\\u0026")
        .replace('\u{2028}', "\\u2028")
        .replace('\u{2029}', "\\u2029")
}

/// A choice of the node the first map shows (the index by default; the
/// page's `#map=NODE` picks another), with each node's classes, hover
/// texts and legend as JSON for the page's script.
fn node_choice(b: &Boundaries, r: &RankResult, lang: Lang) -> String {
    let index = &r.index;
    let by_id: HashMap<&str, usize> = r
        .units
        .iter()
        .enumerate()
        .map(|(i, u)| (u.id.as_str(), i))
        .collect();
    // Screened-out units: name and reason.
    let excluded: HashMap<&str, (&str, String)> = r
        .excluded
        .iter()
        .map(|e| {
            (
                e.id.as_str(),
                (e.name.as_str(), words::exclusion(&e.reason, lang)),
            )
        })
        .collect();
    let names: Vec<String> = b
        .shapes
        .iter()
        .map(
            |(id, _)| match (by_id.get(id.as_str()), excluded.get(id.as_str())) {
                (Some(&u), _) => format!("{} ({id})", r.units[u].name),
                (None, Some((name, _))) => format!("{name} ({id})"),
                (None, None) => id.clone(),
            },
        )
        .collect();
    // Per unit shape: its reason when it is screened out (else null).
    let reasons: Vec<Option<&String>> = b
        .shapes
        .iter()
        .map(|(id, _)| excluded.get(id.as_str()).map(|(_, why)| why))
        .collect();
    let mut nodes = Vec::new();
    let mut options = String::new();
    for (k, node) in index.nodes.iter().enumerate() {
        let n = r
            .units
            .iter()
            .filter(|u| u.node_ranks.get(k).is_some_and(Option::is_some))
            .count();
        let ends = fifths(n.max(1));
        let mut classes = String::new();
        let (mut scores, mut ranks) = (Vec::new(), Vec::new());
        for (id, _) in &b.shapes {
            let unit = by_id.get(id.as_str()).map(|&u| &r.units[u]);
            let rank = unit.and_then(|u| u.node_ranks.get(k).copied().flatten());
            let class = match (unit, rank) {
                (_, Some(rank)) => class_of(rank.0.ceil() as usize, &ends),
                (Some(_), None) => 5,
                (None, _) if excluded.contains_key(id.as_str()) => 5,
                (None, _) => 6,
            };
            classes.push(char::from(b'0' + class as u8));
            // Scores to 3 decimals, as the hover texts show them.
            scores.push(
                unit.map(|u| (u.nodes[k] * 1000.0).round() / 1000.0)
                    .filter(|v| v.is_finite()),
            );
            ranks.push(rank.map(|x| x.0));
        }
        nodes.push(serde_json::json!({
            "id": node.id,
            "label": node.label,
            "ranked": n,
            "classes": classes,
            "scores": scores,
            "ranks": ranks,
            "legend": range_labels(&ends, 1),
        }));
        let _ = write!(
            options,
            "<option value=\"{}\">{}</option>",
            esc(&node.id),
            esc(&node.label)
        );
    }
    // Per shape: the unit it shows (its place in the ranking's units).
    let units: Vec<Option<usize>> = b
        .shapes
        .iter()
        .map(|(id, _)| by_id.get(id.as_str()).copied())
        .collect();
    let data = serde_json::json!({
        "names": names,
        "units": units,
        "reasons": reasons,
        "colours": CLASS_COLOURS,
        "nodes": nodes,
        "words": {
            "score": t(lang, "score", "poäng"),
            "rank": t(lang, "rank", "rang"),
            "of": t(lang, "of", "av"),
            "not_ranked": t(lang, "not ranked", "ej rangordnad"),
            "absent": t(lang, "not in the data", "finns inte i data"),
            "decimal_comma": lang == Lang::Sv,
        },
    });
    format!(
        "<p><label>{} <select id=\"map-node\">{options}</select></label></p><script type=\"application/json\" id=\"map-data\">{}</script>",
        t(lang, "Map of", "Karta över"),
        script_json(&data)
    )
}

/// A standalone SVG of the index map (for slides).
pub fn map_svg(b: &Boundaries, r: &RankResult, mc: Option<&McResults>, lang: Lang) -> String {
    let (fills, legend) = rank_fills(r, mc, lang);
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n{}\n",
        one_map(b, &fills, &legend, lang, Some(&defs_inner(b)))
    )
}

/// The index map alone as a PNG (for slides): [`map_svg`] rendered at
/// `scale` times its size (3 gives about 1,500 pixels across), its text in
/// the machine's sans-serif font. An error when the machine has no font.
pub fn map_png(
    b: &Boundaries,
    r: &RankResult,
    mc: Option<&McResults>,
    lang: Lang,
    scale: f32,
) -> Result<Vec<u8>> {
    use resvg::{tiny_skia, usvg};
    let svg = map_svg(b, r, mc, lang).replacen("<svg ", "<svg font-family=\"sans-serif\" ", 1);
    let mut options = usvg::Options::default();
    let fonts = options.fontdb_mut();
    fonts.load_system_fonts();
    let sans = [
        "DejaVu Sans",
        "Liberation Sans",
        "Arial",
        "Helvetica",
        "Noto Sans",
    ]
    .into_iter()
    .find(|family| {
        fonts
            .faces()
            .any(|f| f.families.iter().any(|(name, _)| name == family))
    })
    .map(str::to_string)
    .or_else(|| {
        fonts
            .faces()
            .next()
            .and_then(|f| f.families.first())
            .map(|(n, _)| n.clone())
    });
    let Some(sans) = sans else {
        return Err(Error::Usage(
            "writing a PNG needs a font on this machine to draw the map's text: install one (e.g. Debian's fonts-dejavu-core), or write --out map.svg".into(),
        ));
    };
    fonts.set_sans_serif_family(sans);
    options.font_family = "sans-serif".into();
    let tree = usvg::Tree::from_str(&svg, &options)
        .map_err(|e| Error::Usage(format!("the map's SVG did not render: {e}")))?;
    let size = tree
        .size()
        .to_int_size()
        .scale_by(scale)
        .ok_or_else(|| Error::Usage("the map is too large to render as a PNG".into()))?;
    let mut pixmap = tiny_skia::Pixmap::new(size.width(), size.height())
        .ok_or_else(|| Error::Usage("the map is too large to render as a PNG".into()))?;
    pixmap.fill(tiny_skia::Color::WHITE);
    resvg::render(
        &tree,
        tiny_skia::Transform::from_scale(scale, scale),
        &mut pixmap.as_mut(),
    );
    pixmap
        .encode_png()
        .map_err(|e| Error::Usage(format!("the PNG could not be encoded: {e}")))
}

/// The shapes, defined once in a hidden SVG, and the hatch of unranked units.
fn defs(b: &Boundaries) -> String {
    format!(
        "<svg width=\"0\" height=\"0\" style=\"position:absolute\" aria-hidden=\"true\">{}</svg>",
        defs_inner(b)
    )
}

fn defs_inner(b: &Boundaries) -> String {
    let mut o = String::from(
        "<defs><pattern id=\"unranked\" width=\"8\" height=\"8\" patternUnits=\"userSpaceOnUse\" patternTransform=\"rotate(45)\"><rect width=\"8\" height=\"8\" fill=\"#d9d9d9\"/><line x1=\"0\" y1=\"0\" x2=\"0\" y2=\"8\" stroke=\"#8c8c8c\" stroke-width=\"2.8\"/></pattern><pattern id=\"unranked-key\" width=\"4\" height=\"4\" patternUnits=\"userSpaceOnUse\" patternTransform=\"rotate(45)\"><rect width=\"4\" height=\"4\" fill=\"#d9d9d9\"/><line x1=\"0\" y1=\"0\" x2=\"0\" y2=\"4\" stroke=\"#8c8c8c\" stroke-width=\"1.4\"/></pattern>",
    );
    for (i, (_, d)) in b.shapes.iter().enumerate() {
        let _ = write!(o, "<path id=\"u{i}\" d=\"{d}\"/>");
    }
    let _ = write!(o, "<path id=\"mesh\" d=\"{}\"/>", b.mesh);
    o += "</defs>";
    o
}

/// One map: every shape filled by `fills`, the borders, the legend. A
/// standalone SVG carries its own `defs` and namespace; in the page the
/// shapes come from [`defs`].
fn one_map(
    b: &Boundaries,
    fills: &HashMap<&str, Fill>,
    legend: &Legend,
    lang: Lang,
    standalone: Option<&str>,
) -> String {
    let (w, h) = b.size;
    let legend_h = 18.0 * (legend.classes.len() + 3) as f64;
    let (open, defs, close) = match standalone {
        Some(d) => ("", format!(" xmlns=\"http://www.w3.org/2000/svg\">{d}"), ""),
        None => ("<figure class=\"map\">", ">".to_string(), "</figure>"),
    };
    let mut o = format!(
        "{open}<svg viewBox=\"0 0 {} {}\" width=\"{}\" role=\"img\" aria-label=\"{}\"{defs}<g transform=\"translate(0 {TITLE_H}) scale({GRID})\">",
        w + 170.0,
        h.max(legend_h) + TITLE_H,
        w + 170.0,
        esc(&legend.title)
    );
    let absent = t(lang, "not in the data", "finns inte i data");
    for (i, (id, _)) in b.shapes.iter().enumerate() {
        let (colour, title) = match fills.get(id.as_str()) {
            Some(f) => (f.colour, f.title.clone()),
            None => (ABSENT, format!("{id}: {absent}")),
        };
        let _ = write!(
            o,
            "<use href=\"#u{i}\" fill=\"{colour}\"><title>{}</title></use>",
            esc(&title)
        );
    }
    // The units' borders, each once, over the fills.
    let _ = write!(
        o,
        "<use class=\"mesh\" href=\"#mesh\" fill=\"none\" stroke=\"#ffffff\" stroke-width=\"{}\" stroke-linejoin=\"round\" pointer-events=\"none\"/></g>",
        0.3 / GRID
    );
    if !b.borders.is_empty() {
        let _ = write!(
            o,
            "<g transform=\"translate(0 {TITLE_H}) scale({GRID})\" fill=\"none\" stroke=\"#333333\" stroke-width=\"{}\">",
            0.6 / GRID
        );
        for d in &b.borders {
            let _ = write!(o, "<path d=\"{d}\"/>");
        }
        o += "</g>";
    }
    // The title above the map (as wide as the figure), the legend right
    // of the map.
    let x = w + 12.0;
    let _ = write!(
        o,
        "<text x=\"0\" y=\"14\" font-size=\"12\" font-weight=\"600\">{}</text>",
        esc(&legend.title)
    );
    let rows = legend.classes.iter().map(|(c, l)| (*c, l.clone())).chain([
        (
            UNRANKED_KEY,
            t(lang, "not ranked", "ej rangordnad").to_string(),
        ),
        (ABSENT, absent.to_string()),
    ]);
    for (k, (colour, label)) in rows.enumerate() {
        let y = TITLE_H + 4.0 + 18.0 * k as f64;
        let _ = write!(
            o,
            "<rect x=\"{x}\" y=\"{y}\" width=\"14\" height=\"12\" fill=\"{colour}\" stroke=\"#999999\" stroke-width=\"0.5\"/><text x=\"{}\" y=\"{}\" font-size=\"11\">{}</text>",
            x + 20.0,
            y + 10.0,
            esc(&label)
        );
    }
    o += "</svg>";
    o += close;
    o
}

/// Height of the title line above a map (SVG units).
const TITLE_H: f64 = 22.0;

/// Ranges of a 1..=n scale cut in five (fewer when n is small): the last
/// value of each class.
fn fifths(n: usize) -> Vec<usize> {
    let mut ends: Vec<usize> = (1..=5).map(|k| (n * k).div_ceil(5)).collect();
    ends.dedup();
    ends
}

fn class_of(v: usize, ends: &[usize]) -> usize {
    ends.iter().position(|&e| v <= e).unwrap_or(ends.len() - 1)
}

fn range_labels(ends: &[usize], from: usize) -> Vec<String> {
    let mut start = from;
    ends.iter()
        .map(|&e| {
            let l = if start == e {
                format!("{e}")
            } else {
                format!("{start}–{e}")
            };
            start = e + 1;
            l
        })
        .collect()
}

/// Hover text of a ranked unit: name, score, rank, interval.
fn ranked_title(
    name: &str,
    id: &str,
    score: f64,
    rank: Rank,
    n: usize,
    interval: Option<(f64, f64)>,
    lang: Lang,
) -> String {
    let mut s = format!(
        "{name} ({id})\n{} {}, {} {} {} {n}",
        t(lang, "score", "poäng"),
        words::number(score, 3, lang),
        t(lang, "rank", "rang"),
        rank,
        t(lang, "of", "av")
    );
    if let Some((a, b)) = interval {
        let _ = write!(
            s,
            "\n{} {}–{}",
            t(lang, "5–95% rank interval", "rangintervall 5–95 %"),
            Rank(a),
            Rank(b)
        );
    }
    s
}

/// Units in the data without a rank: screened out (with the reason), or
/// scored but not ranked (`ranking.unranked`).
fn unranked_fills<'a>(r: &'a RankResult, fills: &mut HashMap<&'a str, Fill>, lang: Lang) {
    for u in r.units.iter().filter(|u| u.rank.is_none()) {
        fills.insert(
            &u.id,
            Fill {
                colour: UNRANKED,
                title: format!(
                    "{} ({})\n{} ({} {})",
                    u.name,
                    u.id,
                    t(lang, "not ranked", "ej rangordnad"),
                    t(lang, "score", "poäng"),
                    words::number(u.score, 3, lang)
                ),
            },
        );
    }
    for e in &r.excluded {
        fills.insert(
            &e.id,
            Fill {
                colour: UNRANKED,
                title: format!(
                    "{} ({})\n{}: {}",
                    e.name,
                    e.id,
                    t(lang, "not ranked", "ej rangordnad"),
                    words::exclusion(&e.reason, lang)
                ),
            },
        );
    }
}

/// A ranked unit's fill: `colour`, and its name, score, rank and interval
/// on hover.
fn ranked_fill(
    u: &crate::pipeline::UnitResult,
    rank: Rank,
    n: usize,
    interval: &HashMap<&str, (f64, f64)>,
    colour: &'static str,
    lang: Lang,
) -> Fill {
    Fill {
        colour,
        title: ranked_title(
            &u.name,
            &u.id,
            u.score,
            rank,
            n,
            interval.get(u.id.as_str()).copied(),
            lang,
        ),
    }
}

/// Each unit's 5-95% rank interval by id (empty without a Monte Carlo).
pub(crate) fn intervals(mc: Option<&McResults>) -> HashMap<&str, (f64, f64)> {
    mc.map(|m| {
        m.units
            .iter()
            .map(|u| (u.id.as_str(), (u.q05, u.q95)))
            .collect()
    })
    .unwrap_or_default()
}

fn rank_fills<'a>(
    r: &'a RankResult,
    mc: Option<&'a McResults>,
    lang: Lang,
) -> (HashMap<&'a str, Fill>, Legend) {
    let n = r.units.iter().filter(|u| u.rank.is_some()).count();
    let ends = fifths(n.max(1));
    let interval = intervals(mc);
    let mut fills = HashMap::new();
    for u in &r.units {
        let Some(rank) = u.rank else { continue };
        let class = class_of(rank.0.ceil() as usize, &ends);
        fills.insert(
            u.id.as_str(),
            ranked_fill(u, rank, n, &interval, RANK_COLOURS[class], lang),
        );
    }
    unranked_fills(r, &mut fills, lang);
    let labels = range_labels(&ends, 1);
    let legend = Legend {
        title: format!("{}: {}", r.index.root().label, t(lang, "rank", "rang")),
        classes: labels
            .into_iter()
            .enumerate()
            .map(|(k, l)| (RANK_COLOURS[k], l))
            .collect(),
    };
    (fills, legend)
}

fn width_fills<'a>(
    r: &'a RankResult,
    mc: &'a McResults,
    lang: Lang,
) -> (HashMap<&'a str, Fill>, Legend) {
    let interval = intervals(Some(mc));
    let n = r.units.iter().filter(|u| u.rank.is_some()).count();
    let width = |id: &str| {
        interval
            .get(id)
            .map(|(a, b)| (b - a).max(0.0).round() as usize)
    };
    let mut widths: Vec<usize> = r.units.iter().filter_map(|u| width(&u.id)).collect();
    widths.sort_unstable();
    // Class ends at the fifths of the widths (distinct, rising).
    let mut ends: Vec<usize> = (1..=5)
        .filter_map(|k| {
            widths
                .get((widths.len() * k).div_ceil(5).saturating_sub(1))
                .copied()
        })
        .collect();
    ends.dedup();
    if ends.is_empty() {
        ends.push(0);
    }
    let mut fills = HashMap::new();
    for u in &r.units {
        let (Some(rank), Some(wd)) = (u.rank, width(&u.id)) else {
            continue;
        };
        let class = class_of(wd, &ends);
        fills.insert(
            u.id.as_str(),
            ranked_fill(u, rank, n, &interval, WIDTH_COLOURS[class], lang),
        );
    }
    unranked_fills(r, &mut fills, lang);
    let labels = range_labels(&ends, 0);
    let legend = Legend {
        title: t(
            lang,
            "Width of the 5–95% rank interval",
            "Bredd på rangintervallet 5–95 %",
        )
        .to_string(),
        classes: labels
            .into_iter()
            .enumerate()
            .map(|(k, l)| {
                (
                    WIDTH_COLOURS[k],
                    format!("{l} {}", t(lang, "ranks", "rangplatser")),
                )
            })
            .collect(),
    };
    (fills, legend)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fifths_cut_the_ranks_evenly() {
        assert_eq!(fifths(290), vec![58, 116, 174, 232, 290]);
        assert_eq!(fifths(3), vec![1, 2, 3]);
        assert_eq!(class_of(58, &fifths(290)), 0);
        assert_eq!(class_of(59, &fifths(290)), 1);
        assert_eq!(range_labels(&[58, 116], 1), vec!["1–58", "59–116"]);
    }

    #[test]
    fn a_shared_border_is_drawn_once() {
        // Two unit squares side by side, their rings running in opposite
        // directions along the shared edge x = 1.
        let left = vec![vec![[0, 0], [1, 0], [1, 1], [0, 1]]];
        let right = vec![vec![[1, 0], [1, 1], [2, 1], [2, 0]]];
        let d = mesh([&left, &right].into_iter());
        let edges = d.matches('l').count();
        assert_eq!(edges, 7, "{d}");
        // The right square's three new edges form one polyline (one move).
        assert_eq!(d.matches('M').count(), 2, "{d}");
    }

    #[test]
    fn snapping_gives_neighbours_the_same_border() {
        // A border with detail below the grid, walked both ways by two
        // neighbours, comes out with the same points in both.
        let border: Ring = (0..=50)
            .map(|k| [10.0 + 0.0001 * k as f64, 60.0 + 0.002 * (k as f64).sin()])
            .collect();
        let mut a = border.clone();
        a.extend([[9.0, 60.05], [9.0, 59.95]]);
        let mut b: Ring = border.iter().rev().copied().collect();
        b.extend([[11.0, 59.95], [11.0, 60.05]]);
        let file = |rings: [&Ring; 2]| {
            let features: Vec<String> = rings
                .iter()
                .enumerate()
                .map(|(i, r)| {
                    let mut pts: Vec<String> =
                        r.iter().map(|p| format!("[{},{}]", p[0], p[1])).collect();
                    pts.push(pts[0].clone());
                    format!(
                        "{{\"type\":\"Feature\",\"properties\":{{\"id\":\"{i}\"}},\"geometry\":{{\"type\":\"Polygon\",\"coordinates\":[[{}]]}}}}",
                        pts.join(",")
                    )
                })
                .collect();
            format!(
                "{{\"type\":\"FeatureCollection\",\"features\":[{}]}}",
                features.join(",")
            )
        };
        let text: &'static [u8] = Box::leak(file([&a, &b]).into_bytes().into_boxed_slice());
        let map = load(&MapSource {
            file: crate::input::Source::Embedded("t.geojson", text),
            id_property: "id".into(),
            borders: None,
            credit: None,
        })
        .unwrap();
        // The undirected edges of a path ("M x yl dx dy...z" or polylines).
        let edges = |d: &str, closed: bool| {
            let mut set = std::collections::BTreeSet::new();
            for part in d.split('M').filter(|p| !p.is_empty()) {
                let nums: Vec<i64> = part
                    .replace(['l', 'z'], " ")
                    .split_whitespace()
                    .map(|n| n.parse().unwrap())
                    .collect();
                let mut pts = vec![[nums[0], nums[1]]];
                for c in nums[2..].chunks(2) {
                    let last = *pts.last().unwrap();
                    pts.push([last[0] + c[0], last[1] + c[1]]);
                }
                if closed {
                    pts.push(pts[0]);
                }
                for w in pts.windows(2) {
                    set.insert(if w[0] <= w[1] {
                        (w[0], w[1])
                    } else {
                        (w[1], w[0])
                    });
                }
            }
            set
        };
        let (ea, eb) = (edges(&map.shapes[0].1, true), edges(&map.shapes[1].1, true));
        let shared = ea.intersection(&eb).count();
        assert!(shared >= 3, "the neighbours disagree on their border");
        let mesh = edges(&map.mesh, false);
        assert_eq!(mesh.len(), ea.union(&eb).count());
        assert_eq!(
            map.mesh.matches('l').count(),
            mesh.len(),
            "an edge drawn twice"
        );
    }
}
