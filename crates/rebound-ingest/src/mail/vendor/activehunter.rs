//! TransWARE Active!hunter (`X-AHMAILID`, `Active!Hunter` MIME boundaries): a Sendmail-like
//! notice listing each recipient after `>>>` under "The following addresses had permanent
//! fatal errors" and the remote server's reply under "Transcript of session follows".

use crate::mail::text::{self, Layout};
use crate::mail::{Bounce, Input, header};
use memchr::memmem;
use rebound_core::{Reader, SourceKind};
use std::sync::LazyLock;

/// Active!hunter's name in the MIME boundary, searched with a finder built once: nearly
/// every message has a `Content-Type`.
static BOUNDARY: LazyLock<memmem::Finder<'static>> =
    LazyLock::new(|| memmem::Finder::new("Active!Hunter"));

/// Sent by Active!hunter.
pub fn detect(input: &Input<'_>) -> bool {
    input.top().has("x-ahmailid")
        || input
            .top()
            .get("content-type")
            .is_some_and(|c| BOUNDARY.find(c.as_bytes()).is_some())
}

/// One record per `>>>` recipient; the transcript's reply explains them all.
pub fn parse(input: &Input<'_>) -> Option<Bounce> {
    let human = input.human();
    let layout = Layout {
        start: &["following addresses had"],
        end: &["transcript of session follows"],
    };
    let (_, blocks) = text::blocks(human, &layout, recipient_line);
    let transcript = text::section_after(human, "transcript of session follows");
    let mut bounce = Bounce::new(SourceKind::Mail, Reader::ActiveHunter);
    bounce.records = text::records(&[&transcript], blocks);
    Some(bounce)
}

/// `>>> x@example.com <x@example.com>`.
fn recipient_line(line: &str) -> Option<(String, &str)> {
    let rest = line.trim_start().strip_prefix(">>>")?;
    header::address(rest).map(|a| (a, ""))
}
