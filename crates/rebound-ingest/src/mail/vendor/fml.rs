//! fml (a Japanese mailing-list manager, `X-MLServer: fml …`): notices the list sends back
//! when it refuses a post: the poster is not a member, a loop alert (duplicated Message-ID),
//! a message too big. The recipient is the list address named in the text (`<list@…>`);
//! there is no SMTP reply, so the notice's kind states the reason.

use crate::mail::{Bounce, Input, Kind, Record, header};
use rebound_core::Reason;

/// What a notice says (lower-case phrase in the subject or text) and the reason it means.
const KINDS: &[(&str, Reason)] = &[
    ("not a member", Reason::Rejected),
    ("are not member", Reason::Rejected),
    ("not member", Reason::Rejected),
    ("you are not allowed", Reason::Rejected),
    ("duplicated message-id", Reason::SystemError),
    ("loop alert", Reason::SystemError),
    ("mail size", Reason::MesgTooBig),
    ("too big", Reason::MesgTooBig),
    ("command limit", Reason::SecurityError),
    ("security alert", Reason::SecurityError),
];

/// Sent by fml.
pub fn detect(input: &Input<'_>) -> bool {
    input
        .top()
        .get("x-mlserver")
        .is_some_and(|v| v.to_ascii_lowercase().starts_with("fml"))
}

/// One record: the list address and the notice.
pub fn parse(input: &Input<'_>) -> Option<Bounce> {
    let human = input.human().trim();
    let first = human.split("\n\n").next().unwrap_or(human);
    let recipient = first
        .find('<')
        .and_then(|i| header::address(&first[i..]))
        .or_else(|| header::address(input.top().get("from")?))?;
    let said = format!("{} {}", input.subject(), first).to_ascii_lowercase();
    let reason = KINDS
        .iter()
        .find(|(phrase, _)| said.contains(phrase))
        .map(|&(_, r)| r)?;
    let mut bounce = Bounce::new(Kind::Text, "fml");
    bounce.records.push(Record {
        recipient: Some(recipient),
        action: Some("failed".into()),
        diagnostic: Some(first.split_whitespace().collect::<Vec<_>>().join(" ")),
        reason: Some(reason),
        ..Record::default()
    });
    Some(bounce)
}
