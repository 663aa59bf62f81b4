//! Processes that change the same state at the same moment: two logins to different providers
//! finishing at once must both be recorded (SECURITY.md #22).

use std::io::{BufRead, BufReader};
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
