//! The device grant against a provider that misbehaves in exactly one way
//! (`tests/provider/hostile.mjs`, the `device-*` modes): what oidc-provider cannot be made to
//! do on demand (SECURITY.md row 19). Every failure: the exact message and exit code, nothing
//! stored, the earlier login intact.

use crate::device::{device_requests, earlier_login};
use crate::support::*;

fn user_of(provider: &Provider) -> User {
    let mut user = User::new();
    user.config(&format!(
        "storage = \"file\"\n{}",
        openid_config("corp", &provider.issuer, "cli-public", "")
    ));
    user.env("OAUTHCLI_HTTP_TIMEOUT", "2");
    user
}

/// A device login (with `args` too) to a provider misbehaving as `mode` that succeeds.
fn approved(mode: &str, args: &[&str]) -> (Provider, User, Run) {
    let provider = Provider::hostile(mode, &[]);
    let user = user_of(&provider);
    let run = user.run(&[&["login", "corp", "--device"], args].concat());
    assert_eq!(run.code, 0, "{run:#?}");
    assert_eq!(run.stdout, "Logged in to corp as alice@example.com\n");
    (provider, user, run)
}

/// The milliseconds from the device authorization to the first poll and from it to the
/// second, of a login to a provider misbehaving as `mode` that approves at the second poll.
fn gaps_of_two_polls(mode: &str) -> Vec<i64> {
    let (provider, _, _) = approved(mode, &[]);
    let (requests, gaps) = device_requests(&provider);
    assert_eq!(requests.len(), 3, "{requests:?}");
    gaps
}

/// A device login to a provider misbehaving as `mode`, over an earlier login, that fails
/// with exit 1 and `error` as the last line(s) of stderr.
fn refused(mode: &str, error: &str) -> Provider {
    refused_with(mode, &[], error)
}

/// As [`refused`], the provider given `env` too.
fn refused_with(mode: &str, env: &[(&str, &str)], error: &str) -> Provider {
    let (provider, run) = failed_with(mode, env);
    let error = error.replace("ISSUER", &provider.issuer);
    assert!(
        run.stderr.ends_with(&error),
        "{error}\nnot at the end of\n{}",
        run.stderr
    );
    provider
}

/// A device login to a provider misbehaving as `mode`, over an earlier login: exit 1,
/// nothing on stdout, the earlier login intact.
fn failed(mode: &str) -> (Provider, Run) {
    failed_with(mode, &[])
}

/// As [`failed`], the provider given `env` too.
fn failed_with(mode: &str, env: &[(&str, &str)]) -> (Provider, Run) {
    let provider = Provider::hostile(mode, env);
    let user = user_of(&provider);
    let earlier = earlier_login(&user, "corp");
    let run = user.run(&["login", "corp", "--device"]);
    assert_eq!(run.code, 1, "{run:#?}");
    assert_eq!(run.stdout, "");
    assert_eq!(
        std::fs::read_to_string(user.token_file("corp")).unwrap(),
        earlier
    );
    (provider, run)
}

#[test]
fn the_hostile_device_grant_when_it_behaves_gives_a_good_login() {
    let (provider, _, _) = approved("device-ok", &[]);
    let (requests, gaps) = device_requests(&provider);
    assert_eq!(requests.len(), 3, "one device authorization, two polls");
    assert!(gaps.iter().all(|g| *g >= 1000), "{gaps:?}");
}

#[test]
fn slow_down_adds_five_seconds_for_good() {
    let gaps = gaps_of_two_polls("device-slow-down");
    // interval 1 s; after slow_down 6 s (RFC 8628 §3.5).
    assert!(gaps[0] >= 1000 && gaps[1] >= 6000, "{gaps:?}");
}

#[test]
fn polls_that_fail_on_the_way_are_tried_again_and_the_login_completes() {
    // A gateway's 502, a connection reset, a connection closed unanswered; then tokens.
    let (provider, user, run) = approved("device-flaky", &["-v"]);
    let token = format!("{}/token", provider.issuer);
    let notes: Vec<&str> = run
        .stderr
        .lines()
        .filter(|l| l.starts_with("oauthcli: the poll failed"))
        .collect();
    let note = |n: u32, why: &str| {
        format!(
            "oauthcli: the poll failed ({why}); polling again in 1 s ({n} failed in a row; 5 end \
             the login)"
        )
    };
    assert_eq!(
        notes,
        [
            note(1, &format!("{token} answered HTTP 502 Bad Gateway")),
            note(
                2,
                &format!("request to {token} failed: Connection reset by peer (os error 104)")
            ),
            note(
                3,
                &format!("request to {token} failed: connection closed before message completed")
            ),
        ]
    );
    // One device authorization and four polls, the interval apart; the tokens of the last
    // one stored.
    let (requests, gaps) = device_requests(&provider);
    assert_eq!(requests.len(), 5, "{requests:?}");
    assert!(gaps.iter().all(|g| *g >= 1000), "{gaps:?}");
    let stored = read_json(&user.token_file("corp"));
    assert_eq!(stored["email"], "alice@example.com");
    assert_eq!(user.ok(&["token", "corp"]).trim(), stored["access_token"]);
}

#[test]
fn a_poll_that_times_out_doubles_the_interval() {
    // The first poll is never answered: it times out after 2 s (OAUTHCLI_HTTP_TIMEOUT).
    let gaps = gaps_of_two_polls("device-poll-stall");
    // RFC 8628 §3.5: after a timeout the client polls less often: 2 s of timeout, then
    // twice the interval of 2 s (4 s without the backoff; a second between them, as the
    // timeout is counted from a moment before the provider saw the poll).
    assert!(gaps[0] >= 2000 && gaps[1] >= 5000, "{gaps:?}");
}

#[test]
fn a_provider_that_stays_down_ends_the_login_saying_what_failed() {
    let provider = refused(
        "device-down",
        "error: 5 polls in a row failed, so the provider seems to be down; nothing was stored: \
         try 'oauthcli login corp --device' again later\n  caused by: ISSUER/token answered HTTP \
         503 Service Unavailable\n",
    );
    assert_eq!(provider.requests_to("/token").len(), 5);
    // At the deadline, the last failure is named.
    let provider = Provider::hostile("device-down", &[]);
    let run = user_of(&provider).run(&["login", "corp", "--device", "--timeout", "3"]);
    assert_eq!(run.code, 1, "{run:#?}");
    assert!(
        run.stderr.ends_with(&format!(
            "error: timed out after 3 s waiting for the login to be approved: run 'oauthcli \
             login corp --device' again (--timeout SECS gives more time)\n  caused by: \
             {}/token answered HTTP 503 Service Unavailable\n",
            provider.issuer
        )),
        "{}",
        run.stderr
    );
}

#[test]
fn access_denied_says_the_login_was_refused() {
    refused(
        "device-denied",
        "error: the login was refused at the provider (ISSUER/token answered `access_denied`: the \
         user said no); nothing was stored\n",
    );
}

#[test]
fn expired_token_says_to_start_again() {
    refused(
        "device-expired",
        "error: the code expired before the login was approved; nothing was stored: start again \
         with 'oauthcli login corp --device'\n",
    );
}

#[test]
fn invalid_grant_says_the_code_is_not_accepted_and_names_the_answer() {
    // oidc-provider's answer to a device code it no longer knows, an expired one among them:
    // not `expired_token`, so not said to be expired.
    refused_with(
        "device-poll-error",
        &[("POLL_ERROR", "invalid_grant")],
        "error: the provider does not accept the device code (ISSUER/token answered \
         `invalid_grant`: grant request is invalid): it may have expired or been used already; \
         nothing was stored: start again with 'oauthcli login corp --device'\n",
    );
}

#[test]
fn githubs_device_codes_are_read_as_githubs_for_the_github_preset_alone() {
    // A provider from the config alone: GitHub's code means nothing, and is shown as it came.
    refused_with(
        "device-poll-error",
        &[("POLL_ERROR", "incorrect_device_code")],
        "error: the login to 'corp' failed; nothing was stored\n  caused by: ISSUER/token \
         answered `incorrect_device_code`: The device_code provided is not valid.\n",
    );
    // The GitHub preset (its endpoints on the hostile provider): each code has its message.
    let unknown = "it may have expired or been used already; nothing was stored: start again \
                   with 'oauthcli login gh --device'";
    for (code, meaning, message) in [
        (
            "incorrect_device_code",
            "The device_code provided is not valid.",
            format!("the provider does not accept the device code (ANSWER): {unknown}"),
        ),
        (
            "device_flow_disabled",
            "Device flow has not been enabled in the app's settings.",
            "the provider does not let this client use the device grant (ANSWER): tick \
             \"Enable Device Flow\" in the app's settings at ISSUER/settings/developers (OAuth \
             apps or GitHub Apps); nothing was stored"
                .to_owned(),
        ),
        (
            "unsupported_grant_type",
            "The grant type must be urn:ietf:params:oauth:grant-type:device_code.",
            "the provider does not support the device grant (ANSWER): log in to 'gh' without \
             --device; nothing was stored"
                .to_owned(),
        ),
        (
            "incorrect_client_credentials",
            "The client_id and/or client_secret passed are incorrect.",
            "the provider does not accept the client 'cli-basic' (ANSWER): check client_id (and \
             device_client_id, when set) under [providers.gh] in CONFIG, and that the client may \
             use the device grant; nothing was stored"
                .to_owned(),
        ),
    ] {
        let provider = Provider::hostile("device-poll-error", &[("POLL_ERROR", code)]);
        let mut user = User::new();
        user.config(&format!(
            "storage = \"file\"\n[providers.gh]\npreset = \"github\"\nbase_url = \"{0}\"\n\
             client_id = \"cli-basic\"\ntoken_endpoint = \"{0}/token\"\n\
             device_authorization_endpoint = \"{0}/device/auth\"\n",
            provider.issuer
        ));
        user.env("OAUTHCLI_GH_CLIENT_SECRET", "basic-secret");
        let run = user.run(&["login", "gh", "--device"]);
        assert_eq!((run.code, run.stdout.as_str()), (1, ""), "{run:#?}");
        let standard = match code {
            "incorrect_device_code" => " (`invalid_grant`)",
            "device_flow_disabled" => " (`unauthorized_client`)",
            "incorrect_client_credentials" => " (`invalid_client`)",
            _ => "",
        };
        let answer = format!(
            "{}/token answered `{code}`{standard}: {meaning}",
            provider.issuer
        );
        let expected = message
            .replace("ANSWER", &answer)
            .replace("ISSUER", &provider.issuer)
            .replace("CONFIG", user.config.to_str().unwrap());
        assert!(
            run.stderr.ends_with(&format!("\nerror: {expected}\n")),
            "{expected}\nnot at the end of\n{}",
            run.stderr
        );
        assert!(!user.token_file("gh").exists());
    }
}

#[test]
fn a_plain_http_verification_uri_is_refused() {
    let provider = refused(
        "device-http-uri",
        "error: the device authorization response of ISSUER/device/auth cannot be used: its \
         verification_uri http://evil.example/device is not https: only loopback hosts \
         (127.0.0.1, ::1, localhost) may use plain http; nothing was stored\n",
    );
    assert!(provider.requests_to("/token").is_empty());
}

#[test]
fn a_user_code_with_a_terminal_escape_is_refused() {
    let provider = refused(
        "device-control-code",
        "error: the device authorization response of ISSUER/device/auth cannot be used: its \
         user_code 'WDJB\\u{1b}]52;c;ZXZpbA==\\u{7}' holds control or invisible characters; \
         nothing was stored\n",
    );
    assert!(provider.requests_to("/token").is_empty());
}

#[test]
fn an_interval_of_zero_polls_every_five_seconds() {
    // RFC 8628 §3.2's default, as for no interval at all: 0 would poll in a tight loop.
    let (provider, _, run) = approved("device-interval-0", &[]);
    assert!(
        run.stderr.contains(
            "\nThe provider asked to be polled every 0 s; polling every 5 s instead, the default \
             of RFC 8628.\n"
        ),
        "{}",
        run.stderr
    );
    let (_, gaps) = device_requests(&provider);
    assert!(
        gaps.len() == 2 && gaps.iter().all(|g| *g >= 5000),
        "{gaps:?}"
    );
}

#[test]
fn an_interval_longer_than_the_code_lives_is_followed_and_the_code_expires_unpolled() {
    let provider = refused(
        "device-interval-huge",
        "The provider asks to be polled every 86400 s, and its code expires in 2 s: no poll can \
         be sent before the code expires.\n\n\
         Waiting up to 2 s for the login to be approved (Ctrl-C to cancel)...\n\
         error: the code expired before the login was approved; nothing was stored: start again \
         with 'oauthcli login corp --device'\n",
    );
    // The provider asked for a day between polls: none was sent, none faster than asked.
    assert!(provider.requests_to("/token").is_empty());
}

#[test]
fn a_stalling_device_endpoint_times_out_and_says_so() {
    let (provider, run) = failed("device-stall");
    let iss = &provider.issuer;
    let expected = format!(
        "error: {iss}/device/auth did not answer within 2 s ($OAUTHCLI_HTTP_TIMEOUT gives more); \
         nothing was stored\n  caused by: request to {iss}/device/auth failed\n"
    );
    assert!(run.stderr.starts_with(&expected), "{}", run.stderr);
}

#[test]
fn a_client_not_allowed_the_device_grant_is_told_where_to_allow_it() {
    for (mode, code) in [
        (
            "device-invalid-client",
            "invalid_client`: client authentication failed",
        ),
        (
            "device-unauthorized-client",
            "unauthorized_client`: the device grant is not enabled for this client",
        ),
    ] {
        refused(
            mode,
            &format!(
                "error: the provider does not let this client use the device grant \
                 (ISSUER/device/auth answered `{code}): allow the device authorization grant \
                 for this client at the provider; nothing was stored\n"
            ),
        );
    }
    refused(
        "device-unsupported-grant",
        "error: the provider does not support the device grant (ISSUER/device/auth answered \
         `unsupported_grant_type`: no device grant here): log in to 'corp' without --device; \
         nothing was stored\n",
    );
}

#[test]
fn a_preset_says_where_to_allow_the_device_grant() {
    let provider = Provider::hostile("device-unauthorized-client", &[]);
    let user = User::new();
    user.config(&format!(
        "storage = \"file\"\n[providers.work]\npreset = \"gitlab\"\nbase_url = \"{0}\"\n\
         client_id = \"cli-public\"\ndevice_authorization_endpoint = \"{0}/device/auth\"\n",
        provider.issuer
    ));
    let run = user.run(&["login", "work", "--device"]);
    assert_eq!(run.code, 1, "{run:#?}");
    assert!(
        run.stderr.ends_with(&format!(
            "answered `unauthorized_client`: the device grant is not enabled for this client): \
             the device authorization grant needs GitLab 17.1 or later and an application at \
             {}/-/user_settings/applications with the scopes openid and email; nothing was \
             stored\n",
            provider.issuer
        )),
        "{}",
        run.stderr
    );
}
