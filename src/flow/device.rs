//! The device authorization grant (RFC 8628): a login from a machine with no browser, the
//! code entered on any other device. The client asks the device authorization endpoint
//! for a code (§3.1), shows it (`device_display`) once it passed the checks
//! (`device_check`), and polls the token endpoint (§3.4) until the user approved or
//! refused, or the code expired (§3.5).
//!
//! Polling respects the provider (SECURITY.md row 19): the first request waits `interval` like
//! every other, `slow_down` adds 5 s for good, and it stops at `expires_in` (or `--timeout`)
//! without another request. Ctrl-C while it waits ends the process with 130 and nothing
//! stored (`flow::interrupt`: no listener waits, so the handler exits at once).
//!
//! What this grant asks of the config is checked before anything else (`check_config`):
//! an endpoint, and the device client's secret when that client needs one.

use std::path::Path;
use std::thread::sleep;
use std::time::{Duration, Instant};

use anyhow::Result;

use super::device_check::{self, Checked};
use super::device_display::{self, Asker};
use super::oauth::{ProviderError, TokenResponse};
use super::{Ask, Obtained};
use crate::auth_method::AuthMethod;
use crate::config::{Profile, Source, env_var};
use crate::error::{self, Failure};
use crate::http::HttpError;
use crate::output;
use crate::term::escape;

/// RFC 8628 §3.5: `slow_down` adds 5 s to the interval, for this and every later request.
const SLOW_DOWN: Duration = Duration::from_secs(5);

/// The profile the device grant logs in with: the same, with the device client
/// (`device_client_id`, `device_client_secret`) in place of the usual one when there is
/// one. A configuration error (exit 2) when the config alone shows that the grant cannot
/// work, before the keychain or the provider is asked anything.
pub fn check_config(profile: &Profile, config: &Path) -> Result<Profile> {
    if profile.source == Source::Manual && profile.device_authorization_endpoint.is_none() {
        return Err(no_endpoint(profile, config));
    }
    let Some(id) = &profile.device_client_id else {
        return Ok(profile.clone());
    };
    let needs_secret = profile.auth_method.is_some_and(|m| m != AuthMethod::None);
    if needs_secret && profile.device_client_secret.is_none() {
        return Err(error::config(format!(
            "provider '{name}' has a device client ({id}) but no secret for it: set \
             device_client_secret under [providers.{name}] in {} or the variable {}",
            config.display(),
            env_var(&profile.name, "DEVICE_CLIENT_SECRET"),
            name = profile.name,
        )));
    }
    let mut device = profile.clone();
    device.client_id = Some(id.clone());
    device.client_secret = profile.device_client_secret.clone();
    Ok(device)
}

fn no_endpoint(profile: &Profile, config: &Path) -> anyhow::Error {
    error::config(format!(
        "provider '{name}' has no device authorization endpoint, so --device cannot be used: set \
         device_authorization_endpoint under [providers.{name}] in {}, or log in without --device",
        config.display(),
        name = profile.name,
    ))
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

/// Runs the grant; `config` is the config file, for the error that names its key.
pub fn obtain(ask: &Ask, config: &Path) -> Result<Obtained> {
    let name = ask.name;
    let Some(endpoint) = ask.ep.device_authorization.as_deref() else {
        // Discovery told: the provider publishes no `device_authorization_endpoint`.
        return Err(no_endpoint(ask.profile, config));
    };
    output::verbose(
        ask.verbose,
        &format!("device authorization endpoint {endpoint}"),
    );
    let resp = ask
        .oauth
        .device_authorization(ask.http, endpoint, ask.scopes)
        .map_err(|e| request_failed(ask, endpoint, e))?;
    let received = Instant::now();
    let code = device_check::check(&resp, endpoint)?;
    let client_id = ask.profile.client_id.as_deref().unwrap_or_default();
    let who = Asker {
        name,
        issuer: &ask.ep.issuer,
        client_id,
    };
    device_display::show(&who, &code, ask.clipboard, ask.timeout);
    let response = poll(ask, &code, received)?;
    Ok(Obtained {
        response,
        // The device grant has no authorization request to carry a nonce (RFC 8628 §3.1).
        nonce: None,
        browser: None,
    })
}

/// What a failed device authorization request means for the user.
fn request_failed(ask: &Ask, endpoint: &str, e: anyhow::Error) -> anyhow::Error {
    let name = ask.name;
    if let Some(pe) = e.downcast_ref::<ProviderError>() {
        let why = escape(&pe.to_string());
        let msg = match pe.error.as_str() {
            "invalid_client" | "unauthorized_client" => {
                let how = match ask.profile.preset {
                    Some(p) => format!(": {}", (p.enable_device)(&site(ask.profile))),
                    None => ": allow the device authorization grant for this client at the \
                               provider"
                        .to_owned(),
                };
                format!("the provider does not let this client use the device grant ({why}){how}")
            }
            "unsupported_grant_type" => format!(
                "the provider does not support the device grant ({why}): log in to '{name}' \
                 without --device"
            ),
            _ => format!("the device authorization request was refused ({why})"),
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

fn site(profile: &Profile) -> crate::provider::presets::Site<'_> {
    crate::provider::presets::Site {
        base_url: profile.base_url.as_deref(),
        tenant: profile.tenant.as_deref(),
        client_id: profile.client_id.as_deref(),
    }
}

/// Polls the token endpoint (RFC 8628 §3.4, §3.5) until the login is decided, the code
/// expires or `--timeout` passes, whichever comes first.
fn poll(ask: &Ask, code: &Checked, received: Instant) -> Result<TokenResponse> {
    let name = ask.name;
    let expires = received + code.expires_in;
    let timeout = received + Duration::from_secs(ask.timeout);
    let deadline = expires.min(timeout);
    let mut interval = code.interval;
    loop {
        let now = Instant::now();
        if now + interval > deadline {
            // No request would come back before the deadline: wait for it, then give up.
            sleep(deadline.saturating_duration_since(now));
            return Err(match deadline < expires {
                true => Failure::Login(format!(
                    "timed out after {} s waiting for the login to be approved: run 'oauthcli \
                     login {name} --device' again (--timeout SECS gives more time)",
                    ask.timeout
                )),
                false => expired(name),
            }
            .into());
        }
        sleep(interval);
        output::debug("polling the token endpoint");
        let err = match ask.oauth.poll_device(ask.http, &code.device_code) {
            Ok(tokens) => return Ok(tokens),
            Err(e) => e,
        };
        let Some(pe) = err.downcast_ref::<ProviderError>() else {
            return Err(err.context(format!("the login to '{name}' failed; nothing was stored")));
        };
        match pe.error.as_str() {
            "authorization_pending" => {}
            "slow_down" => {
                interval += SLOW_DOWN;
                output::verbose(
                    ask.verbose,
                    &format!(
                        "the provider asked to slow down: polling every {} s",
                        interval.as_secs()
                    ),
                );
            }
            "access_denied" => {
                return Err(Failure::Login(format!(
                    "the login was refused at the provider ({}); nothing was stored",
                    escape(&pe.to_string())
                ))
                .into());
            }
            // oidc-provider answers an expired device code with `invalid_grant`.
            "expired_token" | "invalid_grant" => return Err(expired(name).into()),
            _ => {
                return Err(
                    err.context(format!("the login to '{name}' failed; nothing was stored"))
                );
            }
        }
    }
}

fn expired(name: &str) -> Failure {
    Failure::Login(format!(
        "the code expired before the login was approved; nothing was stored: start again with \
         'oauthcli login {name} --device'"
    ))
}
