//! The device authorization response (RFC 8628 §3.2), checked field by field before any of
//! it is shown or used: every field comes from the provider and is untrusted (SECURITY.md
//! #19, README "Security").
//!
//! - the user code is shown on the terminal and copied to its clipboard: no control or bidi
//!   characters (they could rewrite the screen or the clipboard's meaning, SECURITY.md row 12);
//! - `verification_uri` and `verification_uri_complete` are where the user is sent: https off
//!   loopback, as every endpoint (`http::check_endpoint`), so a code is never entered on a
//!   page anyone on the path can read or rewrite;
//! - `interval` is 5 s when absent (§3.2), and when 0, which would poll the provider in a
//!   tight loop; any other value is followed, however long ("Polling follows interval"): an
//!   interval the code does not outlive means that no poll can be sent before it expires,
//!   and stderr says so;
//! - `expires_in` must be positive and is held to an hour at most, which is longer than any
//!   provider documents (GitHub and Microsoft 15 min, Google 30 min, GitLab 5 min).

use std::time::Duration;

use anyhow::Result;
use oauth2::url::Url;
use oauth2::{DeviceCode, StandardDeviceAuthorizationResponse};

use crate::error::Failure;
use crate::http;
use crate::term::escape;

/// RFC 8628 §3.2: the interval when the provider names none.
const DEFAULT_INTERVAL: Duration = Duration::from_secs(5);
/// The longest lifetime of a device code we believe.
const MAX_EXPIRES_IN: Duration = Duration::from_secs(3600);
/// The longest wait between two polls we count with. No code lives longer, so a longer
/// interval means the same (no poll before the code expires); the bound keeps the deadline
/// arithmetic far from overflowing.
pub const MAX_INTERVAL: Duration = MAX_EXPIRES_IN;
/// A user code is typed by hand; anything longer is not one.
const MAX_USER_CODE: usize = 64;

/// A device authorization response that passed the checks.
pub struct Checked {
    pub device_code: DeviceCode,
    pub user_code: String,
    pub verification_uri: Url,
    pub verification_uri_complete: Option<Url>,
    pub interval: Duration,
    pub expires_in: Duration,
    /// Lines for stderr about the interval: 0 replaced, or too long for the code.
    pub notes: Vec<String>,
}

/// Checks the response of the device authorization endpoint `endpoint`.
pub fn check(resp: &StandardDeviceAuthorizationResponse, endpoint: &str) -> Result<Checked> {
    let bad = |why: String| -> anyhow::Error {
        Failure::Login(format!(
            "the device authorization response of {endpoint} cannot be used: {why}; nothing was \
             stored"
        ))
        .into()
    };
    let user_code = resp.user_code().secret().clone();
    if user_code.is_empty() || user_code.chars().count() > MAX_USER_CODE {
        return Err(bad(format!(
            "its user_code is empty or longer than {MAX_USER_CODE} characters"
        )));
    }
    if escape(&user_code) != user_code || user_code.chars().any(char::is_whitespace) {
        return Err(bad(format!(
            "its user_code '{}' holds control or invisible characters",
            escape(&user_code)
        )));
    }
    let verification_uri = resp.verification_uri().url().clone();
    http::check_endpoint(&verification_uri)
        .map_err(|e| bad(format!("its verification_uri {}", reason(&e))))?;
    let verification_uri_complete = match resp.verification_uri_complete() {
        Some(raw) => Some(
            http::endpoint(raw.secret())
                .map_err(|e| bad(format!("its verification_uri_complete {}", reason(&e))))?,
        ),
        None => None,
    };
    if resp.expires_in().is_zero() {
        return Err(bad(
            "its expires_in is 0: the code has expired already".into()
        ));
    }
    let mut notes = Vec::new();
    let expires_in = resp.expires_in().min(MAX_EXPIRES_IN);
    // `oauth2` gives 5 s for an absent interval already.
    let asked = resp.interval();
    let interval = match asked.is_zero() {
        true => {
            notes.push(format!(
                "The provider asked to be polled every 0 s; polling every {} s instead, the \
                 default of RFC 8628.",
                DEFAULT_INTERVAL.as_secs()
            ));
            DEFAULT_INTERVAL
        }
        false => asked.min(MAX_INTERVAL),
    };
    if interval >= expires_in {
        notes.push(format!(
            "The provider asks to be polled every {} s, and its code expires in {} s: no poll \
             can be sent before the code expires.",
            asked.as_secs(),
            expires_in.as_secs()
        ));
    }
    Ok(Checked {
        device_code: resp.device_code().clone(),
        user_code,
        verification_uri,
        verification_uri_complete,
        interval,
        expires_in,
        notes,
    })
}

/// `http::check_endpoint`'s message without the URL it starts with, which is shown escaped.
fn reason(e: &anyhow::Error) -> String {
    let msg = e.to_string();
    match msg.split_once(" is not https") {
        Some((url, rest)) => format!("{} is not https{rest}", escape(url)),
        None => escape(&msg),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn response(fields: serde_json::Value) -> StandardDeviceAuthorizationResponse {
        let mut doc = serde_json::json!({
            "device_code": "dc",
            "user_code": "WDJB-MJHT",
            "verification_uri": "https://example.com/device",
            "expires_in": 1800,
        });
        for (k, v) in fields.as_object().unwrap() {
            doc[k] = v.clone();
        }
        serde_json::from_value(doc).unwrap()
    }

    fn refused(fields: serde_json::Value) -> String {
        let err = check(
            &response(fields),
            "https://example.com/device_authorization",
        )
        .err()
        .expect("accepted");
        assert_eq!(crate::error::exit_code(&err), 1);
        err.to_string()
    }

    const PREFIX: &str = "the device authorization response of https://example.com/device_authorization cannot be used: ";

    #[test]
    fn a_good_response_passes_with_the_default_interval() {
        let c = check(&response(serde_json::json!({})), "x").unwrap();
        assert_eq!(c.user_code, "WDJB-MJHT");
        assert_eq!(c.verification_uri.as_str(), "https://example.com/device");
        // RFC 8628 §3.2: 5 s when the provider gives none.
        assert_eq!(c.interval, Duration::from_secs(5));
        assert_eq!(c.expires_in, Duration::from_secs(1800));
        assert!(c.notes.is_empty());
        let c = check(
            &response(serde_json::json!({
                "verification_uri_complete": "https://example.com/device?user_code=WDJB-MJHT",
                "interval": 7,
            })),
            "x",
        )
        .unwrap();
        assert_eq!(c.interval, Duration::from_secs(7));
        assert_eq!(
            c.verification_uri_complete.unwrap().as_str(),
            "https://example.com/device?user_code=WDJB-MJHT"
        );
    }

    #[test]
    fn user_codes_with_control_characters_are_refused() {
        for code in ["AB\u{1b}]52;c;ZXZpbA==\u{7}", "AB\u{202e}CD", "AB CD", ""] {
            let msg = refused(serde_json::json!({ "user_code": code }));
            assert!(msg.starts_with(PREFIX), "{msg}");
            assert!(
                !msg.contains('\u{1b}') && !msg.contains('\u{202e}'),
                "{msg}"
            );
        }
        assert_eq!(
            refused(serde_json::json!({ "user_code": "AB\u{1b}[2J" })),
            format!(
                "{PREFIX}its user_code 'AB\\u{{1b}}[2J' holds control or invisible characters; \
                 nothing was stored"
            )
        );
    }

    #[test]
    fn verification_uris_must_be_https_off_loopback() {
        assert_eq!(
            refused(serde_json::json!({ "verification_uri": "http://evil.example/device" })),
            format!(
                "{PREFIX}its verification_uri http://evil.example/device is not https: only \
                 loopback hosts (127.0.0.1, ::1, localhost) may use plain http; nothing was stored"
            )
        );
        let msg = refused(serde_json::json!({
            "verification_uri_complete": "http://evil.example/device?user_code=WDJB-MJHT"
        }));
        assert!(
            msg.starts_with(&format!(
                "{PREFIX}its verification_uri_complete http://evil.example/device?user_code"
            )),
            "{msg}"
        );
        assert!(
            check(
                &response(serde_json::json!({ "verification_uri": "http://127.0.0.1:9/device" })),
                "x"
            )
            .is_ok()
        );
    }

    #[test]
    fn intervals_are_followed_and_0_is_the_default() {
        // RFC 8628 §3.2: 5 s, for 0 as for none; any other interval as the provider asks,
        // past a minute too.
        let c = check(&response(serde_json::json!({ "interval": 0 })), "x").unwrap();
        assert_eq!(c.interval, Duration::from_secs(5));
        assert_eq!(
            c.notes,
            [
                "The provider asked to be polled every 0 s; polling every 5 s instead, the \
                 default of RFC 8628."
            ]
        );
        let c = check(&response(serde_json::json!({ "interval": 90 })), "x").unwrap();
        assert_eq!(c.interval, Duration::from_secs(90));
        assert!(c.notes.is_empty());
        // One the code does not outlive means no poll, and is said; an absurd one is the
        // same as the longest a code lives.
        let c = check(&response(serde_json::json!({ "interval": 1800 })), "x").unwrap();
        assert_eq!(c.interval, Duration::from_secs(1800));
        assert_eq!(
            c.notes,
            [
                "The provider asks to be polled every 1800 s, and its code expires in 1800 s: no \
                 poll can be sent before the code expires."
            ]
        );
        let c = check(
            &response(serde_json::json!({ "interval": u64::MAX, "expires_in": 7200 })),
            "x",
        )
        .unwrap();
        assert_eq!((c.interval, c.expires_in), (MAX_INTERVAL, MAX_EXPIRES_IN));
    }

    #[test]
    fn lifetimes_are_bounded() {
        let c = check(
            &response(serde_json::json!({ "expires_in": 1u64 << 40 })),
            "x",
        )
        .unwrap();
        assert_eq!(c.expires_in, MAX_EXPIRES_IN);
        assert_eq!(
            refused(serde_json::json!({ "expires_in": 0 })),
            format!(
                "{PREFIX}its expires_in is 0: the code has expired already; nothing was stored"
            )
        );
    }
}
