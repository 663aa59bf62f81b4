//! The one place that writes to stdout (data) and the progress notes on stderr (people).
//!
//! A closed stdout (`oauthcli status | head -1`) is not an error: the reader has what it
//! wanted, so a broken pipe ends the write quietly. Nothing secret is ever passed here, at
//! any level (SECURITY.md row 13): the notes say what happens, never with which token, code,
//! verifier or state.

use std::io::{ErrorKind, Write};
use std::sync::atomic::{AtomicU8, Ordering};

/// The `-v` count, set once from the command line, for notes deep in the code (`-vv`)
/// where passing it down would thread a flag through every layer.
static LEVEL: AtomicU8 = AtomicU8::new(0);

/// Sets the verbosity for [`debug`].
pub fn set_level(level: u8) {
    LEVEL.store(level, Ordering::Relaxed);
}

/// The `-v` count.
pub fn level() -> u8 {
    LEVEL.load(Ordering::Relaxed)
}

/// Writes `text` and a newline to stdout.
pub fn data(text: &str) -> anyhow::Result<()> {
    let mut out = std::io::stdout().lock();
    match writeln!(out, "{text}").and_then(|()| out.flush()) {
        Err(e) if e.kind() != ErrorKind::BrokenPipe => Err(e.into()),
        _ => Ok(()),
    }
}

/// Writes a JSON document and a newline to stdout, for every `--json` output. serde_json
/// escapes only what JSON requires (RFC 8259 §7: `"`, `\` and C0); C1 controls (CSI, U+009B,
/// begins an escape sequence on many terminals), DEL and bidi controls are written raw,
/// so `whoami --json` in a terminal could act on a provider's email. Those are written as
/// `\uXXXX` too: still valid JSON, decoding to the very same string. Outside strings the
/// compact form holds nothing but printable ASCII, so every such character is in a string.
pub fn json(doc: &serde_json::Value) -> anyhow::Result<()> {
    data(&escape_json(&doc.to_string()))
}

fn escape_json(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if crate::term::is_dangerous(c) {
            // Every such character is in the Basic Multilingual Plane: one `\u` escape.
            out.push_str(&format!("\\u{:04x}", c as u32));
        } else {
            out.push(c);
        }
    }
    out
}

/// Rows as left-aligned columns, two spaces apart, for the tables of `status` and `providers`.
pub fn table<const N: usize>(rows: &[[String; N]]) -> String {
    let widths: Vec<usize> = (0..N)
        .map(|c| rows.iter().map(|r| r[c].chars().count()).max().unwrap_or(0))
        .collect();
    rows.iter()
        .map(|r| {
            r.iter()
                .zip(&widths)
                .map(|(cell, w)| format!("{cell:<w$}"))
                .collect::<Vec<_>>()
                .join("  ")
                .trim_end()
                .to_owned()
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// A note for people, on stderr, on a line of its own (`cursor`).
pub fn note(text: &str) {
    crate::cursor::line(text);
}

/// A note shown with `-v` only (never a secret). Notes name endpoints and answers that come
/// from the provider, so they are escaped for the terminal here (SECURITY.md row 12).
pub fn verbose(level: u8, text: &str) {
    if level > 0 {
        note(&format!("oauthcli: {}", crate::term::escape(text)));
    }
}

/// A note shown with `-vv` only: requests, answers and decisions (never a secret).
pub fn debug(text: &str) {
    if LEVEL.load(Ordering::Relaxed) > 1 {
        note(&format!("oauthcli: {}", crate::term::escape(text)));
    }
}

#[cfg(test)]
mod tests {
    use super::{escape_json, table};

    #[test]
    fn json_escapes_c1_del_and_bidi_and_decodes_to_the_same_string() {
        let email = "a\u{9b}31m\u{85}\u{7f}\u{202e}\u{2066}b\u{1b}@\u{e9}\u{1f600}.com";
        let text = escape_json(&serde_json::json!({ "email": email }).to_string());
        assert_eq!(
            text,
            r#"{"email":"a\u009b31m\u0085\u007f\u202e\u2066b\u001b@é😀.com"}"#
        );
        let back: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(back["email"], email);
    }

    #[test]
    fn columns_line_up() {
        let t = [
            ["A".to_string(), "BB".to_string()],
            ["ccc".to_string(), "".to_string()],
        ];
        assert_eq!(table(&t), "A    BB\nccc");
    }
}
