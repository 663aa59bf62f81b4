//! The static pages the loopback listener answers with: whole HTTP/1.1 responses that echo
//! nothing of the request, with the headers of SECURITY.md row 7.
//!
//! A page is styled by one inline `<style>` element that the Content-Security-Policy allows by
//! its SHA-256 hash (CSP Level 3 §8.2, hash-source) and nothing else: `default-src 'none'`
//! stays, so no script, image, font or fetch may run or load, and nothing is external. A dark
//! variant follows the browser's `prefers-color-scheme`.

use std::sync::OnceLock;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use sha2::{Digest, Sha256};

use super::callback::Page;

/// The one style sheet of every page.
const STYLE: &str = "\
:root{color-scheme:light dark;--bg:#f6f7f9;--card:#fff;--fg:#1d2330;--muted:#5b6475;--ok:#1a7f37;--bad:#b42318}\
@media (prefers-color-scheme:dark){:root{--bg:#0f1115;--card:#1a1d24;--fg:#e6e8ee;--muted:#9aa3b5;--ok:#3fb950;--bad:#f47067}}\
*{box-sizing:border-box}\
body{margin:0;min-height:100vh;display:flex;align-items:center;justify-content:center;background:var(--bg);color:var(--fg);font:16px/1.5 system-ui,-apple-system,\"Segoe UI\",Roboto,sans-serif}\
main{max-width:28rem;margin:1.5rem;padding:2rem 2.25rem;background:var(--card);border-radius:14px;box-shadow:0 2px 14px rgba(0,0,0,.12)}\
h1{margin:0 0 .5rem;font-size:1.35rem}\
h1.ok{color:var(--ok)}h1.bad{color:var(--bad)}\
p{margin:.25rem 0;color:var(--muted)}\
footer{margin-top:1.25rem;font-size:.8rem;color:var(--muted)}";

/// The CSP source that allows [`STYLE`] and nothing else.
fn style_hash() -> &'static str {
    static HASH: OnceLock<String> = OnceLock::new();
    HASH.get_or_init(|| format!("'sha256-{}'", BASE64.encode(Sha256::digest(STYLE))))
}

/// A whole HTTP/1.1 response: a static page with the headers of SECURITY.md row 7 (no script,
/// frame or fetch may run, only our own style; the type is not sniffed; the callback URL,
/// which holds the code, is not sent on as a referrer nor cached), and `Connection: close`.
/// `provider` names the login on the final pages; it is a checked provider name (lower-case
/// letters, digits, `-`, `_`), so it needs no escaping in HTML.
pub fn response(status: u16, page: Page, provider: Option<&str>) -> Vec<u8> {
    let reason = match status {
        200 => "OK",
        400 => "Bad Request",
        404 => "Not Found",
        405 => "Method Not Allowed",
        408 => "Request Timeout",
        431 => "Request Header Fields Too Large",
        _ => "Error",
    };
    // RFC 9110 §15.5.6: a 405 says which methods are allowed.
    let allow = if status == 405 { "Allow: GET\r\n" } else { "" };
    whole(status, reason, allow, &html(page, provider))
}

/// The answer to the decisive callback: 303 See Other to `location`, a path of this
/// listener that holds nothing of the callback, so the single-use code and state leave the
/// browser's address bar and are not kept in its history (RFC 9110 §15.4.4: the browser
/// follows with a GET). The headers are those of every page: the callback's own response
/// must not be cached either.
pub fn see_other(location: &str) -> Vec<u8> {
    whole(303, "See Other", &format!("Location: {location}\r\n"), "")
}

fn whole(status: u16, reason: &str, extra: &str, body: &str) -> Vec<u8> {
    format!(
        "HTTP/1.1 {status} {reason}\r\n\
         Content-Type: text/html; charset=utf-8\r\n\
         Content-Length: {}\r\n\
         Content-Security-Policy: default-src 'none'; style-src {}\r\n\
         X-Content-Type-Options: nosniff\r\n\
         Referrer-Policy: no-referrer\r\n\
         Cache-Control: no-store\r\n\
         {extra}Connection: close\r\n\r\n{body}",
        body.len(),
        style_hash()
    )
    .into_bytes()
}

fn html(page: Page, provider: Option<&str>) -> String {
    let logged_in = match provider.filter(|p| crate::name::check(p).is_ok()) {
        Some(p) => format!("Logged in to {p}"),
        None => "Logged in".to_owned(),
    };
    let (class, title, text) = match page {
        Page::Success => (
            "ok",
            logged_in.as_str(),
            "You may close this window and go back to the terminal.",
        ),
        Page::Denied => (
            "bad",
            "Login refused",
            "The provider ended the login. The terminal says why; you may close this window.",
        ),
        Page::Failed => (
            "bad",
            "Login failed",
            "The login did not complete. The terminal says why; you may close this window.",
        ),
        Page::BadRequest => (
            "bad",
            "Bad request",
            "This is not the response oauthcli is waiting for. If you are logging in, start again from the terminal.",
        ),
        Page::NotFound => (
            "bad",
            "Not found",
            "Nothing here. oauthcli only waits for the login response.",
        ),
        Page::MethodNotAllowed => (
            "bad",
            "Method not allowed",
            "oauthcli only accepts the login response.",
        ),
    };
    format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>oauthcli: {title}</title><style>{STYLE}</style></head>\
         <body><main><h1 class=\"{class}\">{title}</h1><p>{text}</p>\
         <footer>oauthcli</footer></main></body></html>\n"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_page_is_static_with_the_security_headers() {
        for (status, page) in [
            (200, Page::Success),
            (200, Page::Denied),
            (400, Page::Failed),
            (400, Page::BadRequest),
            (404, Page::NotFound),
            (405, Page::MethodNotAllowed),
            (408, Page::BadRequest),
            (431, Page::BadRequest),
        ] {
            let text = String::from_utf8(response(status, page, None)).unwrap();
            let (head, body) = text.split_once("\r\n\r\n").unwrap();
            assert!(head.starts_with(&format!("HTTP/1.1 {status} ")), "{head}");
            let csp = format!(
                "Content-Security-Policy: default-src 'none'; style-src {}",
                style_hash()
            );
            for line in [
                "Content-Type: text/html; charset=utf-8",
                csp.as_str(),
                "X-Content-Type-Options: nosniff",
                "Referrer-Policy: no-referrer",
                "Cache-Control: no-store",
                "Connection: close",
            ] {
                assert!(head.lines().any(|l| l == line), "{line} missing in {head}");
            }
            assert!(head.contains(&format!("\r\nContent-Length: {}\r\n", body.len())));
            // One style element, ours; no script, image, link or frame.
            assert_eq!(body.matches("<style>").count(), 1);
            assert!(body.contains(&format!("<style>{STYLE}</style>")));
            for tag in [
                "<script", "<img", "<link", "<iframe", "src=", "href=", "url(",
            ] {
                assert!(!body.contains(tag), "{tag} in {body}");
            }
            assert!(body.contains("<meta name=\"viewport\""));
        }
        assert!(
            String::from_utf8(response(405, Page::MethodNotAllowed, None))
                .unwrap()
                .contains("\r\nAllow: GET\r\n")
        );
    }

    #[test]
    fn the_callback_is_answered_with_a_redirect_to_a_clean_path() {
        let text = String::from_utf8(see_other("/done")).unwrap();
        let (head, body) = text.split_once("\r\n\r\n").unwrap();
        assert!(head.starts_with("HTTP/1.1 303 See Other\r\n"), "{head}");
        for line in [
            "Location: /done",
            "Content-Length: 0",
            "Cache-Control: no-store",
            "Referrer-Policy: no-referrer",
            "Connection: close",
        ] {
            assert!(head.lines().any(|l| l == line), "{line} missing in {head}");
        }
        assert_eq!(body, "");
    }

    /// The hash in the header is the SHA-256 of the style element's text exactly: the
    /// browser compares those bytes (CSP Level 3 §8.2).
    #[test]
    fn the_style_is_allowed_by_its_hash() {
        // `echo -n "$STYLE" | openssl dgst -sha256 -binary | base64`, as a user can check.
        let digest = Sha256::digest(STYLE.as_bytes());
        assert_eq!(style_hash(), format!("'sha256-{}'", BASE64.encode(digest)));
        assert!(STYLE.contains("prefers-color-scheme:dark"));
    }

    #[test]
    fn the_success_page_names_the_provider() {
        let page = String::from_utf8(response(200, Page::Success, Some("google"))).unwrap();
        assert!(
            page.contains("<h1 class=\"ok\">Logged in to google</h1>"),
            "{page}"
        );
        assert!(page.contains("<title>oauthcli: Logged in to google</title>"));
        // A name that is not a checked provider name is never put in the page.
        let page = String::from_utf8(response(200, Page::Success, Some("<x>"))).unwrap();
        assert!(page.contains("<h1 class=\"ok\">Logged in</h1>"), "{page}");
    }
}
