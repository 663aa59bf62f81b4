//! Integration tests: the built `oauthcli` binary against a real OpenID provider
//! (`oidc-provider`) and the real Secret Service (gnome-keyring), as `tests/run` sets them up.

mod standin;
mod support;

mod completions;
mod errors;
mod hostile;
mod hostile_tokens;
mod listener;
mod login;
mod logins;
mod presets;
mod refresh;
mod secrets;
mod security_table;
mod tokens;
