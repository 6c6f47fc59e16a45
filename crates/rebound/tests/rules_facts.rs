//! Every verdict is a rule: what a report states (an auto-reply, a feedback report, a DSN
//! action, a provider's class) is decided by rules that `rules list` lists, `explain` explains
//! and a user's `--rules` file overrides.

#![allow(clippy::unwrap_used)]

mod common;

use common::{json_lines, rebound};
use std::collections::BTreeSet;
use std::path::PathBuf;

fn fixtures(kind: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/fixtures")
        .join(kind)
}

const AUTO_REPLY: &str = "From: Jane Roe <jane@example.org>\n\
To: sender@example.com\n\
Subject: =?UTF-8?Q?R=C3=A9ponse_automatique?=\n\
Auto-Submitted: auto-replied\n\
Date: Tue, 10 Nov 2026 09:15:00 +0900\n\
Message-ID: <auto-1@example.org>\n\
Content-Type: text/plain; charset=utf-8\n\
\n\
Je suis absente jusqu'au 20 novembre.\n";

#[test]
fn every_rule_a_verdict_carries_is_listed_and_explained() {
    let listed = rebound(&["rules", "list"], b"");
    assert!(listed.status.success());
    let listed: BTreeSet<String> = String::from_utf8_lossy(&listed.stdout)
        .lines()
        .filter_map(|l| l.split('\t').next().map(str::to_string))
        .collect();
    for id in [
        "mail.arf",
        "mail.autoreply",
        "mail.dsn.delivered",
        "mail.dsn.delayed",
        "mail.dsn.local-mailer",
        "log.expired",
        "webhook.ses.suppressed",
        "webhook.postmark.autoresponder",
        "none",
    ] {
        assert!(listed.contains(id), "`rules list` lacks {id}");
    }
    // The rules every fixture's events carry: mail, logs and webhooks alike.
    let mut seen = BTreeSet::new();
    for kind in ["mail", "log", "webhook"] {
        let dir = fixtures(kind);
        let out = rebound(&["parse", "--json", dir.to_str().unwrap()], b"");
        for event in json_lines(&out) {
            seen.insert(event["rule"].as_str().unwrap().to_string());
        }
    }
    let out = rebound(&["parse", "--json", "-"], AUTO_REPLY.as_bytes());
    seen.insert(json_lines(&out)[0]["rule"].as_str().unwrap().to_string());
    assert!(seen.len() > 10, "only {seen:?}");
    for id in &seen {
        assert!(
            listed.contains(id),
            "a verdict names {id}, which `rules list` lacks"
        );
        let out = rebound(&["explain", id], b"");
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(out.status.success(), "explain {id}: {text}");
        assert!(text.starts_with(&format!("rule {id}")), "{text}");
    }
    let out = rebound(&["explain", "--json", "mail.dsn.delayed"], b"");
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["reason"], "expired");
    assert_eq!(v["conditions"][0], "kind = dsn | mail");
    assert_eq!(v["conditions"][1], "dsn_action = delayed");
}

#[test]
fn a_users_rule_overrides_a_stated_verdict() {
    let out = rebound(&["parse", "--json", "-"], AUTO_REPLY.as_bytes());
    let event = &json_lines(&out)[0];
    assert_eq!(event["rule"], "mail.autoreply", "{event}");
    assert_eq!(event["reason"], "vacation");
    assert_eq!(event["source"]["kind"], "autoreply");

    let dir = std::env::temp_dir().join(format!("rebound-facts-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let mine = dir.join("mine.toml");
    std::fs::write(
        &mine,
        "[[rule]]\nid = \"mine.absence-is-onhold\"\nkind = \"autoreply\"\ntext = 'absente'\n\
         reason = \"onhold\"\n\
         examples = [{ reply = \"Je suis absente\", kind = \"autoreply\" }]\n",
    )
    .unwrap();
    let check = rebound(&["rules", "check", mine.to_str().unwrap()], b"");
    assert!(
        check.status.success(),
        "{}",
        String::from_utf8_lossy(&check.stdout)
    );
    let out = rebound(
        &["--rules", mine.to_str().unwrap(), "parse", "--json", "-"],
        AUTO_REPLY.as_bytes(),
    );
    let event = &json_lines(&out)[0];
    assert_eq!(event["rule"], "mine.absence-is-onhold", "{event}");
    assert_eq!(event["reason"], "onhold");
    // A rule naming facts the input does not state does not apply.
    let out = rebound(
        &[
            "--rules",
            mine.to_str().unwrap(),
            "classify",
            "--json",
            "550 absente",
        ],
        b"",
    );
    assert_ne!(json_lines(&out)[0]["rule"], "mine.absence-is-onhold");
    std::fs::remove_dir_all(&dir).unwrap();
}
