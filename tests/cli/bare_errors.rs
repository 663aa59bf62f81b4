//! Token endpoints that answer an error status without an OAuth error (RFC 6749 §5.2): an
//! empty 400 at refresh is the provider refusing the refresh token (exit 4, as
//! `invalid_grant`), an HTML 500 a failure whose status is said without -v (exit 1), at the
//! hostile provider's `token-bare-400` and `token-html-500` modes (`flow::token_http`).

use crate::hostile::config;
use crate::support::*;

fn logged_in(mode: &str) -> (Provider, User) {
    let provider = Provider::hostile(mode, &[("BENT_AT", "refresh")]);
    let user = User::new();
    user.config(&config(&provider.issuer, ""));
    user.ok(&["login"]);
    (provider, user)
}

#[test]
fn an_empty_400_at_refresh_is_a_refused_refresh_token() {
    let (provider, user) = logged_in("token-bare-400");
    let r = user.run(&["token", "--min-ttl", "7200"]);
    assert_eq!(r.code, 4, "{r:#?}");
    assert_eq!(r.stdout, "");
    assert!(
        r.stderr.contains(&format!(
            "{}/token answered HTTP 400 with no OAuth error (an empty body)",
            provider.issuer
        )),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr.ends_with("run 'oauthcli login corp'\n"),
        "{}",
        r.stderr
    );
    // Recorded as refused, and not sent again.
    let status = user.ok(&["status"]);
    assert!(status.contains("refused"), "{status}");
    assert_eq!(user.run(&["token", "--min-ttl", "7200"]).code, 4);
    let refreshes = provider
        .requests_to("/token")
        .iter()
        .filter(|r| r["form"]["grant_type"] == "refresh_token")
        .count();
    assert_eq!(refreshes, 1);
}

#[test]
fn an_html_500_at_refresh_is_a_failure_that_keeps_the_login_and_names_the_status() {
    let (provider, user) = logged_in("token-html-500");
    let file = user.token_file("corp");
    let before = std::fs::read(&file).unwrap();
    let r = user.run(&["token", "--min-ttl", "7200"]);
    assert_eq!(r.code, 1, "{r:#?}");
    assert_eq!(
        r.stderr,
        format!(
            "error: refreshing the token of 'corp' failed; the stored login is unchanged\n  \
             caused by: {}/token answered HTTP 500 with no OAuth error (text/html, 75 bytes: \
             <html> <body><h1>500 Internal Server Error</h1> <p>nginx</p></body></html>)\n",
            provider.issuer
        )
    );
    assert_eq!(std::fs::read(&file).unwrap(), before);
    assert!(!user.ok(&["status"]).contains("refused"));
}

#[test]
fn an_html_500_at_the_code_exchange_names_the_status() {
    let provider = Provider::hostile("token-html-500", &[]);
    let user = User::new();
    user.config(&config(&provider.issuer, ""));
    let r = user.run(&["login"]);
    assert_eq!(r.code, 1, "{r:#?}");
    let error = r.error();
    assert_eq!(
        error,
        format!(
            "error: the login to 'corp' failed; nothing was stored\n  caused by: {}/token \
             answered HTTP 500 with no OAuth error (text/html, 75 bytes: <html> <body><h1>500 \
             Internal Server Error</h1> <p>nginx</p></body></html>)\n",
            provider.issuer
        )
    );
    assert!(!user.token_file("corp").exists());
}
