//! A provider's endpoints, resolved from OpenID discovery or from the config (the built-in
//! presets, whose defaults the config starts from, are `crate::presets`).
//!
//! Discovery (OpenID Discovery 1.0 §4) must name exactly the configured issuer
//! (§4.3, SECURITY.md row 5), Microsoft's tenant template aside (`presets::microsoft`); every
//! endpoint must be https off loopback (SECURITY.md row 11).

mod discovery;

pub use discovery::keys_at;
mod rfc8414;

use anyhow::{Context, Result};
use openidconnect::IssuerUrl;
use openidconnect::core::{CoreJsonWebKeySet, CoreJwsSigningAlgorithm};

use crate::auth_method::AuthMethod;
use crate::config::{Profile, Source};
use crate::error;
use crate::http::{self, Http};
use crate::presets;

/// What an OpenID provider adds: the keys its ID tokens are signed with.
pub struct OpenId {
    /// The issuer ID tokens must name; a template holding `{tenantid}` when
    /// `tenant_issuer` is set.
    pub issuer: IssuerUrl,
    pub jwks: CoreJsonWebKeySet,
    /// Where `jwks` came from, kept with a login for its refreshes (`token::IdTokenKeys`).
    pub jwks_uri: String,
    pub algs: Vec<CoreJwsSigningAlgorithm>,
    pub tenant_issuer: bool,
    /// ID tokens may name the issuer without its scheme (Google; `identity::schemeless_iss`).
    pub schemeless_issuer: bool,
}

impl OpenId {
    /// The issuer this ID token must name (Microsoft: the template filled with its `tid`).
    pub fn issuer_for(&self, raw_id_token: &str) -> Result<IssuerUrl> {
        if !self.tenant_issuer {
            return Ok(self.issuer.clone());
        }
        let issuer = presets::microsoft::issuer_for(self.issuer.as_str(), raw_id_token)?;
        IssuerUrl::new(issuer).context("the ID token's tenant makes no valid issuer")
    }

    /// The issuer an authorization response's `iss` must equal (RFC 9207), when one is known.
    pub fn response_issuer(&self) -> Option<&str> {
        let templated = self.tenant_issuer && self.issuer.as_str().contains('{');
        (!templated).then(|| self.issuer.as_str())
    }
}

/// The endpoints of one provider, checked.
pub struct Endpoints {
    /// What a stored token set is bound to: the issuer, or for a plain OAuth 2.0 provider
    /// its token endpoint.
    pub issuer: String,
    pub openid: Option<OpenId>,
    pub authorization: String,
    pub token: String,
    pub userinfo: Option<String>,
    pub revocation: Option<String>,
    /// The device authorization endpoint (RFC 8628 §4: `device_authorization_endpoint`).
    pub device_authorization: Option<String>,
    /// `token_endpoint_auth_methods_supported`, when the provider publishes it.
    pub auth_methods: Option<Vec<String>>,
    /// `code_challenge_methods_supported` (RFC 8414 §2), when published.
    pub pkce_methods: Option<Vec<String>>,
    /// The provider promises `iss` in every authorization response (RFC 9207 §3).
    pub iss_in_response: bool,
    /// `scopes_supported` (OpenID Discovery §3, RFC 8414 §2), when published.
    pub scopes_supported: Option<Vec<String>>,
}

/// Finds the endpoints of a profile: discovery for an issuer, the config otherwise; a
/// value given in the config wins over discovery's.
pub fn resolve(profile: &Profile, http: &Http) -> Result<Endpoints> {
    let mut ep = match &profile.source {
        Source::Issuer(issuer) => {
            let mut ep = discovery::discover(issuer, http, profile.quirks.tenant_issuer)?;
            if let Some(openid) = &mut ep.openid {
                openid.schemeless_issuer = profile.quirks.schemeless_issuer;
            }
            ep
        }
        Source::Manual => {
            // Both are present: config::resolve refuses a manual provider without them.
            let token = profile.token_endpoint.clone().unwrap_or_default();
            Endpoints {
                issuer: token.clone(),
                openid: None,
                authorization: profile.authorization_endpoint.clone().unwrap_or_default(),
                token,
                userinfo: None,
                revocation: None,
                device_authorization: None,
                auth_methods: None,
                pkce_methods: None,
                iss_in_response: false,
                scopes_supported: None,
            }
        }
    };
    if let Some(v) = &profile.authorization_endpoint {
        ep.authorization = v.clone();
    }
    if let Some(v) = &profile.token_endpoint {
        ep.token = v.clone();
    }
    if profile.userinfo_endpoint.is_some() {
        ep.userinfo = profile.userinfo_endpoint.clone();
    }
    if profile.revocation_endpoint.is_some() {
        ep.revocation = profile.revocation_endpoint.clone();
    }
    if profile.device_authorization_endpoint.is_some() {
        ep.device_authorization = profile.device_authorization_endpoint.clone();
    }
    check_endpoints(&ep, profile)?;
    if let Some(methods) = &ep.pkce_methods
        && !methods.iter().any(|m| m == "S256")
    {
        return Err(error::config(format!(
            "provider '{}' does not support PKCE with S256 (it lists {:?}); oauthcli will not log in without it",
            profile.name, methods
        )));
    }
    Ok(ep)
}

/// Every endpoint must be one oauthcli will send to (`http::endpoint`, SECURITY.md row 11).
fn check_endpoints(ep: &Endpoints, profile: &Profile) -> Result<()> {
    for url in [
        Some(&ep.authorization),
        Some(&ep.token),
        ep.userinfo.as_ref(),
        ep.revocation.as_ref(),
        ep.device_authorization.as_ref(),
    ]
    .into_iter()
    .flatten()
    {
        http::endpoint(url).with_context(|| {
            format!(
                "provider '{}' names an endpoint oauthcli will not use; nothing was sent there",
                profile.name
            )
        })?;
    }
    Ok(())
}

/// At login: the endpoints discovery left out (revocation, device authorization), from the
/// provider's RFC 8414 metadata (`rfc8414`). Not at refresh, which needs neither. A
/// Microsoft tenant publishes neither there, so it is not asked.
pub fn complete(ep: &mut Endpoints, profile: &Profile, http: &Http, verbose: u8) -> Result<()> {
    let Source::Issuer(issuer) = &profile.source else {
        return Ok(());
    };
    if profile.quirks.tenant_issuer {
        return Ok(());
    }
    rfc8414::fill(ep, issuer, http, verbose);
    check_endpoints(ep, profile)
}

impl Endpoints {
    /// A line for the user when some of `scopes` are not among those the provider lists as
    /// supported. Not an error: OpenID Discovery §3 lets a provider leave supported scopes
    /// unlisted, but a scope it does not know is the usual cause of `invalid_scope`. A scope
    /// that is a URI names an API (Google's `https://www.googleapis.com/auth/...`, Microsoft's
    /// `api://...`), which providers do not list: it is left out of the comparison.
    pub fn unlisted_scopes(&self, scopes: &[String], name: &str) -> Option<String> {
        let listed = self.scopes_supported.as_ref()?;
        let unlisted: Vec<&str> = scopes
            .iter()
            .filter(|s| !listed.contains(s) && !s.contains("://"))
            .map(String::as_str)
            .collect();
        (!unlisted.is_empty()).then(|| {
            format!(
                "Note: '{name}' does not list {} among the scopes it supports ({}): if the login \
                 is refused, leave {} out of `scopes` under [providers.{name}] and --scope.",
                crate::term::escape(&unlisted.join(", ")),
                crate::term::escape(&listed.join(", ")),
                match unlisted.len() {
                    1 => "it",
                    _ => "them",
                }
            )
        })
    }

    /// How the client authenticates at the token endpoint: the config's choice; else `none`
    /// for a public client; else `client_secret_basic` unless the provider lists only
    /// `client_secret_post` (basic is the default of OpenID Discovery §3 and the method
    /// RFC 6749 §2.3.1 requires servers to support).
    pub fn auth_method(&self, profile: &Profile) -> AuthMethod {
        if let Some(m) = profile.auth_method {
            return m;
        }
        if profile.client_secret.is_none() {
            return AuthMethod::None;
        }
        match &self.auth_methods {
            Some(list)
                if !list.iter().any(|m| m == "client_secret_basic")
                    && list.iter().any(|m| m == "client_secret_post") =>
            {
                AuthMethod::ClientSecretPost
            }
            _ => AuthMethod::ClientSecretBasic,
        }
    }
}
