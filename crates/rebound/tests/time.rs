//! The event's time end to end, through the real `rebound` binary: a bounce dated
//! `Tue, 10 Nov 2026 09:15:00 +0900` gives `"at": "2026-11-10T00:15:00Z"` whether it comes as
//! a bounce email, a Postfix or Exim log line, or a webhook; and old bounces ingested today
//! keep their own days in `report --by day` and in the suppression policy's windows (on
//! SQLite, and on PostgreSQL when `REBOUND_TEST_POSTGRES` names a server).

#![allow(clippy::unwrap_used)]

mod common;

use rebound_store::testing::{self, FreshSchema};
use std::path::{Path, PathBuf};
use std::process::Output;

const WANT: &str = "2026-11-10T00:15:00Z";

/// A DSN whose only date is the bounce's own `Date`.
fn dsn(date: &str, n: u32) -> String {
    format!(
        "From: MAILER-DAEMON@mx.example.org\r\n\
         To: sender@example.org\r\n\
         Date: {date}\r\n\
         Subject: Undelivered Mail Returned to Sender\r\n\
         Message-ID: <dsn.{n}@mx.example.org>\r\n\
         MIME-Version: 1.0\r\n\
         Content-Type: multipart/report; report-type=delivery-status; boundary=\"b\"\r\n\
         \r\n\
         --b\r\n\
         Content-Type: text/plain\r\n\
         \r\n\
         The mail could not be delivered.\r\n\
         \r\n\
         --b\r\n\
         Content-Type: message/delivery-status\r\n\
         \r\n\
         Reporting-MTA: dns; mx.example.org\r\n\
         \r\n\
         Final-Recipient: rfc822; full@example.com\r\n\
         Action: failed\r\n\
         Status: 4.2.2\r\n\
         Diagnostic-Code: smtp; 452 4.2.2 Mailbox full\r\n\
         \r\n\
         --b--\r\n"
    )
}

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(testing::unique_name(name));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn at_of(out: &Output) -> Vec<Option<String>> {
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    common::json_lines(out)
        .iter()
        .map(|e| e["at"].as_str().map(str::to_string))
        .collect()
}

fn parse(path: &Path, format: &str) -> Vec<Option<String>> {
    at_of(&common::rebound(
        &[
            "parse",
            "--json",
            "--format",
            format,
            path.to_str().unwrap(),
        ],
        b"",
    ))
}

#[test]
fn one_instant_from_mail_log_and_webhook() {
    let dir = scratch("rebound-time");
    let inputs: [(&str, &str, String); 7] = [
        ("mail", "dsn.eml", dsn("Tue, 10 Nov 2026 09:15:00 +0900", 1)),
        // The obsolete form of the same instant (RFC 5322 4.3): a comment, no weekday.
        (
            "mail",
            "obsolete.eml",
            dsn("10 Nov 2026 00:15 GMT (UTC)", 2),
        ),
        (
            "postfix",
            "postfix.log",
            "2026-11-10T09:15:00+09:00 mta postfix/smtp[473]: 3279098C335: \
             to=<user@example.com>, relay=mx.example.com[192.0.2.1]:25, delay=0.1, \
             delays=0/0/0/0, dsn=5.1.1, status=bounced (host mx.example.com[192.0.2.1] said: \
             550 5.1.1 User unknown (in reply to RCPT TO command))\n"
                .into(),
        ),
        (
            "exim",
            "exim.log",
            "2026-11-10 09:15:00 +0900 1xWlpk-000091-0g ** user@example.com R=dnslookup \
             T=remote_smtp H=mx.example.com [192.0.2.1]: SMTP error from remote mail server \
             after RCPT TO:<user@example.com>: 550 5.1.1 User unknown\n"
                .into(),
        ),
        (
            "sendgrid",
            "sendgrid.json",
            r#"[{"email":"user@example.com","timestamp":1794269700,"event":"bounce",
                "reason":"550 5.1.1 User unknown","status":"5.1.1","sg_event_id":"x"}]"#
                .into(),
        ),
        (
            "mandrill",
            "mandrill.json",
            r#"[{"event":"hard_bounce","ts":1794269700,"msg":{"email":"user@example.com",
                "state":"bounced","bounce_description":"bad_mailbox",
                "diag":"smtp;550 5.1.1 User unknown"}}]"#
                .into(),
        ),
        (
            "postmark",
            "postmark.json",
            r#"{"RecordType":"Bounce","Type":"HardBounce","TypeCode":1,"Email":"user@example.com",
                "BouncedAt":"2026-11-10T09:15:00+09:00","Details":"550 5.1.1 User unknown",
                "Description":"The server was unable to deliver your message"}"#
                .into(),
        ),
    ];
    for (format, name, body) in inputs {
        let path = dir.join(name);
        std::fs::write(&path, body).unwrap();
        let got = parse(&path, format);
        assert_eq!(got, [Some(WANT.to_string())], "{format} {name}");
    }
    // A date that cannot be read is null, never a guess or the time of reading.
    let path = dir.join("undated.eml");
    std::fs::write(&path, dsn("sometime last week", 3)).unwrap();
    assert_eq!(parse(&path, "mail"), [None]);
    let _ = std::fs::remove_dir_all(dir);
}

/// Three mailbox-full bounces dated 2019, 2021 and 2023, ingested today: `report --by day`
/// shows their own days, and the policy does not take them for "3 soft bounces in 7 days".
fn old_bounces_keep_their_days(db: &str, dir: &Path) {
    let dates = [
        ("2019-03-04", "Mon, 4 Mar 2019 14:06:07 +0900"),
        ("2021-06-07", "Mon, 07 Jun 2021 08:09:10 -0000"),
        ("2023-09-10", "Sun, 10 Sep 23 11:12:13 GMT"),
    ];
    let mut paths = Vec::new();
    for (n, (_, date)) in (1..).zip(dates) {
        let path = dir.join(format!("old-{n}.eml"));
        std::fs::write(&path, dsn(date, n)).unwrap();
        paths.push(path.display().to_string());
    }
    let run = |args: &[&str]| {
        let mut all = args.to_vec();
        all.extend(["--db", db]);
        let out = common::rebound(&all, b"");
        assert!(
            out.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_slice::<serde_json::Value>(&out.stdout).unwrap()
    };
    let mut ingest = vec!["ingest", "--json"];
    ingest.extend(paths.iter().map(String::as_str));
    let summary = run(&ingest);
    assert_eq!(summary["new"], 3, "{summary}");
    let report = run(&["report", "--by", "day", "--json"]);
    let mut days: Vec<&str> = report["groups"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g["group"].as_str().unwrap())
        .collect();
    days.sort_unstable();
    assert_eq!(days, dates.map(|(day, _)| day), "{report}");
    let since = run(&["report", "--by", "day", "--json", "--since", "2021-01-01"]);
    assert_eq!(since["groups"].as_array().unwrap().len(), 2, "{since}");
    let list = common::rebound(&["suppressions", "list", "--json", "--db", db], b"");
    assert!(list.status.success());
    assert_eq!(common::json_lines(&list), [] as [serde_json::Value; 0]);
}

#[test]
fn old_bounces_keep_their_days_sqlite() {
    let dir = scratch("rebound-time-store");
    let db = dir.join("store.db").display().to_string();
    old_bounces_keep_their_days(&db, &dir);
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn old_bounces_keep_their_days_postgres() {
    let Some(url) = testing::postgres_url("old_bounces_keep_their_days_postgres") else {
        return;
    };
    let schema = FreshSchema::create(&url).unwrap();
    let dir = scratch("rebound-time-store");
    old_bounces_keep_their_days(&schema.url, &dir);
    let _ = std::fs::remove_dir_all(dir);
}
