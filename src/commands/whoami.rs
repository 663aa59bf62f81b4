//! `oauthcli whoami`: the email of a login, from what is stored; no network.

use anyhow::Result;

use super::{stored, target};
use crate::cli::WhoamiArgs;
use crate::config::Settings;
use crate::output;
use crate::store::state::State;
use crate::term::escape;

pub fn run(settings: &Settings, args: WhoamiArgs) -> Result<()> {
    let state = State::load()?;
    let provider = target(settings, &state, args.provider)?;
    let (_, set) = stored(settings, &state, &provider)?;
    if args.json {
        let doc = serde_json::json!({
            "provider": provider,
            "email": set.email,
            "subject": set.subject,
            "issuer": set.issuer,
            "client_id": set.client_id,
        });
        output::json(&doc)
    } else {
        output::data(&escape(&set.email))
    }
}
