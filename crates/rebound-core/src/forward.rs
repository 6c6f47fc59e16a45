//! Forward-paths named by a reply: `251 User not local; will forward to <x>` and
//! `551 User not local; please try <x>` (RFC 5321 section 3.4), and the wordings servers and
//! their administrators use instead, on any line of a multi-line reply: `User has moved to x`
//! (Postfix's relocated(5) table), `has been replaced by x`, `try x instead`, `mail should now
//! be sent to x`, `please direct future mail to x`, `new address: x`, `address has changed
//! to x`, `is now at x`, `can be reached at x`, `please resend to x`; and, in a 251 or 551
//! reply, an address standing alone on the reply's last line ([`lone_address`]).
//!
//! A forward-path is a hint, never an instruction: a hostile server could name any address,
//! so Rebound records it and never follows it on its own.

use crate::phrases::Phrases;
use regex::Regex;
use serde::{Deserialize, Serialize};
use std::sync::LazyLock;

/// A forward-path named by the receiving server.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ForwardHint {
    /// The address the server named.
    pub address: String,
    /// True when the server says it forwards the message itself (251); false when it asks
    /// the sender to use the address instead (551).
    pub will_forward: bool,
    /// Whether the named address is in the original recipient's domain; `None` when the
    /// recipient is not known (written as `null`).
    #[serde(default)]
    pub same_domain: Option<bool>,
}

/// The phrases that introduce a forward-path, then the address, in angle brackets or bare.
static FORWARD: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r#"(?i)\b(?:please\s+try|try|will\s+forward\s+to|forwarding\s+to|forwarded\s+to|(?:has\s+)?moved\s+to|(?:has\s+been\s+)?replaced\s+by|new\s+(?:e-?mail\s+)?address(?:\s+is)?\s*:?|(?:should|must)\s+(?:now\s+)?be\s+(?:sent|addressed|directed)\s+to|direct\s+(?:all\s+|any\s+|future\s+|your\s+)*(?:mail|e-?mail|messages|correspondence)\s+to|(?:address|e-?mail)\s+(?:has\s+)?changed\s+to|is\s+now\s+at|can\s+(?:now\s+)?be\s+reached\s+at|please\s+resend\s+(?:it\s+|your\s+message\s+)?to)\s*<?([^\s<>"',;()\[\]]+@[^\s<>"',;()\[\]]+)"#,
    )
    .unwrap_or_else(|e| unreachable!("fixed forward-path pattern compiles: {e}"))
});

/// A word each phrase of [`FORWARD`] contains: most replies have none, and skip the regex.
static PHRASE_WORDS: LazyLock<Phrases> = LazyLock::new(|| {
    Phrases::leftmost_first(
        [
            "try",
            "forward",
            "moved",
            "replaced",
            "new address",
            "new e",
            "be sent",
            "be addressed",
            "be directed",
            "direct ",
            "changed to",
            "now at",
            "reached at",
            "resend",
        ]
        .into_iter(),
    )
});

/// The first forward-path in `text`, trailing punctuation removed.
pub fn find_forward_path(text: &str) -> Option<String> {
    if !text.contains('@') || PHRASE_WORDS.find(text).is_none() {
        return None;
    }
    let caps = FORWARD.captures(text)?;
    let address = caps
        .get(1)?
        .as_str()
        .trim_end_matches(['.', '>', ':', '!', '?']);
    let (local, domain) = address.rsplit_once('@')?;
    (!local.is_empty() && !domain.is_empty()).then(|| address.to_string())
}

/// The address standing alone on the last line of a multi-line reply's text (`raw`, the lines
/// after the code), the way a 251/551 reply may end: `551-User not local` then
/// `551 <jdoe@relay.example.net>`. Continuation prefixes (`551-`, `551 `, a status) are
/// skipped; the line must hold nothing but the address.
pub fn lone_address(raw: &str) -> Option<String> {
    let last = raw.lines().rev().find(|l| !l.trim().is_empty())?;
    let mut words: Vec<&str> = last.split_whitespace().collect();
    while words.first().is_some_and(|w| {
        let w = w.trim_end_matches('-');
        !w.is_empty() && w.bytes().all(|b| b.is_ascii_digit() || b == b'.')
    }) {
        words.remove(0);
    }
    let [word] = words[..] else {
        return None;
    };
    let address = word
        .trim_start_matches('<')
        .trim_end_matches(['.', '>'])
        .trim_end_matches('>');
    let (local, domain) = address.rsplit_once('@')?;
    let ok = !local.is_empty()
        && domain.contains('.')
        && !address.contains(['<', '>', '"', ',', ';', '(', ')', '[', ']']);
    ok.then(|| address.to_string())
}

/// Whether two addresses share a domain (case-insensitive, ignoring a trailing dot).
pub fn same_domain(a: &str, b: &str) -> bool {
    fn domain(addr: &str) -> &str {
        addr.trim_matches(['<', '>'])
            .rsplit_once('@')
            .map_or("", |(_, d)| d.trim_end_matches('.'))
    }
    let (da, db) = (domain(a), domain(b));
    !da.is_empty() && da.eq_ignore_ascii_case(db)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_wordings() {
        let cases = [
            (
                "User not local; please try <jdoe@relay.example.net>",
                "jdoe@relay.example.net",
            ),
            (
                "User not local; will forward to <j@example.org>",
                "j@example.org",
            ),
            ("User has moved to jane@example.com.", "jane@example.com"),
            (
                "The address has been replaced by new@example.com",
                "new@example.com",
            ),
            ("not here, try x@example.com instead", "x@example.com"),
            (
                "user moved to <a.b@example.co.uk>; update your list",
                "a.b@example.co.uk",
            ),
            (
                "User not local. Mail should now be sent to <j.doe@example.net>",
                "j.doe@example.net",
            ),
            (
                "Please direct future mail to jdoe@example.org.",
                "jdoe@example.org",
            ),
            ("New address: <jdoe@example.org>", "jdoe@example.org"),
            (
                "Her e-mail address has changed to jd@example.org",
                "jd@example.org",
            ),
            ("Jane is now at jane@example.com", "jane@example.com"),
            (
                "She can be reached at <jane@example.com>",
                "jane@example.com",
            ),
            ("please resend to jane@example.com", "jane@example.com"),
        ];
        for (text, want) in cases {
            assert_eq!(find_forward_path(text).as_deref(), Some(want), "{text}");
        }
    }

    #[test]
    fn no_hint() {
        for text in [
            "User not local",
            "please try again later",
            "try <@example.com>",
            "moved to @",
            "unable to send to jane@example.com",
            "550 delivery to jane@example.com failed",
        ] {
            assert_eq!(find_forward_path(text), None, "{text}");
        }
    }

    #[test]
    fn an_address_alone_on_the_last_line() {
        assert_eq!(
            lone_address("User not local\n551 <jdoe@relay.example.net>").as_deref(),
            Some("jdoe@relay.example.net")
        );
        assert_eq!(
            lone_address("User not local\n551 5.1.6 jdoe@relay.example.net").as_deref(),
            Some("jdoe@relay.example.net")
        );
        assert_eq!(
            lone_address("User not local; ask <postmaster@x.example>"),
            None
        );
        assert_eq!(lone_address("User not local\n551 <jdoe@localhost>"), None);
    }

    #[test]
    fn domains() {
        assert!(same_domain("jdoe@Example.com", "<john@example.COM.>"));
        assert!(!same_domain("jdoe@example.com", "jdoe@relay.example.net"));
        assert!(!same_domain("jdoe", "x"));
    }
}
