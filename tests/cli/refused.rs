//! A refresh token the provider refused (`invalid_grant`, or Microsoft's
//! `interaction_required`): recorded under the login's lock, shown by `status`, never sent
//! again; and at Google, whose refresh tokens come only with a consent, the next login asks
//! for one.

use std::collections::BTreeSet;

use serde_json::Value;

use crate::standin::*;
use crate::support::*;

/// The REFRESH column of `status` for the one login.
fn refresh_column(user: &User) -> String {
    let out = user.ok(&["status"]);
    let header: Vec<&str> = out.lines().next().unwrap().split_whitespace().collect();
    let row: Vec<&str> = out.lines().nth(1).unwrap().split_whitespace().collect();
    let at = header.iter().position(|h| *h == "REFRESH").unwrap();
    // EXPIRES is one word, ACTIVE is `*` here: the columns line up with the header's words.
    row[at].to_owned()
}

fn status_json(user: &User) -> Value {
    serde_json::from_str::<Value>(&user.ok(&["status", "--json"])).unwrap()[0].clone()
}

#[test]
fn a_refused_refresh_token_is_recorded_shown_and_never_sent_again() {
    let provider = Provider::start();
    let user = file_login(&provider);
    let first = user.stored("local");
    provider.revoke("cli-public", first["refresh_token"].as_str().unwrap());

    let r = user.run(&["token", "--min-ttl", "7200"]);
    assert_eq!((r.code, r.stdout.as_str()), (4, ""), "{r:#?}");
    assert!(
        r.stderr.starts_with(&format!(
            "error: the provider no longer accepts the refresh token of 'local' ({}/token \
             answered `invalid_grant`",
            provider.issuer
        )),
        "{}",
        r.stderr
    );
    assert!(r.stderr.ends_with(": run 'oauthcli login local'\n"));
    // Recorded: the refused token is gone from the store, the rest of the login kept.
    let after = user.stored("local");
    assert_eq!(after["refresh_refused"], true);
    assert!(after.get("refresh_token").is_none_or(Value::is_null));
    assert_eq!(after["access_token"], first["access_token"]);
    assert_eq!(after["email"], "alice@example.com");

    // Never sent again: the next call that needs a refresh stops at once.
    let asked = provider.requests_to("/token").len();
    user.run(&["token", "--min-ttl", "7200"]).failed(
        4,
        "error: the refresh token of 'local' was refused by the provider: run 'oauthcli login \
         local'\n",
    );
    assert_eq!(provider.requests_to("/token").len(), asked);
    // The access token itself is still good, and handed out while it is.
    assert_eq!(
        user.ok(&["token"]),
        format!("{}\n", first["access_token"].as_str().unwrap())
    );

    assert_eq!(refresh_column(&user), "refused");
    let row = status_json(&user);
    assert_eq!(
        (&row["refresh_token"], &row["refresh_refused"]),
        (&Value::Bool(false), &Value::Bool(true))
    );
    let doctor = user.run(&["doctor", "local"]).stdout;
    assert!(
        doctor.contains("the provider refused its refresh token, so log in again then\n"),
        "{doctor}"
    );

    // A new login brings a new refresh token, and forgets the refusal.
    user.ok(&["login"]);
    assert_eq!(refresh_column(&user), "yes");
    assert_eq!(status_json(&user)["refresh_refused"], false);
    assert!(user.stored("local").get("refresh_refused").is_none());
    user.ok(&["token", "--min-ttl", "7200"]);
    assert_eq!(provider.grants().last().unwrap(), "refresh_token");
}

fn google_user(g: &StandIn) -> User {
    let user = User::new();
    user.config(&format!(
        "storage = \"file\"\n[providers.google]\nbase_url = \"{}\"\nclient_id = \"{GOOGLE_CLIENT}\"\n\
         client_secret = \"{GOOGLE_SECRET}\"\n",
        g.base
    ));
    user
}

/// The parameters of the `n`th authorization request, with those that change every login
/// (state, nonce, PKCE challenge, the redirect's port) checked and left out.
fn authorize_params(g: &StandIn, n: usize) -> Vec<(String, String)> {
    let q = g.requests_to("/o/oauth2/v2/auth")[n].query.clone();
    let varying = ["state", "nonce", "code_challenge", "redirect_uri"];
    assert_eq!(
        q.keys().filter(|k| varying.contains(&k.as_str())).count(),
        varying.len(),
        "{q:?}"
    );
    assert!(q["redirect_uri"].starts_with("http://127.0.0.1:"), "{q:?}");
    q.into_iter()
        .filter(|(k, _)| !varying.contains(&k.as_str()))
        .collect()
}

fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
    let set: BTreeSet<_> = list
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    set.into_iter().collect()
}

const WITH_CONSENT: &[(&str, &str)] = &[
    ("access_type", "offline"),
    ("client_id", GOOGLE_CLIENT),
    ("code_challenge_method", "S256"),
    ("prompt", "consent"),
    ("response_type", "code"),
    ("scope", "openid email"),
];

#[test]
fn google_asks_for_consent_again_when_its_refresh_token_was_refused() {
    let g = StandIn::start(Kind::Google, Options::default());
    let user = google_user(&g);
    user.ok(&["login", "google"]);
    assert_eq!(authorize_params(&g, 0), pairs(WITH_CONSENT));
    let first_rt = user.stored("google")["refresh_token"].clone();

    // The user removes the app's access in their Google account.
    g.forget_refresh_tokens();
    let r = user.run(&["token", "--min-ttl", "7200"]);
    assert_eq!(r.code, 4, "{r:#?}");
    assert_eq!(
        r.stderr,
        format!(
            "error: the provider no longer accepts the refresh token of 'google' ({}/token \
             answered `invalid_grant`: refresh token unknown, expired or revoked): run 'oauthcli \
             login google'\n",
            g.base
        )
    );
    let asked = g.requests_to("/token").len();
    user.run(&["token", "--min-ttl", "7200"]).failed(
        4,
        "error: the refresh token of 'google' was refused by the provider: run 'oauthcli login \
         google'\n",
    );
    assert_eq!(g.requests_to("/token").len(), asked);
    assert_eq!(refresh_column(&user), "refused");

    // A refused refresh token counts as none: consent is asked, and a new one comes.
    user.ok(&["login", "google"]);
    assert_eq!(authorize_params(&g, 1), pairs(WITH_CONSENT));
    let second = user.stored("google");
    assert!(second["refresh_token"].is_string(), "{second}");
    assert_ne!(second["refresh_token"], first_rt);
    assert_eq!(refresh_column(&user), "yes");
    user.ok(&["token", "--min-ttl", "7200"]);
    let refresh = g.requests_to("/token").pop().unwrap();
    assert_eq!(refresh.form["grant_type"], "refresh_token");
    assert_eq!(refresh.form["refresh_token"], second["refresh_token"]);
}

#[test]
fn google_login_as_another_account_does_not_keep_the_first_ones_refresh_token() {
    let g = StandIn::start(Kind::Google, Options::default());
    let user = google_user(&g);
    user.ok(&["login", "google"]);

    // Another Google account that consented before: with a refresh token stored, no consent
    // is asked, and Google sends none.
    g.switch_account("222222222222222222222");
    let r = user.run(&["login", "google"]);
    assert_eq!(r.code, 0, "{r:#?}");
    let mut without_consent = pairs(WITH_CONSENT);
    without_consent.retain(|(k, _)| k != "prompt");
    assert_eq!(authorize_params(&g, 1), without_consent);
    let stored = user.stored("google");
    assert_eq!(stored["subject"], "222222222222222222222");
    assert!(
        stored.get("refresh_token").is_none_or(Value::is_null),
        "{stored}"
    );
    let at = chrono::DateTime::from_timestamp(stored["expires_at"].as_i64().unwrap(), 0)
        .unwrap()
        .to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    assert!(
        r.stderr.ends_with(&format!(
            "\nNote: the provider sent no refresh token, so 'oauthcli token google' works until the \
             access token expires ({at}), and then needs a new login. The refresh token stored \
             before was another account's: it is not kept. Log in again to get one: with no \
             refresh token stored, 'oauthcli login google' asks for consent, and the provider \
             sends one with it.\n"
        )),
        "{}",
        r.stderr
    );

    // As it says: the next login asks for consent and gets one.
    user.ok(&["login", "google"]);
    assert_eq!(authorize_params(&g, 2), pairs(WITH_CONSENT));
    assert!(user.stored("google")["refresh_token"].is_string());
}

#[test]
fn microsoft_asking_for_interaction_at_refresh_means_log_in_again() {
    let ms = StandIn::start(
        Kind::Microsoft,
        Options {
            ms_refresh_error: Some("interaction_required"),
            ..Options::default()
        },
    );
    let user = User::new();
    user.config(&format!(
        "storage = \"file\"\n[providers.microsoft]\nbase_url = \"{}\"\nclient_id = \
         \"{MS_CLIENT}\"\n",
        ms.base
    ));
    user.ok(&["login", "microsoft"]);
    let r = user.run(&["token", "--min-ttl", "7200"]);
    assert_eq!(r.code, 4, "{r:#?}");
    assert!(
        r.stderr
            .contains("answered `interaction_required` (`invalid_grant`): AADSTS50076"),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr.ends_with("run 'oauthcli login microsoft'\n"),
        "{}",
        r.stderr
    );
}
