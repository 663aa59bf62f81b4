//! Refresh ahead of a token's end (README, "Refresh ahead"): a token still good for the
//! caller's `--min-ttl` but in the last quarter of its life is handed out at once, and a
//! detached oauthcli process (the hidden `oauthcli refresh-ahead`) refreshes it under the
//! login's lock, so that no caller waits for a refresh it could be spared.
//!
//! - Only where a refresh leaves the token just handed out valid: a preset's
//!   `Quirks::refresh_ahead`, or a provider's `refresh_ahead = true` (GitHub and GitLab end
//!   it at a refresh, and the config may not turn it on there).
//! - One refresher at a time, and none within `BACKOFF` of the last: the caller takes the
//!   login's ahead lock (`lock::try_ahead`) and the refresher inherits its descriptor,
//!   holding it until it ends; callers meanwhile find it taken and start nothing.
//! - The refresher takes the login's lock and reads the store again (`fresh::renew`), as
//!   every refresh does: it never races a caller refreshing for itself, and a rotated
//!   refresh token is stored before the lock is let go (SECURITY.md row 14).
//! - It runs in a process group of its own, its stdin, stdout and stderr on /dev/null, and
//!   closes every other descriptor it inherited first thing: a caller's `$(...)` does not
//!   wait for it, and a Ctrl-C or a kill of the caller's process group does not cut it off
//!   mid-refresh, where a rotated refresh token would be lost. Its requests have the HTTP
//!   client's timeouts, so it ends.
//! - Unix only; elsewhere a token is refreshed when it is due.

#[cfg(unix)]
use anyhow::Context;
use anyhow::Result;

use super::fresh::{self, Kind};
use crate::cli::RefreshAheadArgs;
use crate::config::Settings;
use crate::store::lock;
use crate::store::state::State;
use crate::token::{self, TokenSet};
use crate::{output, term};

/// Seconds after a refresh ahead was started before another may start: a provider that is
/// down is not asked again by every call that follows.
const BACKOFF: i64 = 30;

/// Starts a refresh of `set` in the background when its token of `kind` is in the last
/// quarter of its life at a provider that allows it; never fails the call that hands the
/// token out.
#[cfg_attr(not(unix), allow(unused_variables))]
pub fn maybe(settings: &Settings, state: &State, provider: &str, kind: Kind, set: &TokenSet) {
    if !due(set, kind, token::now()) || !allowed(settings, provider) {
        return;
    }
    if set.refresh_token.is_none() {
        if set.refresh_refused {
            output::note(&format!(
                "warning: the provider refused the refresh token of '{provider}': this token \
                 works until {}; run 'oauthcli login {provider}' before then",
                fresh::expiry(set, kind).map_or_else(|| "it ends".to_owned(), token::rfc3339)
            ));
        }
        return;
    }
    #[cfg(unix)]
    if let Err(e) = start(settings, state, provider, kind) {
        output::verbose(
            settings.verbose,
            &format!(
                "no refresh ahead of the token's end: {}",
                term::escape(&format!("{e:#}"))
            ),
        );
    }
}

/// `oauthcli refresh-ahead PROVIDER`: the detached refresher. Refreshes unless another
/// process did meanwhile; what fails (a logout meanwhile too) is for the next call to find.
pub fn run(settings: &Settings, args: RefreshAheadArgs) -> Result<()> {
    close_inherited(args.lock_fd);
    let kind = match args.id_token {
        true => Kind::Id,
        false => Kind::Access,
    };
    let state = State::load()?;
    // Read under the lock: another process may have refreshed meanwhile, or logged out.
    let lock = lock::lock_login(&args.provider)?;
    let (store, set) = super::stored(settings, &state, &args.provider)?;
    if !due(&set, kind, token::now()) && fresh::good(&set, kind, 0) {
        return Ok(());
    }
    fresh::renew(settings, store.as_ref(), &lock, &args.provider, set).map(drop)
}

/// Is the token of `kind` in the last quarter of its life?
fn due(set: &TokenSet, kind: Kind, now: i64) -> bool {
    match kind {
        Kind::Access => token::ahead_due(set.obtained_at, set.expires_at, now),
        Kind::Id => token::ahead_due(set.id_token_issued_at, set.id_token_expires_at, now),
    }
}

/// Does a refresh at this provider leave the token just handed out valid? Looked at only
/// for a token in its last quarter: the profile costs no I/O, but the fast path need not pay
/// for it.
fn allowed(settings: &Settings, provider: &str) -> bool {
    settings.knows(provider) && settings.profile(provider).is_ok_and(|p| p.refresh_ahead)
}

/// Starts the refresher, detached, holding the ahead lock; nothing when another holds it.
/// std spawns it with `posix_spawn` (a vfork and an exec, nothing to wait for but the exec),
/// so the caller hands its token out at once.
#[cfg(unix)]
fn start(settings: &Settings, state: &State, provider: &str, kind: Kind) -> Result<()> {
    use std::os::fd::AsRawFd;
    use std::os::unix::process::CommandExt;
    use std::process::{Command, Stdio};

    use clap::ValueEnum;

    let Some(held) = lock::try_ahead(provider, BACKOFF)? else {
        output::debug(&format!(
            "a refresh ahead of the token's end runs, or started less than {BACKOFF} s ago"
        ));
        return Ok(());
    };
    let exe = std::env::current_exe().context("cannot find oauthcli's own program")?;
    let mut cmd = Command::new(exe);
    // The refresher reads the same config and store as this process.
    if settings.path.is_file() {
        cmd.arg("--config")
            .arg(std::path::absolute(&settings.path)?);
    }
    let storage = super::storage_for(settings, state, provider);
    let fd = held.as_raw_fd();
    cmd.args(["refresh-ahead", provider, "--storage"]);
    cmd.arg(
        storage
            .to_possible_value()
            .context("a storage kind without a name")?
            .get_name(),
    );
    cmd.args(["--lock-fd", &fd.to_string()]);
    if kind == Kind::Id {
        cmd.arg("--id-token");
    }
    // A process group of its own: a Ctrl-C at the terminal, or a kill of the caller's group,
    // does not reach it. Nothing of the terminal's: stdin, stdout and stderr on /dev/null.
    cmd.process_group(0)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    // The lock's descriptor is the one the refresher inherits (std opens all with CLOEXEC).
    // SAFETY: fcntl on a descriptor this process owns.
    if unsafe { libc::fcntl(fd, libc::F_SETFD, 0) } == -1 {
        return Err(std::io::Error::last_os_error()).context("cannot hand the lock on");
    }
    let child = cmd.spawn().context("cannot start the refresh")?;
    output::verbose(
        settings.verbose,
        &format!(
            "the token is in the last quarter of its life: refreshing it in the background \
             (process {})",
            child.id()
        ),
    );
    Ok(())
}

/// In the refresher, first: every descriptor it inherited but stdin, stdout, stderr and the
/// ahead lock is closed, so that no pipe its caller was given (one a script waits on to
/// close) is held open by it. Linux 5.9 and later; elsewhere they stay until it ends.
fn close_inherited(lock_fd: Option<i32>) {
    #[cfg(target_os = "linux")]
    {
        let close = |from: i32, to: i32| {
            if from <= to {
                // SAFETY: no descriptor above 2 is in use yet but the lock's, which is kept.
                unsafe { libc::syscall(libc::SYS_close_range, from, to, 0) };
            }
        };
        match lock_fd {
            Some(fd) if fd > 2 => {
                close(3, fd - 1);
                close(fd + 1, i32::MAX);
            }
            _ => close(3, i32::MAX),
        }
    }
    #[cfg(not(target_os = "linux"))]
    let _ = lock_fd;
}
