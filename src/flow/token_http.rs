//! The HTTP client that requests to the token endpoint go through `oauth2` with. `oauth2`
//! reads a non-success answer as an RFC 6749 §5.2 error body and, when the body is none (an
//! HTML error page of a proxy, an empty 400), reports only that it could not parse it: the
//! status is lost, and with it whether the provider refused (400, 401) or failed (500).
//! Here such an answer becomes [`HttpError::Status`], which keeps the status and says what
//! the body was; an answer with a JSON body goes to `oauth2` as it came.

use oauth2::{HttpRequest, HttpResponse, SyncHttpClient};

use crate::http::{Http, HttpError};
use crate::term::escape;

/// How much of a body that is no OAuth error the message shows.
const EXCERPT: usize = 80;

/// `Http`, with non-success answers that carry no JSON turned into errors.
pub struct TokenHttp<'a>(pub &'a Http);

impl SyncHttpClient for TokenHttp<'_> {
    type Error = HttpError;

    fn call(&self, request: HttpRequest) -> Result<HttpResponse, HttpError> {
        let url = request.uri().to_string();
        let response = self.0.call(request)?;
        let json = serde_json::from_slice::<serde_json::Value>(response.body())
            .is_ok_and(|v| v.is_object());
        if response.status().is_success() || json {
            return Ok(response);
        }
        Err(HttpError::Status {
            url,
            status: response.status().as_u16(),
            body: describe(&response),
        })
    }
}

/// "text/html, 1234 bytes: <html>..." or "an empty body".
fn describe(response: &HttpResponse) -> String {
    let body = response.body();
    if body.is_empty() {
        return "an empty body".to_owned();
    }
    let kind = response
        .headers()
        .get(oauth2::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map_or_else(|| "no content type".to_owned(), escape);
    let text = String::from_utf8_lossy(body);
    let start: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
    let start: String = start.chars().take(EXCERPT).collect();
    format!("{kind}, {} bytes: {}", body.len(), escape(&start))
}

/// A refusal without an error code: 400 or 401 with no OAuth error, which providers send for
/// a refresh token they no longer take (RFC 6749 §5.2 has 400 for errors, 401 for a failed
/// client authentication). 5xx and everything else is a failure, not a refusal.
pub fn is_bare_refusal(e: &anyhow::Error) -> bool {
    e.chain().any(|c| {
        matches!(
            c.downcast_ref::<HttpError>(),
            Some(HttpError::Status {
                status: 400 | 401,
                ..
            })
        )
    })
}
