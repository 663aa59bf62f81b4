//! Which dialect a provider's device login speaks (`presets::DeviceDialect`): RFC 8628's, or
//! Facebook's (`device_graph`). Either answers with RFC 8628's device authorization response
//! and token responses, and its errors name RFC 8628's codes, so the device grant checks,
//! shows and polls them all alike (`device`, `device_poll`); only the two requests differ.
//!
//! Facebook's needs the app's client token, which the config alone can show to be missing:
//! [`client_token`] says so before anything else is asked of the provider or the keychain.

use std::path::Path;

use anyhow::Result;
use oauth2::{DeviceCode, StandardDeviceAuthorizationResponse};

use super::Ask;
use super::device_graph;
use super::oauth::TokenResponse;
use crate::config::{Profile, env_var};
use crate::error;
use crate::presets::DeviceDialect;
use crate::secret::Secret;

/// A device login's two requests, at the device authorization endpoint `endpoint`.
pub enum Dialect<'a> {
    Rfc8628 {
        endpoint: &'a str,
    },
    FacebookGraph {
        endpoint: &'a str,
        client_token: &'a Secret,
    },
}

/// The client token the profile's dialect needs (`None` for RFC 8628's); a configuration
/// error (exit 2) when it needs one and none is set.
pub fn client_token<'a>(profile: &'a Profile, config: &Path) -> Result<Option<&'a Secret>> {
    match profile.quirks.device {
        DeviceDialect::Rfc8628 => Ok(None),
        DeviceDialect::FacebookGraph => match &profile.client_token {
            Some(token) => Ok(Some(token)),
            None => Err(error::config(format!(
                "the device login of '{name}' needs the app's client token: set client_token \
                 under [providers.{name}] in {} or the variable {} (the app's dashboard, App \
                 settings > Advanced > Security > Client token), and turn on \"Login from \
                 Devices\" under Facebook Login > Settings",
                config.display(),
                env_var(&profile.name, "CLIENT_TOKEN"),
                name = profile.name,
            ))),
        },
    }
}

/// The dialect of `profile`'s device login at `endpoint`.
pub fn of<'a>(profile: &'a Profile, endpoint: &'a str, config: &Path) -> Result<Dialect<'a>> {
    Ok(match client_token(profile, config)? {
        Some(client_token) => Dialect::FacebookGraph {
            endpoint,
            client_token,
        },
        None => Dialect::Rfc8628 { endpoint },
    })
}

impl Dialect<'_> {
    /// The device authorization request (RFC 8628 §3.1), not checked yet (`device_check`).
    pub fn authorize(&self, ask: &Ask) -> Result<StandardDeviceAuthorizationResponse> {
        match *self {
            Dialect::Rfc8628 { endpoint } => ask
                .oauth
                .device_authorization(ask.http, endpoint, ask.scopes),
            Dialect::FacebookGraph {
                endpoint,
                client_token,
            } => device_graph::authorize(ask, endpoint, client_token),
        }
    }

    /// One poll (RFC 8628 §3.4): the tokens, or the error that says how the login stands.
    pub fn poll(&self, ask: &Ask, device_code: &DeviceCode) -> Result<TokenResponse> {
        match *self {
            Dialect::Rfc8628 { .. } => ask.oauth.poll_device(ask.http, device_code),
            Dialect::FacebookGraph {
                endpoint,
                client_token,
            } => device_graph::poll(ask, endpoint, client_token, device_code),
        }
    }
}
