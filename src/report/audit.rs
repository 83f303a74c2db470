//! Renderings of the audit, of a unit's explanation and of trends.

use super::json::num;
use super::words::either as t;
use super::{Lang, words};
use crate::audit::explain::Explanation;
use crate::audit::index_audit::Audit;
use crate::audit::trend::Trend;
use crate::pipeline::Rank;
use serde_json::json;
use std::fmt::Write;

fn f(v: f64, d: usize, lang: Lang) -> String {
    if v.is_nan() {
        "-".into()
    } else {
        words::number(v, d, lang)
    }
}

fn rk(r: Option<Rank>, lang: Lang) -> String {
    r.map(|r| words::plain(r.0, lang))
        .unwrap_or_else(|| "-".into())
}

/// An audit flag in words.
fn flag(lang: Lang, flag: &str) -> String {
    match (lang, flag) {
        (Lang::Sv, "skewed") => "skev".into(),
        (Lang::Sv, "low coverage") => "låg täckning".into(),
        (Lang::Sv, "collinear") => "kolinjär".into(),
        (Lang::Sv, "negative within node") => "negativ inom noden".into(),
        (_, f) => f.to_string(),
    }
}

fn pretty(v: &serde_json::Value) -> String {
    let mut s = serde_json::to_string_pretty(v).expect("JSON");
    s.push('\n');
    s
}

/// The audit as JSON.
pub fn audit_json(a: &Audit) -> String {
    // NaN statistics serialise as null.
    let v = serde_json::to_value(a).expect("audit serialises");
    pretty(&json!({"kommunrank": env!("CARGO_PKG_VERSION"), "audit": v}))
}

/// The audit as CSV: one row per indicator.
pub fn audit_csv(a: &Audit) -> String {
    super::csv_text(|w| {
        w.row([
            "indicator",
            "parent",
            "present",
            "coverage",
            "mean",
            "sd",
            "min",
            "max",
            "skew",
            "kurtosis",
            "flags",
            "treatment",
            "r_parent",
            "rho_parent",
            "r_index",
            "rho_index",
            "effective_weight",
            "importance_share",
            "range_share",
        ]);
        for i in &a.indicators {
            let g = super::csv_number;
            w.row([
                i.id.clone(),
                i.parent.clone(),
                i.present.to_string(),
                g(i.coverage),
                g(i.mean),
                g(i.sd),
                g(i.min),
                g(i.max),
                g(i.skew),
                g(i.kurtosis),
                i.flags.join("; "),
                i.treatment.map(|a| a.to_string()).unwrap_or_default(),
                g(i.r_parent),
                g(i.rho_parent),
                g(i.r_index),
                g(i.rho_index),
                g(i.effective_weight),
                g(i.importance_share),
                g(i.range_share),
            ]);
        }
    })
}

/// The audit for a terminal.
pub fn audit_table(a: &Audit, label: &str, lang: Lang) -> String {
    let mut o = String::new();
    let _ = writeln!(o, "{}: {label}\n", t(lang, "Audit", "Granskning"));
    indicators_text(&mut o, a, lang);
    pairs_text(&mut o, a, lang);
    nodes_text(&mut o, a, lang);
    units_text(&mut o, a, lang);
    derived_weights_text(&mut o, a, lang);
    o
}

/// The audit's indicator table, with its legend.
fn indicators_text(o: &mut String, a: &Audit, lang: Lang) {
    let f = |v: f64, d: usize| f(v, d, lang);
    let w = super::column_width(a.indicators.iter().map(|i| i.id.as_str()), 9, usize::MAX);
    let _ = writeln!(
        o,
        "{}",
        t(
            lang,
            "Indicators (raw data over ranked units; correlations of normalised values):",
            "Indikatorer (rådata för rangordnade enheter; korrelationer av normaliserade värden):"
        )
    );
    let _ = writeln!(
        o,
        "{:<w$} {:>6} {:>9} {:>9} {:>6} {:>6} {:>6} {:>6} {:>7} {:>7} {:>7}  {}",
        t(lang, "indicator", "indikator"),
        t(lang, "cover", "täckn."),
        t(lang, "mean", "medel"),
        t(lang, "sd", "std.av."),
        t(lang, "skew", "skevh."),
        t(lang, "kurt", "topp."),
        t(lang, "r_node", "r_nod"),
        t(lang, "r_idx", "r_index"),
        "w_nom",
        t(lang, "w_range", "w_spridn"),
        t(lang, "w_real", "w_verklig"),
        t(lang, "flags", "flaggor")
    );
    for i in &a.indicators {
        let mut flags: Vec<String> = i.flags.iter().map(|x| flag(lang, x)).collect();
        if let Some(tr) = &i.treatment {
            flags.push(format!(
                "{}: {}",
                t(lang, "treated", "behandlad"),
                words::treatment(*tr, lang)
            ));
        }
        let _ = writeln!(
            o,
            "{:<w$} {:>6} {:>9} {:>9} {:>6} {:>6} {:>6} {:>6} {:>7} {:>7} {:>7}  {}",
            i.id,
            words::percent((i.coverage * 100.0).round() / 100.0, lang),
            f(i.mean, 2),
            f(i.sd, 2),
            f(i.skew, 2),
            f(i.kurtosis, 2),
            f(i.r_parent, 2),
            f(i.r_index, 2),
            f(i.effective_weight, 3),
            f(i.range_share, 3),
            f(i.importance_share, 3),
            flags.join(", ")
        );
    }
    let _ = match lang {
        Lang::En => writeln!(
            o,
            "  w_nom: effective weight (product of normalised weights{}); w_range: share of the index's spread \
             (path weight, points as written in sum nodes, x the spread of its normalised values; in a points \
             index, the share of the points); w_real: share of r^2 with the index.",
            if a.all_arithmetic {
                ""
            } else {
                "; nominal, as some nodes are not arithmetic"
            }
        ),
        Lang::Sv => writeln!(
            o,
            "  w_nom: effektiv vikt (produkten av normerade vikter{}); w_spridn: andel av indexets spridning \
             (vikten längs vägen, poäng som de står i summanoder, gånger spridningen i de normaliserade värdena; \
             i ett poängindex andelen av poängen); w_verklig: andel av r² med indexet.",
            if a.all_arithmetic {
                ""
            } else {
                "; nominell, eftersom några noder inte är aritmetiska"
            }
        ),
    };
}

/// The flagged indicator pairs.
fn pairs_text(o: &mut String, a: &Audit, lang: Lang) {
    let f = |v: f64, d: usize| f(v, d, lang);
    let th = &a.thresholds;
    let _ = match lang {
        Lang::En => writeln!(
            o,
            "\nFlagged pairs (|r| > {} collinear; r < 0 inside a node):",
            th.collinear
        ),
        Lang::Sv => writeln!(
            o,
            "\nFlaggade par (|r| > {} kolinjära; r < 0 inom en nod):",
            words::plain(th.collinear, lang)
        ),
    };
    if let Some(note) = &a.correlation_note {
        let _ = writeln!(o, "  {note}");
    } else if a.pairs.is_empty() {
        let _ = writeln!(o, "  {}", t(lang, "none", "inga"));
    }
    for p in &a.pairs {
        let _ = writeln!(
            o,
            "  {} ~ {}: r = {}, rho = {} (n = {}) {}",
            p.a,
            p.b,
            f(p.pearson, 3),
            f(p.spearman, 3),
            p.n,
            flag(lang, &p.flag)
        );
    }
}

/// The node table: internal consistency and principal components.
fn nodes_text(o: &mut String, a: &Audit, lang: Lang) {
    let f = |v: f64, d: usize| f(v, d, lang);
    let _ = writeln!(o, "\n{}", t(lang, "Nodes:", "Noder:"));
    let nw = super::column_width(a.nodes.iter().map(|n| n.id.as_str()), 4, usize::MAX);
    let _ = writeln!(
        o,
        "{:<nw$} {:>8} {:>6} {:>7}  {}",
        t(lang, "node", "nod"),
        t(lang, "alpha", "alfa"),
        "n",
        t(lang, "r_idx", "r_index"),
        t(lang, "PCA explained variance", "PCA, förklarad varians")
    );
    for n in &a.nodes {
        let pca: Vec<String> = n
            .pca_explained
            .iter()
            .take(3)
            .map(|s| words::percent((s * 100.0).round() / 100.0, lang))
            .collect();
        let _ = writeln!(
            o,
            "{:<nw$} {:>8} {:>6} {:>7}  {}",
            n.id,
            f(n.cronbach_alpha, 3),
            n.complete_units,
            f(n.r_index, 2),
            if let Some(note) = &n.pca_note {
                note.clone()
            } else if pca.is_empty() {
                "-".into()
            } else {
                pca.join(", ")
            }
        );
    }
    let _ = writeln!(
        o,
        "  {}",
        t(
            lang,
            "alpha: Cronbach's alpha of the node's children (>= 0.7 is usual); PCA on their correlations.",
            "alfa: Cronbachs alfa för nodens delar (>= 0,7 är brukligt); PCA på deras korrelationer."
        )
    );
}

/// The units with incomplete data, the least covered first.
fn units_text(o: &mut String, a: &Audit, lang: Lang) {
    let low: Vec<String> = a
        .units
        .iter()
        .take_while(|u| u.coverage < 1.0)
        .take(10)
        .map(|u| {
            format!(
                "{} {} {}",
                u.id,
                u.name,
                words::percent((u.coverage * 100.0).round() / 100.0, lang)
            )
        })
        .collect();
    let incomplete = a.units.iter().filter(|u| u.coverage < 1.0).count();
    let lowest = if low.is_empty() {
        String::new()
    } else {
        format!("; {}: {}", t(lang, "lowest", "lägst"), low.join(", "))
    };
    let _ = writeln!(
        o,
        "\n{}: {incomplete} {} {}{lowest}",
        t(
            lang,
            "Units with incomplete data",
            "Enheter med ofullständiga data"
        ),
        t(lang, "of", "av"),
        a.units.len()
    );
}

/// The weights not written in the spec, node by node.
fn derived_weights_text(o: &mut String, a: &Audit, lang: Lang) {
    let derived: Vec<_> = a
        .weights
        .iter()
        .filter(|n| n.origin != crate::spec::WeightOrigin::Spec)
        .collect();
    if !derived.is_empty() {
        let _ = writeln!(
            o,
            "\n{}",
            t(
                lang,
                "Weights not written in the spec:",
                "Vikter som inte står i specifikationen:"
            )
        );
        for n in derived {
            o.push_str(&node_weights_text(n, lang));
        }
    }
}

/// A unit's explanation as JSON.
pub fn explain_json(e: &Explanation) -> String {
    pretty(&json!({"kommunrank": env!("CARGO_PKG_VERSION"), "explanation": e}))
}

/// A unit's explanation for a terminal.
pub fn explain_table(e: &Explanation, lang: Lang) -> String {
    let mut o = String::new();
    let f = |v: f64, d: usize| f(v, d, lang);
    let rk = |r: Option<Rank>| rk(r, lang);
    let _ = writeln!(
        o,
        "{} {}: {} {} {} {}, {} {}",
        e.id,
        e.name,
        t(lang, "rank", "rang"),
        rk(e.rank),
        t(lang, "of", "av"),
        e.ranked_units,
        t(lang, "score", "poäng"),
        f(e.score, 3)
    );
    for (g, v, r) in &e.groups {
        let _ = writeln!(
            o,
            "  {g} = {v}{}",
            r.map(|r| match lang {
                Lang::En => format!(": rank {r} within the group"),
                Lang::Sv => format!(": rang {} inom gruppen", words::plain(r.0, lang)),
            })
            .unwrap_or_default()
        );
    }
    let _ = writeln!(
        o,
        "\n{:<16} {:>10} {:>6} {:>10}",
        t(lang, "node", "nod"),
        t(lang, "score", "poäng"),
        t(lang, "rank", "rang"),
        "median"
    );
    for n in &e.nodes {
        let _ = writeln!(
            o,
            "{:<16} {:>10} {:>6} {:>10}",
            n.id,
            f(n.score, 3),
            rk(n.rank),
            f(n.median_score, 3)
        );
    }
    let w = super::column_width(e.indicators.iter().map(|i| i.id.as_str()), 9, usize::MAX);
    let _ = writeln!(
        o,
        "\n{:<w$} {:>10} {:>10} {:>10} {:>10} {:>10} {:>10}",
        t(lang, "indicator", "indikator"),
        t(lang, "raw", "rådata"),
        "median",
        t(lang, "normalised", "normaliserat"),
        "median",
        t(lang, "to node", "till noden"),
        t(lang, "to index", "till index")
    );
    for i in &e.indicators {
        let _ = writeln!(
            o,
            "{:<w$} {:>10} {:>10} {:>10} {:>10} {:>10} {:>10}{}",
            i.id,
            f(i.raw, 2),
            f(i.median_raw, 2),
            f(i.normalised, 2),
            f(i.median_normalised, 2),
            f(i.contribution_to_node, 3),
            f(i.contribution_to_index, 3),
            if i.imputed {
                t(lang, "  (imputed)", "  (imputerat)")
            } else if i.raw.is_nan() {
                t(lang, "  (missing)", "  (saknas)")
            } else {
                ""
            }
        );
    }
    let _ = writeln!(
        o,
        "\n{}",
        t(
            lang,
            "Weights (shares of each node)",
            "Vikter (andelar inom varje nod)"
        )
    );
    for n in &e.weights {
        o += &node_weights_text(n, lang);
    }
    let _ = match lang {
        Lang::En => writeln!(
            o,
            "\nContributions: weight share x normalised value, multiplied up the hierarchy{}.",
            if e.additive {
                "; they add up to the node and index scores"
            } else {
                " (approximate: some nodes are not arithmetic)"
            }
        ),
        Lang::Sv => writeln!(
            o,
            "\nBidrag: viktandel gånger normaliserat värde, multiplicerat uppåt i hierarkin{}.",
            if e.additive {
                "; de summeras till nodens och indexets poäng"
            } else {
                " (ungefärligt: några noder är inte aritmetiska)"
            }
        ),
    };
    o
}

/// A unit's explanation as CSV (one row per indicator).
pub fn explain_csv(e: &Explanation) -> String {
    super::csv_text(|w| {
        w.row([
            "indicator",
            "parent",
            "raw",
            "imputed",
            "treated",
            "normalised",
            "contribution_to_node",
            "contribution_to_index",
            "median_raw",
            "median_normalised",
        ]);
        for i in &e.indicators {
            let g = super::csv_number;
            w.row([
                i.id.clone(),
                i.parent.clone(),
                g(i.raw),
                i.imputed.to_string(),
                g(i.treated),
                g(i.normalised),
                g(i.contribution_to_node),
                g(i.contribution_to_index),
                g(i.median_raw),
                g(i.median_normalised),
            ]);
        }
    })
}

/// Trends as JSON.
pub fn trend_json(t: &Trend) -> String {
    pretty(&json!({
        "kommunrank": env!("CARGO_PKG_VERSION"),
        "years": t.years,
        "base_year": t.base_year,
        "summary": t.summary.iter().map(|(y, r, e)| json!({"year": y, "ranked": r, "excluded": e})).collect::<Vec<_>>(),
        "units": t.units.iter().map(|u| json!({
            "id": u.id,
            "name": u.name,
            "scores": u.scores.iter().map(|s| s.map(num)).collect::<Vec<_>>(),
            "ranks": u.ranks,
            "score_change": u.score_change.map(num),
            "rank_change": u.rank_change,
        })).collect::<Vec<_>>(),
        "notes": t.notes,
    }))
}

/// Trends as CSV: one row per unit.
pub fn trend_csv(t: &Trend) -> String {
    super::csv_text(|w| {
        let mut head = vec!["id".to_string(), "name".into()];
        for y in &t.years {
            head.push(format!("score_{y}"));
            head.push(format!("rank_{y}"));
        }
        head.push("score_change".into());
        head.push("rank_change".into());
        w.row(&head);
        let o = |v: Option<f64>| v.map(super::csv_number).unwrap_or_default();
        for u in &t.units {
            let mut row = vec![u.id.clone(), u.name.clone()];
            for (s, r) in u.scores.iter().zip(&u.ranks) {
                row.push(o(*s));
                row.push(r.map(|r| r.to_string()).unwrap_or_default());
            }
            row.push(o(u.score_change));
            row.push(o(u.rank_change));
            w.row(&row);
        }
    })
}

/// Trends for a terminal: the biggest movers up and down.
pub fn trend_table(t: &Trend, label: &str, top: usize, lang: Lang) -> String {
    let mut o = String::new();
    let w = |en: &'static str, sv: &'static str| self::t(lang, en, sv);
    let first = t.years.first().copied().unwrap_or_default();
    let last = t.years.last().copied().unwrap_or_default();
    let _ = writeln!(
        o,
        "{label}: {}",
        t.years
            .iter()
            .map(|y| y.to_string())
            .collect::<Vec<_>>()
            .join(", ")
    );
    let _ = writeln!(
        o,
        "{} {} {}",
        w(
            "Normalisation parameters fixed from",
            "Normaliseringens parametrar tagna från"
        ),
        t.base_year,
        w(
            "(scores comparable across years).",
            "(poängen jämförbara mellan åren)."
        )
    );
    for (y, r, e) in &t.summary {
        let _ = writeln!(
            o,
            "  {y}: {r} {}, {e} {}",
            w("ranked", "rangordnade"),
            w("excluded", "ej rangordnade")
        );
    }
    let nw = super::column_width(t.units.iter().map(|u| u.name.as_str()), 4, 24);
    let header = |o: &mut String, title: &str| {
        let _ = writeln!(o, "\n{title}");
        let mut h = format!("{:<8} {:<nw$}", w("Id", "Kod"), w("Name", "Namn"));
        for y in &t.years {
            let _ = write!(h, " {:>8} {:>5}", format!("s{y}"), format!("r{y}"));
        }
        let _ = writeln!(
            o,
            "{h} {:>8} {:>7}",
            w("d score", "d poäng"),
            w("d rank", "d rang")
        );
    };
    let line = |o: &mut String, u: &crate::audit::trend::UnitTrend| {
        let _ = write!(
            o,
            "{:<8} {:<nw$}",
            u.id,
            u.name.chars().take(nw).collect::<String>()
        );
        for (s, r) in u.scores.iter().zip(&u.ranks) {
            let _ = write!(
                o,
                " {:>8} {:>5}",
                s.map_or("-".into(), |s| f(s, 2, lang)),
                rk(*r, lang)
            );
        }
        let _ = writeln!(
            o,
            " {:>8} {:>7}",
            u.score_change.map_or("-".into(), |s| {
                let sign = if s >= 0.0 { "+" } else { "" };
                format!("{sign}{}", words::number(s, 2, lang))
            }),
            u.rank_change.map_or("-".into(), |r| {
                let sign = if r >= 0.0 { "+" } else { "" };
                format!("{sign}{}", words::plain(r, lang))
            })
        );
    };
    let mut up: Vec<_> = t
        .units
        .iter()
        .filter(|u| u.rank_change.is_some_and(|r| r > 0.0))
        .collect();
    up.sort_by(|a, b| {
        b.rank_change
            .unwrap()
            .total_cmp(&a.rank_change.unwrap())
            .then(a.id.cmp(&b.id))
    });
    let mut down: Vec<_> = t
        .units
        .iter()
        .filter(|u| u.rank_change.is_some_and(|r| r < 0.0))
        .collect();
    down.sort_by(|a, b| {
        a.rank_change
            .unwrap()
            .total_cmp(&b.rank_change.unwrap())
            .then(a.id.cmp(&b.id))
    });
    let title = |up: bool| match (lang, up) {
        (Lang::En, true) => format!("Biggest movers up, {first} to {last}:"),
        (Lang::En, false) => format!("Biggest movers down, {first} to {last}:"),
        (Lang::Sv, true) => format!("Störst klättring, {first} till {last}:"),
        (Lang::Sv, false) => format!("Störst tapp, {first} till {last}:"),
    };
    header(&mut o, &title(true));
    up.iter().take(top).for_each(|u| line(&mut o, u));
    header(&mut o, &title(false));
    down.iter().take(top).for_each(|u| line(&mut o, u));
    let missing = t.units.iter().filter(|u| u.rank_change.is_none()).count();
    if missing > 0 {
        let _ = match lang {
            Lang::En => writeln!(
                o,
                "\n{missing} units are not ranked in both {first} and {last} (see --format csv)."
            ),
            Lang::Sv => writeln!(
                o,
                "\n{missing} enheter är inte rangordnade både {first} och {last} (se --format csv)."
            ),
        };
    }
    o
}

/// A node's weights as text lines: the children's shares (or "per unit"
/// for Benefit of the Doubt outside one unit's explanation) and how they
/// were made, then the figures behind data-driven weights.
fn node_weights_text(n: &crate::audit::explain::NodeWeights, lang: Lang) -> String {
    let shares: Vec<String> = n
        .shares
        .iter()
        .map(|(id, s)| format!("{id} {}", f(*s, 3, lang)))
        .collect();
    let mut o = format!(
        "  {}: {} [{}]\n",
        n.node,
        if n.shares.iter().all(|(_, s)| s.is_nan()) {
            t(lang, "per unit", "per enhet").to_string()
        } else {
            shares.join(", ")
        },
        words::weight_origin(&n.origin, lang)
    );
    for line in derivation_table(n, lang) {
        o += &format!("    {line}\n");
    }
    o
}

/// The figures behind data-driven weights, as table lines: PCA's rotated
/// loadings, each child's factor and weight, and the factors' variance;
/// optimisation's target and correlations before and after.
pub(crate) fn derivation_table(n: &crate::audit::explain::NodeWeights, lang: Lang) -> Vec<String> {
    use crate::spec::WeightOrigin;
    let f = |x: f64, d: usize| words::number(x, d, lang);
    let w = n
        .shares
        .iter()
        .map(|(id, _)| id.chars().count())
        .max()
        .unwrap_or(0)
        .max(8);
    let mut lines = Vec::new();
    match &n.origin {
        WeightOrigin::Pca(p) => {
            let mut head = format!("{:<w$}", "");
            for j in 0..p.factors {
                head += &format!(" {:>8}", format!("F{}", j + 1));
            }
            head += &format!(
                " {:>8} {:>8}",
                t(lang, "factor", "faktor"),
                t(lang, "weight", "vikt")
            );
            lines.push(head);
            for (c, (id, _)) in n.shares.iter().enumerate() {
                let mut line = format!("{id:<w$}");
                for j in 0..p.factors {
                    line += &format!(" {:>8}", f(p.loadings[c][j], 3));
                }
                line += &format!(
                    " {:>8} {:>8}",
                    format!("F{}", p.factor_of[c] + 1),
                    f(p.weights[c], 3)
                );
                lines.push(line);
            }
            let mut var = format!("{:<w$}", t(lang, "variance", "varians"));
            for v in &p.factor_variance {
                var += &format!(" {:>8}", f(*v, 3));
            }
            lines.push(var);
            let eigen: Vec<String> = p.eigenvalues.iter().map(|e| f(*e, 3)).collect();
            lines.push(format!(
                "{} {}{}",
                t(lang, "eigenvalues:", "egenvärden:"),
                eigen.join(", "),
                if p.left_out > 0 {
                    format!(
                        "; {} {}",
                        p.left_out,
                        t(
                            lang,
                            "units left out for a missing value",
                            "enheter utelämnade för ett saknat värde"
                        )
                    )
                } else {
                    String::new()
                }
            ));
        }
        WeightOrigin::Optimised(o) => {
            lines.push(format!(
                "{:<w$} {:>8} {:>8} {:>8} {:>8}",
                "",
                t(lang, "target", "mål"),
                t(lang, "before", "före"),
                t(lang, "after", "efter"),
                t(lang, "weight", "vikt")
            ));
            let share = |c: &[f64]| -> Vec<f64> {
                let s: f64 = c.iter().sum();
                c.iter().map(|x| x / s).collect()
            };
            let (before, after) = (share(&o.correlations_before), share(&o.correlations));
            for (c, (id, _)) in n.shares.iter().enumerate() {
                lines.push(format!(
                    "{id:<w$} {:>8} {:>8} {:>8} {:>8}",
                    f(o.target[c], 3),
                    f(before[c], 3),
                    f(after[c], 3),
                    f(o.weights[c], 3)
                ));
            }
            lines.push(
                t(
                    lang,
                    "(correlations with the node's score, scaled to sum to 1)",
                    "(korrelationer med nodens poäng, skalade till summan 1)",
                )
                .to_string(),
            );
        }
        _ => {}
    }
    lines
}
