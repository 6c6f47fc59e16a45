//! The SQLite backend (rusqlite, bundled SQLite): one file, WAL journal so readers never wait,
//! `BEGIN IMMEDIATE` write transactions and a long busy wait (which says so after a second) so
//! concurrent writer processes take turns instead of failing. Files are created only when asked
//! ([`Access::Create`]), checked to be Rebound stores before anything is written, and opened
//! read-only by commands that only read.

use super::schema::Found;
use super::sql::{self, to_sqlite};
use super::{Access, Backend, Table, Tx, schema};
use crate::error::{Result, StoreError};
use crate::key::EventKey;
use crate::lookup::ListedSend;
use crate::model::{ApiToken, Hint, HintKind, HintStatus, NewHint, Suppression};
use crate::record::EventRow;
use crate::report::{self, GroupCounts, Grouping};
use crate::sends::{self, SendRow, SentCount};
use rusqlite::{Connection, OpenFlags, TransactionBehavior, params};
use std::path::Path;
use std::time::Duration;

/// A connection to an SQLite file.
pub(crate) struct Sqlite {
    conn: Connection,
}

const INSERT_EVENT: &str = "INSERT OR IGNORE INTO events (key, at_unix, at, day, recipient, \
    domain, sender, sender_domain, code, status, reason, bounce_type, rule, lead_source, \
    message_id, reporting_mta, soft, ingested_at, event) \
    VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19)";

/// The `application_id` (SQLite file header) of a Rebound store: "RBND". Written when a store
/// is created or first opened for writing by this version; stores of earlier versions have 0
/// and are recognised by their tables.
const APPLICATION_ID: i64 = 0x5242_4e44;

/// How long a lock wait goes on before giving up.
const LOCK_WAIT: Duration = Duration::from_secs(120);

/// The pause between two tries of a locked database.
const LOCK_PAUSE: Duration = Duration::from_millis(10);

thread_local! {
    /// The file the current thread's connection waits for (for the busy handler's notice).
    static WAITING_ON: std::cell::RefCell<String> = const { std::cell::RefCell::new(String::new()) };
}

/// SQLite's busy handler: sleeps and retries for [`LOCK_WAIT`]; after a second, says once on
/// standard error that it is waiting for another process's lock (SQLite cannot tell which).
fn busy(count: i32) -> bool {
    let count = u32::try_from(count).unwrap_or(0);
    let waited = LOCK_PAUSE * count;
    if count == (Duration::from_secs(1).as_millis() / LOCK_PAUSE.as_millis()) as u32 {
        WAITING_ON.with(|p| {
            eprintln!(
                "rebound: waiting for the lock on {}: another process (an ingest, or a program \
                 holding a transaction open) is writing; giving up after {} s",
                p.borrow(),
                LOCK_WAIT.as_secs()
            );
        });
    }
    if waited >= LOCK_WAIT {
        return false;
    }
    std::thread::sleep(LOCK_PAUSE);
    true
}

/// A `file:` URI opening `path` read-only as an immutable file (no locks, no `-shm`).
fn immutable_uri(path: &Path) -> String {
    let mut uri = String::from("file:");
    for b in path.as_os_str().as_encoded_bytes() {
        match b {
            b'%' | b'?' | b'#' | 0x80.. => uri.push_str(&format!("%{b:02X}")),
            _ => uri.push(char::from(*b)),
        }
    }
    uri.push_str("?mode=ro&immutable=1");
    uri
}

impl Sqlite {
    /// Opens the file for `access`: created (with its directory) only for
    /// [`Access::Create`]; checked to be a Rebound store before anything is written; opened
    /// read-only for [`Access::Read`]. Brings the schema up to date unless read-only.
    pub(crate) fn open(path: &Path, access: Access) -> Result<Self> {
        let open_err = |e: &dyn std::fmt::Display| StoreError::Open {
            path: path.to_path_buf(),
            detail: e.to_string(),
        };
        let location = path.display().to_string();
        let exists = path.exists();
        if !exists && access != Access::Create {
            return Err(StoreError::Missing { location });
        }
        if path.is_dir() {
            return Err(StoreError::NotAStore {
                location,
                detail: "it is a directory".into(),
            });
        }
        if !exists && let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|e| open_err(&e))?;
        }
        let flags = match access {
            Access::Read => OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
            Access::Write => OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
            Access::Create => {
                OpenFlags::SQLITE_OPEN_READ_WRITE
                    | OpenFlags::SQLITE_OPEN_CREATE
                    | OpenFlags::SQLITE_OPEN_NO_MUTEX
            }
        };
        let conn = Connection::open_with_flags(path, flags).map_err(|e| open_err(&e))?;
        WAITING_ON.with(|p| *p.borrow_mut() = location.clone());
        conn.busy_handler(Some(busy)).map_err(|e| open_err(&e))?;
        let (conn, found) = match Self::judge(&conn, &location) {
            // A WAL store on read-only media (no `-shm` file can be made beside it): read it
            // as an immutable file, which needs neither.
            Err(StoreError::Sqlite(rusqlite::Error::SqliteFailure(f, _)))
                if access == Access::Read && f.code == rusqlite::ErrorCode::CannotOpen =>
            {
                drop(conn);
                let conn = Connection::open_with_flags(
                    immutable_uri(path),
                    flags | OpenFlags::SQLITE_OPEN_URI,
                )
                .map_err(|e| open_err(&e))?;
                let found = Self::judge(&conn, &location)?;
                (conn, found)
            }
            result => (conn, result?),
        };
        if found == Found::Empty && access != Access::Create {
            return Err(StoreError::NotAStore {
                location,
                detail: "it is an empty database; create a store with `rebound init`".into(),
            });
        }
        if access == Access::Read {
            conn.set_prepared_statement_cache_capacity(64);
            let mut me = Sqlite { conn };
            let found = me.schema_version()?;
            if found < schema::VERSION {
                return Err(StoreError::SchemaTooOld {
                    location,
                    found,
                    known: schema::VERSION,
                });
            }
            schema::pending(&schema::SQLITE, found)?;
            return Ok(me);
        }
        // Takes effect on a new file only (before the first table); bigger pages suit rows
        // that carry the event's JSON.
        conn.pragma_update(None, "page_size", 16_384)
            .map_err(|e| open_err(&e))?;
        conn.pragma_update(None, "journal_mode", "WAL")
            .map_err(|e| open_err(&e))?;
        conn.pragma_update(None, "synchronous", "NORMAL")?;
        conn.pragma_update(None, "cache_size", -65_536)?;
        conn.pragma_update(None, "temp_store", "MEMORY")?;
        conn.pragma_update(None, "wal_autocheckpoint", 16_384)?;
        conn.set_prepared_statement_cache_capacity(64);
        let mut me = Sqlite { conn };
        me.migrate()?;
        Ok(me)
    }

    /// Whether the open file is a Rebound store, an empty database, or something else (an
    /// error), read from its header and table list only.
    fn judge(conn: &Connection, location: &str) -> Result<Found> {
        let not_a_store = |detail: String| StoreError::NotAStore {
            location: location.to_string(),
            detail,
        };
        let header = |e: rusqlite::Error| match e {
            rusqlite::Error::SqliteFailure(f, _) if f.code == rusqlite::ErrorCode::NotADatabase => {
                not_a_store("it is not an SQLite database".into())
            }
            e => StoreError::Sqlite(e),
        };
        let app_id: i64 = conn
            .pragma_query_value(None, "application_id", |r| r.get(0))
            .map_err(header)?;
        let mut stmt = conn
            .prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
            .map_err(header)?;
        let tables = stmt
            .query_map([], |r| r.get::<_, String>(0))?
            .collect::<Result<Vec<_>, _>>()?;
        if app_id != 0 && app_id != APPLICATION_ID {
            return Err(not_a_store(format!(
                "its application id {app_id:#x} belongs to another program"
            )));
        }
        match schema::judge_tables(&tables, false) {
            Ok(Found::Empty) if app_id == APPLICATION_ID => Err(not_a_store(
                "it is marked as a Rebound store but has none of its tables".into(),
            )),
            Ok(found) => Ok(found),
            Err(detail) => Err(not_a_store(detail)),
        }
    }

    fn migrate(&mut self) -> Result<()> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        tx.execute_batch("CREATE TABLE IF NOT EXISTS rebound_schema (version INTEGER NOT NULL)")?;
        let found: i64 = tx.query_row(
            "SELECT COALESCE(MAX(version), 0) FROM rebound_schema",
            [],
            |r| r.get(0),
        )?;
        for (version, ddl) in schema::pending(&schema::SQLITE, found)? {
            tx.execute_batch(ddl)?;
            tx.execute(
                "INSERT INTO rebound_schema (version) VALUES (?1)",
                [version],
            )?;
        }
        tx.pragma_update(None, "application_id", APPLICATION_ID)?;
        tx.commit()?;
        Ok(())
    }
}

struct SqliteTx<'a> {
    tx: rusqlite::Transaction<'a>,
}

/// Values per query of [`SqliteTx::listed_sends`] (SQLite allows 32,766 parameters).
const LOOKUP_CHUNK: usize = 500;

impl SqliteTx<'_> {
    /// The sends with a source whose `column` (an indexed column: `message_id` or `address`)
    /// is one of `values`, `IN` lists of [`LOOKUP_CHUNK`] values per query.
    fn listed_sends(&mut self, column: &str, values: &[String]) -> Result<Vec<ListedSend>> {
        let mut out = Vec::new();
        for chunk in values.chunks(LOOKUP_CHUNK) {
            let marks = vec!["?"; chunk.len()].join(", ");
            let sql = format!("{}{column} IN ({marks})", sql::SELECT_LISTED_SENDS);
            let mut stmt = self.tx.prepare_cached(&sql)?;
            let mut rows = stmt.query(rusqlite::params_from_iter(chunk))?;
            while let Some(r) = rows.next()? {
                out.push(ListedSend {
                    address: r.get(0)?,
                    message_id: r.get(1)?,
                    source: r.get(2)?,
                    at_unix: r.get(3)?,
                });
            }
        }
        Ok(out)
    }
}

impl Tx for SqliteTx<'_> {
    fn insert_events(&mut self, rows: &[EventRow], now: i64) -> Result<Vec<bool>> {
        let mut stmt = self.tx.prepare_cached(INSERT_EVENT)?;
        let mut tag = self.tx.prepare_cached(&to_sqlite(sql::INSERT_EVENT_TAG))?;
        let mut new = Vec::with_capacity(rows.len());
        for r in rows {
            let n = stmt.execute(params![
                &r.key.0[..],
                r.at_unix,
                r.at,
                r.day,
                r.recipient,
                r.domain,
                r.sender,
                r.sender_domain,
                r.code,
                r.status,
                r.reason,
                r.bounce_type,
                r.rule,
                r.lead_source,
                r.message_id,
                r.reporting_mta,
                i32::from(r.soft()),
                now,
                r.json,
            ])?;
            if n == 1 {
                let id = self.tx.last_insert_rowid();
                for (name, value) in &r.tags {
                    tag.execute(params![id, name, value])?;
                }
            }
            new.push(n == 1);
        }
        Ok(new)
    }

    fn lock_policy(&mut self) -> Result<()> {
        Ok(())
    }

    fn soft_times(
        &mut self,
        recipients: &[&str],
        from: i64,
        to: i64,
    ) -> Result<Vec<(String, i64)>> {
        let mut stmt = self.tx.prepare_cached(
            "SELECT at_unix FROM events WHERE soft = 1 AND recipient = ?1 AND at_unix BETWEEN ?2 AND ?3",
        )?;
        let mut out = Vec::new();
        for r in recipients {
            let mut rows = stmt.query(params![r, from, to])?;
            while let Some(row) = rows.next()? {
                out.push(((*r).to_string(), row.get(0)?));
            }
        }
        Ok(out)
    }

    fn insert_suppressions(&mut self, rows: &[Suppression]) -> Result<u64> {
        let mut stmt = self
            .tx
            .prepare_cached(&to_sqlite(sql::INSERT_SUPPRESSION))?;
        let mut n = 0;
        for s in rows {
            n += stmt.execute(params![
                s.address,
                s.rule,
                s.reason,
                s.event_id,
                s.classifier_rule,
                s.source,
                s.created_at
            ])? as u64;
        }
        Ok(n)
    }

    fn upsert_hints(&mut self, rows: &[NewHint]) -> Result<u64> {
        let mut stmt = self.tx.prepare_cached(&to_sqlite(sql::UPSERT_HINT))?;
        let mut n = 0;
        for h in rows {
            n += stmt.execute(params![
                h.old_address,
                h.new_address,
                h.kind.as_str(),
                i32::from(h.will_forward),
                h.event_id,
                h.created_at,
                h.seen
            ])? as u64;
        }
        Ok(n)
    }

    fn insert_sends(&mut self, rows: &[SendRow]) -> Result<Vec<bool>> {
        let mut stmt = self.tx.prepare_cached(&to_sqlite(sends::INSERT_SEND))?;
        let mut new = Vec::with_capacity(rows.len());
        for r in rows {
            let n = stmt.execute(params![
                &r.key[..],
                r.address,
                r.message_id,
                r.source,
                r.domain,
                r.day,
                r.at_unix
            ])?;
            new.push(n == 1);
        }
        Ok(new)
    }

    fn sends_by_message_id(&mut self, ids: &[String]) -> Result<Vec<ListedSend>> {
        self.listed_sends("message_id", ids)
    }

    fn sends_by_address(&mut self, addresses: &[String]) -> Result<Vec<ListedSend>> {
        self.listed_sends("address", addresses)
    }

    fn add_sent(&mut self, counts: &[((String, String, String), i64)]) -> Result<()> {
        let mut stmt = self.tx.prepare_cached(&to_sqlite(sends::ADD_SENT))?;
        for ((source, domain, day), n) in counts {
            stmt.execute(params![source, domain, day, n])?;
        }
        Ok(())
    }

    fn mailbox_validity(&mut self, mailbox: &str) -> Result<Option<i64>> {
        let mut stmt = self.tx.prepare_cached(&to_sqlite(sql::MAILBOX_VALIDITY))?;
        let mut rows = stmt.query_map([mailbox], |r| r.get::<_, i64>(0))?;
        Ok(rows.next().transpose()?)
    }

    fn set_mailbox_validity(&mut self, mailbox: &str, validity: i64, now: i64) -> Result<()> {
        let mut stmt = self
            .tx
            .prepare_cached(&to_sqlite(sql::SET_MAILBOX_VALIDITY))?;
        stmt.execute(params![mailbox, validity, now])?;
        Ok(())
    }

    fn mailbox_messages(&mut self, mailbox: &str) -> Result<Vec<String>> {
        let mut stmt = self.tx.prepare_cached(&to_sqlite(sql::MAILBOX_MESSAGES))?;
        let rows = stmt.query_map([mailbox], |r| r.get::<_, String>(0))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    fn record_mailbox_messages(
        &mut self,
        mailbox: &str,
        messages: &[(String, i64)],
        now: i64,
    ) -> Result<()> {
        let mut stmt = self
            .tx
            .prepare_cached(&to_sqlite(sql::RECORD_MAILBOX_MESSAGE))?;
        for (id, events) in messages {
            stmt.execute(params![mailbox, id, events, now])?;
        }
        Ok(())
    }

    fn forget_mailbox_messages(&mut self, mailbox: &str, ids: Option<&[String]>) -> Result<u64> {
        let Some(ids) = ids else {
            return Ok(self
                .tx
                .execute(&to_sqlite(sql::FORGET_MAILBOX), [mailbox])?
                as u64);
        };
        let mut stmt = self
            .tx
            .prepare_cached(&to_sqlite(sql::FORGET_MAILBOX_MESSAGE))?;
        let mut n = 0;
        for id in ids {
            n += stmt.execute(params![mailbox, id])? as u64;
        }
        Ok(n)
    }

    fn commit(self: Box<Self>) -> Result<()> {
        Ok(self.tx.commit()?)
    }
}

impl Backend for Sqlite {
    fn kind(&self) -> &'static str {
        "sqlite"
    }

    fn begin(&mut self) -> Result<Box<dyn Tx + '_>> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        Ok(Box::new(SqliteTx { tx }))
    }

    fn schema_version(&mut self) -> Result<i64> {
        Ok(self.conn.query_row(
            "SELECT COALESCE(MAX(version), 0) FROM rebound_schema",
            [],
            |r| r.get(0),
        )?)
    }

    fn count(&mut self, table: Table) -> Result<i64> {
        let sql = format!("SELECT COUNT(*) FROM {}", table.name());
        Ok(self.conn.query_row(&sql, [], |r| r.get(0))?)
    }

    fn event_keys(&mut self) -> Result<Vec<EventKey>> {
        let mut stmt = self.conn.prepare("SELECT key FROM events")?;
        let rows = stmt.query_map([], |r| r.get::<_, Vec<u8>>(0))?;
        let mut keys = Vec::new();
        for k in rows {
            let k = k?;
            let mut key = [0u8; 16];
            if k.len() == 16 {
                key.copy_from_slice(&k);
            }
            keys.push(EventKey(key));
        }
        Ok(keys)
    }

    fn events_json(
        &mut self,
        since: i64,
        each: &mut dyn FnMut(String) -> Result<()>,
    ) -> Result<()> {
        let mut stmt = self
            .conn
            .prepare("SELECT event FROM events WHERE at_unix >= ?1 ORDER BY at_unix, id")?;
        let mut rows = stmt.query([since])?;
        while let Some(row) = rows.next()? {
            each(row.get(0)?)?;
        }
        Ok(())
    }

    fn suppressions(&mut self) -> Result<Vec<Suppression>> {
        let mut stmt = self.conn.prepare(sql::SELECT_SUPPRESSIONS)?;
        let rows = stmt.query_map([], |r| {
            Ok(Suppression {
                address: r.get(0)?,
                rule: r.get(1)?,
                reason: r.get(2)?,
                event_id: r.get(3)?,
                classifier_rule: r.get(4)?,
                source: r.get(5)?,
                created_at: r.get(6)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    fn suppressed(&mut self, each: &mut dyn FnMut(String, String)) -> Result<()> {
        let mut stmt = self
            .conn
            .prepare("SELECT address, rule FROM suppressions")?;
        let mut rows = stmt.query([])?;
        while let Some(row) = rows.next()? {
            each(row.get(0)?, row.get(1)?);
        }
        Ok(())
    }

    fn remove_suppressions(&mut self, addresses: &[String]) -> Result<u64> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let mut n = 0;
        {
            let mut stmt = tx.prepare_cached(&to_sqlite(sql::DELETE_SUPPRESSION))?;
            for a in addresses {
                n += stmt.execute([a])? as u64;
            }
        }
        tx.commit()?;
        Ok(n)
    }

    fn hints(&mut self, status: Option<HintStatus>) -> Result<Vec<Hint>> {
        let mut stmt = self.conn.prepare(&to_sqlite(sql::SELECT_HINTS))?;
        let filter = status.map_or("", HintStatus::as_str);
        let rows = stmt.query_map([filter], |r| {
            Ok(Hint {
                id: r.get(0)?,
                old_address: r.get(1)?,
                new_address: r.get(2)?,
                kind: HintKind::from_stored(&r.get::<_, String>(3)?),
                will_forward: r.get::<_, i64>(4)? != 0,
                status: HintStatus::from_stored(&r.get::<_, String>(5)?),
                event_id: r.get(6)?,
                seen: r.get(7)?,
                created_at: r.get(8)?,
                decided_at: r.get(9)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    fn decide_hint(&mut self, id: i64, status: HintStatus, now: i64) -> Result<bool> {
        let n = self.conn.execute(
            &to_sqlite(sql::DECIDE_HINT),
            params![status.as_str(), now, id],
        )?;
        Ok(n == 1)
    }

    fn report_counts(&mut self, by: &Grouping, since: i64) -> Result<Vec<GroupCounts>> {
        let mut stmt = self.conn.prepare(&to_sqlite(&report::counts_sql(by)))?;
        let rows = stmt.query_map([since], |r| {
            Ok(GroupCounts {
                group: r.get(0)?,
                events: r.get(1)?,
                recipients: r.get(2)?,
                hard_recipients: r.get(3)?,
                stale_recipients: r.get(4)?,
                sender_side: r.get::<_, Option<i64>>(5)?.unwrap_or(0),
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    fn report_reasons(&mut self, by: &Grouping, since: i64) -> Result<Vec<(String, String, i64)>> {
        let mut stmt = self.conn.prepare(&to_sqlite(&report::reasons_sql(by)))?;
        let rows = stmt.query_map([since], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    fn report_bounced(&mut self, by: &Grouping, since: i64) -> Result<Vec<(String, i64)>> {
        let mut stmt = self.conn.prepare(&to_sqlite(&report::bounced_sql(by)))?;
        let rows = stmt.query_map([since], |r| Ok((r.get(0)?, r.get(1)?)))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    fn sent_counts(&mut self, sql: &str, since_day: &str) -> Result<Vec<SentCount>> {
        let mut stmt = self.conn.prepare(&to_sqlite(sql))?;
        let rows = stmt.query_map([since_day], |r| {
            Ok(SentCount {
                group: r.get(0)?,
                sent: r.get(1)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    fn suppression(&mut self, address: &str) -> Result<Option<Suppression>> {
        let mut stmt = self
            .conn
            .prepare_cached(&to_sqlite(sql::SELECT_SUPPRESSION))?;
        let mut rows = stmt.query_map([address], suppression_row)?;
        Ok(rows.next().transpose()?)
    }

    fn suppressions_page(&mut self, after: &str, limit: i64) -> Result<Vec<Suppression>> {
        let mut stmt = self
            .conn
            .prepare_cached(&to_sqlite(sql::SELECT_SUPPRESSIONS_PAGE))?;
        let rows = stmt.query_map(params![after, limit], suppression_row)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    fn add_token(&mut self, name: &str, hash: &str, now: i64) -> Result<bool> {
        let n = self
            .conn
            .execute(&to_sqlite(sql::INSERT_TOKEN), params![name, hash, now])?;
        Ok(n == 1)
    }

    fn tokens(&mut self) -> Result<Vec<ApiToken>> {
        let mut stmt = self.conn.prepare(sql::SELECT_TOKENS)?;
        let rows = stmt.query_map([], |r| {
            Ok(ApiToken {
                name: r.get(0)?,
                created_at: r.get(1)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    fn remove_token(&mut self, name: &str) -> Result<bool> {
        Ok(self.conn.execute(&to_sqlite(sql::DELETE_TOKEN), [name])? == 1)
    }

    fn token_named(&mut self, hash: &str) -> Result<Option<String>> {
        let mut stmt = self.conn.prepare_cached(&to_sqlite(sql::TOKEN_NAMED))?;
        let mut rows = stmt.query_map([hash], |r| r.get::<_, String>(0))?;
        Ok(rows.next().transpose()?)
    }

    fn nonce_seen(&mut self, service: &str, nonce: &str) -> Result<bool> {
        let mut stmt = self.conn.prepare_cached(&to_sqlite(sql::NONCE_SEEN))?;
        let n: i64 = stmt.query_row([service, nonce], |r| r.get(0))?;
        Ok(n > 0)
    }

    fn record_nonces(
        &mut self,
        service: &str,
        nonces: &[String],
        now: i64,
        forget_before: i64,
    ) -> Result<()> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        tx.execute(&to_sqlite(sql::FORGET_NONCES), [forget_before])?;
        {
            let mut stmt = tx.prepare_cached(&to_sqlite(sql::INSERT_NONCE))?;
            for nonce in nonces {
                stmt.execute(params![service, nonce, now])?;
            }
        }
        tx.commit()?;
        Ok(())
    }
}

/// A suppression from a row of [`sql::SELECT_SUPPRESSION`].
fn suppression_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Suppression> {
    Ok(Suppression {
        address: r.get(0)?,
        rule: r.get(1)?,
        reason: r.get(2)?,
        event_id: r.get(3)?,
        classifier_rule: r.get(4)?,
        source: r.get(5)?,
        created_at: r.get(6)?,
    })
}
