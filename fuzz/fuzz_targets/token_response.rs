//! A provider's token response, as arbitrary bytes, through the checks of its plain fields
//! (`src/token_response.rs`), the step that turns it into the fields of a stored token set.
//! Whatever the provider sends, it must never panic, and what passes must hold only the
//! characters a token may hold (RFC 6750 §2.1, RFC 6749 Appendix A.17, JWS compact form),
//! be a Bearer token, expire within a year of receipt, and a refusal never shows the token.
//!
//! The modules are compiled from the project's own files, as in `callback.rs`, so that the
//! target builds without the library's HTTP, TLS and keychain stacks.

#![no_main]
// The library uses more of these modules than the target does.
#![allow(dead_code)]

#[path = "../../src/auth_method.rs"]
mod auth_method;
#[path = "../../src/scoped.rs"]
mod scoped;
#[path = "../../src/secret.rs"]
mod secret;
#[path = "../../src/term.rs"]
mod term;
#[path = "../../src/token.rs"]
mod token;
#[path = "../../src/token_response.rs"]
mod token_response;

use libfuzzer_sys::fuzz_target;
use token_response::{TokenResponse, check_response};

/// A fixed time of receipt, so that a run is reproducible.
const RECEIVED: i64 = 1_800_000_000;
const YEAR: i64 = 366 * 24 * 3600;

fuzz_target!(|data: &[u8]| {
    let Ok(resp) = serde_json::from_slice::<TokenResponse>(data) else {
        return;
    };
    use oauth2::TokenResponse as _;
    match check_response(&resp, RECEIVED) {
        Ok(f) => {
            assert!(resp.token_type().as_ref().eq_ignore_ascii_case("bearer"));
            let at = f.access_token.expose();
            assert!(!at.is_empty());
            assert!(
                at.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"-._~+/=".contains(&b))
            );
            if let Some(rt) = &f.refresh_token {
                assert!(!rt.expose().is_empty());
                assert!(rt.expose().bytes().all(|b| (0x20..=0x7e).contains(&b)));
            }
            if let Some(id) = &f.id_token {
                assert!(!id.expose().is_empty());
                assert!(
                    id.expose()
                        .bytes()
                        .all(|b| b.is_ascii_alphanumeric() || b"-_.".contains(&b))
                );
            }
            if let Some(exp) = f.expires_at {
                assert!((RECEIVED..=RECEIVED + YEAR).contains(&exp), "{exp}");
            }
        }
        Err(e) => {
            // A refusal names the field, never its value (a token is a secret). It may show the
            // token type, which is no secret, and may hold the same characters.
            let at = resp.access_token().secret();
            if at.len() >= 8 && !resp.token_type().as_ref().contains(at.as_str()) {
                assert!(!format!("{e:#}").contains(at.as_str()));
            }
        }
    }
});
