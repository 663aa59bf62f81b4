//! The boundary between the listener's HTTP server and its judges: the request hyper parsed,
//! checked into the [`Head`] they judge. A pure function, no I/O.
//!
//! hyper has already refused what is not HTTP/1.x, a malformed request line or field line
//! (white space before a colon, obsolete line folding, control characters: RFC 9112 §2.2,
//! §5), and a head over [`MAX_REQUEST`] bytes. What it lets through is checked here once more
//! for what the judges rely on: an origin-form target (browsers send nothing else to the
//! server they were redirected to, RFC 9112 §3.2.1), exactly one `Host` field (RFC 9112 §3.2:
//! more than one is a 400) holding a host, and nothing but visible ASCII in either. Fuzzed
//! with the judge (`fuzz/`): its callers feed it whatever a local process or web page sends.

use http::{Request, Version, header::HOST};

use super::callback::{Head, Problem};

/// The largest request head we read. A browser's callback request (a code, a state, an
/// issuer, cookies-free headers) is well under 4 KiB; 16 KiB leaves room for long codes and
/// a chatty browser while bounding what a hostile client can make us hold.
pub const MAX_REQUEST: usize = 16 * 1024;

/// The [`Head`] of `request`, or why it is refused.
pub fn head<B>(request: &Request<B>) -> Result<Head, Problem> {
    if !matches!(request.version(), Version::HTTP_10 | Version::HTTP_11) {
        return Err(Problem::Malformed("not HTTP/1.x"));
    }
    let uri = request.uri();
    let target = match (uri.scheme(), uri.authority(), uri.path_and_query()) {
        (None, None, Some(target)) => target.as_str(),
        _ => return Err(Problem::Malformed("bad request target")),
    };
    if !target.starts_with('/') || !target.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(Problem::Malformed("bad request target"));
    }
    let mut hosts = request.headers().get_all(HOST).iter();
    let host = match (hosts.next(), hosts.next()) {
        (Some(host), None) => host,
        (None, _) => return Err(Problem::Malformed("no Host field")),
        (Some(_), Some(_)) => return Err(Problem::Malformed("more than one Host field")),
    };
    let host = host
        .to_str()
        .ok()
        .filter(|h| !h.is_empty() && h.bytes().all(|b| b.is_ascii_graphic()))
        .ok_or(Problem::Malformed("the Host field is not a host"))?;
    Ok(Head {
        method: request.method().as_str().to_owned(),
        target: target.to_owned(),
        host: host.to_owned(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn build(target: &str, hosts: &[&[u8]]) -> Request<()> {
        let mut request = Request::get(target);
        for host in hosts {
            request = request.header(HOST, *host);
        }
        request.body(()).unwrap()
    }

    #[test]
    fn a_browser_request_is_its_method_target_and_host() {
        let mut request = build("/callback?code=a&state=b", &[b"127.0.0.1:4711"]);
        assert_eq!(
            head(&request),
            Ok(Head {
                method: "GET".into(),
                target: "/callback?code=a&state=b".into(),
                host: "127.0.0.1:4711".into(),
            })
        );
        *request.version_mut() = Version::HTTP_10;
        assert!(head(&request).is_ok());
        *request.method_mut() = http::Method::from_bytes(b"get").unwrap();
        assert_eq!(head(&request).unwrap().method, "get");
    }

    #[test]
    fn what_the_judges_cannot_rely_on_is_refused() {
        for (request, why) in [
            (build("/callback", &[]), "no Host field"),
            (
                build("/callback", &[b"a", b"a"]),
                "more than one Host field",
            ),
            (
                build("/callback", &[b"a b"]),
                "the Host field is not a host",
            ),
            (build("/callback", &[b""]), "the Host field is not a host"),
            (
                build("/callback", &[b"caf\xc3\xa9"]),
                "the Host field is not a host",
            ),
            (
                build("/callback", &[b"a\tb"]),
                "the Host field is not a host",
            ),
            (
                build("http://127.0.0.1:1/callback", &[b"a"]),
                "bad request target",
            ),
            (build("127.0.0.1:1", &[b"a"]), "bad request target"),
            (build("*", &[b"a"]), "bad request target"),
        ] {
            assert_eq!(head(&request), Err(Problem::Malformed(why)), "{request:?}");
        }
        let mut request = build("/callback", &[b"a"]);
        *request.version_mut() = Version::HTTP_2;
        assert_eq!(head(&request), Err(Problem::Malformed("not HTTP/1.x")));
    }
}
