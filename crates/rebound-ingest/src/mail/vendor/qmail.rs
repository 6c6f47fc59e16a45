//! qmail's `qmail-send` bounces (also netqmail's and indimail's, which keep its words) and the
//! DragonFly Mail Agent's, which follow them: after "I'm afraid I wasn't able to deliver your
//! message to the following addresses" (qmail) or "This is the DragonFly Mail Agent"
//! (DragonFly), each recipient as `<x@example.com>:` or "There was an error delivering your
//! mail to <x@example.com>.", then the session's account: `192.0.2.1 does not like
//! recipient.`, `mx.example.com [192.0.2.1] did not like our RCPT TO:`, `Remote host said:
//! 550 …`. The host named there is the remote MTA; the command is read by the reply parser
//! from those same words.

use crate::mail::text::{self, Layout};
use crate::mail::{Bounce, Input, dsn, header};
use aho_corasick::AhoCorasick;
use rebound_core::{Reader, SourceKind};
use std::sync::LazyLock;

/// Lines after which the recipients are listed (lower-case, contained in the line).
const START: &[&str] = &[
    "wasn't able to deliver your message",
    "dragonfly mail agent",
];

/// Lines that end the list.
const END: &[&str] = &[
    "--- below this line is a copy",
    "--- enclosed is a copy",
    "message headers follow",
];

/// Where a line names the remote host (lower-case phrase; the host is the word before it,
/// or after it when the phrase ends with a space).
const HOST_PHRASES: &[&str] = &[
    " does not like recipient",
    " did not like our ",
    " failed after i sent the message",
    " failed on data command",
    "remote host ",
    "connected to ",
];

/// The sentences that open a qmail-send or DragonFly bounce, in one automaton.
static OPENINGS: LazyLock<AhoCorasick> = LazyLock::new(|| {
    AhoCorasick::new([
        "This is the qmail-send program",
        "I'm afraid I wasn't able to deliver your message",
        "This is the DragonFly Mail Agent",
    ])
    .unwrap_or_else(|e| unreachable!("fixed sentences compile: {e}"))
});

/// A qmail-send or DragonFly bounce.
pub fn detect(input: &Input<'_>) -> bool {
    OPENINGS.is_match(input.human())
}

/// One record per listed recipient, with the host its session was with.
pub fn parse(input: &Input<'_>) -> Option<Bounce> {
    let layout = Layout {
        start: START,
        end: END,
    };
    let (preamble, blocks) = text::blocks(input.human(), &layout, recipient_line);
    let mut bounce = Bounce::new(SourceKind::Mail, Reader::Qmail);
    bounce.records = text::records(&preamble, blocks);
    for r in &mut bounce.records {
        r.remote_mta = r.diagnostic.as_deref().and_then(remote_host);
    }
    Some(bounce)
}

/// `<x@example.com>:` (qmail) or `There was an error delivering your mail to <x>.`
/// (DragonFly).
fn recipient_line(line: &str) -> Option<(String, &str)> {
    const DRAGONFLY: &str = "there was an error delivering your mail";
    let t = line.trim();
    let head = t.as_bytes().get(..DRAGONFLY.len());
    if head.is_some_and(|h| h.eq_ignore_ascii_case(DRAGONFLY.as_bytes())) {
        return header::address(t).map(|a| (a, ""));
    }
    text::default_recipient(line)
}

/// The host a session account names (`192.0.2.1 does not like recipient.`,
/// `mx.example.com [192.0.2.1] did not like our final DATA:`, `remote host 192.0.2.1 said:`).
fn remote_host(diagnostic: &str) -> Option<String> {
    let lower = diagnostic.to_ascii_lowercase();
    let (at, phrase) = HOST_PHRASES
        .iter()
        .filter_map(|p| memchr::memmem::find(lower.as_bytes(), p.as_bytes()).map(|i| (i, *p)))
        .min_by_key(|&(i, _)| i)?;
    if phrase.ends_with(' ') && !phrase.starts_with(' ') {
        return dsn::host_name(diagnostic.get(at + phrase.len()..)?);
    }
    // The word before the phrase; a bracketed address after a name is the name's.
    let words: Vec<&str> = diagnostic.get(..at)?.split_whitespace().collect();
    let last = words.last()?;
    let word = match words.len() {
        n if n >= 2 && last.starts_with('[') => words[n - 2],
        _ => last,
    };
    dsn::host_name(word).filter(|h| h.contains(['.', ':']) && !h.contains('@'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dragonfly_recipient_lines() {
        assert_eq!(
            recipient_line("There was an error delivering your mail to <kijitora@example.jp>.")
                .map(|(a, _)| a),
            Some("kijitora@example.jp".to_string())
        );
        // A multi-byte character where the phrase would end (found by the fuzzer).
        assert_eq!(
            recipient_line("There was an error delivering your mai\u{b9}l x"),
            None
        );
    }

    #[test]
    fn hosts() {
        assert_eq!(
            remote_host("192.0.2.153 does not like recipient. Remote host said: 550").as_deref(),
            Some("192.0.2.153")
        );
        assert_eq!(
            remote_host("mx.example.net [192.0.2.25] did not like our RCPT TO: 550").as_deref(),
            Some("mx.example.net")
        );
        assert_eq!(
            remote_host("most progress was RCPT TO response; remote host 192.0.2.32 said: 550")
                .as_deref(),
            Some("192.0.2.32")
        );
        assert_eq!(remote_host("Unable to contact LDAP server. (#4.4.3)"), None);
    }
}
