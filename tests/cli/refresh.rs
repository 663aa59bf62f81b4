//! `oauthcli token` refreshing: when it must, with what it sends, and what happens when the
//! provider says no or is gone.

use crate::support::*;

fn logged_in(opts: ProviderOptions, scopes: Option<&str>) -> (Provider, User) {
    let provider = Provider::with(opts);
    let user = User::new();
    let extra = scopes
        .map(|s| format!("scopes = {s}\n"))
        .unwrap_or_default();
    user.config(&format!(
        "storage = \"file\"\n{}",
        openid_config("local", &provider.issuer, "cli-public", &extra)
    ));
    user.ok(&["login"]);
    (provider, user)
}

fn stored(user: &User) -> serde_json::Value {
    read_json(&user.token_file("local"))
}

#[test]
fn min_ttl_forces_a_refresh_with_rotation() {
    let (provider, user) = logged_in(ProviderOptions::default(), None);
    let before = stored(&user);
    let old_rt = before["refresh_token"].as_str().unwrap().to_owned();

    let token = user.ok(&["token", "--min-ttl", "7200"]);
    let after = stored(&user);
    assert_eq!(token.trim(), after["access_token"].as_str().unwrap());
    assert_ne!(token.trim(), before["access_token"].as_str().unwrap());
    assert_eq!(
        provider.userinfo_email(token.trim()).unwrap(),
        "alice@example.com"
    );

    let refreshes = provider.requests_to("/token");
    assert_eq!(refreshes.len(), 2);
    let form = &refreshes[1]["form"];
    assert_eq!(form["grant_type"], "refresh_token");
    assert_eq!(form["refresh_token"], old_rt.as_str());
    assert_eq!(form["client_id"], "cli-public");

    // Rotated: the new refresh token is stored, the old one is dead.
    let new_rt = after["refresh_token"].as_str().unwrap();
    assert_ne!(new_rt, old_rt);
    assert!(!provider.is_active(&old_rt));
    assert!(provider.is_active(new_rt));
    // The identity and binding are kept.
    assert_eq!(after["email"], "alice@example.com");
    assert_eq!(after["issuer"], before["issuer"]);

    // A good token is handed out again without asking the provider.
    assert_eq!(user.ok(&["token"]), token);
    assert_eq!(provider.requests_to("/token").len(), 2);
}

#[test]
fn refresh_without_rotation_keeps_the_refresh_token() {
    let opts = ProviderOptions {
        rotate_refresh: false,
        ..Default::default()
    };
    let (provider, user) = logged_in(opts, None);
    let old_rt = stored(&user)["refresh_token"].as_str().unwrap().to_owned();
    let token = user.ok(&["token", "--min-ttl", "7200"]);
    assert_eq!(provider.requests_to("/token").len(), 2);
    let after = stored(&user);
    assert_eq!(after["refresh_token"], old_rt.as_str());
    assert_eq!(token.trim(), after["access_token"].as_str().unwrap());
    assert!(provider.is_active(&old_rt));
}

#[test]
fn a_token_about_to_expire_is_refreshed() {
    // Tokens live 2 s at this provider: always inside the default 60 s margin.
    let opts = ProviderOptions {
        access_token_ttl: 2,
        ..Default::default()
    };
    let (provider, user) = logged_in(opts, None);
    let first = stored(&user)["access_token"].as_str().unwrap().to_owned();
    let t1 = user.ok(&["token"]);
    let t2 = user.ok(&["token"]);
    assert_ne!(t1.trim(), first);
    assert_ne!(t1, t2);
    assert_eq!(
        provider.grants(),
        ["authorization_code", "refresh_token", "refresh_token"]
    );
}

#[test]
fn no_refresh_token_means_log_in_again() {
    let (provider, user) = logged_in(ProviderOptions::default(), Some("[\"openid\", \"email\"]"));
    assert!(
        stored(&user)
            .get("refresh_token")
            .is_none_or(|v| v.is_null())
    );
    let r = user.run(&["token", "--min-ttl", "7200"]);
    assert_eq!(r.code, 4, "{r:#?}");
    assert_eq!(
        r.stderr,
        "error: the access token of 'local' expires and there is no refresh token: run 'oauthcli login local'\n"
    );
    assert_eq!(provider.requests_to("/token").len(), 1);
}

#[test]
fn provider_down_during_refresh_exits_1_and_keeps_the_login() {
    let (mut provider, user) = logged_in(ProviderOptions::default(), None);
    let before = std::fs::read(user.token_file("local")).unwrap();
    provider.stop();
    let r = user.run(&["token", "--min-ttl", "7200"]);
    assert_eq!(r.code, 1, "{r:#?}");
    assert_eq!(r.stdout, "");
    assert!(
        r.stderr.starts_with(
            "error: refreshing the token of 'local' failed; the stored login is unchanged\n  caused by: request to "
        ),
        "{}",
        r.stderr
    );
    assert_eq!(std::fs::read(user.token_file("local")).unwrap(), before);
    // A good token is still handed out while the provider is down.
    let at = stored(&user)["access_token"].as_str().unwrap().to_owned();
    assert_eq!(user.ok(&["token"]), format!("{at}\n"));
}

#[test]
fn a_refreshed_id_token_is_checked_with_the_keys_kept_from_login_and_fetched_again_when_due() {
    let (provider, user) = logged_in(ProviderOptions::default(), None);
    let keys = stored(&user)["id_token_keys"].clone();
    assert_eq!(
        keys,
        serde_json::json!({"issuer": provider.issuer, "jwks_uri": format!("{}/jwks", provider.issuer)})
    );
    // The keys discovery fetched at login, kept apart from the tokens.
    let kept_file = user.path("home/.local/state/oauthcli/keys/local.json");
    let kept = read_json(&kept_file);
    assert_eq!(kept["jwks_uri"], keys["jwks_uri"]);
    assert!(!kept["jwks"]["keys"].as_array().unwrap().is_empty());
    let rewrite_kept = |edit: &dyn Fn(&mut serde_json::Value)| {
        let mut kept = read_json(&kept_file);
        edit(&mut kept);
        std::fs::write(&kept_file, kept.to_string()).unwrap();
    };
    let refresh = || {
        let from = provider.requests().len();
        user.ok(&["token", "--min-ttl", "7200"]);
        provider.seen(from)
    };
    // The keys kept: the token request alone.
    assert_eq!(refresh(), ["POST /token"]);

    // Kept keys that do not verify the new ID token (the provider rotated them): fetched again.
    rewrite_kept(&|k| k["jwks"] = serde_json::json!({"keys": []}));
    assert_eq!(refresh(), ["POST /token", "GET /jwks"]);
    assert_eq!(read_json(&kept_file)["jwks"], kept["jwks"]);

    // Kept a day or more: fetched again, and kept from now.
    rewrite_kept(&|k| k["fetched_at"] = (now() - 24 * 3600).into());
    assert_eq!(refresh(), ["POST /token", "GET /jwks"]);
    assert!(read_json(&kept_file)["fetched_at"].as_i64().unwrap() >= now() - 60);
    assert_eq!(refresh(), ["POST /token"]);

    // A login stored before the keys' place was kept: discovery, once; then it is kept.
    std::fs::remove_file(&kept_file).unwrap();
    let mut set = stored(&user);
    set.as_object_mut().unwrap().remove("id_token_keys");
    std::fs::write(user.token_file("local"), set.to_string()).unwrap();
    assert_eq!(
        refresh(),
        [
            "POST /token",
            "GET /.well-known/openid-configuration",
            "GET /jwks"
        ]
    );
    assert_eq!(stored(&user)["id_token_keys"], keys);
    assert_eq!(refresh(), ["POST /token"]);

    // Keys no longer where they were: discovery says where they are now.
    std::fs::remove_file(&kept_file).unwrap_or_default();
    let mut set = stored(&user);
    set["id_token_keys"]["jwks_uri"] = format!("{}/moved", provider.issuer).into();
    std::fs::write(user.token_file("local"), set.to_string()).unwrap();
    assert_eq!(
        refresh(),
        [
            "POST /token",
            "GET /moved",
            "GET /.well-known/openid-configuration",
            "GET /jwks"
        ]
    );
    assert_eq!(stored(&user)["id_token_keys"], keys);

    // Logout forgets them with the login.
    user.ok(&["logout"]);
    assert!(!kept_file.exists());
}
