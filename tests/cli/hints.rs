//! Account hints (README, "Account hints"): `--login-hint` and `login_hint`, `--select-account`,
//! Google's `hd` (checked in the ID token) and Microsoft's `domain_hint`, against the stand-ins
//! of `standin.rs`; the hints refused where no provider would take them; and what Google
//! grants (its URL names for `email` and `profile`, a scope unticked at its granular consent).

use crate::standin::*;
use crate::support::*;

fn google_user(g: &StandIn, extra: &str) -> User {
    let mut user = User::new();
    user.config(&format!(
        "storage = \"file\"\n[providers.google]\nbase_url = \"{}\"\nclient_id = \"{GOOGLE_CLIENT}\"\n{extra}",
        g.base
    ));
    user.env("OAUTHCLI_GOOGLE_CLIENT_SECRET", GOOGLE_SECRET);
    user
}

fn workspace(hd: Option<&'static str>) -> StandIn {
    StandIn::start(
        Kind::Google,
        Options {
            google_hd: hd,
            ..Options::default()
        },
    )
}

#[test]
fn google_gets_the_hints_in_one_authorization_request() {
    let g = workspace(Some("example.com"));
    let user = google_user(
        &g,
        "hd = \"example.com\"\nlogin_hint = \"someone@example.com\"\n",
    );
    let r = user.run(&[
        "login",
        "google",
        "--login-hint",
        "alice@example.com",
        "--select-account",
    ]);
    assert_eq!(r.code, 0, "{r:#?}");
    assert_eq!(r.stdout, "Logged in to google as alice@example.com\n");
    let auth = g.requests_to("/o/oauth2/v2/auth");
    let q = &auth[0].query;
    // The flag wins over the config; both prompts in one list (OpenID Core §3.1.2.1).
    assert_eq!(q["login_hint"], "alice@example.com");
    assert_eq!(q["prompt"], "select_account consent");
    assert_eq!(q["hd"], "example.com");
    assert_eq!(q["access_type"], "offline");
    // Without the flags: the config's hint, and the consent alone (no refresh token stored
    // would ask it; one is stored now, so no prompt at all).
    user.ok(&["login", "google"]);
    let q = &g.requests_to("/o/oauth2/v2/auth")[1].query;
    assert_eq!(q["login_hint"], "someone@example.com");
    assert_eq!(q.get("prompt"), None);
}

#[test]
fn an_account_of_another_domain_than_hd_is_refused() {
    for (hd, account) in [
        (Some("other.org"), "of the domain other.org"),
        (None, "not of a Google Workspace domain"),
    ] {
        let g = workspace(hd);
        let user = google_user(&g, "hd = \"example.com\"\n");
        let r = user.run(&["login", "google"]);
        assert_eq!(r.code, 1, "{r:#?}");
        let error = r.error();
        assert_eq!(
            error,
            format!(
                "error: the login to 'google' failed; nothing was stored\n  caused by: the \
                 account is {account}, not of the Google Workspace domain example.com that `hd` \
                 in the config asks for; log in with an account of example.com \
                 (--select-account shows the account picker), or change `hd` under \
                 [providers.google]\n"
            )
        );
        assert!(!user.token_file("google").exists());
    }
}

#[test]
fn microsoft_gets_its_domain_hint() {
    let ms = StandIn::start(Kind::Microsoft, Options::default());
    let user = User::new();
    user.config(&format!(
        "storage = \"file\"\n[providers.microsoft]\nbase_url = \"{}\"\nclient_id = \
         \"{MS_CLIENT}\"\ndomain_hint = \"contoso.com\"\n",
        ms.base
    ));
    let r = user.run(&["login", "microsoft", "--select-account"]);
    assert_eq!(r.code, 0, "{r:#?}");
    let q = &ms.requests_to("/common/oauth2/v2.0/authorize")[0].query;
    assert_eq!(q["domain_hint"], "contoso.com");
    assert_eq!(q["prompt"], "select_account");
    assert_eq!(q.get("hd"), None);
}

#[test]
fn a_domain_key_of_another_preset_or_a_bad_hint_is_a_usage_error() {
    let user = User::new();
    user.config(&format!(
        "{}hd = \"example.com\"\n",
        openid_config("corp", "https://login.example.com", "x", "")
    ));
    user.run(&["login", "corp"]).failed(
        2,
        &format!(
            "error: invalid config file {}: providers.corp.hd: `hd` is a key of the google \
             preset only\n",
            user.config.display()
        ),
    );
    user.config(&format!(
        "[providers.microsoft]\nclient_id = \"{MS_CLIENT}\"\nhd = \"example.com\"\n"
    ));
    user.run(&["login", "microsoft"]).failed(
        2,
        &format!(
            "error: invalid config file {}: providers.microsoft.hd: `hd` is a key of the google \
             preset only; this provider's preset takes `domain_hint`\n",
            user.config.display()
        ),
    );
    user.config(&openid_config("corp", "https://login.example.com", "x", ""));
    let r = user.run(&["login", "corp", "--login-hint", "a b"]);
    assert_eq!(r.code, 2, "{r:#?}");
    assert!(
        r.stderr.starts_with(
            "error: invalid value 'a b' for '--login-hint <EMAIL>': 'a b' is not an account or \
             a domain"
        ),
        "{}",
        r.stderr
    );
    let r = user.run(&["login", "corp", "--device", "--select-account"]);
    assert_eq!(r.code, 2, "{r:#?}");
}

#[test]
fn google_names_scopes_by_their_urls_and_an_unticked_one_is_said() {
    let drive = "https://www.googleapis.com/auth/drive.readonly";
    // Google's short scope names come back as URLs: nothing is said of them.
    let g = workspace(None);
    let user = google_user(&g, "");
    let r = user.run(&["login", "google", "--scope", drive]);
    assert_eq!(r.code, 0, "{r:#?}");
    assert!(!r.stderr.contains("did not grant"), "{}", r.stderr);
    // Granular consent: the user unticked the drive scope.
    let g = StandIn::start(
        Kind::Google,
        Options {
            google_unticked: &["https://www.googleapis.com/auth/drive.readonly"],
            ..Options::default()
        },
    );
    let user = google_user(&g, "");
    let r = user.run(&["login", "google", "--scope", drive]);
    assert_eq!(r.code, 0, "{r:#?}");
    assert!(
        r.stderr.contains(&format!(
            "\nNote: the provider did not grant {drive} of the scopes asked for; the login has \
             openid https://www.googleapis.com/auth/userinfo.email.\n"
        )),
        "{}",
        r.stderr
    );
}
