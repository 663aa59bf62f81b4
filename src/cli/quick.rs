//! `oauthcli token` and `oauthcli token NAME`, read without building clap's parser.
//!
//! Scripts call `token` more than any other command, and building the parser of every
//! command costs more than the rest of a call on a good token. Only command lines that clap
//! reads one way, with every default, are taken here: anything else (a flag, a second name,
//! a name that could be a flag, `$OAUTHCLI_STORAGE`) is left to clap, which also words
//! every usage error. The tests below hold the two to the same [`Cli`].

use std::ffi::{OsStr, OsString};
use std::path::PathBuf;

use super::{Cli, Command, Freshness, GlobalArgs, StoredIn, TokenArgs, TokenFormat};

/// `token`'s `--min-ttl` when none is given (its clap `default_value_t`).
const MIN_TTL_DEFAULT: u64 = 60;

/// The command line, when it is `token` or `token NAME` alone; `None` leaves it to clap.
/// `args` is the whole of argv, the program's name first; `var` reads the environment.
pub fn token(args: &[OsString], var: impl Fn(&str) -> Option<OsString>) -> Option<Cli> {
    let provider = match args {
        [_, command] if command == "token" => None,
        [_, command, name] if command == "token" => Some(plain(name)?),
        _ => return None,
    };
    // `--storage` reads `$OAUTHCLI_STORAGE` (and clap words a bad value of it).
    if var("OAUTHCLI_STORAGE").is_some() {
        return None;
    }
    // `--config` reads `$OAUTHCLI_CONFIG`; clap refuses it empty, as it does `--config ''`.
    let config = match var("OAUTHCLI_CONFIG") {
        Some(path) if path.is_empty() => return None,
        path => path.map(PathBuf::from),
    };
    Some(Cli {
        global: GlobalArgs { config, verbose: 0 },
        command: Command::Token(TokenArgs {
            provider,
            fresh: Freshness {
                min_ttl: MIN_TTL_DEFAULT,
            },
            id_token: false,
            scope: Vec::new(),
            format: TokenFormat::Raw,
            storage: StoredIn { storage: None },
        }),
    })
}

/// A name that clap takes as the positional value and nothing else: UTF-8 (clap refuses
/// other bytes in a `String`), not empty, and not starting with `-` (a flag, `--`, `-`).
fn plain(name: &OsStr) -> Option<String> {
    let name = name.to_str()?;
    (!name.is_empty() && !name.starts_with('-')).then(|| name.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::{CommandFactory, FromArgMatches};

    fn argv(args: &[&str]) -> Vec<OsString> {
        std::iter::once("oauthcli")
            .chain(args.iter().copied())
            .map(OsString::from)
            .collect()
    }

    fn no_env(_: &str) -> Option<OsString> {
        None
    }

    /// clap's reading of `args`, blind to the environment of the test process.
    fn clap(args: &[OsString]) -> Cli {
        let cmd = Cli::command()
            .mut_arg("config", |a| a.env(None))
            .mut_subcommand("token", |t| t.mut_arg("storage", |a| a.env(None)));
        Cli::from_arg_matches(&cmd.try_get_matches_from(args).unwrap()).unwrap()
    }

    #[test]
    fn what_it_takes_clap_reads_the_same() {
        for args in [
            &["token"][..],
            &["token", "corp"],
            &["token", "corp-sso_2"],
            &["token", "help"],
            &["token", "a b"],
            &["token", "../x"],
            &["token", "ü"],
        ] {
            let quick = token(&argv(args), no_env).expect("taken");
            assert_eq!(format!("{quick:?}"), format!("{:?}", clap(&argv(args))));
        }
    }

    #[test]
    fn the_config_variable_is_read_as_clap_reads_config() {
        let env = |var: &str| (var == "OAUTHCLI_CONFIG").then(|| OsString::from("/etc/o.toml"));
        let quick = token(&argv(&["token", "corp"]), env).expect("taken");
        let flag = clap(&argv(&["--config", "/etc/o.toml", "token", "corp"]));
        assert_eq!(format!("{quick:?}"), format!("{flag:?}"));
    }

    /// A variable that clap reads for `token` and the quick reading does not would part them.
    #[test]
    fn the_variables_clap_reads_for_token_are_the_two_read_here() {
        let mut cmd = Cli::command();
        cmd.build();
        let token = cmd.find_subcommand("token").unwrap();
        let mut read: Vec<_> = token
            .get_arguments()
            .filter_map(|a| a.get_env())
            .map(|v| v.to_str().unwrap().to_owned())
            .collect();
        read.sort();
        assert_eq!(read, ["OAUTHCLI_CONFIG", "OAUTHCLI_STORAGE"]);
    }

    #[test]
    fn anything_else_is_left_to_clap() {
        for args in [
            &[][..],
            &["tokens"],
            &["Token"],
            &["token", "a", "b"],
            &["token", ""],
            &["token", "-"],
            &["token", "--"],
            &["token", "-v"],
            &["token", "--help"],
            &["token", "--format", "json"],
            &["token", "--id-token"],
            &["-v", "token"],
            &["--config", "x", "token"],
            &["whoami"],
            &["token", "corp", "--min-ttl", "60"],
        ] {
            assert!(token(&argv(args), no_env).is_none(), "{args:?}");
        }
    }

    #[cfg(unix)]
    #[test]
    fn a_name_that_is_not_utf8_is_left_to_clap() {
        use std::os::unix::ffi::OsStringExt;
        let args = vec![
            "oauthcli".into(),
            "token".into(),
            OsString::from_vec(vec![0xff]),
        ];
        assert!(token(&args, no_env).is_none());
    }

    #[test]
    fn the_storage_variable_or_an_empty_config_one_is_left_to_clap() {
        let storage = |var: &str| (var == "OAUTHCLI_STORAGE").then(|| OsString::from("file"));
        assert!(token(&argv(&["token"]), storage).is_none());
        let empty = |var: &str| (var == "OAUTHCLI_CONFIG").then(OsString::new);
        assert!(token(&argv(&["token", "corp"]), empty).is_none());
    }
}
