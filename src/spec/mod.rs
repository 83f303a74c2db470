//! The index spec: the TOML as written ([`model`]), loading it ([`load`]),
//! and resolving it ([`resolve`](mod@resolve)) into a checked [`Index`]
//! ([`index`]); weights from judgements or the data are described in
//! [`weighting`] and set by [`judgement`].

pub mod coinr;
pub mod draft;
pub mod expr;
pub mod index;
pub mod judgement;
pub mod load;
pub mod model;
pub mod resolve;
pub mod weighting;

pub use crate::input::Base;
pub use index::{Aggregation, Index, Indicator, Member, Node};
pub use load::{LoadedSpec, load_spec, load_spec_lenient, parse_spec, parse_spec_lenient};
pub use model::*;
pub use resolve::{AggregationParams, AggregationProblem, build_aggregation, resolve};
pub use weighting::{
    AhpWeights, DataWeighting, ExpertWeights, OptimisedWeights, PcaWeights, WeightOrigin,
    WeightsSection,
};

/// A method's name as the spec spells it (`group_mean`, `log1p`): what
/// notes and reports show, so a reader can copy it into a spec.
pub fn spec_name<T: serde::Serialize + std::fmt::Debug>(value: &T) -> String {
    match serde_json::to_value(value) {
        Ok(serde_json::Value::String(s)) => s,
        _ => format!("{value:?}").to_lowercase(),
    }
}

pub use crate::text::{edit_distance, suggest};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn edit_distances() {
        assert_eq!(edit_distance("weight", "wieght"), 2);
        assert_eq!(edit_distance("", "abc"), 3);
        assert_eq!(edit_distance("kommun", "kommun"), 0);
        assert_eq!(
            suggest("wieght", ["id", "weight", "label"].into_iter()),
            Some("weight")
        );
        assert_eq!(suggest("zzzzzz", ["id", "weight"].into_iter()), None);
    }
}
