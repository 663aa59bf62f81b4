//! The cross-process lock around a refresh (security.md #14).
//!
//! Many processes (a build, a git credential helper, kubectl) may find the same token
//! expiring at once. Without a lock each would refresh, and with rotating refresh tokens
//! (RFC 9700 §4.14.2) all but one would present a refresh token that the first one just
//! used up, which at most providers revokes the whole grant. So a refresh happens only under
//! an exclusive advisory lock on `$XDG_STATE_HOME/oauthcli/locks/PROVIDER.lock`; whoever
//! gets it next reads the store again and finds the sibling's fresh token.
//!
//! The lock is the OS's (`flock`-style, through `std::fs::File::lock`): it is released when
//! the process ends, however it ends, so a killed process never leaves it held.

use std::fs::{File, OpenOptions};
use std::path::PathBuf;

use anyhow::{Context, Result};

use super::fsutil;

/// Holds the lock until dropped.
pub struct RefreshLock {
    _file: File,
}

/// Waits for and takes the refresh lock of `provider`.
pub fn refresh_lock(provider: &str) -> Result<RefreshLock> {
    let dir: PathBuf = crate::paths::state_dir()?.join("locks");
    fsutil::private_dir(&dir)?;
    let path = dir.join(format!("{provider}.lock"));
    let file = OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
        .with_context(|| format!("cannot open the lock file {}", path.display()))?;
    file.lock()
        .with_context(|| format!("cannot lock {}", path.display()))?;
    Ok(RefreshLock { _file: file })
}
