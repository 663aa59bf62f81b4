//! The cross-process locks: the lock of one login, held around every write of its token set
//! (a refresh, a login, a logout; security.md #14), and the lock of the state file, held
//! around every update of it (`state::State::update`). `Store::save` and `Store::delete` take
//! the login's lock as an argument, so no write can happen without it.
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

use std::fs::{File, OpenOptions, TryLockError};
use std::path::Path;

use anyhow::{Context, Result};

use super::fsutil;

/// Holds the lock of one login until dropped.
pub struct LoginLock {
    provider: String,
    _file: File,
}

impl LoginLock {
    /// The provider whose login this lock guards.
    pub fn provider(&self) -> &str {
        &self.provider
    }
}

/// Waits for and takes the lock of `provider`'s login.
pub fn lock_login(provider: &str) -> Result<LoginLock> {
    Ok(LoginLock {
        provider: provider.to_owned(),
        _file: exclusive(&crate::paths::lock_file(provider)?)?,
    })
}

/// Waits for and takes an exclusive lock on the file at `path`, held until the file is
/// closed. Waiting is said at `-vv`, so that a stuck process can be told from a slow one.
pub(super) fn exclusive(path: &Path) -> Result<File> {
    if let Some(dir) = path.parent() {
        fsutil::private_dir(dir)?;
    }
    let file = OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(path)
        .with_context(|| format!("cannot open the lock file {}", path.display()))?;
    match file.try_lock() {
        Ok(()) => return Ok(file),
        Err(TryLockError::WouldBlock) => crate::output::debug(&format!(
            "waiting for another oauthcli process to release {}",
            path.display()
        )),
        Err(TryLockError::Error(e)) => {
            return Err(e).with_context(|| format!("cannot lock {}", path.display()));
        }
    }
    file.lock()
        .with_context(|| format!("cannot lock {}", path.display()))?;
    Ok(file)
}
