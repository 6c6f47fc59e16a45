//! SQL text shared by both backends, written with PostgreSQL's `$n` placeholders; the SQLite
//! backend rewrites them to `?n` ([`to_sqlite`]).

pub(crate) const INSERT_EVENT_TAG: &str = "INSERT INTO event_tags (event_id, name, value) \
    VALUES ($1, $2, $3) ON CONFLICT DO NOTHING";

pub(crate) const INSERT_SUPPRESSION: &str = "INSERT INTO suppressions \
    (address, rule, reason, event_id, classifier_rule, source, created_at) \
    VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (address) DO NOTHING";

pub(crate) const UPSERT_HINT: &str = "INSERT INTO hints \
    (old_address, new_address, kind, will_forward, status, event_id, seen, created_at) \
    VALUES ($1, $2, $3, $4, 'pending', $5, $7, $6) \
    ON CONFLICT (old_address, new_address) DO UPDATE SET seen = hints.seen + excluded.seen";

pub(crate) const SELECT_SUPPRESSIONS: &str = "SELECT address, rule, reason, event_id, \
    classifier_rule, source, created_at FROM suppressions ORDER BY address";

pub(crate) const SELECT_HINTS: &str = "SELECT id, old_address, new_address, kind, will_forward, \
    status, event_id, seen, created_at, decided_at FROM hints \
    WHERE ($1 = '' OR status = $1) ORDER BY id";

pub(crate) const DECIDE_HINT: &str = "UPDATE hints SET status = $1, decided_at = $2 WHERE id = $3";

pub(crate) const DELETE_SUPPRESSION: &str = "DELETE FROM suppressions WHERE address = $1";

pub(crate) const SELECT_SUPPRESSION: &str = "SELECT address, rule, reason, event_id, \
    classifier_rule, source, created_at FROM suppressions WHERE address = $1";

pub(crate) const SELECT_SUPPRESSIONS_PAGE: &str = "SELECT address, rule, reason, event_id, \
    classifier_rule, source, created_at FROM suppressions WHERE address > $1 \
    ORDER BY address LIMIT $2";

pub(crate) const INSERT_TOKEN: &str = "INSERT INTO api_tokens (name, hash, created_at) \
    VALUES ($1, $2, $3) ON CONFLICT (name) DO NOTHING";

pub(crate) const SELECT_TOKENS: &str = "SELECT name, created_at FROM api_tokens ORDER BY name";

pub(crate) const DELETE_TOKEN: &str = "DELETE FROM api_tokens WHERE name = $1";

pub(crate) const TOKEN_NAMED: &str = "SELECT name FROM api_tokens WHERE hash = $1";

pub(crate) const NONCE_SEEN: &str =
    "SELECT COUNT(*) FROM webhook_nonces WHERE service = $1 AND nonce = $2";

pub(crate) const INSERT_NONCE: &str = "INSERT INTO webhook_nonces (service, nonce, seen_at) \
    VALUES ($1, $2, $3) ON CONFLICT (service, nonce) DO NOTHING";

pub(crate) const FORGET_NONCES: &str = "DELETE FROM webhook_nonces WHERE seen_at < $1";

/// The columns of a send the lookup reads ([`crate::lookup::ListedSend`]), with sends
/// without a source left out; the caller appends its condition.
pub(crate) const SELECT_LISTED_SENDS: &str =
    "SELECT address, message_id, source, at_unix FROM sends WHERE source <> '(none)' AND ";

/// The UIDVALIDITY kept for a mailbox (`crate::mailbox`).
pub(crate) const MAILBOX_VALIDITY: &str =
    "SELECT uidvalidity FROM mailbox_state WHERE mailbox = $1";

pub(crate) const SET_MAILBOX_VALIDITY: &str = "INSERT INTO mailbox_state \
    (mailbox, uidvalidity, updated_at) VALUES ($1, $2, $3) ON CONFLICT (mailbox) \
    DO UPDATE SET uidvalidity = excluded.uidvalidity, updated_at = excluded.updated_at";

pub(crate) const MAILBOX_MESSAGES: &str = "SELECT uid FROM mailbox_messages WHERE mailbox = $1";

pub(crate) const RECORD_MAILBOX_MESSAGE: &str = "INSERT INTO mailbox_messages \
    (mailbox, uid, events, stored_at) VALUES ($1, $2, $3, $4) ON CONFLICT (mailbox, uid) DO NOTHING";

pub(crate) const FORGET_MAILBOX_MESSAGE: &str =
    "DELETE FROM mailbox_messages WHERE mailbox = $1 AND uid = $2";

pub(crate) const FORGET_MAILBOX: &str = "DELETE FROM mailbox_messages WHERE mailbox = $1";

/// Rewrites `$n` placeholders to SQLite's `?n`.
pub(crate) fn to_sqlite(sql: &str) -> String {
    let mut out = String::with_capacity(sql.len());
    let mut chars = sql.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '$' && chars.peek().is_some_and(char::is_ascii_digit) {
            out.push('?');
        } else {
            out.push(c);
        }
    }
    out
}
