//! Google Groups rejections: `mailer-daemon@googlemail.com` answering for a group address
//! (named in `X-Failed-Recipients`) with a localized text saying the group does not exist or
//! the sender may not post to it. No reply code; the format itself means `rejected`.

use crate::mail::{Bounce, Input, Record, text};
use memchr::memmem;
use rebound_core::{Reader, SourceKind};
use std::sync::LazyLock;

/// The Groups address in the text, searched with a finder built once.
static GROUPS: LazyLock<memmem::Finder<'static>> =
    LazyLock::new(|| memmem::Finder::new("groups.google.com"));

/// A Google bounce for a `…@googlegroups.com` (or a Groups-for-Business) address. The
/// header tests come first: every message is tried, few have `X-Failed-Recipients`.
pub fn detect(input: &Input<'_>) -> bool {
    input.top().has("x-failed-recipients")
        && text::contains_ignore_ascii_case(input.from(), "@googlemail.com")
        && GROUPS.find(input.text.as_bytes()).is_some()
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
    let mut bounce = Bounce::new(SourceKind::Mail, Reader::GoogleGroups);
    for addr in super::split_addresses(failed) {
        bounce.records.push(Record {
            recipient: Some(addr),
            diagnostic: Some(explanation.clone()),
            ..Record::default()
        });
    }
    Some(bounce)
}
