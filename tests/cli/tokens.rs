//! `oauthcli token` for scripts: one refresh however many callers, a killed refresh, the ID
//! token, a keychain that never answers.

use std::io::{BufRead, BufReader};
use std::process::Stdio;

use serde_json::Value;

use crate::support::*;

fn refresh_requests(provider: &Provider) -> Vec<Value> {
    provider
        .requests_to("/token")
        .into_iter()
        .filter(|r| r["form"]["grant_type"] == "refresh_token")
        .collect()
}

/// Starts `n` `token` calls at once and returns their outputs.
fn in_parallel(user: &User, n: usize) -> Vec<Run> {
    let children: Vec<_> = (0..n)
        .map(|_| {
            user.command(&["token"])
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    children
        .into_iter()
        .map(|c| c.wait_with_output().unwrap().into())
        .collect()
}

fn assert_one_refresh_for_all(provider: &Provider, runs: &[Run], stored_token: &str) {
    for r in runs {
        assert_eq!(r.code, 0, "{r:#?}");
        assert_eq!(r.stdout, format!("{stored_token}\n"));
    }
    assert_eq!(refresh_requests(provider).len(), 1);
    assert_eq!(
        provider.userinfo_email(stored_token).unwrap(),
        "alice@example.com"
    );
}

#[test]
fn twenty_callers_on_an_expired_token_refresh_once_file_store() {
    let provider = Provider::start();
    let user = file_login(&provider);
    // Age the stored token as time would: it expired a second ago.
    let file = user.token_file("local");
    let mut set = read_json(&file);
    set["expires_at"] = (now() - 1).into();
    std::fs::write(&file, set.to_string()).unwrap();

    let runs = in_parallel(&user, 20);
    let after = read_json(&file);
    assert_one_refresh_for_all(&provider, &runs, after["access_token"].as_str().unwrap());
    assert_ne!(after["refresh_token"], set["refresh_token"]);
}

#[test]
fn twenty_callers_on_an_expired_token_refresh_once_keychain() {
    let provider = Provider::start();
    let user = User::new();
    let name = unique("par");
    user.config(&openid_config(&name, &provider.issuer, "cli-public", ""));
    user.ok(&["login", &name]);
    let mut set = keychain_entry(&name).unwrap();
    set["expires_at"] = (now() - 1).into();
    let mut store = std::process::Command::new("secret-tool")
        .args([
            "store", "--label", "aged", "service", "oauthcli", "username", &name,
        ])
        .stdin(Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write;
    store
        .stdin
        .take()
        .unwrap()
        .write_all(set.to_string().as_bytes())
        .unwrap();
    assert!(store.wait().unwrap().success());
    assert_eq!(
        keychain_entry(&name).unwrap()["expires_at"],
        set["expires_at"]
    );

    let runs = in_parallel(&user, 20);
    let after = keychain_entry(&name).unwrap();
    assert_one_refresh_for_all(&provider, &runs, after["access_token"].as_str().unwrap());
    user.ok(&["logout", &name]);
}

#[test]
fn a_refresh_killed_midway_leaves_the_store_whole() {
    let provider = Provider::with(ProviderOptions {
        rotate_refresh: false,
        ..Default::default()
    });
    let user = file_login(&provider);
    let before = std::fs::read(user.token_file("local")).unwrap();

    // Freeze the provider, start a refresh, and kill it once it is waiting for the answer.
    provider.signal("STOP");
    let mut child = user
        .command(&["-v", "token", "--min-ttl", "7200"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stderr = BufReader::new(child.stderr.take().unwrap());
    let mut line = String::new();
    while !line.starts_with("oauthcli: refreshing at ") {
        line.clear();
        assert!(
            stderr.read_line(&mut line).unwrap() > 0,
            "no refresh started"
        );
    }
    child.kill().unwrap();
    child.wait().unwrap();
    provider.signal("CONT");

    assert_eq!(std::fs::read(user.token_file("local")).unwrap(), before);
    // The lock died with the process: the next call refreshes at once.
    let token = user.ok(&["token", "--min-ttl", "7200"]);
    assert_eq!(
        token.trim(),
        read_json(&user.token_file("local"))["access_token"]
    );
}

#[test]
fn the_id_token_is_refreshed_and_checked() {
    let provider = Provider::start();
    let user = file_login(&provider);
    let before = read_json(&user.token_file("local"));
    let exp = before["id_token_expires_at"].as_i64().unwrap();
    assert!((now() + 3500..=now() + 3600).contains(&exp), "{exp}");

    // Good for an hour: no refresh for a 60 s margin.
    assert_eq!(user.ok(&["token", "--id-token"]).trim(), before["id_token"]);
    assert!(refresh_requests(&provider).is_empty());

    // A two-hour margin needs a new one.
    let id = user.ok(&[
        "token",
        "--id-token",
        "--min-ttl",
        "7200",
        "--format",
        "json",
    ]);
    let json: Value = serde_json::from_str(&id).unwrap();
    let after = read_json(&user.token_file("local"));
    assert_eq!(refresh_requests(&provider).len(), 1);
    // (Issued within the same second, the new ID token can equal the old one byte for byte.)
    assert!(after["id_token_expires_at"].as_i64().unwrap() >= exp);
    assert_eq!(json["token"], after["id_token"]);
    assert_eq!(json["token_type"], "id_token");
    assert_eq!(
        json["expires_in"].as_i64().unwrap(),
        after["id_token_expires_at"].as_i64().unwrap() - now()
    );
}

#[test]
fn a_keychain_that_never_answers_times_out() {
    let dir = tempfile::tempdir().unwrap();
    let socket = dir.path().join("bus");
    let listener = std::os::unix::net::UnixListener::bind(&socket).unwrap();
    // Accepts connections and never says a word, like a hung D-Bus peer.
    std::thread::spawn(move || {
        let mut held = Vec::new();
        for conn in listener.incoming() {
            held.push(conn);
        }
    });
    // A provider that answers: its endpoints are resolved before the keychain is asked.
    let provider = Provider::start();
    let mut user = User::new();
    user.config(&openid_config("corp", &provider.issuer, "cli-public", ""));
    user.env(
        "DBUS_SESSION_BUS_ADDRESS",
        &format!("unix:path={}", socket.display()),
    );
    user.env("OAUTHCLI_KEYRING_TIMEOUT", "0.5");
    let r = user.run(&["login", "corp"]);
    assert_eq!(r.code, 1, "{r:#?}");
    assert_eq!(
        r.stderr,
        "error: the OS keychain did not answer within 0.5 s (is it locked, waiting for a password prompt?). \
         Unlock it, set OAUTHCLI_KEYRING_TIMEOUT to wait longer, or keep tokens in a private file with \
         --storage file\n"
    );
    // A login it keeps: what helps is the keychain, not another storage.
    let state = user.path("home/.local/state/oauthcli");
    std::fs::create_dir_all(&state).unwrap();
    std::fs::write(
        state.join("state.json"),
        r#"{"active": "corp", "logins": {"corp": {"storage": "keyring"}}}"#,
    )
    .unwrap();
    let r = user.run(&["token"]);
    assert_eq!(r.code, 1, "{r:#?}");
    assert_eq!(
        r.stderr,
        "error: the OS keychain, which keeps the login to 'corp', did not answer within 0.5 s (is it \
         locked, waiting for a password prompt?). Unlock it, or set OAUTHCLI_KEYRING_TIMEOUT to wait \
         longer\n"
    );
    user.env("OAUTHCLI_KEYRING_TIMEOUT", "soon");
    let r = user.run(&["token", "corp"]);
    assert_eq!(r.code, 2);
    assert_eq!(
        r.stderr,
        "error: OAUTHCLI_KEYRING_TIMEOUT must be a positive number of seconds, at most 600, not \
         'soon'\n"
    );
}

#[test]
fn status_lists_every_login_as_json() {
    let provider = Provider::start();
    let user = User::new();
    user.config(&format!(
        "storage = \"file\"\n{}{}",
        openid_config("one", &provider.issuer, "cli-public", ""),
        openid_config(
            "two",
            &provider.issuer,
            "cli-public",
            "scopes = [\"openid\", \"email\"]\n"
        )
    ));
    user.ok(&["login", "one"]);
    user.ok(&["login", "two"]);
    let one = read_json(&user.token_file("one"));
    let json: Value = serde_json::from_str(&user.ok(&["status", "--json"])).unwrap();
    let at = |v: &Value| {
        chrono::DateTime::from_timestamp(v.as_i64().unwrap(), 0)
            .unwrap()
            .to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
    };
    assert_eq!(
        json,
        serde_json::json!([
            {"provider": "one", "email": "alice@example.com", "active": false, "active_by": null,
             "expires_at": at(&one["expires_at"]), "expired": false, "refresh_token": true,
             "refresh_refused": false, "storage": "file"},
            {"provider": "two", "email": "alice@example.com", "active": true, "active_by": "active",
             "expires_at": at(&read_json(&user.token_file("two"))["expires_at"]), "expired": false,
             "refresh_token": false, "refresh_refused": false, "storage": "file"},
        ])
    );
}
