//! Judging one request to the loopback listener: a pure function, no I/O.
//!
//! Order matters (security.md #3, #5, #8): method, Host and path first (a stray or
//! rebinding request must not use up the login); then exactly one `state`, compared in
//! constant time, before any other parameter is believed, so a forged `?error=` cannot end
//! the login (RFC 6749 §10.12); then `iss` against the issuer (RFC 9207 §2.4), before the
//! code or an error is trusted; only then the code or the error (RFC 6749 §4.1.2, §4.1.2.1).

use std::collections::HashMap;

use oauth2::url::form_urlencoded;
use subtle::ConstantTimeEq;

/// The path of the redirect URI.
pub const CALLBACK_PATH: &str = "/callback";

/// What the callback must match.
pub struct Expected<'a> {
    /// `127.0.0.1:PORT`, exactly as in the redirect URI.
    pub host: &'a str,
    pub state: &'a str,
    /// The issuer for the `iss` check, when the provider is an OpenID one. A plain OAuth 2.0
    /// provider has no issuer identifier to compare with, so its `iss` is not checked.
    pub issuer: Option<&'a str>,
    /// The provider promised `iss` (RFC 9207 §3): a response without it is refused.
    pub iss_required: bool,
}

/// The page the listener answers with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Page {
    NotFound,
    MethodNotAllowed,
    BadRequest,
    Denied,
    Failed,
    Success,
}

/// The verdict on one request.
#[derive(Debug, PartialEq, Eq)]
pub enum Verdict {
    /// Not our callback, or not a valid one: answer `status` with `page`, keep waiting.
    Reject { status: u16, page: Page },
    /// The callback with a code: exchange it.
    Code(String),
    /// The provider ended the login with an error (RFC 6749 §4.1.2.1).
    Denied {
        error: String,
        description: Option<String>,
    },
    /// A response with our state that cannot be trusted (wrong issuer): the login is over.
    Abort(String),
}

fn reject(status: u16, page: Page) -> Verdict {
    Verdict::Reject { status, page }
}

/// Judges a request given its method, request target (path and query) and Host header.
pub fn judge(method: &str, target: &str, host: Option<&str>, expected: &Expected) -> Verdict {
    if method != "GET" {
        return reject(405, Page::MethodNotAllowed);
    }
    if host != Some(expected.host) {
        return reject(400, Page::BadRequest);
    }
    let (path, query) = target.split_once('?').unwrap_or((target, ""));
    if path != CALLBACK_PATH {
        return reject(404, Page::NotFound);
    }
    let mut params: HashMap<String, String> = HashMap::new();
    for (k, v) in form_urlencoded::parse(query.as_bytes()) {
        // A repeated parameter is ambiguous: which one would the provider have meant?
        // RFC 6749 §3.1 forbids repeating request and response parameters.
        if params.insert(k.into_owned(), v.into_owned()).is_some() {
            return reject(400, Page::BadRequest);
        }
    }
    let state_ok = params
        .get("state")
        .is_some_and(|s| bool::from(s.as_bytes().ct_eq(expected.state.as_bytes())));
    if !state_ok {
        return reject(400, Page::BadRequest);
    }
    match (params.get("iss"), expected.issuer) {
        (Some(iss), Some(issuer)) if iss != issuer => {
            return Verdict::Abort(format!(
                "the authorization response names the issuer '{iss}', not '{issuer}': \
                 it may come from another provider (RFC 9207); login aborted"
            ));
        }
        (None, Some(_)) if expected.iss_required => {
            return Verdict::Abort(
                "the provider promises `iss` in its responses but this one has none (RFC 9207); login aborted".into(),
            );
        }
        _ => {}
    }
    if let Some(error) = params.get("error") {
        return Verdict::Denied {
            error: error.clone(),
            description: params.get("error_description").cloned(),
        };
    }
    match params.remove("code") {
        Some(code) if !code.is_empty() => Verdict::Code(code),
        _ => reject(400, Page::BadRequest),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const HOST: &str = "127.0.0.1:4711";

    fn exp(iss_required: bool) -> Expected<'static> {
        Expected {
            host: HOST,
            state: "s1",
            issuer: Some("http://127.0.0.1:9000"),
            iss_required,
        }
    }

    fn get(target: &str) -> Verdict {
        judge("GET", target, Some(HOST), &exp(false))
    }

    const ISS: &str = "iss=http%3A%2F%2F127.0.0.1%3A9000";

    #[test]
    fn the_right_callback_yields_the_code() {
        assert_eq!(
            get(&format!("/callback?code=abc&state=s1&{ISS}")),
            Verdict::Code("abc".into())
        );
        assert_eq!(
            get("/callback?code=abc&state=s1"),
            Verdict::Code("abc".into())
        );
    }

    #[test]
    fn wrong_missing_or_repeated_state_is_a_400() {
        for t in [
            "/callback?code=abc&state=s2",
            "/callback?code=abc",
            "/callback?code=abc&state=s1&state=s1",
            "/callback?code=abc&code=x&state=s1",
            "/callback?error=access_denied&state=nope",
            "/callback?error=access_denied",
        ] {
            assert_eq!(get(t), reject(400, Page::BadRequest), "{t}");
        }
    }

    #[test]
    fn an_error_with_the_right_state_ends_the_login() {
        assert_eq!(
            get(&format!(
                "/callback?error=access_denied&error_description=no+way&state=s1&{ISS}"
            )),
            Verdict::Denied {
                error: "access_denied".into(),
                description: Some("no way".into())
            }
        );
    }

    #[test]
    fn a_foreign_issuer_aborts_before_the_code_is_used() {
        let v = get("/callback?code=abc&state=s1&iss=https%3A%2F%2Fevil.example");
        assert!(matches!(v, Verdict::Abort(_)), "{v:?}");
        let v = get("/callback?error=access_denied&state=s1&iss=https%3A%2F%2Fevil.example");
        assert!(matches!(v, Verdict::Abort(_)), "{v:?}");
    }

    #[test]
    fn a_missing_issuer_is_refused_when_promised() {
        let v = judge("GET", "/callback?code=abc&state=s1", Some(HOST), &exp(true));
        assert!(matches!(v, Verdict::Abort(_)), "{v:?}");
    }

    #[test]
    fn wrong_method_host_or_path_do_not_use_up_the_login() {
        let ok = "/callback?code=abc&state=s1";
        assert_eq!(
            judge("POST", ok, Some(HOST), &exp(false)),
            reject(405, Page::MethodNotAllowed)
        );
        for host in [
            None,
            Some("localhost:4711"),
            Some("evil.example:4711"),
            Some("127.0.0.1"),
        ] {
            assert_eq!(
                judge("GET", ok, host, &exp(false)),
                reject(400, Page::BadRequest),
                "{host:?}"
            );
        }
        for t in [
            "/",
            "/favicon.ico",
            "/callback/x?code=abc&state=s1",
            "/Callback?code=abc&state=s1",
        ] {
            assert_eq!(get(t), reject(404, Page::NotFound), "{t}");
        }
    }
}
