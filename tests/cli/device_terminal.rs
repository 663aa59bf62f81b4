//! What the device grant shows on a terminal (SECURITY.md row 19): the QR code and the OSC 52
//! clipboard sequence under a pseudo-terminal (`script`) and never without one, and
//! `--clipboard`, which only the device grant takes. The real provider and the stand-in phone
//! of `device`.

use std::process::{Command, Stdio};

use crate::device::{device_provider, device_user, phone_reads, with_phone};
use crate::support::{Provider, Run};

/// The QR code of `text` as oauthcli draws it: qrcode's half blocks, lowest EC level,
/// light modules as blocks.
fn qr(text: &str) -> String {
    use qrcode::render::unicode::Dense1x2;
    qrcode::QrCode::with_error_correction_level(text, qrcode::EcLevel::L)
        .unwrap()
        .render::<Dense1x2>()
        .dark_color(Dense1x2::Light)
        .light_color(Dense1x2::Dark)
        .build()
}

/// `login` run as it is, but with stdin, stdout and stderr a pseudo-terminal (`script`,
/// which writes what the terminal shows to its stdout).
fn under_a_terminal(login: &Command) -> Command {
    let argv: Vec<String> = std::iter::once(login.get_program())
        .chain(login.get_args())
        .map(|a| a.to_str().unwrap().to_owned())
        .collect();
    let mut cmd = Command::new("script");
    cmd.args(["-qfec", &argv.join(" "), "/dev/null"]);
    with_env_of(cmd, login)
}

/// `login` run as it is, with no controlling terminal either (`setsid`).
fn without_a_terminal(login: &Command) -> Command {
    let mut cmd = Command::new("setsid");
    cmd.arg(login.get_program()).args(login.get_args());
    cmd.stdin(Stdio::null());
    with_env_of(cmd, login)
}

fn with_env_of(mut cmd: Command, login: &Command) -> Command {
    for (k, v) in login.get_envs() {
        match v {
            Some(v) => cmd.env(k, v),
            None => cmd.env_remove(k),
        };
    }
    cmd
}

/// What a terminal shows of a device login with `--clipboard` to `provider` approved by the
/// phone, in a multiplexer when `mux` names its variable; and the user code.
fn device_login_on_a_terminal(provider: &Provider, mux: Option<(&str, &str)>) -> (String, String) {
    let user = device_user(provider, "");
    let login = user.command(&["login", "local", "--device", "--clipboard"]);
    let mut cmd = under_a_terminal(&login);
    cmd.env_remove("TMUX").env_remove("STY");
    if let Some((var, value)) = mux {
        cmd.env(var, value);
    }
    let (run, phone) = phone_reads(cmd, "approve", true);
    assert_eq!((run.code, phone), (0, 0), "{run:#?}");
    let screen = run.stderr.replace("\r\n", "\n");
    assert!(screen.contains("Logged in to local as alice@example.com"));
    let code = screen
        .lines()
        .skip_while(|l| !l.starts_with("and enter this code:"))
        .nth(2)
        .unwrap()
        .trim()
        .to_owned();
    (screen, code)
}

#[test]
fn qr_code_and_clipboard_on_a_terminal_only() {
    let provider = device_provider(Some(1));
    let (screen, code) = device_login_on_a_terminal(&provider, None);
    let complete = format!("{}/device?user_code={code}", provider.issuer);
    // The QR code first, then the page and the code: they stay on screen, whatever its size.
    assert!(
        screen.contains(&format!(
            "{}\nTo log in to 'local', open this page on any device (a phone will do):\n\n  \
             {}/device\n\nand enter this code:\n\n  {code}\n",
            qr(&complete),
            provider.issuer
        )),
        "{screen}"
    );
    let osc52 = format!("\x1b]52;c;{}\x07", base64_of(&code));
    assert!(screen.contains(&osc52), "{screen:?}");
    // While it polls, a live line counts down in place (redrawn after a carriage return,
    // ended by ESC [ K) and is erased at the end; no plain waiting line.
    assert!(
        screen.contains("\r⠋ Waiting for the login to be approved: ")
            && screen.contains(" left (Ctrl-C to cancel)\x1b[K"),
        "{screen:?}"
    );
    assert!(!screen.contains("Waiting up to"), "{screen:?}");
    // No terminal says whether it took the code: never said to be copied.
    assert!(screen.contains(&format!(
        "{osc52}The code was sent to the terminal's clipboard (OSC 52); if it is not there, the \
         terminal does not allow programs to set the clipboard (see its settings).\n"
    )));

    // Inside tmux: for its set-clipboard, then through its passthrough, and said so.
    let tmux = ("TMUX", "/tmp/tmux-1000/default,4242,0");
    let (screen, code) = device_login_on_a_terminal(&provider, Some(tmux));
    let osc52 = format!("\x1b]52;c;{}\x07", base64_of(&code));
    let passthrough = format!("\x1bPtmux;{}\x1b\\", osc52.replace('\x1b', "\x1b\x1b"));
    assert!(
        screen.contains(&format!(
            "{osc52}{passthrough}The code was sent to the terminal's clipboard (OSC 52, through \
             tmux); if it is not there, tmux or the terminal does not allow it: in tmux, \
             set-option -g allow-passthrough on, or set-option -g set-clipboard on.\n"
        )),
        "{screen:?}"
    );

    // Without a terminal: neither.
    let user = device_user(&provider, "");
    let login = user.command(&["login", "local", "--device", "--clipboard"]);
    let (run, _) = with_phone(without_a_terminal(&login), "approve");
    assert_eq!(run.code, 0, "{run:#?}");
    assert!(
        !run.stderr.contains('\u{2588}')
            && !run.stderr.contains('\x1b')
            && !run.stderr.contains('\r'),
        "{run:#?}"
    );
    assert!(
        run.stderr.contains(
            "\n\nWaiting up to 600 s for the login to be approved (Ctrl-C to cancel)...\n"
        ),
        "{run:#?}"
    );
    assert!(
        run.stderr
            .contains("(--clipboard: no terminal to copy the code through.)\n")
    );
}

#[test]
fn clipboard_goes_with_the_device_grant_alone() {
    let provider = device_provider(Some(1));
    let user = device_user(&provider, "");
    // With a flag of another grant: clap's usage error.
    for flag in ["--browser", "--no-browser"] {
        let run = user.run(&["login", "local", "--clipboard", flag]);
        assert_eq!(run.code, 2, "{run:#?}");
        assert!(
            run.stderr.starts_with(&format!(
                "error: the argument '--clipboard' cannot be used with '{flag}'"
            )),
            "{}",
            run.stderr
        );
    }
    // Where the grant chosen is another one: a usage error too, before anything is asked of
    // the provider, saying which grant the login would use.
    let run = user.run(&["login", "local", "--clipboard"]);
    assert_eq!(run.code, 2, "{run:#?}");
    assert_eq!(
        run.stderr,
        "error: --clipboard copies the code of the device grant, and this login opens a browser: \
         add --device, or leave out --clipboard\n"
    );
    let ssh = ("SSH_CONNECTION", "192.0.2.1 50000 192.0.2.2 22");
    let mut headless = user.command(&["login", "local", "--clipboard"]);
    headless.env_remove("BROWSER").env(ssh.0, ssh.1);
    let run: Run = headless.output().unwrap().into();
    assert_eq!(run.code, 2, "{run:#?}");
    assert_eq!(
        run.stderr,
        "error: --clipboard copies the code of the device grant, and this login prints a URL to \
         open on another machine (a machine that can show no browser uses the device grant by \
         itself with device = true in the provider's config): add --device, or leave out \
         --clipboard\n"
    );
    assert!(provider.requests().is_empty());
    // The device grant chosen by the config on a headless machine takes it.
    let user = device_user(&provider, "device = true\n");
    let mut login = user.command(&["login", "local", "--clipboard"]);
    login.env_remove("BROWSER").env(ssh.0, ssh.1);
    let (run, phone) = with_phone(without_a_terminal(&login), "approve");
    assert_eq!((run.code, phone), (0, 0), "{run:#?}");
    assert!(
        run.stderr
            .contains("(--clipboard: no terminal to copy the code through.)\n")
    );
}

fn base64_of(text: &str) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.encode(text)
}
