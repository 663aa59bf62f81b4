//! The errors that decide the exit code, and the one place that prints an error.
//!
//! Exit codes are part of the contract (README, "Exit codes"): 2 for usage and configuration errors,
//! 4 when the user must log in (again), 130 for Ctrl-C during a login, 1 for everything
//! else. Code that needs a specific exit code returns a [`Failure`] somewhere in its
//! `anyhow` chain; everything else is 1.

use std::fmt;

/// A failure whose kind the caller (or the exit code) depends on.
#[derive(Debug)]
pub enum Failure {
    /// The configuration is missing, unreadable or wrong: exit 2.
    Config(String),
    /// Nothing usable is stored for this provider: exit 4. `login` is what follows
    /// `oauthcli login` in the advice: the provider, and any flags the fix needs.
    NotLoggedIn { login: String, why: String },
    /// Nothing is stored for a command that needs no new login to do its job (`logout`):
    /// exit 4 as for [`Failure::NotLoggedIn`], without the advice to log in.
    NothingStored(String),
    /// The login was given up: timeout, refused consent, a bad callback: exit 1.
    Login(String),
    /// Ctrl-C while the login waited for the browser: exit 130, as for SIGINT in a shell.
    Interrupted,
    /// `exec` could not start its command: 127 when it was not found, 126 when it could not
    /// be run, as a POSIX shell exits (XCU 2.8.2).
    Spawn { code: u8, why: String },
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Failure::Config(msg)
            | Failure::Login(msg)
            | Failure::NothingStored(msg)
            | Failure::Spawn { why: msg, .. } => f.write_str(msg),
            Failure::NotLoggedIn { login, why } => {
                write!(f, "{why}: run 'oauthcli login {login}'")
            }
            Failure::Interrupted => f.write_str("interrupted; nothing was stored"),
        }
    }
}

impl std::error::Error for Failure {}

/// Shorthand for a configuration error (exit 2).
pub fn config(msg: impl Into<String>) -> anyhow::Error {
    Failure::Config(msg.into()).into()
}

/// Shorthand for "log in (again)" (exit 4).
pub fn not_logged_in(provider: &str, why: impl Into<String>) -> anyhow::Error {
    Failure::NotLoggedIn {
        login: provider.to_owned(),
        why: why.into(),
    }
    .into()
}

/// "Not logged in" (exit 4) whose fix is a login with more than the provider's name:
/// `login` is what follows `oauthcli login`.
pub fn log_in_with(login: String, why: impl Into<String>) -> anyhow::Error {
    Failure::NotLoggedIn {
        login,
        why: why.into(),
    }
    .into()
}

/// The exit code for an error, from the first [`Failure`] in its chain.
pub fn exit_code(err: &anyhow::Error) -> u8 {
    match err.chain().find_map(|e| e.downcast_ref::<Failure>()) {
        Some(Failure::Config(_)) => 2,
        Some(Failure::NotLoggedIn { .. } | Failure::NothingStored(_)) => 4,
        Some(Failure::Interrupted) => 130,
        Some(Failure::Spawn { code, .. }) => *code,
        Some(Failure::Login(_)) | None => 1,
    }
}

/// Prints the error and its causes to stderr, with provider-supplied text made harmless for
/// the terminal (SECURITY.md row 12). Without `-v` at most two causes are shown: the first, which
/// says what failed, and the last, the root cause (a refused connection, a timeout); the ones
/// between are counted, and `-v` shows them.
pub fn report(err: &anyhow::Error) {
    for line in report_lines(err, crate::output::level() > 0) {
        crate::cursor::line(&line);
    }
}

fn report_lines(err: &anyhow::Error, all: bool) -> Vec<String> {
    let text: Vec<String> = err
        .chain()
        .map(|e| crate::term::escape(&e.to_string()))
        .collect();
    let Some((top, causes)) = text.split_first() else {
        return Vec::new();
    };
    let mut lines = vec![format!("error: {top}")];
    let cause = |c: &String| format!("  caused by: {c}");
    match causes {
        [first, between @ .., last] if !all && !between.is_empty() => {
            lines.push(cause(first));
            lines.push(format!("  ({} more between; -v shows them)", between.len()));
            lines.push(cause(last));
        }
        _ => lines.extend(causes.iter().map(cause)),
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;
    use anyhow::Context;

    #[test]
    fn exit_codes_follow_the_first_failure_in_the_chain() {
        assert_eq!(exit_code(&config("bad")), 2);
        assert_eq!(exit_code(&not_logged_in("corp", "no login")), 4);
        assert_eq!(exit_code(&anyhow::anyhow!("network down")), 1);
        assert_eq!(exit_code(&Failure::Interrupted.into()), 130);
        assert_eq!(exit_code(&Failure::NothingStored("none".into()).into()), 4);
        let wrapped = Err::<(), _>(not_logged_in("corp", "gone"))
            .context("reading the token")
            .unwrap_err();
        assert_eq!(exit_code(&wrapped), 4);
    }

    #[test]
    fn not_logged_in_says_what_to_run() {
        let err = not_logged_in("corp", "no login stored for corp");
        assert_eq!(
            err.to_string(),
            "no login stored for corp: run 'oauthcli login corp'"
        );
    }

    #[test]
    fn at_most_two_causes_unless_verbose() {
        let err = anyhow::anyhow!("root")
            .context("middle 2")
            .context("middle 1")
            .context("first")
            .context("top");
        assert_eq!(
            report_lines(&err, false),
            [
                "error: top",
                "  caused by: first",
                "  (2 more between; -v shows them)",
                "  caused by: root"
            ]
        );
        assert_eq!(report_lines(&err, true).len(), 5);
        let short = anyhow::anyhow!("root").context("first").context("top");
        assert_eq!(
            report_lines(&short, false),
            ["error: top", "  caused by: first", "  caused by: root"]
        );
    }
}
