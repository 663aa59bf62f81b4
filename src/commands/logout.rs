//! `oauthcli logout`: revoke at the provider (`revoke`), then forget locally.
//!
//! The local copy is deleted whatever the provider said; a failed revocation is reported,
//! not hidden (SECURITY.md row 16), and makes the exit code 1. Nothing to log out of (no
//! login of NAME, none active, none at all with `--all`) exits 4, "not logged in", as every
//! command does (README, "Exit codes").

use anyhow::{Result, bail};

use super::{load, revoke, storage_for, target};
use crate::cli::LogoutArgs;
use crate::config::Settings;
use crate::error::Failure;
use crate::output;
use crate::store::{self, lock, state::State};
use crate::term::escape;

pub fn run(settings: &Settings, args: LogoutArgs) -> Result<()> {
    let state = State::load()?;
    let providers: Vec<String> = if args.all {
        state.logins.keys().cloned().collect()
    } else {
        match target(settings, &state, args.provider) {
            Err(e) if matches!(e.downcast_ref(), Some(Failure::NotLoggedIn { .. })) => {
                return Err(nothing(None));
            }
            other => vec![other?],
        }
    };
    let mut failed = Vec::new();
    let mut logged_out = 0;
    for provider in &providers {
        let store = store::open(storage_for(settings, &state, provider))?;
        let lock = lock::lock_login(provider)?;
        let set = match load(store.as_ref(), &state, provider) {
            Ok(Some(set)) => Some(set),
            Ok(None) if args.all => {
                forget(provider)?;
                continue;
            }
            Ok(None) => return Err(nothing(Some(provider))),
            // An entry that cannot be read cannot be revoked either; it is deleted all the
            // same, so that logout always leaves nothing behind.
            Err(e) if matches!(e.downcast_ref(), Some(Failure::NotLoggedIn { .. })) => {
                output::note(&format!("warning: {}", escape(&format!("{e:#}"))));
                failed.push(provider.clone());
                None
            }
            Err(e) => return Err(e),
        };
        if let Some(set) = &set
            && !args.no_revoke
        {
            match revoke::tokens(settings, provider, set) {
                Ok(true) => {}
                Ok(false) => output::note(&revoke::cannot_revoke(settings, provider)),
                Err(e) => {
                    output::note(&format!("warning: {}", escape(&format!("{e:#}"))));
                    failed.push(provider.clone());
                }
            }
        }
        store.delete(&lock)?;
        let now_active = forget(provider)?;
        let email = set.map_or_else(|| "email unknown".to_owned(), |s| escape(&s.email));
        output::data(&format!("Logged out of {provider} ({email})"))?;
        logged_out += 1;
        // A script that names no provider goes on with this login: said plainly.
        if let Some(next) = now_active.filter(|_| !args.all) {
            output::note(&format!(
                "The active login is now '{next}' (the most recent one left): commands that name \
                 no provider use it; 'oauthcli switch NAME' chooses another."
            ));
        }
    }
    if logged_out == 0 {
        return Err(nothing(None));
    }
    if !failed.is_empty() {
        bail!(
            "the tokens of {} were deleted here, but revoking them at the provider failed: they may stay valid until they expire",
            failed.join(", ")
        );
    }
    Ok(())
}

/// "Not logged in" (exit 4) with nothing to log out of; no advice to log in.
fn nothing(provider: Option<&str>) -> anyhow::Error {
    let whom = provider.map(|p| format!(" to '{p}'")).unwrap_or_default();
    Failure::NothingStored(format!("not logged in{whom}: nothing to log out of")).into()
}

/// Drops the login from the state; the login that became active in its place, if any.
fn forget(provider: &str) -> Result<Option<String>> {
    // The provider's keys kept for its refreshes (`store::keys`) go with the login.
    if let Ok(keys) = crate::paths::keys_file(provider) {
        let _ = std::fs::remove_file(keys);
    }
    State::update(|state| Ok(state.forget(provider)))
}
