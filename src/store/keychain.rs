//! The OS keychain through the `keyring` crate: service `oauthcli`, one entry per provider
//! (user name = provider name), the token set as JSON.
//!
//! When no keychain can be reached the error shows the real cause, which `keyring` keeps in
//! `Entry::store_status()` while `Entry::new` only says "no default store", and names
//! the way out, `--storage file` (security.md #18).

use anyhow::{Result, anyhow, bail};
use keyring::{Entry, Error};

use super::Store;
use crate::token::TokenSet;

const SERVICE: &str = "oauthcli";

pub struct Keychain;

fn entry(provider: &str) -> Result<Entry> {
    Entry::new(SERVICE, provider).map_err(unreachable_keychain)
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
        match entry(provider)?.get_password() {
            Ok(text) => super::decode(provider, "the keychain", text.as_bytes()).map(Some),
            Err(Error::NoEntry) => Ok(None),
            Err(e) => Err(unreachable_keychain(e)),
        }
    }

    fn save(&self, provider: &str, set: &TokenSet) -> Result<()> {
        let text = super::encode(set)?;
        let entry = entry(provider)?;
        entry.set_password(&text).map_err(unreachable_keychain)?;
        // A keychain that accepts a write and loses it would leave the user logged out
        // without knowing: read it back (security.md #18).
        match entry.get_password() {
            Ok(back) if back == text => Ok(()),
            Ok(_) => bail!("the keychain did not keep what was written for '{provider}'"),
            Err(e) => Err(unreachable_keychain(e)),
        }
    }

    fn delete(&self, provider: &str) -> Result<bool> {
        match entry(provider)?.delete_credential() {
            Ok(()) => Ok(true),
            Err(Error::NoEntry) => Ok(false),
            Err(e) => Err(unreachable_keychain(e)),
        }
    }
}
