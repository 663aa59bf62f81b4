//! The keychain on macOS (Keychain Services) and Windows (Credential Manager), through the
//! `keyring` crate.

use anyhow::{Result, anyhow};
use keyring::{Entry, Error};

fn entry(service: &str, user: &str) -> Result<Entry> {
    Entry::new(service, user).map_err(|e| match (&e, Entry::store_status()) {
        // `Entry::new` only says "no default store"; the real cause is kept here.
        (Error::NoDefaultStore, Err(real)) => anyhow!("{real}"),
        _ => anyhow!(e),
    })
}

/// The secret of the entry, `None` when there is none.
pub fn get(service: &str, user: &str) -> Result<Option<Vec<u8>>> {
    match entry(service, user)?.get_secret() {
        Ok(secret) => Ok(Some(secret)),
        Err(Error::NoEntry) => Ok(None),
        Err(e) => Err(e.into()),
    }
}

/// Creates or replaces the entry.
pub fn set(service: &str, user: &str, secret: &[u8]) -> Result<()> {
    Ok(entry(service, user)?.set_secret(secret)?)
}

/// The user name of the probe entry: not a valid provider name (`name::check`), so it can
/// never be a login's entry.
const PROBE: &str = ".oauthcli-probe";

/// Whether `set` can store now. Keychain Services and the Credential Manager cannot be asked
/// that, so a probe entry is written and deleted.
pub fn check_writable() -> Result<()> {
    set(super::SERVICE, PROBE, b"probe")?;
    delete(super::SERVICE, PROBE)?;
    Ok(())
}

/// Deletes the entry; `false` when there was none.
pub fn delete(service: &str, user: &str) -> Result<bool> {
    match entry(service, user)?.delete_credential() {
        Ok(()) => Ok(true),
        Err(Error::NoEntry) => Ok(false),
        Err(e) => Err(e.into()),
    }
}
