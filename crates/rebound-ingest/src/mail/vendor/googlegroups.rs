//! Google Groups rejections: `mailer-daemon@googlemail.com` answering for a group address
//! (named in `X-Failed-Recipients`) with a localized text saying the group does not exist or
//! the sender may not post to it. No reply code; the format itself means `rejected`.

use crate::mail::{Bounce, Input, Kind, Record};
use rebound_core::Reason;

/// A Google bounce for a `…@googlegroups.com` (or a Groups-for-Business) address.
pub fn detect(input: &Input<'_>) -> bool {
    input
        .from()
        .to_ascii_lowercase()
        .contains("@googlemail.com")
        && input.top().get("x-failed-recipients").is_some()
        && input.text.contains("groups.google.com")
}

/// One record per failed group address.
pub fn parse(input: &Input<'_>) -> Option<Bounce> {
    let failed = input.top().get("x-failed-recipients")?;
    let explanation = input
        .human()
        .split_whitespace()
        .take(60)
        .collect::<Vec<_>>()
        .join(" ");
    let mut bounce = Bounce::new(Kind::Text, "googlegroups");
    for addr in super::split_addresses(failed) {
        bounce.records.push(Record {
            recipient: Some(addr),
            diagnostic: Some(explanation.clone()),
            reason: Some(Reason::Rejected),
            ..Record::default()
        });
    }
    Some(bounce)
}
