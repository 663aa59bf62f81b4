//! Polling for the device grant (RFC 8628 §3.4, §3.5) until the user approved or refused, or
//! the code expired, and what each answer means for the user. A poll is the token endpoint's
//! request of RFC 8628, or its counterpart in the provider's dialect (`device_dialect`), whose
//! answers mean the same.
//!
//! Polling respects the provider (SECURITY.md row 19): the first request waits `interval` like
//! every other, `slow_down` adds 5 s for good, and it stops at `expires_in` (or `--timeout`)
//! without another request. Ctrl-C while it waits ends the process with 130 and nothing
//! stored (`flow::interrupt`: no listener waits, so the handler exits at once).
//!
//! A poll that fails on the way (a gateway's 502, 503 or 504; a connection refused, reset or
//! closed mid-answer; a timeout) is tried again after the interval, which a timeout doubles
//! (§3.5); each says so at `-v`. [`MAX_FAILURES`] in a row end the login, and one at the
//! deadline is named in its error. Certificate errors and anything the provider said are not
//! tried again.
//!
//! Only `expired_token` says that the code expired (§3.5). `invalid_grant` says that the
//! provider does not accept the device code, which is how some providers answer an expired
//! one (oidc-provider once it has forgotten the code: "grant request is invalid") and others
//! a wrong one (GitHub's `incorrect_device_code`): the message names what the provider said.

use std::time::{Duration, Instant};

use anyhow::Result;

use super::Ask;
use super::device::{self, Chosen};
use super::device_check::{Checked, MAX_INTERVAL};
use super::device_dialect::Dialect;
use super::oauth::{ProviderError, TokenResponse, Unavailable};
use super::progress::Progress;
use crate::error::Failure;
use crate::http::HttpError;
use crate::output;
use crate::term::escape;

/// RFC 8628 §3.5: `slow_down` adds 5 s to the interval, for this and every later request.
const SLOW_DOWN: Duration = Duration::from_secs(5);
/// How many polls in a row may fail on the way (a gateway's 502, 503 or 504, a connection
/// reset or refused, a timeout) before the login gives up: a provider that stays down for
/// that many intervals is more than a passing glitch, and the user should hear of it while
/// the code still lives rather than at its end.
const MAX_FAILURES: u32 = 5;

/// Polls until the login is decided, the code expires or `--timeout` passes, whichever comes
/// first; `received` is when the device authorization response came.
pub fn poll(
    ask: &Ask,
    chosen: &Chosen,
    dialect: &Dialect,
    code: &Checked,
    received: Instant,
) -> Result<TokenResponse> {
    let name = ask.name;
    let expires = received + code.expires_in;
    let timeout = received + Duration::from_secs(ask.timeout);
    let deadline = expires.min(timeout);
    let mut interval = code.interval;
    // The polls that failed on the way since the provider last answered, and the last of them.
    let mut failures = 0;
    let mut last_failure: Option<anyhow::Error> = None;
    // The wait on stderr: a live line with the time left on a terminal, one line elsewhere.
    let mut progress = Progress::start("for the login to be approved", deadline, false);
    loop {
        let now = Instant::now();
        if now + interval > deadline {
            // No request would come back before the deadline: wait for it, then give up.
            progress.sleep_until(deadline);
            drop(progress);
            let failure = match deadline < expires {
                true => Failure::Login(format!(
                    "timed out after {} s waiting for the login to be approved: run '{}' again \
                     (--timeout SECS gives more time)",
                    ask.timeout,
                    chosen.again(name)
                )),
                false => expired(name, chosen),
            };
            return Err(match last_failure {
                Some(e) => e.context(failure),
                None => failure.into(),
            });
        }
        progress.sleep_until(now + interval);
        output::debug("polling whether the login was approved");
        let err = match dialect.poll(ask, &code.device_code) {
            Ok(tokens) => return Ok(tokens),
            Err(e) => e,
        };
        if let Some(how) = on_the_way(&err) {
            failures += 1;
            if failures == MAX_FAILURES {
                return Err(err.context(format!(
                    "{MAX_FAILURES} polls in a row failed, so the provider seems to be down; \
                     nothing was stored: try '{}' again later",
                    chosen.again(name)
                )));
            }
            if how == OnTheWay::TimedOut {
                // RFC 8628 §3.5: poll less often after a timeout; doubling is recommended.
                interval = (interval * 2).min(MAX_INTERVAL);
            }
            // What failed and its root cause, as an error report without -v shows them.
            let why = match err.chain().nth(1) {
                Some(_) => format!("{err}: {}", err.root_cause()),
                None => err.to_string(),
            };
            output::verbose(
                ask.verbose,
                &format!(
                    "the poll failed ({}); polling again in {} s ({failures} failed in a row; \
                     {MAX_FAILURES} end the login)",
                    escape(&why),
                    interval.as_secs()
                ),
            );
            last_failure = Some(err);
            continue;
        }
        failures = 0;
        last_failure = None;
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
            _ => {
                return Err(refused(ask, chosen, pe).unwrap_or_else(|| {
                    err.context(format!("the login to '{name}' failed; nothing was stored"))
                }));
            }
        }
    }
}

/// How a poll failed on the way rather than at the provider's word, so that the same poll
/// may well succeed later.
#[derive(Debug, PartialEq, Eq)]
enum OnTheWay {
    /// No answer in time (`OAUTHCLI_HTTP_TIMEOUT`).
    TimedOut,
    /// A gateway's 502, 503 or 504, or the connection refused, reset or closed mid-answer.
    CutOff,
}

fn on_the_way(err: &anyhow::Error) -> Option<OnTheWay> {
    let http = err.chain().find_map(|e| e.downcast_ref::<HttpError>());
    if http.is_some_and(HttpError::is_timeout) {
        return Some(OnTheWay::TimedOut);
    }
    let cut = http.is_some_and(HttpError::is_cut_off) || err.chain().any(|e| e.is::<Unavailable>());
    cut.then_some(OnTheWay::CutOff)
}

/// What an answer that ends the polling means, for the codes that have a meaning of their
/// own; `None` for the others, which are shown as they came.
fn refused(ask: &Ask, chosen: &Chosen, pe: &ProviderError) -> Option<anyhow::Error> {
    let name = ask.name;
    let why = escape(&pe.to_string());
    let msg = match pe.error.as_str() {
        "expired_token" => return Some(expired(name, chosen).into()),
        "invalid_grant" => {
            return Some(
                Failure::Login(format!(
                    "the provider does not accept the device code ({why}): it may have expired \
                     or been used already; nothing was stored: start again with '{}'",
                    chosen.again(name)
                ))
                .into(),
            );
        }
        "access_denied" => format!("the login was refused at the provider ({why})"),
        "unauthorized_client" => device::not_allowed(ask, &why),
        "unsupported_grant_type" => device::unsupported(ask, chosen, &why),
        "invalid_client" => format!(
            "the provider does not accept the client '{}' ({why}): check client_id (and \
             device_client_id, when set) under [providers.{name}] in {}, and that the client may \
             use the device grant",
            escape(ask.profile.client_id.as_deref().unwrap_or_default()),
            chosen.config.display(),
        ),
        _ => return None,
    };
    Some(Failure::Login(format!("{msg}; nothing was stored")).into())
}

fn expired(name: &str, chosen: &Chosen) -> Failure {
    Failure::Login(format!(
        "the code expired before the login was approved; nothing was stored: start again with \
         '{}'",
        chosen.again(name)
    ))
}
