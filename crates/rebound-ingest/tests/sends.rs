//! Sends in webhook bodies (delivered, processed, accepted, injection, send: each service's
//! own event) and files of webhook bodies one a line (JSON lines).

#![allow(clippy::unwrap_used)]

mod common;

use rebound_core::{BounceEvent, Classifier, DsnAction};
use rebound_ingest::{InputKind, LogOptions, read_deliveries, read_foreign, sniff};
use std::path::PathBuf;

fn fixture(rel: &str) -> PathBuf {
    common::fixtures("").join(rel)
}

/// `recipient message_id at provider` of each delivery of a body.
fn deliveries(rel: &str) -> Vec<String> {
    let classifier = Classifier::builtin().unwrap();
    let body = std::fs::read(fixture(rel)).unwrap();
    read_deliveries(&body, &classifier, Some(rel))
        .iter()
        .map(|e| {
            assert_eq!(e.dsn_action, Some(DsnAction::Delivered));
            assert_eq!(e.classification.bounce_type.as_str(), "none");
            format!(
                "{} {} {} {}",
                e.recipient.as_deref().unwrap(),
                e.message_id.as_deref().unwrap_or("-"),
                e.at.map(|t| t.to_string()).unwrap_or_default(),
                e.tags["provider"].as_str().unwrap_or_default()
            )
        })
        .collect()
}

#[test]
fn each_service_names_its_deliveries() {
    assert_eq!(
        deliveries("sends/sendgrid-delivered.json"),
        [
            "reader@fair.example 14c5d75ce93.dfd.64b469@ismtpd-555 2026-11-27T02:36:40Z sendgrid",
            "reader@fair.example 14c5d75ce93.dfd.64b469@ismtpd-555 2026-11-27T02:36:45Z sendgrid",
        ]
    );
    assert_eq!(
        deliveries("sends/postmark-delivery.json"),
        ["john@example.com 00000000-0000-0000-0000-000000000000 2026-11-27T02:40:00Z postmark"]
    );
    assert_eq!(
        deliveries("sends/ses-delivery.json").len(),
        2,
        "both recipients of one SES delivery"
    );
    assert_eq!(
        deliveries("sends/mailgun-delivered.json"),
        ["alice@example.com 20261127024000.1.AAAA@mg.example.com 2026-11-27T02:40:00Z mailgun"]
    );
    assert_eq!(
        deliveries("sends/sparkpost-delivery.json"),
        [
            "bob@example.com 000443ee14578172be22 2026-11-27T02:40:00Z sparkpost",
            "bob@example.com 000443ee14578172be22 2026-11-27T02:40:10Z sparkpost"
        ]
    );
    assert_eq!(
        deliveries("sends/mandrill-send.json"),
        ["carol@example.com exampleaaaaaaaaaaaaaaaaaaaaaaaaa 2026-11-27T02:40:00Z mandrill"]
    );
    // A bounce body reports no delivery.
    assert!(deliveries("webhook/sendgrid/bounce-docs.json").is_empty());
}

fn read(rel: &str, deliveries: bool) -> (Vec<BounceEvent>, rebound_ingest::LogStats) {
    let classifier = Classifier::builtin().unwrap();
    let path = fixture(rel);
    let kind = sniff(&std::fs::read(&path).unwrap());
    assert!(matches!(kind, InputKind::Webhook(_)), "{rel}: {kind:?}");
    let options = LogOptions {
        deliveries,
        ..LogOptions::default()
    };
    let mut events = Vec::new();
    let stats = read_foreign(&path, kind, &classifier, &options, None, &mut |e| {
        events.push(e);
        Ok(())
    })
    .unwrap();
    (events, stats)
}

#[test]
fn json_lines_of_bodies_are_read_line_by_line() {
    let (events, stats) = read("sends/bodies.jsonl", false);
    // Line 1 is a delivery (not asked for), 2 the Postmark bounce, 3 no webhook, 4 SendGrid.
    let lines: Vec<(u64, &str)> = events
        .iter()
        .map(|e| (e.source.message.unwrap(), e.source.reader.unwrap().as_str()))
        .collect();
    assert_eq!(lines, [(2, "postmark"), (4, "sendgrid")]);
    assert_eq!(stats.garbled, 1);
    assert_eq!(stats.first_garbled[0].line, 3);
    assert!(
        stats.first_garbled[0]
            .why
            .contains("not a known webhook payload"),
        "{:?}",
        stats.first_garbled
    );
    // With deliveries: line 1 too, a body no bounce reader knows but a delivery.
    let (events, stats) = read("sends/bodies.jsonl", true);
    assert_eq!(events.len(), 3);
    assert_eq!(events[0].source.message, Some(1));
    assert_eq!(events[0].dsn_action, Some(DsnAction::Delivered));
    assert_eq!(stats.garbled, 1);
}

#[test]
fn a_body_with_only_deliveries_is_no_error_when_they_are_asked_for() {
    let (events, _) = read("sends/sendgrid-delivered.json", true);
    assert_eq!(events.len(), 3);
    let (events, _) = read("sends/sendgrid-delivered.json", false);
    assert_eq!(events.len(), 1);
    assert_eq!(events[0].recipient.as_deref(), Some("gone@fair.example"));
}
