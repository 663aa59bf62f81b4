//! Integration tests: the built `oauthcli` binary against a real OpenID provider
//! (`oidc-provider`) and the real Secret Service (gnome-keyring), as `tests/run` sets them up.

mod standin;
mod support;

mod completions;
mod demo;
mod device;
mod device_hostile;
mod device_terminal;
mod doctor;
mod errors;
mod exec;
mod files;
mod git;
mod headless;
mod hostile;
mod hostile_tokens;
mod keychain;
mod kubectl;
mod listener;
mod login;
mod logins;
mod manpage;
mod paste;
mod paste_race;
mod presets;
mod process;
mod races;
mod refresh;
mod secrets;
mod security_table;
mod switch;
mod tokens;
