//! Where logins live and what happens to them: moving between stores, unreadable or refused
//! entries, the active login after a logout.

use crate::support::*;

#[test]
fn a_login_moved_to_another_storage_leaves_nothing_behind() {
    let provider = Provider::start();
    let user = User::new();
    let name = unique("move");
    user.config(&format!(
        "storage = \"keyring\"\n{}",
        openid_config(&name, &provider.issuer, "cli-public", "")
    ));
    user.ok(&["login", &name, "--storage", "file"]);
    assert!(user.token_file(&name).exists());
    // The config's default does not hide a login made in the file store on purpose.
    assert_eq!(user.ok(&["whoami", &name]), "alice@example.com\n");
    assert_eq!(
        user.ok(&["status"])
            .lines()
            .nth(1)
            .unwrap()
            .split_whitespace()
            .last(),
        Some("file")
    );

    // Logging in again without the flag moves the login to the keychain.
    user.ok(&["login", &name]);
    assert!(!user.token_file(&name).exists());
    assert_eq!(keychain_entry(&name).unwrap()["email"], "alice@example.com");
    assert_eq!(user.ok(&["whoami", &name]), "alice@example.com\n");
    user.ok(&["logout", &name]);
    assert!(keychain_entry(&name).is_none());
}

fn two_file_logins(provider: &Provider) -> User {
    let user = User::new();
    user.config(&format!(
        "storage = \"file\"\n{}{}",
        openid_config("good", &provider.issuer, "cli-public", ""),
        openid_config("bad", &provider.issuer, "cli-public", "")
    ));
    user.ok(&["login", "good"]);
    user.ok(&["login", "bad"]);
    user
}

#[test]
fn an_unreadable_entry_hides_nothing_and_logout_removes_it() {
    let provider = Provider::start();
    let user = two_file_logins(&provider);
    std::fs::write(user.token_file("bad"), "{ not json").unwrap();

    let status = user.run(&["status"]);
    assert_eq!(status.code, 0, "{status:#?}");
    let lines: Vec<&str> = status.stdout.lines().collect();
    assert_eq!(lines.len(), 3, "{}", status.stdout);
    assert!(
        lines[1].starts_with("bad       (unreadable)       *"),
        "{}",
        status.stdout
    );
    assert!(
        lines[2].starts_with("good      alice@example.com"),
        "{}",
        status.stdout
    );
    assert!(
        status
            .stderr
            .starts_with("bad: the login stored for 'bad' in "),
        "{}",
        status.stderr
    );

    let r = user.run(&["token", "bad"]);
    assert_eq!(r.code, 4);
    assert!(
        r.stderr.ends_with(": run 'oauthcli login bad'\n"),
        "{}",
        r.stderr
    );

    let r = user.run(&["logout", "bad"]);
    assert_eq!(r.code, 1, "{r:#?}");
    assert_eq!(r.stdout, "Logged out of bad (email unknown)\n");
    assert!(!user.token_file("bad").exists());
    assert_eq!(provider.requests_to("/token/revocation").len(), 0);
    // It was the active login: the one left is now, and logout said so.
    assert!(
        r.stderr
            .contains("The active login is now 'good' (the most recent one left)"),
        "{}",
        r.stderr
    );
    assert_eq!(user.ok(&["whoami"]), "alice@example.com\n");
}

#[test]
fn a_token_file_readable_by_others_is_refused_and_replaced_by_a_login() {
    use std::os::unix::fs::PermissionsExt;
    let provider = Provider::start();
    let user = two_file_logins(&provider);
    let file = user.token_file("bad");
    let before = std::fs::read(&file).unwrap();
    std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o644)).unwrap();
    let r = user.run(&["token", "bad"]);
    assert_eq!(r.code, 4);
    assert_eq!(
        r.stderr,
        format!(
            "error: {} can be read by other users, so its tokens may have leaked; refusing to use it \
             (if no one else could have read it, 'chmod 600' it instead): run 'oauthcli login bad'\n",
            file.display()
        )
    );
    assert_eq!(r.stdout, "");
    assert_eq!(std::fs::read(&file).unwrap(), before);
    user.ok(&["login", "bad"]);
    let mode = std::fs::metadata(&file).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600);
    assert_ne!(std::fs::read(&file).unwrap(), before);
}

#[test]
fn after_logging_out_of_the_active_login_the_most_recent_one_left_is_active_and_said_so() {
    let provider = Provider::start();
    let mut user = User::new();
    user.env("OAUTHCLI_STORAGE", "file");
    let cfg: String = ["a", "b", "c"]
        .iter()
        .map(|n| openid_config(n, &provider.issuer, "cli-public", ""))
        .collect();
    user.config(&cfg);
    for (n, who) in [("a", "ann"), ("b", "bob"), ("c", "cid")] {
        let out = user
            .command(&["login", n])
            .env("BROWSER_LOGIN", who)
            .output()
            .unwrap();
        assert!(out.status.success());
    }
    assert_eq!(user.ok(&["whoami"]), "cid@example.com\n");
    let r = user.run(&["logout"]);
    assert_eq!(r.code, 0, "{r:#?}");
    assert_eq!(r.stdout, "Logged out of c (cid@example.com)\n");
    // A script that names no provider carries on as bob: said on stderr, not left unsaid.
    assert_eq!(
        r.stderr,
        "Revoked the refresh token and the access token at c.\n\
         The active login is now 'b' (the most recent one left): commands that name no provider \
         use it; 'oauthcli switch NAME' chooses another.\n"
    );
    assert_eq!(user.ok(&["whoami"]), "bob@example.com\n");
    let status = user.ok(&["status"]);
    assert!(
        status
            .lines()
            .any(|l| l.starts_with("b ") && l.contains(" *  ")),
        "{status}"
    );
    // Logging out of a login that is not the active one changes nothing else.
    let r = user.run(&["logout", "a"]);
    assert_eq!(r.code, 0, "{r:#?}");
    assert!(!r.stderr.contains("active"), "{}", r.stderr);
    assert_eq!(user.ok(&["whoami"]), "bob@example.com\n");
    // The last one: nothing is active, and nothing is said of it.
    let r = user.run(&["logout"]);
    assert_eq!(
        (r.code, r.stdout.as_str()),
        (0, "Logged out of b (bob@example.com)\n")
    );
    assert!(!r.stderr.contains("active"), "{}", r.stderr);
    assert_eq!(user.run(&["whoami"]).code, 4);
    user.ok(&["login", "c"]);
    assert_eq!(user.ok(&["whoami"]), "alice@example.com\n");
}

#[test]
fn asking_for_an_id_token_that_the_login_has_not() {
    let provider = Provider::start();
    let user = User::new();
    let i = &provider.issuer;
    user.config(&format!(
        "[providers.plain]\nauthorization_endpoint = \"{i}/auth\"\ntoken_endpoint = \"{i}/token\"\n\
         userinfo_endpoint = \"{i}/me\"\nclient_id = \"cli-public\"\n\
         scopes = [\"openid\", \"email\", \"offline_access\"]\n"
    ));
    user.ok(&["login", "plain", "--storage", "file"]);
    let r = user.run(&["token", "--id-token", "--min-ttl", "99999"]);
    assert_eq!(r.code, 1);
    assert_eq!(
        r.stderr,
        "error: the login to 'plain' has no ID token: its provider issues none, or the login did not \
         ask for the `openid` scope\n"
    );
    // Nothing was refreshed for it.
    assert_eq!(provider.requests_to("/token").len(), 1);
}

#[test]
fn a_refresh_without_the_client_secret_says_where_to_set_it() {
    let provider = Provider::start();
    let mut user = User::new();
    user.config(&format!(
        "storage = \"file\"\n{}",
        openid_config("conf", &provider.issuer, "cli-basic", "")
    ));
    user.env("OAUTHCLI_CONF_CLIENT_SECRET", "basic-secret");
    user.ok(&["login", "conf"]);
    // Another shell, without the variable.
    let r = user
        .command(&["token", "--min-ttl", "99999"])
        .env_remove("OAUTHCLI_CONF_CLIENT_SECRET")
        .output()
        .unwrap();
    let r: Run = r.into();
    assert_eq!(r.code, 2, "{r:#?}");
    assert_eq!(
        r.stderr,
        format!(
            "error: the login to 'conf' authenticates with a client secret, and none is set now: set \
             client_secret under [providers.conf] in {} or the variable OAUTHCLI_CONF_CLIENT_SECRET\n",
            user.config.display()
        )
    );
    assert_eq!(provider.requests_to("/token").len(), 1);
}

#[test]
fn a_login_without_a_refresh_token_says_when_it_ends() {
    let provider = Provider::start();
    let user = User::new();
    user.config(&format!(
        "storage = \"file\"\n{}",
        openid_config(
            "short",
            &provider.issuer,
            "cli-public",
            "scopes = [\"openid\", \"email\"]\n"
        )
    ));
    let r = user.run(&["login"]);
    assert_eq!(r.code, 0, "{r:#?}");
    assert_eq!(r.stdout, "Logged in to short as alice@example.com\n");
    let at = read_json(&user.token_file("short"))["expires_at"]
        .as_i64()
        .unwrap();
    let when = chrono::DateTime::from_timestamp(at, 0)
        .unwrap()
        .to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    assert!(
        r.stderr.ends_with(&format!(
            "Note: the provider sent no refresh token, so 'oauthcli token short' works until the \
             access token expires ({when}), and then needs a new login.\n"
        )),
        "{}",
        r.stderr
    );
}
