//! The device authorization grant (RFC 8628): a login from a machine with no browser, the
//! code entered on any other device. The client asks the device authorization endpoint
//! for a code (§3.1), shows it (`device_display`) once it passed the checks
//! (`device_check`), and polls the token endpoint (§3.4) until the user approved or
//! refused, or the code expired (§3.5).
//!
//! Polling, and what each answer means, is `device_poll`'s; the two requests are those of
//! the provider's dialect (`device_dialect`: RFC 8628's, or Facebook's).
//!
//! What this grant asks of the config is checked before anything else: the device client's
//! secret when that client needs one, and the client token of Facebook's dialect
//! (`check_config`), and, once the endpoints are resolved
//! and before the keychain or the lock file is touched, its endpoint (`endpoint`). An error that
//! says the grant cannot be used gives advice that fits how it came to be used ([`Chosen`]):
//! `--device` typed, or `device = true` on a machine that can show no browser.

use std::path::Path;
use std::time::Instant;

use anyhow::Result;

use super::device_check;
use super::device_dialect;
use super::device_display::{self, Asker};
use super::device_poll;
use super::oauth::ProviderError;
use super::{Ask, Obtained};
use crate::auth_method::AuthMethod;
use crate::config::{Profile, env_var};
use crate::error::{self, Failure};
use crate::http::HttpError;
use crate::output;
use crate::provider::Endpoints;
use crate::term::escape;

/// How the device grant came to be used, and the config file, for the advice of an error.
#[derive(Debug, Clone, Copy)]
pub struct Chosen<'a> {
    /// The config file.
    pub config: &'a Path,
    /// Chosen for the user: `device = true` on a machine that can show no browser, without
    /// `--device` (`flow::choose`).
    pub by_config: bool,
}

impl Chosen<'_> {
    /// The command that starts this login again.
    pub fn again(&self, name: &str) -> String {
        match self.by_config {
            true => format!("oauthcli login {name}"),
            false => format!("oauthcli login {name} --device"),
        }
    }

    /// How to log in to `name` without the device grant.
    fn instead(&self, name: &str) -> String {
        match self.by_config {
            true => format!(
                "set device = false under [providers.{name}] in {}, or log in to '{name}' with \
                 --no-browser (or --browser)",
                self.config.display()
            ),
            false => format!("log in to '{name}' without --device"),
        }
    }
}

/// The profile the device grant logs in with: the same, with the device client
/// (`device_client_id`, `device_client_secret`) in place of the usual one when there is
/// one. A configuration error (exit 2) when the config alone shows that the grant cannot
/// work, before the keychain or the provider is asked anything.
pub fn check_config(profile: &Profile, chosen: &Chosen) -> Result<Profile> {
    device_dialect::client_token(profile, chosen.config)?;
    let Some(id) = &profile.device_client_id else {
        return Ok(profile.clone());
    };
    let needs_secret = profile.auth_method.is_some_and(|m| m != AuthMethod::None);
    if needs_secret && profile.device_client_secret.is_none() {
        return Err(error::config(format!(
            "provider '{name}' has a device client ({id}) but no secret for it: set \
             device_client_secret under [providers.{name}] in {} or the variable {}",
            chosen.config.display(),
            env_var(&profile.name, "DEVICE_CLIENT_SECRET"),
            name = profile.name,
        )));
    }
    let mut device = profile.clone();
    device.client_id = Some(id.clone());
    device.client_secret = profile.device_client_secret.clone();
    Ok(device)
}

/// The device authorization endpoint (RFC 8628 §4: `device_authorization_endpoint`, from
/// the config or discovery); a configuration error naming that key when there is none.
pub fn endpoint<'a>(profile: &Profile, ep: &'a Endpoints, chosen: &Chosen) -> Result<&'a str> {
    ep.device_authorization
        .as_deref()
        .ok_or_else(|| no_endpoint(profile, chosen))
}

fn no_endpoint(profile: &Profile, chosen: &Chosen) -> anyhow::Error {
    let name = &profile.name;
    let set = format!(
        "set device_authorization_endpoint under [providers.{name}] in {}",
        chosen.config.display()
    );
    error::config(match chosen.by_config {
        true => format!(
            "provider '{name}' has no device authorization endpoint, yet its config says device = \
             true, which a machine that can show no browser uses: {set} (or device = false \
             there), or log in to '{name}' with --no-browser (or --browser)"
        ),
        false => format!(
            "provider '{name}' has no device authorization endpoint, so --device cannot be used: \
             {set}, or log in without --device"
        ),
    })
}

/// The scopes to ask for with the device grant, and a line saying which were left out: some
/// providers allow only a few (Google: `openid`, `email`, `profile`).
pub fn scopes(profile: &Profile, scopes: &[String]) -> (Vec<String>, Option<String>) {
    let Some(allowed) = profile.preset.and_then(|p| p.device_scopes) else {
        return (scopes.to_vec(), None);
    };
    let (kept, dropped): (Vec<String>, Vec<String>) = scopes
        .iter()
        .cloned()
        .partition(|s| allowed.contains(&s.as_str()));
    let note = (!dropped.is_empty()).then(|| {
        format!(
            "The device grant of '{}' allows only the scopes {}: not asking for {}.",
            profile.name,
            allowed.join(", "),
            dropped.join(", ")
        )
    });
    (kept, note)
}

/// Runs the grant with the device authorization endpoint `endpoint` ([`endpoint`]).
pub fn obtain(ask: &Ask, endpoint: &str, chosen: &Chosen) -> Result<Obtained> {
    let name = ask.name;
    output::verbose(
        ask.verbose,
        &format!("device authorization endpoint {endpoint}"),
    );
    let dialect = device_dialect::of(ask.profile, endpoint, chosen.config)?;
    let resp = dialect
        .authorize(ask)
        .map_err(|e| request_failed(ask, chosen, endpoint, e))?;
    let received = Instant::now();
    let code = device_check::check(&resp, endpoint)?;
    let client_id = ask.profile.client_id.as_deref().unwrap_or_default();
    let who = Asker {
        name,
        issuer: &ask.ep.issuer,
        client_id,
    };
    device_display::show(&who, &code, ask.clipboard);
    let response = device_poll::poll(ask, chosen, &dialect, &code, received)?;
    Ok(Obtained {
        response,
        // The device grant has no authorization request to carry a nonce (RFC 8628 §3.1).
        nonce: None,
        browser: None,
    })
}

/// What a failed device authorization request means for the user.
fn request_failed(ask: &Ask, chosen: &Chosen, endpoint: &str, e: anyhow::Error) -> anyhow::Error {
    if let Some(pe) = e.downcast_ref::<ProviderError>() {
        let why = escape(&pe.to_string());
        let msg = match pe.error.as_str() {
            "invalid_client" | "unauthorized_client" => not_allowed(ask, &why),
            "unsupported_grant_type" => unsupported(ask, chosen, &why),
            _ => format!(
                "the device authorization request was refused ({why}){}",
                enable_hint(ask)
            ),
        };
        return Failure::Login(format!("{msg}; nothing was stored")).into();
    }
    let stalled = e.chain().any(|c| {
        c.downcast_ref::<HttpError>()
            .is_some_and(HttpError::is_timeout)
    });
    if stalled {
        return e.context(format!(
            "{endpoint} did not answer within {} s ($OAUTHCLI_HTTP_TIMEOUT gives more); nothing \
             was stored",
            ask.http.timeout().as_secs()
        ));
    }
    e.context(format!(
        "the device authorization request to {endpoint} failed; nothing was stored"
    ))
}

/// The provider does not let this client use the device grant (`why`, escaped), and where
/// to allow it.
pub(super) fn not_allowed(ask: &Ask, why: &str) -> String {
    let how = match ask.profile.preset {
        Some(_) => enable_hint(ask),
        None => ": allow the device authorization grant for this client at the provider".to_owned(),
    };
    format!("the provider does not let this client use the device grant ({why}){how}")
}

/// Where a preset's provider allows the device grant for a client, after a colon; nothing
/// for a provider from the config alone, whose settings oauthcli does not know.
fn enable_hint(ask: &Ask) -> String {
    ask.profile
        .preset
        .map(|p| format!(": {}", (p.enable_device)(&ask.profile.site())))
        .unwrap_or_default()
}

/// The provider has no device grant at all (`why`, escaped).
pub(super) fn unsupported(ask: &Ask, chosen: &Chosen, why: &str) -> String {
    format!(
        "the provider does not support the device grant ({why}): {}",
        chosen.instead(ask.name)
    )
}
