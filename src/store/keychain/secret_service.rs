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
use secret_service::EncryptionType;
use secret_service::blocking::SecretService;

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
            item.unlock()?;
            Ok(Some(item.get_secret()?))
        }
        None => Ok(None),
    }
}

/// Creates or replaces the entry.
pub fn set(service: &str, user: &str, secret: &[u8]) -> Result<()> {
    let ss = connect()?;
    let collection = ss.get_default_collection()?;
    collection.ensure_unlocked()?;
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
