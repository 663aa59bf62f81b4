//! The loopback listener and a paste racing with the same code (`login --no-browser`): the
//! first decisive answer ends the wait and the listener, so the code is exchanged exactly
//! once, whichever comes first (SECURITY.md row 20). Each order is made to happen every
//! time with ready signals, and both at once by freezing the login while both arrive.

use std::io::{ErrorKind, Read, Write};

use crate::support::*;

/// The provider saw exactly one code exchange, of `code`, and the login succeeded.
fn logged_in_once(provider: &Provider, user: &User, run: &Run, code: &str) {
    assert_eq!(run.code, 0, "{run:#?}");
    assert_eq!(run.stdout, "Logged in to local as alice@example.com\n");
    let token_reqs = provider.requests_to("/token");
    assert_eq!(token_reqs.len(), 1, "{token_reqs:?}");
    assert_eq!(token_reqs[0]["form"]["code"], code);
    assert!(user.token_file("local").exists());
    // The code was taken once: nothing was refused, nothing tried twice.
    assert!(!run.stderr.contains("not taken"), "{}", run.stderr);
}

/// The `code` of a callback URL.
fn code_of(url: &str) -> String {
    let url = reqwest::Url::parse(url).unwrap();
    url.query_pairs()
        .find(|(k, _)| k == "code")
        .unwrap()
        .1
        .into_owned()
}

/// The request a browser sends for `target` on the listener.
fn browser_request(login: &PendingLogin, target: &str) -> String {
    format!(
        "GET {target} HTTP/1.1\r\nHost: 127.0.0.1:{}\r\nAccept: text/html\r\n\r\n",
        login.port
    )
}

/// The path and query of a callback URL, as the browser's request line has them.
fn target_of(login: &PendingLogin, url: &str) -> String {
    url.split_once(&format!(":{}", login.port))
        .unwrap()
        .1
        .to_owned()
}

/// Reads an answer to its end, and follows its 303 to the final page as a browser does.
fn follow(login: &PendingLogin, mut conn: std::net::TcpStream) -> (String, String) {
    let mut answer = String::new();
    conn.read_to_string(&mut answer).unwrap();
    assert!(answer.starts_with("HTTP/1.1 303 See Other\r\n"), "{answer}");
    assert!(answer.contains("\r\nLocation: /done\r\n"), "{answer}");
    let done = login.send(browser_request(login, "/done").as_bytes());
    (answer, done)
}

#[test]
fn a_paste_then_the_browser_exchanges_once() {
    let provider = Provider::start();
    let user = file_user(&provider);
    let mut login = user.start_login(&["-vv"]);
    let url = login.browse_elsewhere(&user, &[]);
    login.paste(&url);
    // The ready signal: the pasted code was taken.
    login.stderr_until("received the authorization code, pasted");
    // The browser comes back with the same code: the listener is gone with the wait.
    let err = std::net::TcpStream::connect(("127.0.0.1", login.port))
        .and_then(|mut conn| {
            conn.write_all(browser_request(&login, &target_of(&login, &url)).as_bytes())?;
            let mut answer = Vec::new();
            conn.read_to_end(&mut answer)?;
            match answer.is_empty() {
                true => Err(ErrorKind::UnexpectedEof.into()),
                false => Ok(answer),
            }
        })
        .expect_err("the listener answered after the pasted code was taken");
    assert!(
        matches!(
            err.kind(),
            ErrorKind::ConnectionRefused | ErrorKind::ConnectionReset | ErrorKind::UnexpectedEof
        ),
        "{err}"
    );
    logged_in_once(&provider, &user, &login.finish(), &code_of(&url));
}

#[test]
fn the_browser_then_a_paste_exchanges_once() {
    let provider = Provider::start();
    let user = file_user(&provider);
    let mut login = user.start_login(&["-vv"]);
    let url = login.browse_elsewhere(&user, &[]);
    let mut conn = login.connect();
    conn.write_all(browser_request(&login, &target_of(&login, &url)).as_bytes())
        .unwrap();
    // The ready signal: the listener took the browser's code; then the same is pasted.
    login.stderr_until("listener: received the authorization code");
    login.paste(&url);
    // The browser is sent on to the final page, which says how the login ended.
    let (_, done) = follow(&login, conn);
    assert!(done.starts_with("HTTP/1.1 200 OK\r\n"), "{done}");
    assert!(done.contains(">Logged in to local</h1>"), "{done}");
    logged_in_once(&provider, &user, &login.finish(), &code_of(&url));
}

#[test]
fn the_browser_and_a_paste_at_once_exchange_once_and_the_paste_wins() {
    let provider = Provider::start();
    let user = file_user(&provider);
    let mut login = user.start_login(&["-vv"]);
    let url = login.browse_elsewhere(&user, &[]);
    // The browser's connection is open and taken in before the login is frozen, so that
    // its request, once sent, is read in the same turn of the listener as the pasted line.
    let mut conn = login.connect();
    login.stderr_until("listener: accepted a connection");
    // Frozen, the login cannot look at either until both have arrived: the pasted line
    // waits in the pipe, the browser's request in its connection. The browser's carries the
    // login's state but a code the provider never issued: had it been taken, the exchange
    // would fail.
    login.signal("STOP");
    let iss: String = form_urlencoded::byte_serialize(provider.issuer.as_bytes()).collect();
    let forged = format!(
        "/callback?code=not-the-code&state={}&iss={iss}",
        login.state
    );
    conn.write_all(browser_request(&login, &forged).as_bytes())
        .unwrap();
    login.paste(&url);
    login.signal("CONT");
    // The pasted line is decided first; the browser, that came in the same turn, is sent on
    // to the final page of the login that the paste made.
    let (_, done) = follow(&login, conn);
    assert!(done.contains(">Logged in to local</h1>"), "{done}");
    let run = login.finish();
    logged_in_once(&provider, &user, &run, &code_of(&url));
    // Both were read in that one turn: the browser's request before the paste was decided.
    let got = run
        .stderr
        .find("listener: received the authorization code\n")
        .unwrap_or_else(|| panic!("the browser's code was not read: {}", run.stderr));
    let pasted = run
        .stderr
        .find("received the authorization code, pasted")
        .unwrap();
    assert!(got < pasted, "{}", run.stderr);
}
