//! Lines pasted on stdin while a login waits (`login --no-browser`): the listener's loop
//! takes each and judges it as it judges a callback (`paste_line`).
//!
//! stdin is read whether or not it is a terminal. On Linux, a stdin that can be polled (a
//! terminal, a pipe, a socket) is read by the listener's own event loop, so a pasted line and
//! a browser's request that come at the same moment are seen in the same turn of it, and
//! which one is taken does not depend on which thread ran first; it is read only as far as
//! it has input, never blocking the loop. Any other stdin (a file, `/dev/null`, stdin on other
//! systems) is read on a thread of its own, which wakes the loop for every line. End of
//! input only means that nobody will paste: the listener goes on waiting for the browser. A
//! line is read up to [`MAX_LINE`] bytes, so a stream without newlines cannot make us hold more.

use std::collections::VecDeque;
use std::io::Read;
use std::sync::Arc;
use std::sync::mpsc::{self, Receiver};
use std::task::Context;

use tokio::sync::Notify;

use super::request::MAX_REQUEST;
use crate::output;

/// The longest pasted line we read: a redirect URL is about as long as a callback request's
/// target, so the request cap serves.
pub const MAX_LINE: usize = MAX_REQUEST;

/// One pasted line (without its newline), or a line that was longer than [`MAX_LINE`].
#[derive(Debug, PartialEq, Eq)]
pub enum Line {
    Text(Vec<u8>),
    TooLong,
}

/// stdin while a login waits: the lines pasted so far.
pub struct Stdin {
    source: Source,
    lines: VecDeque<Line>,
}

enum Source {
    /// Read by the loop when it is ready; `None` once it ended.
    #[cfg(any(target_os = "linux", target_os = "android"))]
    Polled(Option<polled::Reader>),
    /// Read by a thread of its own, which sends every line.
    Thread(Receiver<Line>),
}

impl Stdin {
    /// Starts reading stdin: in the loop of the runtime entered, where it can be polled,
    /// else on a thread that wakes `waker` after every line.
    pub fn start(waker: Arc<Notify>) -> Stdin {
        #[cfg(any(target_os = "linux", target_os = "android"))]
        let source = match polled::Reader::register() {
            Some(reader) => Source::Polled(Some(reader)),
            None => Source::Thread(thread(waker)),
        };
        #[cfg(not(any(target_os = "linux", target_os = "android")))]
        let source = Source::Thread(thread(waker));
        Stdin {
            source,
            lines: VecDeque::new(),
        }
    }

    /// Whether stdin, where the loop reads it, has become ready (the thread wakes the loop
    /// itself); ready or not, the loop is woken when it becomes so.
    pub fn poll_ready(&self, cx: &mut Context<'_>) -> bool {
        match &self.source {
            #[cfg(any(target_os = "linux", target_os = "android"))]
            Source::Polled(Some(reader)) => reader.poll_ready(cx),
            _ => {
                let _ = cx;
                false
            }
        }
    }

    /// Reads whatever stdin has now.
    pub fn read(&mut self) {
        match &mut self.source {
            #[cfg(any(target_os = "linux", target_os = "android"))]
            Source::Polled(reader) => {
                if let Some(r) = reader
                    && !r.read(&mut self.lines)
                {
                    *reader = None;
                }
            }
            Source::Thread(rx) => self.lines.extend(rx.try_iter()),
        }
    }

    /// The next line pasted, if one came.
    pub fn next_line(&mut self) -> Option<Line> {
        self.lines.pop_front()
    }
}

/// Reads stdin to its end on a thread of its own, sending every line and waking `waker`.
fn thread(waker: Arc<Notify>) -> Receiver<Line> {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let mut stdin = std::io::stdin().lock();
        let mut lines = Lines::default();
        let mut chunk = [0u8; 4096];
        let mut out = VecDeque::new();
        loop {
            let ended = match stdin.read(&mut chunk) {
                Ok(0) => true,
                Ok(n) => {
                    lines.feed(&chunk[..n], &mut out);
                    false
                }
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(e) => {
                    unreadable(&e);
                    return;
                }
            };
            if ended {
                lines.end(&mut out);
            }
            for line in out.drain(..) {
                if tx.send(line).is_err() {
                    return;
                }
                waker.notify_one();
            }
            if ended {
                ended_input();
                return;
            }
        }
    });
    rx
}

fn ended_input() {
    output::debug("end of input on stdin: only the browser can end the login now");
}

fn unreadable(e: &std::io::Error) {
    output::debug(&format!(
        "stdin could not be read ({e}): nothing can be pasted"
    ));
}

/// Cuts a stream of bytes into lines of at most [`MAX_LINE`] bytes. A longer line is
/// reported as [`Line::TooLong`] as soon as it is too long, and its rest is skipped.
#[derive(Default)]
struct Lines {
    buf: Vec<u8>,
    /// The rest of a line that was too long is being skipped.
    skipping: bool,
}

impl Lines {
    fn feed(&mut self, mut bytes: &[u8], out: &mut VecDeque<Line>) {
        while !bytes.is_empty() {
            let (part, newline) = match bytes.iter().position(|&b| b == b'\n') {
                Some(i) => (&bytes[..i], Some(i)),
                None => (bytes, None),
            };
            if !self.skipping {
                self.buf.extend_from_slice(part);
                if self.buf.len() > MAX_LINE {
                    self.buf = Vec::new();
                    self.skipping = true;
                    out.push_back(Line::TooLong);
                }
            }
            match newline {
                Some(i) => {
                    if !self.skipping {
                        out.push_back(Line::Text(std::mem::take(&mut self.buf)));
                    }
                    self.skipping = false;
                    bytes = &bytes[i + 1..];
                }
                None => return,
            }
        }
    }

    /// The end of input: a last line without a newline is a line too.
    fn end(&mut self, out: &mut VecDeque<Line>) {
        if !self.skipping && !self.buf.is_empty() {
            out.push_back(Line::Text(std::mem::take(&mut self.buf)));
        }
    }
}

/// stdin read by the listener's loop (Linux: epoll takes terminals, pipes and sockets).
#[cfg(any(target_os = "linux", target_os = "android"))]
mod polled {
    use std::collections::VecDeque;
    use std::fs::File;
    use std::io::Read;
    use std::mem::ManuallyDrop;
    use std::os::fd::{AsRawFd, FromRawFd, RawFd};
    use std::task::{Context, Poll};

    use tokio::io::Interest;
    use tokio::io::unix::AsyncFd;

    use super::{Line, Lines};

    pub struct Reader {
        /// fd 0 in the loop's epoll, for its readiness.
        ready: AsyncFd<Fd0>,
        /// fd 0 itself, read without Rust's buffer (which could take more than is judged)
        /// and never closed: it is the process's stdin, not ours to close.
        stdin: ManuallyDrop<File>,
        lines: Lines,
    }

    /// fd 0, as the loop's epoll registers it; dropping it closes nothing.
    struct Fd0;

    impl AsRawFd for Fd0 {
        fn as_raw_fd(&self) -> RawFd {
            0
        }
    }

    impl Reader {
        /// `None` when stdin cannot be polled (a file, `/dev/null`: epoll refuses them).
        pub fn register() -> Option<Reader> {
            // SAFETY: fd 0 is the process's stdin, open for its whole life: nothing here
            // or elsewhere in oauthcli closes it (`stdin` below is never dropped).
            let ready = unsafe { AsyncFd::register_with_interest(Fd0, Interest::READABLE) }.ok()?;
            // SAFETY: fd 0 is open (epoll just took it); ManuallyDrop never closes it.
            let stdin = ManuallyDrop::new(unsafe { File::from_raw_fd(0) });
            Some(Reader {
                ready,
                stdin,
                lines: Lines::default(),
            })
        }

        /// Whether stdin became ready since the last look. Edge-triggered: its readiness
        /// is cleared now, and [`Reader::read`] then reads all there is.
        pub fn poll_ready(&self, cx: &mut Context<'_>) -> bool {
            match self.ready.poll_read_ready(cx) {
                Poll::Ready(Ok(mut guard)) => {
                    guard.clear_ready();
                    true
                }
                Poll::Ready(Err(_)) => true,
                Poll::Pending => false,
            }
        }

        /// Reads as long as a read would not block; false once stdin has ended.
        pub fn read(&mut self, out: &mut VecDeque<Line>) -> bool {
            let mut chunk = [0u8; 4096];
            // A read of a file description we must not make non-blocking (it is shared with
            // the shell) is only made when poll(2) says it will not block.
            while ready() {
                match self.stdin.read(&mut chunk) {
                    Ok(0) => {
                        self.lines.end(out);
                        super::ended_input();
                        return false;
                    }
                    Ok(n) => self.lines.feed(&chunk[..n], out),
                    Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                    Err(e) => {
                        super::unreadable(&e);
                        return false;
                    }
                }
            }
            true
        }
    }

    /// Would a read of stdin return at once (input, its end, or an error)?
    fn ready() -> bool {
        let mut fd = libc::pollfd {
            fd: 0,
            events: libc::POLLIN,
            revents: 0,
        };
        // SAFETY: one pollfd, no waiting.
        unsafe { libc::poll(&mut fd, 1, 0) == 1 }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn split(pieces: &[&[u8]], end: bool) -> Vec<Line> {
        let mut lines = Lines::default();
        let mut out = VecDeque::new();
        for piece in pieces {
            lines.feed(piece, &mut out);
        }
        if end {
            lines.end(&mut out);
        }
        out.into_iter().collect()
    }

    fn text(s: &str) -> Line {
        Line::Text(s.as_bytes().to_vec())
    }

    #[test]
    fn lines_are_cut_at_newlines_however_the_bytes_come() {
        assert_eq!(
            split(&[b"one\ntw", b"o\n\nthr", b"ee"], false),
            [text("one"), text("two"), text("")]
        );
        assert_eq!(
            split(&[b"one\ntw", b"o\n\nthr", b"ee"], true),
            [text("one"), text("two"), text(""), text("three")]
        );
        assert_eq!(split(&[b""], true), []);
    }

    #[test]
    fn an_over_long_line_is_said_at_once_and_its_rest_skipped() {
        let long = vec![b'a'; MAX_LINE];
        assert_eq!(
            split(&[&long, b"\nnext\n"], false)[0],
            Line::Text(long.clone())
        );
        assert_eq!(
            split(&[&long, b"b"], false),
            [Line::TooLong],
            "said before its end"
        );
        assert_eq!(
            split(&[&long, b"bcd", b"efg\nnext\n"], true),
            [Line::TooLong, text("next")]
        );
        assert_eq!(split(&[&long, b"bcd"], true), [Line::TooLong]);
    }
}
