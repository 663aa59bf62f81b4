//! Starting a browser process, and the system's own openers.
//!
//! Every browser child is started the same way: stdin closed, its chatter hidden unless
//! asked for (and never on our stdout, which is data), in a process group of its own so
//! that Ctrl-C at the terminal ends the login but not the browser, and without any
//! `OAUTHCLI_*` variable in its environment: they are ours, and some hold secrets
//! (`OAUTHCLI_NAME_CLIENT_SECRET`); the browser needs none of them (SECURITY.md row 13).
//!
//! The system opener: on WSL, `wslview` (wslu) when it is installed, which opens the
//! Windows browser; else the `open` crate's openers in its order (on WSL its first is
//! `powershell.exe`, then `xdg-open`, `gio`, ...). The crate only hands out the commands
//! (`open::commands`), so that their environment can be cleaned; its policy is kept: an
//! opener that is missing, or that fails within [`FAILURE_WINDOW`], gives way to the next.
//! A failure is said in words: which command, and how it ended.

use std::ffi::OsStr;
use std::io::{self, ErrorKind};
use std::process::{Command, ExitStatus, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use anyhow::{Result, anyhow};

/// How long an opener is watched for a failure, as the `open` crate does (250 ms): one
/// still running then has handed the URL over; a later failure cannot be seen.
const FAILURE_WINDOW: Duration = Duration::from_millis(250);

/// Prepares `program ARGS` to be started as a browser (see the module's header).
pub fn command(program: impl AsRef<OsStr>, show_output: bool) -> Command {
    let mut cmd = Command::new(program);
    clean(&mut cmd, show_output);
    cmd
}

fn clean(cmd: &mut Command, show_output: bool) {
    for (key, _) in std::env::vars_os() {
        if key.to_string_lossy().starts_with("OAUTHCLI_") {
            cmd.env_remove(key);
        }
    }
    let (out, err) = match show_output {
        true => (Stdio::from(io::stderr()), Stdio::inherit()),
        false => (Stdio::null(), Stdio::null()),
    };
    cmd.stdin(Stdio::null()).stdout(out).stderr(err);
    #[cfg(unix)]
    std::os::unix::process::CommandExt::process_group(cmd, 0);
}

/// Opens `url` with the system's opener; `wsl` says the Windows browser is to be opened.
/// Returns the name of the opener that took the URL.
pub fn system(url: &str, wsl: bool, show_output: bool) -> Result<String> {
    let mut openers = Vec::new();
    if wsl {
        let mut wslview = command("wslview", show_output);
        wslview.arg(url);
        openers.push(wslview);
    }
    openers.extend(open::commands(url).into_iter().map(|mut cmd| {
        clean(&mut cmd, show_output);
        cmd
    }));
    let mut failed = None;
    for mut cmd in openers {
        match start(&mut cmd) {
            Ok(name) => return Ok(name),
            // A missing opener is no failure: the next one is tried.
            Err(NotStarted { missing: true, .. }) => {}
            Err(NotStarted { why, .. }) => failed = failed.or(Some(anyhow!(why))),
        }
    }
    Err(failed.unwrap_or_else(|| anyhow!("no program to open a browser was found")))
}

/// Why a browser command did not start, in words.
pub struct NotStarted {
    /// The program does not exist.
    pub missing: bool,
    pub why: String,
}

/// Starts `cmd` and watches it for [`FAILURE_WINDOW`]; it is reaped whenever it ends.
/// Returns the program's name, as the messages give it.
pub fn start(cmd: &mut Command) -> Result<String, NotStarted> {
    let name = cmd.get_program().to_string_lossy().into_owned();
    let mut child = cmd.spawn().map_err(|e| match e.kind() {
        ErrorKind::NotFound => NotStarted {
            missing: true,
            why: format!("the browser command '{name}' was not found"),
        },
        _ => NotStarted {
            missing: false,
            why: format!("the browser command '{name}' could not be started: {e}"),
        },
    })?;
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(child.wait());
    });
    let why = match rx.recv_timeout(FAILURE_WINDOW) {
        Ok(Ok(status)) if !status.success() => ended(&name, status),
        Ok(Err(e)) => format!("the browser command '{name}' could not be watched: {e}"),
        _ => return Ok(name),
    };
    Err(NotStarted {
        missing: false,
        why,
    })
}

/// How a command that failed ended, in words (not `ExitStatus`'s own wording).
fn ended(name: &str, status: ExitStatus) -> String {
    if let Some(code) = status.code() {
        return format!("the browser command '{name}' exited with status {code}");
    }
    #[cfg(unix)]
    if let Some(signal) = std::os::unix::process::ExitStatusExt::signal(&status) {
        return format!("the browser command '{name}' was ended by signal {signal}");
    }
    format!("the browser command '{name}' failed")
}
