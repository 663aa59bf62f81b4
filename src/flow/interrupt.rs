//! Ctrl-C during a login: it always means exit 130 with nothing stored, unless the tokens
//! were stored already (SECURITY.md row 9).
//!
//! While the listener waits for the browser, Ctrl-C wakes it: the wait ends with
//! [`Failure::Interrupted`](crate::error::Failure), the listener is dropped (its socket
//! closed), nothing is stored, and the process exits 130, the shell's code for SIGINT.
//! A Ctrl-C in the very moment the answer came is not lost: the wait checks [`check`] once
//! more after it stopped watching, and so do the code exchange and the store
//! ([`storing`]); after the wait, Ctrl-C ends the process at once, with 130 too, but never
//! while the tokens are being stored: [`storing`] holds it off until the store is whole, so
//! no half-written file or temporary copy of the tokens is left behind.
//!
//! The `ctrlc` crate runs the handler on a thread of its own, outside signal context: that is
//! what makes waking the listener and taking a lock sound here (a raw signal handler may do
//! neither), and it covers the console's Ctrl-C on Windows as well. That thread runs a
//! moment after the signal came, though: on Unix a signal handler of our own, chained in
//! front of the crate's, records the Ctrl-C in [`INTERRUPTED`] the instant it is delivered
//! (an atomic store is async-signal-safe), so that no check made after that instant can miss
//! it, whichever thread runs first; and where the terminal's cursor stood then, for the
//! message to start on a line of its own (`cursor::interrupted`).

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use anyhow::{Context, Result};
use tokio::sync::Notify;

use crate::error::Failure;

/// The listener waiting for the browser, if it is waiting.
static WAITER: Mutex<Option<Arc<Notify>>> = Mutex::new(None);
static INTERRUPTED: AtomicBool = AtomicBool::new(false);
static STORED: AtomicBool = AtomicBool::new(false);
/// The main thread has seen the Ctrl-C ([`interrupted`]) and ends the login with
/// [`Failure::Interrupted`], which it reports itself; set and read under [`SAYING`].
static TAKEN: AtomicBool = AtomicBool::new(false);
/// Who says "interrupted": the main thread (through its error) or the handler, never both.
/// The signal handler records a Ctrl-C before the handler thread runs: the main thread can
/// see it first (its wait woke for something else in between) and stop watching, and the
/// handler, finding no listener to wake, would say it too.
static SAYING: Mutex<()> = Mutex::new(());

fn waiter() -> MutexGuard<'static, Option<Arc<Notify>>> {
    WAITER.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Takes over Ctrl-C for the rest of the process (a login).
pub fn install() -> Result<()> {
    // Asked now, so that the moment of a Ctrl-C can be recorded by `cursor::interrupted`.
    crate::cursor::terminal();
    ctrlc::set_handler(on_interrupt).context("could not set up the Ctrl-C handler")?;
    #[cfg(unix)]
    record::chain().context("could not set up the Ctrl-C handler")?;
    Ok(())
}

fn on_interrupt() {
    INTERRUPTED.store(true, Ordering::SeqCst);
    // On Unix the signal handler has done this the moment the signal came.
    #[cfg(not(unix))]
    crate::cursor::interrupted();
    // Blocks while the tokens are being stored (see `storing`).
    let waiter = waiter();
    match waiter.as_ref() {
        Some(waker) => waker.notify_one(),
        None => {
            let _saying = SAYING.lock().unwrap_or_else(PoisonError::into_inner);
            if TAKEN.load(Ordering::SeqCst) {
                return;
            }
            let what = match STORED.load(Ordering::SeqCst) {
                true => "the login was stored",
                false => "nothing was stored",
            };
            crate::cursor::line(&format!("error: interrupted; {what}"));
            std::process::exit(130);
        }
    }
}

/// Ctrl-C wakes `waker` instead of ending the process, until the guard is dropped.
pub fn watch(waker: Arc<Notify>) -> Watch {
    *waiter() = Some(waker);
    Watch
}

/// While alive, Ctrl-C wakes the listener (see [`watch`]).
pub struct Watch;

impl Drop for Watch {
    fn drop(&mut self) {
        *waiter() = None;
    }
}

/// Has Ctrl-C been pressed? When it has, the caller ends the login with
/// [`Failure::Interrupted`], and the handler leaves saying so to it.
pub fn interrupted() -> bool {
    if !INTERRUPTED.load(Ordering::SeqCst) {
        return false;
    }
    let _saying = SAYING.lock().unwrap_or_else(PoisonError::into_inner);
    TAKEN.store(true, Ordering::SeqCst);
    true
}

/// [`Failure::Interrupted`] if Ctrl-C has been pressed: the login must go no further.
pub fn check() -> Result<()> {
    match interrupted() {
        true => Err(Failure::Interrupted.into()),
        false => Ok(()),
    }
}

/// Holds Ctrl-C off while the tokens are stored; call [`Storing::stored`] once they are.
/// [`Failure::Interrupted`] when Ctrl-C came before: then nothing may be stored.
pub fn storing() -> Result<Storing> {
    let hold = waiter();
    check()?;
    Ok(Storing { _hold: hold })
}

/// The hold of [`storing`]: Ctrl-C waits until it is dropped.
pub struct Storing {
    _hold: MutexGuard<'static, Option<Arc<Notify>>>,
}

impl Storing {
    /// The tokens are stored: a Ctrl-C from now on says so.
    pub fn stored(self) {
        STORED.store(true, Ordering::SeqCst);
    }
}

/// The Unix signal handler that records a Ctrl-C the instant it is delivered, then hands
/// the signal on to the `ctrlc` crate's handler, which it was installed in front of.
#[cfg(unix)]
mod record {
    use std::sync::atomic::{AtomicUsize, Ordering};

    use super::INTERRUPTED;

    /// The crate's handler, and whether it takes three arguments (`SA_SIGINFO`).
    static NEXT: AtomicUsize = AtomicUsize::new(libc::SIG_DFL);
    static NEXT_SIGINFO: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

    type Handler = extern "C" fn(libc::c_int);
    type Action = extern "C" fn(libc::c_int, *mut libc::siginfo_t, *mut libc::c_void);

    /// Only async-signal-safe work: atomic loads and stores, and the next handler.
    extern "C" fn on_sigint(sig: libc::c_int, info: *mut libc::siginfo_t, ctx: *mut libc::c_void) {
        INTERRUPTED.store(true, Ordering::SeqCst);
        crate::cursor::interrupted();
        let next = NEXT.load(Ordering::SeqCst);
        if next == libc::SIG_DFL || next == libc::SIG_IGN {
            return;
        }
        // SAFETY: `next` is the handler that sigaction(2) reported for SIGINT, of the kind
        // its flags said; it is called as the kernel would have called it.
        unsafe {
            match NEXT_SIGINFO.load(Ordering::SeqCst) {
                true => std::mem::transmute::<usize, Action>(next)(sig, info, ctx),
                false => std::mem::transmute::<usize, Handler>(next)(sig),
            }
        }
    }

    /// Puts [`on_sigint`] in front of the handler installed for SIGINT (the crate's).
    pub fn chain() -> std::io::Result<()> {
        // SAFETY: plain sigaction(2) calls on zeroed, then filled, `sigaction` structs.
        unsafe {
            let mut old: libc::sigaction = std::mem::zeroed();
            if libc::sigaction(libc::SIGINT, std::ptr::null(), &mut old) != 0 {
                return Err(std::io::Error::last_os_error());
            }
            NEXT.store(old.sa_sigaction, Ordering::SeqCst);
            NEXT_SIGINFO.store(old.sa_flags & libc::SA_SIGINFO != 0, Ordering::SeqCst);
            let mut new: libc::sigaction = std::mem::zeroed();
            new.sa_sigaction = on_sigint as Action as usize;
            // As the crate's: interrupted system calls restart, with the crate's mask.
            new.sa_flags = libc::SA_SIGINFO | libc::SA_RESTART;
            new.sa_mask = old.sa_mask;
            if libc::sigaction(libc::SIGINT, &new, std::ptr::null_mut()) != 0 {
                return Err(std::io::Error::last_os_error());
            }
        }
        Ok(())
    }
}
