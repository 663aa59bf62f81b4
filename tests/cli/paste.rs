//! `login --no-browser` where the browser runs on another machine: the user opens the URL
//! there and pastes the address the browser ends on, through a pipe to the built binary's
//! stdin (README, "Logging in on a remote machine"; SECURITY.md row 20).

use crate::support::*;

/// What a paste login says before it waits, to the letter.
pub fn paste_intro(name: &str, login: &PendingLogin) -> String {
    format!(
        "To log in to '{name}', open this URL in a browser, on this machine or any other:\n\n  \
         {}\n\n\
         After the login the browser goes to http://127.0.0.1:{}/callback. On another machine \
         it then shows a page that cannot be reached: copy that page's whole address from the \
         address bar and paste it here, then press Enter.\n\n\
         {}\n\
         Waiting up to 600 s for the login to finish (Ctrl-C to cancel)...\n",
        login.url,
        login.port,
        redirect_refused_line(login.port, "cli-public")
    )
}

/// The `code` of a callback URL.
fn code_of(url: &str) -> String {
    reqwest::Url::parse(url)
        .unwrap()
        .query_pairs()
        .find(|(k, _)| k == "code")
        .unwrap()
        .1
        .into_owned()
}

/// The login exchanged exactly the code of `url`, once.
fn exchanged_once(provider: &Provider, url: &str) {
    let token_reqs = provider.requests_to("/token");
    assert_eq!(token_reqs.len(), 1, "{token_reqs:?}");
    assert_eq!(token_reqs[0]["form"]["grant_type"], "authorization_code");
    assert_eq!(token_reqs[0]["form"]["code"], code_of(url).as_str());
}

#[test]
fn a_pasted_redirect_url_logs_in() {
    let provider = Provider::start();
    let user = User::new();
    let name = unique("paste");
    user.config(&openid_config(&name, &provider.issuer, "cli-public", ""));
    let mut login = user.start_login(&[&name]);
    let url = login.browse_elsewhere(&user, &[]);
    assert!(url.starts_with(&format!("http://127.0.0.1:{}/callback?code=", login.port)));
    let intro = paste_intro(&name, &login);
    login.paste(&url);
    let run = login.finish();
    assert_eq!(run.code, 0, "{run:#?}");
    assert_eq!(
        run.stdout,
        format!("Logged in to {name} as alice@example.com\n")
    );
    assert_eq!(run.stderr, intro);
    exchanged_once(&provider, &url);
    // Nothing reached the listener: the browser was "elsewhere".
    assert!(user.browser_log().is_empty());
    let entry = keychain_entry(&name).expect("no keychain entry after a pasted login");
    assert_eq!(entry["issuer"], provider.issuer.as_str());
    assert_eq!(entry["email"], "alice@example.com");
    assert_eq!(entry["subject"], "alice");
    assert!(provider.is_active(entry["access_token"].as_str().unwrap()));
    assert_eq!(user.ok(&["whoami", &name]), "alice@example.com\n");
    assert_eq!(
        user.ok(&["logout", &name]),
        format!("Logged out of {name} (alice@example.com)\n")
    );
}

#[test]
fn bad_pastes_are_refused_one_by_one_and_the_right_one_still_logs_in() {
    let provider = Provider::start();
    let user = file_user(&provider);
    let mut login = user.start_login(&[]);
    let url = login.browse_elsewhere(&user, &[]);
    let port = login.port;
    let query = url.split_once('?').unwrap().1.to_owned();
    let other_port = if port == 65535 { port - 1 } else { port + 1 };
    let code = code_of(&url);
    let iss = form_urlencoded::byte_serialize(provider.issuer.as_bytes()).collect::<String>();
    let long = format!(
        "http://127.0.0.1:{port}/callback?code={}",
        "a".repeat(20_000)
    );
    let not_ours = "it is not the address of oauthcli's redirect";
    for (line, why) in [
        ("garbage".to_owned(), not_ours),
        (query.clone(), not_ours),
        (url.replacen("http://", "https://", 1), not_ours),
        (
            url.replacen(&format!(":{port}/"), &format!(":{other_port}/"), 1),
            "it names another port or host than this login's redirect",
        ),
        (
            url.replacen("127.0.0.1", "localhost", 1),
            "it names another port or host than this login's redirect",
        ),
        (
            url.replacen("/callback?", "/other?", 1),
            "not the callback path",
        ),
        (
            format!("http://127.0.0.1:{port}/callback?code={code}&state=another-login&iss={iss}"),
            "the state is missing or wrong",
        ),
        (
            format!("http://127.0.0.1:{port}/callback?code={code}&iss={iss}"),
            "the state is missing or wrong",
        ),
        (
            format!("{url}&state={}", login.state),
            "a parameter is repeated",
        ),
        (long, "it is longer than a redirect address can be"),
    ] {
        login.paste(&line);
        let said = login.stderr_until("That line was not taken");
        assert_eq!(
            said,
            format!(
                "That line was not taken: {why}. Paste the whole address the browser shows at \
                 the end of this login (http://127.0.0.1:{port}/callback?...), on one line; still \
                 waiting.\n"
            ),
            "{line}"
        );
    }
    // Blank lines are no answer and are not remarked on.
    login.paste("");
    login.paste("   ");
    assert!(provider.requests_to("/token").is_empty());
    login.paste(&format!("  {url}  "));
    let run = login.finish();
    assert_eq!(run.code, 0, "{run:#?}");
    assert_eq!(run.stdout, "Logged in to local as alice@example.com\n");
    assert_eq!(
        run.stderr.matches("That line was not taken").count(),
        10,
        "{}",
        run.stderr
    );
    exchanged_once(&provider, &url);
    assert!(user.token_file("local").exists());
}

#[test]
fn a_second_paste_after_the_login_is_ignored() {
    let provider = Provider::start();
    let user = file_user(&provider);
    let mut login = user.start_login(&[]);
    let intro = paste_intro("local", &login);
    let url = login.browse_elsewhere(&user, &[]);
    // Both lines in one write: the first ends the wait, the second is never judged.
    login.paste(&format!("{url}\n{url}"));
    let run = login.finish();
    assert_eq!(run.code, 0, "{run:#?}");
    assert_eq!(run.stdout, "Logged in to local as alice@example.com\n");
    assert_eq!(run.stderr, intro);
    exchanged_once(&provider, &url);
}

#[test]
fn a_pasted_refusal_ends_the_login_and_keeps_the_earlier_one() {
    let provider = Provider::start();
    let user = file_login(&provider);
    let before = std::fs::read(user.token_file("local")).unwrap();
    let mut login = user.start_login(&[]);
    let url = login.browse_elsewhere(&user, &[("BROWSER_ACTION", "deny")]);
    assert!(url.contains("error=access_denied"), "{url}");
    assert!(url.contains(&format!("state={}", login.state)), "{url}");
    login.paste(&url);
    let run = login.finish();
    assert_eq!(run.code, 1, "{run:#?}");
    assert_eq!(run.stdout, "");
    assert!(
        run.stderr.ends_with(
            "...\nerror: the login was refused at the provider (access_denied: End-User aborted \
             interaction); nothing was stored\n"
        ),
        "{}",
        run.stderr
    );
    // Only the earlier login's exchange.
    assert_eq!(provider.requests_to("/token").len(), 1);
    assert_eq!(std::fs::read(user.token_file("local")).unwrap(), before);
    assert_eq!(user.ok(&["whoami"]), "alice@example.com\n");
}

#[test]
fn a_pasted_response_from_another_issuer_ends_the_login_before_any_token_request() {
    // The hostile provider answers with the login's state but another `iss` (RFC 9207).
    let bad = Provider::hostile("iss-foreign", &[]);
    let user = User::new();
    user.config(&format!(
        "storage = \"file\"\n{}",
        openid_config("corp", &bad.issuer, "cli-public", "")
    ));
    let mut login = user.start_login(&[]);
    let url = login.browse_elsewhere(&user, &[]);
    assert!(url.contains("iss=https%3A%2F%2Fevil.example"), "{url}");
    login.paste(&url);
    let run = login.finish();
    assert_eq!(run.code, 1, "{run:#?}");
    assert_eq!(run.stdout, "");
    assert_eq!(
        run.stderr.lines().last().unwrap(),
        format!(
            "error: the authorization response names the issuer 'https://evil.example', not \
             '{}': it may come from another provider (RFC 9207); login aborted",
            bad.issuer
        )
    );
    assert!(bad.requests_to("/token").is_empty());
    assert!(!user.token_file("corp").exists());
}

#[test]
fn end_of_input_keeps_waiting_for_the_listener() {
    let provider = Provider::start();
    let user = file_user(&provider);
    let mut login = user.start_login(&["-vv"]);
    login.close_stdin();
    // The ready signal: the login has seen the end of its input.
    login.stderr_until("end of input on stdin");
    assert!(login.browse(&user).success());
    let run = login.finish();
    assert_eq!(run.code, 0, "{run:#?}");
    assert_eq!(run.stdout, "Logged in to local as alice@example.com\n");
    assert_eq!(provider.requests_to("/token").len(), 1);
    let log = user.browser_log();
    assert_eq!(log.len(), 2, "{log:?}");
    assert!(log[0].starts_with("303 "), "{log:?}");
    assert_eq!(
        log[1],
        format!("200 http://127.0.0.1:{}/done", login_port(&log))
    );
}
