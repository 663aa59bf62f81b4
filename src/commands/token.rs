//! `oauthcli token`: a valid access token for scripts, refreshed first when it expires
//! within `--min-ttl` seconds.
//!
//! The fast path (a good token) reads the config and the store and nothing else: no
//! network, no discovery. A refresh uses the token endpoint stored with the login.

use anyhow::{Context, Result};
use chrono::{DateTime, SecondsFormat, Utc};
use oauth2::TokenResponse as _;

use super::{stored, target};
use crate::cli::{TokenArgs, TokenFormat};
use crate::config::Settings;
use crate::flow::oauth::{OAuth, ProviderError, TokenResponse};
use crate::http::Http;
use crate::output;
use crate::secret::Secret;
use crate::store::state::State;
use crate::token::{self, TokenSet};
use crate::{error, term};

pub fn run(settings: &Settings, args: TokenArgs) -> Result<()> {
    let state = State::load()?;
    let provider = target(settings, &state, args.provider.clone())?;
    let (store, mut set) = stored(settings, &state, &provider)?;
    let now = token::now();
    if !set.is_fresh(now, args.min_ttl) {
        set = refresh(settings, &provider, set)?;
        store
            .save(&provider, &set)
            .context("the refreshed tokens could not be stored")?;
    }
    print(&provider, &set, &args)
}

fn refresh(settings: &Settings, provider: &str, set: TokenSet) -> Result<TokenSet> {
    let Some(refresh_token) = set.refresh_token.clone() else {
        return Err(error::not_logged_in(
            provider,
            format!("the access token of '{provider}' expires and there is no refresh token"),
        ));
    };
    let secret = match settings.file.providers.contains_key(provider) {
        true => settings.profile(provider)?.client_secret,
        false => None,
    };
    output::verbose(
        settings.verbose,
        &format!("refreshing at {}", set.token_endpoint),
    );
    let oauth = OAuth::new(
        &set.client_id,
        secret.as_ref(),
        set.auth_method,
        &set.token_endpoint,
    )?;
    let http = Http::new()?;
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
    Ok(apply(set, &resp, token::now()))
}

/// The set after a refresh response (RFC 6749 §6): a refresh token or ID token that is
/// not sent again stays as it was; `scope` left out means unchanged (§5.1).
fn apply(mut set: TokenSet, resp: &TokenResponse, received: i64) -> TokenSet {
    set.access_token = Secret::new(resp.access_token().secret().clone());
    set.token_type = resp.token_type().as_ref().to_owned();
    set.expires_at = token::expires_at(received, resp.expires_in());
    if let Some(rt) = resp.refresh_token() {
        set.refresh_token = Some(Secret::new(rt.secret().clone()));
    }
    if let Some(id) = &resp.extra_fields().id_token {
        set.id_token = Some(id.clone());
    }
    if let Some(scopes) = resp.scopes() {
        set.scopes = scopes.iter().map(|s| s.to_string()).collect();
    }
    set
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
            let expires_at = set.expires_at.and_then(|at| {
                DateTime::<Utc>::from_timestamp(at, 0)
                    .map(|t| t.to_rfc3339_opts(SecondsFormat::Secs, true))
            });
            let doc = serde_json::json!({
                "token": token.expose(),
                "token_type": if args.id_token { "id_token" } else { set.token_type.as_str() },
                "expires_at": expires_at,
                "expires_in": set.expires_at.map(|at| (at - token::now()).max(0)),
                "scopes": set.scopes,
            });
            output::data(&doc.to_string())
        }
    }
}
