//! Non-secret state in `$XDG_STATE_HOME/oauthcli/state.json`: which login is active, and
//! for each login where it is stored, so that `token` finds a login made with
//! `--storage file` without the flag being repeated. The active login is the most recent
//! `login` or `switch`; logging out of it makes the most recent login left the active one,
//! and `logout` says which (README, "Several logins").
//!
//! Several processes change the state (two logins to different providers finishing at once,
//! a logout), so it is changed in one way only, [`State::update`]: under the state lock, on
//! a copy read under that lock, written whole before the lock is let go. A change made from
//! an earlier read would drop whatever another process recorded meanwhile (SECURITY.md #22).

use std::collections::BTreeMap;

use anyhow::{Context, Result, bail};
use serde::{Deserialize, Serialize};

use super::fsutil;
use crate::cli::StorageKind;

#[derive(Debug, Default, Serialize, Deserialize)]
pub struct State {
    /// The login made active by the latest `login` or `switch`, or after a logout of it the
    /// most recent login left.
    #[serde(default)]
    pub active: Option<String>,
    /// Every login made, and where its tokens are.
    #[serde(default)]
    pub logins: BTreeMap<String, Login>,
}

/// One recorded login.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Login {
    pub storage: StorageKind,
    /// Counts up with every login, so the most recent one is known even within a second.
    #[serde(default)]
    pub order: u64,
}

impl State {
    /// Reads the state; a missing file is an empty state.
    pub fn load() -> Result<State> {
        let path = crate::paths::state_file()?;
        let state: State = match std::fs::read(&path) {
            Ok(bytes) => serde_json::from_slice(&bytes).with_context(|| {
                format!(
                    "{} is unreadable: delete it and log in again",
                    path.display()
                )
            })?,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(State::default()),
            Err(e) => return Err(e).with_context(|| format!("cannot read {}", path.display())),
        };
        // The names in it become file names: oauthcli writes only checked ones, so another
        // one means the file was changed behind its back (SECURITY.md #21).
        for name in state.active.iter().chain(state.logins.keys()) {
            if let Err(why) = crate::name::check(name) {
                bail!(
                    "{} names the login '{name}', but a provider name {why}: the file was changed \
                     by something other than oauthcli. Delete it and log in again (your token \
                     files and keychain entries are left as they are)",
                    path.display()
                );
            }
        }
        Ok(state)
    }

    /// Changes the state: takes the state lock, reads the state afresh, applies `change`
    /// and writes the result, all before the lock is released.
    pub fn update<T>(change: impl FnOnce(&mut State) -> Result<T>) -> Result<T> {
        let _lock = super::lock::exclusive(&crate::paths::state_lock_file()?)?;
        let mut state = State::load()?;
        let out = change(&mut state)?;
        let path = crate::paths::state_file()?;
        fsutil::write_private(&path, serde_json::to_string_pretty(&state)?.as_bytes())?;
        Ok(out)
    }

    /// Records a login and makes it the active one.
    pub fn record_login(&mut self, provider: &str, storage: StorageKind) {
        let order = self.logins.values().map(|l| l.order).max().unwrap_or(0) + 1;
        self.active = Some(provider.to_owned());
        self.logins
            .insert(provider.to_owned(), Login { storage, order });
    }

    /// Where the login of `provider` was stored, if it is recorded.
    pub fn storage_of(&self, provider: &str) -> Option<StorageKind> {
        self.logins.get(provider).map(|l| l.storage)
    }

    /// Forgets a login. When it was the active one, the most recent login left becomes
    /// active, and is returned so that the user is told.
    pub fn forget(&mut self, provider: &str) -> Option<String> {
        self.logins.remove(provider);
        if self.active.as_deref() != Some(provider) {
            return None;
        }
        self.active = self
            .logins
            .iter()
            .max_by_key(|(_, l)| l.order)
            .map(|(name, _)| name.clone());
        self.active.clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn after_a_logout_of_the_active_login_the_most_recent_one_left_is_active() {
        let mut s = State::default();
        s.record_login("a", StorageKind::File);
        s.record_login("b", StorageKind::Keyring);
        s.record_login("c", StorageKind::File);
        assert_eq!(s.forget("a"), None);
        assert_eq!(s.active.as_deref(), Some("c"));
        s.record_login("a", StorageKind::File);
        assert_eq!(s.forget("a").as_deref(), Some("c"));
        assert_eq!(s.active.as_deref(), Some("c"));
        assert_eq!(s.storage_of("b"), Some(StorageKind::Keyring));
        assert_eq!(s.forget("c").as_deref(), Some("b"));
        assert_eq!(s.forget("b"), None);
        assert_eq!(s.active, None);
        assert_eq!(s.storage_of("a"), None);
        assert_eq!(s.storage_of("b"), None);
    }
}
