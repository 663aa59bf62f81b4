//! Integration tests: the built `oauthcli` binary against a real OpenID provider
//! (`oidc-provider`) and the real Secret Service (gnome-keyring), as `tests/run` sets them up.

mod standin;
mod support;

mod completions;
mod errors;
mod headless;
mod hostile;
mod listener;
mod login;
mod logins;
mod paste;
mod presets;
mod race;
mod refresh;
mod secrets;
mod security_table;
mod tokens;
