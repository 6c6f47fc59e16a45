//! The event key: what makes two reports of a bounce the same event, so that ingesting the
//! same bounce twice (or from two processes at once) stores it once.
//!
//! # Definition (version 1)
//!
//! The key is the first 16 bytes (128 bits) of SHA-256 over the tag `rebound-event-key-v1`
//! followed by these fields, each written as one tag byte, a 4-byte big-endian length and the
//! UTF-8 bytes (an absent field is its tag byte alone, so `None` and `""` differ):
//!
//! | field | as hashed |
//! | --- | --- |
//! | recipient | trimmed, `mailto:` and angle brackets removed, lower-cased (the spelling of the first version, kept so stored keys never change); raw when that has no `@` with text on both sides |
//! | message_id | trimmed, angle brackets removed |
//! | at | the instant in whole epoch seconds (so `Z` and `+00:00` agree; the same text as when `at` was an RFC 3339 string, so keys of events stored then still match; an event whose `at` was then an unparsed RFC 5322 date gets a new key) |
//! | reporting_mta | trimmed, lower-cased |
//! | code, status | the basic reply code and enhanced status as text |
//! | dsn_action | trimmed, lower-cased |
//! | text | the reply text as parsed |
//! | source position | `source.path`, `source.message`, `source.index`: **only** when the event has neither a `message_id` nor an `at`, so that distinct log records without either do not collapse into one |
//!
//! Not in the key: the lead source (`--source` is a label of the ingest run, not of the
//! bounce: the same bounce ingested under two labels is still one bounce), the input path
//! (the same DSN file copied elsewhere is the same bounce), the classification (it is derived
//! from the reply and may change when rules improve) and `tags`.
//!
//! The key is shown as 32 lower-case hex digits (the "event id" of suppressions and hints).

use rebound_core::BounceEvent;
use sha2::{Digest, Sha256};

/// An event key: 16 bytes of SHA-256. See the module documentation for what is hashed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct EventKey(pub [u8; 16]);

/// The recipient as the key has always spelled it (trimmed, `mailto:` and angle brackets
/// removed, lower-cased), kept apart from [`crate::address::Address`] so that keys of stored
/// events do not change when address parsing improves: re-ingesting a bounce must find it.
fn recipient_spelling(address: &str) -> String {
    let a = address.trim();
    let a = a.strip_prefix("mailto:").unwrap_or(a);
    let a = a.trim_start_matches('<').trim_end_matches('>').trim();
    let lower = if a.is_ascii() {
        a.to_ascii_lowercase()
    } else {
        a.chars().flat_map(char::to_lowercase).collect()
    };
    match lower.rfind('@') {
        Some(at) if at > 0 && at + 1 < lower.len() => lower,
        _ => address.to_string(),
    }
}

impl EventKey {
    /// The key of an event.
    pub fn of(event: &BounceEvent) -> Self {
        let mut h = Sha256::new();
        h.update(b"rebound-event-key-v1");
        let recipient = event.recipient.as_deref().map(recipient_spelling);
        field(&mut h, b'r', recipient.as_deref());
        let message_id = event
            .message_id
            .as_deref()
            .map(|m| m.trim().trim_start_matches('<').trim_end_matches('>'));
        field(&mut h, b'm', message_id);
        let at = event.at.map(|t| t.as_second().to_string());
        field(&mut h, b'a', at.as_deref());
        let mta = event
            .reporting_mta
            .as_deref()
            .map(|m| m.trim().to_ascii_lowercase());
        field(&mut h, b'M', mta.as_deref());
        field(
            &mut h,
            b'c',
            event.reply.code.map(|c| c.to_string()).as_deref(),
        );
        field(
            &mut h,
            b's',
            event.reply.status.map(|s| s.to_string()).as_deref(),
        );
        field(&mut h, b'd', event.dsn_action.map(|a| a.as_str()));
        field(&mut h, b't', Some(&event.reply.text));
        if event.message_id.is_none() && event.at.is_none() {
            field(&mut h, b'p', event.source.path.as_deref());
            field(
                &mut h,
                b'n',
                event.source.message.map(|n| n.to_string()).as_deref(),
            );
            field(
                &mut h,
                b'i',
                event.source.index.map(|n| n.to_string()).as_deref(),
            );
        }
        let digest = h.finalize();
        let mut key = [0u8; 16];
        key.copy_from_slice(&digest[..16]);
        EventKey(key)
    }

    /// The key as 32 lower-case hex digits.
    pub fn to_hex(&self) -> String {
        use std::fmt::Write;
        self.0.iter().fold(String::with_capacity(32), |mut s, b| {
            let _ = write!(s, "{b:02x}");
            s
        })
    }

    /// Parses 32 hex digits.
    pub fn from_hex(s: &str) -> Option<Self> {
        let s = s.trim().as_bytes();
        if s.len() != 32 {
            return None;
        }
        let mut key = [0u8; 16];
        for (i, pair) in s.chunks_exact(2).enumerate() {
            let hi = (pair[0] as char).to_digit(16)?;
            let lo = (pair[1] as char).to_digit(16)?;
            key[i] = u8::try_from(hi * 16 + lo).ok()?;
        }
        Some(EventKey(key))
    }
}

impl std::fmt::Display for EventKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.to_hex())
    }
}

fn field(h: &mut Sha256, tag: u8, value: Option<&str>) {
    h.update([tag]);
    if let Some(v) = value {
        let len = u32::try_from(v.len()).unwrap_or(u32::MAX);
        h.update(len.to_be_bytes());
        h.update(v.as_bytes());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event() -> BounceEvent {
        crate::synthetic::event(0).unwrap()
    }

    #[test]
    fn same_bounce_same_key_whatever_its_label_or_path() {
        let a = event();
        let mut b = a.clone();
        b.tags.insert("x-lead-source".into(), "elsewhere".into());
        b.source.path = Some("/copy/of/it.eml".into());
        b.recipient = b.recipient.map(|r| r.to_uppercase());
        b.at = "2024-01-01T01:00:00+01:00".parse().ok(); // the same instant as ...T00:00:00Z
        assert_eq!(
            a.at.map(|t| t.to_string()).as_deref(),
            Some("2024-01-01T00:00:00Z")
        );
        assert_eq!(EventKey::of(&a), EventKey::of(&b));
    }

    #[test]
    fn different_facts_different_keys() {
        let a = event();
        for change in [
            |e: &mut BounceEvent| e.message_id = Some("<other@x>".into()),
            |e: &mut BounceEvent| e.at = "2024-01-02T00:00:00Z".parse().ok(),
            |e: &mut BounceEvent| e.recipient = Some("else@example.com".into()),
            |e: &mut BounceEvent| e.reply.text.push('!'),
            |e: &mut BounceEvent| e.reporting_mta = None,
        ] {
            let mut b = a.clone();
            change(&mut b);
            assert_ne!(EventKey::of(&a), EventKey::of(&b));
        }
    }

    #[test]
    fn position_counts_only_without_message_id_and_time() {
        let mut a = event();
        let mut b = a.clone();
        b.source.message = Some(99);
        assert_eq!(EventKey::of(&a), EventKey::of(&b));
        a.message_id = None;
        a.at = None;
        b.message_id = None;
        b.at = None;
        assert_ne!(EventKey::of(&a), EventKey::of(&b));
    }

    #[test]
    fn hex_round_trips() {
        let k = EventKey::of(&event());
        assert_eq!(k.to_hex().len(), 32);
        assert_eq!(EventKey::from_hex(&k.to_hex()), Some(k));
        assert_eq!(EventKey::from_hex("xyz"), None);
    }
}
