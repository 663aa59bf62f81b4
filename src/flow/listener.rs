//! The temporary loopback listener that catches the authorization response.
//!
//! It binds the loopback IP literal, never a wildcard, and keeps that very socket for the
//! whole login (RFC 8252 §7.3, §8.3; SECURITY.md rows 1, 2): port 0 lets the OS pick a free
//! port, so no other process can hold it in between. Every request is read into a buffer of
//! at most [`MAX_REQUEST`] bytes and judged by the pure [`callback::judge_request`]; every
//! answer is a static page that echoes nothing, with the headers of SECURITY.md row 7, and
//! closes the connection (one request per connection). The listener lives until the
//! decisive callback, the deadline or Ctrl-C, and its socket closes with it (SECURITY.md row 9).
//!
//! Why not an HTTP server crate: the one used before (tiny_http) reads requests of any size
//! and has no per-connection time limit we could set, so one idle or slowly dripping
//! connection could hold a worker while the browser's request waited. Here one thread runs
//! a small event loop over non-blocking sockets (`mio`, already in the build through the
//! HTTP client's runtime): any number of slow connections cost a buffer each, not a thread;
//! each has [`CONNECTION_TIMEOUT`] to send its request; and when [`MAX_CONNECTIONS`] are
//! open the oldest is dropped, so the browser's connection, always the newest, is served
//! however many idle ones another process keeps open.

use std::collections::BTreeMap;
use std::io::{ErrorKind, Read, Write};
use std::net::{Ipv4Addr, Shutdown, SocketAddr, TcpStream};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, anyhow};
use mio::net::{TcpListener, TcpStream as MioStream};
use mio::{Events, Interest, Poll, Token, Waker};

use super::callback::{self, Expected, Page, Verdict};
use super::interrupt;
use super::page::response;
use super::paste;
use super::request::{self, MAX_REQUEST};
use crate::error::Failure;
use crate::output;
use crate::secret::Secret;

/// How many connections may be open at once. A browser opens a handful (six per host at
/// most, in the common ones); more than this is someone else, and the oldest goes first.
const MAX_CONNECTIONS: usize = 64;
/// How long a connection has to send its whole request. A browser sends it at once; a
/// connection that stays silent or drips bytes for longer is not a browser.
const CONNECTION_TIMEOUT: Duration = Duration::from_secs(10);
/// How long a refused connection is kept, half-closed, to read what its client still
/// sends: closing a socket with unread input resets the connection, and the client could
/// lose our answer (RFC 9112 §9.6).
const LINGER: Duration = Duration::from_secs(2);
/// How long writing the last page may take: the browser is waiting for it.
const WRITE_TIMEOUT: Duration = Duration::from_secs(5);

const LISTENER: Token = Token(0);
const WAKER: Token = Token(1);

pub struct Listener {
    socket: TcpListener,
    port: u16,
}

/// The browser's connection that brought the code: it waits for the final page.
pub struct Pending(TcpStream);

/// What the wait for the browser ended with.
pub enum Outcome {
    /// A code arrived; the browser, when it brought the code, waits on `request` for the
    /// final page (a pasted code has no browser waiting).
    Code {
        code: Secret,
        request: Option<Pending>,
    },
    /// The provider said no; the browser was already told.
    Denied {
        error: String,
        description: Option<String>,
    },
    /// The deadline passed first.
    TimedOut,
}

struct Connection {
    stream: MioStream,
    buf: Vec<u8>,
    /// When it is closed: the end of its time to send a request, or of its linger.
    until: Instant,
    /// Answered already: what it still sends is read and dropped until it closes.
    answered: bool,
}

/// What reading from a connection came to.
enum Progress {
    /// The request is not complete yet (or an answered connection is still open).
    Reading,
    /// The peer went away (or broke the connection).
    Gone,
    Judged(Verdict),
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
        })
    }

    /// The redirect URI naming the address actually bound.
    pub fn redirect_uri(&self) -> String {
        format!("http://127.0.0.1:{}{}", self.port, callback::CALLBACK_PATH)
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// Serves requests until the decisive callback, the deadline or Ctrl-C; the listening
    /// socket and every other connection are closed when it returns. With `paste`, a line
    /// pasted on stdin is judged too, and whichever comes first decides (`flow::paste`).
    pub fn wait(
        mut self,
        state: &str,
        issuer: Option<&str>,
        iss_required: bool,
        deadline: Instant,
        paste: bool,
    ) -> Result<Outcome> {
        let host = format!("127.0.0.1:{}", self.port);
        let expected = Expected {
            host: &host,
            state,
            issuer,
            iss_required,
        };
        let mut poll = Poll::new().context("could not set up the listener")?;
        let waker = Arc::new(Waker::new(poll.registry(), WAKER)?);
        let _watch = interrupt::watch(waker.clone());
        let pasted = paste.then(|| paste::start(waker));
        poll.registry()
            .register(&mut self.socket, LISTENER, Interest::READABLE)?;
        // Keyed by a counter that only grows: the first entry is the oldest connection.
        let mut open: BTreeMap<usize, Connection> = BTreeMap::new();
        let mut next_id = 2;
        let mut events = Events::with_capacity(64);
        loop {
            if interrupt::interrupted() {
                return Err(Failure::Interrupted.into());
            }
            let now = Instant::now();
            if now >= deadline {
                return Ok(Outcome::TimedOut);
            }
            let expired: Vec<usize> = open
                .iter()
                .filter(|(_, c)| c.until <= now)
                .map(|(id, _)| *id)
                .collect();
            for id in expired {
                let Some(conn) = open.remove(&id) else {
                    continue;
                };
                if conn.answered {
                    close(&poll, conn);
                } else {
                    output::debug("listener: answered 408 (no request in time); still waiting");
                    // RFC 9110 §15.5.9: 408 for a connection that sent no whole request.
                    open.insert(id, answer(conn, 408, Page::BadRequest));
                }
            }
            let wake_at = open.values().map(|c| c.until).fold(deadline, Instant::min);
            let timeout = wake_at.saturating_duration_since(now);
            if let Err(e) = poll.poll(&mut events, Some(timeout)) {
                if e.kind() == ErrorKind::Interrupted {
                    continue;
                }
                return Err(e).context("the listener failed");
            }
            for event in events.iter() {
                match event.token() {
                    WAKER => {
                        if let Some(pasted) = &pasted
                            && let Some(outcome) = take_pasted(pasted, &expected)?
                        {
                            for conn in open.into_values() {
                                close(&poll, conn);
                            }
                            return Ok(outcome);
                        }
                    }
                    LISTENER => self.accept(&poll, &mut open, &mut next_id),
                    Token(id) => {
                        // Closed already in this round (the oldest, dropped for a newer one).
                        let Some(mut conn) = open.remove(&id) else {
                            continue;
                        };
                        match read(&mut conn, &expected) {
                            Progress::Reading => {
                                open.insert(id, conn);
                            }
                            Progress::Gone => close(&poll, conn),
                            Progress::Judged(Verdict::Reject { status, page, why }) => {
                                output::debug(&format!(
                                    "listener: answered {status} ({why}); still waiting"
                                ));
                                // What the client sent past our limit is read and
                                // dropped now: no readiness event would come for it.
                                let mut conn = answer(conn, status, page);
                                match read(&mut conn, &expected) {
                                    Progress::Gone => close(&poll, conn),
                                    _ => {
                                        open.insert(id, conn);
                                    }
                                }
                            }
                            Progress::Judged(Verdict::Code(code)) => {
                                output::debug("listener: received the authorization code");
                                let request = Some(last(&poll, open, conn)?);
                                return Ok(Outcome::Code { code, request });
                            }
                            Progress::Judged(Verdict::Denied { error, description }) => {
                                respond(last(&poll, open, conn)?, 200, Page::Denied, None);
                                return Ok(Outcome::Denied { error, description });
                            }
                            Progress::Judged(Verdict::Abort(why)) => {
                                respond(last(&poll, open, conn)?, 400, Page::Failed, None);
                                return Err(Failure::Login(why).into());
                            }
                        }
                    }
                }
            }
        }
    }

    /// Accepts every pending connection, dropping the oldest open ones beyond the cap.
    fn accept(&self, poll: &Poll, open: &mut BTreeMap<usize, Connection>, next_id: &mut usize) {
        loop {
            let mut stream = match self.socket.accept() {
                Ok((stream, _)) => stream,
                Err(e) if e.kind() == ErrorKind::WouldBlock => return,
                Err(e) if e.kind() == ErrorKind::Interrupted => continue,
                Err(e) => {
                    // Out of file descriptors, or a connection reset before we took it:
                    // the next readiness event tries again.
                    output::debug(&format!("listener: accepting a connection failed: {e}"));
                    return;
                }
            };
            if open.len() >= MAX_CONNECTIONS
                && let Some((_, oldest)) = open.pop_first()
            {
                close(poll, oldest);
                output::debug("listener: too many connections; closed the oldest");
            }
            let id = *next_id;
            *next_id += 1;
            if poll
                .registry()
                .register(&mut stream, Token(id), Interest::READABLE)
                .is_ok()
            {
                open.insert(
                    id,
                    Connection {
                        stream,
                        buf: Vec::new(),
                        until: Instant::now() + CONNECTION_TIMEOUT,
                        answered: false,
                    },
                );
            }
        }
    }
}

/// Judges the lines pasted since the last wake-up: the first decisive one ends the wait; one
/// that is refused is said on stderr, and the login goes on waiting.
fn take_pasted(pasted: &paste::Pasted, expected: &Expected) -> Result<Option<Outcome>> {
    while let Some(line) = pasted.next() {
        let verdict = match line {
            paste::Line::Text(text) if text.trim_ascii().is_empty() => continue,
            paste::Line::Text(text) => callback::judge_pasted(&text, expected),
            paste::Line::TooLong => {
                not_taken(expected, "it is longer than a redirect address can be");
                continue;
            }
        };
        match verdict {
            Verdict::Reject { why, .. } => not_taken(expected, why),
            Verdict::Code(code) => {
                output::debug("received the authorization code, pasted");
                return Ok(Some(Outcome::Code {
                    code,
                    request: None,
                }));
            }
            Verdict::Denied { error, description } => {
                return Ok(Some(Outcome::Denied { error, description }));
            }
            Verdict::Abort(why) => return Err(Failure::Login(why).into()),
        }
    }
    Ok(None)
}

/// Says why a pasted line was refused: `why` names the rule, never what the line held.
fn not_taken(expected: &Expected, why: &str) {
    output::note(&format!(
        "That line was not taken: {why}. Paste the whole address the browser shows at the end \
         of this login (http://{}{}?...), on one line; still waiting.",
        expected.host,
        callback::CALLBACK_PATH
    ));
}

/// Reads what a connection has sent so far, and judges it once the head is complete.
fn read(conn: &mut Connection, expected: &Expected) -> Progress {
    const CHUNK: usize = 4096;
    let mut chunk = [0u8; CHUNK];
    // An answered client that keeps sending as fast as it can must not hold the loop:
    // past this much in one go it is cut off.
    let mut drained = 0;
    loop {
        let room = match conn.answered {
            true => CHUNK,
            false => (MAX_REQUEST - conn.buf.len()).min(CHUNK),
        };
        if room == 0 {
            return Progress::Judged(callback::too_large());
        }
        match conn.stream.read(&mut chunk[..room]) {
            Ok(0) => return Progress::Gone,
            Ok(n) if conn.answered => {
                drained += n;
                if drained > MAX_REQUEST {
                    return Progress::Gone;
                }
            }
            Ok(n) => {
                let searched = conn.buf.len();
                conn.buf.extend_from_slice(&chunk[..n]);
                if request::head_end(&conn.buf, searched).is_some() {
                    return Progress::Judged(callback::judge_request(&conn.buf, expected));
                }
            }
            Err(e) if e.kind() == ErrorKind::WouldBlock => return Progress::Reading,
            Err(e) if e.kind() == ErrorKind::Interrupted => continue,
            Err(_) => return Progress::Gone,
        }
    }
}

/// Answers a connection with a static page and half-closes it; it lingers (see [`LINGER`])
/// until its client closes. The socket is not blocking: one write of a page under 1 KiB
/// fits any socket buffer, and a client that does not read gets a cut page rather than a
/// hold on the listener.
fn answer(mut conn: Connection, status: u16, page: Page) -> Connection {
    let _ = conn.stream.write(&response(status, page, None));
    let _ = conn.stream.shutdown(Shutdown::Write);
    conn.answered = true;
    conn.buf = Vec::new();
    conn.until = Instant::now() + LINGER;
    conn
}

fn close(poll: &Poll, mut conn: Connection) {
    let _ = poll.registry().deregister(&mut conn.stream);
}

/// The end of the wait: every other connection is closed, and the one of the decisive
/// request is made blocking for the final page.
fn last(poll: &Poll, open: BTreeMap<usize, Connection>, mut conn: Connection) -> Result<Pending> {
    for other in open.into_values() {
        close(poll, other);
    }
    let _ = poll.registry().deregister(&mut conn.stream);
    let stream = TcpStream::from(conn.stream);
    stream.set_nonblocking(false)?;
    stream.set_write_timeout(Some(WRITE_TIMEOUT))?;
    Ok(Pending(stream))
}

/// Answers the browser's pending request with a static page; `provider` names the login on
/// the final pages.
pub fn respond(request: Pending, status: u16, page: Page, provider: Option<&str>) {
    let mut stream = request.0;
    // The browser going away before reading the page changes nothing for the login.
    let _ = stream.write_all(&response(status, page, provider));
    let _ = stream.flush();
}

/// How long until `timeout` seconds from now.
pub fn deadline(timeout: u64) -> Instant {
    Instant::now() + Duration::from_secs(timeout)
}
