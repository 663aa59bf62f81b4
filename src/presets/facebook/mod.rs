//! Facebook Login: plain OAuth 2.0 against the Graph API, with its own dialect at each step.
//!
//! Sources (developers.facebook.com/docs unless noted):
//! - "Manually Build a Login Flow" (facebook-login/guides/advanced/manual-flow): the login
//!   dialog `https://www.facebook.com/{version}/dialog/oauth?client_id={app-id}
//!   &redirect_uri={redirect-uri}&state={state-param}`, and the code exchanged at
//!   `https://graph.facebook.com/{version}/oauth/access_token` with `client_id`,
//!   `redirect_uri`, `client_secret` (the app secret) and `code`: the app secret is needed
//!   for every exchange (`needs_secret`). Facebook shows a GET with these parameters; oauthcli
//!   sends them as the POST form of RFC 6749 §4.1.3, as OAuth 2.0 client libraries do with
//!   this endpoint, which keeps the secret out of URLs and server logs.
//! - "OIDC Code Flow with PKCE for Manually Built Facebook Login Flows"
//!   (guides/advanced/oidc-token), which warns "Be aware that this functionality is still in
//!   testing": the dialog takes `code_challenge` with "S256 (Recommended): The code challenge
//!   is a Base64URL (with no padding) encoded SHA256 hash of the code verifier". It documents
//!   PKCE for that OpenID flow and says nothing of the plain one; oauthcli sends its S256
//!   challenge and verifier always (SECURITY.md row 4), which Facebook checks where it
//!   supports them, and the app secret besides, which the plain flow needs.
//! - Permissions are asked for by `scope`, which the dialog's reference of old (the "OAuth
//!   Dialog") calls "A comma separated list of permission names"; the device login takes them
//!   so too (its `scope` is `COMMA_SEPARATED_PERMISSION_NAMES`, and Facebook's Android SDK
//!   joins them with commas): `comma_scope_request`.
//! - Redirect URIs ("Login Security", strict mode): a live app takes only the redirect URIs
//!   listed under Facebook Login > Settings > Valid OAuth Redirect URIs, exactly, over https.
//!   The exception, in the words of that settings page: "http://localhost redirects are
//!   automatically allowed while in development mode only and do not need to be added here."
//!   So the redirect names `localhost` (`localhost_redirect`; the listener still binds
//!   127.0.0.1), on the port of each login, and a live app logs in with the device login.
//! - "Long-Lived Access Tokens" (guides/access-tokens/get-long-lived): tokens from the
//!   dialog are short-lived, there is no refresh token, and "A long-lived token generally
//!   lasts about 60 days": `GET .../oauth/access_token?grant_type=fb_exchange_token
//!   &client_id={app-id}&client_secret={app-secret}&fb_exchange_token={your-access-token}`,
//!   answered `{"access_token", "token_type": "bearer", "expires_in": 5183944}`. Every login
//!   swaps its token so (`long_lived`, `flow::long_lived`), and `token` warns a week before
//!   the login ends ([`RELOGIN_WARNING`]).
//! - Versions: every path starts with the Graph API version. The page above named "Latest
//!   Graph API Version: v25.0" when this preset was written (2026-12): [`GRAPH_VERSION`], and
//!   `graph_version` in the config chooses another.
//! - Who logged in: the Graph API's `/me` with `fields=id,email` (`graph::me`); the `id` is
//!   the subject. An account made with a phone number has no email, and a login that declined
//!   the `email` permission gives none.
//! - "Securing Graph API Requests" (graph-api/securing-requests): "The app secret proof is a
//!   sha256 hash of your access token, using the app secret as the key"; "You can prevent
//!   this by adding the appsecret_proof parameter to every API call from a server and
//!   enabling the setting to require proof on all calls": it is sent with every Graph API
//!   call, so apps that require it work as those that do not.
//! - Logout: the Graph API's "User permissions" reference: `DELETE /{user-id}/permissions`
//!   ("Revoking Login" in the manual flow takes every permission, and so the app, away from
//!   the account); "This request must be made with a user access token or an app access token
//!   for the current app. If the request is successful, you will receive a response of true"
//!   (answered `{"success": true}`).
//! - Errors ("Handling Errors", graph-api/guides/error-handling): a Graph API error object
//!   `{"error": {"message", "type", "code", "error_subcode", "error_user_title",
//!   "error_user_msg", "fbtrace_id"}}`, whose `error_user_msg` is "The message to display to
//!   the user" and whose `fbtrace_id` helps Facebook's support (`graph::GraphError`).
//! - "Facebook Login for Devices" (facebook-login/for-devices): "your device shows an
//!   alphanumeric code and tells people to enter it on a web page on their desktop PC or
//!   smartphone": `POST https://graph.facebook.com/{version}/device/login` with
//!   `access_token=APP_ID|CLIENT_TOKEN` and `scope`, answered `code`, `user_code`,
//!   `verification_uri`, `expires_in`, `interval`; then `POST .../device/login_status` with
//!   `access_token` and `code` until it answers `access_token` and `expires_in`. The app must
//!   have "Login from Devices" turned on; the client token is in the app's advanced settings.
//!   Its polling errors are Graph API errors told apart by `error_subcode`: 1349174 (the
//!   person has not approved yet: keep polling), 1349172 (polling too often: slow down),
//!   1349152 (the code expired); Facebook's Android SDK (`DeviceAuthDialog`) uses the same
//!   numbers, and 1349173 for a login the person declined.

mod graph;

pub use graph::{GraphError, me, revoke};

use super::{Defaults, DeviceDialect, EmailSource, Preset, Quirks, Revocation, Site};
use crate::auth_method::AuthMethod;

pub static PRESET: Preset = Preset {
    name: "facebook",
    scopes: &["public_profile", "email"],
    // The exchange carries the app secret as a parameter ("Manually Build a Login Flow").
    auth_method: Some(AuthMethod::ClientSecretPost),
    needs_secret: true,
    keys: &["graph_version", "client_token"],
    quirks: Quirks {
        email: EmailSource::FacebookMe,
        revocation: Revocation::FacebookPermissions,
        comma_scope_request: true,
        localhost_redirect: true,
        long_lived: true,
        relogin_warning: Some(RELOGIN_WARNING),
        device: DeviceDialect::FacebookGraph,
        ..Quirks::STANDARD
    },
    defaults,
    register,
    redirect_refused,
    // "Facebook Login for Devices": the Graph API errors of its polling that mean an RFC 8628
    // §3.5 code, as `GraphError::key` names them. Its other errors (a code used twice, a
    // wrong secret) are shown as they come: the login ends on them whatever they are.
    error_aliases: &[
        ("error_subcode 1349174", "authorization_pending"),
        ("error_subcode 1349172", "slow_down"),
        ("error_subcode 1349152", "expired_token"),
        ("error_subcode 1349173", "access_denied"),
    ],
    device_scopes: None,
    enable_device,
    // Facebook hosts no git repositories (README, "git": add hosts with git_hosts).
    git: None,
};

/// The Graph API version of every endpoint, unless `graph_version` names another: the
/// latest when this preset was written (see the header).
pub const GRAPH_VERSION: &str = "v25.0";
/// A week: time enough to log in again before a 60-day login ends, and no warning in the
/// seven weeks before.
pub const RELOGIN_WARNING: u64 = 7 * 24 * 3600;

const WWW: &str = "https://www.facebook.com";
const GRAPH: &str = "https://graph.facebook.com";
const APPS: &str = "https://developers.facebook.com/apps/";

/// `v` and two numbers, as the Graph API's versions are written (`v25.0`).
fn version<'a>(site: &Site<'a>) -> Result<&'a str, String> {
    let v = site.graph_version.unwrap_or(GRAPH_VERSION);
    let numbers = v.strip_prefix('v').and_then(|rest| rest.split_once('.'));
    match numbers {
        Some((major, minor))
            if [major, minor]
                .iter()
                .all(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit())) =>
        {
            Ok(v)
        }
        _ => Err(format!(
            "'{v}' is not a Graph API version: write it as Facebook does, such as {GRAPH_VERSION}"
        )),
    }
}

/// The dialog's host and the Graph API's: Facebook's two, or `base_url` for both (a
/// stand-in in the tests).
fn roots(site: &Site) -> (String, String) {
    match site.base_url {
        Some(_) => (site.base_or(WWW), site.base_or(GRAPH)),
        None => (WWW.to_owned(), GRAPH.to_owned()),
    }
}

fn defaults(site: &Site) -> Result<Defaults, String> {
    let v = version(site)?;
    let (www, graph) = roots(site);
    Ok(Defaults {
        issuer: None,
        authorization_endpoint: Some(format!("{www}/{v}/dialog/oauth")),
        token_endpoint: Some(format!("{graph}/{v}/oauth/access_token")),
        userinfo_endpoint: Some(format!("{graph}/{v}/me")),
        revocation_endpoint: Some(format!("{graph}/{v}/me/permissions")),
        device_authorization_endpoint: Some(format!("{graph}/{v}/device/login")),
    })
}

/// Where a live app logs in instead, and what it needs for that.
const LIVE: &str = "a live app takes no loopback redirect: log in with --device instead \
     (Facebook Login for Devices: turn on \"Login from Devices\" under Facebook Login > \
     Settings, and set client_token to the app's client token, App settings > Advanced)";

fn register(_: &Site, redirect: &str) -> String {
    format!(
        "Create an app with Facebook Login at {APPS}, then set client_id to its App ID and \
         client_secret to its App Secret (App settings > Basic): Facebook wants the secret for \
         every login. Facebook takes only the redirect URIs listed under Facebook Login > \
         Settings > Valid OAuth Redirect URIs, exactly and over https, but while the app is in \
         development mode it takes {redirect} on any port without anything registered (only \
         people with a role on the app can log in then); {LIVE}"
    )
}

fn redirect_refused(_: &Site, redirect: &str) -> String {
    format!(
        "Facebook takes {redirect} only from an app in development mode (its App Mode at \
         {APPS}), and only for people with a role on the app; {LIVE}"
    )
}

fn enable_device(_: &Site) -> String {
    format!(
        "turn on \"Login from Devices\" under Facebook Login > Settings of the app at {APPS}, \
         and check that client_token is the app's client token (App settings > Advanced)"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versioned_endpoints_on_facebooks_hosts_or_a_base_url() {
        let d = defaults(&Site::default()).unwrap();
        assert_eq!(
            d.authorization_endpoint.as_deref(),
            Some("https://www.facebook.com/v25.0/dialog/oauth")
        );
        assert_eq!(
            d.token_endpoint.as_deref(),
            Some("https://graph.facebook.com/v25.0/oauth/access_token")
        );
        assert_eq!(
            d.revocation_endpoint.as_deref(),
            Some("https://graph.facebook.com/v25.0/me/permissions")
        );
        let site = Site {
            base_url: Some("http://127.0.0.1:9/"),
            graph_version: Some("v31.2"),
            ..Site::default()
        };
        let d = defaults(&site).unwrap();
        assert_eq!(
            d.authorization_endpoint.as_deref(),
            Some("http://127.0.0.1:9/v31.2/dialog/oauth")
        );
        assert_eq!(
            d.userinfo_endpoint.as_deref(),
            Some("http://127.0.0.1:9/v31.2/me")
        );
    }

    #[test]
    fn a_graph_version_is_v_and_two_numbers() {
        for bad in ["25.0", "v25", "v25.", "v25.0/../x", "latest", "v2a.0", ""] {
            let site = Site {
                graph_version: Some(bad),
                ..Site::default()
            };
            let why = defaults(&site).unwrap_err();
            assert!(why.contains("is not a Graph API version"), "{bad}: {why}");
        }
    }
}
