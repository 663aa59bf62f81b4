//! `scripts/demo`, the README's first command, run as a newcomer runs it, with the test
//! browser as `$BROWSER`: the whole main job against the bundled provider, and nothing left
//! behind.

use std::process::Command;

use crate::support::*;

#[test]
fn the_demo_logs_in_and_out_and_leaves_nothing_behind() {
    let user = User::new();
    let home = user.path("home");
    let tmp = user.path("tmp");
    std::fs::create_dir_all(&home).unwrap();
    std::fs::create_dir_all(&tmp).unwrap();
    let out = Command::new(concat!(env!("CARGO_MANIFEST_DIR"), "/scripts/demo"))
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap())
        .env("HOME", &home)
        .env("TMPDIR", &tmp)
        .env("OAUTHCLI_BIN", BIN)
        .env(
            "BROWSER",
            concat!(env!("CARGO_MANIFEST_DIR"), "/tests/support/browser.py"),
        )
        .env("BROWSER_LOGIN", "newcomer")
        .output()
        .unwrap();
    let stdout = String::from_utf8(out.stdout).unwrap();
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert_eq!(out.status.code(), Some(0), "{stdout}\n{stderr}");
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), 6, "{stdout}");
    assert_eq!(lines[0], "Logged in to demo as newcomer@example.com");
    assert_eq!(lines[1], "newcomer@example.com");
    // The token is shown cut short: its first 12 characters and its length.
    let (shown, len) = lines[2].split_once("...(").unwrap();
    assert_eq!(shown.len(), 12, "{stdout}");
    assert_eq!(len, "43 characters)");
    assert_eq!(
        lines[3],
        "PROVIDER  EMAIL                 ACTIVE  EXPIRES               REFRESH  STORAGE"
    );
    assert!(
        lines[4].starts_with("demo      newcomer@example.com  *       "),
        "{stdout}"
    );
    assert!(lines[4].ends_with("  yes      file"), "{stdout}");
    assert_eq!(lines[5], "Logged out of demo (newcomer@example.com)");
    for command in [
        "login demo",
        "whoami demo",
        "token demo",
        "status",
        "logout demo",
    ] {
        assert!(
            stderr.contains(&format!("\n$ oauthcli {command}\n")),
            "{command}: {stderr}"
        );
    }
    // Nothing in the user's home, and the throwaway directory is gone.
    assert_eq!(std::fs::read_dir(&home).unwrap().count(), 0);
    let left: Vec<_> = std::fs::read_dir(&tmp).unwrap().collect();
    assert!(left.is_empty(), "{left:?}");
}
