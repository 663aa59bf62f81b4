//! The pages in a real browser: Debian's chromium, headless, driven by playwright-core
//! (`tests/chromium/browser.mjs`), logs in through the real provider's pages and ends on the
//! listener's final page, which must render with its style in light and dark colour schemes
//! and break no rule of its Content-Security-Policy (README, "The pages in the browser").
//! The screenshots are kept in `target/tmp/chromium/` for a person to look at.

use std::process::Command;

use serde_json::Value;

use crate::support::*;

/// The width and height of a PNG image, from its IHDR chunk.
fn png_size(bytes: &[u8]) -> (u32, u32) {
    assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n", "not a PNG");
    assert_eq!(&bytes[12..16], b"IHDR");
    let be = |at: usize| u32::from_be_bytes(bytes[at..at + 4].try_into().unwrap());
    (be(16), be(20))
}

#[test]
fn the_final_page_renders_styled_in_light_and_dark_in_chromium() {
    let provider = Provider::start();
    let user = file_user(&provider);
    let login = user.start_login(&[]);
    let shots = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("chromium");
    std::fs::create_dir_all(&shots).unwrap();
    let out = Command::new("node")
        .arg(repo().join("tests/chromium/browser.mjs"))
        .arg(&login.url)
        .arg(&shots)
        .output()
        .expect("node must be installed: run the tests through tests/run");
    assert!(
        out.status.success(),
        "the browser failed (did tests/run install chromium and playwright-core?): {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let port = login.port;
    let run = login.finish();
    assert_eq!(run.code, 0, "{run:#?}");
    assert_eq!(run.stdout, "Logged in to local as alice@example.com\n");

    let page: Value = serde_json::from_slice(&out.stdout).unwrap();
    // The address bar holds the clean address, not the callback's code and state.
    assert_eq!(page["url"], format!("http://127.0.0.1:{port}/done"));
    assert_eq!(page["title"], "oauthcli: Logged in to local");
    assert_eq!(page["heading"], "Logged in to local");
    // The style applied (the colours of src/flow/page.rs), its dark variant too.
    let colours = |scheme: &str| {
        let c = &page[scheme];
        [&c["background"], &c["card"], &c["heading"]].map(|v| v.as_str().unwrap().to_owned())
    };
    assert_eq!(
        colours("light"),
        [
            "rgb(246, 247, 249)",
            "rgb(255, 255, 255)",
            "rgb(26, 127, 55)"
        ]
    );
    assert_eq!(
        colours("dark"),
        ["rgb(15, 17, 21)", "rgb(26, 29, 36)", "rgb(63, 185, 80)"]
    );
    // Nothing refused by the CSP, nothing else said on the console.
    assert_eq!(page["console"], serde_json::json!([]), "{page}");
    let light = std::fs::read(shots.join("light.png")).unwrap();
    let dark = std::fs::read(shots.join("dark.png")).unwrap();
    assert_eq!(png_size(&light), (800, 600));
    assert_eq!(png_size(&dark), (800, 600));
    assert_ne!(light, dark);
}
