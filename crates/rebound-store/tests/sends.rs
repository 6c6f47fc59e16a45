//! Sends, the denominators of the report: send lists, deliveries read from logs, the lead
//! source looked up in the send list, and rates per 1,000 sent; on both backends.

#![allow(clippy::unwrap_used)]

mod common;

use common::*;
use rebound_core::BounceEvent;
use rebound_store::{Grouping, Location, SourceRule, Store, Table};

both_backends!(
    sends_give_rates_per_1000_and_flag_a_stale_source,
    sends_from_logs_count_once_and_deliveries_are_not_events,
    a_service_that_did_not_send_records_no_send,
    lead_source_from_the_send_list_by_message_id_then_address,
    a_listed_send_is_not_counted_again_from_a_log,
);

/// A send list of `n` addresses `{prefix}{i}@{domain}` of `source`, the first `first_day` of
/// them on 2024-05-01, the rest on 2024-05-02, as CSV.
fn send_list(
    out: &mut String,
    prefix: &str,
    domain: &str,
    source: &str,
    n: usize,
    first_day: usize,
) {
    for i in 0..n {
        let day = if i < first_day { "01" } else { "02" };
        out.push_str(&format!(
            "{prefix}{i}@{domain},{source},2024-05-{day}T09:00:00Z\n"
        ));
    }
}

/// Rates per 1,000 sent against numbers worked out by hand:
///
/// | source | sent | bounced | hard | stale | per 1,000: bounced / hard / stale |
/// | --- | --- | --- | --- | --- | --- |
/// | fair | 400 | 16 (12 unknown + 4 full) | 12 | 12 | 40 / 30 / 30 |
/// | web | 1,000 | 8 (3 unknown + 5 full) | 3 | 3 | 8 / 3 / 3 |
/// | quiet | 300 | 0 | 0 | 0 | 0 / 0 / 0 |
///
/// The flag: for fair, the others sent 1,300 with 3 stale (rate 3/1300); at that rate fair's
/// 400 sends expect λ = 400 × 3/1300 = 0.923 stale, and P(X ≥ 12 | Poisson(0.923)) =
/// 3.4154e-10 < 0.001, its rate is 30/(3/1.3) = 13 times theirs, 400 ≥ 200 sends, 12 ≥ 5 stale:
/// flagged. web: the others' rate is 12/700, λ = 17.1 > 3: P = 1, not flagged. quiet: no stale.
fn sends_give_rates_per_1000_and_flag_a_stale_source(loc: &Location) {
    let mut s = open(loc);
    let mut csv = String::from("address,source,time\n");
    send_list(&mut csv, "f", "fair.example", "fair", 400, 400);
    send_list(&mut csv, "w", "web.example", "web", 1000, 600);
    send_list(&mut csv, "q", "quiet.example", "quiet", 300, 300);
    let list = rebound_store::sends::read_csv(csv.as_bytes()).unwrap();
    assert!(list.skipped.is_empty());
    let first = s.record_sends(&list.sends).unwrap();
    assert_eq!((first.sends, first.new, first.duplicates), (1700, 1700, 0));
    // The same list again counts nothing twice.
    let again = s.record_sends(&list.sends).unwrap();
    assert_eq!((again.new, again.duplicates), (0, 1700));
    assert_eq!(s.count(Table::Sends).unwrap(), 1700);
    let tag = |mut e: BounceEvent, src: &str| {
        e.tags.insert("x-lead-source".into(), src.into());
        e
    };
    let mut events = Vec::new();
    for i in 0..16 {
        let reply = if i < 12 { UNKNOWN } else { FULL };
        events.push(tag(
            ev(&format!("f{i}@fair.example"), reply, "2024-05-01T12:00:00Z"),
            "fair",
        ));
    }
    // A second bounce of one address is one bounced recipient.
    events.push(tag(
        ev("f0@fair.example", UNKNOWN, "2024-05-01T13:00:00Z"),
        "fair",
    ));
    for i in 0..8 {
        let reply = if i < 3 { UNKNOWN } else { FULL };
        events.push(tag(
            ev(&format!("w{i}@web.example"), reply, "2024-05-02T12:00:00Z"),
            "web",
        ));
    }
    s.ingest(&events, &SourceRule::default()).unwrap();
    let rows = s.report(Grouping::Source, None).unwrap();
    let row = |g: &str| rows.iter().find(|r| r.group == g).unwrap().clone();
    let close = |a: Option<f64>, b: f64| a.is_some_and(|a| (a - b).abs() < 1e-9);
    let fair = row("fair");
    assert_eq!(
        (
            fair.sent,
            fair.bounced_recipients,
            fair.hard_recipients,
            fair.stale_recipients
        ),
        (Some(400), 16, 12, 12)
    );
    assert!(close(fair.bounced_per_1000, 40.0), "{fair:?}");
    assert!(
        close(fair.hard_per_1000, 30.0) && close(fair.stale_per_1000, 30.0),
        "{fair:?}"
    );
    assert!(fair.stale_flag, "{fair:?}");
    let p = fair.stale_p.unwrap();
    assert!((p - 3.415_387_972_438_566e-10).abs() < 1e-15, "{p}");
    let web = row("web");
    assert_eq!((web.sent, web.bounced_recipients), (Some(1000), 8));
    assert!(close(web.bounced_per_1000, 8.0) && close(web.hard_per_1000, 3.0));
    assert!(close(web.stale_per_1000, 3.0) && !web.stale_flag && web.stale_p == Some(1.0));
    let quiet = row("quiet");
    assert_eq!(
        (quiet.events, quiet.sent, quiet.stale_flag),
        (0, Some(300), false)
    );
    assert!(close(quiet.stale_per_1000, 0.0));
    // By domain, and from a day on (sends by whole UTC days).
    let domains = s.report(Grouping::Domain, None).unwrap();
    let web = domains.iter().find(|r| r.group == "web.example").unwrap();
    assert_eq!(web.sent, Some(1000));
    let since = rebound_store::time::parse_date("2024-05-02");
    let days = s.report(Grouping::Day, since).unwrap();
    assert_eq!(
        days.iter()
            .map(|r| (r.group.as_str(), r.sent))
            .collect::<Vec<_>>(),
        [("2024-05-02", Some(400))]
    );
    // Groupings without sends have no rates.
    let reasons = s.report(Grouping::Reason, None).unwrap();
    assert!(
        reasons
            .iter()
            .all(|r| r.sent.is_none() && r.stale_per_1000.is_none())
    );
}

/// An MTA log's delivery is a send and no event; its final failure is an event and a send;
/// the delivery and a later bounce of the same message and recipient are one send.
fn sends_from_logs_count_once_and_deliveries_are_not_events(loc: &Location) {
    let mut s = open(loc);
    let log = |recipient: &str, reply: &str, action, id: &str| {
        let mut e = ev(recipient, reply, "2024-05-01T10:00:00Z");
        e.source.kind = Some(rebound_core::SourceKind::Log);
        e.dsn_action = Some(action);
        e.message_id = Some(id.into());
        e
    };
    use rebound_core::DsnAction::{Delayed, Delivered, Failed};
    let events = vec![
        log("ok@example.com", "250 2.0.0 Ok", Delivered, "<m1@test>"),
        log("gone@example.com", UNKNOWN, Failed, "<m1@test>"),
        log("later@example.com", "250 2.0.0 Ok", Delivered, "<m2@test>"),
        log("later@example.com", UNKNOWN, Failed, "<m2@test>"),
        log("slow@example.com", FULL, Delayed, "<m3@test>"),
    ];
    let sources = SourceRule {
        tag: Some("mta".into()),
        ..SourceRule::default()
    };
    let mut ingester = s.ingester(sources, 2);
    for e in &events {
        ingester.push(e).unwrap();
    }
    let sends = ingester.send_stats();
    let stats = ingester.finish().unwrap();
    // Three events (two failures, one deferral); deliveries are not events.
    assert_eq!(stats.new, 3);
    assert!(sends.sends <= 4);
    assert_eq!(s.count(Table::Events).unwrap(), 3);
    // ok, gone, later (delivered then bounced: one send); the deferral is none.
    assert_eq!(s.count(Table::Sends).unwrap(), 3);
    let rows = s.report(Grouping::Source, None).unwrap();
    assert_eq!(rows[0].group, "mta");
    assert_eq!(rows[0].sent, Some(3));
    assert_eq!(rows[0].bounced_recipients, 3);
}

/// A webhook bounce is a send; a service's refusal to send (SendGrid `dropped`, a platform's
/// suppression) and a complaint are not.
fn a_service_that_did_not_send_records_no_send(loc: &Location) {
    let mut s = open(loc);
    let hook = |recipient: &str, reply: &str, class: &str| {
        let mut e = ev(recipient, reply, "2024-05-01T10:00:00Z");
        e.source.kind = Some(rebound_core::SourceKind::Webhook);
        e.source.reader = Some(rebound_core::Reader::SendGrid);
        e.provider_class = Some(class.into());
        e
    };
    let mut complaint = hook("c@example.com", "Spam report", "spamreport");
    complaint.feedback_type = Some("abuse".into());
    let events = vec![
        hook("bounced@example.com", UNKNOWN, "bounce/bounce"),
        hook("dropped@example.com", "550 Invalid", "dropped/Invalid"),
        complaint,
    ];
    let mut ingester = s.ingester(SourceRule::default(), 10);
    for e in &events {
        ingester.push(e).unwrap();
    }
    ingester.finish().unwrap();
    assert_eq!(s.count(Table::Sends).unwrap(), 1);
}

/// The send list, the last step of choosing a lead source: by Message-ID (with or without
/// angle brackets; of a message to several recipients, any of its sends), then by address
/// (the most recent send at or before the event, else the most recent); a tag or header of
/// the event wins over it; a send without a source is no match; `send_list: false` skips it.
/// The source each event took is read from its suppression (every reply here is hard).
fn lead_source_from_the_send_list_by_message_id_then_address(loc: &Location) {
    let mut s = open(loc);
    let csv = "address,source,time,message_id\n\
        a@ex.example,by-id,2024-05-01T09:00:00Z,<m-a@test>\n\
        a@ex.example,by-address,2024-05-02T08:00:00Z,\n\
        b@ex.example,old,2024-04-01T09:00:00Z,\n\
        b@ex.example,recent,2024-04-20T09:00:00Z,\n\
        b@ex.example,future,2024-06-01T09:00:00Z,\n\
        c@ex.example,only-later,2024-06-01T09:00:00Z,\n\
        d@ex.example,shared-message,2024-05-01T09:00:00Z,m-d@test\n\
        h@ex.example,listed,2024-05-01T09:00:00Z,\n\
        t@ex.example,listed,2024-05-01T09:00:00Z,\n\
        n@ex.example,,2024-05-01T09:00:00Z,\n\
        off@ex.example,listed,2024-05-01T09:00:00Z,\n";
    let list = rebound_store::sends::read_csv(csv.as_bytes()).unwrap();
    assert!(list.skipped.is_empty(), "{:?}", list.skipped);
    assert_eq!(s.record_sends(&list.sends).unwrap().new, 11);
    let at = "2024-05-02T10:00:00Z";
    let with_id = |rcpt: &str, id: &str| {
        let mut e = ev(rcpt, UNKNOWN, at);
        e.message_id = Some(id.into());
        e
    };
    let mut header = ev("h@ex.example", UNKNOWN, at);
    header
        .tags
        .insert("x-lead-source".into(), "from-header".into());
    let mut tagged = ev("t@ex.example", UNKNOWN, at);
    tagged
        .tags
        .insert("meta.lead_source".into(), "from-metadata".into());
    let events = [
        // The Message-ID wins over the address (whose latest send before is by-address).
        with_id("a@ex.example", "m-a@test"),
        ev("b@ex.example", UNKNOWN, at),
        ev("c@ex.example", UNKNOWN, at),
        // Another recipient of d's message.
        with_id("e@ex.example", "<m-d@test>"),
        header,
        tagged,
        ev("n@ex.example", UNKNOWN, at),
        ev("z@ex.example", UNKNOWN, at),
    ];
    let rule = SourceRule {
        tags: vec!["lead_source".into()],
        ..SourceRule::default()
    };
    let stats = s.ingest(&events, &rule).unwrap();
    assert_eq!(stats.new, 8);
    let off = SourceRule {
        send_list: false,
        ..SourceRule::default()
    };
    s.ingest(&[ev("off@ex.example", UNKNOWN, at)], &off)
        .unwrap();
    let source = |s: &mut Store, a: &str| s.suppression(a).unwrap().unwrap().source;
    for (address, expected) in [
        ("a@ex.example", Some("by-id")),
        ("b@ex.example", Some("recent")),
        ("c@ex.example", Some("only-later")),
        ("e@ex.example", Some("shared-message")),
        ("h@ex.example", Some("from-header")),
        ("t@ex.example", Some("from-metadata")),
        ("n@ex.example", None),
        ("z@ex.example", None),
        ("off@ex.example", None),
    ] {
        assert_eq!(source(&mut s, address).as_deref(), expected, "{address}");
    }
    let rows = s.report(Grouping::Source, None).unwrap();
    let by_id = rows.iter().find(|r| r.group == "by-id").unwrap();
    assert_eq!((by_id.events, by_id.sent), (1, Some(1)));
    // A batch made up of events of every kind, in several transactions: the same answers.
    let mut again = open(loc);
    let mut ingester = again.ingester(SourceRule::default(), 3);
    for rcpt in [
        "a@ex.example",
        "b@ex.example",
        "c@ex.example",
        "d@ex.example",
    ] {
        ingester
            .push(&ev(rcpt, UNKNOWN, "2024-05-04T10:00:00Z"))
            .unwrap();
    }
    ingester.finish().unwrap();
    let rows = again.report(Grouping::Source, None).unwrap();
    let events_of = |g: &str| rows.iter().find(|r| r.group == g).map_or(0, |r| r.events);
    // a's latest send before 05-04 is by-address (its Message-ID matches none here).
    assert_eq!(events_of("by-address"), 1);
    assert_eq!(events_of("recent"), 2);
    assert_eq!(events_of("shared-message"), 2);
}

/// A log's final failure without a source is the listed send it answers: counted once, under
/// the list's source; with the send list off it is a send of its own, of no source.
fn a_listed_send_is_not_counted_again_from_a_log(loc: &Location) {
    let mut s = open(loc);
    let csv = "address,source,time\n\
        q@ex.example,fair,2024-05-01T09:00:00Z\n\
        r@ex.example,fair,2024-05-01T09:00:00Z\n\
        ok@ex.example,fair,2024-05-01T09:00:00Z\n";
    let list = rebound_store::sends::read_csv(csv.as_bytes()).unwrap();
    s.record_sends(&list.sends).unwrap();
    let log = |rcpt: &str, reply: &str, action| {
        let mut e = ev(rcpt, reply, "2024-05-01T09:05:00Z");
        e.source.kind = Some(rebound_core::SourceKind::Log);
        e.dsn_action = Some(action);
        e
    };
    use rebound_core::DsnAction::{Delivered, Failed};
    let mut ingester = s.ingester(SourceRule::default(), 100);
    ingester
        .push(&log("q@ex.example", UNKNOWN, Failed))
        .unwrap();
    ingester
        .push(&log("ok@ex.example", "250 2.0.0 Ok", Delivered))
        .unwrap();
    ingester
        .push(&log("new@ex.example", UNKNOWN, Failed))
        .unwrap();
    ingester.flush().unwrap();
    let sends = ingester.send_stats();
    ingester.finish().unwrap();
    assert_eq!((sends.sends, sends.new, sends.duplicates), (3, 1, 2));
    let off = SourceRule {
        send_list: false,
        ..SourceRule::default()
    };
    let mut ingester = s.ingester(off, 100);
    ingester
        .push(&log("r@ex.example", UNKNOWN, Failed))
        .unwrap();
    ingester.finish().unwrap();
    let rows = s.report(Grouping::Source, None).unwrap();
    let row = |g: &str| rows.iter().find(|r| r.group == g).unwrap().clone();
    let fair = row("fair");
    // q, r and ok sent; q bounced (r's bounce was stored without the list's source).
    assert_eq!((fair.sent, fair.bounced_recipients), (Some(3), 1));
    let none = row("(none)");
    // new (not listed) and r (send list off): two sends and two bounced recipients.
    assert_eq!((none.sent, none.bounced_recipients), (Some(2), 2));
}
