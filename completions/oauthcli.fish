# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.
function __fish_oauthcli_global_optspecs
    string join \n config= v/verbose h/help V/version
end

function __fish_oauthcli_needs_command
    # Figure out if the current invocation already has a command.
    set -l cmd (commandline -opc)
    set -e cmd[1]
    argparse -s (__fish_oauthcli_global_optspecs) -- $cmd 2>/dev/null
    or return
    if set -q argv[1]
        # Also print the command, so this can be used to figure out what it is.
        echo $argv[1]
        return 1
    end
    return 0
end

function __fish_oauthcli_using_subcommand
    set -l cmd (__fish_oauthcli_needs_command)
    test -z "$cmd"
    and return 1
    contains -- $cmd[1] $argv
end

complete -c oauthcli -n "__fish_oauthcli_needs_command" -l config -d 'Configuration file [default: $XDG_CONFIG_HOME/oauthcli/config.toml]' -r -F
complete -c oauthcli -n "__fish_oauthcli_needs_command" -s v -l verbose -d 'Say more on stderr about what happens (never prints a secret); repeat for more'
complete -c oauthcli -n "__fish_oauthcli_needs_command" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c oauthcli -n "__fish_oauthcli_needs_command" -s V -l version -d 'Print version'
complete -c oauthcli -n "__fish_oauthcli_needs_command" -f -a "login" -d 'Log in through the browser and store the tokens'
complete -c oauthcli -n "__fish_oauthcli_needs_command" -f -a "whoami" -d 'Print the email of the active (or named) login, from what is stored'
complete -c oauthcli -n "__fish_oauthcli_needs_command" -f -a "token" -d 'Print a valid access token, refreshing it first when it is about to expire'
complete -c oauthcli -n "__fish_oauthcli_needs_command" -f -a "logout" -d 'Revoke the tokens at the provider and forget them'
complete -c oauthcli -n "__fish_oauthcli_needs_command" -f -a "status" -d 'Show every stored login'
complete -c oauthcli -n "__fish_oauthcli_needs_command" -f -a "providers" -d 'List the built-in presets and the configured providers'
complete -c oauthcli -n "__fish_oauthcli_needs_command" -f -a "switch" -d 'Make a stored login the active one'
complete -c oauthcli -n "__fish_oauthcli_needs_command" -f -a "exec" -d 'Run a command with a valid access token in an environment variable'
complete -c oauthcli -n "__fish_oauthcli_needs_command" -f -a "git-credential" -d 'git\'s credential helper: answers git with a valid token (set up by `setup-git`)'
complete -c oauthcli -n "__fish_oauthcli_needs_command" -f -a "setup-git" -d 'Make git ask oauthcli for the provider\'s hosts (in your global git config)'
complete -c oauthcli -n "__fish_oauthcli_needs_command" -f -a "kubectl-credential" -d 'kubectl\'s exec credential plugin: prints an ExecCredential with a valid ID token'
complete -c oauthcli -n "__fish_oauthcli_needs_command" -f -a "doctor" -d 'Check what a login needs (config, keychain, browser, providers, logins, git, kubectl) and say what to fix'
complete -c oauthcli -n "__fish_oauthcli_needs_command" -f -a "completions" -d 'Print a shell completion script'
complete -c oauthcli -n "__fish_oauthcli_needs_command" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c oauthcli -n "__fish_oauthcli_using_subcommand login" -l scope -d 'Extra scope to ask for, added to the provider\'s defaults (repeatable)' -r
complete -c oauthcli -n "__fish_oauthcli_using_subcommand login" -l login-hint -d 'The account the provider should offer first (OpenID login_hint; overrides the config\'s)' -r
complete -c oauthcli -n "__fish_oauthcli_using_subcommand login" -l port -d 'Fixed port for the loopback redirect [default: any free port]' -r
complete -c oauthcli -n "__fish_oauthcli_using_subcommand login" -l timeout -d 'Give up after this many seconds (1 to 86400)' -r
complete -c oauthcli -n "__fish_oauthcli_using_subcommand login" -l storage -d 'Where to keep the tokens [default: the config\'s `storage`, else keyring]' -r -f -a "keyring\t'The OS keychain (Secret Service, macOS Keychain, Windows Credential Manager)'
file\t'A file under $XDG_DATA_HOME/oauthcli, readable by you alone'"
complete -c oauthcli -n "__fish_oauthcli_using_subcommand login" -l config -d 'Configuration file [default: $XDG_CONFIG_HOME/oauthcli/config.toml]' -r -F
complete -c oauthcli -n "__fish_oauthcli_using_subcommand login" -l no-browser -d 'Print the URL instead of opening a browser; the redirect may also be pasted on stdin'
complete -c oauthcli -n "__fish_oauthcli_using_subcommand login" -l browser -d 'Open a browser even where none seems to be shown (an SSH session, no display)'
complete -c oauthcli -n "__fish_oauthcli_using_subcommand login" -l device -d 'Log in with a code entered on any other device (the device grant, RFC 8628)'
complete -c oauthcli -n "__fish_oauthcli_using_subcommand login" -l clipboard -d 'With the device grant, also copy the code to the terminal\'s clipboard (OSC 52)'
complete -c oauthcli -n "__fish_oauthcli_using_subcommand login" -l select-account -d 'Ask the provider to let you pick the account, even when one is signed in'
complete -c oauthcli -n "__fish_oauthcli_using_subcommand login" -s v -l verbose -d 'Say more on stderr about what happens (never prints a secret); repeat for more'
complete -c oauthcli -n "__fish_oauthcli_using_subcommand login" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c oauthcli -n "__fish_oauthcli_using_subcommand login" -s V -l version -d 'Print version'
complete -c oauthcli -n "__fish_oauthcli_using_subcommand whoami" -l storage -d 'Where the login\'s tokens are [default: where the login was made, else the config\'s `storage`, else keyring]' -r -f -a "keyring\t'The OS keychain (Secret Service, macOS Keychain, Windows Credential Manager)'
file\t'A file under $XDG_DATA_HOME/oauthcli, readable by you alone'"
complete -c oauthcli -n "__fish_oauthcli_using_subcommand whoami" -l config -d 'Configuration file [default: $XDG_CONFIG_HOME/oauthcli/config.toml]' -r -F
complete -c oauthcli -n "__fish_oauthcli_using_subcommand whoami" -l json -d 'Print a JSON object instead of the email'
complete -c oauthcli -n "__fish_oauthcli_using_subcommand whoami" -s v -l verbose -d 'Say more on stderr about what happens (never prints a secret); repeat for more'
complete -c oauthcli -n "__fish_oauthcli_using_subcommand whoami" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c oauthcli -n "__fish_oauthcli_using_subcommand whoami" -s V -l version -d 'Print version'
complete -c oauthcli -n "__fish_oauthcli_using_subcommand token" -l min-ttl -d 'Refresh first when the token expires within this many seconds (0 to 31622400)' -r
complete -c oauthcli -n "__fish_oauthcli_using_subcommand token" -l scope -d 'An access token for this scope alone (repeatable), got with the login\'s refresh token' -r
complete -c oauthcli -n "__fish_oauthcli_using_subcommand token" -l format -d 'Output format' -r -f -a "raw\t'The token alone'
header\t'`Authorization: Bearer TOKEN`'
json\t'A JSON object with the token, its type, expiry and scopes'"
complete -c oauthcli -n "__fish_oauthcli_using_subcommand token" -l storage -d 'Where the login\'s tokens are [default: where the login was made, else the config\'s `storage`, else keyring]' -r -f -a "keyring\t'The OS keychain (Secret Service, macOS Keychain, Windows Credential Manager)'
file\t'A file under $XDG_DATA_HOME/oauthcli, readable by you alone'"
complete -c oauthcli -n "__fish_oauthcli_using_subcommand token" -l config -d 'Configuration file [default: $XDG_CONFIG_HOME/oauthcli/config.toml]' -r -F
complete -c oauthcli -n "__fish_oauthcli_using_subcommand token" -l id-token -d 'Print the ID token instead of the access token'
complete -c oauthcli -n "__fish_oauthcli_using_subcommand token" -s v -l verbose -d 'Say more on stderr about what happens (never prints a secret); repeat for more'
complete -c oauthcli -n "__fish_oauthcli_using_subcommand token" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c oauthcli -n "__fish_oauthcli_using_subcommand token" -s V -l version -d 'Print version'
complete -c oauthcli -n "__fish_oauthcli_using_subcommand logout" -l storage -d 'Where the login\'s tokens are [default: where the login was made, else the config\'s `storage`, else keyring]' -r -f -a "keyring\t'The OS keychain (Secret Service, macOS Keychain, Windows Credential Manager)'
file\t'A file under $XDG_DATA_HOME/oauthcli, readable by you alone'"
complete -c oauthcli -n "__fish_oauthcli_using_subcommand logout" -l config -d 'Configuration file [default: $XDG_CONFIG_HOME/oauthcli/config.toml]' -r -F
complete -c oauthcli -n "__fish_oauthcli_using_subcommand logout" -l all -d 'Log out of every stored login'
complete -c oauthcli -n "__fish_oauthcli_using_subcommand logout" -l no-revoke -d 'Forget the tokens without revoking them at the provider'
complete -c oauthcli -n "__fish_oauthcli_using_subcommand logout" -s v -l verbose -d 'Say more on stderr about what happens (never prints a secret); repeat for more'
complete -c oauthcli -n "__fish_oauthcli_using_subcommand logout" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c oauthcli -n "__fish_oauthcli_using_subcommand logout" -s V -l version -d 'Print version'
complete -c oauthcli -n "__fish_oauthcli_using_subcommand status" -l storage -d 'Where the login\'s tokens are [default: where the login was made, else the config\'s `storage`, else keyring]' -r -f -a "keyring\t'The OS keychain (Secret Service, macOS Keychain, Windows Credential Manager)'
file\t'A file under $XDG_DATA_HOME/oauthcli, readable by you alone'"
complete -c oauthcli -n "__fish_oauthcli_using_subcommand status" -l config -d 'Configuration file [default: $XDG_CONFIG_HOME/oauthcli/config.toml]' -r -F
complete -c oauthcli -n "__fish_oauthcli_using_subcommand status" -l json -d 'Print JSON instead of a table'
complete -c oauthcli -n "__fish_oauthcli_using_subcommand status" -s v -l verbose -d 'Say more on stderr about what happens (never prints a secret); repeat for more'
complete -c oauthcli -n "__fish_oauthcli_using_subcommand status" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c oauthcli -n "__fish_oauthcli_using_subcommand status" -s V -l version -d 'Print version'
complete -c oauthcli -n "__fish_oauthcli_using_subcommand providers" -l config -d 'Configuration file [default: $XDG_CONFIG_HOME/oauthcli/config.toml]' -r -F
complete -c oauthcli -n "__fish_oauthcli_using_subcommand providers" -s v -l verbose -d 'Say more on stderr about what happens (never prints a secret); repeat for more'
complete -c oauthcli -n "__fish_oauthcli_using_subcommand providers" -s h -l help -d 'Print help'
complete -c oauthcli -n "__fish_oauthcli_using_subcommand providers" -s V -l version -d 'Print version'
complete -c oauthcli -n "__fish_oauthcli_using_subcommand switch" -l storage -d 'Where the login\'s tokens are [default: where the login was made, else the config\'s `storage`, else keyring]' -r -f -a "keyring\t'The OS keychain (Secret Service, macOS Keychain, Windows Credential Manager)'
file\t'A file under $XDG_DATA_HOME/oauthcli, readable by you alone'"
complete -c oauthcli -n "__fish_oauthcli_using_subcommand switch" -l config -d 'Configuration file [default: $XDG_CONFIG_HOME/oauthcli/config.toml]' -r -F
complete -c oauthcli -n "__fish_oauthcli_using_subcommand switch" -s v -l verbose -d 'Say more on stderr about what happens (never prints a secret); repeat for more'
complete -c oauthcli -n "__fish_oauthcli_using_subcommand switch" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c oauthcli -n "__fish_oauthcli_using_subcommand switch" -s V -l version -d 'Print version'
complete -c oauthcli -n "__fish_oauthcli_using_subcommand exec" -l env -d 'The environment variable that carries the token' -r
complete -c oauthcli -n "__fish_oauthcli_using_subcommand exec" -l min-ttl -d 'Refresh first when the token expires within this many seconds (0 to 31622400)' -r
complete -c oauthcli -n "__fish_oauthcli_using_subcommand exec" -l storage -d 'Where the login\'s tokens are [default: where the login was made, else the config\'s `storage`, else keyring]' -r -f -a "keyring\t'The OS keychain (Secret Service, macOS Keychain, Windows Credential Manager)'
file\t'A file under $XDG_DATA_HOME/oauthcli, readable by you alone'"
complete -c oauthcli -n "__fish_oauthcli_using_subcommand exec" -l config -d 'Configuration file [default: $XDG_CONFIG_HOME/oauthcli/config.toml]' -r -F
complete -c oauthcli -n "__fish_oauthcli_using_subcommand exec" -s v -l verbose -d 'Say more on stderr about what happens (never prints a secret); repeat for more'
complete -c oauthcli -n "__fish_oauthcli_using_subcommand exec" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c oauthcli -n "__fish_oauthcli_using_subcommand exec" -s V -l version -d 'Print version'
complete -c oauthcli -n "__fish_oauthcli_using_subcommand git-credential" -l storage -d 'Where the login\'s tokens are [default: where the login was made, else the config\'s `storage`, else keyring]' -r -f -a "keyring\t'The OS keychain (Secret Service, macOS Keychain, Windows Credential Manager)'
file\t'A file under $XDG_DATA_HOME/oauthcli, readable by you alone'"
complete -c oauthcli -n "__fish_oauthcli_using_subcommand git-credential" -l config -d 'Configuration file [default: $XDG_CONFIG_HOME/oauthcli/config.toml]' -r -F
complete -c oauthcli -n "__fish_oauthcli_using_subcommand git-credential" -s v -l verbose -d 'Say more on stderr about what happens (never prints a secret); repeat for more'
complete -c oauthcli -n "__fish_oauthcli_using_subcommand git-credential" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c oauthcli -n "__fish_oauthcli_using_subcommand git-credential" -s V -l version -d 'Print version'
complete -c oauthcli -n "__fish_oauthcli_using_subcommand setup-git" -l config -d 'Configuration file [default: $XDG_CONFIG_HOME/oauthcli/config.toml]' -r -F
complete -c oauthcli -n "__fish_oauthcli_using_subcommand setup-git" -s v -l verbose -d 'Say more on stderr about what happens (never prints a secret); repeat for more'
complete -c oauthcli -n "__fish_oauthcli_using_subcommand setup-git" -s h -l help -d 'Print help'
complete -c oauthcli -n "__fish_oauthcli_using_subcommand setup-git" -s V -l version -d 'Print version'
complete -c oauthcli -n "__fish_oauthcli_using_subcommand kubectl-credential" -l min-ttl -d 'Refresh first when the token expires within this many seconds (0 to 31622400)' -r
complete -c oauthcli -n "__fish_oauthcli_using_subcommand kubectl-credential" -l storage -d 'Where the login\'s tokens are [default: where the login was made, else the config\'s `storage`, else keyring]' -r -f -a "keyring\t'The OS keychain (Secret Service, macOS Keychain, Windows Credential Manager)'
file\t'A file under $XDG_DATA_HOME/oauthcli, readable by you alone'"
complete -c oauthcli -n "__fish_oauthcli_using_subcommand kubectl-credential" -l config -d 'Configuration file [default: $XDG_CONFIG_HOME/oauthcli/config.toml]' -r -F
complete -c oauthcli -n "__fish_oauthcli_using_subcommand kubectl-credential" -l access-token -d 'Send the access token instead of the ID token'
complete -c oauthcli -n "__fish_oauthcli_using_subcommand kubectl-credential" -s v -l verbose -d 'Say more on stderr about what happens (never prints a secret); repeat for more'
complete -c oauthcli -n "__fish_oauthcli_using_subcommand kubectl-credential" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c oauthcli -n "__fish_oauthcli_using_subcommand kubectl-credential" -s V -l version -d 'Print version'
complete -c oauthcli -n "__fish_oauthcli_using_subcommand doctor" -l storage -d 'Where to keep the tokens [default: the config\'s `storage`, else keyring]' -r -f -a "keyring\t'The OS keychain (Secret Service, macOS Keychain, Windows Credential Manager)'
file\t'A file under $XDG_DATA_HOME/oauthcli, readable by you alone'"
complete -c oauthcli -n "__fish_oauthcli_using_subcommand doctor" -l config -d 'Configuration file [default: $XDG_CONFIG_HOME/oauthcli/config.toml]' -r -F
complete -c oauthcli -n "__fish_oauthcli_using_subcommand doctor" -l json -d 'Print a JSON array of the checks instead of text'
complete -c oauthcli -n "__fish_oauthcli_using_subcommand doctor" -s v -l verbose -d 'Say more on stderr about what happens (never prints a secret); repeat for more'
complete -c oauthcli -n "__fish_oauthcli_using_subcommand doctor" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c oauthcli -n "__fish_oauthcli_using_subcommand doctor" -s V -l version -d 'Print version'
complete -c oauthcli -n "__fish_oauthcli_using_subcommand completions" -l config -d 'Configuration file [default: $XDG_CONFIG_HOME/oauthcli/config.toml]' -r -F
complete -c oauthcli -n "__fish_oauthcli_using_subcommand completions" -s v -l verbose -d 'Say more on stderr about what happens (never prints a secret); repeat for more'
complete -c oauthcli -n "__fish_oauthcli_using_subcommand completions" -s h -l help -d 'Print help'
complete -c oauthcli -n "__fish_oauthcli_using_subcommand completions" -s V -l version -d 'Print version'
complete -c oauthcli -n "__fish_oauthcli_using_subcommand help; and not __fish_seen_subcommand_from login whoami token logout status providers switch exec git-credential setup-git kubectl-credential doctor completions help" -f -a "login" -d 'Log in through the browser and store the tokens'
complete -c oauthcli -n "__fish_oauthcli_using_subcommand help; and not __fish_seen_subcommand_from login whoami token logout status providers switch exec git-credential setup-git kubectl-credential doctor completions help" -f -a "whoami" -d 'Print the email of the active (or named) login, from what is stored'
complete -c oauthcli -n "__fish_oauthcli_using_subcommand help; and not __fish_seen_subcommand_from login whoami token logout status providers switch exec git-credential setup-git kubectl-credential doctor completions help" -f -a "token" -d 'Print a valid access token, refreshing it first when it is about to expire'
complete -c oauthcli -n "__fish_oauthcli_using_subcommand help; and not __fish_seen_subcommand_from login whoami token logout status providers switch exec git-credential setup-git kubectl-credential doctor completions help" -f -a "logout" -d 'Revoke the tokens at the provider and forget them'
complete -c oauthcli -n "__fish_oauthcli_using_subcommand help; and not __fish_seen_subcommand_from login whoami token logout status providers switch exec git-credential setup-git kubectl-credential doctor completions help" -f -a "status" -d 'Show every stored login'
complete -c oauthcli -n "__fish_oauthcli_using_subcommand help; and not __fish_seen_subcommand_from login whoami token logout status providers switch exec git-credential setup-git kubectl-credential doctor completions help" -f -a "providers" -d 'List the built-in presets and the configured providers'
complete -c oauthcli -n "__fish_oauthcli_using_subcommand help; and not __fish_seen_subcommand_from login whoami token logout status providers switch exec git-credential setup-git kubectl-credential doctor completions help" -f -a "switch" -d 'Make a stored login the active one'
complete -c oauthcli -n "__fish_oauthcli_using_subcommand help; and not __fish_seen_subcommand_from login whoami token logout status providers switch exec git-credential setup-git kubectl-credential doctor completions help" -f -a "exec" -d 'Run a command with a valid access token in an environment variable'
complete -c oauthcli -n "__fish_oauthcli_using_subcommand help; and not __fish_seen_subcommand_from login whoami token logout status providers switch exec git-credential setup-git kubectl-credential doctor completions help" -f -a "git-credential" -d 'git\'s credential helper: answers git with a valid token (set up by `setup-git`)'
complete -c oauthcli -n "__fish_oauthcli_using_subcommand help; and not __fish_seen_subcommand_from login whoami token logout status providers switch exec git-credential setup-git kubectl-credential doctor completions help" -f -a "setup-git" -d 'Make git ask oauthcli for the provider\'s hosts (in your global git config)'
complete -c oauthcli -n "__fish_oauthcli_using_subcommand help; and not __fish_seen_subcommand_from login whoami token logout status providers switch exec git-credential setup-git kubectl-credential doctor completions help" -f -a "kubectl-credential" -d 'kubectl\'s exec credential plugin: prints an ExecCredential with a valid ID token'
complete -c oauthcli -n "__fish_oauthcli_using_subcommand help; and not __fish_seen_subcommand_from login whoami token logout status providers switch exec git-credential setup-git kubectl-credential doctor completions help" -f -a "doctor" -d 'Check what a login needs (config, keychain, browser, providers, logins, git, kubectl) and say what to fix'
complete -c oauthcli -n "__fish_oauthcli_using_subcommand help; and not __fish_seen_subcommand_from login whoami token logout status providers switch exec git-credential setup-git kubectl-credential doctor completions help" -f -a "completions" -d 'Print a shell completion script'
complete -c oauthcli -n "__fish_oauthcli_using_subcommand help; and not __fish_seen_subcommand_from login whoami token logout status providers switch exec git-credential setup-git kubectl-credential doctor completions help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
