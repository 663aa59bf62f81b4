//! What the device grant shows the user on stderr: where to go, the code to enter, and who
//! asks (the issuer and the client, SECURITY.md row 19: a code sent by someone else is not to
//! be approved); a QR code of `verification_uri_complete` when stderr is a terminal; and with
//! `--clipboard` the user code sent to the terminal's clipboard (OSC 52), which crosses SSH,
//! and tmux and screen when they let it ([`osc52`]). No terminal says whether it took it, so
//! the message never says that the code was copied, only where to look if it was not.
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
/// quiet zone included (the 4 modules the QR standard wants: less fails some readers). It is
/// drawn above the page and the code, which stay the last lines and so on screen; the code
/// itself must fit an 80x24 terminal whole, with the line of the cursor, so that scrolling
/// back shows all of it.
const MAX_QR_COLUMNS: usize = 80;
const MAX_QR_ROWS: usize = 23;

/// Who asks for the login, for the user to check on the page.
pub struct Asker<'a> {
    pub name: &'a str,
    pub issuer: &'a str,
    pub client_id: &'a str,
}

/// Shows the code and where to enter it; `clipboard` is `--clipboard`. On a terminal the QR
/// code comes first, so that the page and the code are the last lines, on screen whatever
/// the size of the terminal.
pub fn show(who: &Asker, code: &Checked, clipboard: bool) {
    let terminal = std::io::stderr().is_terminal();
    if terminal && let Some(complete) = &code.verification_uri_complete {
        match qr(complete.as_str()) {
            Some(drawn) => output::note(&drawn),
            None => output::note("(The address is too long for a QR code that fits here.)"),
        }
    }
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
    if clipboard {
        copy(&code.user_code, terminal);
    }
    for note in &code.notes {
        output::note(note);
    }
    // A blank line before the wait, which `device_poll` shows (`progress`).
    output::note("");
}

/// The QR code of `text` at the lowest error correction (the smallest symbol), in half
/// blocks (two rows of modules a line), light modules drawn as blocks so that it reads on a
/// dark terminal; `None` when it would not fit an 80x24 terminal.
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

/// What stands between oauthcli and the terminal the user sits at, and must be asked to pass
/// an OSC 52 sequence on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Multiplexer {
    None,
    /// tmux (`$TMUX` set).
    Tmux,
    /// GNU screen (`$STY` set).
    Screen,
}

impl Multiplexer {
    /// The one this process runs in, by the variable each sets in its windows.
    fn here() -> Multiplexer {
        let set = |var: &str| std::env::var_os(var).is_some_and(|v| !v.is_empty());
        match (set("TMUX"), set("STY")) {
            (true, _) => Multiplexer::Tmux,
            (false, true) => Multiplexer::Screen,
            (false, false) => Multiplexer::None,
        }
    }
}

/// The bytes that set the clipboard to `text`: xterm's OSC 52 ("Manipulate Selection Data",
/// `ESC ] 52 ; c ; BASE64 BEL`). Inside tmux, that sequence, which tmux takes itself when its
/// `set-clipboard` is `on`, and then the same wrapped in tmux's DCS passthrough
/// (`ESC P tmux; ... ESC \`, every ESC inside doubled), which tmux hands to the terminal
/// outside when `allow-passthrough` is on (off by default since tmux 3.3); either way the
/// clipboard gets the one code. Inside GNU screen, wrapped in a DCS (`ESC P ... ESC \`), whose
/// content screen writes to the terminal as it is; a user code is far shorter than the 768
/// bytes screen passes in one.
pub fn osc52(text: &str, mux: Multiplexer) -> String {
    let osc = format!("\x1b]52;c;{}\x07", BASE64.encode(text));
    match mux {
        Multiplexer::None => osc,
        Multiplexer::Tmux => format!("{osc}\x1bPtmux;{}\x1b\\", osc.replace('\x1b', "\x1b\x1b")),
        Multiplexer::Screen => format!("\x1bP{osc}\x1b\\"),
    }
}

/// What to say once the sequence is written: no terminal confirms that it set the clipboard,
/// and many refuse (a setting of the terminal, of tmux), so it is never claimed.
fn sent(mux: Multiplexer) -> &'static str {
    match mux {
        Multiplexer::None => {
            "The code was sent to the terminal's clipboard (OSC 52); if it is not there, the \
             terminal does not allow programs to set the clipboard (see its settings)."
        }
        Multiplexer::Tmux => {
            "The code was sent to the terminal's clipboard (OSC 52, through tmux); if it is not \
             there, tmux or the terminal does not allow it: in tmux, set-option -g \
             allow-passthrough on, or set-option -g set-clipboard on."
        }
        Multiplexer::Screen => {
            "The code was sent to the terminal's clipboard (OSC 52, through screen); if it is \
             not there, the terminal does not allow programs to set the clipboard (see its \
             settings)."
        }
    }
}

/// Writes the OSC 52 sequence to the terminal: stderr when it is one, else the process's
/// terminal (`/dev/tty`) when there is one; never to a pipe or a file.
fn copy(user_code: &str, stderr_is_terminal: bool) {
    let mux = Multiplexer::here();
    let sequence = osc52(user_code, mux);
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
        Ok(()) => output::note(sent(mux)),
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
        // A QR version 5 (37 modules and the quiet zone: 45 columns, 23 rows) fits; one
        // larger does not.
        let longest = format!("https://example.com/device?code={}", "x".repeat(74));
        assert_eq!(qr(&longest).unwrap().lines().count(), 23);
        assert!(qr(&format!("{longest}x")).is_none());
    }

    #[test]
    fn osc52_carries_the_code_in_base64_through_tmux_and_screen() {
        // "WDJB-MJHT" in base64 is "V0RKQi1NSkhU".
        assert_eq!(
            osc52("WDJB-MJHT", Multiplexer::None).as_bytes(),
            b"\x1b]52;c;V0RKQi1NSkhU\x07"
        );
        // For tmux's set-clipboard, then through its passthrough, ESC doubled inside.
        assert_eq!(
            osc52("WDJB-MJHT", Multiplexer::Tmux).as_bytes(),
            b"\x1b]52;c;V0RKQi1NSkhU\x07\x1bPtmux;\x1b\x1b]52;c;V0RKQi1NSkhU\x07\x1b\\"
        );
        assert_eq!(
            osc52("WDJB-MJHT", Multiplexer::Screen).as_bytes(),
            b"\x1bP\x1b]52;c;V0RKQi1NSkhU\x07\x1b\\"
        );
    }

    #[test]
    fn the_clipboard_is_never_said_to_hold_the_code() {
        for mux in [Multiplexer::None, Multiplexer::Tmux, Multiplexer::Screen] {
            let note = sent(mux);
            assert!(note.starts_with("The code was sent to the terminal's clipboard (OSC 52"));
            assert!(note.contains("; if it is not there, "), "{note}");
        }
        assert!(sent(Multiplexer::Tmux).ends_with(
            "in tmux, set-option -g allow-passthrough on, or set-option -g set-clipboard on."
        ));
    }
}
