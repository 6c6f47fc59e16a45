//! The last-resort reader: a message that presents itself as a bounce (by sender or subject)
//! but that no standard or vendor reader claimed. It tries the shared prose scan
//! ([`super::text`]) with ever looser recipient lines, then bare user names qualified as
//! [`super::bare`] says, then the one address the text names (never the sender's, a role
//! address or a message identifier); a recipient without a reply of its own gets the reply
//! the text gives near it.

use super::text::{
    Layout, ProseReplies, blocks, checked_records, contains_ignore_ascii_case, default_recipient,
    has_reply_code, labelled_recipient, listed_recipient, loose_recipient, reply_for,
};
use super::{Bounce, Input, Record, header};
use rebound_core::{DsnAction, Reader, SourceKind};

/// Whether the message presents itself as a bounce (sender or subject). A subject that
/// starts as a reply's does (`Re: Undeliverable: …`, RFC 5322 3.6.5, and its German,
/// Nordic, Finnish, Polish, Dutch and Italian forms) is a person writing about a bounce, not
/// a notice: only its sender can make it one.
pub fn looks_like_bounce(input: &Input<'_>) -> bool {
    let (from, subject) = (input.from(), input.subject());
    let is_reply = subject.split_once(':').is_some_and(|(prefix, _)| {
        ["re", "aw", "sv", "vs", "odp", "antw", "r"]
            .iter()
            .any(|p| prefix.trim().eq_ignore_ascii_case(p))
    });
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
        || (!is_reply
            && [
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
                "nondeliverable",
                "non-deliverable",
                "delivery has failed",
                "returned to sender",
                // Exchange's "Undeliverable:" in German, French, Italian, Spanish and Dutch.
                "unzustellbar",
                "non remis",
                "non recapitabile",
                "no se puede entregar",
                "onbestelbaar",
            ]
            .iter()
            .any(|w| contains_ignore_ascii_case(subject, w)))
}

/// The one address the text names, other than the bounce's own `From` / `To`, the message
/// identifiers of the returned message and the mail system's role addresses: the recipient
/// of a bounce that names it only inside a sentence (`Invalid final delivery userid: x@y`,
/// `User's mailbox is full: <x@y>`). Lines that are header fields naming the sender or a
/// message (`From:`, `Message-ID:`, … of a copy of the message) are not read.
/// `None` when the text names no such address or several.
pub fn sole_address(input: &Input<'_>, text: &str) -> Option<String> {
    let own = own_addresses(input);
    let ids = message_ids(input);
    let mut found: Option<String> = None;
    let lines = text.lines().filter(|l| !names_no_recipient(l));
    for word in lines.flat_map(|l| {
        l.split(|c: char| {
            c.is_whitespace() || matches!(c, '<' | '>' | '(' | ')' | '[' | ']' | '"' | ',' | ';')
        })
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
        let lower = a.to_ascii_lowercase();
        if local.is_empty()
            || !domain.contains('.')
            || own.contains(&lower)
            || ids.contains(&lower)
            || is_role(local)
        {
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

/// Header fields whose addresses are never the failed recipient: the sender's, and message
/// identifiers (which have the shape of an address). A notice that quotes the returned
/// message's header inline shows them.
const NOT_RECIPIENT_FIELDS: &[&str] = &[
    "from:",
    "sender:",
    "reply-to:",
    "return-path:",
    "message-id:",
    "in-reply-to:",
    "references:",
    "resent-from:",
    "resent-message-id:",
    "errors-to:",
    "x-original-message-id:",
];

/// Whether a line is one of [`NOT_RECIPIENT_FIELDS`].
fn names_no_recipient(line: &str) -> bool {
    let t = line.trim_start().as_bytes();
    NOT_RECIPIENT_FIELDS.iter().any(|f| {
        t.get(..f.len())
            .is_some_and(|p| p.eq_ignore_ascii_case(f.as_bytes()))
    })
}

/// The local parts of a mail system's role addresses (RFC 2142 and the daemons' own), which
/// a notice names as the place to ask for help, never as the address that failed.
fn is_role(local: &str) -> bool {
    is_mail_daemon(local)
        || ["hostmaster", "abuse"]
            .iter()
            .any(|r| local.eq_ignore_ascii_case(r))
}

/// Whether a local part is the reporting mail system's own (`postmaster`, `mailer-daemon`):
/// the sender of a notice, never its failed recipient.
pub(super) fn is_mail_daemon(local: &str) -> bool {
    ["postmaster", "mailer-daemon", "mailer_daemon"]
        .iter()
        .any(|r| local.eq_ignore_ascii_case(r))
}

/// The message identifiers a notice may quote (`Your message <id@host> could not be
/// delivered`): the returned message's `Message-ID` and the bounce's own `In-Reply-To` and
/// `References`, lower-cased and without angle brackets.
fn message_ids(input: &Input<'_>) -> Vec<String> {
    let top = input.top();
    let returned = super::returned::headers(input);
    let returned_id = returned.as_ref().and_then(|h| h.get("message-id"));
    [top.get("in-reply-to"), top.get("references"), returned_id]
        .into_iter()
        .flatten()
        .flat_map(str::split_whitespace)
        .map(|id| id.trim_matches(['<', '>']).to_ascii_lowercase())
        .filter(|id| id.contains('@'))
        .collect()
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
    if found.is_empty() {
        (preamble, found) = blocks(text, &layout, listed_recipient);
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
        // A notice naming its recipients by bare user name (see [`super::bare`]).
        records = super::bare::recipients(input, text)
            .into_iter()
            .map(|(recipient, line)| {
                let record = Record {
                    recipient: Some(recipient),
                    diagnostic: Some(line),
                    ..Record::default()
                };
                (record, None)
            })
            .collect();
    }
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
    // A plain-text delivery report (no `message/delivery-status` part) that says the message
    // arrived, with no failure reply anywhere: what RFC 3464 calls `delivered` / `relayed`,
    // not a failure of its recipients.
    let success = (!records
        .iter()
        .any(|(r, _)| has_reply_code(r.diagnostic.as_deref())))
    .then(|| success_action(text))
    .flatten();
    let mut bounce = Bounce::new(SourceKind::Mail, Reader::Text);
    bounce.records = records
        .into_iter()
        .map(|(mut record, _)| {
            record.action = record.action.or(success);
            record
        })
        .collect();
    Some(bounce)
}

/// The action a notice's words state when they report a delivery rather than a failure
/// (Postfix's "successfully delivered", Sendmail's "had successful delivery notifications",
/// Exchange's "Your message has been delivered" and "Delivery to these recipients or groups is
/// complete, but no delivery notification was sent"); `None` otherwise.
fn success_action(text: &str) -> Option<DsnAction> {
    const RELAYED: &[&str] = &[
        "successfully relayed",
        "no delivery notification was sent by the destination",
    ];
    const DELIVERED: &[&str] = &[
        "successfully delivered",
        "had successful delivery",
        "your message has been delivered",
        "delivery to the following recipients succeeded",
    ];
    let has = |phrases: &[&str]| phrases.iter().any(|p| contains_ignore_ascii_case(text, p));
    if has(RELAYED) {
        Some(DsnAction::Relayed)
    } else if has(DELIVERED) {
        Some(DsnAction::Delivered)
    } else {
        None
    }
}
