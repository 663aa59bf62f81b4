//! The committed man pages under `man/` match what `clap_mangen` renders from the clap
//! definitions: `oauthcli.1`, and `oauthcli-COMMAND.1` for each command.
//!
//! To regenerate them: `OAUTHCLI_WRITE_MAN=1 cargo test --test cli manpage`.

use clap::CommandFactory;

fn render(cmd: clap::Command) -> Vec<u8> {
    let mut out = Vec::new();
    clap_mangen::Man::new(cmd).render(&mut out).unwrap();
    out
}

#[test]
fn committed_man_pages_are_current() {
    let top = oauthcli::cli::Cli::command().name("oauthcli");
    let mut pages = vec![("oauthcli.1".to_owned(), render(top.clone()))];
    for sub in top.get_subcommands().filter(|s| !s.is_hide_set()) {
        // clap takes a static name (its `string` feature is off); a test may leak one.
        let name: &'static str = format!("oauthcli-{}", sub.get_name()).leak();
        pages.push((format!("{name}.1"), render(sub.clone().name(name))));
    }
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("man");
    let write = std::env::var_os("OAUTHCLI_WRITE_MAN").is_some();
    if write {
        std::fs::create_dir_all(&dir).unwrap();
    }
    for (file, page) in pages {
        let path = dir.join(&file);
        if write {
            std::fs::write(&path, &page).unwrap();
        }
        let committed = std::fs::read(&path).unwrap_or_default();
        assert!(
            committed == page,
            "{} is stale: regenerate with `OAUTHCLI_WRITE_MAN=1 cargo test --test cli manpage`",
            path.display()
        );
    }
}
