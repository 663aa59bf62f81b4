//! A token endpoint's response (RFC 6749 §5.1, with OpenID Core §3.1.3.3's ID token) and the
//! checks of its plain fields, before `accept` validates the ID token and identifies the user.
//!
//! Every token must be made of the characters its RFC allows: an access token that could
//! carry CR LF would inject a header into `curl -H "$(oauthcli token --format header)"`, and
//! an escape sequence would reach the terminal. The token type must be one we can use.

use anyhow::{Result, bail};
use oauth2::basic::BasicTokenType;
use oauth2::{ExtraTokenFields, StandardTokenResponse, TokenResponse as _};
use serde::{Deserialize, Serialize};

use crate::secret::Secret;
use crate::term::escape;
use crate::token;

/// The OpenID extension of the token response (OpenID Core §3.1.3.3): the ID token.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct IdTokenField {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id_token: Option<Secret>,
}

impl ExtraTokenFields for IdTokenField {}

/// A token endpoint response.
pub type TokenResponse = StandardTokenResponse<IdTokenField, BasicTokenType>;

/// The checked plain fields of a token response (RFC 6749 §5.1).
pub struct Fields {
    pub access_token: Secret,
    pub refresh_token: Option<Secret>,
    pub id_token: Option<Secret>,
    pub expires_at: Option<i64>,
    /// `None` when the response left `scope` out.
    pub scopes: Option<Vec<String>>,
}

/// The token type we store: RFC 6750's, whatever case the provider wrote it in.
pub const BEARER: &str = "Bearer";

/// Checks the plain fields of a response received at `received` (seconds since the epoch).
/// Pure: no clock, no network, so that it can be fuzzed (`fuzz/fuzz_targets/token_response.rs`).
pub fn check_response(resp: &TokenResponse, received: i64) -> Result<Fields> {
    // RFC 6749 §7.1: a client must not use a token whose type it does not understand; §5.1
    // makes `token_type` case-insensitive. We only ever present tokens as Bearer ones.
    let kind = resp.token_type().as_ref();
    if !kind.eq_ignore_ascii_case("bearer") {
        bail!(
            "the provider issued a token of type '{}', which oauthcli cannot use (only Bearer \
             tokens, RFC 6750): check the client's settings at the provider (DPoP or \
             sender-constrained tokens must be turned off)",
            escape(kind)
        );
    }
    let access_token = resp.access_token().secret();
    check_token("access token", access_token, is_b64token_char)?;
    let refresh_token = resp.refresh_token().map(|t| t.secret());
    if let Some(rt) = refresh_token {
        check_token("refresh token", rt, is_vschar)?;
    }
    let id_token = resp.extra_fields().id_token.as_ref();
    if let Some(id) = id_token {
        // A JWS in compact form (RFC 7515 §7.1): base64url parts joined by dots.
        check_token("ID token", id.expose(), |b| {
            b.is_ascii_alphanumeric() || b"-_.".contains(&b)
        })?;
    }
    Ok(Fields {
        access_token: Secret::new(access_token.clone()),
        refresh_token: refresh_token.map(|t| Secret::new(t.clone())),
        id_token: id_token.cloned(),
        expires_at: token::expires_at(received, resp.expires_in()),
        scopes: resp
            .scopes()
            .map(|s| s.iter().map(|x| x.to_string()).collect()),
    })
}

/// A token is refused when it is empty or holds a character its syntax does not allow. The
/// message never shows the token.
fn check_token(what: &str, value: &str, allowed: impl Fn(u8) -> bool) -> Result<()> {
    if value.is_empty() {
        bail!("the provider's {what} is empty; refusing the whole response, nothing was stored");
    }
    if let Some(pos) = value.bytes().position(|b| !allowed(b)) {
        bail!(
            "the provider's {what} holds a character no token may hold (at byte {pos}, RFC 6749 \
             Appendix A); refusing the whole response, nothing was stored"
        );
    }
    Ok(())
}

/// RFC 6750 §2.1 `b64token`: the characters of a Bearer token in an Authorization header.
fn is_b64token_char(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"-._~+/=".contains(&b)
}

/// RFC 6749 Appendix A.17 (`refresh_token = 1*VSCHAR`): printable ASCII.
fn is_vschar(b: u8) -> bool {
    (0x20..=0x7e).contains(&b)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn response(json: serde_json::Value) -> TokenResponse {
        serde_json::from_value(json).unwrap()
    }

    #[test]
    fn plain_fields_pass() {
        let f = check_response(
            &response(serde_json::json!({
                "access_token": "ya29.a0-_~+/x==", "token_type": "Bearer",
                "expires_in": 60, "refresh_token": "1//0g rt", "scope": "openid email"
            })),
            1_000,
        )
        .unwrap();
        assert_eq!(f.access_token.expose(), "ya29.a0-_~+/x==");
        assert_eq!(f.refresh_token.unwrap().expose(), "1//0g rt");
        assert_eq!(f.expires_at, Some(1_060));
        assert_eq!(f.scopes.unwrap(), ["openid", "email"]);
    }

    #[test]
    fn tokens_with_forbidden_characters_are_refused_without_showing_them() {
        for (field, value) in [
            ("access_token", "abc\r\nX-Evil: 1"),
            ("access_token", "abc\u{1b}[2J"),
            ("access_token", "two words"),
            ("access_token", ""),
            ("refresh_token", "rt\n"),
            ("refresh_token", "caf\u{e9}"),
            ("id_token", "a.b.c\u{7}"),
        ] {
            let mut json = serde_json::json!({"access_token": "ok", "token_type": "bearer"});
            json[field] = value.into();
            let err = check_response(&response(json), 0)
                .err()
                .unwrap()
                .to_string();
            assert!(err.contains("nothing was stored"), "{field}: {err}");
            assert!(value.is_empty() || !err.contains(value), "{err}");
        }
    }

    #[test]
    fn only_bearer_tokens_in_any_case() {
        for ok in ["bearer", "Bearer", "BEARER"] {
            let json = serde_json::json!({"access_token": "a", "token_type": ok});
            assert!(check_response(&response(json), 0).is_ok(), "{ok}");
        }
        for bad in ["DPoP", "mac", "N_A"] {
            let json = serde_json::json!({"access_token": "a", "token_type": bad});
            let err = check_response(&response(json), 0)
                .err()
                .unwrap()
                .to_string();
            // `oauth2` hands the type on lower-cased (RFC 6749 §5.1: case-insensitive).
            let shown = format!("of type '{}'", bad.to_ascii_lowercase());
            assert!(err.contains(&shown), "{err}");
        }
    }
}
