//! The one place that writes to stdout (data) and the progress notes on stderr (people).
//!
//! A closed stdout (`oauthcli status | head -1`) is not an error: the reader has what it
//! wanted, so a broken pipe ends the write quietly.

use std::io::{ErrorKind, Write};

/// Writes `text` and a newline to stdout.
pub fn data(text: &str) -> anyhow::Result<()> {
    let mut out = std::io::stdout().lock();
    match writeln!(out, "{text}").and_then(|()| out.flush()) {
        Err(e) if e.kind() != ErrorKind::BrokenPipe => Err(e.into()),
        _ => Ok(()),
    }
}

/// A note for people, on stderr.
pub fn note(text: &str) {
    eprintln!("{text}");
}

/// A note shown with `-v` only (never a secret).
pub fn verbose(level: u8, text: &str) {
    if level > 0 {
        eprintln!("oauthcli: {text}");
    }
}
