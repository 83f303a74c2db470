//! `kommunrank merge`: combine Monte Carlo shards into the single-run result.

use super::output_format;
use super::sensitivity::render_mc;
use clap::Args;
use kommunrank::sensitivity::partial::{McPartial, chunk_count};
use kommunrank::{Error, Result};
use std::path::PathBuf;

/// Arguments of `merge`.
#[derive(Debug, Args)]
pub struct MergeArgs {
    /// Partial results written by `sensitivity --shard I/N`.
    #[arg(required = true, value_name = "PART")]
    parts: Vec<PathBuf>,
    #[command(flatten)]
    output: super::OutputArgs,
    #[command(flatten)]
    size: super::TableSize,
}

/// Runs `merge`.
pub fn run(args: MergeArgs) -> Result<()> {
    let format = output_format(args.output.format, &args.output.out)?;
    let mut parts = Vec::new();
    for p in &args.parts {
        let text = kommunrank::input::read_input_text(p).map_err(|source| Error::Io {
            action: "read",
            path: p.clone(),
            source,
        })?;
        let part = McPartial::from_json(&text)
            .map_err(|e| Error::Usage(format!("{}: {e}", p.display())))?;
        parts.push((p.display().to_string(), part));
    }
    let merged = McPartial::merge(parts).map_err(Error::Usage)?;
    if !merged.is_complete() {
        return Err(Error::Usage(format!(
            "the parts cover chunks {}..{} of 0..{}: a shard is missing",
            merged.chunk_range[0],
            merged.chunk_range[1],
            chunk_count(merged.header.runs)
        )));
    }
    let text = render_mc(
        &merged,
        format,
        args.size.top,
        args.size.bottom,
        args.output.lang,
    );
    args.output.deliver(&text, format, &args.parts, "")
}
