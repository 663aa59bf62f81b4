//! What the device grant shows the user on stderr: where to go, the code to enter, and who
//! asks (the issuer and the client, SECURITY.md row 19: a code sent by someone else is not to
//! be approved); a QR code of `verification_uri_complete` when stderr is a terminal; and with
//! `--clipboard` the user code copied through the terminal (OSC 52), which crosses SSH.
//!
//! Nothing of this is written when it would land in a file or a pipe: a QR code or an escape
//! sequence is noise there, and the OSC 52 sequence goes only to a terminal.

use std::fs::OpenOptions;
use std::io::{IsTerminal, Write};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use qrcode::render::unicode::Dense1x2;
use qrcode::{EcLevel, QrCode};

use super::device_check::Checked;
use crate::output;
use crate::term::escape;

/// A QR code drawn with half blocks takes its width in columns and half its height in rows,
/// quiet zone included: it must leave room on an 80x24 terminal for the lines around it.
const MAX_QR_COLUMNS: usize = 80;
const MAX_QR_ROWS: usize = 21;

/// Who asks for the login, for the user to check on the page.
pub struct Asker<'a> {
    pub name: &'a str,
    pub issuer: &'a str,
    pub client_id: &'a str,
}

/// Shows the code and where to enter it; `clipboard` is `--clipboard`.
pub fn show(who: &Asker, code: &Checked, clipboard: bool, timeout: u64) {
    // Checked already (`device_check`), and escaped all the same: it reaches the terminal.
    let user_code = escape(&code.user_code);
    let mut text = format!(
        "To log in to '{}', open this page on any device (a phone will do):\n\n  {}\n\n\
         and enter this code:\n\n  {user_code}\n",
        who.name,
        escape(code.verification_uri.as_str()),
    );
    if let Some(complete) = &code.verification_uri_complete {
        text.push_str(&format!(
            "\nOr open this address, which carries the code:\n\n  {}\n",
            escape(complete.as_str())
        ));
    }
    text.push_str(&format!(
        "\nThis login is for client '{}' at {}: approve it only if you started it here.",
        escape(who.client_id),
        escape(who.issuer)
    ));
    output::note(&text);
    let terminal = std::io::stderr().is_terminal();
    if terminal && let Some(complete) = &code.verification_uri_complete {
        match qr(complete.as_str()) {
            Some(drawn) => output::note(&format!("\n{drawn}")),
            None => output::note("(The address is too long for a QR code that fits here.)"),
        }
    }
    if clipboard {
        copy(&code.user_code, terminal);
    }
    for note in &code.notes {
        output::note(note);
    }
    let secs = code.expires_in.as_secs().min(timeout);
    output::note(&format!(
        "\nWaiting up to {secs} s for the login to be approved (Ctrl-C to cancel)..."
    ));
}

/// The QR code of `text` at the lowest error correction (the smallest symbol), light
/// modules drawn as blocks so that it reads on a dark terminal; `None` when it would not
/// fit an 80x24 terminal.
pub fn qr(text: &str) -> Option<String> {
    let code = QrCode::with_error_correction_level(text, EcLevel::L).ok()?;
    let drawn = code
        .render::<Dense1x2>()
        .dark_color(Dense1x2::Light)
        .light_color(Dense1x2::Dark)
        .build();
    let rows = drawn.lines().count();
    let columns = drawn.lines().map(|l| l.chars().count()).max().unwrap_or(0);
    (rows <= MAX_QR_ROWS && columns <= MAX_QR_COLUMNS).then_some(drawn)
}

/// The OSC 52 sequence that sets the clipboard to `text` (xterm's "Manipulate Selection
/// Data"); inside tmux, wrapped in its DCS passthrough with the escapes doubled, which tmux
/// hands on to the terminal outside.
pub fn osc52(text: &str, tmux: bool) -> String {
    let osc = format!("\x1b]52;c;{}\x07", BASE64.encode(text));
    match tmux {
        true => format!("\x1bPtmux;{}\x1b\\", osc.replace('\x1b', "\x1b\x1b")),
        false => osc,
    }
}

/// Writes the OSC 52 sequence to the terminal: stderr when it is one, else the process's
/// terminal (`/dev/tty`) when there is one; never to a pipe or a file.
fn copy(user_code: &str, stderr_is_terminal: bool) {
    let tmux = std::env::var_os("TMUX").is_some_and(|v| !v.is_empty());
    let sequence = osc52(user_code, tmux);
    let written = if stderr_is_terminal {
        let mut err = std::io::stderr().lock();
        err.write_all(sequence.as_bytes())
            .and_then(|()| err.flush())
    } else {
        match OpenOptions::new().write(true).open("/dev/tty") {
            Ok(mut tty) if tty.is_terminal() => tty.write_all(sequence.as_bytes()),
            Ok(_) | Err(_) => {
                output::note("(--clipboard: no terminal to copy the code through.)");
                return;
            }
        }
    };
    match written {
        Ok(()) => output::note(
            "The code was copied to your terminal's clipboard (if the terminal allows OSC 52).",
        ),
        Err(e) => output::note(&format!(
            "(--clipboard: could not write to the terminal: {e})"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn verification_addresses_fit_an_80x24_terminal() {
        // oidc-provider's, GitLab's and Microsoft's addresses, and a long one.
        for url in [
            "http://127.0.0.1:40000/device?user_code=WDJB-MJHT",
            "https://gitlab.example.com/oauth/device?user_code=NHJ1YLTF",
            "https://microsoft.com/devicelogin?otc=ABCDEFGHI",
        ] {
            let drawn = qr(url).unwrap();
            assert!(drawn.lines().count() <= MAX_QR_ROWS, "{url}");
            assert!(
                drawn
                    .chars()
                    .all(|c| " \u{2580}\u{2584}\u{2588}\n".contains(c))
            );
        }
        assert!(
            qr(&format!(
                "https://example.com/device?code={}",
                "x".repeat(200)
            ))
            .is_none()
        );
    }

    #[test]
    fn osc52_carries_the_code_in_base64_and_crosses_tmux() {
        assert_eq!(osc52("WDJB-MJHT", false), "\x1b]52;c;V0RKQi1NSkhU\x07");
        assert_eq!(
            osc52("WDJB-MJHT", true),
            "\x1bPtmux;\x1b\x1b]52;c;V0RKQi1NSkhU\x07\x1b\\"
        );
    }
}
