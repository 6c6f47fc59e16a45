//! The last-resort reader: a message that presents itself as a bounce (by sender or subject)
//! but that no standard or vendor reader claimed. It tries the shared prose scan
//! ([`super::text`]) with ever looser recipient lines, then the one address the text names;
//! a recipient without a reply of its own gets the reply the text gives near it.

use super::text::{
    Layout, ProseReplies, blocks, checked_records, contains_ignore_ascii_case, default_recipient,
    has_reply_code, labelled_recipient, loose_recipient, reply_for,
};
use super::{Bounce, Input, Record, header};
use rebound_core::{Reader, SourceKind};

/// Whether the message presents itself as a bounce (sender or subject).
pub fn looks_like_bounce(input: &Input<'_>) -> bool {
    let (from, subject) = (input.from(), input.subject());
    [
        "mailer-daemon",
        "postmaster",
        "post_master",
        "mail delivery",
        "mail-daemon",
        "mailerdaemon",
        "mail administrator",
    ]
    .iter()
    .any(|w| contains_ignore_ascii_case(from, w))
        || [
            "undeliver",
            "delivery fail",
            "failure notice",
            "returned mail",
            "delivery status",
            "not delivered",
            "delivery error",
            "could not be delivered",
            "failed delivery",
            "mail delivery",
        ]
        .iter()
        .any(|w| contains_ignore_ascii_case(subject, w))
}

/// The one address the text names, other than the bounce's own `From` / `To` and the
/// returned message's sender: the recipient of a bounce that names it only inside a
/// sentence (`Invalid final delivery userid: x@y`, `User's mailbox is full: <x@y>`).
/// `None` when the text names no such address or several.
pub fn sole_address(input: &Input<'_>, text: &str) -> Option<String> {
    let own = own_addresses(input);
    let mut found: Option<String> = None;
    for word in text.split(|c: char| {
        c.is_whitespace() || matches!(c, '<' | '>' | '(' | ')' | '[' | ']' | '"' | ',' | ';')
    }) {
        if !word.contains('@') {
            continue;
        }
        let Some(a) = header::address(word) else {
            continue;
        };
        let Some((local, domain)) = a.rsplit_once('@') else {
            continue;
        };
        if local.is_empty() || !domain.contains('.') || own.contains(&a.to_ascii_lowercase()) {
            continue;
        }
        match &found {
            Some(f) if !f.eq_ignore_ascii_case(&a) => return None,
            Some(_) => {}
            None => found = Some(a),
        }
    }
    found
}

/// The bounce's own addresses, lower-cased: its `From` (the reporting system) and its `To`
/// (the original sender, to whom bounces go); neither is a failed recipient.
fn own_addresses(input: &Input<'_>) -> Vec<String> {
    [input.from(), input.top().get("to").unwrap_or("")]
        .iter()
        .filter_map(|v| header::address(v))
        .map(|a| a.to_ascii_lowercase())
        .collect()
}

/// The last-resort reader: a bounce-looking message whose text lists recipients.
pub fn parse(input: &Input<'_>) -> Option<Bounce> {
    if !looks_like_bounce(input) {
        return None;
    }
    let text = input.human();
    let layout = Layout {
        start: &[],
        end: &[],
    };
    let (mut preamble, mut found) = blocks(text, &layout, default_recipient);
    if found.is_empty() {
        (preamble, found) = blocks(text, &layout, loose_recipient);
    }
    if found.is_empty() {
        (preamble, found) = blocks(text, &layout, labelled_recipient);
    }
    let mut records = checked_records(&preamble, found);
    // The bounce is addressed to the original sender: a recipient line naming that address
    // (`… not accepting mail from news@example.org:`) names the sender, not a recipient.
    let own = own_addresses(input);
    records.retain(|(r, _)| {
        r.recipient
            .as_deref()
            .is_none_or(|a| !own.contains(&a.to_ascii_lowercase()))
    });
    if records.is_empty() {
        let recipient = sole_address(input, text);
        let diagnostic = reply_for(text, None).map(|found| found.text).or_else(|| {
            let t = text
                .split_whitespace()
                .take(80)
                .collect::<Vec<_>>()
                .join(" ");
            (!t.is_empty()).then_some(t)
        });
        let record = Record {
            recipient,
            diagnostic,
            ..Record::default()
        };
        records.push((record, None));
    }
    let mut replies = ProseReplies::new(text);
    for (r, has_code) in &mut records {
        let has_code = has_code.unwrap_or_else(|| has_reply_code(r.diagnostic.as_deref()));
        if !has_code && let Some(found) = replies.reply_for(r.recipient.as_deref()) {
            r.diagnostic = Some(found.text);
            r.command = r.command.or(found.command);
        }
    }
    let mut bounce = Bounce::new(SourceKind::Mail, Reader::Text);
    bounce.records = records.into_iter().map(|(record, _)| record).collect();
    Some(bounce)
}
