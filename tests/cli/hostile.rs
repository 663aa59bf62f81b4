//! Logins against a provider that misbehaves in exactly one way (`tests/provider/hostile.mjs`):
//! forged or mismatched ID tokens, a foreign `iss`, a token endpoint that redirects, stalls
//! or floods, an error description made to attack the page or the terminal, TLS from a
//! private CA (SECURITY.md rows 4, 5, #6, #7, #11, #12, #15). Each ends with exit 1, nothing
//! stored and the earlier login untouched.

use crate::support::*;

#[test]
fn the_hostile_provider_when_it_behaves_gives_a_good_login() {
    // The control for every test below: bent in no way, its tokens are accepted.
    let provider = Provider::hostile("none", &[]);
    let user = User::new();
    user.config(&config(&provider.issuer, ""));
    assert_eq!(
        user.ok(&["login"]),
        "Logged in to corp as alice@example.com\n"
    );
    let stored = read_json(&user.token_file("corp"));
    assert_eq!(stored["subject"], "alice");
    assert_eq!(stored["issuer"], provider.issuer.as_str());
    assert_eq!(stored["id_token"].as_str().unwrap().matches('.').count(), 2);
    assert_eq!(provider.requests_to("/token").len(), 1);
}

/// An earlier login of `corp`, as the file store keeps it.
const EARLIER: &str = r#"{"issuer":"https://login.example.com","client_id":"cli-public","email":"earlier@example.com","subject":"earlier","access_token":"earlier-access","token_type":"Bearer","refresh_token":"earlier-refresh","expires_at":4102444800,"scopes":["openid"],"token_endpoint":"https://login.example.com/token","auth_method":"none"}"#;

pub fn config(issuer: &str, extra: &str) -> String {
    format!(
        "storage = \"file\"\n{extra}{}",
        openid_config("corp", issuer, "cli-public", "")
    )
}

/// Logs in to a provider misbehaving as `mode` over an earlier login, and checks that the
/// login failed and the earlier one is intact.
fn bent(mode: &str, env: &[(&str, &str)]) -> (Provider, User, Run) {
    let bad = Provider::hostile(mode, env);
    let mut user = User::new();
    user.config(&config(&bad.issuer, ""));
    let file = user.token_file("corp");
    std::fs::create_dir_all(file.parent().unwrap()).unwrap();
    std::fs::write(&file, EARLIER).unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o600)).unwrap();
    user.env("OAUTHCLI_HTTP_TIMEOUT", "2");
    let run = user.run(&["login"]);
    assert_eq!(run.code, 1, "{run:#?}");
    assert_eq!(run.stdout, "");
    assert_eq!(std::fs::read_to_string(&file).unwrap(), EARLIER);
    (bad, user, run)
}

/// A login whose token response is bad in `mode`: the code was exchanged once, and the
/// error names the cause.
pub fn refused_at_exchange(mode: &str, cause: &str) {
    let (bad, _user, run) = bent(mode, &[]);
    assert_eq!(bad.requests_to("/token").len(), 1);
    let expected =
        format!("error: the login to 'corp' failed; nothing was stored\n  caused by: {cause}");
    assert!(
        run.stderr.contains(&expected),
        "{expected}\nnot in\n{}",
        run.stderr
    );
}

#[test]
fn a_forged_id_token_stores_nothing() {
    refused_at_exchange(
        "id-forged",
        "the ID token is not valid: Signature verification failed\n",
    );
}

#[test]
fn an_unsigned_id_token_stores_nothing() {
    refused_at_exchange(
        "id-alg-none",
        "the ID token is not valid: Signature verification failed\n",
    );
}

#[test]
fn an_id_token_signed_hs256_with_the_public_key_stores_nothing() {
    refused_at_exchange(
        "id-hs256",
        "the ID token is not valid: Signature verification failed\n",
    );
}

#[test]
fn an_expired_id_token_stores_nothing() {
    refused_at_exchange(
        "id-expired",
        "the ID token is not valid: Expired: ID token expired at ",
    );
}

#[test]
fn an_id_token_from_the_future_stores_nothing() {
    refused_at_exchange(
        "id-future",
        "the ID token is not valid: it was issued in the future (",
    );
}

#[test]
fn a_little_clock_skew_is_forgiven() {
    // Issued 30 s ahead of our clock, or expired 30 s ago: inside the leeway (SECURITY.md row 15).
    for mode in ["id-clock-ahead", "id-just-expired"] {
        let provider = Provider::hostile(mode, &[]);
        let user = User::new();
        user.config(&config(&provider.issuer, ""));
        assert_eq!(
            user.ok(&["login"]),
            "Logged in to corp as alice@example.com\n",
            "{mode}"
        );
    }
}

#[test]
fn an_id_token_for_another_client_stores_nothing() {
    refused_at_exchange(
        "id-wrong-aud",
        "the ID token is not valid: Invalid audiences: must contain `cli-public` (found audiences: `another-client`)\n",
    );
}

#[test]
fn an_id_token_for_us_and_another_client_stores_nothing() {
    refused_at_exchange(
        "id-extra-aud",
        "the ID token is not valid: Invalid audiences: `another-client` is not a trusted audience\n",
    );
}

#[test]
fn an_id_token_authorized_for_another_party_stores_nothing() {
    refused_at_exchange(
        "id-azp",
        "the ID token is not valid: it was issued to another client (azp 'another-client')\n",
    );
}

#[test]
fn an_id_token_with_another_nonce_or_none_stores_nothing() {
    refused_at_exchange(
        "id-wrong-nonce",
        "the ID token is not valid: Invalid nonce: nonce mismatch\n",
    );
    refused_at_exchange(
        "id-no-nonce",
        "the ID token is not valid: Invalid nonce: missing nonce claim\n",
    );
}

#[test]
fn an_id_token_from_another_issuer_stores_nothing() {
    refused_at_exchange(
        "id-wrong-iss",
        "the ID token is not valid: Invalid issuer: expected `http://127.0.0.1:",
    );
}

#[test]
fn userinfo_about_another_subject_stores_nothing() {
    let (bad, _user, run) = bent("userinfo-other-sub", &[]);
    assert_eq!(bad.requests_to("/me").len(), 1);
    assert!(
        run.stderr.ends_with(
            "caused by: the userinfo endpoint describes another user (sub 'mallory') than the ID token \
             (sub 'alice'); refusing the login\n"
        ),
        "{}",
        run.stderr
    );
}

#[test]
fn a_foreign_iss_in_the_callback_ends_the_login_before_any_token_request() {
    let (bad, user, run) = bent("iss-foreign", &[]);
    assert_eq!(
        run.stderr.lines().last().unwrap(),
        format!(
            "error: the authorization response names the issuer 'https://evil.example', not '{}': it may \
             come from another provider (RFC 9207); login aborted",
            bad.issuer
        )
    );
    assert!(bad.requests_to("/token").is_empty());
    let pages = user.browser_pages();
    let last = pages.last().unwrap();
    assert_eq!(last["status"], 400);
    assert!(
        last["body"]
            .as_str()
            .unwrap()
            .contains("<h1 class=\"bad\">Login failed</h1>")
    );
}

#[test]
fn a_missing_iss_is_refused_when_the_provider_promises_it() {
    let (bad, _user, run) = bent("iss-missing", &[]);
    assert!(
        run.stderr.ends_with(
            "error: the provider promises `iss` in its responses but this one has none (RFC 9207); \
             login aborted\n"
        ),
        "{}",
        run.stderr
    );
    assert!(bad.requests_to("/token").is_empty());
}

#[test]
fn a_provider_without_s256_pkce_is_refused_before_the_browser() {
    let provider = Provider::hostile("pkce-plain-only", &[]);
    let user = User::new();
    user.config(&config(&provider.issuer, ""));
    let r = user.run(&["login"]);
    assert_eq!(r.code, 2, "{r:#?}");
    assert_eq!(
        r.stderr,
        "error: provider 'corp' does not support PKCE with S256 (it lists [\"plain\"]); oauthcli will \
         not log in without it\n"
    );
    assert!(provider.requests_to("/auth").is_empty());
    assert!(user.browser_log().is_empty());
}

#[test]
fn an_error_description_with_markup_and_escapes_reaches_neither_page_nor_terminal() {
    let (_bad, user, run) = bent("error-script", &[]);
    // On the terminal: control and bidi characters escaped (SECURITY.md row 12).
    assert!(
        run.stderr.ends_with(
            "error: the login was refused at the provider (access_denied: \
             <script>alert(document.cookie)</script>\\u{1b}]0;pwned\\u{7}\\u{202e}gnp.exe); nothing was stored\n"
        ),
        "{}",
        run.stderr
    );
    assert!(!run.stderr.contains(['\u{1b}', '\u{7}', '\u{202e}']));
    // On the page: nothing of it; the static page with its CSP (SECURITY.md row 7).
    let pages = user.browser_pages();
    let last = pages.last().unwrap();
    assert_eq!(last["status"], 200);
    let body = last["body"].as_str().unwrap();
    assert!(
        body.contains("<h1 class=\"bad\">Login refused</h1>"),
        "{body}"
    );
    for leak in ["script", "alert", "pwned", "access_denied", "\u{202e}"] {
        assert!(!body.contains(leak), "{leak} on the page: {body}");
    }
    let csp = last["headers"]
        .as_array()
        .unwrap()
        .iter()
        .find(|h| h[0] == "Content-Security-Policy")
        .and_then(|h| h[1].as_str())
        .unwrap();
    crate::listener::assert_csp(csp, body);
}

#[test]
fn a_token_endpoint_redirect_sends_nothing_to_the_new_place() {
    let trap = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let target = format!(
        "http://127.0.0.1:{}/token",
        trap.local_addr().unwrap().port()
    );
    let (bad, _user, run) = bent("token-redirect", &[("REDIRECT_TO", &target)]);
    assert!(
        run.stderr.ends_with(&format!(
            "  caused by: {issuer}/token answered 307 with a redirect to '{target}': oauthcli follows \
             no redirects, so nothing was sent there; check the provider's endpoints\n",
            issuer = bad.issuer
        )),
        "{}",
        run.stderr
    );
    // Not even a connection was made to where the provider pointed.
    trap.set_nonblocking(true).unwrap();
    let err = trap.accept().unwrap_err();
    assert_eq!(err.kind(), std::io::ErrorKind::WouldBlock);
}

#[test]
fn a_stalling_token_endpoint_times_out() {
    let (bad, _user, run) = bent("token-stall", &[]);
    assert_eq!(bad.requests_to("/token").len(), 1);
    assert!(
        run.stderr.ends_with("  caused by: operation timed out\n"),
        "{}",
        run.stderr
    );
}

#[test]
fn a_huge_token_response_is_cut_off() {
    let (bad, _user, run) = bent("token-huge", &[]);
    assert_eq!(bad.requests_to("/token").len(), 1);
    assert!(
        run.stderr.ends_with(&format!(
            "  caused by: the response from {}/token is larger than 1048576 bytes\n",
            bad.issuer
        )),
        "{}",
        run.stderr
    );
}

#[test]
fn an_extra_ca_file_is_trusted_and_nothing_else_is() {
    let dir = tempfile::tempdir().unwrap();
    let (ca, cert, key) = private_ca(dir.path());
    let provider = Provider::hostile("none", &[("TLS_CERT", &cert), ("TLS_KEY", &key)]);
    assert!(provider.issuer.starts_with("https://127.0.0.1:"));
    let mut user = User::new();
    // The test browser trusts the CA through OpenSSL's variable; oauthcli ignores it, so
    // the CA is trusted only where ca_file names it.
    user.env("SSL_CERT_FILE", &ca);

    // Without ca_file the certificate is refused, and no request gets through.
    user.config(&config(&provider.issuer, ""));
    let r = user.run(&["login"]);
    assert_eq!(r.code, 1, "{r:#?}");
    assert!(
        r.stderr.starts_with(&format!(
            "error: OpenID discovery at {} failed (is the issuer URL right and the provider up?)\n",
            provider.issuer
        )),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("UnknownIssuer"), "{}", r.stderr);
    assert!(provider.requests().is_empty());

    // With it, the login works end to end over https.
    std::fs::copy(&ca, user.path("ca.pem")).unwrap();
    user.config(&config(&provider.issuer, "ca_file = \"ca.pem\"\n"));
    assert_eq!(
        user.ok(&["login"]),
        "Logged in to corp as alice@example.com\n"
    );

    // A ca_file that cannot be used is a configuration error.
    user.config(&config(&provider.issuer, "ca_file = \"missing.pem\"\n"));
    let r = user.run(&["login"]);
    assert_eq!(r.code, 2);
    assert_eq!(
        r.stderr,
        format!(
            "error: ca_file {}: cannot read it: No such file or directory (os error 2)\n",
            user.path("missing.pem").display()
        )
    );
    std::fs::write(user.path("junk.pem"), "not a certificate\n").unwrap();
    user.config(&config(&provider.issuer, "ca_file = \"junk.pem\"\n"));
    let r = user.run(&["login"]);
    assert_eq!(r.code, 2);
    assert_eq!(
        r.stderr,
        format!(
            "error: ca_file {}: holds no PEM certificate\n",
            user.path("junk.pem").display()
        )
    );
    // And there is no setting that turns the check off.
    user.config(&config(
        &provider.issuer,
        "danger_accept_invalid_certs = true\n",
    ));
    assert_eq!(user.run(&["login"]).code, 2);
}
