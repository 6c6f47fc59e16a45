//! Rates per 1,000 sent and the stale-source flag of the audit report, for the groupings sends
//! are counted by (lead source, recipient domain, day; see [`crate::sends`]).
//!
//! Per group: `sent` (sends counted), and per 1,000 of them the distinct recipients that
//! `bounced` (any failure: hard, soft, block or undetermined), were `hard` bounces and were
//! `stale` (a `userunknown`, `hasmoved` or `suspend` event). A group with no sends has no rates.
//!
//! # The stale flag
//!
//! A group is flagged when its stale rate is far above the rate of all other groups taken
//! together, and the difference is too large to be chance. All of:
//!
//! 1. it has at least [`MIN_SENT`] sends and [`MIN_STALE`] stale addresses, and the other groups
//!    together have at least [`MIN_SENT`] sends (fewer say nothing either way);
//! 2. its stale rate is at least [`MIN_RATIO`] times the others' rate;
//! 3. if its sends went stale at the others' rate, seeing as many stale addresses as it has
//!    would have probability below [`MAX_P`]: a one-sided Poisson test, `P(X >= stale)` with
//!    `X ~ Poisson(sent × others' rate)` (the Poisson approximation of the binomial, fair for
//!    rates of a few percent; it slightly overstates the tail, so it flags no more often).
//!
//! The probability is shown (`stale_p`) so a reader can judge a group near the line.

use crate::report::ReportRow;
use crate::sends::SentCount;

/// Fewest sends of a group (and of the others together) for the flag to be considered.
pub const MIN_SENT: i64 = 200;

/// Fewest stale addresses of a group for the flag.
pub const MIN_STALE: i64 = 5;

/// How many times the others' stale rate a group's must be.
pub const MIN_RATIO: f64 = 2.0;

/// The largest probability of chance that still flags.
pub const MAX_P: f64 = 0.001;

/// Adds sends, rates and the stale flag to report rows: `sent` per group, `bounced` distinct
/// recipients with a failure per group; a group that has sends but no events gets a row.
pub(crate) fn apply(rows: &mut Vec<ReportRow>, sent: &[SentCount], bounced: &[(String, i64)]) {
    for s in sent {
        if !rows.iter().any(|r| r.group == s.group) {
            rows.push(ReportRow::empty(s.group.clone()));
        }
    }
    for row in rows.iter_mut() {
        row.bounced_recipients = bounced
            .iter()
            .find(|(g, _)| *g == row.group)
            .map_or(0, |(_, n)| *n);
        let n = sent
            .iter()
            .find(|s| s.group == row.group)
            .map_or(0, |s| s.sent);
        row.sent = Some(n);
        let per_1000 = |k: i64| (n > 0).then(|| k as f64 * 1000.0 / n as f64);
        row.bounced_per_1000 = per_1000(row.bounced_recipients);
        row.hard_per_1000 = per_1000(row.hard_recipients);
        row.stale_per_1000 = per_1000(row.stale_recipients);
    }
    let total_sent: i64 = rows.iter().filter_map(|r| r.sent).sum();
    let total_stale: i64 = rows.iter().map(|r| r.stale_recipients).sum();
    for row in rows.iter_mut() {
        let sent = row.sent.unwrap_or(0);
        let (rest_sent, rest_stale) = (total_sent - sent, total_stale - row.stale_recipients);
        if sent < MIN_SENT || rest_sent < MIN_SENT {
            continue;
        }
        let rest_rate = rest_stale.max(0) as f64 / rest_sent as f64;
        let p = poisson_upper_tail(row.stale_recipients, sent as f64 * rest_rate);
        row.stale_p = Some(p);
        let rate = row.stale_recipients as f64 / sent as f64;
        row.stale_flag =
            row.stale_recipients >= MIN_STALE && rate >= MIN_RATIO * rest_rate && p < MAX_P;
    }
    rows.sort_by(|a, b| b.events.cmp(&a.events).then_with(|| a.group.cmp(&b.group)));
}

/// `P(X >= k)` for `X ~ Poisson(lambda)`. Above the mean it is summed upward from `k` (the
/// terms shrink geometrically); at or below the mean it is at least about one half, and 1 is
/// returned: the test is one-sided and flags only counts above the mean.
pub fn poisson_upper_tail(k: i64, lambda: f64) -> f64 {
    if k <= 0 {
        return 1.0;
    }
    if lambda <= 0.0 {
        return 0.0;
    }
    if (k as f64) <= lambda {
        return 1.0;
    }
    // ln P(X = k) = -λ + k ln λ - ln k!
    let ln_fact: f64 = (2..=k).map(|i| (i as f64).ln()).sum();
    let mut term = (-lambda + k as f64 * lambda.ln() - ln_fact).exp();
    let mut sum = 0.0;
    let mut i = k as f64;
    while term > sum * 1e-15 && term > 0.0 {
        sum += term;
        i += 1.0;
        term *= lambda / i;
    }
    sum.min(1.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn poisson_tail_matches_hand_values() {
        // P(X >= 3 | λ = 1) = 1 - e^-1 (1 + 1 + 1/2) = 0.0803013970713942
        assert!((poisson_upper_tail(3, 1.0) - 0.080_301_397_071_394_2).abs() < 1e-12);
        // P(X >= 10 | λ = 2) = 4.649807501e-5 (sum of the tail terms)
        assert!((poisson_upper_tail(10, 2.0) - 4.649_807_501e-5).abs() < 1e-12);
        assert_eq!(poisson_upper_tail(0, 5.0), 1.0);
        assert_eq!(poisson_upper_tail(4, 0.0), 0.0);
        assert_eq!(poisson_upper_tail(2, 5.0), 1.0);
        // Large counts stay finite.
        let p = poisson_upper_tail(5_000, 2_000.0);
        assert!((0.0..1e-100).contains(&p), "{p}");
    }
}
