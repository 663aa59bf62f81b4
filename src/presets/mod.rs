//! The built-in providers (`google`, `github`, `microsoft`, `gitlab`, `facebook`): what each
//! one knows (endpoints, default scopes, client authentication, where to register an app) and
//! the quirks that break naive clients, one file per provider (or folder: `facebook/`).
//!
//! The core never names a provider: it asks a profile's [`Quirks`], which are plain data, and
//! calls the few provider-specific functions a quirk points to. A preset is a `Preset` value in
//! its own file plus one line in [`ALL`]. Every fact here cites the provider's documentation.

pub mod facebook;
pub mod github;
mod gitlab;
pub mod google;
pub mod microsoft;

use crate::auth_method::AuthMethod;

/// A provider's own error codes and the RFC 6749 §5.2 (or RFC 8628 §3.5) codes they stand
/// for: `(theirs, ours)`.
pub type ErrorAliases = &'static [(&'static str, &'static str)];

/// Where the email of a login comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EmailSource {
    /// The ID token's `email`, else the userinfo endpoint's `email_field` (OpenID Core §5.4).
    Standard,
    /// The ID token's `email`, else its `preferred_username`; stderr says when it was used.
    IdTokenOrPreferredUsername,
    /// GitHub's `GET /user/emails`: the primary, verified address.
    GitHubEmails,
    /// Facebook's Graph API `GET /me?fields=id,email`, with `appsecret_proof`; the `id` is
    /// the subject.
    FacebookMe,
}

/// How `logout` revokes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Revocation {
    /// RFC 7009 at the revocation endpoint: the refresh token, then the access token.
    Rfc7009,
    /// RFC 7009, but revoking either token ends the whole grant, and a second call for the
    /// other (already dead) token is answered with an error: send one token only.
    Grant,
    /// GitHub's own API: `DELETE /applications/{client_id}/token` with basic auth.
    GitHub,
    /// Facebook's Graph API: `DELETE /me/permissions` with the access token, which takes
    /// the app away from the user's account and so ends every token of its login.
    FacebookPermissions,
    /// None at all: what `logout` says instead, how long the tokens live on and where the
    /// user ends them (Microsoft).
    Unsupported(&'static str),
}

/// How a provider's device login is asked for and polled (`flow::device_dialect`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeviceDialect {
    /// RFC 8628: the device authorization endpoint, then the token endpoint.
    Rfc8628,
    /// Facebook Login for Devices: `device/login` and `device/login_status` of the Graph API,
    /// with the app's client token, and Graph API errors with numeric subcodes.
    FacebookGraph,
}

/// The provider-specific behaviour of a profile. A provider from the config alone has the
/// defaults: standard OpenID / OAuth 2.0 behaviour ([`Quirks::STANDARD`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Quirks {
    pub email: EmailSource,
    pub revocation: Revocation,
    /// Refresh tokens only with `access_type=offline`; and `prompt=consent` is needed for a
    /// new one when the user consented before (Google).
    pub offline_access_type: bool,
    /// Discovery's `issuer` is a template holding `{tenantid}`; an ID token is checked against
    /// the issuer its own `tid` names (Microsoft).
    pub tenant_issuer: bool,
    /// The token response's `scope` lists the granted scopes separated by commas, not by
    /// spaces as RFC 6749 §3.3 has it (GitHub).
    pub comma_scopes: bool,
    /// The scopes asked for are sent separated by commas, not by spaces (Facebook).
    pub comma_scope_request: bool,
    /// ID tokens may name the issuer without `https://` (Google).
    pub schemeless_issuer: bool,
    /// The authorization parameter, and config key, that names the user's organisation's
    /// domain: Google's `hd`, Microsoft's `domain_hint`.
    pub domain_hint: Option<&'static str>,
    /// Scopes the token response names otherwise than they were asked for (Google).
    pub scope_aliases: &'static [(&'static str, &'static str)],
    /// The loopback redirect names `localhost`, not `127.0.0.1`, because the provider takes
    /// no other (Facebook); the listener still binds 127.0.0.1 alone.
    pub localhost_redirect: bool,
    /// A login's token is short-lived and comes without a refresh token; the login swaps it
    /// at once for a long-lived one (Facebook's `fb_exchange_token`, `flow::long_lived`).
    pub long_lived: bool,
    /// With no refresh token, a new login is due when the token ends: `token` says so this
    /// many seconds before (Facebook's logins last about 60 days).
    pub relogin_warning: Option<u64>,
    /// A refresh ends the access token issued before it (GitLab), so a token got for other
    /// scopes (`token --scope`) ends the login's own, and the other way round.
    pub refresh_ends_access: bool,
    /// A refresh is documented to leave the access tokens issued before it valid until they
    /// expire, so a token may be refreshed ahead of its end while the one just handed out
    /// is still in use (`commands::ahead`). Unknown for a provider without a preset: its
    /// config opts in with `refresh_ahead = true`.
    pub refresh_ahead: bool,
    pub device: DeviceDialect,
}

impl Quirks {
    /// Standard OpenID / OAuth 2.0 behaviour; a preset names only what differs from it.
    pub const STANDARD: Quirks = Quirks {
        email: EmailSource::Standard,
        revocation: Revocation::Rfc7009,
        offline_access_type: false,
        tenant_issuer: false,
        comma_scopes: false,
        comma_scope_request: false,
        schemeless_issuer: false,
        localhost_redirect: false,
        long_lived: false,
        relogin_warning: None,
        refresh_ends_access: false,
        refresh_ahead: false,
        device: DeviceDialect::Rfc8628,
        domain_hint: None,
        scope_aliases: &[],
    };
}

impl Default for Quirks {
    fn default() -> Self {
        Quirks::STANDARD
    }
}

impl Quirks {
    /// Extra authorization-request parameters.
    pub fn authorize_params(
        &self,
        refresh_token_stored: bool,
    ) -> Vec<(&'static str, &'static str)> {
        if self.offline_access_type {
            google::authorize_params(refresh_token_stored)
        } else {
            Vec::new()
        }
    }
}

/// The settings a preset's endpoints depend on, from the provider's config table.
#[derive(Debug, Clone, Copy, Default)]
pub struct Site<'a> {
    /// `base_url`: a self-hosted instance (GitHub Enterprise Server, GitLab self-managed) or
    /// a local stand-in in the tests.
    pub base_url: Option<&'a str>,
    /// `tenant` (Microsoft).
    pub tenant: Option<&'a str>,
    /// `graph_version` (Facebook).
    pub graph_version: Option<&'a str>,
    pub client_id: Option<&'a str>,
}

impl Site<'_> {
    /// The base URL without a trailing slash, or the given default.
    pub fn base_or(&self, default: &str) -> String {
        self.base_url
            .unwrap_or(default)
            .trim_end_matches('/')
            .to_owned()
    }
}

/// What a preset contributes to a profile; the config table overrides any of it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Defaults {
    pub issuer: Option<String>,
    pub authorization_endpoint: Option<String>,
    pub token_endpoint: Option<String>,
    pub userinfo_endpoint: Option<String>,
    pub revocation_endpoint: Option<String>,
    /// The device authorization endpoint (RFC 8628 §3.1), when discovery does not give it.
    pub device_authorization_endpoint: Option<String>,
}

/// One built-in provider.
#[derive(Debug)]
pub struct Preset {
    pub name: &'static str,
    pub scopes: &'static [&'static str],
    /// How the client authenticates at the token endpoint, unless the config says otherwise;
    /// `None` leaves it to the usual rule (`provider::Endpoints::auth_method`).
    pub auth_method: Option<AuthMethod>,
    /// The provider refuses a code exchange without the client secret.
    pub needs_secret: bool,
    /// The config keys this preset alone understands (Microsoft's `tenant`).
    pub keys: &'static [&'static str],
    pub quirks: Quirks,
    /// Endpoints for the given site; an error says which setting is wrong.
    pub defaults: fn(&Site) -> Result<Defaults, String>,
    /// Where and how to register an app, given the redirect URI to register.
    pub register: fn(&Site, &str) -> String,
    /// What to do when the provider refuses the loopback redirect (its error page instead
    /// of a login page), given the redirect URI to register.
    pub redirect_refused: fn(&Site, &str) -> String,
    /// The provider's own token-endpoint error codes that mean an RFC 6749 §5.2 one; used
    /// for this preset's providers alone (`OAuth::with_error_aliases`).
    pub error_aliases: ErrorAliases,
    /// The only scopes the provider allows with the device grant, when it restricts them.
    pub device_scopes: Option<&'static [&'static str]>,
    /// Where to allow the device grant for a client, for the error that says it is not.
    pub enable_device: fn(&Site) -> String,
    /// The provider hosts git repositories, and takes its access tokens over https.
    pub git: Option<GitHost>,
}

/// Where a preset's git repositories are, and the username it wants with a token.
#[derive(Debug)]
pub struct GitHost {
    /// The web root whose host serves git, unless `base_url` names another.
    pub web: &'static str,
    /// What the host's documentation says to give as the username with an OAuth token.
    pub username: &'static str,
}

impl GitHost {
    /// The git host (`host` or `host:port`) for a site.
    pub fn host(&self, site: &Site) -> Option<String> {
        crate::git::host_of(&site.base_or(self.web))
    }
}

/// Every preset, in the order `oauthcli providers` lists them.
pub static ALL: [&Preset; 5] = [
    &google::PRESET,
    &github::PRESET,
    &microsoft::PRESET,
    &gitlab::PRESET,
    &facebook::PRESET,
];

/// The preset of this name.
pub fn find(name: &str) -> Option<&'static Preset> {
    ALL.iter().copied().find(|p| p.name == name)
}

/// The preset names, comma-separated, for messages.
pub fn names() -> String {
    ALL.iter().map(|p| p.name).collect::<Vec<_>>().join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_preset_resolves_its_defaults_without_settings() {
        for p in ALL {
            let site = Site {
                client_id: Some("cid"),
                ..Site::default()
            };
            let d = (p.defaults)(&site).unwrap();
            assert!(
                d.issuer.is_some() || d.token_endpoint.is_some(),
                "{}",
                p.name
            );
            for url in [
                d.issuer,
                d.token_endpoint,
                d.revocation_endpoint,
                d.device_authorization_endpoint,
            ]
            .into_iter()
            .flatten()
            {
                assert!(url.starts_with("https://"), "{url}");
            }
            assert!(find(p.name).is_some());
        }
        assert!(find("yahoo").is_none());
    }

    #[test]
    fn device_authorization_endpoints_of_the_presets() {
        let site = Site {
            tenant: Some("contoso.com"),
            ..Site::default()
        };
        let device = |p: &Preset| (p.defaults)(&site).unwrap().device_authorization_endpoint;
        assert_eq!(
            device(&github::PRESET).as_deref(),
            Some("https://github.com/login/device/code")
        );
        assert_eq!(
            device(&microsoft::PRESET).as_deref(),
            Some("https://login.microsoftonline.com/contoso.com/oauth2/v2.0/devicecode")
        );
        assert_eq!(
            device(&gitlab::PRESET).as_deref(),
            Some("https://gitlab.com/oauth/authorize_device")
        );
        assert_eq!(
            device(&google::PRESET).as_deref(),
            Some("https://oauth2.googleapis.com/device/code")
        );
        assert_eq!(
            device(&facebook::PRESET).as_deref(),
            Some("https://graph.facebook.com/v25.0/device/login")
        );
        let ghes = Site {
            base_url: Some("https://ghe.example.com"),
            ..Site::default()
        };
        assert_eq!(
            (github::PRESET.defaults)(&ghes)
                .unwrap()
                .device_authorization_endpoint
                .as_deref(),
            Some("https://ghe.example.com/login/device/code")
        );
    }

    /// Every alias names a code of RFC 6749 §5.2 or RFC 8628 §3.5, and no preset renames
    /// one of those codes itself.
    #[test]
    fn error_aliases_name_standard_codes() {
        const STANDARD: [&str; 11] = [
            "invalid_request",
            "invalid_client",
            "invalid_grant",
            "unauthorized_client",
            "unsupported_grant_type",
            "invalid_scope",
            "access_denied",
            "authorization_pending",
            "slow_down",
            "expired_token",
            "temporarily_unavailable",
        ];
        for p in ALL {
            for (theirs, ours) in p.error_aliases {
                assert!(STANDARD.contains(ours), "{}: {ours}", p.name);
                assert!(!STANDARD.contains(theirs), "{}: {theirs}", p.name);
            }
        }
        assert!(
            microsoft::PRESET
                .error_aliases
                .contains(&("authorization_declined", "access_denied"))
        );
        assert!(
            github::PRESET
                .error_aliases
                .contains(&("bad_refresh_token", "invalid_grant"))
        );
    }
}
