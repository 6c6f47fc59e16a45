//! Load and crash tests of `rebound serve` on loopback, through the real binary and a small
//! client of our own (one keep-alive connection per thread): signed Mailgun bodies, each one
//! distinct event, posted at a concurrency of 32 to one server on SQLite and to two servers
//! sharing PostgreSQL (zero errors, every event stored exactly once, requests/s and p50/p99
//! printed); then SIGKILL under that load, a restart, and every body that did not get a 2xx
//! sent again: the store holds every event exactly once.
//!
//! Size: `REBOUND_LOAD_BODIES` (default 2,000, the reduced size CI runs; the bench size is
//! 20,000: `REBOUND_LOAD_BODIES=20000 cargo test --release -p rebound --test serve_load --
//! --nocapture`), `REBOUND_LOAD_CONCURRENCY` (default 32).

#![allow(clippy::unwrap_used)]

mod common;

use common::http::{Conn, Served};
use common::store::Harness;
use rebound_store::Table;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const KEY: &str = "load-test-signing-key";

fn size() -> usize {
    std::env::var("REBOUND_LOAD_BODIES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(2_000)
}

fn concurrency() -> usize {
    std::env::var("REBOUND_LOAD_CONCURRENCY")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(32)
}

fn config(dir: &Path) -> PathBuf {
    let path = dir.join("load.toml");
    std::fs::write(
        &path,
        format!("store_connections = 4\n[webhooks.mailgun]\nsigning_key = \"{KEY}\"\n"),
    )
    .unwrap();
    path
}

/// The template of every body: a Mailgun permanent failure.
fn template() -> serde_json::Value {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/fixtures/webhook/mailgun/failed-permanent-bounce.json");
    serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap()
}

/// Body `i`, freshly signed (a new token for each attempt).
fn body(template: &serde_json::Value, i: usize, attempt: usize) -> Vec<u8> {
    let mut v = template.clone();
    let recipient = format!("user{i}@load.example");
    v["event-data"]["recipient"] = recipient.clone().into();
    v["event-data"]["message"]["headers"]["to"] = recipient.into();
    v["event-data"]["message"]["headers"]["message-id"] = format!("load-{i}@sender.example").into();
    let token = format!("t{}-{i}-{attempt}", std::process::id());
    rebound_server::testing::mailgun_signed(&v, KEY, rebound_store::time::now(), &token)
}

/// What a run did.
struct Run {
    /// Indices whose request got a 2xx.
    acked: Vec<usize>,
    /// Requests that failed (status or connection).
    errors: usize,
    latencies: Vec<Duration>,
    took: Duration,
}

/// Posts bodies `indices` to `servers` (thread t uses server t % len) from `threads` threads;
/// `stop` ends the run early (the server was killed).
fn post_all(
    servers: &[SocketAddr],
    indices: Vec<usize>,
    threads: usize,
    attempt: usize,
    stop: &AtomicBool,
    acked_count: &AtomicUsize,
) -> Run {
    let template = Arc::new(template());
    let indices = Arc::new(indices);
    let next = AtomicUsize::new(0);
    let acked = Mutex::new(Vec::new());
    let latencies = Mutex::new(Vec::new());
    let errors = AtomicUsize::new(0);
    let started = Instant::now();
    std::thread::scope(|scope| {
        for t in 0..threads {
            let (template, indices, addr) = (
                Arc::clone(&template),
                Arc::clone(&indices),
                servers[t % servers.len()],
            );
            let (next, acked, latencies, errors) = (&next, &acked, &latencies, &errors);
            scope.spawn(move || {
                let mut conn: Option<Conn> = None;
                let (mut mine, mut times) = (Vec::new(), Vec::new());
                loop {
                    let k = next.fetch_add(1, Ordering::Relaxed);
                    let Some(&i) = indices.get(k) else { break };
                    if stop.load(Ordering::Relaxed) {
                        errors.fetch_add(1, Ordering::Relaxed);
                        continue;
                    }
                    let b = body(&template, i, attempt);
                    let sent = Instant::now();
                    let result = match conn.as_mut() {
                        Some(c) => c.send(
                            "POST",
                            "/webhooks/mailgun",
                            &[("Content-Type", "application/json")],
                            &b,
                        ),
                        None => Conn::connect(addr).and_then(|mut c| {
                            let r = c.send(
                                "POST",
                                "/webhooks/mailgun",
                                &[("Content-Type", "application/json")],
                                &b,
                            );
                            conn = Some(c);
                            r
                        }),
                    };
                    match result {
                        Ok((200, _)) => {
                            times.push(sent.elapsed());
                            mine.push(i);
                            acked_count.fetch_add(1, Ordering::Relaxed);
                        }
                        Ok((status, answer)) => {
                            if !stop.load(Ordering::Relaxed) {
                                eprintln!(
                                    "body {i}: {status} {}",
                                    String::from_utf8_lossy(&answer)
                                );
                            }
                            errors.fetch_add(1, Ordering::Relaxed);
                        }
                        Err(e) => {
                            if !stop.load(Ordering::Relaxed) {
                                eprintln!("body {i}: {e}");
                            }
                            errors.fetch_add(1, Ordering::Relaxed);
                            conn = None;
                        }
                    }
                }
                acked.lock().unwrap().extend(mine);
                latencies.lock().unwrap().extend(times);
            });
        }
    });
    Run {
        acked: acked.into_inner().unwrap(),
        errors: errors.into_inner(),
        latencies: latencies.into_inner().unwrap(),
        took: started.elapsed(),
    }
}

fn report(what: &str, run: &mut Run) {
    run.latencies.sort();
    let at = |q: f64| {
        let n = run.latencies.len();
        if n == 0 {
            return Duration::ZERO;
        }
        run.latencies[((n as f64 * q) as usize).min(n - 1)]
    };
    eprintln!(
        "{what}: {} requests in {:.2} s = {:.0} requests/s; p50 {:.1} ms, p99 {:.1} ms; {} errors",
        run.acked.len(),
        run.took.as_secs_f64(),
        run.acked.len() as f64 / run.took.as_secs_f64(),
        at(0.50).as_secs_f64() * 1e3,
        at(0.99).as_secs_f64() * 1e3,
        run.errors
    );
}

/// Every body's event is stored, and no other: `n` events, `n` distinct recipients.
fn assert_stored_once(h: &Harness, n: usize) {
    let mut store = h.store();
    assert_eq!(
        store.count(Table::Events).unwrap(),
        n as i64,
        "events stored"
    );
    let mut recipients = std::collections::HashSet::new();
    store
        .for_each_event(None, |json| {
            let v: serde_json::Value = serde_json::from_str(&json).unwrap();
            assert!(
                recipients.insert(v["recipient"].as_str().unwrap().to_string()),
                "stored twice: {json}"
            );
            Ok(())
        })
        .unwrap();
    for i in 0..n {
        assert!(
            recipients.contains(&format!("user{i}@load.example")),
            "body {i} missing"
        );
    }
}

#[test]
fn load_one_server_on_sqlite() {
    let h = Harness::sqlite();
    let server = Served::start(&h.db, &config(&h.dir), &h.dir.join("serve.log"));
    let n = size();
    let mut run = post_all(
        &[server.addr],
        (0..n).collect(),
        concurrency(),
        0,
        &AtomicBool::new(false),
        &AtomicUsize::new(0),
    );
    report(
        &format!("sqlite, 1 server, concurrency {}", concurrency()),
        &mut run,
    );
    assert_eq!(run.errors, 0);
    assert_eq!(run.acked.len(), n);
    assert_stored_once(&h, n);
}

#[test]
fn load_two_servers_sharing_postgres() {
    let Some(h) = Harness::postgres("load_two_servers_sharing_postgres") else {
        return;
    };
    let config = config(&h.dir);
    let a = Served::start(&h.db, &config, &h.dir.join("a.log"));
    let b = Served::start(&h.db, &config, &h.dir.join("b.log"));
    let n = size();
    let mut run = post_all(
        &[a.addr, b.addr],
        (0..n).collect(),
        concurrency(),
        0,
        &AtomicBool::new(false),
        &AtomicUsize::new(0),
    );
    report(
        &format!("postgres, 2 servers, concurrency {}", concurrency()),
        &mut run,
    );
    assert_eq!(run.errors, 0);
    assert_eq!(run.acked.len(), n);
    assert_stored_once(&h, n);
}

#[test]
fn sigkill_under_load_loses_nothing_acknowledged() {
    let h = Harness::sqlite();
    let config = config(&h.dir);
    let mut server = Served::start(&h.db, &config, &h.dir.join("serve.log"));
    let n = size();
    let stop = AtomicBool::new(false);
    let acked_count = AtomicUsize::new(0);
    let addr = server.addr;
    let first = std::thread::scope(|scope| {
        let load = scope.spawn(|| {
            post_all(
                &[addr],
                (0..n).collect(),
                concurrency(),
                0,
                &stop,
                &acked_count,
            )
        });
        // Kill once a third is acknowledged (or the run is over).
        while acked_count.load(Ordering::Relaxed) < n / 3 && !load.is_finished() {
            std::thread::sleep(Duration::from_millis(2));
        }
        server.kill();
        stop.store(true, Ordering::Relaxed);
        load.join().unwrap()
    });
    let acked: std::collections::HashSet<usize> = first.acked.iter().copied().collect();
    assert!(
        acked.len() < n,
        "the kill came after the run ended; nothing was tested"
    );
    // Everything acknowledged before the kill is in the store.
    {
        let mut store = h.store();
        let mut stored = std::collections::HashSet::new();
        store
            .for_each_event(None, |json| {
                let v: serde_json::Value = serde_json::from_str(&json).unwrap();
                stored.insert(v["recipient"].as_str().unwrap().to_string());
                Ok(())
            })
            .unwrap();
        for i in &acked {
            assert!(
                stored.contains(&format!("user{i}@load.example")),
                "body {i} was acknowledged, then lost"
            );
        }
        eprintln!(
            "killed after {} of {n} acknowledged; {} events stored at the kill",
            acked.len(),
            stored.len()
        );
    }
    let server = Served::start(&h.db, &config, &h.dir.join("serve2.log"));
    let rest: Vec<usize> = (0..n).filter(|i| !acked.contains(i)).collect();
    let again = post_all(
        &[server.addr],
        rest.clone(),
        concurrency(),
        1,
        &AtomicBool::new(false),
        &AtomicUsize::new(0),
    );
    assert_eq!(again.errors, 0);
    assert_eq!(again.acked.len(), rest.len());
    assert_stored_once(&h, n);
}
