//! The process itself: it holds tokens and client secrets in memory, so on Linux it is made
//! non-dumpable before anything else runs (`prctl(PR_SET_DUMPABLE, 0)`, prctl(2)).
//!
//! A non-dumpable process writes no core dump (a crash cannot leave tokens in a core file
//! or a crash reporter's store), and other processes of the same user that are not
//! privileged can neither ptrace it nor read its `/proc/PID/mem`, `environ` or `maps` (the
//! kernel makes those files root's). The cost is one system call. A debugger run by the same
//! user cannot attach either; run it as root or on a build without this call. SECURITY.md,
//! row 25.

/// Makes this process non-dumpable, where the OS has the notion (Linux).
pub fn harden() {
    #[cfg(target_os = "linux")]
    // SAFETY: PR_SET_DUMPABLE takes one integer argument and touches no memory of ours.
    unsafe {
        // A failure leaves the process as it was, which is how it ran before: nothing to
        // report to a user who cannot change it.
        let _ = libc::prctl(libc::PR_SET_DUMPABLE, 0, 0, 0, 0);
    }
}
