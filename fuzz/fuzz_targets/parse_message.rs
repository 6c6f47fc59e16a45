//! Fuzzes the bounce-email reader: any bytes through MIME walking, DSN/ARF/vendor reading and
//! classification, and through the mbox splitter. Must never panic or hang.
#![no_main]

use libfuzzer_sys::fuzz_target;
use rebound_core::Classifier;
use std::sync::LazyLock;

static CLASSIFIER: LazyLock<Classifier> =
    LazyLock::new(|| Classifier::builtin().unwrap_or_else(|e| panic!("built-in rules: {e}")));

fuzz_target!(|data: &[u8]| {
    let origin = rebound_ingest::Origin::default();
    let _ = rebound_ingest::read_message(data, &Default::default(), &CLASSIFIER, &origin);
    if let Ok(mut s) = rebound_ingest::MboxSplitter::new(data) {
        while let Ok(Some(_)) = s.next_message() {}
    }
});
