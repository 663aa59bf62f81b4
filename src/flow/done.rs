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

use std::time::{Duration, Instant};

use super::callback::{Head, Page, Verdict, refuse, reject};
use super::connections::Server;
use super::page::response;
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
    server: Server,
    /// `127.0.0.1:PORT`, as the browser must send it.
    host: String,
    /// When the browser was redirected.
    since: Instant,
}

impl Done {
    /// The listener's server, after the browser's decisive connections were answered with
    /// the redirect.
    pub fn new(server: Server, host: String) -> Done {
        Done {
            server,
            host,
            since: Instant::now(),
        }
    }

    /// Answers [`DONE_PATH`] with the final `page` (naming `provider`), and every other
    /// request as the wait did, until the final page was fetched or [`GRACE`] after the
    /// redirect; then the listener is closed.
    pub fn serve(mut self, page: Page, provider: &str) {
        let until = self.since + GRACE;
        let (host, requests) = (&self.host, &mut self.server.requests);
        let served = self.server.rt.block_on(async {
            loop {
                let Ok(Some(incoming)) =
                    tokio::time::timeout_at(until.into(), requests.recv()).await
                else {
                    output::debug("listener: the final page was not fetched in time; closing");
                    return None;
                };
                let judged = match &incoming.head {
                    Ok(head) => judge(head, host),
                    Err(problem) => Err(refuse(*problem)),
                };
                match judged {
                    Ok(()) => {
                        let page = response(200, page, Some(provider));
                        return Some(incoming.answer_written(page));
                    }
                    Err(Verdict::Reject { status, page, why }) => {
                        output::debug(&format!("listener: answered {status} ({why})"));
                        incoming.answer(response(status, page, None));
                    }
                    // `judge` refuses with nothing but a `Reject`.
                    Err(_) => {}
                }
            }
        });
        if let Some(written) = served {
            self.server.flush(vec![written]);
            output::debug("listener: served the final page");
        }
    }
}

/// Judges a request after the redirect: `Ok` for the browser's GET of [`DONE_PATH`] with
/// our Host, else the rejection (the rules of the callback, SECURITY.md row 8; the callback
/// itself is answered 404 now: the login has had its answer).
pub fn judge(head: &Head, host: &str) -> Result<(), Verdict> {
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

    fn status(method: &str, target: &str, host: &str) -> Option<u16> {
        let head = Head {
            method: method.into(),
            target: target.into(),
            host: host.into(),
        };
        match judge(&head, HOST) {
            Ok(()) => None,
            Err(Verdict::Reject { status, .. }) => Some(status),
            Err(other) => panic!("{other:?}"),
        }
    }

    #[test]
    fn only_a_get_of_the_clean_path_with_our_host_is_the_final_page() {
        assert_eq!(status("GET", "/done", HOST), None);
        for (method, target, host, want) in [
            ("POST", "/done", HOST, 405),
            ("GET", "/done", "localhost:4711", 400),
            ("GET", "/done?x", HOST, 404),
            ("GET", "/done/", HOST, 404),
            ("GET", "/callback?code=a&state=s", HOST, 404),
        ] {
            assert_eq!(status(method, target, host), Some(want), "{target}");
        }
    }
}
