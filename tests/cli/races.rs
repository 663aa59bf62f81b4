//! Things that happen at the same moment: two logins to different providers finishing at
//! once must both be recorded (SECURITY.md #22); a Ctrl-C that comes with the browser's
//! answer or a pasted line, in the same turn of the listener, still means exit 130 and
//! nothing stored (SECURITY.md row 9).

use std::io::{BufRead, BufReader, Write};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;

use crate::support::*;

/// Starts `oauthcli login NAME --no-browser -vv` and sends every stderr line, with the name,
/// to `lines`; `None` once stderr closes. The test browser is started on the URL the login
/// prints, its own output kept apart (so that no line of the login's is broken by it).
fn login(
    user: &User,
    name: &'static str,
    lines: mpsc::Sender<(&'static str, Option<String>)>,
) -> Child {
    let mut child = user
        .command(&["login", name, "--no-browser", "-vv"])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stderr = BufReader::new(child.stderr.take().unwrap());
    let browser = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/support/browser.py");
    std::thread::spawn(move || {
        for line in stderr.lines() {
            let line = line.unwrap();
            if line.contains("redirect_uri=") {
                let (browser, url) = (browser.clone(), line.trim().to_owned());
                std::thread::spawn(move || {
                    Command::new(browser)
                        .arg(url)
                        .stderr(Stdio::null())
                        .status()
                });
            }
            let _ = lines.send((name, Some(line)));
        }
        let _ = lines.send((name, None));
    });
    child
}

#[test]
fn two_logins_finishing_at_once_are_both_recorded() {
    // The provider answers both code exchanges together, once both have arrived.
    let provider = Provider::with(ProviderOptions {
        hold_code_exchanges: 2,
        ..Default::default()
    });
    let user = User::new();
    user.config(&format!(
        "storage = \"file\"\n{}{}",
        openid_config("a", &provider.issuer, "cli-public", ""),
        openid_config("b", &provider.issuer, "cli-public", "")
    ));
    // The test holds the state lock, as a third oauthcli process updating the state would,
    // so both logins reach their state update while the other is there too.
    let dir = user.path("home/.local/state/oauthcli");
    std::fs::create_dir_all(&dir).unwrap();
    let state_lock = std::fs::File::create(dir.join("state.lock")).unwrap();
    state_lock.lock().unwrap();

    let (tx, rx) = mpsc::channel();
    let children = [login(&user, "a", tx.clone()), login(&user, "b", tx)];
    // The ready signal: each login says it waits for the state lock.
    let waiting = format!(
        "oauthcli: waiting for another oauthcli process to release {}",
        dir.join("state.lock").display()
    );
    let mut stderr = [String::new(), String::new()];
    let mut ready = [false, false];
    while ready != [true, true] {
        let (name, line) = rx.recv().unwrap();
        let i = usize::from(name == "b");
        match line {
            Some(line) => {
                ready[i] |= line == waiting;
                stderr[i] += &format!("{line}\n");
            }
            None => panic!("login {name} ended without waiting for the state lock:\n{stderr:#?}"),
        }
    }
    assert_eq!(provider.requests_to("/token").len(), 2);
    drop(state_lock);

    for mut child in children {
        assert!(child.wait().unwrap().success(), "{stderr:#?}");
    }
    let state = read_json(&dir.join("state.json"));
    let mut recorded: Vec<&String> = state["logins"].as_object().unwrap().keys().collect();
    recorded.sort();
    assert_eq!(recorded, ["a", "b"], "{state}");
    let status = user.ok(&["status", "--json"]);
    let status: serde_json::Value = serde_json::from_str(&status).unwrap();
    let providers: Vec<&str> = status
        .as_array()
        .unwrap()
        .iter()
        .map(|row| row["provider"].as_str().unwrap())
        .collect();
    assert_eq!(providers, ["a", "b"]);
    // Both are found again by a logout of everything, which leaves no token file behind.
    let out = user.ok(&["logout", "--all"]);
    assert_eq!(out.lines().count(), 2, "{out}");
    assert!(!user.token_file("a").exists());
    assert!(!user.token_file("b").exists());
}

/// A Ctrl-C that came while the login was frozen, with an answer: exit 130, nothing stored.
fn interrupted_with_an_answer(login: PendingLogin, user: &User) {
    let run = login.finish();
    assert_eq!(run.code, 130, "{run:#?}");
    assert_eq!(run.stdout, "");
    assert!(
        run.stderr
            .ends_with("\nerror: interrupted; nothing was stored\n"),
        "{}",
        run.stderr
    );
    assert!(!user.token_file("local").exists());
    assert!(!user.path("home/.local/state/oauthcli/state.json").exists());
}

#[test]
fn ctrl_c_with_the_callback_exits_130_and_stores_nothing() {
    let provider = Provider::start();
    let user = file_user(&provider);
    let mut login = user.start_login(&["-vv"]);
    let url = login.browse_elsewhere(&user, &[]);
    let target = url.split_once(&format!(":{}", login.port)).unwrap().1;
    // The browser's connection is taken in first, so that its request is read in the very
    // turn of the listener that Ctrl-C comes in.
    let mut conn = login.connect();
    login.stderr_until("listener: accepted a connection");
    login.signal("STOP");
    conn.write_all(
        format!(
            "GET {target} HTTP/1.1\r\nHost: 127.0.0.1:{}\r\n\r\n",
            login.port
        )
        .as_bytes(),
    )
    .unwrap();
    login.signal("INT");
    login.signal("CONT");
    interrupted_with_an_answer(login, &user);
    // The code was never exchanged.
    assert!(provider.requests_to("/token").is_empty());
}

#[test]
fn ctrl_c_with_a_pasted_line_exits_130_and_stores_nothing() {
    let provider = Provider::start();
    let user = file_user(&provider);
    let mut login = user.start_login(&[]);
    let url = login.browse_elsewhere(&user, &[]);
    login.signal("STOP");
    login.paste(&url);
    login.signal("INT");
    login.signal("CONT");
    interrupted_with_an_answer(login, &user);
    assert!(provider.requests_to("/token").is_empty());
}
