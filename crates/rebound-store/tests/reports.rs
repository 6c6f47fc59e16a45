//! Lead sources (flag, header, service metadata) and the reports grouped by them, by tag and
//! by campaign; on both backends.

#![allow(clippy::unwrap_used)]

mod common;

use common::*;
use rebound_core::BounceEvent;
use rebound_store::{Grouping, Location, SourceRule, Store};

both_backends!(
    report_rates_per_source,
    lead_source_from_flag_or_header,
    lead_source_from_metadata_in_order,
    report_by_any_tag_and_campaign,
    a_version_2_store_gets_its_tags_for_reports,
);

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
