//! Helpers for tests that need a PostgreSQL store: the server URL from
//! `REBOUND_TEST_POSTGRES` (tests skip, saying so, when it is unset) and a fresh schema per
//! test ([`FreshSchema`], dropped afterwards) so concurrent tests never collide.

use crate::error::Result;
use std::sync::atomic::{AtomicU64, Ordering};

/// The environment variable naming the PostgreSQL server for tests, e.g.
/// `postgres://postgres@127.0.0.1:5432/test`.
pub const POSTGRES_ENV: &str = "REBOUND_TEST_POSTGRES";

/// The test server URL, or `None` (after printing why the test is skipped) when unset.
pub fn postgres_url(test: &str) -> Option<String> {
    match std::env::var(POSTGRES_ENV) {
        Ok(url) if !url.trim().is_empty() => Some(url),
        _ => {
            // Written to the handle, not with `eprintln!`, so the test harness does not
            // capture it: a skip must be seen.
            use std::io::Write;
            let _ = writeln!(
                std::io::stderr(),
                "skipped {test} on PostgreSQL: {POSTGRES_ENV} is not set \
                 (e.g. {POSTGRES_ENV}=postgres://postgres@127.0.0.1:5432/test)"
            );
            None
        }
    }
}

/// A name unique to this process and call, fit for a schema or a file.
pub fn unique_name(prefix: &str) -> String {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    format!(
        "{prefix}_{}_{}_{}",
        std::process::id(),
        nanos,
        COUNTER.fetch_add(1, Ordering::Relaxed)
    )
}

/// `url` with the connection's `search_path` set to `schema`.
pub fn with_search_path(url: &str, schema: &str) -> String {
    let sep = if url.contains('?') { '&' } else { '?' };
    format!("{url}{sep}options=-csearch_path%3D{schema}")
}

/// A schema created for one test and dropped (with everything in it) when this is dropped.
#[derive(Debug)]
pub struct FreshSchema {
    base: String,
    /// The schema's name.
    pub schema: String,
    /// A URL whose connections use the schema.
    pub url: String,
}

impl FreshSchema {
    /// Creates a schema named `t_<unique>` on the server at `base`.
    pub fn create(base: &str) -> Result<Self> {
        let schema = unique_name("t");
        let mut client = postgres::Client::connect(base, postgres::NoTls)?;
        client.batch_execute(&format!("CREATE SCHEMA {schema}"))?;
        Ok(Self {
            url: with_search_path(base, &schema),
            base: base.to_string(),
            schema,
        })
    }
}

impl Drop for FreshSchema {
    fn drop(&mut self) {
        if let Ok(mut client) = postgres::Client::connect(&self.base, postgres::NoTls) {
            let _ = client.batch_execute(&format!("DROP SCHEMA IF EXISTS {} CASCADE", self.schema));
        }
    }
}
