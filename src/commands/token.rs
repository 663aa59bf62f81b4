//! `oauthcli token`: a valid access token for scripts, refreshed first when it expires
//! within `--min-ttl` seconds (`fresh::valid`).

use anyhow::{Context, Result};

use super::fresh::{self, Kind};
use super::target;
use crate::cli::{TokenArgs, TokenFormat};
use crate::config::Settings;
use crate::output;
use crate::store::state::State;
use crate::token::{self, TokenSet};

pub fn run(settings: &Settings, args: TokenArgs) -> Result<()> {
    let state = State::load()?;
    let provider = target(settings, &state, args.provider.clone())?;
    let kind = if args.id_token {
        Kind::Id
    } else {
        Kind::Access
    };
    let set = fresh::valid(settings, &state, &provider, kind, args.fresh.min_ttl)?;
    print(&provider, &set, kind, args.format)
}

fn print(provider: &str, set: &TokenSet, kind: Kind, format: TokenFormat) -> Result<()> {
    let token = fresh::pick(set, kind)
        .with_context(|| format!("the provider gave no ID token for '{provider}'"))?;
    match format {
        TokenFormat::Raw => output::data(token.expose()),
        TokenFormat::Header => output::data(&format!("Authorization: Bearer {}", token.expose())),
        TokenFormat::Json => {
            let at = fresh::expiry(set, kind);
            let doc = serde_json::json!({
                "token": token.expose(),
                "token_type": if kind == Kind::Id { "id_token" } else { set.token_type.as_str() },
                "expires_at": at.map(token::rfc3339),
                "expires_in": at.map(|at| (at - token::now()).max(0)),
                "scopes": set.scopes,
            });
            output::json(&doc)
        }
    }
}
