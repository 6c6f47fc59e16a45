//! The PostgreSQL backend (the synchronous `postgres` client): batches go in as arrays through
//! `unnest` (one round trip per table per batch), conflicts on the event key are skipped with
//! `ON CONFLICT DO NOTHING`, and the policy step of concurrent writers is serialized with a
//! transaction-scoped advisory lock, so soft-bounce counts see every committed event.

use super::schema::Found;
use super::sql;
use super::{Access, Backend, Table, Tx, schema};
use crate::error::{Result, StoreError};
use crate::key::EventKey;
use crate::location::mask_password;
use crate::lookup::ListedSend;
use crate::model::{ApiToken, Hint, HintKind, HintStatus, NewHint, Suppression};
use crate::record::EventRow;
use crate::report::{self, GroupCounts, Grouping};
use crate::sends::{self, SendRow, SentCount};
use postgres::{Client, Config, NoTls};
use std::collections::{HashMap, HashSet};
use std::time::Duration;

/// A connection to a PostgreSQL database.
pub(crate) struct Postgres {
    client: Client,
}

const INSERT_EVENTS: &str = "INSERT INTO events (key, at_unix, at, day, recipient, domain, \
    sender, sender_domain, code, status, reason, bounce_type, rule, lead_source, message_id, \
    reporting_mta, soft, ingested_at, event) \
    SELECT k, a, t, d, r, dom, s, sd, c, st, re, bt, ru, ls, mi, rm, so, $18, ev FROM unnest(\
    $1::bytea[], $2::int8[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], \
    $8::text[], $9::int4[], $10::text[], $11::text[], $12::text[], $13::text[], $14::text[], \
    $15::text[], $16::text[], $17::int4[], $19::text[]) \
    AS u(k, a, t, d, r, dom, s, sd, c, st, re, bt, ru, ls, mi, rm, so, ev) \
    ON CONFLICT (key) DO NOTHING RETURNING key, id";

const INSERT_EVENT_TAGS: &str = "INSERT INTO event_tags (event_id, name, value) \
    SELECT * FROM unnest($1::int8[], $2::text[], $3::text[]) ON CONFLICT DO NOTHING";

const INSERT_SUPPRESSIONS: &str = "INSERT INTO suppressions (address, rule, reason, event_id, \
    classifier_rule, source, created_at) SELECT * FROM unnest($1::text[], $2::text[], \
    $3::text[], $4::text[], $5::text[], $6::text[], $7::int8[]) ON CONFLICT (address) DO NOTHING";

const UPSERT_HINTS: &str = "INSERT INTO hints (old_address, new_address, kind, will_forward, \
    status, event_id, seen, created_at) SELECT o, n, k, w, 'pending', e, s, c FROM unnest(\
    $1::text[], $2::text[], $3::text[], $4::int4[], $5::text[], $6::int8[], $7::int8[]) \
    AS u(o, n, k, w, e, c, s) \
    ON CONFLICT (old_address, new_address) DO UPDATE SET seen = hints.seen + excluded.seen";

/// The default time to connect, start the session and authenticate (`connect_timeout` in the
/// URL overrides it).
pub(crate) const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// The default `statement_timeout` of a session (`options=-c statement_timeout=…` in the URL
/// overrides it).
pub(crate) const STATEMENT_TIMEOUT: &str = "300s";

impl Postgres {
    /// Connects (within the connect timeout, the whole start-up included), checks that the
    /// schema in use is a Rebound store or free of Rebound's table names, and brings it up to
    /// date; for [`Access::Read`] the session is read-only and nothing is created or migrated.
    pub(crate) fn open(url: &str, access: Access) -> Result<Self> {
        let masked = mask_password(url);
        let mut config: Config = url
            .parse()
            .map_err(|e: postgres::Error| StoreError::BadUrl {
                url: masked.clone(),
                detail: crate::error::with_causes(&e),
            })?;
        let timeout = config
            .get_connect_timeout()
            .copied()
            .unwrap_or(CONNECT_TIMEOUT);
        config.connect_timeout(timeout);
        // A peer that stops acknowledging is given up after the same time; keepalives find a
        // vanished one.
        config.tcp_user_timeout(timeout.max(Duration::from_secs(30)));
        config.keepalives_idle(Duration::from_secs(60));
        let mut options = config.get_options().unwrap_or("").to_string();
        if !options.contains("statement_timeout") {
            options.push_str(&format!(" -c statement_timeout={STATEMENT_TIMEOUT}"));
        }
        if access == Access::Read {
            options.push_str(" -c default_transaction_read_only=on");
        }
        config.options(options.trim());
        let client = connect_within(config, timeout).map_err(|detail| StoreError::Unreachable {
            url: masked.clone(),
            detail,
        })?;
        let mut me = Postgres { client };
        match me.judge(&masked)? {
            Found::Store => {}
            Found::Empty if access == Access::Create => {}
            Found::Empty => return Err(StoreError::Missing { location: masked }),
        }
        if access == Access::Read {
            let found = me.schema_version()?;
            if found < schema::VERSION {
                return Err(StoreError::SchemaTooOld {
                    location: masked,
                    found,
                    known: schema::VERSION,
                });
            }
            schema::pending(&schema::POSTGRES, found)?;
            return Ok(me);
        }
        me.migrate()?;
        Ok(me)
    }

    /// Whether the schema in use holds a Rebound store, none of its tables, or some of them
    /// without the others (an error: not ours, left untouched).
    fn judge(&mut self, location: &str) -> Result<Found> {
        let row = self.client.query_one(
            "SELECT current_schema(), COALESCE(ARRAY(SELECT table_name::text FROM \
             information_schema.tables WHERE table_schema = current_schema() \
             AND table_name = ANY($1)), '{}')",
            &[&&schema::TABLES[..]],
        )?;
        let current: Option<String> = row.get(0);
        if current.is_none() {
            return Err(StoreError::NotAStore {
                location: location.to_string(),
                detail: "no schema of its search_path exists".into(),
            });
        }
        let tables: Vec<String> = row.get(1);
        schema::judge_tables(&tables, true).map_err(|detail| StoreError::NotAStore {
            location: location.to_string(),
            detail,
        })
    }

    fn migrate(&mut self) -> Result<()> {
        let mut tx = self.client.transaction()?;
        tx.execute(
            "SELECT pg_advisory_xact_lock(hashtext('rebound-migrate:' || COALESCE(current_schema(), '')))",
            &[],
        )?;
        tx.batch_execute("CREATE TABLE IF NOT EXISTS rebound_schema (version BIGINT NOT NULL)")?;
        let found: i64 = tx
            .query_one(
                "SELECT CAST(COALESCE(MAX(version), 0) AS BIGINT) FROM rebound_schema",
                &[],
            )?
            .get(0);
        for (version, ddl) in schema::pending(&schema::POSTGRES, found)? {
            tx.batch_execute(ddl)?;
            tx.execute(
                "INSERT INTO rebound_schema (version) VALUES ($1)",
                &[&version],
            )?;
        }
        tx.commit()?;
        Ok(())
    }
}

/// Connects within `timeout`, start-up and authentication included: the client's own
/// `connect_timeout` covers the TCP connection only, so a server that accepts and never answers
/// would hang it. The attempt runs on its own thread; when it does not finish in time it is
/// abandoned (its thread ends with the process or when the server finally answers).
fn connect_within(config: Config, timeout: Duration) -> std::result::Result<Client, String> {
    let (send, receive) = std::sync::mpsc::channel();
    std::thread::Builder::new()
        .name("rebound-pg-connect".into())
        .spawn(move || {
            let _ = send.send(config.connect(NoTls));
        })
        .map_err(|e| format!("cannot start the connection thread: {e}"))?;
    match receive.recv_timeout(timeout) {
        Ok(Ok(client)) => Ok(client),
        Ok(Err(e)) => Err(crate::error::with_causes(&e)),
        Err(_) => Err(format!(
            "no answer within {} s (set connect_timeout=SECONDS in the URL to wait longer)",
            timeout.as_secs()
        )),
    }
}

/// The rows of [`sql::SELECT_LISTED_SENDS`].
fn listed(rows: &[postgres::Row]) -> Vec<ListedSend> {
    rows.iter()
        .map(|r| ListedSend {
            address: r.get(0),
            message_id: r.get(1),
            source: r.get(2),
            at_unix: r.get(3),
        })
        .collect()
}

struct PgTx<'a> {
    tx: postgres::Transaction<'a>,
}

impl Tx for PgTx<'_> {
    fn insert_events(&mut self, rows: &[EventRow], now: i64) -> Result<Vec<bool>> {
        // Send only the rows whose keys are not stored yet: a re-ingest then costs one small
        // query per batch instead of shipping every event's JSON to be refused.
        let all_keys: Vec<&[u8]> = rows.iter().map(|r| &r.key.0[..]).collect();
        let stored: HashSet<Vec<u8>> = self
            .tx
            .query("SELECT key FROM events WHERE key = ANY($1)", &[&all_keys])?
            .iter()
            .map(|r| r.get::<_, Vec<u8>>(0))
            .collect();
        let fresh: Vec<&EventRow> = rows
            .iter()
            .filter(|r| !stored.contains(&r.key.0[..]))
            .collect();
        if fresh.is_empty() {
            return Ok(vec![false; rows.len()]);
        }
        let rows = fresh;
        let col = |f: fn(&EventRow) -> Option<&str>| rows.iter().map(|r| f(r)).collect::<Vec<_>>();
        let keys: Vec<&[u8]> = rows.iter().map(|r| &r.key.0[..]).collect();
        let at_unix: Vec<i64> = rows.iter().map(|r| r.at_unix).collect();
        let codes: Vec<Option<i32>> = rows.iter().map(|r| r.code).collect();
        let soft: Vec<i32> = rows.iter().map(|r| i32::from(r.soft())).collect();
        let json: Vec<&str> = rows.iter().map(|r| r.json.as_str()).collect();
        let returned = self.tx.query(
            INSERT_EVENTS,
            &[
                &keys,
                &at_unix,
                &col(|r| r.at.as_deref()),
                &col(|r| Some(r.day.as_str())),
                &col(|r| r.recipient.as_deref()),
                &col(|r| r.domain.as_deref()),
                &col(|r| r.sender.as_deref()),
                &col(|r| r.sender_domain.as_deref()),
                &codes,
                &col(|r| r.status.as_deref()),
                &col(|r| Some(r.reason)),
                &col(|r| Some(r.bounce_type)),
                &col(|r| Some(r.rule.as_str())),
                &col(|r| r.lead_source.as_deref()),
                &col(|r| r.message_id.as_deref()),
                &col(|r| r.reporting_mta.as_deref()),
                &soft,
                &now,
                &json,
            ],
        )?;
        let ids: HashMap<Vec<u8>, i64> = returned
            .iter()
            .map(|r| (r.get::<_, Vec<u8>>(0), r.get::<_, i64>(1)))
            .collect();
        // A key twice in one batch was inserted once: its tags are sent once.
        let mut tagged = HashSet::new();
        let (mut tag_ids, mut names, mut values) = (Vec::new(), Vec::new(), Vec::new());
        for r in &rows {
            if let Some(&id) = ids.get(&r.key.0[..])
                && tagged.insert(id)
            {
                for (name, value) in &r.tags {
                    tag_ids.push(id);
                    names.push(name.as_str());
                    values.push(value.as_str());
                }
            }
        }
        if !tag_ids.is_empty() {
            self.tx
                .execute(INSERT_EVENT_TAGS, &[&tag_ids, &names, &values])?;
        }
        let new: HashSet<&[u8]> = ids.keys().map(Vec::as_slice).collect();
        Ok(all_keys.iter().map(|k| new.contains(*k)).collect())
    }

    fn lock_policy(&mut self) -> Result<()> {
        self.tx.execute(
            "SELECT pg_advisory_xact_lock(hashtext('rebound-policy:' || COALESCE(current_schema(), '')))",
            &[],
        )?;
        Ok(())
    }

    fn soft_times(
        &mut self,
        recipients: &[&str],
        from: i64,
        to: i64,
    ) -> Result<Vec<(String, i64)>> {
        let rows = self.tx.query(
            "SELECT recipient, at_unix FROM events WHERE soft = 1 AND recipient = ANY($1) \
             AND at_unix BETWEEN $2 AND $3",
            &[&recipients, &from, &to],
        )?;
        Ok(rows.iter().map(|r| (r.get(0), r.get(1))).collect())
    }

    fn insert_suppressions(&mut self, rows: &[Suppression]) -> Result<u64> {
        let col = |f: fn(&Suppression) -> Option<&str>| rows.iter().map(f).collect::<Vec<_>>();
        let created: Vec<i64> = rows.iter().map(|s| s.created_at).collect();
        Ok(self.tx.execute(
            INSERT_SUPPRESSIONS,
            &[
                &col(|s| Some(s.address.as_str())),
                &col(|s| Some(s.rule.as_str())),
                &col(|s| s.reason.as_deref()),
                &col(|s| s.event_id.as_deref()),
                &col(|s| s.classifier_rule.as_deref()),
                &col(|s| s.source.as_deref()),
                &created,
            ],
        )?)
    }

    fn upsert_hints(&mut self, rows: &[NewHint]) -> Result<u64> {
        let col = |f: fn(&NewHint) -> &str| rows.iter().map(f).collect::<Vec<_>>();
        let forward: Vec<i32> = rows.iter().map(|h| i32::from(h.will_forward)).collect();
        let created: Vec<i64> = rows.iter().map(|h| h.created_at).collect();
        let seen: Vec<i64> = rows.iter().map(|h| h.seen).collect();
        Ok(self.tx.execute(
            UPSERT_HINTS,
            &[
                &col(|h| &h.old_address),
                &col(|h| &h.new_address),
                &col(|h| h.kind.as_str()),
                &forward,
                &col(|h| &h.event_id),
                &created,
                &seen,
            ],
        )?)
    }

    fn insert_sends(&mut self, rows: &[SendRow]) -> Result<Vec<bool>> {
        let keys: Vec<&[u8]> = rows.iter().map(|r| &r.key[..]).collect();
        let col = |f: fn(&SendRow) -> Option<&str>| rows.iter().map(f).collect::<Vec<_>>();
        let at_unix: Vec<i64> = rows.iter().map(|r| r.at_unix).collect();
        let returned: HashSet<Vec<u8>> = self
            .tx
            .query(
                "INSERT INTO sends (key, address, message_id, source, domain, day, at_unix) \
                 SELECT * FROM unnest($1::bytea[], $2::text[], $3::text[], $4::text[], \
                 $5::text[], $6::text[], $7::bigint[]) ON CONFLICT (key) DO NOTHING RETURNING key",
                &[
                    &keys,
                    &col(|r| Some(r.address.as_str())),
                    &col(|r| r.message_id.as_deref()),
                    &col(|r| Some(r.source.as_str())),
                    &col(|r| Some(r.domain.as_str())),
                    &col(|r| Some(r.day.as_str())),
                    &at_unix,
                ],
            )?
            .iter()
            .map(|r| r.get::<_, Vec<u8>>(0))
            .collect();
        // A key repeated within the batch is new once, at its first row.
        let mut seen = HashSet::new();
        Ok(rows
            .iter()
            .map(|r| returned.contains(&r.key[..]) && seen.insert(r.key))
            .collect())
    }

    fn sends_by_message_id(&mut self, ids: &[String]) -> Result<Vec<ListedSend>> {
        let sql = format!("{}message_id = ANY($1)", sql::SELECT_LISTED_SENDS);
        Ok(listed(&self.tx.query(&sql, &[&ids])?))
    }

    fn sends_by_address(&mut self, addresses: &[String]) -> Result<Vec<ListedSend>> {
        let sql = format!("{}address = ANY($1)", sql::SELECT_LISTED_SENDS);
        Ok(listed(&self.tx.query(&sql, &[&addresses])?))
    }

    fn add_sent(&mut self, counts: &[((String, String, String), i64)]) -> Result<()> {
        let stmt = self.tx.prepare(sends::ADD_SENT)?;
        for ((source, domain, day), n) in counts {
            self.tx.execute(&stmt, &[source, domain, day, n])?;
        }
        Ok(())
    }

    fn mailbox_validity(&mut self, mailbox: &str) -> Result<Option<i64>> {
        let row = self.tx.query_opt(sql::MAILBOX_VALIDITY, &[&mailbox])?;
        Ok(row.map(|r| r.get(0)))
    }

    fn set_mailbox_validity(&mut self, mailbox: &str, validity: i64, now: i64) -> Result<()> {
        self.tx
            .execute(sql::SET_MAILBOX_VALIDITY, &[&mailbox, &validity, &now])?;
        Ok(())
    }

    fn mailbox_messages(&mut self, mailbox: &str) -> Result<Vec<String>> {
        let rows = self.tx.query(sql::MAILBOX_MESSAGES, &[&mailbox])?;
        Ok(rows.iter().map(|r| r.get(0)).collect())
    }

    fn record_mailbox_messages(
        &mut self,
        mailbox: &str,
        messages: &[(String, i64)],
        now: i64,
    ) -> Result<()> {
        let stmt = self.tx.prepare(sql::RECORD_MAILBOX_MESSAGE)?;
        for (id, events) in messages {
            self.tx.execute(&stmt, &[&mailbox, id, events, &now])?;
        }
        Ok(())
    }

    fn forget_mailbox_messages(&mut self, mailbox: &str, ids: Option<&[String]>) -> Result<u64> {
        let Some(ids) = ids else {
            return Ok(self.tx.execute(sql::FORGET_MAILBOX, &[&mailbox])?);
        };
        let stmt = self.tx.prepare(sql::FORGET_MAILBOX_MESSAGE)?;
        let mut n = 0;
        for id in ids {
            n += self.tx.execute(&stmt, &[&mailbox, id])?;
        }
        Ok(n)
    }

    fn commit(self: Box<Self>) -> Result<()> {
        Ok(self.tx.commit()?)
    }
}

impl Backend for Postgres {
    fn kind(&self) -> &'static str {
        "postgres"
    }

    fn begin(&mut self) -> Result<Box<dyn Tx + '_>> {
        Ok(Box::new(PgTx {
            tx: self.client.transaction()?,
        }))
    }

    fn schema_version(&mut self) -> Result<i64> {
        Ok(self
            .client
            .query_one(
                "SELECT CAST(COALESCE(MAX(version), 0) AS BIGINT) FROM rebound_schema",
                &[],
            )?
            .get(0))
    }

    fn count(&mut self, table: Table) -> Result<i64> {
        let sql = format!("SELECT COUNT(*) FROM {}", table.name());
        Ok(self.client.query_one(&sql, &[])?.get(0))
    }

    fn event_keys(&mut self) -> Result<Vec<EventKey>> {
        let rows = self.client.query("SELECT key FROM events", &[])?;
        Ok(rows
            .iter()
            .map(|r| {
                let k: &[u8] = r.get(0);
                let mut key = [0u8; 16];
                if k.len() == 16 {
                    key.copy_from_slice(k);
                }
                EventKey(key)
            })
            .collect())
    }

    fn events_json(
        &mut self,
        since: i64,
        each: &mut dyn FnMut(String) -> Result<()>,
    ) -> Result<()> {
        let params: [&(dyn postgres::types::ToSql + Sync); 1] = [&since];
        let mut it = self.client.query_raw(
            "SELECT event FROM events WHERE at_unix >= $1 ORDER BY at_unix, id",
            params,
        )?;
        while let Some(row) = postgres::fallible_iterator::FallibleIterator::next(&mut it)? {
            each(row.get(0))?;
        }
        Ok(())
    }

    fn suppressions(&mut self) -> Result<Vec<Suppression>> {
        let rows = self.client.query(sql::SELECT_SUPPRESSIONS, &[])?;
        Ok(rows
            .iter()
            .map(|r| Suppression {
                address: r.get(0),
                rule: r.get(1),
                reason: r.get(2),
                event_id: r.get(3),
                classifier_rule: r.get(4),
                source: r.get(5),
                created_at: r.get(6),
            })
            .collect())
    }

    fn suppressed(&mut self, each: &mut dyn FnMut(String, String)) -> Result<()> {
        let params: [&(dyn postgres::types::ToSql + Sync); 0] = [];
        let mut it = self
            .client
            .query_raw("SELECT address, rule FROM suppressions", params)?;
        while let Some(row) = postgres::fallible_iterator::FallibleIterator::next(&mut it)? {
            each(row.get(0), row.get(1));
        }
        Ok(())
    }

    fn remove_suppressions(&mut self, addresses: &[String]) -> Result<u64> {
        let mut tx = self.client.transaction()?;
        let n = tx.execute(
            "DELETE FROM suppressions WHERE address = ANY($1)",
            &[&addresses],
        )?;
        tx.commit()?;
        Ok(n)
    }

    fn hints(&mut self, status: Option<HintStatus>) -> Result<Vec<Hint>> {
        let filter = status.map_or("", HintStatus::as_str);
        let rows = self.client.query(sql::SELECT_HINTS, &[&filter])?;
        Ok(rows
            .iter()
            .map(|r| Hint {
                id: r.get(0),
                old_address: r.get(1),
                new_address: r.get(2),
                kind: HintKind::from_stored(r.get(3)),
                will_forward: r.get::<_, i32>(4) != 0,
                status: HintStatus::from_stored(r.get(5)),
                event_id: r.get(6),
                seen: r.get(7),
                created_at: r.get(8),
                decided_at: r.get(9),
            })
            .collect())
    }

    fn decide_hint(&mut self, id: i64, status: HintStatus, now: i64) -> Result<bool> {
        let n = self
            .client
            .execute(sql::DECIDE_HINT, &[&status.as_str(), &now, &id])?;
        Ok(n == 1)
    }

    fn report_counts(&mut self, by: &Grouping, since: i64) -> Result<Vec<GroupCounts>> {
        let rows = self.client.query(&report::counts_sql(by), &[&since])?;
        Ok(rows
            .iter()
            .map(|r| GroupCounts {
                group: r.get(0),
                events: r.get(1),
                recipients: r.get(2),
                hard_recipients: r.get(3),
                stale_recipients: r.get(4),
                sender_side: r.get::<_, Option<i64>>(5).unwrap_or(0),
            })
            .collect())
    }

    fn report_reasons(&mut self, by: &Grouping, since: i64) -> Result<Vec<(String, String, i64)>> {
        let rows = self.client.query(&report::reasons_sql(by), &[&since])?;
        Ok(rows
            .iter()
            .map(|r| (r.get(0), r.get(1), r.get(2)))
            .collect())
    }

    fn report_bounced(&mut self, by: &Grouping, since: i64) -> Result<Vec<(String, i64)>> {
        let rows = self.client.query(&report::bounced_sql(by), &[&since])?;
        Ok(rows.iter().map(|r| (r.get(0), r.get(1))).collect())
    }

    fn sent_counts(&mut self, sql: &str, since_day: &str) -> Result<Vec<SentCount>> {
        let rows = self.client.query(sql, &[&since_day])?;
        Ok(rows
            .iter()
            .map(|r| SentCount {
                group: r.get(0),
                sent: r.get(1),
            })
            .collect())
    }

    fn suppression(&mut self, address: &str) -> Result<Option<Suppression>> {
        let rows = self.client.query(sql::SELECT_SUPPRESSION, &[&address])?;
        Ok(rows.first().map(suppression_row))
    }

    fn suppressions_page(&mut self, after: &str, limit: i64) -> Result<Vec<Suppression>> {
        let rows = self
            .client
            .query(sql::SELECT_SUPPRESSIONS_PAGE, &[&after, &limit])?;
        Ok(rows.iter().map(suppression_row).collect())
    }

    fn add_token(&mut self, name: &str, hash: &str, now: i64) -> Result<bool> {
        Ok(self
            .client
            .execute(sql::INSERT_TOKEN, &[&name, &hash, &now])?
            == 1)
    }

    fn tokens(&mut self) -> Result<Vec<ApiToken>> {
        let rows = self.client.query(sql::SELECT_TOKENS, &[])?;
        Ok(rows
            .iter()
            .map(|r| ApiToken {
                name: r.get(0),
                created_at: r.get(1),
            })
            .collect())
    }

    fn remove_token(&mut self, name: &str) -> Result<bool> {
        Ok(self.client.execute(sql::DELETE_TOKEN, &[&name])? == 1)
    }

    fn token_named(&mut self, hash: &str) -> Result<Option<String>> {
        let rows = self.client.query(sql::TOKEN_NAMED, &[&hash])?;
        Ok(rows.first().map(|r| r.get(0)))
    }

    fn nonce_seen(&mut self, service: &str, nonce: &str) -> Result<bool> {
        let row = self
            .client
            .query_one(sql::NONCE_SEEN, &[&service, &nonce])?;
        Ok(row.get::<_, i64>(0) > 0)
    }

    fn record_nonces(
        &mut self,
        service: &str,
        nonces: &[String],
        now: i64,
        forget_before: i64,
    ) -> Result<()> {
        let mut tx = self.client.transaction()?;
        tx.execute(sql::FORGET_NONCES, &[&forget_before])?;
        let insert = tx.prepare(sql::INSERT_NONCE)?;
        for nonce in nonces {
            tx.execute(&insert, &[&service, nonce, &now])?;
        }
        tx.commit()?;
        Ok(())
    }
}

/// A suppression from a row of [`sql::SELECT_SUPPRESSION`].
fn suppression_row(r: &postgres::Row) -> Suppression {
    Suppression {
        address: r.get(0),
        rule: r.get(1),
        reason: r.get(2),
        event_id: r.get(3),
        classifier_rule: r.get(4),
        source: r.get(5),
        created_at: r.get(6),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::testing::{self, FreshSchema};

    fn setting(pg: &mut Postgres, name: &str) -> String {
        pg.client
            .query_one(&format!("SHOW {name}"), &[])
            .unwrap()
            .get(0)
    }

    /// Sessions get a statement timeout (5 min) unless the URL sets one; reading sessions
    /// are read-only.
    #[test]
    fn statement_timeout_has_a_default_and_the_url_wins() {
        let Some(url) = testing::postgres_url("statement_timeout_has_a_default") else {
            return;
        };
        let schema = FreshSchema::create(&url).unwrap();
        let mut pg = Postgres::open(&schema.url, Access::Create).unwrap();
        assert_eq!(setting(&mut pg, "statement_timeout"), "5min");
        assert_eq!(setting(&mut pg, "default_transaction_read_only"), "off");
        let custom = format!("{}%20-cstatement_timeout%3D7s", schema.url);
        let mut pg = Postgres::open(&custom, Access::Read).unwrap();
        assert_eq!(setting(&mut pg, "statement_timeout"), "7s");
        assert_eq!(setting(&mut pg, "default_transaction_read_only"), "on");
        assert!(
            pg.client
                .batch_execute("CREATE TABLE nope (x int)")
                .is_err()
        );
    }
}
