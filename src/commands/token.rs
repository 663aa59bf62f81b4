//! `oauthcli token`: a valid access token for scripts, refreshed first when it expires
//! within `--min-ttl` seconds.
//!
//! The fast path (a good token) reads the config, the state and the store once, and
//! writes nothing: no network, no discovery, no lock. A refresh happens under the login's
//! lock (`store::lock`), after reading the store again, so that of many processes
//! finding the token expired only one refreshes; it uses the token endpoint stored with the
//! login, and stores the new set before printing it.

use anyhow::{Context, Result, bail};

use super::{not_stored, stored, target};
use crate::accept;
use crate::auth_method::AuthMethod;
use crate::cli::{TokenArgs, TokenFormat};
use crate::config::Settings;
use crate::flow::oauth::{OAuth, ProviderError};
use crate::http::Http;
use crate::output;
use crate::provider;
use crate::store::{lock, state::State};
use crate::token::{self, TokenSet};
use crate::{error, term};

pub fn run(settings: &Settings, args: TokenArgs) -> Result<()> {
    let state = State::load()?;
    let provider = target(settings, &state, args.provider.clone())?;
    let (store, set) = stored(settings, &state, &provider)?;
    if args.id_token && set.id_token.is_none() {
        bail!(
            "the login to '{provider}' has no ID token: its provider issues none, or the login did \
             not ask for the `openid` scope"
        );
    }
    if good(&set, &args) {
        return print(&provider, &set, &args);
    }
    let lock = lock::lock_login(&provider)?;
    // Read again under the lock: a sibling process may have refreshed meanwhile, or logged out.
    let Some(set) = store.load(&provider)? else {
        return Err(not_stored(&provider));
    };
    if good(&set, &args) {
        output::verbose(
            settings.verbose,
            "another oauthcli process refreshed the token meanwhile",
        );
        return print(&provider, &set, &args);
    }
    let (set, new_id_token) = refresh(settings, &provider, set)?;
    store
        .save(&lock, &set)
        .context("the refreshed tokens could not be stored")?;
    if args.id_token && !new_id_token {
        return Err(error::not_logged_in(
            &provider,
            format!("no valid new ID token for '{provider}' came with the refresh"),
        ));
    }
    print(&provider, &set, &args)
}

/// Is the token asked for good for more than `--min-ttl` seconds?
fn good(set: &TokenSet, args: &TokenArgs) -> bool {
    let now = token::now();
    if args.id_token {
        set.id_token_is_fresh(now, args.min_ttl)
    } else {
        set.is_fresh(now, args.min_ttl)
    }
}

/// Refreshes the set; the flag tells whether the provider sent a new ID token.
fn refresh(settings: &Settings, provider: &str, set: TokenSet) -> Result<(TokenSet, bool)> {
    let Some(refresh_token) = set.refresh_token.clone() else {
        return Err(error::not_logged_in(
            provider,
            format!("the access token of '{provider}' expires and there is no refresh token"),
        ));
    };
    let secret = settings.secret_for(provider)?;
    if set.auth_method != AuthMethod::None && secret.is_none() {
        return Err(error::config(format!(
            "the login to '{provider}' authenticates with a client secret, and none is set now: \
             set client_secret under [providers.{provider}] in {} or the variable {}",
            settings.path.display(),
            crate::config::env_var(provider, "CLIENT_SECRET")
        )));
    }
    output::verbose(
        settings.verbose,
        &format!("refreshing at {}", set.token_endpoint),
    );
    let oauth = OAuth::for_login(&set, secret.as_ref())?;
    let http = Http::new(settings.ca_file().as_deref())?;
    let resp = oauth.refresh(&http, &refresh_token).map_err(|e| {
        match e.downcast_ref::<ProviderError>() {
            // RFC 6749 §5.2: the refresh token is invalid, expired or revoked.
            Some(pe) if pe.error == "invalid_grant" => error::not_logged_in(
                provider,
                format!(
                    "the provider no longer accepts the refresh token of '{provider}' ({})",
                    term::escape(&pe.to_string())
                ),
            ),
            _ => e.context(format!(
                "refreshing the token of '{provider}' failed; the stored login is unchanged"
            )),
        }
    })?;
    // A refreshed ID token is checked against the provider's keys, which only discovery
    // names: asked for only when one came.
    let openid = || {
        let profile = settings.profile(provider)?;
        provider::resolve(&profile, &http)?
            .openid
            .context("the provider is no longer configured as an OpenID provider")
    };
    let refreshed = accept::refresh(set, &resp, openid).with_context(|| {
        format!("refreshing the token of '{provider}' failed; the stored login is unchanged")
    })?;
    Ok((refreshed.set, refreshed.new_id_token))
}

fn print(provider: &str, set: &TokenSet, args: &TokenArgs) -> Result<()> {
    let token = if args.id_token {
        set.id_token
            .as_ref()
            .with_context(|| format!("the provider gave no ID token for '{provider}'"))?
    } else {
        &set.access_token
    };
    match args.format {
        TokenFormat::Raw => output::data(token.expose()),
        TokenFormat::Header => output::data(&format!("Authorization: Bearer {}", token.expose())),
        TokenFormat::Json => {
            let at = if args.id_token {
                set.id_token_expires_at
            } else {
                set.expires_at
            };
            let expires_at = at.map(token::rfc3339);
            let doc = serde_json::json!({
                "token": token.expose(),
                "token_type": if args.id_token { "id_token" } else { set.token_type.as_str() },
                "expires_at": expires_at,
                "expires_in": at.map(|at| (at - token::now()).max(0)),
                "scopes": set.scopes,
            });
            output::json(&doc)
        }
    }
}
