//! The store's behaviour, one test body per behaviour, run on both backends by
//! [`both_backends!`]: SQLite in a fresh temporary file, PostgreSQL in a fresh schema of the
//! server named by `REBOUND_TEST_POSTGRES` (skipped, with a message, when it is unset).

#![allow(clippy::unwrap_used)]

use rebound_core::{BounceEvent, Classifier, Reply, Source};
use rebound_store::testing::{self, FreshSchema};
use rebound_store::{
    Check, Grouping, HintKind, HintStatus, Location, SourceRule, Store, Suppression, Table,
    exchange, synthetic,
};
use std::collections::{BTreeMap, HashSet};
use std::path::PathBuf;
use std::sync::LazyLock;

/// Where one test's store lives; cleaned up on drop.
enum Harness {
    Sqlite(PathBuf),
    Postgres(FreshSchema),
}

impl Harness {
    fn sqlite() -> Self {
        let dir = std::env::temp_dir().join(testing::unique_name("rebound-store-test"));
        Harness::Sqlite(dir)
    }

    fn postgres(test: &str) -> Option<Self> {
        let url = testing::postgres_url(test)?;
        Some(Harness::Postgres(FreshSchema::create(&url).unwrap()))
    }

    fn location(&self) -> Location {
        match self {
            Harness::Sqlite(dir) => Location::Sqlite(dir.join("store.db")),
            Harness::Postgres(s) => Location::Postgres(s.url.clone()),
        }
    }
}

impl Drop for Harness {
    fn drop(&mut self) {
        if let Harness::Sqlite(dir) = self {
            let _ = std::fs::remove_dir_all(dir);
        }
    }
}

/// Generates `sqlite::NAME` and `postgres::NAME` tests calling `NAME(&Location)`.
macro_rules! both_backends {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $( #[test] fn $name() { let h = super::Harness::sqlite(); super::$name(&h.location()); } )*
        }
        mod postgres {
            $( #[test] fn $name() {
                let Some(h) = super::Harness::postgres(stringify!($name)) else { return };
                super::$name(&h.location());
            } )*
        }
    };
}

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
    report_rates_per_source,
    lead_source_from_flag_or_header,
    lead_source_from_metadata_in_order,
    report_by_any_tag_and_campaign,
    a_version_2_store_gets_its_tags_for_reports,
    manual_suppressions_and_csv_round_trip,
    old_bounces_keep_their_own_days_and_windows,
    undated_events_say_so,
    a_version_1_store_upgrades_in_place,
    review_verdicts_never_suppress_and_wait_as_review_items,
    sends_give_rates_per_1000_and_flag_a_stale_source,
    sends_from_logs_count_once_and_deliveries_are_not_events,
    a_service_that_did_not_send_records_no_send,
    lead_source_from_the_send_list_by_message_id_then_address,
    a_listed_send_is_not_counted_again_from_a_log,
    nul_bytes_are_stored_alike_on_both_backends,
    a_refused_row_is_skipped_and_the_batch_goes_on,
    mailbox_messages_are_recorded_with_their_events,
);

static CLASSIFIER: LazyLock<Classifier> = LazyLock::new(|| Classifier::builtin().unwrap());

/// A classified event for `recipient` with `reply` at `at`.
fn ev(recipient: &str, reply: &str, at: &str) -> BounceEvent {
    let mut r = Reply::parse(reply).unwrap();
    r.relate_to_recipient(recipient);
    let classification = CLASSIFIER.classify(&r);
    BounceEvent {
        source: Source::default(),
        recipient: Some(recipient.into()),
        sender: Some("news@sender.example".into()),
        at: Some(at.parse().expect("an RFC 3339 time")),
        reply: r,
        classification,
        dsn_action: Some(rebound_core::DsnAction::Failed),
        message_id: Some(format!("<{recipient}.{at}@test>")),
        remote_mta: None,
        reporting_mta: Some("mta.sender.example".into()),
        feedback_type: None,
        provider_class: None,
        truncated: Vec::new(),
        tags: BTreeMap::new(),
    }
}

const UNKNOWN: &str = "550 5.1.1 User unknown";
const FULL: &str = "452 4.2.2 Mailbox full";
const BLOCKED: &str =
    "554 5.7.1 Service unavailable; Client host [192.0.2.1] blocked using zen.spamhaus.org";

fn open(loc: &Location) -> Store {
    Store::open(loc).unwrap()
}

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

fn report_rates_per_source(loc: &Location) {
    let mut s = open(loc);
    let tag = |mut e: BounceEvent, src: &str| {
        e.tags.insert("x-lead-source".into(), src.into());
        e
    };
    let events = vec![
        tag(
            ev("a@fair.example", UNKNOWN, "2024-05-01T10:00:00Z"),
            "fair",
        ),
        tag(ev("b@fair.example", FULL, "2024-05-01T10:00:00Z"), "fair"),
        tag(ev("b@fair.example", FULL, "2024-05-02T10:00:00Z"), "fair"),
        tag(ev("c@web.example", FULL, "2024-05-03T10:00:00Z"), "web"),
        ev("d@none.example", BLOCKED, "2024-05-04T10:00:00Z"),
    ];
    s.ingest(&events, &SourceRule::default()).unwrap();
    let rows = s.report(Grouping::Source, None).unwrap();
    let fair = rows.iter().find(|r| r.group == "fair").unwrap();
    assert_eq!(
        (
            fair.events,
            fair.recipients,
            fair.hard_recipients,
            fair.stale_recipients
        ),
        (3, 2, 1, 1)
    );
    assert!((fair.hard_rate - 0.5).abs() < 1e-9 && (fair.stale_rate - 0.5).abs() < 1e-9);
    assert_eq!(fair.top_reasons[0].reason, "mailboxfull");
    assert_eq!(fair.top_reasons[0].events, 2);
    let none = rows.iter().find(|r| r.group == "(none)").unwrap();
    assert_eq!((none.events, none.sender_side, none.hard_rate), (1, 1, 0.0));
    let since = rebound_store::time::parse_date("2024-05-03");
    let days = s.report(Grouping::Day, since).unwrap();
    assert_eq!(
        days.iter().map(|r| r.group.as_str()).collect::<Vec<_>>(),
        ["2024-05-03", "2024-05-04"]
    );
    let domains = s.report(Grouping::Domain, None).unwrap();
    assert_eq!(domains[0].group, "fair.example");
    let reasons = s.report(Grouping::Reason, None).unwrap();
    assert_eq!(reasons[0].group, "mailboxfull");
    assert_eq!(reasons[0].events, 3);
}

fn lead_source_from_flag_or_header(loc: &Location) {
    let mut s = open(loc);
    let mut e = ev("x@example.com", FULL, "2024-05-01T10:00:00Z");
    e.tags.insert("x-campaign".into(), "spring".into());
    let header = SourceRule {
        tag: None,
        header: "X-Campaign".into(),
        ..SourceRule::default()
    };
    s.ingest(std::slice::from_ref(&e), &header).unwrap();
    let mut e2 = ev("y@example.com", FULL, "2024-05-01T10:00:00Z");
    e2.tags.insert("x-campaign".into(), "spring".into());
    let flag = SourceRule {
        tag: Some("import-7".into()),
        header: "X-Campaign".into(),
        ..SourceRule::default()
    };
    s.ingest(&[e2], &flag).unwrap();
    let groups: Vec<_> = s
        .report(Grouping::Source, None)
        .unwrap()
        .into_iter()
        .map(|r| r.group)
        .collect();
    assert_eq!(groups, ["import-7", "spring"]);
}

/// `--source-tag` keys in order (the tag itself, else `meta.<key>`), then the header (the
/// returned message's, else one a service reported as `header.<name>`); values of any JSON
/// type as text; blanks skipped.
fn lead_source_from_metadata_in_order(loc: &Location) {
    let mut s = open(loc);
    let rule = SourceRule {
        tags: vec!["list".into(), "lead_source".into()],
        ..SourceRule::default()
    };
    let with = |rcpt: &str, tags: &[(&str, serde_json::Value)]| {
        let mut e = ev(rcpt, UNKNOWN, "2024-05-01T10:00:00Z");
        e.tags = tags
            .iter()
            .map(|(k, v)| (k.to_string(), v.clone()))
            .collect();
        e
    };
    use serde_json::json;
    let events = [
        // `list` wins over `lead_source`, found as meta.list.
        with(
            "a@example.com",
            &[
                ("meta.list", json!("vendor-x")),
                ("meta.lead_source", json!("fair")),
            ],
        ),
        // A blank first key is skipped; a number is its text.
        with(
            "b@example.com",
            &[("meta.list", json!("  ")), ("meta.lead_source", json!(7))],
        ),
        // SES: a list of one string; the exact tag name before meta.<key>.
        with(
            "c@example.com",
            &[
                ("lead_source", json!("exact")),
                ("meta.lead_source", json!(["ses"])),
            ],
        ),
        with("d@example.com", &[("meta.lead_source", json!(["ses"]))]),
        // No key: the header of the returned message, then a service's reported header.
        with("e@example.com", &[("x-lead-source", json!("from-email"))]),
        with(
            "f@example.com",
            &[("header.x-lead-source", json!("from-ses"))],
        ),
        with("g@example.com", &[("meta.other", json!("x"))]),
    ];
    s.ingest(&events, &rule).unwrap();
    let mut groups: Vec<(String, i64)> = s
        .report(Grouping::Source, None)
        .unwrap()
        .into_iter()
        .map(|r| (r.group, r.events))
        .collect();
    groups.sort();
    let want: Vec<(String, i64)> = [
        "(none)",
        "7",
        "exact",
        "from-email",
        "from-ses",
        "ses",
        "vendor-x",
    ]
    .iter()
    .map(|g| (g.to_string(), 1))
    .collect();
    assert_eq!(groups, want);
}

/// `report --by tag:KEY` and `--by campaign` group by the stored tags' text.
fn report_by_any_tag_and_campaign(loc: &Location) {
    use serde_json::json;
    let mut s = open(loc);
    let mut events = Vec::new();
    for (i, tags) in [
        vec![("campaign", json!("spring")), ("labels", json!(["a", "b"]))],
        vec![("meta.campaign", json!("autumn")), ("labels", json!(["a"]))],
        vec![
            ("campaign", json!("spring")),
            ("meta.campaign", json!("ignored")),
        ],
        vec![("meta.n", json!(null)), ("campaign", json!(""))],
    ]
    .into_iter()
    .enumerate()
    {
        let mut e = ev(
            &format!("t{i}@example.com"),
            UNKNOWN,
            "2024-05-01T10:00:00Z",
        );
        e.tags = tags.into_iter().map(|(k, v)| (k.to_string(), v)).collect();
        events.push(e);
    }
    s.ingest(&events, &SourceRule::default()).unwrap();
    let groups = |s: &mut Store, by: &str| -> Vec<(String, i64)> {
        let mut g: Vec<(String, i64)> = s
            .report(by.parse().unwrap(), None)
            .unwrap()
            .into_iter()
            .map(|r| (r.group, r.events))
            .collect();
        g.sort();
        g
    };
    let pairs = |p: &[(&str, i64)]| -> Vec<(String, i64)> {
        p.iter().map(|(g, n)| (g.to_string(), *n)).collect()
    };
    assert_eq!(
        groups(&mut s, "campaign"),
        pairs(&[("(none)", 1), ("autumn", 1), ("spring", 2)])
    );
    assert_eq!(
        groups(&mut s, "tag:labels"),
        pairs(&[("(none)", 2), ("[\"a\",\"b\"]", 1), ("a", 1)])
    );
    // A null value is no value.
    assert_eq!(groups(&mut s, "tag:meta.n"), pairs(&[("(none)", 4)]));
    // Top reasons come with each tag group.
    let rows = s.report("tag:campaign".parse().unwrap(), None).unwrap();
    let spring = rows.iter().find(|r| r.group == "spring").unwrap();
    assert_eq!(spring.top_reasons[0].reason, "userunknown");
    assert_eq!(spring.top_reasons[0].events, 2);
    assert!("tag:".parse::<Grouping>().is_err());
    assert!("tag:a\u{1}b".parse::<Grouping>().is_err());
    assert!("colour".parse::<Grouping>().is_err());
}

/// A store of version 2 (no `event_tags`) gets its events' tags from their JSON when it is
/// opened for writing; an event whose JSON holds an escaped NUL is left out on both backends,
/// and an empty value is no value.
fn a_version_2_store_gets_its_tags_for_reports(loc: &Location) {
    let mut s = open(loc);
    let mut a = ev("a@example.com", UNKNOWN, "2024-05-01T10:00:00Z");
    a.tags.insert("x-lead-source".into(), "fair".into());
    let mut b = ev("b@example.com", UNKNOWN, "2024-05-01T10:00:00Z");
    b.tags.insert("x-lead-source".into(), "fair".into());
    let mut c = ev("c@example.com", UNKNOWN, "2024-05-01T10:00:00Z");
    c.tags.insert("x-lead-source".into(), "list\u{0}7".into());
    let mut d = ev("d@example.com", UNKNOWN, "2024-05-01T10:00:00Z");
    d.tags.insert("x-lead-source".into(), "".into());
    s.ingest(&[a, b, c, d], &SourceRule::default()).unwrap();
    drop(s);
    raw_sql(
        loc,
        "DROP TABLE event_tags; DROP TABLE sends; DROP TABLE send_counts; \
         DROP TABLE mailbox_state; DROP TABLE mailbox_messages; \
         DELETE FROM rebound_schema WHERE version >= 3;",
    );
    let mut s = open(loc);
    assert_eq!(s.schema_version().unwrap(), 6);
    let mut rows: Vec<(String, i64)> = s
        .report("tag:x-lead-source".parse().unwrap(), None)
        .unwrap()
        .into_iter()
        .map(|r| (r.group, r.events))
        .collect();
    rows.sort();
    assert_eq!(rows, [("(none)".to_string(), 2), ("fair".to_string(), 2)]);
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

/// Runs SQL on the store's database directly (to make rows look as an older version wrote
/// them).
fn raw_sql(loc: &Location, sql: &str) {
    match loc {
        Location::Sqlite(path) => rusqlite::Connection::open(path)
            .unwrap()
            .execute_batch(sql)
            .unwrap(),
        Location::Postgres(url) => ::postgres::Client::connect(url, ::postgres::NoTls)
            .unwrap()
            .batch_execute(sql)
            .unwrap(),
    }
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
