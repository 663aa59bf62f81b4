//! `oauthcli exec`: the command runs with a valid token in its environment and none of our
//! secrets, and its exit code is ours; it does not run when there is no login.

use crate::support::*;

fn stored_token(user: &User) -> String {
    user.stored("local")["access_token"]
        .as_str()
        .unwrap()
        .to_owned()
}

#[test]
fn the_command_gets_the_token_and_our_exit_code_is_its_own() {
    let provider = Provider::start();
    let mut user = file_login(&provider);
    // Secrets of ours that the command must not see.
    user.env("OAUTHCLI_LOCAL_CLIENT_SECRET", "not-for-the-child");
    user.env("OAUTHCLI_TOKEN", "an-older-token");
    user.env("UNRELATED", "kept");
    let script = "printf '%s\\n' \"${GITHUB_TOKEN-unset}\" \"${OAUTHCLI_TOKEN-unset}\" \
                  \"${OAUTHCLI_LOCAL_CLIENT_SECRET-unset}\" \"$UNRELATED\" \"$*\"; exit 7";
    let r = user.run(&[
        "exec",
        "--env",
        "GITHUB_TOKEN",
        "--",
        "sh",
        "-c",
        script,
        "sh",
        "a b",
        "c",
    ]);
    assert_eq!(r.code, 7, "{r:#?}");
    let token = stored_token(&user);
    assert_eq!(r.stdout, format!("{token}\nunset\nunset\nkept\na b c\n"));
    assert_eq!(r.stderr, "");
    assert_eq!(
        provider.userinfo_email(&token).unwrap(),
        "alice@example.com"
    );

    // The default variable; a token about to expire is refreshed first.
    let r = user.run(&[
        "exec",
        "--min-ttl",
        "7200",
        "--",
        "sh",
        "-c",
        "printf %s \"$OAUTHCLI_TOKEN\"",
    ]);
    assert_eq!(r.code, 0, "{r:#?}");
    let refreshed = stored_token(&user);
    assert_ne!(refreshed, token);
    assert_eq!(r.stdout, refreshed);
    assert_eq!(provider.grants(), ["authorization_code", "refresh_token"]);
}

#[test]
fn a_command_that_cannot_run_exits_like_a_shell() {
    let provider = Provider::start();
    let user = file_login(&provider);
    let r = user.run(&["exec", "--", "no-such-command-oauthcli"]);
    assert_eq!(r.code, 127);
    assert_eq!(
        r.stderr,
        "error: cannot run 'no-such-command-oauthcli': No such file or directory (os error 2)\n"
    );
    assert_eq!(r.stdout, "");
    let dir = user.path("home");
    let r = user.run(&["exec", "--", dir.to_str().unwrap()]);
    assert_eq!(r.code, 126);
    assert_eq!(
        r.stderr,
        format!(
            "error: cannot run '{}': Permission denied (os error 13)\n",
            dir.display()
        )
    );
}

#[test]
fn without_a_login_or_without_a_command_nothing_runs() {
    let user = User::new();
    user.config(&format!(
        "storage = \"file\"\n{}",
        openid_config("corp", "https://login.example.com", "x", "")
    ));
    let marker = user.path("ran");
    let touch = format!("touch {}", marker.display());
    let r = user.run(&["exec", "corp", "--", "sh", "-c", &touch]);
    assert_eq!(r.code, 4);
    assert_eq!(
        r.stderr,
        "error: not logged in to 'corp': run 'oauthcli login corp'\n"
    );
    assert!(!marker.exists());

    // Without `--` the command is taken for a provider name, and clap says what is missing.
    let r = user.run(&["exec", "sh", "-c", &touch]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.starts_with("error: unexpected argument"),
        "{}",
        r.stderr
    );
    let r = user.run(&["exec"]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr
            .starts_with("error: the following required arguments were not provided:\n  <CMD>..."),
        "{}",
        r.stderr
    );
    let r = user.run(&["exec", "--env", "A=B", "--", "true"]);
    assert_eq!(r.code, 2);
    assert_eq!(
        r.stderr,
        "error: --env 'A=B' is not a variable name: give a name like GITHUB_TOKEN\n"
    );
    assert!(!marker.exists());
}
