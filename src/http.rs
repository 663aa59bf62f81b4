//! The one HTTP client every request to a provider goes through, and the endpoint rule.
//!
//! Rules (SECURITY.md row 11): every endpoint is https, except on loopback hosts; there is no
//! way to turn certificate checks off, only a way to trust one more CA (`ca_file` in the
//! config, for providers behind a private CA: the built-in roots are Mozilla's, not the
//! system's); redirects are never followed, and a redirect is an error that says so (a
//! token endpoint that redirects could forward the code, the verifier or the client secret
//! elsewhere); every request has timeouts, and a response is read up to a cap, so a hostile
//! or broken server can neither hang the program nor fill its memory.

use std::fmt;
use std::io::{ErrorKind, Read};
use std::net::IpAddr;
use std::path::Path;
use std::time::Duration;

use anyhow::{Context, Result, bail};
use oauth2::http;
use oauth2::url::{self, Url};
use oauth2::{HttpRequest, HttpResponse, SyncHttpClient};

/// Largest response body we read. Discovery documents and JWKS are a few KiB; token
/// responses with an ID token rarely pass 10 KiB.
const MAX_BODY: u64 = 1024 * 1024;
/// How long an idle connection is kept for the next request. Servers close idle keep-alive
/// connections after as little as 5 s (Node's and Apache's defaults); a POST on a connection
/// the server is closing fails and is not retried, which broke device-grant polls 6 s apart.
/// Requests of one step (discovery, keys, token, userinfo) follow each other within this.
const POOL_IDLE: Duration = Duration::from_secs(3);
/// A provider that does not answer within this time is down for our purposes.
/// `OAUTHCLI_HTTP_TIMEOUT` (seconds) changes it, for slow networks.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// The variable that overrides [`REQUEST_TIMEOUT`], and its largest value.
const TIMEOUT_VAR: &str = "OAUTHCLI_HTTP_TIMEOUT";
const MAX_TIMEOUT_SECS: u64 = 600;

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

/// Enforces https (loopback hosts aside) on an already parsed URL, and refuses one with a
/// user name or password (RFC 3986 §3.2.1 `userinfo`): in
/// `https://accounts.example.com@evil.example/` the host is `evil.example`, whatever a reader
/// takes it for, and no endpoint of OAuth needs credentials in its URL. The message names the
/// host and never the user part, which could be a credential.
pub fn check_endpoint(url: &Url) -> Result<()> {
    if !url.username().is_empty() || url.password().is_some() {
        bail!(
            "{} carries a user name or password before its host (`user@host`): an endpoint URL \
             may not, and its host is '{}', whatever the part before the '@' suggests",
            shown(url),
            url.host_str().unwrap_or("")
        );
    }
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
    Redirect {
        url: String,
        status: u16,
        location: String,
    },
    Build(String),
    /// A token endpoint answered an error status with no OAuth error in its body (an HTML
    /// error page, an empty 400): `flow::token_http`.
    Status {
        url: String,
        status: u16,
        /// What the body is: its type and size, and its first characters, escaped.
        body: String,
    },
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
            HttpError::Redirect {
                url,
                status,
                location,
            } => write!(
                f,
                "{url} answered {status} with a redirect to '{location}': oauthcli follows no \
                 redirects, so nothing was sent there; check the provider's endpoints"
            ),
            HttpError::Status { url, status, body } => {
                write!(
                    f,
                    "{url} answered HTTP {status} with no OAuth error ({body})"
                )
            }
        }
    }
}

impl HttpError {
    /// The server did not answer in time.
    pub fn is_timeout(&self) -> bool {
        matches!(self, HttpError::Request(e) if e.is_timeout())
    }

    /// The connection was refused, reset or closed before the whole answer came: the server
    /// is restarting or a network hop dropped it, and the same request may succeed later.
    /// A certificate or TLS failure is not one of them.
    pub fn is_cut_off(&self) -> bool {
        let first: &(dyn std::error::Error + 'static) = match self {
            HttpError::Request(e) => e,
            HttpError::Read(e) => e,
            _ => return false,
        };
        std::iter::successors(Some(first), |e| e.source()).any(|e| {
            let io = e.downcast_ref::<std::io::Error>().map(std::io::Error::kind);
            matches!(
                io,
                Some(
                    ErrorKind::ConnectionRefused
                        | ErrorKind::ConnectionReset
                        | ErrorKind::ConnectionAborted
                        | ErrorKind::BrokenPipe
                        | ErrorKind::UnexpectedEof
                )
            ) || e
                .downcast_ref::<hyper::Error>()
                .is_some_and(hyper::Error::is_incomplete_message)
        })
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
    timeout: Duration,
}

impl Http {
    /// The client, trusting the certificates in `ca_file` besides the built-in roots.
    pub fn new(ca_file: Option<&Path>) -> Result<Self> {
        let timeout = request_timeout()?;
        let mut builder = reqwest::blocking::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(timeout)
            .connect_timeout(CONNECT_TIMEOUT)
            .pool_idle_timeout(POOL_IDLE)
            .user_agent(concat!("oauthcli/", env!("CARGO_PKG_VERSION")));
        if let Some(path) = ca_file {
            for cert in extra_roots(path)? {
                builder = builder.add_root_certificate(cert);
            }
        }
        let client = builder
            .build()
            .context("could not set up the HTTP client")?;
        Ok(Http { client, timeout })
    }

    /// How long a request may take before it fails as timed out.
    pub fn timeout(&self) -> Duration {
        self.timeout
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

/// The request timeout: [`REQUEST_TIMEOUT`], or `$OAUTHCLI_HTTP_TIMEOUT` seconds.
fn request_timeout() -> Result<Duration> {
    let Some(raw) = std::env::var_os(TIMEOUT_VAR) else {
        return Ok(REQUEST_TIMEOUT);
    };
    match raw.to_str().and_then(|s| s.parse::<u64>().ok()) {
        Some(secs @ 1..=MAX_TIMEOUT_SECS) => Ok(Duration::from_secs(secs)),
        _ => Err(crate::error::config(format!(
            "${TIMEOUT_VAR} must be a number of seconds from 1 to {MAX_TIMEOUT_SECS}, not {raw:?}"
        ))),
    }
}

/// The certificates of a PEM file (one or more `CERTIFICATE` blocks).
fn extra_roots(path: &Path) -> Result<Vec<reqwest::Certificate>> {
    let bad = |why: String| crate::error::config(format!("ca_file {}: {why}", path.display()));
    let pem = std::fs::read(path).map_err(|e| bad(format!("cannot read it: {e}")))?;
    let certs = reqwest::Certificate::from_pem_bundle(&pem)
        .map_err(|e| bad(format!("not a PEM certificate file: {e}")))?;
    if certs.is_empty() {
        return Err(bad("holds no PEM certificate".into()));
    }
    Ok(certs)
}

/// A URL as it may be shown: scheme, host, port and path; no user info, query or fragment,
/// which could hold credentials.
fn shown(url: &Url) -> String {
    format!(
        "{}://{}{}",
        url.scheme(),
        url.host_str().unwrap_or(""),
        url.port().map(|p| format!(":{p}")).unwrap_or_default()
    ) + url.path()
}

impl SyncHttpClient for Http {
    type Error = HttpError;

    fn call(&self, request: HttpRequest) -> Result<HttpResponse, HttpError> {
        let url = request.uri().to_string();
        let parsed = Url::parse(&url).map_err(|e| HttpError::Build(format!("{url}: {e}")))?;
        check_endpoint(&parsed).map_err(|e| HttpError::NotHttps(e.to_string()))?;
        let method = request.method().clone();
        let request: reqwest::blocking::Request = request
            .try_into()
            .map_err(|e: reqwest::Error| HttpError::Build(e.to_string()))?;
        crate::output::debug(&format!("{method} {}", shown(&parsed)));
        let response = self.client.execute(request).map_err(HttpError::Request)?;
        let status = response.status();
        crate::output::debug(&format!("{} from {}", status.as_u16(), shown(&parsed)));
        if status.is_redirection() {
            // Shown like our own URLs: a query in it could carry someone's secret.
            let location = response
                .headers()
                .get(http::header::LOCATION)
                .and_then(|l| l.to_str().ok())
                .and_then(|l| parsed.join(l).ok())
                .map_or_else(|| "(no usable Location)".to_owned(), |u| shown(&u));
            return Err(HttpError::Redirect {
                url: shown(&parsed),
                status: status.as_u16(),
                location,
            });
        }
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

    #[test]
    fn no_user_name_or_password_in_an_endpoint() {
        for raw in [
            "https://accounts.example.com@evil.example/auth",
            "https://:pw@evil.example/auth",
            "http://user:pw@127.0.0.1:9/token",
        ] {
            let err = endpoint(raw).unwrap_err().to_string();
            assert!(
                err.contains("carries a user name or password"),
                "{raw}: {err}"
            );
            assert!(
                !err.contains("accounts.example.com") && !err.contains("pw"),
                "{err}"
            );
        }
        assert_eq!(
            endpoint("https://accounts.example.com@evil.example/auth")
                .unwrap_err()
                .to_string(),
            "https://evil.example/auth carries a user name or password before its host \
             (`user@host`): an endpoint URL may not, and its host is 'evil.example', whatever the \
             part before the '@' suggests"
        );
    }
}
