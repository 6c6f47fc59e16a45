//! Fuzzes the webhook readers: any body, detected or forced to each provider. Must never
//! panic; bad bodies give errors.
#![no_main]

use libfuzzer_sys::fuzz_target;
use rebound_core::Classifier;
use rebound_ingest::{WebhookFormat, read_webhook};
use std::sync::LazyLock;

static CLASSIFIER: LazyLock<Option<Classifier>> = LazyLock::new(|| Classifier::builtin().ok());

fuzz_target!(|data: &[u8]| {
    let Some(classifier) = CLASSIFIER.as_ref() else {
        return;
    };
    let _ = read_webhook(data, None, classifier, None);
    if let Some((&pick, rest)) = data.split_first() {
        let format = WebhookFormat::ALL[usize::from(pick) % WebhookFormat::ALL.len()];
        let _ = read_webhook(rest, Some(format), classifier, None);
    }
    let _ = rebound_ingest::sniff(data);
});
