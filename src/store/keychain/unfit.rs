//! A keychain that answers but cannot keep a secret now: no place to keep it, or locked. A
//! store of ours says which, and `keychain::Trouble` tells the user what to do about it;
//! other keychain errors are told as "cannot be reached".

use std::fmt;

#[derive(Debug)]
pub enum Unfit {
    NoDefaultCollection,
    /// Locked, and unlocking failed for the reason given.
    Locked(String),
}

impl fmt::Display for Unfit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Unfit::NoDefaultCollection => f.write_str("no default collection"),
            Unfit::Locked(cause) => f.write_str(cause),
        }
    }
}

impl std::error::Error for Unfit {}
