//! Integration tests: the built `oauthcli` binary against real OpenID providers
//! (`oidc-provider`; Django OAuth Toolkit in `dot`) and the real Secret Service
//! (gnome-keyring), as `tests/run` sets them up.

mod standin;
mod support;

mod ahead;
mod bare_errors;
mod chromium;
mod completions;
mod demo;
mod device;
mod device_hostile;
mod device_terminal;
mod doctor;
mod done;
mod dot;
mod errors;
mod exec;
mod facebook;
mod facebook_device;
mod files;
mod git;
mod google_iss;
mod headless;
mod help;
mod hints;
mod hostile;
mod hostile_tokens;
mod keychain;
mod kubectl;
mod listener;
mod login;
mod logins;
mod logout;
mod manpage;
mod min_ttl;
mod names;
mod paste;
mod paste_race;
mod presets;
mod process;
mod quick;
mod races;
mod refresh;
mod refused;
mod rfc8414;
mod scoped;
mod secrets;
mod security_table;
mod switch;
mod terminal;
mod tokens;
mod waiting;
