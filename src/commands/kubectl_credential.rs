//! `oauthcli kubectl-credential [PROVIDER]`: kubectl's exec credential plugin (Kubernetes,
//! "client-go credential plugins"): prints an `ExecCredential` whose `status.token` is a
//! valid ID token (what the API server's OIDC authenticator verifies), or with
//! `--access-token` the access token, and `status.expirationTimestamp`, so that kubectl
//! keeps using it until then and asks again after.
//!
//! kubectl says which `apiVersion` it wants in `$KUBERNETES_EXEC_INFO` and reads the answer
//! only in that version; without the variable (kubectl before 1.22, or a run by hand) it is
//! `client.authentication.k8s.io/v1`. Errors go to stderr, which kubectl shows; nothing is
//! ever asked of the user (`interactiveMode: Never` works).

use anyhow::{Context, Result};
use serde::Deserialize;

use super::fresh::{self, Kind};
use super::target;
use crate::cli::KubectlCredentialArgs;
use crate::config::Settings;
use crate::error;
use crate::output;
use crate::store::state::State;
use crate::token;

/// The API versions of `ExecCredential` this plugin speaks.
const VERSIONS: [&str; 2] = [
    "client.authentication.k8s.io/v1",
    "client.authentication.k8s.io/v1beta1",
];

pub fn run(settings: &Settings, args: KubectlCredentialArgs) -> Result<()> {
    let version = api_version(std::env::var("KUBERNETES_EXEC_INFO").ok().as_deref())?;
    let state = State::load()?;
    let provider = target(settings, &state, args.provider)?;
    let kind = if args.access_token {
        Kind::Access
    } else {
        Kind::Id
    };
    let set = fresh::valid(settings, &state, &provider, kind, args.fresh.min_ttl)?;
    let token = fresh::pick(&set, kind)
        .with_context(|| format!("the provider gave no ID token for '{provider}'"))?;
    let mut status = serde_json::json!({ "token": token.expose() });
    if let Some(at) = fresh::expiry(&set, kind) {
        status["expirationTimestamp"] = token::rfc3339(at).into();
    }
    let doc = serde_json::json!({
        "apiVersion": version,
        "kind": "ExecCredential",
        "status": status,
    });
    output::data(&doc.to_string())
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ExecInfo {
    api_version: String,
}

/// The `apiVersion` to answer in, from `$KUBERNETES_EXEC_INFO`.
fn api_version(info: Option<&str>) -> Result<&'static str> {
    let Some(info) = info.filter(|i| !i.trim().is_empty()) else {
        return Ok(VERSIONS[0]);
    };
    let info: ExecInfo = serde_json::from_str(info).context(
        "KUBERNETES_EXEC_INFO is not the ExecCredential JSON kubectl sends; unset it to get \
         client.authentication.k8s.io/v1",
    )?;
    VERSIONS
        .into_iter()
        .find(|v| *v == info.api_version)
        .ok_or_else(|| {
            error::config(format!(
                "kubectl asks for an ExecCredential of apiVersion '{}'; oauthcli speaks {}: set \
                 one of them as the exec apiVersion of this user in the kubeconfig",
                info.api_version,
                VERSIONS.join(" and ")
            ))
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_version_follows_kubectl() {
        assert_eq!(api_version(None).unwrap(), VERSIONS[0]);
        assert_eq!(api_version(Some("")).unwrap(), VERSIONS[0]);
        let info = r#"{"kind":"ExecCredential","apiVersion":"client.authentication.k8s.io/v1beta1","spec":{"interactive":false}}"#;
        assert_eq!(api_version(Some(info)).unwrap(), VERSIONS[1]);
        let old = r#"{"apiVersion":"client.authentication.k8s.io/v1alpha1"}"#;
        assert_eq!(error::exit_code(&api_version(Some(old)).unwrap_err()), 2);
        assert_eq!(error::exit_code(&api_version(Some("{")).unwrap_err()), 1);
    }
}
