//! The cross-process locks: the lock of one login, held around every write of its token set
//! (a refresh, a login, a logout; SECURITY.md row 14), and the lock of the state file, held
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
use std::io::{Read, Seek, Write};
#[cfg(unix)]
use std::os::unix::fs::OpenOptionsExt;
use std::path::Path;

use anyhow::{Context, Result, anyhow};

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

/// Takes the lock of a refresh ahead of `provider`'s token end (`commands::ahead`), unless
/// another process holds it, or took it less than `backoff` seconds ago: a refresh that
/// failed (the provider down) is then not tried again by every call that follows. The file
/// holds the time it was last taken; the lock is held until the file is closed.
pub fn try_ahead(provider: &str, backoff: i64) -> Result<Option<File>> {
    let path = crate::paths::ahead_lock_file(provider)?;
    let mut file = open(&path)?;
    match file.try_lock() {
        Ok(()) => {}
        Err(TryLockError::WouldBlock) => return Ok(None),
        Err(TryLockError::Error(e)) => {
            return Err(e).with_context(|| format!("cannot lock {}", path.display()));
        }
    }
    let mut last = String::new();
    (&mut file)
        .take(32)
        .read_to_string(&mut last)
        .with_context(|| format!("cannot read {}", path.display()))?;
    let now = crate::token::now();
    if let Ok(at) = last.trim().parse::<i64>()
        && (at..at.saturating_add(backoff)).contains(&now)
    {
        return Ok(None);
    }
    file.set_len(0)
        .and_then(|()| file.rewind())
        .and_then(|()| file.write_all(now.to_string().as_bytes()))
        .with_context(|| format!("cannot write {}", path.display()))?;
    Ok(Some(file))
}

/// Checks, before a login sends the user to the browser, that its lock can be taken then:
/// a lock path oauthcli cannot use must not cost the user a login.
pub fn check_login_lock(provider: &str) -> Result<()> {
    open(&crate::paths::lock_file(provider)?).map(drop)
}

/// Waits for and takes an exclusive lock on the file at `path`, held until the file is
/// closed. Waiting is said at `-vv`, so that a stuck process can be told from a slow one.
pub(super) fn exclusive(path: &Path) -> Result<File> {
    let file = open(path)?;
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

/// Opens (creating) a lock file: 0600 whatever the umask, never through a symlink, and a
/// regular file only. A link there would be followed to create its target; a FIFO would hang
/// the open until someone reads it (`O_NONBLOCK` makes that an error at once, ENXIO).
fn open(path: &Path) -> Result<File> {
    if let Some(dir) = path.parent() {
        fsutil::private_dir(dir)?;
    }
    let mut options = OpenOptions::new();
    options.create(true).truncate(false).read(true).write(true);
    #[cfg(unix)]
    options
        .mode(0o600)
        .custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK);
    let refused = || {
        anyhow!(
            "the lock file {} is not a regular file (a symlink or a FIFO?), so oauthcli does not \
             use it: nothing but oauthcli's own empty lock file belongs there; remove it and try again",
            path.display()
        )
    };
    let file = match options.open(path) {
        Ok(file) => file,
        #[cfg(unix)]
        Err(e) if matches!(e.raw_os_error(), Some(libc::ELOOP | libc::ENXIO)) => {
            return Err(refused());
        }
        Err(e) => {
            return Err(e).with_context(|| format!("cannot open the lock file {}", path.display()));
        }
    };
    let meta = file
        .metadata()
        .with_context(|| format!("cannot read the lock file {}", path.display()))?;
    if !meta.file_type().is_file() {
        return Err(refused());
    }
    Ok(file)
}
