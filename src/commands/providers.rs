//! `oauthcli providers`: the built-in presets and the configured providers, whether each has a
//! client id, and where the email of a login comes from.

use anyhow::Result;

use crate::config::{Profile, Settings, Source};
use crate::output;
use crate::presets::{self, EmailSource};

pub fn run(settings: &Settings) -> Result<()> {
    let mut names: Vec<String> = presets::ALL.iter().map(|p| p.name.to_owned()).collect();
    for name in settings.file.providers.keys() {
        if !names.contains(name) {
            names.push(name.clone());
        }
    }
    let mut table = vec![[
        "NAME".to_owned(),
        "KIND".into(),
        "CLIENT ID".into(),
        "EMAIL FROM".into(),
        "DEFINED".into(),
    ]];
    for name in names {
        let p = settings.profile(&name)?;
        let configured = settings.file.providers.contains_key(&name);
        let from = match (p.preset, configured) {
            (Some(preset), true) if preset.name != name => {
                format!("config ({} preset)", preset.name)
            }
            (Some(_), true) => "built-in + config".to_owned(),
            (Some(_), false) => "built-in".to_owned(),
            (None, _) => "config".to_owned(),
        };
        table.push([
            name,
            match p.source {
                Source::Issuer(_) => "OpenID".into(),
                Source::Manual => "OAuth".into(),
            },
            if p.client_id.is_some() {
                "yes".into()
            } else {
                "missing".into()
            },
            email_from(&p),
            from,
        ]);
    }
    output::data(&output::table(&table))
}

/// Where the email of a login comes from: what `commands::login` does for this profile.
fn email_from(p: &Profile) -> String {
    match (p.quirks.email, &p.source, &p.userinfo_endpoint) {
        (EmailSource::GitHubEmails, _, _) => "GET /user/emails (primary, verified)".to_owned(),
        (EmailSource::FacebookMe, _, _) => "Graph API GET /me (id, email)".to_owned(),
        (EmailSource::IdTokenOrPreferredUsername, _, _) => {
            "ID token (email, else preferred_username)".to_owned()
        }
        (EmailSource::Standard, Source::Issuer(_), _) => {
            format!("ID token (email), else userinfo ({})", p.email_field)
        }
        (EmailSource::Standard, Source::Manual, Some(_)) => {
            format!("userinfo ({})", p.email_field)
        }
        (EmailSource::Standard, Source::Manual, None) => {
            "nowhere: set userinfo_endpoint".to_owned()
        }
    }
}
