//! Which login a command uses when none is named, and why: `$OAUTHCLI_PROVIDER` (so that a
//! directory can choose its account, with direnv), else the active login (`switch`, or the
//! latest `login`). Nothing else: after a logout of the active login none is in force until
//! the user chooses one, even when a single login is left. `target` decides; `status` shows
//! the decision.

use anyhow::Result;

use crate::error;
use crate::paths::PROVIDER_VAR;
use crate::store::state::State;

/// Why a login is the one in force.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Why {
    Variable,
    Active,
}

impl Why {
    /// The name `status --json` gives it.
    pub fn key(self) -> &'static str {
        match self {
            Why::Variable => "variable",
            Why::Active => "active",
        }
    }

    /// What `status` says about it.
    pub fn explain(self) -> String {
        match self {
            Why::Variable => format!("set by ${PROVIDER_VAR}"),
            Why::Active => "the active login ('oauthcli switch', or the latest login)".into(),
        }
    }
}

/// The login `$OAUTHCLI_PROVIDER` names, if it is set and not empty.
pub fn from_env() -> Result<Option<String>> {
    match std::env::var(PROVIDER_VAR) {
        Ok(name) if !name.is_empty() => {
            crate::name::check(&name)
                .map_err(|why| error::config(format!("${PROVIDER_VAR} '{name}' {why}")))?;
            Ok(Some(name))
        }
        _ => Ok(None),
    }
}

/// The login in force when none is named, and why; `None` when there is no such login.
pub fn in_force(state: &State) -> Result<Option<(String, Why)>> {
    if let Some(name) = from_env()? {
        return Ok(Some((name, Why::Variable)));
    }
    Ok(state.active.clone().map(|active| (active, Why::Active)))
}
