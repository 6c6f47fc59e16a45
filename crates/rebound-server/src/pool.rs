//! [`StorePool`]: the store as the request handlers use it. Reads run on a few shared
//! connections on Tokio's blocking threads (a request waits, asynchronously, for a free one);
//! writes of events go to one writer thread per server, which commits the events of the
//! requests waiting together in one transaction (group commit) and answers each request with
//! its own counts once that transaction is committed. Connections are opened and closed off
//! the async threads (the PostgreSQL client blocks on a runtime of its own), opened on first
//! need and reopened after a failure.

use crate::metrics::Metrics;
use rebound_core::BounceEvent;
use rebound_store::{Access, IngestStats, Location, Policy, SourceRule, Store, StoreError};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Instant;
use tokio::sync::{Semaphore, oneshot};

/// The most events one group commit takes.
const GROUP_EVENTS: usize = rebound_store::DEFAULT_BATCH;

/// Why a store operation did not happen.
#[derive(Debug, thiserror::Error)]
pub enum PoolError {
    /// The store said no.
    #[error("{0}")]
    Store(#[from] StoreError),
    /// The write failed (the store's error, as text: one failure answers several requests).
    #[error("{0}")]
    Write(String),
    /// The blocking task failed (a bug; reported, never hidden).
    #[error("the store task failed: {0}")]
    Task(String),
}

/// A webhook signature's one-time value, recorded by the writer once the events are
/// committed (so a replay is refused, and a crash before leaves the service's retry in).
#[derive(Debug, Clone)]
pub struct Nonce {
    /// The service.
    pub service: &'static str,
    /// The value (Mailgun's token).
    pub value: String,
    /// Seconds to remember it.
    pub keep_secs: i64,
}

/// One request's events, waiting for the writer.
struct Job {
    events: Vec<BounceEvent>,
    sources: SourceRule,
    nonce: Option<Nonce>,
    reply: oneshot::Sender<Result<IngestStats, String>>,
}

/// The store, shared by the handlers.
pub struct StorePool {
    location: Location,
    policy: Policy,
    idle: Mutex<Vec<Store>>,
    permits: Semaphore,
    metrics: Arc<Metrics>,
    jobs: Mutex<Option<mpsc::Sender<Job>>>,
    writer: Mutex<Option<JoinHandle<()>>>,
}

/// Opens a store on a plain thread (see the module's documentation).
fn open_store(location: &Location, access: Access, policy: &Policy) -> Result<Store, StoreError> {
    let mut store = std::thread::scope(|s| {
        s.spawn(|| Store::open_with(location, access))
            .join()
            .unwrap_or_else(|_| {
                Err(StoreError::Unreachable {
                    url: location.to_string(),
                    detail: "the thread opening the store failed".into(),
                })
            })
    })?;
    store.set_policy(policy.clone());
    Ok(store)
}

impl StorePool {
    /// A pool of up to `size` reading connections and one writer to `location`, opening the
    /// store now (created when missing), so a store that cannot be opened is an error at
    /// start-up, not at the first request.
    pub fn open(
        location: Location,
        policy: Policy,
        size: usize,
        metrics: Arc<Metrics>,
    ) -> Result<StorePool, StoreError> {
        let first = open_store(&location, Access::Create, &policy)?;
        let (tx, rx) = mpsc::channel();
        let (loc, pol) = (location.clone(), policy.clone());
        let writer = std::thread::Builder::new()
            .name("rebound-writer".into())
            .spawn(move || write_loop(first, &loc, &pol, &rx))
            .map_err(|e| StoreError::Unreachable {
                url: location.to_string(),
                detail: format!("starting the writer thread: {e}"),
            })?;
        Ok(StorePool {
            location,
            policy,
            idle: Mutex::new(Vec::new()),
            permits: Semaphore::new(size.max(1)),
            metrics,
            jobs: Mutex::new(Some(tx)),
            writer: Mutex::new(Some(writer)),
        })
    }

    /// Where the store is.
    pub fn location(&self) -> &Location {
        &self.location
    }

    /// Stores one request's events (committed, with others' events, before this returns),
    /// then records its `nonce`; returns this request's counts: `events`, `new`,
    /// `duplicates`, `skipped`.
    pub async fn ingest(
        &self,
        events: Vec<BounceEvent>,
        sources: SourceRule,
        nonce: Option<Nonce>,
    ) -> Result<IngestStats, PoolError> {
        let started = Instant::now();
        let (reply, answer) = oneshot::channel();
        let sent = self
            .jobs
            .lock()
            .map_err(|e| PoolError::Task(e.to_string()))?
            .as_ref()
            .map(|tx| {
                tx.send(Job {
                    events,
                    sources,
                    nonce,
                    reply,
                })
                .is_ok()
            });
        if sent != Some(true) {
            return Err(PoolError::Task("the writer has stopped".into()));
        }
        let result = answer
            .await
            .map_err(|_| PoolError::Task("the writer stopped before answering".into()))?;
        self.metrics.store_latency(started.elapsed());
        result.map_err(PoolError::Write)
    }

    /// Runs `f` with a reading connection on a blocking thread; the time it takes is recorded
    /// as store latency. A connection whose use failed is dropped (the next use opens a new
    /// one).
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
                None => open_store(&pool.location, Access::Write, &pool.policy)?,
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

/// The writer: takes the jobs waiting (up to [`GROUP_EVENTS`] events), commits those with the
/// same lead-source rule in one transaction, answers each; until every sender is gone.
fn write_loop(first: Store, location: &Location, policy: &Policy, rx: &mpsc::Receiver<Job>) {
    let mut store = Some(first);
    while let Ok(job) = rx.recv() {
        let mut n = job.events.len();
        let mut jobs = vec![job];
        while n < GROUP_EVENTS {
            match rx.try_recv() {
                Ok(j) => {
                    n += j.events.len();
                    jobs.push(j);
                }
                Err(_) => break,
            }
        }
        while let Some(sources) = jobs.first().map(|j| j.sources.clone()) {
            let (same, rest): (Vec<Job>, Vec<Job>) =
                jobs.into_iter().partition(|j| j.sources == sources);
            jobs = rest;
            let mut nonces: Vec<Nonce> = Vec::new();
            let (groups, replies): (Vec<Vec<BounceEvent>>, Vec<_>) = same
                .into_iter()
                .map(|j| {
                    nonces.extend(j.nonce);
                    (j.events, j.reply)
                })
                .unzip();
            let result = match store.take() {
                Some(s) => Ok(s),
                None => open_store(location, Access::Write, policy),
            }
            .and_then(|mut s| {
                let r = s.ingest_groups(&groups, &sources).and_then(|counts| {
                    record_nonces(&mut s, &nonces)?;
                    Ok(counts)
                });
                if r.is_ok() {
                    store = Some(s);
                }
                r
            });
            match result {
                Ok((whole, per_group)) => {
                    if whole.skipped > 0 {
                        tracing::warn!(skipped = whole.skipped, "events refused by the store");
                    }
                    for (reply, counts) in replies.into_iter().zip(per_group) {
                        let _ = reply.send(Ok(counts));
                    }
                }
                Err(e) => {
                    tracing::error!(error = %e, requests = replies.len(), "storing events failed");
                    let why = e.to_string();
                    for reply in replies {
                        let _ = reply.send(Err(why.clone()));
                    }
                }
            }
        }
    }
}

/// Records the one-time values of a group commit, one transaction per service.
fn record_nonces(store: &mut Store, nonces: &[Nonce]) -> Result<(), StoreError> {
    let mut services: Vec<&'static str> = nonces.iter().map(|n| n.service).collect();
    services.sort_unstable();
    services.dedup();
    for service in services {
        let of: Vec<&Nonce> = nonces.iter().filter(|n| n.service == service).collect();
        let values: Vec<String> = of.iter().map(|n| n.value.clone()).collect();
        let keep = of.iter().map(|n| n.keep_secs).max().unwrap_or(0);
        store.record_nonces(service, &values, keep)?;
    }
    Ok(())
}

impl Drop for StorePool {
    fn drop(&mut self) {
        // The writer ends when its channel closes, and closes its connection on its thread.
        if let Ok(mut jobs) = self.jobs.lock() {
            jobs.take();
        }
        if let Some(w) = self.writer.lock().ok().and_then(|mut w| w.take()) {
            let _ = w.join();
        }
        // The readers are closed on a plain thread, for the same reason they are opened on one.
        let stores = self
            .idle
            .lock()
            .map(|mut v| std::mem::take(&mut *v))
            .unwrap_or_default();
        let _ = std::thread::spawn(move || drop(stores)).join();
    }
}
