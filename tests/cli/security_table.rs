//! SECURITY.md keeps a row for every threat of the threat list, and every test it names
//! exists: the table cannot silently go stale when a test is renamed or removed.

use std::path::Path;

#[test]
fn security_md_names_existing_tests_for_every_threat() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(root.join("SECURITY.md")).unwrap();
    // The threat list's 20 rows, then the defences added since, numbered on.
    let last = (1..)
        .take_while(|row| text.contains(&format!("\n| {row} | ")))
        .last()
        .unwrap_or(0);
    assert!(last >= 20, "SECURITY.md has no row {}", last + 1);
    for row in 1..=last {
        let line = text
            .lines()
            .find(|l| l.starts_with(&format!("| {row} | ")))
            .unwrap();
        let names: Vec<&str> = line
            .split('`')
            .skip(1)
            .step_by(2)
            .filter(|s| {
                s.contains("::")
                    && s.bytes().all(|b| {
                        b.is_ascii_lowercase() || b.is_ascii_digit() || b"_/.:".contains(&b)
                    })
            })
            .collect();
        // Every row names its tests.
        assert!(!names.is_empty(), "row {row}: {line}");
        for name in names {
            let (module, test) = name.rsplit_once("::").unwrap();
            let file = match module.starts_with("src/") {
                true => root.join(module),
                false => root.join("tests/cli").join(format!("{module}.rs")),
            };
            let source = std::fs::read_to_string(&file)
                .unwrap_or_else(|e| panic!("row {row}: {name}: {}: {e}", file.display()));
            assert!(
                source.contains(&format!("fn {test}(")),
                "row {row}: no test {test} in {}",
                file.display()
            );
        }
    }
}
