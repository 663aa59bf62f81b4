//! `oauthcli completions SHELL`: the completion script, generated from the clap definitions.

use anyhow::Result;
use clap::CommandFactory;

use crate::cli::Cli;

pub fn run(shell: clap_complete::Shell) -> Result<()> {
    let mut out = Vec::new();
    clap_complete::generate(shell, &mut shown(), "oauthcli", &mut out);
    crate::output::data(String::from_utf8_lossy(&out).trim_end())
}

/// The command line without its hidden commands (`refresh-ahead`, which oauthcli runs
/// itself): clap_complete offers every subcommand, hidden or not, and clap has no way to
/// remove one, so the top level is built again from the visible ones.
fn shown() -> clap::Command {
    let full = Cli::command();
    let visible: Vec<clap::Command> = full
        .get_subcommands()
        .filter(|s| !s.is_hide_set())
        .cloned()
        .collect();
    let mut top = clap::Command::new("oauthcli")
        .version(env!("CARGO_PKG_VERSION"))
        .propagate_version(true)
        .subcommands(visible);
    if let Some(help) = full.get_after_long_help() {
        top = top.after_long_help(help.clone());
    }
    for arg in full.get_arguments() {
        top = top.arg(arg.clone());
    }
    top
}
