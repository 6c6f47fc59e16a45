//! Lotus Notes and HCL Domino. Notes' SMTP MTA writes the causes under `------- Failure
//! Reasons --------`, each followed by the addresses it concerns, down to `------- Returned
//! Message --------`. Domino writes "Your message … was not delivered to: <addresses>
//! because: <cause>" and often an RFC 3464 part, merged in by position: Domino's text names
//! the address the sender used, its report may name a rewritten one. Both may be localized
//! (Japanese notices in ISO-2022-JP): the known localized causes are handed to the classifier
//! with the English wording Notes and Domino write for the same cause, the original kept.

use crate::mail::human;
use crate::mail::text::{self, Layout};
use crate::mail::{Bounce, Input, Record};
use memchr::memmem;
use rebound_core::{Reader, SourceKind};
use std::sync::LazyLock;

/// Localized causes (a fragment of the decoded text) and Notes' / Domino's English wording.
const LOCALIZED: &[(&str, &str)] = &[
    (
        "ディレクトリのリストにありません",
        "User not listed in public Name & Address Book",
    ),
    (
        "Domino ディレクトリには",
        "User not listed in Domino Directory",
    ),
];

/// Notes' section rule and Domino's two phrases, searched with finders built once (every
/// message is tried).
static FAILURE_REASONS: LazyLock<memmem::Finder<'static>> =
    LazyLock::new(|| memmem::Finder::new("------- Failure Reasons"));
static NOT_DELIVERED_TO: LazyLock<memmem::Finder<'static>> =
    LazyLock::new(|| memmem::Finder::new("was not delivered to:"));
static BECAUSE: LazyLock<memmem::Finder<'static>> =
    LazyLock::new(|| memmem::Finder::new("because:"));

/// A Notes or Domino notice.
pub fn detect(input: &Input<'_>) -> bool {
    let human = input.human().as_bytes();
    FAILURE_REASONS.find(human).is_some()
        || (NOT_DELIVERED_TO.find(human).is_some() && BECAUSE.find(human).is_some())
}

/// One record per address, with the cause written for it.
pub fn parse(input: &Input<'_>) -> Option<Bounce> {
    let human = human::iso2022jp(input.human());
    let mut bounce = Bounce::new(SourceKind::Mail, Reader::Notes);
    if human.contains("------- Failure Reasons") {
        bounce.records = failure_reasons(&human);
    } else {
        let layout = Layout {
            start: &["was not delivered to:"],
            end: &["because:"],
        };
        let (_, blocks) = text::blocks(&human, &layout, text::default_recipient);
        let why = text::section_after(&human, "because:");
        bounce.records = text::records(&[&why], blocks);
    }
    for r in &mut bounce.records {
        r.diagnostic = r.diagnostic.take().map(|d| in_english(&d));
    }
    super::merge_report(input, &mut bounce, true);
    Some(bounce)
}

/// Notes' `Failure Reasons` section: cause lines, then the addresses they concern.
fn failure_reasons(human: &str) -> Vec<Record> {
    let layout = Layout {
        start: &["------- failure reasons"],
        end: &["------- returned message"],
    };
    let (_, blocks) = text::blocks(human, &layout, |line| {
        // Every line is a block: addresses and causes are told apart below.
        let t = line.trim();
        (!t.is_empty()).then(|| (t.to_string(), ""))
    });
    let mut records = Vec::new();
    let mut cause: Vec<String> = Vec::new();
    let mut last = String::new();
    for b in blocks {
        match text::address_line(&b.recipient) {
            Some((address, _)) => {
                if !cause.is_empty() {
                    last = cause.join(" ");
                    cause.clear();
                }
                records.push(Record {
                    recipient: Some(address),
                    diagnostic: (!last.is_empty()).then(|| last.clone()),
                    ..Record::default()
                });
            }
            None => cause.push(b.recipient),
        }
    }
    records
}

/// A localized cause with Notes' English wording in front.
fn in_english(diagnostic: &str) -> String {
    match LOCALIZED
        .iter()
        .find(|(local, _)| diagnostic.contains(local))
    {
        Some((_, english)) => format!("{english} ({diagnostic})"),
        None => diagnostic.to_string(),
    }
}
