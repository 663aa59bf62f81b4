//! Ctrl-C during a login.
//!
//! While the listener waits for the browser, Ctrl-C wakes it: the wait ends with
//! [`Failure::Interrupted`](crate::error::Failure), the listener is dropped (its socket
//! closed), nothing is stored, and the process exits 130, the shell's code for SIGINT
//! (SECURITY.md row 9). After the wait (the code exchange, the ID token checks) Ctrl-C ends the
//! process at once, with 130 too, but never while the tokens are being stored: [`storing`]
//! holds it off until the store is whole, so no half-written file or temporary copy of the
//! tokens is left behind.
//!
//! The `ctrlc` crate runs the handler on a thread of its own, outside signal context: that is
//! what makes waking the listener and taking a lock sound here (a raw signal handler may do
//! neither), and it covers the console's Ctrl-C on Windows as well.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use anyhow::{Context, Result};
use mio::Waker;

/// The listener waiting for the browser, if it is waiting.
static WAITER: Mutex<Option<Arc<Waker>>> = Mutex::new(None);
static INTERRUPTED: AtomicBool = AtomicBool::new(false);
static STORED: AtomicBool = AtomicBool::new(false);

fn waiter() -> MutexGuard<'static, Option<Arc<Waker>>> {
    WAITER.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Takes over Ctrl-C for the rest of the process (a login).
pub fn install() -> Result<()> {
    ctrlc::set_handler(on_interrupt).context("could not set up the Ctrl-C handler")
}

fn on_interrupt() {
    // Blocks while the tokens are being stored (see `storing`).
    let waiter = waiter();
    INTERRUPTED.store(true, Ordering::SeqCst);
    match waiter.as_ref() {
        Some(waker) => {
            // Failing to wake means the listener is already gone, which is what we want.
            let _ = waker.wake();
        }
        None => {
            let what = match STORED.load(Ordering::SeqCst) {
                true => "the login was stored",
                false => "nothing was stored",
            };
            eprintln!("error: interrupted; {what}");
            std::process::exit(130);
        }
    }
}

/// Ctrl-C wakes `waker` instead of ending the process, until the guard is dropped.
pub fn watch(waker: Arc<Waker>) -> Watch {
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

/// Has Ctrl-C been pressed?
pub fn interrupted() -> bool {
    INTERRUPTED.load(Ordering::SeqCst)
}

/// Holds Ctrl-C off while the tokens are stored; call [`Storing::stored`] once they are.
pub fn storing() -> Storing {
    Storing { _hold: waiter() }
}

/// The hold of [`storing`]: Ctrl-C waits until it is dropped.
pub struct Storing {
    _hold: MutexGuard<'static, Option<Arc<Waker>>>,
}

impl Storing {
    /// The tokens are stored: a Ctrl-C from now on says so.
    pub fn stored(self) {
        STORED.store(true, Ordering::SeqCst);
    }
}
