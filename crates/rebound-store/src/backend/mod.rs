//! The two backends behind one interface: [`Backend`] (reads, and opening a write
//! transaction) and [`Tx`] (the few writes an ingest batch makes). The policy and batching
//! logic above them ([`crate::ingest`]) is shared, so SQLite and PostgreSQL behave the same.

pub(crate) mod postgres;
pub(crate) mod schema;
pub(crate) mod sql;
pub(crate) mod sqlite;

use crate::error::Result;
use crate::key::EventKey;
use crate::lookup::ListedSend;
use crate::model::{ApiToken, Hint, HintStatus, NewHint, Suppression};
use crate::record::EventRow;
use crate::report::{GroupCounts, Grouping};
use crate::sends::{SendRow, SentCount};

/// What a command may do to a store, decided by the command: only commands that write events
/// create stores, and commands that only read open them read-only.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Read only: the store must exist and be a Rebound store; nothing is written (SQLite is
    /// opened read-only, so a read-only copy can be read; PostgreSQL sessions are read-only).
    Read,
    /// Read and change an existing store (remove suppressions, decide hints); never creates one.
    Write,
    /// Create the store when missing (an empty SQLite file or a PostgreSQL schema without
    /// Rebound's tables), then write: `rebound init`, `ingest`, `suppressions add/import`.
    Create,
}

/// A table whose rows can be counted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Table {
    /// Events.
    Events,
    /// Suppressions.
    Suppressions,
    /// Forward hints.
    Hints,
    /// Sends, one row each (see [`crate::sends`]).
    Sends,
}

impl Table {
    pub(crate) fn name(self) -> &'static str {
        match self {
            Table::Events => "events",
            Table::Suppressions => "suppressions",
            Table::Hints => "hints",
            Table::Sends => "sends",
        }
    }
}

/// One write transaction. Dropping it without [`Tx::commit`] rolls it back.
pub(crate) trait Tx {
    /// Inserts events that are not stored yet (by key); says for each whether it was new.
    fn insert_events(&mut self, rows: &[EventRow], now: i64) -> Result<Vec<bool>>;
    /// Serializes the policy step between concurrent writers (PostgreSQL; SQLite's write
    /// transaction already is exclusive).
    fn lock_policy(&mut self) -> Result<()>;
    /// `(recipient, at_unix)` of stored soft bounces of these recipients within `[from, to]`.
    fn soft_times(&mut self, recipients: &[&str], from: i64, to: i64)
    -> Result<Vec<(String, i64)>>;
    /// Inserts suppressions of addresses not yet suppressed; returns how many were new.
    fn insert_suppressions(&mut self, rows: &[Suppression]) -> Result<u64>;
    /// Records hints, or counts one more sighting of a known one.
    fn upsert_hints(&mut self, rows: &[NewHint]) -> Result<u64>;
    /// Inserts sends whose keys are not stored yet; says for each whether it was new.
    fn insert_sends(&mut self, rows: &[SendRow]) -> Result<Vec<bool>>;
    /// The sends with a source (not `(none)`) whose Message-ID is one of `ids` (exactly as
    /// given: the caller passes each id with and without angle brackets).
    fn sends_by_message_id(&mut self, ids: &[String]) -> Result<Vec<ListedSend>>;
    /// The sends with a source (not `(none)`) to these (normalized) addresses.
    fn sends_by_address(&mut self, addresses: &[String]) -> Result<Vec<ListedSend>>;
    /// Adds sends to the (source, domain, day) counts.
    fn add_sent(&mut self, counts: &[((String, String, String), i64)]) -> Result<()>;
    /// The UIDVALIDITY kept for a bounce mailbox ([`crate::mailbox`]).
    fn mailbox_validity(&mut self, mailbox: &str) -> Result<Option<i64>>;
    /// Keeps `validity` as the mailbox's UIDVALIDITY.
    fn set_mailbox_validity(&mut self, mailbox: &str, validity: i64, now: i64) -> Result<()>;
    /// The ids of the mailbox's messages whose events are stored.
    fn mailbox_messages(&mut self, mailbox: &str) -> Result<Vec<String>>;
    /// Records messages `(id, events)` of a mailbox as stored (a recorded id is left alone).
    fn record_mailbox_messages(
        &mut self,
        mailbox: &str,
        messages: &[(String, i64)],
        now: i64,
    ) -> Result<()>;
    /// Forgets the given ids of a mailbox, or all of them (`None`); returns how many were kept.
    fn forget_mailbox_messages(&mut self, mailbox: &str, ids: Option<&[String]>) -> Result<u64>;
    /// Commits.
    fn commit(self: Box<Self>) -> Result<()>;
}

/// A connected store.
pub(crate) trait Backend: Send {
    /// `sqlite` or `postgres`.
    fn kind(&self) -> &'static str;
    /// Opens a write transaction.
    fn begin(&mut self) -> Result<Box<dyn Tx + '_>>;
    /// The schema version.
    fn schema_version(&mut self) -> Result<i64>;
    /// Rows in a table.
    fn count(&mut self, table: Table) -> Result<i64>;
    /// Every stored event key.
    fn event_keys(&mut self) -> Result<Vec<EventKey>>;
    /// Stored events as JSON, oldest first, with `at_unix >= since`.
    fn events_json(&mut self, since: i64, each: &mut dyn FnMut(String) -> Result<()>)
    -> Result<()>;
    /// All suppressions, by address.
    fn suppressions(&mut self) -> Result<Vec<Suppression>>;
    /// `(address, rule)` of every suppression, streamed.
    fn suppressed(&mut self, each: &mut dyn FnMut(String, String)) -> Result<()>;
    /// Removes suppressions; returns how many existed.
    fn remove_suppressions(&mut self, addresses: &[String]) -> Result<u64>;
    /// Hints, optionally of one status, by id.
    fn hints(&mut self, status: Option<HintStatus>) -> Result<Vec<Hint>>;
    /// Sets a hint's status; returns whether it exists.
    fn decide_hint(&mut self, id: i64, status: HintStatus, now: i64) -> Result<bool>;
    /// Report counts per group.
    fn report_counts(&mut self, by: &Grouping, since: i64) -> Result<Vec<GroupCounts>>;
    /// `(group, reason, events)` per group, most frequent first.
    fn report_reasons(&mut self, by: &Grouping, since: i64) -> Result<Vec<(String, String, i64)>>;
    /// Sends per group from `send_counts` (see [`crate::sends::sent_sql`]); `since_day` is
    /// the first day counted, `""` for all.
    fn sent_counts(&mut self, sql: &str, since_day: &str) -> Result<Vec<SentCount>>;
    /// `(group, distinct recipients with a failure)` per group.
    fn report_bounced(&mut self, by: &Grouping, since: i64) -> Result<Vec<(String, i64)>>;
    /// The suppression of one (normalized) address.
    fn suppression(&mut self, address: &str) -> Result<Option<Suppression>>;
    /// Up to `limit` suppressions with addresses after `after`, by address.
    fn suppressions_page(&mut self, after: &str, limit: i64) -> Result<Vec<Suppression>>;
    /// Records an API token's hash under a name; false when the name is taken.
    fn add_token(&mut self, name: &str, hash: &str, now: i64) -> Result<bool>;
    /// Every API token's name and creation time, by name.
    fn tokens(&mut self) -> Result<Vec<ApiToken>>;
    /// Removes the token of a name; returns whether it existed.
    fn remove_token(&mut self, name: &str) -> Result<bool>;
    /// The name of the token with this hash.
    fn token_named(&mut self, hash: &str) -> Result<Option<String>>;
    /// Whether a webhook signature's one-time value was seen.
    fn nonce_seen(&mut self, service: &str, nonce: &str) -> Result<bool>;
    /// Records one-time values in one transaction and forgets those seen before
    /// `forget_before`.
    fn record_nonces(
        &mut self,
        service: &str,
        nonces: &[String],
        now: i64,
        forget_before: i64,
    ) -> Result<()>;
}
