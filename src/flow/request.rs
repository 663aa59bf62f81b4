//! The head of one HTTP/1.1 request, parsed from the raw bytes: a pure function, no I/O.
//!
//! Only what the loopback listener needs is parsed: the request line (method, origin-form
//! target) and the `Host` field; other fields are checked for well-formedness and skipped.
//! Anything that is not a plain, well-formed request is an error, never a guess (RFC 9112
//! §2.2: a server that receives a malformed request line or field responds 400). Every
//! function here looks at each input byte a bounded number of times, reads nothing past
//! [`MAX_REQUEST`], and cannot panic: it is fuzzed (`fuzz/`), and its callers feed it
//! whatever a local process or web page sends.

/// The largest request head we read. A browser's callback request (a code, a state, an
/// issuer, cookies-free headers) is well under 4 KiB; 16 KiB leaves room for long codes and
/// a chatty browser while bounding what a hostile client can make us hold.
pub const MAX_REQUEST: usize = 16 * 1024;

const END: &[u8] = b"\r\n\r\n";

/// A parsed request head. `method` and `target` are ASCII; `host` is the one `Host` field.
#[derive(Debug, PartialEq, Eq)]
pub struct Head<'a> {
    pub method: &'a str,
    pub target: &'a str,
    pub host: &'a str,
}

/// Why a request head was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Problem {
    /// No end of the head within [`MAX_REQUEST`] bytes (answered 431, RFC 6585 §5).
    TooLarge,
    /// The request line, a field line or the Host field is malformed (answered 400).
    Malformed(&'static str),
}

/// Where the head in `buf` ends (the index after its blank line), if it is complete.
///
/// `from` is how much of `buf` an earlier call already searched: a caller that appends
/// bytes as they arrive passes the previous length, so each byte is looked at a bounded
/// number of times however slowly the request drips in.
pub fn head_end(buf: &[u8], from: usize) -> Option<usize> {
    let start = from.saturating_sub(END.len() - 1).min(buf.len());
    buf[start..]
        .windows(END.len())
        .position(|w| w == END)
        .map(|i| start + i + END.len())
}

/// Parses a complete head: the bytes up to and including the blank line that ends it.
pub fn parse(head: &[u8]) -> Result<Head<'_>, Problem> {
    if head.len() > MAX_REQUEST {
        return Err(Problem::TooLarge);
    }
    if !head.ends_with(END) {
        return Err(Problem::Malformed(
            "the request head does not end in a blank line",
        ));
    }
    // Every line of the head, the blank one left out, without its CRLF.
    let lines = &head[..head.len() - 2];
    let mut lines = lines
        .split_inclusive(|&b| b == b'\n')
        .map(|l| l.strip_suffix(b"\r\n"));
    let request_line = lines
        .next()
        .flatten()
        .ok_or(Problem::Malformed("bad request line"))?;
    let (method, target) = request_line_parts(request_line)?;
    let mut host = None;
    for line in lines {
        // A bare LF inside the head: RFC 9112 §2.2 lets a server refuse it, and we do.
        let line = line.ok_or(Problem::Malformed("a line does not end in CRLF"))?;
        let (name, value) = field(line)?;
        if name.eq_ignore_ascii_case(b"host") {
            // RFC 9112 §3.2: more than one Host field is a 400.
            if host.replace(value).is_some() {
                return Err(Problem::Malformed("more than one Host field"));
            }
        }
    }
    let host = host.ok_or(Problem::Malformed("no Host field"))?;
    let host = std::str::from_utf8(host)
        .ok()
        .filter(|h| !h.is_empty() && h.bytes().all(|b| b.is_ascii_graphic()))
        .ok_or(Problem::Malformed("the Host field is not a host"))?;
    Ok(Head {
        method,
        target,
        host,
    })
}

/// `method SP request-target SP HTTP-version` (RFC 9112 §3), origin-form targets only:
/// browsers send nothing else to the server they were redirected to.
fn request_line_parts(line: &[u8]) -> Result<(&str, &str), Problem> {
    let bad = Problem::Malformed("bad request line");
    let mut parts = line.split(|&b| b == b' ');
    let (Some(method), Some(target), Some(version), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(bad);
    };
    if method.is_empty() || !method.iter().all(|&b| is_tchar(b)) {
        return Err(bad);
    }
    if !matches!(version, b"HTTP/1.1" | b"HTTP/1.0") {
        return Err(Problem::Malformed("not HTTP/1.x"));
    }
    if target.first() != Some(&b'/') || !target.iter().all(|b| b.is_ascii_graphic()) {
        return Err(Problem::Malformed("bad request target"));
    }
    // Both are ASCII, checked just above.
    match (std::str::from_utf8(method), std::str::from_utf8(target)) {
        (Ok(m), Ok(t)) => Ok((m, t)),
        _ => Err(bad),
    }
}

/// `field-name ":" OWS field-value OWS` (RFC 9112 §5). No white space before the colon
/// (§5.1), no obsolete line folding (§5.2), no control characters but HTAB in the value.
fn field(line: &[u8]) -> Result<(&[u8], &[u8]), Problem> {
    let bad = Problem::Malformed("bad header field");
    let colon = line.iter().position(|&b| b == b':').ok_or(bad)?;
    let (name, value) = (&line[..colon], &line[colon + 1..]);
    if name.is_empty() || !name.iter().all(|&b| is_tchar(b)) {
        return Err(bad);
    }
    if value.iter().any(|&b| (b < 0x20 && b != b'\t') || b == 0x7f) {
        return Err(bad);
    }
    Ok((name, value.trim_ascii()))
}

/// A `tchar` of RFC 9110 §5.6.2: the characters of methods and field names.
fn is_tchar(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(raw: &str) -> Head<'_> {
        parse(raw.as_bytes()).unwrap_or_else(|e| panic!("{e:?} for {raw:?}"))
    }

    #[test]
    fn a_browser_request_parses() {
        let raw = "GET /callback?code=a&state=b HTTP/1.1\r\nHost: 127.0.0.1:4711\r\n\
                   User-Agent: Mozilla/5.0 (X11)\r\nAccept: text/html\r\n\r\n";
        assert_eq!(
            ok(raw),
            Head {
                method: "GET",
                target: "/callback?code=a&state=b",
                host: "127.0.0.1:4711"
            }
        );
        assert_eq!(ok("GET / HTTP/1.0\r\nhOsT:\t x:1 \t\r\n\r\n").host, "x:1");
    }

    #[test]
    fn the_end_of_the_head_is_found_incrementally() {
        let raw = b"GET / HTTP/1.1\r\nHost: h\r\n\r\nrest";
        let whole = head_end(raw, 0);
        assert_eq!(whole, Some(raw.len() - 4));
        // Fed one byte at a time, the search finds the same end.
        let mut found = None;
        for n in 1..=raw.len() {
            if let Some(end) = head_end(&raw[..n], n - 1) {
                found = Some(end);
                break;
            }
        }
        assert_eq!(found, whole);
        assert_eq!(head_end(b"GET / HTTP/1.1\r\n", 0), None);
        assert_eq!(head_end(b"", 0), None);
        assert_eq!(head_end(b"ab", 10), None);
    }

    #[test]
    fn malformed_heads_are_refused() {
        for raw in [
            "GET /callback HTTP/1.1\r\n\r\n",                       // no Host
            "GET /callback HTTP/1.1\r\nHost: a\r\nHost: a\r\n\r\n", // two Hosts
            "GET /callback HTTP/1.1\r\nHost : a\r\n\r\n",           // space before colon
            "GET /callback HTTP/1.1\r\nHost: a\r\n folded\r\n\r\n", // obs-fold
            "GET /callback HTTP/1.1\r\nHost: a\nX: y\r\n\r\n",      // bare LF
            "GET /callback HTTP/1.1\r\nHost: a\0b\r\n\r\n",         // NUL
            "GET /callback HTTP/1.1\r\nHost: a b\r\n\r\n",          // not a host
            "GET /callback HTTP/1.1\r\nHost: \r\n\r\n",             // empty host
            "GET /callback HTTP/1.1\r\nHost: caf\u{e9}\r\n\r\n",    // not ASCII
            "GET  /callback HTTP/1.1\r\nHost: a\r\n\r\n",           // two spaces
            "GET /callback HTTP/2.0\r\nHost: a\r\n\r\n",
            "GET /callback\r\nHost: a\r\n\r\n", // HTTP/0.9
            "GET http://127.0.0.1:1/callback HTTP/1.1\r\nHost: a\r\n\r\n", // absolute-form
            "GET * HTTP/1.1\r\nHost: a\r\n\r\n",
            "GET /caf\u{e9} HTTP/1.1\r\nHost: a\r\n\r\n",
            "G(T / HTTP/1.1\r\nHost: a\r\n\r\n",
            "\r\nGET / HTTP/1.1\r\nHost: a\r\n\r\n",
            "GET / HTTP/1.1\r\nHost: a\r\n", // incomplete
            "",
        ] {
            assert!(
                matches!(parse(raw.as_bytes()), Err(Problem::Malformed(_))),
                "{raw:?}"
            );
        }
    }

    #[test]
    fn nothing_past_the_cap_is_parsed() {
        let mut raw = b"GET / HTTP/1.1\r\nHost: a\r\nX: ".to_vec();
        raw.resize(MAX_REQUEST, b'x');
        raw.extend_from_slice(b"\r\n\r\n");
        assert_eq!(parse(&raw), Err(Problem::TooLarge));
    }
}
