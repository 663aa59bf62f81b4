//! After the decisive callback: the browser was sent on to a clean address of the same
//! listener, [`DONE_PATH`], with a 303 (`page::see_other`), so that the single-use code and
//! state do not stay in its address bar and history; there it waits for the final page
//! ("Logged in to NAME", or "Login failed"), which is known once the tokens are checked and
//! stored.
//!
//! A browser follows the redirect at once and its request waits in the listener's socket
//! while the code is exchanged, so serving it costs the login nothing. A client that does
//! not follow (a script, a browser closed meanwhile) is waited for at most [`GRACE`] after
//! the redirect; then the listener closes, and the login's result is not held up longer.
//! Error pages (a refused consent, a foreign issuer) are served directly instead: their
//! address holds no code, and the state it holds is spent once the login ends, so there is
//! nothing to clean, and the listener can close at once.

use std::io::ErrorKind;
use std::time::{Duration, Instant};

use mio::net::TcpListener;
use mio::{Events, Poll, Token};

use super::callback::{Page, Verdict, refuse, reject, too_large};
use super::connections::{FIRST, Got, Open, SOCKET};
use super::page::response;
use super::request;
use crate::output;

/// The clean path the browser is sent to after the decisive callback.
pub const DONE_PATH: &str = "/done";
/// How long after the redirect the final page is kept for a client that has not fetched it.
/// A browser asks for it within milliseconds of the redirect, usually before the code
/// exchange is over; two seconds leave room for a busy machine, and only a client that
/// never follows the redirect waits them out.
pub const GRACE: Duration = Duration::from_secs(2);

/// The listener after the decisive callback, holding the browser's way to the final page.
pub struct Done {
    socket: TcpListener,
    poll: Poll,
    open: Open,
    /// `127.0.0.1:PORT`, as the browser must send it.
    host: String,
    /// When the browser was redirected.
    since: Instant,
}

impl Done {
    /// The listener's parts, after the browser's decisive connections (in `open`) were
    /// answered with the redirect.
    pub fn new(socket: TcpListener, poll: Poll, open: Open, host: String) -> Done {
        Done {
            socket,
            poll,
            open,
            host,
            since: Instant::now(),
        }
    }

    /// Answers [`DONE_PATH`] with the final `page` (naming `provider`), and every other
    /// request as the wait did, until the final page was fetched or [`GRACE`] after the
    /// redirect; then the listener is closed.
    pub fn serve(mut self, page: Page, provider: &str) {
        let until = self.since + GRACE;
        let mut events = Events::with_capacity(64);
        loop {
            let now = Instant::now();
            if now >= until {
                output::debug("listener: the final page was not fetched in time; closing");
                break;
            }
            self.open.expire(&self.poll, now);
            let wake = self.open.next_due().map_or(until, |t| t.min(until));
            if let Err(e) = self.poll.poll(&mut events, Some(wake - now))
                && e.kind() != ErrorKind::Interrupted
            {
                break;
            }
            let mut served = false;
            for event in events.iter() {
                match event.token() {
                    SOCKET => self.open.accept(&self.socket, &self.poll),
                    Token(id) if id >= FIRST => served |= self.on_ready(id, page, provider),
                    // The waker (Ctrl-C, a pasted line) and stdin: the login is decided.
                    _ => {}
                }
            }
            if served {
                output::debug("listener: served the final page");
                break;
            }
        }
        self.open.close_all(&self.poll);
    }

    /// Serves connection `id`; true when it fetched the final page.
    fn on_ready(&mut self, id: usize, page: Page, provider: &str) -> bool {
        let Some(mut conn) = self.open.take(id) else {
            return false;
        };
        let judged = match conn.read() {
            Got::Reading => {
                self.open.put(id, conn);
                return false;
            }
            Got::Gone => {
                conn.close(&self.poll);
                return false;
            }
            Got::Head => judge(&conn.buf, &self.host),
            Got::TooLarge => Err(too_large()),
        };
        let served = match judged {
            Ok(()) => {
                conn.answer(&response(200, page, Some(provider)));
                true
            }
            Err(Verdict::Reject { status, page, why }) => {
                output::debug(&format!("listener: answered {status} ({why})"));
                conn.answer(&response(status, page, None));
                false
            }
            // `judge` refuses with nothing but a `Reject`.
            Err(_) => false,
        };
        self.open.keep(id, conn, &self.poll);
        served
    }
}

/// Judges a request after the redirect: `Ok` for the browser's GET of [`DONE_PATH`] with
/// our Host, else the rejection (the rules of the callback, SECURITY.md row 8; the callback
/// itself is answered 404 now: the login has had its answer).
pub fn judge(raw: &[u8], host: &str) -> Result<(), Verdict> {
    let Some(end) = request::head_end(raw, 0) else {
        return Err(reject(
            400,
            Page::BadRequest,
            "the request head is incomplete",
        ));
    };
    let head = request::parse(&raw[..end]).map_err(refuse)?;
    if head.method != "GET" {
        return Err(reject(405, Page::MethodNotAllowed, "not a GET"));
    }
    if head.host != host {
        return Err(reject(
            400,
            Page::BadRequest,
            "the Host field is not 127.0.0.1:PORT",
        ));
    }
    match head.target == DONE_PATH {
        true => Ok(()),
        false => Err(reject(404, Page::NotFound, "not the final page's path")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const HOST: &str = "127.0.0.1:4711";

    fn status(raw: &str) -> Option<u16> {
        match judge(raw.as_bytes(), HOST) {
            Ok(()) => None,
            Err(Verdict::Reject { status, .. }) => Some(status),
            Err(other) => panic!("{other:?}"),
        }
    }

    #[test]
    fn only_a_get_of_the_clean_path_with_our_host_is_the_final_page() {
        assert_eq!(
            status("GET /done HTTP/1.1\r\nHost: 127.0.0.1:4711\r\n\r\n"),
            None
        );
        for (raw, want) in [
            ("POST /done HTTP/1.1\r\nHost: 127.0.0.1:4711\r\n\r\n", 405),
            ("GET /done HTTP/1.1\r\nHost: localhost:4711\r\n\r\n", 400),
            ("GET /done HTTP/1.1\r\n\r\n", 400),
            ("GET /done?x HTTP/1.1\r\nHost: 127.0.0.1:4711\r\n\r\n", 404),
            ("GET /done/ HTTP/1.1\r\nHost: 127.0.0.1:4711\r\n\r\n", 404),
            (
                "GET /callback?code=a&state=s HTTP/1.1\r\nHost: 127.0.0.1:4711\r\n\r\n",
                404,
            ),
            ("GET /done HTTP/1.1\r\nHost: 127.0.0.1:4711\r\n", 400),
        ] {
            assert_eq!(status(raw), Some(want), "{raw:?}");
        }
    }
}
