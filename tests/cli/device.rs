//! `login --device`, the device authorization grant (RFC 8628), against the real provider
//! (oidc-provider's device flow) with a stand-in phone (`tests/support/phone.py`) that reads
//! the code from oauthcli's stderr and enters it on the provider's own pages; the headless
//! choice; Ctrl-C while polling (SECURITY.md row 19). What a terminal shows is in
//! `device_terminal`.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

use crate::support::*;

fn phone() -> std::path::PathBuf {
    std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/support/phone.py")
}

/// The real provider, its device authorization responses carrying `interval` (seconds).
pub fn device_provider(interval: Option<u32>) -> Provider {
    let interval = interval.map(|i| i.to_string()).unwrap_or_default();
    Provider::spawn("server.mjs", &[("DEVICE_INTERVAL", &interval)])
}

/// Runs `oauthcli ARGS` with the phone reading its stderr (`PHONE_ACTION=action`); the run's
/// stderr is what the phone copied, and the phone's exit code comes with it.
pub fn with_phone(cmd: Command, action: &str) -> (Run, i32) {
    phone_reads(cmd, action, false)
}

/// As [`with_phone`]; with `stdout`, the phone reads the command's stdout instead (`script`
/// writes the terminal's output there).
pub fn phone_reads(mut cmd: Command, action: &str, stdout: bool) -> (Run, i32) {
    let mut login = cmd
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let read = match stdout {
        true => Stdio::from(login.stdout.take().unwrap()),
        false => Stdio::from(login.stderr.take().unwrap()),
    };
    let phone = Command::new(phone())
        .env("PHONE_ACTION", action)
        .stdin(read)
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let out = login.wait_with_output().unwrap();
    let seen = phone.wait_with_output().unwrap();
    let run = Run {
        code: out.status.code().expect("killed by a signal"),
        stdout: String::from_utf8(out.stdout).unwrap(),
        stderr: String::from_utf8(seen.stdout).unwrap(),
    };
    (run, seen.status.code().unwrap())
}

/// The device authorization request and the polls of the token endpoint, in order, with the
/// milliseconds from each to the next.
pub fn device_requests(provider: &Provider) -> (Vec<serde_json::Value>, Vec<i64>) {
    let requests: Vec<_> = provider
        .requests()
        .into_iter()
        .filter(|r| r["path"] == "/device/auth" || r["path"] == "/token")
        .collect();
    let at: Vec<i64> = requests.iter().map(|r| r["at"].as_i64().unwrap()).collect();
    let gaps = at.windows(2).map(|w| w[1] - w[0]).collect();
    (requests, gaps)
}

const EARLIER: &str = r#"{"issuer":"https://login.example.com","client_id":"cli-public","email":"earlier@example.com","subject":"earlier","access_token":"earlier-access","token_type":"Bearer","refresh_token":"earlier-refresh","expires_at":4102444800,"scopes":["openid"],"token_endpoint":"https://login.example.com/token","auth_method":"none"}"#;

/// An earlier login of `name` in the file store, as it must stay when a login fails.
pub fn earlier_login(user: &User, name: &str) -> String {
    let text = EARLIER.to_owned();
    let file = user.token_file(name);
    std::fs::create_dir_all(file.parent().unwrap()).unwrap();
    std::fs::write(&file, &text).unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o600)).unwrap();
    text
}

/// A user of `provider` as `local` (public client), `extra` lines in its table, tokens in
/// the file store.
pub fn device_user(provider: &Provider, extra: &str) -> User {
    let user = User::new();
    user.config(&format!(
        "storage = \"file\"\n{}",
        openid_config("local", &provider.issuer, "cli-public", extra)
    ));
    user
}

#[test]
fn device_login_with_a_phone_at_the_real_provider() {
    let provider = device_provider(Some(1));
    let user = device_user(&provider, "");
    let (run, phone) = with_phone(user.command(&["login", "local", "--device"]), "approve");
    assert_eq!(phone, 0, "{run:#?}");
    assert_eq!(run.code, 0, "{run:#?}");
    assert_eq!(run.stdout, "Logged in to local as alice@example.com\n");
    let iss = &provider.issuer;
    let code_line = run.stderr.lines().nth(6).unwrap().trim().to_owned();
    assert_eq!(
        run.stderr,
        format!(
            "To log in to 'local', open this page on any device (a phone will do):\n\n  \
             {iss}/device\n\nand enter this code:\n\n  {code_line}\n\n\
             Or open this address, which carries the code:\n\n  \
             {iss}/device?user_code={code_line}\n\n\
             This login is for client 'cli-public' at {iss}: approve it only if you started it \
             here.\n\nWaiting up to 600 s for the login to be approved (Ctrl-C to cancel)...\n"
        )
    );
    let (requests, gaps) = device_requests(&provider);
    assert_eq!(requests[0]["path"], "/device/auth");
    assert_eq!(requests[0]["form"]["client_id"], "cli-public");
    assert_eq!(requests[0]["form"]["scope"], "openid email offline_access");
    assert_eq!(
        requests
            .iter()
            .filter(|r| r["path"] == "/device/auth")
            .count(),
        1
    );
    for poll in &requests[1..] {
        assert_eq!(
            poll["form"]["grant_type"],
            "urn:ietf:params:oauth:grant-type:device_code"
        );
    }
    // RFC 8628 §3.5: never faster than the interval, the first poll included.
    assert!(gaps.iter().all(|g| *g >= 1000), "{gaps:?}");
    let stored = read_json(&user.token_file("local"));
    assert_eq!(stored["client_id"], "cli-public");
    assert_eq!(stored["email"], "alice@example.com");
    assert!(provider.is_active(stored["access_token"].as_str().unwrap()));
}

#[test]
fn without_an_interval_polls_wait_five_seconds() {
    // oidc-provider sends no `interval`: RFC 8628 §3.2's default of 5 s applies.
    let provider = device_provider(None);
    let user = device_user(&provider, "");
    let (run, _) = with_phone(user.command(&["login", "local", "--device"]), "approve");
    assert_eq!(run.code, 0, "{run:#?}");
    let (_, gaps) = device_requests(&provider);
    assert!(
        !gaps.is_empty() && gaps.iter().all(|g| *g >= 5000),
        "{gaps:?}"
    );
}

#[test]
fn a_headless_machine_uses_the_device_grant_when_the_config_allows_it() {
    let provider = device_provider(Some(1));
    let user = device_user(&provider, "device = true\n");
    let mut cmd = user.command(&["login", "local"]);
    cmd.env_remove("BROWSER")
        .env("SSH_CONNECTION", "192.0.2.1 50000 192.0.2.2 22");
    let (run, phone) = with_phone(cmd, "approve");
    assert_eq!((run.code, phone), (0, 0), "{run:#?}");
    assert_eq!(run.stdout, "Logged in to local as alice@example.com\n");
    assert!(
        run.stderr.starts_with(
            "this is an SSH session: not opening a browser here; logging in with a code to enter \
             on any device, as the provider's config allows (device = true; --browser opens one \
             here all the same)\nTo log in to 'local', open this page on any device"
        ),
        "{}",
        run.stderr
    );
    assert!(provider.requests_to("/auth").is_empty());
    assert_eq!(provider.requests_to("/device/auth").len(), 1);
}

#[test]
fn a_headless_machine_without_a_device_endpoint_says_why_and_what_to_change() {
    // The config alone tells (endpoints by hand), and discovery tells (the hostile provider,
    // when it behaves, publishes no device endpoint).
    let provider = Provider::hostile("none", &[]);
    let by_hand = "[providers.legacy]\nauthorization_endpoint = \"http://127.0.0.1:9/authorize\"\n\
                   token_endpoint = \"http://127.0.0.1:9/token\"\nclient_id = \"c\"\n\
                   device = true\n"
        .to_owned();
    let discovered = format!(
        "storage = \"file\"\n{}",
        openid_config("legacy", &provider.issuer, "cli-public", "device = true\n")
    );
    for config in [by_hand, discovered] {
        let user = User::new();
        user.config(&config);
        let mut cmd = user.command(&["login", "legacy"]);
        cmd.env_remove("BROWSER")
            .env("SSH_CONNECTION", "192.0.2.1 50000 192.0.2.2 22");
        let run: Run = cmd.output().unwrap().into();
        assert_eq!(run.code, 2, "{run:#?}");
        // First why the device grant was chosen, then why it cannot be used, with no word of
        // a --device that nobody typed.
        assert_eq!(
            run.stderr,
            format!(
                "this is an SSH session: not opening a browser here; logging in with a code to \
                 enter on any device, as the provider's config allows (device = true; --browser \
                 opens one here all the same)\nerror: provider 'legacy' has no device \
                 authorization endpoint, yet its config says device = true, which a machine that \
                 can show no browser uses: set device_authorization_endpoint under \
                 [providers.legacy] in {} (or device = false there), or log in to 'legacy' with \
                 --no-browser (or --browser)\n",
                user.config.display()
            )
        );
    }
    assert!(provider.requests_to("/device/auth").is_empty());
}

#[test]
fn a_refused_device_login_stores_nothing() {
    let provider = device_provider(Some(1));
    let user = device_user(&provider, "");
    let earlier = earlier_login(&user, "local");
    let (run, phone) = with_phone(user.command(&["login", "local", "--device"]), "deny");
    assert_eq!(phone, 0, "{run:#?}");
    assert_eq!(run.code, 1, "{run:#?}");
    assert_eq!(run.stdout, "");
    assert!(
        run.stderr.ends_with(&format!(
            "error: the login was refused at the provider ({}/token answered `access_denied`: \
             End-User aborted interaction); nothing was stored\n",
            provider.issuer
        )),
        "{}",
        run.stderr
    );
    assert_eq!(
        std::fs::read_to_string(user.token_file("local")).unwrap(),
        earlier
    );
}

#[test]
fn ctrl_c_while_polling_exits_130_and_stores_nothing() {
    let provider = device_provider(Some(1));
    let user = device_user(&provider, "");
    let earlier = earlier_login(&user, "local");
    let mut child = user
        .command(&["login", "local", "--device"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stderr = BufReader::new(child.stderr.take().unwrap());
    let mut seen = String::new();
    // The ready signal: the line printed right before polling starts.
    while !seen.contains("\nWaiting up to ") {
        assert!(stderr.read_line(&mut seen).unwrap() > 0, "{seen}");
    }
    let ok = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap()
        .success();
    assert!(ok);
    let mut rest = String::new();
    std::io::Read::read_to_string(&mut stderr, &mut rest).unwrap();
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(130), "{seen}{rest}");
    assert_eq!(rest, "error: interrupted; nothing was stored\n");
    assert_eq!(
        std::fs::read_to_string(user.token_file("local")).unwrap(),
        earlier
    );
}

#[test]
fn a_provider_without_a_device_endpoint_is_a_config_error() {
    // A device login to `name` with no keychain in reach: the error is the configuration's.
    let refused = |user: &User, name: &str, more: &[&str]| {
        let mut cmd = user.command(&[&["login", name, "--device"], more].concat());
        cmd.env("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent");
        let run: Run = cmd.output().unwrap().into();
        assert_eq!(run.code, 2, "{run:#?}");
        assert_eq!(
            run.stderr,
            format!(
                "error: provider '{name}' has no device authorization endpoint, so --device cannot \
                 be used: set device_authorization_endpoint under [providers.{name}] in {}, or log \
                 in without --device\n",
                user.config.display()
            )
        );
    };
    // The config alone tells: nothing is asked of the provider or the keychain.
    let user = User::new();
    user.config(
        "[providers.legacy]\nauthorization_endpoint = \"http://127.0.0.1:9/authorize\"\n\
         token_endpoint = \"http://127.0.0.1:9/token\"\nclient_id = \"c\"\n",
    );
    refused(&user, "legacy", &[]);
    // Discovery tells (the hostile provider, when it behaves, publishes none), and it is found
    // before the store or the lock file is touched.
    let provider = Provider::hostile("none", &[]);
    let user = device_user(&provider, "");
    refused(&user, "local", &["--storage", "keyring"]);
    refused(&user, "local", &["--storage", "file"]);
    assert!(provider.requests_to("/device/auth").is_empty());
    // No lock file, no state, no token directory.
    assert!(!user.path("home/.local/state").exists());
    assert!(!user.path("home/.local/share").exists());
}

#[test]
fn a_device_client_of_its_own_is_stored_and_refreshes_with_its_secret() {
    let provider = device_provider(Some(1));
    let mut user = device_user(&provider, "device_client_id = \"cli-basic\"\n");
    user.env("OAUTHCLI_LOCAL_DEVICE_CLIENT_SECRET", "basic-secret");
    let (run, _) = with_phone(user.command(&["login", "local", "--device"]), "approve");
    assert_eq!(run.code, 0, "{run:#?}");
    assert!(
        run.stderr
            .contains("This login is for client 'cli-basic' at ")
    );
    let auth = &provider.requests_to("/device/auth")[0];
    assert_eq!(auth["client_id"], "cli-basic");
    assert_eq!(auth["authorization"], "Basic");
    let stored = read_json(&user.token_file("local"));
    assert_eq!(stored["client_id"], "cli-basic");
    // The stored login belongs to the configured provider (its device client), and a
    // refresh authenticates as that client, with its secret.
    let before = provider.requests_to("/token").len();
    let token = user.ok(&["token", "local", "--min-ttl", "999999"]);
    assert_ne!(token.trim(), stored["access_token"].as_str().unwrap());
    let refresh = &provider.requests_to("/token")[before];
    assert_eq!(refresh["form"]["grant_type"], "refresh_token");
    assert_eq!(refresh["client_id"], "cli-basic");
    assert_eq!(refresh["authorization"], "Basic");
}
