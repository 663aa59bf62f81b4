//! The text after the options in `--help`: the exit codes and variables of `oauthcli`, and
//! the example command lines of each command. What they show is documented in the README;
//! each line is one that works as written (with the provider names of the README).

/// `oauthcli --help`: the README's "Exit codes" and "Configuration" say the same.
pub const TOP: &str = "\
Exit codes:
  0    success
  1    any other failure (network, provider error, refused consent, timeout)
  2    usage or configuration error (unknown provider, missing client id, bad config)
  4    not logged in, or the login can no longer be refreshed: run 'oauthcli login PROVIDER'
  130  interrupted (Ctrl-C) during a login

Environment:
  OAUTHCLI_CONFIG                  the config file (as --config)
  OAUTHCLI_STORAGE                 keyring or file (as --storage)
  OAUTHCLI_PROVIDER                the login to use when none is named
  OAUTHCLI_<NAME>_CLIENT_ID        a provider's client id
  OAUTHCLI_<NAME>_CLIENT_SECRET    a provider's client secret (never a flag)
  OAUTHCLI_HTTP_TIMEOUT            seconds a provider has to answer (default 30)
  OAUTHCLI_KEYRING_TIMEOUT         seconds the keychain has to answer
  BROWSER                          the command that opens the login page
  XDG_CONFIG_HOME, XDG_DATA_HOME, XDG_STATE_HOME  where config, token files and state live

Examples:
  oauthcli login google
  oauthcli login corp --no-browser      # on a remote machine: paste the redirect back
  curl -H \"$(oauthcli token --format header)\" https://api.example.com/me
  oauthcli exec github --env GITHUB_TOKEN -- gh repo list";

pub const LOGIN: &str = "\
Examples:
  oauthcli login google
  # one more scope than the provider's defaults
  oauthcli login corp --scope profile
  # on a remote machine: open the URL anywhere, paste the redirect back
  oauthcli login corp --no-browser
  # enter a code on another device instead
  oauthcli login corp --device
  # the tokens in a private file, not the keychain
  oauthcli login corp --storage file";

pub const WHOAMI: &str = "\
Examples:
  oauthcli whoami
  oauthcli whoami corp --json | jq -r .subject";

pub const TOKEN: &str = "\
Examples:
  curl -H \"Authorization: Bearer $(oauthcli token corp)\" https://api.example.com/me
  curl -H \"$(oauthcli token corp --format header)\" https://api.example.com/me
  # valid for ten more minutes at least
  oauthcli token corp --min-ttl 600
  # the ID token instead
  oauthcli token corp --id-token
  # a token for one API's scopes alone, from the same login
  oauthcli token microsoft --scope https://graph.microsoft.com/User.Read";

pub const LOGOUT: &str = "\
Examples:
  oauthcli logout corp
  oauthcli logout --all
  # forget here only: the tokens stay valid at the provider until they expire
  oauthcli logout corp --no-revoke";

pub const STATUS: &str = "\
Examples:
  oauthcli status
  oauthcli status --json | jq -r '.[] | select(.expired) | .provider'";

pub const PROVIDERS: &str = "\
Examples:
  oauthcli providers";

pub const SWITCH: &str = "\
Examples:
  oauthcli switch work
  # this shell uses another login, whichever is active
  export OAUTHCLI_PROVIDER=home";

pub const EXEC: &str = "\
Examples:
  oauthcli exec github --env GITHUB_TOKEN -- gh repo list
  oauthcli exec corp -- sh -c 'curl -H \"Authorization: Bearer $OAUTHCLI_TOKEN\" \\
      https://api.example.com/me'";

pub const GIT_CREDENTIAL: &str = "\
Examples:
  # makes git run this helper for github.com
  oauthcli setup-git github
  printf 'protocol=https\\nhost=github.com\\n\\n' | oauthcli git-credential get";

pub const SETUP_GIT: &str = "\
Examples:
  oauthcli setup-git github
  git clone https://github.com/owner/private-repo.git";

pub const KUBECTL_CREDENTIAL: &str = "\
Examples:
  # what a kubeconfig user's exec runs (README, \"kubectl\")
  oauthcli kubectl-credential corp
  oauthcli kubectl-credential corp --access-token";

pub const DOCTOR: &str = "\
Examples:
  oauthcli doctor
  oauthcli doctor corp --json";

pub const COMPLETIONS: &str = "\
Examples:
  oauthcli completions bash > ~/.local/share/bash-completion/completions/oauthcli
  oauthcli completions fish > ~/.config/fish/completions/oauthcli.fish";
