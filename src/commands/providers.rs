//! `oauthcli providers`: the configured providers and whether each has a client id.

use anyhow::Result;

use crate::config::{Settings, Source};
use crate::output;

pub fn run(settings: &Settings) -> Result<()> {
    if settings.file.providers.is_empty() {
        output::note(&format!(
            "No provider is configured: add a [providers.NAME] table to {} (see the README).",
            settings.path.display()
        ));
        return Ok(());
    }
    let mut lines = vec![format!(
        "{:<16}  {:<8}  {:<9}  {}",
        "NAME", "KIND", "CLIENT ID", "WHERE"
    )];
    for name in settings.file.providers.keys() {
        let p = settings.profile(name)?;
        let (kind, place) = match &p.source {
            Source::Issuer(i) => ("openid", i.clone()),
            Source::Manual => (
                "oauth2",
                p.authorization_endpoint.clone().unwrap_or_default(),
            ),
        };
        let id = if p.client_id.is_some() {
            "yes"
        } else {
            "missing"
        };
        lines.push(format!("{name:<16}  {kind:<8}  {id:<9}  {place}"));
    }
    output::data(&lines.join("\n"))
}
