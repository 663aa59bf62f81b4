//! Which of the scopes asked for the provider did not grant. RFC 6749 §3.3 lets it grant
//! fewer and say so in the token response's `scope`; Google's granular consent lets the user
//! untick scopes on its consent page. The login goes on with what was granted, and says what
//! was not, so that a later "permission denied" at an API is not a mystery.
//!
//! Not every difference is a refusal: `openid` is granted when an ID token came (providers
//! often leave it out of `scope`), `offline_access` when a refresh token came (Microsoft
//! never lists it), and a provider may name a scope otherwise (Google answers `email` with
//! `https://www.googleapis.com/auth/userinfo.email`: the preset's aliases).

/// The scopes of `asked` not in `granted`; none when the response left `scope` out, which
/// means all were (RFC 6749 §5.1).
pub fn not_granted(
    asked: &[String],
    granted: Option<&[String]>,
    id_token: bool,
    refresh_token: bool,
    aliases: &[(&str, &str)],
) -> Vec<String> {
    let Some(granted) = granted else {
        return Vec::new();
    };
    let has = |s: &str| granted.iter().any(|g| g == s);
    asked
        .iter()
        .filter(|s| !has(s))
        .filter(|s| !(s.as_str() == "openid" && id_token))
        .filter(|s| !(s.as_str() == "offline_access" && refresh_token))
        .filter(|s| !aliases.iter().any(|(a, b)| a == s && has(b)))
        .cloned()
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(s: &str) -> Vec<String> {
        s.split_whitespace().map(str::to_owned).collect()
    }

    #[test]
    fn only_what_is_really_missing() {
        let google = [("email", "https://www.googleapis.com/auth/userinfo.email")];
        let asked = v("openid email https://www.googleapis.com/auth/drive");
        let granted = v("https://www.googleapis.com/auth/userinfo.email");
        assert_eq!(
            not_granted(&asked, Some(&granted), true, true, &google),
            ["https://www.googleapis.com/auth/drive"]
        );
        assert!(not_granted(&asked, None, false, false, &[]).is_empty());
        let asked = v("openid email offline_access");
        assert!(not_granted(&asked, Some(&v("email")), true, true, &[]).is_empty());
        assert_eq!(
            not_granted(&asked, Some(&v("email")), false, false, &[]),
            ["openid", "offline_access"]
        );
    }
}
