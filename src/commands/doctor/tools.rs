//! The doctor's checks of the tools that take tokens from oauthcli: git (the credential
//! helpers of the global git config, as `setup-git` writes them) and kubectl (a kubeconfig
//! that runs `oauthcli kubectl-credential`).

use std::path::PathBuf;
use std::process::Command;

use super::Check;
use crate::config::Profile;

/// git: which hosts ask oauthcli, and which git host of a provider does not.
pub(super) fn git(providers: &[Profile]) -> Check {
    let out = Command::new("git")
        .args([
            "config",
            "--global",
            "--get-regexp",
            r"^credential\..*helper$",
        ])
        .output();
    let Ok(out) = out else {
        return Check::ok("git", "git is not installed");
    };
    // Exit 1 is "no such key"; the lines are `credential.URL.helper VALUE`.
    let listed = String::from_utf8_lossy(&out.stdout).into_owned();
    let ours: Vec<&str> = listed
        .lines()
        .filter_map(|l| l.split_once(' '))
        .filter(|(_, value)| value.contains("oauthcli") && value.ends_with("git-credential"))
        .filter_map(|(key, _)| key.strip_prefix("credential.")?.strip_suffix(".helper"))
        .collect();
    let missing: Vec<(&str, &str)> = providers
        .iter()
        .flat_map(|p| {
            p.git_hosts
                .iter()
                .map(move |h| (p.name.as_str(), h.as_str()))
        })
        .filter(|(_, host)| !ours.contains(&format!("https://{host}").as_str()))
        .collect();
    if let Some((name, host)) = missing.first() {
        return Check::warn(
            "git",
            format!("git does not ask oauthcli for https://{host}"),
            format!("oauthcli setup-git {name}"),
        );
    }
    if ours.is_empty() {
        return Check::ok(
            "git",
            "git does not use oauthcli (no provider has git_hosts)",
        );
    }
    Check::ok("git", format!("git asks oauthcli for {}", ours.join(", ")))
}

/// kubectl: the kubeconfig files it reads ($KUBECONFIG, else ~/.kube/config) and whether
/// one of them runs `oauthcli kubectl-credential`.
pub(super) fn kubectl() -> Check {
    let files: Vec<PathBuf> = match std::env::var_os("KUBECONFIG").filter(|v| !v.is_empty()) {
        Some(list) => std::env::split_paths(&list).collect(),
        None => std::env::var_os("HOME")
            .map(|h| PathBuf::from(h).join(".kube/config"))
            .into_iter()
            .collect(),
    };
    let using: Vec<String> = files
        .iter()
        .filter(|f| std::fs::read_to_string(f).is_ok_and(|t| t.contains("kubectl-credential")))
        .map(|f| f.display().to_string())
        .collect();
    if using.is_empty() {
        return Check::ok(
            "kubectl",
            "kubectl does not use oauthcli (no kubeconfig runs 'oauthcli kubectl-credential')",
        );
    }
    Check::ok(
        "kubectl",
        format!("{} runs oauthcli kubectl-credential", using.join(", ")),
    )
}
