//! `oauthcli exec [PROVIDER] [--env NAME] -- CMD [ARGS...]`: runs CMD with a valid access
//! token in `$NAME` (default `OAUTHCLI_TOKEN`), and ends as CMD ends.
//!
//! The token is put where the user asked and nowhere else: CMD's environment holds no
//! client secret of ours (`OAUTHCLI_*_CLIENT_SECRET`) and no other token of ours
//! (SECURITY.md row 13). On Unix oauthcli replaces itself with CMD (`execvp`), so CMD gets the
//! signals and its exit status is the process's own; elsewhere it waits and passes the code on.

use std::ffi::OsString;
use std::process::Command;

use anyhow::Result;

use super::fresh::{self, Kind};
use super::target;
use crate::cli::ExecArgs;
use crate::config::Settings;
use crate::error::{self, Failure};
use crate::store::state::State;

/// The variable `exec` sets unless `--env` names another.
const DEFAULT_VAR: &str = "OAUTHCLI_TOKEN";

pub fn run(settings: &Settings, args: ExecArgs) -> Result<()> {
    check_var(&args.env)?;
    let state = State::load()?;
    let provider = target(settings, &state, args.provider.clone())?;
    let set = fresh::valid(
        settings,
        &state,
        &provider,
        Kind::Access,
        args.fresh.min_ttl,
    )?;
    let (program, rest) = args.command.split_first().expect("clap requires a command");
    let mut cmd = Command::new(program);
    cmd.args(rest);
    for (name, _) in std::env::vars_os() {
        if is_ours(&name, &args.env) {
            cmd.env_remove(name);
        }
    }
    cmd.env(&args.env, set.access_token.expose());
    run_it(cmd, program)
}

/// A name a shell can export: not empty, no `=` (which would end the name), no NUL.
fn check_var(name: &str) -> Result<()> {
    if name.is_empty() || name.contains('=') || name.contains('\0') {
        return Err(error::config(format!(
            "--env '{name}' is not a variable name: give a name like GITHUB_TOKEN"
        )));
    }
    Ok(())
}

/// A variable of ours that carries a secret and is not the one CMD asked for.
fn is_ours(name: &OsString, wanted: &str) -> bool {
    let Some(name) = name.to_str() else {
        return false;
    };
    name != wanted
        && (name == DEFAULT_VAR
            || (name.starts_with("OAUTHCLI_") && name.ends_with("_CLIENT_SECRET")))
}

/// Why CMD could not be started, with the shell's exit code for it.
fn spawn_failure(program: &OsString, e: &std::io::Error) -> anyhow::Error {
    let code = if e.kind() == std::io::ErrorKind::NotFound {
        127
    } else {
        126
    };
    Failure::Spawn {
        code,
        why: format!("cannot run '{}': {e}", program.to_string_lossy()),
    }
    .into()
}

#[cfg(unix)]
fn run_it(mut cmd: Command, program: &OsString) -> Result<()> {
    use std::os::unix::process::CommandExt;
    // Returns only when CMD could not be started.
    let e = cmd.exec();
    Err(spawn_failure(program, &e))
}

#[cfg(not(unix))]
fn run_it(mut cmd: Command, program: &OsString) -> Result<()> {
    let status = cmd.status().map_err(|e| spawn_failure(program, &e))?;
    std::process::exit(status.code().unwrap_or(1))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_our_secrets_are_removed() {
        let ours = |n: &str| is_ours(&OsString::from(n), "GITHUB_TOKEN");
        assert!(ours("OAUTHCLI_CORP_CLIENT_SECRET"));
        assert!(ours("OAUTHCLI_TOKEN"));
        assert!(!ours("GITHUB_TOKEN"));
        assert!(!ours("OAUTHCLI_CONFIG"));
        assert!(!ours("OAUTHCLI_CORP_CLIENT_ID"));
        assert!(!is_ours(
            &OsString::from("OAUTHCLI_TOKEN"),
            "OAUTHCLI_TOKEN"
        ));
    }

    #[test]
    fn variable_names_are_checked() {
        assert!(check_var("GITHUB_TOKEN").is_ok());
        for bad in ["", "A=B", "A\0"] {
            assert_eq!(error::exit_code(&check_var(bad).unwrap_err()), 2);
        }
    }
}
