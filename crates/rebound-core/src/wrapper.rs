//! What MTAs write around a reply: the SMTP command it answered (Postfix's trailing
//! `(in reply to RCPT TO command)`, Exim's `after RCPT TO:<x>:`, qmail's `did not like our
//! RCPT TO`, Sendmail's `>>> RCPT To` transcripts, `refused to talk to me` for the greeting)
//! and the remote host they name (`host mx.example.com[192.0.2.1] said:`, Exim's `H=`).

use crate::phrases::{Phrases, find_ignore_ascii_case};
use crate::reply::SmtpCommand;
use std::sync::LazyLock;

/// Phrases that say which command a reply answered (Postfix, Exim, Sendmail transcripts).
#[rustfmt::skip]
const COMMAND_MARKERS: &[(&str, SmtpCommand)] = &[
    ("in reply to rcpt to", SmtpCommand::Rcpt),
    ("did not like our rcpt to", SmtpCommand::Rcpt),
    ("does not like recipient", SmtpCommand::Rcpt),
    // qmail-remote.c: "Connected to H but sender was rejected.", "H failed on DATA command.",
    // "H failed after I sent the message.", "Connected to H but my name was rejected.",
    // "Connected to H but greeting failed."
    ("but sender was rejected", SmtpCommand::Mail),
    ("failed on data command", SmtpCommand::Data),
    ("failed after i sent the message", SmtpCommand::EndOfData),
    ("but my name was rejected", SmtpCommand::Helo),
    ("but greeting failed", SmtpCommand::Connect),
    ("after rcpt to", SmtpCommand::Rcpt),
    ("after pipelined rcpt to", SmtpCommand::Rcpt),
    (">>> rcpt to", SmtpCommand::Rcpt),
    ("in reply to mail from", SmtpCommand::Mail),
    ("after mail from", SmtpCommand::Mail),
    ("after pipelined mail from", SmtpCommand::Mail),
    (">>> mail from", SmtpCommand::Mail),
    ("in reply to end of data", SmtpCommand::EndOfData),
    ("did not like our final data", SmtpCommand::EndOfData),
    ("after end of data", SmtpCommand::EndOfData),
    ("after sending data block", SmtpCommand::EndOfData),
    ("in reply to data command", SmtpCommand::Data),
    ("after data", SmtpCommand::Data),
    ("after pipelined data", SmtpCommand::Data),
    (">>> data", SmtpCommand::Data),
    ("in reply to ehlo", SmtpCommand::Helo),
    ("in reply to helo", SmtpCommand::Helo),
    ("in reply to lhlo", SmtpCommand::Helo),
    ("after ehlo", SmtpCommand::Helo),
    ("after helo", SmtpCommand::Helo),
    (">>> ehlo", SmtpCommand::Helo),
    (">>> helo", SmtpCommand::Helo),
    ("in reply to starttls", SmtpCommand::Starttls),
    ("after starttls", SmtpCommand::Starttls),
    ("in reply to auth", SmtpCommand::Auth),
    ("after auth", SmtpCommand::Auth),
    ("refused to talk to me", SmtpCommand::Connect),
    ("after initial connection", SmtpCommand::Connect),
    ("in reply to initial greeting", SmtpCommand::Connect),
    ("during initial connection", SmtpCommand::Connect),
];

static COMMANDS: LazyLock<Phrases> =
    LazyLock::new(|| Phrases::leftmost_longest(COMMAND_MARKERS.iter().map(|(p, _)| *p)));

/// How far from the end a trailing `(in reply to end of DATA command)` can start (it is
/// looked for only when the input ends with `)`).
pub(crate) const TRAILER_WINDOW: usize = 48;

/// The last `n` bytes of `s` (or a little more, to start on a character boundary).
pub(crate) fn tail(s: &str, n: usize) -> &str {
    let mut start = s.len().saturating_sub(n);
    while !s.is_char_boundary(start) {
        start -= 1;
    }
    &s[start..]
}

/// The command named by the leftmost of [`COMMAND_MARKERS`] in `s` (the longest of those
/// starting there).
pub(crate) fn find_command(s: &str) -> Option<SmtpCommand> {
    if s.len() < 8 {
        return None;
    }
    COMMANDS.find(s).map(|i| COMMAND_MARKERS[i].1)
}

/// Removes a trailing Postfix `(in reply to … command)` from the words.
pub(crate) fn strip_in_reply_to(text: &mut String) {
    const MARK: &[u8] = b"(in reply to";
    if let Some(i) = text.rfind('(')
        && text.ends_with(')')
        && text.as_bytes()[i..]
            .get(..MARK.len())
            .is_some_and(|head| head.eq_ignore_ascii_case(MARK))
    {
        text.truncate(i);
        text.truncate(text.trim_end().len());
    }
}

/// The host named by a Postfix (`host mx.example.com[192.0.2.1] said:`) or Exim
/// (`host mx.example.com [192.0.2.1]:`, `H=mx.example.com [192.0.2.1]`) wrapper.
pub(crate) fn find_remote_host(preamble: &str) -> Option<String> {
    let bytes = preamble.as_bytes();
    let mut from = 0;
    while let Some(pos) = find_ignore_ascii_case(&bytes[from..], b"host ").map(|p| p + from) {
        let word_start = pos == 0 || !bytes[pos - 1].is_ascii_alphanumeric();
        let name_start = pos + 5;
        let name_len = bytes[name_start..]
            .iter()
            .take_while(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_'))
            .count();
        let name = &preamble[name_start..name_start + name_len];
        let next = bytes.get(name_start + name_len).copied();
        if word_start && name.contains('.') && matches!(next, Some(b'[' | b' ' | b':')) {
            return Some(name.trim_end_matches('.').to_ascii_lowercase());
        }
        from = name_start;
    }
    let h = find_ignore_ascii_case(bytes, b"H=")?;
    let name: String = preamble[h + 2..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_'))
        .collect();
    name.contains('.')
        .then(|| name.trim_end_matches('.').to_ascii_lowercase())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn packed_and_automaton_find_the_same_phrase() {
        let automaton = crate::phrases::automaton(
            COMMAND_MARKERS.iter().map(|(p, _)| *p),
            aho_corasick::MatchKind::LeftmostLongest,
        );
        let long = format!("{} In Reply To RCPT TO command", "word ".repeat(60));
        for text in [
            "SMTP error from remote mail server after RCPT TO:<x@y>: 550 no",
            "x said: 554 spam (In Reply To End Of DATA command)",
            "after pipelined MAIL FROM:<a@b> and after pipelined rcpt to",
            ">>> DATA <<< 554 after data",
            "host x refused to talk to me: 554 during initial connection",
            "short",
            "",
            &long,
        ] {
            let want = automaton.find(text).map(|m| m.pattern().as_usize());
            assert_eq!(COMMANDS.find(text), want, "{text}");
        }
    }

    #[test]
    fn remote_hosts_of_postfix_and_exim() {
        let postfix = "host MX.Example.com[192.0.2.1] said:";
        assert_eq!(find_remote_host(postfix).as_deref(), Some("mx.example.com"));
        let exim =
            "SMTP error from remote mail server after RCPT TO:<x@y>: H=mx.example.org. [192.0.2.2]";
        assert_eq!(find_remote_host(exim).as_deref(), Some("mx.example.org"));
        assert_eq!(find_remote_host("ghost town. said"), None);
    }
}
