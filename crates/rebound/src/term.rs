//! Text for the terminal: what bounces carry (ANSI and OSC escape sequences, NUL, carriage
//! returns, bidirectional overrides) is shown escaped in the non-JSON outputs, so a hostile
//! bounce cannot rewrite the screen, retitle the terminal or hide text. JSON output is left to
//! JSON's own escaping.

use std::borrow::Cow;
use std::fmt::Write;

/// Whether `c` must not reach a terminal as it is: C0 and C1 controls (tab and line breaks
/// included: they would break columns and lines), DEL, and the bidirectional controls.
fn unsafe_char(c: char) -> bool {
    c.is_control()
        || matches!(c, '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// `s` with every unsafe character written as `\xHH` (below U+0100) or `\u{HHHH}`, and a
/// backslash that could be read as such an escape doubled; borrowed when nothing changes.
pub fn escape(s: &str) -> Cow<'_, str> {
    if !s.chars().any(|c| unsafe_char(c) || c == '\\') {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if c == '\\' {
            out.push_str("\\\\");
        } else if !unsafe_char(c) {
            out.push(c);
        } else if (c as u32) < 0x100 {
            let _ = write!(out, "\\x{:02x}", c as u32);
        } else {
            let _ = write!(out, "\\u{{{:04x}}}", c as u32);
        }
    }
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_controls_and_keeps_the_rest() {
        assert!(matches!(escape("bob@example.com"), Cow::Borrowed(_)));
        assert_eq!(escape("a\u{1b}[31mred"), "a\\x1b[31mred");
        assert_eq!(escape("t\u{1b}]0;title\u{7}"), "t\\x1b]0;title\\x07");
        assert_eq!(escape("nul\0 cr\r tab\t"), "nul\\x00 cr\\x0d tab\\x09");
        assert_eq!(escape("c1\u{9b}"), "c1\\x9b");
        assert_eq!(escape("bidi\u{202e}x"), "bidi\\u{202e}x");
        assert_eq!(escape("back\\slash"), "back\\\\slash");
        assert_eq!(escape("ünï 日本"), "ünï 日本");
    }
}
