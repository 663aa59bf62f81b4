//! Account hints of a provider's config: `login_hint` (OpenID Core §3.1.2.1: the account the
//! provider should offer first), and the organisation's domain under the name its preset
//! uses, Google's `hd` (a Google Workspace domain) or Microsoft's `domain_hint` (the tenant's
//! domain, which skips the account picker's home realm discovery).
//!
//! A domain key belongs to the preset that documents it: `hd` elsewhere would be sent to a
//! provider that ignores it, and the user would believe the login restricted to a domain.

use anyhow::Result;

use super::ProviderConfig;
use crate::presets::Preset;

/// The hints a login sends with its authorization request.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AccountHints {
    pub login_hint: Option<String>,
    /// The domain parameter (`hd`, `domain_hint`) and its value.
    pub domain: Option<(&'static str, String)>,
}

/// The hints of `pc`; a domain key its preset does not use is a configuration error.
pub fn resolve(
    pc: &ProviderConfig,
    preset: Option<&'static Preset>,
    bad: impl Fn(&str, String) -> anyhow::Error,
) -> Result<AccountHints> {
    let own = preset.and_then(|p| p.quirks.domain_hint);
    let mut domain = None;
    for (key, value) in [("hd", &pc.hd), ("domain_hint", &pc.domain_hint)] {
        let Some(value) = value else { continue };
        if own != Some(key) {
            let instead = match own {
                Some(k) => format!("; this provider's preset takes `{k}`"),
                None => String::new(),
            };
            return Err(bad(
                key,
                format!(
                    "`{key}` is a key of the {} preset only{instead}",
                    match key {
                        "hd" => "google",
                        _ => "microsoft",
                    }
                ),
            ));
        }
        domain = Some((key, plain(value).map_err(|why| bad(key, why))?));
    }
    let login_hint = match &pc.login_hint {
        Some(v) => Some(plain(v).map_err(|why| bad("login_hint", why))?),
        None => None,
    };
    Ok(AccountHints { login_hint, domain })
}

/// A hint as a provider takes it: an account or a domain, without spaces or control
/// characters (which no account has, and which would only garble the request's meaning).
/// Also the parser of `--login-hint`.
pub fn plain(value: &str) -> Result<String, String> {
    if value.is_empty() || value.chars().any(|c| c.is_control() || c.is_whitespace()) {
        return Err(format!(
            "'{}' is not an account or a domain: it must be non-empty, without spaces or \
             control characters",
            crate::term::escape(value)
        ));
    }
    Ok(value.to_owned())
}
