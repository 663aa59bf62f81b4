//! `token --scope`: an access token for fewer scopes than the login's, got with the login's
//! refresh token (RFC 6749 §6 `scope`: any the user consented to) and kept with the login
//! (`crate::scoped`), so that one login serves many APIs.
//!
//! As for the login's own token (`fresh`): a good cached token costs no lock and no
//! network; otherwise the request is made under the login's lock, after reading the store
//! again, so that of many processes only one asks. A refresh token that the provider
//! rotates with the answer is stored at once, even when the answer is refused for its
//! scopes: the old one no longer works.

use anyhow::{Result, anyhow};

use super::fresh::{self, Answer};
use super::{not_stored, stored};
use crate::config::Settings;
use crate::error;
use crate::flow::oauth::ProviderError;
use crate::output;
use crate::scoped::{self, Scoped};
use crate::store::{Store, lock, state::State};
use crate::term::escape;
use crate::token::{self, TokenSet};

/// A token for the scopes `asked` that stays valid for more than `min_ttl` seconds, from the
/// cache or from the provider. At most one request a call.
pub fn valid(
    settings: &Settings,
    state: &State,
    provider: &str,
    asked: &[String],
    min_ttl: u64,
) -> Result<Scoped> {
    let asked = scoped::key(asked);
    let (store, set) = stored(settings, state, provider)?;
    if let Some(hit) = good(&set, &asked, min_ttl) {
        return Ok(hit);
    }
    let lock = lock::lock_login(provider)?;
    // Read again under the lock: a sibling process may have asked meanwhile, or logged out.
    let Some(set) = store.load(provider)? else {
        return Err(not_stored(provider));
    };
    if let Some(hit) = good(&set, &asked, min_ttl) {
        output::verbose(
            settings.verbose,
            "another oauthcli process got the token meanwhile",
        );
        return Ok(hit);
    }
    let words = escape(&asked.join(" "));
    let again = login_with(provider, &asked);
    if set.refresh_token.is_none() {
        return Err(error::log_in_with(
            again,
            format!(
                "the login to '{provider}' has no refresh token, so it cannot get tokens for \
                 other scopes ({words}); log in with them instead"
            ),
        ));
    }
    // What a provider leaves out of `scope` or names otherwise is no refusal (`granted`).
    // Found before the request: nothing may fail between the answer and storing it.
    let quirks = match settings.knows(provider) {
        true => settings.profile(provider)?.quirks,
        false => crate::presets::Quirks::STANDARD,
    };
    // The cached set's scopes stand for the answer's when it names none (RFC 6749 §5.1).
    let mut asking = set.clone();
    asking.scopes = asked.clone();
    let done = match fresh::refresh(settings, provider, &asking, &asked) {
        Ok(Answer::Refreshed(done)) => *done,
        Ok(Answer::Refused { why, plainly }) => {
            let to = Refusal {
                provider,
                words: &words,
                again: &again,
                why: &why,
            };
            return Err(refused(store.as_ref(), &lock, set, &to, plainly));
        }
        Err(e) => return Err(scope_error(e, &set, provider, &words, &again)),
    };
    let got = done.set;
    let mut kept = set;
    // The rotated refresh token, and an ID token that came (checked by `accept::refresh`),
    // belong to the login; the access token to the scope set.
    kept.refresh_token = got.refresh_token;
    kept.id_token = got.id_token;
    kept.id_token_expires_at = got.id_token_expires_at;
    let missing = crate::granted::not_granted(
        &asked,
        Some(&got.scopes),
        done.new_id_token,
        kept.refresh_token.is_some(),
        quirks.scope_aliases,
    );
    let new = Scoped {
        asked,
        scopes: got.scopes,
        access_token: got.access_token,
        token_type: got.token_type,
        expires_at: got.expires_at,
    };
    if quirks.refresh_ends_access {
        // The tokens issued before this one are dead: the login's own is refreshed when
        // next asked for, the others are forgotten.
        kept.expires_at = Some(token::now());
        kept.scoped.clear();
    }
    if missing.is_empty() {
        scoped::keep(&mut kept.scoped, new.clone(), token::now());
    }
    store
        .save(&lock, &kept)
        .map_err(|e| e.context("the new tokens could not be stored"))?;
    if !missing.is_empty() {
        return Err(anyhow!(
            "the provider did not grant the scopes {} to '{provider}' (it granted {}): the login \
             was not granted them; log in with them: 'oauthcli login {again}'",
            escape(&missing.join(" ")),
            escape(&new.scopes.join(" "))
        ));
    }
    Ok(new)
}

/// The cached token for `asked`, when it lasts more than `min_ttl` seconds.
fn good(set: &TokenSet, asked: &[String], min_ttl: u64) -> Option<Scoped> {
    let now = token::now();
    scoped::find(&set.scoped, asked)
        .filter(|s| {
            s.expires_at.is_none_or(|at| {
                at.saturating_sub(now) > i64::try_from(min_ttl).unwrap_or(i64::MAX)
            })
        })
        .cloned()
}

/// What follows `oauthcli login` to log in again with the scopes `asked` too.
fn login_with(provider: &str, asked: &[String]) -> String {
    let flags: String = asked
        .iter()
        .map(|s| format!(" --scope {}", escape(s)))
        .collect();
    format!("{provider}{flags}")
}

/// What a refusal's message names.
struct Refusal<'a> {
    provider: &'a str,
    words: &'a str,
    again: &'a str,
    why: &'a str,
}

/// The provider refused the refresh token when asked for these scopes. In RFC 6749 §5.2's
/// own words (`invalid_grant`) that means the refresh token is dead, and it is recorded as
/// refused, as `fresh` does; a code of the provider's own (Microsoft's `consent_required`
/// when the user never consented to that API) or a bare refusal may be about the scopes
/// alone, so the login is left as it is.
fn refused(
    store: &dyn Store,
    lock: &lock::LoginLock,
    mut set: TokenSet,
    to: &Refusal,
    plainly: bool,
) -> anyhow::Error {
    let Refusal {
        provider,
        words,
        again,
        why,
    } = *to;
    if plainly {
        set.refuse_refresh();
        if let Err(e) = store.save(lock, &set) {
            output::note(&format!(
                "warning: that the refresh token was refused could not be stored: {}",
                escape(&format!("{e:#}"))
            ));
        }
        return error::not_logged_in(
            provider,
            format!("the provider no longer accepts the refresh token of '{provider}' ({why})"),
        );
    }
    error::log_in_with(
        again.to_owned(),
        format!(
            "the provider refused a token for the scopes {words} with the login to '{provider}' \
             ({why}); if the login was not granted them, log in with them"
        ),
    )
}

/// A refusal of the scopes themselves (`invalid_scope`, RFC 6749 §5.2) names them, those the
/// login was granted, and what to do; any other failure is passed on as it is.
fn scope_error(
    e: anyhow::Error,
    set: &TokenSet,
    provider: &str,
    words: &str,
    again: &str,
) -> anyhow::Error {
    match e.downcast_ref::<ProviderError>() {
        Some(pe) if pe.error == "invalid_scope" => anyhow!(
            "the provider refused the scopes {words} for '{provider}' ({}): a token may be asked \
             only for scopes the login was granted ({}); to be granted more, log in with them: \
             'oauthcli login {again}'; the stored login is unchanged",
            escape(&pe.to_string()),
            escape(&set.scopes.join(" "))
        ),
        _ => e,
    }
}
