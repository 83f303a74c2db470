//! kommunrank: composite index rankings of municipalities (or any units),
//! from indicator tables and a declarative TOML spec.
//!
//! The library follows the OECD/JRC Handbook's steps, one module each:
//! [`input`] (CSV/XLSX/JSON, wide or Kolada-style long) -> [`spec`] (the
//! index: indicators, hierarchy, weights, methods) -> [`pipeline`] (screen,
//! impute, transform, normalise, aggregate, rank) -> [`report`] (terminal
//! table, CSV, JSON).
//!
//! ```no_run
//! use kommunrank::{pipeline, spec};
//! use std::path::Path;
//!
//! let loaded = spec::load_spec(Path::new("examples/desi2022.toml"))?;
//! let index = spec::resolve(&loaded)?;
//! let result = pipeline::run_index(&index, &pipeline::DataOverrides::default())?;
//! for unit in result.units.iter().take(5) {
//!     println!("{:>3} {:<4} {:.4}", unit.rank.map(|r| r.to_string()).unwrap_or_default(), unit.id, unit.score);
//! }
//! for ex in &result.excluded {
//!     println!("not ranked: {} ({})", ex.id, ex.reason);
//! }
//! let json = kommunrank::report::json::to_json(&result);
//! kommunrank::report::write_atomic(Path::new("out.json"), json.as_bytes(), &[])?;
//! # Ok::<(), kommunrank::Error>(())
//! ```

pub mod audit;
pub mod cpu;
pub mod error;
pub mod example;
pub mod input;
pub mod pipeline;
pub mod report;
pub mod sensitivity;
pub mod spec;
pub mod stats;
pub mod sweden;
pub mod text;

pub use error::{Error, Result};
