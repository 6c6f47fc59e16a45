//! `rebound ingest` on MTA logs and webhook bodies, through the real binary, into a temporary
//! SQLite store: the same routing as `rebound parse` (files sniffed, standard input sniffed,
//! `--format`), ingestion twice stores every event once, hard recipient-level bounces are
//! suppressed, and soft or sender-side events are not.

#![allow(clippy::unwrap_used)]

mod common;

use rebound_store::testing;
use rebound_store::{Location, Store, Table};
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn fixture(rel: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/fixtures")
        .join(rel)
        .display()
        .to_string()
}

/// A scratch directory with an SQLite store, removed on drop.
struct Scratch {
    dir: PathBuf,
    db: String,
}

impl Scratch {
    fn new() -> Scratch {
        let dir = std::env::temp_dir().join(testing::unique_name("rebound-logs-test"));
        std::fs::create_dir_all(&dir).unwrap();
        let db = dir.join("store.db").display().to_string();
        Scratch { dir, db }
    }

    /// `rebound --db <store> ARGS...` with no standard input.
    fn run(&self, args: &[&str]) -> Output {
        Command::new(env!("CARGO_BIN_EXE_rebound"))
            .args(args)
            .args(["--db", &self.db])
            .env("XDG_DATA_HOME", self.dir.join("data"))
            .env_remove("REBOUND_DB")
            .output()
            .unwrap()
    }

    /// `rebound ingest --json ARGS...`: the summary.
    fn ingest(&self, args: &[&str]) -> Value {
        let out = self.run(&[&["ingest", "--json"], args].concat());
        assert_eq!(
            out.status.code(),
            Some(0),
            "stderr: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_slice(&out.stdout).unwrap()
    }

    /// The suppressions, address → rule, from `rebound suppressions list --json`.
    fn suppressions(&self) -> BTreeMap<String, String> {
        let out = self.run(&["suppressions", "list", "--json"]);
        assert_eq!(out.status.code(), Some(0));
        common::json_lines(&out)
            .into_iter()
            .map(|s| {
                (
                    s["address"].as_str().unwrap().to_string(),
                    s["rule"].as_str().unwrap().to_string(),
                )
            })
            .collect()
    }

    fn events(&self) -> i64 {
        Store::open(&Location::parse(&self.db).unwrap())
            .unwrap()
            .count(Table::Events)
            .unwrap()
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

#[test]
fn logs_and_webhooks_are_ingested_once_and_suppress_per_policy() {
    let s = Scratch::new();
    let inputs = [
        // Postfix: a hard userunknown and a 551 naming another domain (one message, two
        // recipients); the 551 is a verdict to review, which never suppresses.
        fixture("log/postfix/multi-rcpt.log"),
        // Postfix: a server that blocks the sender at the greeting, 6 attempts (sender-side).
        fixture("log/postfix/blocked-greeting.log"),
        // SES (SNS envelope): a hard userunknown.
        fixture("webhook/ses/sns-envelope-bounce.json"),
        // SendGrid: one deferral (soft).
        fixture("webhook/sendgrid/deferred-anymail-test.json"),
    ];
    let args: Vec<&str> = inputs.iter().map(String::as_str).collect();
    let first = s.ingest(&args);
    assert_eq!(first["events"], 10, "{first}");
    assert_eq!(first["new"], 10, "{first}");
    assert_eq!(first["failures"], 0);
    assert_eq!(first["sender_side"], 6, "{first}");
    assert_eq!(s.events(), 10);

    let second = s.ingest(&args);
    assert_eq!(second["events"], 10);
    assert_eq!(second["new"], 0, "{second}");
    assert_eq!(second["duplicates"], 10);
    assert_eq!(s.events(), 10);

    let suppressed = s.suppressions();
    let expected: BTreeMap<String, String> = [
        ("jane@example.com", "hard:userunknown"),
        ("multi-unknown@remote.test", "hard:userunknown"),
    ]
    .into_iter()
    .map(|(a, r)| (a.to_string(), r.to_string()))
    .collect();
    assert_eq!(suppressed, expected);
    // Neither the sender-side block (six times) nor the one deferral suppresses.
    assert!(!suppressed.contains_key("user@blocked.test"));
    assert!(!suppressed.contains_key("recipient@example.com"));
    // The 551 naming another domain waits for a person in the hints list.
    let hints = self_hints(&s);
    assert!(
        hints.contains(&("multi-fwd@remote.test".into(), "review".into())),
        "{hints:?}"
    );
}

/// `(old_address, kind)` of every hint, from `rebound hints list --json`.
fn self_hints(s: &Scratch) -> Vec<(String, String)> {
    let out = s.run(&["hints", "list", "--json"]);
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| {
            let v: Value = serde_json::from_str(l).unwrap();
            (
                v["old_address"].as_str().unwrap().to_string(),
                v["kind"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

#[test]
fn standard_input_is_sniffed_and_format_is_honoured() {
    let s = Scratch::new();
    let log = std::fs::read(fixture("log/postfix/user-unknown.log")).unwrap();
    let hook = std::fs::read(fixture("webhook/mailgun/failed-permanent-bounce.json")).unwrap();
    let db = ["--db", s.db.as_str()];
    for input in [&log, &hook] {
        for _ in 0..2 {
            let out = common::rebound(&[&["ingest", "--json", "-"][..], &db[..]].concat(), input);
            assert_eq!(
                out.status.code(),
                Some(0),
                "{}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
    }
    assert_eq!(s.events(), 2);
    let suppressed = s.suppressions();
    assert_eq!(
        suppressed
            .get("user-unknown@remote.test")
            .map(String::as_str),
        Some("hard:userunknown")
    );
    assert_eq!(
        suppressed.get("invalid@example.com").map(String::as_str),
        Some("hard:userunknown")
    );
    // `--format` takes `rebound parse`'s values: a log named as a log is read as one, and
    // read as a webhook body it is refused (reported, exit 1), nothing stored.
    let path = fixture("log/postfix/user-unknown.log");
    let again = s.ingest(&["--format", "postfix", &path]);
    assert_eq!(again["duplicates"], 1);
    let out = s.run(&["ingest", "--format", "ses", &path]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("not valid JSON"));
    assert_eq!(s.events(), 2);
    let out = s.run(&["ingest", "--format", "nope", &path]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn parse_output_is_still_ingested_as_json_lines() {
    let s = Scratch::new();
    let parsed = common::rebound(
        &["parse", "--json", &fixture("log/postfix/nxdomain.log")],
        b"",
    );
    assert_eq!(parsed.status.code(), Some(0));
    let jsonl = s.dir.join("events.json");
    std::fs::write(&jsonl, &parsed.stdout).unwrap();
    let summary = s.ingest(&[jsonl.to_str().unwrap()]);
    assert_eq!(summary["new"], 1, "{summary}");
    let out = common::rebound(&["ingest", "--json", "--db", &s.db, "-"], &parsed.stdout);
    assert_eq!(out.status.code(), Some(0));
    let summary: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(summary["duplicates"], 1, "{summary}");
    assert_eq!(
        s.suppressions()
            .get("user@nxdomain.test")
            .map(String::as_str),
        Some("hard:hostunknown")
    );
}

#[test]
fn complaints_are_feedback_events_with_their_type() {
    let cases = [
        (
            "webhook/ses/notification-complaint-with-feedback.json",
            "richard@example.com",
            "abuse",
        ),
        (
            "webhook/sendgrid/spamreport-sample.json",
            "example@test.com",
            "spamreport",
        ),
        (
            "webhook/mailgun/complained.json",
            "alice@example.com",
            "complained",
        ),
        (
            "webhook/sparkpost/spam-complaint-sample.json",
            "recipient@example.com",
            "abuse",
        ),
        (
            "webhook/mandrill/spam.json",
            "example.webhook@mandrillapp.com",
            "spam",
        ),
    ];
    for (path, recipient, feedback_type) in cases {
        // Standard input, sniffed: the provider is recognized from the body.
        let body = std::fs::read(fixture(path)).unwrap();
        let out = common::rebound(&["parse", "--json", "-"], &body);
        assert_eq!(out.status.code(), Some(0), "{path}");
        let events = common::json_lines(&out);
        assert_eq!(events.len(), 1, "{path}");
        let e = &events[0];
        assert_eq!(e["recipient"], recipient, "{path}");
        assert_eq!(e["reason"], "feedback", "{path}");
        assert_eq!(e["bounce_type"], "none", "{path}");
        assert_eq!(e["feedback_type"], feedback_type, "{path}");
        assert_eq!(e["source"]["kind"], "webhook", "{path}");
    }
}

#[test]
fn parse_sniffs_standard_input() {
    let cases = [
        ("log/postfix/user-unknown.log", "log"),
        ("log/exim/blocked-greeting.log", "log"),
        ("webhook/ses/sns-envelope-bounce.json", "webhook"),
        ("webhook/mandrill/hard-bounce.form", "webhook"),
        ("mail/postfix/user-unknown.eml", "dsn"),
    ];
    for (path, kind) in cases {
        let body = std::fs::read(fixture(path)).unwrap();
        let out = common::rebound(&["parse", "--json", "-"], &body);
        assert_eq!(out.status.code(), Some(0), "{path}");
        let events = common::json_lines(&out);
        assert!(!events.is_empty(), "{path}");
        assert_eq!(events[0]["source"]["kind"], kind, "{path}");
        assert_eq!(events[0]["source"]["path"], "-", "{path}");
    }
}
