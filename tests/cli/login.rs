//! Logging in, using and forgetting a login, end to end.

use crate::support::*;

/// The done-when of the core: login, whoami, token accepted by userinfo, the keychain entry,
/// logout revoking at the provider and deleting the entry, whoami then exit 4.
#[test]
fn public_client_with_the_keychain_from_login_to_logout() {
    let provider = Provider::start();
    let user = User::new();
    let name = unique("kc");
    user.config(&openid_config(&name, &provider.issuer, "cli-public", ""));

    let login = user.run(&["login", &name]);
    assert_eq!(login.code, 0, "{login:#?}");
    assert_eq!(
        login.stdout,
        format!("Logged in to {name} as alice@example.com\n")
    );
    assert!(
        login.stderr.contains(&format!(
            "open this URL in a browser on this machine:\n\n  {}/auth?",
            provider.issuer
        )),
        "{}",
        login.stderr
    );
    // The browser was sent on from the callback to the final page, and got it.
    let log = user.browser_log();
    assert_eq!(log.len(), 2, "{log:?}");
    assert!(log[0].starts_with("303 http://127.0.0.1:"), "{log:?}");
    assert_eq!(
        log[1],
        format!("200 http://127.0.0.1:{}/done", login_port(&log))
    );

    // What the provider saw: one authorization request with S256 PKCE, state and nonce;
    // one code exchange with the verifier, as a public client.
    let auth = provider.requests_to("/auth");
    assert_eq!(auth.len(), 1);
    let q = &auth[0]["query"];
    assert_eq!(q["client_id"], "cli-public");
    assert_eq!(q["response_type"], "code");
    assert_eq!(q["code_challenge_method"], "S256");
    assert_eq!(q["scope"], "openid email offline_access");
    assert!(
        q["redirect_uri"]
            .as_str()
            .unwrap()
            .starts_with("http://127.0.0.1:")
    );
    assert!(q["redirect_uri"].as_str().unwrap().ends_with("/callback"));
    assert_eq!(q["state"].as_str().unwrap().len(), 22);
    assert_eq!(q["nonce"].as_str().unwrap().len(), 22);
    let token_reqs = provider.requests_to("/token");
    assert_eq!(token_reqs.len(), 1);
    let form = &token_reqs[0]["form"];
    assert_eq!(form["grant_type"], "authorization_code");
    assert_eq!(form["client_id"], "cli-public");
    assert_eq!(form["redirect_uri"], q["redirect_uri"]);
    assert_eq!(form["code_verifier"].as_str().unwrap().len(), 43);
    assert!(form.get("client_secret").is_none());
    assert_eq!(token_reqs[0]["authorization"], serde_json::Value::Null);

    // The keychain really holds it (read with secret-tool, not with the binary).
    let entry = keychain_entry(&name).expect("no keychain entry after login");
    assert_eq!(entry["issuer"], provider.issuer.as_str());
    assert_eq!(entry["client_id"], "cli-public");
    assert_eq!(entry["email"], "alice@example.com");
    assert_eq!(entry["subject"], "alice");
    let refresh_token = entry["refresh_token"].as_str().unwrap().to_owned();
    let access_token = entry["access_token"].as_str().unwrap().to_owned();

    assert_eq!(user.ok(&["whoami"]), "alice@example.com\n");
    assert_eq!(user.ok(&["whoami", &name]), "alice@example.com\n");
    let token = user.ok(&["token"]);
    assert_eq!(token, format!("{access_token}\n"));
    assert_eq!(
        provider.userinfo_email(token.trim()).unwrap(),
        "alice@example.com"
    );
    // whoami and a fresh token use no network.
    assert_eq!(provider.requests_to("/token").len(), 1);
    assert_eq!(provider.requests_to("/me").len(), 1);

    let logout = user.run(&["logout"]);
    assert_eq!(logout.code, 0, "{logout:#?}");
    assert_eq!(
        logout.stdout,
        format!("Logged out of {name} (alice@example.com)\n")
    );
    assert_eq!(
        logout.stderr,
        format!("Revoked the refresh token and the access token at {name}.\n")
    );
    let revocations = provider.requests_to("/token/revocation");
    let hints: Vec<_> = revocations
        .iter()
        .map(|r| r["form"]["token_type_hint"].clone())
        .collect();
    assert_eq!(hints, ["refresh_token", "access_token"]);
    assert_eq!(revocations[0]["form"]["token"], refresh_token.as_str());
    assert_eq!(revocations[0]["form"]["client_id"], "cli-public");
    // Dead at the provider, gone from the keychain.
    assert!(!provider.is_active(&refresh_token));
    assert!(!provider.is_active(&access_token));
    assert_eq!(provider.userinfo_email(&access_token), Err(401));
    assert!(keychain_entry(&name).is_none());

    let whoami = user.run(&["whoami", &name]);
    assert_eq!(whoami.code, 4);
    assert_eq!(whoami.stdout, "");
    assert_eq!(
        whoami.stderr,
        format!("error: not logged in to '{name}': run 'oauthcli login {name}'\n")
    );
}

#[test]
fn client_secret_basic_is_chosen_from_discovery() {
    let provider = Provider::start();
    let user = User::new();
    let name = unique("basic");
    user.config(&openid_config(
        &name,
        &provider.issuer,
        "cli-basic",
        "client_secret = \"basic-secret\"\n",
    ));
    assert_eq!(
        user.ok(&["login", &name, "--storage", "file"]),
        format!("Logged in to {name} as alice@example.com\n")
    );
    let token_reqs = provider.requests_to("/token");
    assert_eq!(token_reqs.len(), 1);
    assert_eq!(token_reqs[0]["authorization"], "Basic");
    assert_eq!(token_reqs[0]["client_id"], "cli-basic");
    assert!(token_reqs[0]["form"].get("client_secret").is_none());
    assert!(token_reqs[0]["form"].get("client_id").is_none());
}

#[test]
fn client_secret_post_with_the_secret_from_the_environment() {
    let provider = Provider::start();
    let mut user = User::new();
    let name = unique("post");
    user.config(&openid_config(
        &name,
        &provider.issuer,
        "cli-post",
        "token_endpoint_auth_method = \"client_secret_post\"\n",
    ));
    let var = format!(
        "OAUTHCLI_{}_CLIENT_SECRET",
        name.to_uppercase().replace('-', "_")
    );
    user.env(&var, "post-secret");
    assert_eq!(
        user.ok(&["login", &name, "--storage", "file"]),
        format!("Logged in to {name} as alice@example.com\n")
    );
    let token_reqs = provider.requests_to("/token");
    assert_eq!(token_reqs.len(), 1);
    assert_eq!(token_reqs[0]["authorization"], serde_json::Value::Null);
    assert_eq!(token_reqs[0]["form"]["client_id"], "cli-post");
    assert_eq!(token_reqs[0]["form"]["client_secret"], "post-secret");
}

#[test]
fn file_storage_is_private_and_remembered() {
    let provider = Provider::start();
    let user = User::new();
    user.config(&format!(
        "storage = \"file\"\n{}",
        openid_config("local", &provider.issuer, "cli-public", "")
    ));
    assert_eq!(
        user.ok(&["login"]),
        "Logged in to local as alice@example.com\n"
    );
    let file = user.token_file("local");
    use std::os::unix::fs::PermissionsExt;
    let mode = |p: &std::path::Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(&file), 0o600);
    assert_eq!(mode(file.parent().unwrap()), 0o700);
    let stored = read_json(&file);
    assert_eq!(stored["email"], "alice@example.com");
    assert_eq!(stored["issuer"], provider.issuer.as_str());
    // No temporary file is left beside it.
    let names: Vec<_> = std::fs::read_dir(file.parent().unwrap())
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    assert_eq!(names, ["local.json"]);

    // The login remembers where it is kept: the config no longer says "file".
    user.config(&openid_config("local", &provider.issuer, "cli-public", ""));
    assert_eq!(user.ok(&["whoami"]), "alice@example.com\n");
    let status = user.ok(&["status"]);
    assert!(
        status.starts_with("PROVIDER  EMAIL              ACTIVE  EXPIRES"),
        "{status}"
    );
    assert!(
        status.contains("\nlocal     alice@example.com  *       20"),
        "{status}"
    );
    assert!(status.ends_with("  yes      file\n"), "{status}");
    assert_eq!(
        user.ok(&["logout", "local"]),
        "Logged out of local (alice@example.com)\n"
    );
    assert!(!file.exists());
    assert_eq!(user.run(&["whoami"]).code, 4);
}

#[test]
fn plain_oauth2_provider_with_endpoints_by_hand_and_userinfo() {
    let provider = Provider::start();
    let user = User::new();
    let i = &provider.issuer;
    user.config(&format!(
        "[providers.legacy]\n\
         authorization_endpoint = \"{i}/auth\"\n\
         token_endpoint = \"{i}/token\"\n\
         userinfo_endpoint = \"{i}/me\"\n\
         revocation_endpoint = \"{i}/token/revocation\"\n\
         client_id = \"cli-public\"\n\
         scopes = [\"openid\", \"email\", \"offline_access\"]\n"
    ));
    assert_eq!(
        user.ok(&["login", "legacy", "--storage", "file"]),
        "Logged in to legacy as alice@example.com\n"
    );
    // No discovery; the email came from userinfo.
    assert!(
        provider
            .requests_to("/.well-known/openid-configuration")
            .is_empty()
    );
    let me = provider.requests_to("/me");
    assert_eq!(me.len(), 1);
    assert_eq!(me[0]["authorization"], "Bearer");
    let stored = read_json(&user.token_file("legacy"));
    assert_eq!(stored["issuer"], format!("{i}/token"));
    assert_eq!(stored["subject"], "alice");
    assert_eq!(
        user.ok(&["logout"]),
        "Logged out of legacy (alice@example.com)\n"
    );
    assert_eq!(provider.requests_to("/token/revocation").len(), 2);
}

#[test]
fn no_browser_prints_the_url_and_waits_for_it() {
    use std::io::{BufRead, BufReader};
    let provider = Provider::start();
    let user = User::new();
    user.config(&openid_config("local", &provider.issuer, "cli-public", ""));
    let mut child = user
        .command(&["login", "--no-browser", "--storage", "file"])
        .env("BROWSER", "/bin/false-browser-must-not-run")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut stderr = BufReader::new(child.stderr.take().unwrap());
    let url = loop {
        let mut line = String::new();
        assert!(stderr.read_line(&mut line).unwrap() > 0, "no URL printed");
        if let Some(u) = line
            .trim()
            .strip_prefix(&format!("{}/auth?", provider.issuer))
        {
            break format!("{}/auth?{u}", provider.issuer);
        }
    };
    let browser = std::process::Command::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/support/browser.py"
    ))
    .arg(&url)
    .stderr(std::process::Stdio::null())
    .status()
    .unwrap();
    assert!(browser.success());
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(
        String::from_utf8(out.stdout).unwrap(),
        "Logged in to local as alice@example.com\n"
    );
}

#[test]
fn forged_callbacks_get_400_and_the_login_still_completes() {
    let provider = Provider::start();
    let mut user = User::new();
    user.config(&openid_config("local", &provider.issuer, "cli-public", ""));
    user.env("BROWSER_FORGE", "1");
    assert_eq!(
        user.ok(&["login", "--storage", "file"]),
        "Logged in to local as alice@example.com\n"
    );
    let log = user.browser_log();
    assert_eq!(log.len(), 4, "{log:?}");
    assert!(
        log[0].starts_with("400 ") && log[0].contains("code=forged"),
        "{log:?}"
    );
    assert!(
        log[1].starts_with("400 ") && log[1].contains("error=access_denied"),
        "{log:?}"
    );
    assert!(log[2].starts_with("303 "), "{log:?}");
    assert!(
        log[3].starts_with("200 ") && log[3].ends_with("/done"),
        "{log:?}"
    );
    // Exactly one code exchange: the forged code never reached the provider.
    let token_reqs = provider.requests_to("/token");
    assert_eq!(token_reqs.len(), 1);
    assert_ne!(token_reqs[0]["form"]["code"], "forged");
}

#[test]
fn token_output_formats() {
    let provider = Provider::start();
    let user = file_login(&provider);
    let stored = read_json(&user.token_file("local"));
    let at = stored["access_token"].as_str().unwrap();
    assert_eq!(
        user.ok(&["token", "--format", "header"]),
        format!("Authorization: Bearer {at}\n")
    );
    let json: serde_json::Value =
        serde_json::from_str(&user.ok(&["token", "--format", "json"])).unwrap();
    assert_eq!(json["token"], at);
    // RFC 6750's spelling, whatever case the provider used (RFC 6749 §5.1).
    assert_eq!(json["token_type"], "Bearer");
    assert_eq!(json["scopes"], serde_json::json!(["openid", "email"]));
    let left = json["expires_in"].as_i64().unwrap();
    assert!((3590..=3600).contains(&left), "{left}");
    assert!(json["expires_at"].as_str().unwrap().ends_with('Z'));
    let id = user.ok(&["token", "--id-token"]);
    assert_eq!(id.trim(), stored["id_token"].as_str().unwrap());
    assert_eq!(id.matches('.').count(), 2);
    let who: serde_json::Value = serde_json::from_str(&user.ok(&["whoami", "--json"])).unwrap();
    assert_eq!(
        who,
        serde_json::json!({"provider": "local", "email": "alice@example.com", "subject": "alice",
            "issuer": provider.issuer, "client_id": "cli-public"})
    );
}

#[test]
fn the_most_recent_login_is_active_and_extra_scopes_are_asked_for() {
    let provider = Provider::start();
    let mut user = User::new();
    user.env("OAUTHCLI_STORAGE", "file");
    user.config(&format!(
        "{}{}",
        openid_config("one", &provider.issuer, "cli-public", ""),
        openid_config(
            "two",
            &provider.issuer,
            "cli-basic",
            "client_secret = \"basic-secret\"\n"
        )
    ));
    // Two providers: login must be told which.
    let r = user.run(&["login"]);
    assert_eq!(r.code, 2);
    assert_eq!(
        r.stderr,
        "error: several providers are configured (one, two): name one, as in 'oauthcli login one'\n"
    );
    user.ok(&["login", "one", "--scope", "profile", "--scope", "email"]);
    let scope = &provider.requests_to("/auth")[0]["query"]["scope"];
    assert_eq!(scope, "openid email offline_access profile");
    assert!(user.token_file("one").exists());

    let mut bob = user.command(&["login", "two"]);
    bob.env("BROWSER_LOGIN", "bob");
    let out = bob.output().unwrap();
    assert_eq!(
        String::from_utf8(out.stdout).unwrap(),
        "Logged in to two as bob@example.com\n"
    );
    assert_eq!(user.ok(&["whoami"]), "bob@example.com\n");
    assert_eq!(user.ok(&["whoami", "one"]), "alice@example.com\n");

    // Logging out of the active login makes the only other one active.
    assert_eq!(
        user.ok(&["logout"]),
        "Logged out of two (bob@example.com)\n"
    );
    assert_eq!(user.ok(&["whoami"]), "alice@example.com\n");
}

#[test]
fn a_browser_that_fails_to_start_leaves_the_url_on_the_terminal() {
    let provider = Provider::start();
    let mut user = User::new();
    user.config(&openid_config("local", &provider.issuer, "cli-public", ""));
    // One that is missing, and one that exits 3 at once, as xdg-open does when it finds
    // no browser: each is said in words, and the login goes on with the URL on the terminal.
    let exits = user.path("browser-that-exits-3");
    std::fs::write(&exits, "#!/bin/sh\nexit 3\n").unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&exits, std::fs::Permissions::from_mode(0o755)).unwrap();
    for (browser, why) in [
        (
            "/nonexistent/browser".to_owned(),
            "the browser command '/nonexistent/browser' was not found".to_owned(),
        ),
        (
            exits.display().to_string(),
            format!(
                "the browser command '{}' exited with status 3",
                exits.display()
            ),
        ),
    ] {
        user.env("BROWSER", &browser);
        let r = user.run(&["login", "--timeout", "1", "--storage", "file"]);
        assert_eq!(r.code, 1);
        assert!(
            r.stderr
                .contains(&format!("\n\n  {}/auth?", provider.issuer)),
            "{}",
            r.stderr
        );
        let said = format!("\n\nCould not open a browser: {why}; open the URL above yourself.\n");
        assert!(r.stderr.contains(&said), "{said} missing in {}", r.stderr);
        assert!(!r.stderr.contains("ExitStatus"), "{}", r.stderr);
        assert!(r.stderr.contains("\nWaiting up to 1 s"), "{}", r.stderr);
    }
}
