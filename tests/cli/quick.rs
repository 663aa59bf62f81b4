//! `token` and `token NAME`, which the binary reads without clap (src/cli/quick.rs), answer
//! byte for byte as clap's reading of the same command line does: the same line with its
//! defaults spelled out (`--format raw`), which only clap reads.

use crate::support::*;

/// Both readings of `args` (a `token` command line), asserted to agree.
fn agree(user: &User, args: &[&str]) -> Run {
    let quick = user.run(args);
    let spelled: Vec<&str> = args.iter().copied().chain(["--format", "raw"]).collect();
    let clap = user.run(&spelled);
    assert_eq!(
        (quick.code, &quick.stdout, &quick.stderr),
        (clap.code, &clap.stdout, &clap.stderr),
        "{args:?}"
    );
    quick
}

#[test]
fn token_without_clap_answers_as_clap_does() {
    let provider = Provider::start();
    let mut user = file_login(&provider);
    assert_eq!(
        agree(&user, &["token"]).stdout,
        format!(
            "{}\n",
            user.stored("local")["access_token"].as_str().unwrap()
        )
    );
    assert_eq!(agree(&user, &["token", "local"]).code, 0);
    assert_eq!(agree(&user, &["token", "nope"]).code, 2);
    assert_eq!(agree(&user, &["token", "../x"]).code, 2);
    assert_eq!(agree(&user, &["token", "google"]).code, 4);
    user.config("[providers.local\n");
    assert_eq!(agree(&user, &["token", "local"]).code, 2);
    user.env(
        "OAUTHCLI_CONFIG",
        &user.path("missing.toml").display().to_string(),
    );
    assert_eq!(agree(&user, &["token"]).code, 2);
    user.env("OAUTHCLI_CONFIG", "");
    assert_eq!(agree(&user, &["token"]).code, 2);
}
