//! The loopback listener's boundary and callback judge, on arbitrary requests: whatever a
//! local process or a web page sends and hyper lets through. They must never panic, and
//! accept nothing that is not a GET of the callback path with our one Host and our state.
//!
//! The input is cut at newlines: a method, a target, then Host values; a request the `http`
//! types refuse (as hyper would) is skipped. The modules are compiled from the project's
//! own files, so that `crate::secret` and `super::callback` mean in them what they mean in
//! the library: depending on the whole library would build its HTTP, TLS and keychain
//! stacks with the fuzzer's instrumentation for code the target never runs.

#![no_main]
// The library uses more of these modules than the target does.
#![allow(dead_code)]

#[path = "../../src/flow/callback.rs"]
mod callback;
#[path = "../../src/flow/request.rs"]
mod request;
#[path = "../../src/secret.rs"]
mod secret;

use callback::{Expected, Verdict, judge};
use libfuzzer_sys::fuzz_target;

const EXPECTED: Expected<'static> = Expected {
    host: "127.0.0.1:4711",
    state: "s1",
    issuer: Some("http://127.0.0.1:9000"),
    iss_required: false,
};

fuzz_target!(|data: &[u8]| {
    let mut parts = data.split(|&b| b == b'\n');
    let (Some(method), Some(target)) = (parts.next(), parts.next()) else {
        return;
    };
    let mut builder = http::Request::builder().method(method).uri(target);
    for host in parts {
        builder = builder.header(http::header::HOST, host);
    }
    let Ok(req) = builder.body(()) else {
        return;
    };
    let Ok(head) = request::head(&req) else {
        return;
    };
    // Only a GET of /callback, with our one Host and our state, is ever believed.
    if !matches!(judge(&head, &EXPECTED), Verdict::Reject { .. }) {
        assert_eq!(req.method(), http::Method::GET);
        let hosts: Vec<_> = req.headers().get_all(http::header::HOST).iter().collect();
        assert_eq!(hosts, [EXPECTED.host]);
        assert_eq!(req.uri().path(), "/callback");
        let query = req.uri().query().unwrap_or_default();
        let states: Vec<_> = form_urlencoded::parse(query.as_bytes())
            .filter(|(k, _)| k == "state")
            .collect();
        assert_eq!(states.len(), 1);
        assert_eq!(states[0].1, EXPECTED.state);
    }
});
