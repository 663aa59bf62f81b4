//! The one HTTP client every request to a provider goes through, and the endpoint rule.
//!
//! Rules (security.md #11): every endpoint is https, except on loopback hosts; there is no
//! way to turn certificate checks off; redirects are never followed (a token endpoint that
//! redirects could forward the code, the verifier or the client secret elsewhere); every
//! request has timeouts, and a response is read up to a cap, so a hostile or broken server
//! can neither hang the program nor fill its memory.

use std::fmt;
use std::io::Read;
use std::net::IpAddr;
use std::time::Duration;

use anyhow::{Context, Result, bail};
use oauth2::http;
use oauth2::url::{self, Url};
use oauth2::{HttpRequest, HttpResponse, SyncHttpClient};

/// Largest response body we read. Discovery documents and JWKS are a few KiB; token
/// responses with an ID token rarely pass 10 KiB.
const MAX_BODY: u64 = 1024 * 1024;
/// A provider that does not answer within this time is down for our purposes.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// Is this URL's host a loopback address (127.0.0.0/8, ::1) or `localhost`?
pub fn is_loopback(url: &Url) -> bool {
    match url.host() {
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        Some(url::Host::Domain(d)) => {
            d.eq_ignore_ascii_case("localhost")
                || d.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
        }
        None => false,
    }
}

/// Parses an endpoint URL and enforces https (loopback hosts aside).
pub fn endpoint(raw: &str) -> Result<Url> {
    let url = Url::parse(raw).with_context(|| format!("'{raw}' is not a valid URL"))?;
    check_endpoint(&url)?;
    Ok(url)
}

/// Enforces https (loopback hosts aside) on an already parsed URL.
pub fn check_endpoint(url: &Url) -> Result<()> {
    match url.scheme() {
        "https" => Ok(()),
        "http" if is_loopback(url) => Ok(()),
        _ => bail!(
            "{url} is not https: only loopback hosts (127.0.0.1, ::1, localhost) may use plain http"
        ),
    }
}

/// Why an HTTP exchange failed.
#[derive(Debug)]
pub enum HttpError {
    NotHttps(String),
    Request(reqwest::Error),
    Read(std::io::Error),
    TooLarge(String),
    Build(String),
}

impl fmt::Display for HttpError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            HttpError::NotHttps(msg) | HttpError::Build(msg) => f.write_str(msg),
            HttpError::Request(e) => write!(f, "{e}"),
            HttpError::Read(e) => write!(f, "reading the response failed: {e}"),
            HttpError::TooLarge(url) => {
                write!(f, "the response from {url} is larger than {MAX_BODY} bytes")
            }
        }
    }
}

impl std::error::Error for HttpError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            HttpError::Request(e) => e.source(),
            HttpError::Read(e) => Some(e),
            _ => None,
        }
    }
}

/// A blocking HTTP client with the rules above.
pub struct Http {
    client: reqwest::blocking::Client,
}

impl Http {
    pub fn new() -> Result<Self> {
        let client = reqwest::blocking::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(REQUEST_TIMEOUT)
            .connect_timeout(CONNECT_TIMEOUT)
            .user_agent(concat!("oauthcli/", env!("CARGO_PKG_VERSION")))
            .build()
            .context("could not set up the HTTP client")?;
        Ok(Http { client })
    }

    /// GET a JSON document, with a bearer token when given.
    pub fn get_json(&self, url: &str, bearer: Option<&str>) -> Result<serde_json::Value> {
        let mut req = http::Request::builder()
            .method(http::Method::GET)
            .uri(url)
            .header(http::header::ACCEPT, "application/json");
        if let Some(token) = bearer {
            req = req.header(http::header::AUTHORIZATION, format!("Bearer {token}"));
        }
        let req = req.body(Vec::new()).context("bad request")?;
        let resp = self
            .call(req)
            .with_context(|| format!("GET {url} failed"))?;
        if !resp.status().is_success() {
            bail!(
                "GET {url} answered HTTP {}: {}",
                resp.status(),
                crate::term::escape(&String::from_utf8_lossy(
                    &resp.body()[..resp.body().len().min(300)]
                ))
            );
        }
        serde_json::from_slice(resp.body())
            .with_context(|| format!("GET {url} did not answer with JSON"))
    }
}

impl SyncHttpClient for Http {
    type Error = HttpError;

    fn call(&self, request: HttpRequest) -> Result<HttpResponse, HttpError> {
        let url = request.uri().to_string();
        let parsed = Url::parse(&url).map_err(|e| HttpError::Build(format!("{url}: {e}")))?;
        check_endpoint(&parsed).map_err(|e| HttpError::NotHttps(e.to_string()))?;
        let request: reqwest::blocking::Request = request
            .try_into()
            .map_err(|e: reqwest::Error| HttpError::Build(e.to_string()))?;
        let response = self.client.execute(request).map_err(HttpError::Request)?;
        let mut builder = http::Response::builder().status(response.status());
        for (name, value) in response.headers() {
            builder = builder.header(name, value);
        }
        let mut body = Vec::new();
        response
            .take(MAX_BODY + 1)
            .read_to_end(&mut body)
            .map_err(HttpError::Read)?;
        if body.len() as u64 > MAX_BODY {
            return Err(HttpError::TooLarge(url));
        }
        builder
            .body(body)
            .map_err(|e| HttpError::Build(e.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn https_everywhere_but_loopback() {
        assert!(endpoint("https://login.example.com/token").is_ok());
        assert!(endpoint("http://127.0.0.1:8080/token").is_ok());
        assert!(endpoint("http://127.8.9.10/token").is_ok());
        assert!(endpoint("http://[::1]:9/token").is_ok());
        assert!(endpoint("http://localhost:9/token").is_ok());
        let err = endpoint("http://login.example.com/token").unwrap_err();
        assert_eq!(
            err.to_string(),
            "http://login.example.com/token is not https: only loopback hosts (127.0.0.1, ::1, localhost) may use plain http"
        );
        assert!(endpoint("http://127.0.0.1.evil.com/").is_err());
        assert!(endpoint("ftp://127.0.0.1/").is_err());
        assert!(endpoint("not a url").is_err());
    }
}
