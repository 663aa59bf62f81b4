//! oauthcli's own files when something else has been at them: a state file naming logins
//! outside the data directory, a lock path that is a symlink or a FIFO, a config file that
//! others may change or read.

use std::os::unix::fs::PermissionsExt;

use crate::support::*;

#[test]
fn a_tampered_state_file_reaches_no_file_outside_the_data_directory() {
    let provider = Provider::start();
    let user = file_login(&provider);
    let token_file = user.token_file("local");
    // A private copy of a good token set outside the data directory: read, it would work.
    let victim = user.path("victim.json");
    std::fs::copy(&token_file, &victim).unwrap();
    std::fs::set_permissions(&victim, std::fs::Permissions::from_mode(0o600)).unwrap();
    let climb = "../../../../victim";
    assert!(
        user.path("home/.local/share/oauthcli")
            .join(format!("{climb}.json"))
            .exists()
    );
    let state = user.path("home/.local/state/oauthcli/state.json");
    std::fs::write(
        &state,
        format!(
            r#"{{"active": "{climb}", "logins": {{"local": {{"storage": "file"}},
            "{climb}": {{"storage": "file"}}}}}}"#
        ),
    )
    .unwrap();

    let refused = format!(
        "error: {} names the login '{climb}', but a provider name must be 1-64 lower-case \
         letters, digits, '-' or '_', starting with a letter or digit: the file was changed by \
         something other than oauthcli. Delete it and log in again (your token files and \
         keychain entries are left as they are)\n",
        state.display()
    );
    for args in [
        &["token"][..],
        &["whoami"],
        &["logout", "--all"],
        &["status"],
    ] {
        let r = user.run(args);
        assert_eq!((r.code, r.stdout.as_str()), (1, ""), "{args:?}: {r:#?}");
        assert_eq!(r.stderr, refused, "{args:?}");
    }
    assert!(victim.exists());
    assert!(token_file.exists());
    assert_eq!(provider.requests_to("/token/revocation").len(), 0);

    // Deleted as the message says, the state costs no login: the token file is still used.
    std::fs::remove_file(&state).unwrap();
    assert_eq!(user.ok(&["whoami", "local"]), "alice@example.com\n");
}

#[test]
fn a_symlink_or_a_fifo_at_the_lock_path_is_refused_before_the_browser() {
    use std::os::unix::fs::OpenOptionsExt;
    let provider = Provider::start();
    let user = User::new();
    user.config(&format!(
        "storage = \"file\"\n{}",
        openid_config("local", &provider.issuer, "cli-public", "")
    ));
    let locks = user.path("home/.local/state/oauthcli/locks");
    std::fs::create_dir_all(&locks).unwrap();
    let lock = locks.join("local.lock");
    let refused = format!(
        "error: the lock file {} is not a regular file (a symlink or a FIFO?), so oauthcli does \
         not use it: nothing but oauthcli's own empty lock file belongs there; remove it and try \
         again\n",
        lock.display()
    );

    // A link to a file that does not exist: it is not created.
    let target = user.path("created-through-the-link");
    std::os::unix::fs::symlink(&target, &lock).unwrap();
    let r = user.run(&["login"]);
    assert_eq!((r.code, r.stdout.as_str()), (1, ""), "{r:#?}");
    assert_eq!(r.stderr, refused);
    assert!(!target.exists());
    std::fs::remove_file(&lock).unwrap();

    // A FIFO, with a reader (so that opening it for writing would succeed): not used.
    let made = std::process::Command::new("mkfifo")
        .arg(&lock)
        .status()
        .unwrap();
    assert!(made.success());
    let _reader = std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NONBLOCK)
        .open(&lock)
        .unwrap();
    let r = user.run(&["login"]);
    assert_eq!((r.code, r.stdout.as_str()), (1, ""), "{r:#?}");
    assert_eq!(r.stderr, refused);
    // Both times before the browser was sent anywhere.
    assert_eq!(provider.requests_to("/auth").len(), 0);
    assert!(user.browser_log().is_empty());

    // Removed, as the message says: the login works, its lock file private.
    std::fs::remove_file(&lock).unwrap();
    user.ok(&["login"]);
    let mode = std::fs::symlink_metadata(&lock)
        .unwrap()
        .permissions()
        .mode()
        & 0o777;
    assert_eq!(mode, 0o600);
}

#[test]
fn a_config_that_others_may_change_is_refused_and_one_they_may_read_gets_a_warning() {
    let user = User::new();
    let secret = openid_config(
        "corp",
        "https://login.example.com",
        "c",
        "client_secret = \"s3cret\"\n",
    );
    user.config(&secret);
    let chmod = |path: &std::path::Path, mode: u32| {
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap()
    };
    let config = user.config.display().to_string();
    let refused = |what: String, how: String| {
        format!(
            "error: the config file {config} {what}, so another user could change the endpoints \
             your tokens are sent to; oauthcli does not use it: {how}\n"
        )
    };
    for mode in [0o666, 0o620, 0o602] {
        chmod(&user.config, mode);
        let r = user.run(&["status", "--json"]);
        assert_eq!((r.code, r.stdout.as_str()), (2, ""), "{mode:o}: {r:#?}");
        let how = format!("run 'chmod go-w {config}'");
        assert_eq!(
            r.stderr,
            refused("can be changed by other users".into(), how)
        );
    }

    // Private itself, but in a directory others may write to: refused, unless it is sticky.
    chmod(&user.config, 0o600);
    let dir = user.dir.path();
    chmod(dir, 0o777);
    let r = user.run(&["status", "--json"]);
    assert_eq!((r.code, r.stdout.as_str()), (2, ""), "{r:#?}");
    assert_eq!(
        r.stderr,
        refused(
            format!("is in {}, which other users can write to", dir.display()),
            format!("run 'chmod go-w {}' or move the file", dir.display())
        )
    );
    chmod(dir, 0o1777);
    let r = user.run(&["status", "--json"]);
    assert_eq!(
        (r.code, r.stdout.as_str(), r.stderr.as_str()),
        (0, "[]\n", "")
    );
    chmod(dir, 0o700);

    // Readable by others: used, with a warning when it holds a client secret.
    chmod(&user.config, 0o644);
    let r = user.run(&["status", "--json"]);
    assert_eq!((r.code, r.stdout.as_str()), (0, "[]\n"), "{r:#?}");
    assert_eq!(
        r.stderr,
        format!(
            "warning: the config file {config} holds a client secret and other users can read \
             it: run 'chmod 600 {config}'\n"
        )
    );
    std::fs::write(
        &user.config,
        openid_config("corp", "https://login.example.com", "c", ""),
    )
    .unwrap();
    let r = user.run(&["status", "--json"]);
    assert_eq!(
        (r.code, r.stdout.as_str(), r.stderr.as_str()),
        (0, "[]\n", "")
    );
}
