//! Writing files whole and private: a temporary file created with mode 0600 (not chmod
//! after, so no other user can open it in between), flushed to disk, then renamed over the
//! target, so a crash leaves the old file or the new one, never half of either
//! (SECURITY.md row 17).

use std::fs::{self, File, OpenOptions};
use std::io::Write;
#[cfg(unix)]
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt, PermissionsExt};
use std::path::Path;

use anyhow::{Context, Result, bail};

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
    let probe = dir.join(format!(".probe.{}.tmp", std::process::id()));
    private_dir(dir)
        .and_then(|()| {
            private_file(&probe)?;
            fs::remove_file(&probe).with_context(|| format!("cannot delete {}", probe.display()))
        })
        .with_context(|| {
            format!(
                "tokens cannot be stored in {}: make it a directory you can write to, or keep \
                 tokens in the OS keychain with --storage keyring",
                dir.display()
            )
        })
}

/// Creates `path`, which must not exist yet, readable and writable by its owner alone.
fn private_file(path: &Path) -> Result<File> {
    let mut options = OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    options.mode(0o600);
    options
        .open(path)
        .with_context(|| format!("cannot create {}", path.display()))
}

/// Writes `bytes` to `target` atomically, the file readable by its owner alone.
pub fn write_private(target: &Path, bytes: &[u8]) -> Result<()> {
    let (Some(dir), Some(name)) = (target.parent(), target.file_name()) else {
        bail!("{} is not a file in a directory", target.display());
    };
    private_dir(dir)?;
    let tmp = dir.join(format!(
        ".{}.{}.tmp",
        name.to_string_lossy(),
        std::process::id()
    ));
    let result = (|| -> Result<()> {
        let mut f = private_file(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        fs::rename(&tmp, target).with_context(|| format!("cannot replace {}", target.display()))?;
        // Make the rename itself durable.
        if let Ok(d) = File::open(dir) {
            let _ = d.sync_all();
        }
        Ok(())
    })();
    if result.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    result
}
