//! Throughput of the mail reader alone (no CLI, no output): reads every message under the
//! directories given in `REBOUND_BENCH_DIRS` (colon-separated; default: the repository's
//! `tests/fixtures/mail`) into memory once, then parses and classifies them
//! `REBOUND_BENCH_REPEAT` times (default 20) on one thread and prints messages per second.
//! Run with `cargo bench -p rebound-ingest --bench read`; profile the same binary under
//! `valgrind --tool=callgrind` for stable instruction counts.

#![allow(clippy::unwrap_used)]

use rebound_core::Classifier;
use rebound_ingest::{Messages, Options, Origin};
use std::path::PathBuf;
use std::time::Instant;

fn main() {
    let dirs: Vec<PathBuf> = std::env::var("REBOUND_BENCH_DIRS")
        .map(|v| v.split(':').map(PathBuf::from).collect())
        .unwrap_or_else(|_| {
            vec![PathBuf::from(concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/../../tests/fixtures/mail"
            ))]
        });
    let repeat: usize = std::env::var("REBOUND_BENCH_REPEAT")
        .ok()
        .and_then(|r| r.parse().ok())
        .unwrap_or(20);
    let raws: Vec<Vec<u8>> = Messages::new(&dirs)
        .filter_map(Result::ok)
        .map(|m| m.bytes)
        .collect();
    let classifier = Classifier::builtin().unwrap();
    let options = Options::default();
    let origin = Origin::default();
    // Warm up (compiles the classifier's lazy automata).
    for raw in &raws {
        let _ = rebound_ingest::read_message(raw, &options, &classifier, &origin);
    }
    let start = Instant::now();
    let mut events = 0usize;
    for _ in 0..repeat {
        for raw in &raws {
            events += rebound_ingest::read_message(raw, &options, &classifier, &origin)
                .map_or(0, |e| e.len());
        }
    }
    let secs = start.elapsed().as_secs_f64();
    let n = raws.len() * repeat;
    println!(
        "{n} messages ({events} events) in {secs:.3} s: {:.0} messages/s",
        n as f64 / secs
    );
}
