//! ID tokens whose `iss` is the issuer without its `https://`, as Google documents its ID
//! tokens may carry (`iss` "is equal to https://accounts.google.com or accounts.google.com",
//! see `presets::google`; OpenID Core §15.6.2). Accepted only for a provider whose
//! quirks say so (the Google preset).
//!
//! `openidconnect` cannot even parse such a token: its `iss` must be a URL. So for this one
//! case the signature is checked here, with the crate's own key selection and verification
//! (the algorithm must be one we allow, and the key the one the provider's JWK set names for
//! it); then the payload's `iss` is set to the issuer and the token goes through the crate's
//! usual claim checks (`aud`, `exp`, `nonce`, ...) with the signature check, already done,
//! left out. A token bent in any other way is left to the crate, which refuses it.

use anyhow::{Context, Result, anyhow, bail};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use openidconnect::core::CoreJwsSigningAlgorithm;
use openidconnect::{JsonWebKey, JsonWebKeyAlgorithm, JsonWebKeyUse as _, JwsSigningAlgorithm};

use crate::provider::OpenId;

/// The issuer as such a token names it: without its scheme.
fn schemeless(issuer: &str) -> Option<&str> {
    issuer
        .strip_prefix("https://")
        .or_else(|| issuer.strip_prefix("http://"))
}

/// Whether `iss` names the provider's issuer, in either of its two forms.
pub fn same_issuer(openid: &OpenId, iss: &str, issuer: &str) -> bool {
    let canonical =
        |s: &str| match openid.schemeless_issuer && schemeless(openid.issuer.as_str()) == Some(s) {
            true => openid.issuer.as_str().to_owned(),
            false => s.to_owned(),
        };
    canonical(iss) == canonical(issuer)
}

/// The token to give `openidconnect`, when `raw` is a schemeless-`iss` token whose signature
/// is good: the same claims with `iss` set to the issuer. `None` for every other token.
pub fn rewrite(raw: &str, openid: &OpenId) -> Result<Option<String>> {
    if !openid.schemeless_issuer {
        return Ok(None);
    }
    let claims = crate::jwt::unverified_claims(raw)?;
    let iss = claims.get("iss").and_then(|v| v.as_str());
    if iss.is_none() || iss != schemeless(openid.issuer.as_str()) {
        return Ok(None);
    }
    let parts: Vec<&str> = raw.split('.').collect();
    let [header, payload, signature] = parts[..] else {
        bail!("the ID token is malformed: not three parts");
    };
    verify(header, payload, signature, openid)
        .map_err(|e| anyhow!("the ID token is not valid: {e}"))?;
    let mut claims = claims;
    claims["iss"] = serde_json::Value::String(openid.issuer.as_str().to_owned());
    let payload = URL_SAFE_NO_PAD.encode(serde_json::to_vec(&claims)?);
    Ok(Some(format!("{header}.{payload}.{signature}")))
}

/// RFC 7515 §5.2: the signature over `header.payload`, by the key the header's `kid` names
/// among the provider's keys, with an algorithm of our allow-list.
fn verify(header: &str, payload: &str, signature: &str, openid: &OpenId) -> Result<()> {
    let head: serde_json::Value = serde_json::from_slice(
        &URL_SAFE_NO_PAD
            .decode(header)
            .context("its header is not base64url")?,
    )
    .context("its header is not JSON")?;
    let alg: CoreJwsSigningAlgorithm = serde_json::from_value(head["alg"].clone())
        .context("its header names no known algorithm")?;
    if !openid.algs.contains(&alg) || alg.uses_shared_secret() {
        bail!("it is signed with an algorithm oauthcli does not accept");
    }
    // The key the header's `kid` names, a signing key of the algorithm's type (RFC 7517
    // §4.2, §4.4); without a `kid`, the set must hold only one such key (OpenID Core §10.1).
    let kid = head["kid"].as_str();
    let keys: Vec<_> = openid
        .jwks
        .keys()
        .iter()
        .filter(|k| kid.is_none() || k.key_id().map(|id| id.as_str()) == kid)
        .filter(|k| k.key_use().is_none_or(|u| u.allows_signature()))
        .filter(|k| alg.key_type().as_ref() == Some(k.key_type()))
        .filter(|k| match k.signing_alg() {
            JsonWebKeyAlgorithm::Unspecified => true,
            JsonWebKeyAlgorithm::Algorithm(a) => *a == alg,
            JsonWebKeyAlgorithm::Unsupported => false,
        })
        .collect();
    let [key] = keys[..] else {
        bail!("the provider's keys hold no single key for it");
    };
    let signature = URL_SAFE_NO_PAD
        .decode(signature)
        .context("its signature is not base64url")?;
    key.verify_signature(&alg, format!("{header}.{payload}").as_bytes(), &signature)
        .map_err(|e| anyhow!("Signature verification failed: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use openidconnect::IssuerUrl;
    use openidconnect::core::CoreJsonWebKeySet;

    fn openid(schemeless_issuer: bool) -> OpenId {
        OpenId {
            issuer: IssuerUrl::new("https://accounts.google.com".into()).unwrap(),
            jwks: CoreJsonWebKeySet::new(Vec::new()),
            jwks_uri: String::new(),
            algs: Vec::new(),
            tenant_issuer: false,
            schemeless_issuer,
        }
    }

    #[test]
    fn both_forms_name_the_same_issuer_only_where_the_quirk_says_so() {
        let google = openid(true);
        let https = "https://accounts.google.com";
        assert!(same_issuer(&google, "accounts.google.com", https));
        assert!(same_issuer(&google, https, "accounts.google.com"));
        assert!(!same_issuer(&google, "evil.example", https));
        assert!(!same_issuer(&openid(false), "accounts.google.com", https));
        assert!(same_issuer(&openid(false), https, https));
    }
}
