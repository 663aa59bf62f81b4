//! Revoking a login's tokens at the provider (RFC 7009), for `logout` and for a login whose
//! tokens could not be stored.
//!
//! The refresh token is revoked first: it is the long-lived one, and revoking it also ends
//! the access tokens issued from it at most providers (RFC 7009 §2.1). How to revoke is the
//! provider's quirk (`presets::Revocation`): GitHub has its own API, Facebook takes the
//! app's permissions away, and at Google revoking one token ends the grant.

use anyhow::{Result, bail};

use crate::config::Settings;
use crate::http::Http;
use crate::output;
use crate::presets::{self, Revocation};
use crate::term::escape;
use crate::token::TokenSet;

/// What `logout` says when `provider` cannot revoke: the preset's own words, else which key
/// names the endpoint when the provider has one.
pub(super) fn cannot_revoke(settings: &Settings, provider: &str) -> String {
    let profile = settings
        .knows(provider)
        .then(|| settings.profile(provider).ok())
        .flatten();
    if let Some(Revocation::Unsupported(why)) = profile.as_ref().map(|p| p.quirks.revocation) {
        return why.to_owned();
    }
    format!(
        "'{provider}' cannot revoke tokens (it has no revocation endpoint): they stay valid at \
         the provider until they expire; the copy here is deleted. If the provider has one, \
         set revocation_endpoint under [providers.{provider}] in {}.",
        settings.path.display()
    )
}

/// Revokes the tokens of `set` at the provider; `false` when it has no revocation endpoint.
/// The endpoint is the one found at login, else one set in the config since.
pub(super) fn tokens(settings: &Settings, provider: &str, set: &TokenSet) -> Result<bool> {
    let configured = match settings.knows(provider) {
        true => settings.profile(provider)?.revocation_endpoint,
        false => None,
    };
    let Some(url) = set.revocation_endpoint.as_ref().or(configured.as_ref()) else {
        return Ok(false);
    };
    crate::http::endpoint(url)?;
    let secret = settings.secret_for(provider, &set.client_id)?;
    let style = match settings.knows(provider) {
        true => settings.profile(provider)?.quirks.revocation,
        false => Revocation::Rfc7009,
    };
    let http = Http::new(settings.ca_file().as_deref())?;
    output::verbose(settings.verbose, &format!("revoking at {url}"));
    if style == Revocation::GitHub {
        for token in
            std::iter::once(&set.access_token).chain(set.scoped.iter().map(|s| &s.access_token))
        {
            presets::github::revoke(&http, url, &set.client_id, secret.as_ref(), token)?;
        }
        output::note(&format!(
            "Revoked the {} at {provider}.",
            access_tokens(set)
        ));
        return Ok(true);
    }
    if style == Revocation::FacebookPermissions {
        presets::facebook::revoke(&http, url, &set.access_token, secret.as_ref())?;
        output::note(&format!(
            "Took the app's permissions away at {provider}, which ends its login there."
        ));
        return Ok(true);
    }
    let oauth = super::client_of(settings, provider, set, secret.as_ref())?;
    // Both tokens are tried even when one fails: each left alive is a risk of its own.
    let mut revoked: Vec<String> = Vec::new();
    let mut errors = Vec::new();
    if let Some(rt) = &set.refresh_token {
        match oauth.revoke(&http, url, rt, "refresh_token") {
            Ok(()) => revoked.push("refresh token".to_owned()),
            Err(e) => errors.push(format!("the refresh token: {e:#}")),
        }
    }
    // Where revoking one token ends the grant, the others are already dead.
    if style == Revocation::Rfc7009 || revoked.is_empty() {
        let scoped = set.scoped.iter().map(|s| {
            let what = format!("the access token for {}", escape(&s.asked.join(" ")));
            (what, &s.access_token)
        });
        let mut failed = 0;
        for (what, token) in
            std::iter::once(("the access token".to_owned(), &set.access_token)).chain(scoped)
        {
            if let Err(e) = oauth.revoke(&http, url, token, "access_token") {
                failed += 1;
                errors.push(format!("{what}: {e:#}"));
            }
        }
        if failed == 0 {
            revoked.push(access_tokens(set));
        }
    }
    if !revoked.is_empty() {
        output::note(&format!(
            "Revoked the {} at {provider}.",
            revoked.join(" and the ")
        ));
    }
    if !errors.is_empty() {
        bail!("revoking {} failed", errors.join("; revoking "));
    }
    Ok(true)
}

/// The access tokens of a login, as the "Revoked" line names them: its own, and those it
/// got for other scopes (`token --scope`).
fn access_tokens(set: &TokenSet) -> String {
    match set.scoped.len() {
        0 => "access token".to_owned(),
        1 => "access token and the one for other scopes".to_owned(),
        n => format!("access token and the {n} for other scopes"),
    }
}
