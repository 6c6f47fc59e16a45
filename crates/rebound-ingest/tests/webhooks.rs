//! Webhook fixtures: every `tests/fixtures/webhook/<provider>/<case>.json` (public examples,
//! see SOURCES.md there) is sniffed (it must be detected as its folder's provider), read, and
//! its events compared with `<case>.expected.json` (`REBOUND_BLESS=1` writes them). Also:
//! hostile bodies (huge, deeply nested, wrong types) are refused with a clear error.

#![allow(clippy::unwrap_used)]

mod common;

use common::{Golden, pick};
use rebound_core::Classifier;
use rebound_ingest::{InputKind, sniff};
use rebound_ingest::{MAX_WEBHOOK_BODY, WebhookError, WebhookFormat, read_webhook};
use serde_json::{Value, json as j};
use std::path::PathBuf;

fn fixtures() -> PathBuf {
    common::fixtures("webhook")
}

fn summarize(body: &[u8], format: WebhookFormat, classifier: &Classifier) -> Value {
    match read_webhook(body, Some(format), classifier, None) {
        Err(e) => j!({ "error": e.to_string() }),
        Ok(events) => Value::Array(
            events
                .iter()
                .map(|e| {
                    pick(
                        e,
                        &[("record", "message"), ("index", "index"), ("kind", "kind")],
                        &[
                            "recipient",
                            "sender",
                            "at",
                            "code",
                            "status",
                            "text",
                            "dsn_action",
                            "remote_mta",
                            "reporting_mta",
                            "message_id",
                            "permanent",
                            "reason",
                            "bounce_type",
                            "action",
                            "rule",
                            "provider_class",
                            "tags",
                        ],
                    )
                })
                .collect(),
        ),
    }
}

#[test]
fn webhook_fixtures_match_golden_files() {
    let classifier = Classifier::builtin().unwrap();
    let mut golden = Golden::new();
    let mut dirs: Vec<_> = std::fs::read_dir(fixtures())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir())
        .collect();
    dirs.sort();
    for dir in dirs {
        let provider = dir.file_name().unwrap().to_string_lossy().to_string();
        let format = WebhookFormat::from_name(&provider).unwrap();
        let mut files: Vec<_> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| {
                let n = p.file_name().unwrap().to_string_lossy();
                (n.ends_with(".json") || n.ends_with(".form")) && !n.ends_with(".expected.json")
            })
            .collect();
        files.sort();
        for path in files {
            let name = format!("{provider}/{}", path.file_name().unwrap().to_string_lossy());
            let body = std::fs::read(&path).unwrap();
            assert_eq!(
                sniff(&body),
                InputKind::Webhook(Some(format)),
                "{name}: detection"
            );
            let got = summarize(&body, format, &classifier);
            // Detection from the parsed body agrees with the folder too.
            let detected = read_webhook(&body, None, &classifier, None).map(|e| e.len());
            assert_eq!(detected.ok(), got.as_array().map(Vec::len), "{name}: auto");
            let expected = path.with_extension("").with_extension("expected.json");
            golden.check(&name, &expected, &got);
        }
    }
    golden.finish(20);
}

fn refuse(body: &[u8], format: Option<WebhookFormat>) -> WebhookError {
    let classifier = Classifier::builtin().unwrap();
    read_webhook(body, format, &classifier, None).unwrap_err()
}

#[test]
fn hostile_bodies_are_refused_clearly() {
    let huge = vec![b' '; MAX_WEBHOOK_BODY + 1];
    assert!(matches!(refuse(&huge, None), WebhookError::TooLarge(_)));
    let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
    assert_eq!(refuse(deep.as_bytes(), None), WebhookError::TooDeep);
    let deep_obj = "{\"a\":".repeat(1000) + "1" + &"}".repeat(1000);
    assert_eq!(refuse(deep_obj.as_bytes(), None), WebhookError::TooDeep);
    assert!(matches!(
        refuse(b"{\"bounce\":", None),
        WebhookError::Json(_)
    ));
    assert_eq!(refuse(b"{\"hello\": 1}", None), WebhookError::Unknown);
    // Wrong types name the field.
    let e = refuse(br#"{"notificationType":"Bounce","bounce":5}"#, None);
    assert_eq!(e.to_string(), "ses: field `bounce` should be an object");
    let e = refuse(br#"[{"event":"bounce","email":7,"sg_event_id":"x"}]"#, None);
    assert_eq!(e.to_string(), "sendgrid: field `email` should be a string");
    let e = refuse(
        br#"{"event-data":{"event":"failed","recipient":"a@b","delivery-status":[]}}"#,
        None,
    );
    assert_eq!(
        e.to_string(),
        "mailgun: field `delivery-status` should be an object"
    );
    let e = refuse(
        br#"{"RecordType":"Bounce","TypeCode":"one","Email":"a@b"}"#,
        None,
    );
    assert_eq!(
        e.to_string(),
        "postmark: field `TypeCode` should be a number"
    );
    let e = refuse(
        br#"[{"msys":{"message_event":{"type":"bounce","bounce_class":{}}}}]"#,
        None,
    );
    assert_eq!(
        e.to_string(),
        "sparkpost: field `bounce_class` should be a number"
    );
    let e = refuse(br#"[{"event":"hard_bounce","msg":"x"}]"#, None);
    assert_eq!(e.to_string(), "mandrill: field `msg` should be an object");
    let e = refuse(
        br#"{"Type":"Notification","TopicArn":"t","Message":"{\"Type\":\"x\",\"Message\":\"y\"}"}"#,
        None,
    );
    assert!(e.to_string().contains("another envelope"), "{e}");
    let e = refuse(
        br#"{"notificationType":"Bounce","bounce":{"bouncedRecipients":[{}]}}"#,
        None,
    );
    assert_eq!(e.to_string(), "ses: field `emailAddress` is missing");
}

#[test]
fn non_bounce_events_give_nothing() {
    let classifier = Classifier::builtin().unwrap();
    let body = br#"[{"event":"open","email":"a@b.example","sg_event_id":"x","timestamp":1}]"#;
    assert!(
        read_webhook(body, None, &classifier, None)
            .unwrap()
            .is_empty()
    );
}

/// Hostile metadata is bounded, marked and counted, never dropped silently: a huge value is
/// cut with a mark, entries past the limit are counted in `tags_left_out`, the event says
/// `truncated: ["tags"]`, and a metadata field of the wrong shape is kept whole.
#[test]
fn hostile_metadata_is_bounded_and_marked() {
    let classifier = Classifier::builtin().unwrap();
    let many: serde_json::Map<String, Value> =
        (0..100).map(|i| (format!("k{i:03}"), j!(i))).collect();
    let mut metadata = Value::Object(many);
    metadata["a_huge"] = j!("x".repeat(100_000));
    let body = j!([{
        "event": "hard_bounce",
        "ts": 1_762_766_100,
        "msg": {
            "email": "gone@example.com",
            "diag": "smtp;550 5.1.1 User unknown",
            "metadata": metadata,
            "tags": "not-a-list",
        }
    }]);
    let events = read_webhook(
        body.to_string().as_bytes(),
        Some(WebhookFormat::Mandrill),
        &classifier,
        None,
    )
    .unwrap();
    let tags = &events[0].tags;
    assert_eq!(
        events[0].truncated,
        vec![rebound_core::Truncation::Tags],
        "{tags:?}"
    );
    // 64 of the 101 `meta.` tags kept (in key order), 37 left out and counted; `labels`
    // (kept as given, a string) and the reader's own tags besides.
    let metadata = tags.keys().filter(|k| k.starts_with("meta.")).count();
    assert_eq!(metadata, 64, "{tags:?}");
    assert_eq!(tags["tags_left_out"], j!(37));
    assert_eq!(tags["labels"], j!("not-a-list"));
    assert_eq!(tags["provider"], j!("mandrill"));
    assert_eq!(tags["meta.k062"], j!(62));
    assert!(!tags.contains_key("meta.k063"));
    let huge = tags["meta.a_huge"].as_str().unwrap();
    assert!(huge.len() <= 1024 && huge.ends_with("…[cut]"), "{huge}");
    assert!(huge.starts_with("xxxx"));
}
