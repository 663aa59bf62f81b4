//! Judging a line pasted on stdin (`login --no-browser`): a pure function, no I/O, and the
//! notes that say why a line was not taken.

use super::callback::{
    Answer, CALLBACK_PATH, Expected, Head, Page, Verdict, judge, reject, too_large,
};
use super::paste::{Line, Stdin};
use super::request::MAX_REQUEST;
use crate::output;

/// Judges a line the user pasted (`login --no-browser`): the address their browser shows
/// after the provider redirected it to us, `http://127.0.0.1:PORT/callback?...`. It must name
/// exactly our redirect URI, and is then judged exactly as the browser's request would be
/// ([`judge`]: state first, then `iss`, then the code or the error), so a pasted URL is taken
/// only with the pending login's state (SECURITY.md row 20). A fragment is not part of it.
pub fn judge_pasted(line: &[u8], expected: &Expected) -> Verdict {
    let not_ours = "it is not the address of oauthcli's redirect";
    let Ok(text) = std::str::from_utf8(line) else {
        return reject(400, Page::BadRequest, "it is not text");
    };
    let text = text.trim();
    if text.len() > MAX_REQUEST {
        return too_large();
    }
    let Some(rest) = text.strip_prefix("http://") else {
        return reject(400, Page::BadRequest, not_ours);
    };
    let rest = rest.split_once('#').map_or(rest, |(before, _)| before);
    let Some(slash) = rest.find(['/', '?']) else {
        return reject(400, Page::BadRequest, not_ours);
    };
    let (host, target) = rest.split_at(slash);
    if host != expected.host {
        return reject(
            400,
            Page::BadRequest,
            "it names another port or host than this login's redirect",
        );
    }
    if !target.starts_with('/') || !target.bytes().all(|b| b.is_ascii_graphic()) {
        return reject(400, Page::BadRequest, not_ours);
    }
    let head = Head {
        method: "GET".into(),
        target: target.into(),
        host: host.into(),
    };
    judge(&head, expected)
}

/// Judges the lines pasted since the last look: the first answer, if one came (the lines
/// after it are never judged); each line refused is said on stderr, and the login goes on
/// waiting.
pub fn take(stdin: &mut Stdin, expected: &Expected) -> Option<Answer> {
    while let Some(line) = stdin.next_line() {
        let verdict = match line {
            Line::Text(text) if text.trim_ascii().is_empty() => continue,
            Line::Text(text) => judge_pasted(&text, expected),
            Line::TooLong => {
                not_taken(expected, "it is longer than a redirect address can be");
                continue;
            }
        };
        match verdict {
            Verdict::Reject { why, .. } => not_taken(expected, why),
            Verdict::Answer(answer) => return Some(answer),
        }
    }
    None
}

/// Says why a pasted line was refused: `why` names the rule, never what the line held.
fn not_taken(expected: &Expected, why: &str) {
    output::note(&format!(
        "That line was not taken: {why}. Paste the whole address the browser shows at the end \
         of this login (http://{}{CALLBACK_PATH}?...), on one line; still waiting.",
        expected.host,
    ));
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::flow::callback::fixture::{HOST, ISS, exp};
    use crate::secret::Secret;

    fn paste(line: &str) -> Verdict {
        judge_pasted(line.as_bytes(), &exp(false))
    }

    #[test]
    fn a_pasted_redirect_is_judged_like_the_callback() {
        assert_eq!(
            paste(&format!(
                "  http://{HOST}/callback?code=abc&state=s1&{ISS}#frag\n"
            )),
            Verdict::Answer(Answer::Code(Secret::new("abc")))
        );
        assert_eq!(
            paste(&format!(
                "http://{HOST}/callback?error=access_denied&state=s1"
            )),
            Verdict::Answer(Answer::Denied {
                error: "access_denied".into(),
                description: None
            })
        );
        assert!(matches!(
            paste(&format!(
                "http://{HOST}/callback?code=abc&state=s1&iss=https%3A%2F%2Fevil.example"
            )),
            Verdict::Answer(Answer::Abort(_))
        ));
    }

    #[test]
    fn pasted_garbage_or_another_login_is_refused() {
        for line in [
            "",
            "garbage",
            "code=abc&state=s1",
            "https://127.0.0.1:4711/callback?code=abc&state=s1",
            "http://127.0.0.1:4712/callback?code=abc&state=s1",
            "http://localhost:4711/callback?code=abc&state=s1",
            "http://127.0.0.1:4711/other?code=abc&state=s1",
            "http://127.0.0.1:4711/callback?code=abc&state=s2",
            "http://127.0.0.1:4711/callback?code=abc",
            "http://127.0.0.1:4711/callback?code=a b&state=s1",
            "http://127.0.0.1:4711",
        ] {
            assert!(
                matches!(paste(line), Verdict::Reject { .. }),
                "{line:?}: {:?}",
                paste(line)
            );
        }
        assert!(matches!(
            judge_pasted(b"http://127.0.0.1:4711/\xff", &exp(false)),
            Verdict::Reject { .. }
        ));
    }
}
