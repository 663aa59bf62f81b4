//! What a login shows on stderr while it waits for the browser, when stderr is not a
//! terminal (a pipe, a log): whole lines only, no carriage return, no escape sequence; that a
//! browser was opened, with the URL in case it did not come up; what to register when the
//! provider refuses the redirect URI, again when the wait times out (README, "While a login
//! waits"). The terminal's live line is tested in `terminal`.

use crate::support::*;

/// `oauthcli login ARGS --timeout 1` with a "browser" that opens nothing and exits 0 (as a
/// browser that hands the URL to one already running): the wait times out.
fn wait_in_vain(user: &mut User, args: &[&str]) -> Run {
    user.env("BROWSER", "true");
    let r = user.run(&[&["login", "--timeout", "1"], args].concat());
    assert_eq!(r.code, 1, "{r:#?}");
    assert!(!r.stderr.contains(['\r', '\u{1b}']), "{:?}", r.stderr);
    r
}

/// The authorization URL a login printed, and its listener's port.
fn url_and_port(stderr: &str) -> (String, u16) {
    let url = stderr.lines().nth(2).unwrap().trim().to_owned();
    let parsed = reqwest::Url::parse(&url).unwrap();
    let redirect = parsed
        .query_pairs()
        .find(|(k, _)| k == "redirect_uri")
        .unwrap()
        .1
        .into_owned();
    (url, reqwest::Url::parse(&redirect).unwrap().port().unwrap())
}

#[test]
fn the_wait_says_the_browser_was_opened_and_what_to_register_when_the_provider_refuses() {
    let provider = Provider::start();
    let mut user = file_user(&provider);
    let r = wait_in_vain(&mut user, &[]);
    let (url, port) = url_and_port(&r.stderr);
    let fix = "register http://127.0.0.1/callback for client 'cli-public' there (a loopback \
               redirect matches any port, RFC 8252 §7.3); for a provider that matches the port \
               too, register http://127.0.0.1:PORT/callback with a port of your choice and set \
               redirect_port = PORT in the config (or use --port PORT)";
    assert_eq!(
        r.stderr,
        format!(
            "To log in to 'local', open this URL in a browser on this machine:\n\n  {url}\n\n\
             Opened a browser with 'true': if it did not come up, open the URL above yourself.\n\
             {}\n\
             Waiting up to 1 s for the login to finish (Ctrl-C to cancel)...\n\
             error: timed out after 1 s waiting for the browser: run 'oauthcli login local' \
             again (--timeout SECS gives more time); if the browser showed an error of the \
             provider about the redirect URI, {fix}\n",
            redirect_refused_line(port, "cli-public")
        )
    );
    assert!(
        redirect_refused_line(port, "cli-public")
            .replace('\n', " ")
            .ends_with(&format!("{fix}."))
    );
    assert!(
        redirect_refused_line(port, "cli-public")
            .lines()
            .all(|l| l.chars().count() <= 100)
    );
}

#[test]
fn a_fixed_port_is_the_exact_redirect_uri_to_register() {
    let provider = Provider::start();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let exactly =
        format!("register exactly http://127.0.0.1:{port}/callback for client 'cli-public' there");
    // From --port, and from the config's redirect_port.
    let mut flag = file_user(&provider);
    let mut config = User::new();
    config.config(&local_file_config(
        &provider,
        &format!("redirect_port = {port}\n"),
    ));
    for r in [
        wait_in_vain(&mut flag, &["--port", &port.to_string()]),
        wait_in_vain(&mut config, &[]),
    ] {
        let shown = oauthcli::term::fold(
            &format!(
                "If the browser shows an error of the provider about the redirect URI (such as \
                 \"redirect_uri_mismatch\") instead of its login page, the provider does not \
                 accept http://127.0.0.1:{port}/callback: {exactly}."
            ),
            100,
        );
        assert!(r.stderr.contains(&format!("\n{shown}\n")), "{}", r.stderr);
        assert_eq!(
            r.error(),
            format!(
                "error: timed out after 1 s waiting for the browser: run 'oauthcli login local' \
                 again (--timeout SECS gives more time); if the browser showed an error of the \
                 provider about the redirect URI, {exactly}\n"
            )
        );
    }
}

#[test]
fn a_preset_says_its_own_rule() {
    // GitLab's preset, its instance being the test provider (an OpenID provider at base_url).
    let provider = Provider::start();
    let mut user = User::new();
    user.config(&format!(
        "storage = \"file\"\n[providers.gitlab]\nbase_url = \"{}\"\nclient_id = \"cli-public\"\n",
        provider.issuer
    ));
    let r = wait_in_vain(&mut user, &[]);
    let (_, port) = url_and_port(&r.stderr);
    let fix = format!(
        "register the redirect URI http://127.0.0.1/callback in the application at \
         {}/-/user_settings/applications; an instance that matches the port exactly needs a \
         fixed port: http://127.0.0.1:PORT/callback registered, and redirect_port = PORT in the \
         config (or --port PORT)",
        provider.issuer
    );
    let shown = oauthcli::term::fold(
        &format!(
            "If the browser shows an error of the provider about the redirect URI (such as \
             \"redirect_uri_mismatch\") instead of its login page, the provider does not accept \
             http://127.0.0.1:{port}/callback: {fix}."
        ),
        100,
    );
    assert!(r.stderr.contains(&format!("\n{shown}\n")), "{}", r.stderr);
    assert!(
        r.stderr.ends_with(&format!("redirect URI, {fix}\n")),
        "{}",
        r.stderr
    );
}
