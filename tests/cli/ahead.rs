//! Refresh ahead of a token's end: a token in the last quarter of its life is handed out at
//! once and refreshed by a detached oauthcli process, one at a time, under the login's lock.
//! The provider is frozen (SIGSTOP) to hold the refresh while the test looks.

use std::os::unix::process::CommandExt;
use std::process::{Command, Stdio};

use serde_json::Value;

use crate::support::*;

/// A login to the real provider at a generic provider with `extra` config lines, its token
/// moved into the last quarter of its life (600 of 3600 s left): good for the default
/// `--min-ttl` of 60 s, and due for a refresh ahead.
fn in_last_quarter(extra: &str) -> (Provider, User, Value) {
    let provider = Provider::start();
    let user = User::new();
    user.config(&local_file_config(&provider, extra));
    user.ok(&["login"]);
    let now = now();
    let mut set = user.stored("local");
    set["obtained_at"] = (now - 3000).into();
    set["expires_at"] = (now + 600).into();
    std::fs::write(user.token_file("local"), set.to_string()).unwrap();
    (provider, user, set)
}

fn refreshes(provider: &Provider) -> Vec<Value> {
    provider
        .requests_to("/token")
        .into_iter()
        .filter(|r| r["form"]["grant_type"] == "refresh_token")
        .collect()
}

/// The pids of the refreshers running for `user` (their command line names its config).
fn refreshers(user: &User) -> Vec<u32> {
    let config = user.config.to_str().unwrap();
    std::fs::read_dir("/proc")
        .unwrap()
        .filter_map(|e| {
            let pid: u32 = e.ok()?.file_name().to_str()?.parse().ok()?;
            let cmdline = std::fs::read(format!("/proc/{pid}/cmdline")).ok()?;
            let args: Vec<&[u8]> = cmdline.split(|b| *b == 0).collect();
            let ours = args.contains(&&b"refresh-ahead"[..]) && args.contains(&config.as_bytes());
            ours.then_some(pid)
        })
        .collect()
}

/// Runs `token -v` on a token in its last quarter and returns the refresher it started, as
/// its line on stderr names it.
fn started_refresher(user: &User) -> u32 {
    let run = user.run(&["token", "-v"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(run.stdout.trim(), user.stored("local")["access_token"]);
    let pid = run
        .stderr
        .trim()
        .strip_prefix(
            "oauthcli: the token is in the last quarter of its life: refreshing it in the \
             background (process ",
        )
        .and_then(|rest| rest.strip_suffix(')'))
        .unwrap_or_else(|| panic!("no refresher started: {}", run.stderr));
    pid.parse().unwrap()
}

fn ahead_lock(user: &User) -> std::path::PathBuf {
    user.path("home/.local/state/oauthcli/locks/local.ahead")
}

/// Waits for the refresher to end: it holds the ahead lock until it does.
fn wait_for_refresher(user: &User) {
    std::fs::File::open(ahead_lock(user))
        .unwrap()
        .lock()
        .unwrap();
}

/// Waits until the process `pid` holds the flock of the file at `path`, as /proc/locks
/// tells (`ID: FLOCK ADVISORY WRITE PID MAJ:MIN:INODE 0 EOF`).
fn wait_until_held_by(path: &std::path::Path, pid: u32) {
    use std::os::unix::fs::MetadataExt;
    let inode = format!(":{} ", std::fs::metadata(path).unwrap().ino());
    let held = || {
        std::fs::read_to_string("/proc/locks")
            .unwrap()
            .lines()
            .any(|l| {
                let f: Vec<&str> = l.split_whitespace().collect();
                f.get(1) == Some(&"FLOCK")
                    && f.get(4) == Some(&pid.to_string().as_str())
                    && format!("{} ", f.get(5).unwrap_or(&"")).ends_with(&inode)
            })
    };
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while !held() {
        assert!(
            std::time::Instant::now() < deadline,
            "{pid} never took {}",
            path.display()
        );
        std::thread::yield_now();
    }
}

#[test]
fn a_token_in_its_last_quarter_is_handed_out_at_once_and_refreshed_behind() {
    let (provider, user, before) = in_last_quarter("refresh_ahead = true\n");
    let old = before["access_token"].as_str().unwrap();
    // A refresh now would wait for ever: the token comes at once all the same, each time.
    provider.signal("STOP");
    let run = user.run(&["token"]);
    assert_eq!(
        (run.code, run.stdout.trim(), run.stderr.as_str()),
        (0, old, "")
    );
    // One refresher for all five calls, waiting at the provider: the next four say so.
    for _ in 0..4 {
        let run = user.run(&["token", "-vv"]);
        assert_eq!((run.code, run.stdout.trim()), (0, old));
        assert!(
            run.stderr.contains(
                "oauthcli: a refresh ahead of the token's end runs, or started less than 30 s ago"
            ),
            "{}",
            run.stderr
        );
        assert!(!run.stderr.contains("in the background"), "{}", run.stderr);
    }
    provider.signal("CONT");
    wait_for_refresher(&user);

    let got = refreshes(&provider);
    assert_eq!(got.len(), 1);
    assert_eq!(got[0]["form"]["refresh_token"], before["refresh_token"]);
    let after = user.stored("local");
    let new = after["access_token"].as_str().unwrap();
    assert_ne!(new, old);
    assert!(after["obtained_at"].as_i64().unwrap() >= now() - 60);
    assert_eq!(provider.userinfo_email(new).unwrap(), "alice@example.com");
    // The new token is out of the window: handed out with no refresh.
    assert_eq!(user.ok(&["token"]).trim(), new);
    assert_eq!(refreshes(&provider).len(), 1);
    assert!(refreshers(&user).is_empty());
}

#[test]
fn a_killed_caller_does_not_cut_off_the_refresh_and_the_rotated_token_is_kept() {
    let (provider, user, before) = in_last_quarter("refresh_ahead = true\n");
    let old_rt = before["refresh_token"].as_str().unwrap();
    provider.signal("STOP");
    // The caller in a process group of its own, started by a script that goes on after it,
    // as a shell runs a pipeline or git its helper; the whole group is killed once the
    // caller has handed the token out, the script still running.
    let mut script = user
        .tool("sh")
        .args(["-c", "\"$0\" token && read _", BIN])
        .process_group(0)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    std::io::BufRead::read_line(
        &mut std::io::BufReader::new(script.stdout.take().unwrap()),
        &mut line,
    )
    .unwrap();
    assert_eq!(line.trim(), before["access_token"]);
    let killed = Command::new("kill")
        .args(["-KILL", "--", &format!("-{}", script.id())])
        .status()
        .unwrap();
    assert!(killed.success());
    script.wait().unwrap();
    provider.signal("CONT");
    wait_for_refresher(&user);

    // The provider rotated the refresh token, and the new one is what is stored.
    let after = user.stored("local");
    let new_rt = after["refresh_token"].as_str().unwrap();
    assert_ne!(new_rt, old_rt);
    assert!(provider.is_active(new_rt));
    assert!(!provider.is_active(old_rt));
    assert_eq!(refreshes(&provider).len(), 1);
}

#[test]
fn a_caller_that_must_refresh_waits_for_the_refresher_and_refreshes_nothing() {
    let (provider, user, _) = in_last_quarter("refresh_ahead = true\n");
    provider.signal("STOP");
    let refresher = started_refresher(&user);
    // The refresher holds the login's lock, its request held at the provider.
    let lock = user.path("home/.local/state/oauthcli/locks/local.lock");
    wait_until_held_by(&lock, refresher);
    // A caller for which 600 s are not enough must refresh: it waits for the lock.
    let caller = user.started(
        &["token", "--min-ttl", "1200", "-vv"],
        "oauthcli: waiting for another oauthcli process to release",
    );
    provider.signal("CONT");
    let run = caller.finish();
    wait_for_refresher(&user);

    assert_eq!(run.code, 0, "{}", run.stderr);
    let after = user.stored("local");
    assert_eq!(run.stdout.trim(), after["access_token"]);
    assert!(
        run.stderr
            .contains("another oauthcli process refreshed the token meanwhile")
    );
    assert_eq!(refreshes(&provider).len(), 1);
}

#[test]
fn a_refresher_that_finds_the_token_refreshed_meanwhile_refreshes_nothing() {
    let (provider, user, _) = in_last_quarter("refresh_ahead = true\n");
    provider.signal("STOP");
    // A caller for which 600 s are not enough refreshes, held at the provider, its lock held.
    let caller = user.started(
        &["token", "--min-ttl", "1200", "-v"],
        "oauthcli: refreshing at",
    );
    // Meanwhile a call that is content with 600 s starts a refresher, which waits for the lock.
    started_refresher(&user);
    provider.signal("CONT");
    let run = caller.finish();
    wait_for_refresher(&user);

    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(run.stdout.trim(), user.stored("local")["access_token"]);
    assert_eq!(refreshes(&provider).len(), 1);
}

#[test]
fn a_provider_that_is_down_is_not_asked_again_by_every_call() {
    let (mut provider, user, before) = in_last_quarter("refresh_ahead = true\n");
    provider.stop();
    let run = user.run(&["token", "-v"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(run.stdout.trim(), before["access_token"]);
    let started = run.stderr.trim();
    assert!(
        started.starts_with(
            "oauthcli: the token is in the last quarter of its life: refreshing it in the \
             background (process "
        ),
        "{started}"
    );
    wait_for_refresher(&user);
    // The refresh failed; the login is as it was, and the next calls start none for 30 s.
    assert_eq!(user.stored("local"), before);
    let run = user.run(&["token", "-vv"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(run.stdout.trim(), before["access_token"]);
    assert!(
        run.stderr
            .contains("a refresh ahead of the token's end runs, or started less than 30 s ago"),
        "{}",
        run.stderr
    );
    assert!(
        !run.stderr.contains("refreshing it in the background"),
        "{}",
        run.stderr
    );
}

#[test]
fn a_refused_refresh_ahead_says_when_the_token_ends_and_keeps_it() {
    let (provider, user, before) = in_last_quarter("refresh_ahead = true\n");
    provider.revoke("cli-public", before["refresh_token"].as_str().unwrap());
    assert_eq!(user.ok(&["token"]).trim(), before["access_token"]);
    wait_for_refresher(&user);

    let after = user.stored("local");
    assert_eq!(after["refresh_refused"], true);
    assert_eq!(after["access_token"], before["access_token"]);
    let run = user.run(&["token"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(run.stdout.trim(), before["access_token"]);
    let ends = rfc3339(before["expires_at"].as_i64().unwrap());
    assert_eq!(
        run.stderr,
        format!(
            "warning: the provider refused the refresh token of 'local': this token \
             works until {ends}; run 'oauthcli login local' before then\n"
        )
    );
}

#[test]
fn without_refresh_ahead_a_token_in_its_last_quarter_waits_for_its_end() {
    // A provider without a preset is not known to leave the old token valid at a refresh.
    let (provider, user, before) = in_last_quarter("");
    assert_eq!(user.ok(&["token"]).trim(), before["access_token"]);
    assert!(!ahead_lock(&user).exists());
    assert!(refreshes(&provider).is_empty());
    // The same with the key set to false.
    let (provider, user, before) = in_last_quarter("refresh_ahead = false\n");
    assert_eq!(user.ok(&["token"]).trim(), before["access_token"]);
    assert!(!ahead_lock(&user).exists());
    assert!(refreshes(&provider).is_empty());
}

#[test]
fn refresh_ahead_cannot_be_turned_on_where_a_refresh_ends_the_token() {
    let user = User::new();
    user.config("[providers.gitlab]\nclient_id = \"app\"\nrefresh_ahead = true\n");
    let run = user.run(&["login", "gitlab"]);
    run.failed(
        2,
        &format!(
            "error: invalid config file {}: providers.gitlab.refresh_ahead: this provider \
             ends the access token it handed out when it is refreshed, so a refresh ahead of \
             its end would cut off whoever is using it: remove the key\n",
            user.config.display()
        ),
    );
}

#[test]
fn an_id_token_in_its_last_quarter_is_refreshed_behind_too() {
    let (provider, user, _) = in_last_quarter("refresh_ahead = true\n");
    let now = now();
    let mut set = user.stored("local");
    set["expires_at"] = (now + 3000).into();
    set["id_token_issued_at"] = (now - 3000).into();
    set["id_token_expires_at"] = (now + 600).into();
    std::fs::write(user.token_file("local"), set.to_string()).unwrap();
    // The access token is not due: only the ID token's end starts the refresher.
    assert_eq!(user.ok(&["token"]).trim(), set["access_token"]);
    assert!(!ahead_lock(&user).exists());

    assert_eq!(user.ok(&["token", "--id-token"]).trim(), set["id_token"]);
    wait_for_refresher(&user);
    let after = user.stored("local");
    // The new ID token's times are stored (the token itself may be the same bytes: made in
    // the same second as the login's, it has the same claims).
    assert_ne!(after["access_token"], set["access_token"]);
    assert_eq!(
        after["id_token_expires_at"],
        after["id_token_issued_at"].as_i64().unwrap() + 3600
    );
    assert!(after["id_token_issued_at"].as_i64().unwrap() >= now - 60);
    assert_eq!(refreshes(&provider).len(), 1);
    assert_eq!(user.ok(&["token", "--id-token"]).trim(), after["id_token"]);
    assert_eq!(refreshes(&provider).len(), 1);
}

#[test]
fn a_script_reading_the_token_to_its_end_does_not_wait_for_the_refresh() {
    let (provider, user, before) = in_last_quarter("refresh_ahead = true\n");
    provider.signal("STOP");
    // The script gives oauthcli its output pipe twice, as stdout and as descriptor 9, as a
    // shell does with what a script opened; it reads until every writer has closed it.
    let mut script = user
        .tool("sh")
        .args(["-c", "\"$0\" token 9>&1", BIN])
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut out = script.stdout.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let mut all = String::new();
        std::io::Read::read_to_string(&mut out, &mut all).unwrap();
        let _ = tx.send(all);
    });
    // The refresher is held at the frozen provider: the end of the output must not wait for it.
    let got = rx.recv_timeout(std::time::Duration::from_secs(20));
    provider.signal("CONT");
    assert_eq!(
        got.expect("the output stayed open").trim(),
        before["access_token"]
    );
    assert!(script.wait().unwrap().success());
    wait_for_refresher(&user);
    assert_eq!(refreshes(&provider).len(), 1);
}

#[test]
fn a_login_in_the_keychain_is_refreshed_ahead_there() {
    let provider = Provider::start();
    let user = User::new();
    let name = unique("ahead");
    user.config(&openid_config(
        &name,
        &provider.issuer,
        "cli-public",
        "refresh_ahead = true\n",
    ));
    user.ok(&["login", &name, "--storage", "keyring"]);
    // Into the last quarter of its life, written where oauthcli keeps it, with secret-tool.
    let now = now();
    let mut set = keychain_entry(&name).unwrap();
    set["obtained_at"] = (now - 3000).into();
    set["expires_at"] = (now + 600).into();
    let stored = Command::new("secret-tool")
        .args([
            "store",
            "--label",
            &format!("oauthcli: {name}"),
            "service",
            "oauthcli",
        ])
        .args(["username", &name])
        .stdin(Stdio::piped())
        .spawn()
        .and_then(|mut c| {
            use std::io::Write;
            c.stdin
                .take()
                .unwrap()
                .write_all(set.to_string().as_bytes())?;
            c.wait()
        })
        .unwrap();
    assert!(stored.success());

    assert_eq!(user.ok(&["token", &name]).trim(), set["access_token"]);
    std::fs::File::open(user.path(&format!("home/.local/state/oauthcli/locks/{name}.ahead")))
        .unwrap()
        .lock()
        .unwrap();
    let after = keychain_entry(&name).unwrap();
    assert_ne!(after["access_token"], set["access_token"]);
    assert!(after["obtained_at"].as_i64().unwrap() >= now - 60);
    assert_eq!(refreshes(&provider).len(), 1);
    user.ok(&["logout", &name]);
}
