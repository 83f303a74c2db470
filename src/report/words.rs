//! The words and numbers of outputs in the reader's language: numbers with
//! a decimal point or comma, method names, exclusion reasons and
//! sensitivity factors. English words are the spec's own names (and the
//! pipeline's `Display`); Swedish ones are SKR's and SCB's terms.

use super::Lang;
use crate::pipeline::note::{GoalpostsWarning, Note};
use crate::pipeline::screen::{ExclusionReason, Shortfall};
use crate::pipeline::treat::{Side, TreatmentAction, TreatmentReason};
use crate::sensitivity::model::FactorDescription;
use crate::spec::{
    Aggregation, GroupFallback, MissingMethod, Normalisation, RankMethod, Transform,
};

/// `v` with `decimals` decimals: a decimal comma and a true minus sign in
/// Swedish; `–` when it is not a number.
///
/// ```
/// use kommunrank::report::{Lang, words::number};
/// assert_eq!(number(-1.25, 2, Lang::En), "-1.25");
/// assert_eq!(number(-1.25, 2, Lang::Sv), "−1,25");
/// ```
pub fn number(v: f64, decimals: usize, lang: Lang) -> String {
    if !v.is_finite() {
        return "–".into();
    }
    localise(format!("{v:.decimals$}"), lang)
}

/// `v` with up to `decimals` decimals, trailing zeros dropped (`0.25`, `1`).
pub fn trimmed(v: f64, decimals: usize, lang: Lang) -> String {
    if !v.is_finite() {
        return "–".into();
    }
    let s = format!("{v:.decimals$}");
    let s = if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s
    };
    localise(if s == "-0" { "0".into() } else { s }, lang)
}

/// A number written as Rust writes it (`1.5`, `1e-7`), in `lang`.
pub fn plain(v: f64, lang: Lang) -> String {
    localise(format!("{v}"), lang)
}

/// Decimal comma and minus sign for Swedish.
fn localise(s: String, lang: Lang) -> String {
    match lang {
        Lang::En => s,
        Lang::Sv => s.replace('.', ",").replace('-', "−"),
    }
}

/// A share as a percentage: whole when it is, else one decimal (`25%`;
/// Swedish `25 %`, `12,5 %`).
pub fn percent(share: f64, lang: Lang) -> String {
    match lang {
        Lang::En => crate::pipeline::screen::percent(share),
        Lang::Sv => format!("{} %", trimmed(share * 100.0, 1, lang)),
    }
}

/// The tie rule's name.
pub fn ranking_method(m: RankMethod, lang: Lang) -> String {
    let (en, sv) = match m {
        RankMethod::Competition => ("competition", "standardrangordning (1, 2, 2, 4)"),
        RankMethod::Dense => ("dense", "tät rangordning (1, 2, 2, 3)"),
        RankMethod::Fractional => ("fractional", "delad rangordning (1; 2,5; 2,5; 4)"),
        RankMethod::Ordinal => ("ordinal", "löpande rangordning (1, 2, 3, 4)"),
    };
    pick(en, sv, lang)
}

/// The missing-value method's name.
pub fn missing_method(m: MissingMethod, lang: Lang) -> String {
    let (en, sv) = match m {
        MissingMethod::Exclude => (
            "exclude",
            "utelämnas (vikterna fördelas om på de indikatorer enheten har)",
        ),
        MissingMethod::Mean => ("mean", "ersätts med medelvärdet"),
        MissingMethod::Median => ("median", "ersätts med medianen"),
        MissingMethod::GroupMean => ("group_mean", "ersätts med gruppens medelvärde"),
        MissingMethod::Zero => ("zero", "ersätts med 0 (inget svar ger inga poäng)"),
        MissingMethod::Worst => ("worst", "ersätts med det sämsta värdet"),
    };
    pick(en, sv, lang)
}

/// The aggregation method's name.
pub fn aggregation(a: Aggregation, lang: Lang) -> String {
    match (a, lang) {
        (Aggregation::MeanMin { alpha, beta }, Lang::En) => {
            format!("mean_min, alpha = {alpha}, beta = {beta}")
        }
        (Aggregation::Bod(b), Lang::En) => format!(
            "Benefit of the Doubt (each unit's own best weights; shares {}-{}{})",
            b.min_share,
            b.max_share,
            match b.max_weight {
                Some(m) => format!(", weights {}-{m}", b.min_weight),
                None if b.min_weight > 0.0 => format!(", weights >= {}", b.min_weight),
                None => String::new(),
            }
        ),
        (a, Lang::En) => a.name().to_string(),
        (Aggregation::Arithmetic, Lang::Sv) => "aritmetiskt medelvärde".into(),
        (Aggregation::Geometric, Lang::Sv) => "geometriskt medelvärde".into(),
        (Aggregation::Harmonic, Lang::Sv) => "harmoniskt medelvärde".into(),
        (Aggregation::Generalised { p }, Lang::Sv) => {
            format!("generaliserat medelvärde, p = {}", plain(p, lang))
        }
        (Aggregation::MazziottaPareto, Lang::Sv) => "Mazziotta–Paretos index".into(),
        (Aggregation::Sum, Lang::Sv) => "summa".into(),
        (Aggregation::Copeland, Lang::Sv) => "Copeland (parvisa majoriteter)".into(),
        (Aggregation::Bod(b), Lang::Sv) => format!(
            "Benefit of the Doubt (varje enhets egna bästa vikter; andelar {}–{})",
            plain(b.min_share, lang),
            plain(b.max_share, lang)
        ),
        (Aggregation::MeanMin { alpha, beta }, Lang::Sv) => format!(
            "medelvärde–minimum, α = {}, β = {}",
            plain(alpha, lang),
            plain(beta, lang)
        ),
    }
}

/// The transform's name.
pub fn transform(t: Transform, lang: Lang) -> String {
    let (en, sv) = match t {
        Transform::None => ("none", "ingen"),
        Transform::Log => ("log", "naturlig logaritm"),
        Transform::Log1p => ("log1p", "ln(1 + x)"),
        Transform::Log10 => ("log10", "tiologaritm"),
    };
    pick(en, sv, lang)
}

/// The normalisation method with its parameters.
pub fn normalisation(n: &Normalisation, lang: Lang) -> String {
    if lang == Lang::En {
        return crate::pipeline::normalise::describe(n);
    }
    let p = |v: f64| plain(v, lang);
    match n {
        Normalisation::Minmax { low, high, .. } => format!("min–max {}–{}", p(*low), p(*high)),
        Normalisation::Zscore { mean, sd, .. } => {
            format!(
                "z-poäng (medelvärde {}, standardavvikelse {})",
                p(*mean),
                p(*sd)
            )
        }
        Normalisation::Goalposts {
            lower,
            upper,
            clip,
            scale,
            ..
        } => format!(
            "målvärden {}–{} × {}{}",
            p(lower.unwrap_or(f64::NAN)),
            p(upper.unwrap_or(f64::NAN)),
            p(*scale),
            if *clip { ", begränsade" } else { "" }
        ),
        Normalisation::Rank => "rangplats".into(),
        Normalisation::Percentile { scale } => format!("percentilrang 0–{}", p(*scale)),
        Normalisation::Distance { target, .. } => format!("avstånd till målet {}", p(*target)),
        Normalisation::Bands { thresholds, .. } => format!(
            "poäng i intervall med gränserna {}",
            thresholds
                .iter()
                .map(|&t| p(t))
                .collect::<Vec<_>>()
                .join("; ")
        ),
        Normalisation::Categorical { .. } => "poäng för varje svar".into(),
        Normalisation::None => "ingen".into(),
    }
}

/// Why a unit is not ranked.
pub fn exclusion(r: &ExclusionReason, lang: Lang) -> String {
    if lang == Lang::En {
        return r.to_string();
    }
    match r {
        ExclusionReason::Screened {
            shortfalls,
            after_imputation,
        } => {
            let basis = if *after_imputation {
                " efter imputering"
            } else {
                ""
            };
            let share = |a: usize, b: usize| percent(a as f64 / b as f64, lang);
            shortfalls
                .iter()
                .map(|s| match s {
                    Shortfall::NoData => format!("data saknas för alla indikatorer{basis}"),
                    Shortfall::Coverage {
                        present,
                        total,
                        min,
                    } => format!(
                        "data för {present} av {total} indikatorer ({}){basis}, under kravet screening.min_coverage = {}",
                        share(*present, *total),
                        percent(*min, lang)
                    ),
                    Shortfall::NodeCoverage {
                        node,
                        present,
                        total,
                        min,
                    } => format!(
                        "noden '{node}': data för {present} av {total} indikatorer ({}){basis}, under dess min_coverage = {}",
                        share(*present, *total),
                        percent(*min, lang)
                    ),
                })
                .collect::<Vec<_>>()
                .join("; ")
        }
        ExclusionReason::NotScoredNominal => "inte beräknad i den nominella rangordningen".into(),
        ExclusionReason::NoScore => "ingen poäng: bara indikatorer med vikten 0 har data".into(),
    }
}

/// A sensitivity factor's name (`weights of 'services'`).
pub fn factor(f: &FactorDescription, lang: Lang) -> String {
    if lang == Lang::En {
        return f.name.clone();
    }
    factor_named(f, lang, &|id| format!("'{id}'"))
}

/// A sensitivity factor's name with its nodes and indicators named by
/// `name` (their labels, in charts): `weights in E-services and apps`.
pub fn factor_named(f: &FactorDescription, lang: Lang, name: &dyn Fn(&str) -> String) -> String {
    let names = |v: &Option<Vec<String>>| {
        v.iter()
            .flatten()
            .map(|x| name(x))
            .collect::<Vec<_>>()
            .join(", ")
    };
    match f.kind.as_str() {
        "weights" if f.nodes.as_ref().is_some_and(|n| n.len() == 1) => {
            format!(
                "{} {}",
                either(lang, "weights in", "vikter i"),
                names(&f.nodes)
            )
        }
        "weights" => pick("weights", "vikter", lang),
        "normalisation" => pick("normalisation", "normalisering", lang),
        "aggregation" => format!(
            "{} {}",
            either(lang, "aggregation in", "aggregering i"),
            names(&f.nodes)
        ),
        "missing" => pick("missing-value method", "metod för saknade värden", lang),
        "include" => format!(
            "{} {}",
            either(lang, "with or without", "med eller utan"),
            name(f.indicator.as_deref().unwrap_or_default())
        ),
        "scenario" => pick("weight scenario", "viktscenario", lang),
        _ => f.name.clone(),
    }
}

/// What a treatment did (`winsorised`; Swedish `winsoriserad`).
pub fn treatment(a: TreatmentAction, lang: Lang) -> String {
    match a {
        TreatmentAction::None => pick("none", "ingen", lang),
        TreatmentAction::Winsorised => pick("winsorised", "winsoriserad", lang),
        TreatmentAction::Log => pick("log", "logaritmerad", lang),
        TreatmentAction::BoxCox => pick("box_cox", "Box-Cox-transformerad", lang),
    }
}

/// Why a treatment did what it did.
pub fn treatment_reason(r: &TreatmentReason, lang: Lang) -> String {
    if lang == Lang::En {
        return r.to_string();
    }
    let figures = |[s, k]: [f64; 2]| {
        format!(
            "skevhet {}, toppighet {}",
            number(s, 3, lang),
            number(k, 3, lang)
        )
    };
    let rule = |[s, k]: [f64; 2], found: [f64; 2]| {
        format!(
            "JRC-regeln: |skevhet| ≥ {} och toppighet ≥ {} ({})",
            plain(s, lang),
            plain(k, lang),
            figures(found)
        )
    };
    match r {
        TreatmentReason::TooFewValues => "för få värden för skevhet och toppighet".into(),
        TreatmentReason::Passes {
            rule: [s, k],
            found,
        } => format!(
            "godkänd: |skevhet| < {} eller toppighet < {} ({})",
            plain(*s, lang),
            plain(*k, lang),
            figures(*found)
        ),
        TreatmentReason::Winsorised {
            rule: r,
            found,
            points,
            steps,
            side,
        } => format!(
            "{}; {points} enheter winsoriserades i {steps} steg ({}), nu godkänd",
            rule(*r, *found),
            match side {
                Side::High => "övre änden",
                Side::Low => "nedre änden",
                Side::Both => "båda ändarna",
            }
        ),
        TreatmentReason::Logged {
            rule: r,
            found,
            points,
            max_points,
            formula,
            still,
        } => format!(
            "{}; underkänd även efter att {points} enheter winsoriserats (max_points = {max_points}), så originalvärdena transformerades med {formula}{}",
            rule(*r, *found),
            still
                .map(|f| format!("; fortfarande utanför gränserna efter det ({})", figures(f)))
                .unwrap_or_default()
        ),
        TreatmentReason::Quantiles {
            quantiles: [lo_q, hi_q],
            bounds: [lo, hi],
        } => format!(
            "begränsade till kvantilerna {} och {} ({} och {})",
            plain(*lo_q, lang),
            plain(*hi_q, lang),
            plain(*lo, lang),
            plain(*hi, lang)
        ),
        TreatmentReason::BoxCox { lambda } => {
            format!("Box-Cox med lambda = {}", plain(*lambda, lang))
        }
    }
}

/// A note of a run (rows filtered, ids ignored, imputations...).
pub fn note(n: &Note, lang: Lang) -> String {
    if lang == Lang::En {
        return n.to_string();
    }
    match n {
        Note::Filtered {
            source,
            kept,
            rows,
            column,
            values,
        } => format!(
            "{source}: {kept} av {rows} rader behölls, de där {column} är {}",
            values.join(" eller ")
        ),
        Note::IdsIgnored { count, list, shown } => format!(
            "{count} id i data finns inte i enhetslistan {list} och användes inte: {}{}",
            shown.join(", "),
            if *count > shown.len() { ", ..." } else { "" }
        ),
        Note::Treated {
            indicator,
            action,
            reason,
        } => format!(
            "indikatorn '{indicator}': {} ({})",
            treatment(*action, lang),
            treatment_reason(reason, lang)
        ),
        Note::CoverageAfterImputation => "screeningen räknade täckningen efter imputering (screening.coverage_on = \"imputed\"); imputeringens statistik omfattar enheter som sållades bort efteråt".into(),
        Note::GroupFallback {
            indicator,
            groups,
            fallback,
        } => format!(
            "indikatorn '{indicator}': grupperna {} saknar observerade värden; {}",
            groups.join(", "),
            match fallback {
                GroupFallback::OverallMean => "medelvärdet för alla imputerades i stället",
                GroupFallback::None =>
                    "deras värden förblir saknade (missing.group_fallback = \"none\")",
            }
        ),
        Note::Imputed {
            indicator,
            count,
            method,
        } => format!(
            "indikatorn '{indicator}': {count} saknade värden imputerade ({})",
            missing_method(*method, lang)
        ),
        Note::Goalposts(w) => goalposts_sv(w, lang),
    }
}

fn goalposts_sv(w: &GoalpostsWarning, lang: Lang) -> String {
    let bounds = format!(
        "[{}; {}]",
        plain(w.bounds[0], lang),
        plain(w.bounds[1], lang)
    );
    let scale = match (w.transform, w.raw_bounds) {
        (None, _) => "indikatorns värden".to_string(),
        (Some(t), true) => format!(
            "skalan efter {} (gränserna, angivna på den ursprungliga skalan, transformerade till {bounds})",
            transform(t, lang)
        ),
        (Some(t), false) => format!(
            "skalan efter {} (transform = \"{}\" tillämpad på data, inte på gränserna)",
            transform(t, lang),
            crate::spec::spec_name(&t)
        ),
    };
    let hint = if w.transform.is_some() && !w.raw_bounds {
        "; om gränserna är i indikatorns egna enheter, lägg till bounds = \"raw\" i dess normalise"
    } else {
        "; kontrollera gränserna, riktningen och datas enheter"
    };
    format!(
        "varning: indikatorn '{}': {} av {} rangordnade enheter ligger utanför målvärdena {bounds}, jämfört på {scale}{}{hint}",
        w.indicator,
        w.outside,
        w.total,
        if w.clip {
            ", så de får alla ändpunkternas värden"
        } else {
            ", så deras poäng hamnar utanför skalans intervall"
        },
    )
}

fn pick(en: &str, sv: &str, lang: Lang) -> String {
    either(lang, en, sv).to_string()
}

/// `en` or `sv`, by language: the one switch of the outputs' fixed words.
pub fn either<'a>(lang: Lang, en: &'a str, sv: &'a str) -> &'a str {
    match lang {
        Lang::En => en,
        Lang::Sv => sv,
    }
}

/// How a node's weights were made, in words: "as written in the spec",
/// "AHP (2 judges, consistency ratio 0.015)", "budget allocation by 3
/// experts".
pub fn weight_origin(origin: &crate::spec::WeightOrigin, lang: Lang) -> String {
    use crate::spec::WeightOrigin;
    match (origin, lang) {
        (WeightOrigin::Spec, _) => {
            either(lang, "as written in the spec", "enligt specifikationen").into()
        }
        (WeightOrigin::Ahp(a), Lang::En) => format!(
            "AHP, pairwise comparisons ({} judge{}, consistency ratio {})",
            a.judges.len().max(1),
            if a.judges.len() > 1 { "s" } else { "" },
            number(a.cr, 3, lang)
        ),
        (WeightOrigin::Ahp(a), Lang::Sv) => format!(
            "AHP, parvisa jämförelser ({} bedömare, konsistenskvot {})",
            a.judges.len().max(1),
            number(a.cr, 3, lang)
        ),
        (WeightOrigin::Experts(e), Lang::En) => format!(
            "budget allocation by {} expert{} (mean shares)",
            e.experts.len(),
            if e.experts.len() > 1 { "s" } else { "" }
        ),
        (WeightOrigin::Experts(e), Lang::Sv) => format!(
            "poängfördelning av {} experter (medelandelar)",
            e.experts.len()
        ),
        (WeightOrigin::Pca(p), Lang::En) => format!(
            "principal components: {} varimax factor{} explaining {} of the variance, over {} units",
            p.factors,
            if p.factors > 1 { "s" } else { "" },
            percent(p.explained[..p.factors].iter().sum(), lang),
            p.units
        ),
        (WeightOrigin::Pca(p), Lang::Sv) => format!(
            "principalkomponenter: {} varimaxfaktorer som förklarar {} av variansen, över {} enheter",
            p.factors,
            percent(p.explained[..p.factors].iter().sum(), lang),
            p.units
        ),
        (WeightOrigin::Optimised(o), Lang::En) => format!(
            "optimised so that each child's correlation with the node matches its target (gap {}, over {} units)",
            number(o.gap, 6, lang),
            o.units
        ),
        (WeightOrigin::Optimised(o), Lang::Sv) => format!(
            "optimerade så att varje dels korrelation med noden når sitt mål (avvikelse {}, över {} enheter)",
            number(o.gap, 6, lang),
            o.units
        ),
        (WeightOrigin::UnitOwn, _) => either(
            lang,
            "each unit's own, the most favourable (Benefit of the Doubt)",
            "varje enhets egna, de mest gynnsamma (Benefit of the Doubt)",
        )
        .into(),
        (WeightOrigin::FromData(_), _) => either(lang, "from the data", "från data").into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_in_swedish() {
        assert_eq!(number(1234.5, 1, Lang::Sv), "1234,5");
        assert_eq!(number(f64::NAN, 1, Lang::Sv), "–");
        assert_eq!(trimmed(0.250, 3, Lang::Sv), "0,25");
        assert_eq!(trimmed(-0.0001, 3, Lang::Sv), "0");
        assert_eq!(percent(0.25, Lang::Sv), "25 %");
        assert_eq!(percent(0.125, Lang::Sv), "12,5 %");
        assert_eq!(percent(0.125, Lang::En), "12.5%");
    }

    #[test]
    fn exclusion_reasons_in_swedish_and_english() {
        let r = ExclusionReason::Screened {
            shortfalls: vec![Shortfall::Coverage {
                present: 2,
                total: 8,
                min: 0.5,
            }],
            after_imputation: false,
        };
        assert_eq!(
            exclusion(&r, Lang::Sv),
            "data för 2 av 8 indikatorer (25 %), under kravet screening.min_coverage = 50 %"
        );
        assert_eq!(
            exclusion(&r, Lang::En),
            "data for 2 of 8 indicators (25%) is below screening.min_coverage = 50%"
        );
    }
}
