//! `oauthcli status`: every stored login, as a table or JSON.
//!
//! The logins are those the state records, plus configured providers found in their store.
//! One login that cannot be read is shown as such; it never hides the others.

use anyhow::Result;

use super::{choice, known, storage_for};
use crate::cli::{StatusArgs, StorageKind};
use crate::config::Settings;
use crate::output;
use crate::store::{self, state::State};
use crate::term::escape;
use crate::token::{self, TokenSet};

pub fn run(settings: &Settings, args: StatusArgs) -> Result<()> {
    let state = State::load()?;
    let mut rows: Vec<(String, StorageKind, Result<TokenSet>)> = Vec::new();
    for name in state.logins.keys() {
        let kind = storage_for(settings, &state, name);
        match store::open(kind).and_then(|s| s.load(name)) {
            Ok(Some(set)) => rows.push((name.clone(), kind, Ok(set))),
            Ok(None) => {}
            Err(e) => rows.push((name.clone(), kind, Err(e))),
        }
    }
    // A configured provider the state does not know may still have a login stored (the
    // state file was removed); a store that cannot be reached just means "not there".
    for name in settings.file.providers.keys() {
        let kind = storage_for(settings, &state, name);
        if !state.logins.contains_key(name)
            && let Ok(Some(set)) = store::open(kind).and_then(|s| s.load(name))
        {
            rows.push((name.clone(), kind, Ok(set)));
        }
    }
    rows.sort_by(|a, b| a.0.cmp(&b.0));

    let now = token::now();
    let in_force = choice::in_force(&state)?;
    let active = in_force.as_ref().map(|(name, _)| name.as_str());
    let why = |name: &str| {
        in_force
            .as_ref()
            .filter(|(n, _)| n == name)
            .map(|(_, why)| why.key())
    };
    if args.json {
        let doc: Vec<_> = rows
            .iter()
            .map(|(name, kind, set)| match set {
                Ok(set) => serde_json::json!({
                    "provider": name,
                    "email": set.email,
                    "active": Some(name.as_str()) == active,
                    "active_by": why(name),
                    "expires_at": set.expires_at.map(token::rfc3339),
                    "expired": !set.is_fresh(now, 0),
                    "refresh_token": set.refresh_token.is_some(),
                    "refresh_refused": set.refresh_refused,
                    "storage": kind,
                }),
                Err(e) => serde_json::json!({
                    "provider": name,
                    "active": Some(name.as_str()) == active,
                    "active_by": why(name),
                    "storage": kind,
                    "error": format!("{e:#}"),
                }),
            })
            .collect();
        return output::json(&serde_json::Value::Array(doc));
    }
    if rows.is_empty() {
        output::note("No login is stored: run 'oauthcli login PROVIDER'.");
        return Ok(());
    }
    let mut table = vec![[
        "PROVIDER".to_owned(),
        "EMAIL".into(),
        "ACTIVE".into(),
        "EXPIRES".into(),
        "REFRESH".into(),
        "STORAGE".into(),
    ]];
    for (name, kind, set) in &rows {
        let (email, expires, refresh) = match set {
            Ok(set) => (escape(&set.email), expiry(set, now), set.refresh_state()),
            Err(e) => {
                output::note(&format!("{name}: {}", escape(&format!("{e:#}"))));
                ("(unreadable)".into(), String::new(), "")
            }
        };
        let star = if Some(name.as_str()) == active {
            "*"
        } else {
            ""
        };
        let storage = match kind {
            StorageKind::Keyring => "keyring",
            StorageKind::File => "file",
        };
        table.push([
            name.clone(),
            email,
            star.into(),
            expires,
            refresh.into(),
            storage.into(),
        ]);
    }
    output::data(&output::table(&table))?;
    match &in_force {
        Some((name, why)) if rows.iter().any(|r| &r.0 == name) => {
            output::note(&format!("* in force: {}", why.explain()))
        }
        Some((name, why)) => output::note(&match known(settings, &state, name) {
            Ok(()) => format!(
                "'{name}' is {} but has no stored login: run 'oauthcli login {name}'",
                why.explain()
            ),
            Err(e) => format!("'{name}' is {}, but: {e}", why.explain()),
        }),
        None => output::note(
            "No login is active: name the provider, or make one the active login with 'oauthcli \
             switch NAME'.",
        ),
    }
    Ok(())
}

fn expiry(set: &TokenSet, now: i64) -> String {
    match set.expires_at {
        None => "never".into(),
        Some(at) if at <= now => format!("expired {}", token::rfc3339(at)),
        Some(at) => token::rfc3339(at),
    }
}
