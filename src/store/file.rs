//! Token sets in files: `$XDG_DATA_HOME/oauthcli/NAME.json`, directory 0700, files 0600,
//! written atomically. Plaintext on disk, so only by explicit choice (SECURITY.md row 17):
//! a file that is a symlink or readable by others is refused, not used.

use std::fs;
#[cfg(unix)]
use std::os::unix::fs::PermissionsExt;

use anyhow::{Context, Result};

use super::{Store, fsutil, lock::LoginLock};
use crate::paths::{data_dir, token_file};
use crate::token::TokenSet;

pub struct FileStore;

impl Store for FileStore {
    fn check_writable(&self) -> Result<()> {
        fsutil::check_writable(&data_dir()?)
    }

    fn load(&self, provider: &str) -> Result<Option<TokenSet>> {
        let path = token_file(provider)?;
        let meta = match fs::symlink_metadata(&path) {
            Ok(m) => m,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(e).with_context(|| format!("cannot read {}", path.display())),
        };
        // Refused entries count as "not logged in" (exit 4): a new login replaces them, and
        // logout deletes them.
        if !meta.file_type().is_file() {
            return Err(crate::error::not_logged_in(
                provider,
                format!(
                    "{} is not a regular file (a symlink?); refusing to read tokens from it",
                    path.display()
                ),
            ));
        }
        #[cfg(unix)]
        if meta.permissions().mode() & 0o077 != 0 {
            return Err(crate::error::not_logged_in(
                provider,
                format!(
                    "{} can be read by other users, so its tokens may have leaked; refusing to use it \
                     (if no one else could have read it, 'chmod 600' it instead)",
                    path.display()
                ),
            ));
        }
        let bytes = fs::read(&path).with_context(|| format!("cannot read {}", path.display()))?;
        super::decode(provider, &path.display().to_string(), &bytes).map(Some)
    }

    fn save(&self, lock: &LoginLock, set: &TokenSet) -> Result<()> {
        fsutil::write_private(
            &token_file(lock.provider())?,
            super::encode(set)?.as_bytes(),
        )
    }

    fn delete(&self, lock: &LoginLock) -> Result<bool> {
        let path = token_file(lock.provider())?;
        match fs::remove_file(&path) {
            Ok(()) => Ok(true),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(false),
            Err(e) => Err(e).with_context(|| format!("cannot delete {}", path.display())),
        }
    }
}
