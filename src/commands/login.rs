//! `oauthcli login`: a login in stages. Resolve the provider; obtain a token response through
//! one grant (`flow`: browser and loopback, paste, or the device grant), swapped for a
//! long-lived one where the provider's are short-lived (`flow::long_lived`); check and
//! identify it (`accept`); store it under the login's lock; report.
//!
//! Nothing is stored until the very end, so a failed login leaves an earlier one intact; tokens
//! issued that could not be stored are revoked.
//! A provider's quirks (`presets`) add authorization parameters and decide where the
//! email comes from.

use anyhow::{Context, Result};

use crate::accept;
use crate::cli::{LoginArgs, StorageKind};
use crate::config::Settings;
use crate::error::{self, Failure};
use crate::flow::choose::{self, Flags, Grant, Machine};
use crate::flow::oauth::OAuth;
use crate::flow::{self, Ask, authcode, device, interrupt, long_lived};
use crate::http::Http;
use crate::output;
use crate::provider;
use crate::store::{self, Store, lock, state::State};
use crate::term::escape;
use crate::token::TokenSet;

pub fn run(settings: &Settings, args: LoginArgs) -> Result<()> {
    let name = match args.provider {
        Some(n) => n,
        None => settings.sole_provider()?,
    };
    let profile = settings.profile(&name)?;
    let v = settings.verbose;
    let flags = Flags {
        no_browser: args.no_browser,
        browser: args.browser,
        device: args.device,
    };
    let machine = Machine::here();
    let (grant, why) = choose::choose(flags, &machine, profile.device);
    if args.clipboard
        && let Some(misfit) = choose::clipboard_misfit(grant)
    {
        return Err(error::config(misfit));
    }
    // Said first: the checks that follow may refuse what was chosen.
    if let Some(why) = &why {
        output::note(why);
    }
    let chosen = device::Chosen {
        config: &settings.path,
        by_config: why.is_some(),
    };
    // The device grant may log in with a client of its own (`device_client_id`).
    let profile = match grant {
        Grant::Device => device::check_config(&profile, &chosen)?,
        Grant::Browser | Grant::Paste => profile,
    };
    let client_id = profile.require_client_id(&settings.path)?.to_owned();
    profile.require_secret(&settings.path)?;
    // The endpoints before anything is asked of the keychain or the lock file: a provider that
    // cannot serve this grant (no device endpoint) is a configuration error, found first.
    let http = Http::new(settings.ca_file().as_deref())?;
    output::verbose(v, &format!("resolving the endpoints of '{name}'"));
    let mut ep = provider::resolve(&profile, &http)?;
    provider::complete(&mut ep, &profile, &http, v)?;
    let device_endpoint = match grant {
        Grant::Device => Some(device::endpoint(&profile, &ep, &chosen)?),
        Grant::Browser | Grant::Paste => None,
    };
    // From here on Ctrl-C exits 130 and never leaves half-stored tokens (flow::interrupt).
    interrupt::install()?;

    // The store is opened, checked that it can store now, and the lock file checked before
    // the user is sent to the browser: none of them may fail only after the login.
    let storage = settings.explicit_storage().unwrap_or(StorageKind::Keyring);
    let store = store::open(storage)?;
    store.check_writable()?;
    lock::check_login_lock(&name)?;
    let previous = store.load(&name).or_else(|e| {
        // An unreadable old entry is replaced by this login; an unreachable store is fatal.
        match e.downcast_ref::<Failure>() {
            Some(Failure::NotLoggedIn { .. }) => Ok(None),
            _ => Err(e),
        }
    })?;

    let method = ep.auth_method(&profile);
    // Its refresh token counts only for the same provider and client.
    let previous = previous.filter(|p| p.client_id == client_id && p.issuer == ep.issuer);
    output::verbose(v, &format!("authorization endpoint {}", ep.authorization));
    output::verbose(
        v,
        &format!("token endpoint {} ({})", ep.token, method.name()),
    );
    let mut scopes = flow::scopes::requested(&profile, &ep, args.scopes, v);
    if grant == Grant::Device {
        let (kept, dropped) = device::scopes(&profile, &scopes);
        scopes = kept;
        if let Some(note) = dropped {
            output::note(&note);
        }
    }
    if let Some(note) = ep.unlisted_scopes(&scopes, &name) {
        output::note(&note);
    }
    let aliases = profile.preset.map_or(&[][..], |p| p.error_aliases);
    let oauth = OAuth::new(
        &client_id,
        profile.client_secret.as_ref(),
        method,
        &ep.token,
    )?
    .with_error_aliases(aliases);
    let ask = Ask {
        name: &name,
        profile: &profile,
        ep: &ep,
        http: &http,
        oauth: &oauth,
        scopes: &scopes,
        refresh_token_stored: previous.as_ref().is_some_and(|p| p.refresh_token.is_some()),
        hints: flow::hints::Flags {
            login_hint: args.login_hint.as_deref(),
            select_account: args.select_account,
        },
        timeout: args.timeout,
        config: &settings.path,
        clipboard: args.clipboard,
        verbose: v,
        wsl: machine.wsl,
    };
    let mut obtained = match device_endpoint {
        Some(endpoint) => device::obtain(&ask, endpoint, &chosen)?,
        None => authcode::obtain(&ask, grant, args.port.or(profile.redirect_port))?,
    };

    let ctx = accept::Login {
        profile: &profile,
        ep: &ep,
        http: &http,
        client_id: &client_id,
        method,
        scopes: &scopes,
        previous: previous.as_ref(),
    };
    let result = long_lived::lengthen(&ask, &obtained.response)
        .and_then(|response| accept::login(&ctx, &response, obtained.nonce.as_ref()))
        .and_then(|accepted| {
            let lock = save(store.as_ref(), &name, &accepted.set)
                .map_err(|e| revoke_unsaved(settings, &name, &accepted.set, e))?;
            Ok((accepted, lock))
        });
    obtained.finish(result.is_ok(), &name);
    let (accepted, lock) =
        result.with_context(|| format!("the login to '{name}' failed; nothing was stored"))?;
    let set = accepted.set;
    if !accepted.not_granted.is_empty() {
        output::note(&format!(
            "Note: the provider did not grant {} of the scopes asked for; the login has {}.",
            escape(&accepted.not_granted.join(" ")),
            escape(&set.scopes.join(" "))
        ));
    }
    if let Some(claim) = accepted.fallback {
        output::note(&format!(
            "The ID token has no email: using its `{claim}` ({}) as the login's email.",
            escape(&set.email)
        ));
    }

    // Recorded on the state as it is now, not as it was before the browser: another login
    // may have finished meanwhile.
    let earlier = State::update(|state| {
        let earlier = state.storage_of(&name);
        state.record_login(&name, storage);
        Ok(earlier)
    })?;
    // An earlier login kept in the other storage must not stay behind there, unseen.
    if let Some(old) = earlier.filter(|old| *old != storage)
        && let Err(e) = store::open(old).and_then(|s| s.delete(&lock))
    {
        output::note(&format!(
            "warning: the earlier login to '{name}' could not be deleted from the {} store: {}",
            storage_name(old),
            escape(&format!("{e:#}"))
        ));
    }
    drop(lock);
    // The keys discovery fetched serve the refreshes (`store::keys`).
    if let Some(openid) = ep.openid.as_ref().filter(|_| set.id_token_keys.is_some()) {
        store::keys::save(&name, &openid.jwks_uri, &openid.jwks);
    }
    let consent_helps = profile.quirks.offline_access_type;
    if let Some(note) =
        accept::no_refresh_note(&name, &set, accepted.foreign_refresh, consent_helps)
    {
        output::note(&note);
    }
    output::data(&format!("Logged in to {name} as {}", escape(&set.email)))
}

/// Stores a checked set under the login's lock; Ctrl-C waits until it is stored whole
/// (see `flow::interrupt`). The lock is returned held, for the state update that follows.
fn save(store: &dyn Store, name: &str, set: &TokenSet) -> Result<lock::LoginLock> {
    let lock = lock::lock_login(name)?;
    let storing = interrupt::storing()?;
    store.save(&lock, set)?;
    storing.stored();
    Ok(lock)
}

/// The tokens just issued could not be stored: revoked (RFC 7009), so that none stays valid
/// at the provider with no one holding it. The error says which happened.
fn revoke_unsaved(
    settings: &Settings,
    name: &str,
    set: &TokenSet,
    e: anyhow::Error,
) -> anyhow::Error {
    let what = "the tokens the provider just issued could not be stored";
    match super::revoke::tokens(settings, name, set) {
        Ok(true) => e.context(format!("{what}, so they were revoked")),
        Ok(false) => e.context(format!(
            "{what}, and '{name}' cannot revoke them (it has no revocation endpoint): they stay \
             valid at the provider until they expire"
        )),
        Err(r) => e.context(format!(
            "{what}, and revoking them failed ({r:#}): they may stay valid until they expire"
        )),
    }
}

fn storage_name(kind: StorageKind) -> &'static str {
    match kind {
        StorageKind::Keyring => "keychain",
        StorageKind::File => "file",
    }
}
