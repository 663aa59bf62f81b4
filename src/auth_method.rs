//! How a client authenticates at the token endpoint (RFC 6749 §2.3.1, OpenID Core §9).
//!
//! A leaf of its own: the config, the presets, the token set and the OAuth client all name
//! it, and none of them may import another just for it.

use serde::{Deserialize, Serialize};

/// The client authentication method, with the names of OpenID Core §9.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AuthMethod {
    ClientSecretBasic,
    ClientSecretPost,
    None,
}

impl AuthMethod {
    /// The name users write in the config and see in messages.
    pub fn name(self) -> &'static str {
        match self {
            AuthMethod::ClientSecretBasic => "client_secret_basic",
            AuthMethod::ClientSecretPost => "client_secret_post",
            AuthMethod::None => "none",
        }
    }
}
