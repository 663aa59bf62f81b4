//! Bad input gets a clear error with the right exit code, and nothing stored is lost.

use crate::support::*;

#[test]
fn unknown_provider_exits_2_and_names_the_known_ones() {
    let user = User::new();
    user.config(&openid_config("corp", "https://login.example.com", "x", ""));
    let r = user.run(&["login", "nope"]);
    assert_eq!(r.code, 2);
    assert_eq!(r.stdout, "");
    assert_eq!(
        r.stderr,
        format!(
            "error: unknown provider 'nope' (configured in {}: corp; built in: google, github, microsoft, gitlab, facebook)\n",
            user.config.display()
        )
    );
}

#[test]
fn a_mistyped_provider_gets_a_suggestion() {
    let user = User::new();
    user.config(&openid_config("corp", "https://login.example.com", "x", ""));
    let r = user.run(&["login", "gogle"]);
    assert_eq!(r.code, 2);
    assert_eq!(
        r.stderr,
        format!(
            "error: unknown provider 'gogle': did you mean 'google'? (configured in {}: corp; built \
             in: google, github, microsoft, gitlab, facebook)\n",
            user.config.display()
        )
    );
}

#[test]
fn missing_client_id_says_where_to_put_one() {
    let user = User::new();
    user.config("[providers.corp]\nissuer = \"https://login.example.com\"\n");
    let r = user.run(&["login", "corp"]);
    assert_eq!(r.code, 2);
    assert_eq!(
        r.stderr,
        format!(
            "error: no client id for provider 'corp': set client_id under [providers.corp] in {} or the \
             variable OAUTHCLI_CORP_CLIENT_ID. Register a native (desktop) app at the provider with the \
             redirect URI http://127.0.0.1/callback (any port)\n",
            user.config.display()
        )
    );
}

#[test]
fn invalid_config_names_file_and_line() {
    let user = User::new();
    user.config("[providers.corp]\nissuer = \"https://login.example.com\"\nclient_id = oops\n");
    let r = user.run(&["whoami"]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.starts_with(&format!(
            "error: invalid config file {}, line 3: ",
            user.config.display()
        )),
        "{}",
        r.stderr
    );
    let missing = user.path("no-such.toml");
    let r = user.run(&["--config", missing.to_str().unwrap(), "status"]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.starts_with(&format!(
            "error: cannot read the config file {}: ",
            missing.display()
        )),
        "{}",
        r.stderr
    );
}

#[test]
fn plain_http_off_loopback_is_refused() {
    let user = User::new();
    user.config(&openid_config("corp", "http://login.example.com", "x", ""));
    let r = user.run(&["login", "corp"]);
    assert_eq!(r.code, 2);
    assert_eq!(
        r.stderr,
        format!(
            "error: invalid config file {}: providers.corp.issuer: http://login.example.com/ is not https: \
             only loopback hosts (127.0.0.1, ::1, localhost) may use plain http\n",
            user.config.display()
        )
    );
}

#[test]
fn an_endpoint_with_a_user_name_is_refused_from_config_and_discovery() {
    // `accounts.example.com@` is a user name: the host is evil.example (RFC 3986 §3.2.1).
    let user = User::new();
    user.config(&openid_config(
        "corp",
        "https://login.example.com",
        "x",
        "authorization_endpoint = \"https://accounts.example.com@evil.example/auth\"\n",
    ));
    let r = user.run(&["login", "corp"]);
    assert_eq!(r.code, 2, "{r:#?}");
    assert_eq!(
        r.stderr,
        format!(
            "error: invalid config file {}: providers.corp.authorization_endpoint: \
             https://evil.example/auth carries a user name or password before its host \
             (`user@host`): an endpoint URL may not, and its host is 'evil.example', whatever the \
             part before the '@' suggests\n",
            user.config.display()
        )
    );

    // Discovery naming one is refused before the browser is opened.
    let provider = Provider::hostile("endpoint-userinfo", &[]);
    let user = User::new();
    user.config(&format!(
        "storage = \"file\"\n{}",
        openid_config("corp", &provider.issuer, "cli-public", "")
    ));
    let r = user.run(&["login", "corp"]);
    assert_eq!(r.code, 1, "{r:#?}");
    assert_eq!(
        r.stderr,
        format!(
            "error: provider 'corp' names an endpoint oauthcli will not use; nothing was sent \
             there\n  caused by: {}/auth carries a user name or password before \
             its host (`user@host`): an endpoint URL may not, and its host is '127.0.0.1', \
             whatever the part before the '@' suggests\n",
            provider.issuer
        )
    );
    assert!(provider.requests_to("/auth").is_empty());
    assert!(user.browser_log().is_empty());
    assert!(!user.token_file("corp").exists());
}

#[test]
fn discovery_that_fails_or_names_another_issuer() {
    // Nothing listens on this port once the listener is dropped.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let user = User::new();
    user.config(&openid_config(
        "down",
        &format!("http://127.0.0.1:{port}"),
        "cli-public",
        "",
    ));
    let r = user.run(&["login", "down"]);
    assert_eq!(r.code, 1);
    assert!(
        r.stderr.starts_with(&format!(
            "error: OpenID discovery at http://127.0.0.1:{port} failed (is the issuer URL right and the provider up?)\n"
        )),
        "{}",
        r.stderr
    );

    let provider = Provider::start();
    let other = provider.issuer.replace("127.0.0.1", "localhost");
    user.config(&openid_config("mixed", &other, "cli-public", ""));
    let r = user.run(&["login", "mixed"]);
    assert_eq!(r.code, 2);
    assert_eq!(
        r.stderr,
        format!(
            "error: OpenID discovery at {other} failed: unexpected issuer URI `{}` \
             (expected `{other}`). The issuer in the config must be exactly the provider's own; fix \
             `issuer` if the provider's value is right\n",
            provider.issuer
        )
    );
    assert!(provider.requests_to("/auth").is_empty());
}

#[test]
fn a_busy_port_fails_fast() {
    let provider = Provider::start();
    let user = User::new();
    user.config(&openid_config("local", &provider.issuer, "cli-public", ""));
    let busy = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = busy.local_addr().unwrap().port().to_string();
    let r = user.run(&["login", "--port", &port, "--storage", "file"]);
    assert_eq!(r.code, 1);
    assert_eq!(
        r.stderr,
        format!(
            "error: port {port} on 127.0.0.1 is already in use: pick another --port, or leave it out to use any free port\n"
        )
    );
    assert!(provider.requests_to("/auth").is_empty());
}

/// An earlier good login, to prove that failed logins leave it alone.
fn good_login(provider: &Provider) -> (User, Vec<u8>) {
    let user = file_login(provider);
    let stored = std::fs::read(user.token_file("local")).unwrap();
    (user, stored)
}

#[test]
fn refused_consent_exits_1_and_keeps_the_earlier_login() {
    let provider = Provider::start();
    let (mut user, before) = good_login(&provider);
    user.env("BROWSER_ACTION", "deny");
    let r = user.run(&["login"]);
    assert_eq!(r.code, 1, "{r:#?}");
    assert_eq!(r.stdout, "");
    assert!(
        r.stderr.ends_with(
            "error: the login was refused at the provider (access_denied: End-User aborted interaction); nothing was stored\n"
        ),
        "{}",
        r.stderr
    );
    assert_eq!(provider.requests_to("/token").len(), 1);
    assert_eq!(std::fs::read(user.token_file("local")).unwrap(), before);
    assert_eq!(user.ok(&["whoami"]), "alice@example.com\n");
}

#[test]
fn a_token_endpoint_error_is_shown_and_nothing_is_stored() {
    let provider = Provider::start();
    let (user, before) = good_login(&provider);
    user.config(&format!(
        "storage = \"file\"\n{}",
        openid_config(
            "local",
            &provider.issuer,
            "cli-basic",
            "client_secret = \"wrong\"\n"
        )
    ));
    let r = user.run(&["login"]);
    assert_eq!(r.code, 1, "{r:#?}");
    assert_eq!(
        r.error(),
        format!(
            "error: the login to 'local' failed; nothing was stored\n  caused by: the provider \
             did not accept the client 'cli-basic' with the secret it was given: check \
             client_secret under [providers.local] in {} or the variable \
             OAUTHCLI_LOCAL_CLIENT_SECRET, and token_endpoint_auth_method (client_secret_basic \
             or client_secret_post)\n  caused by: {}/token answered `invalid_client`: client \
             authentication failed\n",
            user.config.display(),
            provider.issuer
        )
    );
    assert_eq!(user.browser_log().last().unwrap()[..4], *"200 ");
    assert_eq!(std::fs::read(user.token_file("local")).unwrap(), before);
    // The old login was made for another client: it is not used under the new one.
    let r = user.run(&["token"]);
    assert_eq!(r.code, 4);
    assert_eq!(
        r.stderr,
        "error: the login stored for 'local' was issued to client 'cli-public', but the config now names \
         client 'cli-basic': run 'oauthcli login local'\n"
    );
}

#[test]
fn timeout_exits_1_and_says_how_to_get_more_time() {
    let provider = Provider::start();
    let mut user = User::new();
    user.config(&openid_config("local", &provider.issuer, "cli-public", ""));
    // A "browser" that never comes back.
    user.env("BROWSER", "true");
    let r = user.run(&["login", "--timeout", "1", "--storage", "file"]);
    assert_eq!(r.code, 1);
    assert!(
        r.stderr.ends_with(
            "error: timed out after 1 s waiting for the browser: run 'oauthcli login local' again \
             (--timeout SECS gives more time); if the browser showed an error of the provider \
             about the redirect URI, register http://127.0.0.1/callback for client 'cli-public' \
             there (a loopback redirect matches any port, RFC 8252 §7.3); for a provider that \
             matches the port too, register http://127.0.0.1:PORT/callback with a port of your \
             choice and set redirect_port = PORT in the config (or use --port PORT)\n"
        ),
        "{}",
        r.stderr
    );
    assert!(!user.token_file("local").exists());
}

#[test]
fn numbers_out_of_range_are_usage_errors() {
    // Clap refuses them before anything is read (exit 2). Against a provider that answers, a
    // huge --timeout used to overflow the listener's deadline and panic (exit 101).
    let provider = Provider::start();
    let mut user = User::new();
    user.config(&format!(
        "storage = \"file\"\n{}",
        openid_config("local", &provider.issuer, "cli-public", "")
    ));
    user.env("BROWSER", "true");
    for (args, shown, range) in [
        (
            &["login", "--timeout", "18446744073709551615"][..],
            "18446744073709551615",
            "1..=86400",
        ),
        (&["login", "--timeout", "86401"][..], "86401", "1..=86400"),
        (&["login", "--timeout", "0"][..], "0", "1..=86400"),
        (
            &["token", "--min-ttl", "31622401"][..],
            "31622401",
            "0..=31622400",
        ),
    ] {
        let r = user.run(args);
        assert_eq!(r.code, 2, "{args:?}: {r:#?}");
        let flag = args[1];
        assert_eq!(
            r.stderr,
            format!(
                "error: invalid value '{shown}' for '{flag} <SECS>': {shown} is not in {range}\n\n\
                 For more information, try '--help'.\n"
            )
        );
    }
    let mut user = User::new();
    user.config(&openid_config("corp", "https://login.example.com", "x", ""));
    user.env("OAUTHCLI_KEYRING_TIMEOUT", "1e300");
    let r = user.run(&["token", "corp"]);
    assert_eq!(r.code, 2, "{r:#?}");
    assert_eq!(
        r.stderr,
        "error: OAUTHCLI_KEYRING_TIMEOUT must be a positive number of seconds, at most 600, not \
         '1e300'\n"
    );
    user.env("OAUTHCLI_HTTP_TIMEOUT", "18446744073709551616");
    user.config(&format!(
        "storage = \"file\"\n{}",
        openid_config("corp", "https://login.example.com", "x", "")
    ));
    let r = user.run(&["login", "corp"]);
    assert_eq!(r.code, 2, "{r:#?}");
    assert_eq!(
        r.stderr,
        "error: $OAUTHCLI_HTTP_TIMEOUT must be a number of seconds from 1 to 600, not \
         \"18446744073709551616\"\n"
    );
}

#[test]
fn no_keychain_shows_the_real_cause_and_the_way_out() {
    let provider = Provider::start();
    let mut user = User::new();
    user.config(&openid_config("local", &provider.issuer, "cli-public", ""));
    user.env("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/bus");
    let cause = "  caused by: cannot connect to the D-Bus session bus at \
                 `unix:path=/nonexistent/bus`: No such file or directory (os error 2)\n";
    let r = user.run(&["login"]);
    assert_eq!(r.code, 1);
    assert_eq!(
        r.stderr,
        format!(
            "error: the OS keychain cannot be reached. Start a Secret Service (gnome-keyring, \
             KeePassXC) and unlock it (README, \"Storage\"), or keep tokens in a private file with \
             --storage file\n{cause}"
        )
    );
    // Checked before the browser: the user did not log in for nothing.
    assert!(provider.requests_to("/auth").is_empty());
    // With no login recorded, the commands that read one have nothing to look for.
    user.run(&["token", "local"]).failed(
        4,
        "error: not logged in to 'local': run 'oauthcli login local'\n",
    );
}

#[test]
fn a_login_in_an_unreachable_keychain_says_the_keychain_must_run() {
    let provider = Provider::start();
    let user = User::new();
    let name = unique("unreachable");
    user.config(&openid_config(&name, &provider.issuer, "cli-public", ""));
    user.ok(&["login", &name]);
    let stored = keychain_entry(&name).unwrap();
    for args in [
        &["token"][..],
        &["whoami", &name],
        &["logout"],
        &["exec", "--", "true"],
    ] {
        let r: Run = user
            .command(args)
            .env("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/bus")
            .output()
            .unwrap()
            .into();
        r.failed(
            1,
            &format!(
                "error: the login to '{name}' is kept in the OS keychain, which cannot be reached: \
                 a Secret Service (gnome-keyring, KeePassXC) must run in this session, unlocked. \
                 Without a desktop session, run oauthcli in one: dbus-run-session -- sh -c 'echo \
                 PASSWORD | gnome-keyring-daemon --unlock --components=secrets >/dev/null; \
                 oauthcli ...' (README, \"Storage\")\n  caused by: cannot connect to the D-Bus session \
                 bus at `unix:path=/nonexistent/bus`: No such file or directory (os error 2)\n"
            ),
        );
    }
    // Nothing was lost or forgotten: with the keychain back, the login is there.
    assert_eq!(keychain_entry(&name).unwrap(), stored);
    assert_eq!(user.ok(&["whoami"]), "alice@example.com\n");
    user.ok(&["logout"]);
}

#[test]
fn logout_with_the_provider_down_still_forgets_and_says_so() {
    let mut provider = Provider::start();
    let (user, _) = good_login(&provider);
    provider.stop();
    let r = user.run(&["logout"]);
    assert_eq!(r.code, 1);
    assert_eq!(r.stdout, "Logged out of local (alice@example.com)\n");
    // Both tokens were tried.
    let revocation = format!("{}/token/revocation", provider.issuer);
    assert!(
        r.stderr.starts_with(&format!(
            "warning: revoking the refresh token: request to {revocation} failed: "
        )),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr.contains(&format!(
            "; revoking the access token: request to {revocation} failed: "
        )),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr.ends_with(
            "error: the tokens of local were deleted here, but revoking them at the provider failed: \
             they may stay valid until they expire\n"
        ),
        "{}",
        r.stderr
    );
    assert!(!user.token_file("local").exists());
    assert_eq!(user.run(&["whoami"]).code, 4);
}

#[test]
fn nothing_logged_in() {
    let user = User::new();
    user.config(&openid_config("corp", "https://login.example.com", "x", ""));
    let r = user.run(&["token"]);
    assert_eq!(r.code, 4);
    assert_eq!(
        r.stderr,
        "error: not logged in: run 'oauthcli login corp'\n"
    );
}

#[test]
fn login_without_a_provider_lists_the_choices() {
    let user = User::new();
    user.config("");
    let r = user.run(&["login"]);
    assert_eq!(r.code, 2);
    assert_eq!(
        r.stderr,
        format!(
            "error: name the provider to log in to: one of the built-in google, github, microsoft, gitlab, facebook, \
             or one you add as a [providers.NAME] table to {} (see the README)\n",
            user.config.display()
        )
    );
}

#[test]
fn help_names_the_exit_codes_and_the_environment() {
    let user = User::new();
    let help = user.ok(&["--help"]);
    assert!(
        help.contains("\nExit codes:\n  0    success\n  1    any other failure"),
        "{help}"
    );
    assert!(help.contains("\n  130  interrupted (Ctrl-C) during a login\n"));
    for var in [
        "OAUTHCLI_CONFIG",
        "OAUTHCLI_PROVIDER",
        "OAUTHCLI_<NAME>_CLIENT_SECRET",
    ] {
        assert!(help.contains(&format!("\n  {var} ")), "{var}: {help}");
    }
}

#[test]
fn logout_with_a_provider_and_all_shows_both_usages() {
    let user = User::new();
    let r = user.run(&["logout", "corp", "--all"]);
    assert_eq!(r.code, 2);
    assert_eq!(
        r.stderr,
        "error: the argument '[PROVIDER]' cannot be used with '--all'\n\n\
         Usage: oauthcli logout [OPTIONS] [PROVIDER]\n       oauthcli logout [OPTIONS] --all\n\n\
         For more information, try '--help'.\n"
    );
}

#[test]
fn a_login_without_an_email_says_what_was_asked_and_how_to_get_one() {
    // The real provider tells the email only for the `email` scope (OpenID Core §5.4).
    let provider = Provider::start();
    let user = User::new();
    user.config(&local_file_config(&provider, "scopes = [\"openid\"]\n"));
    let r = user.run(&["login"]);
    assert_eq!(r.code, 1, "{r:#?}");
    // What follows the URL and the waiting line.
    let error = r.error();
    assert_eq!(
        error,
        format!(
            "error: the login to 'local' failed; nothing was stored\n  caused by: the provider \
             told no verified email address: the ID token has no `email`, and the userinfo \
             endpoint {}/me answered no verified `email`. To fix: ask for the `email` scope \
             ('oauthcli login local --scope email', or add it to `scopes` under \
             [providers.local]); or if the provider's userinfo names the address under another \
             key, set `email_field` under [providers.local]\n",
            provider.issuer
        )
    );
    assert!(!user.token_file("local").exists());
    assert_eq!(provider.requests_to("/me").len(), 1);
}

#[test]
fn a_scope_the_provider_does_not_list_is_named_before_the_browser_opens() {
    let provider = Provider::start();
    let user = User::new();
    user.config(&local_file_config(
        &provider,
        "scopes = [\"openid\", \"email\", \"https://api.example.com/read\"]\n",
    ));
    let r = user.run(&["login", "--scope", "calendar"]);
    let note = "Note: 'local' does not list calendar among the scopes it supports (openid, \
                email, profile, offline_access): if the login is refused, leave it out of \
                `scopes` under [providers.local] and --scope.\n";
    assert!(r.stderr.starts_with(note), "{r:#?}");
    // oidc-provider drops a scope it does not know (OpenID Core §3.1.2.1 lets it ignore
    // unknown scopes): the login goes on.
    assert_eq!(r.code, 0, "{r:#?}");
    let granted = user.stored("local")["scopes"].clone();
    assert!(!granted.to_string().contains("calendar"), "{granted}");
    // And after the login, what it did not grant (RFC 6749 §3.3).
    assert!(
        r.stderr.contains(
            "\nNote: the provider did not grant https://api.example.com/read calendar of the \
             scopes asked for; the login has openid email.\n"
        ),
        "{}",
        r.stderr
    );
}

#[test]
fn a_client_the_token_endpoint_refuses_is_told_which_secret_to_set() {
    // `cli-basic` is a confidential client of the real provider (secret `basic-secret`).
    let provider = Provider::start();
    let user = User::new();
    for (extra, said) in [
        (
            "",
            "the provider did not accept the client 'cli-basic' without a secret: if it is a \
             confidential client, set client_secret under [providers.local] in CONFIG or the \
             variable OAUTHCLI_LOCAL_CLIENT_SECRET; if it should be public, make it so at the \
             provider",
        ),
        (
            "client_secret = \"wrong\"\n",
            "the provider did not accept the client 'cli-basic' with the secret it was given: \
             check client_secret under [providers.local] in CONFIG or the variable \
             OAUTHCLI_LOCAL_CLIENT_SECRET, and token_endpoint_auth_method (client_secret_basic \
             or client_secret_post)",
        ),
    ] {
        user.config(&format!(
            "storage = \"file\"\n{}",
            openid_config("local", &provider.issuer, "cli-basic", extra)
        ));
        let r = user.run(&["login"]);
        assert_eq!(r.code, 1, "{r:#?}");
        let error = r.error();
        let said = said.replace("CONFIG", &user.config.display().to_string());
        assert!(
            error.starts_with(&format!(
                "error: the login to 'local' failed; nothing was stored\n  caused by: {said}\n  \
                 caused by: {}/token answered `invalid_client`",
                provider.issuer
            )),
            "{error}"
        );
        assert!(!user.token_file("local").exists());
    }
}
