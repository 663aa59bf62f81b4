//! `oauthcli status`: every stored login, as a table or JSON.

use anyhow::Result;
use chrono::{DateTime, SecondsFormat, Utc};

use super::storage_for;
use crate::cli::{StatusArgs, StorageKind};
use crate::config::Settings;
use crate::output;
use crate::store::{self, state::State};
use crate::term::escape;
use crate::token::{self, TokenSet};

pub fn run(settings: &Settings, args: StatusArgs) -> Result<()> {
    let state = State::load()?;
    let mut names: Vec<String> = state.logins.keys().cloned().collect();
    for name in settings.file.providers.keys() {
        if !names.contains(name) {
            names.push(name.clone());
        }
    }
    names.sort();
    let mut rows = Vec::new();
    for name in names {
        let kind = storage_for(settings, &state, &name);
        if let Some(set) = store::open(kind)?.load(&name)? {
            rows.push((name, kind, set));
        }
    }
    let now = token::now();
    let active = state.active.as_deref();
    if args.json {
        let doc: Vec<_> = rows
            .iter()
            .map(|(name, kind, set)| {
                serde_json::json!({
                    "provider": name,
                    "email": set.email,
                    "active": Some(name.as_str()) == active,
                    "expires_at": set.expires_at.and_then(rfc3339),
                    "expired": !set.is_fresh(now, 0),
                    "refresh_token": set.refresh_token.is_some(),
                    "storage": kind,
                })
            })
            .collect();
        return output::data(&serde_json::Value::Array(doc).to_string());
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
        table.push([
            name.clone(),
            escape(&set.email),
            if Some(name.as_str()) == active {
                "*".into()
            } else {
                String::new()
            },
            expiry(set, now),
            if set.refresh_token.is_some() {
                "yes".into()
            } else {
                "no".into()
            },
            match kind {
                StorageKind::Keyring => "keyring".into(),
                StorageKind::File => "file".into(),
            },
        ]);
    }
    output::data(&render(&table))
}

fn rfc3339(at: i64) -> Option<String> {
    DateTime::<Utc>::from_timestamp(at, 0).map(|t| t.to_rfc3339_opts(SecondsFormat::Secs, true))
}

fn expiry(set: &TokenSet, now: i64) -> String {
    match set.expires_at {
        None => "never".into(),
        Some(at) if at <= now => format!("expired {}", rfc3339(at).unwrap_or_default()),
        Some(at) => rfc3339(at).unwrap_or_default(),
    }
}

/// Left-aligned columns, two spaces apart.
pub(super) fn render<const N: usize>(rows: &[[String; N]]) -> String {
    let widths: Vec<usize> = (0..N)
        .map(|c| rows.iter().map(|r| r[c].chars().count()).max().unwrap_or(0))
        .collect();
    rows.iter()
        .map(|r| {
            r.iter()
                .zip(&widths)
                .map(|(cell, w)| format!("{cell:<w$}"))
                .collect::<Vec<_>>()
                .join("  ")
                .trim_end()
                .to_owned()
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[cfg(test)]
mod tests {
    use super::render;

    #[test]
    fn columns_line_up() {
        let t = [
            ["A".to_string(), "BB".to_string()],
            ["ccc".to_string(), "".to_string()],
        ];
        assert_eq!(render(&t), "A    BB\nccc");
    }
}
