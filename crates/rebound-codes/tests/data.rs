//! The reference data is complete: every basic code of RFC 5321 4.2.3, RFC 4954 and RFC 7504,
//! every class, subject and code of the IANA enhanced status registry, at least 60 provider
//! entries, and the 30 codes senders meet most with FAQ and sender notes.

#![allow(clippy::unwrap_used)]

use rebound_codes::{Kind, Reference};
use std::collections::HashSet;

/// The codes of ../shared/codes/basic-reply-codes.csv (copied here so `cargo test` needs no
/// file outside the repository).
const BASIC: &[&str] = &[
    "211", "214", "220", "221", "250", "251", "252", "354", "421", "450", "451", "452", "455",
    "500", "501", "502", "503", "504", "550", "551", "552", "553", "554", "555", "235", "334",
    "432", "454", "530", "534", "535", "538", "521", "556",
];

/// The IANA registry as of RFC 8689 (../shared/codes/enhanced-status-codes.csv): classes,
/// subjects and the 81 enumerated codes.
const ENHANCED: &[&str] = &[
    "2.XXX.XXX",
    "4.XXX.XXX",
    "5.XXX.XXX",
    "X.0.XXX",
    "X.1.XXX",
    "X.2.XXX",
    "X.3.XXX",
    "X.4.XXX",
    "X.5.XXX",
    "X.6.XXX",
    "X.7.XXX",
    "X.0.0",
    "X.1.0",
    "X.1.1",
    "X.1.2",
    "X.1.3",
    "X.1.4",
    "X.1.5",
    "X.1.6",
    "X.1.7",
    "X.1.8",
    "X.1.9",
    "X.1.10",
    "X.2.0",
    "X.2.1",
    "X.2.2",
    "X.2.3",
    "X.2.4",
    "X.3.0",
    "X.3.1",
    "X.3.2",
    "X.3.3",
    "X.3.4",
    "X.3.5",
    "X.3.6",
    "X.4.0",
    "X.4.1",
    "X.4.2",
    "X.4.3",
    "X.4.4",
    "X.4.5",
    "X.4.6",
    "X.4.7",
    "X.5.0",
    "X.5.1",
    "X.5.2",
    "X.5.3",
    "X.5.4",
    "X.5.5",
    "X.5.6",
    "X.6.0",
    "X.6.1",
    "X.6.2",
    "X.6.3",
    "X.6.4",
    "X.6.5",
    "X.6.6",
    "X.6.7",
    "X.6.8",
    "X.6.9",
    "X.6.10",
    "X.7.0",
    "X.7.1",
    "X.7.2",
    "X.7.3",
    "X.7.4",
    "X.7.5",
    "X.7.6",
    "X.7.7",
    "X.7.8",
    "X.7.9",
    "X.7.10",
    "X.7.11",
    "X.7.12",
    "X.7.13",
    "X.7.14",
    "X.7.15",
    "X.7.16",
    "X.7.17",
    "X.7.18",
    "X.7.19",
    "X.7.20",
    "X.7.21",
    "X.7.22",
    "X.7.23",
    "X.7.24",
    "X.7.25",
    "X.7.26",
    "X.7.27",
    "X.7.28",
    "X.7.29",
    "X.7.30",
];

/// The codes the issue names as the ones senders meet most; each must be marked common.
const MUST_BE_COMMON: &[&str] = &[
    "550",
    "551",
    "552",
    "553",
    "554",
    "421",
    "450",
    "451",
    "452",
    "x.1.1",
    "x.7.1",
    "x.7.26",
    "x.7.0",
    "x.2.2",
    "x.4.1",
    "x.1.10",
    "gmail-5.7.26",
    "microsoft-s3150",
    "yahoo-tss04",
];

#[test]
fn the_builtin_data_loads() {
    let r = Reference::builtin().unwrap();
    assert!(r.entries().len() > 200, "{}", r.entries().len());
}

#[test]
fn every_registry_code_has_an_entry() {
    let r = Reference::builtin().unwrap();
    let codes: HashSet<&str> = r
        .entries()
        .iter()
        .filter(|e| e.kind != Kind::Provider)
        .map(|e| e.code.as_str())
        .collect();
    assert_eq!(ENHANCED.len(), 3 + 8 + 81);
    for c in BASIC.iter().chain(ENHANCED) {
        assert!(codes.contains(c), "no entry for {c}");
    }
}

#[test]
fn providers_are_covered() {
    let r = Reference::builtin().unwrap();
    let providers: Vec<_> = r
        .entries()
        .iter()
        .filter(|e| e.kind == Kind::Provider)
        .collect();
    assert!(
        providers.len() >= 60,
        "{} provider entries",
        providers.len()
    );
    for name in [
        "Gmail",
        "Microsoft",
        "Yahoo",
        "AOL",
        "Apple",
        "Mimecast",
        "Proofpoint",
        "Barracuda",
        "Spamhaus",
    ] {
        assert!(
            providers
                .iter()
                .any(|e| e.provider.as_deref().is_some_and(|p| p.starts_with(name))),
            "no entry for {name}"
        );
    }
    for code in [
        "S3150", "S3140", "5.7.606", "5.7.708", "5.5.0", "TSS04", "TSS09", "BL21", "BL23", "PH01",
        "HME1", "CS01",
    ] {
        assert!(
            providers.iter().any(|e| e.code == code),
            "no provider entry with code {code}"
        );
    }
}

#[test]
fn common_codes_have_faq_and_sender_notes() {
    let r = Reference::builtin().unwrap();
    let common: Vec<_> = r.entries().iter().filter(|e| e.common).collect();
    assert!(common.len() >= 30, "{} common entries", common.len());
    for e in &common {
        assert!(e.faq.len() >= 2, "{}", e.id);
        assert!(e.senders.is_some(), "{}", e.id);
    }
    for id in MUST_BE_COMMON {
        assert!(
            r.get(id).is_some_and(|e| e.common),
            "{id} is not marked common"
        );
    }
}

#[test]
fn the_551_entry_says_what_the_issue_asks() {
    let r = Reference::builtin().unwrap();
    let e = r.get("551").unwrap();
    assert_eq!(e.bounce_type.as_str(), "hard");
    assert_eq!(e.category.as_str(), "address");
    let notes = e.senders.as_ref().unwrap();
    assert!(notes.bulk.contains("list-quality signal"));
    assert!(notes.bulk.contains("never followed automatically"));
    assert!(e.meaning.contains("hostile"));
    assert!(e.faq.iter().any(|f| f.a.contains("hostile")));
}

#[test]
fn every_entry_is_complete() {
    let r = Reference::builtin().unwrap();
    for e in r.entries() {
        for (name, text) in [
            ("title", &e.title),
            ("meaning", &e.meaning),
            ("todo", &e.todo),
            ("standard", &e.standard),
        ] {
            assert!(!text.trim().is_empty(), "{}: empty {name}", e.id);
        }
        assert!(
            !e.examples.is_empty()
                && !e.plays_out.is_empty()
                && !e.causes.is_empty()
                && !e.fix.is_empty(),
            "{}",
            e.id
        );
        assert!(!e.forms.is_empty(), "{}", e.id);
        assert!(
            e.meaning.len() >= 60,
            "{}: the meaning is a paragraph, not a phrase",
            e.id
        );
    }
}

#[test]
fn a_typo_in_a_taxonomy_name_is_an_error() {
    let src = include_str!("../codes/basic.toml").replacen(
        "bounce_type = \"none\"",
        "bounce_type = \"nope\"",
        1,
    );
    let err = Reference::from_files(&[("codes/basic.toml", &src)]).unwrap_err();
    assert!(
        err.to_string().contains("unknown BounceType `nope`"),
        "{err}"
    );
    let src = include_str!("../codes/basic.toml").replacen(
        "related = [\"250\", \"251\"",
        "related = [\"250\", \"2511\"",
        1,
    );
    let err = Reference::from_files(&[("codes/basic.toml", &src)]).unwrap_err();
    assert!(err.to_string().contains("`2511`"), "{err}");
}
