//! Making untrusted text safe to print on a terminal.
//!
//! Strings that come from a provider (email, error descriptions) could carry escape
//! sequences that rewrite the screen or the window title, or bidi overrides that make text
//! read differently than it is (SECURITY.md row 12). They are shown escaped, never interpreted.

/// Returns `s` with control characters (C0, DEL, C1) and bidi controls replaced by `\u{..}`.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if is_dangerous(c) {
            out.push_str(&format!("\\u{{{:x}}}", c as u32));
        } else {
            out.push(c);
        }
    }
    out
}

/// Is `c` a character a terminal could act on or a reader be misled by: C0, DEL, C1, or a
/// bidi control?
pub fn is_dangerous(c: char) -> bool {
    c.is_control()
        // Bidi embedding, override and isolate controls (Unicode TR9), and the marks.
        || matches!(c, '\u{200e}' | '\u{200f}' | '\u{061c}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// `text` folded for reading at `width` columns: each line broken at spaces, a word longer
/// than the width (a URL) kept whole on a line of its own.
pub fn fold(text: &str, width: usize) -> String {
    let mut out = Vec::new();
    for line in text.lines() {
        let mut current = String::new();
        for word in line.split(' ') {
            let len = current.chars().count();
            if len > 0 && len + 1 + word.chars().count() > width {
                out.push(std::mem::take(&mut current));
            } else if len > 0 {
                current.push(' ');
            }
            current.push_str(word);
        }
        out.push(current);
    }
    out.join("\n")
}

#[cfg(test)]
mod tests {
    use super::{escape, fold};

    #[test]
    fn fold_breaks_at_spaces_and_keeps_long_words_whole() {
        assert_eq!(fold("aa bb cc", 5), "aa bb\ncc");
        assert_eq!(
            fold("a https://example.com/x b", 6),
            "a\nhttps://example.com/x\nb"
        );
        assert_eq!(fold("short\nlines stay", 20), "short\nlines stay");
    }

    #[test]
    fn escapes_control_c1_and_bidi_characters() {
        assert_eq!(escape("alice@example.com"), "alice@example.com");
        assert_eq!(escape("a\u{1b}]0;pwned\u{7}b"), "a\\u{1b}]0;pwned\\u{7}b");
        assert_eq!(escape("x\u{9b}31m"), "x\\u{9b}31m");
        assert_eq!(escape("\u{202e}moc.elpmaxe"), "\\u{202e}moc.elpmaxe");
        assert_eq!(escape("tab\there"), "tab\\u{9}here");
        assert_eq!(escape("line\nnext"), "line\\u{a}next");
    }
}
