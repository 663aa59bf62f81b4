//! `--help` as a new user reads it: the command's own options apart from the global ones,
//! example command lines for every command, lines folded to at most 100 columns, and
//! `--storage` only on the commands where it acts.

use crate::support::*;

const COMMANDS: [&str; 13] = [
    "login",
    "whoami",
    "token",
    "logout",
    "status",
    "providers",
    "switch",
    "exec",
    "git-credential",
    "setup-git",
    "kubectl-credential",
    "doctor",
    "completions",
];

/// `oauthcli ARGS` on a terminal 300 columns wide, no variable of ours set (clap shows their
/// values).
fn help(args: &[&str]) -> String {
    let r: Run = User::new()
        .command(args)
        .env_remove("OAUTHCLI_CONFIG")
        .env("COLUMNS", "300")
        .output()
        .unwrap()
        .into();
    assert_eq!((r.code, r.stderr.as_str()), (0, ""), "{args:?}");
    r.stdout
}

#[test]
fn a_small_help_in_full() {
    assert_eq!(
        help(&["providers", "--help"]),
        "List the built-in presets and the configured providers\n\n\
         Usage: oauthcli providers [OPTIONS]\n\n\
         Options:\n  -h, --help     Print help\n  -V, --version  Print version\n\n\
         Global options:\n      --config <FILE>  Configuration file [default: \
         $XDG_CONFIG_HOME/oauthcli/config.toml] [env:\n                       \
         OAUTHCLI_CONFIG=]\n  -v, --verbose...     Say more on stderr about what happens (never \
         prints a secret); repeat for\n                       more\n\n\
         Examples:\n  oauthcli providers\n"
    );
}

#[test]
fn every_command_lists_global_options_apart_and_shows_examples() {
    for cmd in COMMANDS {
        for flag in ["-h", "--help"] {
            let text = help(&[cmd, flag]);
            let (own, global) = text
                .split_once("\nGlobal options:\n")
                .unwrap_or_else(|| panic!("{cmd} {flag}: no global options\n{text}"));
            assert!(!own.contains("--config"), "{cmd} {flag}:\n{text}");
            assert!(!own.contains("--verbose"), "{cmd} {flag}:\n{text}");
            assert!(global.contains("--config <FILE>"), "{cmd} {flag}:\n{text}");
            assert!(global.contains("-v, --verbose"), "{cmd} {flag}:\n{text}");
            let examples = global
                .split_once("\nExamples:\n")
                .unwrap_or_else(|| panic!("{cmd} {flag}: no examples\n{text}"))
                .1;
            assert!(
                examples.contains(&format!("oauthcli {cmd}")),
                "{cmd} {flag}:\n{text}"
            );
            let widest = text.lines().map(|l| l.chars().count()).max().unwrap();
            assert!(
                widest <= 100,
                "{cmd} {flag}: a line of {widest} columns\n{text}"
            );
        }
    }
    let top = help(&["--help"]);
    assert!(
        top.contains("\nGlobal options:\n      --config <FILE>\n"),
        "{top}"
    );
    assert!(top.lines().all(|l| l.chars().count() <= 100), "{top}");
}

#[test]
fn storage_is_taken_only_where_it_acts() {
    for cmd in COMMANDS {
        let acts = !["providers", "setup-git", "completions"].contains(&cmd);
        assert_eq!(
            help(&[cmd, "--help"]).contains("--storage <STORAGE>"),
            acts,
            "{cmd}"
        );
    }
    let user = User::new();
    user.run(&["providers", "--storage", "file"]).failed(
        2,
        "error: unexpected argument '--storage' found\n\nUsage: oauthcli providers [OPTIONS]\n\n\
         For more information, try '--help'.\n",
    );
    // Where it acts, it is the command's own option, after the command's name.
    let login = help(&["login", "--help"]);
    let own = login.split_once("\nGlobal options:\n").unwrap().0;
    assert!(
        own.contains(
            "--storage <STORAGE>\n          Where to keep the tokens [default: the \
                      config's `storage`, else keyring]\n"
        ),
        "{login}"
    );
}
