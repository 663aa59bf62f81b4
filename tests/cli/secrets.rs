//! Secrets in output and at rest (SECURITY.md rows 5, 13, #17): nothing secret at `-vv`, token
//! files (and lock files) private whatever the umask, and a token file that is a symlink or readable by
//! others refused and left as it is.

use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::Command;

use crate::support::*;

fn mode(path: &Path) -> u32 {
    std::fs::symlink_metadata(path)
        .unwrap()
        .permissions()
        .mode()
        & 0o777
}

#[test]
fn no_secret_reaches_the_output_of_login_token_or_logout_at_vv() {
    let provider = Provider::start();
    let user = User::new();
    user.config(&format!(
        "storage = \"file\"\n{}",
        openid_config(
            "local",
            &provider.issuer,
            "cli-basic",
            "client_secret = \"basic-secret\"\n"
        )
    ));
    let login = user.run(&["login", "-vv"]);
    assert_eq!(login.code, 0, "{login:#?}");
    let first = read_json(&user.token_file("local"));
    let token = user.run(&["token", "--min-ttl", "7200", "-vv"]);
    assert_eq!(token.code, 0, "{token:#?}");
    let second = read_json(&user.token_file("local"));
    let logout = user.run(&["logout", "-vv"]);
    assert_eq!(logout.code, 0, "{logout:#?}");

    // -vv says more than -v: the requests made (so the check below is not vacuous).
    for (run, line) in [
        (
            &login,
            format!("oauthcli: POST {}/token\n", provider.issuer),
        ),
        (
            &login,
            "oauthcli: listener: received the authorization code\n".to_owned(),
        ),
        (
            &token,
            format!("oauthcli: 200 from {}/token\n", provider.issuer),
        ),
        (
            &logout,
            format!("oauthcli: POST {}/token/revocation\n", provider.issuer),
        ),
    ] {
        assert!(run.stderr.contains(&line), "{line} not in {}", run.stderr);
    }

    // Every secret of the three runs: tokens before and after the refresh, the code and
    // the PKCE verifier the provider received, the client secret, the Basic credentials.
    let exchange = &provider.requests_to("/token")[0]["form"];
    let mut secrets: Vec<String> = ["access_token", "refresh_token", "id_token"]
        .iter()
        .flat_map(|k| [&first[k], &second[k]])
        .map(|v| v.as_str().unwrap().to_owned())
        .collect();
    for key in ["code", "code_verifier"] {
        secrets.push(exchange[key].as_str().unwrap().to_owned());
    }
    secrets.push("basic-secret".into());
    secrets.push("Y2xpLWJhc2ljOmJhc2ljLXNlY3JldA".into()); // base64 of cli-basic:basic-secret
    // `token` prints the access token on stdout, and nothing else.
    assert_eq!(
        token.stdout,
        format!("{}\n", second["access_token"].as_str().unwrap())
    );
    let shown = [
        login.stdout.as_str(),
        &login.stderr,
        &token.stderr,
        &logout.stdout,
        &logout.stderr,
    ]
    .concat();
    for secret in &secrets {
        assert!(secret.len() >= 12, "{secret}");
        assert!(
            !shown.contains(secret.as_str()),
            "{secret} was shown:\n{shown}"
        );
    }
    // The state and nonce are in the URL the user must open, and nowhere else.
    let auth = &provider.requests_to("/auth")[0]["query"];
    let url_line = login
        .stderr
        .lines()
        .find(|l| l.contains("/auth?"))
        .unwrap()
        .to_owned();
    for key in ["state", "nonce"] {
        let value = auth[key].as_str().unwrap();
        assert_eq!(shown.matches(value).count(), 1, "{key} shown elsewhere");
        assert!(url_line.contains(value));
    }
}

/// The binary run by `sh` with umask 000, which also creates `$HOME/probe` to show that
/// the umask took.
fn with_umask_000(user: &User, args: &[&str]) -> Run {
    let inner = user.command(args);
    let mut cmd = Command::new("sh");
    cmd.args([
        "-c",
        "umask 000 && mkdir -p \"$HOME\" && touch \"$HOME/probe\" && exec \"$0\" \"$@\"",
    ])
    .arg(inner.get_program())
    .args(inner.get_args());
    for (key, value) in inner.get_envs() {
        match value {
            Some(v) => cmd.env(key, v),
            None => cmd.env_remove(key),
        };
    }
    cmd.output().unwrap().into()
}

#[test]
fn token_files_are_private_under_umask_000() {
    let provider = Provider::start();
    let user = User::new();
    user.config(&openid_config("local", &provider.issuer, "cli-public", ""));
    // A token directory that already exists, open to others: it is made private.
    let dir = user.path("home/.local/share/oauthcli");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o755)).unwrap();

    let r = with_umask_000(&user, &["login", "--storage", "file"]);
    assert_eq!(r.code, 0, "{r:#?}");
    assert_eq!(
        mode(&user.path("home/probe")),
        0o666,
        "the umask did not take"
    );
    let file = user.token_file("local");
    assert_eq!(mode(&file), 0o600);
    assert_eq!(mode(&dir), 0o700);
    let state = user.path("home/.local/state/oauthcli");
    assert_eq!(mode(&state), 0o700);
    assert_eq!(mode(&state.join("state.json")), 0o600);
    // The lock files too: a login's and the state's.
    assert_eq!(mode(&state.join("locks/local.lock")), 0o600);
    assert_eq!(mode(&state.join("state.lock")), 0o600);
    // Rewritten by a refresh: still private, and no temporary file is left.
    let r = with_umask_000(&user, &["token", "--min-ttl", "7200"]);
    assert_eq!(r.code, 0, "{r:#?}");
    assert_eq!(mode(&file), 0o600);
    let names: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    assert_eq!(names, ["local.json"]);
}

#[test]
fn a_token_file_readable_by_others_or_a_symlink_is_refused_and_left_alone() {
    let provider = Provider::start();
    let user = file_login(&provider);
    let file = user.token_file("local");
    let content = std::fs::read(&file).unwrap();

    // Readable by others: not used (exit 4, log in again), and not touched.
    std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o644)).unwrap();
    let loose = format!(
        "error: {} can be read by other users, so its tokens may have leaked; refusing to use it \
         (if no one else could have read it, 'chmod 600' it instead): run 'oauthcli login local'\n",
        file.display()
    );
    for args in [&["whoami"][..], &["token"], &["token", "--min-ttl", "7200"]] {
        let r = user.run(args);
        assert_eq!((r.code, r.stdout.as_str()), (4, ""), "{args:?}: {r:#?}");
        assert_eq!(r.stderr, loose, "{args:?}");
    }
    assert_eq!(mode(&file), 0o644);
    assert_eq!(std::fs::read(&file).unwrap(), content);
    // Nothing was refreshed with the refused tokens.
    assert_eq!(provider.requests_to("/token").len(), 1);

    // A symlink in its place, to a private file with the same tokens: not followed.
    let elsewhere = user.path("elsewhere.json");
    std::fs::write(&elsewhere, &content).unwrap();
    std::fs::set_permissions(&elsewhere, std::fs::Permissions::from_mode(0o600)).unwrap();
    std::fs::remove_file(&file).unwrap();
    std::os::unix::fs::symlink(&elsewhere, &file).unwrap();
    let r = user.run(&["whoami"]);
    assert_eq!(r.code, 4, "{r:#?}");
    assert_eq!(
        r.stderr,
        format!(
            "error: {} is not a regular file (a symlink?); refusing to read tokens from it: run \
             'oauthcli login local'\n",
            file.display()
        )
    );
    assert_eq!(std::fs::read_link(&file).unwrap(), elsewhere);
    // A new login replaces the link with a private file of its own, never writing through it.
    user.ok(&["login"]);
    assert!(
        std::fs::symlink_metadata(&file)
            .unwrap()
            .file_type()
            .is_file()
    );
    assert_eq!(mode(&file), 0o600);
    assert_eq!(std::fs::read(&elsewhere).unwrap(), content);
}

#[test]
fn a_stored_login_is_never_used_under_another_issuer() {
    let provider = Provider::start();
    let user = file_login(&provider);
    let other = provider.issuer.replace("127.0.0.1", "localhost");
    user.config(&format!(
        "storage = \"file\"\n{}",
        openid_config("local", &other, "cli-public", "")
    ));
    let r = user.run(&["token"]);
    assert_eq!(r.code, 4, "{r:#?}");
    assert_eq!(r.stdout, "");
    assert_eq!(
        r.stderr,
        format!(
            "error: the login stored for 'local' was issued by {}, but the config now names {other}: \
             run 'oauthcli login local'\n",
            provider.issuer
        )
    );
}
