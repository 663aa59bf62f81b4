//! Google's ID tokens may name the issuer without its scheme (`accounts.google.com`): taken
//! for the Google preset only, and only with a good signature (`identity::schemeless_iss`),
//! against the Google stand-in of `standin.rs`.

use crate::standin::*;
use crate::support::*;

fn google(opts: Options) -> (StandIn, User) {
    let g = StandIn::start(Kind::Google, opts);
    let mut user = User::new();
    user.config(&format!(
        "storage = \"file\"\n[providers.google]\nbase_url = \"{}\"\nclient_id = \"{GOOGLE_CLIENT}\"\n",
        g.base
    ));
    user.env("OAUTHCLI_GOOGLE_CLIENT_SECRET", GOOGLE_SECRET);
    (g, user)
}

fn schemeless() -> Options {
    Options {
        google_schemeless_iss: true,
        ..Options::default()
    }
}

#[test]
fn a_google_id_token_naming_the_issuer_without_https_is_taken() {
    let (g, user) = google(schemeless());
    assert_eq!(
        user.ok(&["login", "google"]),
        "Logged in to google as alice@example.com\n"
    );
    let stored = user.stored("google");
    let claims = id_claims(stored["id_token"].as_str().unwrap());
    assert_eq!(claims["iss"], g.base.trim_start_matches("http://"));
    assert_eq!(stored["subject"], "110169484474386276334");
}

#[test]
fn a_schemeless_issuer_with_a_broken_signature_is_refused() {
    let (_g, user) = google(Options {
        bad_signature: true,
        ..schemeless()
    });
    let r = user.run(&["login", "google"]);
    assert_eq!(r.code, 1, "{r:#?}");
    let error = r.error();
    assert!(
        error.starts_with(
            "error: the login to 'google' failed; nothing was stored\n  caused by: the ID token \
             is not valid: Signature verification failed"
        ),
        "{error}"
    );
    assert!(!user.token_file("google").exists());
}

#[test]
fn a_schemeless_issuer_is_refused_for_any_other_provider() {
    // The same provider configured by hand, without the Google preset.
    let g = StandIn::start(Kind::Google, schemeless());
    let mut user = User::new();
    user.config(&format!(
        "storage = \"file\"\n{}",
        openid_config(
            "corp",
            &g.base,
            GOOGLE_CLIENT,
            "token_endpoint_auth_method = \"client_secret_post\"\n"
        )
    ));
    user.env("OAUTHCLI_CORP_CLIENT_SECRET", GOOGLE_SECRET);
    let r = user.run(&["login", "corp"]);
    assert_eq!(r.code, 1, "{r:#?}");
    let error = r.error();
    assert!(
        error.starts_with(
            "error: the login to 'corp' failed; nothing was stored\n  caused by: the ID token is \
             malformed"
        ),
        "{error}"
    );
}

fn id_claims(raw: &str) -> serde_json::Value {
    use base64::Engine as _;
    let payload = raw.split('.').nth(1).unwrap();
    let json = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload)
        .unwrap();
    serde_json::from_slice(&json).unwrap()
}
