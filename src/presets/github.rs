//! GitHub and GitHub Enterprise Server: plain OAuth 2.0 (no OpenID), OAuth apps and GitHub Apps.
//!
//! Sources (docs.github.com):
//! - Endpoints `https://HOST/login/oauth/authorize` and `/login/oauth/access_token`; the REST
//!   API at `https://api.github.com`, on GHES at `https://HOST/api/v3` ("Authorizing OAuth
//!   apps"; "REST API endpoints for emails", GHES edition), and on GitHub Enterprise Cloud
//!   with data residency, whose web is `https://SUBDOMAIN.ghe.com`, at
//!   `https://api.SUBDOMAIN.ghe.com` (the Enterprise Cloud docs' API hosts, e.g. "Managing
//!   enterprise accounts": "For GitHub Enterprise Cloud with Data Residency:
//!   https://api.SUBDOMAIN.ghe.com/graphql"); sign-in stays on the subdomain itself.
//! - The token endpoint answers JSON only when asked with `Accept: application/json` ("the
//!   format of these responses is determined by the accept header you pass"), and reports
//!   errors such as `bad_verification_code` and `incorrect_client_credentials` in a normal
//!   200 response ("Troubleshooting OAuth app access token request errors"); `oauth2` sends
//!   that header on every token request, and `flow::oauth` reads such a body as an error.
//! - The token request carries `client_id` and `client_secret` as parameters.
//! - The granted scopes come comma-separated: `"scope":"repo,gist"` ("Authorizing OAuth
//!   apps", step 2's response).
//! - Loopback callbacks: "The redirect_uri does not need to match the port specified in the
//!   callback url for the app" ("Authorizing OAuth apps", loopback redirect urls).
//! - Every API request needs a `User-Agent` ("Requests with no User-Agent header will be
//!   rejected", "Getting started with the REST API"); `http::Http` sends one.
//! - The email: `GET /user/emails` lists every address with `primary` and `verified`; it
//!   needs the `user:email` scope for OAuth-app tokens ("List email addresses for the
//!   authenticated user"). `/user` shows only the public email, often none.
//! - OAuth-app tokens have no `expires_in` and no refresh token; GitHub-App user tokens
//!   expire after 8 hours with a refresh token valid 6 months, and "once you use a refresh
//!   token, that refresh token and the old user access token will no longer work"; a dead
//!   one is answered `bad_refresh_token` ("Refreshing user access tokens").
//! - The device flow ("Authorizing OAuth apps", device flow): `POST https://HOST/login/device/code`,
//!   then polling the usual token endpoint; the app must have "Enable Device Flow" ticked in
//!   its settings. Its errors come as HTTP 200 like the token errors, with GitHub's codes
//!   `incorrect_device_code` and `device_flow_disabled` besides RFC 8628's.
//! - Git over HTTPS: a token takes the password's place ("Git automation with OAuth tokens"),
//!   with the username `x-access-token` for tokens of GitHub Apps ("Authenticating as a
//!   GitHub App installation": `git clone https://x-access-token:TOKEN@github.com/...`),
//!   which GitHub accepts for OAuth-app tokens too; on GHES at the instance's own host.
//! - Revocation: `DELETE /applications/{client_id}/token` with basic authentication by
//!   `client_id` and `client_secret`, the token in a JSON body `{"access_token": ...}`,
//!   answered 204 ("Delete an app token", REST API endpoints for OAuth authorizations).

use anyhow::{Context, Result, anyhow, bail};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use oauth2::SyncHttpClient;
use oauth2::http::header::{ACCEPT, AUTHORIZATION, CONTENT_TYPE};
use serde::Deserialize;

use super::{Defaults, EmailSource, GitHost, Preset, Quirks, Revocation, Site};
use crate::auth_method::AuthMethod;
use crate::http::Http;
use crate::secret::Secret;
use crate::term::escape;

pub static PRESET: Preset = Preset {
    name: "github",
    scopes: &["user:email"],
    auth_method: Some(AuthMethod::ClientSecretPost),
    needs_secret: true,
    keys: &[],
    quirks: Quirks {
        email: EmailSource::GitHubEmails,
        revocation: Revocation::GitHub,
        comma_scopes: true,
        // "Refreshing user access tokens": "Once you use a refresh token, that refresh
        // token and the old user access token will no longer work."
        refresh_ends_access: true,
        ..Quirks::STANDARD
    },
    defaults,
    register,
    redirect_refused,
    // "Troubleshooting OAuth app access token request errors" and "Refreshing user access
    // tokens": GitHub's codes, and the RFC 6749 §5.2 codes with the same meaning.
    error_aliases: &[
        ("bad_verification_code", "invalid_grant"),
        ("bad_refresh_token", "invalid_grant"),
        ("redirect_uri_mismatch", "invalid_grant"),
        ("incorrect_client_credentials", "invalid_client"),
        ("incorrect_device_code", "invalid_grant"),
        ("device_flow_disabled", "unauthorized_client"),
    ],
    device_scopes: None,
    enable_device,
    git: Some(GitHost {
        web: WEB,
        username: "x-access-token",
    }),
};

const WEB: &str = "https://github.com";
const API: &str = "https://api.github.com";

/// Data residency: the enterprise's own subdomain of this domain.
const DATA_RESIDENCY: &str = ".ghe.com";

/// The web and API roots: github.com; GitHub Enterprise Cloud with data residency at a
/// `base_url` under ghe.com, its API on the `api.` subdomain; or a GitHub Enterprise
/// Server at `base_url`, its API under `/api/v3`.
fn roots(site: &Site) -> (String, String) {
    if site.base_url.is_none() {
        return (WEB.to_owned(), API.to_owned());
    }
    let web = site.base_or(WEB);
    let residency = web
        .strip_prefix("https://")
        .filter(|host| host.ends_with(DATA_RESIDENCY) && !host.contains('/'));
    let api = match residency {
        Some(host) => format!("https://api.{host}"),
        None => format!("{web}/api/v3"),
    };
    (web, api)
}

fn defaults(site: &Site) -> Result<Defaults, String> {
    let (web, api) = roots(site);
    Ok(Defaults {
        issuer: None,
        authorization_endpoint: Some(format!("{web}/login/oauth/authorize")),
        token_endpoint: Some(format!("{web}/login/oauth/access_token")),
        userinfo_endpoint: Some(format!("{api}/user/emails")),
        revocation_endpoint: site.client_id.map(|id| {
            let id: String = oauth2::url::form_urlencoded::byte_serialize(id.as_bytes()).collect();
            format!("{api}/applications/{id}/token")
        }),
        device_authorization_endpoint: Some(format!("{web}/login/device/code")),
    })
}

fn register(site: &Site, redirect: &str) -> String {
    let (web, _) = roots(site);
    format!(
        "Register an OAuth app at {web}/settings/applications/new (or a GitHub App at \
         {web}/settings/apps/new: its tokens expire and refresh) with the callback URL {redirect} \
         (GitHub ignores the port of a loopback callback). GitHub also wants the client secret: \
         set client_secret too"
    )
}

fn redirect_refused(site: &Site, redirect: &str) -> String {
    let (web, _) = roots(site);
    format!(
        "register the callback URL {redirect} in the app's settings at {web}/settings/developers \
         (GitHub ignores the port of a loopback callback, not its path)"
    )
}

fn enable_device(site: &Site) -> String {
    let (web, _) = roots(site);
    format!(
        "tick \"Enable Device Flow\" in the app's settings at {web}/settings/developers (OAuth \
         apps or GitHub Apps)"
    )
}

#[derive(Deserialize)]
struct Email {
    email: String,
    #[serde(default)]
    primary: bool,
    #[serde(default)]
    verified: bool,
}

/// The primary, verified email of the token's user, from `GET /user/emails`.
pub fn primary_email(http: &Http, url: &str, access_token: &str) -> Result<String> {
    let doc = http.get_json(url, Some(access_token)).context(
        "could not read the account's email addresses (an OAuth app's token needs the user:email \
         scope; a GitHub App needs the account permission \"Email addresses\" set to read-only)",
    )?;
    let emails: Vec<Email> = serde_json::from_value(doc)
        .with_context(|| format!("GET {url} did not answer a list of email addresses"))?;
    emails
        .into_iter()
        .find(|e| e.primary && e.verified)
        .map(|e| e.email)
        .context("the GitHub account has no verified primary email address: verify one at GitHub and log in again")
}

/// Revokes an access token through `DELETE /applications/{client_id}/token`.
pub fn revoke(
    http: &Http,
    url: &str,
    client_id: &str,
    secret: Option<&Secret>,
    access_token: &Secret,
) -> Result<()> {
    let secret = secret.with_context(|| {
        format!("revoking at {url} needs the client secret, which is not configured")
    })?;
    let basic = BASE64.encode(format!("{client_id}:{}", secret.expose()));
    let body = serde_json::json!({ "access_token": access_token.expose() }).to_string();
    let request = oauth2::http::Request::delete(url)
        .header(AUTHORIZATION, format!("Basic {basic}"))
        .header(ACCEPT, "application/vnd.github+json")
        .header(CONTENT_TYPE, "application/json")
        .body(body.into_bytes())?;
    let response = http
        .call(request)
        .map_err(|e| anyhow!(e).context(format!("request to {url} failed")))?;
    match response.status().as_u16() {
        204 => Ok(()),
        status => {
            let text = String::from_utf8_lossy(&response.body()[..response.body().len().min(300)])
                .into_owned();
            bail!("DELETE {url} answered HTTP {status}: {}", escape(&text))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn github_com_and_enterprise_server_endpoints() {
        let site = Site {
            client_id: Some("Iv1.abc"),
            ..Site::default()
        };
        let d = defaults(&site).unwrap();
        assert_eq!(
            d.authorization_endpoint.as_deref(),
            Some("https://github.com/login/oauth/authorize")
        );
        assert_eq!(
            d.userinfo_endpoint.as_deref(),
            Some("https://api.github.com/user/emails")
        );
        assert_eq!(
            d.revocation_endpoint.as_deref(),
            Some("https://api.github.com/applications/Iv1.abc/token")
        );
        let ghes = Site {
            base_url: Some("https://ghe.example.com/"),
            client_id: Some("abc"),
            ..Site::default()
        };
        let d = defaults(&ghes).unwrap();
        assert_eq!(
            d.token_endpoint.as_deref(),
            Some("https://ghe.example.com/login/oauth/access_token")
        );
        assert_eq!(
            d.revocation_endpoint.as_deref(),
            Some("https://ghe.example.com/api/v3/applications/abc/token")
        );
    }

    #[test]
    fn data_residency_has_its_api_on_the_api_subdomain() {
        let ghe = Site {
            base_url: Some("https://octocorp.ghe.com/"),
            client_id: Some("abc"),
            ..Site::default()
        };
        let d = defaults(&ghe).unwrap();
        assert_eq!(
            d.authorization_endpoint.as_deref(),
            Some("https://octocorp.ghe.com/login/oauth/authorize")
        );
        assert_eq!(
            d.userinfo_endpoint.as_deref(),
            Some("https://api.octocorp.ghe.com/user/emails")
        );
        assert_eq!(
            d.revocation_endpoint.as_deref(),
            Some("https://api.octocorp.ghe.com/applications/abc/token")
        );
        // A server of one's own whose name merely ends so, under a path, is no ghe.com tenant.
        let (_, api) = roots(&Site {
            base_url: Some("https://git.example.com/ghe.com"),
            ..Site::default()
        });
        assert_eq!(api, "https://git.example.com/ghe.com/api/v3");
    }
}
