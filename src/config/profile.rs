//! One provider's profile, resolved from its config table, its preset and the environment
//! (`OAUTHCLI_<NAME>_*`): endpoints, client credentials, scopes, the device client, git hosts.
//! What a resolved profile still needs before a login is `register`'s.

use std::path::Path;

use anyhow::Result;

use super::hints::AccountHints;
use super::{ProviderConfig, env_var};
use crate::auth_method::AuthMethod;
use crate::error;
use crate::http;
use crate::presets::{self, Preset, Quirks, Site};
use crate::secret::Secret;

/// Where a provider's endpoints come from.
#[derive(Debug, Clone, PartialEq)]
pub enum Source {
    /// OpenID discovery at this issuer; any endpoint given by hand overrides discovery's.
    Issuer(String),
    /// Plain OAuth 2.0: endpoints given by hand.
    Manual,
}

/// Everything needed to talk to one provider, resolved.
#[derive(Debug, Clone)]
pub struct Profile {
    pub name: String,
    pub source: Source,
    pub authorization_endpoint: Option<String>,
    pub token_endpoint: Option<String>,
    pub userinfo_endpoint: Option<String>,
    pub revocation_endpoint: Option<String>,
    pub client_id: Option<String>,
    pub client_secret: Option<Secret>,
    pub auth_method: Option<AuthMethod>,
    pub scopes: Vec<String>,
    /// `scopes` are oauthcli's defaults for an OpenID provider (no preset, no `scopes` key).
    pub scopes_default: bool,
    pub email_field: String,
    pub redirect_port: Option<u16>,
    /// The built-in preset, when the provider is one or is based on one.
    pub preset: Option<&'static Preset>,
    pub base_url: Option<String>,
    pub tenant: Option<String>,
    pub graph_version: Option<String>,
    /// Facebook's client token (`client_token`, `OAUTHCLI_<NAME>_CLIENT_TOKEN`), for its
    /// device login.
    pub client_token: Option<Secret>,
    pub quirks: Quirks,
    /// A token in the last quarter of its life is refreshed in the background
    /// (`refresh_ahead`, else `Quirks::refresh_ahead`).
    pub refresh_ahead: bool,
    pub device: bool,
    pub device_authorization_endpoint: Option<String>,
    pub device_client_id: Option<String>,
    pub device_client_secret: Option<Secret>,
    /// The hosts `git-credential` answers for: the preset's, then `git_hosts`.
    pub git_hosts: Vec<String>,
    /// The username git is given with a token: what the preset's host documents, else
    /// `oauth2`, the convention of OAuth-aware git hosts.
    pub git_username: &'static str,
    /// `login_hint`, `hd`, `domain_hint` (`hints`).
    pub hints: AccountHints,
}

/// The default scopes of an OpenID provider: enough for an email and a refresh token.
const OPENID_SCOPES: &[&str] = &["openid", "email", "offline_access"];

pub(super) fn resolve(
    name: &str,
    pc: &ProviderConfig,
    preset: Option<&'static Preset>,
    path: &Path,
    env: impl Fn(&str) -> Option<String>,
) -> Result<Profile> {
    let bad = |key: &str, why: String| {
        error::config(format!(
            "invalid config file {}: providers.{name}.{key}: {why}",
            path.display()
        ))
    };
    let checked = |key: &str, value: &Option<String>| -> Result<Option<String>> {
        match value {
            Some(v) => http::endpoint(v)
                .map(|_| Some(v.clone()))
                .map_err(|e| bad(key, e.to_string())),
            None => Ok(None),
        }
    };
    checked("base_url", &pc.base_url)?;
    let hints = super::hints::resolve(pc, preset, bad)?;
    // The keys of one preset or another, which a table without one cannot have.
    let own: Vec<&str> = [
        ("tenant", pc.tenant.is_some()),
        ("graph_version", pc.graph_version.is_some()),
        ("client_token", pc.client_token.is_some()),
    ]
    .into_iter()
    .filter_map(|(key, set)| set.then_some(key))
    .collect();
    match preset {
        None if pc.base_url.is_some() || !own.is_empty() => {
            let key = if pc.base_url.is_some() {
                "base_url"
            } else {
                own[0]
            };
            return Err(bad(
                key,
                format!(
                    "only a preset has it: add preset = \"NAME\" (built in: {})",
                    presets::names()
                ),
            ));
        }
        Some(p) => {
            if let Some(key) = own.iter().find(|key| !p.keys.contains(key)) {
                return Err(bad(key, format!("the {} preset has no {key}", p.name)));
            }
        }
        None => {}
    }
    // Client credentials: the environment, then the table, then Google's client JSON.
    let from_file = match &pc.client_secrets_file {
        Some(file) => {
            let file = crate::paths::expand_home(file)
                .and_then(|p| presets::google::read_client_secrets(&p).map_err(anyhow::Error::msg))
                .map_err(|e| bad("client_secrets_file", e.to_string()))?;
            Some(file)
        }
        None => None,
    };
    let client_id = env(&env_var(name, "CLIENT_ID"))
        .filter(|v| !v.is_empty())
        .or_else(|| pc.client_id.clone())
        .or_else(|| from_file.as_ref().map(|(id, _)| id.clone()));
    let client_secret = env(&env_var(name, "CLIENT_SECRET"))
        .filter(|v| !v.is_empty())
        .map(Secret::new)
        .or_else(|| pc.client_secret.clone())
        .or_else(|| {
            from_file
                .as_ref()
                .and_then(|(_, s)| s.clone())
                .map(Secret::new)
        });
    let site = Site {
        base_url: pc.base_url.as_deref(),
        tenant: pc.tenant.as_deref(),
        graph_version: pc.graph_version.as_deref(),
        client_id: client_id.as_deref(),
    };
    let defaults = match preset {
        // The preset's own key when one is set (they are what its endpoints are made of).
        Some(p) => {
            (p.defaults)(&site).map_err(|why| bad(own.first().unwrap_or(&"base_url"), why))?
        }
        None => presets::Defaults::default(),
    };
    // The table wins over the preset, key by key.
    let pick = |mine: &Option<String>, preset: &Option<String>| mine.clone().or(preset.clone());
    let issuer = pick(&pc.issuer, &defaults.issuer);
    let authorization_endpoint = pick(&pc.authorization_endpoint, &defaults.authorization_endpoint);
    let token_endpoint = pick(&pc.token_endpoint, &defaults.token_endpoint);
    let source = match &issuer {
        Some(issuer) => {
            checked("issuer", &Some(issuer.clone()))?;
            Source::Issuer(issuer.clone())
        }
        None => {
            for (key, value) in [
                ("authorization_endpoint", &authorization_endpoint),
                ("token_endpoint", &token_endpoint),
            ] {
                if value.is_none() {
                    return Err(bad(
                        key,
                        "missing: give either `issuer` (OpenID discovery) or both \
                         `authorization_endpoint` and `token_endpoint`"
                            .into(),
                    ));
                }
            }
            Source::Manual
        }
    };
    let git_hosts = git_hosts(pc, preset, &site).map_err(|why| bad("git_hosts", why))?;
    let quirks = preset.map(|p| p.quirks).unwrap_or_default();
    if pc.refresh_ahead == Some(true) && quirks.refresh_ends_access {
        return Err(bad(
            "refresh_ahead",
            "this provider ends the access token it handed out when it is refreshed, so a \
             refresh ahead of its end would cut off whoever is using it: remove the key"
                .to_owned(),
        ));
    }
    let is_openid = matches!(source, Source::Issuer(_));
    let scopes_default = pc.scopes.is_none() && preset.is_none() && is_openid;
    let scopes = match (&pc.scopes, preset) {
        (Some(s), _) => s.clone(),
        (None, Some(p)) => p.scopes.iter().map(|s| s.to_string()).collect(),
        (None, None) if is_openid => OPENID_SCOPES.iter().map(|s| s.to_string()).collect(),
        (None, None) => Vec::new(),
    };
    Ok(Profile {
        name: name.to_owned(),
        source,
        authorization_endpoint: checked("authorization_endpoint", &authorization_endpoint)?,
        token_endpoint: checked("token_endpoint", &token_endpoint)?,
        userinfo_endpoint: checked(
            "userinfo_endpoint",
            &pick(&pc.userinfo_endpoint, &defaults.userinfo_endpoint),
        )?,
        revocation_endpoint: checked(
            "revocation_endpoint",
            &pick(&pc.revocation_endpoint, &defaults.revocation_endpoint),
        )?,
        client_id,
        client_secret,
        auth_method: pc
            .token_endpoint_auth_method
            .or(preset.and_then(|p| p.auth_method)),
        scopes,
        scopes_default,
        email_field: pc.email_field.clone().unwrap_or_else(|| "email".into()),
        redirect_port: pc.redirect_port,
        preset,
        base_url: pc.base_url.clone(),
        tenant: pc.tenant.clone(),
        graph_version: pc.graph_version.clone(),
        client_token: env(&env_var(name, "CLIENT_TOKEN"))
            .filter(|v| !v.is_empty())
            .map(Secret::new)
            .or_else(|| pc.client_token.clone()),
        quirks,
        refresh_ahead: pc.refresh_ahead.unwrap_or(quirks.refresh_ahead),
        device: pc.device.unwrap_or(false),
        device_authorization_endpoint: checked(
            "device_authorization_endpoint",
            &pick(
                &pc.device_authorization_endpoint,
                &defaults.device_authorization_endpoint,
            ),
        )?,
        device_client_id: env(&env_var(name, "DEVICE_CLIENT_ID"))
            .filter(|v| !v.is_empty())
            .or_else(|| pc.device_client_id.clone()),
        device_client_secret: env(&env_var(name, "DEVICE_CLIENT_SECRET"))
            .filter(|v| !v.is_empty())
            .map(Secret::new)
            .or_else(|| pc.device_client_secret.clone()),
        git_hosts,
        git_username: preset
            .and_then(|p| p.git.as_ref())
            .map_or("oauth2", |g| g.username),
        hints,
    })
}

/// The preset's git host, then the config's `git_hosts`, each once.
fn git_hosts(
    pc: &ProviderConfig,
    preset: Option<&'static Preset>,
    site: &Site,
) -> std::result::Result<Vec<String>, String> {
    let mut hosts: Vec<String> = preset
        .and_then(|p| p.git.as_ref())
        .and_then(|g| g.host(site))
        .into_iter()
        .collect();
    for entry in pc.git_hosts.iter().flatten() {
        let host = crate::git::check_host(entry)?;
        if !hosts.contains(&host) {
            hosts.push(host);
        }
    }
    Ok(hosts)
}

#[cfg(test)]
mod tests {
    use super::super::{ConfigFile, parse};
    use super::*;

    fn load(text: &str) -> Result<ConfigFile> {
        parse(Path::new("/etc/x.toml"), text)
    }

    fn profile(text: &str, name: &str, env: &[(&str, &str)]) -> Result<Profile> {
        let file = load(text)?;
        let env: Vec<(String, String)> = env
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        let pc = file.providers.get(name).cloned().unwrap_or_default();
        let preset = pc
            .preset
            .as_deref()
            .map(|p| presets::find(p).unwrap())
            .or_else(|| presets::find(name));
        resolve(name, &pc, preset, Path::new("/etc/x.toml"), |k| {
            env.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone())
        })
    }

    #[test]
    fn openid_provider_gets_default_scopes_and_env_overrides() {
        let p = profile(
            "[providers.corp-sso]\nissuer = \"https://login.example.com\"\nclient_id = \"from-file\"\n",
            "corp-sso",
            &[
                ("OAUTHCLI_CORP_SSO_CLIENT_ID", "from-env"),
                ("OAUTHCLI_CORP_SSO_CLIENT_SECRET", "s3cret"),
            ],
        )
        .unwrap();
        assert_eq!(p.source, Source::Issuer("https://login.example.com".into()));
        assert_eq!(p.client_id.as_deref(), Some("from-env"));
        assert_eq!(p.client_secret.as_ref().unwrap().expose(), "s3cret");
        assert_eq!(p.scopes, ["openid", "email", "offline_access"]);
        assert_eq!(p.email_field, "email");
    }

    #[test]
    fn manual_provider_needs_both_endpoints() {
        let err = profile(
            "[providers.legacy]\nauthorization_endpoint = \"https://a.example/authorize\"\n",
            "legacy",
            &[],
        )
        .unwrap_err();
        assert_eq!(
            err.to_string(),
            "invalid config file /etc/x.toml: providers.legacy.token_endpoint: missing: give either \
             `issuer` (OpenID discovery) or both `authorization_endpoint` and `token_endpoint`"
        );
        assert_eq!(crate::error::exit_code(&err), 2);
    }

    #[test]
    fn plain_http_is_refused_off_loopback() {
        let err = profile(
            "[providers.x]\nissuer = \"http://login.example.com\"\n",
            "x",
            &[],
        )
        .unwrap_err();
        assert!(
            err.to_string().starts_with(
                "invalid config file /etc/x.toml: providers.x.issuer: http://login.example.com/ is not https"
            ),
            "{err}"
        );
        assert!(
            profile(
                "[providers.x]\nissuer = \"http://127.0.0.1:4000\"\n",
                "x",
                &[]
            )
            .is_ok()
        );
    }

    #[test]
    fn a_preset_needs_nothing_but_a_client_id() {
        let p = profile("", "google", &[("OAUTHCLI_GOOGLE_CLIENT_ID", "1.apps")]).unwrap();
        assert_eq!(
            p.source,
            Source::Issuer("https://accounts.google.com".into())
        );
        assert_eq!(p.client_id.as_deref(), Some("1.apps"));
        assert_eq!(p.scopes, ["openid", "email"]);
        assert_eq!(p.auth_method, Some(AuthMethod::ClientSecretPost));
        assert_eq!(
            p.revocation_endpoint.as_deref(),
            Some("https://oauth2.googleapis.com/revoke")
        );
        let p = profile("", "microsoft", &[]).unwrap();
        assert_eq!(
            p.source,
            Source::Issuer("https://login.microsoftonline.com/common/v2.0".into())
        );
        assert!(p.quirks.tenant_issuer);
    }

    #[test]
    fn a_table_overrides_its_preset() {
        let p = profile(
            "[providers.work]\npreset = \"gitlab\"\nbase_url = \"https://git.example.com/\"\n\
             client_id = \"w\"\nscopes = [\"openid\"]\n",
            "work",
            &[],
        )
        .unwrap();
        assert_eq!(p.source, Source::Issuer("https://git.example.com".into()));
        assert_eq!(
            p.revocation_endpoint.as_deref(),
            Some("https://git.example.com/oauth/revoke")
        );
        assert_eq!(p.scopes, ["openid"]);
        let p = profile(
            "[providers.github]\nbase_url = \"https://ghe.example.com\"\nclient_id = \"c\"\n\
             token_endpoint = \"https://proxy.example.com/token\"\n",
            "github",
            &[],
        )
        .unwrap();
        assert_eq!(p.source, Source::Manual);
        assert_eq!(
            p.authorization_endpoint.as_deref(),
            Some("https://ghe.example.com/login/oauth/authorize")
        );
        assert_eq!(
            p.token_endpoint.as_deref(),
            Some("https://proxy.example.com/token")
        );
    }

    #[test]
    fn facebooks_own_keys_its_client_token_and_its_localhost_redirect() {
        let p = profile(
            "[providers.facebook]\nclient_id = \"1\"\ngraph_version = \"v24.0\"\n",
            "facebook",
            &[("OAUTHCLI_FACEBOOK_CLIENT_TOKEN", "ct")],
        )
        .unwrap();
        assert_eq!(p.client_token.as_ref().unwrap().expose(), "ct");
        assert_eq!(p.source, Source::Manual);
        assert_eq!(
            p.token_endpoint.as_deref(),
            Some("https://graph.facebook.com/v24.0/oauth/access_token")
        );
        assert_eq!(
            p.loopback_redirect(Some(8765)),
            "http://localhost:8765/callback"
        );
        let google = profile("", "google", &[]).unwrap();
        assert_eq!(google.loopback_redirect(None), "http://127.0.0.1/callback");
        let err = profile(
            "[providers.corp]\nissuer = \"https://a.example\"\nclient_token = \"x\"\n",
            "corp",
            &[],
        )
        .unwrap_err();
        assert!(
            err.to_string().starts_with(
                "invalid config file /etc/x.toml: providers.corp.client_token: only a preset has it"
            ),
            "{err}"
        );
    }

    #[test]
    fn preset_keys_without_a_preset_are_errors() {
        let err = profile(
            "[providers.corp]\nissuer = \"https://a.example\"\nbase_url = \"https://b.example\"\n",
            "corp",
            &[],
        )
        .unwrap_err();
        assert!(
            err.to_string().starts_with(
                "invalid config file /etc/x.toml: providers.corp.base_url: only a preset has it"
            ),
            "{err}"
        );
        let err = profile("[providers.google]\ntenant = \"x\"\n", "google", &[]).unwrap_err();
        assert!(
            err.to_string().ends_with("the google preset has no tenant"),
            "{err}"
        );
        let err = profile(
            "[providers.microsoft]\ntenant = \"a b\"\n",
            "microsoft",
            &[],
        )
        .unwrap_err();
        assert!(
            err.to_string()
                .contains("providers.microsoft.tenant: tenant 'a b'"),
            "{err}"
        );
    }

    #[test]
    fn refresh_ahead_follows_the_preset_and_the_config() {
        let on = |text: &str, name: &str| profile(text, name, &[]).map(|p| p.refresh_ahead);
        assert!(on("", "google").unwrap());
        assert!(on("", "microsoft").unwrap());
        assert!(!on("", "github").unwrap());
        assert!(!on("", "gitlab").unwrap());
        let corp = "[providers.corp]\nissuer = \"https://a.example\"\n";
        assert!(!on(corp, "corp").unwrap());
        assert!(on(&format!("{corp}refresh_ahead = true\n"), "corp").unwrap());
        assert!(!on("[providers.google]\nrefresh_ahead = false\n", "google").unwrap());
        let err = on("[providers.gitlab]\nrefresh_ahead = true\n", "gitlab").unwrap_err();
        assert_eq!(
            err.to_string(),
            "invalid config file /etc/x.toml: providers.gitlab.refresh_ahead: this provider ends \
             the access token it handed out when it is refreshed, so a refresh ahead of its end \
             would cut off whoever is using it: remove the key"
        );
    }
}
