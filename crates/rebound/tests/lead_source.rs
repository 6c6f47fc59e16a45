//! The lead source from every door: email services' metadata (`--source-tag`), a header of the
//! returned message of a bounce email (`--source-header`: a `message/rfc822` part, a
//! `text/rfc822-headers` part, a copy quoted in the text), and the original headers an email
//! service reports, all in one `report --by source`; an MTA log's bounces joined to their
//! source through an imported send list; reports by campaign and by any tag. Each
//! runs on SQLite and PostgreSQL (`both_backends!`); the expected counts are worked out by
//! hand in the comments.
#![allow(clippy::unwrap_used)]

mod common;

use common::store::{Harness, both_backends, path_str, text};
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The repository's `tests/fixtures`.
fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures")
}

both_backends!(
    webhook_sources_of_six_services_report_by_source,
    one_source_from_bounce_emails_and_webhooks,
    report_by_campaign_and_by_any_tag,
    one_source_from_an_email_a_webhook_and_a_log_joined_through_the_send_list,
);

/// A webhook fixture of the repository, parsed.
fn fixture(name: &str) -> Value {
    let path = fixtures().join("webhook").join(name);
    serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap()
}

/// Sets the value at a JSON pointer, making objects on the way.
fn set(v: &mut Value, pointer: &str, value: Value) {
    let (parent, key) = pointer.rsplit_once('/').unwrap();
    let mut at = v;
    for part in parent.split('/').skip(1) {
        at = match at {
            Value::Array(a) => &mut a[part.parse::<usize>().unwrap()],
            Value::Object(o) => o.entry(part).or_insert_with(|| json!({})),
            _ => panic!("{pointer}: not a container"),
        };
    }
    at.as_object_mut().unwrap().insert(key.into(), value);
}

/// One service's body: a fixture with its recipient replaced and, when given, a lead source
/// put where that service carries metadata.
fn body(service: &str, recipient: &str, source: Option<Value>) -> Value {
    let (file, rcpt, meta): (&str, &[&str], &str) = match service {
        "mailgun" => (
            "mailgun/failed-permanent-bounce.json",
            &["/event-data/recipient"],
            "/event-data/user-variables/lead_source",
        ),
        "sendgrid" => (
            "sendgrid/bounce-anymail-test.json",
            &["/0/email"],
            "/0/lead_source",
        ),
        "sendgrid-deferred" => (
            "sendgrid/deferred-docs.json",
            &["/0/email"],
            "/0/lead_source",
        ),
        "postmark" => (
            "postmark/bounce-webhook.json",
            &["/Email"],
            "/Metadata/lead_source",
        ),
        "ses" => (
            "ses/event-publishing-bounce.json",
            &["/bounce/bouncedRecipients/0/emailAddress"],
            "/mail/tags/lead_source",
        ),
        "sparkpost" => (
            "sparkpost/bounce.json",
            &[
                "/0/msys/message_event/rcpt_to",
                "/0/msys/message_event/raw_rcpt_to",
            ],
            "/0/msys/message_event/rcpt_meta/lead_source",
        ),
        "mandrill" => (
            "mandrill/soft-bounce.json",
            &["/0/msg/email"],
            "/0/msg/metadata/lead_source",
        ),
        other => panic!("{other}"),
    };
    let mut v = fixture(file);
    for p in rcpt {
        set(&mut v, p, json!(recipient));
    }
    if let Some(source) = source {
        set(&mut v, meta, source);
    }
    v
}

/// Writes bodies as files of the scratch directory.
fn write(h: &Harness, bodies: &[(&str, Value)]) -> Vec<PathBuf> {
    bodies
        .iter()
        .map(|(name, v)| {
            let path = h.dir.join(format!("{name}.json"));
            std::fs::write(&path, serde_json::to_vec_pretty(v).unwrap()).unwrap();
            path
        })
        .collect()
}

/// `rebound ingest` of `paths` with `flags`; asserts success.
fn ingest(h: &Harness, flags: &[&str], paths: &[PathBuf]) {
    let mut args = vec!["ingest"];
    args.extend_from_slice(flags);
    args.extend(paths.iter().map(|p| path_str(p)));
    let out = h.run(&args, "");
    let (stdout, stderr) = text(&out);
    assert!(out.status.success(), "{stdout}{stderr}");
}

/// `report --by <by> --json`: group → (events, recipients, hard_recipients, stale_recipients).
fn report(h: &Harness, by: &str) -> BTreeMap<String, (i64, i64, i64, i64)> {
    let out = h.run(&["report", "--by", by, "--json"], "");
    let (stdout, stderr) = text(&out);
    assert!(out.status.success(), "{stdout}{stderr}");
    let doc: Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(doc["by"], by);
    doc["groups"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| {
            let n = |k: &str| g[k].as_i64().unwrap();
            (
                g["group"].as_str().unwrap().to_string(),
                (
                    n("events"),
                    n("recipients"),
                    n("hard_recipients"),
                    n("stale_recipients"),
                ),
            )
        })
        .collect()
}

fn webhook_sources_of_six_services_report_by_source(h: &Harness) {
    let fair = Some(json!("fair-2026"));
    let partner = Some(json!("partner-7"));
    let mut vendor = body("sendgrid", "v1@leads.example", fair.clone());
    set(&mut vendor, "/0/list", json!("vendor-x"));
    let paths = write(
        h,
        &[
            // fair-2026: four services, four recipients; the Mandrill one is a soft bounce
            // (mailboxfull), the other three hard userunknown.
            ("mg", body("mailgun", "m1@leads.example", fair.clone())),
            ("sg", body("sendgrid", "s1@leads.example", fair.clone())),
            ("pm", body("postmark", "p1@leads.example", fair.clone())),
            ("md", body("mandrill", "d1@leads.example", fair)),
            // partner-7: SES (a message tag is a list of one string) and SparkPost hard
            // bounces, and a SendGrid deferral of the SES recipient: three events, two
            // recipients, both hard and stale.
            ("ses", body("ses", "e1@leads.example", partner.clone())),
            ("sp", body("sparkpost", "k1@leads.example", partner.clone())),
            (
                "sgd",
                body("sendgrid-deferred", "e1@leads.example", partner),
            ),
            // Both keys present: the first --source-tag given (list) wins.
            ("sgv", vendor),
            // No metadata: no source.
            ("pm2", body("postmark", "p2@leads.example", None)),
        ],
    );
    ingest(
        h,
        &["--source-tag", "list", "--source-tag", "lead_source"],
        &paths,
    );
    let expected: BTreeMap<String, (i64, i64, i64, i64)> = [
        ("fair-2026", (4, 4, 3, 3)),
        ("partner-7", (3, 2, 2, 2)),
        ("vendor-x", (1, 1, 1, 1)),
        ("(none)", (1, 1, 1, 1)),
    ]
    .into_iter()
    .map(|(g, c)| (g.to_string(), c))
    .collect();
    assert_eq!(report(h, "source"), expected);
}

/// A DSN for `rcpt` whose third part is `returned` (Content-Type line included).
fn dsn(rcpt: &str, returned: &str) -> String {
    format!(
        "From: MAILER-DAEMON@mx.example.net\nTo: news@example.org\nSubject: Undelivered Mail\n\
Date: Tue, 10 Nov 2026 09:15:00 +0000\n\
Content-Type: multipart/report; report-type=delivery-status; boundary=b\n\n--b\n\
Content-Type: text/plain\n\nSorry.\n--b\nContent-Type: message/delivery-status\n\n\
Reporting-MTA: dns; mx.example.net\n\nFinal-Recipient: rfc822; {rcpt}\nAction: failed\n\
Status: 5.1.1\nDiagnostic-Code: smtp; 550 5.1.1 <{rcpt}>: User unknown\n--b\n{returned}\n--b--\n"
    )
}

/// The header of the original message, with its lead source.
fn original(rcpt: &str, n: u32) -> String {
    format!(
        "From: news@example.org\nTo: {rcpt}\nSubject: Spring offers\n\
Message-ID: <offer-{n}@example.org>\nX-Lead-Source: fair-2026\n"
    )
}

fn one_source_from_bounce_emails_and_webhooks(h: &Harness) {
    // Bounce emails, the header of the returned message in five places.
    let rfc822 = dsn(
        "x1@leads.example",
        &format!(
            "Content-Type: message/rfc822\n\n{}\nHello.\n",
            original("x1@leads.example", 1)
        ),
    );
    let headers_only = dsn(
        "x2@leads.example",
        &format!(
            "Content-Type: text/rfc822-headers\n\n{}",
            original("x2@leads.example", 2)
        ),
    );
    let quoted = format!(
        "From: MAILER-DAEMON@mx.example.net\nTo: news@example.org\n\
Subject: Mail delivery failed\nDate: Tue, 10 Nov 2026 09:15:00 +0000\n\n\
This message was created automatically by mail delivery software.\n\n\
A message that you sent could not be delivered to one or more of its recipients.\n\n\
  x3@leads.example\n    SMTP error from remote mail server after RCPT TO:<x3@leads.example>:\n\
    550 5.1.1 User unknown\n\n------ This is a copy of the message, including all the headers. ------\n\n\
{}\nHello.\n",
        original("x3@leads.example", 3)
    );
    // A bounce forwarded as an attachment (the returned message is inside the forwarded
    // report), and one forwarded inline.
    let attached = format!(
        "From: someone@example.org\nTo: postmaster@example.org\nSubject: Fwd: Undelivered Mail\n\
Date: Tue, 10 Nov 2026 10:00:00 +0000\nMIME-Version: 1.0\n\
Content-Type: multipart/mixed; boundary=outer\n\n--outer\nContent-Type: text/plain\n\n\
See the bounce below.\n--outer\nContent-Type: message/rfc822\n\n{}\n--outer--\n",
        dsn(
            "x4@leads.example",
            &format!(
                "Content-Type: message/rfc822\n\n{}\nHello.\n",
                original("x4@leads.example", 4)
            ),
        )
    );
    let inline = format!(
        "From: someone@example.org\nTo: postmaster@example.org\nSubject: Fwd: Mail delivery failed\n\
Date: Tue, 10 Nov 2026 10:00:00 +0000\n\n---------- Forwarded message ---------\n\
From: Mail Delivery System <MAILER-DAEMON@mx.example.net>\nSubject: Mail delivery failed\n\n\
A message that you sent could not be delivered to one or more of its recipients.\n\n\
  x5@leads.example\n    SMTP error from remote mail server after RCPT TO:<x5@leads.example>:\n\
    550 5.1.1 User unknown\n\n------ This is a copy of the message, including all the headers. ------\n\n\
{}\nHello.\n",
        original("x5@leads.example", 5)
    );
    let mut paths = Vec::new();
    for (name, eml) in [
        ("rfc822", rfc822),
        ("headers", headers_only),
        ("quoted", quoted),
        ("attached", attached),
        ("inline", inline),
    ] {
        let path = h.dir.join(format!("{name}.eml"));
        std::fs::write(&path, eml).unwrap();
        paths.push(path);
    }
    // The default --source-header (X-Lead-Source) reads the emails; SES reports the same
    // header of the original message (`mail.headers`); Mailgun carries it as metadata.
    let mut ses = body("ses", "e1@leads.example", None);
    ses["mail"]["headers"]
        .as_array_mut()
        .unwrap()
        .push(json!({"name": "X-Lead-Source", "value": "fair-2026"}));
    paths.extend(write(
        h,
        &[
            ("ses", ses),
            (
                "mg",
                body("mailgun", "m1@leads.example", Some(json!("fair-2026"))),
            ),
        ],
    ));
    ingest(h, &["--source-tag", "lead_source"], &paths);
    let mut kinds = Vec::new();
    h.store()
        .for_each_event(None, |e| {
            let v: Value = serde_json::from_str(&e).unwrap();
            kinds.push(format!("{}:{}", v["source"]["kind"], v["recipient"]));
            Ok(())
        })
        .unwrap();
    assert_eq!(kinds.len(), 7, "{kinds:?}");
    // Seven hard userunknown bounces of seven recipients, one source: five emails (one per
    // place of the header), an SES header, Mailgun metadata.
    let expected: BTreeMap<String, (i64, i64, i64, i64)> =
        [("fair-2026".to_string(), (7, 7, 7, 7))]
            .into_iter()
            .collect();
    assert_eq!(report(h, "source"), expected, "{kinds:?}");
}

fn report_by_campaign_and_by_any_tag(h: &Harness) {
    // SparkPost's campaign_id, a SendGrid campaign name, and a Postmark sender's own
    // `campaign` metadata key; a Mailgun event without any.
    let mut sp = body("sparkpost", "k1@leads.example", None);
    set(
        &mut sp,
        "/0/msys/message_event/campaign_id",
        json!("spring"),
    );
    set(
        &mut sp,
        "/0/msys/message_event/rcpt_tags",
        json!(["a", "b"]),
    );
    let mut sg = body("sendgrid", "s1@leads.example", None);
    set(&mut sg, "/0/marketing_campaign_name", json!("spring"));
    set(&mut sg, "/0/customer_id", json!(4711));
    let mut pm = body("postmark", "p1@leads.example", None);
    set(&mut pm, "/Metadata/campaign", json!("autumn"));
    set(&mut pm, "/Metadata/customer_id", json!(4711));
    let mg = body("mailgun", "m1@leads.example", None);
    let paths = write(h, &[("sp", sp), ("sg", sg), ("pm", pm), ("mg", mg)]);
    ingest(h, &[], &paths);
    let counts = |pairs: &[(&str, i64)]| -> BTreeMap<String, (i64, i64, i64, i64)> {
        pairs
            .iter()
            .map(|(g, n)| (g.to_string(), (*n, *n, *n, *n)))
            .collect()
    };
    // All four are hard userunknown bounces of distinct recipients.
    assert_eq!(
        report(h, "campaign"),
        counts(&[("spring", 2), ("autumn", 1), ("(none)", 1)])
    );
    // A number keeps its type in the event and is grouped by its JSON text.
    assert_eq!(
        report(h, "tag:meta.customer_id"),
        counts(&[("4711", 2), ("(none)", 2)])
    );
    // A service's labels: Mailgun's sample carries none; SparkPost's list is its JSON text.
    assert_eq!(
        report(h, "tag:provider"),
        counts(&[
            ("sparkpost", 1),
            ("sendgrid", 1),
            ("postmark", 1),
            ("mailgun", 1)
        ])
    );
    assert_eq!(
        report(h, "tag:labels"),
        counts(&[(r#"["a","b"]"#, 1), ("(none)", 3)])
    );
    // A tag name with a quote is a name like any other, not SQL.
    assert_eq!(report(h, "tag:it's"), counts(&[("(none)", 4)]));
    let out = h.run(&["report", "--by", "tag:"], "");
    assert_eq!(out.status.code(), Some(2));
}

/// The same source from three doors in one report: a bounce email (its X-Lead-Source header),
/// a Mailgun webhook (metadata, `--source-tag lead_source`) and a Postfix log, whose lines name
/// no source: the send list imported before ties them to one.
///
/// The send list: user-unknown@remote.test twice, `fair-2026` with the log's Message-ID and a
/// later `decoy` without one (by address the decoy would win: the Message-ID goes first);
/// multi-unknown@ and multi-ok@remote.test (by address: the log's message is not listed by
/// its Message-ID) and x1@leads.example, `fair-2026`. multi-fwd@remote.test is not listed.
///
/// Hand count. Events: fair-2026 has user-unknown (log, joined by Message-ID), multi-unknown
/// (log, joined by address), x1 (email header), m1 (Mailgun metadata): 4 events, 4 recipients,
/// all hard userunknown (stale). (none) has multi-fwd (log, 551 5.1.6 hasmoved: hard, stale).
/// Sends: fair-2026 has its 4 listed rows and the Mailgun failure (its own source): 5; decoy 1;
/// the log's sends (3 failures, 1 delivery) are the listed sends except multi-fwd's, which is
/// (none)'s 1. So fair-2026 bounced 4 of 5: 800.0 per 1,000 (bounced, hard and stale alike);
/// (none) 1 of 1: 1,000.0; decoy 0 of 1: 0.0.
/// A report row: events, recipients, hard and stale recipients, sent, and bounced, hard and
/// stale per 1,000 sent.
type Rates = (i64, i64, i64, i64, i64, f64, f64, f64);

fn one_source_from_an_email_a_webhook_and_a_log_joined_through_the_send_list(h: &Harness) {
    let help = h.run(&["ingest", "--help"], "");
    let (help, _) = text(&help);
    assert!(
        help.contains("--no-send-list") && help.contains("4. the send list"),
        "{help}"
    );
    let csv = h.dir.join("sends.csv");
    std::fs::write(
        &csv,
        "address,source,time,message_id\n\
         user-unknown@remote.test,fair-2026,2026-11-27T02:00:00Z,\
         <user-unknown.postfix.1795747026@lab.test>\n\
         user-unknown@remote.test,decoy,2026-11-27T02:30:00Z,\n\
         multi-unknown@remote.test,fair-2026,2026-11-27T02:00:00Z,\n\
         multi-ok@remote.test,fair-2026,2026-11-27T02:00:00Z,\n\
         x1@leads.example,fair-2026,2026-11-10T08:00:00Z,\n",
    )
    .unwrap();
    let o = h.run(&["sends", "import", path_str(&csv)], "");
    assert!(o.status.success(), "{}", text(&o).1);
    let email = h.dir.join("x1.eml");
    std::fs::write(
        &email,
        dsn(
            "x1@leads.example",
            &format!(
                "Content-Type: message/rfc822\n\n{}\nHello.\n",
                original("x1@leads.example", 1)
            ),
        ),
    )
    .unwrap();
    let mut paths = write(
        h,
        &[(
            "mg",
            body("mailgun", "m1@leads.example", Some(json!("fair-2026"))),
        )],
    );
    paths.push(email);
    for log in ["user-unknown.log", "multi-rcpt.log"] {
        paths.push(fixtures().join("log/postfix").join(log));
    }
    let mut args = vec!["ingest", "--json", "--source-tag", "lead_source"];
    args.extend(paths.iter().map(|p| path_str(p)));
    let o = h.run(&args, "");
    let (out, err) = text(&o);
    assert!(o.status.success(), "{out}{err}");
    let summary: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(summary["events"], 5, "{out}");
    // Four log sends and the Mailgun one; only multi-fwd's and Mailgun's are new.
    assert_eq!(
        summary["sends"],
        json!({"sends": 5, "new": 2, "duplicates": 3})
    );
    let o = h.run(&["report", "--by", "source", "--json"], "");
    let (out, err) = text(&o);
    assert!(o.status.success(), "{err}");
    let doc: Value = serde_json::from_str(&out).unwrap();
    let rows: BTreeMap<String, Rates> = doc["groups"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| {
            let n = |k: &str| g[k].as_i64().unwrap();
            let f = |k: &str| g[k].as_f64().unwrap();
            (
                g["group"].as_str().unwrap().to_string(),
                (
                    n("events"),
                    n("recipients"),
                    n("hard_recipients"),
                    n("stale_recipients"),
                    n("sent"),
                    f("bounced_per_1000"),
                    f("hard_per_1000"),
                    f("stale_per_1000"),
                ),
            )
        })
        .collect();
    let expected: BTreeMap<String, Rates> = [
        ("fair-2026", (4, 4, 4, 4, 5, 800.0, 800.0, 800.0)),
        ("(none)", (1, 1, 1, 1, 1, 1000.0, 1000.0, 1000.0)),
        ("decoy", (0, 0, 0, 0, 1, 0.0, 0.0, 0.0)),
    ]
    .into_iter()
    .map(|(g, c)| (g.to_string(), c))
    .collect();
    assert_eq!(rows, expected, "{out}");
    // Each door gave fair-2026 its event.
    let mut doors = Vec::new();
    h.store()
        .for_each_event(None, |e| {
            let v: Value = serde_json::from_str(&e).unwrap();
            doors.push(format!("{}:{}", v["source"]["kind"], v["recipient"]));
            Ok(())
        })
        .unwrap();
    doors.sort();
    assert_eq!(
        doors,
        [
            "\"dsn\":\"x1@leads.example\"",
            "\"log\":\"multi-fwd@remote.test\"",
            "\"log\":\"multi-unknown@remote.test\"",
            "\"log\":\"user-unknown@remote.test\"",
            "\"webhook\":\"m1@leads.example\"",
        ]
    );
}
