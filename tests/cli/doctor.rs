//! `doctor`: the built binary checking real parts: the real provider, the real keychain,
//! the real git; healthy (exit 0, every line), and broken in one way at a time, each named
//! with its fix (exit 1).

use serde_json::Value;

use crate::support::*;

/// A user whose kubeconfig is known to be absent, whatever the test runner's is.
fn user() -> User {
    let mut user = User::new();
    let kube = user.path("no-kubeconfig");
    user.env("KUBECONFIG", kube.to_str().unwrap());
    user.env(
        "GIT_CONFIG_GLOBAL",
        user.path("gitconfig").to_str().unwrap(),
    );
    user.env("GIT_CONFIG_NOSYSTEM", "1");
    user
}

const KEYCHAIN_OK: &str =
    "ok    keychain: reachable and unlocked: a probe item was written, read back and deleted";
const BROWSER_OK: &str = "ok    browser: login opens $BROWSER";
const LOOPBACK_OK: &str = "ok    loopback: 127.0.0.1 can listen on a free port";
const GIT_UNUSED: &str = "ok    git: git does not use oauthcli (no provider has git_hosts)";
const KUBECTL_UNUSED: &str = "ok    kubectl: kubectl does not use oauthcli (no kubeconfig runs 'oauthcli kubectl-credential')";
const FILES: &str =
    "ok    keychain: not used: tokens are kept in private files (storage = \"file\")";

fn lines(text: &str) -> Vec<&str> {
    text.lines().collect()
}

#[test]
fn healthy_with_the_keychain_and_a_login() {
    let provider = Provider::start();
    let user = user();
    let name = unique("doc");
    user.config(&openid_config(&name, &provider.issuer, "cli-public", ""));
    user.ok(&["login", &name]);
    let expires = keychain_entry(&name).unwrap()["expires_at"]
        .as_i64()
        .unwrap();
    let before = provider.requests().len();

    let doctor = user
        .command(&["doctor"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let probe = format!("oauthcli-doctor-probe-{}", doctor.id());
    let r: Run = doctor.wait_with_output().unwrap().into();
    assert_eq!(r.code, 0, "{r:#?}");
    let issuer = &provider.issuer;
    let config = user.config.display();
    assert_eq!(
        lines(&r.stdout),
        [
            format!("ok    config: {config} is valid (1 provider)").as_str(),
            KEYCHAIN_OK,
            BROWSER_OK,
            LOOPBACK_OK,
            &format!(
                "ok    discovery ({name}): {issuer} publishes its endpoints and keys under its own issuer"
            ),
            &format!("ok    clock ({name}): within 60 s of {issuer}'s"),
            &format!(
                "ok    login ({name}): alice@example.com: valid until {}, then refreshed",
                oauthcli::token::rfc3339(expires)
            ),
            GIT_UNUSED,
            KUBECTL_UNUSED,
        ]
    );
    assert_eq!(r.stderr, "Nothing needs fixing.\n");
    // The probe is gone, the login untouched, and the provider saw discovery only.
    assert_eq!(keychain_entry(&probe), None);
    let locks = user.path("home/.local/state/oauthcli/locks");
    assert!(!locks.join(format!("{probe}.lock")).exists());
    assert_eq!(
        keychain_entry(&name).unwrap()["expires_at"].as_i64(),
        Some(expires)
    );
    let paths: Vec<Value> = provider.requests()[before..]
        .iter()
        .map(|r| r["path"].clone())
        .collect();
    assert!(
        paths
            .iter()
            .all(|p| p == "/.well-known/openid-configuration" || p == "/jwks"),
        "{paths:?}"
    );
}

#[test]
fn no_keychain_is_named_with_its_fix() {
    let provider = Provider::start();
    let user = user();
    user.config(&openid_config("local", &provider.issuer, "cli-public", ""));
    let mut cmd = user.command(&["doctor"]);
    cmd.env_remove("DBUS_SESSION_BUS_ADDRESS");
    let r: Run = cmd.output().unwrap().into();
    assert_eq!(r.code, 1, "{r:#?}");
    let out = lines(&r.stdout);
    assert!(
        out[1].starts_with(
            "FAIL  keychain: the OS keychain cannot be reached. Start a Secret Service \
             (gnome-keyring, KeePassXC) and unlock it (README, \"Storage\"), or keep tokens in a \
             private file with --storage file: cannot connect to the D-Bus session bus at "
        ),
        "{out:?}"
    );
    assert_eq!(
        out[2],
        "      fix: start a Secret Service (gnome-keyring, KeePassXC) in this session, or keep \
         tokens in private files: storage = \"file\" in the config"
    );
    assert_eq!(out[3..5], [BROWSER_OK, LOOPBACK_OK]);
    assert_eq!(
        r.stderr,
        "error: 1 of 8 checks found something to fix: each says how\n"
    );
}

#[test]
fn provider_down_is_named_with_its_fix() {
    let mut provider = Provider::start();
    let user = user();
    user.config(&local_file_config(&provider, ""));
    let issuer = provider.issuer.clone();
    provider.stop();
    let r = user.run(&["doctor"]);
    assert_eq!(r.code, 1, "{r:#?}");
    let out = lines(&r.stdout);
    assert_eq!(out[1..4], [FILES, BROWSER_OK, LOOPBACK_OK]);
    assert!(
        out[4].starts_with(&format!(
            "FAIL  discovery (local): {issuer}/.well-known/openid-configuration cannot be reached: "
        )),
        "{out:?}"
    );
    assert_eq!(
        out[5],
        format!(
            "      fix: check that the provider is up and that issuer = \"{issuer}\" under \
             [providers.local] in {} is its issuer",
            user.config.display()
        )
    );
    assert_eq!(out[6..], [GIT_UNUSED, KUBECTL_UNUSED]);
}

#[test]
fn broken_config_is_named_with_its_fix_and_the_machine_still_checked() {
    let user = user();
    user.config("[providers.local\nissuer = 1\n");
    let r = user.run(&["doctor"]);
    assert_eq!(r.code, 1, "{r:#?}");
    let out = lines(&r.stdout);
    let config = user.config.display();
    assert_eq!(
        out[0],
        format!("FAIL  config: invalid config file {config}, line 1: unclosed table, expected `]`")
    );
    let fix = format!(
        "      fix: correct {config} as the message says (README, \"Configuration\"), then run \
         'oauthcli doctor' again"
    );
    let at = out.iter().position(|l| *l == fix).expect("the fix line");
    assert_eq!(
        out[at + 1..],
        [
            KEYCHAIN_OK,
            BROWSER_OK,
            LOOPBACK_OK,
            GIT_UNUSED,
            KUBECTL_UNUSED
        ]
    );
    // Nothing was changed: the broken file is the user's to correct.
    assert_eq!(
        std::fs::read_to_string(&user.config).unwrap(),
        "[providers.local\nissuer = 1\n"
    );
}

#[test]
fn a_login_that_cannot_be_refreshed_is_named_with_its_fix() {
    let provider = Provider::with(ProviderOptions {
        access_token_ttl: 120,
        ..ProviderOptions::default()
    });
    let user = user();
    user.config(&local_file_config(
        &provider,
        "scopes = [\"openid\", \"email\"]\n",
    ));
    user.ok(&["login"]);
    let expires = user.stored("local")["expires_at"].as_i64().unwrap();
    assert!(
        user.stored("local")
            .get("refresh_token")
            .is_none_or(Value::is_null)
    );
    let r = user.run(&["doctor", "local"]);
    assert_eq!(r.code, 1, "{r:#?}");
    let out = lines(&r.stdout);
    assert_eq!(
        out[6..8],
        [
            format!(
                "warn  login (local): alice@example.com: expires at {} and cannot be refreshed (no refresh token)",
                oauthcli::token::rfc3339(expires)
            )
            .as_str(),
            "      fix: oauthcli login local",
        ]
    );
}

#[test]
fn git_set_up_and_not() {
    let provider = Provider::start();
    let user = user();
    user.config(&local_file_config(
        &provider,
        "git_hosts = [\"git.example.com\"]\n",
    ));
    user.ok(&["login"]);
    let r = user.run(&["doctor"]);
    assert_eq!(r.code, 1, "{r:#?}");
    let out = lines(&r.stdout);
    assert_eq!(
        out[out.len() - 3..],
        [
            "warn  git: git does not ask oauthcli for https://git.example.com",
            "      fix: oauthcli setup-git local",
            KUBECTL_UNUSED,
        ]
    );
    user.ok(&["setup-git"]);
    let r = user.run(&["doctor"]);
    assert_eq!(r.code, 0, "{r:#?}");
    let out = lines(&r.stdout);
    assert_eq!(
        out[out.len() - 2],
        "ok    git: git asks oauthcli for https://git.example.com"
    );
}

#[test]
fn json_has_the_same_checks() {
    let provider = Provider::start();
    let user = user();
    user.config(&local_file_config(&provider, ""));
    user.ok(&["login"]);
    let text = user.run(&["doctor"]);
    let json = user.run(&["doctor", "--json"]);
    assert_eq!((text.code, json.code), (0, 0), "{json:#?}");
    let doc: Value = serde_json::from_str(&json.stdout).unwrap();
    let checks = doc.as_array().unwrap();
    let names: Vec<&str> = checks.iter().map(|c| c["name"].as_str().unwrap()).collect();
    assert_eq!(
        names,
        [
            "config",
            "keychain",
            "browser",
            "loopback",
            "discovery (local)",
            "clock (local)",
            "login (local)",
            "git",
            "kubectl"
        ]
    );
    for (check, line) in checks.iter().zip(text.stdout.lines()) {
        assert_eq!(check["status"], "ok");
        assert_eq!(check["fix"], Value::Null);
        assert_eq!(
            line,
            format!(
                "ok    {}: {}",
                check["name"].as_str().unwrap(),
                check["detail"].as_str().unwrap()
            )
        );
    }
    // A problem carries its status and fix in JSON too.
    std::fs::write(&user.config, "storage = ").unwrap();
    let broken = user.run(&["doctor", "--json"]);
    assert_eq!(broken.code, 1);
    let doc: Value = serde_json::from_str(&broken.stdout).unwrap();
    assert_eq!(doc[0]["name"], "config");
    assert_eq!(doc[0]["status"], "fail");
    assert!(doc[0]["fix"].as_str().unwrap().starts_with("correct "));
}

#[test]
fn output_holds_no_token() {
    let provider = Provider::start();
    let user = user();
    user.config(&local_file_config(&provider, ""));
    user.ok(&["login"]);
    let stored = user.stored("local");
    let secrets: Vec<&str> = ["access_token", "refresh_token", "id_token"]
        .iter()
        .map(|k| stored[*k].as_str().unwrap())
        .collect();
    for args in [&["doctor", "-vv"][..], &["doctor", "--json", "-vv"]] {
        let r = user.run(args);
        assert_eq!(r.code, 0, "{r:#?}");
        for secret in &secrets {
            assert!(!r.stdout.contains(secret), "{args:?} printed a token");
            assert!(!r.stderr.contains(secret), "{args:?} printed a token");
        }
    }
}

#[test]
fn kubectl_set_up_is_seen() {
    let mut user = user();
    user.config("storage = \"file\"\n");
    let kube = user.path("kubeconfig");
    std::fs::write(
        &kube,
        "apiVersion: v1\nkind: Config\nusers:\n- name: me\n  user:\n    exec:\n      \
         apiVersion: client.authentication.k8s.io/v1\n      command: oauthcli\n      \
         args: [kubectl-credential, work]\n",
    )
    .unwrap();
    user.env("KUBECONFIG", kube.to_str().unwrap());
    let r = user.run(&["doctor"]);
    assert_eq!(r.code, 0, "{r:#?}");
    assert_eq!(
        r.stdout.lines().last().unwrap(),
        format!(
            "ok    kubectl: {} runs oauthcli kubectl-credential",
            kube.display()
        )
    );
}
