//! The loopback listener's request parser and callback judge, on arbitrary bytes: whatever a
//! local process or a web page sends. It must never panic, never look past its cap, find the
//! end of a head the same way however the bytes arrive, and accept nothing that is not a
//! well-formed GET of the callback path with our Host and state.
//!
//! The three modules are compiled from the project's own files, so that `crate::secret` and
//! `super::request` mean in them what they mean in the library: depending on the whole
//! library would build its HTTP, TLS and keychain stacks with the fuzzer's instrumentation
//! (eleven minutes on a two-core machine instead of one) for code the target never runs.

#![no_main]
// The library uses more of these modules than the target does.
#![allow(dead_code)]

#[path = "../../src/flow/callback.rs"]
mod callback;
#[path = "../../src/flow/request.rs"]
mod request;
#[path = "../../src/secret.rs"]
mod secret;

use callback::{Expected, Verdict, judge_request};
use libfuzzer_sys::fuzz_target;
use request::MAX_REQUEST;

const EXPECTED: Expected<'static> = Expected {
    host: "127.0.0.1:4711",
    state: "s1",
    issuer: Some("http://127.0.0.1:9000"),
    iss_required: false,
};

fuzz_target!(|data: &[u8]| {
    let verdict = judge_request(data, &EXPECTED);

    // Nothing past the cap changes the verdict: it is never read.
    let capped = &data[..data.len().min(MAX_REQUEST)];
    assert_eq!(verdict, judge_request(capped, &EXPECTED));

    // Only a parsed GET of /callback, with our Host and state, is ever believed.
    if !matches!(verdict, Verdict::Reject { .. }) {
        let end = request::head_end(data, 0).expect("a complete head");
        let head = request::parse(&data[..end]).expect("a well-formed head");
        assert_eq!(head.method, "GET");
        assert_eq!(head.host, EXPECTED.host);
        assert!(head.target.starts_with("/callback?"), "{}", head.target);
    }

    // The end of the head is found the same way when the bytes come in pieces, as the
    // listener reads them (the first byte picks the piece size).
    let step = usize::from(data.first().copied().unwrap_or(1)).max(1);
    let mut seen = 0;
    let mut found = None;
    while seen < data.len() && found.is_none() {
        let next = (seen + step).min(data.len());
        found = request::head_end(&data[..next], seen);
        seen = next;
    }
    assert_eq!(found, request::head_end(data, 0));
});
