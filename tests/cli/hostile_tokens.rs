//! Token responses bent by the hostile provider (`tests/provider/hostile.mjs`), at login and
//! at refresh (`BENT_AT=refresh`), through the one boundary that checks them (`src/accept.rs`):
//! a token with characters no token may hold, a token type we cannot use, a refreshed ID
//! token that is unsigned, forged, for another party or about another user. A bent login
//! stores nothing and leaves the earlier one intact; a bent refresh leaves the stored set
//! byte for byte as it was (SECURITY.md rows 6, 12, #13).

use crate::hostile::{config, refused_at_exchange};
use crate::support::*;

/// A login whose token response is bent in `mode`: exit 1, the exact error, and the earlier
/// login intact (`hostile::refused_at_exchange`).
fn refused_at_login(mode: &str, cause: &str) {
    refused_at_exchange(mode, &format!("{cause}\n"));
}

fn refresh_requests(provider: &Provider) -> usize {
    provider
        .requests_to("/token")
        .iter()
        .filter(|r| r["form"]["grant_type"] == "refresh_token")
        .count()
}

/// A good login, then a refresh (`token ARGS --min-ttl 7200`, more than the tokens' hour)
/// bent in `mode`: exit 1, the exact error, nothing printed, and the stored set unchanged.
fn refused_at_refresh(mode: &str, args: &[&str], cause: &str) {
    let provider = Provider::hostile(mode, &[("BENT_AT", "refresh")]);
    let user = User::new();
    user.config(&config(&provider.issuer, ""));
    assert_eq!(
        user.ok(&["login"]),
        "Logged in to corp as alice@example.com\n"
    );
    let file = user.token_file("corp");
    let before = std::fs::read(&file).unwrap();
    let run = user.run(&[&["token"], args, &["--min-ttl", "7200"]].concat());
    assert_eq!(run.code, 1, "{run:#?}");
    assert_eq!(run.stdout, "");
    assert_eq!(
        run.stderr,
        format!(
            "error: refreshing the token of 'corp' failed; the stored login is unchanged\n  \
             caused by: {cause}\n"
        )
    );
    assert_eq!(refresh_requests(&provider), 1);
    assert_eq!(std::fs::read(&file).unwrap(), before);
    // The login still works as it was: its access token is printed without a refresh.
    let stored = read_json(&file);
    assert_eq!(
        user.ok(&["token"]),
        format!("{}\n", stored["access_token"].as_str().unwrap())
    );
    assert_eq!(refresh_requests(&provider), 1);
}

#[test]
fn the_hostile_provider_refreshes_when_it_behaves() {
    // The control for the refresh tests below: bent in no way, the refresh is taken.
    let provider = Provider::hostile("none", &[("BENT_AT", "refresh")]);
    let user = User::new();
    user.config(&config(&provider.issuer, ""));
    user.ok(&["login"]);
    let before = read_json(&user.token_file("corp"));
    let printed = user.ok(&["token", "--id-token", "--min-ttl", "7200"]);
    let after = read_json(&user.token_file("corp"));
    assert_eq!(refresh_requests(&provider), 1);
    assert_eq!(
        printed,
        format!("{}\n", after["id_token"].as_str().unwrap())
    );
    assert_ne!(after["access_token"], before["access_token"]);
    assert_ne!(after["refresh_token"], before["refresh_token"]);
    assert_eq!(after["subject"], "alice");
}

const BAD_CHARACTER: &str = "the provider's access token holds a character no token may hold \
    (at byte 43, RFC 6749 Appendix A); refusing the whole response, nothing was stored";

#[test]
fn an_access_token_with_cr_lf_or_an_escape_stores_nothing_at_login() {
    refused_at_login("access-crlf", BAD_CHARACTER);
    refused_at_login("access-escape", BAD_CHARACTER);
}

#[test]
fn an_access_token_with_cr_lf_or_an_escape_is_refused_at_refresh() {
    refused_at_refresh("access-crlf", &["--format", "header"], BAD_CHARACTER);
    refused_at_refresh("access-escape", &[], BAD_CHARACTER);
}

fn unusable_type(kind: &str) -> String {
    format!(
        "the provider issued a token of type '{kind}', which oauthcli cannot use (only Bearer \
         tokens, RFC 6750): check the client's settings at the provider (DPoP or \
         sender-constrained tokens must be turned off)"
    )
}

#[test]
fn a_token_type_other_than_bearer_stores_nothing_at_login() {
    refused_at_login("token-type-dpop", &unusable_type("dpop"));
    refused_at_login("token-type-mac", &unusable_type("mac"));
}

#[test]
fn a_token_type_other_than_bearer_is_refused_at_refresh() {
    refused_at_refresh(
        "token-type-dpop",
        &["--format", "header"],
        &unusable_type("dpop"),
    );
    refused_at_refresh("token-type-mac", &[], &unusable_type("mac"));
}

#[test]
fn a_refreshed_id_token_about_another_user_is_refused() {
    refused_at_refresh(
        "id-other-sub",
        &["--id-token"],
        "the refreshed ID token is for another user (sub 'mallory', the login is 'alice'); \
         refusing the response (OpenID Core §12.2)",
    );
}

#[test]
fn an_unsigned_or_forged_refreshed_id_token_is_refused() {
    let cause = "the refreshed ID token was refused: the ID token is not valid: Signature \
                 verification failed";
    refused_at_refresh("id-alg-none", &["--id-token"], cause);
    refused_at_refresh("id-forged", &["--id-token"], cause);
}

#[test]
fn a_refreshed_id_token_for_another_party_is_refused() {
    refused_at_refresh(
        "id-azp",
        &["--id-token"],
        "the refreshed ID token was refused: the ID token is not valid: it was issued to another \
         client (azp 'another-client')",
    );
}

#[test]
fn an_id_token_with_an_empty_sub_stores_nothing() {
    // OpenID Core §2: an empty `sub` names nobody (`src/identity.rs`).
    refused_at_login(
        "id-empty-sub",
        "the ID token is not valid: its `sub` is empty",
    );
}

#[test]
fn json_output_escapes_c1_and_bidi_characters_of_the_email() {
    let provider = Provider::hostile("email-controls", &[]);
    let user = User::new();
    user.config(&config(&provider.issuer, ""));
    let email = "alice\u{9b}31m\u{85}\u{202e}gnp.exe@example.com";
    assert_eq!(
        user.ok(&["login"]),
        "Logged in to corp as alice\\u{9b}31m\\u{85}\\u{202e}gnp.exe@example.com\n"
    );
    let escaped = r#""email":"alice\u009b31m\u0085\u202egnp.exe@example.com""#;
    for args in [&["whoami", "--json"][..], &["status", "--json"]] {
        let out = user.ok(args);
        assert!(out.contains(escaped), "{args:?}: {out}");
        assert!(
            !out.contains(['\u{9b}', '\u{85}', '\u{202e}']),
            "{args:?}: {out}"
        );
        // Still JSON, and it decodes to the provider's very string.
        let doc: serde_json::Value = serde_json::from_str(&out).unwrap();
        let shown = if args[0] == "status" { &doc[0] } else { &doc };
        assert_eq!(shown["email"], email, "{args:?}");
    }
}
