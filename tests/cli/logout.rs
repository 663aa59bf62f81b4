//! What `logout` says: the provider it revoked at, and "not logged in" (exit 4) whenever there
//! is nothing to log out of, however it is asked (README, "Exit codes").

use crate::support::*;

#[test]
fn logout_names_the_provider_it_revoked_at_and_the_url_at_v() {
    let provider = Provider::start();
    let user = file_login(&provider);
    let r = user.run(&["logout", "-v"]);
    assert_eq!(r.code, 0, "{r:#?}");
    assert_eq!(r.stdout, "Logged out of local (alice@example.com)\n");
    assert!(
        r.stderr.ends_with(&format!(
            "revoking at {}/token/revocation\nRevoked the refresh token and the access token at \
             local.\n",
            provider.issuer
        )),
        "{}",
        r.stderr
    );
}

#[test]
fn nothing_to_log_out_of_is_not_logged_in_whichever_way_it_is_asked() {
    let provider = Provider::start();
    let mut user = file_user(&provider);
    user.env("OAUTHCLI_STORAGE", "file");
    for args in [&["logout"][..], &["logout", "local"], &["logout", "--all"]] {
        let whom = if args.len() == 2 && args[1] == "local" {
            " to 'local'"
        } else {
            ""
        };
        user.run(args).failed(
            4,
            &format!("error: not logged in{whom}: nothing to log out of\n"),
        );
    }

    // Once there was a login, and once it is gone, the same.
    user.ok(&["login"]);
    assert_eq!(
        user.ok(&["logout", "--all"]),
        "Logged out of local (alice@example.com)\n"
    );
    user.run(&["logout", "--all"])
        .failed(4, "error: not logged in: nothing to log out of\n");
    user.run(&["logout", "local"]).failed(
        4,
        "error: not logged in to 'local': nothing to log out of\n",
    );
    assert!(provider.requests_to("/token/revocation").len() == 2);
}
