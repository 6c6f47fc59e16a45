//! Throughput of the Postfix log reader on one core: a 1,000,000-line log made by repeating
//! the real Postfix fixtures (`tests/fixtures/log/postfix/*.log`, queue ids made unique per
//! copy) is written to the temp directory (never committed), then read end to end: line
//! splitting, syslog parsing, joining of queue ids, reply parsing and classification.
//! Goal: ≥ 500,000 lines/s.
//!
//! `cargo bench -p rebound-ingest --bench logs`

#![allow(clippy::unwrap_used)]

use rebound_core::Classifier;
use rebound_ingest::{LogFormat, LogOptions, LogReader, read_log};
use std::io::Write;
use std::path::Path;
use std::time::Instant;

const LINES: usize = 1_000_000;

fn build_log(path: &Path) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/log/postfix");
    let mut sample = Vec::new();
    let mut names: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    names.sort();
    for p in names
        .iter()
        .filter(|p| p.extension().is_some_and(|x| x == "log"))
    {
        sample.extend(
            std::fs::read_to_string(p)
                .unwrap()
                .lines()
                .map(str::to_string),
        );
    }
    let mut out = std::io::BufWriter::new(std::fs::File::create(path).unwrap());
    let mut written = 0;
    for copy in 0.. {
        for line in &sample {
            if written == LINES {
                out.flush().unwrap();
                return;
            }
            // Queue ids are 9-11 hex digits after ": "; suffix them per copy to keep them apart.
            let line = line.replacen("C3", &format!("C3{copy:X}"), 1);
            writeln!(out, "{line}").unwrap();
            written += 1;
        }
    }
}

fn main() {
    let path = std::env::temp_dir().join("rebound-bench-postfix-1m.log");
    if std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0) == 0 {
        build_log(&path);
    }
    let classifier = Classifier::builtin().unwrap();
    classifier.compile_all().unwrap();
    let options = LogOptions {
        year: Some(2026),
        ..LogOptions::default()
    };
    let mut best = f64::MAX;
    let mut events = 0;
    for _ in 0..3 {
        let mut reader = LogReader::new(LogFormat::Postfix, &classifier, None, &options);
        let input = std::io::BufReader::with_capacity(1 << 20, std::fs::File::open(&path).unwrap());
        let start = Instant::now();
        let out = read_log(input, &mut reader, 1 << 20).unwrap();
        best = best.min(start.elapsed().as_secs_f64());
        events = out.len();
        assert_eq!(reader.stats().lines, LINES as u64);
        assert_eq!(reader.stats().garbled, 0);
    }
    println!(
        "postfix log: {LINES} lines, {events} events in {best:.3} s (best of 3): {:.0} lines/s",
        LINES as f64 / best
    );
}
