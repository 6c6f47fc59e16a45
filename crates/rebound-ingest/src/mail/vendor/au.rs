//! KDDI au / ezweb / dion mail systems: Japanese error notices (`メールエラー通知`) from
//! `…@…dion.ne.jp`, `ezweb.ne.jp` or `au.com`, naming the recipient after
//! `Could not be delivered to:` or `Recipient:` and the cause in the lines that follow
//! (`As their mailbox is full.`).

use crate::mail::text::{self, Layout};
use crate::mail::{Bounce, Input};
use aho_corasick::{AhoCorasick, AhoCorasickBuilder};
use rebound_core::{Reader, SourceKind};
use std::sync::LazyLock;

/// The domains of KDDI's mail systems, in one ASCII case-insensitive automaton: one pass
/// over the `From` of every message.
static DOMAINS: LazyLock<AhoCorasick> = LazyLock::new(|| {
    AhoCorasickBuilder::new()
        .ascii_case_insensitive(true)
        .build(["dion.ne.jp", "ezweb.ne.jp", "@au.com", "auone-net.jp"])
        .unwrap_or_else(|e| unreachable!("fixed domains compile: {e}"))
});

/// Sent by an au / KDDI mail system.
pub fn detect(input: &Input<'_>) -> bool {
    DOMAINS.is_match(input.from())
}

/// Reads the labelled recipients and their explanations.
pub fn parse(input: &Input<'_>) -> Option<Bounce> {
    let layout = Layout {
        start: &[],
        end: &[],
    };
    let body = input.human();
    let (preamble, blocks) = text::blocks(body, &layout, text::labelled_recipient);
    let mut bounce = Bounce::new(SourceKind::Mail, Reader::Au);
    bounce.records = text::records(&preamble, blocks);
    Some(bounce)
}
