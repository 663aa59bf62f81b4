//! The static pages the loopback listener answers with: whole HTTP/1.1 responses that echo
//! nothing of the request, with the headers of SECURITY.md row 7.

use super::callback::Page;

/// A whole HTTP/1.1 response: a static page with the headers of security.md #7 (no script,
/// style, frame or fetch may run; the type is not sniffed; the callback URL, which holds
/// the code, is not sent on as a referrer nor cached), and `Connection: close`.
pub fn response(status: u16, page: Page) -> Vec<u8> {
    let body = html(page);
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
    format!(
        "HTTP/1.1 {status} {reason}\r\n\
         Content-Type: text/html; charset=utf-8\r\n\
         Content-Length: {}\r\n\
         Content-Security-Policy: default-src 'none'\r\n\
         X-Content-Type-Options: nosniff\r\n\
         Referrer-Policy: no-referrer\r\n\
         Cache-Control: no-store\r\n\
         {allow}Connection: close\r\n\r\n{body}",
        body.len()
    )
    .into_bytes()
}

fn html(page: Page) -> String {
    let (title, text) = match page {
        Page::Success => (
            "Logged in",
            "You are logged in. You may close this window and go back to the terminal.",
        ),
        Page::Denied => (
            "Login refused",
            "The provider ended the login. The terminal says why; you may close this window.",
        ),
        Page::Failed => (
            "Login failed",
            "The login did not complete. The terminal says why; you may close this window.",
        ),
        Page::BadRequest => (
            "Bad request",
            "This is not the response oauthcli is waiting for. If you are logging in, start again from the terminal.",
        ),
        Page::NotFound => (
            "Not found",
            "Nothing here. oauthcli only waits for the login response.",
        ),
        Page::MethodNotAllowed => (
            "Method not allowed",
            "oauthcli only accepts the login response.",
        ),
    };
    format!(
        "<!doctype html><html><head><meta charset=\"utf-8\"><title>oauthcli: {title}</title></head>\
         <body><h1>{title}</h1><p>{text}</p></body></html>\n"
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
            let text = String::from_utf8(response(status, page)).unwrap();
            let (head, body) = text.split_once("\r\n\r\n").unwrap();
            assert!(head.starts_with(&format!("HTTP/1.1 {status} ")), "{head}");
            for line in [
                "Content-Type: text/html; charset=utf-8",
                "Content-Security-Policy: default-src 'none'",
                "X-Content-Type-Options: nosniff",
                "Referrer-Policy: no-referrer",
                "Cache-Control: no-store",
                "Connection: close",
            ] {
                assert!(head.lines().any(|l| l == line), "{line} missing in {head}");
            }
            assert!(head.contains(&format!("\r\nContent-Length: {}\r\n", body.len())));
            // No script, style, image or link: nothing for the CSP to have to stop.
            for tag in [
                "<script", "<style", "<img", "<link", "<iframe", "src=", "href=",
            ] {
                assert!(!body.contains(tag), "{tag} in {body}");
            }
        }
        assert!(
            String::from_utf8(response(405, Page::MethodNotAllowed))
                .unwrap()
                .contains("\r\nAllow: GET\r\n")
        );
    }
}
