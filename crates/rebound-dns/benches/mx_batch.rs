//! Batch throughput: MX lookups of the 10,000 generated domains of the bench.test zone
//! (`d00000.bench.test` .. `d09999.bench.test`, one MX and one A each) against the local nsd
//! of tests/dns/start-nsd.sh. Each domain costs three queries (MX, then A and AAAA of the
//! target). Every run uses a fresh resolver, so nothing is answered from the cache.
//!
//! Run: `eval "$(tests/dns/start-nsd.sh 53535)"; cargo bench -p rebound-dns --bench mx_batch`
#![allow(missing_docs)]

use rebound_dns::{Settings, Status, lookup_all};
use std::net::SocketAddr;
use std::time::{Duration, Instant};

const DOMAINS: usize = 10_000;

fn main() {
    let Some(ns) = std::env::var("REBOUND_TEST_NS")
        .ok()
        .and_then(|s| s.parse::<SocketAddr>().ok())
    else {
        eprintln!(
            "skipped mx_batch: REBOUND_TEST_NS=127.0.0.1:PORT is not set (tests/dns/start-nsd.sh)"
        );
        return;
    };
    let domains: Vec<String> = (0..DOMAINS)
        .map(|i| format!("d{i:05}.bench.test"))
        .collect();
    let settings = Settings {
        nameserver: Some(ns),
        timeout: Duration::from_secs(2),
        attempts: 2,
    };
    println!("mx_batch: {DOMAINS} domains against nsd at {ns} (3 queries per domain)");
    for concurrency in [16, 64, 256] {
        let mut ok = 0usize;
        let mut other = 0usize;
        let start = Instant::now();
        let result = lookup_all(&settings, &domains, None, concurrency, |r| {
            if r.status == Status::Mx && r.deliverable {
                ok += 1;
            } else {
                other += 1;
            }
        });
        let elapsed = start.elapsed();
        if let Err(e) = result {
            eprintln!("mx_batch: {e}");
            std::process::exit(1);
        }
        println!(
            "  concurrency {concurrency:>4}: {:>8.0} lookups/s ({:.2} s, {ok} ok, {other} not ok)",
            DOMAINS as f64 / elapsed.as_secs_f64(),
            elapsed.as_secs_f64()
        );
    }
}
