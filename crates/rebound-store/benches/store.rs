//! Store throughput: ingestion (events/s) and a report by lead source and by a tag on SQLite
//! and, when `REBOUND_TEST_POSTGRES` names a server, PostgreSQL; and suppression checks
//! (addresses/s) against a list of 1,000,000.
//!
//! `cargo bench -p rebound-store --bench store` (optionally `-- EVENTS`, default 200,000).
//! A plain harness rather than criterion: each ingest run needs a fresh store, and the figure
//! wanted is one throughput per run, printed with its baseline goal beside it.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use rebound_store::testing::{self, FreshSchema};
use rebound_store::{Check, Location, SourceRule, Store, Suppression, SuppressionSet, synthetic};
use std::time::Instant;

fn main() {
    let n: u64 = std::env::args()
        .skip(1)
        .find_map(|a| a.parse().ok())
        .unwrap_or(200_000);
    let events = synthetic::events(0, n);
    let dir = std::env::temp_dir().join(testing::unique_name("rebound-bench"));
    std::fs::create_dir_all(&dir).unwrap();

    let sqlite = Location::Sqlite(dir.join("bench.db"));
    ingest("sqlite", &sqlite, &events);
    match std::env::var(testing::POSTGRES_ENV) {
        Ok(url) if !url.is_empty() => {
            let schema = FreshSchema::create(&url).unwrap();
            ingest("postgres", &Location::Postgres(schema.url.clone()), &events);
        }
        _ => println!("postgres: skipped ({} not set)", testing::POSTGRES_ENV),
    }
    check(&dir);
    std::fs::remove_dir_all(&dir).ok();
}

fn ingest(name: &str, location: &Location, events: &[rebound_core::BounceEvent]) {
    let mut store = Store::open(location).unwrap();
    for (label, pass) in [("new", 1), ("again (all duplicates)", 2)] {
        let start = Instant::now();
        let mut ing = store.ingester(SourceRule::default(), rebound_store::DEFAULT_BATCH);
        for e in events {
            ing.push(e).unwrap();
        }
        let stats = ing.finish().unwrap();
        let secs = start.elapsed().as_secs_f64();
        if pass == 1 {
            assert_eq!(stats.new, events.len() as u64);
        }
        println!(
            "{name}: ingest {label}: {} events in {secs:.2} s = {:.0} events/s (goal on SQLite: 100,000); \
             {} suppressed, {} hints",
            events.len(),
            events.len() as f64 / secs,
            stats.suppressed,
            stats.hints
        );
    }
    // The same grouping from the lead_source column and from the event_tags table (the
    // synthetic events carry their source as the tag x-lead-source).
    for by in ["source", "tag:x-lead-source"] {
        let start = Instant::now();
        let rows = store.report(by.parse().unwrap(), None).unwrap();
        println!(
            "{name}: report --by {by}: {} groups of {} events in {:.3} s",
            rows.len(),
            rows.iter().map(|r| r.events).sum::<i64>(),
            start.elapsed().as_secs_f64()
        );
    }
}

fn check(dir: &std::path::Path) {
    const N: usize = 1_000_000;
    let addresses: Vec<String> = (0..N)
        .map(|i| format!("person{i}@d{}.example", i % 1000))
        .collect();
    // The list in a store, loaded as `rebound suppressions check` loads it.
    let mut store = Store::open(&Location::Sqlite(dir.join("check.db"))).unwrap();
    let rows = addresses
        .iter()
        .step_by(2)
        .map(|a| Suppression {
            address: a.clone(),
            rule: "hard:userunknown".into(),
            reason: Some("userunknown".into()),
            event_id: None,
            classifier_rule: None,
            source: None,
            created_at: 0,
        })
        .collect();
    store.add_suppressions(rows).unwrap();
    let start = Instant::now();
    let mut set: SuppressionSet = store.suppression_set().unwrap();
    println!(
        "check: loaded {} suppressions from SQLite in {:.2} s",
        set.len(),
        start.elapsed().as_secs_f64()
    );
    // Queries as a mailing list spells them: mixed case, some with angle brackets.
    let queries: Vec<String> = addresses
        .iter()
        .enumerate()
        .map(|(i, a)| match i % 3 {
            0 => a.to_uppercase(),
            1 => format!("<{a}>"),
            _ => a.clone(),
        })
        .collect();
    let start = Instant::now();
    let mut hits = 0usize;
    for q in &queries {
        if let Check::Suppressed(_) = set.check(q) {
            hits += 1;
        }
    }
    let secs = start.elapsed().as_secs_f64();
    assert_eq!(hits, N / 2);
    println!(
        "check: {N} addresses in {secs:.3} s = {:.0} checks/s (goal: 1,000,000), {hits} suppressed",
        N as f64 / secs
    );
}
