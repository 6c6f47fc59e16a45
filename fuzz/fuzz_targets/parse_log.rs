//! Fuzzes the MTA log readers: the first byte picks the format, the rest is fed line by line
//! (state between lines included). Must never panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use rebound_core::Classifier;
use rebound_ingest::{LogFormat, LogOptions, LogReader};
use std::sync::LazyLock;

static CLASSIFIER: LazyLock<Option<Classifier>> = LazyLock::new(|| Classifier::builtin().ok());

fuzz_target!(|data: &[u8]| {
    let (Some(classifier), Some((&pick, rest))) = (CLASSIFIER.as_ref(), data.split_first()) else {
        return;
    };
    let format = LogFormat::ALL[usize::from(pick) % LogFormat::ALL.len()];
    // The high bits of the first byte turn deliveries and journal entries on.
    let options = LogOptions {
        year: Some(2026),
        max_open: 8,
        deliveries: pick & 0x40 != 0,
        journal: pick & 0x80 != 0,
    };
    let mut reader = LogReader::new(format, classifier, None, &options);
    let mut out = Vec::new();
    for (i, line) in rest.split(|&b| b == b'\n').enumerate() {
        reader.line(i as u64 + 1, line, &mut out);
    }
    let _ = rebound_ingest::sniff(rest);
});
