//! The error of a keychain that answers but cannot keep a secret now (no place to keep it,
//! or locked), in words that say what to do. It passes to the user as it is, where other
//! keychain errors are told as "cannot be reached".

use std::fmt;

#[derive(Debug)]
pub struct Unfit(pub String);

impl fmt::Display for Unfit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Unfit {}
