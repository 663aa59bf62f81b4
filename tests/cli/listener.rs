//! The loopback listener under attack (SECURITY.md rows 1, 3, #7, #8, #9): a login waits while
//! the tests speak raw HTTP to its listener, then the test browser finishes it.

use std::io::{ErrorKind, Write};
use std::net::{TcpStream, ToSocketAddrs};
use std::time::Duration;

use crate::support::*;

const SECURITY_HEADERS: [&str; 5] = [
    "X-Content-Type-Options: nosniff",
    "Referrer-Policy: no-referrer",
    "Cache-Control: no-store",
    "Content-Type: text/html; charset=utf-8",
    "Connection: close",
];

/// Asserts one whole static answer with `status`, the security headers, and nothing of the
/// request in it (`marker` is in every request the tests send).
fn assert_answer(answer: &str, status: u16, marker: &str) {
    assert!(
        answer.starts_with(&format!("HTTP/1.1 {status} ")),
        "expected {status}: {answer}"
    );
    let (head, body) = answer.split_once("\r\n\r\n").expect("no end of head");
    for header in SECURITY_HEADERS {
        assert!(
            head.lines().any(|l| l == header),
            "{header} missing: {head}"
        );
    }
    assert!(
        head.contains(&format!("\r\nContent-Length: {}\r\n", body.len())),
        "{answer}"
    );
    let csp = head
        .lines()
        .find_map(|l| l.strip_prefix("Content-Security-Policy: "))
        .expect("no Content-Security-Policy");
    assert_csp(csp, body);
    // One request per connection: one answer, then the listener closed the connection.
    assert_eq!(answer.matches("HTTP/1.1 ").count(), 1, "{answer}");
    assert!(
        !answer.contains(marker),
        "the answer echoes the request: {answer}"
    );
}

/// The page's CSP forbids everything (`default-src 'none'`) but its one style element, by
/// that element's SHA-256 as `openssl` computes it (CSP Level 3 §8.2).
pub fn assert_csp(csp: &str, body: &str) {
    let style = body
        .split_once("<style>")
        .and_then(|(_, rest)| rest.split_once("</style>"))
        .map(|(style, _)| style)
        .expect("no style element");
    let mut openssl = std::process::Command::new("sh")
        .args(["-c", "openssl dgst -sha256 -binary | base64"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    openssl
        .stdin
        .take()
        .unwrap()
        .write_all(style.as_bytes())
        .unwrap();
    let out = openssl.wait_with_output().unwrap();
    let hash = String::from_utf8(out.stdout).unwrap();
    assert_eq!(
        csp,
        format!("default-src 'none'; style-src 'sha256-{}'", hash.trim())
    );
}

fn logged_in_once(provider: &Provider, user: &User, run: &Run) {
    assert_eq!(run.code, 0, "{run:#?}");
    assert_eq!(run.stdout, "Logged in to local as alice@example.com\n");
    // Exactly one code exchange, with the code the provider gave the browser.
    let token_reqs = provider.requests_to("/token");
    assert_eq!(token_reqs.len(), 1, "{token_reqs:?}");
    assert!(
        !token_reqs[0]["form"]["code"]
            .as_str()
            .unwrap()
            .contains("forged")
    );
    assert!(user.token_file("local").exists());
}

#[test]
fn forged_stray_and_malformed_requests_get_4xx_and_the_login_still_completes() {
    let provider = Provider::start();
    let user = file_user(&provider);
    let login = user.start_login(&["-vv"]);
    let (port, state) = (login.port, login.state.clone());
    let m = "forged-marker";
    // The final page's path is nothing before the login has its answer.
    assert_answer(&login.get(&format!("/done?{m}")), 404, m);

    // Wrong, missing or repeated state, with a code or with an error (SECURITY.md row 3).
    for target in [
        format!("/callback?code={m}&state=wrong-{m}"),
        format!("/callback?code={m}"),
        format!("/callback?code={m}&state={state}&state={state}"),
        format!("/callback?code={m}&state={state}&code={m}2"),
        format!("/callback?error=access_denied&error_description={m}&state=x{m}"),
        format!("/callback?error=access_denied&error_description={m}"),
    ] {
        assert_answer(&login.get(&target), 400, m);
    }
    // The right state, but not our Host (DNS rebinding), not GET, not our path (#8).
    let good = format!("/callback?code={m}&state={state}");
    for host in [
        format!("evil.example:{port}"),
        format!("localhost:{port}"),
        format!("127.0.0.2:{port}"),
        format!("127.0.0.1:{}", port + 1),
        "127.0.0.1".to_owned(),
    ] {
        let raw = format!("GET {good} HTTP/1.1\r\nHost: {host}\r\n\r\n");
        assert_answer(&login.send(raw.as_bytes()), 400, m);
    }
    let no_host = format!("GET {good} HTTP/1.1\r\nX-{m}: 1\r\n\r\n");
    assert_answer(&login.send(no_host.as_bytes()), 400, m);
    let two_hosts =
        format!("GET {good} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nHost: 127.0.0.1:{port}\r\n\r\n");
    assert_answer(&login.send(two_hosts.as_bytes()), 400, m);
    let post =
        format!("POST {good} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Length: 0\r\n\r\n");
    let answer = login.send(post.as_bytes());
    assert_answer(&answer, 405, m);
    assert!(answer.contains("\r\nAllow: GET\r\n"), "{answer}");
    assert_answer(&login.get(&format!("/?{m}")), 404, m);
    assert_answer(&login.get(&format!("/favicon.ico?{m}")), 404, m);
    // Not HTTP at all, malformed, or too large (#9): 400 and 431, and the listener goes on.
    assert_answer(&login.send(format!("{m}\r\n\r\n").as_bytes()), 400, m);
    let host = format!("Host: 127.0.0.1:{port}");
    for raw in [
        format!("GET {good} HTTP/2.0\r\n{host}\r\n\r\n"),
        format!("GET  {good} HTTP/1.1\r\n{host}\r\n\r\n"),
        format!("GET {good} HTTP/1.1\r\n{host}\r\nX-{m} : 1\r\n\r\n"),
        format!("GET {good} HTTP/1.1\r\n{host}\r\nX-{m}: 1\r\n folded\r\n\r\n"),
        format!("GET {good} HTTP/1.1\r\nHost: 127.0.0.1:{port}\0{m}\r\n\r\n"),
        format!("GET http://127.0.0.1:{port}{good} HTTP/1.1\r\n{host}\r\n\r\n"),
    ] {
        assert_answer(&login.send(raw.as_bytes()), 400, m);
    }
    let huge = format!(
        "GET /callback?state={state}&code={m}{} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n\r\n",
        "a".repeat(20 * 1024)
    );
    assert_answer(&login.send(huge.as_bytes()), 431, m);
    // Two requests on one connection: one answer, then the connection is closed (#9).
    let pipelined = format!(
        "GET /callback?state=x{m} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n\r\n\
         GET {good} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n\r\n"
    );
    assert_answer(&login.send(pipelined.as_bytes()), 400, m);

    assert!(login.browse(&user).success());
    let run = login.finish();
    logged_in_once(&provider, &user, &run);
    let log = user.browser_log();
    assert_eq!(log.len(), 2, "{log:?}");
    assert!(log[0].starts_with("303 "), "{log:?}");
    assert_eq!(log[1], format!("200 http://127.0.0.1:{port}/done"));
    // -vv says why each request was refused, and never what it held.
    for why in [
        "listener: answered 400 (the state is missing or wrong); still waiting",
        "listener: answered 400 (a parameter is repeated); still waiting",
        "listener: answered 400 (the Host field is not 127.0.0.1:PORT); still waiting",
        "listener: answered 400 (no Host field); still waiting",
        "listener: answered 400 (more than one Host field); still waiting",
        "listener: answered 405 (not a GET); still waiting",
        "listener: answered 404 (not the callback path); still waiting",
        "listener: answered 400 (not a well-formed HTTP/1.1 request); still waiting",
        "listener: answered 400 (bad request target); still waiting",
        "listener: answered 431 (the request is too large); still waiting",
    ] {
        assert!(run.stderr.contains(why), "{why} missing in {}", run.stderr);
    }
    assert!(!run.stderr.contains(m), "{}", run.stderr);
}

/// The headers of a page the test browser logged, as `Name: value` lines.
fn headers_of(page: &serde_json::Value) -> Vec<String> {
    page["headers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| format!("{}: {}", h[0].as_str().unwrap(), h[1].as_str().unwrap()))
        .collect()
}

#[test]
fn the_success_and_error_pages_are_static_with_the_security_headers() {
    let provider = Provider::start();
    let user = file_user(&provider);
    user.ok(&["login"]);
    let pages = user.browser_pages();
    assert_eq!(pages.len(), 2, "{pages:?}");
    // The callback is answered with a redirect to a clean path of the same listener...
    let (callback, done) = (&pages[0], &pages[1]);
    assert_eq!(callback["status"], 303);
    let headers = headers_of(callback);
    for header in SECURITY_HEADERS.iter().chain(&["Location: /done"]) {
        assert!(headers.iter().any(|h| h == header), "{header}: {headers:?}");
    }
    assert_eq!(callback["body"], "");
    // ...where the final page is, its address holding nothing of the callback.
    let url = callback["url"].as_str().unwrap();
    let port = reqwest::Url::parse(url).unwrap().port().unwrap();
    assert_eq!(done["url"], format!("http://127.0.0.1:{port}/done"));
    assert_eq!(done["status"], 200);
    let headers = headers_of(done);
    for header in SECURITY_HEADERS {
        assert!(headers.iter().any(|h| h == header), "{header}: {headers:?}");
    }
    let body = done["body"].as_str().unwrap();
    let csp = headers
        .iter()
        .find_map(|h| h.strip_prefix("Content-Security-Policy: "))
        .unwrap();
    assert_csp(csp, body);
    assert!(
        body.contains("<h1 class=\"ok\">Logged in to local</h1>"),
        "{body}"
    );
    // Nothing of the callback URL (code, state, issuer) is on the page.
    let query = url.split_once('?').unwrap().1;
    for (_, value) in reqwest::Url::parse(url).unwrap().query_pairs() {
        assert!(!body.contains(value.as_ref()), "{value} echoed");
    }
    assert!(!query.is_empty());
}

#[test]
fn the_listener_is_bound_to_127_0_0_1_alone() {
    let provider = Provider::start();
    let user = file_user(&provider);
    let login = user.start_login(&[]);
    assert!(login.url.contains(&format!(
        "redirect_uri=http%3A%2F%2F127.0.0.1%3A{}%2Fcallback",
        login.port
    )));
    // Bound to the one loopback address: not to a wildcard, which would answer on every
    // address, 127.0.0.2 and ::1 among them (SECURITY.md row 1).
    for other in [
        format!("127.0.0.2:{}", login.port),
        format!("[::1]:{}", login.port),
    ] {
        let addr = other.to_socket_addrs().unwrap().next().unwrap();
        let err = TcpStream::connect_timeout(&addr, Duration::from_secs(5)).unwrap_err();
        assert!(
            matches!(
                err.kind(),
                ErrorKind::ConnectionRefused | ErrorKind::AddrNotAvailable
            ),
            "{other}: {err}"
        );
    }
    assert!(login.browse(&user).success());
    logged_in_once(&provider, &user, &login.finish());
}

#[test]
fn idle_connections_and_a_slow_drip_do_not_block_the_callback() {
    let provider = Provider::start();
    let user = file_user(&provider);
    let login = user.start_login(&[]);
    // Hundreds of connections that never send a byte...
    let idle: Vec<TcpStream> = (0..300).map(|_| login.connect()).collect();
    // ...and one that sends a request a byte at a time, never finishing it.
    let mut drip = login.connect();
    let dripping = std::thread::spawn(move || {
        let head = b"GET /callback?state=drip HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Drip: ";
        for byte in head.iter().chain(std::iter::repeat(&b'a')) {
            if drip.write_all(&[*byte]).is_err() {
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    });
    // The browser's callback is served all the same.
    assert!(login.browse(&user).success());
    let run = login.finish();
    logged_in_once(&provider, &user, &run);
    drop(idle);
    dripping.join().unwrap();
}

#[test]
fn ctrl_c_closes_the_listener_stores_nothing_and_exits_130() {
    let provider = Provider::start();
    let user = file_user(&provider);
    let login = user.start_login(&[]);
    let port = login.port;
    login.signal("INT");
    let run = login.finish();
    assert_eq!(run.code, 130, "{run:#?}");
    assert_eq!(run.stdout, "");
    // Off a terminal, just the message, on the line after the last one printed.
    assert!(
        run.stderr.ends_with(
            "\nWaiting up to 600 s for the login to finish (Ctrl-C to cancel)...\n\
             error: interrupted; nothing was stored\n"
        ),
        "{}",
        run.stderr
    );
    let err = TcpStream::connect(("127.0.0.1", port)).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::ConnectionRefused);
    assert!(!user.token_file("local").exists());
    assert!(!user.path("home/.local/state/oauthcli/state.json").exists());
    assert!(provider.requests_to("/token").is_empty());
}
