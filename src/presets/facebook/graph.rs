//! Facebook's Graph API calls of a login: who logged in (`/me`), the logout (`DELETE
//! /me/permissions`), the `appsecret_proof` every call carries, and the Graph API's error
//! object, read here for every request that may answer one (sources in the module header).
//!
//! The access token goes in the `Authorization` header, never in a URL; the proof, which
//! is no secret (the token cannot be had from it), goes in the query, where the Graph API
//! reads its parameters.

use anyhow::{Context, Result, anyhow, bail};
use hmac::{Hmac, Mac};
use oauth2::SyncHttpClient;
use oauth2::http::header::{ACCEPT, AUTHORIZATION};
use oauth2::url::Url;
use serde::Deserialize;
use sha2::Sha256;

use crate::http::Http;
use crate::secret::Secret;
use crate::term::escape;

/// `appsecret_proof`: HMAC-SHA256 of the access token keyed by the app secret, in lower-case
/// hex ("Securing Graph API Requests").
pub fn appsecret_proof(secret: &Secret, access_token: &str) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.expose().as_bytes())
        .expect("HMAC takes a key of any length");
    mac.update(access_token.as_bytes());
    mac.finalize()
        .into_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// A Graph API error ("Handling Errors"): `{"error": {...}}`.
#[derive(Debug, Deserialize)]
pub struct GraphError {
    pub message: String,
    #[serde(rename = "type", default)]
    pub kind: Option<String>,
    pub code: i64,
    #[serde(default)]
    pub error_subcode: Option<i64>,
    #[serde(default)]
    pub error_user_msg: Option<String>,
    #[serde(default)]
    pub fbtrace_id: Option<String>,
}

#[derive(Deserialize)]
struct Envelope {
    error: GraphError,
}

impl GraphError {
    /// The error of a Graph API answer, if the body is one.
    pub fn parse(body: &[u8]) -> Option<GraphError> {
        serde_json::from_slice::<Envelope>(body)
            .ok()
            .map(|e| e.error)
    }

    /// What tells this error apart, as a preset's error aliases name it: the subcode where
    /// there is one (Facebook Login for Devices tells its outcomes apart by it alone), else
    /// the code.
    pub fn key(&self) -> String {
        match self.error_subcode {
            Some(sub) => format!("error_subcode {sub}"),
            None => format!("code {}", self.code),
        }
    }

    /// What Facebook said, for a person: the message, the one meant for the user when it
    /// says more, and the trace id Facebook's support asks for. Not escaped.
    pub fn describe(&self) -> String {
        let mut text = self.message.clone();
        if let Some(user) = self.error_user_msg.as_ref().filter(|m| **m != self.message) {
            text.push_str(&format!(" ({user})"));
        }
        if let Some(id) = &self.fbtrace_id {
            text.push_str(&format!(" [fbtrace_id {id}]"));
        }
        text
    }
}

impl std::fmt::Display for GraphError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let kind = self.kind.as_deref().unwrap_or("Graph API error");
        write!(f, "{kind} {}: {}", self.key(), escape(&self.describe()))
    }
}

impl std::error::Error for GraphError {}

/// `url` with the `appsecret_proof` of `access_token`, when the app secret is known, and the
/// other `query` pairs.
fn with_proof(
    url: &str,
    access_token: &str,
    secret: Option<&Secret>,
    query: &[(&str, &str)],
) -> Result<String> {
    let mut url = Url::parse(url).with_context(|| format!("'{url}' is not a URL"))?;
    {
        let mut pairs = url.query_pairs_mut();
        pairs.extend_pairs(query);
        if let Some(secret) = secret {
            pairs.append_pair("appsecret_proof", &appsecret_proof(secret, access_token));
        }
    }
    Ok(url.to_string())
}

/// One Graph API call with the user's access token; its JSON, or its error.
fn call(http: &Http, method: &str, url: &str, access_token: &str) -> Result<serde_json::Value> {
    let request = oauth2::http::Request::builder()
        .method(method)
        .uri(url)
        .header(ACCEPT, "application/json")
        .header(AUTHORIZATION, format!("Bearer {access_token}"))
        .body(Vec::new())?;
    // Shown without the query, which holds the proof: scheme, host and path.
    let shown = url.split('?').next().unwrap_or(url);
    let response = http
        .call(request)
        .map_err(|e| anyhow!(e).context(format!("{method} {shown} failed")))?;
    if let Some(error) = GraphError::parse(response.body()) {
        return Err(anyhow!(error).context(format!("{method} {shown} answered an error")));
    }
    if !response.status().is_success() {
        bail!("{method} {shown} answered HTTP {}", response.status());
    }
    serde_json::from_slice(response.body())
        .with_context(|| format!("{method} {shown} did not answer with JSON"))
}

#[derive(Deserialize)]
struct Me {
    id: String,
    #[serde(default)]
    email: Option<String>,
}

/// The email and the id of the token's user, from `GET /me?fields=id,email` at `url`.
pub fn me(
    http: &Http,
    url: &str,
    access_token: &str,
    secret: Option<&Secret>,
) -> Result<(String, String)> {
    let url = with_proof(url, access_token, secret, &[("fields", "id,email")])?;
    let doc = call(http, "GET", &url, access_token).context(
        "could not read who logged in from the Graph API (an app that requires \
         appsecret_proof, \"Require App Secret\" in its advanced settings, needs client_secret \
         to be its App Secret)",
    )?;
    let me: Me = serde_json::from_value(doc)
        .context("the Graph API's /me did not answer the account's id")?;
    match me.email.filter(|e| !e.is_empty()) {
        Some(email) => Ok((email, me.id)),
        None => bail!(
            "the Facebook account {} gave no email address: an account made with a phone number \
             has none (add an email address to it at Facebook, or log in with another account), \
             and a login that declined the email permission gives none ('oauthcli logout \
             facebook' takes the app away from the account, and the next login asks for every \
             permission again)",
            escape(&me.id)
        ),
    }
}

/// Takes the app's permissions away from the token's user (`DELETE` at `url`, the user's
/// `/permissions`), which ends the login at Facebook.
pub fn revoke(
    http: &Http,
    url: &str,
    access_token: &Secret,
    secret: Option<&Secret>,
) -> Result<()> {
    let token = access_token.expose();
    let url = with_proof(url, token, secret, &[])?;
    let doc = call(http, "DELETE", &url, token).context(
        "Facebook did not take the app's permissions away: remove the app from the account \
         yourself (Facebook's Settings & privacy > Settings > Apps and websites)",
    )?;
    // "a response of true", which the Graph API writes `{"success": true}`.
    let success = doc == serde_json::Value::Bool(true) || doc["success"] == true;
    if !success {
        bail!("the Graph API did not answer the logout with success");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// HMAC-SHA256 as RFC 4231 §4.3 (test case 2) computes it: key "Jefe".
    #[test]
    fn the_proof_is_hmac_sha256_of_the_token_keyed_by_the_secret() {
        assert_eq!(
            appsecret_proof(&Secret::new("Jefe"), "what do ya want for nothing?"),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }

    #[test]
    fn graph_errors_are_keyed_by_subcode_else_code() {
        let body = br#"{"error": {"message": "This request requires the user to take a pending action", "type": "OAuthException", "code": 31, "error_subcode": 1349174, "error_user_msg": "Continue polling.", "fbtrace_id": "A1b"}}"#;
        let e = GraphError::parse(body).unwrap();
        assert_eq!(e.key(), "error_subcode 1349174");
        assert_eq!(
            e.to_string(),
            "OAuthException error_subcode 1349174: This request requires the user to take a \
             pending action (Continue polling.) [fbtrace_id A1b]"
        );
        let e = GraphError::parse(br#"{"error": {"message": "m", "code": 190}}"#).unwrap();
        assert_eq!(e.key(), "code 190");
        assert_eq!(e.to_string(), "Graph API error code 190: m");
        assert!(GraphError::parse(br#"{"error": "invalid_grant"}"#).is_none());
    }
}
