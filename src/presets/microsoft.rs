//! Microsoft Entra ID (the Microsoft identity platform, v2.0 endpoints): OpenID Connect under a
//! tenant.
//!
//! Sources (learn.microsoft.com/entra/identity-platform/):
//! - The issuer `https://login.microsoftonline.com/{tenant}/v2.0`, where `{tenant}` is
//!   `common`, `organizations`, `consumers`, a tenant id or a domain ("OpenID Connect on the
//!   Microsoft identity platform", v2-protocols-oidc).
//! - For `common` and `organizations` the discovery document's `issuer` is the template
//!   `https://login.microsoftonline.com/{tenantid}/v2.0`, and a token's `iss` names the user's
//!   own tenant, the one in its `tid` claim: multi-tenant apps validate `iss` against the
//!   template with `tid` put in ("Validate the issuer", access-tokens). A named tenant's
//!   document gives the tenant id form instead of the name.
//! - A refresh token only with the `offline_access` scope (scopes-oidc); "Refresh tokens
//!   replace themselves with a fresh token upon every use" (refresh-tokens).
//! - A public client must not present a secret: the token endpoint answers `AADSTS700025:
//!   Client is public so neither 'client_assertion' nor 'client_secret' should be presented`.
//! - `email` is optional in ID tokens; `preferred_username` needs the `profile` scope
//!   (id-token-claims-reference).
//! - Access tokens live a random 60 to 90 minutes (75 on average), longer (24 to 28 hours)
//!   where continuous access evaluation applies; ID tokens an hour ("Configurable token
//!   lifetimes", configurable-token-lifetimes).
//! - No token revocation endpoint: the discovery document has none; sessions end only through
//!   Microsoft Graph's `revokeSignInSessions`, for every client at once.
//! - Redirect URIs: the platform ignores the port of a loopback redirect; 127.0.0.1 is
//!   preferred over localhost, and an `http://127.0.0.1` URI is entered through the app's
//!   manifest (`replyUrlsWithType`) ("Redirect URI (reply URL) outline and restrictions",
//!   reply-url, localhost exceptions).
//! - The device grant ("Microsoft identity platform and the OAuth 2.0 device authorization grant
//!   flow", learn.microsoft.com/entra/identity-platform/v2-oauth2-device-code):
//!   `POST https://login.microsoftonline.com/{tenant}/oauth2/v2.0/devicecode`; it is for
//!   public clients ("Allow public client flows" in the registration's Authentication
//!   settings); a refusal polls as `authorization_declined`.
//! - `domain_hint`: "If included, it will skip the email-based discovery process that user
//!   goes through on the sign-in page" ("Microsoft identity platform and OAuth 2.0
//!   authorization code flow", request parameters).

use anyhow::{Context, Result, bail};

use super::{Defaults, EmailSource, Preset, Quirks, Revocation, Site};
use crate::auth_method::AuthMethod;

pub static PRESET: Preset = Preset {
    name: "microsoft",
    scopes: &["openid", "profile", "email", "offline_access"],
    auth_method: Some(AuthMethod::None),
    needs_secret: false,
    keys: &["tenant"],
    quirks: Quirks {
        email: EmailSource::IdTokenOrPreferredUsername,
        revocation: Revocation::Unsupported(NO_REVOCATION),
        tenant_issuer: true,
        domain_hint: Some("domain_hint"),
        // Access tokens cannot be revoked and stay valid until they expire (NO_REVOCATION's
        // sources), a refresh's too.
        refresh_ahead: true,
        ..Quirks::STANDARD
    },
    defaults,
    register,
    redirect_refused,
    // "Microsoft identity platform and the OAuth 2.0 device authorization grant flow": a user
    // who refuses is answered `authorization_declined`. "... authorization code flow", token
    // endpoint errors: `interaction_required` ("The request requires user interaction. For
    // example, an additional authentication step is required": Conditional Access, MFA) and
    // `consent_required` mean that only a new interactive login helps, as `invalid_grant`.
    error_aliases: &[
        ("authorization_declined", "access_denied"),
        ("interaction_required", "invalid_grant"),
        ("consent_required", "invalid_grant"),
    ],
    device_scopes: None,
    enable_device,
    // No git hosting under this login (README, "git": add its hosts with git_hosts).
    git: None,
};

/// "Access tokens in the Microsoft identity platform": a lifetime of "a random value
/// ranging between 60-90 minutes"; "Refresh tokens in the Microsoft identity platform": "90
/// days for all other scenarios" (than single-page apps), and no endpoint revokes one token;
/// Microsoft Graph's `revokeSignInSessions` (PowerShell `Revoke-MgUserSignInSession`)
/// "invalidates all the refresh tokens issued to applications for a user".
const NO_REVOCATION: &str = "Microsoft cannot revoke a single login's tokens: the access token \
     stays valid until it expires (60 to 90 minutes after it was issued), and the refresh token \
     for up to 90 days, unless its sessions are ended (\"Sign out everywhere\" in the account's \
     security settings, or an administrator's Revoke-MgUserSignInSession, which ends every \
     session of the user); the copy here is deleted.";

const BASE: &str = "https://login.microsoftonline.com";
const TEMPLATE: &str = "{tenantid}";

fn defaults(site: &Site) -> Result<Defaults, String> {
    let tenant = site.tenant.unwrap_or("common");
    let plain = !tenant.is_empty()
        && tenant
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.');
    if !plain {
        return Err(format!(
            "tenant '{tenant}' is not a tenant: use common, organizations, consumers, a tenant id or a domain"
        ));
    }
    Ok(Defaults {
        issuer: Some(format!("{}/{tenant}/v2.0", site.base_or(BASE))),
        device_authorization_endpoint: Some(format!(
            "{}/{tenant}/oauth2/v2.0/devicecode",
            site.base_or(BASE)
        )),
        ..Defaults::default()
    })
}

fn enable_device(_: &Site) -> String {
    "set \"Allow public client flows\" to Yes in the app registration at \
     https://entra.microsoft.com (Authentication > Advanced settings)"
        .to_owned()
}

fn register(_: &Site, redirect: &str) -> String {
    format!(
        "Register an app at https://entra.microsoft.com (App registrations > New registration, \
         the account types to match `tenant`), add the platform \"Mobile and desktop applications\" \
         with the redirect URI {redirect}: the portal takes http only for localhost, so enter \
         https://127.0.0.1/callback and change it to http in the app's Manifest (replyUrlsWithType). \
         Entra ignores the port of a loopback redirect. No client secret: oauthcli logs in as a \
         public client"
    )
}

fn redirect_refused(_: &Site, redirect: &str) -> String {
    format!(
        "add the redirect URI {redirect} under Authentication > Mobile and desktop applications \
         in the app registration at https://entra.microsoft.com (Entra ignores the port of a \
         loopback redirect)"
    )
}

/// `{prefix}/{segment}/v2.0` split into its parts.
fn split(issuer: &str) -> Option<(&str, &str)> {
    issuer.strip_suffix("/v2.0")?.rsplit_once('/')
}

fn is_guid(s: &str) -> bool {
    s.len() == 36
        && s.char_indices().all(|(i, c)| match i {
            8 | 13 | 18 | 23 => c == '-',
            _ => c.is_ascii_hexdigit(),
        })
}

/// Does the discovery document's `issuer` belong to the configured one? Equal; or the same
/// with the tenant replaced by the `{tenantid}` template (`common`, `organizations`); or, for a
/// tenant given by name, by a tenant id.
pub fn issuer_matches(configured: &str, discovered: &str) -> bool {
    if configured == discovered {
        return true;
    }
    match (split(configured), split(discovered)) {
        (Some((prefix, tenant)), Some((their_prefix, theirs))) => {
            prefix == their_prefix && (theirs == TEMPLATE || (!is_guid(tenant) && is_guid(theirs)))
        }
        _ => false,
    }
}

/// The issuer an ID token must name: the template with the token's own `tid` put in.
///
/// The `tid` is read before the signature is checked, but the issuer built from it is then
/// required of the same signed token, so a token whose `iss` and `tid` disagree is refused.
pub fn issuer_for(template: &str, raw_id_token: &str) -> Result<String> {
    if !template.contains(TEMPLATE) {
        return Ok(template.to_owned());
    }
    let claims = crate::jwt::unverified_claims(raw_id_token)?;
    let tid = claims
        .get("tid")
        .and_then(|v| v.as_str())
        .context("the ID token has no `tid` claim, so its issuer cannot be checked")?;
    if !is_guid(tid) {
        bail!("the ID token's `tid` claim is not a tenant id");
    }
    Ok(template.replace(TEMPLATE, tid))
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64::Engine as _;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;

    const TID: &str = "72f988bf-86f1-41af-91ab-2d7cd011db47";

    #[test]
    fn tenant_issuers() {
        let d = defaults(&Site::default()).unwrap();
        assert_eq!(
            d.issuer.as_deref(),
            Some("https://login.microsoftonline.com/common/v2.0")
        );
        let site = Site {
            tenant: Some("organizations"),
            ..Site::default()
        };
        assert_eq!(
            defaults(&site).unwrap().issuer.as_deref(),
            Some("https://login.microsoftonline.com/organizations/v2.0")
        );
        let bad = Site {
            tenant: Some("a/b"),
            ..Site::default()
        };
        assert!(defaults(&bad).is_err());
    }

    #[test]
    fn discovered_issuer_rules() {
        let common = "https://login.microsoftonline.com/common/v2.0";
        assert!(issuer_matches(
            common,
            "https://login.microsoftonline.com/{tenantid}/v2.0"
        ));
        assert!(issuer_matches(
            "https://login.microsoftonline.com/contoso.onmicrosoft.com/v2.0",
            &format!("https://login.microsoftonline.com/{TID}/v2.0")
        ));
        let own = format!("https://login.microsoftonline.com/{TID}/v2.0");
        assert!(issuer_matches(&own, &own));
        assert!(!issuer_matches(
            &own,
            "https://login.microsoftonline.com/9188040d-6c67-4c5b-b112-36a304b66dad/v2.0"
        ));
        assert!(!issuer_matches(
            common,
            "https://evil.example/{tenantid}/v2.0"
        ));
        assert!(!issuer_matches(
            common,
            "https://login.microsoftonline.com/x/v2.0"
        ));
    }

    fn token(claims: serde_json::Value) -> String {
        format!(
            "e30.{}.sig",
            URL_SAFE_NO_PAD.encode(claims.to_string().as_bytes())
        )
    }

    #[test]
    fn issuer_from_tid() {
        let template = "https://login.microsoftonline.com/{tenantid}/v2.0";
        assert_eq!(
            issuer_for(template, &token(serde_json::json!({ "tid": TID }))).unwrap(),
            format!("https://login.microsoftonline.com/{TID}/v2.0")
        );
        assert!(issuer_for(template, &token(serde_json::json!({}))).is_err());
        assert!(issuer_for(template, &token(serde_json::json!({ "tid": "../x" }))).is_err());
        assert_eq!(
            issuer_for("https://a/v2.0", "garbage").unwrap(),
            "https://a/v2.0"
        );
    }
}
