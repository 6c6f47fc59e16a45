//! Trend Micro InterScan Messaging Security Suite notices (`"InterScan Notification"`,
//! `InterScan_NT_MIME_Boundary`): the explanation is one sentence between rows of asterisks,
//! naming the recipient inside it ("Unable to deliver message to <x@example.com> (and other
//! recipients in the same domain). Please check if address is correct."), sometimes after a
//! `Reason:` label. The whole sentence is the evidence.

use crate::mail::{Bounce, Input, Record, diagnostic, header};
use memchr::memmem;
use rebound_core::{Reader, SourceKind};
use std::sync::LazyLock;

/// InterScan's signature line, searched with a finder built once (every message is tried).
static SIGNATURE: LazyLock<memmem::Finder<'static>> =
    LazyLock::new(|| memmem::Finder::new("Message from InterScan Messaging Security Suite"));

/// The product's name in `From`, and its MIME boundary in `Content-Type` (which nearly every
/// message has), with finders built once too.
static NAME: LazyLock<memmem::Finder<'static>> = LazyLock::new(|| memmem::Finder::new("InterScan"));
static BOUNDARY: LazyLock<memmem::Finder<'static>> =
    LazyLock::new(|| memmem::Finder::new("InterScan_NT_MIME_Boundary"));

/// Sent by InterScan.
pub fn detect(input: &Input<'_>) -> bool {
    NAME.find(input.from().as_bytes()).is_some()
        || SIGNATURE.find(input.text.as_bytes()).is_some()
        || input
            .top()
            .get("content-type")
            .is_some_and(|c| BOUNDARY.find(c.as_bytes()).is_some())
}

/// One record per recipient the notice names, with the sentence naming it; or, for a
/// notice quoting the session (`Sent <<< RCPT TO:<x>` / `Received >>> 550 …`, InterScan's
/// arrows point the other way), the recipient of the last `RCPT TO` and the server's reply.
pub fn parse(input: &Input<'_>) -> Option<Bounce> {
    let human = input.human();
    let mut bounce = Bounce::new(SourceKind::Mail, Reader::TrendMicro);
    let session: Vec<String> = human
        .lines()
        .map(str::trim)
        .filter_map(|l| {
            l.strip_prefix("Sent <<<")
                .map(|c| format!(">>> {}", c.trim()))
                .or_else(|| {
                    l.strip_prefix("Received >>>")
                        .map(|r| format!("<<< {}", r.trim()))
                })
        })
        .collect();
    if !session.is_empty() {
        let recipient = session
            .iter()
            .filter_map(|l| l.strip_prefix(">>> "))
            .filter(|c| c.to_ascii_uppercase().starts_with("RCPT TO"))
            .find_map(angle_address);
        let (command, reply) = diagnostic::transcript(&session);
        bounce.records.push(Record {
            recipient,
            command,
            diagnostic: (!reply.is_empty()).then_some(reply),
            ..Record::default()
        });
        return Some(bounce);
    }
    for line in human.lines().map(str::trim) {
        if line.starts_with('*') {
            continue;
        }
        let Some(recipient) = angle_address(line) else {
            continue;
        };
        if bounce
            .records
            .iter()
            .any(|r| r.recipient.as_deref() == Some(recipient.as_str()))
        {
            continue;
        }
        let sentence = line.strip_prefix("Reason:").unwrap_or(line).trim();
        bounce.records.push(Record {
            recipient: Some(recipient),
            diagnostic: Some(sentence.to_string()),
            ..Record::default()
        });
    }
    Some(bounce)
}

/// The first `<local@domain>` of a line (nothing but the address between the brackets).
fn angle_address(line: &str) -> Option<String> {
    line.split('<')
        .skip(1)
        .filter_map(|part| part.split_once('>').map(|(inner, _)| inner))
        .find(|inner| inner.contains('@') && !inner.contains(char::is_whitespace))
        .map(header::clean_address)
}
