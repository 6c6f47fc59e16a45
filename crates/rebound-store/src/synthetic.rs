//! Synthetic bounce events for tests and benchmarks: deterministic by index, realistic in
//! shape (each a real reply classified by the built-in rules), covering hard, soft,
//! sender-side and 551 forward-hint verdicts, with a lead-source header.
//!
//! Event `i` is about `user{i % 50_000}@d{i % 97}.example`, so soft bounces repeat per
//! recipient; its `message_id` and `at` are unique per `i`, so distinct indices are distinct
//! events and the same index is the same event.

use rebound_core::{BounceEvent, Classification, Classifier, ForwardHint, Reply, Source};
use std::collections::BTreeMap;
use std::sync::LazyLock;

/// The lead sources synthetic events carry in `X-Lead-Source`.
pub const SOURCES: [&str; 5] = ["fair-2024", "webinar", "purchased", "organic", "partner"];

/// The reply templates (`{r}` is the recipient).
const TEMPLATES: [&str; 6] = [
    "550 5.1.1 <{r}>: Recipient address rejected: User unknown in virtual mailbox table",
    "452 4.2.2 <{r}>: Mailbox full, try again later",
    "554 5.7.1 Service unavailable; Client host [192.0.2.1] blocked using zen.spamhaus.org",
    "551 5.1.6 User not local; please try <{n}>",
    "550 5.2.1 <{r}>: The email account that you tried to reach is disabled",
    "450 4.2.0 <{r}>: Mailbox temporarily unavailable",
];

static VERDICTS: LazyLock<Vec<(Reply, Classification)>> = LazyLock::new(|| {
    let Ok(classifier) = Classifier::builtin() else {
        return Vec::new();
    };
    TEMPLATES
        .iter()
        .filter_map(|t| {
            let mut reply = Reply::parse(
                &t.replace("{r}", "x@example.com")
                    .replace("{n}", "y@example.com"),
            )
            .ok()?;
            reply.relate_to_recipient("x@example.com");
            let c = classifier.classify(&reply);
            Some((reply, c))
        })
        .collect()
});

/// Events `start .. start + n`.
pub fn events(start: u64, n: u64) -> Vec<BounceEvent> {
    (start..start + n).filter_map(event).collect()
}

/// Event number `i` (`None` only if the built-in rules failed to load).
pub fn event(i: u64) -> Option<BounceEvent> {
    let verdicts = &*VERDICTS;
    let t = usize::try_from(i % TEMPLATES.len() as u64).ok()?;
    let (template, classification) = verdicts.get(t)?;
    let domain = format!("d{}.example", i % 97);
    let recipient = format!("user{}@{domain}", i % 50_000);
    let mut reply = template.clone();
    // Every other 551 names an address in the recipient's own domain.
    let same = (i / 6).is_multiple_of(2);
    let new_domain = if same {
        domain.clone()
    } else {
        "elsewhere.example".into()
    };
    let new_address = format!("user{}.new@{new_domain}", i % 50_000);
    reply.text = TEMPLATES[t]
        .replace("{r}", &recipient)
        .replace("{n}", &new_address);
    if let Some(f) = &mut reply.forward {
        *f = ForwardHint {
            address: new_address,
            will_forward: f.will_forward,
            same_domain: Some(same),
        };
    }
    let mut tags = BTreeMap::new();
    let source = SOURCES
        .get(usize::try_from(i % 5).ok()?)
        .copied()
        .unwrap_or("organic");
    tags.insert("x-lead-source".to_string(), source.into());
    let secs = 1_704_067_200 + i * 7; // from 2024-01-01, 7 s apart
    Some(BounceEvent {
        source: Source {
            path: Some("synthetic".into()),
            message: Some(i + 1),
            index: Some(1),
            kind: Some(rebound_core::SourceKind::Dsn),
            reader: None,
        },
        recipient: Some(recipient),
        sender: Some("news@sender.example".into()),
        at: jiff::Timestamp::from_second(i64::try_from(secs).ok()?).ok(),
        reply,
        classification: classification.clone(),
        dsn_action: Some(rebound_core::DsnAction::Failed),
        message_id: Some(format!("<{i}@synthetic.example>")),
        remote_mta: Some(format!("mx.{domain}")),
        reporting_mta: Some("mta.sender.example".into()),
        feedback_type: None,
        provider_class: None,
        truncated: Vec::new(),
        tags,
    })
}
