//! fml (a Japanese mailing-list manager, `X-MLServer: fml …`): notices the list sends back
//! when it refuses a post: the poster is not a member, a loop alert (duplicated Message-ID),
//! a message too big. The recipient is the list address named in the text (`<list@…>`);
//! there is no SMTP reply, so the notice's words state the reason, through the rules that
//! name this reader (`fml.*` in `rules/stated.toml`).

use crate::mail::{Bounce, Input, Record, header};
use rebound_core::{DsnAction, Reader, SourceKind};
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
    let mut bounce = Bounce::new(SourceKind::Mail, Reader::Fml);
    bounce.records.push(Record {
        recipient: Some(recipient),
        action: Some(DsnAction::Failed),
        diagnostic: Some(first.split_whitespace().collect::<Vec<_>>().join(" ")),
        ..Record::default()
    });
    Some(bounce)
}
