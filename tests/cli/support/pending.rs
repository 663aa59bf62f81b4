//! A login started and left waiting, for the tests that speak to its listener, paste on its
//! stdin, or race the two.

use std::io::{BufRead, BufReader, Read, Write};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{self, Receiver};

use super::{Run, User, kill, repo};

/// A login started and waiting for its callback: the tests speak to its listener directly,
/// paste on its stdin (a pipe, as a user's terminal is to it), or let the test browser
/// finish it.
pub struct PendingLogin {
    child: Child,
    stdin: Option<ChildStdin>,
    /// The authorization URL it printed.
    pub url: String,
    /// The listener's port, from the redirect URI.
    pub port: u16,
    /// The login's `state`, from the authorization URL.
    pub state: String,
    /// stderr read so far, and the reader of the rest, line by line.
    stderr: String,
    lines: Receiver<String>,
}

impl User {
    /// Lets the test browser log in at the authorization URL `url` on "another machine"
    /// (see [`PendingLogin::browse_elsewhere`]); returns the callback URL.
    pub fn browse_elsewhere(&self, url: &str, env: &[(&str, &str)]) -> String {
        let file = self.path("callback-url");
        let _ = std::fs::remove_file(&file);
        let status = Command::new(repo().join("tests/support/browser.py"))
            .arg(url)
            .env("BROWSER_CALLBACK_FILE", &file)
            .envs(env.iter().copied())
            .status()
            .unwrap();
        assert!(status.success(), "the test browser failed");
        std::fs::read_to_string(file).unwrap()
    }

    /// Starts `oauthcli login --no-browser ARGS` and returns once it waits for the browser.
    pub fn start_login(&self, args: &[&str]) -> PendingLogin {
        self.start(self.command(&[&["login", "--no-browser"], args].concat()))
    }

    /// Starts `cmd`, a login that prints the authorization URL, and returns once it waits
    /// for the browser (the ready signal: the line printed right before the listener starts
    /// waiting).
    pub fn start(&self, mut cmd: Command) -> PendingLogin {
        let mut child = cmd
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut stderr = BufReader::new(child.stderr.take().unwrap());
        let (tx, lines) = mpsc::channel();
        std::thread::spawn(move || {
            loop {
                let mut line = String::new();
                if stderr.read_line(&mut line).unwrap() == 0 || tx.send(line).is_err() {
                    return;
                }
            }
        });
        let mut login = PendingLogin {
            stdin: child.stdin.take(),
            child,
            url: String::new(),
            port: 0,
            state: String::new(),
            stderr: String::new(),
            lines,
        };
        login.stderr_until("Waiting up to ");
        let url = login
            .stderr
            .lines()
            .find(|l| l.contains("redirect_uri="))
            .expect("no authorization URL printed")
            .trim()
            .to_owned();
        let parsed = reqwest::Url::parse(&url).unwrap();
        let query = |key: &str| {
            parsed
                .query_pairs()
                .find(|(k, _)| k == key)
                .map(|(_, v)| v.into_owned())
                .unwrap()
        };
        let redirect = reqwest::Url::parse(&query("redirect_uri")).unwrap();
        login.port = redirect.port().unwrap();
        login.state = query("state");
        login.url = url;
        login
    }
}

impl PendingLogin {
    /// The login's process id.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Sends a signal to the login (`STOP` freezes it, `CONT` resumes it, `INT` is Ctrl-C).
    pub fn signal(&self, signal: &str) {
        kill(self.child.id(), signal);
    }

    /// Reads stderr up to the next line that contains `text`, and returns that line.
    pub fn stderr_until(&mut self, text: &str) -> String {
        loop {
            let Ok(line) = self.lines.recv() else {
                panic!("stderr ended before {text:?}:\n{}", self.stderr);
            };
            self.stderr.push_str(&line);
            if line.contains(text) {
                return line;
            }
        }
    }

    /// Writes `line` and a newline to the login's stdin, as a user pasting and pressing
    /// Enter; a login that has ended and closed its end is no error.
    pub fn paste(&mut self, line: &str) {
        let stdin = self.stdin.as_mut().expect("stdin is closed");
        let _ = stdin.write_all(format!("{line}\n").as_bytes());
    }

    /// Closes the login's stdin: end of input, nobody will paste.
    pub fn close_stdin(&mut self) {
        self.stdin = None;
    }

    /// A new connection to the listener.
    pub fn connect(&self) -> std::net::TcpStream {
        std::net::TcpStream::connect(("127.0.0.1", self.port)).unwrap()
    }

    /// Sends `raw` on a new connection and returns everything the listener answered before
    /// it closed the connection.
    pub fn send(&self, raw: &[u8]) -> String {
        let mut conn = self.connect();
        conn.write_all(raw).unwrap();
        let mut answer = Vec::new();
        conn.read_to_end(&mut answer).unwrap();
        String::from_utf8(answer).unwrap()
    }

    /// A GET of `target` with the right Host, as a browser sends it.
    pub fn get(&self, target: &str) -> String {
        self.send(
            format!(
                "GET {target} HTTP/1.1\r\nHost: 127.0.0.1:{}\r\nUser-Agent: test\r\nAccept: text/html\r\n\r\n",
                self.port
            )
            .as_bytes(),
        )
    }

    /// Lets the test browser log in at the authorization URL; returns its exit status.
    pub fn browse(&self, user: &User) -> std::process::ExitStatus {
        Command::new(repo().join("tests/support/browser.py"))
            .arg(&self.url)
            .env("BROWSER_LOG", user.path("browser.log"))
            .env("BROWSER_PAGES", user.path("browser-pages.jsonl"))
            .stderr(Stdio::null())
            .status()
            .unwrap()
    }

    /// Lets the test browser log in at the authorization URL on "another machine": it
    /// walks the provider's pages but does not fetch the callback; returns the callback URL
    /// its address bar would show. `env` is given to the browser (`BROWSER_ACTION`, ...).
    pub fn browse_elsewhere(&self, user: &User, env: &[(&str, &str)]) -> String {
        user.browse_elsewhere(&self.url, env)
    }

    /// Waits for the login to end; stdin is closed first.
    pub fn finish(mut self) -> Run {
        self.stdin = None;
        let out = self.child.wait_with_output().unwrap();
        let mut stderr = self.stderr;
        stderr.extend(self.lines.iter());
        Run {
            code: out.status.code().expect("killed by a signal"),
            stdout: String::from_utf8(out.stdout).unwrap(),
            stderr,
        }
    }
}
