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
    pub reason: Option<ExclusionReason>,
}

/// What a unit lacks to be screened in.
#[derive(Debug, Clone, PartialEq)]
pub enum Shortfall {
    /// No indicator has a value.
    NoData,
    /// Too few indicators have a value (`screening.min_coverage`).
    Coverage {
        /// Indicators with a value.
        present: usize,
        /// All indicators.
        total: usize,
        /// The minimum share.
        min: f64,
    },
    /// Too few of a node's indicators have a value (its `min_coverage`).
    NodeCoverage {
        /// The node's id.
        node: String,
        /// Its indicators with a value.
        present: usize,
        /// All its indicators.
        total: usize,
        /// The minimum share.
        min: f64,
    },
}

/// Why a unit is not ranked. `Display` gives the English words of every
/// output (JSON, CSV); `report::words` gives them in other languages.
#[derive(Debug, Clone, PartialEq)]
pub enum ExclusionReason {
    /// Screened out for lack of data (counted after imputation when
    /// `screening.coverage_on = "imputed"`).
    Screened {
        /// What it lacks (at least one).
        shortfalls: Vec<Shortfall>,
        /// Whether coverage was counted after imputation.
        after_imputation: bool,
    },
    /// Not scored in the nominal run (a sensitivity run keeps its units).
    NotScoredNominal,
    /// Only indicators of weight 0 have data.
    NoScore,
}

impl ExclusionReason {
    /// A short category (for summaries): `no data`, `low coverage`, `low
    /// node coverage`, `no score`.
    pub fn category(&self) -> &'static str {
        match self {
            ExclusionReason::Screened { shortfalls, .. } => match shortfalls.first() {
                Some(Shortfall::NoData) => "no data",
                Some(Shortfall::Coverage { .. }) => "low coverage",
                _ => "low node coverage",
            },
            ExclusionReason::NotScoredNominal => "not scored",
            ExclusionReason::NoScore => "no score",
        }
    }
}

impl std::fmt::Display for ExclusionReason {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ExclusionReason::Screened {
                shortfalls,
                after_imputation,
            } => {
                let basis = if *after_imputation {
                    " after imputation"
                } else {
                    ""
                };
                let parts: Vec<String> = shortfalls
                    .iter()
                    .map(|s| match s {
                        Shortfall::NoData => format!("no data for any indicator{basis}"),
                        Shortfall::Coverage {
                            present,
                            total,
                            min,
                        } => format!(
                            "data for {present} of {total} indicators ({}){basis} is below screening.min_coverage = {}",
                            percent(*present as f64 / *total as f64),
                            percent(*min)
                        ),
                        Shortfall::NodeCoverage {
                            node,
                            present,
                            total,
                            min,
                        } => format!(
                            "node '{node}': data for {present} of {total} indicators ({}){basis} is below its min_coverage = {}",
                            percent(*present as f64 / *total as f64),
                            percent(*min)
                        ),
                    })
                    .collect();
                f.write_str(&parts.join("; "))
            }
            ExclusionReason::NotScoredNominal => f.write_str("not scored in the nominal run"),
            ExclusionReason::NoScore => {
                f.write_str("no score: only indicators with weight 0 have data")
            }
        }
    }
}

/// A share as a percentage: whole when it is, else one decimal (`25%`, `12.5%`).
pub fn percent(x: f64) -> String {
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
    let after_imputation = index.spec.screening.coverage_on == CoverageBasis::Imputed;
    values
        .rows()
        .into_iter()
        .map(|row| {
            let present = row.iter().filter(|v| !v.is_nan()).count();
            let coverage = present as f64 / k as f64;
            let mut shortfalls = Vec::new();
            if present == 0 {
                shortfalls.push(Shortfall::NoData);
            } else if coverage < min {
                shortfalls.push(Shortfall::Coverage {
                    present,
                    total: k,
                    min,
                });
            }
            if present > 0 {
                for node in &index.nodes {
                    let Some(node_min) = node.min_coverage else {
                        continue;
                    };
                    let total = node.indicators.len();
                    let have = node
                        .indicators
                        .iter()
                        .filter(|&&i| !row[i].is_nan())
                        .count();
                    if (have as f64 / total as f64) < node_min {
                        shortfalls.push(Shortfall::NodeCoverage {
                            node: node.id.clone(),
                            present: have,
                            total,
                            min: node_min,
                        });
                    }
                }
            }
            Screened {
                coverage,
                reason: (!shortfalls.is_empty()).then_some(ExclusionReason::Screened {
                    shortfalls,
                    after_imputation,
                }),
            }
        })
        .collect()
}
