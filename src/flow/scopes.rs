//! The scopes a login asks for: the profile's, then those of `--scope`.
//!
//! Of oauthcli's own defaults for an OpenID provider, `offline_access` (OpenID Connect Core
//! §11, the way most providers are asked for a refresh token) is left out when discovery
//! lists the provider's scopes (`scopes_supported`) without it: a provider that knows no such
//! scope may refuse the whole request with `invalid_scope` (RFC 6749 §4.1.2.1), as Django
//! OAuth Toolkit does, and such providers give refresh tokens without it. Scopes that the
//! config's `scopes` or `--scope` name are asked for as they are.

use crate::config::Profile;
use crate::output;
use crate::provider::Endpoints;

const OFFLINE: &str = "offline_access";

/// The scopes to ask for; `extra` are those of `--scope`.
pub fn requested(
    profile: &Profile,
    ep: &Endpoints,
    extra: Vec<String>,
    verbose: u8,
) -> Vec<String> {
    let supported = ep.scopes_supported.as_deref();
    let mut scopes = if profile.scopes_default && unlisted(supported) {
        output::verbose(
            verbose,
            "not asking for `offline_access`: the provider's scopes_supported does not list it",
        );
        profile
            .scopes
            .iter()
            .filter(|s| *s != OFFLINE)
            .cloned()
            .collect()
    } else {
        profile.scopes.clone()
    };
    for s in extra {
        if !scopes.contains(&s) {
            scopes.push(s);
        }
    }
    scopes
}

/// The scopes as the authorization request's `scope` lists them: separated by spaces (RFC
/// 6749 §3.3), or by commas where the provider wants that (`Quirks::comma_scope_request`).
pub fn as_sent(profile: &Profile, scopes: &[String]) -> Vec<String> {
    match profile.quirks.comma_scope_request {
        true => vec![scopes.join(",")],
        false => scopes.to_vec(),
    }
}

/// Discovery lists scopes, and `offline_access` is not among them.
fn unlisted(supported: Option<&[String]>) -> bool {
    supported.is_some_and(|list| !list.iter().any(|s| s == OFFLINE))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn list(items: &[&str]) -> Vec<String> {
        items.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn only_a_list_without_it_leaves_offline_access_out() {
        assert!(unlisted(Some(&list(&["openid", "email"]))));
        assert!(!unlisted(Some(&list(&["openid", "offline_access"]))));
        // No list says nothing about what the provider knows.
        assert!(!unlisted(None));
    }
}
