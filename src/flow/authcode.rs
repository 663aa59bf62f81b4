//! The authorization-code grant with PKCE (RFC 6749 §4.1, RFC 7636) and a loopback redirect
//! (RFC 8252 §7.3): the browser is sent to the authorize URL, or the URL is printed for the
//! user to open anywhere; the code comes back to the loopback listener, or as the redirect
//! URL pasted on stdin; then it is exchanged.
//!
//! A fresh `state`, PKCE verifier and (for OpenID providers) `nonce` for every login; the
//! code is exchanged only after the listener's judge has checked state and `iss`, and only
//! when no Ctrl-C came. While it waits, stderr shows how long it waits (`progress`) and
//! what to do when the provider refuses the redirect URI (`redirect_refused`).

use std::io::IsTerminal;

use anyhow::Result;
use openidconnect::Nonce;

use super::callback::Page;
use super::choose::Grant;
use super::listener::{self, Listener, Outcome};
use super::progress::Progress;
use super::{Ask, Obtained, advice, browser, hints, interrupt, redirect_refused, scopes};
use crate::error::Failure;
use crate::output;
use crate::term::escape;

/// Runs the grant: `Grant::Browser` starts a browser, `Grant::Paste` prints the URL and also
/// takes a pasted redirect; `port` is `--port` or the config's `redirect_port`.
pub fn obtain(ask: &Ask, how: Grant, port: Option<u16>) -> Result<Obtained> {
    let name = ask.name;
    let listener = Listener::bind(port)?.naming(ask.profile.loopback_host());
    output::debug(&format!("listening on 127.0.0.1:{}", listener.port()));
    let redirect = listener.redirect_uri();
    let nonce = ask.ep.openid.as_ref().map(|_| Nonce::new_random());
    let params = hints::params(ask.profile, ask.hints, ask.refresh_token_stored);
    let extra: Vec<(&str, &str)> = nonce
        .iter()
        .map(|n| ("nonce", n.secret().as_str()))
        .chain(params.iter().map(|(k, v)| (k.as_str(), v.as_str())))
        .collect();
    let scopes = scopes::as_sent(ask.profile, ask.scopes);
    let auth = ask
        .oauth
        .authorize(&ask.ep.authorization, &redirect, &scopes, &extra)?;

    let paste = how == Grant::Paste;
    if paste {
        output::note(&format!(
            "To log in to '{name}', open this URL in a browser, on this machine or any other:\n\n  \
             {}\n\n\
             After the login the browser goes to {redirect}. On another machine it then shows \
             a page that cannot be reached: copy that page's whole address from the address \
             bar and paste it here, then press Enter.\n",
            auth.url
        ));
    } else {
        output::note(&format!(
            "To log in to '{name}', open this URL in a browser on this machine:\n\n  {}\n",
            auth.url
        ));
        match browser::open(auth.url.as_str(), ask.wsl, ask.verbose > 0) {
            Ok(command) => output::note(&format!(
                "Opened a browser with '{}': if it did not come up, open the URL above yourself.",
                escape(&command)
            )),
            Err(e) => output::note(&format!(
                "Could not open a browser: {}; open the URL above yourself.",
                escape(&format!("{e:#}"))
            )),
        }
    }
    output::note(&redirect_refused::while_waiting(
        ask.profile,
        &redirect,
        port,
    ));

    let issuer = ask.ep.openid.as_ref().and_then(|o| o.response_issuer());
    let deadline = listener::deadline(ask.timeout);
    // A pasted line is typed on the terminal that stdin is: no live line under it.
    let typing = paste && std::io::stdin().is_terminal();
    let mut progress = Progress::start("for the login to finish", deadline, typing);
    let outcome = listener.wait(
        auth.state.secret(),
        issuer,
        ask.ep.iss_in_response,
        deadline,
        paste,
        &mut progress,
    );
    drop(progress);
    let (code, browser) = match outcome? {
        Outcome::Code { code, browser } => (code, browser),
        Outcome::TimedOut => {
            return Err(Failure::Login(format!(
                "timed out after {} s waiting for the browser: run 'oauthcli login {name}' again \
                 (--timeout SECS gives more time); {}",
                ask.timeout,
                redirect_refused::after_timeout(ask.profile, port)
            ))
            .into());
        }
        Outcome::Denied { error, description } => {
            let why = description
                .map(|d| format!(": {}", escape(&d)))
                .unwrap_or_default();
            let fix = match error.as_str() {
                "invalid_scope" => format!(
                    "; {}",
                    advice::scope_refused(ask.profile, ask.scopes, ask.config)
                ),
                _ => String::new(),
            };
            return Err(Failure::Login(format!(
                "the login was refused at the provider ({}{why}); nothing was stored{fix}",
                escape(&error)
            ))
            .into());
        }
    };
    // The wait checked for Ctrl-C as it ended; the exchange is the last step before the
    // provider issues tokens, so once more here (`interrupt`).
    interrupt::check()?;
    output::verbose(ask.verbose, "exchanging the authorization code");
    let exchanged =
        ask.oauth
            .exchange_code(ask.http, code.expose().to_owned(), auth.verifier, &redirect);
    match exchanged {
        // The browser's page waits until the tokens are checked and stored.
        Ok(response) => Ok(Obtained {
            response,
            nonce,
            browser,
        }),
        Err(e) => {
            if let Some(done) = browser {
                done.serve(Page::Failed, name);
            }
            let e = match advice::client_refused(&e, ask.profile, ask.config) {
                Some(fix) => e.context(fix),
                None => e,
            };
            Err(e.context(format!("the login to '{name}' failed; nothing was stored")))
        }
    }
}
