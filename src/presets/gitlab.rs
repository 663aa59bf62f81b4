//! GitLab: gitlab.com or a self-managed instance (`base_url`); OpenID Connect.
//!
//! Sources:
//! - "OAuth 2.0 identity provider API" (docs.gitlab.com/api/oauth2): authorization code with
//!   PKCE for public clients without the client secret; tokens answered with
//!   `"expires_in": 7200`; a refresh "invalidates the existing access_token and
//!   refresh_token" and sends new ones; revocation at `/oauth/revoke`; "This functionality is
//!   based on the doorkeeper Ruby gem".
//! - Revoking the refresh token ends its access token too: doorkeeper keeps both in one
//!   `oauth_access_tokens` record and revokes the record (`Doorkeeper::AccessToken#revoke`,
//!   reached from the revoke endpoint by either token), so one request is enough.
//! - Loopback redirect ports: doorkeeper's redirect URI check ignores the port when both the
//!   registered and the requested URI are on a loopback IP (RFC 8252 §7.3; doorkeeper pull
//!   request #1182, 2019, `URIChecker.matches?`), for IP literals only, not for `localhost`
//!   (gitlab-org/gitlab issue 435764: a `localhost` URI with a port is refused). So
//!   `http://127.0.0.1/callback` registered once serves every port; an instance too old for
//!   that needs the exact URI with a fixed port, and `redirect_port` in the config.
//! - Git over HTTPS takes an OAuth access token as the password with the username `oauth2`
//!   ("OAuth 2.0 identity provider API", "Access Git over HTTPS with access token"; GitLab
//!   17.1 and later accept any username, merge request 152282, older instances only that one).
//! - Discovery at `/.well-known/openid-configuration` with `userinfo_endpoint`
//!   `/oauth/userinfo`, where the email is when the ID token lacks it.
//! - ID tokens live 120 s: doorkeeper-openid_connect's default `expiration`, which GitLab
//!   keeps unless an instance sets `openid_id_token_expire_in_seconds` (gitlab-org/gitlab
//!   issue 377654; omnibus-gitlab merge request 8192); every token response whose scope holds
//!   `openid`, a refresh's too, carries a new one (the gem's `OAuth::TokenResponse#body`).
//! - The device authorization grant, GitLab 17.1 and later ("Supported OAuth 2.0 flows"):
//!   `POST /oauth/authorize_device`, then the token endpoint as RFC 8628 §3.4 says.

use super::{Defaults, GitHost, Preset, Quirks, Revocation, Site};

pub static PRESET: Preset = Preset {
    name: "gitlab",
    scopes: &["openid", "email"],
    // A public application ("Confidential" unticked) sends no secret; one with a secret
    // authenticates as discovery allows.
    auth_method: None,
    needs_secret: false,
    keys: &[],
    quirks: Quirks {
        revocation: Revocation::Grant,
        // GitLab's OAuth 2.0 API documentation: a refresh "Invalidates the existing
        // access_token and refresh_token".
        refresh_ends_access: true,
        ..Quirks::STANDARD
    },
    defaults,
    register,
    redirect_refused,
    error_aliases: &[],
    device_scopes: None,
    enable_device,
    git: Some(GitHost {
        web: BASE,
        username: "oauth2",
    }),
};

const BASE: &str = "https://gitlab.com";

fn defaults(site: &Site) -> Result<Defaults, String> {
    let base = site.base_or(BASE);
    Ok(Defaults {
        issuer: Some(base.clone()),
        revocation_endpoint: Some(format!("{base}/oauth/revoke")),
        device_authorization_endpoint: Some(format!("{base}/oauth/authorize_device")),
        ..Defaults::default()
    })
}

fn enable_device(site: &Site) -> String {
    format!(
        "the device authorization grant needs GitLab 17.1 or later and an application at \
         {}/-/user_settings/applications with the scopes openid and email",
        site.base_or(BASE)
    )
}

fn register(site: &Site, redirect: &str) -> String {
    let base = site.base_or(BASE);
    format!(
        "Register an application at {base}/-/user_settings/applications (or under a group or the \
         instance's admin area), untick \"Confidential\", tick the scopes openid and email, with the \
         redirect URI {redirect}. GitLab accepts a 127.0.0.1 redirect on any port (RFC 8252 §7.3); an \
         instance that demands the exact port needs http://127.0.0.1:PORT/callback registered and \
         redirect_port = PORT in the config"
    )
}

fn redirect_refused(site: &Site, redirect: &str) -> String {
    format!(
        "register the redirect URI {redirect} in the application at \
         {}/-/user_settings/applications; an instance that matches the port exactly needs a \
         fixed port: http://127.0.0.1:PORT/callback registered, and redirect_port = PORT in the \
         config (or --port PORT)",
        site.base_or(BASE)
    )
}
