//! Which browser a login opens, or why it opens none (README, "Logging in on a remote
//! machine"): the machine is described through the environment, and every opener the
//! login could start is a recording stand-in on `PATH` (and `PATH` holds nothing else), so
//! the tests see exactly which one ran, with which arguments and which environment.

use std::path::PathBuf;
use std::process::Command;

use serde_json::Value;

use crate::paste::paste_intro;
use crate::support::*;

/// Every program a login may start to open a browser: the `open` crate's openers (open
/// 5.4.5: `powershell.exe` on WSL, then `xdg-open`, `gio`, `gnome-open`, `kde-open6`,
/// `kde-open5`, `kde-open`), and `wslview`.
const OPENERS: [&str; 8] = [
    "wslview",
    "powershell.exe",
    "xdg-open",
    "gio",
    "gnome-open",
    "kde-open6",
    "kde-open5",
    "kde-open",
];

/// The variables that describe the machine; each test sets the ones it wants.
const MACHINE: [&str; 7] = [
    "BROWSER",
    "SSH_CONNECTION",
    "SSH_TTY",
    "DISPLAY",
    "WAYLAND_DISPLAY",
    "WSL_DISTRO_NAME",
    "WSL_INTEROP",
];

const SSH: (&str, &str) = ("SSH_CONNECTION", "192.0.2.7 50022 192.0.2.1 22");

/// A user of the real provider on a machine described by `env`, with stand-ins for the
/// openers in `present` (each records `NAME ARGS` to `openers.log` and then logs in with
/// the test browser; one listed in `failing` exits 3 at once instead). `powershell.exe` is
/// given a script and the URL in `OPEN_RS_TARGET` (open 5.4.5, wsl.rs): it records that.
struct Machine {
    provider: Provider,
    user: User,
    bin: PathBuf,
    env: Vec<(&'static str, String)>,
}

/// The Python interpreter itself (not a shim that needs `PATH`), for the stand-ins.
fn python() -> PathBuf {
    let out = Command::new("python3")
        .args(["-c", "import sys; print(sys.executable)"])
        .output()
        .expect("python3 must be installed");
    PathBuf::from(String::from_utf8(out.stdout).unwrap().trim())
}

impl Machine {
    fn new(env: &[(&'static str, &str)], present: &[&str], failing: &[&str]) -> Machine {
        let provider = Provider::start();
        let user = file_user(&provider);
        let bin = user.path("bin");
        std::fs::create_dir(&bin).unwrap();
        let log = user.path("openers.log");
        let browser = repo().join("tests/support/browser.py");
        for name in present {
            let run = match failing.contains(name) {
                true => "exit 3".to_owned(),
                false => format!(
                    "for url; do :; done\n\
                     BROWSER_ENV={dir}/$name.env.json exec {python} {browser} \"$url\"",
                    dir = user.path("").display(),
                    python = python().display(),
                    browser = browser.display(),
                ),
            };
            let script = format!(
                "#!/bin/sh\nname=\"${{0##*/}}\"\n\
                 [ \"$name\" = powershell.exe ] && set -- \"$OPEN_RS_TARGET\"\nprintf '%s\\n' \"$name $*\" >> {}\n{run}\n",
                log.display()
            );
            let file = bin.join(name);
            std::fs::write(&file, script).unwrap();
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o755)).unwrap();
        }
        Machine {
            provider,
            user,
            bin,
            env: env.iter().map(|(k, v)| (*k, v.to_string())).collect(),
        }
    }

    /// `oauthcli ARGS` on this machine.
    fn command(&self, args: &[&str]) -> Command {
        let mut cmd = self.user.command(args);
        for var in MACHINE {
            cmd.env_remove(var);
        }
        cmd.env("PATH", &self.bin);
        cmd.envs(self.env.iter().map(|(k, v)| (k, v)));
        cmd
    }

    /// The stand-ins that ran, as `NAME ARGS` lines.
    fn openers(&self) -> Vec<String> {
        // A stand-in writes its line before the test browser it starts reaches the login.
        let log = std::fs::read_to_string(self.user.path("openers.log")).unwrap_or_default();
        log.lines().map(str::to_owned).collect()
    }

    /// The environment a stand-in ran with.
    fn env_of(&self, opener: &str) -> Value {
        self.user.browser_log();
        read_json(&self.user.path(&format!("{opener}.env.json")))
    }
}

/// A login that opens nothing: it says `why`, and completes when the URL is pasted.
fn pastes(machine: &Machine, why: &str) {
    let mut login = machine.user.start(machine.command(&["login", "local"]));
    let url = login.browse_elsewhere(&machine.user, &[]);
    let intro = paste_intro("local", &login);
    login.paste(&url);
    let run = login.finish();
    assert_eq!(run.code, 0, "{run:#?}");
    assert_eq!(run.stdout, "Logged in to local as alice@example.com\n");
    assert_eq!(
        run.stderr,
        format!(
            "{why}: not opening a browser here; open the URL below on any machine (--browser \
             opens one here all the same)\n{intro}"
        )
    );
    assert_eq!(machine.openers(), Vec::<String>::new());
    assert_eq!(machine.provider.requests_to("/token").len(), 1);
}

/// A login that starts exactly the openers `ran` (the last one logs in).
fn opens(machine: &Machine, args: &[&str], ran: &[&str]) {
    // A stand-in that never logs in must not hold the test for the default 600 s.
    let args = [args, &["--timeout", "60"]].concat();
    let run: Run = machine.command(&args).output().unwrap().into();
    assert_eq!(run.code, 0, "{run:#?}");
    assert_eq!(run.stdout, "Logged in to local as alice@example.com\n");
    assert!(
        run.stderr
            .starts_with("To log in to 'local', open this URL in a browser on this machine:\n"),
        "{}",
        run.stderr
    );
    let url = run.stderr.lines().nth(2).unwrap().trim();
    let expected: Vec<String> = ran
        .iter()
        .map(|name| match *name {
            "gio" => format!("gio open {url}"),
            kde if kde.starts_with("kde-open") => format!("{kde} -- {url}"),
            other => format!("{other} {url}"),
        })
        .collect();
    assert_eq!(machine.openers(), expected);
    assert_eq!(machine.provider.requests_to("/token").len(), 1);
}

#[test]
fn over_ssh_without_browser_nothing_is_opened_and_the_pasted_url_logs_in() {
    // A display forwarded over SSH does not count: the browser would run here, not at the
    // user's screen.
    let machine = Machine::new(&[SSH, ("DISPLAY", "localhost:10.0")], &OPENERS, &[]);
    pastes(&machine, "this is an SSH session");
    let machine = Machine::new(&[("SSH_TTY", "/dev/pts/3")], &OPENERS, &[]);
    pastes(&machine, "this is an SSH session");
}

#[test]
fn without_a_display_nothing_is_opened_and_the_pasted_url_logs_in() {
    let machine = Machine::new(&[], &OPENERS, &[]);
    pastes(
        &machine,
        "no display is set (neither DISPLAY nor WAYLAND_DISPLAY)",
    );
}

#[test]
fn a_desktop_opens_the_system_opener() {
    for display in [("DISPLAY", ":0"), ("WAYLAND_DISPLAY", "wayland-0")] {
        let machine = Machine::new(&[display], &OPENERS, &[]);
        opens(&machine, &["login"], &["xdg-open"]);
    }
}

#[test]
fn an_opener_that_fails_or_is_missing_gives_way_to_the_next() {
    let machine = Machine::new(
        &[("DISPLAY", ":0")],
        &["xdg-open", "kde-open"],
        &["xdg-open"],
    );
    opens(&machine, &["login"], &["xdg-open", "kde-open"]);
}

#[test]
fn browser_opens_one_over_ssh_all_the_same() {
    let machine = Machine::new(&[SSH], &OPENERS, &[]);
    opens(&machine, &["login", "--browser"], &["xdg-open"]);
}

#[test]
fn browser_variable_over_ssh_is_used() {
    let machine = Machine::new(&[SSH], &OPENERS, &[]);
    let browser = repo().join("tests/support/browser.py");
    let run: Run = machine
        .command(&["login"])
        .env(
            "BROWSER",
            format!("{} {}", python().display(), browser.display()),
        )
        .output()
        .unwrap()
        .into();
    assert_eq!(run.code, 0, "{run:#?}");
    assert_eq!(run.stdout, "Logged in to local as alice@example.com\n");
    assert!(!run.stderr.contains("not opening"), "{}", run.stderr);
    assert_eq!(machine.openers(), Vec::<String>::new());
    assert_eq!(machine.user.browser_log().len(), 2);
}

#[test]
fn on_wsl_wslview_opens_the_windows_browser() {
    // WSL has no DISPLAY of its own to show: the Windows desktop is the display.
    let machine = Machine::new(&[("WSL_DISTRO_NAME", "Ubuntu")], &OPENERS, &[]);
    opens(&machine, &["login"], &["wslview"]);
}

#[test]
fn on_wsl_without_wslview_the_open_crate_chooses() {
    // The crate tells WSL by its kernel: on WSL its first opener is powershell.exe, which
    // starts the Windows browser; elsewhere (this test machine, set up as WSL through the
    // environment only) it is xdg-open.
    let kernel = std::fs::read_to_string("/proc/sys/kernel/osrelease").unwrap();
    let first = match kernel.to_lowercase().contains("microsoft") {
        true => "powershell.exe",
        false => "xdg-open",
    };
    let present: Vec<&str> = OPENERS.into_iter().filter(|o| *o != "wslview").collect();
    let machine = Machine::new(&[("WSL_DISTRO_NAME", "Ubuntu")], &present, &[]);
    opens(&machine, &["login"], &[first]);
}

#[test]
fn over_ssh_on_wsl_nothing_is_opened() {
    let machine = Machine::new(&[SSH, ("WSL_DISTRO_NAME", "Ubuntu")], &OPENERS, &[]);
    pastes(&machine, "this is an SSH session");
}

/// No variable of ours, nor the client secret, in a browser's environment; the rest of the
/// user's environment is there (the control: it really is the browser's).
fn assert_clean(env: &Value, what: &str) {
    let env = env.as_object().unwrap();
    assert!(env.contains_key("BROWSER_LOG"), "{what}: {env:?}");
    for (key, value) in env {
        assert!(!key.starts_with("OAUTHCLI_"), "{what} got {key}");
        assert!(
            !value.as_str().unwrap().contains("post-secret"),
            "{what}: {key}"
        );
    }
}

#[test]
fn no_browser_gets_our_variables_nor_the_client_secret() {
    // A confidential client whose secret is in the environment, as a user may keep it.
    let secret = [
        ("OAUTHCLI_LOCAL_CLIENT_SECRET", "post-secret"),
        ("OAUTHCLI_HTTP_TIMEOUT", "30"),
    ];
    let config = |machine: &Machine| {
        machine.user.config(&format!(
            "storage = \"file\"\n{}",
            openid_config(
                "local",
                &machine.provider.issuer,
                "cli-post",
                "token_endpoint_auth_method = \"client_secret_post\"\n"
            )
        ));
    };
    for (place, opener) in [
        (("DISPLAY", ":0"), "xdg-open"),
        (("WSL_DISTRO_NAME", "Ubuntu"), "wslview"),
    ] {
        let machine = Machine::new(&[place, secret[0], secret[1]], &OPENERS, &[]);
        config(&machine);
        opens(&machine, &["login"], &[opener]);
        let token_reqs = machine.provider.requests_to("/token");
        assert_eq!(token_reqs[0]["form"]["client_secret"], "post-secret");
        assert_clean(&machine.env_of(opener), opener);
    }

    let machine = Machine::new(&[("DISPLAY", ":0"), secret[0], secret[1]], &OPENERS, &[]);
    config(&machine);
    let browser = repo().join("tests/support/browser.py");
    let recorded = machine.user.path("browser.env.json");
    let run: Run = machine
        .command(&["login"])
        .env(
            "BROWSER",
            format!("{} {}", python().display(), browser.display()),
        )
        .env("BROWSER_ENV", &recorded)
        .output()
        .unwrap()
        .into();
    assert_eq!(run.code, 0, "{run:#?}");
    machine.user.browser_log();
    assert_clean(&read_json(&recorded), "$BROWSER");
    assert_eq!(machine.openers(), Vec::<String>::new());
}
