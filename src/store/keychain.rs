//! The OS keychain: one entry per provider, service `oauthcli`, user name = provider name,
//! the token set as JSON. Every platform is reached through one API, `keyring-core`'s
//! `Entry`, over the platform's store: Keychain Services on macOS and the Credential Manager
//! on Windows (their `keyring-core` stores), the Secret Service elsewhere (our store,
//! `secret_service`). This module gives every store the same rules.
//!
//! Every call runs under a deadline (SECURITY.md row 18): a keychain that waits for an unlock
//! prompt nobody sees, or a D-Bus peer that never answers, must not hang a script forever.
//! When no keychain can be reached the error shows the real cause and names the way out,
//! `--storage file`. A keychain that answers but cannot keep a secret (no default
//! collection, or a locked one) says so in its own words. Every write is read back.

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
    fn call<T: Send + 'static>(
        &self,
        user: &str,
        op: impl FnOnce(&Entry) -> keyring_core::Result<T> + Send + 'static,
    ) -> Result<T> {
        let entry = Entry::new_in_store(&self.store, SERVICE, user).map_err(explain)?;
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            let _ = tx.send(op(&entry));
        });
        let result = rx.recv_timeout(self.timeout).map_err(|_| {
            anyhow!(
                "the OS keychain did not answer within {} s (is it locked, waiting for a password \
                 prompt?). Unlock it, set OAUTHCLI_KEYRING_TIMEOUT to wait longer, or keep tokens in a \
                 private file with --storage file",
                self.timeout.as_secs_f64()
            )
        })?;
        result.map_err(explain)
    }
}

/// What the user is told: a keychain that answers but cannot be used says so with what to
/// do (a store of ours in its own words); anything else means it cannot be reached.
fn explain(e: Error) -> anyhow::Error {
    match e {
        Error::NoStorageAccess(cause) => match cause.downcast::<Unfit>() {
            Ok(unfit) => anyhow!(*unfit),
            Err(cause) => anyhow!(Unfit(format!(
                "the OS keychain cannot be used now ({cause}). Unlock it, or keep tokens in a \
                 private file with --storage file"
            ))),
        },
        e => anyhow!(
            "the OS keychain cannot be reached: {}. Start a Secret Service (gnome-keyring, \
             KeePassXC) and unlock it, or keep tokens in a private file with --storage file",
            match &e {
                Error::PlatformFailure(cause) => cause.to_string(),
                _ => e.to_string(),
            }
        ),
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
        self.call(&probe, |entry| {
            entry.set_secret(b"probe")?;
            entry.delete_credential()
        })
    }

    fn load(&self, provider: &str) -> Result<Option<TokenSet>> {
        match self.call(provider, get)? {
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
        let back = self.call(provider, move |entry| {
            entry.set_secret(written.as_bytes())?;
            get(entry)
        })?;
        if back.as_deref() != Some(text.as_bytes()) {
            bail!("the keychain did not keep what was written for '{provider}'");
        }
        Ok(())
    }

    fn delete(&self, lock: &LoginLock) -> Result<bool> {
        self.call(lock.provider(), |entry| match entry.delete_credential() {
            Ok(()) => Ok(true),
            Err(Error::NoEntry) => Ok(false),
            Err(e) => Err(e),
        })
    }
}
