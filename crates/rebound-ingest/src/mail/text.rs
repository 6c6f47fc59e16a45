//! Reading a bounce's prose ([`super::human`] gathers it): the reply a recipient got (for
//! DSNs that state no reply code in a field), and the shared scan behind every plain-text
//! bounce format: a recipient line (`<x@example.com>:`, `  x@example.com`) followed by the
//! lines that explain it, between a format's start and end markers. Vendor modules
//! ([`super::vendor`]) and the last-resort reader ([`super::generic`]) configure it.

use super::header;
use super::{Record, diagnostic};
use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};
use rebound_core::find_ignore_ascii_case;
use rebound_core::{Reply, SmtpCommand};
use std::cell::LazyCell;
use std::sync::LazyLock;

/// Whether a diagnostic holds a failure: a 4xx/5xx basic reply code or a class 4/5
/// enhanced status (a transcript's `250 2.1.5 Ok` is not the failure).
pub fn has_reply_code(diagnostic: Option<&str>) -> bool {
    diagnostic
        .filter(|d| may_hold_failure(d.as_bytes()))
        .is_some_and(|d| {
            let (code, status) = Reply::codes(d);
            code.is_some_and(|c| c >= 400) || status.is_some_and(|s| s.class >= 4)
        })
}

/// A cheap test before the reply parser, true whenever it could find a failure: a 4xx/5xx
/// code or a class 4/5 status starts with `4` or `5` followed by a digit or a dot.
fn may_hold_failure(b: &[u8]) -> bool {
    memchr::memchr2_iter(b'4', b'5', b).any(|i| {
        b.get(i + 1)
            .is_some_and(|n| n.is_ascii_digit() || *n == b'.')
    })
}

/// Whether one line holds a reply code (a code and status, or a code where a reply starts).
fn line_has_code(line: &str) -> bool {
    let line = line.trim_start();
    let line = diagnostic::received_line(line).unwrap_or(line);
    has_code_shape(line.as_bytes()) && Reply::codes(line).0.is_some_and(|c| c >= 400)
}

/// A cheap test before the reply parser: three digits starting with 4 or 5 standing alone
/// (not inside a longer number).
fn has_code_shape(b: &[u8]) -> bool {
    // Jumps from one `4` or `5` to the next instead of testing every byte.
    memchr::memchr2_iter(b'4', b'5', b).any(|i| code_shape_at(b, i))
}

/// [`has_code_shape`] at one position (a `4` or `5`). No digit is a line break, so the
/// answer at a position of a whole text is the answer in its line.
fn code_shape_at(b: &[u8], i: usize) -> bool {
    b.get(i + 1..i + 3)
        .is_some_and(|w| w.iter().all(u8::is_ascii_digit))
        && (i == 0 || !b[i - 1].is_ascii_digit())
        && !b.get(i + 3).is_some_and(u8::is_ascii_digit)
}

/// The first line with a reply code ([`line_has_code`]) among the lines starting in
/// `from..to` (both line starts), with its start. Only the lines with the shape of a code
/// are looked at, found by one search over the text rather than a test per line.
fn first_code_line(text: &str, from: usize, to: usize) -> Option<(usize, &str)> {
    let b = text.as_bytes();
    let mut at = from;
    while at < to {
        let i = at
            + memchr::memchr2_iter(b'4', b'5', &b[at..to]).find(|&k| code_shape_at(b, at + k))?;
        let start = memchr::memrchr(b'\n', &b[..i]).map_or(0, |nl| nl + 1);
        let (line, next) = match memchr::memchr(b'\n', &b[i..]) {
            // As `str::lines` gives it: without the `\n`, or the `\r\n`.
            Some(nl) => {
                let line = &text[start..i + nl];
                (line.strip_suffix('\r').unwrap_or(line), i + nl + 1)
            }
            None => (&text[start..], b.len()),
        };
        if line_has_code(line) {
            return Some((start, line));
        }
        at = next;
    }
    None
}

/// A reply found in the human-readable text, with the SMTP command it answered when the text
/// says so.
#[derive(Debug, PartialEq, Eq)]
pub struct ProseReply {
    /// The reply line and its continuation lines, joined.
    pub text: String,
    /// From a session transcript's `>>>` line right before the `<<<` reply, else from the
    /// reply's own words (`(in reply to RCPT TO command)`).
    pub command: Option<SmtpCommand>,
}

/// Local delivery agents whose own error line a Sendmail transcript writes above the reply.
const LOCAL_AGENTS: [&str; 5] = [
    "mail.local: ",
    "procmail: ",
    "maildrop: ",
    "vdelivermail: ",
    "vdeliver: ",
];

/// The reply the human-readable text (cut where the returned message starts, see
/// [`super::human::returned_start`]) gives for a recipient: the first line with a reply code at or
/// after the line naming the recipient (else anywhere), with the continuation lines that follow it.
/// A continuation line may repeat the address (Postfix indents `    <x@y>: Recipient address
/// rejected`); an address at the start of an unindented line is the next recipient. A local
/// delivery agent's line right above the reply (Sendmail: `mail.local: unknown user: x` above its
/// generic `554 <x>... Service unavailable`) is the cause, and is added after it.
pub fn reply_for(text: &str, recipient: Option<&str>) -> Option<ProseReply> {
    // Byte offsets rather than a vector of every line: the search usually ends a few lines
    // after the recipient's.
    let from = recipient
        .filter(|r| !r.is_empty())
        .and_then(|r| line_start_of(text, r))
        .unwrap_or(0);
    let (pick, picked) =
        first_code_line(text, from, text.len()).or_else(|| first_code_line(text, 0, from))?;
    Some(reply_at(text, pick, picked))
}

/// [`reply_for`] for the recipients of one text, asked in the order the text lists them: the
/// code lines are found once, and each recipient's line is searched from the line of the one
/// before, so a notice listing a hundred thousand recipients is read in a few passes rather
/// than a pass per recipient.
pub struct ProseReplies<'a> {
    text: &'a str,
    /// Where each line with a reply code starts, in order.
    codes: Vec<usize>,
    /// The line where the last recipient was found.
    cursor: usize,
}

impl<'a> ProseReplies<'a> {
    /// Finds the code lines of `text`.
    pub fn new(text: &'a str) -> ProseReplies<'a> {
        let mut codes = Vec::new();
        let mut at = 0;
        while let Some((start, _)) = first_code_line(text, at, text.len()) {
            codes.push(start);
            at = memchr::memchr(b'\n', &text.as_bytes()[start..])
                .map_or(text.len(), |nl| start + nl + 1);
        }
        ProseReplies {
            text,
            codes,
            cursor: 0,
        }
    }

    /// What [`reply_for`] gives for `recipient`, but for a recipient named before the one
    /// asked about last: its line is looked for from that one's on.
    pub fn reply_for(&mut self, recipient: Option<&str>) -> Option<ProseReply> {
        let text = self.text;
        let first = *self.codes.first()?;
        let from = match recipient.filter(|r| !r.is_empty()) {
            Some(r) => match line_start_of(&text[self.cursor..], r) {
                Some(at) => {
                    self.cursor += at;
                    self.cursor
                }
                None => line_start_of(text, r).unwrap_or(0),
            },
            None => 0,
        };
        let next = self.codes.partition_point(|&c| c < from);
        let pick = self.codes.get(next).copied().unwrap_or(first);
        let end =
            memchr::memchr(b'\n', &text.as_bytes()[pick..]).map_or(text.len(), |nl| pick + nl);
        let line = &text[pick..end];
        Some(reply_at(
            text,
            pick,
            line.strip_suffix('\r').unwrap_or(line),
        ))
    }
}

/// The reply whose code line `picked` starts at `pick` in `text` (see [`reply_for`]).
fn reply_at(text: &str, pick: usize, picked: &str) -> ProseReply {
    let picked = picked.trim();
    let received = diagnostic::received_line(picked);
    let mut out = received.unwrap_or(picked).trim_start().to_string();
    for l in text[pick..].lines().skip(1).take(8) {
        let t = l.trim();
        let indented = l.starts_with([' ', '\t']);
        if t.is_empty() || (!indented && address_line(t).is_some()) {
            break;
        }
        out.push(' ');
        out.push_str(t);
    }
    let above = text[..pick]
        .lines()
        .rev()
        .map(str::trim)
        .find(|l| !l.is_empty());
    if let Some(agent) = above.filter(|l| LOCAL_AGENTS.iter().any(|a| l.starts_with(a))) {
        out.push(' ');
        out.push_str(agent);
    }
    let sent = received.is_some().then(|| {
        text[..pick]
            .lines()
            .rev()
            .map(str::trim)
            .find(|l| !l.is_empty() && diagnostic::received_line(l).is_none())
            .and_then(diagnostic::sent_line)
            .and_then(|l| diagnostic::sent_command(l.trim()))
    });
    let command = sent.flatten().or_else(|| diagnostic::command_in(&out));
    ProseReply { text: out, command }
}

/// The prose's words about a recipient when it gives no reply code: the last line naming
/// the recipient with some words besides the address (`<x@y>... Deferred: Name server: …`,
/// `Your message wasn't delivered to x@y because …`) and the next non-blank lines, up to 4.
pub fn explanation_for(text: &str, recipient: Option<&str>) -> Option<String> {
    let r = recipient.filter(|r| r.contains('@'))?.to_ascii_lowercase();
    let lines: Vec<&str> = text.lines().collect();
    let at = lines.iter().rposition(|l| {
        let lower = l.to_ascii_lowercase();
        lower.contains(&r)
            && lower
                .replace(&r, "")
                .chars()
                .filter(|c| c.is_alphanumeric())
                .count()
                >= 8
    })?;
    let mut out: Vec<&str> = vec![lines[at].trim()];
    out.extend(
        lines[at + 1..]
            .iter()
            .map(|l| l.trim())
            .take_while(|l| !l.is_empty() && !l.starts_with("--") && address_line(l).is_none())
            .take(3),
    );
    Some(out.join(" "))
}

/// Where the first line containing `needle` (ASCII case-insensitive) starts, by one search
/// over the text rather than one per line.
fn line_start_of(text: &str, needle: &str) -> Option<usize> {
    let at = find_ignore_ascii_case(text, needle)?;
    Some(memchr::memrchr(b'\n', &text.as_bytes()[..at]).map_or(0, |nl| nl + 1))
}

/// Whether `needle` occurs in `haystack`, ASCII letters compared case-insensitively (see
/// [`find_ignore_ascii_case`]).
pub fn contains_ignore_ascii_case(haystack: &str, needle: &str) -> bool {
    find_ignore_ascii_case(haystack, needle).is_some()
}

/// `s.trim_start_matches(prefix)`, without building a substring searcher for each call (this
/// runs for every line that holds an `@`).
fn strip_repeated<'a>(mut s: &'a str, prefix: &str) -> &'a str {
    while let Some(rest) = s.strip_prefix(prefix).filter(|_| !prefix.is_empty()) {
        s = rest;
    }
    s
}

/// A recipient line: an address (bare or in `<…>`) at the start of the trimmed line,
/// followed by nothing, `:` or `...`. Returns the address and what follows on the line.
pub fn address_line(line: &str) -> Option<(String, &str)> {
    // Most lines of a text name no address: one byte search says so.
    memchr::memchr(b'@', line.as_bytes())?;
    let t = line.trim();
    let (addr, rest) = if let Some(inner) = t.strip_prefix('<') {
        let end = inner.find('>')?;
        (&inner[..end], &inner[end + 1..])
    } else {
        let end = t
            .find(|c: char| c.is_whitespace() || matches!(c, ':' | ',' | '<'))
            .unwrap_or(t.len());
        let rest = &t[end..];
        // Outlook's text rendering of a link: `x@y<mailto:x@y>`.
        let rest = match rest.strip_prefix("<mailto:") {
            Some(link) => link.split_once('>').map_or("", |(_, after)| after),
            None => rest,
        };
        (&t[..end], rest)
    };
    let addr = strip_repeated(addr, "mailto:");
    let (local, domain) = addr.rsplit_once('@')?;
    // An address has no white space nor `<` in it: `<<< 551 User not local; please try
    // <x@y>` is a transcript's reply naming a forward-path, not a recipient line.
    if local.is_empty()
        || !domain.contains('.')
        || addr.contains(['(', ')', '"', '[', '<', ';'])
        || addr.contains(char::is_whitespace)
        || domain.ends_with('.')
    {
        return None;
    }
    let rest = strip_repeated(rest, "...").trim_start();
    let rest = match rest.strip_prefix(':') {
        Some(r) => r.trim(),
        None if rest.is_empty() => rest,
        // `x@example.com (generated from …)`, `x@example.com  host … said`: keep as text.
        None if line.starts_with(char::is_whitespace)
            || rest.starts_with('(')
            || rest.starts_with('\t') =>
        {
            rest
        }
        None => return None,
    };
    Some((header::clean_address(addr), rest))
}

/// One recipient and the lines that explain its failure.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Block<'a> {
    /// The recipient address.
    pub recipient: String,
    /// The explanation, one entry per line, trimmed; borrowed from the scanned text (no
    /// copy per line: most lines are never used).
    pub lines: Vec<&'a str>,
}

impl Block<'_> {
    /// The explanation as one line.
    pub fn joined(&self) -> String {
        self.lines.join(" ")
    }
}

/// Where a plain-text format lists its recipients.
pub struct Layout<'a> {
    /// Scanning starts after the first line containing one of these (lower-case); empty:
    /// from the first line.
    pub start: &'a [&'a str],
    /// Scanning stops at the first line containing one of these (lower-case).
    pub end: &'a [&'a str],
}

/// Scans `text` for recipient blocks; also returns the lines seen before the first
/// recipient (some formats explain the failure once, above the list). `recipient_of` gives
/// a recipient line's address and the rest of the line after it.
pub fn blocks<'a>(
    text: &'a str,
    layout: &Layout<'_>,
    recipient_of: impl Fn(&'a str) -> Option<(String, &'a str)>,
) -> (Vec<&'a str>, Vec<Block<'a>>) {
    let mut preamble = Vec::new();
    let mut out: Vec<Block> = Vec::new();
    // The markers are searched in the whole text, not line by line: one pass per marker.
    let from = if layout.start.is_empty() {
        0
    } else {
        match marked_line(text, 0, layout.start) {
            Some((_, after)) => after,
            None => return (preamble, out),
        }
    };
    let to = marked_line(text, from, layout.end).map_or(text.len(), |(start, _)| start);
    let mut closed = false;
    for line in text[from..to].lines() {
        if let Some((recipient, rest)) = recipient_of(line)
            // An indented line repeating the block's address continues its reply (Postfix:
            // `said: 550` then `    <x@y>: User unknown`).
            && !(line.starts_with([' ', '\t'])
                && out.last().is_some_and(|b| b.recipient == recipient))
        {
            if out.len() > super::MAX_RECIPIENTS {
                // One past the limit is kept so that `crate::mail::read` sees it was passed.
                break;
            }
            closed = false;
            let mut b = Block {
                recipient,
                lines: Vec::new(),
            };
            if !rest.is_empty() {
                b.lines.push(rest);
            }
            out.push(b);
            continue;
        }
        let t = line.trim();
        if t.is_empty() {
            continue;
        }
        // Sendmail's `----- Transcript of session follows -----` (sendmail/savemail.c) opens
        // the session's account: what follows it is no longer the last recipient's
        // explanation (a transcript names its recipient on the `>>> RCPT To:` line).
        if t.starts_with("-----") && contains_ignore_ascii_case(t, "transcript of session") {
            closed = !out.is_empty();
            continue;
        }
        match out.last_mut() {
            Some(_) if closed => {}
            Some(b) => b.lines.push(sendmail_reason(t)),
            None => preamble.push(t),
        }
    }
    (preamble, out)
}

/// Sendmail's `(reason: 550 5.1.1 <x@y>... User unknown)` line under a failed address
/// (sendmail/savemail.c) without its wrapper: the server's reply.
fn sendmail_reason(line: &str) -> &str {
    line.strip_prefix("(reason:")
        .and_then(|r| r.strip_suffix(')'))
        .map_or(line, str::trim)
}

/// The first line at or after byte `from` (a line start) that contains one of `markers`
/// (ASCII case-insensitive; none spans lines): where it starts, and where the next line
/// starts.
fn marked_line(text: &str, from: usize, markers: &[&str]) -> Option<(usize, usize)> {
    let rest = &text[from..];
    let at = from
        + markers
            .iter()
            .filter_map(|m| find_ignore_ascii_case(rest, m))
            .min()?;
    let b = text.as_bytes();
    let start = memchr::memrchr(b'\n', &b[..at]).map_or(0, |nl| nl + 1);
    let next = memchr::memchr(b'\n', &b[at..]).map_or(b.len(), |nl| at + nl + 1);
    Some((start, next))
}

/// The lines after the first line containing `marker` (lower-case), from the first
/// non-blank one to the next blank line or `-----` rule, joined by spaces; "" if none.
pub fn section_after(text: &str, marker: &str) -> String {
    let Some((_, after)) = marked_line(text, 0, &[marker]) else {
        return String::new();
    };
    text[after..]
        .lines()
        .map(str::trim)
        .skip_while(|l| l.is_empty())
        .take_while(|l| !l.is_empty() && !l.starts_with("-----"))
        .collect::<Vec<_>>()
        .join(" ")
}

/// The default recipient-line test for [`blocks`].
pub fn default_recipient(line: &str) -> Option<(String, &str)> {
    address_line(line)
}

/// The permissive recipient-line test, for a second pass when [`default_recipient`] found
/// none: an address (after an optional reply code, as Sendmail's transcript writes
/// `554 <x@example.com>... text`) starting the line, followed by any text
/// (`x@example.com Invalid Address, ERROR_CODE :550`, `x@example.com [User unknown]`).
pub fn loose_recipient(line: &str) -> Option<(String, &str)> {
    // No `@`, no address (as in [`address_line`]).
    memchr::memchr(b'@', line.as_bytes())?;
    let t = line.trim_start();
    let t = match t.get(..4) {
        Some(p) if p.as_bytes()[..3].iter().all(u8::is_ascii_digit) && p.ends_with(' ') => &t[4..],
        _ => t,
    };
    let (addr, rest) = if let Some(inner) = t.strip_prefix('<') {
        let end = inner.find('>')?;
        (&inner[..end], &inner[end + 1..])
    } else {
        let end = t
            .find(|c: char| c.is_whitespace() || matches!(c, ':' | ',' | '[' | '('))
            .unwrap_or(t.len());
        (&t[..end], &t[end..])
    };
    let (local, domain) = addr.rsplit_once('@')?;
    if local.is_empty()
        || !domain.contains('.')
        || addr.contains(['(', ')', '"', '[', '<', ';'])
        || addr.contains(char::is_whitespace)
    {
        return None;
    }
    let rest = rest
        .trim_start_matches("...")
        .trim_start_matches(':')
        .trim();
    Some((header::clean_address(addr), rest))
}

/// The list-item recipient-line test, a fourth pass: an address alone after a single `>`
/// and white space, as MDaemon lists the addresses that did not receive the message
/// (`>    x@example.com`, per flufl.bounce's MDaemon pattern). Not a transcript's `>>>`
/// line, nor a quoted line with words after the address.
pub fn listed_recipient(line: &str) -> Option<(String, &str)> {
    memchr::memchr(b'@', line.as_bytes())?;
    let rest = line.trim_start().strip_prefix('>')?;
    if !rest.starts_with([' ', '\t']) {
        return None;
    }
    address_line(rest).filter(|(_, after)| after.is_empty())
}

/// Phrases that put a recipient after them on the same line (lower-case).
pub const LABELS: &[&str] = &[
    "recipient:",
    "rcpt to:",
    "could not be delivered to:",
    "failed recipient:",
    "recipient address:",
    "original-recipient:",
    "final-recipient:",
    "there was an error delivering your mail to",
    "delivery to the following recipient failed",
    "unable to deliver message to",
    "delivery to:",
    "undeliverable to",
    "addressed to",
    "your message to",
    "was not delivered to",
    "mail to",
    "message to",
    "delivery failed:",
    "target mail address:",
    "did not reach the following recipient:",
    "returned permanent errors:",
    "address:",
];

/// [`LABELS`] in one automaton: the leftmost label, the earlier-listed one on a tie (no
/// lower-cased copy of the line, no searcher built per label and line).
static LABEL_FINDER: LazyLock<AhoCorasick> = LazyLock::new(|| {
    AhoCorasickBuilder::new()
        .ascii_case_insensitive(true)
        .match_kind(MatchKind::LeftmostFirst)
        .build(LABELS)
        .unwrap_or_else(|e| unreachable!("fixed labels compile: {e}"))
});

/// The labelled recipient-line test, a third pass: the earliest of [`LABELS`] anywhere in the
/// line followed by an address: `Recipient: <x@example.com>`, ` In:  RCPT TO:<x@example.com>`,
/// `[Status: Error, Address: <x@example.com>, …]`.
pub fn labelled_recipient(line: &str) -> Option<(String, &str)> {
    // No `@`, no address (as in [`address_line`]).
    memchr::memchr(b'@', line.as_bytes())?;
    let m = LABEL_FINDER.find(line)?;
    let (at, label) = (m.start(), m.len());
    let rest = line.get(at + label..)?;
    let addr = header::address(rest)?;
    // A label inside a sentence (`Reason: Unable to deliver message to <x> (…)`): the
    // sentence is the explanation.
    if line[..at].trim_start_matches(['>', ' ']).trim().len() > 3 {
        return Some((addr, line.trim()));
    }
    // What follows the address: after its `>`, or after the bare address's word
    // (`The message to x@y is bounced because : Quota exceed the hard limit`).
    let end = rest.find('>').map(|i| i + 1).or_else(|| {
        let at = rest.find('@')?;
        Some(
            rest[at..]
                .find(char::is_whitespace)
                .map_or(rest.len(), |w| at + w),
        )
    });
    let after = end
        .map_or("", |i| &rest[i..])
        .trim_start_matches(['.', ':', ','])
        .trim();
    Some((addr, after))
}

/// Turns blocks into records; a block without explanation takes the preamble's.
pub fn records(preamble: &[&str], blocks: Vec<Block<'_>>) -> Vec<Record> {
    checked_records(preamble, blocks)
        .into_iter()
        .map(|(record, _)| record)
        .collect()
}

/// [`records`], each with what [`has_reply_code`] says of its diagnostic where choosing the
/// diagnostic already asked it of that very text (`None` elsewhere), so that the caller
/// need not ask again.
pub(super) fn checked_records(
    preamble: &[&str],
    blocks: Vec<Block<'_>>,
) -> Vec<(Record, Option<bool>)> {
    let shared = preamble.join(" ");
    // Asked for at most once, and only by a block without a code of its own.
    let shared_has_code = LazyCell::new(|| has_reply_code(Some(&shared)));
    // A session transcript above the recipients (`>>> MAIL From:…` / `<<< 550 …`): the
    // remote server's own reply, which the MTA's summary line under it only paraphrases.
    let (command, heard) = diagnostic::transcript(preamble);
    let heard = has_reply_code(Some(&heard)).then_some(heard);
    merge_repeated(blocks)
        .into_iter()
        .map(|b| {
            let own = b.joined();
            // An empty text becomes no diagnostic, of which `has_reply_code` says false too.
            let (text, has_code) = if b.lines.is_empty() {
                (shared.clone(), Some(*shared_has_code))
            } else if let Some(heard) = &heard {
                (format!("{heard} {own}"), None)
            } else if has_reply_code(Some(&own)) {
                (own, Some(true))
            } else if *shared_has_code {
                (format!("{shared} {own}"), None)
            } else if shared.is_empty() {
                (own, Some(false))
            } else {
                // Neither says a code: the notice's own explanation above the recipients
                // (Post.Office's "Host … not found", then the list) is evidence too.
                (format!("{shared} {own}"), Some(false))
            };
            let record = Record {
                recipient: Some(b.recipient),
                diagnostic: (!text.is_empty()).then_some(text),
                command: heard.as_ref().and(command),
                ..Record::default()
            };
            (record, has_code)
        })
        .collect()
}

/// One block per recipient, in first-mention order: a recipient named twice (Outlook lists
/// the addresses, then repeats each with the server's reply under "Diagnostic information";
/// MXLogic's Exim-style notice lists an address with its reply, then alone) gets the lines of
/// every mention, those of a mention holding a basic reply code first.
pub fn merge_repeated(blocks: Vec<Block<'_>>) -> Vec<Block<'_>> {
    let mut out: Vec<Block> = Vec::with_capacity(blocks.len());
    // Where each recipient (ASCII-lower-cased) is in `out`: a notice may list many thousand
    // recipients, and a search of `out` for each would be quadratic.
    let mut seen: std::collections::HashMap<String, usize> =
        std::collections::HashMap::with_capacity(blocks.len());
    for b in blocks {
        let key = b.recipient.to_ascii_lowercase();
        let Some(&at) = seen.get(&key) else {
            seen.insert(key, out.len());
            out.push(b);
            continue;
        };
        let first = &mut out[at];
        let has_code = |lines: &[&str]| lines.iter().any(|l| line_has_code(l));
        if has_code(&b.lines) && !has_code(&first.lines) {
            let earlier = std::mem::replace(&mut first.lines, b.lines);
            first.lines.extend(earlier);
        } else {
            first.lines.extend(b.lines);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn address_lines() {
        assert_eq!(address_line("<a@b.c>:").map(|x| x.0), Some("a@b.c".into()));
        assert_eq!(address_line("  a@B.C").map(|x| x.0), Some("a@b.c".into()));
        assert_eq!(
            address_line("a@b.c: 550 no").map(|x| x.1.to_string()),
            Some("550 no".into())
        );
        assert_eq!(
            address_line("a@b.c<mailto:a@b.c>").map(|x| x.0),
            Some("a@b.c".into())
        );
        assert_eq!(address_line("Hello there"), None);
        assert_eq!(address_line("a@b.c said hello"), None);
        // A transcript's reply naming a forward-path is not a recipient line.
        assert_eq!(
            address_line("<<< 551 User not local; please try <a@b.c>"),
            None
        );
        assert_eq!(loose_recipient("<551 not local; try a@b.c> x"), None);
    }

    #[test]
    fn a_labelled_line_explains_its_address() {
        let bare = labelled_recipient("The message to a@b.c is bounced because : Quota exceed");
        assert_eq!(
            bare,
            Some(("a@b.c".into(), "is bounced because : Quota exceed"))
        );
        let bracketed = labelled_recipient("Delivery to: <a@b.c>: 550 no such user");
        assert_eq!(bracketed, Some(("a@b.c".into(), "550 no such user")));
        assert_eq!(
            labelled_recipient("Your message to a@b.c"),
            Some(("a@b.c".into(), ""))
        );
    }

    #[test]
    fn blocks_between_markers() {
        let layout = Layout {
            start: &["following addresses"],
            end: &["--- below"],
        };
        let t = "intro\nThe FOLLOWING ADDRESSES failed:\nwhy\n<a@b.c>: 550 no\n  more\n--- Below this line\n<d@e.f>:\n";
        let (preamble, found) = blocks(t, &layout, default_recipient);
        assert_eq!(preamble, ["why"]);
        assert_eq!(
            found,
            [Block {
                recipient: "a@b.c".into(),
                lines: vec!["550 no", "more"],
            }]
        );
        assert_eq!(section_after(t, "--- below"), "<d@e.f>:");
    }

    #[test]
    fn a_transcript_reply_goes_before_the_mta_summary() {
        let preamble = [
            "While talking to mx.example.edu:",
            ">>> MAIL From:<a@example.jp>",
            "<<< 550 Insecure Mail Relay",
        ];
        let block = Block {
            recipient: "x@example.edu".into(),
            lines: vec!["Remote protocol error"],
        };
        let r = &records(&preamble, vec![block])[0];
        assert_eq!(
            r.diagnostic.as_deref(),
            Some("550 Insecure Mail Relay Remote protocol error")
        );
        assert_eq!(r.command, Some(SmtpCommand::Mail));
    }

    #[test]
    fn reply_near_the_recipient() {
        let t = "Delivery to x@example.com failed:\n  host mx said: 550 5.1.1 nope\n  more words\n\nother";
        assert_eq!(
            reply_for(t, Some("x@example.com")),
            Some(ProseReply {
                text: "host mx said: 550 5.1.1 nope more words".into(),
                command: None
            })
        );
        let t = "<x@example.com>: host mx[192.0.2.1] said: 550\n    <x@example.com>: Recipient address rejected. (in reply to RCPT\n    TO command)\n<y@example.com>: host mx said: 550 no";
        let found = reply_for(t, Some("x@example.com")).unwrap();
        assert!(
            found.text.ends_with("(in reply to RCPT TO command)"),
            "{found:?}"
        );
        assert_eq!(found.command, Some(SmtpCommand::Rcpt));
        let t = "----- Transcript of session follows -----\n>>> RCPT TO:<x@example.org>\n<<< 553 Invalid recipient x@example.org\n";
        let found = reply_for(t, Some("x@example.org")).unwrap();
        assert_eq!(found.command, Some(SmtpCommand::Rcpt));
        let t = "<x@example.net>\n\n----- Transcript of session follows -----\nmail.local: unknown user: x\n554 <x@example.net>... Service unavailable\n";
        let found = reply_for(t, Some("x@example.net")).unwrap();
        assert_eq!(
            found.text,
            "554 <x@example.net>... Service unavailable mail.local: unknown user: x"
        );
    }
}
