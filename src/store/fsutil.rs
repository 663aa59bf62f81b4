//! Writing files whole and private: a temporary file (`tempfile`, a random name) created
//! with mode 0600 (not chmod after, so no other user can open it in between), flushed to
//! disk, then renamed over the target, so a crash leaves the old file or the new one, never half of either
//! (SECURITY.md row 17).

use std::fs::{self, File};
use std::io::Write;
#[cfg(unix)]
use std::os::unix::fs::{DirBuilderExt, PermissionsExt};
use std::path::Path;

use anyhow::{Context, Result, bail};
use tempfile::NamedTempFile;

/// Creates `dir` (and parents) with mode 0700 where missing; an existing `dir` that others
/// may enter is made 0700 (it is ours: oauthcli's own directory).
pub fn private_dir(dir: &Path) -> Result<()> {
    let mut builder = fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    builder.mode(0o700);
    builder
        .create(dir)
        .with_context(|| format!("cannot create the directory {}", dir.display()))?;
    #[cfg(unix)]
    {
        let mode = fs::metadata(dir)
            .with_context(|| format!("cannot read {}", dir.display()))?
            .permissions()
            .mode();
        if mode & 0o077 != 0 {
            fs::set_permissions(dir, fs::Permissions::from_mode(0o700))
                .with_context(|| format!("cannot make {} private", dir.display()))?;
        }
    }
    Ok(())
}

/// Checks that `write_private` can write in `dir` now, by creating (privately) and deleting
/// a probe file there.
pub fn check_writable(dir: &Path) -> Result<()> {
    private_dir(dir)
        .and_then(|()| temporary(dir, ".probe").map(drop))
        .with_context(|| {
            format!(
                "tokens cannot be stored in {}: make it a directory you can write to, or keep \
                 tokens in the OS keychain with --storage keyring",
                dir.display()
            )
        })
}

/// A new file in `dir` with a random name (so no leftover of a crashed process, whose pid
/// another process may now have, is in the way), readable and writable by its owner alone
/// from its creation; deleted when dropped unless persisted.
fn temporary(dir: &Path, prefix: &str) -> Result<NamedTempFile> {
    let mut builder = tempfile::Builder::new();
    builder.prefix(prefix).suffix(".tmp");
    #[cfg(unix)]
    builder.permissions(fs::Permissions::from_mode(0o600));
    builder
        .tempfile_in(dir)
        .with_context(|| format!("cannot create a file in {}", dir.display()))
}

/// Writes `bytes` to `target` atomically, the file readable by its owner alone.
pub fn write_private(target: &Path, bytes: &[u8]) -> Result<()> {
    let (Some(dir), Some(name)) = (target.parent(), target.file_name()) else {
        bail!("{} is not a file in a directory", target.display());
    };
    private_dir(dir)?;
    let mut tmp = temporary(dir, &format!(".{}.", name.to_string_lossy()))?;
    tmp.write_all(bytes)?;
    tmp.as_file().sync_all()?;
    tmp.persist(target)
        .with_context(|| format!("cannot replace {}", target.display()))?;
    // Make the rename itself durable.
    if let Ok(d) = File::open(dir) {
        let _ = d.sync_all();
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_leftover_of_a_process_with_our_pid_is_not_in_the_way() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("local.json");
        // What an earlier version left behind when it crashed with this pid.
        let stale = dir
            .path()
            .join(format!(".local.json.{}.tmp", std::process::id()));
        fs::write(&stale, b"stale").unwrap();
        write_private(&target, b"new").unwrap();
        assert_eq!(fs::read(&target).unwrap(), b"new");
        #[cfg(unix)]
        assert_eq!(
            fs::metadata(&target).unwrap().permissions().mode() & 0o777,
            0o600
        );
        // Only the target and the stale file: no temporary file of ours is left.
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 2);
        check_writable(dir.path()).unwrap();
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 2);
    }
}
