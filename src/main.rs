//! The kommunrank command line: parses arguments and calls the library.
//! Exit codes: 0 ok, 1 failure while running, 2 bad usage or bad input.

mod cli;

use clap::Parser;

fn main() {
    // Ctrl-C, SIGTERM or SIGHUP: remove a half-written output's temporary
    // file, exit 130.
    let _ = ctrlc::set_handler(|| {
        kommunrank::report::remove_pending_output();
        std::process::exit(130);
    });
    let args = cli::Cli::try_parse().unwrap_or_else(|e| {
        if let Some(hint) = cli::hint_for(&e) {
            eprintln!("error: {hint}");
            std::process::exit(2);
        }
        e.exit()
    });
    let code = match cli::run(args) {
        Ok(()) => 0,
        Err(e) => {
            eprintln!("error: {e}");
            e.exit_code()
        }
    };
    std::process::exit(code);
}
