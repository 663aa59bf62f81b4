//! Every file system path the program uses, and where it comes from.
//!
//! The XDG base directories are used on every platform, as the README ("Configuration", "Storage") says:
//! - config: `$XDG_CONFIG_HOME/oauthcli/config.toml` (else `~/.config/...`), or `--config` /
//!   `$OAUTHCLI_CONFIG` (handled by clap in `cli.rs`);
//! - token files (`--storage file`): `$XDG_DATA_HOME/oauthcli/` (else `~/.local/share/...`);
//! - non-secret state (the active login): `$XDG_STATE_HOME/oauthcli/` (else `~/.local/state/...`).
//!
//! - `$OAUTHCLI_PROVIDER`: the login to use when none is named ([`PROVIDER_VAR`]).
//!
//! The XDG spec says a relative value must be ignored, so it is.
//!
//! A provider name becomes a path in [`provider_file`] alone, which checks the name first
//! (`name::check`), whoever gave it: a name from a tampered state file cannot reach a file
//! outside oauthcli's directories.

use std::env;
use std::path::{Path, PathBuf};

use anyhow::{Result, anyhow, bail};

const APP: &str = "oauthcli";

/// The variable that names the login to use when a command names none (before the active
/// login), so that a directory can choose its account.
pub const PROVIDER_VAR: &str = "OAUTHCLI_PROVIDER";

/// The default config file.
pub fn default_config_file() -> Result<PathBuf> {
    Ok(base("XDG_CONFIG_HOME", ".config")?
        .join(APP)
        .join("config.toml"))
}

/// The directory for token files.
pub fn data_dir() -> Result<PathBuf> {
    Ok(base("XDG_DATA_HOME", ".local/share")?.join(APP))
}

/// The directory for non-secret state.
pub fn state_dir() -> Result<PathBuf> {
    Ok(base("XDG_STATE_HOME", ".local/state")?.join(APP))
}

/// The token file of a provider's login (`--storage file`).
pub fn token_file(provider: &str) -> Result<PathBuf> {
    provider_file(&data_dir()?, provider, "json")
}

/// The lock file of a provider's login.
pub fn lock_file(provider: &str) -> Result<PathBuf> {
    provider_file(&state_dir()?.join("locks"), provider, "lock")
}

/// The lock a refresh ahead of a token's end holds while it runs (`commands::ahead`).
pub fn ahead_lock_file(provider: &str) -> Result<PathBuf> {
    provider_file(&state_dir()?.join("locks"), provider, "ahead")
}

/// The public keys kept of a provider (`store::keys`).
pub fn keys_file(provider: &str) -> Result<PathBuf> {
    provider_file(&state_dir()?.join("keys"), provider, "json")
}

/// The state file.
pub fn state_file() -> Result<PathBuf> {
    Ok(state_dir()?.join("state.json"))
}

/// The lock held around every update of the state file.
pub fn state_lock_file() -> Result<PathBuf> {
    Ok(state_dir()?.join("state.lock"))
}

/// `dir/PROVIDER.EXT`, for a provider name that passes `name::check` only.
fn provider_file(dir: &Path, provider: &str, ext: &str) -> Result<PathBuf> {
    crate::name::check(provider).map_err(|why| {
        anyhow!(
            "refusing to use '{provider}' as a provider name in a file name: a provider name {why}"
        )
    })?;
    Ok(dir.join(format!("{provider}.{ext}")))
}

fn base(var: &str, fallback_under_home: &str) -> Result<PathBuf> {
    if let Some(dir) = env::var_os(var).map(PathBuf::from)
        && dir.is_absolute()
    {
        return Ok(dir);
    }
    match env::home_dir() {
        Some(home) if home.is_absolute() => Ok(home.join(fallback_under_home)),
        _ => bail!("neither ${var} nor $HOME is set to an absolute path: set one of them"),
    }
}

/// A path from the config file, with a leading `~/` meaning the home directory (as the
/// shell would read it; Google's documentation and users write client-secret paths so).
pub fn expand_home(path: &str) -> Result<PathBuf> {
    match path.strip_prefix("~/") {
        Some(rest) => match env::home_dir() {
            Some(home) if home.is_absolute() => Ok(home.join(rest)),
            _ => bail!("{path} starts with ~ but $HOME is not set to an absolute path"),
        },
        None => Ok(PathBuf::from(path)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_name_that_is_not_plain_never_becomes_a_path() {
        let dir = Path::new("/data/oauthcli");
        assert_eq!(
            provider_file(dir, "corp-sso", "json").unwrap(),
            Path::new("/data/oauthcli/corp-sso.json")
        );
        for bad in ["../../victim", "/etc/passwd", "a/b", "..", ""] {
            let err = provider_file(dir, bad, "json").unwrap_err();
            assert_eq!(
                err.to_string(),
                format!(
                    "refusing to use '{bad}' as a provider name in a file name: a provider name \
                     must be 1-64 lower-case letters, digits, '-' or '_', starting with a letter or digit"
                )
            );
        }
    }
}
