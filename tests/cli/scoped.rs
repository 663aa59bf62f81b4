//! `token --scope`: one login, many APIs. A token for fewer scopes is got with the login's
//! refresh token (RFC 6749 §6 `scope`), kept with the login, handed out again while it lasts,
//! asked for once by many processes at a time, and revoked and forgotten by `logout`; a scope
//! the provider refuses is named. Against the real provider (oidc-provider).

use serde_json::Value;

use crate::support::*;

/// The `scope` of every refresh request the provider saw, in order.
fn refresh_scopes(provider: &Provider) -> Vec<Option<String>> {
    provider
        .requests_to("/token")
        .iter()
        .filter(|r| r["form"]["grant_type"] == "refresh_token")
        .map(|r| r["form"]["scope"].as_str().map(str::to_owned))
        .collect()
}

fn json(text: &str) -> Value {
    serde_json::from_str(text).unwrap()
}

#[test]
fn a_token_for_fewer_scopes_comes_from_the_refresh_token_and_is_kept_with_the_login() {
    let provider = Provider::start();
    let user = file_login(&provider);
    let before = user.stored("local");

    let r = user.run(&[
        "token", "--scope", "openid", "--scope", "email", "--format", "json",
    ]);
    assert_eq!((r.code, r.stderr.as_str()), (0, ""), "{r:#?}");
    let doc = json(&r.stdout);
    let token = doc["token"].as_str().unwrap().to_owned();
    assert_ne!(token, before["access_token"].as_str().unwrap());
    assert_eq!(doc["token_type"], "Bearer");
    assert_eq!(doc["scopes"], serde_json::json!(["openid", "email"]));
    assert!(
        (3590..=3600).contains(&doc["expires_in"].as_i64().unwrap()),
        "{doc}"
    );
    // One refresh, asking for the scopes as a set in one order.
    assert_eq!(refresh_scopes(&provider), [Some("email openid".to_owned())]);
    assert!(provider.is_active(&token));

    // Kept with the login; the login's own token untouched, its rotated refresh token kept.
    let after = user.stored("local");
    assert_eq!(after["access_token"], before["access_token"]);
    assert_ne!(after["refresh_token"], before["refresh_token"]);
    assert_eq!(
        after["scoped"][0]["asked"],
        serde_json::json!(["email", "openid"])
    );
    assert_eq!(after["scoped"][0]["access_token"], token.as_str());

    // The same scopes in any order are the same token, with no request; so is the login's own.
    assert_eq!(
        user.ok(&["token", "--scope", "email", "--scope", "openid"]),
        format!("{token}\n")
    );
    assert_eq!(
        user.ok(&[
            "token", "--scope", "email", "--scope", "openid", "--scope", "email"
        ]),
        format!("{token}\n")
    );
    assert_eq!(
        user.ok(&["token"]),
        format!("{}\n", before["access_token"].as_str().unwrap())
    );
    assert_eq!(refresh_scopes(&provider).len(), 1);

    // The rotated refresh token still refreshes the login itself.
    let r = user.run(&["token", "--min-ttl", "3600"]);
    assert_eq!(r.code, 0, "{r:#?}");
    assert_eq!(
        refresh_scopes(&provider),
        [Some("email openid".to_owned()), None]
    );
}

#[test]
fn logout_revokes_the_tokens_for_other_scopes_too() {
    let provider = Provider::start();
    let user = file_login(&provider);
    let a = user.ok(&["token", "--scope", "openid"]);
    let b = user.ok(&["token", "--scope", "email"]);
    let own = user.stored("local")["access_token"]
        .as_str()
        .unwrap()
        .to_owned();
    for t in [&a, &b, &own] {
        assert!(provider.is_active(t.trim()));
    }
    let r = user.run(&["logout"]);
    assert_eq!(r.code, 0, "{r:#?}");
    assert_eq!(
        r.stderr,
        "Revoked the refresh token and the access token and the 2 for other scopes at local.\n"
    );
    let revoked: Vec<Value> = provider
        .requests_to("/token/revocation")
        .iter()
        .map(|r| r["form"]["token_type_hint"].clone())
        .collect();
    assert_eq!(
        revoked,
        [
            "refresh_token",
            "access_token",
            "access_token",
            "access_token"
        ]
    );
    for t in [&a, &b, &own] {
        assert!(!provider.is_active(t.trim()));
    }
    assert!(!user.token_file("local").exists());
}

#[test]
fn a_scope_the_login_was_not_granted_is_named_and_nothing_stored_changes() {
    let provider = Provider::start();
    let user = file_login(&provider);
    let before = std::fs::read(user.token_file("local")).unwrap();
    let r = user.run(&["token", "--scope", "profile", "--scope", "email"]);
    assert_eq!(r.code, 1, "{r:#?}");
    assert_eq!(r.stdout, "");
    assert_eq!(
        r.error(),
        format!(
            "error: the provider refused the scopes email profile for 'local' ({}/token answered \
             `invalid_scope`: refresh token missing requested scope): a token may be asked only \
             for scopes the login was granted (openid email); to be granted more, log in with \
             them: 'oauthcli login local --scope email --scope profile'; the stored login is \
             unchanged\n",
            provider.issuer
        )
    );
    assert_eq!(
        refresh_scopes(&provider),
        [Some("email profile".to_owned())]
    );
    assert_eq!(std::fs::read(user.token_file("local")).unwrap(), before);
    // The login itself goes on working.
    assert_eq!(user.run(&["token", "--min-ttl", "3600"]).code, 0);
}

#[test]
fn of_two_callers_at_once_one_asks_and_the_other_gets_its_token() {
    let provider = Provider::start();
    let user = file_login(&provider);
    // The first holds the login's lock while the provider is frozen; the second has found no
    // token and waits for the lock, and then finds the first one's.
    provider.signal("STOP");
    let first = user.started(
        &["-v", "token", "--scope", "email"],
        "oauthcli: refreshing at ",
    );
    let second = user.started(
        &["-vv", "token", "--scope", "email"],
        "oauthcli: waiting for another oauthcli process to release ",
    );
    provider.signal("CONT");
    let (first, second) = (first.finish(), second.finish());
    assert_eq!(first.code, 0, "{first:#?}");
    assert_eq!(second.code, 0, "{second:#?}");
    assert_eq!(first.stdout, second.stdout);
    assert!(
        second
            .stderr
            .ends_with("oauthcli: another oauthcli process got the token meanwhile\n"),
        "{}",
        second.stderr
    );
    assert_eq!(refresh_scopes(&provider), [Some("email".to_owned())]);
    assert_eq!(
        user.stored("local")["scoped"][0]["access_token"]
            .as_str()
            .unwrap(),
        first.stdout.trim()
    );
}

#[test]
fn scopes_the_provider_did_not_grant_are_named_and_its_rotated_refresh_token_is_kept() {
    // The hostile provider in its correct mode grants at refresh the login's scopes whatever
    // is asked, and rotates the refresh token.
    let provider = Provider::hostile("none", &[]);
    let user = User::new();
    user.config(&crate::hostile::config(&provider.issuer, ""));
    user.ok(&["login"]);
    let before = user.stored("corp");
    let r = user.run(&["token", "--scope", "api.write"]);
    r.failed(
        1,
        "error: the provider did not grant the scopes api.write to 'corp' (it granted openid \
         email offline_access): the login was not granted them; log in with them: 'oauthcli \
         login corp --scope api.write'\n",
    );
    let after = user.stored("corp");
    assert_ne!(after["refresh_token"], before["refresh_token"]);
    assert_eq!(after["access_token"], before["access_token"]);
    assert!(after.get("scoped").is_none(), "{after}");
    // The new refresh token is the one that works: the old one was used up.
    let r = user.run(&["token", "--min-ttl", "7200"]);
    assert_eq!(r.code, 0, "{r:#?}");
}

#[test]
fn a_refresh_token_refused_in_plain_words_is_recorded_and_a_bare_refusal_is_not() {
    let provider = Provider::start();
    let user = file_login(&provider);
    let rt = user.stored("local")["refresh_token"]
        .as_str()
        .unwrap()
        .to_owned();
    provider.revoke("cli-public", &rt);
    let r = user.run(&["token", "--scope", "email"]);
    assert_eq!(r.code, 4, "{r:#?}");
    assert!(
        r.error().starts_with(&format!(
            "error: the provider no longer accepts the refresh token of 'local' ({}/token \
             answered `invalid_grant`",
            provider.issuer
        )),
        "{}",
        r.stderr
    );
    assert_eq!(user.stored("local")["refresh_refused"], true);

    // An empty 400 may be about the scopes alone: the login is left as it was.
    let provider = Provider::hostile("token-bare-400", &[("BENT_AT", "refresh")]);
    let user = User::new();
    user.config(&crate::hostile::config(&provider.issuer, ""));
    user.ok(&["login"]);
    let before = std::fs::read(user.token_file("corp")).unwrap();
    let r = user.run(&["token", "--scope", "email"]);
    assert_eq!(r.code, 4, "{r:#?}");
    assert_eq!(
        r.error(),
        format!(
            "error: the provider refused a token for the scopes email with the login to 'corp' \
             ({}/token answered HTTP 400 with no OAuth error (an empty body)); if the login was \
             not granted them, log in with them: run 'oauthcli login corp --scope email'\n",
            provider.issuer
        )
    );
    assert_eq!(std::fs::read(user.token_file("corp")).unwrap(), before);
}

#[test]
fn a_login_without_refresh_token_cannot_get_tokens_for_other_scopes() {
    let provider = Provider::start();
    let user = User::new();
    user.config(&local_file_config(
        &provider,
        "scopes = [\"openid\", \"email\"]\n",
    ));
    user.ok(&["login"]);
    assert!(
        user.stored("local")
            .get("refresh_token")
            .is_none_or(Value::is_null)
    );
    let r = user.run(&["token", "--scope", "email"]);
    r.failed(
        4,
        "error: the login to 'local' has no refresh token, so it cannot get tokens for other \
         scopes (email); log in with them instead: run 'oauthcli login local --scope email'\n",
    );
    assert!(refresh_scopes(&provider).is_empty());
}

#[test]
fn scope_and_id_token_together_are_a_usage_error() {
    let user = User::new();
    let r = user.run(&["token", "--scope", "email", "--id-token"]);
    assert_eq!((r.code, r.stdout.as_str()), (2, ""));
    assert!(
        r.stderr
            .starts_with("error: the argument '--scope <S>' cannot be used with '--id-token'"),
        "{}",
        r.stderr
    );
}

/// A login to the Microsoft stand-in with Graph's `User.Read` and an API of the user's own.
fn microsoft(opts: crate::standin::Options) -> (crate::standin::StandIn, User) {
    use crate::standin::*;
    let ms = StandIn::start(Kind::Microsoft, opts);
    let user = User::new();
    user.config(&format!(
        "storage = \"file\"\n[providers.microsoft]\nbase_url = \"{}\"\nclient_id = \
         \"{MS_CLIENT}\"\n",
        ms.base
    ));
    user.ok(&["login", "microsoft", "--scope", GRAPH, "--scope", API]);
    (ms, user)
}

const GRAPH: &str = "https://graph.microsoft.com/User.Read";
const API: &str = "api://my-api/access";

#[test]
fn at_microsoft_one_login_gets_a_token_for_each_resource() {
    let (ms, user) = microsoft(Default::default());
    let graph = user.ok(&["token", "microsoft", "--scope", GRAPH]);
    let api = user.ok(&["token", "microsoft", "--scope", API]);
    assert_ne!(graph, api);
    let token = ms.requests_to("/common/oauth2/v2.0/token");
    let asked: Vec<_> = token[1..]
        .iter()
        .map(|r| r.form["scope"].as_str())
        .collect();
    assert_eq!(asked, [GRAPH, API]);
    for r in &token[1..] {
        assert_eq!(r.form["grant_type"], "refresh_token");
        assert_eq!(r.form["client_id"], crate::standin::MS_CLIENT);
    }
    // Each kept, and handed out again with no request.
    assert_eq!(user.ok(&["token", "microsoft", "--scope", GRAPH]), graph);
    assert_eq!(ms.requests_to("/common/oauth2/v2.0/token").len(), 3);
    let stored = user.stored("microsoft");
    assert_eq!(stored["scoped"].as_array().unwrap().len(), 2);
}

#[test]
fn microsoft_asking_for_consent_to_one_api_leaves_the_login_as_it_was() {
    let (_ms, user) = microsoft(crate::standin::Options {
        ms_refresh_error: Some("consent_required"),
        ..Default::default()
    });
    let before = std::fs::read(user.token_file("microsoft")).unwrap();
    let r = user.run(&["token", "microsoft", "--scope", API]);
    assert_eq!((r.code, r.stdout.as_str()), (4, ""), "{r:#?}");
    assert!(
        r.stderr
            .contains("answered `consent_required` (`invalid_grant`): AADSTS50076"),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr.ends_with(&format!(
            "if the login was not granted them, log in with them: run 'oauthcli login microsoft \
             --scope {API}'\n"
        )),
        "{}",
        r.stderr
    );
    assert_eq!(std::fs::read(user.token_file("microsoft")).unwrap(), before);
    assert!(!user.ok(&["status"]).contains("refused"));
}

#[test]
fn at_gitlab_where_a_refresh_ends_the_access_token_before_it_no_dead_token_is_handed_out() {
    use crate::standin::*;
    let gl = StandIn::start(Kind::GitLab, Options::default());
    let user = User::new();
    user.config(&format!(
        "storage = \"file\"\n[providers.gitlab]\nbase_url = \"{}\"\nclient_id = \"{GITLAB_CLIENT}\"\n",
        gl.base
    ));
    user.ok(&["login", "gitlab"]);
    let own = user.ok(&["token", "gitlab"]);
    let scoped = user.ok(&["token", "gitlab", "--scope", "openid"]);
    assert_ne!(own, scoped);
    assert!(user.stored("gitlab").get("scoped").is_some());
    // That refresh ended the login's own token: the next `token` refreshes, and that ends
    // the token for `openid`, which is forgotten.
    let again = user.ok(&["token", "gitlab"]);
    assert_ne!(again, own);
    assert_eq!(gl.requests_to("/oauth/token").len(), 3);
    assert!(user.stored("gitlab").get("scoped").is_none());
    let scoped_again = user.ok(&["token", "gitlab", "--scope", "openid"]);
    assert_ne!(scoped_again, scoped);
    assert_eq!(gl.requests_to("/oauth/token").len(), 4);
}
