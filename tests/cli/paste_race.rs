//! The loopback listener and a paste racing with the same code (`login --no-browser`): the
//! first decisive answer ends the wait and the listener, so the code is exchanged exactly
//! once, whichever comes first (SECURITY.md row 20). Each order is made to happen every
//! time with ready signals, and both at once by freezing the login while both arrive.

use std::io::{ErrorKind, Read, Write};

use crate::support::*;

/// The provider saw exactly one code exchange, and the login succeeded.
fn logged_in_once(provider: &Provider, user: &User, run: &Run) {
    assert_eq!(run.code, 0, "{run:#?}");
    assert_eq!(run.stdout, "Logged in to local as alice@example.com\n");
    assert_eq!(provider.requests_to("/token").len(), 1);
    assert!(user.token_file("local").exists());
    // The code was taken once: nothing was refused, nothing tried twice.
    assert!(!run.stderr.contains("not taken"), "{}", run.stderr);
}

/// The request a browser sends for `url`, the callback.
fn browser_request(login: &PendingLogin, url: &str) -> String {
    let target = url.split_once(&format!(":{}", login.port)).unwrap().1;
    format!(
        "GET {target} HTTP/1.1\r\nHost: 127.0.0.1:{}\r\nAccept: text/html\r\n\r\n",
        login.port
    )
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
            conn.write_all(browser_request(&login, &url).as_bytes())?;
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
    logged_in_once(&provider, &user, &login.finish());
}

#[test]
fn the_browser_then_a_paste_exchanges_once() {
    let provider = Provider::start();
    let user = file_user(&provider);
    let mut login = user.start_login(&["-vv"]);
    let url = login.browse_elsewhere(&user, &[]);
    let request = browser_request(&login, &url);
    // The browser waits for its final page, which comes once the tokens are stored.
    let mut conn = login.connect();
    let browser = std::thread::scope(|s| {
        let browser = s.spawn(move || {
            conn.write_all(request.as_bytes()).unwrap();
            let mut answer = String::new();
            conn.read_to_string(&mut answer).unwrap();
            answer
        });
        // The ready signal: the listener took the browser's code; then the same is pasted.
        login.stderr_until("listener: received the authorization code");
        login.paste(&url);
        browser.join().unwrap()
    });
    assert!(browser.starts_with("HTTP/1.1 200 OK\r\n"), "{browser}");
    assert!(browser.contains(">Logged in to local</h1>"), "{browser}");
    logged_in_once(&provider, &user, &login.finish());
}

#[test]
fn the_browser_and_a_paste_at_once_exchange_once() {
    let provider = Provider::start();
    let user = file_user(&provider);
    let mut login = user.start_login(&[]);
    let url = login.browse_elsewhere(&user, &[]);
    // Frozen, the login cannot look at either until both have arrived: the pasted line
    // waits in the pipe, the browser's request in the listener's socket.
    login.signal("STOP");
    login.paste(&url);
    let mut conn = login.connect();
    conn.write_all(browser_request(&login, &url).as_bytes())
        .unwrap();
    login.signal("CONT");
    // Whichever it took first, the browser gets the success page or no answer at all.
    let mut answer = Vec::new();
    match conn.read_to_end(&mut answer) {
        Ok(_) => {
            let answer = String::from_utf8(answer).unwrap();
            assert!(
                answer.is_empty() || answer.starts_with("HTTP/1.1 200 OK\r\n"),
                "{answer}"
            );
        }
        Err(e) => assert_eq!(e.kind(), ErrorKind::ConnectionReset, "{e}"),
    }
    logged_in_once(&provider, &user, &login.finish());
}
