//! `oauthcli token`: a valid access token for scripts, refreshed first when it expires
//! within `--min-ttl` seconds (`fresh::valid`); with `--scope`, one for those scopes alone
//! (`scoped::valid`).

use anyhow::{Context, Result};

use super::fresh::{self, Kind};
use super::target;
use crate::cli::{TokenArgs, TokenFormat};
use crate::config::Settings;
use crate::output;
use crate::secret::Secret;
use crate::store::state::State;
use crate::token;

pub fn run(settings: &Settings, args: TokenArgs) -> Result<()> {
    let state = State::load()?;
    let provider = target(settings, &state, args.provider.clone())?;
    if !args.scope.is_empty() {
        let got =
            super::scoped::valid(settings, &state, &provider, &args.scope, args.fresh.min_ttl)?;
        let shown = Shown {
            token: &got.access_token,
            token_type: &got.token_type,
            expires_at: got.expires_at,
            scopes: &got.scopes,
        };
        return print(&shown, args.format);
    }
    let kind = if args.id_token {
        Kind::Id
    } else {
        Kind::Access
    };
    let set = fresh::valid(settings, &state, &provider, kind, args.fresh.min_ttl)?;
    let token = fresh::pick(&set, kind)
        .with_context(|| format!("the provider gave no ID token for '{provider}'"))?;
    let shown = Shown {
        token,
        token_type: if kind == Kind::Id {
            "id_token"
        } else {
            &set.token_type
        },
        expires_at: fresh::expiry(&set, kind),
        scopes: &set.scopes,
    };
    print(&shown, args.format)
}

/// The token handed out, and what `--format json` says of it.
struct Shown<'a> {
    token: &'a Secret,
    token_type: &'a str,
    expires_at: Option<i64>,
    scopes: &'a [String],
}

fn print(shown: &Shown, format: TokenFormat) -> Result<()> {
    let token = shown.token.expose();
    match format {
        TokenFormat::Raw => output::data(token),
        TokenFormat::Header => output::data(&format!("Authorization: Bearer {token}")),
        TokenFormat::Json => {
            let at = shown.expires_at;
            let doc = serde_json::json!({
                "token": token,
                "token_type": shown.token_type,
                "expires_at": at.map(token::rfc3339),
                "expires_in": at.map(|at| (at - token::now()).max(0)),
                "scopes": shown.scopes,
            });
            output::json(&doc)
        }
    }
}
