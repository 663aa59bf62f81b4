//! What a profile needs before a login, and the errors that say how to get it: the client
//! id, with where and how to register an app (the console, the app type and the exact
//! redirect URI, which names `localhost` where the provider takes no IP literal); the client
//! secret where the client authenticates with one. And the preset's [`Site`], from which its
//! endpoints and these texts are made.

use std::path::Path;

use anyhow::Result;

use super::Profile;
use crate::auth_method::AuthMethod;
use crate::config::env_var;
use crate::error;
use crate::presets::Site;

impl Profile {
    /// The settings the preset's endpoints and messages depend on.
    pub fn site(&self) -> Site<'_> {
        Site {
            base_url: self.base_url.as_deref(),
            tenant: self.tenant.as_deref(),
            graph_version: self.graph_version.as_deref(),
            client_id: self.client_id.as_deref(),
        }
    }

    /// The host a loopback redirect URI names: the IP literal (RFC 8252 §8.3), or
    /// `localhost` where the provider takes no other (`Quirks::localhost_redirect`).
    pub fn loopback_host(&self) -> &'static str {
        match self.quirks.localhost_redirect {
            true => "localhost",
            false => "127.0.0.1",
        }
    }

    /// The loopback redirect URI, with `port` when it is fixed.
    pub fn loopback_redirect(&self, port: Option<u16>) -> String {
        match port {
            Some(port) => format!("http://{}:{port}/callback", self.loopback_host()),
            None => format!("http://{}/callback", self.loopback_host()),
        }
    }

    /// The redirect URI to register: the loopback one, with the port only when it is fixed.
    fn redirect_to_register(&self) -> String {
        self.loopback_redirect(self.redirect_port)
    }

    /// How to register an app at this provider: its console, the application type and the
    /// exact redirect URI.
    fn how_to_register(&self) -> String {
        let redirect = self.redirect_to_register();
        match self.preset {
            Some(p) => (p.register)(&self.site(), &redirect),
            None if self.redirect_port.is_some() => format!(
                "Register a native (desktop) app at the provider with the redirect URI {redirect}"
            ),
            None => format!(
                "Register a native (desktop) app at the provider with the redirect URI {redirect} (any port)"
            ),
        }
    }

    /// The client id, or an error that says where to put one and how to get one.
    pub fn require_client_id(&self, config_path: &Path) -> Result<&str> {
        self.client_id.as_deref().ok_or_else(|| {
            error::config(format!(
                "no client id for provider '{name}': set client_id under [providers.{name}] in {path} \
                 or the variable {var}. {how}",
                name = self.name,
                path = config_path.display(),
                var = env_var(&self.name, "CLIENT_ID"),
                how = self.how_to_register(),
            ))
        })
    }

    /// A client set to authenticate with a secret (by the config or its preset) must have
    /// one; without a set method, one is chosen only when there is a secret.
    pub fn require_secret(&self, config_path: &Path) -> Result<()> {
        let method = self.auth_method.unwrap_or(AuthMethod::None);
        if method == AuthMethod::None || self.client_secret.is_some() {
            return Ok(());
        }
        let why = match self.preset {
            Some(p) if p.needs_secret => {
                format!("the {} preset needs the client secret", p.name)
            }
            _ => format!(
                "provider '{}' authenticates with {}",
                self.name,
                method.name()
            ),
        };
        Err(error::config(format!(
            "{why} but none is configured: set client_secret under [providers.{name}] in {} or the \
             variable {}",
            config_path.display(),
            env_var(&self.name, "CLIENT_SECRET"),
            name = self.name,
        )))
    }
}
