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
            r#"{{"active": "{climb}", "logins": {{"local": {{"storage": "file", "order": 1}},
            "{climb}": {{"storage": "file", "order": 2}}}}}}"#
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
