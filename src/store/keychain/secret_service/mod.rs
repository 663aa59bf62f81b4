//! The keychain on Linux and the BSDs: a `keyring-core` credential store over the
//! freedesktop Secret Service (gnome-keyring, KeePassXC, KWallet), spoken over D-Bus by a
//! small synchronous client of our own (`bus`, `message`, `wire`), in the calling thread: no
//! async runtime and none of its threads, and a `plain` session (see `service`).
//!
//! Items carry the attributes `service` and `username` and the label `SERVICE: USER`, as
//! oauthcli has always stored them, so `secret-tool lookup service oauthcli username
//! PROVIDER` finds them and logins stored by earlier versions are found. Reading takes the
//! first match, unlocked ones first; deleting removes every match.
//!
//! The store keeps one connection for the process, opened by the first call and dropped
//! after a call that failed on it.

mod bus;
mod message;
mod reply;
mod service;
mod wire;

use std::any::Any;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use keyring_core::api::{CredentialApi, CredentialStoreApi};
use keyring_core::{Credential, Entry, Error, Result};

use super::unfit::Unfit;
use service::SecretService;

/// The content type items are stored with: oauthcli keeps a token set as JSON.
const CONTENT_TYPE: &str = "application/json";

pub struct Store {
    connection: Arc<Mutex<Option<SecretService>>>,
}

impl Store {
    pub fn new() -> Arc<Store> {
        Arc::new(Store {
            connection: Arc::default(),
        })
    }
}

impl CredentialStoreApi for Store {
    fn vendor(&self) -> String {
        "oauthcli's Secret Service store (plain session, synchronous D-Bus)".to_owned()
    }

    fn id(&self) -> String {
        format!("oauthcli-secret-service-{}", env!("CARGO_PKG_VERSION"))
    }

    fn build(
        &self,
        service: &str,
        user: &str,
        modifiers: Option<&HashMap<&str, &str>>,
    ) -> Result<Entry> {
        if modifiers.is_some_and(|m| !m.is_empty()) {
            return Err(Error::NotSupportedByStore(
                "this store takes no modifiers".to_owned(),
            ));
        }
        Ok(Entry::new_with_credential(Arc::new(Cred {
            service: service.to_owned(),
            user: user.to_owned(),
            connection: self.connection.clone(),
        })))
    }

    fn as_any(&self) -> &dyn Any {
        self
    }
}

/// The item of one service and user.
pub struct Cred {
    service: String,
    user: String,
    connection: Arc<Mutex<Option<SecretService>>>,
}

/// A failure of the bus or the service.
fn failed(e: anyhow::Error) -> Error {
    Error::PlatformFailure(e.into())
}

/// An unlock that failed: the keychain answers but cannot be used.
fn locked(cause: anyhow::Error) -> Error {
    Error::NoStorageAccess(Box::new(Unfit::Locked(cause.to_string())))
}

impl Cred {
    fn attributes(&self) -> [(&str, &str); 2] {
        [("service", &self.service[..]), ("username", &self.user[..])]
    }

    /// Runs `op` on the process's connection, connecting first if there is none.
    fn with<T>(&self, op: impl FnOnce(&mut SecretService) -> Result<T>) -> Result<T> {
        let mut slot = self.connection.lock().unwrap_or_else(|e| e.into_inner());
        let ss = match slot.as_mut() {
            Some(ss) => ss,
            None => slot.insert(SecretService::connect().map_err(failed)?),
        };
        let result = op(ss);
        if let Err(Error::PlatformFailure(_)) = result {
            *slot = None;
        }
        result
    }
}

impl CredentialApi for Cred {
    fn set_secret(&self, secret: &[u8]) -> Result<()> {
        let label = format!("{}: {}", self.service, self.user);
        self.with(|ss| {
            let collection = ss
                .default_collection()
                .map_err(failed)?
                .ok_or_else(|| Error::NoStorageAccess(Box::new(Unfit::NoDefaultCollection)))?;
            // Unlock is asked only of a locked collection, as libsecret does: gnome-keyring
            // makes an unlock object for every call, and nothing needs one here.
            if ss.is_locked(&collection).map_err(failed)? {
                ss.unlock(&collection).map_err(locked)?;
            }
            ss.create(
                &collection,
                &label,
                &self.attributes(),
                secret,
                CONTENT_TYPE,
            )
            .map_err(failed)
        })
    }

    fn get_secret(&self) -> Result<Vec<u8>> {
        self.with(|ss| {
            let found = ss.search(&self.attributes()).map_err(failed)?;
            if let Some(item) = found.unlocked.first() {
                return ss.secret(item).map_err(failed);
            }
            let item = found.locked.first().ok_or(Error::NoEntry)?;
            ss.unlock(item).map_err(locked)?;
            ss.secret(item).map_err(failed)
        })
    }

    fn delete_credential(&self) -> Result<()> {
        self.with(|ss| {
            let found = ss.search(&self.attributes()).map_err(failed)?;
            if found.unlocked.is_empty() && found.locked.is_empty() {
                return Err(Error::NoEntry);
            }
            for item in &found.locked {
                ss.unlock(item).map_err(locked)?;
            }
            for item in found.unlocked.iter().chain(&found.locked) {
                ss.delete(item).map_err(failed)?;
            }
            Ok(())
        })
    }

    fn get_credential(&self) -> Result<Option<Arc<Credential>>> {
        self.with(|ss| {
            let found = ss.search(&self.attributes()).map_err(failed)?;
            match found.unlocked.is_empty() && found.locked.is_empty() {
                true => Err(Error::NoEntry),
                false => Ok(None),
            }
        })
    }

    fn get_specifiers(&self) -> Option<(String, String)> {
        Some((self.service.clone(), self.user.clone()))
    }

    fn as_any(&self) -> &dyn Any {
        self
    }
}
