//! The temporary loopback listener that catches the authorization response.
//!
//! It binds the loopback IP literal, never a wildcard, and keeps that very socket for the
//! whole login (RFC 8252 §7.3, §8.3; SECURITY.md rows 1, 2): port 0 lets the OS pick a free
//! port, so no other process can hold it in between. Every request head is read, at most
//! `request::MAX_REQUEST` bytes, checked (`request::head`) and judged by the pure
//! [`callback::judge`]; every answer is a static page that echoes nothing, with the headers
//! of SECURITY.md row 7, and closes the connection (one request per connection). The listener
//! lives until the decisive callback, the deadline or Ctrl-C, and its socket closes with it
//! (SECURITY.md row 9); after a code it lives on a moment, to give the browser its final
//! page at a clean address (`done`).
//!
//! Each connection is read by hyper's HTTP/1 server (`connections`); the listener's wait
//! judges what it read. Each turn of the wait first takes in everything that is ready
//! (requests, pasted lines), then decides: Ctrl-C before anything else, then a pasted line,
//! then a callback. So what came in the same moment is decided the same way every time,
//! and a Ctrl-C that came with an answer is never outrun by it.

use std::future::poll_fn;
use std::io::ErrorKind;
use std::net::{Ipv4Addr, SocketAddr, TcpListener};
use std::pin::pin;
use std::sync::Arc;
use std::task::Poll;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, anyhow};
use tokio::sync::{Notify, mpsc, oneshot};

use super::callback::{self, Answer, Expected, Page, Verdict, refuse};
use super::connections::{Incoming, Server};
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

/// What one turn of the wait took in: the requests that brought an answer, in the order
/// they came, the first answer, and the answers given to the others.
#[derive(Default)]
struct Round {
    browsers: Vec<Incoming>,
    answer: Option<Answer>,
    written: Vec<oneshot::Receiver<()>>,
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
            socket,
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
        self,
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
        let mut server = Server::start(self.socket).context("could not set up the listener")?;
        let waker = Arc::new(Notify::new());
        let watch = interrupt::watch(waker.clone());
        let mut stdin = paste.then(|| {
            let _in = server.rt.enter();
            Stdin::start(waker.clone())
        });
        let (decided, round) = server.rt.block_on(turns(
            &mut server.requests,
            &waker,
            stdin.as_mut(),
            &expected,
            deadline,
            progress,
        ));
        // From here on Ctrl-C ends the process itself; one that came before, however late
        // in the turn that decided, is seen now (SECURITY.md row 9).
        drop(watch);
        let decided = match interrupt::interrupted() {
            true => Decided::Interrupted,
            false => decided,
        };
        end(decided, round, server, host)
    }
}

/// The turns of the wait, until one decides.
async fn turns(
    requests: &mut mpsc::UnboundedReceiver<Incoming>,
    waker: &Notify,
    mut stdin: Option<&mut Stdin>,
    expected: &Expected<'_>,
    deadline: Instant,
    progress: &mut Progress,
) -> (Decided, Round) {
    loop {
        let now = Instant::now();
        if now >= deadline {
            return (Decided::TimedOut, Round::default());
        }
        progress.tick();
        let wake = progress.next_tick().map_or(deadline, |t| t.min(deadline));
        let mut came = Vec::new();
        {
            let mut woken = pin!(waker.notified());
            let mut sleep = pin!(tokio::time::sleep_until(wake.into()));
            let stdin = stdin.as_deref();
            poll_fn(|cx| {
                let mut ready = false;
                while let Poll::Ready(Some(incoming)) = requests.poll_recv(cx) {
                    came.push(incoming);
                    ready = true;
                }
                ready |= woken.as_mut().poll(cx).is_ready();
                ready |= stdin.is_some_and(|s| s.poll_ready(cx));
                ready |= sleep.as_mut().poll(cx).is_ready();
                match ready {
                    true => Poll::Ready(()),
                    false => Poll::Pending,
                }
            })
            .await;
        }
        // The connections that became readable with this wake-up are read before anything
        // is decided: one yield lets every woken connection run (`connections`).
        tokio::task::yield_now().await;
        while let Ok(incoming) = requests.try_recv() {
            came.push(incoming);
        }
        if let Some(stdin) = stdin.as_deref_mut() {
            stdin.read();
        }
        let mut round = Round::default();
        for incoming in came {
            round.take(incoming, expected);
        }
        if let Some(decided) = round.decide(stdin.as_deref_mut(), expected) {
            return (decided, round);
        }
    }
}

/// Answers the requests that brought an answer in the last turn as the login ended, and
/// hands the listener on to the final page when a code came with a browser waiting.
fn end(decided: Decided, round: Round, server: Server, host: String) -> Result<Outcome> {
    let answer = match &decided {
        Decided::Answer(Answer::Code(_)) => see_other(DONE_PATH),
        Decided::Answer(Answer::Denied { .. }) => response(200, Page::Denied, None),
        _ => response(400, Page::Failed, None),
    };
    let browser = !round.browsers.is_empty();
    let mut written = round.written;
    for incoming in round.browsers {
        written.push(incoming.answer_written(answer.clone()));
    }
    server.flush(written);
    match decided {
        Decided::Answer(Answer::Code(code)) => {
            let browser = browser.then(|| Done::new(server, host));
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

impl Round {
    /// Judges one request: a refused one is answered at once, and the login goes on; one
    /// with an answer is kept for [`Round::decide`].
    fn take(&mut self, incoming: Incoming, expected: &Expected) {
        let verdict = match &incoming.head {
            Ok(head) => callback::judge(head, expected),
            Err(problem) => refuse(*problem),
        };
        match verdict {
            Verdict::Reject { status, page, why } => {
                output::debug(&format!(
                    "listener: answered {status} ({why}); still waiting"
                ));
                self.written
                    .push(incoming.answer_written(response(status, page, None)));
            }
            Verdict::Answer(answer) => {
                if matches!(answer, Answer::Code(_)) {
                    output::debug("listener: received the authorization code");
                }
                self.answer.get_or_insert(answer);
                self.browsers.push(incoming);
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
