//! The store's behaviour, one test body per behaviour, run on both backends by
//! [`both_backends!`]: SQLite in a fresh temporary file, PostgreSQL in a fresh schema of the
//! server named by `REBOUND_TEST_POSTGRES` (skipped, with a message, when it is unset).
//! Sends and rates per 1,000 are in `sends.rs`, lead sources and reports in `reports.rs`.

#![allow(clippy::unwrap_used)]

mod common;

use common::*;
use rebound_core::BounceEvent;
use rebound_store::{
    Check, Grouping, HintKind, HintStatus, Location, SourceRule, Store, Suppression, Table,
    exchange, synthetic,
};
use std::collections::HashSet;

both_backends!(
    migrations_are_versioned_and_reopen,
    api_tokens_are_kept_by_hash,
    webhook_nonces_are_remembered,
    one_suppression_and_pages,
    groups_share_a_transaction_and_keep_their_own_counts,
    ingest_is_idempotent,
    concurrent_writers_store_each_event_once,
    hard_bounces_suppress_at_once_with_the_reason,
    soft_bounces_suppress_at_the_threshold_within_the_window,
    sender_side_verdicts_never_suppress,
    complaints_suppress,
    forward_hints_wait_for_review,
    manual_suppressions_and_csv_round_trip,
    old_bounces_keep_their_own_days_and_windows,
    undated_events_say_so,
    a_version_1_store_upgrades_in_place,
    review_verdicts_never_suppress_and_wait_as_review_items,
    nul_bytes_are_stored_alike_on_both_backends,
    a_refused_row_is_skipped_and_the_batch_goes_on,
    mailbox_messages_are_recorded_with_their_events,
);

fn migrations_are_versioned_and_reopen(loc: &Location) {
    let mut s = open(loc);
    assert_eq!(s.schema_version().unwrap(), 6);
    s.ingest(&synthetic::events(0, 10), &SourceRule::default())
        .unwrap();
    drop(s);
    let mut s = open(loc);
    assert_eq!(s.schema_version().unwrap(), 6);
    assert_eq!(s.count(Table::Events).unwrap(), 10);
}

fn ingest_is_idempotent(loc: &Location) {
    let mut s = open(loc);
    let rule = SourceRule::default();
    let first = s.ingest(&synthetic::events(0, 1000), &rule).unwrap();
    assert_eq!((first.events, first.new), (1000, 1000));
    let again = s.ingest(&synthetic::events(500, 1000), &rule).unwrap();
    assert_eq!((again.new, again.duplicates), (500, 500));
    // Repeats within one batch are one event too.
    let mut twice = synthetic::events(2000, 10);
    twice.extend(synthetic::events(2000, 10));
    assert_eq!(s.ingest(&twice, &rule).unwrap().new, 10);
    assert_eq!(s.count(Table::Events).unwrap(), 1510);
    let keys = s.event_keys().unwrap();
    assert_eq!(keys.iter().collect::<HashSet<_>>().len(), keys.len());
    // Suppressions and hints did not double either.
    let sup = s.count(Table::Suppressions).unwrap();
    let hints: i64 = s.hints(None).unwrap().iter().map(|h| h.seen).sum();
    s.ingest(&synthetic::events(0, 1500), &rule).unwrap();
    assert_eq!(s.count(Table::Suppressions).unwrap(), sup);
    assert_eq!(
        s.hints(None).unwrap().iter().map(|h| h.seen).sum::<i64>(),
        hints
    );
}

fn concurrent_writers_store_each_event_once(loc: &Location) {
    drop(open(loc));
    let threads: Vec<_> = (0..4u64)
        .map(|t| {
            let loc = loc.clone();
            std::thread::spawn(move || {
                let mut s = Store::open(&loc).unwrap();
                let mut ing = s.ingester(SourceRule::default(), 250);
                // Overlapping ranges: thread t writes [t*1000, t*1000 + 2000).
                for e in synthetic::events(t * 1000, 2000) {
                    ing.push(&e).unwrap();
                }
                ing.finish().unwrap()
            })
        })
        .collect();
    let new: u64 = threads.into_iter().map(|t| t.join().unwrap().new).sum();
    let mut s = open(loc);
    assert_eq!(new, 5000);
    assert_eq!(s.count(Table::Events).unwrap(), 5000);
}

fn hard_bounces_suppress_at_once_with_the_reason(loc: &Location) {
    let mut s = open(loc);
    let e = ev("Gone@Example.com", UNKNOWN, "2024-05-01T10:00:00Z");
    let stats = s
        .ingest(std::slice::from_ref(&e), &SourceRule::default())
        .unwrap();
    assert_eq!(stats.suppressed, 1);
    let list = s.suppressions().unwrap();
    assert_eq!(list.len(), 1);
    let sup = &list[0];
    assert_eq!(sup.address, "gone@example.com");
    assert_eq!(sup.rule, "hard:userunknown");
    assert_eq!(sup.reason.as_deref(), Some("userunknown"));
    assert_eq!(sup.event_id, Some(rebound_store::EventKey::of(&e).to_hex()));
    assert_eq!(
        sup.classifier_rule.as_deref(),
        Some(&*e.classification.rule)
    );
    let mut set = s.suppression_set().unwrap();
    assert_eq!(
        set.check("<GONE@example.com>"),
        Check::Suppressed("hard:userunknown")
    );
    assert_eq!(set.check("other@example.com"), Check::Clear);
    assert_eq!(set.check("nonsense"), Check::Invalid);
}

fn soft_bounces_suppress_at_the_threshold_within_the_window(loc: &Location) {
    let mut s = open(loc);
    let rule = SourceRule::default();
    // Spread over more than 7 days: never 3 within 7 days.
    for day in ["2024-05-01", "2024-05-06", "2024-05-12", "2024-05-18"] {
        s.ingest(
            &[ev("slow@example.com", FULL, &format!("{day}T10:00:00Z"))],
            &rule,
        )
        .unwrap();
    }
    assert_eq!(s.count(Table::Suppressions).unwrap(), 0);
    // Two within the window: not yet; the third, in a later batch: suppressed.
    s.ingest(
        &[
            ev("full@example.com", FULL, "2024-05-01T10:00:00Z"),
            ev("full@example.com", FULL, "2024-05-02T10:00:00Z"),
        ],
        &rule,
    )
    .unwrap();
    assert_eq!(s.count(Table::Suppressions).unwrap(), 0);
    // Order does not matter: the missing middle event arrives last and completes the window.
    s.ingest(
        &[ev("late@example.com", FULL, "2024-05-03T10:00:00Z")],
        &rule,
    )
    .unwrap();
    s.ingest(
        &[ev("late@example.com", FULL, "2024-05-01T10:00:00Z")],
        &rule,
    )
    .unwrap();
    assert_eq!(s.count(Table::Suppressions).unwrap(), 0);
    s.ingest(
        &[ev("late@example.com", FULL, "2024-05-02T10:00:00Z")],
        &rule,
    )
    .unwrap();
    assert_eq!(s.count(Table::Suppressions).unwrap(), 1);
    let third = ev("full@example.com", FULL, "2024-05-03T10:00:00Z");
    assert_eq!(
        s.ingest(std::slice::from_ref(&third), &rule)
            .unwrap()
            .suppressed,
        1
    );
    let list = s.suppressions().unwrap();
    assert_eq!(list[0].address, "full@example.com");
    assert_eq!(list[0].rule, "soft:3-in-7d");
    assert_eq!(list[1].address, "late@example.com");
    assert_eq!(
        list[0].event_id,
        Some(rebound_store::EventKey::of(&third).to_hex())
    );
    // A stricter policy: 2 within 1 day.
    let mut strict = s.policy().clone();
    strict.soft.count = 2;
    strict.soft.days = 1;
    s.set_policy(strict);
    s.ingest(
        &[
            ev("two@example.com", FULL, "2024-06-01T10:00:00Z"),
            ev("two@example.com", FULL, "2024-06-01T20:00:00Z"),
        ],
        &rule,
    )
    .unwrap();
    assert!(
        s.suppressions()
            .unwrap()
            .iter()
            .any(|x| x.address == "two@example.com" && x.rule == "soft:2-in-1d")
    );
}

fn sender_side_verdicts_never_suppress(loc: &Location) {
    let mut s = open(loc);
    let events: Vec<_> = (0..10)
        .map(|d| {
            ev(
                "fine@example.com",
                BLOCKED,
                &format!("2024-05-0{}T10:00:00Z", d % 9 + 1),
            )
        })
        .map(|mut e| {
            e.message_id = Some(format!(
                "<{}@x>",
                e.at.map(|t| t.to_string()).unwrap_or_default()
            ));
            e
        })
        .collect();
    assert_eq!(events[0].classification.bounce_type.as_str(), "block");
    let stats = s.ingest(&events, &SourceRule::default()).unwrap();
    assert_eq!(stats.suppressed, 0);
    assert_eq!(stats.sender_side, stats.new);
    assert_eq!(s.count(Table::Suppressions).unwrap(), 0);
    let report = s.report(Grouping::Sender, None).unwrap();
    assert_eq!(report[0].group, "sender.example");
    assert_eq!(report[0].sender_side, report[0].events);
}

fn complaints_suppress(loc: &Location) {
    let mut s = open(loc);
    let mut e = ev("angry@example.com", "250 2.0.0 OK", "2024-05-01T10:00:00Z");
    e.classification.reason = rebound_core::Reason::Feedback;
    e.classification.bounce_type = rebound_core::BounceType::None;
    s.ingest(&[e], &SourceRule::default()).unwrap();
    let list = s.suppressions().unwrap();
    assert_eq!(list[0].rule, "complaint");
    let mut off = s.policy().clone();
    off.complaints.suppress = false;
    s.set_policy(off);
    let mut e = ev("calm@example.com", "250 2.0.0 OK", "2024-05-01T10:00:00Z");
    e.classification.reason = rebound_core::Reason::Feedback;
    e.classification.bounce_type = rebound_core::BounceType::None;
    assert_eq!(
        s.ingest(&[e], &SourceRule::default()).unwrap().suppressed,
        0
    );
}

fn forward_hints_wait_for_review(loc: &Location) {
    let mut s = open(loc);
    let same = ev(
        "jdoe@example.com",
        "551 User not local; please try <jane.doe@example.com>",
        "2024-05-01T10:00:00Z",
    );
    let other = ev(
        "bob@example.com",
        "551 User not local; please try <bob@relay.example.net>",
        "2024-05-01T10:00:00Z",
    );
    assert!(same.reply.forward.is_some(), "{:?}", same.reply);
    // The same hint from two events of one batch: one hint, seen twice.
    let mut same_again = same.clone();
    same_again.at = "2024-05-02T10:00:00Z".parse().ok();
    s.ingest(&[same, other, same_again], &SourceRule::default())
        .unwrap();
    let hints = s.hints(None).unwrap();
    assert_eq!(hints.len(), 2);
    let h_same = hints
        .iter()
        .find(|h| h.old_address == "jdoe@example.com")
        .unwrap();
    assert_eq!(
        (h_same.new_address.as_str(), h_same.kind, h_same.status),
        (
            "jane.doe@example.com",
            HintKind::Update,
            HintStatus::Pending
        )
    );
    let h_other = hints
        .iter()
        .find(|h| h.old_address == "bob@example.com")
        .unwrap();
    assert_eq!(h_same.seen, 2);
    assert_eq!(h_other.kind, HintKind::Review);
    assert!(!h_other.will_forward);
    // Nothing was followed: the new addresses are neither suppressed nor recorded as events.
    assert!(
        s.suppressions()
            .unwrap()
            .iter()
            .all(|x| x.address != "jane.doe@example.com")
    );
    assert!(s.decide_hint(h_same.id, HintStatus::Accepted).unwrap());
    assert!(s.decide_hint(h_other.id, HintStatus::Rejected).unwrap());
    assert!(!s.decide_hint(9_999_999, HintStatus::Accepted).unwrap());
    assert_eq!(s.hints(Some(HintStatus::Pending)).unwrap().len(), 0);
    let accepted = s.hints(Some(HintStatus::Accepted)).unwrap();
    assert_eq!(accepted.len(), 1);
    assert!(accepted[0].decided_at.is_some());
    let mut csv = Vec::new();
    exchange::write_hints(&mut csv, &accepted).unwrap();
    let csv = String::from_utf8(csv).unwrap();
    assert!(
        csv.starts_with("id,old_address,new_address,kind,status"),
        "{csv}"
    );
    assert!(
        csv.contains("jdoe@example.com,jane.doe@example.com,update,accepted"),
        "{csv}"
    );
}

fn manual_suppressions_and_csv_round_trip(loc: &Location) {
    let mut s = open(loc);
    let manual = |a: &str| Suppression {
        address: a.into(),
        rule: "manual".into(),
        reason: Some("asked to stop".into()),
        event_id: None,
        classifier_rule: None,
        source: None,
        created_at: 1_714_564_800,
    };
    assert_eq!(
        s.add_suppressions(vec![
            manual("a@example.com"),
            manual("b@example.com"),
            manual("a@example.com")
        ])
        .unwrap(),
        2
    );
    assert_eq!(
        s.add_suppressions(vec![manual("a@example.com")]).unwrap(),
        0
    );
    let mut csv = Vec::new();
    exchange::write_suppressions(&mut csv, &s.suppressions().unwrap()).unwrap();
    assert_eq!(
        s.remove_suppressions(&["a@example.com".into(), "zzz@example.com".into()])
            .unwrap(),
        1
    );
    assert_eq!(s.count(Table::Suppressions).unwrap(), 1);
    let imported = exchange::read_suppressions(csv.as_slice(), 0).unwrap();
    assert_eq!(s.add_suppressions(imported.rows).unwrap(), 1);
    let list = s.suppressions().unwrap();
    assert_eq!(list, vec![manual("a@example.com"), manual("b@example.com")]);
}

fn day_groups(s: &mut Store) -> Vec<(String, i64)> {
    let mut days: Vec<(String, i64)> = s
        .report(Grouping::Day, None)
        .unwrap()
        .into_iter()
        .map(|r| (r.group, r.events))
        .collect();
    days.sort();
    days
}

/// Three mailbox-full bounces years apart, ingested together today: each keeps its own day,
/// and they are not "3 soft bounces in 7 days".
fn old_bounces_keep_their_own_days_and_windows(loc: &Location) {
    let mut s = open(loc);
    let events: Vec<BounceEvent> = [
        "2019-03-04T05:06:07Z",
        "2021-06-07T08:09:10Z",
        "2023-09-10T11:12:13Z",
    ]
    .iter()
    .map(|at| ev("full@example.com", FULL, at))
    .collect();
    let stats = s.ingest(&events, &SourceRule::default()).unwrap();
    assert_eq!((stats.new, stats.suppressed), (3, 0));
    assert!(s.suppressions().unwrap().is_empty());
    assert_eq!(
        day_groups(&mut s),
        [
            ("2019-03-04".to_string(), 1),
            ("2021-06-07".to_string(), 1),
            ("2023-09-10".to_string(), 1)
        ]
    );
    let since = rebound_store::time::parse_date("2021-01-01");
    assert_eq!(s.report(Grouping::Day, since).unwrap().len(), 2);
}

/// An event without a time: `at` stays null, `report --by day` says "undated", and the
/// soft-bounce window places it at its ingest time.
fn undated_events_say_so(loc: &Location) {
    let mut s = open(loc);
    let events: Vec<BounceEvent> = (0..3)
        .map(|i| {
            let mut e = ev("undated@example.com", FULL, "2024-05-01T10:00:00Z");
            e.at = None;
            e.message_id = Some(format!("<undated.{i}@test>"));
            e
        })
        .collect();
    s.ingest(&events, &SourceRule::default()).unwrap();
    assert_eq!(day_groups(&mut s), [("undated".to_string(), 3)]);
    let mut stored = Vec::new();
    s.for_each_event(None, |json| {
        stored.push(json);
        Ok(())
    })
    .unwrap();
    assert_eq!(stored.len(), 3);
    assert!(
        stored.iter().all(|j| j.contains(r#""at":null"#)),
        "{stored:?}"
    );
    // Seen together now: three soft bounces within 7 days of ingestion.
    let sup = s.suppressions().unwrap();
    assert_eq!(sup.len(), 1);
    assert_eq!(sup[0].rule, "soft:3-in-7d");
}

/// A store written by version 1 (the raw `Date` in `at`, the ingest day in `day`) upgrades
/// in place: its undated rows are marked so, dated rows keep their day.
fn a_version_1_store_upgrades_in_place(loc: &Location) {
    let mut s = open(loc);
    let mut undated = ev("none@example.com", FULL, "2024-05-01T10:00:00Z");
    undated.at = None;
    let events = vec![
        ev("dated@example.com", FULL, "2024-05-01T10:00:00Z"),
        ev("rfc5322@example.com", FULL, "2024-05-02T10:00:00Z"),
        undated,
    ];
    s.ingest(&events, &SourceRule::default()).unwrap();
    drop(s);
    raw_sql(
        loc,
        "UPDATE events SET at = 'Thu, 02 May 2024 19:00:00 +0900 (JST)', day = '2026-01-01' \
         WHERE recipient = 'rfc5322@example.com';
         UPDATE events SET day = '2026-01-01' WHERE at IS NULL;
         DROP TABLE event_tags; DROP TABLE sends; DROP TABLE send_counts;
         DROP TABLE mailbox_state; DROP TABLE mailbox_messages;
         DELETE FROM rebound_schema WHERE version >= 2;",
    );
    let mut s = open(loc);
    assert_eq!(s.schema_version().unwrap(), 6);
    assert_eq!(
        day_groups(&mut s),
        [("2024-05-01".to_string(), 1), ("undated".to_string(), 2)]
    );
}

/// A 551 without forward-path is, by the classifier's own verdict, a routing problem to review
/// ("check the MX before suppressing"): the sender's stale route must not suppress good
/// addresses. It becomes a review item of kind `route`; a 551 naming another domain a `review`
/// hint; neither suppresses. A plain user-unknown still does.
fn review_verdicts_never_suppress_and_wait_as_review_items(loc: &Location) {
    let mut s = open(loc);
    let route = ev(
        "good@example.com",
        "551 5.1.1 User not local",
        "2024-05-01T10:00:00Z",
    );
    assert_eq!(route.classification.action, rebound_core::Action::Review);
    let moved = ev(
        "bob@example.com",
        "551 User not local; please try <bob@relay.example.net>",
        "2024-05-01T10:00:00Z",
    );
    let dead = ev("dead@example.com", UNKNOWN, "2024-05-01T10:00:00Z");
    let mut again = route.clone();
    again.at = Some("2024-05-02T10:00:00Z".parse().unwrap());
    let stats = s
        .ingest(&[route, moved, dead, again], &SourceRule::default())
        .unwrap();
    assert_eq!((stats.review, stats.suppressed), (3, 1), "{stats:?}");
    let suppressed: Vec<String> = s
        .suppressions()
        .unwrap()
        .into_iter()
        .map(|x| x.address)
        .collect();
    assert_eq!(suppressed, ["dead@example.com"]);
    let mut set = s.suppression_set().unwrap();
    assert_eq!(set.check("good@example.com"), Check::Clear);
    let hints = s.hints(Some(HintStatus::Pending)).unwrap();
    let route = hints
        .iter()
        .find(|h| h.old_address == "good@example.com")
        .unwrap();
    assert_eq!(
        (route.kind, route.new_address.as_str(), route.seen),
        (HintKind::Route, "", 2)
    );
    let moved = hints
        .iter()
        .find(|h| h.old_address == "bob@example.com")
        .unwrap();
    assert_eq!(moved.kind, HintKind::Review);
    assert_eq!(hints.len(), 2);
}

/// A NUL in a lead-source header, a Message-ID or a manual reason (PostgreSQL `text` cannot
/// hold one) is stored as U+FFFD on both backends; the event's JSON keeps it escaped.
fn nul_bytes_are_stored_alike_on_both_backends(loc: &Location) {
    let mut s = open(loc);
    let mut events = synthetic::events(0, 50);
    events[20]
        .tags
        .insert("x-lead-source".into(), "fair\u{0}2024".into());
    events[21].message_id = Some("<a\u{0}b@example.com>".into());
    events[22].recipient = Some("nul\u{0}@example.com".into());
    let stats = s.ingest(&events, &SourceRule::default()).unwrap();
    assert_eq!((stats.new, stats.skipped), (50, 0), "{stats:?}");
    let groups: Vec<String> = s
        .report(Grouping::Source, None)
        .unwrap()
        .into_iter()
        .map(|r| r.group)
        .collect();
    assert!(groups.iter().any(|g| g == "fair\u{fffd}2024"), "{groups:?}");
    let mut nul_json = 0;
    s.for_each_event(None, |json| {
        nul_json += usize::from(json.contains("\\u0000"));
        Ok(())
    })
    .unwrap();
    assert_eq!(nul_json, 3);
    s.add_suppressions(vec![Suppression {
        address: "z@example.com".into(),
        rule: "manual".into(),
        reason: Some("said \u{0} so".into()),
        event_id: None,
        classifier_rule: None,
        source: None,
        created_at: 0,
    }])
    .unwrap();
    let z = s
        .suppressions()
        .unwrap()
        .into_iter()
        .find(|x| x.address == "z@example.com");
    assert_eq!(z.unwrap().reason.as_deref(), Some("said \u{fffd} so"));
}

/// A row the database refuses (here a trigger refuses lead source `poison`; in the field, a
/// value PostgreSQL cannot store) is reported and skipped; the rest of its batch is stored,
/// and a re-run goes past it instead of stopping at the same place forever.
fn a_refused_row_is_skipped_and_the_batch_goes_on(loc: &Location) {
    let mut s = open(loc);
    match loc {
        Location::Sqlite(path) => {
            rusqlite::Connection::open(path)
                .unwrap()
                .execute_batch(
                    "CREATE TRIGGER poison BEFORE INSERT ON events WHEN NEW.lead_source = 'poison' \
                     BEGIN SELECT RAISE(ABORT, 'poisoned row'); END",
                )
                .unwrap();
        }
        Location::Postgres(url) => {
            let mut c = ::postgres::Client::connect(url, ::postgres::NoTls).unwrap();
            c.batch_execute(
                "CREATE FUNCTION poison() RETURNS trigger AS $$ BEGIN \
                 IF NEW.lead_source = 'poison' THEN \
                 RAISE EXCEPTION 'poisoned row' USING ERRCODE = '22000'; END IF; \
                 RETURN NEW; END $$ LANGUAGE plpgsql; \
                 CREATE TRIGGER poison BEFORE INSERT ON events FOR EACH ROW EXECUTE FUNCTION poison()",
            )
            .unwrap();
        }
    }
    let mut events = synthetic::events(0, 120);
    for i in [7, 70] {
        events[i]
            .tags
            .insert("x-lead-source".into(), "poison".into());
    }
    let mut ingester = s.ingester(SourceRule::default(), 50);
    for e in &events {
        ingester.push(e).unwrap();
    }
    ingester.flush().unwrap();
    let skipped = ingester.take_skipped();
    let stats = ingester.finish().unwrap();
    assert_eq!((stats.new, stats.skipped), (118, 2), "{stats:?}");
    assert_eq!(skipped.len(), 2);
    assert!(skipped[0].error.contains("poisoned row"), "{skipped:?}");
    assert_eq!(s.count(Table::Events).unwrap(), 118);
    // A re-run: the good ones are duplicates, the bad ones skipped again, nothing stops.
    let again = s.ingest(&events, &SourceRule::default()).unwrap();
    assert_eq!(
        (again.new, again.duplicates, again.skipped),
        (0, 118, 2),
        "{again:?}"
    );
}

fn api_tokens_are_kept_by_hash(loc: &Location) {
    let mut s = open(loc);
    assert!(s.add_token("ci", "aa11").unwrap());
    assert!(
        !s.add_token("ci", "bb22").unwrap(),
        "a taken name is refused"
    );
    assert!(s.add_token("crm", "cc33").unwrap());
    assert_eq!(s.token_named("aa11").unwrap().as_deref(), Some("ci"));
    assert_eq!(s.token_named("bb22").unwrap(), None);
    let names: Vec<String> = s.tokens().unwrap().into_iter().map(|t| t.name).collect();
    assert_eq!(names, ["ci", "crm"]);
    assert!(s.remove_token("ci").unwrap());
    assert!(!s.remove_token("ci").unwrap());
    assert_eq!(s.token_named("aa11").unwrap(), None);
}

fn webhook_nonces_are_remembered(loc: &Location) {
    let mut s = open(loc);
    assert!(!s.nonce_seen("mailgun", "t1").unwrap());
    s.record_nonce("mailgun", "t1", 600).unwrap();
    s.record_nonce("mailgun", "t1", 600).unwrap();
    assert!(s.nonce_seen("mailgun", "t1").unwrap());
    assert!(!s.nonce_seen("other", "t1").unwrap());
    // A negative keep forgets everything recorded before now + 10 s, t1 and t2 included
    // (t2 is recorded first, then the old ones are forgotten: only values older go).
    s.record_nonce("mailgun", "t2", -10).unwrap();
    assert!(!s.nonce_seen("mailgun", "t1").unwrap());
}

fn one_suppression_and_pages(loc: &Location) {
    let mut s = open(loc);
    let rows: Vec<Suppression> = ["c@example.com", "a@example.com", "b@example.com"]
        .iter()
        .map(|a| Suppression {
            address: (*a).into(),
            rule: "manual".into(),
            reason: Some("asked".into()),
            event_id: None,
            classifier_rule: None,
            source: None,
            created_at: 1_700_000_000,
        })
        .collect();
    s.add_suppressions(rows).unwrap();
    let one = s.suppression("b@example.com").unwrap().unwrap();
    assert_eq!(
        (one.rule.as_str(), one.reason.as_deref()),
        ("manual", Some("asked"))
    );
    assert_eq!(s.suppression("z@example.com").unwrap(), None);
    let page: Vec<String> = s
        .suppressions_page("", 2)
        .unwrap()
        .into_iter()
        .map(|x| x.address)
        .collect();
    assert_eq!(page, ["a@example.com", "b@example.com"]);
    let next: Vec<String> = s
        .suppressions_page("b@example.com", 2)
        .unwrap()
        .into_iter()
        .map(|x| x.address)
        .collect();
    assert_eq!(next, ["c@example.com"]);
}

fn groups_share_a_transaction_and_keep_their_own_counts(loc: &Location) {
    let mut s = open(loc);
    let [a, b, c]: [BounceEvent; 3] = ["a@example.com", "b@example.com", "c@example.com"]
        .map(|r| ev(r, UNKNOWN, "2024-05-01T10:00:00Z"));
    s.ingest(std::slice::from_ref(&a), &SourceRule::default())
        .unwrap();
    let groups = vec![vec![a.clone(), b.clone()], vec![b, c], vec![a]];
    let (whole, per) = s.ingest_groups(&groups, &SourceRule::default()).unwrap();
    assert_eq!((whole.events, whole.new, whole.suppressed), (5, 2, 2));
    let counts: Vec<(u64, u64, u64)> = per
        .iter()
        .map(|g| (g.events, g.new, g.duplicates))
        .collect();
    assert_eq!(counts, [(2, 1, 1), (2, 1, 1), (1, 0, 1)]);
    assert_eq!(s.count(Table::Events).unwrap(), 3);
}

/// `rebound watch`'s state: a batch's events and its messages' ids are stored together, a
/// changed UIDVALIDITY forgets the ids, and re-read messages count nothing twice.
fn mailbox_messages_are_recorded_with_their_events(loc: &Location) {
    use rebound_store::{MailboxMessage, Validity};
    let mut s = open(loc);
    let mb = "imap://bounces@127.0.0.1:143/INBOX";
    assert_eq!(s.mailbox_validity(mb, 7).unwrap(), Validity::New);
    assert_eq!(s.mailbox_validity(mb, 7).unwrap(), Validity::Same);
    let one = [ev("a@example.com", UNKNOWN, "2024-05-01T10:00:00Z")];
    let two = [
        ev("b@example.com", UNKNOWN, "2024-05-01T10:00:00Z"),
        ev("c@example.com", UNKNOWN, "2024-05-01T10:00:00Z"),
    ];
    let batch = [
        MailboxMessage {
            id: "1".into(),
            events: &one,
        },
        MailboxMessage {
            id: "2".into(),
            events: &two,
        },
        MailboxMessage {
            id: "3".into(),
            events: &[],
        },
    ];
    let mut skipped = Vec::new();
    let stats = s
        .ingest_mailbox(mb, &batch, &SourceRule::default(), &mut skipped)
        .unwrap();
    assert_eq!((stats.events, stats.new, stats.duplicates), (3, 3, 0));
    let ids = s.mailbox_recorded(mb).unwrap();
    assert_eq!(ids.len(), 3);
    assert!(["1", "2", "3"].iter().all(|i| ids.contains(*i)));
    // Another mailbox's ids are its own.
    assert!(
        s.mailbox_recorded("pop3://bounces@127.0.0.1:110")
            .unwrap()
            .is_empty()
    );
    assert_eq!(
        s.mailbox_forget(mb, &["3".to_string(), "9".to_string()])
            .unwrap(),
        1
    );
    assert_eq!(s.mailbox_recorded(mb).unwrap().len(), 2);
    // A new UIDVALIDITY: the ids are forgotten; the same messages read again add no event.
    assert_eq!(s.mailbox_validity(mb, 8).unwrap(), Validity::Changed(7));
    assert!(s.mailbox_recorded(mb).unwrap().is_empty());
    let stats = s
        .ingest_mailbox(mb, &batch[..2], &SourceRule::default(), &mut skipped)
        .unwrap();
    assert_eq!((stats.events, stats.new, stats.duplicates), (3, 0, 3));
    assert_eq!(s.count(Table::Events).unwrap(), 3);
    assert_eq!(s.mailbox_recorded(mb).unwrap().len(), 2);
    assert!(skipped.is_empty());
    // Recording an id twice (a retried batch) is harmless.
    s.ingest_mailbox(mb, &batch[..1], &SourceRule::default(), &mut skipped)
        .unwrap();
    assert_eq!(s.mailbox_recorded(mb).unwrap().len(), 2);
}
