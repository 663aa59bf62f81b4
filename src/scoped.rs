//! The access tokens a login holds for other scope sets (`token --scope`): one refresh token
//! serves every scope the user consented to, and a token request may ask for fewer of them
//! (RFC 6749 §6 `scope`), which is how one login reaches many APIs (Microsoft issues a token
//! for one resource at a time).
//!
//! They are kept in the login's own stored set, so that they live, are locked, refreshed
//! and deleted with it; they have no refresh token of their own. The cache is bounded: an
//! expired token is dropped whenever another is stored, and past [`MAX`] scope sets the one
//! that expires first gives way.

use serde::{Deserialize, Serialize};

use crate::secret::Secret;

/// The most scope sets one login keeps tokens for: more than any set of APIs a script uses,
/// and a bound on the size of the keychain item.
pub const MAX: usize = 16;

/// An access token for one scope set.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Scoped {
    /// The scopes asked for, as [`key`] orders them: what a later call is matched by.
    pub asked: Vec<String>,
    /// The scopes the provider says it granted (all of `asked`, or the response is refused).
    pub scopes: Vec<String>,
    pub access_token: Secret,
    pub token_type: String,
    /// Seconds since the Unix epoch; `None` when the provider gave no `expires_in`.
    #[serde(default)]
    pub expires_at: Option<i64>,
}

/// The scopes of `--scope` as a cache key: sorted, each once, so that the order they are
/// given in does not matter (RFC 6749 §3.3: the scope is a set).
pub fn key(scopes: &[String]) -> Vec<String> {
    let mut key = scopes.to_vec();
    key.sort();
    key.dedup();
    key
}

/// The token kept for the scope set `asked` (a [`key`]).
pub fn find<'a>(cache: &'a [Scoped], asked: &[String]) -> Option<&'a Scoped> {
    cache.iter().find(|s| s.asked == asked)
}

/// Keeps `new` in place of any token for the same scopes, drops the tokens expired at `now`,
/// and, past [`MAX`], those that expire first.
pub fn keep(cache: &mut Vec<Scoped>, new: Scoped, now: i64) {
    cache.retain(|s| s.asked != new.asked && s.expires_at.is_none_or(|at| at > now));
    cache.push(new);
    if cache.len() > MAX {
        // Soonest to expire first; tokens without an expiry last longest, sort last, stay.
        cache.sort_by_key(|s| s.expires_at.unwrap_or(i64::MAX));
        cache.drain(..cache.len() - MAX);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scoped(asked: &[&str], expires_at: Option<i64>) -> Scoped {
        let asked: Vec<String> = asked.iter().map(|s| s.to_string()).collect();
        Scoped {
            scopes: asked.clone(),
            asked,
            access_token: Secret::new("at"),
            token_type: "Bearer".into(),
            expires_at,
        }
    }

    fn names(cache: &[Scoped]) -> Vec<String> {
        cache.iter().map(|s| s.asked.join(" ")).collect()
    }

    #[test]
    fn a_key_is_the_set_of_scopes_in_one_order() {
        let given = ["b", "a", "b"].map(String::from);
        assert_eq!(key(&given), ["a", "b"]);
        assert_eq!(key(&["a", "b"].map(String::from)), key(&given));
    }

    #[test]
    fn a_token_for_the_same_scopes_replaces_the_old_and_expired_ones_go() {
        let mut cache = vec![scoped(&["a"], Some(2_000)), scoped(&["b"], Some(900))];
        keep(&mut cache, scoped(&["a"], Some(5_000)), 1_000);
        assert_eq!(names(&cache), ["a"]);
        assert_eq!(find(&cache, &["a".into()]).unwrap().expires_at, Some(5_000));
        assert!(find(&cache, &["b".into()]).is_none());
    }

    #[test]
    fn past_the_bound_the_token_that_expires_first_gives_way() {
        let mut cache: Vec<Scoped> = (0..MAX)
            .map(|i| scoped(&[&format!("s{i}")], Some(10_000 + i as i64)))
            .collect();
        cache.push(scoped(&["forever"], None));
        cache.remove(0);
        keep(&mut cache, scoped(&["new"], Some(20_000)), 1_000);
        assert_eq!(cache.len(), MAX);
        assert!(
            find(&cache, &["s1".into()]).is_none(),
            "{:?}",
            names(&cache)
        );
        assert!(find(&cache, &["s2".into()]).is_some());
        assert!(find(&cache, &["forever".into()]).is_some());
        assert!(find(&cache, &["new".into()]).is_some());
    }
}
