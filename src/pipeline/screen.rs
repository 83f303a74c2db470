//! Screening: which units have enough data to be ranked. Coverage is the
//! share of indicators with a value, overall and per node, counted before
//! imputation or after it (`screening.coverage_on`). Every unit left out
//! gets a reason.

use crate::spec::{CoverageBasis, Index};
use ndarray::Array2;

/// The outcome of screening one unit.
#[derive(Debug, Clone, PartialEq)]
pub struct Screened {
    /// Share (0-1) of all indicators with a value.
    pub coverage: f64,
    /// Why the unit is excluded (`None`: it is kept).
    pub reason: Option<String>,
}

fn percent(x: f64) -> String {
    let p = x * 100.0;
    if (p - p.round()).abs() < 1e-9 {
        format!("{}%", p.round())
    } else {
        format!("{p:.1}%")
    }
}

/// Screens every unit (rows of `values`, NaN = missing): the raw values,
/// or the imputed ones when `screening.coverage_on = "imputed"`.
pub fn screen(index: &Index, values: &Array2<f64>) -> Vec<Screened> {
    let k = index.indicators.len();
    let min = index.spec.screening.min_coverage;
    let basis = match index.spec.screening.coverage_on {
        CoverageBasis::Raw => "",
        CoverageBasis::Imputed => " after imputation",
    };
    values
        .rows()
        .into_iter()
        .map(|row| {
            let present = row.iter().filter(|v| !v.is_nan()).count();
            let coverage = present as f64 / k as f64;
            let mut reasons = Vec::new();
            if present == 0 {
                reasons.push(format!("no data for any indicator{basis}"));
            } else if coverage < min {
                reasons.push(format!(
                    "data for {present} of {k} indicators ({}){basis} is below screening.min_coverage = {}",
                    percent(coverage),
                    percent(min)
                ));
            }
            if present > 0 {
                for node in &index.nodes {
                    let Some(node_min) = node.min_coverage else { continue };
                    let total = node.indicators.len();
                    let have = node.indicators.iter().filter(|&&i| !row[i].is_nan()).count();
                    let share = have as f64 / total as f64;
                    if share < node_min {
                        reasons.push(format!(
                            "node '{}': data for {have} of {total} indicators ({}){basis} is below its min_coverage = {}",
                            node.id,
                            percent(share),
                            percent(node_min)
                        ));
                    }
                }
            }
            Screened {
                coverage,
                reason: (!reasons.is_empty()).then(|| reasons.join("; ")),
            }
        })
        .collect()
}

/// A short category for a screening reason (for summaries).
pub fn category(reason: &str) -> &'static str {
    if reason.starts_with("no data") {
        "no data"
    } else if reason.starts_with("data for") {
        "low coverage"
    } else {
        "low node coverage"
    }
}
