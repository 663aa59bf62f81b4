//! The provider names commands take: a name that is neither configured, nor built in, nor a
//! stored login is an unknown provider (exit 2, as `login` says), never "not logged in"; a
//! login whose provider has left the config can still be logged out of.

use crate::support::*;

#[test]
fn every_command_that_takes_a_name_says_unknown_provider() {
    let mut user = User::new();
    user.config(&openid_config("corp", "https://login.example.com", "x", ""));
    user.env("OAUTHCLI_STORAGE", "file");
    let cfg = user.config.display().to_string();
    let unknown = |name: &str, mean: &str| {
        format!(
            "unknown provider '{name}'{mean} (configured in {cfg}: corp; built in: google, github, \
             microsoft, gitlab, facebook)"
        )
    };
    let commands: [&[&str]; 8] = [
        &["token"],
        &["whoami"],
        &["logout"],
        &["switch"],
        &["kubectl-credential"],
        &["setup-git"],
        &["login"],
        &["exec", "--", "true"],
    ];
    for (name, mean) in [("nonexist", ""), ("gogle", ": did you mean 'google'?")] {
        for args in commands {
            let mut args = args.to_vec();
            args.insert(1, name);
            user.run(&args)
                .failed(2, &format!("error: {}\n", unknown(name, mean)));
        }
    }

    // A name from $OAUTHCLI_PROVIDER is checked alike, and says where it came from.
    user.env("OAUTHCLI_PROVIDER", "corpp");
    let r = user.run(&["token"]);
    assert_eq!(
        (r.code, r.stderr),
        (
            2,
            format!(
                "error: $OAUTHCLI_PROVIDER: {}\n",
                unknown("corpp", ": did you mean 'corp'?")
            )
        )
    );

    // The doctor says it of the provider it was asked about.
    let r = user.run(&["doctor", "nonexist"]);
    assert_eq!(r.code, 1);
    assert!(
        r.stdout.contains(&format!(
            "\nFAIL  provider (nonexist): {}\n      fix: check the name, or add a \
             [providers.nonexist] table to {cfg}\n",
            unknown("nonexist", "")
        )),
        "{}",
        r.stdout
    );
    assert!(!r.stdout.contains("login (nonexist)"), "{}", r.stdout);

    // A known provider without a login is still "not logged in" (exit 4).
    for name in ["corp", "google"] {
        user.run(&["token", name]).failed(
            4,
            &format!("error: not logged in to '{name}': run 'oauthcli login {name}'\n"),
        );
    }
}

#[test]
fn a_login_whose_provider_left_the_config_can_still_be_logged_out_of() {
    let provider = Provider::start();
    let user = file_login(&provider);
    let r: Run = user
        .command(&["status"])
        .env("OAUTHCLI_PROVIDER", "nope")
        .output()
        .unwrap()
        .into();
    assert_eq!(
        r.stderr,
        format!(
            "'nope' is set by $OAUTHCLI_PROVIDER, but: unknown provider 'nope' (configured in {}: \
             local; built in: google, github, microsoft, gitlab, facebook)\n",
            user.config.display()
        )
    );
    user.config("storage = \"file\"\n");
    assert_eq!(user.ok(&["whoami", "local"]), "alice@example.com\n");
    let r = user.run(&["logout", "local"]);
    assert_eq!(r.code, 0, "{r:#?}");
    assert_eq!(r.stdout, "Logged out of local (alice@example.com)\n");
    assert!(!user.token_file("local").exists());
    assert_eq!(provider.requests_to("/token/revocation").len(), 2);
    // Forgotten, it is an unknown name like any other.
    let r = user.run(&["logout", "local"]);
    assert_eq!(r.code, 2, "{r:#?}");
    assert_eq!(
        r.stderr,
        format!(
            "error: unknown provider 'local' (no provider is configured in {}; add a \
             [providers.local] table (see the README); built in: google, github, microsoft, \
             gitlab, facebook)\n",
            user.config.display()
        )
    );
}
