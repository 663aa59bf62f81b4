//! One file per subcommand, and what they share: which login a command means, where it is
//! stored, and the check that a stored login still belongs to the configured provider.

mod ahead;
mod choice;
mod completions;
mod doctor;
mod exec;
mod fresh;
mod git_credential;
mod kubectl_credential;
mod login;
mod logout;
mod providers;
mod renewal;
mod revoke;
mod scoped;
mod setup_git;
mod status;
mod switch;
mod token;
mod whoami;

use anyhow::Result;

use crate::cli::{Cli, Command, StorageKind};
use crate::config::{Settings, Source};
use crate::error;
use crate::flow::oauth::OAuth;
use crate::secret::Secret;
use crate::store::{self, Store, state::State};
use crate::token::TokenSet;

pub fn run(cli: Cli) -> Result<()> {
    crate::output::set_level(cli.global.verbose);
    if let Command::Completions { shell } = cli.command {
        return completions::run(shell);
    }
    // The doctor reports a config that does not load instead of stopping at it.
    if let Command::Doctor(args) = cli.command {
        return doctor::run(&cli.global, args);
    }
    let settings = Settings::load(&cli.global, storage_flag(&cli.command))?;
    match cli.command {
        Command::Login(args) => login::run(&settings, args),
        Command::Whoami(args) => whoami::run(&settings, args),
        Command::Token(args) => token::run(&settings, args),
        Command::Logout(args) => logout::run(&settings, args),
        Command::Status(args) => status::run(&settings, args),
        Command::Providers => providers::run(&settings),
        Command::Switch(args) => switch::run(&settings, args),
        Command::Exec(args) => exec::run(&settings, args),
        Command::GitCredential(args) => git_credential::run(&settings, args),
        Command::SetupGit(args) => setup_git::run(&settings, args),
        Command::KubectlCredential(args) => kubectl_credential::run(&settings, args),
        Command::RefreshAhead(args) => ahead::run(&settings, args),
        Command::Completions { .. } | Command::Doctor(_) => unreachable!("handled above"),
    }
}

/// The command's `--storage`, for the commands where it acts (all that keep or read tokens).
fn storage_flag(command: &Command) -> Option<StorageKind> {
    match command {
        Command::Login(a) => a.storage.storage,
        Command::Doctor(a) => a.storage.storage,
        Command::Whoami(a) => a.storage.storage,
        Command::Token(a) => a.storage.storage,
        Command::Logout(a) => a.storage.storage,
        Command::Status(a) => a.storage.storage,
        Command::Switch(a) => a.storage.storage,
        Command::Exec(a) => a.storage.storage,
        Command::GitCredential(a) => a.storage.storage,
        Command::KubectlCredential(a) => a.storage.storage,
        Command::RefreshAhead(a) => a.storage.storage,
        Command::Providers | Command::SetupGit(_) | Command::Completions { .. } => None,
    }
}

/// The provider a command means: the named one, else the login in force (`choice`).
fn target(settings: &Settings, state: &State, named: Option<String>) -> Result<String> {
    let name = match named {
        Some(name) => {
            crate::name::check(&name)
                .map_err(|why| error::config(format!("provider name '{name}' {why}")))?;
            name
        }
        None => match choice::in_force(state)? {
            Some((name, choice::Why::Variable)) => {
                return known(settings, state, &name)
                    .map(|()| name)
                    .map_err(|e| error::config(format!("${}: {e}", crate::paths::PROVIDER_VAR)));
            }
            Some((name, _)) => name,
            None => return Err(none_in_force(settings, state)),
        },
    };
    known(settings, state, &name)?;
    Ok(name)
}

/// Every name a command takes must be a provider that is configured or built in, or a login
/// that is stored: a login whose provider has since left the config can still be used and
/// logged out of. Anything else is a mistyped or forgotten name (exit 2), not a missing login.
fn known(settings: &Settings, state: &State, name: &str) -> Result<()> {
    if settings.knows(name) || state.logins.contains_key(name) {
        return Ok(());
    }
    Err(settings.unknown(name))
}

/// No provider named and no login in force.
fn none_in_force(settings: &Settings, state: &State) -> anyhow::Error {
    let logins: Vec<&str> = state.logins.keys().map(String::as_str).collect();
    if logins.is_empty() {
        let hint = settings
            .sole_provider()
            .unwrap_or_else(|_| "PROVIDER".to_owned());
        return error::not_logged_in(&hint, "not logged in");
    }
    error::config(format!(
        "no login is active (stored: {}): name the provider, or make one the active login with \
         'oauthcli switch NAME'",
        logins.join(", ")
    ))
}

/// Where a login's tokens are: `--storage` or `$OAUTHCLI_STORAGE`, else where the login was
/// made, else the config's `storage`, else the keychain. The config's default must not hide
/// a login that was made elsewhere on purpose.
fn storage_for(settings: &Settings, state: &State, provider: &str) -> StorageKind {
    settings
        .storage_flag
        .or_else(|| state.storage_of(provider))
        .or(settings.file.storage)
        .unwrap_or(StorageKind::Keyring)
}

/// The stored login of `provider`, checked against the config; exit 4 when there is none.
fn stored(
    settings: &Settings,
    state: &State,
    provider: &str,
) -> Result<(Box<dyn Store>, TokenSet)> {
    let store = store::open(storage_for(settings, state, provider))?;
    let Some(set) = load(store.as_ref(), state, provider)? else {
        return Err(not_stored(provider));
    };
    check_binding(settings, provider, &set)?;
    Ok((store, set))
}

/// The set stored for `provider`. A keychain in trouble, asked for a login the state does not
/// record, means "not logged in": no login of oauthcli's is there to tell the user about.
fn load(store: &dyn Store, state: &State, provider: &str) -> Result<Option<TokenSet>> {
    match store.load(provider) {
        Err(e)
            if e.downcast_ref::<store::KeychainTrouble>().is_some()
                && !state.logins.contains_key(provider) =>
        {
            Ok(None)
        }
        other => other,
    }
}

/// The client a stored login was made with (`OAuth::for_login`), translating the provider's
/// own error codes by its preset's aliases (a provider without a preset keeps its codes as
/// they are).
fn client_of(
    settings: &Settings,
    provider: &str,
    set: &TokenSet,
    secret: Option<&Secret>,
) -> Result<OAuth> {
    let aliases = match settings.knows(provider) {
        true => settings
            .profile(provider)?
            .preset
            .map_or(&[][..], |p| p.error_aliases),
        false => &[],
    };
    Ok(OAuth::for_login(set, secret)?.with_error_aliases(aliases))
}

/// "Not logged in" (exit 4) for a provider with nothing stored.
fn not_stored(provider: &str) -> anyhow::Error {
    error::not_logged_in(provider, format!("not logged in to '{provider}'"))
}

/// A token set is never used for another issuer or client than it was issued for
/// (SECURITY.md row 5): when the config now names others, the user must log in again.
fn check_binding(settings: &Settings, provider: &str, set: &TokenSet) -> Result<()> {
    if !settings.knows(provider) {
        return Ok(());
    }
    let profile = settings.profile(provider)?;
    let issuer = match &profile.source {
        Source::Issuer(i) => Some(i.as_str()),
        Source::Manual => profile.token_endpoint.as_deref(),
    };
    if let Some(issuer) = issuer
        && issuer != set.issuer
    {
        return Err(error::not_logged_in(
            provider,
            format!(
                "the login stored for '{provider}' was issued by {}, but the config now names {issuer}",
                set.issuer
            ),
        ));
    }
    // A login made through the device grant is bound to the device client, when there is one.
    let device = profile.device_client_id.as_deref() == Some(set.client_id.as_str());
    if let Some(id) = &profile.client_id
        && *id != set.client_id
        && !device
    {
        return Err(error::not_logged_in(
            provider,
            format!(
                "the login stored for '{provider}' was issued to client '{}', but the config now names client '{id}'",
                set.client_id
            ),
        ));
    }
    Ok(())
}
