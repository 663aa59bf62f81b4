//! A string that must never be shown: tokens, client secrets.
//!
//! `Debug` prints `Secret(redacted)` and there is no `Display`, so a secret can reach a log
//! line or an error message only through an explicit [`Secret::expose`] (SECURITY.md row 13).

use serde::{Deserialize, Serialize};

#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Secret(value.into())
    }

    /// The secret itself, for the one place that must send or print it.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(redacted)")
    }
}

#[cfg(test)]
mod tests {
    use super::Secret;

    #[test]
    fn debug_never_shows_the_value() {
        let s = Secret::new("hunter2");
        assert_eq!(format!("{s:?}"), "Secret(redacted)");
        assert_eq!(format!("{:?}", Some(&s)), "Some(Secret(redacted))");
        assert_eq!(s.expose(), "hunter2");
    }

    #[test]
    fn serializes_as_the_plain_string() {
        let s = Secret::new("abc");
        assert_eq!(serde_json::to_string(&s).unwrap(), "\"abc\"");
        let back: Secret = serde_json::from_str("\"abc\"").unwrap();
        assert_eq!(back, s);
    }
}
