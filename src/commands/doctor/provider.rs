//! The doctor's checks of each provider and its login: discovery (reachable, the issuer it
//! publishes is the configured one), the clock against the provider's, the configured
//! redirect port, and the stored login (valid, expiring, refreshable).

use oauth2::SyncHttpClient;
use oauth2::http;

use super::super::{check_binding, known, storage_for};
use super::{Check, machine};
use crate::config::{Profile, Settings, Source};
use crate::http::Http;
use crate::provider;
use crate::store::{self, state::State};
use crate::token::{self, TokenSet};

/// The most our clock may differ from the provider's. Expiry and the ID token's `iat` and
/// `exp` (OpenID Core §3.1.3.7) are judged by our clock; beyond a minute tokens look
/// expired early, or valid too long.
const MAX_SKEW: i64 = 60;
/// A token that lasts less than this is "expiring": the next use refreshes it.
const EXPIRING: u64 = 300;

/// The providers to check: the named one, else the configured ones and those with a
/// recorded login that the config or a preset knows.
pub(super) fn names(
    settings: &Settings,
    state: Option<&State>,
    named: Option<&str>,
) -> Vec<String> {
    if let Some(name) = named {
        return vec![name.to_owned()];
    }
    let mut names: Vec<String> = settings.file.providers.keys().cloned().collect();
    for name in state.into_iter().flat_map(|s| s.logins.keys()) {
        if !names.contains(name) {
            names.push(name.clone());
        }
    }
    names.sort();
    names
}

/// Every check of one provider.
pub(super) fn checks(
    settings: &Settings,
    state: &State,
    name: &str,
    named: bool,
    checks: &mut Vec<Check>,
) {
    let profile = if settings.knows(name) {
        match settings.profile(name) {
            Ok(p) => Some(p),
            Err(e) => {
                checks.push(Check::fail(
                    format!("provider ({name})"),
                    format!("{e:#}"),
                    format!("correct [providers.{name}] in {}", settings.path.display()),
                ));
                None
            }
        }
    } else {
        if let Err(e) = known(settings, state, name) {
            checks.push(Check::fail(
                format!("provider ({name})"),
                format!("{e:#}"),
                format!(
                    "check the name, or add a [providers.{name}] table to {}",
                    settings.path.display()
                ),
            ));
            return;
        }
        None
    };
    if let Some(profile) = &profile {
        discovery(settings, profile, checks);
        if let Some(port) = profile.redirect_port {
            checks.push(machine::loopback(Some((name, port))));
        }
    }
    if let Some(check) = login(settings, state, name, named) {
        checks.push(check);
    }
}

/// Discovery and the clock. One GET of the discovery document shows whether the provider
/// answers and carries its `Date` (RFC 9110 §6.6.1); `provider::resolve` then checks the
/// document as a login would.
fn discovery(settings: &Settings, profile: &Profile, checks: &mut Vec<Check>) {
    let name = &profile.name;
    let Source::Issuer(issuer) = &profile.source else {
        checks.push(Check::ok(
            format!("discovery ({name})"),
            "not used: the endpoints come from the config",
        ));
        return;
    };
    let fix = format!(
        "check that the provider is up and that issuer = \"{issuer}\" under [providers.{name}] in {} is its issuer",
        settings.path.display()
    );
    let http = match Http::new(settings.ca_file().as_deref()) {
        Ok(h) => h,
        Err(e) => {
            checks.push(Check::fail(
                format!("discovery ({name})"),
                format!("{e:#}"),
                fix,
            ));
            return;
        }
    };
    let url = format!(
        "{}/.well-known/openid-configuration",
        issuer.trim_end_matches('/')
    );
    let response = http::Request::builder()
        .uri(&url)
        .body(Vec::new())
        .map_err(anyhow::Error::from)
        .and_then(|req| http.call(req).map_err(anyhow::Error::from));
    let date = match response {
        Ok(resp) => resp
            .headers()
            .get(http::header::DATE)
            .and_then(|d| d.to_str().ok())
            .map(str::to_owned),
        Err(e) => {
            checks.push(Check::fail(
                format!("discovery ({name})"),
                format!("{url} cannot be reached: {e:#}"),
                fix,
            ));
            return;
        }
    };
    checks.push(match provider::resolve(profile, &http) {
        Ok(_) => Check::ok(
            format!("discovery ({name})"),
            format!("{issuer} publishes its endpoints and keys under its own issuer"),
        ),
        Err(e) => Check::fail(format!("discovery ({name})"), format!("{e:#}"), fix),
    });
    checks.push(clock(name, issuer, date.as_deref()));
}

/// Our clock against the provider's `Date` header.
fn clock(name: &str, issuer: &str, date: Option<&str>) -> Check {
    let check = format!("clock ({name})");
    let Some(theirs) = date.and_then(|d| chrono::DateTime::parse_from_rfc2822(d).ok()) else {
        return Check::ok(
            check,
            format!("{issuer} sends no Date header to compare with"),
        );
    };
    let skew = token::now() - theirs.timestamp();
    if skew.abs() <= MAX_SKEW {
        return Check::ok(check, format!("within {MAX_SKEW} s of {issuer}'s"));
    }
    let way = if skew > 0 { "ahead of" } else { "behind" };
    Check::fail(
        check,
        format!(
            "this machine's clock is {} s {way} {issuer}'s (its Date header)",
            skew.abs()
        ),
        "set the clock right, e.g. 'sudo timedatectl set-ntp true'",
    )
}

/// The stored login of `name`. A configured provider without a login is not a problem,
/// unless it was named or the state says it has one.
fn login(settings: &Settings, state: &State, name: &str, named: bool) -> Option<Check> {
    let check = format!("login ({name})");
    let again = format!("oauthcli login {name}");
    let recorded = named || state.logins.contains_key(name);
    let set = match store::open(storage_for(settings, state, name)).and_then(|s| s.load(name)) {
        Ok(Some(set)) => set,
        // As in `status`: a store that cannot be reached means "not there" for a login that
        // nobody recorded; the keychain's own check says what is wrong with it.
        Ok(None) | Err(_) if !recorded => return None,
        Ok(None) => return Some(Check::warn(check, "no login is stored", again)),
        Err(e) => return Some(Check::fail(check, format!("{e:#}"), again)),
    };
    if let Err(e) = check_binding(settings, name, &set) {
        return Some(Check::fail(check, format!("{e:#}"), again));
    }
    Some(judge(check, &set, token::now(), again))
}

/// Valid, expiring, refreshable, or lost: what `token` would find.
fn judge(check: String, set: &TokenSet, now: i64, again: String) -> Check {
    let who = &set.email;
    let Some(at) = set.expires_at else {
        return Check::ok(
            check,
            format!("{who}: valid, with no expiry given by the provider"),
        );
    };
    let when = token::rfc3339(at);
    let refresh = set.refresh_token.is_some();
    let none = match set.refresh_refused {
        true => "the provider refused its refresh token",
        false => "no refresh token",
    };
    match (set.is_fresh(now, EXPIRING), at > now, refresh) {
        (true, _, true) => Check::ok(check, format!("{who}: valid until {when}, then refreshed")),
        (true, _, false) => Check::ok(
            check,
            format!("{who}: valid until {when}; {none}, so log in again then"),
        ),
        (false, true, true) => Check::ok(
            check,
            format!("{who}: expires at {when}; the next use refreshes it"),
        ),
        (false, false, true) => Check::ok(
            check,
            format!("{who}: expired at {when}; the next use refreshes it"),
        ),
        (false, true, false) => Check::warn(
            check,
            format!("{who}: expires at {when} and cannot be refreshed ({none})"),
            again,
        ),
        (false, false, false) => Check::fail(
            check,
            format!("{who}: expired at {when} and cannot be refreshed ({none})"),
            again,
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth_method::AuthMethod;
    use crate::secret::Secret;

    #[test]
    fn a_clock_a_minute_off_is_fine_and_more_is_a_failure() {
        let at = |skew: i64| {
            chrono::DateTime::from_timestamp(token::now() + skew, 0)
                .unwrap()
                .to_rfc2822()
        };
        let i = "https://id.example";
        assert_eq!(clock("p", i, Some(&at(-30))).fix, None);
        let ahead = clock("p", i, Some(&at(-600)));
        assert!(
            ahead.detail.starts_with("this machine's clock is 60"),
            "{}",
            ahead.detail
        );
        assert!(
            ahead
                .detail
                .ends_with(" s ahead of https://id.example's (its Date header)")
        );
        assert_eq!(ahead.status, super::super::Status::Fail);
        let behind = clock("p", i, Some(&at(600)));
        assert!(behind.detail.contains(" s behind "), "{}", behind.detail);
        assert_eq!(clock("p", i, None).status, super::super::Status::Ok);
    }

    #[test]
    fn a_login_without_refresh_token_needs_a_login_when_it_runs_out() {
        let mut set = TokenSet {
            issuer: "i".into(),
            client_id: "c".into(),
            email: "a@example.com".into(),
            subject: None,
            access_token: Secret::new("x"),
            token_type: "Bearer".into(),
            refresh_token: Some(Secret::new("r")),
            refresh_refused: false,
            id_token: None,
            id_token_expires_at: None,
            expires_at: Some(1000),
            scopes: Vec::new(),
            token_endpoint: String::new(),
            revocation_endpoint: None,
            auth_method: AuthMethod::None,
            obtained_at: None,
            id_token_issued_at: None,
            id_token_keys: None,
            scoped: Vec::new(),
        };
        let judged = |set: &TokenSet, now| judge("l".into(), set, now, "again".into());
        assert_eq!(judged(&set, 2000).fix, None);
        assert_eq!(judged(&set, 900).fix, None);
        set.refresh_token = None;
        assert_eq!(judged(&set, 0).fix, None);
        assert_eq!(judged(&set, 900).status, super::super::Status::Warn);
        let lost = judged(&set, 2000);
        assert_eq!(lost.status, super::super::Status::Fail);
        assert_eq!(
            lost.detail,
            "a@example.com: expired at 1970-01-01T00:16:40Z and cannot be refreshed (no refresh token)"
        );
        assert_eq!(lost.fix.as_deref(), Some("again"));
    }
}
