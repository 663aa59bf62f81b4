//! The keychain on Linux and the BSDs: the freedesktop Secret Service (gnome-keyring,
//! KeePassXC, KWallet), through the `secret-service` crate over D-Bus.
//!
//! Items carry the attributes `service` and `username`, as the `keyring` crate writes them,
//! so `secret-tool lookup service oauthcli username PROVIDER` finds them.
//!
//! The session is `plain`, not Diffie-Hellman encrypted. The DH handshake costs about 9 ms a
//! process here (one read: 12 ms with DH, 3 ms plain, measured with hyperfine), which alone
//! would miss the 10 ms goal for `oauthcli token`; and it protects against nothing that
//! matters: the private session bus is reachable only by processes of the same user, and
//! those can ask the unlocked Secret Service for the item directly. This is why oauthcli
//! does not use the `keyring` crate's Secret Service store here, which always negotiates DH.

use std::collections::HashMap;

use anyhow::Result;
use secret_service::blocking::{Collection, SecretService};
use secret_service::{EncryptionType, Error};

use super::Unfit;

fn attributes<'a>(service: &'a str, user: &'a str) -> HashMap<&'a str, &'a str> {
    HashMap::from([("service", service), ("username", user)])
}

fn connect() -> Result<SecretService<'static>> {
    Ok(SecretService::connect(EncryptionType::Plain)?)
}

/// The secret of the entry, `None` when there is none.
pub fn get(service: &str, user: &str) -> Result<Option<Vec<u8>>> {
    let ss = connect()?;
    let found = ss.search_items(attributes(service, user))?;
    if let Some(item) = found.unlocked.first() {
        return Ok(Some(item.get_secret()?));
    }
    match found.locked.first() {
        Some(item) => {
            item.unlock().map_err(|e| Unfit::Locked(e.to_string()))?;
            Ok(Some(item.get_secret()?))
        }
        None => Ok(None),
    }
}

/// The collection new items go to, the one with the alias `default`, unlocked. A Secret
/// Service may have none (gnome-keyring started on demand on a headless machine offers only
/// its in-memory `session` collection), or have it locked; unlocking may show a prompt.
fn default_collection<'a>(ss: &'a SecretService<'a>) -> Result<Collection<'a>> {
    let collection = match ss.get_default_collection() {
        Ok(c) => c,
        Err(Error::NoResult) => return Err(Unfit::NoDefaultCollection.into()),
        Err(e) => return Err(e.into()),
    };
    if collection.is_locked()? {
        collection
            .unlock()
            .map_err(|e| Unfit::Locked(e.to_string()))?;
    }
    Ok(collection)
}

/// Whether `set` can store now: the default collection exists and is unlocked.
pub fn check_writable() -> Result<()> {
    let ss = connect()?;
    default_collection(&ss)?;
    Ok(())
}

/// Creates or replaces the entry.
pub fn set(service: &str, user: &str, secret: &[u8]) -> Result<()> {
    let ss = connect()?;
    let collection = default_collection(&ss)?;
    collection.create_item(
        &format!("oauthcli: {user}"),
        attributes(service, user),
        secret,
        true,
        "application/json",
    )?;
    Ok(())
}

/// Deletes the entry; `false` when there was none.
pub fn delete(service: &str, user: &str) -> Result<bool> {
    let ss = connect()?;
    let found = ss.search_items(attributes(service, user))?;
    let items: Vec<_> = found.unlocked.iter().chain(found.locked.iter()).collect();
    for item in &items {
        item.ensure_unlocked()?;
        item.delete()?;
    }
    Ok(!items.is_empty())
}
