//! The temporary loopback listener that catches the authorization response.
//!
//! It binds the loopback IP literal, never a wildcard, and keeps that very socket for the
//! whole login (RFC 8252 §7.3, §8.3; security.md #1, #2): port 0 lets the OS pick a free
//! port, so no other process can hold it in between. It answers every request with a static
//! page that echoes nothing (security.md #7) and lives until the decisive callback or the
//! deadline; dropping it closes the socket.

use std::io::ErrorKind;
use std::net::{Ipv4Addr, SocketAddr};
use std::time::{Duration, Instant};

use anyhow::{Result, anyhow};
use tiny_http::{Header, Request, Response, Server};

use super::callback::{self, Expected, Page, Verdict};
use crate::error::Failure;

pub struct Listener {
    server: Server,
    port: u16,
}

/// What the wait for the browser ended with.
pub enum Outcome {
    /// A code arrived; the browser waits on `request` for the final page.
    Code { code: String, request: Request },
    /// The provider said no; the browser was already told.
    Denied {
        error: String,
        description: Option<String>,
    },
}

impl Listener {
    /// Binds 127.0.0.1 on `port`, or on a port the OS picks when `None`.
    pub fn bind(port: Option<u16>) -> Result<Listener> {
        let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, port.unwrap_or(0)));
        let server = Server::http(addr).map_err(|e| {
            let busy = e
                .downcast_ref::<std::io::Error>()
                .is_some_and(|io| io.kind() == ErrorKind::AddrInUse);
            match (busy, port) {
                (true, Some(p)) => anyhow!(Failure::Login(format!(
                    "port {p} on 127.0.0.1 is already in use: pick another --port, or leave it out to use any free port"
                ))),
                _ => anyhow!("could not listen on {addr}: {e}"),
            }
        })?;
        let port = server
            .server_addr()
            .to_ip()
            .map(|a| a.port())
            .ok_or_else(|| anyhow!("the listener has no IP address"))?;
        Ok(Listener { server, port })
    }

    /// The redirect URI naming the address actually bound.
    pub fn redirect_uri(&self) -> String {
        format!("http://127.0.0.1:{}{}", self.port, callback::CALLBACK_PATH)
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// Serves requests until the decisive callback or the deadline.
    pub fn wait(
        &self,
        state: &str,
        issuer: Option<&str>,
        iss_required: bool,
        deadline: Instant,
    ) -> Result<Outcome> {
        let host = format!("127.0.0.1:{}", self.port);
        let expected = Expected {
            host: &host,
            state,
            issuer,
            iss_required,
        };
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return Err(Failure::Login(
                    "timed out waiting for the browser to finish the login".into(),
                )
                .into());
            }
            let Some(request) = self.server.recv_timeout(left)? else {
                continue;
            };
            let host_header = request
                .headers()
                .iter()
                .find(|h| h.field.equiv("Host"))
                .map(|h| h.value.as_str().to_owned());
            let verdict = callback::judge(
                request.method().as_str(),
                request.url(),
                host_header.as_deref(),
                &expected,
            );
            match verdict {
                Verdict::Reject { status, page } => respond(request, status, page),
                Verdict::Code(code) => return Ok(Outcome::Code { code, request }),
                Verdict::Denied { error, description } => {
                    respond(request, 200, Page::Denied);
                    return Ok(Outcome::Denied { error, description });
                }
                Verdict::Abort(why) => {
                    respond(request, 400, Page::Failed);
                    return Err(Failure::Login(why).into());
                }
            }
        }
    }
}

/// Answers a request with a static page and the headers of security.md #7.
pub fn respond(request: Request, status: u16, page: Page) {
    let body = html(page);
    let mut response = Response::from_string(body).with_status_code(status);
    for (name, value) in [
        ("Content-Type", "text/html; charset=utf-8"),
        ("Content-Security-Policy", "default-src 'none'"),
        ("X-Content-Type-Options", "nosniff"),
        ("Referrer-Policy", "no-referrer"),
        ("Cache-Control", "no-store"),
        ("Connection", "close"),
    ] {
        if let Ok(h) = Header::from_bytes(name, value) {
            response.add_header(h);
        }
    }
    // The browser going away before reading the page changes nothing for the login.
    let _ = request.respond(response);
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

/// How long until `timeout` seconds from now.
pub fn deadline(timeout: u64) -> Instant {
    Instant::now() + Duration::from_secs(timeout)
}
