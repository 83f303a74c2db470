//! `kommunrank example`: write the built-in example's spec and data into a
//! folder, to try every command on files of one's own.

use clap::Args;
use kommunrank::{Error, Result, example, report};
use std::path::PathBuf;

/// Arguments of `example`.
#[derive(Debug, Args)]
pub struct ExampleArgs {
    /// The folder to write into (created if missing).
    #[arg(long, value_name = "DIR", default_value = ".")]
    dir: PathBuf,
    /// Replace the files if they exist.
    #[arg(long)]
    force: bool,
}

/// Runs `example`.
pub fn run(args: ExampleArgs) -> Result<()> {
    let mut files: Vec<(String, &[u8])> =
        vec![(example::SPEC_FILE.to_string(), example::SPEC.as_bytes())];
    files.extend(example::FILES.iter().map(|(n, b)| (n.to_string(), *b)));
    std::fs::create_dir_all(&args.dir).map_err(|source| Error::Io {
        action: "create the folder",
        path: args.dir.clone(),
        source,
    })?;
    for (name, _) in &files {
        let path = args.dir.join(name);
        if path.exists() && !args.force {
            return Err(Error::Usage(format!(
                "{} exists: pass --force to replace it, or choose another --dir",
                path.display()
            )));
        }
    }
    for (name, bytes) in &files {
        report::write_atomic(&args.dir.join(name), bytes, &[])?;
    }
    let spec = args.dir.join(example::SPEC_FILE);
    eprintln!(
        "wrote {} and {} (synthetic SKL 2014-style survey answers, all 290 municipalities); next: kommunrank rank --spec {}",
        spec.display(),
        args.dir.join(example::FILES[0].0).display(),
        spec.display()
    );
    Ok(())
}
