//! Opening the user's browser at the authorize URL.
//!
//! `$BROWSER`, when set, is a `:`-separated list of commands tried in turn; `%s` in a
//! command stands for the URL, else the URL is the last argument (the convention of
//! Debian's `sensible-browser` and Python's `webbrowser`). Commands are split on white
//! space and run directly, never through a shell, so nothing in the URL is interpreted
//! (SECURITY.md row 10). Without `$BROWSER` the system's opener is used (`launch::system`: on
//! WSL the Windows browser). A browser that fails to start (missing, or exiting with an
//! error at once) is not fatal: the URL is already on the terminal, and the message says
//! which command failed and how. Every browser is started by `launch`, without our variables.

use anyhow::{Context, Result, anyhow, bail};

use super::launch;

/// Starts the browser and returns without waiting for it to exit (it may run for hours);
/// `wsl`: this is WSL, where the Windows browser is opened. Returns the name of the command
/// that took the URL.
pub fn open(url: &str, wsl: bool, show_output: bool) -> Result<String> {
    check_url(url)?;
    match std::env::var("BROWSER") {
        Ok(list) if !list.trim().is_empty() => {
            let mut last_error = None;
            for command in list.split(':').filter(|c| !c.trim().is_empty()) {
                match spawn(command, url, show_output) {
                    Ok(name) => return Ok(name),
                    Err(e) => last_error = Some(e),
                }
            }
            Err(last_error.unwrap_or_else(|| anyhow::anyhow!("$BROWSER names no command")))
        }
        _ => launch::system(url, wsl, show_output),
    }
}

/// Refuses a URL with white space or control characters (it could split into several
/// arguments or smuggle text into a launcher), or one that is not https (plain http to a
/// loopback host aside): the browser is given nothing else (SECURITY.md row 10).
fn check_url(url: &str) -> Result<()> {
    if url.chars().any(|c| c.is_whitespace() || c.is_control()) {
        bail!("refusing to open a URL with white space or control characters");
    }
    let parsed = oauth2::url::Url::parse(url)?;
    crate::http::check_endpoint(&parsed).context("refusing to open the login URL")
}

/// Starts one `$BROWSER` entry; one that is missing or fails at once (as `launch::start`
/// watches it) gives way to the next entry.
fn spawn(command: &str, url: &str, show_output: bool) -> Result<String> {
    let argv = argv(command, url);
    let Some((program, args)) = argv.split_first() else {
        bail!("empty browser command");
    };
    launch::start(launch::command(program, show_output).args(args)).map_err(|e| anyhow!(e.why))
}

/// The argv of a `$BROWSER` entry for `url`.
fn argv(command: &str, url: &str) -> Vec<String> {
    let mut args: Vec<String> = command.split_whitespace().map(str::to_owned).collect();
    if args.iter().any(|a| a.contains("%s")) {
        for a in &mut args {
            *a = a.replace("%s", url);
        }
    } else {
        args.push(url.to_owned());
    }
    args
}

#[cfg(test)]
mod tests {
    use super::{argv, check_url};

    #[test]
    fn only_clean_https_or_loopback_urls_are_opened() {
        for ok in [
            "https://login.example.com/authorize?a=1&b=%20",
            "http://127.0.0.1:8080/auth?x=y",
            "http://localhost:9/auth",
        ] {
            assert!(check_url(ok).is_ok(), "{ok}");
        }
        for bad in [
            "https://login.example.com/a b",
            "https://login.example.com/a\tb",
            "https://login.example.com/\u{1b}]0;x\u{7}",
            "https://login.example.com/\u{85}",
            "http://login.example.com/authorize",
            "javascript:alert(1)",
            "file:///etc/passwd",
            "--help",
        ] {
            assert!(check_url(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn url_is_appended_or_replaces_percent_s() {
        assert_eq!(
            argv("firefox", "https://a/?x=1"),
            ["firefox", "https://a/?x=1"]
        );
        assert_eq!(
            argv("chromium --new-window %s", "https://a/"),
            ["chromium", "--new-window", "https://a/"]
        );
        assert_eq!(
            argv("w3m --url=%s -v", "https://a/"),
            ["w3m", "--url=https://a/", "-v"]
        );
    }

    #[test]
    fn url_metacharacters_stay_one_argument() {
        let url = "https://a/?q=1;rm -rf ~&x=$(id)";
        assert_eq!(argv("browser", url), ["browser", url]);
    }
}
