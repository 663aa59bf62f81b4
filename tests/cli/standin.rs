//! Local stand-ins for Google, GitHub, Microsoft, GitLab and Facebook (its own in
//! `standin/facebook.rs`), which the test machines cannot reach. Each one reproduces its
//! provider's documented wire format (the sources are cited in `src/presets/`): paths, status
//! codes, content types, GitHub's errors with HTTP 200, Microsoft's templated issuer and
//! `tid`, missing `expires_in`, rotating refresh tokens and the revocation calls. It runs on 127.0.0.1 in the test's own process (bound before the test goes
//! on, so there is nothing to wait for), consents at once (its authorize endpoint redirects to
//! the callback, which `tests/support/browser.py` then fetches), and keeps every request it saw
//! for the test to assert on.
//!
//! ID tokens are RS256-signed with a test-only key (`tests/support/standin-rsa.pem`).

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;

use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use oauth2::url::{Url, form_urlencoded};
use oauth2::{PkceCodeChallenge, PkceCodeVerifier};
use openidconnect::core::{CoreJwsSigningAlgorithm, CoreRsaPrivateSigningKey};
use openidconnect::{JsonWebKeyId, PrivateSigningKey};
use serde_json::{Value, json};
use tiny_http::{Header, Response, Server};

mod facebook;
pub use facebook::{
    FB_APP, FB_CLIENT_TOKEN, FB_SECRET, FB_USER, FacebookOptions, LONG_LIVED, proof,
};

pub const GOOGLE_CLIENT: &str = "1234-standin.apps.googleusercontent.com";
pub const GOOGLE_SECRET: &str = "GOCSPX-standin-secret";
pub const GITHUB_CLIENT: &str = "Iv1.standin0client";
pub const GITHUB_SECRET: &str = "gh-standin-secret";
pub const MS_CLIENT: &str = "6731de76-14a6-49ae-97bc-6eba6914391e";
pub const MS_TENANT: &str = "72f988bf-86f1-41af-91ab-2d7cd011db47";
pub const GITLAB_CLIENT: &str = "gl-standin-application-id";
pub const EMAIL: &str = "alice@example.com";
pub const MS_USERNAME: &str = "alice@contoso.onmicrosoft.com";

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Google,
    GitHub,
    Microsoft,
    GitLab,
    Facebook,
}

/// Variations of a stand-in's behaviour.
#[derive(Clone, Debug, Default)]
pub struct Options {
    /// GitHub: a GitHub App (tokens expire after 8 h, rotating refresh tokens) instead of an
    /// OAuth app (tokens without expiry or refresh token).
    pub github_app: bool,
    /// Microsoft: the ID token has an `email` claim (it is optional).
    pub ms_email: bool,
    /// Microsoft: the ID token's `iss` names another tenant than its `tid`.
    pub ms_foreign_issuer: bool,
    /// GitLab: an instance that matches the registered redirect URI exactly, port included.
    pub exact_redirect: Option<String>,
    /// Google: the ID token's `iss` is the issuer without its scheme, as Google documents
    /// it may be (`accounts.google.com`).
    pub google_schemeless_iss: bool,
    /// Every ID token's signature is broken (one of its bytes changed).
    pub bad_signature: bool,
    /// Google: scopes the user unticked on the consent page (granular consent).
    pub google_unticked: &'static [&'static str],
    /// Google: the account's Workspace domain, the ID token's `hd` claim.
    pub google_hd: Option<&'static str>,
    /// Microsoft: every refresh is answered with this error (Conditional Access asking for
    /// MFA: `interaction_required`, AADSTS50076).
    pub ms_refresh_error: Option<&'static str>,
    pub facebook: FacebookOptions,
}

/// One request the stand-in received.
#[derive(Clone, Debug)]
pub struct Seen {
    pub method: String,
    pub path: String,
    pub query: BTreeMap<String, String>,
    /// Lower-case header names.
    pub headers: BTreeMap<String, String>,
    pub body: String,
    pub form: BTreeMap<String, String>,
}

impl Seen {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).map(String::as_str)
    }

    /// The user and password of a basic `Authorization` header.
    pub fn basic(&self) -> Option<(String, String)> {
        let b64 = self.header("authorization")?.strip_prefix("Basic ")?;
        let pair = String::from_utf8(STANDARD.decode(b64).ok()?).ok()?;
        let (u, p) = pair.split_once(':')?;
        Some((u.to_owned(), p.to_owned()))
    }
}

struct Grant {
    client_id: String,
    redirect_uri: String,
    challenge: Option<String>,
    nonce: Option<String>,
    scope: String,
    refresh: bool,
    /// Google: the user's `sub`, when another account than the default one logs in.
    subject: Option<String>,
}

#[derive(Default)]
struct State {
    n: u32,
    codes: HashMap<String, Grant>,
    access: Vec<String>,
    /// Live refresh tokens and the scope they carry.
    refresh: HashMap<String, String>,
    /// Google: the user consented once (no refresh token without a new consent after that).
    consented: bool,
    /// The access token issued with each refresh token.
    issued_with: HashMap<String, String>,
    /// Google: the account that logs in next, when not the default one.
    subject: Option<String>,
    facebook: facebook::FacebookState,
}

impl State {
    fn next(&mut self, prefix: &str) -> String {
        self.n += 1;
        format!("{prefix}{}-{}", self.n, std::process::id())
    }
}

struct Reply {
    status: u16,
    content_type: &'static str,
    body: String,
    location: Option<String>,
}

fn json_reply(status: u16, body: Value) -> Reply {
    Reply {
        status,
        content_type: "application/json; charset=utf-8",
        body: body.to_string(),
        location: None,
    }
}

fn redirect(to: String) -> Reply {
    Reply {
        status: 302,
        content_type: "text/html; charset=utf-8",
        body: String::new(),
        location: Some(to),
    }
}

/// A running stand-in; stopped on drop.
pub struct StandIn {
    pub base: String,
    log: Arc<Mutex<Vec<Seen>>>,
    state: Arc<Mutex<State>>,
    server: Arc<Server>,
    thread: Option<JoinHandle<()>>,
}

impl StandIn {
    pub fn start(kind: Kind, opts: Options) -> StandIn {
        let server = Arc::new(Server::http("127.0.0.1:0").unwrap());
        let port = server.server_addr().to_ip().unwrap().port();
        let base = format!("http://127.0.0.1:{port}");
        let log = Arc::new(Mutex::new(Vec::new()));
        let state = Arc::new(Mutex::new(State::default()));
        let key = CoreRsaPrivateSigningKey::from_pem(
            include_str!("../support/standin-rsa.pem"),
            Some(JsonWebKeyId::new("standin".into())),
        )
        .unwrap();
        let thread = {
            let (server, log, state, base) =
                (server.clone(), log.clone(), state.clone(), base.clone());
            let p = Provider {
                kind,
                opts,
                base,
                key,
            };
            std::thread::spawn(move || {
                for mut request in server.incoming_requests() {
                    let seen = read(&mut request);
                    log.lock().unwrap().push(seen.clone());
                    let reply = p.handle(&seen, &mut state.lock().unwrap());
                    let mut response = Response::from_string(reply.body)
                        .with_status_code(reply.status)
                        .with_header(
                            Header::from_bytes("Content-Type", reply.content_type).unwrap(),
                        );
                    if let Some(to) = reply.location {
                        response.add_header(Header::from_bytes("Location", to).unwrap());
                    }
                    let _ = request.respond(response);
                }
            })
        };
        StandIn {
            base,
            log,
            state,
            server,
            thread: Some(thread),
        }
    }

    /// Every request so far, in order.
    pub fn requests(&self) -> Vec<Seen> {
        self.log.lock().unwrap().clone()
    }

    /// The requests to one path.
    pub fn requests_to(&self, path: &str) -> Vec<Seen> {
        self.requests()
            .into_iter()
            .filter(|r| r.path == path)
            .collect()
    }

    /// Google: another account logs in from now on (its `sub`); it consented to the app
    /// before, as the one before it did.
    pub fn switch_account(&self, sub: &str) {
        self.state.lock().unwrap().subject = Some(sub.to_owned());
    }

    /// The refresh tokens die, as when the user revokes the app at the provider.
    pub fn forget_refresh_tokens(&self) {
        self.state.lock().unwrap().refresh.clear();
    }

    pub fn is_active(&self, token: &str) -> bool {
        let s = self.state.lock().unwrap();
        s.access.iter().any(|t| t == token) || s.refresh.contains_key(token)
    }
}

impl Drop for StandIn {
    fn drop(&mut self) {
        self.server.unblock();
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

fn read(request: &mut tiny_http::Request) -> Seen {
    let url = Url::parse(&format!("http://x{}", request.url())).unwrap();
    let mut body = String::new();
    let _ = request.as_reader().read_to_string(&mut body);
    let headers = request
        .headers()
        .iter()
        .map(|h| {
            (
                h.field.as_str().as_str().to_ascii_lowercase(),
                h.value.to_string(),
            )
        })
        .collect::<BTreeMap<_, _>>();
    let form = match headers.get("content-type") {
        Some(t) if t.starts_with("application/x-www-form-urlencoded") => {
            form_urlencoded::parse(body.as_bytes())
                .into_owned()
                .collect()
        }
        _ => BTreeMap::new(),
    };
    Seen {
        method: request.method().as_str().to_owned(),
        path: url.path().to_owned(),
        query: url.query_pairs().into_owned().collect(),
        headers,
        body,
        form,
    }
}

fn b64(v: &Value) -> String {
    URL_SAFE_NO_PAD.encode(v.to_string())
}

fn now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

struct Provider {
    kind: Kind,
    opts: Options,
    base: String,
    key: CoreRsaPrivateSigningKey,
}

impl Provider {
    fn sign(&self, claims: Value) -> String {
        let header = json!({"alg": "RS256", "kid": "standin", "typ": "JWT"});
        let input = format!("{}.{}", b64(&header), b64(&claims));
        let sig = self
            .key
            .sign(
                &CoreJwsSigningAlgorithm::RsaSsaPkcs1V15Sha256,
                input.as_bytes(),
            )
            .unwrap();
        let mut sig = URL_SAFE_NO_PAD.encode(sig);
        if self.opts.bad_signature {
            // A character in the middle: any base64url letter there decodes.
            let other = if &sig[10..11] == "A" { "B" } else { "A" };
            sig.replace_range(10..11, other);
        }
        format!("{input}.{sig}")
    }

    fn jwks(&self) -> Reply {
        json_reply(200, json!({"keys": [self.key.as_verification_key()]}))
    }

    fn client_id(&self) -> &'static str {
        match self.kind {
            Kind::Google => GOOGLE_CLIENT,
            Kind::GitHub => GITHUB_CLIENT,
            Kind::Microsoft => MS_CLIENT,
            Kind::GitLab => GITLAB_CLIENT,
            Kind::Facebook => FB_APP,
        }
    }

    fn handle(&self, r: &Seen, s: &mut State) -> Reply {
        let b = &self.base;
        let m = r.method.as_str();
        if self.kind == Kind::Facebook {
            return self.facebook(r, s);
        }
        match (self.kind, m, r.path.as_str()) {
            (Kind::Google, "GET", "/.well-known/openid-configuration") => json_reply(
                200,
                json!({
                    "issuer": b,
                    "authorization_endpoint": format!("{b}/o/oauth2/v2/auth"),
                    "token_endpoint": format!("{b}/token"),
                    "userinfo_endpoint": format!("{b}/v1/userinfo"),
                    "revocation_endpoint": format!("{b}/revoke"),
                    "jwks_uri": format!("{b}/oauth2/v3/certs"),
                    "response_types_supported": ["code", "token", "id_token", "code token", "code id_token", "token id_token", "code token id_token", "none"],
                    "subject_types_supported": ["public"],
                    "id_token_signing_alg_values_supported": ["RS256"],
                    "scopes_supported": ["openid", "email", "profile"],
                    "token_endpoint_auth_methods_supported": ["client_secret_post", "client_secret_basic"],
                    "code_challenge_methods_supported": ["plain", "S256"],
                    "grant_types_supported": ["authorization_code", "refresh_token", "urn:ietf:params:oauth:grant-type:device_code", "urn:ietf:params:oauth:grant-type:jwt-bearer"]
                }),
            ),
            (Kind::Google, "GET", "/oauth2/v3/certs") => self.jwks(),
            (Kind::Google, "GET", "/o/oauth2/v2/auth") => {
                let offline = r.query.get("access_type").is_some_and(|v| v == "offline");
                let consent = r.query.get("prompt").is_some_and(|v| v == "consent");
                // A refresh token on the first consent, or when consent is asked again.
                let refresh = offline && (consent || !s.consented);
                s.consented = true;
                self.authorize(r, s, refresh)
            }
            (Kind::Google, "POST", "/token") => {
                let secret = r
                    .form
                    .get("client_secret")
                    .cloned()
                    .or(r.basic().map(|(_, p)| p));
                match secret.as_deref() {
                    None => json_reply(
                        400,
                        json!({"error": "invalid_request", "error_description": "client_secret is missing."}),
                    ),
                    Some(GOOGLE_SECRET) => self.token(r, s, "ya29.", Some(3599), false),
                    Some(_) => json_reply(
                        401,
                        json!({"error": "invalid_client", "error_description": "Unauthorized"}),
                    ),
                }
            }
            (Kind::Google, "POST", "/revoke") => {
                let token = r.form.get("token").cloned().unwrap_or_default();
                if s.is_live(&token) {
                    // Revoking either token revokes the grant.
                    s.access.clear();
                    s.refresh.clear();
                    json_reply(200, json!({}))
                } else {
                    json_reply(
                        400,
                        json!({"error": "invalid_token", "error_description": "Token expired or revoked"}),
                    )
                }
            }
            (Kind::GitHub, "GET", "/login/oauth/authorize") => {
                self.authorize(r, s, self.opts.github_app)
            }
            (Kind::GitHub, "POST", "/login/oauth/access_token") => self.github_token(r, s),
            (Kind::GitHub, "GET", "/api/v3/user/emails") => {
                if r.header("user-agent").is_none() {
                    return Reply {
                        status: 403,
                        content_type: "text/plain; charset=utf-8",
                        body: "Request forbidden by administrative rules. Please make sure your request has a User-Agent header".into(),
                        location: None,
                    };
                }
                if !s.bearer_ok(r) {
                    return json_reply(401, json!({"message": "Bad credentials", "status": "401"}));
                }
                json_reply(
                    200,
                    json!([
                        {"email": "12345+alice@users.noreply.github.com", "primary": false, "verified": true, "visibility": null},
                        {"email": "old@example.com", "primary": false, "verified": false, "visibility": null},
                        {"email": EMAIL, "primary": true, "verified": true, "visibility": "private"}
                    ]),
                )
            }
            (Kind::GitHub, "DELETE", path)
                if path == format!("/api/v3/applications/{GITHUB_CLIENT}/token") =>
            {
                if r.basic() != Some((GITHUB_CLIENT.into(), GITHUB_SECRET.into())) {
                    return json_reply(404, json!({"message": "Not Found"}));
                }
                let body: Value = serde_json::from_str(&r.body).unwrap_or(Value::Null);
                let token = body["access_token"].as_str().unwrap_or_default().to_owned();
                if s.access.contains(&token) {
                    s.access.retain(|t| *t != token);
                    Reply {
                        status: 204,
                        content_type: "text/plain",
                        body: String::new(),
                        location: None,
                    }
                } else {
                    json_reply(404, json!({"message": "Not Found"}))
                }
            }
            (Kind::Microsoft, "GET", path)
                if path.ends_with("/v2.0/.well-known/openid-configuration") =>
            {
                let tenant = path.split('/').nth(1).unwrap_or_default();
                let issuer_tenant = match tenant {
                    "common" | "organizations" => "{tenantid}",
                    "consumers" => "9188040d-6c67-4c5b-b112-36a304b66dad",
                    t if t.len() == 36 => t,
                    _ => MS_TENANT,
                };
                json_reply(
                    200,
                    json!({
                        "token_endpoint": format!("{b}/{tenant}/oauth2/v2.0/token"),
                        "token_endpoint_auth_methods_supported": ["client_secret_post", "private_key_jwt", "client_secret_basic"],
                        "jwks_uri": format!("{b}/{tenant}/discovery/v2.0/keys"),
                        "response_modes_supported": ["query", "fragment", "form_post"],
                        "subject_types_supported": ["pairwise"],
                        "id_token_signing_alg_values_supported": ["RS256"],
                        "response_types_supported": ["code", "id_token", "code id_token", "id_token token"],
                        "scopes_supported": ["openid", "profile", "email", "offline_access"],
                        "issuer": format!("{b}/{issuer_tenant}/v2.0"),
                        "request_uri_parameter_supported": false,
                        "userinfo_endpoint": format!("{b}/oidc/userinfo"),
                        "authorization_endpoint": format!("{b}/{tenant}/oauth2/v2.0/authorize"),
                        "http_logout_supported": true,
                        "frontchannel_logout_supported": true,
                        "end_session_endpoint": format!("{b}/{tenant}/oauth2/v2.0/logout"),
                        "claims_supported": ["sub", "iss", "aud", "exp", "iat", "auth_time", "acr", "nonce", "preferred_username", "name", "tid", "ver", "at_hash", "c_hash", "email"],
                        "tenant_region_scope": null,
                        "cloud_instance_name": "microsoftonline.com"
                    }),
                )
            }
            (Kind::Microsoft, "GET", path) if path.ends_with("/discovery/v2.0/keys") => self.jwks(),
            (Kind::Microsoft, "GET", path) if path.ends_with("/oauth2/v2.0/authorize") => {
                let refresh = r
                    .query
                    .get("scope")
                    .is_some_and(|s| s.split(' ').any(|x| x == "offline_access"));
                self.authorize(r, s, refresh)
            }
            (Kind::Microsoft, "POST", path) if path.ends_with("/oauth2/v2.0/token") => {
                if r.form.contains_key("client_secret") || r.header("authorization").is_some() {
                    return json_reply(
                        401,
                        json!({
                            "error": "invalid_client",
                            "error_description": "AADSTS700025: Client is public so neither 'client_assertion' nor 'client_secret' should be presented.",
                            "error_codes": [700025]
                        }),
                    );
                }
                self.token(r, s, "eyJ0eXAiOiJKV1QiLCJub25jZSI6.", Some(3599), true)
            }
            (Kind::GitLab, "GET", "/.well-known/openid-configuration") => json_reply(
                200,
                json!({
                    "issuer": b,
                    "authorization_endpoint": format!("{b}/oauth/authorize"),
                    "token_endpoint": format!("{b}/oauth/token"),
                    "revocation_endpoint": format!("{b}/oauth/revoke"),
                    "introspection_endpoint": format!("{b}/oauth/introspect"),
                    "userinfo_endpoint": format!("{b}/oauth/userinfo"),
                    "jwks_uri": format!("{b}/oauth/discovery/keys"),
                    "scopes_supported": ["api", "read_api", "read_user", "openid", "profile", "email"],
                    "response_types_supported": ["code"],
                    "response_modes_supported": ["query", "fragment", "form_post"],
                    "grant_types_supported": ["authorization_code", "password", "client_credentials", "device_code", "refresh_token"],
                    "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
                    "subject_types_supported": ["public"],
                    "id_token_signing_alg_values_supported": ["RS256"],
                    "claim_types_supported": ["normal"],
                    "claims_supported": ["iss", "sub", "aud", "exp", "iat", "sub_legacy", "name", "nickname", "preferred_username", "email", "email_verified", "website", "profile", "picture", "groups", "groups_direct"],
                    "code_challenge_methods_supported": ["plain", "S256"]
                }),
            ),
            (Kind::GitLab, "GET", "/oauth/discovery/keys") => self.jwks(),
            (Kind::GitLab, "GET", "/oauth/authorize") => {
                let uri = r.query.get("redirect_uri").cloned().unwrap_or_default();
                let ok = match &self.opts.exact_redirect {
                    Some(exact) => uri == *exact,
                    // doorkeeper: a loopback IP redirect matches the registered one on any port.
                    None => Url::parse(&uri).is_ok_and(|u| {
                        u.scheme() == "http"
                            && u.host_str() == Some("127.0.0.1")
                            && u.path() == "/callback"
                    }),
                };
                if !ok {
                    return Reply {
                        status: 400,
                        content_type: "text/html; charset=utf-8",
                        body: "An error has occurred. The redirect URI included is not valid."
                            .into(),
                        location: None,
                    };
                }
                self.authorize(r, s, true)
            }
            (Kind::GitLab, "POST", "/oauth/token") => {
                self.token(r, s, "glpat-oauth-", Some(7200), true)
            }
            (Kind::GitLab, "POST", "/oauth/revoke") => {
                // Doorkeeper keeps an access token and its refresh token in one record, and
                // revoking either revokes the record: both.
                let token = r.form.get("token").cloned().unwrap_or_default();
                let with = s.issued_with.remove(&token);
                s.access.retain(|t| *t != token && Some(t) != with.as_ref());
                s.refresh.remove(&token);
                s.issued_with.retain(|_, a| *a != token);
                // RFC 7009 §2.2: unknown tokens are not an error.
                json_reply(200, json!({}))
            }
            _ => json_reply(404, json!({"error": "not_found", "path": r.path})),
        }
    }

    /// The authorization endpoint: consents at once and redirects to the callback.
    fn authorize(&self, r: &Seen, s: &mut State, refresh: bool) -> Reply {
        let q = &r.query;
        let redirect_uri = q.get("redirect_uri").cloned().unwrap_or_default();
        if q.get("client_id").map(String::as_str) != Some(self.client_id())
            || q.get("response_type").map(String::as_str) != Some("code")
        {
            return json_reply(400, json!({"error": "invalid_request"}));
        }
        let code = s.next("code-");
        s.codes.insert(
            code.clone(),
            Grant {
                client_id: self.client_id().to_owned(),
                redirect_uri: redirect_uri.clone(),
                challenge: q.get("code_challenge").cloned(),
                nonce: q.get("nonce").cloned(),
                scope: q.get("scope").cloned().unwrap_or_default(),
                refresh,
                subject: s.subject.clone(),
            },
        );
        let mut to = Url::parse(&redirect_uri).unwrap();
        to.query_pairs_mut().append_pair("code", &code).append_pair(
            "state",
            q.get("state").map(String::as_str).unwrap_or_default(),
        );
        redirect(to.to_string())
    }

    /// A standard token endpoint (RFC 6749 §5): errors with 400 and JSON.
    fn token(
        &self,
        r: &Seen,
        s: &mut State,
        prefix: &str,
        expires_in: Option<u64>,
        rotate: bool,
    ) -> Reply {
        let f = &r.form;
        match f.get("grant_type").map(String::as_str) {
            Some("authorization_code") => {
                let Some(grant) = f.get("code").and_then(|c| s.codes.remove(c)) else {
                    return json_reply(
                        400,
                        json!({"error": "invalid_grant", "error_description": "code unknown or used"}),
                    );
                };
                if let Err(why) = check_grant(&grant, f) {
                    return json_reply(
                        400,
                        json!({"error": "invalid_grant", "error_description": why}),
                    );
                }
                let access = s.next(prefix);
                s.access.push(access.clone());
                let mut body = json!({
                    "access_token": access,
                    "token_type": "Bearer",
                    "scope": self.granted_scope(&grant.scope),
                    "id_token": self.id_token(&grant),
                });
                if let Some(e) = expires_in {
                    body["expires_in"] = json!(e);
                }
                if self.kind == Kind::Microsoft {
                    body["ext_expires_in"] = json!(3599);
                }
                if self.kind == Kind::GitLab {
                    body["created_at"] = json!(now());
                }
                if grant.refresh {
                    let rt = s.next("1//refresh-");
                    s.refresh.insert(rt.clone(), grant.scope.clone());
                    s.issued_with.insert(rt.clone(), access.clone());
                    body["refresh_token"] = json!(rt);
                }
                json_reply(200, body)
            }
            Some("refresh_token") if self.opts.ms_refresh_error.is_some() => json_reply(
                400,
                json!({
                    "error": self.opts.ms_refresh_error,
                    "error_description": "AADSTS50076: Due to a configuration change made by your \
                        administrator, or because you moved to a new location, you must use \
                        multi-factor authentication to access the resource.",
                    "error_codes": [50076],
                }),
            ),
            Some("refresh_token") => {
                let old = f.get("refresh_token").cloned().unwrap_or_default();
                let Some(scope) = s.refresh.get(&old).cloned() else {
                    return json_reply(
                        400,
                        json!({"error": "invalid_grant", "error_description": "refresh token unknown, expired or revoked"}),
                    );
                };
                let access = s.next(prefix);
                s.access.push(access.clone());
                // RFC 6749 §6: a `scope` asks for a token for those alone; Microsoft's answer
                // names "the scopes that the access_token is valid for".
                let valid_for = f.get("scope").cloned().unwrap_or_else(|| scope.clone());
                let mut body =
                    json!({"access_token": access, "token_type": "Bearer", "scope": valid_for});
                if let Some(e) = expires_in {
                    body["expires_in"] = json!(e);
                }
                if matches!(self.kind, Kind::Microsoft | Kind::GitLab) {
                    // Microsoft sends a new ID token with a refresh, without a nonce; so does
                    // GitLab (doorkeeper-openid_connect adds one to every token response
                    // whose scope holds `openid`).
                    let grant = Grant {
                        client_id: self.client_id().to_owned(),
                        redirect_uri: String::new(),
                        challenge: None,
                        nonce: None,
                        scope: scope.clone(),
                        refresh: true,
                        subject: None,
                    };
                    body["id_token"] = json!(self.id_token(&grant));
                }
                if rotate {
                    s.refresh.remove(&old);
                    let rt = s.next("1//refresh-");
                    s.refresh.insert(rt.clone(), scope);
                    s.issued_with.insert(rt.clone(), access.clone());
                    body["refresh_token"] = json!(rt);
                }
                json_reply(200, body)
            }
            _ => json_reply(400, json!({"error": "unsupported_grant_type"})),
        }
    }

    /// The `scope` of a token response: Google names `email` and `profile` by their URLs and
    /// leaves out what the user unticked; the others grant what was asked.
    fn granted_scope(&self, asked: &str) -> String {
        if self.kind != Kind::Google {
            return asked.to_owned();
        }
        asked
            .split(' ')
            .filter(|s| !self.opts.google_unticked.contains(s))
            .map(|s| match s {
                "email" => "https://www.googleapis.com/auth/userinfo.email",
                "profile" => "https://www.googleapis.com/auth/userinfo.profile",
                other => other,
            })
            .collect::<Vec<_>>()
            .join(" ")
    }

    fn id_token(&self, grant: &Grant) -> String {
        let t = now();
        let b = &self.base;
        // GitLab's ID tokens live 120 s: doorkeeper-openid_connect's default `expiration`,
        // which gitlab.com keeps (a self-managed instance may set
        // `openid_id_token_expire_in_seconds`). The others' live an hour.
        let lifetime = match self.kind {
            Kind::GitLab => 120,
            _ => 3600,
        };
        let mut claims = json!({
            "aud": grant.client_id,
            "iat": t,
            "exp": t + lifetime,
        });
        if let Some(nonce) = &grant.nonce {
            claims["nonce"] = json!(nonce);
        }
        match self.kind {
            Kind::Google => {
                claims["iss"] = match self.opts.google_schemeless_iss {
                    true => json!(b.trim_start_matches("http://")),
                    false => json!(b),
                };
                claims["sub"] = json!(grant.subject.as_deref().unwrap_or("110169484474386276334"));
                claims["azp"] = json!(grant.client_id);
                claims["email"] = json!(EMAIL);
                claims["email_verified"] = json!(true);
                claims["at_hash"] = json!("HK6E_P6Dh8Y93mRNtsDB1Q");
                if let Some(hd) = self.opts.google_hd {
                    claims["hd"] = json!(hd);
                }
            }
            Kind::Microsoft => {
                let iss_tenant = if self.opts.ms_foreign_issuer {
                    "9188040d-6c67-4c5b-b112-36a304b66dad"
                } else {
                    MS_TENANT
                };
                claims["iss"] = json!(format!("{b}/{iss_tenant}/v2.0"));
                claims["tid"] = json!(MS_TENANT);
                claims["sub"] = json!("AAAAAAAAAAAAAAAAAAAAAIkzqFVrSaSaFHy782bbtaQ");
                claims["oid"] = json!("00000000-0000-0000-66f3-3332eca7ea81");
                claims["nbf"] = json!(t);
                claims["name"] = json!("Alice");
                claims["preferred_username"] = json!(MS_USERNAME);
                claims["ver"] = json!("2.0");
                if self.opts.ms_email {
                    claims["email"] = json!(EMAIL);
                }
            }
            Kind::GitLab => {
                claims["iss"] = json!(b);
                claims["sub"] = json!("4242");
                claims["sub_legacy"] = json!("2c6c8a0f1d4b1f9c");
                claims["auth_time"] = json!(t);
                claims["email"] = json!(EMAIL);
                claims["email_verified"] = json!(true);
            }
            Kind::GitHub | Kind::Facebook => unreachable!("no ID tokens from plain OAuth"),
        }
        self.sign(claims)
    }

    /// GitHub's token endpoint: JSON only when asked, errors with HTTP 200.
    fn github_token(&self, r: &Seen, s: &mut State) -> Reply {
        let f = &r.form;
        let error = |code: &str, description: &str| {
            json!({
                "error": code,
                "error_description": description,
                "error_uri": "https://docs.github.com/apps/managing-oauth-apps/troubleshooting-oauth-app-access-token-request-errors/"
            })
        };
        let body = if f.get("client_id").map(String::as_str) != Some(GITHUB_CLIENT)
            || f.get("client_secret").map(String::as_str) != Some(GITHUB_SECRET)
        {
            error(
                "incorrect_client_credentials",
                "The client_id and/or client_secret passed are incorrect.",
            )
        } else {
            match f.get("grant_type").map(String::as_str) {
                Some("refresh_token") => {
                    let old = f.get("refresh_token").cloned().unwrap_or_default();
                    if s.refresh.remove(&old).is_some() {
                        // The old refresh token and the old access token stop working.
                        s.access.clear();
                        self.github_tokens(s, "")
                    } else {
                        error(
                            "bad_refresh_token",
                            "The refresh token passed is incorrect or expired.",
                        )
                    }
                }
                _ => match f.get("code").and_then(|c| s.codes.remove(c)) {
                    Some(grant) if check_grant(&grant, f).is_ok() => {
                        self.github_tokens(s, &grant.scope)
                    }
                    _ => error(
                        "bad_verification_code",
                        "The code passed is incorrect or expired.",
                    ),
                },
            }
        };
        if r.header("accept") != Some("application/json") {
            // Without the Accept header GitHub answers form-encoded.
            let text = form_urlencoded::Serializer::new(String::new())
                .extend_pairs(body.as_object().unwrap().iter().map(|(k, v)| {
                    (
                        k.clone(),
                        v.as_str()
                            .map(str::to_owned)
                            .unwrap_or_else(|| v.to_string()),
                    )
                }))
                .finish();
            return Reply {
                status: 200,
                content_type: "application/x-www-form-urlencoded; charset=utf-8",
                body: text,
                location: None,
            };
        }
        json_reply(200, body)
    }

    /// GitHub's token response; an OAuth app's lists the granted scopes, `scope` of the
    /// authorization request, comma-separated ("Authorizing OAuth apps").
    fn github_tokens(&self, s: &mut State, scope: &str) -> Value {
        if self.opts.github_app {
            let access = s.next("ghu_");
            let rt = s.next("ghr_");
            s.access.push(access.clone());
            s.refresh.insert(rt.clone(), String::new());
            json!({
                "access_token": access,
                "expires_in": 28800,
                "refresh_token": rt,
                "refresh_token_expires_in": 15811200,
                "scope": "",
                "token_type": "bearer"
            })
        } else {
            let access = s.next("gho_");
            s.access.push(access.clone());
            let granted = scope.split(' ').collect::<Vec<_>>().join(",");
            json!({"access_token": access, "scope": granted, "token_type": "bearer"})
        }
    }
}

impl State {
    fn is_live(&self, token: &str) -> bool {
        self.access.iter().any(|t| t == token) || self.refresh.contains_key(token)
    }

    fn bearer_ok(&self, r: &Seen) -> bool {
        r.header("authorization")
            .and_then(|h| h.strip_prefix("Bearer "))
            .is_some_and(|t| self.access.iter().any(|a| a == t))
    }
}

/// The checks of RFC 6749 §4.1.3 and RFC 7636 §4.6 on a code exchange.
fn check_grant(grant: &Grant, form: &BTreeMap<String, String>) -> Result<(), &'static str> {
    if form.get("redirect_uri") != Some(&grant.redirect_uri) {
        return Err("redirect_uri differs from the authorization request's");
    }
    if form.get("client_id") != Some(&grant.client_id) {
        return Err("client_id differs");
    }
    if let Some(challenge) = &grant.challenge {
        let verifier = form.get("code_verifier").ok_or("code_verifier missing")?;
        let computed =
            PkceCodeChallenge::from_code_verifier_sha256(&PkceCodeVerifier::new(verifier.clone()));
        if computed.as_str() != challenge {
            return Err("code_verifier does not match the code_challenge");
        }
    }
    Ok(())
}
