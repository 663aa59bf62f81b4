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

use std::ffi::OsStr;
use std::io::{self, ErrorKind};
use std::process::{Command, Stdio};
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
pub fn system(url: &str, wsl: bool, show_output: bool) -> Result<()> {
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
        let name = cmd.get_program().to_string_lossy().into_owned();
        match watch(&mut cmd) {
            Ok(()) => return Ok(()),
            // A missing opener is no failure: the next one is tried.
            Err(e) if e.kind() == ErrorKind::NotFound => {}
            Err(e) => failed = failed.or(Some(anyhow!("{name}: {e}"))),
        }
    }
    Err(failed.unwrap_or_else(|| anyhow!("no program to open a browser was found")))
}

/// Starts `cmd` and watches it for [`FAILURE_WINDOW`]; it is reaped whenever it ends.
fn watch(cmd: &mut Command) -> io::Result<()> {
    let mut child = cmd.spawn()?;
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(child.wait());
    });
    match rx.recv_timeout(FAILURE_WINDOW) {
        Ok(Ok(status)) if !status.success() => {
            Err(io::Error::other(format!("exited with {status}")))
        }
        Ok(Err(e)) => Err(e),
        _ => Ok(()),
    }
}
