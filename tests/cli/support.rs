//! Test support: the real OpenID provider (`tests/provider`), a private home for each test,
//! the built binary run as a user runs it, and independent looks at what it stored.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};

use serde_json::Value;

mod dot;
mod pending;
pub use dot::{DOT_CLIENT, DOT_EMAIL, DOT_PASSWORD, DotOptions};
pub use pending::PendingLogin;

pub const BIN: &str = env!("CARGO_BIN_EXE_oauthcli");

pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A running provider (`oidc-provider`, the hostile one, or Django OAuth Toolkit), killed on
/// drop.
pub struct Provider {
    child: Child,
    pub issuer: String,
    log: PathBuf,
    _dir: tempfile::TempDir,
}

/// Settings of the provider process.
#[derive(Clone, Copy)]
pub struct ProviderOptions {
    pub access_token_ttl: u32,
    pub rotate_refresh: bool,
    /// Code exchanges held until this many have arrived, then answered together (0: none).
    pub hold_code_exchanges: u32,
}

impl Default for ProviderOptions {
    fn default() -> Self {
        ProviderOptions {
            access_token_ttl: 3600,
            rotate_refresh: true,
            hold_code_exchanges: 0,
        }
    }
}

impl Provider {
    pub fn start() -> Provider {
        Provider::with(ProviderOptions::default())
    }

    pub fn with(opts: ProviderOptions) -> Provider {
        let ttl = opts.access_token_ttl.to_string();
        let rotate = if opts.rotate_refresh { "1" } else { "0" };
        let hold = opts.hold_code_exchanges.to_string();
        Provider::spawn(
            "server.mjs",
            &[
                ("ACCESS_TOKEN_TTL", &ttl),
                ("ROTATE_REFRESH", rotate),
                ("HOLD_CODE_EXCHANGES", &hold),
            ],
        )
    }

    /// The hostile provider (`tests/provider/hostile.mjs`) misbehaving in one way (`mode`,
    /// `none` for a correct one), with more of its settings in `env`.
    pub fn hostile(mode: &str, env: &[(&str, &str)]) -> Provider {
        let mut all = vec![("MISBEHAVE", mode)];
        all.extend_from_slice(env);
        Provider::spawn("hostile.mjs", &all)
    }

    pub fn spawn(script: &str, env: &[(&str, &str)]) -> Provider {
        let mut node = Command::new("node");
        node.arg(repo().join("tests/provider").join(script))
            .envs(env.iter().copied());
        Provider::launch(
            node,
            tempfile::tempdir().unwrap(),
            "node must be installed: run the tests through tests/run",
            "did tests/run do `npm ci`?",
        )
    }

    /// Starts a provider process that logs its requests to `$REQUEST_LOG` and prints
    /// `READY ISSUER` once it listens; `dir` is its own and goes with it. `missing` says what
    /// to do when the program cannot be started, `hint` when it does not get ready.
    fn launch(mut cmd: Command, dir: tempfile::TempDir, missing: &str, hint: &str) -> Provider {
        let log = dir.path().join("requests.jsonl");
        let stderr = std::fs::File::create(dir.path().join("stderr")).unwrap();
        let mut child = cmd
            .env("REQUEST_LOG", &log)
            .stdout(Stdio::piped())
            .stderr(stderr)
            .spawn()
            .expect(missing);
        // The ready signal: the server prints its issuer once it listens.
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let issuer = match line.trim().strip_prefix("READY ") {
            Some(i) => i.to_owned(),
            None => {
                let _ = child.kill();
                let err = std::fs::read_to_string(dir.path().join("stderr")).unwrap_or_default();
                panic!("the provider did not start ({hint}): {line}\n{err}");
            }
        };
        Provider {
            child,
            issuer,
            log,
            _dir: dir,
        }
    }

    /// Every request the provider saw, in order, as logged by server.mjs (DOT: requestlog.py).
    pub fn requests(&self) -> Vec<Value> {
        std::fs::read_to_string(&self.log)
            .unwrap_or_default()
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect()
    }

    /// `METHOD PATH` of each request the provider saw from the `from`th on, in order.
    pub fn seen(&self, from: usize) -> Vec<String> {
        self.requests()[from..]
            .iter()
            .map(|r| {
                format!(
                    "{} {}",
                    r["method"].as_str().unwrap(),
                    r["path"].as_str().unwrap()
                )
            })
            .collect()
    }

    /// The requests to one path.
    pub fn requests_to(&self, path: &str) -> Vec<Value> {
        self.requests()
            .into_iter()
            .filter(|r| r["path"] == path)
            .collect()
    }

    /// The `grant_type` of every token request, in order.
    pub fn grants(&self) -> Vec<String> {
        self.requests_to("/token")
            .iter()
            .map(|r| r["form"]["grant_type"].as_str().unwrap().to_owned())
            .collect()
    }

    /// Introspects a token as the `introspector` client (RFC 7662): is it active?
    pub fn is_active(&self, token: &str) -> bool {
        let text = reqwest::blocking::Client::new()
            .post(format!("{}/token/introspection", self.issuer))
            .basic_auth("introspector", Some("introspector-secret"))
            .form(&[("token", token)])
            .send()
            .unwrap()
            .text()
            .unwrap();
        let resp: Value = serde_json::from_str(&text).unwrap();
        resp["active"].as_bool().unwrap()
    }

    /// The email the userinfo endpoint gives for an access token, or the HTTP status.
    pub fn userinfo_email(&self, access_token: &str) -> Result<String, u16> {
        let resp = reqwest::blocking::Client::new()
            .get(format!("{}/me", self.issuer))
            .bearer_auth(access_token)
            .send()
            .unwrap();
        if !resp.status().is_success() {
            return Err(resp.status().as_u16());
        }
        let v: Value = serde_json::from_str(&resp.text().unwrap()).unwrap();
        Ok(v["email"].as_str().unwrap().to_owned())
    }

    /// Revokes a token behind the CLI's back, as the user could in the provider's UI.
    pub fn revoke(&self, client_id: &str, token: &str) {
        let status = reqwest::blocking::Client::new()
            .post(format!("{}/token/revocation", self.issuer))
            .form(&[("token", token), ("client_id", client_id)])
            .send()
            .unwrap()
            .status();
        assert!(status.is_success(), "revocation answered {status}");
    }

    /// Sends a signal to the provider process (`STOP` freezes it, `CONT` resumes it).
    pub fn signal(&self, signal: &str) {
        kill(self.child.id(), signal);
    }

    pub fn stop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Provider {
    fn drop(&mut self) {
        self.stop();
    }
}

/// Sends `signal` (`STOP`, `CONT`, `INT`...) to the process `pid`.
pub fn kill(pid: u32, signal: &str) {
    let ok = Command::new("kill")
        .args([&format!("-{signal}"), &pid.to_string()])
        .status()
        .unwrap()
        .success();
    assert!(ok, "kill -{signal} failed");
}

/// The result of one run of the binary.
#[derive(Debug)]
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    /// The error report: stderr from its `error:` line on, past what a login printed before
    /// it failed (the URL, the waiting line).
    pub fn error(&self) -> &str {
        let at = self
            .stderr
            .find("error: ")
            .unwrap_or_else(|| panic!("no error: {self:#?}"));
        &self.stderr[at..]
    }

    /// Asserts that the run failed with `code` and exactly `stderr`, printing nothing on stdout.
    pub fn failed(&self, code: i32, stderr: &str) {
        assert_eq!(
            (self.code, self.stdout.as_str(), self.stderr.as_str()),
            (code, "", stderr),
            "{self:#?}"
        );
    }
}

impl From<Output> for Run {
    fn from(o: Output) -> Self {
        Run {
            code: o.status.code().expect("killed by a signal"),
            stdout: String::from_utf8(o.stdout).unwrap(),
            stderr: String::from_utf8(o.stderr).unwrap(),
        }
    }
}

/// A user: a private home with its own XDG directories and config file.
pub struct User {
    pub dir: tempfile::TempDir,
    pub config: PathBuf,
    env: Vec<(String, String)>,
}

impl User {
    pub fn new() -> User {
        let dir = tempfile::tempdir().unwrap();
        let config = dir.path().join("config.toml");
        User {
            dir,
            config,
            env: Vec::new(),
        }
    }

    pub fn path(&self, rel: &str) -> PathBuf {
        self.dir.path().join(rel)
    }

    /// Writes the config file, private as a config with a client secret should be.
    pub fn config(&self, text: &str) {
        use std::os::unix::fs::PermissionsExt;
        std::fs::write(&self.config, text).unwrap();
        std::fs::set_permissions(&self.config, std::fs::Permissions::from_mode(0o600)).unwrap();
    }

    /// Sets an environment variable for every later run.
    pub fn env(&mut self, key: &str, value: &str) {
        self.env.push((key.to_owned(), value.to_owned()));
    }

    /// The binary as this user runs it: its own HOME and XDG dirs, the test browser as
    /// $BROWSER, nothing inherited that could change the outcome.
    pub fn command(&self, args: &[&str]) -> Command {
        let mut cmd = self.tool(BIN);
        cmd.args(args);
        cmd
    }

    /// Another program (git, kubectl) run as this user, in the same environment, so that
    /// the oauthcli it starts sees what `command` would give it.
    pub fn tool(&self, program: impl AsRef<std::ffi::OsStr>) -> Command {
        let mut cmd = Command::new(program);
        for (k, _) in std::env::vars() {
            if k.starts_with("OAUTHCLI_") || k.starts_with("XDG_") || k.starts_with("BROWSER") {
                cmd.env_remove(k);
            }
        }
        let home = self.path("home");
        cmd.env("HOME", &home)
            .env("XDG_CONFIG_HOME", home.join(".config"))
            .env("XDG_DATA_HOME", home.join(".local/share"))
            .env("XDG_STATE_HOME", home.join(".local/state"))
            .env("OAUTHCLI_CONFIG", &self.config)
            .env("BROWSER", repo().join("tests/support/browser.py"))
            .env("BROWSER_LOG", self.path("browser.log"))
            .env("BROWSER_PAGES", self.path("browser-pages.jsonl"))
            .stdin(Stdio::null());
        for (k, v) in &self.env {
            cmd.env(k, v);
        }
        cmd
    }

    pub fn run(&self, args: &[&str]) -> Run {
        self.command(args).output().unwrap().into()
    }

    /// Runs another program (`tool`) in this user's home directory.
    pub fn run_tool(&self, program: &str, args: &[&str]) -> Run {
        self.tool(program)
            .args(args)
            .current_dir(self.path(""))
            .output()
            .unwrap()
            .into()
    }

    /// The token set stored for `provider` by `--storage file`.
    pub fn stored(&self, provider: &str) -> Value {
        read_json(&self.token_file(provider))
    }

    /// Runs with `input` on stdin.
    pub fn run_input(&self, args: &[&str], input: &str) -> Run {
        finish_with_input(self.command(args), input)
    }

    /// Runs and asserts success, returning stdout.
    pub fn ok(&self, args: &[&str]) -> String {
        let r = self.run(args);
        assert_eq!(r.code, 0, "oauthcli {args:?} failed: {r:#?}");
        r.stdout
    }

    /// Waits until no test browser of this user runs any more. oauthcli does not wait for
    /// the browser it starts, so one may still be writing its log when oauthcli has exited;
    /// browser.py holds a lock on `browser.log.lock` from its start to its end, taken before
    /// it sends anything to the listener (the ready signal).
    fn browsers_done(&self) {
        if let Ok(lock) = std::fs::File::open(self.path("browser.log.lock")) {
            lock.lock().unwrap();
        }
    }

    /// What the test browser sent to the listener: `STATUS URL` lines.
    pub fn browser_log(&self) -> Vec<String> {
        self.browsers_done();
        std::fs::read_to_string(self.path("browser.log"))
            .unwrap_or_default()
            .lines()
            .map(str::to_owned)
            .collect()
    }

    /// What the listener answered the test browser: `{url, status, headers, body}` each.
    pub fn browser_pages(&self) -> Vec<Value> {
        self.browsers_done();
        std::fs::read_to_string(self.path("browser-pages.jsonl"))
            .unwrap_or_default()
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect()
    }

    /// The token file of `--storage file`.
    pub fn token_file(&self, provider: &str) -> PathBuf {
        self.path(&format!("home/.local/share/oauthcli/{provider}.json"))
    }
}

/// Runs `cmd` with `input` on its stdin.
pub fn finish_with_input(mut cmd: Command, input: &str) -> Run {
    use std::io::Write;
    let mut child = cmd
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.as_bytes())
        .unwrap();
    child.wait_with_output().unwrap().into()
}

/// The line a login prints before it waits, for a provider without a preset and a login
/// without a fixed port, whose listener is on `port` (README, "While a login waits").
pub fn redirect_refused_line(port: u16, client: &str) -> String {
    let line = format!(
        "If the browser shows an error of the provider about the redirect URI (such as \
         \"redirect_uri_mismatch\") instead of its login page, the provider does not accept \
         http://127.0.0.1:{port}/callback: register http://127.0.0.1/callback for client \
         '{client}' there (a loopback redirect matches any port, RFC 8252 §7.3); for a \
         provider that matches the port too, register http://127.0.0.1:PORT/callback with a \
         port of your choice and set redirect_port = PORT in the config (or use --port PORT)."
    );
    // Folded at 100 columns, as the login prints it.
    oauthcli::term::fold(&line, 100)
}

/// The listener's port, from the first `STATUS URL` line of the test browser's log.
pub fn login_port(log: &[String]) -> u16 {
    let url = log[0].split_once(' ').unwrap().1;
    reqwest::Url::parse(url).unwrap().port().unwrap()
}

/// A provider name no other test uses: the keychain is shared by every test of a run.
pub fn unique(prefix: &str) -> String {
    use std::sync::atomic::{AtomicU32, Ordering};
    static N: AtomicU32 = AtomicU32::new(0);
    format!(
        "{prefix}-{}-{}",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    )
}

/// The keychain entry of a provider, read with `secret-tool` (independent of the binary).
pub fn keychain_entry(provider: &str) -> Option<Value> {
    assert!(
        std::env::var_os("DBUS_SESSION_BUS_ADDRESS").is_some(),
        "keychain tests need the Secret Service session: run them through tests/run"
    );
    let out = Command::new("secret-tool")
        .args(["lookup", "service", "oauthcli", "username", provider])
        .output()
        .expect("secret-tool (libsecret-tools) must be installed: run the tests through tests/run");
    if !out.status.success() || out.stdout.is_empty() {
        return None;
    }
    Some(serde_json::from_slice(&out.stdout).unwrap())
}

/// A user of `provider` as `local` (public client), tokens in the file store.
pub fn file_user(provider: &Provider) -> User {
    let user = User::new();
    user.config(&local_file_config(provider, ""));
    user
}

/// A user logged in to `provider` as `local` (public client), tokens in the file store.
pub fn file_login(provider: &Provider) -> User {
    let user = file_user(provider);
    user.ok(&["login"]);
    user
}

/// The config of `file_login`, with `extra` lines in the provider's table.
pub fn local_file_config(provider: &Provider, extra: &str) -> String {
    format!(
        "storage = \"file\"\n{}",
        openid_config("local", &provider.issuer, "cli-public", extra)
    )
}

/// A config with one OpenID provider at `issuer`.
pub fn openid_config(name: &str, issuer: &str, client_id: &str, extra: &str) -> String {
    format!("[providers.{name}]\nissuer = \"{issuer}\"\nclient_id = \"{client_id}\"\n{extra}")
}

pub fn read_json(path: &Path) -> Value {
    serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap()
}

/// A CA and a certificate for 127.0.0.1 signed by it, made with `openssl`.
pub fn private_ca(dir: &std::path::Path) -> (String, String, String) {
    let run = |args: &[&str]| {
        let out = std::process::Command::new("openssl")
            .args(args)
            .current_dir(dir)
            .output()
            .expect("openssl must be installed: run the tests through tests/run");
        assert!(out.status.success(), "openssl {args:?}: {out:?}");
    };
    let ec = [
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:prime256v1",
        "-nodes",
    ];
    run(&[
        &["req", "-x509"],
        &ec[..],
        &[
            "-keyout",
            "ca.key",
            "-out",
            "ca.pem",
            "-days",
            "1",
            "-subj",
            "/CN=oauthcli test CA",
            "-addext",
            "basicConstraints=critical,CA:TRUE",
            "-addext",
            "keyUsage=critical,keyCertSign",
        ],
    ]
    .concat());
    run(&[
        &["req"],
        &ec[..],
        &[
            "-keyout",
            "leaf.key",
            "-out",
            "leaf.csr",
            "-subj",
            "/CN=127.0.0.1",
        ],
    ]
    .concat());
    std::fs::write(
        dir.join("leaf.ext"),
        "subjectAltName=IP:127.0.0.1\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n",
    )
    .unwrap();
    run(&[
        "x509",
        "-req",
        "-in",
        "leaf.csr",
        "-CA",
        "ca.pem",
        "-CAkey",
        "ca.key",
        "-CAcreateserial",
        "-out",
        "leaf.pem",
        "-days",
        "1",
        "-extfile",
        "leaf.ext",
    ]);
    let path = |f: &str| dir.join(f).to_str().unwrap().to_owned();
    (path("ca.pem"), path("leaf.pem"), path("leaf.key"))
}

/// A command started and left running once it printed its ready line on stderr.
pub struct Started {
    child: Child,
    stderr: std::thread::JoinHandle<String>,
}

impl User {
    /// Starts oauthcli with `args` and returns once a line of its stderr starts with `ready`.
    pub fn started(&self, args: &[&str], ready: &str) -> Started {
        let mut child = self
            .command(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut lines = BufReader::new(child.stderr.take().unwrap());
        let (tx, rx) = std::sync::mpsc::channel();
        let ready = ready.to_owned();
        let stderr = std::thread::spawn(move || {
            let mut all = String::new();
            let mut line = String::new();
            while lines.read_line(&mut line).unwrap() > 0 {
                if line.starts_with(&ready) {
                    let _ = tx.send(());
                }
                all.push_str(&line);
                line.clear();
            }
            all
        });
        if rx.recv().is_err() {
            let stderr = stderr.join().unwrap();
            panic!("no line starting with {args:?} came; stderr:\n{stderr}");
        }
        Started { child, stderr }
    }
}

impl Started {
    /// Waits for the command to end.
    pub fn finish(self) -> Run {
        let out = self.child.wait_with_output().unwrap();
        Run {
            code: out.status.code().expect("killed by a signal"),
            stdout: String::from_utf8(out.stdout).unwrap(),
            stderr: self.stderr.join().unwrap(),
        }
    }
}

/// Seconds since the Unix epoch, now.
pub fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

/// A time as RFC 3339 UTC, to the second, as oauthcli prints times.
pub fn rfc3339(at: i64) -> String {
    chrono::DateTime::<chrono::Utc>::from_timestamp(at, 0)
        .unwrap()
        .to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}
