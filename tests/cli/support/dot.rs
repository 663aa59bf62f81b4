//! The second real OpenID provider: Django OAuth Toolkit (`tests/provider/dot/serve.py`), run
//! by the Python of the venv that tests/support/setup makes beside it, with the ready line
//! and request log of server.mjs. Its one user and one public client are the constants here.

use std::process::Command;

use super::{Provider, repo};

/// The client id of DOT's application: public, authorization code, PKCE, RS256 ID tokens.
pub const DOT_CLIENT: &str = "oauthcli";
/// The user's login (also browser.py's default login) and email.
pub const DOT_LOGIN: &str = "alice";
pub const DOT_EMAIL: &str = "alice@dot.example.org";
/// The user's password, for browser.py's `BROWSER_PASSWORD`.
pub const DOT_PASSWORD: &str = "dot-test-password";

/// Settings of the DOT process.
#[derive(Clone, Copy)]
pub struct DotOptions {
    /// Access token lifetime in seconds (`ACCESS_TOKEN_TTL`).
    pub access_token_ttl: u32,
    /// `iss` in authorization responses (RFC 9207), which DOT 3.x leaves off by default.
    pub iss: bool,
}

impl Default for DotOptions {
    fn default() -> Self {
        DotOptions {
            access_token_ttl: 3600,
            iss: false,
        }
    }
}

impl Provider {
    /// Django OAuth Toolkit on a free port; its issuer is `http://127.0.0.1:PORT/o`.
    pub fn dot(opts: DotOptions) -> Provider {
        let dir = tempfile::tempdir().unwrap();
        let state = dir.path().join("dot");
        std::fs::create_dir(&state).unwrap();
        let home = repo().join("tests/provider/dot");
        let mut python = Command::new(home.join(".venv/bin/python"));
        python
            .arg(home.join("serve.py"))
            .env("DOT_DIR", &state)
            .env("DOT_USER", DOT_LOGIN)
            .env("DOT_PASSWORD", DOT_PASSWORD)
            .env("DOT_EMAIL", DOT_EMAIL)
            .env("DOT_CLIENT_ID", DOT_CLIENT)
            .env("ACCESS_TOKEN_TTL", opts.access_token_ttl.to_string())
            .env("DOT_ISS", if opts.iss { "1" } else { "0" });
        Provider::launch(
            python,
            dir,
            "DOT's venv is missing: run the tests through tests/run (tests/support/setup makes it)",
            "did tests/support/setup install tests/provider/dot/requirements.txt?",
        )
    }
}
