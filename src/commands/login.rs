//! `oauthcli login`: the authorization-code flow with PKCE through the browser and a
//! loopback listener; stores the token set and makes the login active.
//!
//! Nothing is stored until the very end, so a failed login leaves an earlier one intact.
//! A provider's quirks (`provider::presets`) add authorization parameters and decide where the
//! email comes from.

use anyhow::{Context, Result};
use oauth2::TokenResponse as _;
use openidconnect::Nonce;

use crate::cli::{LoginArgs, StorageKind};
use crate::config::{Profile, Settings};
use crate::error::{self, Failure};
use crate::flow::listener::{self, Listener, Outcome};
use crate::flow::oauth::OAuth;
use crate::flow::{browser, callback::Page, interrupt};
use crate::http::Http;
use crate::identity;
use crate::output;
use crate::provider::{self, Endpoints, presets::EmailSource};
use crate::secret::Secret;
use crate::store::{self, lock, state::State};
use crate::term::escape;
use crate::token::{self, TokenSet};

pub fn run(settings: &Settings, args: LoginArgs) -> Result<()> {
    let name = match args.provider {
        Some(n) => n,
        None => settings.sole_provider()?,
    };
    let profile = settings.profile(&name)?;
    let client_id = profile.require_client_id(&settings.path)?.to_owned();
    profile.require_secret(&settings.path)?;
    let v = settings.verbose;
    // From here on Ctrl-C exits 130 and never leaves half-stored tokens (flow::interrupt).
    interrupt::install()?;

    // The store is opened, and the keychain reached, before the user is sent to the
    // browser: a missing keychain must not cost them a login.
    let storage = settings.explicit_storage().unwrap_or(StorageKind::Keyring);
    let store = store::open(storage)?;
    let previous = store.load(&name).or_else(|e| {
        // An unreadable old entry is replaced by this login; an unreachable store is fatal.
        match e.downcast_ref::<Failure>() {
            Some(Failure::NotLoggedIn { .. }) => Ok(None),
            _ => Err(e),
        }
    })?;
    // Its refresh token counts only for the same provider and client.
    let previous = previous.filter(|p| p.client_id == client_id);

    let http = Http::new(settings.ca_file().as_deref())?;
    output::verbose(v, &format!("resolving the endpoints of '{name}'"));
    let ep = provider::resolve(&profile, &http)?;
    let method = ep.auth_method(&profile);
    let previous = previous.filter(|p| p.issuer == ep.issuer);
    output::verbose(v, &format!("authorization endpoint {}", ep.authorization));
    output::verbose(v, &format!("token endpoint {} ({method:?})", ep.token));

    let listener = Listener::bind(args.port.or(profile.redirect_port))?;
    output::debug(&format!("listening on 127.0.0.1:{}", listener.port()));
    let redirect = listener.redirect_uri();
    let mut scopes = profile.scopes.clone();
    for s in args.scopes {
        if !scopes.contains(&s) {
            scopes.push(s);
        }
    }
    let nonce = ep.openid.as_ref().map(|_| Nonce::new_random());
    let stored_refresh = previous.as_ref().is_some_and(|p| p.refresh_token.is_some());
    let mut extra: Vec<(&str, &str)> = nonce
        .iter()
        .map(|n| ("nonce", n.secret().as_str()))
        .collect();
    extra.extend(profile.quirks.authorize_params(stored_refresh));
    let oauth = OAuth::new(
        &client_id,
        profile.client_secret.as_ref(),
        method,
        &ep.token,
    )?;
    let auth = oauth.authorize(&ep.authorization, &redirect, &scopes, &extra)?;

    output::note(&format!(
        "To log in to '{name}', open this URL in a browser on this machine:\n\n  {}\n",
        auth.url
    ));
    if args.no_browser {
        output::note(&format!(
            "(From another machine, forward the port first: ssh -L {p}:127.0.0.1:{p} THIS-HOST)",
            p = listener.port()
        ));
    } else if let Err(e) = browser::open(auth.url.as_str(), v > 0) {
        output::note(&format!(
            "Could not open a browser ({e}); open the URL above yourself."
        ));
    }
    output::note(&format!(
        "Waiting up to {} s for the login to finish (Ctrl-C to cancel)...",
        args.timeout
    ));

    let issuer = ep.openid.as_ref().and_then(|o| o.response_issuer());
    let outcome = listener.wait(
        auth.state.secret(),
        issuer,
        ep.iss_in_response,
        listener::deadline(args.timeout),
    )?;
    let (code, request) = match outcome {
        Outcome::Code { code, request } => (code, request),
        Outcome::TimedOut => {
            return Err(Failure::Login(format!(
                "timed out after {} s waiting for the browser: run 'oauthcli login {name}' again \
                 (--timeout SECS gives more time)",
                args.timeout
            ))
            .into());
        }
        Outcome::Denied { error, description } => {
            let why = description
                .map(|d| format!(": {}", escape(&d)))
                .unwrap_or_default();
            return Err(Failure::Login(format!(
                "the login was refused at the provider ({}{why}); nothing was stored",
                escape(&error)
            ))
            .into());
        }
    };

    let result = (|| -> Result<TokenSet> {
        output::verbose(v, "exchanging the authorization code");
        let resp =
            oauth.exchange_code(&http, code.expose().to_owned(), auth.verifier, &redirect)?;
        let received = token::now();
        let id_token = resp.extra_fields().id_token.clone();
        let id_claims = match (&ep.openid, &id_token) {
            (Some(openid), Some(raw)) => Some(identity::validate_id_token(
                raw.expose(),
                openid,
                &client_id,
                nonce.as_ref().context("no nonce")?,
            )?),
            (Some(_), None) if scopes.iter().any(|s| s == "openid") => {
                anyhow::bail!(
                    "the provider returned no ID token although the `openid` scope was asked for"
                )
            }
            _ => None,
        };
        let who = who_logged_in(
            &profile,
            &ep,
            &http,
            resp.access_token().secret(),
            id_claims.as_ref(),
        )?;
        if let Some(claim) = who.fallback {
            output::note(&format!(
                "The ID token has no email: using its `{claim}` ({}) as the login's email.",
                escape(&who.email)
            ));
        }
        // A provider that sends a refresh token only on first consent (Google) leaves the
        // stored one valid for the same user: keep it.
        let refresh_token = resp
            .refresh_token()
            .map(|t| Secret::new(t.secret().clone()))
            .or_else(|| {
                previous
                    .as_ref()
                    .filter(|p| p.subject.is_some() && p.subject == who.subject)
                    .and_then(|p| p.refresh_token.clone())
            });
        Ok(TokenSet {
            issuer: ep.issuer.clone(),
            client_id: client_id.clone(),
            email: who.email,
            subject: who.subject,
            access_token: Secret::new(resp.access_token().secret().clone()),
            token_type: resp.token_type().as_ref().to_owned(),
            refresh_token,
            id_token_expires_at: id_claims.as_ref().map(|c| c.expires_at),
            // An ID token from a provider without discovery could not be validated: not kept.
            id_token: id_claims.as_ref().and(id_token),
            expires_at: token::expires_at(received, resp.expires_in()),
            // RFC 6749 §5.1: no `scope` in the response means the requested ones were granted.
            scopes: resp
                .scopes()
                .map(|s| s.iter().map(|x| x.to_string()).collect())
                .unwrap_or_else(|| scopes.clone()),
            token_endpoint: ep.token.clone(),
            revocation_endpoint: ep.revocation.clone(),
            auth_method: method,
        })
    })()
    .and_then(|set| {
        let lock = lock::lock_login(&name)?;
        // Ctrl-C waits until the tokens are stored whole (see flow::interrupt).
        let storing = interrupt::storing();
        store.save(&lock, &set)?;
        storing.stored();
        Ok((set, lock))
    });
    listener::respond(
        request,
        200,
        if result.is_ok() {
            Page::Success
        } else {
            Page::Failed
        },
    );
    let (set, lock) =
        result.with_context(|| format!("the login to '{name}' failed; nothing was stored"))?;

    // Read the state again: it may have changed while the user was in the browser.
    let mut state = State::load()?;
    // An earlier login kept in the other storage must not stay behind there, unseen.
    if let Some(old) = state.storage_of(&name).filter(|old| *old != storage)
        && let Err(e) = store::open(old).and_then(|s| s.delete(&lock))
    {
        output::note(&format!(
            "warning: the earlier login to '{name}' could not be deleted from the {} store: {}",
            storage_name(old),
            escape(&format!("{e:#}"))
        ));
    }
    state.record_login(&name, storage);
    state.save()?;
    drop(lock);
    if set.refresh_token.is_none()
        && let Some(at) = set.expires_at
    {
        output::note(&format!(
            "Note: the provider sent no refresh token, so 'oauthcli token {name}' works until the \
             access token expires ({}), and then needs a new login.",
            token::rfc3339(at)
        ));
    }
    output::data(&format!("Logged in to {name} as {}", escape(&set.email)))
}

fn storage_name(kind: StorageKind) -> &'static str {
    match kind {
        StorageKind::Keyring => "keychain",
        StorageKind::File => "file",
    }
}

/// Who logged in: from the provider's API, the ID token or the userinfo endpoint, as the
/// profile's quirks say.
fn who_logged_in(
    profile: &Profile,
    ep: &Endpoints,
    http: &Http,
    access_token: &str,
    id_claims: Option<&identity::IdClaims>,
) -> Result<identity::Identity> {
    let fallback = match (profile.quirks.email, &ep.userinfo) {
        (EmailSource::GitHubEmails, Some(url)) => {
            return Ok(identity::Identity {
                email: provider::presets::github::primary_email(http, url, access_token)?,
                subject: None,
                fallback: None,
            });
        }
        (EmailSource::IdTokenOrPreferredUsername, _) => true,
        _ => false,
    };
    let needs_userinfo = id_claims.is_none_or(|c| c.email.is_none() && !fallback);
    let info = match (&ep.userinfo, needs_userinfo) {
        (Some(url), true) => Some(identity::userinfo(
            http,
            url,
            access_token,
            &profile.email_field,
        )?),
        (None, true) if id_claims.is_none() => {
            let name = &profile.name;
            return Err(error::config(format!(
                "provider '{name}' has no userinfo_endpoint and no ID token: oauthcli cannot tell who \
                 logged in. Set userinfo_endpoint under [providers.{name}]"
            )));
        }
        _ => None,
    };
    identity::decide(id_claims, info, fallback)
}
