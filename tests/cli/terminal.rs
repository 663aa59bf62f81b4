//! What a login shows when stderr is a terminal (README, "While a login waits"): one live
//! line, a spinner and the time left, redrawn in place and erased when the wait ends; and
//! Ctrl-C's message on a line of its own. The terminal is a pseudo-terminal that
//! `tests/support/pty.py` makes, whose output the tests read byte for byte.

use std::io::{Read, Write};
use std::process::{Child, ChildStdin, Stdio};
use std::sync::mpsc::{self, Receiver};

use crate::support::*;

/// A login whose stderr is a terminal.
struct OnTerminal {
    child: Child,
    stdin: Option<ChildStdin>,
    /// What the terminal showed so far, and the reader of the rest.
    screen: Vec<u8>,
    more: Receiver<Vec<u8>>,
}

impl OnTerminal {
    /// `oauthcli ARGS` with stderr on a terminal; with `stdin_tty` stdin too, else a pipe.
    fn start(user: &User, args: &[&str], stdin_tty: bool) -> OnTerminal {
        let mut cmd = user.tool(repo().join("tests/support/pty.py"));
        if stdin_tty {
            cmd.arg("--stdin-tty");
        }
        let mut child = cmd
            .arg(BIN)
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut out = child.stderr.take().unwrap();
        let (tx, more) = mpsc::channel();
        std::thread::spawn(move || {
            let mut chunk = [0u8; 4096];
            while let Ok(n) = out.read(&mut chunk) {
                if n == 0 || tx.send(chunk[..n].to_vec()).is_err() {
                    return;
                }
            }
        });
        OnTerminal {
            stdin: child.stdin.take(),
            child,
            screen: Vec::new(),
            more,
        }
    }

    fn text(&self) -> String {
        String::from_utf8_lossy(&self.screen).into_owned()
    }

    /// Reads the terminal until `seen` holds for what it showed.
    fn until(&mut self, seen: impl Fn(&str) -> bool) {
        while !seen(&self.text()) {
            match self.more.recv() {
                Ok(bytes) => self.screen.extend(bytes),
                Err(_) => panic!("the terminal closed first:\n{:?}", self.text()),
            }
        }
    }

    /// The authorization URL, once it is on the terminal.
    fn url(&mut self) -> String {
        self.until(|t| t.contains("\r\n\r\n") && t.contains("redirect_uri="));
        let text = self.text();
        let line = text
            .split("\r\n")
            .find(|l| l.contains("redirect_uri="))
            .unwrap();
        line.trim().to_owned()
    }

    /// Types Ctrl-C on the terminal.
    fn ctrl_c(&self) {
        kill(self.child.id(), "USR1");
    }

    /// Waits for the end: the exit code, stdout, and all the terminal showed.
    fn finish(mut self) -> (i32, String, String) {
        self.stdin = None;
        let mut stdout = String::new();
        self.child
            .stdout
            .take()
            .unwrap()
            .read_to_string(&mut stdout)
            .unwrap();
        let code = self.child.wait().unwrap().code().unwrap();
        self.screen.extend(self.more.iter().flatten());
        (code, stdout, self.text())
    }
}

/// The live line's frames on the screen: each starts with a carriage return, ends with
/// ESC [ K.
fn frames(screen: &str) -> Vec<&str> {
    screen
        .split('\r')
        .filter(|f| f.contains(" left (Ctrl-C to cancel)"))
        .collect()
}

fn count_frames(screen: &str) -> usize {
    frames(screen).len()
}

#[test]
fn a_live_line_counts_down_in_place_and_is_erased_when_the_wait_ends() {
    let provider = Provider::start();
    let user = file_user(&provider);
    let mut login = OnTerminal::start(&user, &["login", "--no-browser"], false);
    let url = login.url();
    // The ready signal: the line was redrawn at least once.
    login.until(|t| count_frames(t) >= 2);
    let callback = user.browse_elsewhere(&url, &[]);
    let stdin = login.stdin.as_mut().unwrap();
    stdin.write_all(format!("{callback}\n").as_bytes()).unwrap();
    let (code, stdout, screen) = login.finish();
    assert_eq!(code, 0, "{screen:?}");
    assert_eq!(stdout, "Logged in to local as alice@example.com\n");
    // No plain waiting line: the live line says it.
    assert!(!screen.contains("Waiting up to"), "{screen:?}");
    let frames = frames(&screen);
    let spinner = "⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏";
    for (i, frame) in frames.iter().enumerate() {
        let rest = frame
            .strip_prefix(spinner.chars().nth(i % 10).unwrap())
            .unwrap_or_else(|| panic!("frame {i} {frame:?}"));
        let left = rest
            .strip_prefix(" Waiting for the login to finish: ")
            .and_then(|r| r.strip_suffix(" left (Ctrl-C to cancel)\u{1b}[K"))
            .unwrap_or_else(|| panic!("frame {i} {frame:?}"));
        let (m, s) = left.split_once(':').unwrap();
        assert!(m == "10" || m == "9", "{frame:?}");
        assert!(s.len() == 2 && s.parse::<u8>().unwrap() < 60, "{frame:?}");
    }
    // The first frame follows the last line printed before the wait; after the last, the
    // line is erased and nothing else is written.
    assert!(
        screen.contains(&format!("(or use --port PORT).\r\n\r{}", frames[0])),
        "{screen:?}"
    );
    let last = screen.rfind(frames[frames.len() - 1]).unwrap();
    assert_eq!(
        &screen[last + frames[frames.len() - 1].len()..],
        "\r\u{1b}[K"
    );
}

#[test]
fn ctrl_c_on_the_live_line_leaves_the_message_on_a_line_of_its_own() {
    let provider = Provider::start();
    let user = file_user(&provider);
    let mut login = OnTerminal::start(&user, &["login", "--no-browser"], false);
    login.until(|t| count_frames(t) >= 1);
    login.ctrl_c();
    let (code, stdout, screen) = login.finish();
    assert_eq!(code, 130, "{screen:?}");
    assert_eq!(stdout, "");
    // The terminal echoed ^C on the live line; the line is erased, and the message is
    // alone on it.
    assert!(screen.contains("^C"), "{screen:?}");
    assert!(
        screen.ends_with("\r\u{1b}[Kerror: interrupted; nothing was stored\r\n"),
        "{screen:?}"
    );
    assert!(!user.token_file("local").exists());
}

#[test]
fn ctrl_c_where_the_user_types_starts_its_message_on_a_new_line() {
    // stdin is the terminal too: a pasted line is typed there, so no line is redrawn under
    // it, and the cursor stands after the echoed ^C when the message comes.
    let provider = Provider::start();
    let user = file_user(&provider);
    let mut login = OnTerminal::start(&user, &["login", "--no-browser"], true);
    login.until(|t| t.contains("(Ctrl-C to cancel)...\r\n"));
    login.ctrl_c();
    let (code, stdout, screen) = login.finish();
    assert_eq!(code, 130, "{screen:?}");
    assert_eq!(stdout, "");
    assert!(
        screen.ends_with(
            "\r\nWaiting up to 600 s for the login to finish (Ctrl-C to cancel)...\r\n^C\r\n\
             error: interrupted; nothing was stored\r\n"
        ),
        "{screen:?}"
    );
    assert!(!screen.contains('\u{1b}'), "{screen:?}");
}
