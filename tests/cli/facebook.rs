//! The `facebook` preset against the Facebook stand-in (`standin/facebook.rs`): the login
//! dialog at `localhost`, the code exchange and the long-lived swap, `/me` with
//! `appsecret_proof`, the 60-day login's warning and end, the logout's `DELETE
//! /me/permissions`, and a Graph API error at each step. Every request the preset sent is
//! checked. The device login, in Facebook's dialect, is `facebook_device`'s.

use std::collections::BTreeMap;

use crate::standin::*;
use crate::support::*;

pub fn options(facebook: FacebookOptions) -> Options {
    Options {
        facebook,
        ..Options::default()
    }
}

/// A user of the stand-in as `facebook`, its app secret in the environment, `extra` lines
/// in its table, tokens in the file store.
pub fn user_of(fb: &StandIn, extra: &str) -> User {
    let mut user = User::new();
    user.config(&format!(
        "storage = \"file\"\n[providers.facebook]\nbase_url = \"{}\"\nclient_id = \"{FB_APP}\"\n{extra}",
        fb.base
    ));
    user.env("OAUTHCLI_FACEBOOK_CLIENT_SECRET", FB_SECRET);
    user
}

/// The stand-in, with `facebook`'s variations.
pub fn standin(facebook: FacebookOptions) -> StandIn {
    StandIn::start(Kind::Facebook, options(facebook))
}

/// The access token stored for `facebook`.
pub fn access_token(user: &User) -> String {
    user.stored("facebook")["access_token"]
        .as_str()
        .unwrap()
        .to_owned()
}

pub fn pairs(items: &[(&str, &str)]) -> BTreeMap<String, String> {
    items
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

/// The token requests: the code exchange and the long-lived swap, whose form is checked;
/// the short-lived token the swap was given.
fn exchanged(fb: &StandIn, first: &str) -> String {
    let tokens = fb.requests_to("/v25.0/oauth/access_token");
    assert_eq!(tokens.len(), 2, "{tokens:#?}");
    let swap = &tokens[1];
    assert_eq!(swap.method, "POST");
    let short = swap.form["fb_exchange_token"].clone();
    assert!(short.starts_with(first), "{short}");
    assert_eq!(
        swap.form,
        pairs(&[
            ("grant_type", "fb_exchange_token"),
            ("fb_exchange_token", &short),
            ("client_id", FB_APP),
            ("client_secret", FB_SECRET),
        ])
    );
    short
}

#[test]
fn browser_login_swaps_for_a_long_lived_token_and_identifies_with_appsecret_proof() {
    let fb = standin(FacebookOptions {
        require_proof: true,
        ..FacebookOptions::default()
    });
    let user = user_of(&fb, "");
    let r = user.run(&["login", "facebook", "--timeout", "60"]);
    assert_eq!(r.code, 0, "{r:#?}");
    assert_eq!(r.stdout, "Logged in to facebook as alice@example.com\n");

    // The dialog: a localhost redirect, the scopes comma-separated, PKCE S256, no nonce.
    let dialog = fb.requests_to("/v25.0/dialog/oauth");
    assert_eq!(dialog.len(), 1);
    let q = &dialog[0].query;
    let port = login_port(&user.browser_log());
    let redirect = format!("http://localhost:{port}/callback");
    assert_eq!(
        q.keys().map(String::as_str).collect::<Vec<_>>(),
        [
            "client_id",
            "code_challenge",
            "code_challenge_method",
            "redirect_uri",
            "response_type",
            "scope",
            "state"
        ]
    );
    assert_eq!(
        (
            q["client_id"].as_str(),
            q["redirect_uri"].as_str(),
            q["response_type"].as_str(),
            q["scope"].as_str(),
            q["code_challenge_method"].as_str()
        ),
        (
            FB_APP,
            redirect.as_str(),
            "code",
            "public_profile,email",
            "S256"
        )
    );
    let log = user.browser_log();
    assert!(
        log[0].starts_with(&format!("303 {redirect}?code=")),
        "{log:?}"
    );
    assert_eq!(log[1], format!("200 http://localhost:{port}/done"));

    // The code exchange, with the app secret and the verifier; then the swap.
    let exchange = &fb.requests_to("/v25.0/oauth/access_token")[0];
    assert_eq!(exchange.method, "POST");
    assert_eq!(
        exchange.form.keys().map(String::as_str).collect::<Vec<_>>(),
        [
            "client_id",
            "client_secret",
            "code",
            "code_verifier",
            "grant_type",
            "redirect_uri"
        ]
    );
    assert_eq!(exchange.form["client_secret"], FB_SECRET);
    assert_eq!(exchange.form["redirect_uri"], redirect);
    assert_eq!(exchange.form["code_verifier"].len(), 43);
    exchanged(&fb, "EAAShortLived");

    // Who: /me with the long-lived token and its proof.
    let saved = user.stored("facebook");
    let long = saved["access_token"].as_str().unwrap().to_owned();
    assert!(long.starts_with("EAALongLived"), "{long}");
    let me = fb.requests_to("/v25.0/me");
    assert_eq!(me.len(), 1);
    assert_eq!(me[0].method, "GET");
    assert_eq!(
        me[0].header("authorization"),
        Some(format!("Bearer {long}").as_str())
    );
    assert_eq!(
        me[0].query,
        pairs(&[("fields", "id,email"), ("appsecret_proof", &proof(&long))])
    );

    // What is stored: the long-lived token, about 60 days, the account's id; no refresh token.
    let left = saved["expires_at"].as_i64().unwrap() - now();
    assert!(
        (LONG_LIVED as i64 - 10..=LONG_LIVED as i64).contains(&left),
        "{left}"
    );
    assert_eq!(saved["subject"], FB_USER);
    assert_eq!(saved["email"], "alice@example.com");
    assert!(saved["refresh_token"].is_null());
    assert_eq!(
        saved["scopes"],
        serde_json::json!(["public_profile", "email"])
    );
    assert_eq!(
        saved["revocation_endpoint"],
        format!("{}/v25.0/me/permissions", fb.base)
    );
    assert!(
        r.stderr.ends_with(&format!(
            "Note: the provider sent no refresh token, so 'oauthcli token facebook' works until \
             the access token expires ({}), and then needs a new login.\n",
            rfc3339(saved["expires_at"].as_i64().unwrap())
        )),
        "{}",
        r.stderr
    );

    // A token weeks from its end is handed out as it is, with nothing on stderr.
    let t = user.run(&["token"]);
    assert_eq!(
        (t.code, t.stdout, t.stderr),
        (0, format!("{long}\n"), String::new())
    );
    assert_eq!(fb.requests_to("/v25.0/oauth/access_token").len(), 2);

    // Logout takes the app's permissions away: DELETE with the token and its proof.
    let r = user.run(&["logout"]);
    assert_eq!(r.code, 0, "{r:#?}");
    assert_eq!(r.stdout, "Logged out of facebook (alice@example.com)\n");
    assert_eq!(
        r.stderr,
        "Took the app's permissions away at facebook, which ends its login there.\n"
    );
    let deletes: Vec<_> = fb
        .requests()
        .into_iter()
        .filter(|r| r.method == "DELETE")
        .collect();
    assert_eq!(deletes.len(), 1);
    assert_eq!(deletes[0].path, "/v25.0/me/permissions");
    assert_eq!(
        deletes[0].header("authorization"),
        Some(format!("Bearer {long}").as_str())
    );
    assert_eq!(
        deletes[0].query,
        pairs(&[("appsecret_proof", &proof(&long))])
    );
    assert!(!fb.is_active(&long));
    assert!(!user.token_file("facebook").exists());
}

#[test]
fn token_warns_in_the_last_week_of_the_login_and_exits_4_once_it_ended() {
    let fb = standin(FacebookOptions::default());
    let user = user_of(&fb, "");
    user.ok(&["login", "facebook", "--timeout", "60"]);
    let long = access_token(&user);
    // As if time had passed: the stored login ends at `at`.
    let ends = |at: i64| {
        let mut set = user.stored("facebook");
        set["expires_at"] = at.into();
        std::fs::write(user.token_file("facebook"), set.to_string()).unwrap();
    };
    let at = now() + 8 * 86400;
    ends(at);
    assert_eq!(user.run(&["token"]).stderr, "");
    let at = now() + 3 * 86400 - 60;
    ends(at);
    let r = user.run(&["token"]);
    assert_eq!(
        (r.code, r.stdout.as_str()),
        (0, format!("{long}\n").as_str())
    );
    assert_eq!(
        r.stderr,
        format!(
            "warning: the login to 'facebook' ends in 2 days ({}), and the provider gives no \
             refresh token to renew it: run 'oauthcli login facebook' before then\n",
            rfc3339(at)
        )
    );
    // `exec` hands out the same token, and says the same.
    let r = user.run(&["exec", "--", "true"]);
    assert_eq!(r.code, 0, "{r:#?}");
    assert!(
        r.stderr
            .starts_with("warning: the login to 'facebook' ends in 2 days")
    );

    ends(now() - 10);
    user.run(&["token"]).failed(
        4,
        "error: the access token of 'facebook' expires and there is no refresh token: run \
         'oauthcli login facebook'\n",
    );
    // Nothing was asked of Facebook: there is nothing to renew the login with.
    assert_eq!(fb.requests_to("/v25.0/oauth/access_token").len(), 2);
}

/// A login to a stand-in that answers an error at `step`: exit 1, nothing stored, and
/// stderr's end.
fn failed_at(step: &'static str) -> (StandIn, String) {
    let fb = standin(FacebookOptions {
        fail: Some(step),
        ..FacebookOptions::default()
    });
    let user = user_of(&fb, "");
    let r = user.run(&["login", "facebook", "--timeout", "60"]);
    assert_eq!((r.code, r.stdout.as_str()), (1, ""), "{r:#?}");
    assert!(!user.token_file("facebook").exists());
    let tail = r.stderr[r.stderr.find("error: ").unwrap()..].to_owned();
    (fb, tail)
}

#[test]
fn a_graph_api_error_at_each_step_says_what_failed_and_what_to_do() {
    let (fb, err) = failed_at("exchange");
    assert_eq!(
        err,
        format!(
            "error: the login to 'facebook' failed; nothing was stored\n  caused by: \
             {}/v25.0/oauth/access_token answered `error_subcode 36009`: This authorization \
             code has been used. [fbtrace_id AbCdEfGhIjK]\n",
            fb.base
        )
    );
    let (fb, err) = failed_at("long_lived");
    assert_eq!(
        err,
        format!(
            "error: the login to 'facebook' failed; nothing was stored\n  caused by: the \
             provider did not swap the login's short-lived token for a long-lived one: check \
             that client_secret under [providers.facebook] is the app's secret\n  caused by: \
             {}/v25.0/oauth/access_token answered `code 190`: Invalid OAuth access token - \
             Cannot parse access token [fbtrace_id AbCdEfGhIjK]\n",
            fb.base
        )
    );
    let (fb, err) = failed_at("me");
    assert_eq!(
        err,
        format!(
            "error: the login to 'facebook' failed; nothing was stored\n  caused by: could not \
             read who logged in from the Graph API (an app that requires appsecret_proof, \
             \"Require App Secret\" in its advanced settings, needs client_secret to be its App \
             Secret)\n  (1 more between; -v shows them)\n  caused by: OAuthException \
             error_subcode 460: Error validating access token: The session has been \
             invalidated because the user changed their password or Facebook has changed the \
             session for security reasons. [fbtrace_id AbCdEfGhIjK]\n"
        )
    );
    assert_eq!(fb.requests_to("/v25.0/me").len(), 1);

    // A wrong secret fails the exchange, in Facebook's words.
    let fb = standin(FacebookOptions::default());
    let mut user = user_of(&fb, "");
    user.env("OAUTHCLI_FACEBOOK_CLIENT_SECRET", "not-the-secret");
    let r = user.run(&["login", "facebook", "--timeout", "60"]);
    assert!(
        r.stderr.ends_with(&format!(
            "{}/v25.0/oauth/access_token answered `code 1`: Error validating client secret. \
             [fbtrace_id AbCdEfGhIjK]\n",
            fb.base
        )),
        "{}",
        r.stderr
    );

    // A logout that Facebook refuses still forgets the login here, and says what to do.
    let fb = standin(FacebookOptions {
        fail: Some("permissions"),
        ..FacebookOptions::default()
    });
    let user = user_of(&fb, "");
    user.ok(&["login", "facebook", "--timeout", "60"]);
    let r = user.run(&["logout"]);
    assert_eq!(r.code, 1, "{r:#?}");
    assert_eq!(r.stdout, "Logged out of facebook (alice@example.com)\n");
    assert!(
        r.stderr.starts_with(
            "warning: Facebook did not take the app's permissions away: remove the app from the \
             account yourself (Facebook's Settings & privacy > Settings > Apps and websites): \
             DELETE "
        ),
        "{}",
        r.stderr
    );
    assert!(!user.token_file("facebook").exists());
}

#[test]
fn an_account_without_an_email_address_is_refused_saying_why() {
    let fb = standin(FacebookOptions {
        no_email: true,
        ..FacebookOptions::default()
    });
    let user = user_of(&fb, "");
    let r = user.run(&["login", "facebook", "--timeout", "60"]);
    assert_eq!(r.code, 1, "{r:#?}");
    assert!(
        r.stderr.ends_with(&format!(
            "error: the login to 'facebook' failed; nothing was stored\n  caused by: the \
             Facebook account {FB_USER} gave no email address: an account made with a phone \
             number has none (add an email address to it at Facebook, or log in with another \
             account), and a login that declined the email permission gives none ('oauthcli \
             logout facebook' takes the app away from the account, and the next login asks for \
             every permission again)\n"
        )),
        "{}",
        r.stderr
    );
    assert!(!user.token_file("facebook").exists());
}

#[test]
fn registering_names_development_mode_localhost_and_the_device_login() {
    let user = User::new();
    user.config("storage = \"file\"\n");
    let r = user.run(&["login", "facebook"]);
    r.failed(
        2,
        &format!(
            "error: no client id for provider 'facebook': set client_id under \
             [providers.facebook] in {} or the variable OAUTHCLI_FACEBOOK_CLIENT_ID. Create an \
             app with Facebook Login at https://developers.facebook.com/apps/, then set \
             client_id to its App ID and client_secret to its App Secret (App settings > \
             Basic): Facebook wants the secret for every login. Facebook takes only the \
             redirect URIs listed under Facebook Login > Settings > Valid OAuth Redirect URIs, \
             exactly and over https, but while the app is in development mode it takes \
             http://localhost/callback on any port without anything registered (only people \
             with a role on the app can log in then); a live app takes no loopback redirect: \
             log in with --device instead (Facebook Login for Devices: turn on \"Login from \
             Devices\" under Facebook Login > Settings, and set client_token to the app's \
             client token, App settings > Advanced)\n",
            user.config.display()
        ),
    );
}

#[test]
fn graph_version_moves_every_endpoint_and_other_presets_refuse_it() {
    let fb = standin(FacebookOptions::default());
    let user = user_of(&fb, "graph_version = \"v26.0\"\n");
    user.ok(&["login", "facebook", "--timeout", "60"]);
    let paths: Vec<String> = fb.requests().into_iter().map(|r| r.path).collect();
    assert_eq!(
        paths,
        [
            "/v26.0/dialog/oauth",
            "/v26.0/oauth/access_token",
            "/v26.0/oauth/access_token",
            "/v26.0/me"
        ]
    );
    user.config("[providers.facebook]\ngraph_version = \"26\"\n");
    let r = user.run(&["login", "facebook"]);
    assert_eq!(r.code, 2, "{r:#?}");
    assert_eq!(
        r.stderr,
        format!(
            "error: invalid config file {}: providers.facebook.graph_version: '26' is not a \
             Graph API version: write it as Facebook does, such as v25.0\n",
            user.config.display()
        )
    );
    user.config("[providers.github]\nclient_token = \"x\"\n");
    let r = user.run(&["login", "github"]);
    assert_eq!(
        r.stderr,
        format!(
            "error: invalid config file {}: providers.github.client_token: the github preset \
             has no client_token\n",
            user.config.display()
        )
    );
}
