//! The SQLite backend (rusqlite, bundled SQLite): one file, WAL journal so readers never wait,
//! `BEGIN IMMEDIATE` write transactions and a long busy timeout so concurrent writer processes
//! take turns instead of failing.

use super::sql::{self, to_sqlite};
use super::{Backend, Table, Tx, schema};
use crate::error::{Result, StoreError};
use crate::key::EventKey;
use crate::model::{Hint, HintKind, HintStatus, NewHint, Suppression};
use crate::record::EventRow;
use crate::report::{self, GroupCounts, Grouping};
use rusqlite::{Connection, TransactionBehavior, params};
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

impl Sqlite {
    /// Opens (creating when needed) the file and brings its schema up to date.
    pub(crate) fn open(path: &Path) -> Result<Self> {
        let open_err = |e: &dyn std::fmt::Display| StoreError::Open {
            path: path.to_path_buf(),
            detail: e.to_string(),
        };
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|e| open_err(&e))?;
        }
        let conn = Connection::open(path).map_err(|e| open_err(&e))?;
        conn.busy_timeout(Duration::from_secs(120))
            .map_err(|e| open_err(&e))?;
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
        tx.commit()?;
        Ok(())
    }
}

struct SqliteTx<'a> {
    tx: rusqlite::Transaction<'a>,
}

impl Tx for SqliteTx<'_> {
    fn insert_events(&mut self, rows: &[EventRow], now: i64) -> Result<Vec<bool>> {
        let mut stmt = self.tx.prepare_cached(INSERT_EVENT)?;
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

    fn report_counts(&mut self, by: Grouping, since: i64) -> Result<Vec<GroupCounts>> {
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

    fn report_reasons(&mut self, by: Grouping, since: i64) -> Result<Vec<(String, String, i64)>> {
        let mut stmt = self.conn.prepare(&to_sqlite(&report::reasons_sql(by)))?;
        let rows = stmt.query_map([since], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }
}
