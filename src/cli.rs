//! The command line, as clap definitions, and `quick`, which reads the commonest one
//! (`token`) without them.
//!
//! House rules (README): no flag ever takes a secret (they would land in shell history and
//! in `ps`); names of commands and flags are part of the contract that scripts rely on, so
//! change them only together with the README.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

mod help;
pub mod quick;

/// The heading the options every command takes are listed under, apart from its own.
const GLOBAL: &str = "Global options";

/// Log in to OAuth 2.0 / OpenID Connect providers and hand out their tokens.
///
/// Tokens are kept in the OS keychain. stdout carries only results, so that
/// `TOKEN=$(oauthcli token)` works; messages go to stderr.
#[derive(Debug, Parser)]
#[command(
    name = "oauthcli",
    version,
    propagate_version = true,
    // Folded to the terminal, and never wider than this: long lines are hard to read.
    max_term_width = 100,
    after_long_help = help::TOP
)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,
    #[command(subcommand)]
    pub command: Command,
}

/// The options every command takes.
#[derive(Debug, Args)]
pub struct GlobalArgs {
    /// Configuration file [default: $XDG_CONFIG_HOME/oauthcli/config.toml]
    #[arg(long, global = true, env = "OAUTHCLI_CONFIG", value_name = "FILE",
          help_heading = GLOBAL)]
    pub config: Option<PathBuf>,
    /// Say more on stderr about what happens (never prints a secret); repeat for more
    #[arg(short, long, global = true, action = clap::ArgAction::Count, help_heading = GLOBAL)]
    pub verbose: u8,
}

/// `--storage` for the commands that keep new tokens: `login`, and `doctor`, which checks
/// the keychain unless tokens go to files.
#[derive(Debug, Args)]
pub struct NewStorage {
    /// Where to keep the tokens [default: the config's `storage`, else keyring]
    #[arg(long, env = "OAUTHCLI_STORAGE", value_enum)]
    pub storage: Option<StorageKind>,
}

/// `--storage` for the commands that read a stored login.
#[derive(Debug, Args)]
pub struct StoredIn {
    /// Where the login's tokens are [default: where the login was made, else the config's
    /// `storage`, else keyring]
    #[arg(long, env = "OAUTHCLI_STORAGE", value_enum)]
    pub storage: Option<StorageKind>,
}

/// Where a token set is kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, serde::Deserialize, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum StorageKind {
    /// The OS keychain (Secret Service, macOS Keychain, Windows Credential Manager)
    Keyring,
    /// A file under $XDG_DATA_HOME/oauthcli, readable by you alone
    File,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Log in through the browser and store the tokens
    #[command(after_help = help::LOGIN)]
    Login(LoginArgs),
    /// Print the email of the active (or named) login, from what is stored
    #[command(after_help = help::WHOAMI)]
    Whoami(WhoamiArgs),
    /// Print a valid access token, refreshing it first when it is about to expire
    #[command(after_help = help::TOKEN)]
    Token(TokenArgs),
    /// Revoke the tokens at the provider and forget them
    #[command(
        override_usage = "oauthcli logout [OPTIONS] [PROVIDER]\n       oauthcli logout [OPTIONS] --all",
        after_help = help::LOGOUT
    )]
    Logout(LogoutArgs),
    /// Show every stored login
    #[command(after_help = help::STATUS)]
    Status(StatusArgs),
    /// List the built-in presets and the configured providers
    #[command(after_help = help::PROVIDERS)]
    Providers,
    /// Make a stored login the active one
    #[command(after_help = help::SWITCH)]
    Switch(SwitchArgs),
    /// Run a command with a valid access token in an environment variable
    #[command(after_help = help::EXEC)]
    Exec(ExecArgs),
    /// git's credential helper: answers git with a valid token (set up by `setup-git`)
    #[command(after_help = help::GIT_CREDENTIAL)]
    GitCredential(GitCredentialArgs),
    /// Make git ask oauthcli for the provider's hosts (in your global git config)
    #[command(after_help = help::SETUP_GIT)]
    SetupGit(SetupGitArgs),
    /// kubectl's exec credential plugin: prints an ExecCredential with a valid ID token
    #[command(after_help = help::KUBECTL_CREDENTIAL)]
    KubectlCredential(KubectlCredentialArgs),
    /// Check what a login needs (config, keychain, browser, providers, logins, git, kubectl) and say what to fix
    #[command(after_help = help::DOCTOR)]
    Doctor(DoctorArgs),
    /// The refresh of a token ahead of its end, run detached by the command that handed the
    /// token out (README, "Refresh ahead"): not for people
    #[command(hide = true)]
    RefreshAhead(RefreshAheadArgs),
    /// Print a shell completion script
    #[command(after_help = help::COMPLETIONS)]
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
}

/// The longest `login --timeout`: a day is more than any consent takes, and a bound keeps
/// the deadline arithmetic far from overflowing.
pub const MAX_TIMEOUT_SECS: u64 = 24 * 3600;
/// The largest `token --min-ttl`: the longest lifetime we believe from `expires_in` (a
/// year, `token::expires_at`), so any bigger margin would mean "always refresh" all the same.
pub const MAX_MIN_TTL_SECS: u64 = 366 * 24 * 3600;

#[derive(Debug, Args)]
pub struct LoginArgs {
    /// Provider name from the config (may be left out when exactly one is configured)
    pub provider: Option<String>,
    /// Extra scope to ask for, added to the provider's defaults (repeatable)
    #[arg(long = "scope", value_name = "SCOPE")]
    pub scopes: Vec<String>,
    /// Print the URL instead of opening a browser; the redirect may also be pasted on stdin
    #[arg(long, conflicts_with = "browser")]
    pub no_browser: bool,
    /// Open a browser even where none seems to be shown (an SSH session, no display)
    #[arg(long)]
    pub browser: bool,
    /// Log in with a code entered on any other device (the device grant, RFC 8628)
    #[arg(long, conflicts_with_all = ["browser", "no_browser", "port"])]
    pub device: bool,
    /// With the device grant, also copy the code to the terminal's clipboard (OSC 52)
    ///
    /// Also when the device grant is used without --device (device = true in the provider's
    /// config, on a machine that can show no browser). With any other grant it is a usage
    /// error: it would copy nothing.
    #[arg(long, conflicts_with_all = ["browser", "no_browser", "port"])]
    pub clipboard: bool,
    /// The account the provider should offer first (OpenID login_hint; overrides the config's)
    #[arg(long, value_name = "EMAIL", conflicts_with = "device",
          value_parser = |v: &str| crate::config::hints::plain(v))]
    pub login_hint: Option<String>,
    /// Ask the provider to let you pick the account, even when one is signed in
    #[arg(long, conflicts_with = "device")]
    pub select_account: bool,
    /// Fixed port for the loopback redirect [default: any free port]
    #[arg(long, value_name = "N")]
    pub port: Option<u16>,
    /// Give up after this many seconds (1 to 86400)
    #[arg(long, value_name = "SECS", default_value_t = 600,
          value_parser = clap::value_parser!(u64).range(1..=MAX_TIMEOUT_SECS))]
    pub timeout: u64,
    #[command(flatten)]
    pub storage: NewStorage,
}

#[derive(Debug, Args)]
pub struct WhoamiArgs {
    /// Provider name [default: the active login]
    pub provider: Option<String>,
    /// Print a JSON object instead of the email
    #[arg(long)]
    pub json: bool,
    #[command(flatten)]
    pub storage: StoredIn,
}

#[derive(Debug, Args)]
pub struct TokenArgs {
    /// Provider name [default: the active login]
    pub provider: Option<String>,
    #[command(flatten)]
    pub fresh: Freshness,
    /// Print the ID token instead of the access token
    #[arg(long, conflicts_with = "scope")]
    pub id_token: bool,
    /// An access token for this scope alone (repeatable), got with the login's refresh token
    ///
    /// For one login to serve several APIs: the provider issues a token for any of the scopes
    /// the login was granted (at Microsoft, one resource a token). Each scope set's token is
    /// kept with the login and refreshed like its own; logout revokes and forgets them all.
    #[arg(long, value_name = "S")]
    pub scope: Vec<String>,
    /// Output format
    #[arg(long, value_enum, default_value_t = TokenFormat::Raw)]
    pub format: TokenFormat,
    #[command(flatten)]
    pub storage: StoredIn,
}

#[derive(Debug, Args)]
pub struct RefreshAheadArgs {
    pub provider: String,
    /// The descriptor of the ahead lock, inherited from the caller and held to the end
    #[arg(long, value_name = "FD")]
    pub lock_fd: Option<i32>,
    /// The ID token's end, not the access token's
    #[arg(long)]
    pub id_token: bool,
    #[command(flatten)]
    pub storage: StoredIn,
}

/// How long a token handed out must stay valid: `token`, `exec`, `kubectl-credential`.
#[derive(Debug, Args)]
pub struct Freshness {
    /// Refresh first when the token expires within this many seconds (0 to 31622400)
    ///
    /// The token handed out stays valid for more than SECS seconds, when the provider's tokens
    /// live that long; oauthcli refreshes at most once a call. A token that even fresh from the
    /// provider lives no longer than SECS is handed out all the same (exit 0), with a warning
    /// on stderr, and every such call refreshes it first.
    #[arg(long, value_name = "SECS", default_value_t = 60,
          value_parser = clap::value_parser!(u64).range(0..=MAX_MIN_TTL_SECS))]
    pub min_ttl: u64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum TokenFormat {
    /// The token alone
    Raw,
    /// `Authorization: Bearer TOKEN`
    Header,
    /// A JSON object with the token, its type, expiry and scopes
    Json,
}

#[derive(Debug, Args)]
pub struct LogoutArgs {
    /// Provider name [default: the active login]
    #[arg(conflicts_with = "all")]
    pub provider: Option<String>,
    /// Log out of every stored login
    #[arg(long)]
    pub all: bool,
    /// Forget the tokens without revoking them at the provider
    #[arg(long)]
    pub no_revoke: bool,
    #[command(flatten)]
    pub storage: StoredIn,
}

#[derive(Debug, Args)]
pub struct SwitchArgs {
    /// Provider name of a stored login
    pub provider: String,
    #[command(flatten)]
    pub storage: StoredIn,
}

#[derive(Debug, Args)]
pub struct ExecArgs {
    /// Provider name [default: $OAUTHCLI_PROVIDER, else the active login]
    pub provider: Option<String>,
    /// The environment variable that carries the token
    #[arg(long = "env", value_name = "NAME", default_value = "OAUTHCLI_TOKEN")]
    pub env: String,
    #[command(flatten)]
    pub fresh: Freshness,
    #[command(flatten)]
    pub storage: StoredIn,
    /// The command and its arguments, after `--`
    #[arg(last = true, required = true, value_name = "CMD")]
    pub command: Vec<std::ffi::OsString>,
}

#[derive(Debug, Args)]
pub struct GitCredentialArgs {
    /// What git asks: get, store or erase (others are ignored, as gitcredentials(7) says)
    pub operation: String,
    #[command(flatten)]
    pub storage: StoredIn,
}

#[derive(Debug, Args)]
pub struct SetupGitArgs {
    /// Provider name [default: $OAUTHCLI_PROVIDER, else the active login]
    pub provider: Option<String>,
}

#[derive(Debug, Args)]
pub struct KubectlCredentialArgs {
    /// Provider name [default: $OAUTHCLI_PROVIDER, else the active login]
    pub provider: Option<String>,
    /// Send the access token instead of the ID token
    #[arg(long)]
    pub access_token: bool,
    #[command(flatten)]
    pub fresh: Freshness,
    #[command(flatten)]
    pub storage: StoredIn,
}

#[derive(Debug, Args)]
pub struct DoctorArgs {
    /// Check only this provider (and this machine)
    pub provider: Option<String>,
    /// Print a JSON array of the checks instead of text
    #[arg(long)]
    pub json: bool,
    #[command(flatten)]
    pub storage: NewStorage,
}

#[derive(Debug, Args)]
pub struct StatusArgs {
    /// Print JSON instead of a table
    #[arg(long)]
    pub json: bool,
    #[command(flatten)]
    pub storage: StoredIn,
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn clap_definitions_are_consistent() {
        Cli::command().debug_assert();
    }
}
