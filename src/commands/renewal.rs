//! The warning that a login is about to end for good: a login without refresh token, at a
//! provider whose logins last long (`Quirks::relogin_warning`: Facebook's, about 60 days),
//! cannot be renewed by `token`, so when its end is near every command that hands out its
//! token says on stderr when it ends and what to run before then. Its end itself is "not
//! logged in" (exit 4, `fresh`).
//!
//! Only a login without refresh token whose token expires costs the look at the provider's
//! profile (no I/O): the fast path of every other login stays as it was.

use crate::config::Settings;
use crate::output;
use crate::token::{self, TokenSet};

/// Says so when `set`, the login of `provider`, ends within its provider's warning time.
pub fn warn_if_due(settings: &Settings, provider: &str, set: &TokenSet) {
    let Some(at) = set.expires_at.filter(|_| set.refresh_token.is_none()) else {
        return;
    };
    let left = at - token::now();
    let warning = settings
        .knows(provider)
        .then(|| settings.profile(provider).ok())
        .flatten()
        .and_then(|p| p.quirks.relogin_warning);
    if warning.is_some_and(|w| left <= i64::try_from(w).unwrap_or(i64::MAX)) {
        output::note(&format!(
            "warning: the login to '{provider}' ends in {} ({}), and the provider gives no \
             refresh token to renew it: run 'oauthcli login {provider}' before then",
            span(left),
            token::rfc3339(at)
        ));
    }
}

/// A time left, in the largest unit that leaves at least two of it.
fn span(secs: i64) -> String {
    const HOUR: i64 = 3600;
    const DAY: i64 = 24 * HOUR;
    match secs {
        s if s >= 2 * DAY => format!("{} days", s / DAY),
        s if s >= 2 * HOUR => format!("{} hours", s / HOUR),
        s if s >= 120 => format!("{} minutes", s / 60),
        _ => "a minute or less".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_time_left_is_said_in_days_hours_or_minutes() {
        assert_eq!(span(6 * 86400 + 3600), "6 days");
        assert_eq!(span(2 * 86400), "2 days");
        assert_eq!(span(2 * 86400 - 1), "47 hours");
        assert_eq!(span(7200), "2 hours");
        assert_eq!(span(7199), "119 minutes");
        assert_eq!(span(120), "2 minutes");
        assert_eq!(span(119), "a minute or less");
    }
}
