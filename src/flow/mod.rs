//! The authorization-code flow with PKCE and a loopback redirect (RFC 6749 §4.1,
//! RFC 7636, RFC 8252): the browser, the listener and the callback it judges, and the
//! requests to the authorization server.

pub mod browser;
pub mod callback;
pub mod listener;
pub mod oauth;
