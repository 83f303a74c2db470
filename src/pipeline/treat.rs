//! Outlier treatment, after imputation and transforms and before
//! normalisation: the JRC skewness/kurtosis rule (winsorise up to k points,
//! then fall back to a log), winsorisation at quantiles, Box-Cox. Statistics
//! come from the reference units; what was treated and why is reported.

use crate::audit::stats;
use crate::error::{Error, Result};
use crate::spec::{Index, Treatment};
use ndarray::Array2;
use serde::Serialize;

/// What treatment did to one indicator.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct TreatmentReport {
    /// Indicator id.
    pub indicator: String,
    /// `winsorised`, `log`, `box_cox` or `none` (checked, nothing to do).
    pub action: String,
    /// Units whose value was changed by winsorisation.
    pub units: Vec<String>,
    /// Skewness before (reference units).
    pub skew_before: f64,
    /// Excess kurtosis before.
    pub kurtosis_before: f64,
    /// Skewness after.
    pub skew_after: f64,
    /// Excess kurtosis after.
    pub kurtosis_after: f64,
    /// Why, in words.
    pub reason: String,
}

/// Treats every indicator with a treatment; returns a report per treated
/// (or checked) indicator.
pub fn treat(
    index: &Index,
    ids: &[String],
    values: &mut Array2<f64>,
    reference: &[bool],
) -> Result<Vec<TreatmentReport>> {
    let mut reports = Vec::new();
    for (j, ind) in index.indicators.iter().enumerate() {
        if ind.treatment == Treatment::None {
            continue;
        }
        let mut col: Vec<f64> = values.column(j).to_vec();
        let refs = |c: &[f64]| -> Vec<f64> {
            c.iter()
                .zip(reference)
                .filter(|(v, r)| **r && !v.is_nan())
                .map(|(v, _)| *v)
                .collect()
        };
        let before = refs(&col);
        let (s0, k0) = (stats::skewness(&before), stats::kurtosis(&before));
        let mut report = TreatmentReport {
            indicator: ind.id.clone(),
            action: "none".into(),
            units: Vec::new(),
            skew_before: s0,
            kurtosis_before: k0,
            skew_after: s0,
            kurtosis_after: k0,
            reason: String::new(),
        };
        match &ind.treatment {
            Treatment::None => unreachable!("skipped above"),
            Treatment::Jrc {
                skew,
                kurtosis,
                max_points,
            } => {
                let outside = |s: f64, k: f64| s.abs() > *skew && k > *kurtosis;
                if !outside(s0, k0) {
                    report.reason = format!(
                        "within thresholds (|skew| {s0:.2} <= {skew} or kurtosis {k0:.2} <= {kurtosis})"
                    );
                } else {
                    let original = col.clone();
                    let mut changed = vec![false; col.len()];
                    let mut points = 0;
                    let upper = s0 > 0.0;
                    let mut done = false;
                    while points < *max_points {
                        let r = refs(&col);
                        // The most extreme value on the skewed side, and the next one in.
                        let extreme = if upper {
                            r.iter().copied().fold(f64::NEG_INFINITY, f64::max)
                        } else {
                            r.iter().copied().fold(f64::INFINITY, f64::min)
                        };
                        let next = if upper {
                            r.iter()
                                .copied()
                                .filter(|v| *v < extreme)
                                .fold(f64::NEG_INFINITY, f64::max)
                        } else {
                            r.iter()
                                .copied()
                                .filter(|v| *v > extreme)
                                .fold(f64::INFINITY, f64::min)
                        };
                        if !next.is_finite() {
                            break;
                        }
                        for (u, v) in col.iter_mut().enumerate() {
                            let beyond = if upper { *v >= extreme } else { *v <= extreme };
                            if !v.is_nan() && beyond {
                                if reference[u] {
                                    points += 1;
                                }
                                *v = next;
                                changed[u] = true;
                            }
                        }
                        let r = refs(&col);
                        if !outside(stats::skewness(&r), stats::kurtosis(&r)) {
                            done = true;
                            break;
                        }
                    }
                    if done {
                        report.action = "winsorised".into();
                        report.units = (0..col.len())
                            .filter(|&u| changed[u])
                            .map(|u| ids[u].clone())
                            .collect();
                        report.reason = format!(
                            "JRC rule: |skew| {s0:.2} > {skew} and kurtosis {k0:.2} > {kurtosis}; {points} point(s) winsorised to the next value"
                        );
                    } else {
                        // Fall back to a log on the original values.
                        col = original;
                        let r = refs(&col);
                        let (lo, hi) = (
                            r.iter().copied().fold(f64::INFINITY, f64::min),
                            r.iter().copied().fold(f64::NEG_INFINITY, f64::max),
                        );
                        for v in col.iter_mut().filter(|v| !v.is_nan()) {
                            *v = if upper {
                                (*v - lo + 1.0).max(f64::MIN_POSITIVE).ln()
                            } else {
                                -(hi - *v + 1.0).max(f64::MIN_POSITIVE).ln()
                            };
                        }
                        report.action = "log".into();
                        report.reason = format!(
                            "JRC rule: |skew| {s0:.2} > {skew} and kurtosis {k0:.2} > {kurtosis}; still outside after {max_points} winsorised points, so {} instead",
                            if upper {
                                "ln(x - min + 1)"
                            } else {
                                "-ln(max - x + 1)"
                            }
                        );
                    }
                }
            }
            Treatment::Winsorise {
                quantiles: [lo_q, hi_q],
            } => {
                let r = refs(&col);
                let (lo, hi) = (stats::quantile(&r, *lo_q), stats::quantile(&r, *hi_q));
                for (u, v) in col.iter_mut().enumerate() {
                    if v.is_nan() {
                        continue;
                    }
                    let c = v.clamp(lo, hi);
                    if c != *v {
                        report.units.push(ids[u].clone());
                        *v = c;
                    }
                }
                report.action = "winsorised".into();
                report.reason =
                    format!("clamped to the {lo_q} and {hi_q} quantiles ({lo} and {hi})");
            }
            Treatment::BoxCox { lambda } => {
                for (u, v) in col.iter_mut().enumerate() {
                    if v.is_nan() {
                        continue;
                    }
                    if *v <= 0.0 {
                        return Err(Error::spec(
                            &index.spec_name,
                            format!("indicator '{}'.treat", ind.id),
                            format!("Box-Cox needs values > 0, but unit {} has {v}", ids[u]),
                        )
                        .with_hint("shift the data, or use the JRC rule or winsorisation"));
                    }
                    *v = if *lambda == 0.0 {
                        v.ln()
                    } else {
                        (v.powf(*lambda) - 1.0) / lambda
                    };
                }
                report.action = "box_cox".into();
                report.reason = format!("Box-Cox with lambda = {lambda}");
            }
        }
        let after = refs(&col);
        report.skew_after = stats::skewness(&after);
        report.kurtosis_after = stats::kurtosis(&after);
        values.column_mut(j).assign(&ndarray::Array1::from(col));
        reports.push(report);
    }
    Ok(reports)
}
