//! Fuzz target: any bytes through the reply parser and the classifier. Neither may panic,
//! and what comes out must be consistent with the input.
#![no_main]

use libfuzzer_sys::fuzz_target;
use rebound_core::{Classifier, Reply};
use std::sync::LazyLock;

static CLASSIFIER: LazyLock<Classifier> =
    LazyLock::new(|| Classifier::builtin().expect("built-in rules compile"));

fuzz_target!(|data: &[u8]| {
    let Ok(mut reply) = Reply::parse_bytes(data) else {
        return;
    };
    if let Some(code) = reply.code {
        assert!((200..=559).contains(&code), "code {code} out of range");
    }
    reply.relate_to_recipient("someone@example.com");
    let verdict = CLASSIFIER.classify(&reply);
    if verdict.permanent == Some(true) {
        assert_ne!(verdict.bounce_type, rebound_core::BounceType::None, "{reply:?}");
    }
    let _ = reply.canonical();
});
