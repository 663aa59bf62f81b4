//! Google (OpenID Connect), for "Desktop app" OAuth clients.
//!
//! Sources, all from Google's "OAuth 2.0 for Mobile & Desktop Apps"
//! (https://developers.google.com/identity/protocols/oauth2/native-app) unless noted:
//! - Desktop apps "cannot keep secrets (they are public clients)", yet the token request
//!   carries the `client_secret` the console issued: it is sent, and it is not confidential.
//! - Loopback redirects: `http://127.0.0.1:PORT` with any port; nothing to register for a
//!   desktop client ("Loopback IP address" redirect method).
//! - ID tokens: "The value of iss in the ID token is equal to https://accounts.google.com or
//!   accounts.google.com"
//!   (https://developers.google.com/identity/openid-connect/openid-connect#validatinganidtoken):
//!   both are taken here (`identity::schemeless_iss`), for Google alone.
//! - `hd`: "Streamline the login process for accounts owned by a Google Cloud organization";
//!   of the ID token's `hd` claim: "You must check this claim when restricting access to a
//!   resource to only members of certain domains"
//!   (https://developers.google.com/identity/openid-connect/openid-connect#hd-param).
//! - `access_type=offline` is what makes Google return a refresh token; Google returns one
//!   only on the first consent, so `prompt=consent` asks again when none is stored
//!   (https://developers.google.com/identity/protocols/oauth2/web-server#offline).
//! - Revocation at `https://oauth2.googleapis.com/revoke`; revoking either token revokes the
//!   grant ("If the token is an access token and it has a corresponding refresh token, the
//!   refresh token will also be revoked").
//! - The console's JSON download is the client-secrets format of Google's client libraries:
//!   `{"installed": {"client_id", "client_secret", "auth_uri", "token_uri", "redirect_uris"}}`
//!   (https://googleapis.github.io/google-api-python-client/docs/client-secrets.html).
//! - The device grant ("OAuth 2.0 for TV and Limited-Input Device Applications",
//!   https://developers.google.com/identity/protocols/oauth2/limited-input-device): a client of
//!   the type "TVs and Limited Input devices", whose token requests carry its own client
//!   secret; `POST https://oauth2.googleapis.com/device/code`; only a limited set of scopes,
//!   of which ours are `openid`, `email` and `profile` ("Allowed scopes").

use std::path::Path;

use serde::Deserialize;

use super::{Defaults, Preset, Quirks, Revocation, Site};
use crate::auth_method::AuthMethod;

pub static PRESET: Preset = Preset {
    name: "google",
    scopes: &["openid", "email"],
    // The documented token request sends the secret in the body.
    auth_method: Some(AuthMethod::ClientSecretPost),
    needs_secret: true,
    keys: &[],
    quirks: Quirks {
        revocation: Revocation::Grant,
        offline_access_type: true,
        schemeless_issuer: true,
        domain_hint: Some("hd"),
        scope_aliases: SCOPE_ALIASES,
        // An access token lives its `expires_in` ("Using OAuth 2.0 to Access Google APIs":
        // "Access tokens have limited lifetimes"), and nothing of Google's ends it at a
        // refresh; Google's own client libraries refresh before the end while the old token
        // is in use (google-auth-library's `eagerRefreshThresholdMillis`, five minutes).
        refresh_ahead: true,
        ..Quirks::STANDARD
    },
    defaults,
    register,
    redirect_refused,
    // No git hosting under this login (README, "git": add its hosts with git_hosts).
    git: None,
    error_aliases: &[],
    device_scopes: Some(&["openid", "email", "profile"]),
    enable_device,
};

const ISSUER: &str = "https://accounts.google.com";
const REVOKE: &str = "https://oauth2.googleapis.com/revoke";
const DEVICE: &str = "https://oauth2.googleapis.com/device/code";

fn defaults(site: &Site) -> Result<Defaults, String> {
    Ok(Defaults {
        issuer: Some(site.base_or(ISSUER)),
        // Google's discovery document publishes the same URL; another base (a stand-in)
        // publishes its own.
        revocation_endpoint: site.base_url.is_none().then(|| REVOKE.to_owned()),
        device_authorization_endpoint: site.base_url.is_none().then(|| DEVICE.to_owned()),
        ..Defaults::default()
    })
}

fn enable_device(_: &Site) -> String {
    "the device grant needs a client of its own: create one at \
     https://console.cloud.google.com/apis/credentials (Create credentials > OAuth client ID, \
     application type \"TVs and Limited Input devices\") and set device_client_id and \
     device_client_secret to it"
        .to_owned()
}

fn redirect_refused(site: &Site, _redirect: &str) -> String {
    format!(
        "Google takes a loopback redirect on any port, with nothing registered, only from an \
         OAuth client of type \"Desktop app\": check the type of client '{}' at \
         https://console.cloud.google.com/apis/credentials, or create one of that type",
        site.client_id.unwrap_or_default()
    )
}

fn register(_: &Site, _redirect: &str) -> String {
    "Create one at https://console.cloud.google.com/apis/credentials (Create credentials > \
     OAuth client ID, application type \"Desktop app\"); a desktop client needs no redirect URI \
     registered: Google accepts http://127.0.0.1:PORT/callback on any port. Google also wants the \
     client secret (for a desktop app it is not confidential): set client_secret too, or \
     client_secrets_file = \"PATH\" to the JSON the console downloads"
        .to_owned()
}

/// The token response names `email` and `profile` by their URLs ("OpenID Connect", scopes:
/// `email` and `profile` are the short names of the userinfo.email and userinfo.profile
/// scopes).
const SCOPE_ALIASES: &[(&str, &str)] = &[
    ("email", "https://www.googleapis.com/auth/userinfo.email"),
    (
        "profile",
        "https://www.googleapis.com/auth/userinfo.profile",
    ),
];

/// `access_type=offline` always; `prompt=consent` when no refresh token is stored, because
/// Google sends a refresh token only when the user consents.
pub fn authorize_params(refresh_token_stored: bool) -> Vec<(&'static str, &'static str)> {
    let mut params = vec![("access_type", "offline")];
    if !refresh_token_stored {
        params.push(("prompt", "consent"));
    }
    params
}

#[derive(Deserialize)]
struct ClientSecretsFile {
    installed: Option<Client>,
    web: Option<serde_json::Value>,
}

#[derive(Deserialize)]
struct Client {
    client_id: String,
    client_secret: Option<String>,
}

/// Reads the client id and secret from the JSON Google's console downloads for a desktop
/// client. Errors say what is wrong with the file.
pub fn read_client_secrets(path: &Path) -> Result<(String, Option<String>), String> {
    let text = std::fs::read(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let file: ClientSecretsFile = serde_json::from_slice(&text).map_err(|e| {
        format!(
            "{} is not a client-secrets JSON file from Google's console: {e}",
            path.display()
        )
    })?;
    match (file.installed, file.web) {
        (Some(c), _) => Ok((c.client_id, c.client_secret)),
        (None, Some(_)) => Err(format!(
            "{} is for a \"Web application\" client; oauthcli needs a \"Desktop app\" client \
             (its file has an \"installed\" object)",
            path.display()
        )),
        (None, None) => Err(format!(
            "{} has no \"installed\" object: download the JSON of a \"Desktop app\" client",
            path.display()
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn consent_is_asked_only_without_a_stored_refresh_token() {
        assert_eq!(
            authorize_params(false),
            [("access_type", "offline"), ("prompt", "consent")]
        );
        assert_eq!(authorize_params(true), [("access_type", "offline")]);
    }

    #[test]
    fn client_secrets_file_installed_and_web() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("c.json");
        std::fs::write(
            &p,
            r#"{"installed":{"client_id":"1.apps.googleusercontent.com","project_id":"p","auth_uri":"https://accounts.google.com/o/oauth2/auth","token_uri":"https://oauth2.googleapis.com/token","client_secret":"GOCSPX-x","redirect_uris":["http://localhost"]}}"#,
        )
        .unwrap();
        assert_eq!(
            read_client_secrets(&p).unwrap(),
            (
                "1.apps.googleusercontent.com".into(),
                Some("GOCSPX-x".into())
            )
        );
        std::fs::write(&p, r#"{"web":{"client_id":"w","client_secret":"s"}}"#).unwrap();
        assert!(
            read_client_secrets(&p)
                .unwrap_err()
                .contains("\"Web application\"")
        );
        std::fs::write(&p, "not json").unwrap();
        assert!(
            read_client_secrets(&p)
                .unwrap_err()
                .contains("is not a client-secrets")
        );
    }
}
