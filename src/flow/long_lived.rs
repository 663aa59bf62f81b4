//! A login's short-lived token swapped at once for a long-lived one, where the provider
//! gives no refresh token and so a short-lived login would end within hours
//! (`Quirks::long_lived`): Facebook's `grant_type=fb_exchange_token` at its token endpoint,
//! the app authenticating with its secret ("Long-Lived Access Tokens", `presets::facebook`).
//! Whatever grant obtained the token, the swap is the same, and its answer is what the login
//! checks and stores (`accept`).

use std::borrow::Cow;

use anyhow::{Context, Result};
use oauth2::TokenResponse as _;

use super::Ask;
use super::oauth::TokenResponse;
use crate::output;

/// The response to check and store: `response` itself, or, where the provider's tokens are
/// short-lived, the long-lived one it was swapped for.
pub fn lengthen<'a>(ask: &Ask, response: &'a TokenResponse) -> Result<Cow<'a, TokenResponse>> {
    if !ask.profile.quirks.long_lived {
        return Ok(Cow::Borrowed(response));
    }
    output::verbose(ask.verbose, "swapping the token for a long-lived one");
    let short = response.access_token().secret();
    let swapped = ask
        .oauth
        .extension_grant(
            ask.http,
            &[
                ("grant_type", "fb_exchange_token"),
                ("fb_exchange_token", short),
            ],
        )
        .with_context(|| {
            format!(
                "the provider did not swap the login's short-lived token for a long-lived one: \
                 check that client_secret under [providers.{}] is the app's secret",
                ask.name
            )
        })?;
    Ok(Cow::Owned(swapped))
}
