//! How the authorization server's refusals reach the code that branches on them.
//!
//! [`ProviderError`] keeps the provider's `error` code (RFC 6749 §5.2), because callers branch
//! on it (`invalid_grant` means "log in again"). A provider's own name for a standard code is
//! translated by the aliases its preset declares (`Preset::error_aliases`), and only for that
//! preset: a provider from the config alone keeps every code as it sent it, so that a code
//! that means something at GitHub means nothing elsewhere. A body that is no RFC 6749 error
//! may be a Graph API error object (Facebook's, `presets::facebook::GraphError`), whose code
//! is named by its `error_subcode` or `code` and translated by the same rule. [`Unavailable`]
//! is a gateway's answer in the provider's place.

use std::fmt;

use anyhow::{Result, anyhow};
use oauth2::HttpResponse;
use oauth2::basic::BasicErrorResponse;
use serde::de::DeserializeOwned;

use crate::presets::ErrorAliases;
use crate::presets::facebook::GraphError;

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
        ProviderError::named(
            endpoint,
            resp.error().as_ref(),
            resp.error_description().cloned(),
            aliases,
        )
    }

    /// The error a body says: an RFC 6749 §5.2 one, or a Graph API one; `None` when it is
    /// neither.
    pub(super) fn from_body(
        endpoint: &str,
        body: &[u8],
        aliases: ErrorAliases,
    ) -> Option<ProviderError> {
        if let Ok(resp) = serde_json::from_slice::<BasicErrorResponse>(body) {
            return Some(ProviderError::new(endpoint, &resp, aliases));
        }
        let graph = GraphError::parse(body)?;
        Some(ProviderError::named(
            endpoint,
            &graph.key(),
            Some(graph.describe()),
            aliases,
        ))
    }

    fn named(
        endpoint: &str,
        code: &str,
        description: Option<String>,
        aliases: ErrorAliases,
    ) -> ProviderError {
        let standard = aliases
            .iter()
            .find(|(theirs, _)| *theirs == code)
            .map(|(_, ours)| *ours);
        ProviderError {
            endpoint: endpoint.to_owned(),
            error: standard.unwrap_or(code).to_owned(),
            provider_code: standard.map(|_| code.to_owned()),
            description,
        }
    }
}

/// What a token-style endpoint at `url` answered (RFC 6749 §5.1, RFC 8628 §3.4): the `T` of
/// a successful answer; the error it said (`ProviderError`, even with HTTP 200, as GitHub
/// sends its errors); a gateway's answer (`Unavailable`); or what else came.
pub(super) fn answer<T: DeserializeOwned>(
    url: &str,
    response: &HttpResponse,
    aliases: ErrorAliases,
) -> Result<T> {
    let status = response.status();
    if matches!(status.as_u16(), 502..=504) {
        return Err(Unavailable(format!("{url} answered HTTP {status}")).into());
    }
    let parsed = serde_json::from_slice::<T>(response.body());
    if status.is_success()
        && let Ok(value) = parsed
    {
        return Ok(value);
    }
    match (
        ProviderError::from_body(url, response.body(), aliases),
        parsed,
    ) {
        (Some(pe), _) => Err(pe.into()),
        (None, Err(e)) if status.is_success() => Err(anyhow!(
            "{url} answered with something that is not a valid response: {e}"
        )),
        (None, _) => Err(anyhow!("{url} answered HTTP {status}")),
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

    #[test]
    fn a_graph_api_error_is_named_by_its_subcode_and_translated_for_facebook_alone() {
        let body = br#"{"error": {"message": "User request limit reached", "type": "OAuthException", "code": 17, "error_subcode": 1349172, "fbtrace_id": "Xy"}}"#;
        let url = "https://graph.example/v25.0/device/login_status";
        let facebook = crate::presets::facebook::PRESET.error_aliases;
        let ours = ProviderError::from_body(url, body, facebook).unwrap();
        assert_eq!(ours.error, "slow_down");
        assert_eq!(
            ours.to_string(),
            format!(
                "{url} answered `error_subcode 1349172` (`slow_down`): User request limit \
                 reached [fbtrace_id Xy]"
            )
        );
        let generic = ProviderError::from_body(url, body, &[]).unwrap();
        assert_eq!(generic.error, "error_subcode 1349172");
        assert_eq!(generic.provider_code, None);
        assert!(ProviderError::from_body(url, b"<html>", facebook).is_none());
    }
}
