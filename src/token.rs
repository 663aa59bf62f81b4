//! The token set that a login produces and the store keeps, and its expiry arithmetic.
//!
//! A set remembers the issuer and client id it was issued for, so that it is never used
//! under another (SECURITY.md row 5), and the endpoints it needs later (refresh, revocation),
//! so that `token` never needs discovery or the network when the token is still good.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};

use crate::auth_method::AuthMethod;
use crate::scoped::Scoped;
use crate::secret::Secret;

/// The longest lifetime we believe from `expires_in`. A bigger number is a provider bug or
/// an attack on the cache; a year is longer than any provider documents for access tokens.
const MAX_EXPIRES_IN: Duration = Duration::from_secs(366 * 24 * 3600);

/// What is stored for one login.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct TokenSet {
    /// The issuer the tokens came from: the OpenID issuer, or for a plain OAuth 2.0
    /// provider its token endpoint.
    pub issuer: String,
    pub client_id: String,
    pub email: String,
    /// The subject (`sub`) of the ID token or userinfo, where the provider has one.
    #[serde(default)]
    pub subject: Option<String>,
    pub access_token: Secret,
    pub token_type: String,
    #[serde(default)]
    pub refresh_token: Option<Secret>,
    /// The provider refused the refresh token (`invalid_grant`, RFC 6749 §5.2): it is gone
    /// from the set, never sent again, and only a new login gives another.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub refresh_refused: bool,
    /// Only an ID token that was validated is kept (OpenID providers).
    #[serde(default)]
    pub id_token: Option<Secret>,
    /// The ID token's `exp`, seconds since the Unix epoch.
    #[serde(default)]
    pub id_token_expires_at: Option<i64>,
    /// Seconds since the Unix epoch; `None` when the provider gave no `expires_in`
    /// (the token is good until the provider says otherwise).
    #[serde(default)]
    pub expires_at: Option<i64>,
    /// When the access token came, by our clock: with `expires_at`, its whole lifetime,
    /// whose last quarter is the refresh-ahead window (`ahead_due`). Sets stored before it
    /// was kept have none, and are refreshed when due only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub obtained_at: Option<i64>,
    /// The ID token's `iat`: with its `exp`, its whole lifetime.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id_token_issued_at: Option<i64>,
    #[serde(default)]
    pub scopes: Vec<String>,
    pub token_endpoint: String,
    #[serde(default)]
    pub revocation_endpoint: Option<String>,
    /// How the client authenticated at the token endpoint at login, reused to refresh.
    pub auth_method: AuthMethod,
    /// Where the login's ID tokens are checked at a refresh, from discovery at login.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id_token_keys: Option<IdTokenKeys>,
    /// Access tokens for other scope sets, got with the refresh token (`token --scope`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub scoped: Vec<Scoped>,
}

/// The issuer a login's ID tokens must name and the URL of the provider's keys, both from
/// discovery at login (OpenID Discovery 1.0 §3, `issuer` and `jwks_uri`): a refresh that
/// brings an ID token needs the keys alone (`store::keys`), not the discovery document first.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct IdTokenKeys {
    pub issuer: String,
    pub jwks_uri: String,
}

impl TokenSet {
    /// True when the access token stays valid for more than `min_ttl` seconds after `now`.
    pub fn is_fresh(&self, now: i64, min_ttl: u64) -> bool {
        lasts(self.expires_at, now, min_ttl)
    }

    /// Forgets a refresh token the provider refused, remembering that it did.
    pub fn refuse_refresh(&mut self) {
        self.refresh_token = None;
        self.refresh_refused = true;
    }

    /// The refresh token as `status` shows it: `yes`, `no`, or `refused`.
    pub fn refresh_state(&self) -> &'static str {
        match (&self.refresh_token, self.refresh_refused) {
            (Some(_), _) => "yes",
            (None, true) => "refused",
            (None, false) => "no",
        }
    }

    /// True when the ID token stays valid for more than `min_ttl` seconds after `now`.
    pub fn id_token_is_fresh(&self, now: i64, min_ttl: u64) -> bool {
        self.id_token.is_some() && lasts(self.id_token_expires_at, now, min_ttl)
    }
}

/// Is a token that came at `since` and expires at `expires_at` in the last quarter of its
/// life at `now`? Then a refresh ahead of its end is due. Unknown times never are.
pub fn ahead_due(since: Option<i64>, expires_at: Option<i64>, now: i64) -> bool {
    let (Some(since), Some(at)) = (since, expires_at) else {
        return false;
    };
    let life = at.saturating_sub(since);
    life > 0 && at.saturating_sub(now).saturating_mul(4) < life
}

fn lasts(expires_at: Option<i64>, now: i64, min_ttl: u64) -> bool {
    match expires_at {
        None => true,
        Some(at) => at.saturating_sub(now) > i64::try_from(min_ttl).unwrap_or(i64::MAX),
    }
}

/// The absolute expiry for a token received at `received` with the given `expires_in`.
///
/// Counted from our own clock at receipt, not from any time the provider states, so a skewed
/// provider clock cannot make a token look fresh (SECURITY.md row 15; RFC 6749 §5.1 defines
/// `expires_in` as relative to the response). Absurd lifetimes are clamped.
pub fn expires_at(received: i64, expires_in: Option<Duration>) -> Option<i64> {
    let secs = expires_in?.min(MAX_EXPIRES_IN).as_secs();
    Some(received.saturating_add(i64::try_from(secs).unwrap_or(i64::MAX)))
}

/// A time in seconds since the Unix epoch as RFC 3339 UTC, e.g. `2026-11-29T09:45:56Z`.
pub fn rfc3339(at: i64) -> String {
    chrono::DateTime::<chrono::Utc>::from_timestamp(at, 0)
        .map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
        .unwrap_or_else(|| at.to_string())
}

/// Seconds since the Unix epoch, now.
pub fn now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set(expires_at: Option<i64>) -> TokenSet {
        TokenSet {
            issuer: "https://issuer.example".into(),
            client_id: "cli".into(),
            email: "a@example.com".into(),
            subject: None,
            access_token: Secret::new("at"),
            token_type: "Bearer".into(),
            refresh_token: None,
            refresh_refused: false,
            id_token: None,
            id_token_expires_at: None,
            expires_at,
            obtained_at: None,
            id_token_issued_at: None,
            id_token_keys: None,
            scopes: vec![],
            token_endpoint: "https://issuer.example/token".into(),
            revocation_endpoint: None,
            auth_method: AuthMethod::None,
            scoped: vec![],
        }
    }

    #[test]
    fn expiry_is_counted_from_receipt() {
        assert_eq!(
            expires_at(1_000, Some(Duration::from_secs(3600))),
            Some(4_600)
        );
        assert_eq!(expires_at(1_000, Some(Duration::ZERO)), Some(1_000));
        assert_eq!(expires_at(1_000, None), None);
    }

    #[test]
    fn absurd_lifetimes_are_clamped_to_a_year() {
        let at = expires_at(0, Some(Duration::from_secs(u64::MAX))).unwrap();
        assert_eq!(at, 366 * 24 * 3600);
    }

    #[test]
    fn freshness_respects_min_ttl() {
        let s = set(Some(1_100));
        assert!(s.is_fresh(1_000, 60));
        assert!(s.is_fresh(1_000, 99));
        assert!(!s.is_fresh(1_000, 100));
        assert!(!s.is_fresh(1_200, 0));
        assert!(!s.is_fresh(1_000, u64::MAX));
        assert!(set(None).is_fresh(i64::MAX, u64::MAX));
    }

    #[test]
    fn the_refresh_ahead_window_is_the_last_quarter_of_a_life() {
        // A token of 3600 s that came at 1000: its last quarter starts at 3700.
        assert!(!ahead_due(Some(1_000), Some(4_600), 3_700));
        assert!(ahead_due(Some(1_000), Some(4_600), 3_701));
        assert!(ahead_due(Some(1_000), Some(4_600), 4_599));
        assert!(ahead_due(Some(1_000), Some(4_600), 9_999));
        assert!(!ahead_due(None, Some(4_600), 4_599));
        assert!(!ahead_due(Some(1_000), None, 4_599));
        // A token with no life (or one that came after its end) never is.
        assert!(!ahead_due(Some(4_600), Some(4_600), 4_599));
        assert!(!ahead_due(Some(5_000), Some(4_600), 4_599));
        assert!(!ahead_due(Some(i64::MIN), Some(i64::MAX), 0));
    }

    #[test]
    fn id_token_freshness_needs_an_id_token() {
        let mut s = set(None);
        assert!(!s.id_token_is_fresh(1_000, 0));
        s.id_token = Some(Secret::new("a.b.c"));
        s.id_token_expires_at = Some(1_100);
        assert!(s.id_token_is_fresh(1_000, 60));
        assert!(!s.id_token_is_fresh(1_000, 100));
    }

    #[test]
    fn a_refused_refresh_token_is_dropped_and_shown_as_refused() {
        let mut s = set(None);
        s.refresh_token = Some(Secret::new("rt"));
        assert_eq!(s.refresh_state(), "yes");
        s.refuse_refresh();
        assert!(s.refresh_token.is_none());
        assert_eq!(s.refresh_state(), "refused");
        assert_eq!(set(None).refresh_state(), "no");
    }

    #[test]
    fn debug_output_hides_the_tokens() {
        let mut s = set(None);
        s.refresh_token = Some(Secret::new("refresh-me"));
        let shown = format!("{s:?}");
        assert!(!shown.contains("\"at\""), "{shown}");
        assert!(!shown.contains("refresh-me"), "{shown}");
    }
}
