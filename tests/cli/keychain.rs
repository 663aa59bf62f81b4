//! A keychain that answers but cannot keep a secret, on the real gnome-keyring in a private
//! D-Bus session of each test's own (`tests/support/in-keyring-session --no-default` or
//! `--locked`): the login says so before the browser opens; and when the store fails all the
//! same after the exchange, the tokens just issued are revoked.

use std::process::Command;

use crate::support::*;

/// `oauthcli ARGS` inside a private D-Bus session whose gnome-keyring is started in `mode`
/// (an `in-keyring-session` option). Its stderr is oauthcli's alone: the D-Bus daemon's own
/// messages go elsewhere.
pub fn in_own_keyring(user: &User, mode: &str, args: &[&str]) -> Run {
    in_own_keyring_after(user, mode, "", args)
}

/// The same, after the shell commands `prelude` ran in that session.
fn in_own_keyring_after(user: &User, mode: &str, prelude: &str, args: &[&str]) -> Run {
    let stderr = user.path("oauthcli.stderr");
    let mut cmd: Command = user.tool("dbus-run-session");
    cmd.arg("--")
        .arg(repo().join("tests/support/in-keyring-session"))
        .args([
            mode,
            "sh",
            "-c",
            &format!("set -e\n{prelude}\nf=\"$1\"; shift; exec \"$@\" 2>\"$f\""),
            "sh",
        ])
        .arg(&stderr)
        .arg(BIN)
        .args(args)
        .env("OAUTHCLI_TEST_KEYRING_DIR", user.path("keyring"));
    let mut run: Run = cmd.output().unwrap().into();
    run.stderr = std::fs::read_to_string(&stderr).unwrap_or_default();
    run
}

/// Locks gnome-keyring's `login` collection, the default one (shell).
const LOCK_THE_LOGIN_COLLECTION: &str = "gdbus call --session --dest org.freedesktop.secrets \
     --object-path /org/freedesktop/secrets --method org.freedesktop.Secret.Service.Lock \
     \"['/org/freedesktop/secrets/collection/login']\" >/dev/null";

/// Stores `text` as the keychain item of `provider` with `secret-tool`, under the
/// attributes and the label oauthcli has always stored logins with (shell).
fn store_as_oauthcli_always_did(provider: &str, text: &str) -> String {
    format!(
        "printf %s '{text}' | secret-tool store --label 'oauthcli: {provider}' service oauthcli \
         username {provider}"
    )
}

/// What a login refused before the browser leaves behind: no browser started, no request to
/// the provider's authorization endpoint, nothing stored.
fn assert_refused_before_the_browser(user: &User, provider: &Provider) {
    assert!(user.browser_log().is_empty());
    assert!(
        !user.path("browser.log.lock").exists(),
        "the browser was started"
    );
    assert!(provider.requests_to("/auth").is_empty());
    assert!(provider.grants().is_empty());
    assert_eq!(user.run(&["whoami"]).code, 4);
}

/// A login inside a keychain started in `mode` fails before the browser with `message`.
fn assert_login_refused(mode: &str, message: &str) {
    let provider = Provider::start();
    let user = User::new();
    user.config(&openid_config("local", &provider.issuer, "cli-public", ""));
    let r = in_own_keyring(&user, mode, &["login"]);
    assert_eq!(r.code, 1, "{r:#?}");
    assert_eq!(r.stderr, message);
    assert_eq!(r.stdout, "");
    assert_refused_before_the_browser(&user, &provider);
}

#[test]
fn a_keychain_without_a_default_collection_is_found_before_the_browser() {
    assert_login_refused(
        "--no-default",
        "error: the OS keychain has no default collection to keep the tokens in. Create one \
         (with seahorse, or by storing any secret once with `secret-tool store`), or keep tokens \
         in a private file with --storage file\n",
    );
}

#[test]
fn a_locked_keychain_is_found_before_the_browser() {
    assert_login_refused(
        "--locked",
        "error: the OS keychain's default collection is locked and could not be unlocked (the \
         unlock prompt was dismissed). Unlock it (with seahorse, or by logging in to the desktop), \
         or keep tokens in a private file with --storage file\n",
    );
}

#[test]
fn a_token_directory_that_cannot_be_written_is_found_before_the_browser() {
    let provider = Provider::start();
    let user = file_user(&provider);
    // Root may write in any directory, whatever its mode: a file where the directory
    // should be stops everyone.
    let data = user.path("home/.local/share");
    std::fs::create_dir_all(&data).unwrap();
    std::fs::write(data.join("oauthcli"), "").unwrap();
    let r = user.run(&["login"]);
    assert_eq!(r.code, 1, "{r:#?}");
    assert_eq!(
        r.stderr,
        format!(
            "error: tokens cannot be stored in {dir}: make it a directory you can write to, or \
             keep tokens in the OS keychain with --storage keyring\n  caused by: cannot create \
             the directory {dir}\n  caused by: File exists (os error 17)\n",
            dir = data.join("oauthcli").display()
        )
    );
    assert_refused_before_the_browser(&user, &provider);
    assert_eq!(std::fs::read(data.join("oauthcli")).unwrap(), b"");
}

#[test]
fn tokens_that_cannot_be_stored_after_the_exchange_are_revoked() {
    let provider = Provider::start();
    let mut user = User::new();
    user.config(&openid_config("local", &provider.issuer, "cli-public", ""));
    // The keychain is locked while the user is at the browser, after the check passed.
    let browser = user.path("locking-browser");
    std::fs::write(
        &browser,
        format!(
            "#!/bin/sh\n{LOCK_THE_LOGIN_COLLECTION} || exit 1\nexec {} \"$@\"\n",
            repo().join("tests/support/browser.py").display()
        ),
    )
    .unwrap();
    std::fs::set_permissions(
        &browser,
        std::os::unix::fs::PermissionsExt::from_mode(0o755),
    )
    .unwrap();
    user.env("BROWSER", browser.to_str().unwrap());
    let r = in_own_keyring(&user, "--unlocked", &["login"]);
    assert_eq!(r.code, 1, "{r:#?}");
    assert!(
        r.stderr.ends_with(
            "Revoked the refresh token and the access token at local.\n\
             error: the login to 'local' failed; nothing was stored\n  caused by: the tokens the \
             provider just issued could not be stored, so they were revoked\n  caused by: the OS \
             keychain's default collection is locked and could not be unlocked (the unlock \
             prompt was dismissed). Unlock it (with seahorse, or by logging in to the desktop), or keep tokens \
             in a private file with --storage file\n"
        ),
        "{}",
        r.stderr
    );
    assert_eq!(provider.grants(), ["authorization_code"]);
    let revocations = provider.requests_to("/token/revocation");
    let hints: Vec<_> = revocations
        .iter()
        .map(|r| r["form"]["token_type_hint"].as_str().unwrap())
        .collect();
    assert_eq!(hints, ["refresh_token", "access_token"]);
    for r in &revocations {
        assert!(!provider.is_active(r["form"]["token"].as_str().unwrap()));
    }
    assert_eq!(user.run(&["whoami"]).code, 4);
}

#[test]
fn a_login_in_a_locked_keychain_says_to_unlock_it_and_the_doctor_says_how() {
    let provider = Provider::start();
    let user = User::new();
    user.config(&openid_config("local", &provider.issuer, "cli-public", ""));
    let r = in_own_keyring(&user, "--unlocked", &["login"]);
    assert_eq!(r.code, 0, "{r:#?}");

    let r = in_own_keyring(&user, "--locked", &["token"]);
    assert_eq!((r.code, r.stdout.as_str()), (1, ""), "{r:#?}");
    assert_eq!(
        r.stderr,
        "error: the login to 'local' is kept in the OS keychain, which is locked and could not be \
         unlocked (the unlock prompt was dismissed). Unlock it (with seahorse, or by logging in to the \
         desktop); without a desktop session, unlock it as the README says (\"Storage\")\n"
    );
    let r = in_own_keyring(&user, "--locked", &["doctor"]);
    assert_eq!(r.code, 1, "{r:#?}");
    let lines: Vec<&str> = r.stdout.lines().collect();
    assert_eq!(
        lines[1..3],
        [
            "FAIL  keychain: the OS keychain's default collection is locked and could not be \
             unlocked (the unlock prompt was dismissed). Unlock it (with seahorse, or by logging in to \
             the desktop), or keep tokens in a private file with --storage file",
            "      fix: unlock the keychain's default collection (the login keyring), or keep \
             tokens in private files: storage = \"file\" in the config"
        ]
    );

    // Unlocked again, the login is there as it was.
    let r = in_own_keyring(&user, "--unlocked", &["whoami"]);
    assert_eq!((r.code, r.stdout.as_str()), (0, "alice@example.com\n"));
}

#[test]
fn a_login_stored_by_an_earlier_version_is_read_and_deleted() {
    let provider = Provider::start();
    let user = User::new();
    user.config(&openid_config("local", &provider.issuer, "cli-public", ""));
    user.ok(&["login", "--storage", "file"]);
    let set = user.stored("local");
    let access = set["access_token"].as_str().unwrap();
    let script = store_as_oauthcli_always_did("local", &set.to_string());
    let r = in_own_keyring_after(
        &user,
        "--unlocked",
        &script,
        &["token", "local", "--storage", "keyring"],
    );
    assert_eq!((r.code, r.stderr.as_str()), (0, ""), "{r:#?}");
    assert_eq!(r.stdout, format!("{access}\n"));
    // `logout` finds it too, and deletes it.
    let script = format!("{script}\n{BIN} logout --no-revoke --storage keyring");
    let r = in_own_keyring_after(
        &user,
        "--unlocked",
        &script,
        &["token", "local", "--storage", "keyring"],
    );
    assert_eq!(r.stdout, "Logged out of local (alice@example.com)\n");
    assert_eq!(r.code, 4, "{r:#?}");
    assert_eq!(
        r.stderr,
        "error: not logged in to 'local': run 'oauthcli login local'\n"
    );
}
