//! `oauthcli git-credential get|store|erase`: git's credential helper (gitcredentials(7)).
//!
//! `get` answers for the provider whose git hosts hold the request's host, with a valid
//! access token (`fresh::valid`). A helper must never prompt or hang, and must let git go
//! on to its next helper when it has nothing to give: so no login flow is ever started, and
//! "no such provider" and "not logged in" both leave stdout empty and exit 0 (the latter with
//! one line on stderr, which git shows). `erase`, what git sends after the host refused the
//! password, marks that token expired so that the next `get` refreshes; the login is kept.
//! `store` is accepted and ignored: the token is ours already.

use std::io::Read;

use anyhow::{Context, Result};
use subtle::ConstantTimeEq;

use super::fresh::{self, Kind};
use super::{storage_for, target};
use crate::cli::GitCredentialArgs;
use crate::config::{Profile, Settings};
use crate::error::Failure;
use crate::git::{self, Request};
use crate::output;
use crate::store::{self, lock, state::State};

/// Git's requests are a few short lines; more is not git.
const MAX_REQUEST: u64 = 64 * 1024;

/// How long the token must stay good: git may use it for a long fetch, and the host
/// checks it on every request.
const MIN_TTL: u64 = 60;

pub fn run(settings: &Settings, args: GitCredentialArgs) -> Result<()> {
    let mut text = String::new();
    std::io::stdin()
        .take(MAX_REQUEST)
        .read_to_string(&mut text)
        .context("cannot read git's request on stdin")?;
    let req = Request::parse(&text);
    match args.operation.as_str() {
        "get" => get(settings, &req),
        "erase" => erase(settings, &req),
        // `store` and any operation git may add later (gitcredentials(7): ignore them).
        _ => Ok(()),
    }
}

fn get(settings: &Settings, req: &Request) -> Result<()> {
    let state = State::load()?;
    let Some(profile) = provider_for(settings, &state, &req.host)? else {
        return Ok(());
    };
    let name = &profile.name;
    if !req.transport_ok() {
        output::note(&format!(
            "oauthcli: no token for {}://{}: a token is sent over https only (plain http on \
             loopback hosts alone); use an https URL",
            req.protocol, req.host
        ));
        return Ok(());
    }
    let set = match fresh::valid(settings, &state, name, Kind::Access, MIN_TTL) {
        Ok(set) => set,
        Err(e) => {
            if let Some(f @ Failure::NotLoggedIn { .. }) = e.downcast_ref::<Failure>() {
                output::note(&format!("oauthcli: {f}"));
                return Ok(());
            }
            return Err(e);
        }
    };
    let username = match (&profile.preset, &req.username) {
        (None, Some(theirs)) if !theirs.is_empty() => theirs.as_str(),
        _ => profile.git_username,
    };
    let text = git::answer(username, set.access_token.expose(), set.expires_at)?;
    output::data(text.trim_end())
}

fn erase(settings: &Settings, req: &Request) -> Result<()> {
    let state = State::load()?;
    let (Some(profile), Some(password)) =
        (provider_for(settings, &state, &req.host)?, &req.password)
    else {
        return Ok(());
    };
    let name = &profile.name;
    let store = store::open(storage_for(settings, &state, name))?;
    let lock = lock::lock_login(name)?;
    let Some(mut set) = store.load(name)? else {
        return Ok(());
    };
    // Only the token git was refused: a sibling may have refreshed it meanwhile, and its
    // fresh token must not be thrown away for the old one's fault.
    if !bool::from(
        set.access_token
            .expose()
            .as_bytes()
            .ct_eq(password.as_bytes()),
    ) {
        return Ok(());
    }
    set.expires_at = Some(0);
    store
        .save(&lock, &set)
        .context("cannot mark the refused token as expired")?;
    output::verbose(
        settings.verbose,
        &format!("the host refused the token of '{name}': the next request refreshes it"),
    );
    Ok(())
}

/// The provider whose git hosts hold `host`: among several, the one `target` picks when it
/// is one of them, else the first (by name) with a login.
fn provider_for(settings: &Settings, state: &State, host: &str) -> Result<Option<Profile>> {
    let mut names: Vec<&String> = settings.file.providers.keys().collect();
    names.extend(state.logins.keys().filter(|n| settings.knows(n)));
    names.sort();
    names.dedup();
    let mut matching = Vec::new();
    for name in names {
        let profile = settings.profile(name)?;
        if profile.git_hosts.iter().any(|h| h == host) {
            matching.push(profile);
        }
    }
    if matching.len() > 1 {
        let chosen = target(settings, state, None).ok();
        let pos = matching
            .iter()
            .position(|p| Some(&p.name) == chosen.as_ref())
            .or_else(|| {
                matching
                    .iter()
                    .position(|p| state.logins.contains_key(&p.name))
            })
            .unwrap_or(0);
        return Ok(Some(matching.swap_remove(pos)));
    }
    Ok(matching.pop())
}
