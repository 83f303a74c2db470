//! The integration tests, as modules of one test binary: one link instead
//! of one per file keeps a cold `cargo test --release` short.

#[allow(dead_code)]
mod common;

mod analyst;
mod audit;
mod bad_inputs;
mod builtin_example;
mod cli;
mod desi2022;
mod docs_commands;
mod kolada;
mod methods;
mod properties;
mod reliability;
mod reports;
mod reweight;
mod sensitivity;
mod weightings;
