//! [`StoreError`]: everything that can go wrong opening, migrating, reading or writing a store,
//! each variant saying which store and what to do about it.

use std::path::PathBuf;

/// An error of the store.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The `--db` value is a URL that does not parse.
    #[error("bad database URL `{url}`: {detail}")]
    BadUrl {
        /// The URL, password masked.
        url: String,
        /// What is wrong with it.
        detail: String,
    },
    /// The PostgreSQL server could not be reached or refused the connection.
    #[error(
        "cannot connect to PostgreSQL at `{url}`: {detail} (is the server running and reachable?)"
    )]
    Unreachable {
        /// The URL, password masked.
        url: String,
        /// What the client said.
        detail: String,
    },
    /// The SQLite file could not be opened or created.
    #[error("cannot open SQLite database `{}`: {detail}", path.display())]
    Open {
        /// The file.
        path: PathBuf,
        /// What SQLite or the file system said.
        detail: String,
    },
    /// A command that only reads (or changes existing rows) was pointed at a store that does
    /// not exist: it is never created by such a command, so a mistyped `--db` cannot answer
    /// from an empty list.
    #[error(
        "no Rebound store at `{location}`: check --db / REBOUND_DB, or create one with `rebound init --db {location}` (or by ingesting)"
    )]
    Missing {
        /// The location, password masked.
        location: String,
    },
    /// The database exists but is not a Rebound store (another program's database, an empty
    /// database, or not a database at all); it is left untouched.
    #[error("`{location}` is not a Rebound store: {detail}")]
    NotAStore {
        /// The location, password masked.
        location: String,
        /// Why it is not one.
        detail: String,
    },
    /// A store opened read-only whose schema is older than this program's.
    #[error(
        "the store `{location}` has schema version {found}, older than this program's {known}: upgrade it with `rebound init --db {location}`"
    )]
    SchemaTooOld {
        /// The location, password masked.
        location: String,
        /// The version found in the database.
        found: i64,
        /// The newest version this program knows.
        known: i64,
    },
    /// No database was named and no default location could be found.
    #[error(
        "no database given and no data directory found: set --db, REBOUND_DB, XDG_DATA_HOME or HOME"
    )]
    NoDefaultLocation,
    /// The database's schema is newer than this program knows.
    #[error(
        "the database schema is version {found}, newer than this program's {known}: upgrade rebound"
    )]
    SchemaTooNew {
        /// The version found in the database.
        found: i64,
        /// The newest version this program knows.
        known: i64,
    },
    /// An SQLite error.
    #[error("SQLite: {0}")]
    Sqlite(#[from] rusqlite::Error),
    /// A PostgreSQL error.
    #[error("PostgreSQL: {0}")]
    Postgres(#[from] postgres::Error),
    /// A policy file that does not parse.
    #[error("suppression policy: {0}")]
    Policy(String),
    /// A CSV file that does not parse or cannot be written.
    #[error("CSV: {0}")]
    Csv(#[from] csv::Error),
    /// An event that could not be serialized.
    #[error("event JSON: {0}")]
    Json(#[from] serde_json::Error),
    /// A value given by the user that the store cannot use.
    #[error("{0}")]
    Invalid(String),
}

impl StoreError {
    /// Whether the operation may succeed if retried (a PostgreSQL deadlock or serialization
    /// failure, or SQLite busy after its timeout).
    pub fn is_retryable(&self) -> bool {
        match self {
            StoreError::Postgres(e) => e.code().is_some_and(|c| {
                *c == postgres::error::SqlState::T_R_DEADLOCK_DETECTED
                    || *c == postgres::error::SqlState::T_R_SERIALIZATION_FAILURE
            }),
            StoreError::Sqlite(rusqlite::Error::SqliteFailure(e, _)) => matches!(
                e.code,
                rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked
            ),
            _ => false,
        }
    }
}

impl StoreError {
    /// Whether the database refused the data of a row (a data exception, a value too big for
    /// an index or the engine, a CHECK or trigger refusal) rather than failing as a whole: the
    /// batch is then split to find the row, which is reported and skipped.
    pub fn is_row_error(&self) -> bool {
        match self {
            StoreError::Postgres(e) => e.code().is_some_and(|c| {
                let c = c.code();
                c.starts_with("22") || c == "54000" || c == "23514" || c == "P0001"
            }),
            StoreError::Sqlite(rusqlite::Error::SqliteFailure(e, _)) => matches!(
                e.code,
                rusqlite::ErrorCode::TooBig | rusqlite::ErrorCode::ConstraintViolation
            ),
            _ => false,
        }
    }
}

/// An error and its causes, joined with `: ` (the PostgreSQL client hides the cause of
/// "error connecting to server" in its source chain).
pub(crate) fn with_causes(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut cause = e.source();
    while let Some(c) = cause {
        let more = c.to_string();
        if !text.contains(&more) {
            text.push_str(": ");
            text.push_str(&more);
        }
        cause = c.source();
    }
    text
}

/// The store's result type.
pub type Result<T, E = StoreError> = std::result::Result<T, E>;
