//! Entry point: parse the command line, run the command, map the outcome to an exit code.
//!
//! Everything else lives in the modules below; this file only decides how the process ends
//! (`cli.md`, "Exit codes"). Errors are printed here and only here, to stderr.

mod cli;
mod commands;
mod config;
mod error;
mod flow;
mod http;
mod identity;
mod output;
mod paths;
mod provider;
mod secret;
mod store;
mod term;
mod token;

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let args = cli::Cli::parse();
    match commands::run(args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            error::report(&err);
            ExitCode::from(error::exit_code(&err))
        }
    }
}
