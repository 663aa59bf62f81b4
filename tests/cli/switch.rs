//! `switch` and `$OAUTHCLI_PROVIDER`: which login commands use when none is named, and how
//! `status` shows which one is in force and why.

use crate::support::*;

/// Logins to `work` and `home`; `corp` is configured too, with no login.
fn two_logins(provider: &Provider) -> User {
    let user = User::new();
    user.config(&format!(
        "storage = \"file\"\n{}{}{}",
        openid_config("work", &provider.issuer, "cli-public", ""),
        openid_config("home", &provider.issuer, "cli-public", ""),
        openid_config("corp", &provider.issuer, "cli-public", "")
    ));
    user.ok(&["login", "work"]);
    user.ok(&["login", "home"]);
    user
}

/// The provider of the login `whoami` picks.
fn picked(user: &User) -> String {
    let doc: serde_json::Value = serde_json::from_str(&user.ok(&["whoami", "--json"])).unwrap();
    doc["provider"].as_str().unwrap().to_owned()
}

/// `(provider, active, active_by)` of each row of `status --json`.
fn marks(user: &User) -> Vec<(String, bool, Option<String>)> {
    let doc: serde_json::Value = serde_json::from_str(&user.ok(&["status", "--json"])).unwrap();
    doc.as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["provider"].as_str().unwrap().to_owned(),
                r["active"].as_bool().unwrap(),
                r["active_by"].as_str().map(str::to_owned),
            )
        })
        .collect()
}

#[test]
fn switch_and_the_variable_choose_the_login() {
    let provider = Provider::start();
    let mut user = two_logins(&provider);
    assert_eq!(picked(&user), "home");

    let r = user.run(&["switch", "work"]);
    assert_eq!((r.code, r.stderr.as_str()), (0, ""), "{r:#?}");
    assert_eq!(r.stdout, "Switched to work (alice@example.com)\n");
    assert_eq!(picked(&user), "work");
    let status = user.run(&["status"]);
    let lines: Vec<&str> = status.stdout.lines().collect();
    assert!(
        lines[1].starts_with("home      alice@example.com         "),
        "{}",
        status.stdout
    );
    assert!(
        lines[2].starts_with("work      alice@example.com  *      "),
        "{}",
        status.stdout
    );
    assert_eq!(
        status.stderr,
        "* in force: the active login ('oauthcli switch', or the latest login)\n"
    );
    assert_eq!(
        marks(&user),
        [
            ("home".into(), false, None),
            ("work".into(), true, Some("active".into()))
        ]
    );

    // The variable comes before the active login, for every command that takes no name.
    user.env("OAUTHCLI_PROVIDER", "home");
    assert_eq!(picked(&user), "home");
    let r = user.run(&["exec", "--", "sh", "-c", "printf %s \"$OAUTHCLI_TOKEN\""]);
    assert_eq!(
        r.stdout,
        user.stored("home")["access_token"].as_str().unwrap()
    );
    assert_eq!(
        marks(&user),
        [
            ("home".into(), true, Some("variable".into())),
            ("work".into(), false, None)
        ]
    );
    assert_eq!(
        user.run(&["status"]).stderr,
        "* in force: set by $OAUTHCLI_PROVIDER\n"
    );
    // A name still wins over it.
    assert_eq!(user.ok(&["whoami", "work"]), "alice@example.com\n");
    // Switching while it is set says that it still comes first.
    let r = user.run(&["switch", "work"]);
    assert_eq!(r.code, 0);
    assert_eq!(
        r.stderr,
        "note: $OAUTHCLI_PROVIDER is 'home' here, and it comes first: unset it to use 'work'\n"
    );
}

#[test]
fn bad_choices_are_refused_and_change_nothing() {
    let provider = Provider::start();
    let mut user = two_logins(&provider);
    let state = user.path("home/.local/state/oauthcli/state.json");
    let before = std::fs::read(&state).unwrap();

    let r = user.run(&["switch", "corp"]);
    assert_eq!((r.code, r.stdout.as_str()), (4, ""));
    assert_eq!(
        r.stderr,
        "error: not logged in to 'corp': run 'oauthcli login corp'\n"
    );
    let r = user.run(&["switch", "../x"]);
    assert_eq!(r.code, 2);
    assert_eq!(std::fs::read(&state).unwrap(), before);
    assert_eq!(picked(&user), "home");

    user.env("OAUTHCLI_PROVIDER", "Bad/Name");
    let r = user.run(&["token"]);
    assert_eq!(r.code, 2);
    assert_eq!(
        r.stderr,
        "error: $OAUTHCLI_PROVIDER 'Bad/Name' must be 1-64 lower-case letters, digits, '-' or '_', \
         starting with a letter or digit\n"
    );

    // A variable naming a provider without a login: the commands say to log in, and
    // status says what is in force and why.
    let mut user = two_logins(&provider);
    user.env("OAUTHCLI_PROVIDER", "corp");
    let r = user.run(&["token"]);
    assert_eq!(r.code, 4);
    assert_eq!(
        r.stderr,
        "error: not logged in to 'corp': run 'oauthcli login corp'\n"
    );
    assert_eq!(
        user.run(&["status"]).stderr,
        "'corp' is set by $OAUTHCLI_PROVIDER but has no stored login: run 'oauthcli login corp'\n"
    );
}
