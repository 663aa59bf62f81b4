//! Lines pasted on stdin while a login waits (`login --no-browser`): each is handed to the
//! listener's loop, which judges it as it judges a callback (`callback::judge_pasted`).
//!
//! stdin is read on a thread of its own, whether or not it is a terminal, and the loop is
//! woken for every line. End of input only means that nobody will paste: the listener
//! goes on waiting for the browser. A line is read up to [`MAX_LINE`] bytes, so a stream
//! without newlines cannot make us hold more.

use std::io::{BufRead, Read};
use std::sync::Arc;
use std::sync::mpsc::{self, Receiver};

use mio::Waker;

use super::request::MAX_REQUEST;
use crate::output;

/// The longest pasted line we read: a redirect URL is about as long as a callback request's
/// target, so the request cap serves.
pub const MAX_LINE: usize = MAX_REQUEST;

/// One pasted line, or a line that was longer than [`MAX_LINE`].
pub enum Line {
    Text(Vec<u8>),
    TooLong,
}

/// The lines pasted so far.
pub struct Pasted(Receiver<Line>);

/// Starts reading stdin; `waker` is woken after every line.
pub fn start(waker: Arc<Waker>) -> Pasted {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let mut stdin = std::io::stdin().lock();
        loop {
            let mut buf = Vec::new();
            let limit = u64::try_from(MAX_LINE + 1).unwrap_or(u64::MAX);
            match stdin.by_ref().take(limit).read_until(b'\n', &mut buf) {
                Ok(0) => {
                    output::debug("end of input on stdin: only the browser can end the login now");
                    return;
                }
                Err(e) => {
                    output::debug(&format!(
                        "stdin could not be read ({e}): nothing can be pasted"
                    ));
                    return;
                }
                Ok(_) => {}
            }
            let line = if buf.len() > MAX_LINE && !buf.ends_with(b"\n") {
                // Skip the rest of the over-long line.
                let _ = stdin.by_ref().skip_until(b'\n');
                Line::TooLong
            } else {
                Line::Text(buf)
            };
            if tx.send(line).is_err() || waker.wake().is_err() {
                return;
            }
        }
    });
    Pasted(rx)
}

impl Pasted {
    /// The next line pasted, if one came.
    pub fn next(&self) -> Option<Line> {
        self.0.try_recv().ok()
    }
}
