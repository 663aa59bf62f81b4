//! Where token sets are kept: the OS keychain or a private file, behind one trait; and the
//! non-secret state (which login is active, and in which storage each login lives).
//!
//! A store never loses a good login by accident: writes are whole (the keychain replaces an
//! item in one call; the file store renames a complete temporary file over the old one),
//! and nothing is deleted except by `logout`.

mod file;
mod fsutil;
mod keychain;
pub mod keys;
pub mod lock;
pub mod state;

pub use keychain::Trouble as KeychainTrouble;

use anyhow::{Result, anyhow};

use crate::cli::StorageKind;
use crate::token::TokenSet;
use lock::LoginLock;

/// A place that keeps one token set per provider.
pub trait Store {
    /// Checks that `save` can store now, so that a login finds out before the user is sent
    /// to the browser, not after the provider has issued tokens.
    fn check_writable(&self) -> Result<()>;
    /// The stored set, `None` when there is none.
    fn load(&self, provider: &str) -> Result<Option<TokenSet>>;
    /// Stores the set, replacing any earlier one; only under the login's lock.
    fn save(&self, lock: &LoginLock, set: &TokenSet) -> Result<()>;
    /// Deletes the set; `false` when there was none; only under the login's lock.
    fn delete(&self, lock: &LoginLock) -> Result<bool>;
}

/// Opens the store of the given kind.
pub fn open(kind: StorageKind) -> Result<Box<dyn Store>> {
    Ok(match kind {
        StorageKind::Keyring => Box::new(keychain::Keychain::new()?),
        StorageKind::File => Box::new(file::FileStore),
    })
}

/// The JSON a set is stored as.
fn encode(set: &TokenSet) -> Result<String> {
    Ok(serde_json::to_string(set)?)
}

/// Reads stored JSON; an unreadable entry is reported, never deleted or overwritten here.
fn decode(provider: &str, where_: &str, text: &[u8]) -> Result<TokenSet> {
    serde_json::from_slice(text).map_err(|e| {
        anyhow!(crate::error::Failure::NotLoggedIn {
            login: provider.to_owned(),
            why: format!("the login stored for '{provider}' in {where_} is unreadable ({e})"),
        })
    })
}
