//! `oauthcli setup-git [PROVIDER]`: registers `oauthcli git-credential` as git's credential
//! helper for each git host of the provider, in the user's global git config.
//!
//! It goes through `git config --global`, so git itself edits the file and every other
//! setting in it is kept. For each host it first sets an empty helper, which per
//! gitcredentials(7) clears the helpers configured before it for that URL (a stored
//! password that no longer works must not be offered before the token), then adds ours.
//! Running it again gives the same file. The binary is named by its absolute path: git
//! runs helpers from any directory and with any PATH.

use std::process::Command;

use anyhow::{Context, Result, bail};

use super::target;
use crate::cli::SetupGitArgs;
use crate::config::Settings;
use crate::error;
use crate::git;
use crate::output;
use crate::store::state::State;

pub fn run(settings: &Settings, args: SetupGitArgs) -> Result<()> {
    let state = State::load()?;
    let name = target(settings, &state, args.provider)?;
    let profile = settings.profile(&name)?;
    if profile.git_hosts.is_empty() {
        return Err(error::config(format!(
            "provider '{name}' has no git host: add git_hosts = [\"git.example.com\"] under \
             [providers.{name}] in {}",
            settings.path.display()
        )));
    }
    let exe = std::env::current_exe().context("cannot find the path of this program")?;
    let exe = exe
        .to_str()
        .context("the path of this program is not UTF-8, which git's config cannot hold")?;
    let helper = git::helper_line(exe);
    for host in &profile.git_hosts {
        let key = format!("credential.https://{host}.helper");
        git_config(&["--replace-all", &key, ""])?;
        git_config(&["--add", &key, &helper])?;
        output::note(&format!(
            "git now asks oauthcli ({name}) for https://{host}"
        ));
    }
    Ok(())
}

fn git_config(args: &[&str]) -> Result<()> {
    let out = Command::new("git")
        .args(["config", "--global"])
        .args(args)
        .output()
        .context("cannot run git: is it installed and on PATH?")?;
    if !out.status.success() {
        bail!(
            "git config --global {} failed: {}",
            args.join(" "),
            String::from_utf8_lossy(&out.stderr).trim()
        );
    }
    Ok(())
}
