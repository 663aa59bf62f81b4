
use builtin;
use str;

set edit:completion:arg-completer[oauthcli] = {|@words|
    fn spaces {|n|
        builtin:repeat $n ' ' | str:join ''
    }
    fn cand {|text desc|
        edit:complex-candidate $text &display=$text' '(spaces (- 14 (wcswidth $text)))$desc
    }
    var command = 'oauthcli'
    for word $words[1..-1] {
        if (str:has-prefix $word '-') {
            break
        }
        set command = $command';'$word
    }
    var completions = [
        &'oauthcli'= {
            cand --config 'Configuration file [default: $XDG_CONFIG_HOME/oauthcli/config.toml]'
            cand -v 'Say more on stderr about what happens (never prints a secret); repeat for more'
            cand --verbose 'Say more on stderr about what happens (never prints a secret); repeat for more'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
            cand login 'Log in through the browser and store the tokens'
            cand whoami 'Print the email of the active (or named) login, from what is stored'
            cand token 'Print a valid access token, refreshing it first when it is about to expire'
            cand logout 'Revoke the tokens at the provider and forget them'
            cand status 'Show every stored login'
            cand providers 'List the built-in presets and the configured providers'
            cand switch 'Make a stored login the active one'
            cand exec 'Run a command with a valid access token in an environment variable'
            cand git-credential 'git''s credential helper: answers git with a valid token (set up by `setup-git`)'
            cand setup-git 'Make git ask oauthcli for the provider''s hosts (in your global git config)'
            cand kubectl-credential 'kubectl''s exec credential plugin: prints an ExecCredential with a valid ID token'
            cand doctor 'Check what a login needs (config, keychain, browser, providers, logins, git, kubectl) and say what to fix'
            cand completions 'Print a shell completion script'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'oauthcli;login'= {
            cand --scope 'Extra scope to ask for, added to the provider''s defaults (repeatable)'
            cand --login-hint 'The account the provider should offer first (OpenID login_hint; overrides the config''s)'
            cand --port 'Fixed port for the loopback redirect [default: any free port]'
            cand --timeout 'Give up after this many seconds (1 to 86400)'
            cand --storage 'Where to keep the tokens [default: the config''s `storage`, else keyring]'
            cand --config 'Configuration file [default: $XDG_CONFIG_HOME/oauthcli/config.toml]'
            cand --no-browser 'Print the URL instead of opening a browser; the redirect may also be pasted on stdin'
            cand --browser 'Open a browser even where none seems to be shown (an SSH session, no display)'
            cand --device 'Log in with a code entered on any other device (the device grant, RFC 8628)'
            cand --clipboard 'With the device grant, also copy the code to the terminal''s clipboard (OSC 52)'
            cand --select-account 'Ask the provider to let you pick the account, even when one is signed in'
            cand -v 'Say more on stderr about what happens (never prints a secret); repeat for more'
            cand --verbose 'Say more on stderr about what happens (never prints a secret); repeat for more'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'oauthcli;whoami'= {
            cand --storage 'Where the login''s tokens are [default: where the login was made, else the config''s `storage`, else keyring]'
            cand --config 'Configuration file [default: $XDG_CONFIG_HOME/oauthcli/config.toml]'
            cand --json 'Print a JSON object instead of the email'
            cand -v 'Say more on stderr about what happens (never prints a secret); repeat for more'
            cand --verbose 'Say more on stderr about what happens (never prints a secret); repeat for more'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'oauthcli;token'= {
            cand --min-ttl 'Refresh first when the token expires within this many seconds (0 to 31622400)'
            cand --scope 'An access token for this scope alone (repeatable), got with the login''s refresh token'
            cand --format 'Output format'
            cand --storage 'Where the login''s tokens are [default: where the login was made, else the config''s `storage`, else keyring]'
            cand --config 'Configuration file [default: $XDG_CONFIG_HOME/oauthcli/config.toml]'
            cand --id-token 'Print the ID token instead of the access token'
            cand -v 'Say more on stderr about what happens (never prints a secret); repeat for more'
            cand --verbose 'Say more on stderr about what happens (never prints a secret); repeat for more'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'oauthcli;logout'= {
            cand --storage 'Where the login''s tokens are [default: where the login was made, else the config''s `storage`, else keyring]'
            cand --config 'Configuration file [default: $XDG_CONFIG_HOME/oauthcli/config.toml]'
            cand --all 'Log out of every stored login'
            cand --no-revoke 'Forget the tokens without revoking them at the provider'
            cand -v 'Say more on stderr about what happens (never prints a secret); repeat for more'
            cand --verbose 'Say more on stderr about what happens (never prints a secret); repeat for more'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'oauthcli;status'= {
            cand --storage 'Where the login''s tokens are [default: where the login was made, else the config''s `storage`, else keyring]'
            cand --config 'Configuration file [default: $XDG_CONFIG_HOME/oauthcli/config.toml]'
            cand --json 'Print JSON instead of a table'
            cand -v 'Say more on stderr about what happens (never prints a secret); repeat for more'
            cand --verbose 'Say more on stderr about what happens (never prints a secret); repeat for more'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'oauthcli;providers'= {
            cand --config 'Configuration file [default: $XDG_CONFIG_HOME/oauthcli/config.toml]'
            cand -v 'Say more on stderr about what happens (never prints a secret); repeat for more'
            cand --verbose 'Say more on stderr about what happens (never prints a secret); repeat for more'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'oauthcli;switch'= {
            cand --storage 'Where the login''s tokens are [default: where the login was made, else the config''s `storage`, else keyring]'
            cand --config 'Configuration file [default: $XDG_CONFIG_HOME/oauthcli/config.toml]'
            cand -v 'Say more on stderr about what happens (never prints a secret); repeat for more'
            cand --verbose 'Say more on stderr about what happens (never prints a secret); repeat for more'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'oauthcli;exec'= {
            cand --env 'The environment variable that carries the token'
            cand --min-ttl 'Refresh first when the token expires within this many seconds (0 to 31622400)'
            cand --storage 'Where the login''s tokens are [default: where the login was made, else the config''s `storage`, else keyring]'
            cand --config 'Configuration file [default: $XDG_CONFIG_HOME/oauthcli/config.toml]'
            cand -v 'Say more on stderr about what happens (never prints a secret); repeat for more'
            cand --verbose 'Say more on stderr about what happens (never prints a secret); repeat for more'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'oauthcli;git-credential'= {
            cand --storage 'Where the login''s tokens are [default: where the login was made, else the config''s `storage`, else keyring]'
            cand --config 'Configuration file [default: $XDG_CONFIG_HOME/oauthcli/config.toml]'
            cand -v 'Say more on stderr about what happens (never prints a secret); repeat for more'
            cand --verbose 'Say more on stderr about what happens (never prints a secret); repeat for more'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'oauthcli;setup-git'= {
            cand --config 'Configuration file [default: $XDG_CONFIG_HOME/oauthcli/config.toml]'
            cand -v 'Say more on stderr about what happens (never prints a secret); repeat for more'
            cand --verbose 'Say more on stderr about what happens (never prints a secret); repeat for more'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'oauthcli;kubectl-credential'= {
            cand --min-ttl 'Refresh first when the token expires within this many seconds (0 to 31622400)'
            cand --storage 'Where the login''s tokens are [default: where the login was made, else the config''s `storage`, else keyring]'
            cand --config 'Configuration file [default: $XDG_CONFIG_HOME/oauthcli/config.toml]'
            cand --access-token 'Send the access token instead of the ID token'
            cand -v 'Say more on stderr about what happens (never prints a secret); repeat for more'
            cand --verbose 'Say more on stderr about what happens (never prints a secret); repeat for more'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'oauthcli;doctor'= {
            cand --storage 'Where to keep the tokens [default: the config''s `storage`, else keyring]'
            cand --config 'Configuration file [default: $XDG_CONFIG_HOME/oauthcli/config.toml]'
            cand --json 'Print a JSON array of the checks instead of text'
            cand -v 'Say more on stderr about what happens (never prints a secret); repeat for more'
            cand --verbose 'Say more on stderr about what happens (never prints a secret); repeat for more'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'oauthcli;completions'= {
            cand --config 'Configuration file [default: $XDG_CONFIG_HOME/oauthcli/config.toml]'
            cand -v 'Say more on stderr about what happens (never prints a secret); repeat for more'
            cand --verbose 'Say more on stderr about what happens (never prints a secret); repeat for more'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'oauthcli;help'= {
            cand login 'Log in through the browser and store the tokens'
            cand whoami 'Print the email of the active (or named) login, from what is stored'
            cand token 'Print a valid access token, refreshing it first when it is about to expire'
            cand logout 'Revoke the tokens at the provider and forget them'
            cand status 'Show every stored login'
            cand providers 'List the built-in presets and the configured providers'
            cand switch 'Make a stored login the active one'
            cand exec 'Run a command with a valid access token in an environment variable'
            cand git-credential 'git''s credential helper: answers git with a valid token (set up by `setup-git`)'
            cand setup-git 'Make git ask oauthcli for the provider''s hosts (in your global git config)'
            cand kubectl-credential 'kubectl''s exec credential plugin: prints an ExecCredential with a valid ID token'
            cand doctor 'Check what a login needs (config, keychain, browser, providers, logins, git, kubectl) and say what to fix'
            cand completions 'Print a shell completion script'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'oauthcli;help;login'= {
        }
        &'oauthcli;help;whoami'= {
        }
        &'oauthcli;help;token'= {
        }
        &'oauthcli;help;logout'= {
        }
        &'oauthcli;help;status'= {
        }
        &'oauthcli;help;providers'= {
        }
        &'oauthcli;help;switch'= {
        }
        &'oauthcli;help;exec'= {
        }
        &'oauthcli;help;git-credential'= {
        }
        &'oauthcli;help;setup-git'= {
        }
        &'oauthcli;help;kubectl-credential'= {
        }
        &'oauthcli;help;doctor'= {
        }
        &'oauthcli;help;completions'= {
        }
        &'oauthcli;help;help'= {
        }
    ]
    $completions[$command]
}
