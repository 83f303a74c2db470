//! Outlier treatment, after imputation and transforms and before
//! normalisation: the JRC skewness/kurtosis rule exactly as COINr's `Treat()`
//! applies it (winsorise one step at a time up to k distinct units, else a
//! log of the original values), winsorisation at quantiles, Box-Cox.
//! Statistics come from the reference units; what was treated and why is
//! reported.

use crate::error::{Error, Result};
use crate::spec::{Index, JrcLog, Treatment};
use crate::stats;
use ndarray::Array2;
use serde::Serialize;

/// What treatment did to one indicator.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct TreatmentReport {
    /// Indicator id.
    pub indicator: String,
    /// What was done (`none`: checked, nothing to do).
    pub action: TreatmentAction,
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
    /// Why: the rule's figures (in words by its `Display`).
    #[serde(serialize_with = "as_text")]
    pub reason: TreatmentReason,
}

/// What a treatment did to an indicator.
#[derive(Debug, Clone, Copy, Serialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum TreatmentAction {
    /// Checked, nothing to do.
    None,
    /// Extreme values pulled in.
    Winsorised,
    /// Log-transformed (the JRC rule's second step).
    Log,
    /// Box-Cox transformed.
    BoxCox,
}

impl std::fmt::Display for TreatmentAction {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            TreatmentAction::None => "none",
            TreatmentAction::Winsorised => "winsorised",
            TreatmentAction::Log => "log",
            TreatmentAction::BoxCox => "box_cox",
        })
    }
}

/// Which side(s) of the distribution the JRC rule winsorised.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    /// The high end only.
    High,
    /// The low end only.
    Low,
    /// Both ends (the skewness changed sign on the way).
    Both,
}

impl std::fmt::Display for Side {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Side::High => "high",
            Side::Low => "low",
            Side::Both => "both",
        })
    }
}

/// Why a treatment did what it did, with its figures. `Display` gives the
/// English sentence of the JSON and the audit; `report::words` the Swedish.
#[derive(Debug, Clone, PartialEq)]
pub enum TreatmentReason {
    /// The JRC rule: too few values for skewness and kurtosis.
    TooFewValues,
    /// The JRC rule: the indicator passes.
    Passes {
        /// The rule's thresholds (|skew|, kurtosis).
        rule: [f64; 2],
        /// Skewness and kurtosis found.
        found: [f64; 2],
    },
    /// The JRC rule: winsorised until it passed.
    Winsorised {
        /// The rule's thresholds (|skew|, kurtosis).
        rule: [f64; 2],
        /// Skewness and kurtosis before.
        found: [f64; 2],
        /// Distinct reference units winsorised.
        points: usize,
        /// Winsorisation steps taken.
        steps: usize,
        /// Which side(s).
        side: Side,
    },
    /// The JRC rule: still failing at `max_points`, so log-transformed.
    Logged {
        /// The rule's thresholds (|skew|, kurtosis).
        rule: [f64; 2],
        /// Skewness and kurtosis before.
        found: [f64; 2],
        /// Distinct reference units winsorised before giving up.
        points: usize,
        /// The rule's `max_points`.
        max_points: usize,
        /// The log's formula.
        formula: &'static str,
        /// Skewness and kurtosis after the log, when still outside.
        still: Option<[f64; 2]>,
    },
    /// Winsorised at quantiles.
    Quantiles {
        /// The quantiles.
        quantiles: [f64; 2],
        /// The values they gave.
        bounds: [f64; 2],
    },
    /// Box-Cox.
    BoxCox {
        /// Its lambda.
        lambda: f64,
    },
}

impl std::fmt::Display for TreatmentReason {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let figures = |[s, k]: [f64; 2]| format!("skew {s:.3}, kurtosis {k:.3}");
        match self {
            TreatmentReason::TooFewValues => {
                f.write_str("too few values for skewness and kurtosis")
            }
            TreatmentReason::Passes { rule, found } => write!(
                f,
                "passes: |skew| < {} or kurtosis < {} ({})",
                rule[0],
                rule[1],
                figures(*found)
            ),
            TreatmentReason::Winsorised {
                rule,
                found,
                points,
                steps,
                side,
            } => write!(
                f,
                "JRC rule: |skew| >= {} and kurtosis >= {} ({}); {points} unit(s) winsorised in {steps} step(s) ({side} side), now passes",
                rule[0],
                rule[1],
                figures(*found)
            ),
            TreatmentReason::Logged {
                rule,
                found,
                points,
                max_points,
                formula,
                still,
            } => {
                write!(
                    f,
                    "JRC rule: |skew| >= {} and kurtosis >= {} ({}); still failing after winsorising {points} unit(s) (max_points = {max_points}), so the original values were transformed by {formula}",
                    rule[0],
                    rule[1],
                    figures(*found)
                )?;
                if let Some(after) = still {
                    write!(
                        f,
                        "; still outside the thresholds after it ({})",
                        figures(*after)
                    )?;
                }
                Ok(())
            }
            TreatmentReason::Quantiles {
                quantiles: [lo_q, hi_q],
                bounds: [lo, hi],
            } => write!(
                f,
                "clamped to the {lo_q} and {hi_q} quantiles ({lo} and {hi})"
            ),
            TreatmentReason::BoxCox { lambda } => write!(f, "Box-Cox with lambda = {lambda}"),
        }
    }
}

/// Serialises a value as its `Display` text.
pub(crate) fn as_text<T: std::fmt::Display, S: serde::Serializer>(
    v: &T,
    s: S,
) -> std::result::Result<S::Ok, S::Error> {
    s.collect_str(v)
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
        let before = reference_values(&col, reference);
        let (s0, k0) = (stats::skewness(&before), stats::kurtosis(&before));
        let mut report = TreatmentReport {
            indicator: ind.id.clone(),
            action: TreatmentAction::None,
            units: Vec::new(),
            skew_before: s0,
            kurtosis_before: k0,
            skew_after: s0,
            kurtosis_after: k0,
            reason: TreatmentReason::TooFewValues,
        };
        match &ind.treatment {
            Treatment::None => unreachable!("skipped above"),
            Treatment::Jrc {
                skew,
                kurtosis,
                max_points,
                log,
            } => {
                let rule = JrcRule {
                    skew: *skew,
                    kurtosis: *kurtosis,
                    max_points: *max_points,
                    log: *log,
                };
                let outcome = rule.apply(&mut col, reference);
                report.action = outcome.action;
                report.units = outcome.changed.iter().map(|&u| ids[u].clone()).collect();
                report.reason = outcome.reason;
            }
            Treatment::Winsorise {
                quantiles: [lo_q, hi_q],
            } => {
                let r = reference_values(&col, reference);
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
                report.action = TreatmentAction::Winsorised;
                report.reason = TreatmentReason::Quantiles {
                    quantiles: [*lo_q, *hi_q],
                    bounds: [lo, hi],
                };
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
                report.action = TreatmentAction::BoxCox;
                report.reason = TreatmentReason::BoxCox { lambda: *lambda };
            }
        }
        let after = reference_values(&col, reference);
        report.skew_after = stats::skewness(&after);
        report.kurtosis_after = stats::kurtosis(&after);
        values.column_mut(j).assign(&ndarray::Array1::from(col));
        reports.push(report);
    }
    Ok(reports)
}

/// The present values of the reference units.
fn reference_values(col: &[f64], reference: &[bool]) -> Vec<f64> {
    col.iter()
        .zip(reference)
        .filter(|(v, r)| **r && !v.is_nan())
        .map(|(v, _)| *v)
        .collect()
}

/// The JRC rule's parameters (COINr `Treat()` defaults: `winmax = 5`,
/// `skew_thresh = 2`, `kurt_thresh = 3.5`, `f2 = "log_CT"`).
#[derive(Debug, Clone, Copy)]
pub(crate) struct JrcRule {
    pub(crate) skew: f64,
    pub(crate) kurtosis: f64,
    pub(crate) max_points: usize,
    pub(crate) log: JrcLog,
}

/// What the JRC rule did to one column.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct JrcOutcome {
    /// `None`, `Winsorised` or `Log`.
    pub(crate) action: TreatmentAction,
    /// Units changed by winsorisation (ascending), empty for `none` and `log`.
    pub(crate) changed: Vec<usize>,
    /// Why, with the figures.
    pub(crate) reason: TreatmentReason,
}

impl JrcRule {
    fn fails(&self, col: &[f64], reference: &[bool]) -> (bool, f64, f64) {
        let r = reference_values(col, reference);
        let (s, k) = (stats::skewness(&r), stats::kurtosis(&r));
        (stats::jrc_outlier(s, k, self.skew, self.kurtosis), s, k)
    }

    /// Applies the rule to `col` in place (statistics over the reference
    /// units, every present value treated), as COINr's `Treat()` with
    /// `winsorise` then `log_CT` on the original values.
    pub(crate) fn apply(&self, col: &mut [f64], reference: &[bool]) -> JrcOutcome {
        let (fails, s0, k0) = self.fails(col, reference);
        let (rule, found) = ([self.skew, self.kurtosis], [s0, k0]);
        if !fails {
            let why = if s0.is_nan() || k0.is_nan() {
                TreatmentReason::TooFewValues
            } else {
                TreatmentReason::Passes { rule, found }
            };
            return JrcOutcome {
                action: TreatmentAction::None,
                changed: Vec::new(),
                reason: why,
            };
        }
        let original = col.to_vec();
        let mut changed = vec![false; col.len()];
        let mut points = 0;
        let mut steps = Vec::new();
        let mut failing = true;
        while failing && points < self.max_points {
            let r = reference_values(col, reference);
            // The side is the sign of the current skewness (>= 0: high side).
            let high = stats::skewness(&r) >= 0.0;
            let (extreme, next) = extreme_and_next(&r, high);
            let Some(next) = next else { break };
            for (u, v) in col.iter_mut().enumerate() {
                let beyond = if high { *v >= extreme } else { *v <= extreme };
                if !v.is_nan() && beyond {
                    *v = next;
                    if !changed[u] {
                        changed[u] = true;
                        points += usize::from(reference[u]);
                    }
                }
            }
            steps.push(if high { Side::High } else { Side::Low });
            failing = self.fails(col, reference).0;
        }
        let changed_units: Vec<usize> = (0..col.len()).filter(|&u| changed[u]).collect();
        if !failing {
            return JrcOutcome {
                action: TreatmentAction::Winsorised,
                changed: changed_units,
                reason: TreatmentReason::Winsorised {
                    rule,
                    found,
                    points,
                    steps: steps.len(),
                    side: side_of(&steps),
                },
            };
        }
        // Still failing at the limit: the original values, log-transformed.
        col.copy_from_slice(&original);
        let formula = self.log_transform(col, s0);
        let (still, s1, k1) = self.fails(col, reference);
        JrcOutcome {
            action: TreatmentAction::Log,
            changed: Vec::new(),
            reason: TreatmentReason::Logged {
                rule,
                found,
                points,
                max_points: self.max_points,
                formula,
                still: still.then_some([s1, k1]),
            },
        }
    }

    /// The log of the second step, with min and max over every present
    /// value (so that each stays in the log's domain); returns its formula.
    fn log_transform(&self, col: &mut [f64], skew: f64) -> &'static str {
        let present = stats::present(col);
        let lo = present.iter().copied().fold(f64::INFINITY, f64::min);
        let hi = present.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        let margin = 0.01 * (hi - lo);
        let (formula, f): (&'static str, Box<dyn Fn(f64) -> f64>) = match self.log {
            JrcLog::CtSkew if skew < 0.0 => (
                "-ln(max + 0.01 (max - min) - x)",
                Box::new(move |x| -(hi + margin - x).ln()),
            ),
            JrcLog::Ct | JrcLog::CtSkew => (
                "ln(x - min + 0.01 (max - min))",
                Box::new(move |x| (x - lo + margin).ln()),
            ),
            JrcLog::CtOrig => ("ln(x - min + 1)", Box::new(move |x| (x - lo + 1.0).ln())),
        };
        for v in col.iter_mut().filter(|v| !v.is_nan()) {
            *v = f(*v);
        }
        formula
    }
}

/// The most extreme value on a side and the next value in (None when
/// every value equals the extreme).
fn extreme_and_next(values: &[f64], high: bool) -> (f64, Option<f64>) {
    if high {
        let extreme = values.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        let next = values
            .iter()
            .copied()
            .filter(|v| *v < extreme)
            .reduce(f64::max);
        (extreme, next)
    } else {
        let extreme = values.iter().copied().fold(f64::INFINITY, f64::min);
        let next = values
            .iter()
            .copied()
            .filter(|v| *v > extreme)
            .reduce(f64::min);
        (extreme, next)
    }
}

fn side_of(steps: &[Side]) -> Side {
    match (steps.contains(&Side::High), steps.contains(&Side::Low)) {
        (true, true) => Side::Both,
        (false, true) => Side::Low,
        _ => Side::High,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thresholds_compare_with_greater_or_equal() {
        assert!(stats::jrc_outlier(2.0, 3.5, 2.0, 3.5));
        assert!(stats::jrc_outlier(-2.0, 3.5, 2.0, 3.5));
        assert!(!stats::jrc_outlier(1.999, 10.0, 2.0, 3.5));
        assert!(!stats::jrc_outlier(5.0, 3.499, 2.0, 3.5));
        assert!(!stats::jrc_outlier(f64::NAN, f64::NAN, 2.0, 3.5));
    }
}
