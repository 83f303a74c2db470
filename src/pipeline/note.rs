//! What a run noticed that the reader should know (rows filtered, ids
//! ignored, imputations, treatments, goalposts that miss the data), as
//! typed values: `Display` gives the English of the JSON and the tables,
//! `report::words::note` the Swedish.

use super::treat::{TreatmentAction, TreatmentReason};
use crate::spec::{GroupFallback, MissingMethod, Transform};
use serde::Serialize;
use std::fmt;

/// One note of a run.
#[derive(Debug, Clone, PartialEq)]
pub enum Note {
    /// A row filter of `data.filter` kept some rows of a file.
    Filtered {
        /// The file (as named in outputs).
        source: String,
        /// Rows kept.
        kept: usize,
        /// Rows read.
        rows: usize,
        /// The filtered column.
        column: String,
        /// The values kept.
        values: Vec<String>,
    },
    /// Ids in the data that the unit list does not have.
    IdsIgnored {
        /// How many.
        count: usize,
        /// The unit list file.
        list: String,
        /// The first few of them.
        shown: Vec<String>,
    },
    /// An outlier treatment changed an indicator.
    Treated {
        /// The indicator's id.
        indicator: String,
        /// What was done.
        action: TreatmentAction,
        /// Why.
        reason: TreatmentReason,
    },
    /// Screening counted coverage after imputation.
    CoverageAfterImputation,
    /// Groups with no observed value of an indicator (group-mean imputation).
    GroupFallback {
        /// The indicator's id.
        indicator: String,
        /// The groups.
        groups: Vec<String>,
        /// What was done instead.
        fallback: GroupFallback,
    },
    /// Missing values of an indicator were imputed.
    Imputed {
        /// The indicator's id.
        indicator: String,
        /// How many.
        count: usize,
        /// By which method.
        method: MissingMethod,
    },
    /// Most units lie outside an indicator's goalposts: a warning.
    Goalposts(GoalpostsWarning),
}

/// Most ranked units lie outside an indicator's goalposts.
#[derive(Debug, Clone, PartialEq)]
pub struct GoalpostsWarning {
    /// The indicator's id.
    pub indicator: String,
    /// Ranked units outside.
    pub outside: usize,
    /// Ranked units with a value.
    pub total: usize,
    /// The goalposts on the scale compared (after any transform).
    pub bounds: [f64; 2],
    /// Whether values are clipped to the goalposts.
    pub clip: bool,
    /// The indicator's transform, if any.
    pub transform: Option<Transform>,
    /// Whether the spec gave the bounds on the raw scale (`bounds = "raw"`).
    pub raw_bounds: bool,
}

impl Note {
    /// Whether the note is a warning (printed on stderr by `rank`).
    pub fn is_warning(&self) -> bool {
        matches!(self, Note::Goalposts(_))
    }
}

/// At most this many ids are named in [`Note::IdsIgnored`].
pub(crate) const IDS_SHOWN: usize = 8;

impl fmt::Display for Note {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Note::Filtered {
                source,
                kept,
                rows,
                column,
                values,
            } => write!(
                f,
                "{source}: kept {kept} of {rows} rows where {column} is {}",
                values.join(" or ")
            ),
            Note::IdsIgnored { count, list, shown } => write!(
                f,
                "{count} id(s) in the data are not in the unit list {list} and were ignored: {}{}",
                shown.join(", "),
                if *count > shown.len() { ", ..." } else { "" }
            ),
            Note::Treated {
                indicator,
                action,
                reason,
            } => write!(f, "indicator '{indicator}': {action} ({reason})"),
            Note::CoverageAfterImputation => f.write_str(
                "screening counted coverage after imputation (screening.coverage_on = \"imputed\"); imputation statistics include units screened out afterwards",
            ),
            Note::GroupFallback {
                indicator,
                groups,
                fallback,
            } => write!(
                f,
                "indicator '{indicator}': group(s) {} have no observed value; {}",
                groups.join(", "),
                match fallback {
                    GroupFallback::OverallMean => "the overall mean was imputed instead",
                    GroupFallback::None =>
                        "their values stay missing (missing.group_fallback = \"none\")",
                }
            ),
            Note::Imputed {
                indicator,
                count,
                method,
            } => write!(
                f,
                "indicator '{indicator}': {count} missing value(s) imputed ({})",
                crate::spec::spec_name(method)
            ),
            Note::Goalposts(w) => w.fmt(f),
        }
    }
}

impl fmt::Display for GoalpostsWarning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let [l, u] = self.bounds;
        let scale = match (self.transform, self.raw_bounds) {
            (None, _) => "the indicator's values".to_string(),
            (Some(t), true) => format!(
                "the {} scale (the bounds, given on the raw scale, transformed to [{l}, {u}])",
                crate::spec::spec_name(&t)
            ),
            (Some(t), false) => format!(
                "the {} scale (transform = \"{}\" applied to the data, not to the bounds)",
                crate::spec::spec_name(&t),
                crate::spec::spec_name(&t)
            ),
        };
        let hint = if self.transform.is_some() && !self.raw_bounds {
            "; if the bounds are in the indicator's own units, add bounds = \"raw\" to its normalise"
        } else {
            "; check the bounds, the direction and the data's units"
        };
        write!(
            f,
            "warning: indicator '{}': {} of {} ranked units lie outside the goalposts [{l}, {u}], compared on {scale}{}{hint}",
            self.indicator,
            self.outside,
            self.total,
            if self.clip {
                ", so they are all clipped to the ends"
            } else {
                ", so their scores fall outside the 0-scale range"
            },
        )
    }
}

impl Serialize for Note {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}
