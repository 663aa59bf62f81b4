//! How the authorization server's refusals reach the code that branches on them.
//!
//! [`ProviderError`] keeps the provider's `error` code (RFC 6749 §5.2), because callers branch
//! on it (`invalid_grant` means "log in again"). A provider's own name for a standard code is
//! translated by the aliases its preset declares (`Preset::error_aliases`), and only for that
//! preset: a provider from the config alone keeps every code as it sent it, so that a code
//! that means something at GitHub means nothing elsewhere. [`Unavailable`] is a gateway's
//! answer in the provider's place.

use std::fmt;

use oauth2::basic::BasicErrorResponse;

use crate::presets::ErrorAliases;

/// The provider refused a request and said why (RFC 6749 §5.2, RFC 7009 §2.2.1).
#[derive(Debug)]
pub struct ProviderError {
    pub endpoint: String,
    /// The RFC 6749 §5.2 code.
    pub error: String,
    /// The provider's own code, when it used another name for `error`.
    pub provider_code: Option<String>,
    pub description: Option<String>,
}

impl ProviderError {
    pub(super) fn new(
        endpoint: &str,
        resp: &BasicErrorResponse,
        aliases: ErrorAliases,
    ) -> ProviderError {
        let code = resp.error().as_ref();
        let standard = aliases
            .iter()
            .find(|(theirs, _)| *theirs == code)
            .map(|(_, ours)| *ours);
        ProviderError {
            endpoint: endpoint.to_owned(),
            error: standard.unwrap_or(code).to_owned(),
            provider_code: standard.map(|_| code.to_owned()),
            description: resp.error_description().cloned(),
        }
    }
}

impl fmt::Display for ProviderError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.provider_code {
            Some(code) => write!(f, "{} answered `{code}` (`{}`)", self.endpoint, self.error)?,
            None => write!(f, "{} answered `{}`", self.endpoint, self.error)?,
        }
        if let Some(d) = &self.description {
            write!(f, ": {d}")?;
        }
        Ok(())
    }
}

impl std::error::Error for ProviderError {}

/// A gateway answered instead of the provider (HTTP 502, 503 or 504, RFC 9110 §15.6): the
/// provider, or the way to it, is down for a moment, and the same request may well succeed a
/// little later.
#[derive(Debug)]
pub struct Unavailable(pub(super) String);

impl fmt::Display for Unavailable {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Unavailable {}

#[cfg(test)]
mod tests {
    use super::*;

    fn error(code: &str) -> BasicErrorResponse {
        serde_json::from_value(serde_json::json!({ "error": code, "error_description": "d" }))
            .unwrap()
    }

    #[test]
    fn a_provider_code_is_translated_only_by_its_presets_aliases() {
        let github = crate::presets::github::PRESET.error_aliases;
        let ours = ProviderError::new(
            "https://gh.example/token",
            &error("bad_refresh_token"),
            github,
        );
        assert_eq!(ours.error, "invalid_grant");
        assert_eq!(ours.provider_code.as_deref(), Some("bad_refresh_token"));
        assert_eq!(
            ours.to_string(),
            "https://gh.example/token answered `bad_refresh_token` (`invalid_grant`): d"
        );
        // The same code from a provider without a preset is its own: nothing to branch on.
        let generic =
            ProviderError::new("https://a.example/token", &error("bad_refresh_token"), &[]);
        assert_eq!(generic.error, "bad_refresh_token");
        assert_eq!(generic.provider_code, None);
        assert_eq!(
            generic.to_string(),
            "https://a.example/token answered `bad_refresh_token`: d"
        );
        // Nor does another preset's alias apply (Microsoft's `authorization_declined`).
        let declined = ProviderError::new(
            "https://gh.example/token",
            &error("authorization_declined"),
            github,
        );
        assert_eq!(declined.error, "authorization_declined");
    }
}
