//! The built binary against a second, independent real OpenID provider: Django OAuth Toolkit
//! (`tests/provider/dot/`), whose discovery names no revocation endpoint (its RFC 8414
//! document does), which mounts under a path (`/o`), rotates refresh tokens and puts its
//! login page (Django's) before its own authorization form.

use serde_json::Value;

use crate::support::*;

/// A user of DOT as provider `name`, with oauthcli's default scopes, `storage` being `file`
/// or `keyring`; browser.py logs in with DOT's password.
fn dot_user(provider: &Provider, name: &str, storage: &str) -> User {
    let mut user = User::new();
    user.config(&format!(
        "storage = \"{storage}\"\n{}",
        openid_config(name, &provider.issuer, DOT_CLIENT, "")
    ));
    user.env("BROWSER_PASSWORD", DOT_PASSWORD);
    user
}

/// DOT's userinfo for an access token: the claims, or the HTTP status it answered.
fn userinfo(provider: &Provider, access_token: &str) -> Result<Value, u16> {
    let resp = reqwest::blocking::Client::new()
        .get(format!("{}/userinfo/", provider.issuer))
        .bearer_auth(access_token)
        .send()
        .unwrap();
    if !resp.status().is_success() {
        return Err(resp.status().as_u16());
    }
    Ok(serde_json::from_str(&resp.text().unwrap()).unwrap())
}

/// A refresh at DOT's token endpoint behind the CLI's back is refused: `invalid_grant`.
fn assert_refresh_refused(provider: &Provider, refresh_token: &str) {
    let resp = reqwest::blocking::Client::new()
        .post(format!("{}/token/", provider.issuer))
        .form(&[
            ("grant_type", "refresh_token"),
            ("refresh_token", refresh_token),
            ("client_id", DOT_CLIENT),
        ])
        .send()
        .unwrap();
    let status = resp.status().as_u16();
    let answer: Value = serde_json::from_str(&resp.text().unwrap()).unwrap();
    assert_eq!(
        (status, &answer["error"]),
        (400, &Value::from("invalid_grant"))
    );
}

/// A login that failed with exit 1 and this last line on stderr, and stored nothing.
fn assert_login_failed(user: &User, login: &Run, last_line: &str) {
    assert_eq!(login.code, 1, "{login:#?}");
    assert_eq!(login.stdout, "");
    assert!(
        login.stderr.ends_with(&format!("error: {last_line}\n")),
        "{}",
        login.stderr
    );
    assert!(!user.token_file("dot").exists());
}

/// The `grant_type` of every request to DOT's token endpoint.
fn grants(provider: &Provider) -> Vec<String> {
    provider
        .requests_to("/o/token/")
        .iter()
        .map(|r| r["form"]["grant_type"].as_str().unwrap().to_owned())
        .collect()
}

#[test]
fn login_at_dot_leaves_out_offline_access_walks_its_pages_and_exchanges_the_code_once() {
    let provider = Provider::dot(DotOptions::default());
    let user = dot_user(&provider, "dot", "file");
    let login = user.run(&["login", "-v"]);
    assert_eq!(login.code, 0, "{login:#?}");
    assert_eq!(login.stdout, format!("Logged in to dot as {DOT_EMAIL}\n"));
    // DOT knows only the scopes of its settings, which its discovery lists in
    // `scopes_supported`, and refuses any other with `invalid_scope`.
    assert!(
        login.stderr.contains(
            "oauthcli: not asking for `offline_access`: the provider's scopes_supported does not list it\n"
        ),
        "{}",
        login.stderr
    );

    // Discovery, its keys, the RFC 8414 document at the place RFC 8414 §3.1 gives an issuer
    // with a path; then the browser: DOT's authorization endpoint sends it to Django's login
    // page, back to DOT's authorization form, which it submits; then one code exchange.
    assert_eq!(
        provider.seen(0),
        [
            "GET /o/.well-known/openid-configuration",
            "GET /o/.well-known/jwks.json",
            "GET /.well-known/oauth-authorization-server/o",
            "GET /o/authorize/",
            "GET /accounts/login/",
            "POST /accounts/login/",
            "GET /o/authorize/",
            "POST /o/authorize/",
            "POST /o/token/",
        ]
    );
    let auth = &provider.requests_to("/o/authorize/")[0]["query"];
    assert_eq!(auth["client_id"], DOT_CLIENT);
    assert_eq!(auth["code_challenge_method"], "S256");
    assert_eq!(auth["scope"], "openid email");
    // The consent form carries the request on; `allow` is the button browser.py pressed.
    let consent = &provider.requests_to("/o/authorize/")[2]["form"];
    assert_eq!(consent["allow"], "Authorize");
    assert_eq!(consent["code_challenge"], auth["code_challenge"]);
    let exchange = &provider.requests_to("/o/token/")[0];
    let form = &exchange["form"];
    assert_eq!(form["grant_type"], "authorization_code");
    assert_eq!(form["client_id"], DOT_CLIENT);
    assert_eq!(form["redirect_uri"], auth["redirect_uri"]);
    assert_eq!(form["code_verifier"].as_str().unwrap().len(), 43);
    assert!(form.get("client_secret").is_none(), "{form}");
    assert_eq!(exchange["authorization"], Value::Null);
    // Any port on 127.0.0.1 (RFC 8252 §7.3): DOT accepted the listener's free port.
    // The callback is answered with a 303 to the final page, which the browser fetched.
    let log = user.browser_log();
    assert_eq!(log.len(), 2, "{log:?}");
    let redirect = auth["redirect_uri"].as_str().unwrap();
    assert!(
        log[0].starts_with(&format!("303 {redirect}?code=")),
        "{log:?}"
    );
    assert_eq!(
        log[1],
        redirect
            .replace("/callback", "/done")
            .replace("http", "200 http")
    );

    let stored = user.stored("dot");
    assert_eq!(stored["issuer"], provider.issuer.as_str());
    assert_eq!(stored["email"], DOT_EMAIL);
    assert_eq!(stored["auth_method"], "none");
    // DOT gives a refresh token without being asked for `offline_access`.
    assert!(stored["refresh_token"].is_string(), "{stored}");
    let token = user.ok(&["token"]);
    assert_eq!(token.trim(), stored["access_token"].as_str().unwrap());
    assert_eq!(
        userinfo(&provider, token.trim()).unwrap()["email"],
        DOT_EMAIL
    );
    assert_eq!(grants(&provider), ["authorization_code"]);
}

#[test]
fn an_expiring_token_is_refreshed_once_at_dot_which_accepts_the_new_one() {
    // DOT's access tokens live 30 s here: inside the default 60 s margin of `token`.
    let opts = DotOptions {
        access_token_ttl: 30,
        ..Default::default()
    };
    let provider = Provider::dot(opts);
    let user = dot_user(&provider, "dot", "file");
    user.ok(&["login"]);
    let before = user.stored("dot");
    let old_at = before["access_token"].as_str().unwrap().to_owned();
    let old_rt = before["refresh_token"].as_str().unwrap().to_owned();

    let token = user.ok(&["token"]);
    let after = user.stored("dot");
    assert_ne!(token.trim(), old_at);
    assert_eq!(token.trim(), after["access_token"].as_str().unwrap());
    assert_eq!(grants(&provider), ["authorization_code", "refresh_token"]);
    let form = &provider.requests_to("/o/token/")[1]["form"];
    assert_eq!(form["refresh_token"], old_rt.as_str());
    assert_eq!(form["client_id"], DOT_CLIENT);
    // DOT accepts the new token and rotated the refresh token: the new one is stored.
    assert_eq!(
        userinfo(&provider, token.trim()).unwrap()["email"],
        DOT_EMAIL
    );
    let new_rt = after["refresh_token"].as_str().unwrap();
    assert_ne!(new_rt, old_rt);
    assert_eq!(after["email"], DOT_EMAIL);
    assert_eq!(after["issuer"], provider.issuer.as_str());

    // Good for more than 10 s: handed out again without asking DOT.
    assert_eq!(user.ok(&["token", "--min-ttl", "10"]), token);
    assert_eq!(grants(&provider), ["authorization_code", "refresh_token"]);
    // The refresh token it replaced is dead at DOT.
    assert_refresh_refused(&provider, &old_rt);
}

#[test]
fn logout_revokes_at_the_endpoint_of_dots_rfc8414_document_and_dot_refuses_both_tokens() {
    let provider = Provider::dot(DotOptions::default());
    let name = unique("dot");
    let user = dot_user(&provider, &name, "keyring");
    user.ok(&["login", &name]);
    let entry = keychain_entry(&name).expect("no keychain entry after login");
    let at = entry["access_token"].as_str().unwrap().to_owned();
    let rt = entry["refresh_token"].as_str().unwrap().to_owned();
    // The revocation endpoint is not in DOT's OpenID discovery, only in its RFC 8414 document.
    let discovery = reqwest::blocking::get(format!(
        "{}/.well-known/openid-configuration",
        provider.issuer
    ))
    .unwrap()
    .text()
    .unwrap();
    let discovery: Value = serde_json::from_str(&discovery).unwrap();
    assert!(
        discovery.get("revocation_endpoint").is_none(),
        "{discovery}"
    );
    let revoke = format!("{}/revoke_token/", provider.issuer);
    assert_eq!(entry["revocation_endpoint"], revoke.as_str());
    assert_eq!(userinfo(&provider, &at).unwrap()["email"], DOT_EMAIL);

    let out = user.run(&["logout"]);
    assert_eq!(out.code, 0, "{out:#?}");
    assert_eq!(out.stdout, format!("Logged out of {name} ({DOT_EMAIL})\n"));
    assert_eq!(
        out.stderr,
        format!("Revoked the refresh token and the access token at {name}.\n")
    );
    let revoked: Vec<(String, String)> = provider
        .requests_to("/o/revoke_token/")
        .iter()
        .map(|r| {
            assert_eq!(r["form"]["client_id"], DOT_CLIENT);
            (
                r["form"]["token_type_hint"].as_str().unwrap().to_owned(),
                r["form"]["token"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert_eq!(
        revoked,
        [
            ("refresh_token".to_owned(), rt.clone()),
            ("access_token".to_owned(), at.clone())
        ]
    );
    assert!(keychain_entry(&name).is_none());

    // DOT agrees: the access token is refused at userinfo, the refresh token at /token.
    assert_eq!(userinfo(&provider, &at), Err(401));
    assert_refresh_refused(&provider, &rt);
}

/// A login that `BROWSER_ACTION` ends: `consent` or `deny`.
fn login_with(user: &User, action: &str, args: &[&str]) -> Run {
    let mut cmd = user.command(&[&["login"], args].concat());
    cmd.env("BROWSER_ACTION", action);
    cmd.output().unwrap().into()
}

#[test]
fn refusals_at_dot_are_reported_and_nothing_is_stored() {
    let provider = Provider::dot(DotOptions::default());
    let user = dot_user(&provider, "dot", "file");
    // A scope asked for by name is sent, and DOT refuses the unknown one.
    let login = login_with(&user, "consent", &["--scope", "offline_access"]);
    assert_login_failed(
        &user,
        &login,
        &format!(
            "the login was refused at the provider (invalid_scope); nothing was stored; the \
             provider refused the scopes asked for (openid email offline_access): leave out the \
             ones it does not know, in `scopes` under [providers.dot] in {} or in --scope",
            user.config.display()
        ),
    );
    let auth = &provider.requests_to("/o/authorize/")[0]["query"];
    assert_eq!(auth["scope"], "openid email offline_access");
    // Cancelled on DOT's authorization form (after Django's login).
    let login = login_with(&user, "deny", &[]);
    assert_login_failed(
        &user,
        &login,
        "the login was refused at the provider (access_denied); nothing was stored",
    );
    let cancel = provider.requests_to("/o/authorize/").pop().unwrap();
    assert_eq!(cancel["method"], "POST");
    assert!(cancel["form"].get("allow").is_none(), "{cancel}");
    assert!(provider.requests_to("/o/token/").is_empty());
}

#[test]
fn with_rfc9207_on_dot_sends_iss_on_success_only_and_a_refusal_without_it_is_not_trusted() {
    let provider = Provider::dot(DotOptions {
        iss: true,
        ..Default::default()
    });
    let user = dot_user(&provider, "dot", "file");
    // DOT promises `iss` in every authorization response but leaves it out of its error
    // responses, which RFC 9207 §2 requires it in: oauthcli cannot tell such an answer from
    // one an attacker's provider sent, so it refuses it (RFC 9207 §2.4).
    let denied = login_with(&user, "deny", &[]);
    assert_login_failed(
        &user,
        &denied,
        "the provider promises `iss` in its responses but this one has none (RFC 9207); login aborted",
    );
    let log = user.browser_log();
    assert_eq!(log.len(), 1, "{log:?}");
    assert!(log[0].contains("?error=access_denied&state="), "{log:?}");
    assert!(!log[0].contains("iss="), "{log:?}");

    let login = login_with(&user, "consent", &[]);
    assert_eq!(login.code, 0, "{login:#?}");
    let log = user.browser_log();
    let iss = format!(
        "&iss={}",
        provider.issuer.replace(':', "%3A").replace('/', "%2F")
    );
    assert!(
        log[1].starts_with("303 ") && log[1].ends_with(&iss),
        "{log:?}"
    );
    assert!(
        log[2].starts_with("200 ") && log[2].ends_with("/done"),
        "{log:?}"
    );
    assert_eq!(grants(&provider), ["authorization_code"]);
}
