//! OpenID Connect discovery (OpenID Discovery 1.0), through `openidconnect`, plus the
//! metadata fields of RFC 8414, RFC 8628 §4 and RFC 9207 that `openidconnect` leaves to its
//! users.
//!
//! A provider with a tenant issuer (Microsoft) publishes a templated `issuer` that no exact
//! comparison accepts: its document is fetched here and the issuer checked by
//! `presets::microsoft::issuer_matches` instead; everything else is the same.

use anyhow::{Context, Result, anyhow};
use openidconnect::core::{
    CoreAuthDisplay, CoreClaimName, CoreClaimType, CoreClientAuthMethod, CoreGrantType,
    CoreJsonWebKey, CoreJweContentEncryptionAlgorithm, CoreJweKeyManagementAlgorithm,
    CoreJwsSigningAlgorithm, CoreResponseMode, CoreResponseType, CoreSubjectIdentifierType,
};
use openidconnect::{
    AdditionalProviderMetadata, DiscoveryError, IssuerUrl, JsonWebKeySet, JsonWebKeySetUrl,
    ProviderMetadata,
};
use serde::{Deserialize, Serialize};

use super::{Endpoints, OpenId};
use crate::error;
use crate::http::{Http, HttpError};
use crate::presets::{self, Quirks};
use crate::token::IdTokenKeys;

#[derive(Clone, Debug, Default, Deserialize, Serialize)]
struct Extra {
    revocation_endpoint: Option<String>,
    device_authorization_endpoint: Option<String>,
    code_challenge_methods_supported: Option<Vec<String>>,
    authorization_response_iss_parameter_supported: Option<bool>,
}

impl AdditionalProviderMetadata for Extra {}

type Metadata = ProviderMetadata<
    Extra,
    CoreAuthDisplay,
    CoreClientAuthMethod,
    CoreClaimName,
    CoreClaimType,
    CoreGrantType,
    CoreJweContentEncryptionAlgorithm,
    CoreJweKeyManagementAlgorithm,
    CoreJsonWebKey,
    CoreResponseMode,
    CoreResponseType,
    CoreSubjectIdentifierType,
>;

/// Signature algorithms we accept for ID tokens: asymmetric ones only. `none` would accept
/// a forged token, and HS* would make the (public) client secret a signing key
/// (SECURITY.md row 6).
const ALLOWED_ALGS: &[CoreJwsSigningAlgorithm] = &[
    CoreJwsSigningAlgorithm::RsaSsaPkcs1V15Sha256,
    CoreJwsSigningAlgorithm::RsaSsaPkcs1V15Sha384,
    CoreJwsSigningAlgorithm::RsaSsaPkcs1V15Sha512,
    CoreJwsSigningAlgorithm::RsaSsaPssSha256,
    CoreJwsSigningAlgorithm::RsaSsaPssSha384,
    CoreJwsSigningAlgorithm::RsaSsaPssSha512,
    CoreJwsSigningAlgorithm::EcdsaP256Sha256,
    CoreJwsSigningAlgorithm::EcdsaP384Sha384,
    CoreJwsSigningAlgorithm::EdDsa,
];

/// Discovery at `issuer`; `tenant_issuer` allows Microsoft's tenant template.
pub fn discover(issuer: &str, http: &Http, tenant_issuer: bool) -> Result<Endpoints> {
    let issuer_url = IssuerUrl::new(issuer.to_owned())
        .map_err(|e| error::config(format!("issuer '{issuer}' is not a valid URL: {e}")))?;
    let meta = if tenant_issuer {
        discover_tenant(issuer, http)?
    } else {
        discover_exact(issuer, &issuer_url, http)?
    };
    endpoints(issuer, meta, tenant_issuer)
}

fn discover_exact(issuer: &str, issuer_url: &IssuerUrl, http: &Http) -> Result<Metadata> {
    Metadata::discover(issuer_url, http).map_err(|e| match e {
        DiscoveryError::Validation(msg) => error::config(format!(
            "OpenID discovery at {issuer} failed: {msg}. The issuer in the config must be exactly \
             the provider's own; fix `issuer` if the provider's value is right"
        )),
        DiscoveryError::Request(HttpError::NotHttps(msg)) => {
            error::config(format!("OpenID discovery at {issuer} failed: {msg}"))
        }
        other => anyhow!(other).context(format!(
            "OpenID discovery at {issuer} failed (is the issuer URL right and the provider up?)"
        )),
    })
}

fn discover_tenant(issuer: &str, http: &Http) -> Result<Metadata> {
    let failed = || {
        format!(
            "OpenID discovery at {issuer} failed (is the issuer URL right and the provider up?)"
        )
    };
    let url = format!(
        "{}/.well-known/openid-configuration",
        issuer.trim_end_matches('/')
    );
    let doc = http.get_json(&url, None).with_context(failed)?;
    let meta: Metadata = serde_json::from_value(doc)
        .with_context(|| format!("{url} is not an OpenID provider configuration"))
        .with_context(failed)?;
    if !presets::microsoft::issuer_matches(issuer, meta.issuer().as_str()) {
        return Err(error::config(format!(
            "OpenID discovery at {issuer} failed: unexpected issuer URI `{}` (expected `{issuer}` or \
             its tenant template). The issuer in the config must be exactly the provider's own",
            meta.issuer().as_str()
        )));
    }
    let jwks = JsonWebKeySet::fetch(meta.jwks_uri(), http)
        .map_err(|e| anyhow!(e))
        .with_context(failed)?;
    Ok(meta.set_jwks(jwks))
}

/// At a refresh: the provider's keys and issuer as discovery gave them at login, without the
/// discovery document (a round trip saved): the keys kept of `provider` (`store::keys`) unless
/// `fetch`, else fetched from the `jwks_uri`, and kept.
pub fn keys_at(
    provider: &str,
    keys: &IdTokenKeys,
    quirks: &Quirks,
    http: &Http,
    fetch: bool,
) -> Result<OpenId> {
    let kept = (!fetch)
        .then(|| crate::store::keys::load(provider, &keys.jwks_uri))
        .flatten()
        .and_then(|jwks| serde_json::from_value(jwks).ok());
    let jwks = match kept {
        Some(jwks) => jwks,
        None => {
            crate::http::endpoint(&keys.jwks_uri)?;
            let url = JsonWebKeySetUrl::new(keys.jwks_uri.clone())?;
            let jwks: openidconnect::core::CoreJsonWebKeySet = JsonWebKeySet::fetch(&url, http)
                .map_err(|e| anyhow!(e))
                .with_context(|| {
                    format!("cannot fetch the provider's keys at {}", keys.jwks_uri)
                })?;
            crate::store::keys::save(provider, &keys.jwks_uri, &jwks);
            jwks
        }
    };
    Ok(OpenId {
        issuer: IssuerUrl::new(keys.issuer.clone())?,
        jwks,
        jwks_uri: keys.jwks_uri.clone(),
        algs: ALLOWED_ALGS.to_vec(),
        tenant_issuer: quirks.tenant_issuer,
        schemeless_issuer: quirks.schemeless_issuer,
    })
}

fn endpoints(issuer: &str, meta: Metadata, tenant_issuer: bool) -> Result<Endpoints> {
    let extra = meta.additional_metadata();
    let token = meta
        .token_endpoint()
        .map(|u| u.to_string())
        .with_context(|| format!("the provider at {issuer} publishes no token_endpoint"))?;
    Ok(Endpoints {
        // A login is bound to the configured issuer, which discovery matched.
        issuer: issuer.to_owned(),
        authorization: meta.authorization_endpoint().to_string(),
        token,
        userinfo: meta.userinfo_endpoint().map(|u| u.to_string()),
        revocation: extra.revocation_endpoint.clone(),
        device_authorization: extra.device_authorization_endpoint.clone(),
        auth_methods: meta
            .token_endpoint_auth_methods_supported()
            .map(|v| v.iter().map(|m| m.as_ref().to_owned()).collect()),
        pkce_methods: extra.code_challenge_methods_supported.clone(),
        iss_in_response: extra
            .authorization_response_iss_parameter_supported
            .unwrap_or(false),
        scopes_supported: meta
            .scopes_supported()
            .map(|v| v.iter().map(|s| s.to_string()).collect()),
        openid: Some(OpenId {
            issuer: meta.issuer().clone(),
            jwks: meta.jwks().clone(),
            jwks_uri: meta.jwks_uri().to_string(),
            algs: ALLOWED_ALGS.to_vec(),
            tenant_issuer,
            schemeless_issuer: false,
        }),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `none` accepts any forged token; HS* would verify with a key the client knows, which
    /// for a public client is no secret at all (SECURITY.md row 6).
    #[test]
    fn no_unsigned_or_symmetric_algorithm_is_allowed() {
        for alg in ALLOWED_ALGS {
            assert!(
                !matches!(
                    alg,
                    CoreJwsSigningAlgorithm::None
                        | CoreJwsSigningAlgorithm::HmacSha256
                        | CoreJwsSigningAlgorithm::HmacSha384
                        | CoreJwsSigningAlgorithm::HmacSha512
                ),
                "{alg:?}"
            );
        }
    }
}
