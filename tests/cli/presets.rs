//! The built-in presets against local stand-ins of their providers (`standin.rs`): the real
//! preset code, pointed at 127.0.0.1 by `base_url`, and the exact requests each one sent.

use std::collections::BTreeMap;

use crate::standin::*;
use crate::support::*;

/// A user whose logins go to token files, with this config after `storage = "file"`.
fn user(config: &str) -> User {
    let user = User::new();
    user.config(&format!("storage = \"file\"\n{config}"));
    user
}

fn stored(user: &User, provider: &str) -> serde_json::Value {
    read_json(&user.token_file(provider))
}

fn form(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

fn is_loopback_callback(uri: &str) -> bool {
    uri.starts_with("http://127.0.0.1:") && uri.ends_with("/callback")
}

#[test]
fn google_desktop_client_from_the_consoles_json_file() {
    let g = StandIn::start(Kind::Google, Options::default());
    let user = user(&format!(
        "[providers.google]\nbase_url = \"{}\"\nclient_secrets_file = \"~/Downloads/client_secret_1234.json\"\n",
        g.base
    ));
    // The file as Google's console downloads it for a "Desktop app" client.
    let downloads = user.path("home/Downloads");
    std::fs::create_dir_all(&downloads).unwrap();
    std::fs::write(
        downloads.join("client_secret_1234.json"),
        serde_json::json!({"installed": {
            "client_id": GOOGLE_CLIENT, "project_id": "standin",
            "auth_uri": "https://accounts.google.com/o/oauth2/auth",
            "token_uri": "https://oauth2.googleapis.com/token",
            "auth_provider_x509_cert_url": "https://www.googleapis.com/oauth2/v1/certs",
            "client_secret": GOOGLE_SECRET, "redirect_uris": ["http://localhost"]
        }})
        .to_string(),
    )
    .unwrap();

    let r = user.run(&["login", "google"]);
    assert_eq!(r.code, 0, "{r:#?}");
    assert_eq!(r.stdout, "Logged in to google as alice@example.com\n");
    let auth = g.requests_to("/o/oauth2/v2/auth");
    assert_eq!(auth.len(), 1);
    let q = &auth[0].query;
    assert_eq!(q["client_id"], GOOGLE_CLIENT);
    assert_eq!(q["scope"], "openid email");
    assert_eq!(q["response_type"], "code");
    assert_eq!(q["access_type"], "offline");
    assert_eq!(q["prompt"], "consent");
    assert_eq!(q["code_challenge_method"], "S256");
    assert_eq!(q["nonce"].len(), 22);
    assert!(is_loopback_callback(&q["redirect_uri"]), "{q:?}");
    let tokens = g.requests_to("/token");
    assert_eq!(tokens.len(), 1);
    let t = &tokens[0];
    assert_eq!(t.method, "POST");
    assert_eq!(t.header("authorization"), None);
    assert_eq!(t.form["grant_type"], "authorization_code");
    assert_eq!(t.form["client_id"], GOOGLE_CLIENT);
    // The desktop client's secret goes in the body, as Google documents it.
    assert_eq!(t.form["client_secret"], GOOGLE_SECRET);
    assert_eq!(t.form["redirect_uri"], q["redirect_uri"]);
    assert_eq!(t.form["code_verifier"].len(), 43);
    let first = stored(&user, "google");
    let refresh_token = first["refresh_token"].as_str().unwrap().to_owned();
    assert_eq!(first["issuer"], g.base.as_str());
    assert_eq!(first["client_id"], GOOGLE_CLIENT);
    assert_eq!(first["revocation_endpoint"], format!("{}/revoke", g.base));

    // Logged in again with a refresh token stored: no consent is forced, Google sends no new
    // refresh token, and the stored one is kept.
    assert_eq!(
        user.ok(&["login", "google"]),
        "Logged in to google as alice@example.com\n"
    );
    let auth = g.requests_to("/o/oauth2/v2/auth");
    assert_eq!(auth[1].query["access_type"], "offline");
    assert_eq!(auth[1].query.get("prompt"), None);
    let second = stored(&user, "google");
    assert_eq!(second["refresh_token"], refresh_token.as_str());
    assert_ne!(second["access_token"], first["access_token"]);

    // A refresh sends the secret too.
    let token = user.ok(&["token", "--min-ttl", "7200"]);
    let refresh = &g.requests_to("/token")[2];
    assert_eq!(
        refresh.form,
        form(&[
            ("grant_type", "refresh_token"),
            ("refresh_token", &refresh_token),
            ("client_id", GOOGLE_CLIENT),
            ("client_secret", GOOGLE_SECRET),
        ])
    );
    assert!(g.is_active(token.trim()));

    // Revoking the refresh token ends Google's grant: one call, the access token dies with it.
    let r = user.run(&["logout"]);
    assert_eq!(r.code, 0, "{r:#?}");
    assert_eq!(r.stdout, "Logged out of google (alice@example.com)\n");
    assert_eq!(r.stderr, "Revoked the refresh token at google.\n");
    let revocations = g.requests_to("/revoke");
    assert_eq!(revocations.len(), 1);
    assert_eq!(revocations[0].form["token"], refresh_token);
    assert_eq!(revocations[0].form["token_type_hint"], "refresh_token");
    assert!(!g.is_active(token.trim()));
    assert!(!user.token_file("google").exists());
}

#[test]
fn a_preset_that_needs_a_secret_says_so_before_the_browser_opens() {
    let mut user = user("");
    user.env("OAUTHCLI_GOOGLE_CLIENT_ID", GOOGLE_CLIENT);
    let r = user.run(&["login", "google"]);
    assert_eq!(r.code, 2, "{r:#?}");
    assert_eq!(
        r.stderr,
        format!(
            "error: the google preset needs the client secret but none is configured: set \
             client_secret under [providers.google] in {} or the variable OAUTHCLI_GOOGLE_CLIENT_SECRET\n",
            user.config.display()
        )
    );
    assert!(user.browser_log().is_empty());
}

#[test]
fn a_missing_client_id_names_the_console_the_app_type_and_the_redirect_uri() {
    let user = user(
        "[providers.work]\npreset = \"gitlab\"\nbase_url = \"https://git.example.com\"\nredirect_port = 8765\n",
    );
    let expect = [
        (
            "google",
            vec![
                "https://console.cloud.google.com/apis/credentials",
                "application type \"Desktop app\"",
                "http://127.0.0.1:PORT/callback on any port",
                "client_secrets_file",
            ],
        ),
        (
            "github",
            vec![
                "https://github.com/settings/applications/new",
                "GitHub App at https://github.com/settings/apps/new",
                "callback URL http://127.0.0.1/callback",
                "ignores the port",
            ],
        ),
        (
            "microsoft",
            vec![
                "https://entra.microsoft.com",
                "\"Mobile and desktop applications\"",
                "redirect URI http://127.0.0.1/callback",
                "Manifest (replyUrlsWithType)",
                "No client secret",
            ],
        ),
        (
            "gitlab",
            vec![
                "https://gitlab.com/-/user_settings/applications",
                "untick \"Confidential\"",
                "redirect URI http://127.0.0.1/callback.",
                "any port (RFC 8252 §7.3)",
                "redirect_port = PORT",
            ],
        ),
    ];
    for (name, parts) in expect {
        let r = user.run(&["login", name]);
        assert_eq!(r.code, 2, "{r:#?}");
        let var = format!("OAUTHCLI_{}_CLIENT_ID", name.to_uppercase());
        assert!(
            r.stderr.starts_with(&format!(
                "error: no client id for provider '{name}': set client_id under [providers.{name}] in {} or the variable {var}. ",
                user.config.display()
            )),
            "{}",
            r.stderr
        );
        for part in parts {
            assert!(
                r.stderr.contains(part),
                "{name}: {part:?} not in {}",
                r.stderr
            );
        }
    }
    // A fixed port is part of the URI to register; a self-managed GitLab names its own console.
    let r = user.run(&["login", "work"]);
    assert_eq!(
        r.stderr,
        format!(
            "error: no client id for provider 'work': set client_id under [providers.work] in {} or the \
             variable OAUTHCLI_WORK_CLIENT_ID. Register an application at \
             https://git.example.com/-/user_settings/applications (or under a group or the instance's \
             admin area), untick \"Confidential\", tick the scopes openid and email, with the redirect URI \
             http://127.0.0.1:8765/callback. GitLab accepts a 127.0.0.1 redirect on any port (RFC 8252 §7.3); \
             an instance that demands the exact port needs http://127.0.0.1:PORT/callback registered and \
             redirect_port = PORT in the config\n",
            user.config.display()
        )
    );
}

#[test]
fn github_oauth_app_on_enterprise_server_with_classic_tokens() {
    let gh = StandIn::start(Kind::GitHub, Options::default());
    let mut user = user(&format!(
        "[providers.github]\nbase_url = \"{}\"\nclient_id = \"{GITHUB_CLIENT}\"\n",
        gh.base
    ));
    user.env("OAUTHCLI_GITHUB_CLIENT_SECRET", GITHUB_SECRET);
    let r = user.run(&["login", "github", "--scope", "repo"]);
    assert_eq!(r.code, 0, "{r:#?}");
    assert_eq!(r.stdout, "Logged in to github as alice@example.com\n");

    let auth = gh.requests_to("/login/oauth/authorize");
    assert_eq!(auth.len(), 1);
    let q = &auth[0].query;
    assert_eq!(q["client_id"], GITHUB_CLIENT);
    assert_eq!(q["scope"], "user:email repo");
    assert_eq!(q["code_challenge_method"], "S256");
    assert_eq!(q.get("nonce"), None, "GitHub is not OpenID");
    assert!(is_loopback_callback(&q["redirect_uri"]));
    let tokens = gh.requests_to("/login/oauth/access_token");
    assert_eq!(tokens.len(), 1);
    let t = &tokens[0];
    // JSON only when asked for.
    assert_eq!(t.header("accept"), Some("application/json"));
    assert_eq!(t.header("authorization"), None);
    assert_eq!(t.form["client_id"], GITHUB_CLIENT);
    assert_eq!(t.form["client_secret"], GITHUB_SECRET);
    assert_eq!(t.form["grant_type"], "authorization_code");
    assert_eq!(t.form["redirect_uri"], q["redirect_uri"]);
    assert_eq!(t.form["code_verifier"].len(), 43);
    // The email: the primary verified one, with a User-Agent.
    let emails = gh.requests_to("/api/v3/user/emails");
    assert_eq!(emails.len(), 1);
    let saved = stored(&user, "github");
    let token = saved["access_token"].as_str().unwrap().to_owned();
    assert!(token.starts_with("gho_"));
    // GitHub grants `user:email,repo`: two scopes.
    assert_eq!(saved["scopes"], serde_json::json!(["user:email", "repo"]));
    assert_eq!(
        emails[0].header("authorization"),
        Some(format!("Bearer {token}").as_str())
    );
    assert!(
        emails[0]
            .header("user-agent")
            .is_some_and(|ua| ua.starts_with("oauthcli/"))
    );
    assert!(gh.requests_to("/api/v3/user").is_empty());
    // A classic token has no expiry and no refresh token: it is used as long as GitHub takes it.
    assert!(saved["expires_at"].is_null());
    assert!(saved.get("refresh_token").is_none_or(|v| v.is_null()));
    assert_eq!(
        saved["issuer"],
        format!("{}/login/oauth/access_token", gh.base)
    );
    assert_eq!(
        user.ok(&["token", "--min-ttl", "999999"]),
        format!("{token}\n")
    );
    assert_eq!(gh.requests_to("/login/oauth/access_token").len(), 1);
    let status = user.ok(&["status"]);
    assert!(status.contains("  never  "), "{status}");

    let r = user.run(&["logout"]);
    assert_eq!(r.code, 0, "{r:#?}");
    assert_eq!(r.stdout, "Logged out of github (alice@example.com)\n");
    assert_eq!(r.stderr, "Revoked the access token at github.\n");
    let deletes: Vec<_> = gh
        .requests()
        .into_iter()
        .filter(|r| r.method == "DELETE")
        .collect();
    assert_eq!(deletes.len(), 1);
    assert_eq!(
        deletes[0].path,
        format!("/api/v3/applications/{GITHUB_CLIENT}/token")
    );
    assert_eq!(
        deletes[0].basic(),
        Some((GITHUB_CLIENT.to_owned(), GITHUB_SECRET.to_owned()))
    );
    assert_eq!(deletes[0].header("content-type"), Some("application/json"));
    assert_eq!(
        serde_json::from_str::<serde_json::Value>(&deletes[0].body).unwrap(),
        serde_json::json!({"access_token": token})
    );
    assert!(!gh.is_active(&token));
}

#[test]
fn github_app_tokens_expire_and_their_refresh_tokens_rotate() {
    let gh = StandIn::start(
        Kind::GitHub,
        Options {
            github_app: true,
            ..Options::default()
        },
    );
    let mut user = user(&format!(
        "[providers.github]\nbase_url = \"{}\"\nclient_id = \"{GITHUB_CLIENT}\"\n",
        gh.base
    ));
    user.env("OAUTHCLI_GITHUB_CLIENT_SECRET", GITHUB_SECRET);
    user.ok(&["login", "github"]);
    let first = stored(&user, "github");
    let left = first["expires_at"].as_i64().unwrap() - chrono_now();
    assert!((28790..=28800).contains(&left), "{left}");
    let old_rt = first["refresh_token"].as_str().unwrap().to_owned();
    assert!(old_rt.starts_with("ghr_"));

    let token = user.ok(&["token", "--min-ttl", "30000"]);
    let refresh = &gh.requests_to("/login/oauth/access_token")[1];
    assert_eq!(refresh.header("accept"), Some("application/json"));
    assert_eq!(
        refresh.form,
        form(&[
            ("grant_type", "refresh_token"),
            ("refresh_token", &old_rt),
            ("client_id", GITHUB_CLIENT),
            ("client_secret", GITHUB_SECRET),
        ])
    );
    let second = stored(&user, "github");
    assert_eq!(token.trim(), second["access_token"].as_str().unwrap());
    let new_rt = second["refresh_token"].as_str().unwrap();
    assert_ne!(new_rt, old_rt);
    assert!(!gh.is_active(&old_rt));
    assert!(gh.is_active(new_rt));

    // A dead refresh token is answered with HTTP 200 and `bad_refresh_token`: log in again.
    gh.forget_refresh_tokens();
    let r = user.run(&["token", "--min-ttl", "30000"]);
    assert_eq!(r.code, 4, "{r:#?}");
    assert_eq!(r.stdout, "");
    assert_eq!(
        r.stderr,
        format!(
            "error: the provider no longer accepts the refresh token of 'github' ({}/login/oauth/access_token \
             answered `bad_refresh_token` (`invalid_grant`): The refresh token passed is incorrect or expired.): \
             run 'oauthcli login github'\n",
            gh.base
        )
    );
    // The login is kept, its refresh token dropped as refused.
    let after = stored(&user, "github");
    assert_eq!(after["refresh_refused"], true);
    assert!(after["refresh_token"].is_null());
    assert_eq!(after["access_token"], second["access_token"]);
}

#[test]
fn github_errors_sent_with_http_200_fail_the_login() {
    let gh = StandIn::start(Kind::GitHub, Options::default());
    let mut user = user(&format!(
        "[providers.github]\nbase_url = \"{}\"\nclient_id = \"{GITHUB_CLIENT}\"\n",
        gh.base
    ));
    user.env("OAUTHCLI_GITHUB_CLIENT_SECRET", "not-the-secret");
    let r = user.run(&["login", "github"]);
    assert_eq!(r.code, 1, "{r:#?}");
    assert_eq!(r.stdout, "");
    assert_eq!(
        r.error(),
        format!(
            "error: the login to 'github' failed; nothing was stored\n  caused by: the provider \
             did not accept the client '{GITHUB_CLIENT}' with the secret it was given: check \
             client_secret under [providers.github] in {} or the variable \
             OAUTHCLI_GITHUB_CLIENT_SECRET\n  caused by: {}/login/oauth/access_token answered \
             `incorrect_client_credentials` (`invalid_client`): The client_id and/or \
             client_secret passed are incorrect.\n",
            user.config.display(),
            gh.base
        )
    );
    assert!(!user.token_file("github").exists());
    assert!(gh.requests_to("/api/v3/user/emails").is_empty());
}

#[test]
fn microsoft_common_tenant_with_a_templated_issuer_and_no_email_claim() {
    let ms = StandIn::start(Kind::Microsoft, Options::default());
    let mut user = user(&format!(
        "[providers.microsoft]\nbase_url = \"{}\"\nclient_id = \"{MS_CLIENT}\"\n",
        ms.base
    ));
    // A public client never sends a secret, even one configured by mistake.
    user.env("OAUTHCLI_MICROSOFT_CLIENT_SECRET", "must-not-be-sent");
    let r = user.run(&["login", "microsoft"]);
    assert_eq!(r.code, 0, "{r:#?}");
    assert_eq!(
        r.stdout,
        format!("Logged in to microsoft as {MS_USERNAME}\n")
    );
    assert!(
        r.stderr.contains(&format!(
            "\nThe ID token has no email: using its `preferred_username` ({MS_USERNAME}) as the login's email.\n"
        )),
        "{}",
        r.stderr
    );
    assert_eq!(
        ms.requests_to("/common/v2.0/.well-known/openid-configuration")
            .len(),
        1
    );
    let auth = ms.requests_to("/common/oauth2/v2.0/authorize");
    assert_eq!(auth.len(), 1);
    let q = &auth[0].query;
    assert_eq!(q["client_id"], MS_CLIENT);
    assert_eq!(q["scope"], "openid profile email offline_access");
    assert_eq!(q["code_challenge_method"], "S256");
    assert_eq!(q["nonce"].len(), 22);
    let tokens = ms.requests_to("/common/oauth2/v2.0/token");
    assert_eq!(tokens.len(), 1);
    assert_eq!(tokens[0].header("authorization"), None);
    assert_eq!(tokens[0].form.get("client_secret"), None);
    assert_eq!(tokens[0].form["client_id"], MS_CLIENT);
    assert_eq!(tokens[0].form["code_verifier"].len(), 43);
    let first = stored(&user, "microsoft");
    assert_eq!(first["issuer"], format!("{}/common/v2.0", ms.base));
    assert_eq!(first["email"], MS_USERNAME);
    let old_rt = first["refresh_token"].as_str().unwrap().to_owned();

    // Refresh tokens rotate; the login stays bound to the configured issuer.
    user.ok(&["token", "--min-ttl", "7200"]);
    let refresh = &ms.requests_to("/common/oauth2/v2.0/token")[1];
    assert_eq!(
        refresh.form,
        form(&[
            ("grant_type", "refresh_token"),
            ("refresh_token", &old_rt),
            ("client_id", MS_CLIENT),
        ])
    );
    let second = stored(&user, "microsoft");
    assert_ne!(second["refresh_token"], old_rt.as_str());
    // Its new ID token names the user's tenant, as the login's did: accepted and kept.
    assert_ne!(second["id_token"], first["id_token"]);
    assert_eq!(
        user.ok(&["token", "--id-token"]).trim(),
        second["id_token"].as_str().unwrap()
    );
    assert_eq!(user.ok(&["whoami"]), format!("{MS_USERNAME}\n"));

    // No revocation endpoint: deleted here, and said so.
    let seen = ms.requests().len();
    let r = user.run(&["logout"]);
    assert_eq!(r.code, 0, "{r:#?}");
    assert_eq!(
        r.stdout,
        format!("Logged out of microsoft ({MS_USERNAME})\n")
    );
    assert_eq!(
        r.stderr,
        "Microsoft cannot revoke a single login's tokens: the access token stays valid until it \
         expires (60 to 90 minutes after it was issued), and the refresh token for up to 90 days, \
         unless its sessions are ended (\"Sign out everywhere\" in the account's security \
         settings, or an administrator's Revoke-MgUserSignInSession, which ends every session of \
         the user); the copy here is deleted.\n"
    );
    assert_eq!(ms.requests().len(), seen);
    assert!(!user.token_file("microsoft").exists());
}

#[test]
fn microsoft_organizations_tenant_with_an_email_claim() {
    let ms = StandIn::start(
        Kind::Microsoft,
        Options {
            ms_email: true,
            ..Options::default()
        },
    );
    let user = user(&format!(
        "[providers.microsoft]\nbase_url = \"{}\"\ntenant = \"organizations\"\nclient_id = \"{MS_CLIENT}\"\n",
        ms.base
    ));
    let r = user.run(&["login", "microsoft"]);
    assert_eq!(r.code, 0, "{r:#?}");
    assert_eq!(r.stdout, "Logged in to microsoft as alice@example.com\n");
    assert!(!r.stderr.contains("preferred_username"), "{}", r.stderr);
    assert_eq!(
        ms.requests_to("/organizations/oauth2/v2.0/authorize").len(),
        1
    );
}

#[test]
fn microsoft_id_token_whose_issuer_is_not_its_tenant_is_refused() {
    let ms = StandIn::start(
        Kind::Microsoft,
        Options {
            ms_foreign_issuer: true,
            ..Options::default()
        },
    );
    let user = user(&format!(
        "[providers.microsoft]\nbase_url = \"{}\"\nclient_id = \"{MS_CLIENT}\"\n",
        ms.base
    ));
    let r = user.run(&["login", "microsoft"]);
    assert_eq!(r.code, 1, "{r:#?}");
    assert!(
        r.stderr.contains(
            "error: the login to 'microsoft' failed; nothing was stored\n  caused by: the ID token is not valid: "
        ),
        "{}",
        r.stderr
    );
    assert!(!user.token_file("microsoft").exists());
}

#[test]
fn gitlab_self_managed_through_the_preset_key_with_rotating_refresh_tokens() {
    let gl = StandIn::start(Kind::GitLab, Options::default());
    let mut user = user(&format!(
        "[providers.work]\npreset = \"gitlab\"\nbase_url = \"{}\"\n",
        gl.base
    ));
    user.env("OAUTHCLI_WORK_CLIENT_ID", GITLAB_CLIENT);
    let r = user.run(&["login", "work"]);
    assert_eq!(r.code, 0, "{r:#?}");
    assert_eq!(r.stdout, "Logged in to work as alice@example.com\n");
    let q = &gl.requests_to("/oauth/authorize")[0].query;
    assert_eq!(q["client_id"], GITLAB_CLIENT);
    assert_eq!(q["scope"], "openid email");
    assert_eq!(q["code_challenge_method"], "S256");
    let t = &gl.requests_to("/oauth/token")[0];
    assert_eq!(t.header("authorization"), None);
    assert_eq!(t.form.get("client_secret"), None);
    assert_eq!(t.form["client_id"], GITLAB_CLIENT);
    let first = stored(&user, "work");
    let left = first["expires_at"].as_i64().unwrap() - chrono_now();
    assert!((7190..=7200).contains(&left), "{left}");
    let old_rt = first["refresh_token"].as_str().unwrap().to_owned();

    let token = user.ok(&["token", "--min-ttl", "8000"]);
    let refresh = &gl.requests_to("/oauth/token")[1];
    assert_eq!(
        refresh.form,
        form(&[
            ("grant_type", "refresh_token"),
            ("refresh_token", &old_rt),
            ("client_id", GITLAB_CLIENT),
        ])
    );
    let new_rt = stored(&user, "work")["refresh_token"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_ne!(new_rt, old_rt);
    assert!(!gl.is_active(&old_rt));

    let r = user.run(&["logout"]);
    assert_eq!(r.code, 0, "{r:#?}");
    assert_eq!(r.stderr, "Revoked the refresh token at work.\n");
    // One revocation ends both tokens at GitLab.
    let revocations = gl.requests_to("/oauth/revoke");
    assert_eq!(revocations.len(), 1);
    assert_eq!(
        revocations[0].form,
        form(&[
            ("token", &new_rt),
            ("token_type_hint", "refresh_token"),
            ("client_id", GITLAB_CLIENT),
        ])
    );
    assert!(!gl.is_active(token.trim()));
}

#[test]
fn gitlab_instance_that_matches_the_redirect_port_exactly() {
    // A port no one listens on once this listener is dropped.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let redirect = format!("http://127.0.0.1:{port}/callback");
    let gl = StandIn::start(
        Kind::GitLab,
        Options {
            exact_redirect: Some(redirect.clone()),
            ..Options::default()
        },
    );
    let user = user(&format!(
        "[providers.gitlab]\nbase_url = \"{}\"\nclient_id = \"{GITLAB_CLIENT}\"\nredirect_port = {port}\n",
        gl.base
    ));
    assert_eq!(
        user.ok(&["login", "gitlab"]),
        "Logged in to gitlab as alice@example.com\n"
    );
    assert_eq!(
        gl.requests_to("/oauth/authorize")[0].query["redirect_uri"],
        redirect
    );
}

#[test]
fn providers_lists_presets_and_configured_providers() {
    let mut user = user(
        "[providers.github]\nclient_id = \"x\"\n\
         [providers.work]\npreset = \"gitlab\"\nbase_url = \"https://git.example.com\"\n\
         [providers.corp]\nissuer = \"https://login.example.com\"\n\
         [providers.legacy]\nauthorization_endpoint = \"https://a.example/authorize\"\n\
         token_endpoint = \"https://a.example/token\"\nuserinfo_endpoint = \"https://a.example/me\"\n\
         email_field = \"mail\"\nclient_id = \"l\"\n",
    );
    user.env("OAUTHCLI_MICROSOFT_CLIENT_ID", MS_CLIENT);
    let out = user.ok(&["providers"]);
    let rows: Vec<Vec<&str>> = out
        .lines()
        .map(|l| {
            l.split("  ")
                .map(str::trim)
                .filter(|c| !c.is_empty())
                .collect()
        })
        .collect();
    assert_eq!(
        rows,
        vec![
            vec!["NAME", "KIND", "CLIENT ID", "EMAIL FROM", "DEFINED"],
            vec![
                "google",
                "OpenID",
                "missing",
                "ID token (email), else userinfo (email)",
                "built-in"
            ],
            vec![
                "github",
                "OAuth",
                "yes",
                "GET /user/emails (primary, verified)",
                "built-in + config"
            ],
            vec![
                "microsoft",
                "OpenID",
                "yes",
                "ID token (email, else preferred_username)",
                "built-in"
            ],
            vec![
                "gitlab",
                "OpenID",
                "missing",
                "ID token (email), else userinfo (email)",
                "built-in"
            ],
            vec![
                "facebook",
                "OAuth",
                "missing",
                "Graph API GET /me (id, email)",
                "built-in"
            ],
            vec![
                "corp",
                "OpenID",
                "missing",
                "ID token (email), else userinfo (email)",
                "config"
            ],
            vec!["legacy", "OAuth", "yes", "userinfo (mail)", "config"],
            vec![
                "work",
                "OpenID",
                "missing",
                "ID token (email), else userinfo (email)",
                "config (gitlab preset)"
            ],
        ],
        "{out}"
    );
    // An unknown preset is a configuration error that lists the known ones.
    user.config("[providers.x]\npreset = \"yahoo\"\n");
    let r = user.run(&["login", "x"]);
    assert_eq!(r.code, 2);
    assert_eq!(
        r.stderr,
        format!(
            "error: invalid config file {}: providers.x.preset: no preset is called 'yahoo' (built in: \
             google, github, microsoft, gitlab, facebook)\n",
            user.config.display()
        )
    );
}

fn chrono_now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}
