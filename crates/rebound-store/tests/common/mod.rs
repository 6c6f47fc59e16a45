//! What the store tests share: a store per test on either backend ([`Harness`]), the
//! [`both_backends!`] macro that runs a test body on SQLite and on PostgreSQL, and classified
//! events to store.

#![allow(dead_code)]

use rebound_core::{BounceEvent, Classifier, Reply, Source};
use rebound_store::testing::{self, FreshSchema};
use rebound_store::{Location, Store};
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::LazyLock;

/// Where one test's store lives; cleaned up on drop.
pub enum Harness {
    Sqlite(PathBuf),
    Postgres(FreshSchema),
}

impl Harness {
    pub fn sqlite() -> Self {
        let dir = std::env::temp_dir().join(testing::unique_name("rebound-store-test"));
        Harness::Sqlite(dir)
    }

    pub fn postgres(test: &str) -> Option<Self> {
        let url = testing::postgres_url(test)?;
        Some(Harness::Postgres(FreshSchema::create(&url).unwrap()))
    }

    pub fn location(&self) -> Location {
        match self {
            Harness::Sqlite(dir) => Location::Sqlite(dir.join("store.db")),
            Harness::Postgres(s) => Location::Postgres(s.url.clone()),
        }
    }
}

impl Drop for Harness {
    fn drop(&mut self) {
        if let Harness::Sqlite(dir) = self {
            let _ = std::fs::remove_dir_all(dir);
        }
    }
}

/// Generates `sqlite::NAME` and `postgres::NAME` tests calling `NAME(&Location)`.
macro_rules! both_backends {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $( #[test] fn $name() { let h = crate::common::Harness::sqlite(); super::$name(&h.location()); } )*
        }
        mod postgres {
            $( #[test] fn $name() {
                let Some(h) = crate::common::Harness::postgres(stringify!($name)) else { return };
                super::$name(&h.location());
            } )*
        }
    };
}
pub(crate) use both_backends;

pub static CLASSIFIER: LazyLock<Classifier> = LazyLock::new(|| Classifier::builtin().unwrap());

/// A classified event for `recipient` with `reply` at `at`.
pub fn ev(recipient: &str, reply: &str, at: &str) -> BounceEvent {
    let mut r = Reply::parse(reply).unwrap();
    r.relate_to_recipient(recipient);
    let classification = CLASSIFIER.classify(&r);
    BounceEvent {
        source: Source::default(),
        recipient: Some(recipient.into()),
        sender: Some("news@sender.example".into()),
        at: Some(at.parse().expect("an RFC 3339 time")),
        reply: r,
        classification,
        dsn_action: Some(rebound_core::DsnAction::Failed),
        message_id: Some(format!("<{recipient}.{at}@test>")),
        remote_mta: None,
        reporting_mta: Some("mta.sender.example".into()),
        feedback_type: None,
        provider_class: None,
        truncated: Vec::new(),
        tags: BTreeMap::new(),
    }
}

pub const UNKNOWN: &str = "550 5.1.1 User unknown";
pub const FULL: &str = "452 4.2.2 Mailbox full";
pub const BLOCKED: &str =
    "554 5.7.1 Service unavailable; Client host [192.0.2.1] blocked using zen.spamhaus.org";

pub fn open(loc: &Location) -> Store {
    Store::open(loc).unwrap()
}

/// Runs SQL on the store's database directly (to make rows look as an older version wrote
/// them).
pub fn raw_sql(loc: &Location, sql: &str) {
    match loc {
        Location::Sqlite(path) => rusqlite::Connection::open(path)
            .unwrap()
            .execute_batch(sql)
            .unwrap(),
        Location::Postgres(url) => ::postgres::Client::connect(url, ::postgres::NoTls)
            .unwrap()
            .batch_execute(sql)
            .unwrap(),
    }
}
