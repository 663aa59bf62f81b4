//! OAuth 2.0 Authorization Server Metadata (RFC 8414), read at login for the endpoints that
//! OpenID discovery left out. Some providers publish their revocation endpoint (RFC 7009) or
//! device authorization endpoint (RFC 8628 §4) only there: Django OAuth Toolkit's OpenID
//! document names no `revocation_endpoint`, its RFC 8414 document does.
//!
//! The document is a help, not a requirement: one that is missing, unreadable or for another
//! issuer (RFC 8414 §3.3: its `issuer` must be identical to ours) is passed over with a note
//! at `-v`, and the login goes on with what discovery gave. What it adds is checked like
//! every other endpoint (`provider::resolve`, SECURITY.md row 11).

use serde::Deserialize;

use super::Endpoints;
use crate::http::{self, Http};
use crate::output;

/// RFC 8414 §3: the well-known URI suffix of the metadata document.
const WELL_KNOWN: &str = "/.well-known/oauth-authorization-server";

#[derive(Deserialize)]
struct Metadata {
    issuer: String,
    revocation_endpoint: Option<String>,
    device_authorization_endpoint: Option<String>,
}

/// Fills `ep`'s revocation and device authorization endpoints, where discovery gave none,
/// from the RFC 8414 document of `issuer`. At most one or two GETs, and none when nothing
/// is missing.
pub fn fill(ep: &mut Endpoints, issuer: &str, http: &Http, verbose: u8) {
    if ep.revocation.is_some() && ep.device_authorization.is_some() {
        return;
    }
    for url in locations(issuer) {
        match read(&url, issuer, http) {
            Ok(meta) => {
                output::verbose(verbose, &format!("read the RFC 8414 metadata at {url}"));
                if ep.revocation.is_none() {
                    ep.revocation = meta.revocation_endpoint;
                }
                if ep.device_authorization.is_none() {
                    ep.device_authorization = meta.device_authorization_endpoint;
                }
                return;
            }
            Err(why) => output::verbose(verbose, &format!("no RFC 8414 metadata at {url}: {why}")),
        }
    }
}

/// Where the document may be. RFC 8414 §3.1 inserts the well-known suffix between the host
/// and the issuer's path; servers that followed OpenID discovery's habit append it to the
/// issuer instead (the compatibility note of RFC 8414 §5), so that is tried second, when the
/// issuer has a path at all.
fn locations(issuer: &str) -> Vec<String> {
    let Ok(url) = http::endpoint(issuer) else {
        return Vec::new();
    };
    let path = url.path().trim_end_matches('/');
    let origin = url.origin().ascii_serialization();
    let mut found = vec![format!("{origin}{WELL_KNOWN}{path}")];
    if !path.is_empty() {
        found.push(format!("{}{WELL_KNOWN}", issuer.trim_end_matches('/')));
    }
    found
}

fn read(url: &str, issuer: &str, http: &Http) -> Result<Metadata, String> {
    let doc = http.get_json(url, None).map_err(|e| format!("{e:#}"))?;
    let meta: Metadata =
        serde_json::from_value(doc).map_err(|e| format!("not an RFC 8414 document ({e})"))?;
    if meta.issuer != issuer {
        return Err(format!(
            "it is for the issuer {}, not {issuer}",
            crate::term::escape(&meta.issuer)
        ));
    }
    Ok(meta)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_suffix_goes_between_host_and_path_then_after_the_issuer() {
        assert_eq!(
            locations("https://id.example.com/o"),
            [
                "https://id.example.com/.well-known/oauth-authorization-server/o",
                "https://id.example.com/o/.well-known/oauth-authorization-server",
            ]
        );
        assert_eq!(
            locations("https://id.example.com/"),
            ["https://id.example.com/.well-known/oauth-authorization-server"]
        );
        assert_eq!(
            locations("http://127.0.0.1:8080/a/b/"),
            [
                "http://127.0.0.1:8080/.well-known/oauth-authorization-server/a/b",
                "http://127.0.0.1:8080/a/b/.well-known/oauth-authorization-server"
            ]
        );
    }

    #[test]
    fn an_issuer_that_is_no_endpoint_has_no_document() {
        assert!(locations("http://id.example.com").is_empty());
    }
}
