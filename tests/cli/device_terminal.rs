//! What the device grant shows on a terminal (SECURITY.md row 19): the QR code and the OSC 52
//! clipboard sequence under a pseudo-terminal (`script`) and never without one, and
//! `--clipboard`, which only the device grant takes. The real provider and the stand-in phone
//! of `device`.

use std::process::{Command, Stdio};

use crate::device::{device_provider, device_user, phone_reads, with_phone};

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

#[test]
fn qr_code_and_clipboard_on_a_terminal_only() {
    let provider = device_provider(Some(1));
    let user = device_user(&provider, "");
    // Under a pseudo-terminal (`script`): stdin, stdout and stderr are the terminal.
    let login = user.command(&["login", "local", "--device", "--clipboard"]);
    let argv: Vec<String> = std::iter::once(login.get_program())
        .chain(login.get_args())
        .map(|a| a.to_str().unwrap().to_owned())
        .collect();
    let mut cmd = Command::new("script");
    cmd.args(["-qfec", &argv.join(" "), "/dev/null"]);
    for (k, v) in login.get_envs() {
        match v {
            Some(v) => cmd.env(k, v),
            None => cmd.env_remove(k),
        };
    }
    cmd.env_remove("TMUX");
    let (run, phone) = phone_reads(cmd, "approve", true);
    assert_eq!((run.code, phone), (0, 0), "{run:#?}");
    let screen = run.stderr.replace("\r\n", "\n");
    let code = screen.lines().nth(6).unwrap().trim().to_owned();
    let complete = format!("{}/device?user_code={code}", provider.issuer);
    assert!(
        screen.contains(&format!("\n{}\n", qr(&complete))),
        "{screen}"
    );
    let osc52 = format!("\x1b]52;c;{}\x07", base64_of(&code));
    assert!(screen.contains(&osc52), "{screen:?}");
    assert!(screen.contains("Logged in to local as alice@example.com"));

    // Without a terminal (and no controlling one, `setsid`): neither.
    let user = device_user(&provider, "");
    let login = user.command(&["login", "local", "--device", "--clipboard"]);
    let mut cmd = Command::new("setsid");
    cmd.arg(login.get_program()).args(login.get_args());
    for (k, v) in login.get_envs() {
        match v {
            Some(v) => cmd.env(k, v),
            None => cmd.env_remove(k),
        };
    }
    cmd.stdin(Stdio::null());
    let (run, _) = with_phone(cmd, "approve");
    assert_eq!(run.code, 0, "{run:#?}");
    assert!(
        !run.stderr.contains('\u{2588}') && !run.stderr.contains('\x1b'),
        "{run:#?}"
    );
    assert!(
        run.stderr
            .contains("(--clipboard: no terminal to copy the code through.)\n")
    );
}

fn base64_of(text: &str) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.encode(text)
}
