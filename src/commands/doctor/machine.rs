//! The doctor's checks of this machine: the config file, the keychain, whether a browser
//! would be opened, and a loopback port for the redirect.

#[cfg(unix)]
use std::os::unix::fs::MetadataExt;

use anyhow::Result;

use super::Check;
use crate::cli::{GlobalArgs, StorageKind};
use crate::config::Settings;
use crate::flow::choose::Machine;
use crate::flow::listener::Listener;
use crate::secret::Secret;
use crate::store::{self, lock};
use crate::token::TokenSet;

/// The name the keychain probe is written under, with the doctor's process id, which says
/// what it is to anyone who finds it (`secret-tool search service oauthcli`): two doctors at
/// once, of one user or of two sharing a keychain, never read back or delete each other's.
const PROBE: &str = "oauthcli-doctor-probe";

/// The config file: readable, valid, and private enough. Returns the settings when they
/// load, which every later check of providers needs.
pub(super) fn config(
    global: &GlobalArgs,
    storage: Option<StorageKind>,
    checks: &mut Vec<Check>,
) -> Option<Settings> {
    let path = global
        .config
        .clone()
        .or_else(|| crate::paths::default_config_file().ok());
    let shown = path
        .as_ref()
        .map_or_else(|| "the config file".to_owned(), |p| p.display().to_string());
    let settings = match Settings::load(global, storage) {
        Ok(s) => s,
        Err(e) => {
            checks.push(Check::fail(
                "config",
                format!("{e:#}"),
                format!(
                    "correct {shown} as the message says (README, \"Configuration\"), then run \
                     'oauthcli doctor' again"
                ),
            ));
            return None;
        }
    };
    let meta = std::fs::metadata(&settings.path).ok();
    let count = settings.file.providers.len();
    let detail = match &meta {
        Some(_) => format!(
            "{shown} is valid ({count} provider{})",
            if count == 1 { "" } else { "s" }
        ),
        None => format!("{shown} does not exist: only the built-in presets can be used"),
    };
    let holds_secret = settings
        .file
        .providers
        .values()
        .any(|p| p.client_secret.is_some());
    // Refused modes never get here (`config_mode` refuses them at load); a secret others may
    // read is only warned about there, and is a fix here (SECURITY.md #24).
    #[cfg(unix)]
    if holds_secret && meta.is_some_and(|m| m.mode() & 0o044 != 0) {
        checks.push(Check::warn(
            "config",
            format!("{shown} holds a client secret and other users can read it"),
            format!("chmod 600 {shown}"),
        ));
        return Some(settings);
    }
    #[cfg(not(unix))]
    let _ = holds_secret;
    checks.push(Check::ok("config", detail));
    Some(settings)
}

/// The keychain: reachable, with a default collection that is unlocked and writable, shown
/// by writing a probe item under a name of its own, reading it back and deleting it.
pub(super) fn keychain(storage: Option<StorageKind>) -> Check {
    if storage == Some(StorageKind::File) {
        return Check::ok(
            "keychain",
            "not used: tokens are kept in private files (storage = \"file\")",
        );
    }
    let to_files = "or keep tokens in private files: storage = \"file\" in the config";
    let store = match store::open(StorageKind::Keyring) {
        Ok(s) => s,
        Err(e) => {
            return Check::fail(
                "keychain",
                format!("{e:#}"),
                "set OAUTHCLI_KEYRING_TIMEOUT to a number of seconds, or unset it",
            );
        }
    };
    let unlock =
        format!("unlock the keychain's default collection (the login keyring), {to_files}");
    if let Err(e) = store.check_writable() {
        let answered = e
            .downcast_ref::<store::KeychainTrouble>()
            .is_some_and(|t| t.answered());
        let fix = match answered {
            true => unlock,
            false => format!(
                "start a Secret Service (gnome-keyring, KeePassXC) in this session, {to_files}"
            ),
        };
        return Check::fail("keychain", format!("{e:#}"), fix);
    }
    if let Err(e) = probe(store.as_ref()) {
        return Check::fail(
            "keychain",
            format!("reachable, but a probe item could not be written and deleted: {e:#}"),
            unlock,
        );
    }
    Check::ok(
        "keychain",
        "reachable and unlocked: a probe item was written, read back and deleted",
    )
}

fn probe(store: &dyn store::Store) -> Result<()> {
    let name = format!("{PROBE}-{}", std::process::id());
    let lock = lock::lock_login(&name)?;
    // A set that names itself for what it is: nothing in it is a token.
    let placeholder = Secret::new("not a token: written by oauthcli doctor and deleted");
    let set = TokenSet {
        issuer: "oauthcli doctor".into(),
        client_id: "oauthcli doctor".into(),
        email: String::new(),
        subject: None,
        access_token: placeholder,
        token_type: "none".into(),
        refresh_token: None,
        refresh_refused: false,
        id_token: None,
        id_token_expires_at: None,
        expires_at: None,
        scopes: Vec::new(),
        token_endpoint: String::new(),
        revocation_endpoint: None,
        auth_method: crate::auth_method::AuthMethod::None,
        obtained_at: None,
        id_token_issued_at: None,
        id_token_keys: None,
        scoped: Vec::new(),
    };
    store.save(&lock, &set)?;
    store.delete(&lock)?;
    // The name is this process's alone: its lock file is not left behind for each run.
    let _ = std::fs::remove_file(crate::paths::lock_file(&name)?);
    Ok(())
}

/// How `login` would show the authorization page here (README, "Logging in on a remote
/// machine"), by the same rules `login` applies.
pub(super) fn browser() -> Check {
    let machine = Machine::here();
    match machine.headless() {
        None if machine.browser_var => Check::ok("browser", "login opens $BROWSER"),
        None => Check::ok("browser", "login opens the desktop's browser"),
        Some(why) => Check::ok(
            "browser",
            format!(
                "no browser is opened here ({why}): login prints the URL to open on any machine \
                 (login --device uses a code instead)"
            ),
        ),
    }
}

/// A loopback port for the redirect (RFC 8252 §7.3): the configured `redirect_port` of
/// `provider`, or any free one.
pub(super) fn loopback(port: Option<(&str, u16)>) -> Check {
    match port {
        None => match Listener::bind(None) {
            Ok(_) => Check::ok("loopback", "127.0.0.1 can listen on a free port"),
            Err(e) => Check::fail(
                "loopback",
                format!("{e:#}"),
                "allow this user to listen on 127.0.0.1 (a firewall or sandbox forbids it), or log in with --device",
            ),
        },
        Some((name, p)) => match Listener::bind(Some(p)) {
            Ok(_) => Check::ok(
                format!("port ({name})"),
                format!("127.0.0.1 can listen on port {p}"),
            ),
            Err(_) => Check::fail(
                format!("port ({name})"),
                format!("port {p} on 127.0.0.1 (redirect_port) is in use or not allowed"),
                format!(
                    "stop what listens on port {p}, or change redirect_port under [providers.{name}]"
                ),
            ),
        },
    }
}
