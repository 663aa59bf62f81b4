//! The process that holds the tokens is not dumpable (SECURITY.md row 25): no core dump, and
//! other processes of the same user cannot read its memory or environment through /proc.

use std::os::unix::fs::MetadataExt;
use std::process::Command;

use crate::support::*;

/// `nobody`, whom the login runs as: the tests run as root, and a root process's /proc files
/// are root's whether it is dumpable or not.
const NOBODY: u32 = 65534;

#[test]
fn a_login_waiting_for_the_browser_is_not_dumpable() {
    let user = User::new();
    user.config(
        "storage = \"file\"\n[providers.legacy]\n\
         authorization_endpoint = \"http://127.0.0.1:9/authorize\"\n\
         token_endpoint = \"http://127.0.0.1:9/token\"\n\
         userinfo_endpoint = \"http://127.0.0.1:9/me\"\nclient_id = \"x\"\n",
    );
    std::fs::create_dir_all(user.path("home")).unwrap();
    let chown = Command::new("chown")
        .args(["-R", &format!("{NOBODY}:{NOBODY}")])
        .arg(user.dir.path())
        .status()
        .unwrap();
    assert!(chown.success());
    // The same command as the user's, run as nobody by setpriv (which execs it: same pid).
    let as_user = user.command(&["login", "legacy", "--no-browser"]);
    let mut cmd = Command::new("setpriv");
    cmd.args([
        &format!("--reuid={NOBODY}"),
        &format!("--regid={NOBODY}"),
        "--clear-groups",
        BIN,
        "login",
        "legacy",
        "--no-browser",
    ]);
    for (key, value) in as_user.get_envs() {
        match value {
            Some(v) => cmd.env(key, v),
            None => cmd.env_remove(key),
        };
    }
    let login = user.start(cmd);
    // The kernel makes the /proc files of a non-dumpable process root's (proc(5)).
    let pid = login.pid();
    for file in ["environ", "mem"] {
        let meta = std::fs::metadata(format!("/proc/{pid}/{file}")).unwrap();
        assert_eq!(
            meta.uid(),
            0,
            "/proc/{pid}/{file} belongs to uid {}",
            meta.uid()
        );
    }
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    let uid_line = status.lines().find(|l| l.starts_with("Uid:")).unwrap();
    assert!(uid_line.contains(&NOBODY.to_string()), "{uid_line}");
    login.signal("INT");
    assert_eq!(login.finish().code, 130);
}
