//! Non-secret state in `$XDG_STATE_HOME/oauthcli/state.json`: which login is active, and
//! in which storage each login was made, so that `token` finds a login made with
//! `--storage file` without the flag being repeated.

use std::collections::BTreeMap;

use anyhow::{Context, Result};
use serde::{Deserialize, Serialize};

use super::fsutil;
use crate::cli::StorageKind;

const FILE: &str = "state.json";

#[derive(Debug, Default, Serialize, Deserialize)]
pub struct State {
    /// The provider of the most recent login.
    #[serde(default)]
    pub active: Option<String>,
    /// Every login made, and where its tokens are.
    #[serde(default)]
    pub logins: BTreeMap<String, StorageKind>,
}

impl State {
    /// Reads the state; a missing file is an empty state.
    pub fn load() -> Result<State> {
        let path = crate::paths::state_dir()?.join(FILE);
        match std::fs::read(&path) {
            Ok(bytes) => serde_json::from_slice(&bytes).with_context(|| {
                format!(
                    "{} is unreadable: delete it and log in again",
                    path.display()
                )
            }),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(State::default()),
            Err(e) => Err(e).with_context(|| format!("cannot read {}", path.display())),
        }
    }

    pub fn save(&self) -> Result<()> {
        let dir = crate::paths::state_dir()?;
        fsutil::write_private(&dir, FILE, serde_json::to_string_pretty(self)?.as_bytes())
    }

    /// Records a login and makes it the active one.
    pub fn record_login(&mut self, provider: &str, storage: StorageKind) {
        self.active = Some(provider.to_owned());
        self.logins.insert(provider.to_owned(), storage);
    }

    /// Forgets a login. When it was the active one, the only login left (if exactly one
    /// is) becomes active; with several left, none is guessed.
    pub fn forget(&mut self, provider: &str) {
        self.logins.remove(provider);
        if self.active.as_deref() == Some(provider) {
            self.active = match self.logins.len() {
                1 => self.logins.keys().next().cloned(),
                _ => None,
            };
        }
    }
}
