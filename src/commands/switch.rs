//! `oauthcli switch PROVIDER`: makes a stored login the active one, the one commands use
//! when none is named and `$OAUTHCLI_PROVIDER` is not set.

use anyhow::Result;

use super::{choice, storage_for, stored, target};
use crate::cli::SwitchArgs;
use crate::config::Settings;
use crate::output;
use crate::paths::PROVIDER_VAR;
use crate::store::state::State;
use crate::term::escape;

pub fn run(settings: &Settings, args: SwitchArgs) -> Result<()> {
    let state = State::load()?;
    let name = target(settings, &state, Some(args.provider))?;
    // Only to a login that is there and still belongs to the configured provider.
    let (_, set) = stored(settings, &state, &name)?;
    let storage = storage_for(settings, &state, &name);
    State::update(|s| {
        s.record_login(&name, storage);
        Ok(())
    })?;
    output::data(&format!("Switched to {name} ({})", escape(&set.email)))?;
    if let Some(var) = choice::from_env()?
        && var != name
    {
        output::note(&format!(
            "note: ${PROVIDER_VAR} is '{var}' here, and it comes first: unset it to use '{name}'"
        ));
    }
    Ok(())
}
