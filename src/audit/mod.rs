//! Statistical audit of an index (OECD/JRC Handbook steps 2-4 and 8):
//! descriptive statistics, correlations, internal consistency, principal
//! components, effective weights; explaining one unit's rank; rankings over
//! several years.

pub mod explain;
pub mod index_audit;
pub mod multivariate;
pub use crate::stats;
pub mod trend;
