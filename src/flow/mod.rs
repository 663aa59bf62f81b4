//! The authorization-code flow with PKCE and a loopback redirect (RFC 6749 §4.1,
//! RFC 7636, RFC 8252): the browser, the listener, the request parser and callback judge it
//! feeds, Ctrl-C while it waits, and the requests to the authorization server.

pub mod browser;
pub mod callback;
pub mod interrupt;
pub mod listener;
pub mod oauth;
pub mod request;
