//! [`StorePool`]: a few [`Store`] connections shared by the request handlers. The store API
//! is blocking, so each use runs on Tokio's blocking threads; a request waits (asynchronously)
//! for a free connection. Connections are opened on first need and reopened after a failure,
//! and opened and closed off the async threads (the PostgreSQL client blocks on a runtime of
//! its own).

use crate::metrics::Metrics;
use rebound_store::{Access, Location, Policy, Store, StoreError};
use std::sync::{Arc, Mutex};
use std::time::Instant;
use tokio::sync::Semaphore;

/// Why a store operation did not happen.
#[derive(Debug, thiserror::Error)]
pub enum PoolError {
    /// The store said no.
    #[error("{0}")]
    Store(#[from] StoreError),
    /// The blocking task failed (a bug; reported, never hidden).
    #[error("the store task failed: {0}")]
    Task(String),
}

/// Store connections shared by the handlers.
pub struct StorePool {
    location: Location,
    policy: Policy,
    idle: Mutex<Vec<Store>>,
    permits: Semaphore,
    metrics: Arc<Metrics>,
}

impl StorePool {
    /// A pool of up to `size` connections to `location`, opening one now (so a store that
    /// cannot be opened or created is an error at start-up, not at the first request).
    pub fn open(
        location: Location,
        policy: Policy,
        size: usize,
        metrics: Arc<Metrics>,
    ) -> Result<StorePool, StoreError> {
        // On a plain thread: the PostgreSQL client runs its own runtime, which cannot start
        // inside an async context (this may be called from one).
        let mut first = std::thread::scope(|s| {
            s.spawn(|| Store::open_with(&location, Access::Create))
                .join()
                .unwrap_or_else(|_| {
                    Err(StoreError::Unreachable {
                        url: location.to_string(),
                        detail: "the thread opening the store failed".into(),
                    })
                })
        })?;
        first.set_policy(policy.clone());
        Ok(StorePool {
            location,
            policy,
            idle: Mutex::new(vec![first]),
            permits: Semaphore::new(size.max(1)),
            metrics,
        })
    }

    /// Where the store is.
    pub fn location(&self) -> &Location {
        &self.location
    }

    /// Runs `f` with a connection on a blocking thread; the time it takes is recorded as store
    /// latency. A connection whose use failed is dropped (the next use opens a new one).
    pub async fn run<T, F>(self: &Arc<Self>, f: F) -> Result<T, PoolError>
    where
        T: Send + 'static,
        F: FnOnce(&mut Store) -> Result<T, StoreError> + Send + 'static,
    {
        let _permit = self
            .permits
            .acquire()
            .await
            .map_err(|e| PoolError::Task(e.to_string()))?;
        let pool = Arc::clone(self);
        let started = Instant::now();
        let result = tokio::task::spawn_blocking(move || {
            let idle = pool.idle.lock().ok().and_then(|mut v| v.pop());
            let mut store = match idle {
                Some(s) => s,
                None => {
                    let mut s = Store::open_with(&pool.location, Access::Write)?;
                    s.set_policy(pool.policy.clone());
                    s
                }
            };
            let out = f(&mut store);
            if out.is_ok()
                && let Ok(mut idle) = pool.idle.lock()
            {
                idle.push(store);
            }
            out
        })
        .await;
        self.metrics.store_latency(started.elapsed());
        match result {
            Ok(r) => Ok(r?),
            Err(e) => Err(PoolError::Task(e.to_string())),
        }
    }
}

impl Drop for StorePool {
    fn drop(&mut self) {
        // Closed on a plain thread, for the same reason as they are opened on one.
        let stores = self
            .idle
            .lock()
            .map(|mut v| std::mem::take(&mut *v))
            .unwrap_or_default();
        let _ = std::thread::spawn(move || drop(stores)).join();
    }
}
