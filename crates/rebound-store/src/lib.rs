//! Rebound's store: bounce events, the suppression list and its policy, forward hints and the
//! lead-source audit, behind one API ([`Store`]) on two backends: SQLite (the embedded default,
//! one file) and PostgreSQL (shared by many writers). Both have versioned migrations and behave
//! the same: the policy and batching logic is shared ([`ingest`] is private; see [`Ingester`]).
//!
//! - [`Location`]: `--db PATH`, `--db postgres://…`, `REBOUND_DB`, or the default file.
//! - [`EventKey`] ([`key`]): what makes two reports the same event (idempotent ingest).
//! - [`Policy`] ([`policy`]): what suppresses, as configuration with documented defaults.
//! - [`SuppressionSet`] ([`check`]): the list in memory for fast checks.
//! - [`report`]: the audit by source, domain, reason, day, sender, campaign or any tag;
//!   [`rates`]: per 1,000 sent, and the stale-source flag.
//! - [`sends`]: the sends (a send list, an MTA log's deliveries), counted per source, domain
//!   and day.
//!   Their rows are also the send list that gives an event without a source its send's
//!   source, by Message-ID then address ([`SourceStep::SendList`]).
//! - [`exchange`]: CSV export and import.
//! - [`MailboxMessage`] ([`Store::ingest_mailbox`]): which messages of a bounce mailbox have
//!   their events stored, recorded with them (`rebound watch`).
//!
//! ```
//! use rebound_store::{Location, SourceRule, Store, synthetic};
//! let dir = std::env::temp_dir().join(format!("rebound-doc-{}", std::process::id()));
//! let mut store = Store::open(&Location::Sqlite(dir.join("doc.db"))).unwrap();
//! let events = synthetic::events(0, 10);
//! let first = store.ingest(&events, &SourceRule::default()).unwrap();
//! let again = store.ingest(&events, &SourceRule::default()).unwrap();
//! assert_eq!((first.new, again.new, again.duplicates), (10, 0, 10));
//! # std::fs::remove_dir_all(dir).ok();
//! ```

mod address;
mod backend;
mod check;
mod error;
pub mod exchange;
mod ingest;
mod key;
mod location;
mod lookup;
mod mailbox;
mod model;
mod policy;
pub mod rates;
mod record;
mod report;
pub mod sends;
mod store;
#[doc(hidden)]
pub mod synthetic;
#[doc(hidden)]
pub mod testing;
pub mod time;

pub use address::{Address, AddressError};
pub use backend::{Access, Table};
pub use check::{Check, SuppressionSet};
pub use error::{Result, StoreError};
pub use key::EventKey;
pub use location::Location;
pub use mailbox::{MailboxMessage, Validity};
pub use model::{ApiToken, Hint, HintKind, HintStatus, IngestStats, Skipped, Suppression};
pub use policy::{Judgement, Policy};
pub use record::{NUL_REPLACEMENT, SourceRule, SourceStep, store_text};
pub use report::{CAMPAIGN_TAGS, Grouping, MAX_TAG_NAME, ReportRow, TagName};
pub use sends::{Send, SendList, SendStats};
pub use store::{DEFAULT_BATCH, Ingester, Store};
