//! [`Evidence`]: what one input says about one recipient, before classification. Every reader
//! yields it — a bounce email's reader (one per recipient of a [`crate::mail::Bounce`]), a
//! log line's, a webhook event's, and `rebound diagnose` for a reply given alone — and
//! [`crate::event::build`] is the one way from it to a [`rebound_core::BounceEvent`].
//!
//! Readers report what they saw, never a verdict: the reply, the DSN fields, and what the
//! producer stated in its own terms (the kind of report, a provider's class, a feedback type).
//! The rules turn those into the verdict ([`rebound_core::Facts`]).

use jiff::Timestamp;
use rebound_core::{DsnAction, EnhancedStatus, Facts, Reader, SmtpCommand, SourceKind, Truncation};
use std::collections::BTreeMap;

/// The per-recipient fields of a report, as a DSN's per-recipient block has them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Record {
    /// The recipient address.
    pub recipient: Option<String>,
    /// The DSN `Action` (or what the format says instead).
    pub action: Option<DsnAction>,
    /// The status the report states in a field of its own (DSN `Status`).
    pub status: Option<EnhancedStatus>,
    /// The server's reply or the bounce's explanation, to be read by `Reply::parse`.
    pub diagnostic: Option<String>,
    /// The DSN diagnostic type, lower-cased: `smtp` for a server's reply, `x-unix` or
    /// `x-postfix` for what a local program or the MTA itself said.
    pub diagnostic_type: Option<String>,
    /// The SMTP command the reply answered, when the format states it outside the text.
    pub command: Option<SmtpCommand>,
    /// The host that refused or failed.
    pub remote_mta: Option<String>,
    /// When the last attempt was made; `None` when not stated or unreadable.
    pub last_attempt: Option<Timestamp>,
    /// A complaint's feedback type (ARF `Feedback-Type`, or the provider's complaint type).
    pub feedback_type: Option<String>,
}

/// Everything one input says about one recipient.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Evidence {
    /// The kind of input.
    pub kind: SourceKind,
    /// The reader that recognised the format.
    pub reader: Option<Reader>,
    /// The per-recipient fields.
    pub record: Record,
    /// The producer's own class of the outcome: a webhook provider's (`Permanent/General`),
    /// an MTA log's (`expired`, a bounce category).
    pub class: Option<String>,
    /// The original sender.
    pub sender: Option<String>,
    /// The Message-ID of the message that bounced.
    pub message_id: Option<String>,
    /// The host that wrote the report.
    pub reporting_mta: Option<String>,
    /// When the report was written, when no attempt time is known (`Arrival-Date`, the
    /// bounce's `Date`).
    pub date: Option<Timestamp>,
    /// Tags the input carried (`mta`, `queue_id`, `provider`, headers asked for).
    pub tags: BTreeMap<String, String>,
    /// An email service's metadata, keeping its JSON type (`meta.<key>`, `labels`,
    /// `campaign`, …; see `webhook::meta`), already bounded. Merged into the event's tags;
    /// a key of [`Evidence::tags`] wins over the same key here.
    pub metadata: BTreeMap<String, serde_json::Value>,
    /// The limits that dropped evidence while the input was read (a reader's own; the
    /// reply-text limit of the rules is added when the event is built).
    pub truncated: Vec<Truncation>,
    /// 1-based number of the record within its input (a log line, a webhook body's event),
    /// when the reader counts them; 0 when the caller's message number applies.
    pub number: u64,
    /// 1-based number of the recipient within that record or message.
    pub index: u32,
}

impl Default for Evidence {
    fn default() -> Self {
        Evidence {
            kind: SourceKind::Reply,
            reader: None,
            record: Record::default(),
            class: None,
            sender: None,
            message_id: None,
            reporting_mta: None,
            date: None,
            tags: BTreeMap::new(),
            metadata: BTreeMap::new(),
            truncated: Vec::new(),
            number: 0,
            index: 1,
        }
    }
}

impl Evidence {
    /// What the input stated besides the reply, as the rules read it.
    pub fn facts(&self) -> Facts<'_> {
        Facts {
            kind: Some(self.kind),
            reader: self.reader,
            dsn_action: self.record.action,
            diagnostic_type: self.record.diagnostic_type.as_deref(),
            class: self.class.as_deref(),
            feedback_type: self.record.feedback_type.as_deref(),
        }
    }

    /// The evidence of one reply given alone, or of a line that quotes one (`rebound diagnose
    /// "550 …"`, a grep of an MTA log): the recipient from `to=<…>` or a leading
    /// `<address>:`, the host from `relay=…` (the reply's own `host … said` is read later,
    /// with the reply).
    pub fn of_reply_line(line: &str) -> Evidence {
        let recipient = between(line, "to=<", ">").or_else(|| {
            let rest = line.trim_start().strip_prefix('<')?;
            let (address, after) = rest.split_once('>')?;
            after.starts_with(':').then(|| address.to_string())
        });
        let remote_mta = between(line, "relay=", ",")
            .filter(|r| !r.eq_ignore_ascii_case("none") && r != "local");
        Evidence {
            record: Record {
                recipient,
                diagnostic: Some(line.trim().to_string()),
                remote_mta,
                ..Record::default()
            },
            ..Evidence::default()
        }
    }
}

/// The text between the first `start` and the `end` after it.
fn between(s: &str, start: &str, end: &str) -> Option<String> {
    let from = s.find(start)? + start.len();
    let len = s[from..].find(end)?;
    Some(s[from..from + len].to_string())
}

/// The address of a log or webhook field, cleaned as a bounce email's are
/// ([`crate::mail::header::address`]: brackets, quotes and a type prefix removed, the domain
/// lower-cased); a bare local part (`to=<postmaster>`) is kept as given; `None` when empty
/// (`<>`).
pub fn bare_address(raw: &str) -> Option<String> {
    crate::mail::header::address(raw).or_else(|| {
        let a = raw
            .trim()
            .trim_start_matches('<')
            .trim_end_matches('>')
            .trim();
        (!a.is_empty() && !a.contains('@')).then(|| a.to_string())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_reply_line_names_recipient_and_relay() {
        let line = "2026-11-27T02:37:06.171940+00:00 lab postfix/smtp[473]: 2920C98C32F: \
                    to=<fwd-static@relay.test>, relay=127.0.0.1[127.0.0.1]:2525, delay=0, \
                    dsn=5.1.6, status=bounced (host 127.0.0.1[127.0.0.1] said: 551 5.1.6 User \
                    not local; please try <x@elsewhere.test> (in reply to RCPT TO command))";
        let e = Evidence::of_reply_line(line);
        assert_eq!(e.record.recipient.as_deref(), Some("fwd-static@relay.test"));
        assert_eq!(
            e.record.remote_mta.as_deref(),
            Some("127.0.0.1[127.0.0.1]:2525")
        );
        let bare = Evidence::of_reply_line(
            "<a@b.test>: host mx.b.test[192.0.2.9] said: 550 5.1.1 unknown",
        );
        assert_eq!(bare.record.recipient.as_deref(), Some("a@b.test"));
        assert_eq!(bare.kind, SourceKind::Reply);
    }
}
