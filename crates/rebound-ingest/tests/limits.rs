//! Every reading limit that drops evidence says so in the event's `truncated` field
//! (docs/event.md): MIME depth and parts, the human-readable text, the recipients of one
//! message, the reply text the rules read. Inputs are generated here; a message within the
//! limits says nothing.

#![allow(clippy::unwrap_used)]

use rebound_core::{BounceEvent, Classifier, Truncation};
use rebound_ingest::{Options, Origin, read_message};

fn read(raw: &[u8]) -> Vec<BounceEvent> {
    let classifier = Classifier::builtin().unwrap();
    read_message(raw, &Options::default(), &classifier, &Origin::default()).unwrap()
}

/// A plain-text notice (no DSN part) listing `n` failed recipients, one line each.
pub fn notice(n: usize, with_code: bool) -> Vec<u8> {
    let mut m = b"From: MAILER-DAEMON@mx.example.org\nTo: list@example.org\n\
Subject: Undelivered Mail Returned to Sender\nDate: Thu, 1 Jan 2026 00:00:00 +0000\n\n\
I'm sorry to have to inform you that your message could not\n\
be delivered to one or more recipients.\n\n"
        .to_vec();
    let why = if with_code {
        "550 5.1.1 user unknown"
    } else {
        "mailbox unavailable"
    };
    for i in 0..n {
        m.extend_from_slice(format!("<user{i}@example.com>: {why}\n").as_bytes());
    }
    m
}

/// A DSN report part for one recipient with a diagnostic of `text`.
fn report(recipient: &str, text: &str) -> String {
    format!(
        "Content-Type: message/delivery-status\n\nReporting-MTA: dns; mx.example.org\n\n\
Final-Recipient: rfc822; {recipient}\nAction: failed\nStatus: 5.1.1\n\
Diagnostic-Code: smtp; 550 5.1.1 {text}\n"
    )
}

const TOP: &str = "From: MAILER-DAEMON@mx.example.org\nTo: s@example.org\n\
Subject: Undelivered Mail Returned to Sender\n";

fn names(e: &BounceEvent) -> &[Truncation] {
    &e.truncated
}

#[test]
fn a_notice_within_the_limits_is_not_cut() {
    let events = read(&notice(1_000, true));
    assert_eq!(events.len(), 1_000);
    assert!(events.iter().all(|e| e.truncated.is_empty()));
    let mut dsn = format!("{TOP}Content-Type: multipart/report; boundary=b\n\n--b\n");
    dsn.push_str(&report("a@example.com", "User unknown"));
    dsn.push_str("--b--\n");
    let events = read(dsn.as_bytes());
    assert_eq!(events.len(), 1);
    assert!(events[0].truncated.is_empty());
}

#[test]
fn a_notice_of_300000_recipients_gives_100000_and_says_so() {
    for with_code in [true, false] {
        let started = std::time::Instant::now();
        let events = read(&notice(300_000, with_code));
        assert_eq!(events.len(), 100_000, "with_code {with_code}");
        assert_eq!(
            events[99_999].recipient.as_deref(),
            Some("user99999@example.com")
        );
        assert!(
            events.iter().all(|e| names(e) == [Truncation::Recipients]),
            "{:?}",
            events[0].truncated
        );
        // Linear, not quadratic: a generous bound for a debug build on a slow machine.
        assert!(started.elapsed().as_secs() < 120, "{:?}", started.elapsed());
    }
}

#[test]
fn a_report_past_the_part_limit_says_mime_parts() {
    let mut m = format!("{TOP}Content-Type: multipart/report; boundary=b\n\n");
    for i in 0..1_000 {
        m.push_str(&format!("--b\nContent-Type: text/plain\n\npart {i}\n"));
    }
    m.push_str("--b\n");
    m.push_str(&report("late@example.com", "User unknown"));
    m.push_str("--b--\n");
    let events = read(m.as_bytes());
    assert!(
        !events.is_empty(),
        "a cut message never passes for not a bounce"
    );
    assert!(
        events.iter().all(|e| names(e) == [Truncation::MimeParts]),
        "{events:?}"
    );
}

#[test]
fn a_report_64_levels_deep_says_mime_depth() {
    let mut m = String::from(TOP);
    for level in 0..64 {
        m.push_str(&format!(
            "Content-Type: multipart/mixed; boundary=l{level}\n\n--l{level}\n"
        ));
    }
    m.push_str(&report("deep@example.com", "User unknown"));
    for level in (0..64).rev() {
        m.push_str(&format!("--l{level}--\n"));
    }
    let events = read(m.as_bytes());
    assert!(!events.is_empty());
    assert!(
        events.iter().all(|e| names(e) == [Truncation::MimeDepth]),
        "{events:?}"
    );
}

#[test]
fn text_past_its_limit_says_text() {
    let mut m = notice(3, true);
    let filler = "the quick brown fox jumps over the lazy dog ".repeat(100) + "\n";
    while m.len() < (17 << 20) {
        m.extend_from_slice(filler.as_bytes());
    }
    let events = read(&m);
    assert_eq!(events.len(), 3);
    // The filler continues the last recipient's block, whose reply is then longer than the
    // rules read: that one says `reply-text` too.
    assert_eq!(names(&events[0]), [Truncation::Text]);
    assert!(
        events.iter().all(|e| names(e).contains(&Truncation::Text)),
        "{events:?}"
    );
}

#[test]
fn a_reply_longer_than_the_rules_read_says_reply_text() {
    let long = format!("User unknown {}", "x".repeat(20 * 1024));
    let mut m = format!("{TOP}Content-Type: multipart/report; boundary=b\n\n--b\n");
    m.push_str(&report("long@example.com", &long));
    m.push_str("--b--\n");
    let events = read(m.as_bytes());
    assert_eq!(events.len(), 1);
    assert_eq!(names(&events[0]), [Truncation::ReplyText]);
    // The text itself is kept whole; only the rules read less of it.
    assert!(events[0].reply.text.len() > 20 * 1024);
}

#[test]
fn an_expiry_past_the_deferral_limit_says_deferrals() {
    let classifier = Classifier::builtin().unwrap();
    let mut log = String::new();
    for i in 0..70 {
        log.push_str(&format!(
            "Nov 27 02:37:06 mta postfix/smtp[473]: 8325998C374: to=<u{i}@slow.test>, \
             relay=mx.slow.test[192.0.2.3]:25, delay=0, dsn=4.4.1, status=deferred \
             (connect to mx.slow.test[192.0.2.3]:25: Connection timed out)\n"
        ));
    }
    log.push_str(
        "Nov 27 02:38:25 mta postfix/qmgr[385]: 8325998C374: from=<s@example.org>, \
         status=expired, returned to sender\n",
    );
    let options = rebound_ingest::LogOptions {
        year: Some(2026),
        ..Default::default()
    };
    let mut reader = rebound_ingest::LogReader::new(
        rebound_ingest::LogFormat::Postfix,
        &classifier,
        None,
        &options,
    );
    let events = rebound_ingest::read_log(log.as_bytes(), &mut reader, 1 << 20).unwrap();
    let expired: Vec<_> = events
        .iter()
        .filter(|e| e.provider_class.as_deref() == Some("expired"))
        .collect();
    assert_eq!(expired.len(), 64, "{events:?}");
    assert!(expired.iter().all(|e| names(e) == [Truncation::Deferrals]));
}
