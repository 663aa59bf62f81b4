//! Provider names: the one rule every name obeys, wherever it comes from (the command line,
//! the config file, the state file), because a name becomes a file name (`paths`), a keychain
//! user name and part of environment variable names (`config::env_var`).
//!
//! The rule is narrow on purpose: no `/`, no `.` and no leading `-`, so no name can climb out
//! of its directory or read as a flag, and nothing a terminal would interpret.

/// Checks a provider name; the error says what a name must be.
pub fn check(name: &str) -> Result<(), &'static str> {
    let ok = !name.is_empty()
        && name.len() <= 64
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_')
        && name.as_bytes()[0].is_ascii_alphanumeric();
    if ok {
        Ok(())
    } else {
        Err("must be 1-64 lower-case letters, digits, '-' or '_', starting with a letter or digit")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn provider_names_stay_plain() {
        assert!(check("corp-sso_2").is_ok());
        for bad in [
            "",
            "Corp",
            "a/b",
            "../x",
            "..",
            "-x",
            "a b",
            "a.json",
            "x\u{1b}[2J",
        ] {
            assert!(check(bad).is_err(), "{bad}");
        }
    }
}
