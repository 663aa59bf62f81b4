//! The committed completion scripts under `completions/` match what the binary generates.

use crate::support::*;

#[test]
fn committed_completion_scripts_are_current() {
    let user = User::new();
    for (shell, file) in [
        ("bash", "oauthcli.bash"),
        ("zsh", "_oauthcli"),
        ("fish", "oauthcli.fish"),
        ("elvish", "oauthcli.elv"),
        ("powershell", "_oauthcli.ps1"),
    ] {
        let generated = user.ok(&["completions", shell]);
        // What oauthcli runs itself is not offered to people.
        assert!(!generated.contains("refresh-ahead"), "{shell}");
        let path = format!("{}/completions/{file}", env!("CARGO_MANIFEST_DIR"));
        let committed = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(
            generated == committed,
            "{path} is stale: regenerate with `cargo run -- completions {shell} > completions/{file}`"
        );
    }
}
