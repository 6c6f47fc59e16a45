//! KDDI's EZweb (`Postmaster@ezweb.ne.jp`, "Mail System Error - Returned Mail"): a Japanese
//! notice (ISO-2022-JP, often mislabelled EUC-JP) followed by English sentences and the
//! recipients, either bare (`<x@ezweb.ne.jp>`) or as `Recipient: <x>` with the session's
//! transcript (`>>> RCPT TO:<x>`, `<<< 550 …`). The transcript's reply is the evidence;
//! without one, EZweb's own sentence is: "The user(s) account is disabled." (suspend), and
//! "Each of the following recipients was rejected by a remote mail server." alone, which is
//! how EZweb reports a refusal by the recipient's reception filter (filtered). A report
//! part, when present, is merged in.

use crate::mail::text::{self, Layout};
use crate::mail::{Bounce, Input, Record, diagnostic, header};
use rebound_core::{Reader, SourceKind};

/// Where the returned message starts when it is inline.
const END: &[&str] = &["--------------------------------", "received: from"];

/// Sent by EZweb.
pub fn detect(input: &Input<'_>) -> bool {
    text::contains_ignore_ascii_case(input.from(), "@ezweb.ne.jp")
}

/// One record per recipient.
pub fn parse(input: &Input<'_>) -> Option<Bounce> {
    let human = input.human();
    let layout = Layout {
        start: &[],
        end: END,
    };
    let (preamble, blocks) = text::blocks(human, &layout, recipient_line);
    let english: Vec<&str> = preamble.into_iter().filter(|l| l.is_ascii()).collect();
    let mut bounce = Bounce::new(SourceKind::Mail, Reader::Ezweb);
    for b in blocks {
        let mut record = Record {
            recipient: Some(b.recipient.clone()),
            ..Record::default()
        };
        let (command, reply) = diagnostic::transcript(&b.lines);
        let said = if reply.is_empty() {
            b.lines
                .iter()
                .chain(&english)
                .copied()
                .collect::<Vec<_>>()
                .join(" ")
        } else {
            reply
        };
        record.command = command;
        record.diagnostic = (!said.is_empty()).then_some(said);
        if bounce
            .records
            .iter()
            .all(|r| r.recipient != record.recipient)
        {
            bounce.records.push(record);
        }
    }
    super::merge_report(input, &mut bounce, false);
    Some(bounce)
}

/// `<x@ezweb.ne.jp>`, `<x@ezweb.ne.jp>: 550 …` or `Recipient: <x@ezweb.ne.jp>`; transcript
/// lines (`>>> RCPT TO:<x>`) are not recipient lines.
fn recipient_line(line: &str) -> Option<(String, &str)> {
    let t = line.trim();
    if t.starts_with(">>>") || t.starts_with("<<<") {
        return None;
    }
    if let Some(rest) = t.strip_prefix("Recipient:") {
        return header::address(rest).map(|a| (a, ""));
    }
    text::default_recipient(line)
}
