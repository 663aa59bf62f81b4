//! What to change when the provider refuses the client or the scopes: the config keys and
//! variables behind the refusal, named for this provider (README, "When something does not
//! work"). RFC 6749 §5.2 `invalid_client` is a client authentication that failed (no secret,
//! a wrong one, or the wrong method); `unauthorized_client` a client not allowed this grant;
//! §4.1.2.1 `invalid_scope` a scope the provider does not know or allow.

use std::path::Path;

use super::oauth::ProviderError;
use crate::config::{Profile, env_var};
use crate::term::escape;

/// The advice for a token endpoint's refusal of the client, when it is one.
pub fn client_refused(e: &anyhow::Error, profile: &Profile, config: &Path) -> Option<String> {
    let pe = e.chain().find_map(|c| c.downcast_ref::<ProviderError>())?;
    let name = &profile.name;
    let file = config.display();
    match pe.error.as_str() {
        "invalid_client" => Some(match &profile.client_secret {
            None => format!(
                "the provider did not accept the client '{}' without a secret: if it is a \
                 confidential client, set client_secret under [providers.{name}] in {file} or \
                 the variable {}; if it should be public, make it so at the provider",
                client(profile),
                env_var(name, "CLIENT_SECRET")
            ),
            Some(_) => format!(
                "the provider did not accept the client '{}' with the secret it was given: \
                 check client_secret under [providers.{name}] in {file} or the variable {}{}",
                client(profile),
                env_var(name, "CLIENT_SECRET"),
                // A preset knows how its provider wants the secret sent.
                match profile.preset.and_then(|p| p.auth_method) {
                    Some(_) => "",
                    None =>
                        ", and token_endpoint_auth_method (client_secret_basic or \
                               client_secret_post)",
                }
            ),
        }),
        "unauthorized_client" => Some(format!(
            "the provider does not let the client '{}' use this grant: allow the authorization \
             code grant for it at the provider",
            client(profile)
        )),
        _ => None,
    }
}

/// The advice for `invalid_scope`, naming the scopes that were asked for.
pub fn scope_refused(profile: &Profile, scopes: &[String], config: &Path) -> String {
    format!(
        "the provider refused the scopes asked for ({}): leave out the ones it does not know, \
         in `scopes` under [providers.{}] in {} or in --scope",
        escape(&scopes.join(" ")),
        profile.name,
        config.display()
    )
}

fn client(profile: &Profile) -> String {
    escape(profile.client_id.as_deref().unwrap_or_default())
}
