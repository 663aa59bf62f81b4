//! After the decisive callback the browser is sent on with a 303 to a clean address of the
//! same listener, `/done`, which serves the final page: the single-use code and state leave
//! the address bar and history (README, "The pages in the browser"). Spoken to in raw HTTP.

use std::io::{Read, Write};

use crate::support::*;

/// The callback URL of a login, as the browser would be sent to it, and its request.
fn callback_request(login: &PendingLogin, url: &str) -> String {
    let target = url.split_once(&format!(":{}", login.port)).unwrap().1;
    format!(
        "GET {target} HTTP/1.1\r\nHost: 127.0.0.1:{}\r\nAccept: text/html\r\n\r\n",
        login.port
    )
}

/// The head of an answer, as lines, and its body.
fn split(answer: &str) -> (Vec<&str>, &str) {
    let (head, body) = answer.split_once("\r\n\r\n").expect("no end of head");
    (head.split("\r\n").collect(), body)
}

/// A login at the real provider (`-vv`) whose callback the test sent as the browser would:
/// the provider (kept running), the user, the login, its callback URL and the answer to it.
fn callback_sent() -> (Provider, User, PendingLogin, String, String) {
    let provider = Provider::start();
    let user = file_user(&provider);
    let login = user.start_login(&["-vv"]);
    let url = login.browse_elsewhere(&user, &[]);
    let answer = login.send(callback_request(&login, &url).as_bytes());
    (provider, user, login, url, answer)
}

#[test]
fn the_callback_is_answered_303_to_done_which_serves_the_final_page() {
    let (_provider, _user, login, url, answer) = callback_sent();
    let (head, body) = split(&answer);
    let csp = head
        .iter()
        .find(|l| l.starts_with("Content-Security-Policy: "))
        .unwrap();
    assert_eq!(
        head,
        [
            "HTTP/1.1 303 See Other",
            "Content-Type: text/html; charset=utf-8",
            "Content-Length: 0",
            csp,
            "X-Content-Type-Options: nosniff",
            "Referrer-Policy: no-referrer",
            "Cache-Control: no-store",
            "Location: /done",
            "Connection: close",
        ]
    );
    assert_eq!(body, "");
    // Until the final page is fetched, the listener answers everything else as before;
    // the callback itself is spent.
    let port = login.port;
    let again = login.send(callback_request(&login, &url).as_bytes());
    assert!(again.starts_with("HTTP/1.1 404 Not Found\r\n"), "{again}");
    let wrong_host = format!("GET /done HTTP/1.1\r\nHost: localhost:{port}\r\n\r\n");
    assert!(
        login
            .send(wrong_host.as_bytes())
            .starts_with("HTTP/1.1 400 ")
    );
    let done = login.get("/done");
    let (head, body) = split(&done);
    assert_eq!(head[0], "HTTP/1.1 200 OK");
    assert!(head.contains(&"Cache-Control: no-store"), "{head:?}");
    assert!(
        body.contains("<h1 class=\"ok\">Logged in to local</h1>"),
        "{body}"
    );
    let run = login.finish();
    assert_eq!(run.code, 0, "{run:#?}");
    assert_eq!(run.stdout, "Logged in to local as alice@example.com\n");
    assert!(
        run.stderr.contains("listener: served the final page\n"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr
            .contains("listener: answered 404 (not the final page's path)\n"),
        "{}",
        run.stderr
    );
    // The listener closed once the final page was served.
    assert!(std::net::TcpStream::connect(("127.0.0.1", port)).is_err());
}

#[test]
fn a_failed_exchange_is_said_on_the_final_page() {
    // The provider is stopped once the browser has its code: the exchange fails.
    let mut provider = Provider::start();
    let user = file_user(&provider);
    let login = user.start_login(&[]);
    let url = login.browse_elsewhere(&user, &[]);
    provider.stop();
    let mut conn = login.connect();
    conn.write_all(callback_request(&login, &url).as_bytes())
        .unwrap();
    let mut answer = String::new();
    conn.read_to_string(&mut answer).unwrap();
    assert!(answer.starts_with("HTTP/1.1 303 See Other\r\n"), "{answer}");
    let done = login.get("/done");
    assert!(done.starts_with("HTTP/1.1 200 OK\r\n"), "{done}");
    assert!(
        done.contains("<h1 class=\"bad\">Login failed</h1>"),
        "{done}"
    );
    let run = login.finish();
    assert_eq!(run.code, 1, "{run:#?}");
    assert!(!user.token_file("local").exists());
}

#[test]
fn a_client_that_does_not_follow_the_redirect_does_not_hold_the_login() {
    let (_provider, _user, login, _, answer) = callback_sent();
    assert!(answer.starts_with("HTTP/1.1 303 See Other\r\n"), "{answer}");
    // Nobody fetches /done: after its grace the listener closes and the login ends.
    let run = login.finish();
    assert_eq!(run.code, 0, "{run:#?}");
    assert_eq!(run.stdout, "Logged in to local as alice@example.com\n");
    assert!(
        run.stderr
            .contains("listener: the final page was not fetched in time; closing\n"),
        "{}",
        run.stderr
    );
}
