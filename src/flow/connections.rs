//! The open connections of the loopback listener: accepting them, reading each request up to
//! [`MAX_REQUEST`] bytes, answering with a whole static response, and closing them.
//!
//! Every socket is non-blocking and served by the listener's one event loop (`listener`,
//! and `done` after the decisive callback): any number of slow connections cost a buffer
//! each, not a thread; each has [`CONNECTION_TIMEOUT`] to send its request (then 408); and
//! when [`MAX_CONNECTIONS`] are open the oldest is dropped, so the browser's connection,
//! always the newest, is served however many idle ones another process keeps open
//! (SECURITY.md row 9). One request per connection: after the answer it is half-closed and
//! lingers until its client closes.

use std::collections::BTreeMap;
use std::io::{ErrorKind, Read, Write};
use std::net::Shutdown;
use std::time::{Duration, Instant};

use mio::net::{TcpListener, TcpStream};
use mio::{Interest, Poll, Token};

use super::callback::Page;
use super::page::response;
use super::request::{self, MAX_REQUEST};
use crate::output;

/// How many connections may be open at once. A browser opens a handful (six per host at
/// most, in the common ones); more than this is someone else, and the oldest goes first.
const MAX_CONNECTIONS: usize = 64;
/// How long a connection has to send its whole request. A browser sends it at once; a
/// connection that stays silent or drips bytes for longer is not a browser.
const CONNECTION_TIMEOUT: Duration = Duration::from_secs(10);
/// How long an answered connection is kept, half-closed, to read what its client still
/// sends: closing a socket with unread input resets the connection, and the client could
/// lose our answer (RFC 9112 §9.6).
const LINGER: Duration = Duration::from_secs(2);
/// The tokens of the listener's event loop: its socket, its waker (Ctrl-C, or a line read
/// on the paste thread), stdin when the loop reads it; the connections from [`FIRST`] on.
pub const SOCKET: Token = Token(0);
pub const WAKER: Token = Token(1);
pub const STDIN: Token = Token(2);
pub const FIRST: usize = 3;

pub struct Connection {
    stream: TcpStream,
    /// What it sent so far.
    pub buf: Vec<u8>,
    /// When it is closed: the end of its time to send a request, or of its linger.
    until: Instant,
    /// Answered already: what it still sends is read and dropped until it closes.
    answered: bool,
}

/// What reading from a connection came to.
pub enum Got {
    /// The request is not complete yet (or an answered connection is still open).
    Reading,
    /// The peer went away (or broke the connection).
    Gone,
    /// `buf` holds a whole request head (and maybe more after it).
    Head,
    /// No end of the head within [`MAX_REQUEST`] bytes.
    TooLarge,
}

/// The open connections, keyed by a counter that only grows: the first is the oldest.
pub struct Open {
    conns: BTreeMap<usize, Connection>,
    next_id: usize,
}

impl Open {
    pub fn new() -> Open {
        Open {
            conns: BTreeMap::new(),
            next_id: FIRST,
        }
    }

    /// Accepts every pending connection, dropping the oldest open ones beyond the cap.
    pub fn accept(&mut self, socket: &TcpListener, poll: &Poll) {
        loop {
            let mut stream = match socket.accept() {
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
            if self.conns.len() >= MAX_CONNECTIONS
                && let Some((_, oldest)) = self.conns.pop_first()
            {
                oldest.close(poll);
                output::debug("listener: too many connections; closed the oldest");
            }
            let id = self.next_id;
            self.next_id += 1;
            if poll
                .registry()
                .register(&mut stream, Token(id), Interest::READABLE)
                .is_ok()
            {
                output::debug("listener: accepted a connection");
                self.conns.insert(
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

    /// Takes out the connection of a readiness event; `None` when it was closed already
    /// in this round (the oldest, dropped for a newer one).
    pub fn take(&mut self, id: usize) -> Option<Connection> {
        self.conns.remove(&id)
    }

    /// Puts back a connection taken out, unless it is gone.
    pub fn keep(&mut self, id: usize, mut conn: Connection, poll: &Poll) {
        match conn.read() {
            Got::Gone => conn.close(poll),
            _ => {
                self.conns.insert(id, conn);
            }
        }
    }

    /// Puts back a connection that is still reading.
    pub fn put(&mut self, id: usize, conn: Connection) {
        self.conns.insert(id, conn);
    }

    /// Answers 408 to the connections whose time to send a request is up, and closes the
    /// answered ones whose linger is over.
    pub fn expire(&mut self, poll: &Poll, now: Instant) {
        let expired: Vec<usize> = self
            .conns
            .iter()
            .filter(|(_, c)| c.until <= now)
            .map(|(id, _)| *id)
            .collect();
        for id in expired {
            let Some(mut conn) = self.conns.remove(&id) else {
                continue;
            };
            if conn.answered {
                conn.close(poll);
            } else {
                output::debug("listener: answered 408 (no request in time); still waiting");
                // RFC 9110 §15.5.9: 408 for a connection that sent no whole request.
                conn.answer(&response(408, Page::BadRequest, None));
                self.conns.insert(id, conn);
            }
        }
    }

    /// When the next connection is due to be answered or closed.
    pub fn next_due(&self) -> Option<Instant> {
        self.conns.values().map(|c| c.until).min()
    }

    /// Closes every connection.
    pub fn close_all(self, poll: &Poll) {
        for conn in self.conns.into_values() {
            conn.close(poll);
        }
    }
}

impl Connection {
    /// Reads what the connection has sent so far; an unanswered one until its head is
    /// complete, an answered one to drop what it still sends.
    pub fn read(&mut self) -> Got {
        const CHUNK: usize = 4096;
        let mut chunk = [0u8; CHUNK];
        // An answered client that keeps sending as fast as it can must not hold the loop:
        // past this much in one go it is cut off.
        let mut drained = 0;
        loop {
            let room = match self.answered {
                true => CHUNK,
                false => (MAX_REQUEST - self.buf.len()).min(CHUNK),
            };
            if room == 0 {
                return Got::TooLarge;
            }
            match self.stream.read(&mut chunk[..room]) {
                Ok(0) => return Got::Gone,
                Ok(n) if self.answered => {
                    drained += n;
                    if drained > MAX_REQUEST {
                        return Got::Gone;
                    }
                }
                Ok(n) => {
                    let searched = self.buf.len();
                    self.buf.extend_from_slice(&chunk[..n]);
                    if request::head_end(&self.buf, searched).is_some() {
                        return Got::Head;
                    }
                }
                Err(e) if e.kind() == ErrorKind::WouldBlock => return Got::Reading,
                Err(e) if e.kind() == ErrorKind::Interrupted => continue,
                Err(_) => return Got::Gone,
            }
        }
    }

    /// Answers with a whole response and half-closes; the connection lingers (see
    /// [`LINGER`]) until its client closes. The socket is not blocking: one write of a
    /// response under 2 KiB fits any socket buffer, and a client that does not read gets a
    /// cut page rather than a hold on the listener.
    pub fn answer(&mut self, response: &[u8]) {
        let _ = self.stream.write(response);
        let _ = self.stream.flush();
        let _ = self.stream.shutdown(Shutdown::Write);
        self.answered = true;
        self.buf = Vec::new();
        self.until = Instant::now() + LINGER;
    }

    pub fn close(mut self, poll: &Poll) {
        let _ = poll.registry().deregister(&mut self.stream);
    }
}
