//! oauthcli as a library: everything the binary does, so that the binary stays a thin
//! shell (`main.rs`) and pure parts (the callback judge) can be fuzzed and benchmarked.

pub mod accept;
pub mod auth_method;
pub mod cli;
pub mod commands;
pub mod config;
pub mod config_mode;
pub mod cursor;
pub mod error;
pub mod flow;
pub mod git;
pub mod granted;
pub mod http;
pub mod identity;
pub mod jwt;
pub mod name;
pub mod output;
pub mod paths;
pub mod presets;
pub mod process;
pub mod provider;
pub mod scoped;
pub mod secret;
pub mod store;
pub mod term;
pub mod token;
pub mod token_response;
