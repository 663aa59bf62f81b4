//! The most common failure of a first login: the provider does not accept the loopback
//! redirect URI registered for the client (a wrong path, a port it matches exactly, a client
//! of the wrong type). It then shows its own error page and never redirects, so the login
//! waits for an answer that cannot come. What the login prints while it waits, and again
//! when it times out, says what to register: the exact redirect URI for this provider, by
//! its preset's rule where it has one, or the fixed port to choose for a provider that
//! matches the port too.

use crate::config::Profile;

/// What to do about it, for `profile`'s client; `port` is the fixed port of this login
/// (`--port` or `redirect_port`), if it has one.
pub fn fix(profile: &Profile, port: Option<u16>) -> String {
    let client = profile.client_id.as_deref().unwrap_or_default();
    let register = profile.loopback_redirect(port);
    match (profile.preset, port) {
        (Some(preset), _) => (preset.redirect_refused)(&profile.site(), &register),
        (None, Some(_)) => {
            format!("register exactly {register} for client '{client}' there")
        }
        (None, None) => format!(
            "register {register} for client '{client}' there (a loopback redirect matches any \
             port, RFC 8252 §7.3); for a provider that matches the port too, register \
             http://127.0.0.1:PORT/callback with a port of your choice and set redirect_port = \
             PORT in the config (or use --port PORT)"
        ),
    }
}

/// The line printed before the wait; `redirect` is this login's redirect URI.
pub fn while_waiting(profile: &Profile, redirect: &str, port: Option<u16>) -> String {
    // Folded: it is the longest line a login prints, read while the browser comes up.
    let line = format!(
        "If the browser shows an error of the provider about the redirect URI (such as \
         \"redirect_uri_mismatch\") instead of its login page, the provider does not accept \
         {redirect}: {}.",
        fix(profile, port)
    );
    crate::term::fold(&line, 100)
}

/// What the timed-out error adds.
pub fn after_timeout(profile: &Profile, port: Option<u16>) -> String {
    format!(
        "if the browser showed an error of the provider about the redirect URI, {}",
        fix(profile, port)
    )
}
