//! The authorization request's extra parameters: the preset's (Google's `access_type` and
//! `prompt=consent`), then the account hints of the config and the flags: `login_hint`
//! (OpenID Core §3.1.2.1; `--login-hint` over the config's), `prompt=select_account`
//! (`--select-account`), and the preset's domain parameter (`hd`, `domain_hint`).
//!
//! OpenID Core §3.1.2.1 makes `prompt` a space-separated list, so `select_account` and the
//! preset's `consent` go in one `prompt` ("select_account consent"): the account picker first,
//! then the consent that brings a refresh token.

use crate::config::Profile;

/// What the flags add.
#[derive(Debug, Clone, Copy, Default)]
pub struct Flags<'a> {
    pub login_hint: Option<&'a str>,
    pub select_account: bool,
}

/// The parameters, in the order they are sent.
pub fn params(
    profile: &Profile,
    flags: Flags,
    refresh_token_stored: bool,
) -> Vec<(String, String)> {
    let mut prompt: Vec<&str> = Vec::new();
    if flags.select_account {
        prompt.push("select_account");
    }
    let mut params = Vec::new();
    for (k, v) in profile.quirks.authorize_params(refresh_token_stored) {
        match k {
            "prompt" => prompt.push(v),
            _ => params.push((k.to_owned(), v.to_owned())),
        }
    }
    if !prompt.is_empty() {
        params.push(("prompt".to_owned(), prompt.join(" ")));
    }
    let hint = flags.login_hint.or(profile.hints.login_hint.as_deref());
    if let Some(hint) = hint {
        params.push(("login_hint".to_owned(), hint.to_owned()));
    }
    if let Some((key, value)) = &profile.hints.domain {
        params.push(((*key).to_owned(), value.clone()));
    }
    params
}
