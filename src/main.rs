//! Entry point: parse the command line, run the command, map the outcome to an exit code.
//!
//! Everything else lives in the library (`lib.rs`); this file only decides how the process
//! ends (README, "Exit codes"). Errors are printed here and only here, to stderr.

use std::process::ExitCode;

use clap::Parser;
use oauthcli::{cli, commands, error, process};

fn main() -> ExitCode {
    process::harden();
    let args = cli::Cli::parse();
    match commands::run(args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            error::report(&err);
            ExitCode::from(error::exit_code(&err))
        }
    }
}
