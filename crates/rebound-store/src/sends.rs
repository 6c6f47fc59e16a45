//! Sends, the denominators of the audit: how many messages went to each lead source's
//! addresses, counted per lead source, recipient domain and UTC day.
//!
//! A send is one message to one recipient that left for delivery. It is recorded from:
//!
//! - a send list (`rebound sends import FILE.csv`: address, source, time; [`read_csv`]);
//! - an MTA log's deliveries (Postfix `status=sent`, Exim `=>`, OpenSMTPD `result="Ok"`) and
//!   its final failures (the message was sent and refused), and a service's webhook events
//!   that say a message was delivered or accepted for sending ([`Send::of_event`]).
//!
//! Deferrals are not sends (the message is still queued; its final outcome is the send), nor
//! are an MTA's refusals of its own clients (nothing left), a service's refusals to send
//! (`suppressed`, SendGrid `dropped`, SparkPost `generation_…`), or complaints (their
//! message was sent and counted already).
//!
//! Counting is by aggregate (`send_counts`: source, domain, day, sent), which the report reads.
//! Each send is also kept as one row of `sends` (its key, address, Message-ID, source, day):
//! the key makes recording idempotent (a log or list read twice counts each send once; a
//! delivery and a bounce of the same message and recipient are one send), and the rows let a
//! later join find a bounce's lead source by Message-ID, then by address. The key is SHA-256
//! over the normalized address and the Message-ID; without a Message-ID, over the address, the
//! MTA's queue id and the reporting host (log lines), or the address, source and time (a list
//! row).
//!
//! A log's or webhook's send that has no source of its own is looked up among the sends kept
//! (by Message-ID, then address, as an event's source is: [`crate::lookup`]); when one is
//! found it is taken for that send, which is counted already, and is not counted again. So a
//! send list and a log of the same mailing count each message once, under the list's source.

use crate::address;
use crate::record::{SourceRule, store_text};
use crate::time;
use rebound_core::{BounceEvent, DsnAction, SourceKind};
use sha2::{Digest, Sha256};
use std::io::Read;

/// The lead source of sends and events that name none.
pub const NO_SOURCE: &str = "(none)";

/// One send, as recorded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Send {
    /// The recipient, normalized.
    pub address: String,
    /// The Message-ID, when known.
    pub message_id: Option<String>,
    /// The lead source ([`NO_SOURCE`] when unknown).
    pub source: String,
    /// When it was sent (epoch seconds); `None` when the input gave no time.
    pub at: Option<i64>,
    /// What tells this send apart when there is no Message-ID (a queue id and host, a list
    /// row's time); part of the key.
    pub origin: Option<String>,
}

impl Send {
    /// The send an event records, if it records one: a delivery (DSN action `delivered`),
    /// or the final failure (`failed`) of a log line or webhook event that is not an MTA's
    /// refusal of its own client (class `refused`). `None` for everything else.
    pub fn of_event(event: &BounceEvent, sources: &SourceRule) -> Option<Send> {
        let kind = event.source.kind?;
        let counts = match event.dsn_action? {
            DsnAction::Delivered | DsnAction::Relayed => true,
            DsnAction::Failed => {
                matches!(kind, SourceKind::Log | SourceKind::Webhook)
                    && event.provider_class.as_deref() != Some("refused")
                    && event.feedback_type.is_none()
                    && !never_sent(event)
            }
            _ => false,
        };
        if !counts {
            return None;
        }
        let address = event.recipient.as_deref().and_then(address::normalize)?;
        let origin = event.tags.get("queue_id").map(|q| {
            format!(
                "{q}@{}",
                event
                    .reporting_mta
                    .as_deref()
                    .unwrap_or("")
                    .to_ascii_lowercase()
            )
        });
        Some(Send {
            address,
            message_id: event.message_id.clone().map(store_text),
            source: sources
                .source_of(event)
                .map_or_else(|| NO_SOURCE.to_string(), store_text),
            at: event.at.map(|t| t.as_second()),
            origin,
        })
    }

    /// Whether an event only records a send and is no bounce (a delivery): the store keeps
    /// it as a send, not as an event.
    pub fn only_a_send(event: &BounceEvent) -> bool {
        matches!(
            event.dsn_action,
            Some(DsnAction::Delivered | DsnAction::Relayed)
        ) && matches!(
            event.source.kind,
            Some(SourceKind::Log | SourceKind::Webhook)
        )
    }
}

/// Whether a failure says the service never sent the message: its verdict is `suppressed`
/// (a platform's own suppression list: SES, Mailgun, SendGrid, Mandrill, SparkPost, Postmark),
/// or its class is one a service gives a message it refused to send (SendGrid `dropped/…`,
/// SparkPost `generation_…`).
fn never_sent(event: &BounceEvent) -> bool {
    let class = event.provider_class.as_deref().unwrap_or("");
    event.classification.reason == rebound_core::Reason::Suppressed
        || (event.source.reader == Some(rebound_core::Reader::SendGrid)
            && class.starts_with("dropped/"))
        || (event.source.reader == Some(rebound_core::Reader::SparkPost)
            && class.starts_with("generation_"))
}

/// A send as the store writes it.
#[derive(Debug, Clone)]
pub(crate) struct SendRow {
    pub key: [u8; 16],
    pub address: String,
    pub message_id: Option<String>,
    pub source: String,
    pub domain: String,
    pub day: String,
    pub at_unix: i64,
    /// Whether this send, having no source of its own, is looked up among the sends the
    /// store keeps (see [`crate::lookup`]); one found there is that send, counted already.
    pub look_up: bool,
}

impl SendRow {
    /// The row of a send; `now` stands in for a missing time in `at_unix` (the day is then
    /// [`time::UNDATED`]).
    pub fn new(send: &Send, now: i64) -> SendRow {
        let domain = send
            .address
            .rsplit_once('@')
            .map_or_else(String::new, |(_, d)| d.to_string());
        let mut h = Sha256::new();
        h.update(b"rebound-send-key-v1");
        let mut field = |tag: u8, value: Option<&str>| {
            h.update([tag]);
            if let Some(v) = value {
                h.update(u32::try_from(v.len()).unwrap_or(u32::MAX).to_be_bytes());
                h.update(v.as_bytes());
            }
        };
        field(b'r', Some(&send.address));
        let message_id = send
            .message_id
            .as_deref()
            .map(|m| m.trim().trim_start_matches('<').trim_end_matches('>'));
        field(b'm', message_id);
        if message_id.is_none() {
            field(b'o', send.origin.as_deref());
            if send.origin.is_none() {
                field(b's', Some(&send.source));
                field(b'a', send.at.map(|a| a.to_string()).as_deref());
            }
        }
        let digest = h.finalize();
        let mut key = [0u8; 16];
        key.copy_from_slice(&digest[..16]);
        SendRow {
            key,
            address: send.address.clone(),
            message_id: send.message_id.clone(),
            source: send.source.clone(),
            domain,
            day: send
                .at
                .map_or_else(|| time::UNDATED.to_string(), time::day_of),
            at_unix: send.at.unwrap_or(now),
            look_up: false,
        }
    }
}

/// The tally of recording sends.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct SendStats {
    /// Sends handed to the store.
    pub sends: u64,
    /// Sends counted for the first time.
    pub new: u64,
    /// Sends already counted (or repeated within the run).
    pub duplicates: u64,
}

impl std::ops::AddAssign for SendStats {
    fn add_assign(&mut self, o: SendStats) {
        self.sends += o.sends;
        self.new += o.new;
        self.duplicates += o.duplicates;
    }
}

/// A send list read from CSV: the sends and, for each row that could not be read, its line
/// and why.
#[derive(Debug, Default)]
pub struct SendList {
    /// The sends.
    pub sends: Vec<Send>,
    /// `(line, problem)` of rows that were not read.
    pub skipped: Vec<(u64, String)>,
}

/// Reads a send list into memory (see [`for_each_csv`]).
pub fn read_csv(input: impl Read) -> crate::Result<SendList> {
    let mut out = SendList::default();
    let mut sends = Vec::new();
    out.skipped = for_each_csv(input, &mut |send| {
        sends.push(send);
        Ok(())
    })?;
    out.sends = sends;
    Ok(out)
}

/// Streams a send list: CSV with a header row naming an `address` column (also `email` or
/// `recipient`), a `source` column (also `lead_source`) and a `time` column (also `sent_at`,
/// `date`: RFC 3339, `YYYY-MM-DD HH:MM:SS` UTC, or a bare date), and optionally `message_id`.
/// Each send goes to `each` (an error of `each` stops the reading); an empty source is
/// [`NO_SOURCE`]. A missing column is an error naming the header line; a row whose address or
/// time cannot be read is skipped, and returned with its line and why.
pub fn for_each_csv(
    input: impl Read,
    each: &mut dyn FnMut(Send) -> crate::Result<()>,
) -> crate::Result<Vec<(u64, String)>> {
    let mut r = csv::ReaderBuilder::new()
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(input);
    let headers = r.headers()?.clone();
    let col = |names: &[&str]| {
        headers
            .iter()
            .position(|h| names.iter().any(|n| h.eq_ignore_ascii_case(n)))
    };
    let missing = |what: &str| {
        crate::StoreError::Invalid(format!(
            "line 1: the header row has no {what} column (the header names the columns: \
             address,source,time)"
        ))
    };
    let addr_col = col(&["address", "email", "recipient"]).ok_or_else(|| missing("`address`"))?;
    let source_col = col(&["source", "lead_source"]).ok_or_else(|| missing("`source`"))?;
    let time_col = col(&["time", "sent_at", "date"]).ok_or_else(|| missing("`time`"))?;
    let id_col = col(&["message_id", "message-id"]);
    let mut skipped = Vec::new();
    for record in r.records() {
        let record = match record {
            Ok(rec) => rec,
            Err(e) => {
                let line = e.position().map_or(0, csv::Position::line);
                skipped.push((line, e.to_string()));
                continue;
            }
        };
        let line = record.position().map_or(0, csv::Position::line);
        if record.iter().all(str::is_empty) {
            continue;
        }
        let raw = record.get(addr_col).unwrap_or("");
        let Some(address) = address::normalize(raw) else {
            skipped.push((line, format!("`{raw}` is not an email address")));
            continue;
        };
        let when = record.get(time_col).unwrap_or("");
        let Some(at) = time::parse_datetime(when) else {
            skipped.push((
                line,
                format!("time `{when}` is not RFC 3339 (2026-11-27T10:00:00Z) or a date"),
            ));
            continue;
        };
        let source = record
            .get(source_col)
            .filter(|s| !s.is_empty())
            .map_or_else(|| NO_SOURCE.to_string(), |s| store_text(s.to_string()));
        let message_id = id_col
            .and_then(|i| record.get(i))
            .filter(|m| !m.is_empty())
            .map(|m| store_text(m.to_string()));
        each(Send {
            address,
            message_id,
            source,
            at: Some(at),
            origin: None,
        })?;
    }
    Ok(skipped)
}

/// The sends of one report group.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct SentCount {
    pub group: String,
    pub sent: i64,
}

/// The per-group send query over `send_counts`, with `$1` the first day counted (`''`: every
/// day, undated sends too; a day: from that day on, undated sends left out); `None` for
/// groupings sends are not counted by (reason, sender).
pub(crate) fn sent_sql(by: &crate::report::Grouping) -> Option<String> {
    use crate::report::Grouping;
    let g = match by {
        Grouping::Source => "source",
        Grouping::Domain => "domain",
        Grouping::Day => "day",
        _ => return None,
    };
    Some(format!(
        "SELECT {g}, CAST(SUM(sent) AS BIGINT) FROM send_counts \
         WHERE $1 = '' OR (day >= $1 AND day <> 'undated') GROUP BY {g} ORDER BY 1"
    ))
}

/// The SQL that records one send row (`$1`..`$7`: key, address, message_id, source, domain,
/// day, at_unix), doing nothing when its key is known.
pub(crate) const INSERT_SEND: &str = "INSERT INTO sends \
    (key, address, message_id, source, domain, day, at_unix) \
    VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (key) DO NOTHING";

/// The SQL that adds `$4` sends to a (source, domain, day) count.
pub(crate) const ADD_SENT: &str = "INSERT INTO send_counts (source, domain, day, sent) \
    VALUES ($1, $2, $3, $4) \
    ON CONFLICT (source, domain, day) DO UPDATE SET sent = send_counts.sent + excluded.sent";

/// Adds up the new rows of a batch per (source, domain, day).
pub(crate) fn tally(rows: &[SendRow], new: &[bool]) -> Vec<((String, String, String), i64)> {
    let mut counts: std::collections::BTreeMap<(String, String, String), i64> =
        std::collections::BTreeMap::new();
    for (row, _) in rows.iter().zip(new).filter(|(_, n)| **n) {
        *counts
            .entry((row.source.clone(), row.domain.clone(), row.day.clone()))
            .or_default() += 1;
    }
    counts.into_iter().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_list_names_its_bad_lines() {
        let csv = "address,source,time\n\
                   a@example.com,fair,2026-11-27T10:00:00Z\n\
                   not an address,fair,2026-11-27\n\
                   b@example.com,,2026-11-27\n\
                   c@example.com,web,yesterday\n";
        let list = read_csv(csv.as_bytes()).unwrap();
        assert_eq!(list.sends.len(), 2);
        assert_eq!(list.sends[1].source, NO_SOURCE);
        assert_eq!(list.skipped.len(), 2);
        assert_eq!(list.skipped[0].0, 3);
        assert!(
            list.skipped[1].1.contains("yesterday"),
            "{:?}",
            list.skipped
        );
        let err = read_csv("email,when\na@b.c,2026-11-27\n".as_bytes()).unwrap_err();
        assert!(err.to_string().contains("`source`"), "{err}");
    }

    #[test]
    fn the_key_tells_sends_apart_by_message_then_origin() {
        let send = |id: Option<&str>, at| Send {
            address: "a@example.com".into(),
            message_id: id.map(str::to_string),
            source: "fair".into(),
            at: Some(at),
            origin: None,
        };
        let key = |s: &Send| SendRow::new(s, 0).key;
        assert_eq!(key(&send(Some("<x@y>"), 1)), key(&send(Some("x@y"), 2)));
        assert_ne!(key(&send(None, 1)), key(&send(None, 2)));
        assert_eq!(SendRow::new(&send(None, 1), 0).domain, "example.com");
    }
}
