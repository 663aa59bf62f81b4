//! `oauthcli completions SHELL`: the completion script, generated from the clap definitions.

use anyhow::Result;
use clap::CommandFactory;

use crate::cli::Cli;

pub fn run(shell: clap_complete::Shell) -> Result<()> {
    let mut out = Vec::new();
    clap_complete::generate(shell, &mut Cli::command(), "oauthcli", &mut out);
    crate::output::data(String::from_utf8_lossy(&out).trim_end())
}
