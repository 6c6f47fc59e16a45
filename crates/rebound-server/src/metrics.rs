//! [`Metrics`]: the counters `GET /metrics` serves in the Prometheus text format (version
//! 0.0.4): requests by route and status, events stored (new and already stored), webhook
//! authentication failures by service, and store latency as a histogram.

use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

/// The upper bounds of the store latency buckets, seconds.
const BUCKETS: [f64; 10] = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1.0, 5.0];

/// The service's counters.
#[derive(Debug, Default)]
pub struct Metrics {
    requests: Mutex<BTreeMap<(String, u16), u64>>,
    auth_failures: Mutex<BTreeMap<String, u64>>,
    events_new: AtomicU64,
    events_duplicate: AtomicU64,
    latency_buckets: [AtomicU64; BUCKETS.len()],
    latency_count: AtomicU64,
    latency_micros: AtomicU64,
}

impl Metrics {
    /// Counts one answered request of `route` (the route pattern, not the path) with `status`.
    pub fn request(&self, route: &str, status: u16) {
        if let Ok(mut m) = self.requests.lock() {
            *m.entry((route.to_string(), status)).or_default() += 1;
        }
    }

    /// Counts a webhook refused for a failed authenticity proof.
    pub fn auth_failure(&self, service: &str) {
        if let Ok(mut m) = self.auth_failures.lock() {
            *m.entry(service.to_string()).or_default() += 1;
        }
    }

    /// Counts stored events.
    pub fn events(&self, new: u64, duplicates: u64) {
        self.events_new.fetch_add(new, Ordering::Relaxed);
        self.events_duplicate
            .fetch_add(duplicates, Ordering::Relaxed);
    }

    /// Records the time of one store operation.
    pub fn store_latency(&self, took: Duration) {
        let secs = took.as_secs_f64();
        for (bound, bucket) in BUCKETS.iter().zip(&self.latency_buckets) {
            if secs <= *bound {
                bucket.fetch_add(1, Ordering::Relaxed);
            }
        }
        self.latency_count.fetch_add(1, Ordering::Relaxed);
        let micros = u64::try_from(took.as_micros()).unwrap_or(u64::MAX);
        self.latency_micros.fetch_add(micros, Ordering::Relaxed);
    }

    /// The Prometheus text exposition.
    pub fn render(&self) -> String {
        let mut out = String::new();
        out.push_str(
            "# HELP rebound_http_requests_total Requests answered, by route and status.\n",
        );
        out.push_str("# TYPE rebound_http_requests_total counter\n");
        if let Ok(m) = self.requests.lock() {
            for ((route, status), n) in m.iter() {
                let _ = writeln!(
                    out,
                    "rebound_http_requests_total{{route=\"{}\",status=\"{status}\"}} {n}",
                    escape(route)
                );
            }
        }
        out.push_str(
            "# HELP rebound_events_stored_total Events received, by whether they were new.\n",
        );
        out.push_str("# TYPE rebound_events_stored_total counter\n");
        let _ = writeln!(
            out,
            "rebound_events_stored_total{{outcome=\"new\"}} {}",
            self.events_new.load(Ordering::Relaxed)
        );
        let _ = writeln!(
            out,
            "rebound_events_stored_total{{outcome=\"duplicate\"}} {}",
            self.events_duplicate.load(Ordering::Relaxed)
        );
        out.push_str("# HELP rebound_webhook_auth_failures_total Webhooks refused for a failed authenticity proof, by service.\n");
        out.push_str("# TYPE rebound_webhook_auth_failures_total counter\n");
        if let Ok(m) = self.auth_failures.lock() {
            for (service, n) in m.iter() {
                let _ = writeln!(
                    out,
                    "rebound_webhook_auth_failures_total{{service=\"{}\"}} {n}",
                    escape(service)
                );
            }
        }
        out.push_str("# HELP rebound_store_seconds Time of store operations.\n");
        out.push_str("# TYPE rebound_store_seconds histogram\n");
        for (bound, bucket) in BUCKETS.iter().zip(&self.latency_buckets) {
            let _ = writeln!(
                out,
                "rebound_store_seconds_bucket{{le=\"{bound}\"}} {}",
                bucket.load(Ordering::Relaxed)
            );
        }
        let count = self.latency_count.load(Ordering::Relaxed);
        let _ = writeln!(out, "rebound_store_seconds_bucket{{le=\"+Inf\"}} {count}");
        let _ = writeln!(
            out,
            "rebound_store_seconds_sum {}",
            self.latency_micros.load(Ordering::Relaxed) as f64 / 1e6
        );
        let _ = writeln!(out, "rebound_store_seconds_count {count}");
        out
    }
}

/// A label value escaped as the text format wants (backslash, quote, newline).
fn escape(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counters_show_in_the_text() {
        let m = Metrics::default();
        m.request("/v1/events", 200);
        m.request("/v1/events", 200);
        m.auth_failure("mailgun");
        m.events(3, 1);
        m.store_latency(Duration::from_millis(2));
        let text = m.render();
        assert!(
            text.contains("rebound_http_requests_total{route=\"/v1/events\",status=\"200\"} 2")
        );
        assert!(text.contains("rebound_webhook_auth_failures_total{service=\"mailgun\"} 1"));
        assert!(text.contains("rebound_events_stored_total{outcome=\"new\"} 3"));
        assert!(text.contains("rebound_store_seconds_bucket{le=\"0.0025\"} 1"));
        assert!(text.contains("rebound_store_seconds_bucket{le=\"0.001\"} 0"));
        assert!(text.contains("rebound_store_seconds_count 1"));
    }
}
