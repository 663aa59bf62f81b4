//! Who logged in: the email and subject, from a validated ID token or the userinfo endpoint.
//!
//! The ID token is validated per OpenID Core §3.1.3.7 by `openidconnect`: signature
//! against the issuer's JWKS with our algorithm allow-list, `iss`, `aud` (no audience but
//! ours), `exp`, `iat` and the `nonce` we sent; `azp`, which `openidconnect` leaves to its
//! users, is checked here (SECURITY.md row 6). When the email has to come from userinfo, its
//! `sub` must equal the ID token's (OpenID Core §5.3.2). A provider whose ID tokens may lack
//! `email` can name another claim to fall back to (Microsoft: `preferred_username`).

mod schemeless_iss;

pub use schemeless_iss::same_issuer;

use anyhow::{Context, Result, anyhow, bail};
use chrono::{TimeDelta, Utc};
use openidconnect::core::{CoreIdToken, CoreIdTokenVerifier};
use openidconnect::{ClientId, Nonce};

use crate::config::Profile;
use crate::error;
use crate::http::Http;
use crate::presets::{self, EmailSource};
use crate::provider::{Endpoints, OpenId};
use crate::term::escape;
use crate::token::TokenSet;

/// The logged-in user.
#[derive(Debug, Clone, PartialEq)]
pub struct Identity {
    pub email: String,
    pub subject: Option<String>,
    /// The ID token claim the email was taken from instead of `email`, if any.
    pub fallback: Option<&'static str>,
}

/// What a validated ID token says.
pub struct IdClaims {
    pub subject: String,
    pub email: Option<String>,
    /// It carried an `email` that the provider marks unverified (`email_verified` false).
    pub email_unverified: bool,
    /// `exp`, seconds since the Unix epoch.
    pub expires_at: i64,
    /// `iat`, seconds since the Unix epoch.
    pub issued_at: i64,
    pub preferred_username: Option<String>,
}

/// How far the provider's clock may be from ours when `exp` and `iat` are checked
/// (SECURITY.md row 15): enough for clocks kept by NTP, too little to make a stale token fresh.
const CLOCK_LEEWAY: TimeDelta = TimeDelta::seconds(60);

/// Validates an ID token from the token endpoint: in a login's exchange with the `nonce` we
/// sent; in a refresh response with `None`, since a refreshed ID token carries no nonce to
/// compare (OpenID Core §12.2). Everything else is checked the same way in both.
pub fn validate_id_token(
    raw: &str,
    openid: &OpenId,
    client_id: &str,
    nonce: Option<&Nonce>,
) -> Result<IdClaims> {
    let rewritten = schemeless_iss::rewrite(raw, openid)?;
    let token: CoreIdToken = rewritten
        .as_deref()
        .unwrap_or(raw)
        .parse()
        .map_err(|e| anyhow!("the ID token is malformed: {e}"))?;
    let mut verifier = CoreIdTokenVerifier::new_public_client(
        ClientId::new(client_id.to_owned()),
        openid.issuer_for(raw)?,
        openid.jwks.clone(),
    )
    .set_allowed_algs(openid.algs.iter().cloned())
    // `exp` is compared with this clock: set back by the leeway, a token is still taken
    // for CLOCK_LEEWAY after its `exp` (a provider clock slightly ahead of ours).
    .set_time_fn(|| Utc::now() - CLOCK_LEEWAY);
    if rewritten.is_some() {
        // Its signature was checked over the token as the provider sent it.
        verifier = verifier.insecure_disable_signature_check();
    }
    let claims = match nonce {
        Some(nonce) => token.claims(&verifier, nonce),
        None => token.claims(&verifier, |_: Option<&Nonce>| Ok(())),
    }
    .map_err(|e| anyhow!("the ID token is not valid: {e}"))?;
    // OpenID Core §2: `sub` is a non-empty identifier; an empty one names nobody.
    if claims.subject().as_str().is_empty() {
        bail!("the ID token is not valid: its `sub` is empty");
    }
    // §3.1.3.7 step 10: a token issued in the future was not made for this exchange.
    let iat = claims.issue_time();
    if iat > Utc::now() + CLOCK_LEEWAY {
        bail!("the ID token is not valid: it was issued in the future ({iat})");
    }
    // §3.1.3.7 step 5: an `azp` must name us. (Other audiences than ours were refused
    // above, so a token meant for another client cannot pass with `azp` left out.)
    if let Some(azp) = claims.authorized_party()
        && azp.as_str() != client_id
    {
        bail!(
            "the ID token is not valid: it was issued to another client (azp '{}')",
            escape(azp.as_str())
        );
    }
    Ok(IdClaims {
        subject: claims.subject().as_str().to_owned(),
        // An address the provider itself calls unverified (OpenID Core §5.1) names nobody.
        email: claims
            .email()
            .filter(|_| claims.email_verified() != Some(false))
            .map(|e| e.as_str().to_owned()),
        email_unverified: claims.email().is_some() && claims.email_verified() == Some(false),
        expires_at: claims.expiration().timestamp(),
        issued_at: iat.timestamp(),
        preferred_username: claims.preferred_username().map(|u| u.as_str().to_owned()),
    })
}

/// The issuer a refreshed ID token must name: that of the ID token validated at login (OpenID
/// Core §12.2: "the same as in the ID Token issued when the original authentication
/// occurred"). With a tenant issuer (Microsoft) that is the user's tenant, not the configured
/// `.../common/v2.0`; without a stored ID token, the login's issuer.
pub fn original_issuer(set: &TokenSet) -> String {
    set.id_token
        .as_ref()
        .and_then(|t| crate::jwt::unverified_claims(t.expose()).ok())
        .and_then(|claims| claims.get("iss")?.as_str().map(str::to_owned))
        .unwrap_or_else(|| set.issuer.clone())
}

/// Reads the email (at `email_field`) and `sub` from a userinfo endpoint.
pub fn userinfo(
    http: &Http,
    url: &str,
    access_token: &str,
    email_field: &str,
) -> Result<(Option<String>, Option<String>)> {
    let doc = http
        .get_json(url, Some(access_token))
        .context("could not read the userinfo endpoint")?;
    Ok(extract(&doc, email_field))
}

fn extract(doc: &serde_json::Value, email_field: &str) -> (Option<String>, Option<String>) {
    let email = doc
        .get(email_field)
        .and_then(|v| v.as_str())
        .filter(|_| doc.get("email_verified") != Some(&serde_json::Value::Bool(false)))
        .map(str::to_owned);
    // `sub` is a non-empty string in OpenID (Core §5.3.2); some plain OAuth APIs use a
    // number id, and an empty one names nobody.
    let sub = match doc.get("sub") {
        Some(serde_json::Value::String(s)) if !s.is_empty() => Some(s.clone()),
        _ => None,
    };
    (email, sub)
}

/// Decides the identity from what the ID token and userinfo said; with
/// `preferred_username_fallback`, the ID token's `preferred_username` stands in for a missing
/// email (Microsoft). `None` when neither told an email.
pub fn decide(
    id: Option<&IdClaims>,
    info: Option<(Option<String>, Option<String>)>,
    preferred_username_fallback: bool,
) -> Result<Option<Identity>> {
    // OpenID Core §5.3.2: userinfo always carries `sub`, and it must be the ID token's.
    if let (Some(id), Some((_, info_sub))) = (id, &info)
        && info_sub.as_deref() != Some(id.subject.as_str())
    {
        bail!(
            "the userinfo endpoint describes another user (sub '{}') than the ID token (sub '{}'); refusing the login",
            escape(info_sub.as_deref().unwrap_or("")),
            escape(&id.subject)
        );
    }
    let email = id
        .and_then(|c| c.email.clone())
        .or_else(|| info.as_ref().and_then(|(e, _)| e.clone()));
    let (email, used) = match (email, preferred_username_fallback) {
        (Some(e), _) => (Some(e), None),
        (None, true) => (
            id.and_then(|c| c.preferred_username.clone()),
            Some("preferred_username"),
        ),
        (None, false) => (None, None),
    };
    let Some(email) = email else {
        return Ok(None);
    };
    let subject = id
        .map(|c| c.subject.clone())
        .or_else(|| info.and_then(|(_, s)| s));
    Ok(Some(Identity {
        email,
        subject,
        fallback: used,
    }))
}

/// The login told no email: what was looked at, and what would make the provider tell one.
fn no_email(
    profile: &Profile,
    userinfo: Option<&str>,
    scopes: &[String],
    id: Option<&IdClaims>,
) -> anyhow::Error {
    let name = &profile.name;
    let field = &profile.email_field;
    let mut looked = Vec::new();
    let mut fixes = Vec::new();
    match id {
        Some(c) if c.email_unverified => {
            looked.push("the ID token's `email` is marked unverified".to_owned());
            fixes.push("verify the address at the provider".to_owned());
        }
        Some(_) => looked.push("the ID token has no `email`".to_owned()),
        None => {}
    }
    match userinfo {
        Some(url) => looked.push(format!(
            "the userinfo endpoint {url} answered no verified `{field}`"
        )),
        None => looked.push("there is no userinfo endpoint to ask".to_owned()),
    }
    // OpenID Core §5.4: the `email` scope asks for the `email` and `email_verified` claims.
    if id.is_some() && !scopes.iter().any(|s| s == "email") {
        fixes.push(format!(
            "ask for the `email` scope ('oauthcli login {name} --scope email', or add it to \
             `scopes` under [providers.{name}])"
        ));
    }
    if userinfo.is_some() {
        fixes.push(format!(
            "if the provider's userinfo names the address under another key, set `email_field` \
             under [providers.{name}]"
        ));
    }
    anyhow!(
        "the provider told no verified email address: {}. {}",
        looked.join(", and "),
        match fixes.is_empty() {
            true => "The account may have no address at the provider".to_owned(),
            false => format!("To fix: {}", fixes.join("; or ")),
        }
    )
}

/// Who logged in: from the provider's API, the ID token or the userinfo endpoint, as the
/// profile's quirks say.
pub fn identify(
    profile: &Profile,
    ep: &Endpoints,
    http: &Http,
    access_token: &str,
    id_claims: Option<&IdClaims>,
    scopes: &[String],
) -> Result<Identity> {
    let fallback = match (profile.quirks.email, &ep.userinfo) {
        (EmailSource::GitHubEmails, Some(url)) => {
            return Ok(Identity {
                email: presets::github::primary_email(http, url, access_token)?,
                subject: None,
                fallback: None,
            });
        }
        (EmailSource::FacebookMe, Some(url)) => {
            let secret = profile.client_secret.as_ref();
            let (email, id) = presets::facebook::me(http, url, access_token, secret)?;
            return Ok(Identity {
                email,
                subject: Some(id),
                fallback: None,
            });
        }
        (EmailSource::IdTokenOrPreferredUsername, _) => true,
        _ => false,
    };
    let needs_userinfo = id_claims.is_none_or(|c| c.email.is_none() && !fallback);
    let info = match (&ep.userinfo, needs_userinfo) {
        (Some(url), true) => Some(userinfo(http, url, access_token, &profile.email_field)?),
        (None, true) if id_claims.is_none() => {
            let name = &profile.name;
            return Err(error::config(format!(
                "provider '{name}' has no userinfo_endpoint and no ID token: oauthcli cannot tell who \
                 logged in. Set userinfo_endpoint under [providers.{name}]"
            )));
        }
        _ => None,
    };
    let asked = info.is_some().then_some(ep.userinfo.as_deref()).flatten();
    decide(id_claims, info, fallback)?.ok_or_else(|| no_email(profile, asked, scopes, id_claims))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn claims(sub: &str, email: Option<&str>) -> IdClaims {
        IdClaims {
            subject: sub.into(),
            email: email.map(str::to_owned),
            email_unverified: false,
            expires_at: 0,
            issued_at: 0,
            preferred_username: Some(format!("{sub}@tenant.example")),
        }
    }

    #[test]
    fn id_token_email_wins() {
        let id = claims("alice", Some("alice@example.com"));
        let got = decide(Some(&id), None, true).unwrap().unwrap();
        assert_eq!(
            got,
            Identity {
                email: "alice@example.com".into(),
                subject: Some("alice".into()),
                fallback: None,
            }
        );
    }

    #[test]
    fn userinfo_fills_in_a_missing_email_for_the_same_subject() {
        let id = claims("alice", None);
        let info = extract(&json!({"sub": "alice", "email": "a@x.org"}), "email");
        let got = decide(Some(&id), Some(info), false).unwrap().unwrap();
        assert_eq!(got.email, "a@x.org");
    }

    #[test]
    fn userinfo_of_another_subject_is_refused() {
        let id = claims("alice", None);
        let info = extract(&json!({"sub": "mallory", "email": "m@x.org"}), "email");
        let err = decide(Some(&id), Some(info), false).unwrap_err();
        assert!(err.to_string().contains("sub 'mallory'"), "{err}");
    }

    #[test]
    fn custom_email_field_and_no_email() {
        let info = extract(&json!({"id": 7, "mail": "b@x.org"}), "mail");
        assert_eq!(
            decide(None, Some(info), false).unwrap().unwrap().email,
            "b@x.org"
        );
        assert!(
            decide(None, Some(extract(&json!({}), "mail")), false)
                .unwrap()
                .is_none()
        );
        let unverified = extract(
            &json!({"sub": "b", "email": "b@x.org", "email_verified": false}),
            "email",
        );
        assert_eq!(unverified, (None, Some("b".to_owned())));
    }

    #[test]
    fn preferred_username_only_when_named_and_said() {
        let id = claims("bob", None);
        let got = decide(Some(&id), None, true).unwrap().unwrap();
        assert_eq!(got.email, "bob@tenant.example");
        assert_eq!(got.fallback, Some("preferred_username"));
        assert!(decide(Some(&id), None, false).unwrap().is_none());
    }
}
