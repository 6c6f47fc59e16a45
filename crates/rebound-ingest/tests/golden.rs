//! Golden files: every `tests/fixtures/mail/<producer>/<case>.eml` (real MTA output) is read
//! and its events compared with `<case>.json` beside it. On a mismatch the actual output is
//! written to `<case>.json.failed`; `REBOUND_BLESS=1` writes the expected files instead.
//! The `malformed/` folder must give errors or best-effort results, never a panic or a hang.

// Test helpers outside #[test] functions unwrap too: a failure there is a test failure.
#![allow(clippy::unwrap_used)]

mod common;

use common::{Golden, pick};
use rebound_core::Classifier;
use rebound_ingest::{Options, Origin, read_message};
use serde_json::{Value, json};
use std::path::PathBuf;

fn fixtures() -> PathBuf {
    common::fixtures("mail")
}

/// Folders whose golden files also hold the event's `at`, reply `text` and deciding `rule`:
/// there the text itself is what is tested (national charsets decoded to Unicode).
const TEXT_FOLDERS: &[&str] = &["charset"];

/// The fields this crate answers for, in a stable order.
fn summarize(raw: &[u8], name: &str, classifier: &Classifier) -> Value {
    let with_text = TEXT_FOLDERS
        .iter()
        .any(|f| name.strip_prefix(f).is_some_and(|n| n.starts_with('/')));
    let options = Options {
        tag_headers: vec!["X-Lead-Source".into()],
    };
    let origin = Origin {
        path: Some(name.into()),
        message: 1,
    };
    match read_message(raw, &options, classifier, &origin) {
        Err(e) => json!({ "error": e.to_string() }),
        Ok(events) => Value::Array(
            events
                .iter()
                .map(|e| {
                    let mut keys = vec![
                        "recipient",
                        "sender",
                        "code",
                        "status",
                        "command",
                        "forward",
                        "dsn_action",
                        "remote_mta",
                        "reporting_mta",
                        "message_id",
                        "permanent",
                        "reason",
                        "bounce_type",
                        "tags",
                    ];
                    if with_text {
                        keys.extend(["at", "text", "rule"]);
                    }
                    pick(e, &[("kind", "kind")], &keys)
                })
                .collect(),
        ),
    }
}

#[test]
fn real_mta_output_matches_golden_files() {
    let classifier = Classifier::builtin().unwrap();
    let mut golden = Golden::new();
    let mut dirs: Vec<_> = std::fs::read_dir(fixtures())
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    dirs.sort();
    for dir in dirs
        .iter()
        .filter(|d| d.is_dir() && !d.ends_with("malformed"))
    {
        let mut files: Vec<_> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        files.sort();
        for eml in files
            .iter()
            .filter(|p| p.extension().is_some_and(|x| x == "eml"))
        {
            let name = format!(
                "{}/{}",
                dir.file_name().unwrap().to_string_lossy(),
                eml.file_name().unwrap().to_string_lossy()
            );
            let got = summarize(&std::fs::read(eml).unwrap(), &name, &classifier);
            golden.check(&name, &eml.with_extension("json"), &got);
        }
    }
    golden.finish(1);
}

fn never_panics(raw: &[u8]) {
    let classifier = Classifier::builtin().unwrap();
    let _ = read_message(raw, &Options::default(), &classifier, &Origin::default());
}

#[test]
fn malformed_inputs_give_errors_or_best_effort() {
    let classifier = Classifier::builtin().unwrap();
    let dir = fixtures().join("malformed");
    let mut n = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let raw = std::fs::read(&path).unwrap();
        let _ = read_message(&raw, &Options::default(), &classifier, &Origin::default());
        n += 1;
    }
    assert!(n >= 4);
    // Best effort where the evidence survived.
    let raw = std::fs::read(dir.join("missing-closing-boundary.eml")).unwrap();
    let events = read_message(&raw, &Options::default(), &classifier, &Origin::default()).unwrap();
    assert_eq!(events[0].recipient.as_deref(), Some("b@example.com"));
    assert_eq!(events[0].reply.code, Some(552));
    let raw = std::fs::read(dir.join("unknown-charset.eml")).unwrap();
    let events = read_message(&raw, &Options::default(), &classifier, &Origin::default()).unwrap();
    assert_eq!(events[0].recipient.as_deref(), Some("c@example.com"));
}

#[test]
fn ten_megabyte_line() {
    let mut raw = b"From: MAILER-DAEMON@example.org\nSubject: Undelivered Mail\n\n".to_vec();
    raw.extend(std::iter::repeat_n(b'x', 10 << 20));
    raw.extend_from_slice(b"\n<a@example.com>: 550 5.1.1 unknown\n");
    never_panics(&raw);
    let mut raw = b"Subject: ".to_vec();
    raw.extend(std::iter::repeat_n(b'5', 10 << 20));
    never_panics(&raw);
}

#[test]
fn nesting_a_thousand_deep() {
    let mut raw = Vec::new();
    for i in 0..1000 {
        raw.extend_from_slice(
            format!("Content-Type: multipart/mixed; boundary=\"b{i}\"\n\n--b{i}\n").as_bytes(),
        );
    }
    raw.extend_from_slice(b"Content-Type: message/delivery-status\n\nFinal-Recipient: rfc822; x@example.com\nStatus: 5.1.1\n");
    never_panics(&raw);
    let mut raw = Vec::new();
    for _ in 0..1000 {
        raw.extend_from_slice(b"Content-Type: message/rfc822\n\n");
    }
    never_panics(&raw);
}

#[test]
fn empty_and_headerless() {
    let classifier = Classifier::builtin().unwrap();
    assert!(read_message(b"", &Options::default(), &classifier, &Origin::default()).is_err());
    assert!(
        read_message(
            b"\x00\x01\x02 junk without fields",
            &Options::default(),
            &classifier,
            &Origin::default()
        )
        .is_err()
    );
}
