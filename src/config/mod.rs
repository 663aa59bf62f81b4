//! The configuration: file, environment and flags resolved into one provider profile.
//!
//! Precedence, highest first: flags, `OAUTHCLI_*` variables, the config file, the built-in
//! preset the provider is named after (or names with `preset`), defaults.
//! Secrets come from the file or the environment only, never from a flag (README).
//! Every error here is a [`Failure::Config`](crate::error::Failure) (exit 2) that names the
//! file, the provider and the key, and says what to change.
//!
//! This file owns the file and the settings; `profile` resolves one provider from them.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::Result;
use serde::Deserialize;

use crate::auth_method::AuthMethod;
use crate::cli::{GlobalArgs, StorageKind};
use crate::error;
use crate::presets;

pub mod hints;
mod profile;
mod register;
use crate::secret::Secret;
pub use profile::{Profile, Source};

/// The config file as written.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConfigFile {
    pub storage: Option<StorageKind>,
    /// A PEM file of CA certificates to trust besides the built-in roots (relative to the
    /// config file's directory).
    pub ca_file: Option<PathBuf>,
    #[serde(default)]
    pub providers: BTreeMap<String, ProviderConfig>,
}

/// One `[providers.NAME]` table. Endpoint keys use the OpenID discovery names.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProviderConfig {
    /// The built-in preset this provider is based on; by default the one of the same name.
    pub preset: Option<String>,
    /// A preset's site: GitHub Enterprise Server, a self-managed GitLab.
    pub base_url: Option<String>,
    /// Microsoft's tenant: `common` (default), `organizations`, `consumers`, an id or a domain.
    pub tenant: Option<String>,
    /// Facebook's Graph API version of every endpoint (`v25.0`).
    pub graph_version: Option<String>,
    /// Facebook's client token, which its device login sends with the app id.
    pub client_token: Option<Secret>,
    /// The client JSON Google's console downloads (`{"installed": {...}}`); `~/` is home.
    pub client_secrets_file: Option<String>,
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
    /// This client may use the device authorization grant (RFC 8628): the headless default.
    pub device: Option<bool>,
    pub device_authorization_endpoint: Option<String>,
    /// A client of its own for the device grant (Google's "TVs and Limited Input devices").
    pub device_client_id: Option<String>,
    pub device_client_secret: Option<Secret>,
    /// Refresh a token in the last quarter of its life, in the background, handing out the
    /// old one meanwhile; the preset's default, off for a provider without one.
    pub refresh_ahead: Option<bool>,
    /// More hosts whose git repositories take this provider's tokens (`host` or `host:port`).
    pub git_hosts: Option<Vec<String>>,
    /// The account the provider should offer first (OpenID `login_hint`).
    pub login_hint: Option<String>,
    /// Google: the Workspace domain (`hd`); the ID token must name it.
    pub hd: Option<String>,
    /// Microsoft: the tenant's domain (`domain_hint`).
    pub domain_hint: Option<String>,
}

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
    /// Reads the config file named by the flags, or the default one (which may be absent);
    /// `storage` is the command's `--storage` (or `$OAUTHCLI_STORAGE`), where it has one.
    pub fn load(global: &GlobalArgs, storage: Option<StorageKind>) -> Result<Settings> {
        let (path, explicit) = match &global.config {
            Some(p) => (p.clone(), true),
            None => (crate::paths::default_config_file()?, false),
        };
        let file = match read(&path) {
            Ok((text, meta)) => {
                let file = parse(&path, &text)?;
                let holds_secret = file.providers.values().any(|p| p.client_secret.is_some());
                crate::config_mode::check(&path, &meta, holds_secret)?;
                file
            }
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
            storage_flag: storage,
            verbose: global.verbose,
        })
    }

    /// The extra CA file of the config, if any, relative paths taken from the config's
    /// directory.
    pub fn ca_file(&self) -> Option<PathBuf> {
        let file = self.file.ca_file.as_ref()?;
        Some(match self.path.parent() {
            Some(dir) if file.is_relative() => dir.join(file),
            _ => file.clone(),
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
                "name the provider to log in to: one of the built-in {}, or one you add as a \
                 [providers.NAME] table to {} (see the README)",
                presets::names(),
                self.path.display()
            ))),
            many => Err(error::config(format!(
                "several providers are configured ({}): name one, as in 'oauthcli login {}'",
                join(many),
                many[0]
            ))),
        }
    }

    /// Resolves the named provider: its preset, the config file, then environment overrides.
    pub fn profile(&self, name: &str) -> Result<Profile> {
        let table = self.file.providers.get(name);
        let preset = match table.and_then(|t| t.preset.as_deref()) {
            Some(p) => Some(presets::find(p).ok_or_else(|| {
                error::config(format!(
                    "invalid config file {}: providers.{name}.preset: no preset is called '{p}' \
                     (built in: {})",
                    self.path.display(),
                    presets::names()
                ))
            })?),
            None => presets::find(name),
        };
        let pc = match (table, preset) {
            (Some(t), _) => t.clone(),
            (None, Some(_)) => ProviderConfig::default(),
            (None, None) => return Err(self.unknown(name)),
        };
        profile::resolve(name, &pc, preset, &self.path, |var| std::env::var(var).ok())
    }

    /// "Unknown provider" (exit 2) for a name that is neither configured nor built in: the
    /// known ones, and the closest of them when one is close.
    pub fn unknown(&self, name: &str) -> anyhow::Error {
        let known: Vec<&String> = self.file.providers.keys().collect();
        let hint = if known.is_empty() {
            format!(
                "no provider is configured in {}; add a [providers.{name}] table (see the README)",
                self.path.display()
            )
        } else {
            format!("configured in {}: {}", self.path.display(), join(&known))
        };
        let mean = did_you_mean(name, &known)
            .map(|m| format!(": did you mean '{m}'?"))
            .unwrap_or_default();
        error::config(format!(
            "unknown provider '{name}'{mean} ({hint}; built in: {})",
            presets::names()
        ))
    }

    /// Is `name` a configured provider or a preset?
    pub fn knows(&self, name: &str) -> bool {
        self.file.providers.contains_key(name) || presets::find(name).is_some()
    }

    /// The client secret of a provider's client `client_id` (its own client, or its device
    /// client), when the provider is known and has one.
    pub fn secret_for(&self, name: &str, client_id: &str) -> Result<Option<Secret>> {
        if !self.knows(name) {
            return Ok(None);
        }
        let profile = self.profile(name)?;
        match profile.device_client_id.as_deref() {
            Some(device) if device == client_id => Ok(profile.device_client_secret),
            _ => Ok(profile.client_secret),
        }
    }
}

/// The configured or built-in name closest to a mistyped one, if one is close (the measure
/// and threshold clap uses for its own suggestions).
fn did_you_mean<'a>(name: &str, configured: &[&'a String]) -> Option<&'a str> {
    configured
        .iter()
        .map(|s| s.as_str())
        .chain(presets::ALL.iter().map(|p| p.name))
        .map(|known| (strsim::jaro_winkler(name, known), known))
        .filter(|(score, _)| *score > 0.7)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, known)| known)
}

/// The config text and the metadata of the file it was read from (the same file, even if
/// the path is changed in between).
fn read(path: &Path) -> std::io::Result<(String, std::fs::Metadata)> {
    let mut file = std::fs::File::open(path)?;
    let meta = file.metadata()?;
    let mut text = String::new();
    std::io::Read::read_to_string(&mut file, &mut text)?;
    Ok((text, meta))
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
    let mut prefixes: BTreeMap<String, &String> = BTreeMap::new();
    for name in file.providers.keys() {
        crate::name::check(name).map_err(|why| {
            error::config(format!(
                "invalid config file {}: provider name '{name}' {why}",
                path.display()
            ))
        })?;
        // `a-b` and `a_b` would read each other's secret from the environment.
        let prefix = env_var(name, "");
        if let Some(other) = prefixes.insert(prefix.clone(), name) {
            return Err(error::config(format!(
                "invalid config file {}: providers '{other}' and '{name}' would share the \
                 environment variables {prefix}*: rename one",
                path.display()
            )));
        }
    }
    Ok(file)
}

/// The environment variable holding a provider's setting: `OAUTHCLI_<NAME>_<KEY>`,
/// NAME upper-cased with `-` as `_` (README).
pub fn env_var(name: &str, key: &str) -> String {
    format!(
        "OAUTHCLI_{}_{key}",
        name.to_ascii_uppercase().replace('-', "_")
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn load(text: &str) -> Result<ConfigFile> {
        parse(Path::new("/etc/x.toml"), text)
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
    fn a_config_with_a_name_that_is_not_plain_is_refused() {
        let err = load("[providers.\"../evil\"]\nissuer = \"https://a\"\n").unwrap_err();
        assert!(err.to_string().contains("provider name '../evil'"), "{err}");
    }

    #[test]
    fn names_that_share_environment_variables_are_refused() {
        let err = load(
            "[providers.corp-sso]\nissuer = \"https://a\"\n[providers.corp_sso]\nissuer = \"https://b\"\n",
        )
        .unwrap_err();
        assert_eq!(
            err.to_string(),
            "invalid config file /etc/x.toml: providers 'corp-sso' and 'corp_sso' would share the \
             environment variables OAUTHCLI_CORP_SSO_*: rename one"
        );
    }

    #[test]
    fn a_mistyped_name_gets_a_suggestion() {
        let corp = "corp-sso".to_owned();
        assert_eq!(did_you_mean("gogle", &[]), Some("google"));
        assert_eq!(did_you_mean("githbu", &[]), Some("github"));
        assert_eq!(did_you_mean("corp-ss", &[&corp]), Some("corp-sso"));
        assert_eq!(did_you_mean("nope", &[&corp]), None);
    }

    #[test]
    fn env_var_names() {
        assert_eq!(
            env_var("corp-sso", "CLIENT_ID"),
            "OAUTHCLI_CORP_SSO_CLIENT_ID"
        );
    }
}
