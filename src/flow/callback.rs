//! Judging one request to the loopback listener: a pure function, no I/O.
//!
//! Order matters (SECURITY.md rows 3, 5, #8): method, Host and path first (a stray or
//! rebinding request must not use up the login); then exactly one `state`, compared in
//! constant time, before any other parameter is believed, so a forged `?error=` cannot end
//! the login (RFC 6749 §10.12); then `iss` against the issuer (RFC 9207 §2.4), before the
//! code or an error is trusted; only then the code or the error (RFC 6749 §4.1.2, §4.1.2.1).

use std::collections::HashMap;

use subtle::ConstantTimeEq;

use crate::secret::Secret;

/// The path of the redirect URI.
pub const CALLBACK_PATH: &str = "/callback";

/// What the judges look at in a request: its method, its origin-form target and its one
/// `Host` field, as the listener's boundary checked them (`request::head`). All ASCII.
#[derive(Debug, PartialEq, Eq)]
pub struct Head {
    pub method: String,
    pub target: String,
    pub host: String,
}

/// Why a request was refused before it could be judged.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Problem {
    /// No end of the head within the listener's cap (answered 431, RFC 6585 §5).
    TooLarge,
    /// The request line, a field line or the Host field is malformed (answered 400).
    Malformed(&'static str),
    /// No whole head in the connection's time (answered 408, RFC 9110 §15.5.9).
    Timeout,
}

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
    /// `why` says which rule refused it, for `-vv`; it holds nothing from the request.
    Reject {
        status: u16,
        page: Page,
        why: &'static str,
    },
    /// The authorization response, with our state: it ends the login.
    Answer(Answer),
}

/// What the authorization response said.
#[derive(Debug, PartialEq, Eq)]
pub enum Answer {
    /// The callback with a code: exchange it.
    Code(Secret),
    /// The provider ended the login with an error (RFC 6749 §4.1.2.1).
    Denied {
        error: String,
        description: Option<String>,
    },
    /// A response with our state that cannot be trusted (wrong issuer): the login is over.
    Abort(String),
}

/// A [`Verdict::Reject`].
pub fn reject(status: u16, page: Page, why: &'static str) -> Verdict {
    Verdict::Reject { status, page, why }
}

/// The answer to a request, or a pasted line, longer than the listener reads.
pub fn too_large() -> Verdict {
    refuse(Problem::TooLarge)
}

/// The answer to a request whose head could not be parsed.
pub fn refuse(problem: Problem) -> Verdict {
    match problem {
        // RFC 6585 §5: 431 Request Header Fields Too Large.
        Problem::TooLarge => reject(431, Page::BadRequest, "the request is too large"),
        Problem::Malformed(why) => reject(400, Page::BadRequest, why),
        Problem::Timeout => reject(408, Page::BadRequest, "no request in time"),
    }
}

/// Judges a parsed request head.
pub fn judge(head: &Head, expected: &Expected) -> Verdict {
    if head.method != "GET" {
        return reject(405, Page::MethodNotAllowed, "not a GET");
    }
    if head.host != expected.host {
        return reject(
            400,
            Page::BadRequest,
            "the Host field is not 127.0.0.1:PORT",
        );
    }
    let (path, query) = head.target.split_once('?').unwrap_or((&head.target, ""));
    if path != CALLBACK_PATH {
        return reject(404, Page::NotFound, "not the callback path");
    }
    let mut params: HashMap<String, String> = HashMap::new();
    for (k, v) in form_urlencoded::parse(query.as_bytes()) {
        // A repeated parameter is ambiguous: which one would the provider have meant?
        // RFC 6749 §3.1 forbids repeating request and response parameters.
        if params.insert(k.into_owned(), v.into_owned()).is_some() {
            return reject(400, Page::BadRequest, "a parameter is repeated");
        }
    }
    let state_ok = params
        .get("state")
        .is_some_and(|s| bool::from(s.as_bytes().ct_eq(expected.state.as_bytes())));
    if !state_ok {
        return reject(400, Page::BadRequest, "the state is missing or wrong");
    }
    match (params.get("iss"), expected.issuer) {
        (Some(iss), Some(issuer)) if iss != issuer => {
            return Verdict::Answer(Answer::Abort(format!(
                "the authorization response names the issuer '{iss}', not '{issuer}': \
                 it may come from another provider (RFC 9207); login aborted"
            )));
        }
        (None, Some(_)) if expected.iss_required => {
            return Verdict::Answer(Answer::Abort(
                "the provider promises `iss` in its responses but this one has none (RFC 9207); login aborted".into(),
            ));
        }
        _ => {}
    }
    if let Some(error) = params.get("error") {
        return Verdict::Answer(Answer::Denied {
            error: error.clone(),
            description: params.get("error_description").cloned(),
        });
    }
    match params.remove("code") {
        Some(code) if !code.is_empty() => Verdict::Answer(Answer::Code(Secret::new(code))),
        _ => reject(400, Page::BadRequest, "no code and no error"),
    }
}

/// What the unit tests of the judges expect: a listener on port 4711, state `s1`.
#[cfg(test)]
pub mod fixture {
    use super::Expected;

    pub const HOST: &str = "127.0.0.1:4711";
    /// The `iss` parameter naming the expected issuer.
    pub const ISS: &str = "iss=http%3A%2F%2F127.0.0.1%3A9000";

    pub fn exp(iss_required: bool) -> Expected<'static> {
        Expected {
            host: HOST,
            state: "s1",
            issuer: Some("http://127.0.0.1:9000"),
            iss_required,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::fixture::{HOST, ISS, exp};
    use super::*;

    fn request(method: &str, target: &str, host: &str) -> Head {
        Head {
            method: method.into(),
            target: target.into(),
            host: host.into(),
        }
    }

    fn get(target: &str) -> Verdict {
        judge(&request("GET", target, HOST), &exp(false))
    }

    fn status(v: &Verdict) -> Option<u16> {
        match v {
            Verdict::Reject { status, .. } => Some(*status),
            _ => None,
        }
    }

    #[test]
    fn the_right_callback_yields_the_code() {
        assert_eq!(
            get(&format!("/callback?code=abc&state=s1&{ISS}")),
            Verdict::Answer(Answer::Code(Secret::new("abc")))
        );
        assert_eq!(
            get("/callback?code=abc&state=s1"),
            Verdict::Answer(Answer::Code(Secret::new("abc")))
        );
        // Percent-encoding is undone before the comparison, as a browser's would be.
        assert_eq!(
            get("/callback?code=a%2Bb+c&st%61te=s%31"),
            Verdict::Answer(Answer::Code(Secret::new("a+b c")))
        );
    }

    #[test]
    fn wrong_missing_or_repeated_state_is_a_400() {
        for t in [
            "/callback?code=abc&state=s2",
            "/callback?code=abc&state=s",
            "/callback?code=abc&state=s1x",
            "/callback?code=abc&state=",
            "/callback?code=abc",
            "/callback?code=abc&state=s1&state=s1",
            "/callback?code=abc&state=s1&st%61te=s2",
            "/callback?code=abc&code=x&state=s1",
            "/callback?error=access_denied&state=nope",
            "/callback?error=access_denied",
            "/callback?state=s1",
            "/callback?state=s1&code=",
        ] {
            assert_eq!(status(&get(t)), Some(400), "{t}");
        }
    }

    #[test]
    fn a_rejection_never_carries_the_request() {
        let v = get("/callback?code=secret-code&state=s2");
        assert!(!format!("{v:?}").contains("secret"), "{v:?}");
        let v = get("/callback?code=secret-code&state=s1");
        assert_eq!(format!("{v:?}"), "Answer(Code(Secret(redacted)))");
    }

    #[test]
    fn an_error_with_the_right_state_ends_the_login() {
        assert_eq!(
            get(&format!(
                "/callback?error=access_denied&error_description=no+way&state=s1&{ISS}"
            )),
            Verdict::Answer(Answer::Denied {
                error: "access_denied".into(),
                description: Some("no way".into())
            })
        );
    }

    #[test]
    fn a_foreign_issuer_aborts_before_the_code_is_used() {
        let v = get("/callback?code=abc&state=s1&iss=https%3A%2F%2Fevil.example");
        assert!(matches!(v, Verdict::Answer(Answer::Abort(_))), "{v:?}");
        let v = get("/callback?error=access_denied&state=s1&iss=https%3A%2F%2Fevil.example");
        assert!(matches!(v, Verdict::Answer(Answer::Abort(_))), "{v:?}");
        // A foreign issuer with a wrong state is just a stray request: the login goes on.
        let v = get("/callback?code=abc&state=s2&iss=https%3A%2F%2Fevil.example");
        assert_eq!(status(&v), Some(400));
    }

    #[test]
    fn a_missing_issuer_is_refused_when_promised() {
        let v = judge(
            &request("GET", "/callback?code=abc&state=s1", HOST),
            &exp(true),
        );
        assert!(matches!(v, Verdict::Answer(Answer::Abort(_))), "{v:?}");
    }

    #[test]
    fn wrong_method_host_or_path_do_not_use_up_the_login() {
        let ok = "/callback?code=abc&state=s1";
        for method in ["POST", "HEAD", "PUT", "get"] {
            let v = judge(&request(method, ok, HOST), &exp(false));
            assert_eq!(status(&v), Some(405), "{method}");
        }
        for host in [
            "localhost:4711",
            "evil.example:4711",
            "127.0.0.1",
            "127.0.0.1:4712",
            "127.0.0.1:4711.evil.example",
        ] {
            let v = judge(&request("GET", ok, host), &exp(false));
            assert_eq!(status(&v), Some(400), "{host}");
        }
        for t in [
            "/",
            "/favicon.ico",
            "/callback/x?code=abc&state=s1",
            "/Callback?code=abc&state=s1",
            "/callback%3Fcode=abc&state=s1",
        ] {
            assert_eq!(status(&get(t)), Some(404), "{t}");
        }
    }

    #[test]
    fn what_could_not_be_judged_is_a_400_408_or_431() {
        assert_eq!(status(&refuse(Problem::Malformed("x"))), Some(400));
        assert_eq!(status(&refuse(Problem::Timeout)), Some(408));
        assert_eq!(status(&too_large()), Some(431));
    }
}
