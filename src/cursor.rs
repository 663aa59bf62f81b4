//! Where the cursor of stderr stands, so that every message starts at the beginning of a
//! line. This is the one place that draws a line in place (the live indicator of a wait,
//! `flow::progress`), and every note and error is written through it (`output`, `error`).
//!
//! On a terminal, the line drawn in place is rewritten after a carriage return and erased
//! with `ESC [ K` (erase in line, ECMA-48 §8.3.41) before any other text is written, so a
//! note never lands behind it; after Ctrl-C, whose `^C` the terminal echoes where the
//! cursor stands, the next message starts on a line of its own. Off a terminal (a file, a
//! pipe, a CI log) nothing of this is written: no carriage return, no escape, whole lines only.

use std::io::{IsTerminal, Write};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, MutexGuard, OnceLock, PoisonError};

/// Carriage return, then erase to the end of the line.
const ERASE: &str = "\r\x1b[K";

/// A live line is drawn, the cursor at its end.
static LIVE: AtomicBool = AtomicBool::new(false);
/// The cursor may stand after other text (an echoed `^C`), not at the start of a line.
static MID_LINE: AtomicBool = AtomicBool::new(false);
/// Held while writing, so that what one thread writes is not cut by another's.
static WRITING: Mutex<()> = Mutex::new(());
static TERMINAL: OnceLock<bool> = OnceLock::new();

fn writing() -> MutexGuard<'static, ()> {
    WRITING.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Is stderr a terminal? Asked once: it does not change while we run.
pub fn terminal() -> bool {
    *TERMINAL.get_or_init(|| std::io::stderr().is_terminal())
}

/// Writes `text` and a newline to stderr, on a line of its own.
pub fn line(text: &str) {
    let _writing = writing();
    let before = match (
        LIVE.swap(false, Ordering::SeqCst),
        MID_LINE.swap(false, Ordering::SeqCst),
    ) {
        (true, _) => ERASE,
        (false, true) => "\n",
        (false, false) => "",
    };
    let _ = writeln!(std::io::stderr().lock(), "{before}{text}");
}

/// Draws `text` as the live line, in place of the one drawn before; on a terminal only,
/// elsewhere nothing is written. `text` is cut to the terminal's width: a line that wrapped
/// could not be redrawn in place.
pub fn live(text: &str) {
    if !terminal() {
        return;
    }
    let text = fit(text, columns());
    let _writing = writing();
    let mut err = std::io::stderr().lock();
    let _ = write!(err, "\r{text}\x1b[K").and_then(|()| err.flush());
    LIVE.store(true, Ordering::SeqCst);
}

/// Erases the live line, if one is drawn.
pub fn clear_live() {
    let _writing = writing();
    if LIVE.swap(false, Ordering::SeqCst) {
        let mut err = std::io::stderr().lock();
        let _ = write!(err, "{ERASE}").and_then(|()| err.flush());
        MID_LINE.store(false, Ordering::SeqCst);
    }
}

/// Ctrl-C was pressed. A terminal echoes `^C` where the cursor stands: on the live line it
/// goes when that line is erased; anywhere else the next message starts on a new line.
/// (A SIGINT sent by another process is echoed by nothing; then that costs an empty line.)
/// Atomic loads and stores only, so that a signal handler may call it the moment the
/// signal comes: whether the live line was drawn then is what counts. [`terminal`] must
/// have been asked before.
pub fn interrupted() {
    if TERMINAL.get() == Some(&true) && !LIVE.load(Ordering::SeqCst) {
        MID_LINE.store(true, Ordering::SeqCst);
    }
}

/// At most `columns - 1` characters of `text` (the last column is left free: some
/// terminals wrap as soon as it is written); all of it when the width is unknown.
fn fit(text: &str, columns: Option<usize>) -> &str {
    match columns.filter(|c| *c > 1) {
        Some(c) => text
            .char_indices()
            .nth(c - 1)
            .map_or(text, |(end, _)| &text[..end]),
        None => text,
    }
}

/// The width of the terminal on stderr, when it says.
#[cfg(unix)]
fn columns() -> Option<usize> {
    // SAFETY: TIOCGWINSZ writes one `winsize` into the struct it is given, and nothing else.
    let mut size: libc::winsize = unsafe { std::mem::zeroed() };
    let ok = unsafe { libc::ioctl(libc::STDERR_FILENO, libc::TIOCGWINSZ, &mut size) } == 0;
    (ok && size.ws_col > 0).then_some(usize::from(size.ws_col))
}

#[cfg(not(unix))]
fn columns() -> Option<usize> {
    None
}

#[cfg(test)]
mod tests {
    use super::fit;

    #[test]
    fn a_live_line_is_cut_to_the_width_of_the_terminal() {
        assert_eq!(fit("⠋ waiting: 9:58 left", Some(8)), "⠋ waiti");
        assert_eq!(fit("short", Some(80)), "short");
        assert_eq!(fit("exactly", Some(8)), "exactly");
        assert_eq!(fit("anything", None), "anything");
        assert_eq!(fit("anything", Some(0)), "anything");
    }
}
