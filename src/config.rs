//! The configuration: file, environment and flags resolved into one provider profile.
//!
//! Precedence, highest first: flags, `OAUTHCLI_*` variables, the config file, defaults.
//! Secrets come from the file or the environment only, never from a flag (`cli.md`).
//! Every error here is a [`Failure::Config`](crate::error::Failure) (exit 2) that names the
//! file, the provider and the key, and says what to change.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::Result;
use serde::Deserialize;

use crate::cli::{GlobalArgs, StorageKind};
use crate::error;
use crate::http;
use crate::secret::Secret;

/// The config file as written.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConfigFile {
    pub storage: Option<StorageKind>,
    #[serde(default)]
    pub providers: BTreeMap<String, ProviderConfig>,
}

/// One `[providers.NAME]` table. Endpoint keys use the OpenID discovery names.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProviderConfig {
    pub issuer: Option<String>,
    pub authorization_endpoint: Option<String>,
    pub token_endpoint: Option<String>,
    pub userinfo_endpoint: Option<String>,
    pub revocation_endpoint: Option<String>,
    pub email_field: Option<String>,
    pub client_id: Option<String>,
    pub client_secret: Option<Secret>,
    pub token_endpoint_auth_method: Option<AuthMethod>,
    pub scopes: Option<Vec<String>>,
    pub redirect_port: Option<u16>,
}

/// How a client authenticates at the token endpoint (RFC 6749 §2.3.1, OpenID Core §9).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AuthMethod {
    ClientSecretBasic,
    ClientSecretPost,
    None,
}

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
    pub email_field: String,
    pub redirect_port: Option<u16>,
}

/// The default scopes of an OpenID provider: enough for an email and a refresh token.
const OPENID_SCOPES: &[&str] = &["openid", "email", "offline_access"];

/// The loaded configuration and the global flags.
#[derive(Debug)]
pub struct Settings {
    pub path: PathBuf,
    pub file: ConfigFile,
    /// `--storage` or `$OAUTHCLI_STORAGE`, when given.
    pub storage_flag: Option<StorageKind>,
    pub verbose: u8,
}

impl Settings {
    /// Reads the config file named by the flags, or the default one (which may be absent).
    pub fn load(global: &GlobalArgs) -> Result<Settings> {
        let (path, explicit) = match &global.config {
            Some(p) => (p.clone(), true),
            None => (crate::paths::default_config_file()?, false),
        };
        let file = match std::fs::read_to_string(&path) {
            Ok(text) => parse(&path, &text)?,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound && !explicit => {
                ConfigFile::default()
            }
            Err(e) => {
                return Err(error::config(format!(
                    "cannot read the config file {}: {e}",
                    path.display()
                )));
            }
        };
        Ok(Settings {
            path,
            file,
            storage_flag: global.storage,
            verbose: global.verbose,
        })
    }

    /// The storage chosen by flag, environment or config file, if any.
    pub fn explicit_storage(&self) -> Option<StorageKind> {
        self.storage_flag.or(self.file.storage)
    }

    /// The provider `login` uses when none is named: the only configured one.
    pub fn sole_provider(&self) -> Result<String> {
        let names: Vec<&String> = self.file.providers.keys().collect();
        match names.as_slice() {
            [one] => Ok((*one).clone()),
            [] => Err(error::config(format!(
                "no provider is configured: add a [providers.NAME] table to {} (see the README)",
                self.path.display()
            ))),
            many => Err(error::config(format!(
                "several providers are configured ({}): name one, as in 'oauthcli login {}'",
                join(many),
                many[0]
            ))),
        }
    }

    /// Resolves the named provider: config file, then environment overrides.
    pub fn profile(&self, name: &str) -> Result<Profile> {
        let Some(pc) = self.file.providers.get(name) else {
            let known: Vec<&String> = self.file.providers.keys().collect();
            let hint = if known.is_empty() {
                format!(
                    "no provider is configured in {}; add a [providers.{name}] table (see the README)",
                    self.path.display()
                )
            } else {
                format!("configured in {}: {}", self.path.display(), join(&known))
            };
            return Err(error::config(format!("unknown provider '{name}' ({hint})")));
        };
        resolve(name, pc, &self.path, |var| std::env::var(var).ok())
    }
}

fn join(names: &[&String]) -> String {
    names
        .iter()
        .map(|s| s.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

/// Parses the config text; errors name the file and the line.
fn parse(path: &Path, text: &str) -> Result<ConfigFile> {
    let file: ConfigFile = toml::from_str(text).map_err(|e| {
        let line = e
            .span()
            .map(|s| text[..s.start.min(text.len())].matches('\n').count() + 1);
        let at = line.map(|l| format!(", line {l}")).unwrap_or_default();
        error::config(format!(
            "invalid config file {}{at}: {}",
            path.display(),
            e.message().trim()
        ))
    })?;
    for name in file.providers.keys() {
        check_name(name).map_err(|why| {
            error::config(format!(
                "invalid config file {}: provider name '{name}' {why}",
                path.display()
            ))
        })?;
    }
    Ok(file)
}

/// Provider names become file names and parts of variable names, so they stay plain.
pub fn check_name(name: &str) -> std::result::Result<(), &'static str> {
    let ok = !name.is_empty()
        && name.len() <= 64
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_')
        && name.as_bytes()[0].is_ascii_alphanumeric();
    if ok {
        Ok(())
    } else {
        Err("must be 1-64 lower-case letters, digits, '-' or '_', starting with a letter or digit")
    }
}

/// The environment variable holding a provider's setting: `OAUTHCLI_<NAME>_<KEY>`,
/// NAME upper-cased with `-` as `_` (`cli.md`).
pub fn env_var(name: &str, key: &str) -> String {
    format!(
        "OAUTHCLI_{}_{key}",
        name.to_ascii_uppercase().replace('-', "_")
    )
}

fn resolve(
    name: &str,
    pc: &ProviderConfig,
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
    let source = match &pc.issuer {
        Some(issuer) => {
            checked("issuer", &pc.issuer)?;
            Source::Issuer(issuer.clone())
        }
        None => {
            for (key, value) in [
                ("authorization_endpoint", &pc.authorization_endpoint),
                ("token_endpoint", &pc.token_endpoint),
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
    let is_openid = matches!(source, Source::Issuer(_));
    let scopes = match &pc.scopes {
        Some(s) => s.clone(),
        None if is_openid => OPENID_SCOPES.iter().map(|s| s.to_string()).collect(),
        None => Vec::new(),
    };
    let client_id = env(&env_var(name, "CLIENT_ID"))
        .filter(|v| !v.is_empty())
        .or_else(|| pc.client_id.clone());
    let client_secret = env(&env_var(name, "CLIENT_SECRET"))
        .filter(|v| !v.is_empty())
        .map(Secret::new)
        .or_else(|| pc.client_secret.clone());
    Ok(Profile {
        name: name.to_owned(),
        source,
        authorization_endpoint: checked("authorization_endpoint", &pc.authorization_endpoint)?,
        token_endpoint: checked("token_endpoint", &pc.token_endpoint)?,
        userinfo_endpoint: checked("userinfo_endpoint", &pc.userinfo_endpoint)?,
        revocation_endpoint: checked("revocation_endpoint", &pc.revocation_endpoint)?,
        client_id,
        client_secret,
        auth_method: pc.token_endpoint_auth_method,
        scopes,
        email_field: pc.email_field.clone().unwrap_or_else(|| "email".into()),
        redirect_port: pc.redirect_port,
    })
}

impl Profile {
    /// The client id, or an error that says where to put one.
    pub fn require_client_id(&self, config_path: &Path) -> Result<&str> {
        self.client_id.as_deref().ok_or_else(|| {
            error::config(format!(
                "no client id for provider '{name}': set client_id under [providers.{name}] in {path} \
                 or the variable {var}. Register a native (desktop) app at the provider with the \
                 redirect URI http://127.0.0.1/callback (any port)",
                name = self.name,
                path = config_path.display(),
                var = env_var(&self.name, "CLIENT_ID"),
            ))
        })
    }
}

#[cfg(test)]
mod tests {
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
        resolve(name, &file.providers[name], Path::new("/etc/x.toml"), |k| {
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
    fn syntax_errors_name_file_and_line() {
        let err = load("storage = \"file\"\n\n[providers.x]\nissuer = \n").unwrap_err();
        let msg = err.to_string();
        assert!(
            msg.starts_with("invalid config file /etc/x.toml, line 4: "),
            "{msg}"
        );
        assert_eq!(crate::error::exit_code(&err), 2);
    }

    #[test]
    fn unknown_keys_and_bad_storage_are_errors() {
        let err = load("[providers.x]\nissuer = \"https://a\"\nclient_idd = \"x\"\n").unwrap_err();
        assert!(err.to_string().contains("line 3"), "{err}");
        assert!(err.to_string().contains("client_idd"), "{err}");
        let err = load("storage = \"floppy\"\n").unwrap_err();
        assert!(err.to_string().contains("line 1"), "{err}");
    }

    #[test]
    fn provider_names_stay_plain() {
        assert!(check_name("corp-sso_2").is_ok());
        for bad in ["", "Corp", "a/b", "../x", "-x", "a b"] {
            assert!(check_name(bad).is_err(), "{bad}");
        }
        let err = load("[providers.\"../evil\"]\nissuer = \"https://a\"\n").unwrap_err();
        assert!(err.to_string().contains("provider name '../evil'"), "{err}");
    }

    #[test]
    fn env_var_names() {
        assert_eq!(
            env_var("corp-sso", "CLIENT_ID"),
            "OAUTHCLI_CORP_SSO_CLIENT_ID"
        );
    }
}
