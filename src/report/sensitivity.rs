//! Renderings of sensitivity results: terminal tables, CSV and JSON.

use super::Lang;
use super::json::num;
use super::words;
use crate::pipeline::Rank;
use crate::sensitivity::analysis::{ReplayedRun, Subject};
use crate::sensitivity::analyze::{SobolIndex, Summary};
use crate::sensitivity::model::ModelDescription;
use crate::sensitivity::partial::{IndexName, McPartial};
use crate::sensitivity::statistic::STATISTICS;
use crate::sensitivity::summary::{McResult, RunSummaries, UnitStats};
use crate::sensitivity::{LeftOut, Scenario, SobolResult};
use serde::Serialize;
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::fmt::Write;

fn r(x: f64) -> String {
    if x.is_nan() {
        "-".into()
    } else {
        Rank(x).to_string()
    }
}

fn summary_line(name: &str, s: &Summary, lang: Lang) -> String {
    let n = |v: f64| words::number(v, 3, lang);
    match lang {
        Lang::En => format!(
            "  {name:<28} mean {:>7}   median {:>7}   5%-95% {} to {}\n",
            n(s.mean),
            n(s.median),
            n(s.q05),
            n(s.q95)
        ),
        Lang::Sv => format!(
            "  {name:<28} medel {:>7}   median {:>7}   5–95 % {} till {}\n",
            n(s.mean),
            n(s.median),
            n(s.q05),
            n(s.q95)
        ),
    }
}

/// The Monte Carlo result's JSON document, borrowing the result: written
/// straight to text, never built as a `Value` tree (at 100,000 units that
/// tree took more memory than the histograms).
#[derive(Serialize)]
struct McDocument<'a> {
    kommunrank: &'static str,
    method: &'static str,
    seed: u64,
    runs: u64,
    chunk_size: u64,
    spec_hash: &'a str,
    index: &'a IndexName,
    rank_method: &'a str,
    rank_bin_width: u64,
    rank_note: String,
    top_k: &'a [usize],
    model: &'a ModelDescription,
    overall: McOverall<'a>,
    units: &'a [UnitStats],
}

/// The run-level summaries in [`McDocument`].
#[derive(Serialize)]
struct McOverall<'a> {
    successful_runs: u64,
    failed_runs: u64,
    failures: &'a BTreeMap<String, u64>,
    #[serde(flatten)]
    statistics: &'a RunSummaries,
    top_k_unchanged: &'a BTreeMap<usize, f64>,
}

/// The Monte Carlo result as JSON.
pub fn mc_json(p: &McPartial, res: &McResult) -> String {
    let h = &p.header;
    let doc = McDocument {
        kommunrank: env!("CARGO_PKG_VERSION"),
        method: "mc",
        seed: h.seed,
        runs: h.runs,
        chunk_size: h.chunk_size,
        spec_hash: &h.spec_hash,
        index: &h.index,
        rank_method: &h.rank_method,
        rank_bin_width: h.bin_width,
        rank_note: if h.bin_width == 1 {
            "exact rank histograms".to_string()
        } else {
            format!(
                "ranks binned {} per bin: quantiles within {} places, P(rank <= k) a lower bound",
                h.bin_width,
                h.bin_width.div_ceil(2)
            )
        },
        top_k: &h.top_k,
        model: &h.model,
        overall: McOverall {
            successful_runs: res.successful_runs,
            failed_runs: res.failed_runs,
            failures: &res.failures,
            statistics: &res.statistics,
            top_k_unchanged: &res.top_k_unchanged,
        },
        units: &res.units,
    };
    let mut s = serde_json::to_string_pretty(&doc).expect("JSON serialises");
    s.push('\n');
    s
}

fn pretty(v: &Value) -> String {
    let mut s = serde_json::to_string_pretty(v).expect("JSON serialises");
    s.push('\n');
    s
}

/// The Monte Carlo result as a terminal table (top and bottom units).
pub fn mc_table(p: &McPartial, res: &McResult, top: usize, bottom: usize, lang: Lang) -> String {
    let h = &p.header;
    let t = |en: &'static str, sv: &'static str| words::either(lang, en, sv);
    let mut out = String::new();
    let _ = writeln!(out, "{}", h.index.label);
    let _ = match lang {
        Lang::En => writeln!(
            out,
            "Monte Carlo: {} runs (seed {}), {} successful, {} failed; {} ranked units.",
            h.runs,
            h.seed,
            res.successful_runs,
            res.failed_runs,
            h.units.len()
        ),
        Lang::Sv => writeln!(
            out,
            "Monte Carlo: {} körningar (slumpfrö {}), {} lyckade, {} misslyckade; {} rangordnade enheter.",
            h.runs,
            h.seed,
            res.successful_runs,
            res.failed_runs,
            h.units.len()
        ),
    };
    let factors = &h.model.factors;
    for f in factors {
        let _ = writeln!(
            out,
            "  {}: {}",
            t("factor", "faktor"),
            words::factor(f, lang)
        );
    }
    if factors.is_empty() {
        let _ = writeln!(
            out,
            "  {}",
            t(
                "no uncertain factor (no weights perturbed, no choices): every run is the nominal ranking",
                "ingen osäker faktor (inga vikter varieras, inga val): varje körning ger den nominella rangordningen"
            )
        );
    }
    out.push('\n');
    for stat in STATISTICS {
        let label = t(stat.label, stat.label_sv);
        out += &summary_line(label, &res.statistics.of(stat), lang);
    }
    for (k, share) in &res.top_k_unchanged {
        let pct = words::number(share * 100.0, 1, lang);
        let _ = match lang {
            Lang::En => writeln!(out, "  top-{k:<23} unchanged in {pct}% of runs"),
            Lang::Sv => writeln!(out, "  topp-{k:<22} oförändrad i {pct} % av körningarna"),
        };
    }
    for (reason, n) in &res.failures {
        let _ = writeln!(
            out,
            "  {} {n}: {reason}",
            t("failed runs", "misslyckade körningar")
        );
    }
    out.push('\n');
    let name_w = super::column_width(res.units.iter().map(|u| u.name.as_str()), 4, 24);
    let nominal = t("Nominal", "Nominell");
    let nw = nominal.chars().count().max(7);
    let mut head = format!(
        "{:>nw$} {:<10} {:<name_w$} {:>7} {:>13}",
        nominal,
        t("Id", "Kod"),
        t("Name", "Namn"),
        "Median",
        t("5%-95%", "5–95 %")
    );
    for k in &h.top_k {
        let _ = write!(head, " {:>8}", format!("P(<={k})"));
    }
    let _ = writeln!(out, "{head}");
    let _ = writeln!(out, "{}", "-".repeat(head.chars().count()));
    let rank = |x: f64| match lang {
        Lang::En => r(x),
        Lang::Sv if x.is_nan() => "-".into(),
        Lang::Sv => words::plain(x, lang),
    };
    let line = |u: &crate::sensitivity::summary::UnitStats, out: &mut String| {
        let name: String = u.name.chars().take(name_w).collect();
        let _ = write!(
            out,
            "{:>nw$} {:<10} {:<name_w$} {:>7} {:>13}",
            rank(u.nominal_rank),
            u.id,
            name,
            rank(u.median_rank),
            format!("{}-{}", rank(u.q05), rank(u.q95))
        );
        for k in &h.top_k {
            let _ = write!(out, " {:>8}", words::number(u.p_top[k], 3, lang));
        }
        out.push('\n');
    };
    let n = res.units.len();
    if n <= top + bottom + 1 {
        res.units.iter().for_each(|u| line(u, &mut out));
    } else {
        res.units[..top].iter().for_each(|u| line(u, &mut out));
        let _ = writeln!(
            out,
            "{:>nw$} ({} {})",
            "...",
            n - top - bottom,
            t("more", "till")
        );
        res.units[n - bottom..]
            .iter()
            .for_each(|u| line(u, &mut out));
    }
    let _ = writeln!(
        out,
        "\n{}",
        t(
            "Ranks: nominal, median and 5%-95% interval over runs; P(<=k): share of runs at rank k or better.",
            "Rangplatser: nominell, median och 5–95 %-intervall över körningarna; P(<=k): andel körningar med rang k eller bättre."
        )
    );
    if h.bin_width > 1 {
        let _ = match lang {
            Lang::En => writeln!(
                out,
                "Ranks are binned by {} (many units): medians and intervals are bin midpoints (within {} places); P(<=k) is a lower bound.",
                h.bin_width,
                h.bin_width.div_ceil(2)
            ),
            Lang::Sv => writeln!(
                out,
                "Rangplatserna är grupperade i intervall om {} (många enheter): medianer och intervall är intervallens mitt (inom {} platser); P(<=k) är en nedre gräns.",
                h.bin_width,
                h.bin_width.div_ceil(2)
            ),
        };
    }
    out
}

/// The Monte Carlo result as CSV (one row per unit).
pub fn mc_csv(p: &McPartial, res: &McResult) -> String {
    super::csv_text(|w| {
        let mut head: Vec<String> = [
            "id",
            "name",
            "nominal_rank",
            "median_rank",
            "mean_rank",
            "q05",
            "q95",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        head.extend(p.header.top_k.iter().map(|k| format!("p_rank_le_{k}")));
        head.extend(
            ["nominal_score", "score_mean", "score_sd"]
                .iter()
                .map(|s| s.to_string()),
        );
        w.row(&head);
        for u in &res.units {
            let mut row = vec![
                u.id.clone(),
                u.name.clone(),
                r(u.nominal_rank),
                r(u.median_rank),
                format!("{}", u.mean_rank),
                r(u.q05),
                r(u.q95),
            ];
            row.extend(p.header.top_k.iter().map(|k| format!("{}", u.p_top[k])));
            row.extend(
                [u.nominal_score, u.score_mean, u.score_sd]
                    .iter()
                    .map(|&v| super::csv_number(v)),
            );
            w.row(&row);
        }
    })
}

fn index_json(i: &SobolIndex) -> Value {
    json!({
        "first": num(i.first),
        "first_ci": [num(i.first_ci[0]), num(i.first_ci[1])],
        "total": num(i.total),
        "total_ci": [num(i.total_ci[0]), num(i.total_ci[1])],
    })
}

/// The Sobol result as JSON.
pub fn sobol_json(subject: &Subject, s: &SobolResult) -> String {
    let named = |indices: &[SobolIndex]| -> Value {
        Value::Object(
            s.factors
                .iter()
                .zip(indices)
                .map(|(f, i)| (f.clone(), index_json(i)))
                .collect(),
        )
    };
    let v = json!({
        "kommunrank": env!("CARGO_PKG_VERSION"),
        "method": "sobol",
        "seed": subject.settings.seed,
        "base_samples": s.base_samples,
        "evaluations": s.evaluations,
        "design": subject.settings.design,
        "bootstrap": subject.settings.bootstrap,
        "spec_hash": super::json::fingerprint(subject.index.spec_text.as_bytes()),
        "index": {"id": subject.index.root().id, "label": subject.index.root().label},
        "model": &subject.model,
        "estimators": "first order: Saltelli et al. (2010) on the output centred on its mean (as SALib); total: Jansen (1999); 95% bootstrap percentile intervals",
        "mean_abs_rank_shift": named(&s.scalar.indices),
        "units": s.units.iter().enumerate().map(|(u, o)| json!({
            "id": o.output,
            "name": subject.names[u],
            "nominal_rank": Rank(subject.nominal_ranks[u]),
            "indices": named(&o.indices),
        })).collect::<Vec<_>>(),
    });
    pretty(&v)
}

/// The Sobol result as a terminal table.
pub fn sobol_table(subject: &Subject, s: &SobolResult, lang: Lang) -> String {
    let t = |en: &'static str, sv: &'static str| words::either(lang, en, sv);
    let n3 = |v: f64| words::number(v, 3, lang);
    let mut out = String::new();
    let _ = writeln!(out, "{}", subject.index.root().label);
    let bootstrap = subject.settings.bootstrap;
    let design = crate::spec::spec_name(&subject.settings.design);
    let _ = match lang {
        Lang::En => writeln!(
            out,
            "Sobol indices: N = {} base samples, {} evaluations, {design} design, {}.",
            s.base_samples,
            s.evaluations,
            if bootstrap == 0 {
                "no bootstrap (no intervals)".to_string()
            } else {
                format!("{bootstrap} bootstrap resamples (95% intervals)")
            }
        ),
        Lang::Sv => writeln!(
            out,
            "Sobol-index: N = {} grundurval, {} beräkningar, urval: {}, {}.",
            s.base_samples,
            s.evaluations,
            if design == "sobol" {
                "Sobol-sekvens"
            } else {
                "slumpmässigt"
            },
            if bootstrap == 0 {
                "ingen bootstrap (inga intervall)".to_string()
            } else {
                format!("{bootstrap} bootstrap-omdragningar (95 %-intervall)")
            }
        ),
    };
    if s.base_samples < 256 {
        let _ = match lang {
            Lang::En => writeln!(
                out,
                "Note: N = {} is small, so the indices are rough; 1,024 or more is usual.",
                s.base_samples
            ),
            Lang::Sv => writeln!(
                out,
                "Obs: N = {} är litet, så indexen är grova; 1 024 eller fler är brukligt.",
                s.base_samples
            ),
        };
    }
    let _ = writeln!(
        out,
        "{}\n",
        t(
            "Output: mean absolute rank shift against the nominal ranking.",
            "Utfall: medel av |rangförändring| mot den nominella rangordningen."
        )
    );
    let names: Vec<String> = subject
        .model
        .factors
        .iter()
        .map(|f| words::factor(f, lang))
        .collect();
    let w = super::column_width(names.iter().map(String::as_str), 6, usize::MAX);
    let _ = writeln!(
        out,
        "{:<w$}  {:>8} {:>19}  {:>8} {:>19}",
        t("Factor", "Faktor"),
        "S_i",
        t("95% interval", "95 %-intervall"),
        "S_Ti",
        t("95% interval", "95 %-intervall")
    );
    let _ = writeln!(out, "{}", "-".repeat(w + 60));
    let interval = |ci: [f64; 2]| {
        if ci.iter().all(|v| v.is_finite()) {
            match lang {
                Lang::En => format!("[{}, {}]", n3(ci[0]), n3(ci[1])),
                Lang::Sv => format!("[{}; {}]", n3(ci[0]), n3(ci[1])),
            }
        } else {
            "-".to_string()
        }
    };
    for (f, i) in names.iter().zip(&s.scalar.indices) {
        let _ = writeln!(
            out,
            "{f:<w$}  {:>8} {:>19}  {:>8} {:>19}",
            n3(i.first),
            interval(i.first_ci),
            n3(i.total),
            interval(i.total_ci)
        );
    }
    let _ = writeln!(
        out,
        "\n{}",
        t(
            "S_i: share of the output's variance due to the factor alone; S_Ti: including its interactions.\n\
             Small negative estimates are estimation noise (see their intervals). Per-unit indices: --format json or csv.",
            "S_i: andel av utfallets varians som faktorn ensam förklarar; S_Ti: med dess samspel.\n\
             Små negativa skattningar är skattningsbrus (se intervallen). Index per enhet: --format json eller csv."
        )
    );
    out
}

/// The Sobol result as CSV: one row per output and factor.
pub fn sobol_csv(s: &SobolResult) -> String {
    super::csv_text(|w| {
        w.row([
            "output",
            "factor",
            "first",
            "first_low",
            "first_high",
            "total",
            "total_low",
            "total_high",
        ]);
        for o in std::iter::once(&s.scalar).chain(&s.units) {
            for (f, i) in s.factors.iter().zip(&o.indices) {
                let v = [
                    i.first,
                    i.first_ci[0],
                    i.first_ci[1],
                    i.total,
                    i.total_ci[0],
                    i.total_ci[1],
                ];
                let mut row = vec![o.output.clone(), f.clone()];
                row.extend(v.iter().map(|&x| super::csv_number(x)));
                w.row(&row);
            }
        }
    })
}

/// Leave-one-out as JSON.
pub fn loo_json(subject: &Subject, items: &[LeftOut]) -> String {
    let v = json!({
        "kommunrank": env!("CARGO_PKG_VERSION"),
        "method": "loo",
        "spec_hash": super::json::fingerprint(subject.index.spec_text.as_bytes()),
        "index": {"id": subject.index.root().id, "label": subject.index.root().label},
        "units": subject.ids.iter().zip(&subject.names).zip(&subject.nominal_ranks).map(|((id, name), r)| json!({"id": id, "name": name, "nominal_rank": Rank(*r)})).collect::<Vec<_>>(),
        "left_out": items.iter().map(|i| json!({
            "kind": i.kind,
            "id": i.id,
            "mean_abs_shift": i.mean_abs_shift,
            "max_abs_shift": i.max_abs_shift,
            "failure": i.failure,
            "ranks": i.ranks.as_ref().map(|r| r.iter().map(|x| Rank(*x)).collect::<Vec<_>>()),
            "rank_changes": i.ranks.as_ref().map(|r| r.iter().zip(&subject.nominal_ranks).map(|(a, b)| b - a).collect::<Vec<_>>()),
        })).collect::<Vec<_>>(),
    });
    pretty(&v)
}

/// Leave-one-out as a terminal table, largest mean shift first.
pub fn loo_table(subject: &Subject, items: &[LeftOut], lang: Lang) -> String {
    let t = |en: &'static str, sv: &'static str| words::either(lang, en, sv);
    let mut out = String::new();
    let _ = writeln!(out, "{}", subject.index.root().label);
    let _ = match lang {
        Lang::En => writeln!(
            out,
            "Leave-one-out: each indicator and node left out in turn ({} ranked units); most moved: + up, - down.\n",
            subject.units()
        ),
        Lang::Sv => writeln!(
            out,
            "En i taget utelämnad: varje indikator och nod utelämnas i tur och ordning ({} rangordnade enheter); mest flyttade: + upp, - ned.\n",
            subject.units()
        ),
    };
    let kind = |k: &str| match (lang, k) {
        (Lang::Sv, "indicator") => "indikator".to_string(),
        (Lang::Sv, "node") => "nod".to_string(),
        (_, k) => k.to_string(),
    };
    let mut sorted: Vec<&LeftOut> = items.iter().collect();
    sorted.sort_by(|a, b| {
        b.mean_abs_shift
            .unwrap_or(f64::INFINITY)
            .total_cmp(&a.mean_abs_shift.unwrap_or(f64::INFINITY))
    });
    let w = super::column_width(items.iter().map(|i| i.id.as_str()), 4, usize::MAX);
    let _ = writeln!(
        out,
        "{:<9} {:<w$}  {:>15}  {:>13}  {}",
        t("Left out", "Utelämnad"),
        t("Id", "Kod"),
        t("mean |shift|", "medel |förändr.|"),
        t("max |shift|", "max |förändr.|"),
        t("most moved", "mest flyttade")
    );
    let _ = writeln!(out, "{}", "-".repeat(w + 70));
    for i in sorted {
        match (&i.ranks, &i.failure) {
            (Some(ranks), _) => {
                let mut moved: Vec<(f64, usize)> = ranks
                    .iter()
                    .zip(&subject.nominal_ranks)
                    .enumerate()
                    .map(|(u, (a, b))| (b - a, u))
                    .collect();
                moved.sort_by(|a, b| b.0.abs().total_cmp(&a.0.abs()));
                let most: Vec<String> = moved
                    .iter()
                    .take(3)
                    .filter(|m| m.0 != 0.0)
                    .map(|(d, u)| format!("{} {:+}", subject.names[*u], d))
                    .collect();
                let _ = writeln!(
                    out,
                    "{:<9} {:<w$}  {:>15}  {:>13}  {}",
                    kind(i.kind),
                    i.id,
                    words::number(i.mean_abs_shift.unwrap_or(f64::NAN), 2, lang),
                    words::plain(i.max_abs_shift.unwrap_or(f64::NAN), lang),
                    most.join(", ")
                );
            }
            (None, f) => {
                let _ = writeln!(
                    out,
                    "{:<9} {:<w$}  {}: {}",
                    kind(i.kind),
                    i.id,
                    t("cannot be left out", "kan inte utelämnas"),
                    f.clone().unwrap_or_default()
                );
            }
        }
    }
    out
}

/// Leave-one-out as CSV.
pub fn loo_csv(items: &[LeftOut]) -> String {
    super::csv_text(|w| {
        w.row(["kind", "id", "mean_abs_shift", "max_abs_shift", "failure"]);
        for i in items {
            let f = |v: Option<f64>| v.map(super::csv_number).unwrap_or_default();
            w.row([
                i.kind.to_string(),
                i.id.clone(),
                f(i.mean_abs_shift),
                f(i.max_abs_shift),
                i.failure.clone().unwrap_or_default(),
            ]);
        }
    })
}

/// Scenarios side by side as JSON.
pub fn compare_json(subject: &Subject, scenarios: &[Scenario]) -> String {
    let v = json!({
        "kommunrank": env!("CARGO_PKG_VERSION"),
        "index": {"id": subject.index.root().id, "label": subject.index.root().label},
        "scenarios": scenarios.iter().map(|s| s.name.clone()).collect::<Vec<_>>(),
        "units": subject.ids.iter().enumerate().map(|(u, id)| json!({
            "id": id,
            "name": subject.names[u],
            "nominal_rank": Rank(subject.nominal_ranks[u]),
            "nominal_score": num(subject.nominal_scores[u]),
            "scenarios": scenarios.iter().map(|s| (s.name.clone(), json!({
                "rank": Rank(s.ranks[u]),
                "score": num(s.scores[u]),
                "change": subject.nominal_ranks[u] - s.ranks[u],
            }))).collect::<serde_json::Map<_, _>>(),
        })).collect::<Vec<_>>(),
    });
    pretty(&v)
}

/// Scenarios side by side as a table (rank and change against nominal).
pub fn compare_table(
    subject: &Subject,
    scenarios: &[Scenario],
    top: usize,
    bottom: usize,
    lang: Lang,
) -> String {
    let t = |en: &'static str, sv: &'static str| words::either(lang, en, sv);
    let r = |x: f64| match lang {
        Lang::En => r(x),
        Lang::Sv => words::plain(x, lang),
    };
    let mut out = String::new();
    let _ = writeln!(out, "{}", subject.index.root().label);
    let _ = match lang {
        Lang::En => writeln!(
            out,
            "Ranks under {} alternative{} (weight scenarios or methods; change against nominal: + moved up).\n",
            scenarios.len(),
            if scenarios.len() == 1 { "" } else { "s" }
        ),
        Lang::Sv => writeln!(
            out,
            "Rangplatser i {} alternativ (viktscenarier eller metoder; förändring mot nominell: + flyttade upp).\n",
            scenarios.len()
        ),
    };
    let name_w = super::column_width(subject.names.iter().map(|n| n.as_str()), 4, 24);
    let col_w: Vec<usize> = scenarios
        .iter()
        .map(|s| s.name.chars().count().max(11))
        .collect();
    let nominal = t("Nominal", "Nominell");
    let nw = nominal.chars().count().max(7);
    let mut head = format!(
        "{:>nw$} {:<10} {:<name_w$}",
        nominal,
        t("Id", "Kod"),
        t("Name", "Namn")
    );
    for (s, w) in scenarios.iter().zip(&col_w) {
        let _ = write!(head, "  {:>w$}", s.name);
    }
    let _ = writeln!(out, "{head}");
    let _ = writeln!(out, "{}", "-".repeat(head.chars().count()));
    let n = subject.units();
    let line = |u: usize, out: &mut String| {
        let name: String = subject.names[u].chars().take(name_w).collect();
        let _ = write!(
            out,
            "{:>nw$} {:<10} {:<name_w$}",
            r(subject.nominal_ranks[u]),
            subject.ids[u],
            name
        );
        for (s, w) in scenarios.iter().zip(&col_w) {
            let change = subject.nominal_ranks[u] - s.ranks[u];
            let cell = if change == 0.0 {
                r(s.ranks[u])
            } else {
                let sign = if change > 0.0 { "+" } else { "" };
                format!("{} ({sign}{})", r(s.ranks[u]), r(change))
            };
            let _ = write!(out, "  {cell:>w$}");
        }
        out.push('\n');
    };
    if n <= top + bottom + 1 {
        (0..n).for_each(|u| line(u, &mut out));
    } else {
        (0..top).for_each(|u| line(u, &mut out));
        let _ = writeln!(
            out,
            "{:>nw$} ({} {})",
            "...",
            n - top - bottom,
            t("more", "till")
        );
        (n - bottom..n).for_each(|u| line(u, &mut out));
    }
    for s in scenarios {
        let shift = subject.mean_abs_shift(&s.ranks);
        let _ = writeln!(
            out,
            "  {}: {} {}",
            s.name,
            t("mean |rank change|", "medel av |rangförändring|"),
            words::number(shift, 2, lang)
        );
    }
    out
}

/// Scenarios side by side as CSV.
pub fn compare_csv(subject: &Subject, scenarios: &[Scenario]) -> String {
    super::csv_text(|w| {
        let mut head = vec!["id".to_string(), "name".into(), "nominal_rank".into()];
        for s in scenarios {
            head.push(format!("{}_rank", s.name));
            head.push(format!("{}_change", s.name));
        }
        w.row(&head);
        for u in 0..subject.units() {
            let mut row = vec![
                subject.ids[u].clone(),
                subject.names[u].clone(),
                r(subject.nominal_ranks[u]),
            ];
            for s in scenarios {
                row.push(r(s.ranks[u]));
                row.push(format!("{}", subject.nominal_ranks[u] - s.ranks[u]));
            }
            w.row(&row);
        }
    })
}

/// The ranked units of a replayed run, best first.
fn replay_order(ranks: &[f64]) -> Vec<usize> {
    let mut order: Vec<usize> = (0..ranks.len()).collect();
    order.sort_by(|&a, &b| ranks[a].total_cmp(&ranks[b]));
    order
}

/// One replayed Monte Carlo run (`--replay K`) as JSON: its weights and
/// choices, and every ranked unit's rank and score beside the nominal rank.
pub fn replay_json(subject: &Subject, replayed: &ReplayedRun) -> String {
    let ReplayedRun {
        run,
        draw,
        scores,
        ranks,
    } = replayed;
    let v = json!({
        "run": run,
        "seed": subject.settings.seed,
        "draw": draw,
        "units": replay_order(ranks).iter().map(|&u| json!({
            "id": subject.ids[u],
            "name": subject.names[u],
            "rank": Rank(ranks[u]),
            "score": num(scores[u]),
            "nominal_rank": Rank(subject.nominal_ranks[u]),
        })).collect::<Vec<_>>(),
    });
    serde_json::to_string_pretty(&v).expect("JSON") + "\n"
}

/// One replayed Monte Carlo run (`--replay K`) as a table.
pub fn replay_table(subject: &Subject, replayed: &ReplayedRun) -> String {
    let ReplayedRun {
        run,
        draw,
        scores,
        ranks,
    } = replayed;
    let mut out = format!(
        "Run {run} (seed {})\n\nWeights (shares within each node):\n",
        subject.settings.seed
    );
    for (node, w) in &draw.weights {
        let parts: Vec<String> = w.iter().map(|(c, v)| format!("{c} {v:.4}")).collect();
        out += &format!("  {node}: {}\n", parts.join(", "));
    }
    for (f, level) in &draw.choices {
        out += &format!("  {f}: {level}\n");
    }
    out += &format!(
        "\n{:>6} {:>8} {:<10} {:<24} {:>12}\n",
        "Rank", "Nominal", "Id", "Name", "Score"
    );
    for u in replay_order(ranks) {
        out += &format!(
            "{:>6} {:>8} {:<10} {:<24} {:>12.4}\n",
            Rank(ranks[u]).to_string(),
            Rank(subject.nominal_ranks[u]).to_string(),
            subject.ids[u],
            subject.names[u].chars().take(24).collect::<String>(),
            scores[u]
        );
    }
    out
}
