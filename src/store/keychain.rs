//! The OS keychain through the `keyring` crate: service `oauthcli`, one entry per provider
//! (user name = provider name), the token set as JSON.
//!
//! Every call runs under a deadline (security.md #18): a keychain that waits for an unlock
//! prompt nobody sees, or a D-Bus peer that never answers, must not hang a script forever.
//! When no keychain can be reached the error shows the real cause, which `keyring` keeps in
//! `Entry::store_status()` while `Entry::new` only says "no default store", and names the
//! way out, `--storage file`.

use std::sync::mpsc;
use std::time::Duration;

use anyhow::{Result, anyhow, bail};
use keyring::{Entry, Error};

use super::Store;
use crate::token::TokenSet;

const SERVICE: &str = "oauthcli";

/// How long one keychain call may take unless `OAUTHCLI_KEYRING_TIMEOUT` says otherwise:
/// long enough for a desktop unlock prompt to be answered, short enough that a script
/// learns within the minute that the keychain is not there for it.
const DEFAULT_TIMEOUT: Duration = Duration::from_secs(20);

pub struct Keychain {
    timeout: Duration,
}

impl Keychain {
    pub fn new() -> Result<Self> {
        let timeout = match std::env::var("OAUTHCLI_KEYRING_TIMEOUT") {
            Ok(v) => v
                .parse::<f64>()
                .ok()
                .filter(|s| s.is_finite() && *s > 0.0)
                .map(Duration::from_secs_f64)
                .ok_or_else(|| {
                    crate::error::config(format!(
                        "OAUTHCLI_KEYRING_TIMEOUT must be a positive number of seconds, not '{v}'"
                    ))
                })?,
            Err(_) => DEFAULT_TIMEOUT,
        };
        Ok(Keychain { timeout })
    }

    /// Runs `op` on the provider's entry, giving up after the timeout. The call itself
    /// cannot be cancelled; its thread is left behind and ends with the process.
    fn call<T: Send + 'static>(
        &self,
        provider: &str,
        op: impl FnOnce(&Entry) -> keyring::Result<T> + Send + 'static,
    ) -> Result<keyring::Result<T>> {
        let (tx, rx) = mpsc::channel();
        let provider = provider.to_owned();
        std::thread::spawn(move || {
            let result = Entry::new(SERVICE, &provider).and_then(|e| op(&e));
            let _ = tx.send(result);
        });
        rx.recv_timeout(self.timeout).map_err(|_| {
            anyhow!(
                "the OS keychain did not answer within {} s (is it locked, waiting for a password \
                 prompt?). Unlock it, set OAUTHCLI_KEYRING_TIMEOUT to wait longer, or keep tokens in a \
                 private file with --storage file",
                self.timeout.as_secs_f64()
            )
        })
    }
}

fn unreachable_keychain(err: Error) -> anyhow::Error {
    let cause = match (&err, Entry::store_status()) {
        (Error::NoDefaultStore, Err(real)) => real.to_string(),
        _ => err.to_string(),
    };
    anyhow!(
        "the OS keychain cannot be reached: {cause}. Start a Secret Service (gnome-keyring, KeePassXC) \
         and unlock it, or keep tokens in a private file with --storage file"
    )
}

impl Store for Keychain {
    fn load(&self, provider: &str) -> Result<Option<TokenSet>> {
        match self.call(provider, |e| e.get_password())? {
            Ok(text) => super::decode(provider, "the keychain", text.as_bytes()).map(Some),
            Err(Error::NoEntry) => Ok(None),
            Err(e) => Err(unreachable_keychain(e)),
        }
    }

    fn save(&self, provider: &str, set: &TokenSet) -> Result<()> {
        let text = super::encode(set)?;
        let written = text.clone();
        // A keychain that accepts a write and loses it would leave the user logged out
        // without knowing: read it back (security.md #18).
        let back = self.call(provider, move |e| {
            e.set_password(&written)?;
            e.get_password()
        })?;
        match back {
            Ok(back) if back == text => Ok(()),
            Ok(_) => bail!("the keychain did not keep what was written for '{provider}'"),
            Err(e) => Err(unreachable_keychain(e)),
        }
    }

    fn delete(&self, provider: &str) -> Result<bool> {
        match self.call(provider, |e| e.delete_credential())? {
            Ok(()) => Ok(true),
            Err(Error::NoEntry) => Ok(false),
            Err(e) => Err(unreachable_keychain(e)),
        }
    }
}
