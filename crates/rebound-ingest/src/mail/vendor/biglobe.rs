//! BIGLOBE (`postmaster@biglobe.ne.jp`, `--_Biglobe` boundaries): the recipients under
//! "The following addresses had delivery problems", one explanation for all of them under
//! "Non-delivered information" ("The number of messages in recipient's mailbox exceeded the
//! local limit.").

use crate::mail::text::{self, Layout};
use crate::mail::{Bounce, Input};
use rebound_core::{Reader, SourceKind};

/// Sent by BIGLOBE.
pub fn detect(input: &Input<'_>) -> bool {
    text::contains_ignore_ascii_case(input.from(), "@biglobe.ne.jp")
        && input.human().contains("Non-delivered information")
}

/// One record per listed recipient, each with the shared explanation.
pub fn parse(input: &Input<'_>) -> Option<Bounce> {
    let human = input.human();
    let layout = Layout {
        start: &["following addresses had"],
        end: &["non-delivered information"],
    };
    let (_, blocks) = text::blocks(human, &layout, text::default_recipient);
    let why = text::section_after(human, "non-delivered information");
    let mut bounce = Bounce::new(SourceKind::Mail, Reader::Biglobe);
    bounce.records = text::records(&[&why], blocks);
    Some(bounce)
}
