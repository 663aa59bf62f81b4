//! The Facebook stand-in (`Kind::Facebook`): its login dialog and the Graph API, in the wire
//! format Facebook documents (sources in `src/presets/facebook/mod.rs`). Every path starts
//! with a Graph API version (`/v25.0/...`), which the stand-in records and does not judge.
//!
//! - The dialog takes a redirect only to `http://localhost:PORT/...` (an app in development
//!   mode); any other gets Facebook's error page and no redirect.
//! - `oauth/access_token` takes its parameters in the query (Facebook's GET) or as a POST
//!   form: the code exchange (app secret, redirect URI, PKCE verifier checked) answers a
//!   short-lived token, `grant_type=fb_exchange_token` a long-lived one.
//! - `/me` and `DELETE /me/permissions` take the user's token as a Bearer header (or an
//!   `access_token` parameter), and the `appsecret_proof` when the app requires it.
//! - The device login: `device/login` and `device/login_status` with `APP_ID|CLIENT_TOKEN`,
//!   and a verification page at `/device` that `tests/support/phone.py` walks: a form for
//!   the code, then one to confirm or cancel.
//!
//! Every error is a Graph API error object with HTTP 400.

use std::collections::{BTreeMap, HashMap};

use hmac::{Hmac, Mac};
use oauth2::url::Url;
use serde_json::json;
use sha2::Sha256;

use super::{Grant, Provider, Reply, Seen, State, check_grant, json_reply};

pub const FB_APP: &str = "1234567890123456";
pub const FB_SECRET: &str = "fb-standin-app-secret";
pub const FB_CLIENT_TOKEN: &str = "fb-standin-client-token";
pub const FB_USER: &str = "10229384756102938";
/// How long a dialog's token lives ("valid for 1 hour", access-tokens guide).
const SHORT_LIVED: u64 = 3600;
/// The long-lived answer of "Long-Lived Access Tokens".
pub const LONG_LIVED: u64 = 5183944;

/// Variations of the Facebook stand-in.
#[derive(Clone, Debug, Default)]
pub struct FacebookOptions {
    /// The app has "Require App Secret" on: Graph API calls need `appsecret_proof`.
    pub require_proof: bool,
    /// `expires_in` of the long-lived token, when not [`LONG_LIVED`].
    pub lifetime: Option<u64>,
    /// The account was made with a phone number: `/me` has no `email`.
    pub no_email: bool,
    /// The device login's `interval`, when not Facebook's 5 s.
    pub interval: Option<u64>,
    /// The first poll after the code is asked for answers "polling too frequently".
    pub slow_down: bool,
    /// So many polls answer that the login is pending, whether or not it was approved (the
    /// person is still at it).
    pub pending_polls: u32,
    /// Every poll answers that the code expired.
    pub expired: bool,
    /// The step that answers a Graph API error: `exchange`, `long_lived`, `me`,
    /// `permissions`.
    pub fail: Option<&'static str>,
}

/// What the Facebook stand-in remembers besides the codes and tokens of `State`.
#[derive(Default)]
pub struct FacebookState {
    /// Device login codes by `code`: the user code, and what the person did (`None` while
    /// nobody entered it; `Some(true)` approved, `Some(false)` declined).
    devices: HashMap<String, (String, Option<bool>)>,
    polls: u32,
}

fn graph_error(code: i64, subcode: Option<i64>, kind: &str, message: &str) -> Reply {
    let mut error = json!({
        "message": message,
        "type": kind,
        "code": code,
        "fbtrace_id": "AbCdEfGhIjK",
    });
    if let Some(sub) = subcode {
        error["error_subcode"] = json!(sub);
    }
    json_reply(400, json!({ "error": error }))
}

/// The Graph API's answer to an access token it cannot read.
fn unparsed_token() -> Reply {
    graph_error(
        190,
        None,
        "OAuthException",
        "Invalid OAuth access token - Cannot parse access token",
    )
}

/// The device login's requests carry the app's token, `APP_ID|CLIENT_TOKEN`.
fn app_token(p: &BTreeMap<String, String>) -> Result<(), Reply> {
    match p.get("access_token") {
        Some(t) if *t == format!("{FB_APP}|{FB_CLIENT_TOKEN}") => Ok(()),
        _ => Err(unparsed_token()),
    }
}

fn page(title: &str, form: &str) -> Reply {
    Reply {
        status: 200,
        content_type: "text/html; charset=utf-8",
        body: format!("<html><head><title>{title}</title></head><body>{form}</body></html>"),
        location: None,
    }
}

/// `appsecret_proof` as "Securing Graph API Requests" computes it.
pub fn proof(access_token: &str) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(FB_SECRET.as_bytes()).unwrap();
    mac.update(access_token.as_bytes());
    mac.finalize()
        .into_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

impl Provider {
    pub(super) fn facebook(&self, r: &Seen, s: &mut State) -> Reply {
        let (version, rest) = match r.path.strip_prefix("/v").and_then(|p| p.split_once('/')) {
            Some((v, rest)) if v.contains('.') => (v, format!("/{rest}")),
            _ => ("", r.path.clone()),
        };
        // Parameters as the Graph API takes them: the query, then a form body.
        let mut p: BTreeMap<String, String> = r.query.clone();
        p.extend(r.form.clone());
        match (r.method.as_str(), rest.as_str()) {
            ("GET", "/dialog/oauth") if !version.is_empty() => self.dialog(r, s),
            ("GET" | "POST", "/oauth/access_token") if !version.is_empty() => self.fb_token(&p, s),
            ("GET", "/me") => match self.user(r, &p, s, "me") {
                Err(reply) => reply,
                Ok(_) => {
                    let fields = p.get("fields").cloned().unwrap_or_default();
                    let mut me = json!({});
                    for field in fields.split(',') {
                        match field {
                            "id" => me["id"] = json!(FB_USER),
                            "email" if !self.opts.facebook.no_email => {
                                me["email"] = json!(super::EMAIL)
                            }
                            _ => {}
                        }
                    }
                    json_reply(200, me)
                }
            },
            ("DELETE", "/me/permissions") => match self.user(r, &p, s, "permissions") {
                Err(reply) => reply,
                Ok(_) => {
                    // The app leaves the account: every token of its login ends.
                    s.access.clear();
                    json_reply(200, json!({"success": true}))
                }
            },
            ("POST", "/device/login") => self.device_login(&p, s),
            ("POST", "/device/login_status") => self.device_status(&p, s),
            ("GET", "/device") => page(
                "Log in to a device",
                r#"<form method="post" action="/device"><input name="user_code" value=""><input type="submit" name="go" value="Continue"></form>"#,
            ),
            ("POST", "/device") => self.device_page(&p, s),
            ("POST", "/device/confirm") => self.device_confirm(&p, s),
            _ => graph_error(
                100,
                None,
                "GraphMethodException",
                "Unsupported request - method type: get",
            ),
        }
    }

    /// The login dialog: a development-mode app redirects to `localhost` on any port.
    fn dialog(&self, r: &Seen, s: &mut State) -> Reply {
        let uri = r.query.get("redirect_uri").cloned().unwrap_or_default();
        let localhost = Url::parse(&uri)
            .is_ok_and(|u| u.scheme() == "http" && u.host_str() == Some("localhost"));
        if !localhost {
            return page(
                "Error",
                "URL blocked: This redirect failed because the redirect URI is not allow-listed \
                 in the app's client OAuth settings.",
            );
        }
        self.authorize(r, s, false)
    }

    fn fb_token(&self, p: &BTreeMap<String, String>, s: &mut State) -> Reply {
        if p.get("client_id").map(String::as_str) != Some(FB_APP) {
            return graph_error(101, None, "OAuthException", "Error validating application.");
        }
        if p.get("client_secret").map(String::as_str) != Some(FB_SECRET) {
            return graph_error(1, None, "OAuthException", "Error validating client secret.");
        }
        let fail = self.opts.facebook.fail;
        if p.get("grant_type").map(String::as_str) == Some("fb_exchange_token") {
            let short = p.get("fb_exchange_token").cloned().unwrap_or_default();
            if fail == Some("long_lived") || !s.access.contains(&short) {
                return unparsed_token();
            }
            let long = s.next("EAALongLived");
            s.access.push(long.clone());
            let lifetime = self.opts.facebook.lifetime.unwrap_or(LONG_LIVED);
            return json_reply(
                200,
                json!({"access_token": long, "token_type": "bearer", "expires_in": lifetime}),
            );
        }
        let grant: Option<Grant> = p.get("code").and_then(|c| s.codes.remove(c));
        // The code, the redirect URI and the PKCE verifier of the dialog.
        if grant.is_none_or(|g| fail == Some("exchange") || check_grant(&g, p).is_err()) {
            return graph_error(
                100,
                Some(36009),
                "OAuthException",
                "This authorization code has been used.",
            );
        };
        let short = s.next("EAAShortLived");
        s.access.push(short.clone());
        json_reply(
            200,
            json!({"access_token": short, "token_type": "bearer", "expires_in": SHORT_LIVED}),
        )
    }

    /// The user's token of a Graph API call, checked with its proof; `step` may fail.
    fn user(
        &self,
        r: &Seen,
        p: &BTreeMap<String, String>,
        s: &State,
        step: &str,
    ) -> Result<String, Reply> {
        let token = r
            .header("authorization")
            .and_then(|h| h.strip_prefix("Bearer "))
            .map(str::to_owned)
            .or_else(|| p.get("access_token").cloned())
            .unwrap_or_default();
        if self.opts.facebook.fail == Some(step) || !s.access.contains(&token) {
            return Err(graph_error(
                190,
                Some(460),
                "OAuthException",
                "Error validating access token: The session has been invalidated because the \
                 user changed their password or Facebook has changed the session for security \
                 reasons.",
            ));
        }
        match p.get("appsecret_proof") {
            None if self.opts.facebook.require_proof => Err(graph_error(
                100,
                None,
                "GraphMethodException",
                "API calls from the server require an appsecret_proof argument",
            )),
            Some(given) if *given != proof(&token) => Err(graph_error(
                100,
                None,
                "GraphMethodException",
                "Invalid appsecret_proof provided in the API argument",
            )),
            _ => Ok(token),
        }
    }

    fn device_login(&self, p: &BTreeMap<String, String>, s: &mut State) -> Reply {
        if let Err(reply) = app_token(p) {
            return reply;
        }
        let code = s.next("92a2b2e351f2b0b3503b2de251132f47-");
        let user_code = format!("A1NWZ{}", s.n);
        s.facebook
            .devices
            .insert(code.clone(), (user_code.clone(), None));
        s.facebook.polls = 0;
        json_reply(
            200,
            json!({
                "code": code,
                "user_code": user_code,
                "verification_uri": format!("{}/device", self.base),
                "expires_in": 420,
                "interval": self.opts.facebook.interval.unwrap_or(5),
            }),
        )
    }

    fn device_status(&self, p: &BTreeMap<String, String>, s: &mut State) -> Reply {
        if let Err(reply) = app_token(p) {
            return reply;
        }
        s.facebook.polls += 1;
        let code = p.get("code").cloned().unwrap_or_default();
        let decided = s.facebook.devices.get(&code).map(|(_, d)| *d);
        let o = &self.opts.facebook;
        if o.expired || decided.is_none() {
            return graph_error(
                463,
                Some(1349152),
                "OAuthException",
                "The session has expired",
            );
        }
        if o.slow_down && s.facebook.polls == 1 {
            return graph_error(
                17,
                Some(1349172),
                "OAuthException",
                "User request limit reached",
            );
        }
        let pending = s.facebook.polls <= o.pending_polls;
        match decided.flatten().filter(|_| !pending) {
            None => graph_error(
                31,
                Some(1349174),
                "OAuthException",
                "This request requires the user to take a pending action",
            ),
            Some(false) => graph_error(
                31,
                Some(1349173),
                "OAuthException",
                "The user declined the device login",
            ),
            Some(true) => {
                s.facebook.devices.remove(&code);
                let token = s.next("EAADevice");
                s.access.push(token.clone());
                json_reply(
                    200,
                    json!({
                        "access_token": token,
                        "data_access_expiration_time": super::now() + 90 * 86400,
                        "expires_in": LONG_LIVED,
                    }),
                )
            }
        }
    }

    /// The code entered on the verification page: the confirmation, with a way to cancel.
    fn device_page(&self, p: &BTreeMap<String, String>, s: &State) -> Reply {
        let user_code = p.get("user_code").cloned().unwrap_or_default();
        if !s.facebook.devices.values().any(|(u, _)| *u == user_code) {
            return page("Error", "This code is not valid.");
        }
        page(
            "Confirm",
            &format!(
                r#"<form method="post" action="/device/confirm"><input type="hidden" name="user_code" value="{user_code}"><input type="hidden" name="confirm" value="yes"><input type="submit" name="abort" value="yes"></form>"#
            ),
        )
    }

    fn device_confirm(&self, p: &BTreeMap<String, String>, s: &mut State) -> Reply {
        let user_code = p.get("user_code").cloned().unwrap_or_default();
        let approve = !p.contains_key("abort");
        for (u, decided) in s.facebook.devices.values_mut() {
            if *u == user_code {
                *decided = Some(approve);
            }
        }
        match approve {
            true => page("Sign-in Success", "You are logged in to the device."),
            false => page("Cancelled", "The login was cancelled."),
        }
    }
}
