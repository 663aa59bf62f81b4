//! Reading the claims of a JWS compact token (RFC 7515 §7.1) without checking anything.
//!
//! Only to choose what a token is then validated against (Microsoft's tenant issuer), or to
//! recall what an already validated, stored token said; never to trust a claim of a token
//! that was not validated.

use anyhow::{Context, Result};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

/// The payload of `raw` as JSON.
pub fn unverified_claims(raw: &str) -> Result<serde_json::Value> {
    let payload = raw.split('.').nth(1).context("the ID token is malformed")?;
    let json = URL_SAFE_NO_PAD
        .decode(payload)
        .context("the ID token is malformed")?;
    serde_json::from_slice(&json).context("the ID token is malformed")
}
