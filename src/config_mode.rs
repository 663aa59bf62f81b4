//! Who else may change or read the config file, judged as ssh judges its own files
//! (`StrictModes`): the config names the endpoints tokens are sent to and may hold a client
//! secret, so one that another user may change is refused, and one that others may read while
//! it holds a secret gets a warning (SECURITY.md #24).
//!
//! Refused (exit 2): a file writable by its group or by others, a file owned by another user
//! (root aside), and a file in a directory that its group or others may write without the
//! sticky bit (they could put another file in its place). Group-writable counts as loose, as
//! in ssh, because oauthcli cannot know who else is in the group.

#[cfg(unix)]
use std::os::unix::fs::MetadataExt;
use std::path::Path;

use anyhow::Result;

use crate::error;

/// Checks the config file as opened; `holds_secret` says whether it holds a client secret.
#[cfg(unix)]
pub fn check(path: &Path, meta: &std::fs::Metadata, holds_secret: bool) -> Result<()> {
    let fix = |what: &str, how: String| {
        error::config(format!(
            "the config file {} {what}, so another user could change the endpoints your tokens \
             are sent to; oauthcli does not use it: {how}",
            path.display()
        ))
    };
    let mode = meta.mode();
    if mode & 0o022 != 0 {
        return Err(fix(
            "can be changed by other users",
            format!("run 'chmod go-w {}'", path.display()),
        ));
    }
    // SAFETY: geteuid has no preconditions and cannot fail.
    let me = unsafe { libc::geteuid() };
    if meta.uid() != me && meta.uid() != 0 {
        return Err(fix(
            &format!("belongs to another user (uid {})", meta.uid()),
            "use a config file of your own".to_owned(),
        ));
    }
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty())
        && let Ok(d) = std::fs::metadata(dir)
        && d.mode() & 0o022 != 0
        && d.mode() & 0o1000 == 0
    {
        return Err(fix(
            &format!("is in {}, which other users can write to", dir.display()),
            format!("run 'chmod go-w {}' or move the file", dir.display()),
        ));
    }
    if holds_secret && mode & 0o044 != 0 {
        crate::output::note(&format!(
            "warning: the config file {} holds a client secret and other users can read it: run \
             'chmod 600 {}'",
            path.display(),
            path.display()
        ));
    }
    Ok(())
}

/// Elsewhere the OS's own access control is all there is.
#[cfg(not(unix))]
pub fn check(_path: &Path, _meta: &std::fs::Metadata, _holds_secret: bool) -> Result<()> {
    Ok(())
}
