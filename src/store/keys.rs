//! The providers' public keys, kept between refreshes (`$XDG_STATE_HOME/oauthcli/keys/
//! PROVIDER.json`): a refresh that brings an ID token checks it with the keys fetched at
//! most `KEPT` seconds ago from the same `jwks_uri`, and asks the token endpoint alone.
//! Public keys (RFC 7517 §5), so not with the tokens: the token set read at every `token`
//! stays small. A file that cannot be read or written only costs a fetch.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::fsutil;

/// How long fetched keys are used without fetching them again: a day. A key the provider
/// withdraws is then out of use here within a day; a new one is fetched when first met.
pub const KEPT: i64 = 24 * 3600;

#[derive(Serialize, Deserialize)]
struct Kept {
    jwks_uri: String,
    fetched_at: i64,
    jwks: Value,
}

/// The keys kept for `provider` from `jwks_uri`, if they were fetched less than `KEPT` ago.
pub fn load(provider: &str, jwks_uri: &str) -> Option<Value> {
    let path = crate::paths::keys_file(provider).ok()?;
    let kept: Kept = serde_json::from_slice(&std::fs::read(path).ok()?).ok()?;
    let age = crate::token::now() - kept.fetched_at;
    (kept.jwks_uri == jwks_uri && (0..KEPT).contains(&age)).then_some(kept.jwks)
}

/// Keeps the keys just fetched from `jwks_uri`; a failure is only a fetch more next time.
pub fn save(provider: &str, jwks_uri: &str, jwks: &impl Serialize) {
    let Ok(jwks) = serde_json::to_value(jwks) else {
        return;
    };
    let kept = Kept {
        jwks_uri: jwks_uri.to_owned(),
        fetched_at: crate::token::now(),
        jwks,
    };
    if let (Ok(path), Ok(bytes)) = (crate::paths::keys_file(provider), serde_json::to_vec(&kept)) {
        let _ = fsutil::write_private(&path, &bytes);
    }
}
