//! The OS keychain: one entry per provider, service `oauthcli`, user name = provider name,
//! the token set as JSON. Every platform is reached through one API, `keyring-core`'s
//! `Entry`, over the platform's store: Keychain Services on macOS and the Credential Manager
//! on Windows (their `keyring-core` stores), the Secret Service elsewhere (our store,
//! `secret_service`). This module gives every store the same rules.
//!
//! Every call runs under a deadline (SECURITY.md row 18): a keychain that waits for an unlock
//! prompt nobody sees, or a D-Bus peer that never answers, must not hang a script forever.
//! When no keychain can be reached the error says what applies ([`Trouble`]): to keep a new
//! login, start a Secret Service or choose `--storage file`; for a login it keeps, the Secret
//! Service must run and be unlocked, and how to start one without a desktop. The real cause
//! follows. A keychain that answers but cannot keep a secret (no default collection, or a
//! locked one) says so. Every write is read back.

use std::fmt;
use std::sync::{Arc, mpsc};
use std::time::Duration;

use anyhow::{Result, anyhow, bail};
use keyring_core::{CredentialStore, Entry, Error};

use super::Store;
use super::lock::LoginLock;
use crate::token::TokenSet;
use unfit::Unfit;

#[cfg(not(any(target_os = "macos", target_os = "windows")))]
mod secret_service;
mod unfit;

/// The service name every entry is stored under.
const SERVICE: &str = "oauthcli";

/// The user name of the entry `check_writable` writes and deletes, followed by the process
/// id, so that logins starting at once do not delete each other's probe: not a valid
/// provider name (`name::check`), so it can never be a login's entry.
const PROBE: &str = ".oauthcli-probe-";

/// How long one keychain call may take unless `OAUTHCLI_KEYRING_TIMEOUT` says otherwise:
/// long enough for a desktop unlock prompt to be answered, short enough that a script
/// learns within the minute that the keychain is not there for it.
const DEFAULT_TIMEOUT: Duration = Duration::from_secs(20);
/// The longest `OAUTHCLI_KEYRING_TIMEOUT`, in seconds: a keychain silent for ten minutes is gone.
const MAX_TIMEOUT_SECS: f64 = 600.0;

/// The platform's store.
fn platform_store() -> Result<Arc<CredentialStore>> {
    #[cfg(target_os = "macos")]
    let store: Arc<CredentialStore> = apple_native_keyring_store::keychain::Store::new()?;
    #[cfg(target_os = "windows")]
    let store: Arc<CredentialStore> = windows_native_keyring_store::Store::new()?;
    #[cfg(not(any(target_os = "macos", target_os = "windows")))]
    let store: Arc<CredentialStore> = secret_service::Store::new();
    Ok(store)
}

/// What went wrong with the keychain, said for what it was asked: to keep a new login, which
/// could go to a file instead (`--storage file`), or for a login it keeps, which is there and
/// nowhere else. The backend's own words follow as the cause.
#[derive(Debug)]
pub struct Trouble {
    /// The login the keychain keeps, when it was asked for one.
    kept: Option<String>,
    kind: Kind,
}

#[derive(Debug)]
enum Kind {
    Unreachable,
    /// No answer within this many seconds.
    Silent(f64),
    NoDefaultCollection,
    /// Locked, and unlocking failed for the reason given.
    Locked(String),
}

impl fmt::Display for Trouble {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let Some(name) = &self.kept else {
            let to_file = "or keep tokens in a private file with --storage file";
            return match &self.kind {
                Kind::Unreachable => write!(
                    f,
                    "the OS keychain cannot be reached. Start a Secret Service (gnome-keyring, \
                     KeePassXC) and unlock it (README, \"Storage\"), {to_file}"
                ),
                Kind::Silent(secs) => write!(
                    f,
                    "the OS keychain did not answer within {secs} s (is it locked, waiting for a \
                     password prompt?). Unlock it, set OAUTHCLI_KEYRING_TIMEOUT to wait longer, \
                     {to_file}"
                ),
                Kind::NoDefaultCollection => write!(
                    f,
                    "the OS keychain has no default collection to keep the tokens in. Create one \
                     (with seahorse, or by storing any secret once with `secret-tool store`), \
                     {to_file}"
                ),
                Kind::Locked(cause) => write!(
                    f,
                    "the OS keychain's default collection is locked and could not be unlocked \
                     ({cause}). Unlock it (with seahorse, or by logging in to the desktop), \
                     {to_file}"
                ),
            };
        };
        match &self.kind {
            Kind::Unreachable => write!(
                f,
                "the login to '{name}' is kept in the OS keychain, which cannot be reached: a \
                 Secret Service (gnome-keyring, KeePassXC) must run in this session, unlocked. \
                 Without a desktop session, run oauthcli in one: dbus-run-session -- sh -c 'echo \
                 PASSWORD | gnome-keyring-daemon --unlock --components=secrets >/dev/null; \
                 oauthcli ...' (README, \"Storage\")"
            ),
            Kind::Silent(secs) => write!(
                f,
                "the OS keychain, which keeps the login to '{name}', did not answer within {secs} \
                 s (is it locked, waiting for a password prompt?). Unlock it, or set \
                 OAUTHCLI_KEYRING_TIMEOUT to wait longer"
            ),
            Kind::NoDefaultCollection => f.write_str(
                "the OS keychain has no default collection: create one (with seahorse, or by \
                 storing any secret once with `secret-tool store`)",
            ),
            Kind::Locked(cause) => write!(
                f,
                "the login to '{name}' is kept in the OS keychain, which is locked and could not \
                 be unlocked ({cause}). Unlock it (with seahorse, or by logging in to the \
                 desktop); without a desktop session, unlock it as the README says (\"Storage\")"
            ),
        }
    }
}

impl std::error::Error for Trouble {}

impl Trouble {
    /// The keychain answered (it cannot keep a secret now), rather than being out of reach.
    pub fn answered(&self) -> bool {
        matches!(self.kind, Kind::NoDefaultCollection | Kind::Locked(_))
    }
}

pub struct Keychain {
    store: Arc<CredentialStore>,
    timeout: Duration,
}

impl Keychain {
    pub fn new() -> Result<Self> {
        let timeout = match std::env::var("OAUTHCLI_KEYRING_TIMEOUT") {
            Ok(v) => v
                .parse::<f64>()
                .ok()
                // Bounded, so that `Duration::from_secs_f64` cannot overflow (it panics).
                .filter(|s| *s > 0.0 && *s <= MAX_TIMEOUT_SECS)
                .map(Duration::from_secs_f64)
                .ok_or_else(|| {
                    crate::error::config(format!(
                        "OAUTHCLI_KEYRING_TIMEOUT must be a positive number of seconds, at most \
                         {MAX_TIMEOUT_SECS}, not '{v}'"
                    ))
                })?,
            Err(_) => DEFAULT_TIMEOUT,
        };
        Ok(Keychain {
            store: platform_store()?,
            timeout,
        })
    }

    /// Runs `op` on the entry of `user`, on a thread, giving up after the timeout. The call
    /// itself cannot be cancelled; its thread is left behind and ends with the process.
    /// `kept` names the login the keychain was asked for, if it was (see [`Trouble`]).
    fn call<T: Send + 'static>(
        &self,
        user: &str,
        kept: Option<&str>,
        op: impl FnOnce(&Entry) -> keyring_core::Result<T> + Send + 'static,
    ) -> Result<T> {
        let trouble = |kind| Trouble {
            kept: kept.map(str::to_owned),
            kind,
        };
        let entry =
            Entry::new_in_store(&self.store, SERVICE, user).map_err(|e| explain(e, trouble))?;
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            let _ = tx.send(op(&entry));
        });
        let result = rx
            .recv_timeout(self.timeout)
            .map_err(|_| anyhow!(trouble(Kind::Silent(self.timeout.as_secs_f64()))))?;
        result.map_err(|e| explain(e, trouble))
    }
}

/// What the user is told: a keychain that answers but cannot be used (a store of ours says
/// why: `Unfit`), else one that cannot be reached, the backend's words as the cause.
fn explain(e: Error, trouble: impl Fn(Kind) -> Trouble) -> anyhow::Error {
    match e {
        Error::NoStorageAccess(cause) => match cause.downcast::<Unfit>() {
            Ok(unfit) => match *unfit {
                Unfit::NoDefaultCollection => anyhow!(trouble(Kind::NoDefaultCollection)),
                Unfit::Locked(why) => anyhow!(trouble(Kind::Locked(why))),
            },
            Err(cause) => anyhow!(trouble(Kind::Locked(cause.to_string()))),
        },
        Error::PlatformFailure(cause) => anyhow!("{cause}").context(trouble(Kind::Unreachable)),
        e => anyhow!("{e}").context(trouble(Kind::Unreachable)),
    }
}

/// The secret, `None` when there is none.
fn get(entry: &Entry) -> keyring_core::Result<Option<Vec<u8>>> {
    match entry.get_secret() {
        Ok(secret) => Ok(Some(secret)),
        Err(Error::NoEntry) => Ok(None),
        Err(e) => Err(e),
    }
}

impl Store for Keychain {
    /// A probe entry is written and deleted: no platform can be asked whether a write would
    /// succeed, and the Secret Service's reasons (no default collection, locked) come out of
    /// the write itself.
    fn check_writable(&self) -> Result<()> {
        let probe = format!("{PROBE}{}", std::process::id());
        self.call(&probe, None, |entry| {
            entry.set_secret(b"probe")?;
            entry.delete_credential()
        })
    }

    fn load(&self, provider: &str) -> Result<Option<TokenSet>> {
        match self.call(provider, Some(provider), get)? {
            Some(bytes) => super::decode(provider, "the keychain", &bytes).map(Some),
            None => Ok(None),
        }
    }

    fn save(&self, lock: &LoginLock, set: &TokenSet) -> Result<()> {
        let provider = lock.provider();
        let text = super::encode(set)?;
        let written = text.clone();
        // A keychain that accepts a write and loses it would leave the user logged out
        // without knowing: read it back (SECURITY.md row 18).
        // What helps a write is what helps a new login (`None`): the tokens may go to a file.
        let back = self.call(provider, None, move |entry| {
            entry.set_secret(written.as_bytes())?;
            get(entry)
        })?;
        if back.as_deref() != Some(text.as_bytes()) {
            bail!("the keychain did not keep what was written for '{provider}'");
        }
        Ok(())
    }

    fn delete(&self, lock: &LoginLock) -> Result<bool> {
        let provider = lock.provider();
        self.call(provider, Some(provider), |entry| {
            match entry.delete_credential() {
                Ok(()) => Ok(true),
                Err(Error::NoEntry) => Ok(false),
                Err(e) => Err(e),
            }
        })
    }
}
