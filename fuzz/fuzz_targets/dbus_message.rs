//! What the D-Bus session bus sends the keychain store, as arbitrary bytes: framed as the
//! store frames it (`message_len` of the first 16 bytes, then the message), parsed
//! (`Message::decode`), and read by every reply reader of the Secret Service store
//! (`src/store/keychain/secret_service/reply.rs`). Another process of the user's may own the
//! bus name the store talks to; whatever it sends must never panic, never make the store
//! read past the message, and never take long.
//!
//! The modules are compiled from the project's own files, as in `callback.rs`, so that the
//! target builds without the library's HTTP, TLS and keychain stacks.

#![no_main]
// The library uses more of these modules than the target does.
#![allow(dead_code)]

#[path = "../../src/store/keychain/secret_service"]
mod secret_service {
    pub mod message;
    pub mod reply;
    pub mod wire;
}

use libfuzzer_sys::fuzz_target;
use secret_service::message::{MAX_MESSAGE, Message, message_len};
use secret_service::reply;

fuzz_target!(|data: &[u8]| {
    let Some(fixed) = data.get(..16) else {
        return;
    };
    let Ok(len) = message_len(fixed.try_into().unwrap()) else {
        return;
    };
    assert!((16..=MAX_MESSAGE).contains(&len), "a length of {len}");
    // The store reads exactly `len` bytes; a shorter input is a bus that closed.
    let Some(raw) = data.get(..len) else {
        return;
    };
    let Ok(m) = Message::decode(raw) else {
        return;
    };
    assert!(m.body.len() <= raw.len());
    let _ = reply::session(&m);
    if let Ok(found) = reply::found(&m) {
        let listed: usize = found
            .unlocked
            .iter()
            .chain(&found.locked)
            .map(String::len)
            .sum();
        assert!(listed <= m.body.len());
    }
    if let Ok(secret) = reply::secret(&m) {
        assert!(secret.len() <= m.body.len());
    }
    let _ = reply::object(&m);
    let _ = reply::flag(&m);
    let _ = reply::unlock_prompt(&m);
    let _ = reply::create_prompt(&m);
    let _ = reply::dismissed(&m);
    assert!(reply::error_text(&m).len() <= m.body.len());
});
