//! Entry point: parse the command line, run the command, map the outcome to an exit code.
//!
//! Everything else lives in the library (`lib.rs`); this file only decides how the process
//! ends (README, "Exit codes"). Errors are printed here and only here, to stderr.

use std::ffi::OsString;
use std::process::ExitCode;

use clap::Parser;
use oauthcli::{cli, commands, error, process};

fn main() -> ExitCode {
    process::harden();
    // `token` and `token NAME`, the calls of scripts, without building clap's whole parser.
    let argv: Vec<OsString> = std::env::args_os().collect();
    let args = cli::quick::token(&argv, |var| std::env::var_os(var))
        .unwrap_or_else(|| cli::Cli::parse_from(argv));
    match commands::run(args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            error::report(&err);
            ExitCode::from(error::exit_code(&err))
        }
    }
}
