//! The built-in example: SKL-2014-style e-service survey data for all 290
//! municipalities (synthetic values, real codes and names), embedded in the
//! binary so `kommunrank rank` works anywhere. See fixtures/README.md.

use crate::error::Result;
use crate::spec::{self, Base, LoadedSpec};

/// The spec text of the built-in example.
pub const SPEC: &str = include_str!("../fixtures/eservice2014/spec.toml");
/// The data of the built-in example.
pub const DATA: &[u8] = include_bytes!("../fixtures/eservice2014/eservice2014.csv");
/// The spec's file name when `kommunrank example` writes it out.
pub const SPEC_FILE: &str = "eservice2014.toml";
/// The embedded files, by the names the spec uses.
pub const FILES: &[(&str, &[u8])] = &[("eservice2014.csv", DATA)];

/// The built-in example's spec, loaded.
pub fn load() -> Result<LoadedSpec> {
    spec::parse_spec(
        SPEC,
        "builtin:eservice2014/spec.toml",
        Base::Embedded(FILES),
    )
}
