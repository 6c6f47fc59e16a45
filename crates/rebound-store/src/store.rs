//! [`Store`]: the one API over both backends, and [`Ingester`], which batches events into
//! transactions.

use crate::backend::{Access, Backend, Table, postgres::Postgres, sqlite::Sqlite};
use crate::check::SuppressionSet;
use crate::error::Result;
use crate::ingest::{write_batch, write_batch_keyed};
use crate::key::EventKey;
use crate::location::Location;
use crate::lookup::{self, Wanted};
use crate::model::{ApiToken, Hint, HintStatus, IngestStats, Skipped, Suppression};
use crate::policy::Policy;
use crate::rates;
use crate::record::{EventRow, SourceRule};
use crate::report::{self, Grouping, ReportRow};
use crate::sends::{self, Send, SendRow, SendStats};
use crate::time;
use rebound_core::BounceEvent;

/// The default number of events per transaction.
pub const DEFAULT_BATCH: usize = 5_000;

/// A store of bounce events, suppressions and forward hints, on SQLite or PostgreSQL.
pub struct Store {
    pub(crate) backend: Box<dyn Backend>,
    pub(crate) policy: Policy,
    location: Location,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store")
            .field("location", &self.location)
            .finish_non_exhaustive()
    }
}

impl Store {
    /// Opens the store at `location` for writing, creating it when missing and migrating it
    /// when older, with the default policy: `open_with(location, Access::Create)`. A database
    /// that is not a Rebound store is refused, untouched.
    pub fn open(location: &Location) -> Result<Self> {
        Self::open_with(location, Access::Create)
    }

    /// Opens the store at `location` for `access`: [`Access::Read`] and [`Access::Write`]
    /// refuse a missing store ([`StoreError::Missing`](crate::StoreError::Missing)); every
    /// access refuses a database that is not a Rebound store
    /// ([`StoreError::NotAStore`](crate::StoreError::NotAStore)), checked before anything is
    /// written; [`Access::Read`] writes nothing at all.
    pub fn open_with(location: &Location, access: Access) -> Result<Self> {
        let backend: Box<dyn Backend> = match location {
            Location::Sqlite(path) => Box::new(Sqlite::open(path, access)?),
            Location::Postgres(url) => Box::new(Postgres::open(url, access)?),
        };
        Ok(Self {
            backend,
            policy: Policy::default(),
            location: location.clone(),
        })
    }

    /// Replaces the suppression policy used by later ingests.
    pub fn set_policy(&mut self, policy: Policy) {
        self.policy = policy;
    }

    /// The suppression policy in use.
    pub fn policy(&self) -> &Policy {
        &self.policy
    }

    /// Where the store lives.
    pub fn location(&self) -> &Location {
        &self.location
    }

    /// `sqlite` or `postgres`.
    pub fn backend_kind(&self) -> &'static str {
        self.backend.kind()
    }

    /// The schema version.
    pub fn schema_version(&mut self) -> Result<i64> {
        self.backend.schema_version()
    }

    /// Ingests events as one transaction (see [`Ingester`] for long streams); events the
    /// database refuses are skipped and counted (`skipped`), the others stored.
    pub fn ingest(&mut self, events: &[BounceEvent], sources: &SourceRule) -> Result<IngestStats> {
        let now = time::now();
        let mut rows = events
            .iter()
            .map(|e| EventRow::new(e, sources, &self.policy, now))
            .collect::<Result<Vec<_>, _>>()?;
        let mut skipped = Vec::new();
        write_batch(
            &mut *self.backend,
            &mut rows,
            &self.policy,
            now,
            &mut skipped,
        )
    }

    /// Ingests several groups of events (the events of several requests arriving together)
    /// in one transaction, so they share one commit. Returns the whole tally and, per group,
    /// its own `events`, `new` (stored by this call, counted for the first group holding the
    /// event), `skipped` and `duplicates` (the rest); the other fields of a group's tally are
    /// 0, as the policy judges the transaction as a whole.
    pub fn ingest_groups(
        &mut self,
        groups: &[Vec<BounceEvent>],
        sources: &SourceRule,
    ) -> Result<(IngestStats, Vec<IngestStats>)> {
        let now = time::now();
        let mut rows = Vec::new();
        let mut keys: Vec<Vec<EventKey>> = Vec::with_capacity(groups.len());
        for group in groups {
            let mut mine = Vec::with_capacity(group.len());
            for e in group {
                let row = EventRow::new(e, sources, &self.policy, now)?;
                mine.push(row.key);
                rows.push(row);
            }
            keys.push(mine);
        }
        if rows.is_empty() {
            return Ok((
                IngestStats::default(),
                vec![IngestStats::default(); groups.len()],
            ));
        }
        let (mut skipped, mut new_keys) = (Vec::new(), Vec::new());
        let whole = write_batch_keyed(
            &mut *self.backend,
            &mut rows,
            &self.policy,
            now,
            &mut skipped,
            &mut new_keys,
        )?;
        let mut unclaimed: std::collections::HashSet<EventKey> = new_keys.into_iter().collect();
        let refused: std::collections::HashSet<String> =
            skipped.into_iter().map(|s| s.event_id).collect();
        let per_group = keys
            .iter()
            .map(|mine| {
                let mut g = IngestStats {
                    events: mine.len() as u64,
                    ..IngestStats::default()
                };
                for k in mine {
                    if unclaimed.remove(k) {
                        g.new += 1;
                    } else if refused.contains(&k.to_hex()) {
                        g.skipped += 1;
                    }
                }
                g.duplicates = g.events - g.new - g.skipped;
                g
            })
            .collect();
        Ok((whole, per_group))
    }

    /// A batching ingester: events are written every `batch` events and at
    /// [`Ingester::finish`].
    pub fn ingester(&mut self, sources: SourceRule, batch: usize) -> Ingester<'_> {
        Ingester {
            store: self,
            sources,
            batch: batch.max(1),
            rows: Vec::new(),
            stats: IngestStats::default(),
            skipped: Vec::new(),
            sends: Vec::new(),
            send_stats: SendStats::default(),
        }
    }

    /// Rows in a table.
    pub fn count(&mut self, table: Table) -> Result<i64> {
        self.backend.count(table)
    }

    /// Every stored event key.
    pub fn event_keys(&mut self) -> Result<Vec<EventKey>> {
        self.backend.event_keys()
    }

    /// Calls `each` with the JSON of every event at or after `since` (epoch seconds), oldest
    /// first.
    pub fn for_each_event(
        &mut self,
        since: Option<i64>,
        mut each: impl FnMut(String) -> Result<()>,
    ) -> Result<()> {
        self.backend
            .events_json(since.unwrap_or(i64::MIN), &mut each)
    }

    /// Every suppression, by address.
    pub fn suppressions(&mut self) -> Result<Vec<Suppression>> {
        self.backend.suppressions()
    }

    /// The suppression list in memory, for fast checks.
    pub fn suppression_set(&mut self) -> Result<SuppressionSet> {
        let n = usize::try_from(self.backend.count(Table::Suppressions)?).unwrap_or(0);
        let mut set = SuppressionSet::with_capacity(n);
        self.backend.suppressed(&mut |a, r| set.insert(&a, &r))?;
        Ok(set)
    }

    /// Adds suppressions (addresses already suppressed keep their first reason); returns how
    /// many were new.
    pub fn add_suppressions(&mut self, mut rows: Vec<Suppression>) -> Result<u64> {
        use crate::record::store_text;
        for r in &mut rows {
            r.address = store_text(std::mem::take(&mut r.address));
            r.rule = store_text(std::mem::take(&mut r.rule));
            for f in [
                &mut r.reason,
                &mut r.event_id,
                &mut r.classifier_rule,
                &mut r.source,
            ] {
                *f = f.take().map(store_text);
            }
        }
        rows.sort_by(|a, b| a.address.cmp(&b.address));
        rows.dedup_by(|a, b| a.address == b.address);
        let mut added = 0;
        for chunk in rows.chunks(DEFAULT_BATCH) {
            let mut tx = self.backend.begin()?;
            added += tx.insert_suppressions(chunk)?;
            tx.commit()?;
        }
        Ok(added)
    }

    /// Removes suppressions of these (normalized) addresses; returns how many existed.
    pub fn remove_suppressions(&mut self, addresses: &[String]) -> Result<u64> {
        self.backend.remove_suppressions(addresses)
    }

    /// The suppression of one address (normalized as [`crate::Address`] spells it), if any.
    pub fn suppression(&mut self, address: &str) -> Result<Option<Suppression>> {
        self.backend.suppression(address)
    }

    /// Up to `limit` suppressions whose addresses sort after `after` (`""`: from the first),
    /// by address: one page of the list, the next page starting after its last address.
    pub fn suppressions_page(&mut self, after: &str, limit: u32) -> Result<Vec<Suppression>> {
        self.backend.suppressions_page(after, i64::from(limit))
    }

    /// Records an API token under `name` by its hash (the token itself is never stored);
    /// false, nothing changed, when a token of that name exists.
    pub fn add_token(&mut self, name: &str, hash: &str) -> Result<bool> {
        self.backend.add_token(name, hash, time::now())
    }

    /// The API tokens' names and creation times, by name.
    pub fn tokens(&mut self) -> Result<Vec<ApiToken>> {
        self.backend.tokens()
    }

    /// Revokes (removes) the API token of `name`; returns whether it existed.
    pub fn remove_token(&mut self, name: &str) -> Result<bool> {
        self.backend.remove_token(name)
    }

    /// The name of the API token whose hash is `hash`, when one is stored.
    pub fn token_named(&mut self, hash: &str) -> Result<Option<String>> {
        self.backend.token_named(hash)
    }

    /// Whether the one-time value `nonce` of a `service`'s webhook signature was recorded.
    pub fn nonce_seen(&mut self, service: &str, nonce: &str) -> Result<bool> {
        self.backend.nonce_seen(service, nonce)
    }

    /// Records the one-time value `nonce` of a `service`'s webhook signature, and forgets the
    /// values recorded more than `keep_secs` seconds ago (their signatures are too old to be
    /// accepted anyway).
    pub fn record_nonce(&mut self, service: &str, nonce: &str, keep_secs: i64) -> Result<()> {
        self.record_nonces(service, &[nonce.to_string()], keep_secs)
    }

    /// [`Store::record_nonce`] of several values, in one transaction.
    pub fn record_nonces(
        &mut self,
        service: &str,
        nonces: &[String],
        keep_secs: i64,
    ) -> Result<()> {
        let now = time::now();
        self.backend
            .record_nonces(service, nonces, now, now.saturating_sub(keep_secs))
    }

    /// Forward hints, optionally of one status.
    pub fn hints(&mut self, status: Option<HintStatus>) -> Result<Vec<Hint>> {
        self.backend.hints(status)
    }

    /// Accepts or rejects a hint (nothing else changes: the new address is never mailed by
    /// Rebound); returns whether the hint exists.
    pub fn decide_hint(&mut self, id: i64, status: HintStatus) -> Result<bool> {
        self.backend.decide_hint(id, status, time::now())
    }

    /// The audit report, grouped `by`, over events at or after `since` (epoch seconds); by
    /// source, domain or day also the sends of the days from `since`'s on and the rates per
    /// 1,000 sent ([`crate::rates`]).
    pub fn report(&mut self, by: Grouping, since: Option<i64>) -> Result<Vec<ReportRow>> {
        let since_day = since.map_or_else(String::new, time::day_of);
        let since = since.unwrap_or(i64::MIN);
        let counts = self.backend.report_counts(&by, since)?;
        let reasons = self.backend.report_reasons(&by, since)?;
        let mut rows = report::assemble(counts, reasons);
        if let Some(sql) = sends::sent_sql(&by) {
            let sent = self.backend.sent_counts(&sql, &since_day)?;
            let bounced = self.backend.report_bounced(&by, since)?;
            rates::apply(&mut rows, &sent, &bounced);
        }
        Ok(rows)
    }

    /// Records sends (see [`crate::sends`]) in transactions of [`DEFAULT_BATCH`]: each send is
    /// counted once, however often it is recorded.
    pub fn record_sends(&mut self, sends: &[Send]) -> Result<SendStats> {
        let now = time::now();
        let mut stats = SendStats::default();
        for chunk in sends.chunks(DEFAULT_BATCH) {
            let rows: Vec<SendRow> = chunk.iter().map(|s| SendRow::new(s, now)).collect();
            stats += write_sends(&mut *self.backend, &rows)?;
        }
        Ok(stats)
    }
}

/// Writes one batch of sends in one transaction: the rows, then the counts of the new ones.
/// Rows go in key order and counts in (source, domain, day) order, so concurrent writers
/// (PostgreSQL) take their locks in one order and never dead-lock each other.
pub(crate) fn write_sends(backend: &mut dyn Backend, rows: &[SendRow]) -> Result<SendStats> {
    if rows.is_empty() {
        return Ok(SendStats::default());
    }
    let handed = rows.len() as u64;
    let mut rows = rows.to_vec();
    rows.sort_by_key(|r| r.key);
    let mut tx = backend.begin()?;
    let wanted: Vec<Wanted<'_>> = rows
        .iter()
        .filter(|r| r.look_up)
        .map(|r| Wanted {
            message_id: r.message_id.as_deref(),
            address: Some(&r.address),
            at: r.at_unix,
        })
        .collect();
    if !wanted.is_empty() {
        let listed = lookup::sources_for(&mut *tx, &wanted)?;
        let mut listed = listed.into_iter();
        // A send found in the list is that send, counted already.
        rows.retain(|r| !r.look_up || listed.next().is_some_and(|s| s.is_none()));
    }
    let rows = &rows[..];
    let new = tx.insert_sends(rows)?;
    tx.add_sent(&sends::tally(rows, &new))?;
    tx.commit()?;
    let fresh = new.iter().filter(|n| **n).count() as u64;
    Ok(SendStats {
        sends: handed,
        new: fresh,
        duplicates: handed - fresh,
    })
}

/// Batches events into transactions of a fixed size.
pub struct Ingester<'a> {
    store: &'a mut Store,
    sources: SourceRule,
    batch: usize,
    rows: Vec<EventRow>,
    stats: IngestStats,
    skipped: Vec<Skipped>,
    sends: Vec<SendRow>,
    send_stats: SendStats,
}

impl Ingester<'_> {
    /// Adds an event; writes a batch when it is full. An event that records a send
    /// ([`Send::of_event`]) is counted as one too; a delivery is a send only, not an event.
    pub fn push(&mut self, event: &BounceEvent) -> Result<()> {
        let now = time::now();
        if let Some(send) = Send::of_event(event, &self.sources) {
            let mut row = SendRow::new(&send, now);
            row.look_up = self.sources.send_list && send.source == sends::NO_SOURCE;
            self.sends.push(row);
        }
        if !Send::only_a_send(event) {
            let row = EventRow::new(event, &self.sources, &self.store.policy, now)?;
            self.rows.push(row);
        }
        if self.rows.len() >= self.batch || self.sends.len() >= self.batch {
            self.flush()?;
        }
        Ok(())
    }

    /// The sends recorded so far (written batches only).
    pub fn send_stats(&self) -> SendStats {
        self.send_stats
    }

    /// Writes the pending events and sends now.
    pub fn flush(&mut self) -> Result<()> {
        if !self.sends.is_empty() {
            let sends = std::mem::take(&mut self.sends);
            self.send_stats += write_sends(&mut *self.store.backend, &sends)?;
        }
        if self.rows.is_empty() {
            return Ok(());
        }
        let store = &mut *self.store;
        let stats = write_batch(
            &mut *store.backend,
            &mut self.rows,
            &store.policy,
            time::now(),
            &mut self.skipped,
        )?;
        self.rows.clear();
        self.stats += stats;
        Ok(())
    }

    /// The events the database refused since the last call (each skipped; the rest of their
    /// batches were stored), for the caller to report.
    pub fn take_skipped(&mut self) -> Vec<Skipped> {
        std::mem::take(&mut self.skipped)
    }

    /// The tally so far (written batches only).
    pub fn stats(&self) -> IngestStats {
        self.stats
    }

    /// Writes what is pending and returns the tally.
    pub fn finish(mut self) -> Result<IngestStats> {
        self.flush()?;
        Ok(self.stats)
    }
}
