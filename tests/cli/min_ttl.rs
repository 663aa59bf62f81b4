//! `--min-ttl` above what the provider's tokens ever live: one refresh a call, the fresh token
//! handed out (exit 0), and a warning that says so, for access tokens at the real provider and
//! for GitLab's two-minute ID tokens at its stand-in.

use crate::standin::*;
use crate::support::*;

/// `token ARGS --min-ttl 300` for tokens that live 120 s: the token just refreshed, printed,
/// and the warning.
fn refreshed_and_warned(user: &User, provider: &str, args: &[&str], what: &str, field: &str) {
    let r = user.run(&[&["token"], args, &["--min-ttl", "300"]].concat());
    assert_eq!(
        (r.code, r.stderr.clone()),
        (
            0,
            format!(
                "warning: the provider's {what} tokens live 120 s, not more than --min-ttl 300: \
                 this one is handed out all the same, and every call with this --min-ttl \
                 refreshes it first; a --min-ttl below 120 does not\n"
            )
        ),
        "{r:#?}"
    );
    let printed = user.stored(provider)[field].as_str().unwrap().to_owned();
    assert_eq!(r.stdout, format!("{printed}\n"));
}

#[test]
fn access_tokens_that_never_live_min_ttl_are_refreshed_once_a_call_and_said_so() {
    let provider = Provider::with(ProviderOptions {
        access_token_ttl: 120,
        ..ProviderOptions::default()
    });
    let user = file_login(&provider);
    for calls in 1..=2 {
        refreshed_and_warned(&user, "local", &[], "access", "access_token");
        // One refresh a call, never more.
        assert_eq!(provider.grants().len(), 1 + calls);
    }
    // The same for every command that takes --min-ttl.
    let r = user.run(&["exec", "--min-ttl", "300", "--", "true"]);
    assert_eq!(r.code, 0);
    assert!(
        r.stderr
            .starts_with("warning: the provider's access tokens live 120 s")
    );
    assert_eq!(provider.grants().len(), 4);

    // A --min-ttl the tokens do live past asks nothing and says nothing.
    let r = user.run(&["token", "--min-ttl", "60"]);
    assert_eq!((r.code, r.stderr.as_str()), (0, ""));
    assert_eq!(provider.grants().len(), 4);
}

#[test]
fn gitlab_id_tokens_live_two_minutes_and_a_longer_min_ttl_says_so() {
    let gl = StandIn::start(Kind::GitLab, Options::default());
    let user = User::new();
    user.config(&format!(
        "storage = \"file\"\n[providers.gitlab]\nbase_url = \"{}\"\nclient_id = \"{GITLAB_CLIENT}\"\n",
        gl.base
    ));
    user.ok(&["login", "gitlab"]);
    for calls in 1..=2 {
        refreshed_and_warned(&user, "gitlab", &["--id-token"], "ID", "id_token");
        assert_eq!(gl.requests_to("/oauth/token").len(), 1 + calls);
    }
    // The default --min-ttl (60 s) is within their two minutes.
    let r = user.run(&["token", "--id-token"]);
    assert_eq!((r.code, r.stderr.as_str()), (0, ""));
    assert_eq!(gl.requests_to("/oauth/token").len(), 3);
}
