//! Versioned schema migrations, one list per backend: migration `n` (1-based) takes the schema
//! from version `n - 1` to `n`. The version lives in `rebound_schema`; migrations run in one
//! transaction, under a lock, so concurrent first openings are safe. Append, never edit.

use crate::error::{Result, StoreError};

/// The newest schema version this program knows.
pub(crate) const VERSION: i64 = 6;

/// The tables every Rebound store has had since its first version; a database holding them all
/// is a Rebound store even without the newer marker (SQLite's `application_id`).
pub(crate) const TABLES: [&str; 4] = ["rebound_schema", "events", "suppressions", "hints"];

/// What a database holds, judged from its table names before anything is written to it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Found {
    /// A Rebound store (of any version).
    Store,
    /// No Rebound table yet: a new store may be made here.
    Empty,
}

/// Judges a database by its tables. `shared` (PostgreSQL) allows other programs' tables beside
/// Rebound's; otherwise (an SQLite file, one program's database) any other table means the
/// file belongs to someone else. `Err` says why it is not a Rebound store.
pub(crate) fn judge_tables(tables: &[String], shared: bool) -> std::result::Result<Found, String> {
    let ours: Vec<&str> = TABLES
        .iter()
        .copied()
        .filter(|t| tables.iter().any(|x| x == t))
        .collect();
    if ours.len() == TABLES.len() {
        return Ok(Found::Store);
    }
    if !ours.is_empty() {
        return Err(format!(
            "it has table(s) {} but not all of {} (a partial or foreign schema; left untouched)",
            ours.join(", "),
            TABLES.join(", ")
        ));
    }
    if !shared && !tables.is_empty() {
        let mut names: Vec<&str> = tables.iter().map(String::as_str).take(5).collect();
        if tables.len() > 5 {
            names.push("…");
        }
        return Err(format!(
            "it holds another program's tables ({}); left untouched",
            names.join(", ")
        ));
    }
    Ok(Found::Empty)
}

/// The migrations of `list` a store at version `found` still needs, with the version each
/// brings it to; an error when the store is newer than this program.
pub(crate) fn pending(
    list: &'static [&'static str],
    found: i64,
) -> Result<Vec<(i64, &'static str)>> {
    if found > VERSION {
        return Err(StoreError::SchemaTooNew {
            found,
            known: VERSION,
        });
    }
    Ok((1..)
        .zip(list.iter().copied())
        .filter(|(version, _)| *version > found)
        .collect())
}

// Migration 2, time as a type: from this version on, `at` is NULL or the event's own instant as
// RFC 3339 UTC, `at_unix` is that instant (the ingest time, as `ingested_at` also keeps, only
// when `at` is NULL), and `day` is the instant's UTC day or 'undated'. Rows written before
// it kept in `at` the date as the input wrote it (an RFC 5322 `Date` of a bounce email, for
// one) and, when the store could not read that as RFC 3339, the ingest time in `at_unix` and
// `day`. Those rows are marked undated here: a NULL `at`, or one that does not begin with an
// RFC 3339 date. Their `at_unix` stays the ingest time, which is what undated events use.
// What cannot be told apart: a row whose `at` began with a date but whose zone the old
// store could not read also got the ingest time, and keeps its wrong day.

// Migration 3, tags as a report dimension: `event_tags` holds each event's tags as text (the
// text of `rebound_core::tag_text`, NUL as U+FFFD), one row per tag, so `report --by tag:KEY`
// and `--by campaign` group by any tag alike on both backends. Existing events are filled in
// from their JSON (their tags were strings then), except events whose JSON holds an escaped
// NUL (`\u0000`), which PostgreSQL cannot turn into text: they stay out of tag groups on both
// backends, alike.

// Migration 4, sends: `sends` keeps one row per send (its key, see `crate::sends`), so
// recording is idempotent and a bounce's lead source can later be found by Message-ID or
// address; `send_counts` holds the counts per lead source, recipient domain and day that the
// report reads.

// Migration 5, the HTTP service (`rebound serve`): `api_tokens` holds the SHA-256 (hex) of each
// API token under its name, never the token; `webhook_nonces` the one-time values of webhook
// signatures (Mailgun's token) seen within the replay window, so a replayed signature is
// refused.

// Migration 6, bounce mailboxes (`rebound watch`): `mailbox_state` keeps, per mailbox (its
// canonical URL `scheme://user@host:port/folder`, see `crate::mailbox`), the UIDVALIDITY its
// message ids belong to (0 for POP3); `mailbox_messages` the ids (IMAP UIDs as decimal text,
// POP3 UIDL values) of the messages whose events are stored, written in the same transaction
// as those events.

/// SQLite migrations.
pub(crate) const SQLITE: [&str; 6] = [
    r"
CREATE TABLE events (
    id            INTEGER PRIMARY KEY,
    key           BLOB NOT NULL UNIQUE,
    at_unix       INTEGER NOT NULL,
    at            TEXT,
    day           TEXT NOT NULL,
    recipient     TEXT,
    domain        TEXT,
    sender        TEXT,
    sender_domain TEXT,
    code          INTEGER,
    status        TEXT,
    reason        TEXT NOT NULL,
    bounce_type   TEXT NOT NULL,
    rule          TEXT NOT NULL,
    lead_source   TEXT,
    message_id    TEXT,
    reporting_mta TEXT,
    soft          INTEGER NOT NULL,
    ingested_at   INTEGER NOT NULL,
    event         TEXT NOT NULL
);
CREATE INDEX events_soft ON events (recipient, at_unix) WHERE soft = 1;
CREATE TABLE suppressions (
    address         TEXT PRIMARY KEY,
    rule            TEXT NOT NULL,
    reason          TEXT,
    event_id        TEXT,
    classifier_rule TEXT,
    source          TEXT,
    created_at      INTEGER NOT NULL
) WITHOUT ROWID;
CREATE TABLE hints (
    id           INTEGER PRIMARY KEY,
    old_address  TEXT NOT NULL,
    new_address  TEXT NOT NULL,
    kind         TEXT NOT NULL,
    will_forward INTEGER NOT NULL,
    status       TEXT NOT NULL,
    event_id     TEXT NOT NULL,
    seen         INTEGER NOT NULL,
    created_at   INTEGER NOT NULL,
    decided_at   INTEGER,
    UNIQUE (old_address, new_address)
);
",
    r"
UPDATE events SET day = 'undated'
WHERE at IS NULL
   OR at NOT GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9][Tt ][0-2][0-9]:*';
",
    r"
CREATE TABLE event_tags (
    event_id INTEGER NOT NULL,
    name     TEXT NOT NULL,
    value    TEXT NOT NULL,
    PRIMARY KEY (event_id, name)
) WITHOUT ROWID;
INSERT OR IGNORE INTO event_tags (event_id, name, value)
SELECT e.id, t.key, t.value FROM events AS e, json_each(e.event, '$.tags') AS t
WHERE t.type = 'text' AND t.value <> '' AND instr(e.event, '\u0000') = 0;
",
    r"
CREATE TABLE sends (
    key        BLOB PRIMARY KEY,
    address    TEXT NOT NULL,
    message_id TEXT,
    source     TEXT NOT NULL,
    domain     TEXT NOT NULL,
    day        TEXT NOT NULL,
    at_unix    INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX sends_message_id ON sends (message_id) WHERE message_id IS NOT NULL;
CREATE INDEX sends_address ON sends (address);
CREATE TABLE send_counts (
    source TEXT NOT NULL,
    domain TEXT NOT NULL,
    day    TEXT NOT NULL,
    sent   INTEGER NOT NULL,
    PRIMARY KEY (source, domain, day)
) WITHOUT ROWID;
",
    r"
CREATE TABLE IF NOT EXISTS api_tokens (
    name       TEXT PRIMARY KEY,
    hash       TEXT NOT NULL UNIQUE,
    created_at INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS webhook_nonces (
    service TEXT NOT NULL,
    nonce   TEXT NOT NULL,
    seen_at INTEGER NOT NULL,
    PRIMARY KEY (service, nonce)
);
",
    r"
CREATE TABLE mailbox_state (
    mailbox     TEXT PRIMARY KEY,
    uidvalidity INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL
);
CREATE TABLE mailbox_messages (
    mailbox   TEXT NOT NULL,
    uid       TEXT NOT NULL,
    events    INTEGER NOT NULL,
    stored_at INTEGER NOT NULL,
    PRIMARY KEY (mailbox, uid)
) WITHOUT ROWID;
",
];

/// PostgreSQL migrations.
pub(crate) const POSTGRES: [&str; 6] = [
    r"
CREATE TABLE events (
    id            BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    key           BYTEA NOT NULL UNIQUE,
    at_unix       BIGINT NOT NULL,
    at            TEXT,
    day           TEXT NOT NULL,
    recipient     TEXT,
    domain        TEXT,
    sender        TEXT,
    sender_domain TEXT,
    code          INTEGER,
    status        TEXT,
    reason        TEXT NOT NULL,
    bounce_type   TEXT NOT NULL,
    rule          TEXT NOT NULL,
    lead_source   TEXT,
    message_id    TEXT,
    reporting_mta TEXT,
    soft          INTEGER NOT NULL,
    ingested_at   BIGINT NOT NULL,
    event         TEXT NOT NULL
);
CREATE INDEX events_soft ON events (recipient, at_unix) WHERE soft = 1;
CREATE TABLE suppressions (
    address         TEXT PRIMARY KEY,
    rule            TEXT NOT NULL,
    reason          TEXT,
    event_id        TEXT,
    classifier_rule TEXT,
    source          TEXT,
    created_at      BIGINT NOT NULL
);
CREATE TABLE hints (
    id           BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    old_address  TEXT NOT NULL,
    new_address  TEXT NOT NULL,
    kind         TEXT NOT NULL,
    will_forward INTEGER NOT NULL,
    status       TEXT NOT NULL,
    event_id     TEXT NOT NULL,
    seen         BIGINT NOT NULL,
    created_at   BIGINT NOT NULL,
    decided_at   BIGINT,
    UNIQUE (old_address, new_address)
);
",
    r"
UPDATE events SET day = 'undated'
WHERE at IS NULL
   OR at !~ '^[0-9]{4}-[0-1][0-9]-[0-3][0-9][Tt ][0-2][0-9]:';
",
    r"
CREATE TABLE event_tags (
    event_id BIGINT NOT NULL,
    name     TEXT NOT NULL,
    value    TEXT NOT NULL,
    PRIMARY KEY (event_id, name)
);
INSERT INTO event_tags (event_id, name, value)
SELECT e.id, t.key, t.value
FROM (SELECT id, event FROM events WHERE strpos(event, '\u0000') = 0) AS e,
     json_each_text(e.event::json -> 'tags') AS t
WHERE json_typeof(e.event::json -> 'tags' -> t.key) = 'string' AND t.value <> ''
ON CONFLICT DO NOTHING;
",
    r"
CREATE TABLE sends (
    key        BYTEA PRIMARY KEY,
    address    TEXT NOT NULL,
    message_id TEXT,
    source     TEXT NOT NULL,
    domain     TEXT NOT NULL,
    day        TEXT NOT NULL,
    at_unix    BIGINT NOT NULL
);
CREATE INDEX sends_message_id ON sends (message_id) WHERE message_id IS NOT NULL;
CREATE INDEX sends_address ON sends (address);
CREATE TABLE send_counts (
    source TEXT NOT NULL,
    domain TEXT NOT NULL,
    day    TEXT NOT NULL,
    sent   BIGINT NOT NULL,
    PRIMARY KEY (source, domain, day)
);
",
    r"
CREATE TABLE IF NOT EXISTS api_tokens (
    name       TEXT PRIMARY KEY,
    hash       TEXT NOT NULL UNIQUE,
    created_at BIGINT NOT NULL
);
CREATE TABLE IF NOT EXISTS webhook_nonces (
    service TEXT NOT NULL,
    nonce   TEXT NOT NULL,
    seen_at BIGINT NOT NULL,
    PRIMARY KEY (service, nonce)
);
",
    r"
CREATE TABLE mailbox_state (
    mailbox     TEXT PRIMARY KEY,
    uidvalidity BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL
);
CREATE TABLE mailbox_messages (
    mailbox   TEXT NOT NULL,
    uid       TEXT NOT NULL,
    events    BIGINT NOT NULL,
    stored_at BIGINT NOT NULL,
    PRIMARY KEY (mailbox, uid)
);
",
];
