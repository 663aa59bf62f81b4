//! Requests to the authorization server through the `oauth2` crate: the authorize URL, the
//! code exchange, refresh, revocation, and the two requests of the device grant (RFC 8628).
//!
//! PKCE is always S256 with a 32-byte verifier (RFC 7636 §4.1, §4.2; `plain` is never
//! offered, SECURITY.md row 4); `state` carries 128 random bits (RFC 6749 §10.12). Errors from
//! the token endpoint keep the provider's `error` code, because callers branch on it
//! (`invalid_grant` means "log in again", RFC 6749 §5.2); a provider's own name for a standard
//! code is translated by the aliases its preset declares (given with
//! [`OAuth::with_error_aliases`], `oauth_error`). An error sent with HTTP 200 (GitHub) is
//! still an error.

use anyhow::{Result, anyhow};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use oauth2::basic::{
    BasicErrorResponse, BasicRevocationErrorResponse, BasicTokenIntrospectionResponse,
};
use oauth2::http::header::{ACCEPT, AUTHORIZATION, CONTENT_TYPE};
use oauth2::url::form_urlencoded;
use oauth2::{
    AuthType, AuthUrl, AuthorizationCode, ClientId, ClientSecret, CsrfToken,
    DeviceAuthorizationUrl, DeviceCode, EndpointNotSet, EndpointSet, HttpRequest,
    PkceCodeChallenge, PkceCodeVerifier, RedirectUrl, RefreshToken, RequestTokenError, Scope,
    StandardDeviceAuthorizationResponse, StandardRevocableToken, SyncHttpClient, TokenUrl,
};

use super::oauth_error;
pub use super::oauth_error::{ProviderError, Unavailable};
use super::token_http::TokenHttp;
use crate::auth_method::AuthMethod;
use crate::http::{Http, HttpError};
use crate::presets::ErrorAliases;
use crate::secret::Secret;
use crate::token::TokenSet;
pub use crate::token_response::TokenResponse;

type OClient = oauth2::Client<
    BasicErrorResponse,
    TokenResponse,
    BasicTokenIntrospectionResponse,
    StandardRevocableToken,
    BasicRevocationErrorResponse,
    EndpointNotSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointSet,
>;

/// A client of one authorization server.
pub struct OAuth {
    client_id: ClientId,
    client_secret: Option<ClientSecret>,
    auth_type: AuthType,
    token_url: TokenUrl,
    error_aliases: ErrorAliases,
}

/// What the browser is sent to, and what the callback and the exchange must match.
pub struct Authorization {
    pub url: oauth2::url::Url,
    pub state: CsrfToken,
    pub verifier: PkceCodeVerifier,
}

impl OAuth {
    pub fn new(
        client_id: &str,
        client_secret: Option<&Secret>,
        method: AuthMethod,
        token_url: &str,
    ) -> Result<Self> {
        let auth_type = match method {
            AuthMethod::ClientSecretBasic => AuthType::BasicAuth,
            // `none`: the client id goes in the body, as for client_secret_post (RFC 6749 §3.2.1).
            AuthMethod::ClientSecretPost | AuthMethod::None => AuthType::RequestBody,
        };
        let client_secret = match method {
            AuthMethod::None => None,
            _ => client_secret.map(|s| ClientSecret::new(s.expose().to_owned())),
        };
        Ok(OAuth {
            client_id: ClientId::new(client_id.to_owned()),
            client_secret,
            auth_type,
            token_url: TokenUrl::new(token_url.to_owned())?,
            error_aliases: &[],
        })
    }

    /// The same client, translating the provider's own error codes by `aliases` (its
    /// preset's); without them every code is kept as the provider sent it.
    pub fn with_error_aliases(self, aliases: ErrorAliases) -> Self {
        OAuth {
            error_aliases: aliases,
            ..self
        }
    }

    /// The client a stored login was made with: its client id, token endpoint and
    /// authentication method, and the client secret (which is never stored with it).
    pub fn for_login(set: &TokenSet, client_secret: Option<&Secret>) -> Result<Self> {
        OAuth::new(
            &set.client_id,
            client_secret,
            set.auth_method,
            &set.token_endpoint,
        )
    }

    fn client(&self) -> OClient {
        let client = oauth2::Client::new(self.client_id.clone())
            .set_token_uri(self.token_url.clone())
            .set_auth_type(self.auth_type.clone());
        match &self.client_secret {
            Some(s) => client.set_client_secret(s.clone()),
            None => client,
        }
    }

    /// The authorize URL with a fresh state and PKCE S256 challenge (RFC 7636 §4.3).
    pub fn authorize(
        &self,
        auth_url: &str,
        redirect: &str,
        scopes: &[String],
        extra: &[(&str, &str)],
    ) -> Result<Authorization> {
        let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
        let client = self
            .client()
            .set_auth_uri(AuthUrl::new(auth_url.to_owned())?)
            .set_redirect_uri(RedirectUrl::new(redirect.to_owned())?);
        let mut request = client
            .authorize_url(CsrfToken::new_random)
            .add_scopes(scopes.iter().map(|s| Scope::new(s.clone())))
            .set_pkce_challenge(challenge);
        for (k, v) in extra {
            request = request.add_extra_param(*k, *v);
        }
        let (url, state) = request.url();
        Ok(Authorization {
            url,
            state,
            verifier,
        })
    }

    /// Exchanges an authorization code (RFC 6749 §4.1.3, with the PKCE verifier).
    pub fn exchange_code(
        &self,
        http: &Http,
        code: String,
        verifier: PkceCodeVerifier,
        redirect: &str,
    ) -> Result<TokenResponse> {
        let redirect = RedirectUrl::new(redirect.to_owned())?;
        self.client()
            .exchange_code(AuthorizationCode::new(code))
            .set_pkce_verifier(verifier)
            .set_redirect_uri(std::borrow::Cow::Owned(redirect))
            .request(&TokenHttp(http))
            .map_err(|e| self.token_error(self.token_url.as_str(), e))
    }

    /// Uses a refresh token (RFC 6749 §6); `scopes`, as sent, when the token is for fewer
    /// scopes than the login's (§6: none means all the login was granted).
    pub fn refresh(
        &self,
        http: &Http,
        refresh_token: &Secret,
        scopes: &[String],
    ) -> Result<TokenResponse> {
        let token = RefreshToken::new(refresh_token.expose().to_owned());
        self.client()
            .exchange_refresh_token(&token)
            .add_scopes(scopes.iter().map(|s| Scope::new(s.clone())))
            .request(&TokenHttp(http))
            .map_err(|e| self.token_error(self.token_url.as_str(), e))
    }

    /// Revokes a token (RFC 7009 §2.1) with its `token_type_hint`, the client
    /// authenticating as at the token endpoint.
    ///
    /// Built here rather than by `oauth2`, which refuses every `http` revocation URL,
    /// loopback ones included; our rule is the same as for every other endpoint
    /// (`http::check_endpoint`).
    pub fn revoke(&self, http: &Http, url: &str, token: &Secret, hint: &str) -> Result<()> {
        let request =
            self.form_request(url, &[("token", token.expose()), ("token_type_hint", hint)])?;
        let response = http
            .call(request)
            .map_err(|e| anyhow!(e).context(format!("request to {url} failed")))?;
        if response.status().is_success() {
            return Ok(());
        }
        // RFC 7009 §2.2.1: errors use the token endpoint's error format (RFC 6749 §5.2).
        match ProviderError::from_body(url, response.body(), self.error_aliases) {
            Some(err) => Err(err.into()),
            None => Err(anyhow!("{url} answered HTTP {}", response.status())),
        }
    }
}

impl OAuth {
    /// A form POST to `url` with the client authenticating as at the token endpoint.
    fn form_request(&self, url: &str, pairs: &[(&str, &str)]) -> Result<HttpRequest> {
        let mut form = form_urlencoded::Serializer::new(String::new());
        form.extend_pairs(pairs);
        let mut request = oauth2::http::Request::post(url)
            .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header(ACCEPT, "application/json");
        match (&self.auth_type, &self.client_secret) {
            (AuthType::BasicAuth, Some(secret)) => {
                // RFC 6749 §2.3.1: both parts form-encoded before the Basic encoding.
                let enc =
                    |s: &str| form_urlencoded::byte_serialize(s.as_bytes()).collect::<String>();
                let pair = format!("{}:{}", enc(self.client_id.as_str()), enc(secret.secret()));
                request = request.header(AUTHORIZATION, format!("Basic {}", BASE64.encode(pair)));
            }
            (_, secret) => {
                form.append_pair("client_id", self.client_id.as_str());
                if let Some(secret) = secret {
                    form.append_pair("client_secret", secret.secret());
                }
            }
        }
        Ok(request.body(form.finish().into_bytes())?)
    }

    /// The device authorization request (RFC 8628 §3.1), the client authenticating as at
    /// the token endpoint. The response is not checked here (`flow::device` does).
    pub fn device_authorization(
        &self,
        http: &Http,
        url: &str,
        scopes: &[String],
    ) -> Result<StandardDeviceAuthorizationResponse> {
        self.client()
            .set_device_authorization_url(DeviceAuthorizationUrl::new(url.to_owned())?)
            .exchange_device_code()
            .add_scopes(scopes.iter().map(|s| Scope::new(s.clone())))
            .request(http)
            .map_err(|e| self.token_error(url, e))
    }

    /// One device access token request (RFC 8628 §3.4). `oauth2`'s own polling loop is not
    /// used: it ends at GitHub's `authorization_pending`, which comes with HTTP 200 and so
    /// fails its parser, and it retries a stalled or unreachable endpoint in silence. Errors
    /// are [`ProviderError`]s with the provider's code, for the caller to branch on (§3.5), and
    /// [`Unavailable`] for a gateway's answer.
    pub fn poll_device(&self, http: &Http, device_code: &DeviceCode) -> Result<TokenResponse> {
        self.extension_grant(
            http,
            &[
                ("grant_type", "urn:ietf:params:oauth:grant-type:device_code"),
                ("device_code", device_code.secret()),
            ],
        )
    }

    /// A token request of a grant `oauth2` does not know (RFC 6749 §4.5, an extension grant:
    /// RFC 8628's, Facebook's `fb_exchange_token`), `pairs` naming its `grant_type`; the
    /// client authenticates as at the token endpoint.
    pub fn extension_grant(&self, http: &Http, pairs: &[(&str, &str)]) -> Result<TokenResponse> {
        let url = self.token_url.as_str();
        let request = self.form_request(url, pairs)?;
        let response = http
            .call(request)
            .map_err(|e| anyhow!(e).context(format!("request to {url} failed")))?;
        oauth_error::answer(url, &response, self.error_aliases)
    }

    /// This client's error aliases, for requests made elsewhere (`device_graph`).
    pub(super) fn error_aliases(&self) -> ErrorAliases {
        self.error_aliases
    }
}

impl OAuth {
    fn token_error(
        &self,
        endpoint: &str,
        err: RequestTokenError<HttpError, BasicErrorResponse>,
    ) -> anyhow::Error {
        let provider_error =
            |resp: &BasicErrorResponse| ProviderError::new(endpoint, resp, self.error_aliases);
        match err {
            RequestTokenError::ServerResponse(resp) => provider_error(&resp).into(),
            // A body with `error` and no token is an error whatever the status: GitHub answers
            // its token errors with HTTP 200 (presets::github); Facebook's are Graph API errors.
            RequestTokenError::Parse(e, body) => {
                match ProviderError::from_body(endpoint, &body, self.error_aliases) {
                    Some(pe) => pe.into(),
                    None => {
                        describe::<BasicErrorResponse>(endpoint, RequestTokenError::Parse(e, body))
                    }
                }
            }
            other => describe(endpoint, other),
        }
    }
}

fn describe<T: oauth2::ErrorResponse + 'static>(
    endpoint: &str,
    err: RequestTokenError<HttpError, T>,
) -> anyhow::Error {
    match err {
        // It says what the endpoint answered already.
        RequestTokenError::Request(e @ HttpError::Status { .. }) => anyhow!(e),
        RequestTokenError::Request(e) => {
            anyhow!(e).context(format!("request to {endpoint} failed"))
        }
        RequestTokenError::Parse(e, _) => {
            anyhow!("{endpoint} answered with something that is not a valid response: {e}")
        }
        RequestTokenError::Other(msg) => anyhow!("{endpoint} answered unexpectedly: {msg}"),
        RequestTokenError::ServerResponse(resp) => anyhow!("{endpoint} answered an error: {resp}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 7636 Appendix B: the S256 challenge of the example verifier.
    #[test]
    fn pkce_s256_matches_rfc7636_appendix_b() {
        let verifier =
            PkceCodeVerifier::new("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk".to_owned());
        let challenge = PkceCodeChallenge::from_code_verifier_sha256(&verifier);
        assert_eq!(
            challenge.as_str(),
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
        );
        assert_eq!(challenge.method().as_str(), "S256");
    }

    #[test]
    fn authorize_url_carries_s256_pkce_state_and_extras() {
        let oauth = OAuth::new("cli", None, AuthMethod::None, "https://a.example/token").unwrap();
        let auth = oauth
            .authorize(
                "https://a.example/authorize",
                "http://127.0.0.1:5000/callback",
                &["openid".into(), "email".into()],
                &[("nonce", "n-0S6_WzA2Mj")],
            )
            .unwrap();
        let q: std::collections::HashMap<_, _> = auth.url.query_pairs().into_owned().collect();
        assert_eq!(q["response_type"], "code");
        assert_eq!(q["client_id"], "cli");
        assert_eq!(q["redirect_uri"], "http://127.0.0.1:5000/callback");
        assert_eq!(q["scope"], "openid email");
        assert_eq!(q["code_challenge_method"], "S256");
        assert_eq!(q["nonce"], "n-0S6_WzA2Mj");
        assert_eq!(q["state"], auth.state.secret().as_str());
        // 16 random bytes, base64url without padding: 128 bits (RFC 6749 §10.10).
        assert_eq!(auth.state.secret().len(), 22);
        // A 32-byte verifier is 43 characters (RFC 7636 §4.1).
        assert_eq!(auth.verifier.secret().len(), 43);
        let expected = PkceCodeChallenge::from_code_verifier_sha256(&auth.verifier);
        assert_eq!(q["code_challenge"], expected.as_str());
    }
}
