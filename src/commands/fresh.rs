//! A valid token of one login, refreshed first when it would expire too soon: what `token`,
//! `exec`, `git-credential` and `kubectl-credential` hand out.
//!
//! The fast path (a good token) reads the config, the state and the store once, and
//! writes nothing: no network, no discovery, no lock. A refresh happens under the login's
//! lock (`store::lock`), after reading the store again, so that of many processes
//! finding the token expired only one refreshes (SECURITY.md row 14); it uses the token
//! endpoint stored with the login, and stores the new set before anyone is handed a token.
//! A refresh token the provider refuses is dropped from the stored set, which remembers the
//! refusal: it is never sent again, and `token` asks for a new login at once. A good token
//! in the last quarter of its life is refreshed in the background (`ahead`).

use anyhow::{Context, Result, bail};

use super::{not_stored, stored};
use crate::accept;
use crate::auth_method::AuthMethod;
use crate::config::Settings;
use crate::flow::oauth::ProviderError;
use crate::flow::token_http;
use crate::http::Http;
use crate::output;
use crate::provider;
use crate::secret::Secret;
use crate::store::Store;
use crate::store::lock::{self, LoginLock};
use crate::store::state::State;
use crate::token::{self, TokenSet};
use crate::{error, term};

/// Which token a tool needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// The access token, for APIs (RFC 6749 §1.4).
    Access,
    /// The ID token, for what verifies identities (the Kubernetes OIDC authenticator).
    Id,
}

/// A login's token set whose token of `kind` stays valid for more than `min_ttl` seconds, or,
/// when even a fresh one from the provider lives no longer than that, a fresh one and a
/// warning. At most one refresh a call, whatever `min_ttl` is.
pub fn valid(
    settings: &Settings,
    state: &State,
    provider: &str,
    kind: Kind,
    min_ttl: u64,
) -> Result<TokenSet> {
    let (store, set) = stored(settings, state, provider)?;
    if kind == Kind::Id && set.id_token.is_none() {
        bail!(
            "the login to '{provider}' has no ID token: its provider issues none, or the login did \
             not ask for the `openid` scope"
        );
    }
    if good(&set, kind, min_ttl) {
        super::renewal::warn_if_due(settings, provider, &set);
        super::ahead::maybe(settings, state, provider, kind, &set);
        return Ok(set);
    }
    let lock = lock::lock_login(provider)?;
    // Read again under the lock: a sibling process may have refreshed meanwhile, or logged out.
    let Some(set) = store.load(provider)? else {
        return Err(not_stored(provider));
    };
    if good(&set, kind, min_ttl) {
        output::verbose(
            settings.verbose,
            "another oauthcli process refreshed the token meanwhile",
        );
        return Ok(set);
    }
    let done = renew(settings, store.as_ref(), &lock, provider, set)?;
    if kind == Kind::Id && !done.new_id_token {
        return Err(error::not_logged_in(
            provider,
            format!("no valid new ID token for '{provider}' came with the refresh"),
        ));
    }
    let lifetime = match kind {
        Kind::Access => done.access_lifetime,
        Kind::Id => done.id_lifetime,
    };
    if let Some(lifetime) = lifetime
        && lifetime <= i64::try_from(min_ttl).unwrap_or(i64::MAX)
    {
        output::note(&short_lived(kind, lifetime, min_ttl));
    }
    Ok(done.set)
}

/// Refreshes `set`, the login's set as read under its `lock`, and stores the outcome: the
/// new set, or, when the provider refuses the refresh token, that it did (then "not logged
/// in", exit 4).
pub(super) fn renew(
    settings: &Settings,
    store: &dyn Store,
    lock: &LoginLock,
    provider: &str,
    set: TokenSet,
) -> Result<accept::Refreshed> {
    let mut done = match refresh(settings, provider, &set, &[])? {
        Answer::Refreshed(done) => *done,
        Answer::Refused { why, .. } => {
            // Recorded under the lock, so that no process sends the refused token again,
            // and `status` and the next `login` know it is gone.
            let mut dead = set;
            dead.refuse_refresh();
            if let Err(e) = store.save(lock, &dead) {
                output::note(&format!(
                    "warning: that the refresh token was refused could not be stored: {}",
                    term::escape(&format!("{e:#}"))
                ));
            }
            return Err(error::not_logged_in(
                provider,
                format!("the provider no longer accepts the refresh token of '{provider}' ({why})"),
            ));
        }
    };
    if refresh_ends_access(settings, provider) {
        // The tokens got for other scopes died with the refresh (`token --scope`).
        done.set.scoped.clear();
    }
    store
        .save(lock, &done.set)
        .context("the refreshed tokens could not be stored")?;
    Ok(done)
}

/// The warning for a token that lives no longer than `--min-ttl` even fresh from the
/// provider. It is handed out all the same, valid as it is: one refresh a call is all that
/// can be done, and refusing it would fail every call.
fn short_lived(kind: Kind, lifetime: i64, min_ttl: u64) -> String {
    let what = match kind {
        Kind::Access => "access",
        Kind::Id => "ID",
    };
    let below = match lifetime > 0 {
        true => format!("; a --min-ttl below {lifetime} does not"),
        false => String::new(),
    };
    format!(
        "warning: the provider's {what} tokens live {lifetime} s, not more than --min-ttl \
         {min_ttl}: this one is handed out all the same, and every call with this --min-ttl \
         refreshes it first{below}"
    )
}

/// Does a refresh at this provider end the access tokens issued before it? Never fails: a
/// profile that cannot be read now was read before the refresh.
fn refresh_ends_access(settings: &Settings, provider: &str) -> bool {
    settings.knows(provider)
        && settings
            .profile(provider)
            .is_ok_and(|p| p.quirks.refresh_ends_access)
}

/// The token of `kind` in a set.
pub fn pick(set: &TokenSet, kind: Kind) -> Option<&Secret> {
    match kind {
        Kind::Access => Some(&set.access_token),
        Kind::Id => set.id_token.as_ref(),
    }
}

/// When the token of `kind` expires, if it does.
pub fn expiry(set: &TokenSet, kind: Kind) -> Option<i64> {
    match kind {
        Kind::Access => set.expires_at,
        Kind::Id => set.id_token_expires_at,
    }
}

/// Is the token of `kind` good for more than `min_ttl` seconds?
pub(super) fn good(set: &TokenSet, kind: Kind, min_ttl: u64) -> bool {
    let now = token::now();
    match kind {
        Kind::Access => set.is_fresh(now, min_ttl),
        Kind::Id => set.id_token_is_fresh(now, min_ttl),
    }
}

/// What the provider answered a refresh.
pub(super) enum Answer {
    /// The new set, and whether the provider sent a new ID token.
    Refreshed(Box<accept::Refreshed>),
    /// The provider refused the refresh token, in these (escaped) words; `plainly` when it
    /// said so in RFC 6749 §5.2's own words (`invalid_grant`), not in a code of its own
    /// that a preset translates (Microsoft's `consent_required`) or with no code at all.
    Refused { why: String, plainly: bool },
}

/// Refreshes the set at the provider; with `scopes`, for those alone (`token --scope`).
pub(super) fn refresh(
    settings: &Settings,
    provider: &str,
    set: &TokenSet,
    scopes: &[String],
) -> Result<Answer> {
    let Some(refresh_token) = set.refresh_token.clone() else {
        let why = match set.refresh_refused {
            true => format!("the refresh token of '{provider}' was refused by the provider"),
            false => {
                format!("the access token of '{provider}' expires and there is no refresh token")
            }
        };
        return Err(error::not_logged_in(provider, why));
    };
    let secret = settings.secret_for(provider, &set.client_id)?;
    if set.auth_method != AuthMethod::None && secret.is_none() {
        // A login made with the device client refreshes with that client's secret.
        let device = settings.knows(provider)
            && settings.profile(provider)?.device_client_id.as_deref() == Some(&set.client_id);
        let key = if device {
            "device_client_secret"
        } else {
            "client_secret"
        };
        return Err(error::config(format!(
            "the login to '{provider}' authenticates with a client secret, and none is set now: \
             set {key} under [providers.{provider}] in {} or the variable {}",
            settings.path.display(),
            crate::config::env_var(provider, &key.to_ascii_uppercase())
        )));
    }
    output::verbose(
        settings.verbose,
        &format!("refreshing at {}", set.token_endpoint),
    );
    let oauth = super::client_of(settings, provider, set, secret.as_ref())?;
    let http = Http::new(settings.ca_file().as_deref())?;
    let sent = match (scopes.is_empty(), settings.knows(provider)) {
        (false, true) => crate::flow::scopes::as_sent(&settings.profile(provider)?, scopes),
        _ => scopes.to_vec(),
    };
    let resp = match oauth.refresh(&http, &refresh_token, &sent) {
        Ok(resp) => resp,
        Err(e) => {
            return match e.downcast_ref::<ProviderError>() {
                // RFC 6749 §5.2: the refresh token is invalid, expired or revoked.
                Some(pe) if pe.error == "invalid_grant" => Ok(Answer::Refused {
                    why: term::escape(&pe.to_string()),
                    plainly: pe.provider_code.is_none(),
                }),
                // A 400 or 401 with no error code says the same without the words.
                None if token_http::is_bare_refusal(&e) => Ok(Answer::Refused {
                    why: term::escape(&format!("{e:#}")),
                    plainly: false,
                }),
                _ => Err(e.context(format!(
                    "refreshing the token of '{provider}' failed; the stored login is unchanged"
                ))),
            };
        }
    };
    // A refreshed ID token is checked against the provider's keys, looked for only when one
    // came: those kept with the login, or fetched from where discovery said at login, else (a
    // login stored before they were kept, or keys no longer there) through discovery.
    let openid = |fetch: bool| {
        let profile = settings.profile(provider)?;
        if let Some(keys) = &set.id_token_keys
            && let Ok(openid) = provider::keys_at(provider, keys, &profile.quirks, &http, fetch)
        {
            return Ok(openid);
        }
        let openid = provider::resolve(&profile, &http)?
            .openid
            .context("the provider is no longer configured as an OpenID provider")?;
        crate::store::keys::save(provider, &openid.jwks_uri, &openid.jwks);
        Ok(openid)
    };
    let refreshed = accept::refresh(set.clone(), &resp, openid).with_context(|| {
        format!("refreshing the token of '{provider}' failed; the stored login is unchanged")
    })?;
    Ok(Answer::Refreshed(Box::new(refreshed)))
}
