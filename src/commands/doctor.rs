//! `oauthcli doctor [PROVIDER] [--json]`: checks what a login needs, and for each problem
//! says what is wrong and the command or config line that fixes it (README, "When something
//! does not work"). Its output is meant to be pasted into a bug report, so it names no
//! secret: no token, no client secret, no code, only what is stored and whether it works.
//!
//! This file owns the report: what a check is, the order they run in, the text and JSON
//! forms and the exit code (0 when nothing needs fixing, 1 otherwise). The checks are in
//! `doctor/`: the machine (`machine`), the providers and logins (`provider`), git and
//! kubectl (`tools`).

mod machine;
mod provider;
mod tools;

use anyhow::{Result, anyhow};
use serde::Serialize;

use crate::cli::{DoctorArgs, GlobalArgs};
use crate::output;
use crate::store::state::State;
use crate::term::escape;

/// How a check came out. `Warn` and `Fail` both come with a fix; `Fail` means a login or a
/// token cannot work now, `Warn` that something will stop working or is only half set up.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
enum Status {
    Ok,
    Warn,
    Fail,
}

/// One check: what was looked at, how it came out, and what to do about it.
#[derive(Debug, Serialize)]
struct Check {
    name: String,
    status: Status,
    detail: String,
    fix: Option<String>,
}

impl Check {
    fn ok(name: impl Into<String>, detail: impl Into<String>) -> Check {
        Check {
            name: name.into(),
            status: Status::Ok,
            detail: detail.into(),
            fix: None,
        }
    }

    fn warn(name: impl Into<String>, detail: impl Into<String>, fix: impl Into<String>) -> Check {
        Check {
            status: Status::Warn,
            fix: Some(fix.into()),
            ..Check::ok(name, detail)
        }
    }

    fn fail(name: impl Into<String>, detail: impl Into<String>, fix: impl Into<String>) -> Check {
        Check {
            status: Status::Fail,
            fix: Some(fix.into()),
            ..Check::ok(name, detail)
        }
    }
}

pub fn run(global: &GlobalArgs, args: DoctorArgs) -> Result<()> {
    if let Some(name) = &args.provider {
        crate::name::check(name)
            .map_err(|why| crate::error::config(format!("provider name '{name}' {why}")))?;
    }
    let mut checks = Vec::new();
    let flag = args.storage.storage;
    let settings = machine::config(global, flag, &mut checks);
    let storage = settings.as_ref().map_or(flag, |s| s.explicit_storage());
    checks.push(machine::keychain(storage));
    checks.push(machine::browser());
    checks.push(machine::loopback(None));
    let providers = match &settings {
        Some(settings) => {
            let state = State::load();
            let names = provider::names(settings, state.as_ref().ok(), args.provider.as_deref());
            match &state {
                Ok(state) => {
                    for name in &names {
                        provider::checks(settings, state, name, args.provider.is_some(), &mut checks);
                    }
                }
                Err(e) => checks.push(Check::fail(
                    "state",
                    format!("{e:#}"),
                    "move the state file named above aside; 'oauthcli login PROVIDER' writes a new one",
                )),
            }
            names
                .iter()
                .filter_map(|n| settings.profile(n).ok())
                .collect()
        }
        None => Vec::new(),
    };
    checks.push(tools::git(&providers));
    checks.push(tools::kubectl());

    if args.json {
        output::data(&serde_json::to_string(&checks)?)?;
    } else {
        output::data(&text(&checks))?;
    }
    let to_fix = checks.iter().filter(|c| c.fix.is_some()).count();
    if to_fix > 0 {
        return Err(anyhow!(
            "{to_fix} of {} checks found something to fix: each says how",
            checks.len()
        ));
    }
    output::note("Nothing needs fixing.");
    Ok(())
}

/// The report as text: one line a check, and under each problem the line that fixes it.
/// Everything in it may come from a provider or a file, so everything is escaped.
fn text(checks: &[Check]) -> String {
    let mut lines = Vec::new();
    for c in checks {
        let status = match c.status {
            Status::Ok => "ok",
            Status::Warn => "warn",
            Status::Fail => "FAIL",
        };
        lines.push(format!(
            "{status:<5} {}: {}",
            escape(&c.name),
            escape(&c.detail)
        ));
        if let Some(fix) = &c.fix {
            lines.push(format!("      fix: {}", escape(fix)));
        }
    }
    lines.join("\n")
}
