//! The temporary loopback listener that catches the authorization response.
//!
//! It binds the loopback IP literal, never a wildcard, and keeps that very socket for the
//! whole login (RFC 8252 §7.3, §8.3; SECURITY.md rows 1, 2): port 0 lets the OS pick a free
//! port, so no other process can hold it in between. Every request is read into a buffer of
//! at most `request::MAX_REQUEST` bytes and judged by the pure [`callback::judge_request`];
//! every answer is a static page that echoes nothing, with the headers of SECURITY.md row 7,
//! and closes the connection (one request per connection, `connections`). The listener
//! lives until the decisive callback, the deadline or Ctrl-C, and its socket closes with it
//! (SECURITY.md row 9); after a code it lives on a moment, to give the browser its final
//! page at a clean address (`done`).
//!
//! Why not an HTTP server crate: the one used before (tiny_http) reads requests of any size
//! and has no per-connection time limit we could set, so one idle or slowly dripping
//! connection could hold a worker while the browser's request waited. Here one thread runs
//! a small event loop over non-blocking sockets (`mio`, already in the build through the
//! HTTP client's runtime).
//!
//! Each turn of the loop first takes in everything that is ready (connections, pasted
//! lines), then decides: Ctrl-C before anything else, then a pasted line, then a callback.
//! So what came in the same moment is decided the same way every time, and a Ctrl-C that
//! came with an answer is never outrun by it.

use std::io::ErrorKind;
use std::net::{Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, anyhow};
use mio::net::TcpListener;
use mio::{Events, Interest, Poll, Token, Waker};

use super::callback::{self, Answer, Expected, Page, Verdict};
use super::connections::{Connection, FIRST, Got, Open, SOCKET, STDIN, WAKER};
use super::done::{DONE_PATH, Done};
use super::page::{response, see_other};
use super::paste::Stdin;
use super::progress::Progress;
use super::{interrupt, paste_line};
use crate::error::Failure;
use crate::output;
use crate::secret::Secret;

pub struct Listener {
    socket: TcpListener,
    port: u16,
    /// The host the redirect URI names, and the browser's `Host` field must: `127.0.0.1`, or
    /// `localhost` for a provider that takes no other ([`Listener::naming`]).
    host: &'static str,
}

/// What the wait for the browser ended with.
pub enum Outcome {
    /// A code arrived; the browser, when it brought the code, was sent on to the final
    /// page and waits for it on `browser` (a pasted code has no browser waiting).
    Code { code: Secret, browser: Option<Done> },
    /// The provider said no; the browser was already told.
    Denied {
        error: String,
        description: Option<String>,
    },
    /// The deadline passed first.
    TimedOut,
}

/// What one turn of the loop decided.
enum Decided {
    Answer(Answer),
    TimedOut,
    Interrupted,
}

/// What one turn of the loop took in: the connections that brought an answer, in the order
/// they came, and the first answer.
#[derive(Default)]
struct Round {
    browsers: Vec<(usize, Connection)>,
    answer: Option<Answer>,
}

impl Listener {
    /// Binds 127.0.0.1 on `port`, or on a port the OS picks when `None`.
    pub fn bind(port: Option<u16>) -> Result<Listener> {
        let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, port.unwrap_or(0)));
        let socket = std::net::TcpListener::bind(addr).map_err(|e| {
            match (e.kind(), port) {
                (ErrorKind::AddrInUse, Some(p)) => anyhow!(Failure::Login(format!(
                    "port {p} on 127.0.0.1 is already in use: pick another --port, or leave it out to use any free port"
                ))),
                _ => anyhow!("could not listen on {addr}: {e}"),
            }
        })?;
        socket.set_nonblocking(true)?;
        let port = socket.local_addr()?.port();
        Ok(Listener {
            socket: TcpListener::from_std(socket),
            port,
            host: "127.0.0.1",
        })
    }

    /// The same listener, its redirect URI naming `host` (`localhost`, where the provider
    /// takes no IP literal); it stays bound to 127.0.0.1 alone.
    pub fn naming(self, host: &'static str) -> Listener {
        Listener { host, ..self }
    }

    /// The redirect URI naming the port actually bound.
    pub fn redirect_uri(&self) -> String {
        format!(
            "http://{}:{}{}",
            self.host,
            self.port,
            callback::CALLBACK_PATH
        )
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// Serves requests until the decisive callback, the deadline or Ctrl-C, with `progress`
    /// redrawn meanwhile. With `paste`, a line pasted on stdin is judged too (`paste_line`).
    /// The listening socket and every connection are closed when it returns, unless the
    /// browser was sent on to its final page (then `Outcome::Code` holds them).
    pub fn wait(
        mut self,
        state: &str,
        issuer: Option<&str>,
        iss_required: bool,
        deadline: Instant,
        paste: bool,
        progress: &mut Progress,
    ) -> Result<Outcome> {
        let host = format!("{}:{}", self.host, self.port);
        let expected = Expected {
            host: &host,
            state,
            issuer,
            iss_required,
        };
        let mut poll = Poll::new().context("could not set up the listener")?;
        let waker = Arc::new(Waker::new(poll.registry(), WAKER)?);
        let watch = interrupt::watch(waker.clone());
        let mut stdin = paste.then(|| Stdin::start(poll.registry(), STDIN, waker));
        poll.registry()
            .register(&mut self.socket, SOCKET, Interest::READABLE)?;
        let mut open = Open::new();
        let mut events = Events::with_capacity(64);
        let (decided, round) = loop {
            let now = Instant::now();
            if now >= deadline {
                break (Decided::TimedOut, Round::default());
            }
            open.expire(&poll, now);
            progress.tick();
            let wake = [open.next_due(), progress.next_tick()]
                .into_iter()
                .flatten()
                .fold(deadline, Instant::min);
            if let Err(e) = poll.poll(&mut events, Some(wake.saturating_duration_since(now))) {
                if e.kind() == ErrorKind::Interrupted {
                    continue;
                }
                return Err(e).context("the listener failed");
            }
            let mut round = Round::default();
            for event in events.iter() {
                match event.token() {
                    SOCKET => open.accept(&self.socket, &poll),
                    WAKER | STDIN => {
                        if let Some(stdin) = &mut stdin {
                            stdin.read(poll.registry());
                        }
                    }
                    Token(id) if id >= FIRST => round.read(id, &mut open, &poll, &expected),
                    Token(_) => {}
                }
            }
            if let Some(decided) = round.decide(stdin.as_mut(), &expected) {
                break (decided, round);
            }
        };
        // From here on Ctrl-C ends the process itself; one that came before, however late
        // in the turn that decided, is seen now (SECURITY.md row 9).
        drop(watch);
        let decided = match interrupt::interrupted() {
            true => Decided::Interrupted,
            false => decided,
        };
        self.end(decided, round, poll, open, host)
    }

    /// Answers the connections that brought an answer in the last turn as the login ended,
    /// and hands the listener on to the final page when a code came with a browser waiting.
    fn end(
        self,
        decided: Decided,
        round: Round,
        poll: Poll,
        mut open: Open,
        host: String,
    ) -> Result<Outcome> {
        let answer = match &decided {
            Decided::Answer(Answer::Code(_)) => see_other(DONE_PATH),
            Decided::Answer(Answer::Denied { .. }) => response(200, Page::Denied, None),
            _ => response(400, Page::Failed, None),
        };
        let browser = !round.browsers.is_empty();
        for (id, mut conn) in round.browsers {
            conn.answer(&answer);
            open.put(id, conn);
        }
        match decided {
            Decided::Answer(Answer::Code(code)) => {
                let browser = browser.then(|| Done::new(self.socket, poll, open, host));
                Ok(Outcome::Code { code, browser })
            }
            Decided::Answer(Answer::Denied { error, description }) => {
                Ok(Outcome::Denied { error, description })
            }
            Decided::Answer(Answer::Abort(why)) => Err(Failure::Login(why).into()),
            Decided::TimedOut => Ok(Outcome::TimedOut),
            Decided::Interrupted => Err(Failure::Interrupted.into()),
        }
    }
}

impl Round {
    /// Reads connection `id`: a refused request is answered at once, and the login goes
    /// on; one with an answer is kept for [`Round::decide`].
    fn read(&mut self, id: usize, open: &mut Open, poll: &Poll, expected: &Expected) {
        let Some(mut conn) = open.take(id) else {
            return;
        };
        let verdict = match conn.read() {
            Got::Reading => return open.put(id, conn),
            Got::Gone => return conn.close(poll),
            Got::Head => callback::judge_request(&conn.buf, expected),
            Got::TooLarge => callback::too_large(),
        };
        match verdict {
            Verdict::Reject { status, page, why } => {
                output::debug(&format!(
                    "listener: answered {status} ({why}); still waiting"
                ));
                conn.answer(&response(status, page, None));
                // What the client sent past our limit is read and dropped now: no
                // readiness event would come for it.
                open.keep(id, conn, poll);
            }
            Verdict::Answer(answer) => {
                if matches!(answer, Answer::Code(_)) {
                    output::debug("listener: received the authorization code");
                }
                self.answer.get_or_insert(answer);
                self.browsers.push((id, conn));
            }
        }
    }

    /// What this turn decides: Ctrl-C first; then a pasted line; then the first callback
    /// with an answer. `None`: nothing decisive came, the wait goes on.
    fn decide(&mut self, stdin: Option<&mut Stdin>, expected: &Expected) -> Option<Decided> {
        if interrupt::interrupted() {
            return Some(Decided::Interrupted);
        }
        if let Some(answer) = stdin.and_then(|s| paste_line::take(s, expected)) {
            if matches!(answer, Answer::Code(_)) {
                output::debug("received the authorization code, pasted");
            }
            return Some(Decided::Answer(answer));
        }
        self.answer.take().map(Decided::Answer)
    }
}

/// How long until `timeout` seconds from now.
pub fn deadline(timeout: u64) -> Instant {
    Instant::now() + Duration::from_secs(timeout)
}
