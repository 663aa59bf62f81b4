//! Facebook Login for Devices, the device dialect of the `facebook` preset (sources in
//! `presets::facebook`): the code is asked of `device/login` and polled at
//! `device/login_status`, both with `access_token=APP_ID|CLIENT_TOKEN`, and their answers
//! are made into RFC 8628's (§3.2, §3.5), so that the one check, display and poll loop of
//! the device grant serve it:
//! - the answer's `code` is the device code; its other fields have RFC 8628's names already;
//! - an approved login answers `access_token` and `expires_in` without a `token_type`: its
//!   token is a user access token as the dialog's are, which the Graph API takes as a Bearer
//!   token, and which the login swaps for a long-lived one next (`long_lived`);
//! - the errors are Graph API errors, whose subcodes the preset's aliases name as RFC 8628's
//!   (`authorization_pending`, `slow_down`, `expired_token`, `access_denied`), read by
//!   `oauth_error` as every token endpoint's.

use anyhow::{Result, anyhow};
use oauth2::http::header::{ACCEPT, CONTENT_TYPE};
use oauth2::url::form_urlencoded;
use oauth2::{DeviceCode, StandardDeviceAuthorizationResponse, SyncHttpClient};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use super::Ask;
use super::oauth::TokenResponse;
use super::oauth_error;
use crate::secret::Secret;

/// The answer of `device/login`, written out again under RFC 8628's names.
#[derive(Deserialize, Serialize)]
struct Code {
    #[serde(rename(deserialize = "code", serialize = "device_code"))]
    code: String,
    user_code: String,
    verification_uri: String,
    expires_in: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    interval: Option<u64>,
}

/// The answer of `device/login_status` once the login is approved.
#[derive(Deserialize)]
struct Approved {
    access_token: Secret,
    #[serde(default)]
    expires_in: Option<u64>,
}

/// Asks `endpoint` (`device/login`) for a code for the login's scopes.
pub fn authorize(
    ask: &Ask,
    endpoint: &str,
    client_token: &Secret,
) -> Result<StandardDeviceAuthorizationResponse> {
    let scope = ask.scopes.join(",");
    let code: Code = post(ask, endpoint, client_token, &[("scope", &scope)])?;
    Ok(serde_json::from_value(serde_json::to_value(code)?)?)
}

/// Polls `endpoint`'s status (`device/login_status`) once.
pub fn poll(
    ask: &Ask,
    endpoint: &str,
    client_token: &Secret,
    code: &DeviceCode,
) -> Result<TokenResponse> {
    // `device/login` → `device/login_status`.
    let status = format!("{endpoint}_status");
    let approved: Approved = post(ask, &status, client_token, &[("code", code.secret())])?;
    let mut response = serde_json::json!({
        "access_token": approved.access_token.expose(),
        "token_type": "bearer",
    });
    if let Some(expires_in) = approved.expires_in {
        response["expires_in"] = expires_in.into();
    }
    Ok(serde_json::from_value(response)?)
}

/// A form POST to `url` with the app's `access_token=APP_ID|CLIENT_TOKEN` and `pairs`.
fn post<T: DeserializeOwned>(
    ask: &Ask,
    url: &str,
    client_token: &Secret,
    pairs: &[(&str, &str)],
) -> Result<T> {
    let app = ask.profile.client_id.as_deref().unwrap_or_default();
    let access_token = format!("{app}|{}", client_token.expose());
    let mut form = form_urlencoded::Serializer::new(String::new());
    form.append_pair("access_token", &access_token);
    form.extend_pairs(pairs);
    let request = oauth2::http::Request::post(url)
        .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(ACCEPT, "application/json")
        .body(form.finish().into_bytes())?;
    let response = ask
        .http
        .call(request)
        .map_err(|e| anyhow!(e).context(format!("request to {url} failed")))?;
    oauth_error::answer(url, &response, ask.oauth.error_aliases())
}
