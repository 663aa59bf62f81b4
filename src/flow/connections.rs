//! The loopback listener's server: accepting connections, reading one request on each with
//! hyper's HTTP/1 server, handing it to the listener's wait (`listener`, then `done`) and
//! writing the whole static response that the wait chose.
//!
//! One thread runs it all, on a current-thread tokio runtime that turns only while the wait
//! does: any number of slow connections cost a buffer each, not a thread. hyper reads each
//! request head, at most [`MAX_REQUEST`] bytes (then 431) within [`CONNECTION_TIMEOUT`]
//! (then 408), and parses it; when [`MAX_CONNECTIONS`] are open the oldest is dropped, so the
//! browser's connection, always the newest, is served however many idle ones another
//! process keeps open (SECURITY.md row 9). One request per connection (hyper's keep-alive
//! is off): after the answer the connection is half-closed and lingers until its client
//! closes.
//!
//! hyper writes nothing itself: what it writes goes nowhere ([`Reader`]). Its own answers to
//! what it refuses (a bare 400 or 431) carry none of the headers of SECURITY.md row 7, so
//! every answer, to a request parsed or refused, is one of our pages, written whole after
//! hyper is done with the connection.

use std::collections::BTreeMap;
use std::io;
use std::pin::Pin;
use std::sync::{Mutex, PoisonError};
use std::task::{Context, Poll};
use std::time::Duration;

use anyhow::Result;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::runtime::Runtime;
use tokio::sync::{mpsc, oneshot};
use tokio::task::AbortHandle;
use tokio::time::timeout;

use super::callback::{Head, Problem};
use super::request::{self, MAX_REQUEST};
use crate::output;

/// How many connections may be open at once. A browser opens a handful (six per host at
/// most, in the common ones); more than this is someone else, and the oldest goes first.
const MAX_CONNECTIONS: usize = 64;
/// How long a connection has to send its whole request head. A browser sends it at once; a
/// connection that stays silent or drips bytes for longer is not a browser.
const CONNECTION_TIMEOUT: Duration = Duration::from_secs(10);
/// How long an answered connection is kept, half-closed, to read what its client still
/// sends: closing a socket with unread input resets the connection, and the client could
/// lose our answer (RFC 9112 §9.6). Also the most an answer may take to be written.
const LINGER: Duration = Duration::from_secs(2);

/// The listener's server: its runtime, and the requests its connections read.
pub struct Server {
    pub rt: Runtime,
    pub requests: mpsc::UnboundedReceiver<Incoming>,
}

/// One request a connection read, or why it could not be read; its connection waits for
/// the answer.
pub struct Incoming {
    pub head: Result<Head, Problem>,
    reply: oneshot::Sender<Reply>,
}

/// The whole response to write, and who wants to know once it is written.
struct Reply {
    response: Vec<u8>,
    written: Option<oneshot::Sender<()>>,
}

impl Server {
    /// Serves connections on `socket` (non-blocking), from the first turn of the runtime on.
    pub fn start(socket: std::net::TcpListener) -> Result<Server> {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_io()
            .enable_time()
            .build()?;
        let socket = {
            let _in = rt.enter();
            TcpListener::from_std(socket)?
        };
        let (tx, requests) = mpsc::unbounded_channel();
        rt.spawn(accept(socket, tx));
        Ok(Server { rt, requests })
    }

    /// Turns the runtime until the answers behind `written` are written (or their
    /// connections gone), [`LINGER`] at most: the answers of the last turn of a wait,
    /// which must not wait for the next one (the browser follows our redirect at once).
    pub fn flush(&self, written: Vec<oneshot::Receiver<()>>) {
        self.rt.block_on(async {
            let all = async {
                for w in written {
                    let _ = w.await;
                }
            };
            let _ = timeout(LINGER, all).await;
        });
    }
}

impl Incoming {
    /// Answers with `response`, a whole HTTP response (`page`).
    pub fn answer(self, response: Vec<u8>) {
        let _ = self.reply.send(Reply {
            response,
            written: None,
        });
    }

    /// Answers with `response`; the receiver hears once it is written.
    pub fn answer_written(self, response: Vec<u8>) -> oneshot::Receiver<()> {
        let (tx, rx) = oneshot::channel();
        let _ = self.reply.send(Reply {
            response,
            written: Some(tx),
        });
        rx
    }
}

/// Accepts connections for as long as the runtime lives, dropping the oldest open ones
/// beyond the cap.
async fn accept(socket: TcpListener, requests: mpsc::UnboundedSender<Incoming>) {
    let mut open: BTreeMap<u64, AbortHandle> = BTreeMap::new();
    let mut next = 0;
    loop {
        let stream = match socket.accept().await {
            Ok((stream, _)) => stream,
            Err(e) => {
                // Out of file descriptors, or a connection reset before we took it. The
                // socket stays readable: a pause, not a busy loop, before trying again.
                output::debug(&format!("listener: accepting a connection failed: {e}"));
                tokio::time::sleep(Duration::from_millis(100)).await;
                continue;
            }
        };
        open.retain(|_, conn| !conn.is_finished());
        if open.len() >= MAX_CONNECTIONS
            && let Some((_, oldest)) = open.pop_first()
        {
            oldest.abort();
            output::debug("listener: too many connections; closed the oldest");
        }
        output::debug("listener: accepted a connection");
        let conn = tokio::spawn(serve(stream, requests.clone()));
        open.insert(next, conn.abort_handle());
        next += 1;
    }
}

/// Reads one request on `stream`, hands it to the wait, writes the answer, lingers.
async fn serve(stream: TcpStream, requests: mpsc::UnboundedSender<Incoming>) {
    let mut io = TokioIo::new(Reader(stream));
    // Handed over the moment hyper has parsed the head, in the same turn of the runtime
    // that read it: what came in together is judged together (`listener`).
    let pending: Mutex<Option<oneshot::Receiver<Reply>>> = Mutex::new(None);
    let hand_over = |head: Result<Head, Problem>| {
        let (reply, rx) = oneshot::channel();
        let _ = requests.send(Incoming { head, reply });
        rx
    };
    let service = service_fn(|req| {
        let rx = hand_over(request::head(&req));
        *pending.lock().unwrap_or_else(PoisonError::into_inner) = Some(rx);
        // Written nowhere: the answer is ours, written below.
        async { Ok::<_, std::convert::Infallible>(hyper::Response::new(String::new())) }
    });
    let read = http1::Builder::new()
        .timer(TokioTimer::new())
        .header_read_timeout(CONNECTION_TIMEOUT)
        .max_buf_size(MAX_REQUEST)
        .max_header_size(MAX_REQUEST)
        .keep_alive(false)
        // A client that shuts its side after the request still gets the answer.
        .half_close(true)
        .serve_connection(&mut io, service)
        .await;
    let pending = pending.into_inner().unwrap_or_else(PoisonError::into_inner);
    let rx = match (pending, read) {
        (Some(rx), _) => rx,
        (None, Err(e)) => match problem(&e) {
            Some(problem) => hand_over(Err(problem)),
            None => return,
        },
        // Closed before it sent anything.
        (None, Ok(())) => return,
    };
    let Ok(reply) = rx.await else {
        return;
    };
    let mut stream = io.into_inner().0;
    // The socket is not blocking: a response under 2 KiB fits any socket buffer, and a
    // client that does not read gets a cut page rather than a hold on the listener.
    let _ = timeout(LINGER, stream.write_all(&reply.response)).await;
    if let Some(written) = reply.written {
        let _ = written.send(());
    }
    linger(stream).await;
}

/// What hyper's error says of the request: `None` when the client went away.
fn problem(e: &hyper::Error) -> Option<Problem> {
    if e.is_parse_too_large() {
        Some(Problem::TooLarge)
    } else if e.is_timeout() {
        Some(Problem::Timeout)
    } else if e.is_parse() {
        Some(Problem::Malformed("not a well-formed HTTP/1.1 request"))
    } else {
        None
    }
}

/// Half-closes an answered connection and reads, dropping it, what its client still sends,
/// until it closes, [`LINGER`] passes or more than [`MAX_REQUEST`] came.
async fn linger(mut stream: TcpStream) {
    let _ = stream.shutdown().await;
    let drain = async {
        let mut chunk = [0u8; 4096];
        let mut drained = 0;
        while drained <= MAX_REQUEST {
            match stream.read(&mut chunk).await {
                Ok(0) | Err(_) => return,
                Ok(n) => drained += n,
            }
        }
    };
    let _ = timeout(LINGER, drain).await;
}

/// A connection as hyper sees it: what it reads comes from the socket, what it writes is
/// dropped (see the module's header).
struct Reader(TcpStream);

impl AsyncRead for Reader {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.0).poll_read(cx, buf)
    }
}

impl AsyncWrite for Reader {
    fn poll_write(
        self: Pin<&mut Self>,
        _: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Poll::Ready(Ok(buf.len()))
    }

    fn poll_flush(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(Ok(()))
    }

    fn poll_shutdown(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(Ok(()))
    }
}
