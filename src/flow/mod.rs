//! The grants a login can obtain its tokens through, and what they share.
//!
//! A login is made of stages (`commands::login`): resolve the provider; obtain a token
//! response through one grant; check and identify it (`accept`); store it under the lock;
//! report. This module owns the second stage. Each grant is a file of its own and is given
//! the same [`Ask`]; each returns an [`Obtained`], the provider's response unchecked:
//! - [`authcode`]: the authorization code with PKCE (RFC 6749 §4.1, RFC 7636, RFC 8252),
//!   answered through the loopback listener, or pasted on stdin (`--no-browser`);
//! - [`device`]: the device authorization grant (RFC 8628), a code entered on another device
//!   (in RFC 8628's dialect, or Facebook's: `device_dialect`);
//! - which one a login uses is decided once, by [`choose`].

pub mod advice;
pub mod authcode;
pub mod browser;
pub mod callback;
pub mod choose;
mod connections;
pub mod device;
mod device_check;
mod device_dialect;
mod device_display;
mod device_graph;
mod device_poll;
pub mod done;
pub mod hints;
pub mod interrupt;
pub mod launch;
pub mod listener;
pub mod long_lived;
pub mod oauth;
mod oauth_error;
pub mod page;
pub mod paste;
pub mod paste_line;
pub mod progress;
mod redirect_refused;
pub mod request;
pub mod scopes;
pub mod token_http;

use openidconnect::Nonce;

use crate::config::Profile;
use crate::http::Http;
use crate::provider::Endpoints;
use done::Done;
use oauth::{OAuth, TokenResponse};

/// What every grant is given.
pub struct Ask<'a> {
    pub name: &'a str,
    pub profile: &'a Profile,
    pub ep: &'a Endpoints,
    pub http: &'a Http,
    pub oauth: &'a OAuth,
    pub scopes: &'a [String],
    /// A refresh token for this client is stored already (Google asks consent again only
    /// when it is not).
    pub refresh_token_stored: bool,
    /// `--login-hint`, `--select-account`.
    pub hints: hints::Flags<'a>,
    /// `--timeout`, in seconds.
    pub timeout: u64,
    /// The config file, for messages that name a key in it.
    pub config: &'a std::path::Path,
    /// `--clipboard`: the device grant copies its code to the terminal's clipboard.
    pub clipboard: bool,
    pub verbose: u8,
    /// This is WSL: a browser started here is the Windows one.
    pub wsl: bool,
}

/// What a grant obtained: the provider's token response, not yet checked.
pub struct Obtained {
    pub response: TokenResponse,
    /// The nonce the authorization request carried, which the ID token must repeat.
    pub nonce: Option<Nonce>,
    /// The browser that brought the code, sent on to the final page and waiting for it.
    pub browser: Option<Done>,
}

impl Obtained {
    /// Tells the waiting browser, if any, how the login ended.
    pub fn finish(&mut self, ok: bool, provider: &str) {
        if let Some(done) = self.browser.take() {
            let page = match ok {
                true => callback::Page::Success,
                false => callback::Page::Failed,
            };
            done.serve(page, provider);
        }
    }
}
