//! The returned message: the copy of the original message (or of its header) that a bounce
//! carries as `message/rfc822` (RFC 3464 section 2, RFC 2046 5.2.1), `text/rfc822-headers`
//! (RFC 6522 / RFC 3462) or inline after a line such as "----- Original message -----".
//! Gives the event its Message-ID, the sender when the report did not name one, and the
//! header fields the user asked to keep as tags.

use super::header::{self, Headers};
use super::{Bounce, Input, Options};
use memchr::memmem;

/// Lines after which MTAs put the original message inline (lower-case, matched as the start
/// of a trimmed line).
pub const INLINE_MARKERS: &[&str] = &[
    "------ this is a copy of the message",
    "--- below this line is a copy of the message",
    "message headers follow",
    "----- original message -----",
    "------ original message ------",
    "--- original message",
    "----- transcript of session follows -----",
    "original message headers",
    "----- the following addresses had",
    "content-type: message/rfc822",
    "the original message was received",
    "------ the header of the original message",
    "--- the header of the original message",
    "----- unsent message follows -----",
    "--- original message follows",
    "|------------------------- message text follows",
    "------ original message follows",
    "--- the message header follows",
    "original message:",
    "original message follows",
    "below this line is a copy of the message",
    "header of original message",
];

/// The header fields of the returned message, if the bounce carries any.
pub fn headers(input: &Input<'_>) -> Option<Headers> {
    let mime = &input.mime;
    if let Some(p) = mime.parts.iter().find(|p| p.inside_message && p.depth > 0)
        && !p.headers.fields.is_empty()
    {
        return Some(p.headers.clone());
    }
    for p in &mime.parts {
        let m = p.mime();
        if m == "text/rfc822-headers"
            || m == "text/global-headers"
            || ((m == "message/rfc822" || m == "message/global") && p.encoding != "7bit")
        {
            let body = super::normalize_newlines(&p.decoded()).into_owned();
            let (head, _) = header::split(trim_start_lines(&body));
            let h = Headers::parse(head);
            if !h.fields.is_empty() {
                return Some(h);
            }
        }
    }
    inline(input)
}

/// The original header inline in the bounce body, after one of [`INLINE_MARKERS`].
fn inline(input: &Input<'_>) -> Option<Headers> {
    for p in input
        .mime
        .parts
        .iter()
        .filter(|p| !p.inside_message && p.mime().starts_with("text/"))
    {
        let body = p.decoded();
        let lower = body.to_ascii_lowercase();
        let at = INLINE_MARKERS
            .iter()
            .filter_map(|m| memmem::find(&lower, m.as_bytes()))
            .min()?;
        let after = match memchr::memchr(b'\n', &body[at..]) {
            Some(i) => &body[at + i + 1..],
            None => continue,
        };
        let (head, _) = header::split(trim_start_lines(after));
        let unindented: Vec<u8> = unindent(head);
        let h = Headers::parse(&unindented);
        if h.has("message-id") || h.has("from") || h.has("to") || h.has("subject") {
            return Some(h);
        }
    }
    None
}

/// Drops blank (or white-space-only) lines at the start.
fn trim_start_lines(mut b: &[u8]) -> &[u8] {
    loop {
        let end = memchr::memchr(b'\n', b).unwrap_or(b.len());
        if end < b.len() && b[..end].iter().all(u8::is_ascii_whitespace) {
            b = &b[end + 1..];
        } else {
            return b;
        }
    }
}

/// Removes a common indentation some MTAs put before the quoted header (`   From: …`).
fn unindent(head: &[u8]) -> Vec<u8> {
    let indent = head
        .iter()
        .take_while(|b| **b == b' ' || **b == b'\t')
        .count();
    if indent == 0 {
        return head.to_vec();
    }
    let mut out = Vec::with_capacity(head.len());
    for line in head.split(|&b| b == b'\n') {
        let n = line
            .iter()
            .take(indent)
            .take_while(|b| **b == b' ' || **b == b'\t')
            .count();
        out.extend_from_slice(&line[n..]);
        out.push(b'\n');
    }
    out
}

/// Fills the bounce's Message-ID, sender, date and tags from the returned message and the
/// bounce's own header.
pub fn fill(input: &Input<'_>, bounce: &mut Bounce, options: &Options) {
    let returned = headers(input);
    if let Some(h) = &returned {
        if bounce.message_id.is_none() {
            bounce.message_id = h
                .get("message-id")
                .map(|m| m.trim().trim_matches(['<', '>']).to_string())
                .filter(|m| !m.is_empty());
        }
        if bounce.sender.is_none() {
            bounce.sender = h.get("from").and_then(header::address);
        }
        for name in &options.tag_headers {
            if let Some(v) = h.get(name) {
                bounce.tags.insert(name.to_ascii_lowercase(), v.to_string());
            }
        }
    }
    if bounce.sender.is_none() {
        bounce.sender = input.top().get("to").and_then(header::address);
    }
    if bounce.date.is_none() {
        bounce.date = input.top().get("date").map(str::to_owned);
    }
    // A recipient-less record: the returned message's `To` is the best evidence left.
    let to = returned
        .as_ref()
        .and_then(|h| h.get("to"))
        .and_then(header::address);
    if let Some(to) = to {
        for r in bounce.records.iter_mut().filter(|r| r.recipient.is_none()) {
            r.recipient = Some(to.clone());
        }
    }
}
