//! `oauthcli logout`: revoke at the provider (RFC 7009), then forget locally.
//!
//! The refresh token is revoked first: it is the long-lived one, and revoking it also ends
//! the access tokens issued from it at most providers (RFC 7009 §2.1). The local copy is
//! deleted whatever the provider said; a failed revocation is reported, not hidden
//! (security.md #16), and makes the exit code 1. How to revoke is the provider's quirk
//! (`provider::presets::Revocation`): GitHub has its own API, and at Google revoking one
//! token ends the grant.

use anyhow::{Result, bail};

use super::{not_stored, storage_for, target};
use crate::cli::LogoutArgs;
use crate::config::Settings;
use crate::error::Failure;
use crate::flow::oauth::OAuth;
use crate::http::Http;
use crate::output;
use crate::provider::presets::{self, Revocation};
use crate::store::{self, lock, state::State};
use crate::term::escape;
use crate::token::TokenSet;

pub fn run(settings: &Settings, args: LogoutArgs) -> Result<()> {
    let state = State::load()?;
    let providers: Vec<String> = if args.all {
        state.logins.keys().cloned().collect()
    } else {
        vec![target(settings, &state, args.provider)?]
    };
    if providers.is_empty() {
        output::note("No login is stored; nothing to do.");
        return Ok(());
    }
    let mut failed = Vec::new();
    for provider in &providers {
        let store = store::open(storage_for(settings, &state, provider))?;
        let lock = lock::lock_login(provider)?;
        let set = match store.load(provider) {
            Ok(Some(set)) => Some(set),
            Ok(None) if args.all => {
                forget(provider)?;
                continue;
            }
            Ok(None) => return Err(not_stored(provider)),
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
            && let Err(e) = revoke(settings, provider, set)
        {
            output::note(&format!("warning: {}", escape(&format!("{e:#}"))));
            failed.push(provider.clone());
        }
        store.delete(&lock)?;
        forget(provider)?;
        let email = set.map_or_else(|| "email unknown".to_owned(), |s| escape(&s.email));
        output::data(&format!("Logged out of {provider} ({email})"))?;
    }
    if !failed.is_empty() {
        bail!(
            "the tokens of {} were deleted here, but revoking them at the provider failed: they may stay valid until they expire",
            failed.join(", ")
        );
    }
    Ok(())
}

/// Drops the login from the state.
fn forget(provider: &str) -> Result<()> {
    State::update(|state| {
        state.forget(provider);
        Ok(())
    })
}

fn revoke(settings: &Settings, provider: &str, set: &TokenSet) -> Result<()> {
    let Some(url) = &set.revocation_endpoint else {
        output::note(&format!(
            "'{provider}' cannot revoke tokens (it has no revocation endpoint): they stay valid at \
             the provider until they expire; the copy here is deleted."
        ));
        return Ok(());
    };
    let secret = settings.secret_for(provider, &set.client_id)?;
    let style = match settings.knows(provider) {
        true => settings.profile(provider)?.quirks.revocation,
        false => Revocation::Rfc7009,
    };
    let http = Http::new(settings.ca_file().as_deref())?;
    if style == Revocation::GitHub {
        presets::github::revoke(
            &http,
            url,
            &set.client_id,
            secret.as_ref(),
            &set.access_token,
        )?;
        output::note(&format!("Revoked the access token at {url}."));
        return Ok(());
    }
    let oauth = OAuth::for_login(set, secret.as_ref())?;
    // Both tokens are tried even when one fails: each left alive is a risk of its own.
    let mut revoked = Vec::new();
    let mut errors = Vec::new();
    if let Some(rt) = &set.refresh_token {
        match oauth.revoke(&http, url, rt, "refresh_token") {
            Ok(()) => revoked.push("refresh token"),
            Err(e) => errors.push(format!("the refresh token: {e:#}")),
        }
    }
    // Where revoking one token ends the grant, the other is already dead.
    if style == Revocation::Rfc7009 || revoked.is_empty() {
        match oauth.revoke(&http, url, &set.access_token, "access_token") {
            Ok(()) => revoked.push("access token"),
            Err(e) => errors.push(format!("the access token: {e:#}")),
        }
    }
    if !revoked.is_empty() {
        output::note(&format!(
            "Revoked the {} at {url}.",
            revoked.join(" and the ")
        ));
    }
    if !errors.is_empty() {
        bail!("revoking {} failed", errors.join("; revoking "));
    }
    Ok(())
}
