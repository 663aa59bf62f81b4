//! Endpoints that OpenID discovery leaves out, read from the provider's OAuth 2.0
//! Authorization Server Metadata (RFC 8414) at login, against the hostile provider's
//! `rfc8414-*` modes: its discovery names no revocation endpoint.

use crate::hostile::config;
use crate::support::*;

fn logged_in(mode: &str) -> (Provider, User) {
    let provider = Provider::hostile(mode, &[]);
    let user = User::new();
    user.config(&config(&provider.issuer, ""));
    assert_eq!(
        user.ok(&["login"]),
        "Logged in to corp as alice@example.com\n"
    );
    (provider, user)
}

#[test]
fn logout_revokes_at_the_endpoint_named_only_by_rfc8414_metadata() {
    let (provider, user) = logged_in("rfc8414-revocation");
    let metadata = provider.requests_to("/.well-known/oauth-authorization-server");
    assert_eq!(metadata.len(), 1, "{metadata:#?}");
    assert_eq!(
        user.stored("corp")["revocation_endpoint"],
        format!("{}/revoke", provider.issuer).as_str()
    );
    let out = user.run(&["logout"]);
    assert_eq!(out.code, 0, "{out:#?}");
    assert_eq!(
        out.stderr,
        "Revoked the refresh token and the access token at corp.\n"
    );
    let revoked: Vec<String> = provider
        .requests_to("/revoke")
        .iter()
        .map(|r| r["form"]["token_type_hint"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(revoked, ["refresh_token", "access_token"]);
}

#[test]
fn metadata_for_another_issuer_is_not_used() {
    // RFC 8414 §3.3: the document's issuer must be identical to the one discovery used.
    let (provider, user) = logged_in("rfc8414-foreign");
    assert_eq!(
        provider
            .requests_to("/.well-known/oauth-authorization-server")
            .len(),
        1
    );
    assert!(user.stored("corp")["revocation_endpoint"].is_null());
    let out = user.run(&["logout"]);
    assert_eq!(out.code, 0, "{out:#?}");
    assert!(
        out.stderr
            .starts_with("'corp' cannot revoke tokens (it has no revocation endpoint)"),
        "{}",
        out.stderr
    );
    assert!(provider.requests_to("/revoke").is_empty());
}

#[test]
fn a_provider_whose_discovery_names_every_endpoint_is_not_asked_for_more() {
    let provider = Provider::hostile("device-ok", &[]);
    let user = User::new();
    user.config(&config(&provider.issuer, ""));
    user.ok(&["login"]);
    assert!(
        provider
            .requests_to("/.well-known/oauth-authorization-server")
            .is_empty()
    );
}

#[test]
fn an_endpoint_set_in_the_config_after_the_login_is_used_by_logout() {
    let (provider, user) = logged_in("rfc8414-foreign");
    let cfg = std::fs::read_to_string(&user.config).unwrap();
    user.config(&format!(
        "{cfg}revocation_endpoint = \"{}/revoke\"\n",
        provider.issuer
    ));
    let out = user.run(&["logout"]);
    assert_eq!(out.code, 0, "{out:#?}");
    assert_eq!(provider.requests_to("/revoke").len(), 2);
}
