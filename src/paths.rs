//! Every file system path the program uses, and where it comes from.
//!
//! The XDG base directories are used on every platform, as `cli.md` specifies:
//! - config: `$XDG_CONFIG_HOME/oauthcli/config.toml` (else `~/.config/...`), or `--config` /
//!   `$OAUTHCLI_CONFIG` (handled by clap in `cli.rs`);
//! - token files (`--storage file`): `$XDG_DATA_HOME/oauthcli/` (else `~/.local/share/...`);
//! - non-secret state (the active login): `$XDG_STATE_HOME/oauthcli/` (else `~/.local/state/...`).
//!
//! - `$OAUTHCLI_PROVIDER`: the login to use when none is named ([`PROVIDER_VAR`]).
//!
//! The XDG spec says a relative value must be ignored, so it is.

use std::env;
use std::path::PathBuf;

use anyhow::{Result, bail};

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
