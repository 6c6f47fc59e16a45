//! The audit report: events grouped by lead source, recipient domain, reason, day or sender
//! domain, with the rates that show which source produces stale addresses.
//!
//! Per group: `events`; `recipients` (distinct); `hard_rate` = recipients with at least one
//! hard bounce / recipients; `stale_rate` = recipients with at least one `userunknown`,
//! `hasmoved` or `suspend` event / recipients; `sender_side` = events with a sender-side
//! verdict (bounce type `block`), which say nothing about the address; the top reasons. By
//! source, domain and day, also the sends and the rates per 1,000 sent ([`crate::rates`]).

use serde::Serialize;
use std::str::FromStr;

/// The reasons that mark an address as stale.
pub const STALE_REASONS: [&str; 3] = ["userunknown", "hasmoved", "suspend"];

/// How many reasons a report row lists.
pub const TOP_REASONS: usize = 3;

/// What a report groups by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Grouping {
    /// The lead source (`(none)` when unknown).
    Source,
    /// The recipient domain.
    Domain,
    /// The bounce reason.
    Reason,
    /// The UTC day of the event.
    Day,
    /// The sender's domain (where sender-side refusals show).
    Sender,
}

impl Grouping {
    /// The SQL expression of the group, the same on both backends.
    pub(crate) fn sql(self) -> &'static str {
        match self {
            Grouping::Source => "COALESCE(lead_source, '(none)')",
            Grouping::Domain => "COALESCE(domain, '(none)')",
            Grouping::Reason => "reason",
            Grouping::Day => "day",
            Grouping::Sender => "COALESCE(sender_domain, '(none)')",
        }
    }

    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            Grouping::Source => "source",
            Grouping::Domain => "domain",
            Grouping::Reason => "reason",
            Grouping::Day => "day",
            Grouping::Sender => "sender",
        }
    }
}

impl FromStr for Grouping {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "source" => Ok(Grouping::Source),
            "domain" => Ok(Grouping::Domain),
            "reason" => Ok(Grouping::Reason),
            "day" => Ok(Grouping::Day),
            "sender" => Ok(Grouping::Sender),
            o => Err(format!(
                "unknown grouping `{o}` (source, domain, reason, day, sender)"
            )),
        }
    }
}

/// A reason and how many events of a group had it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReasonCount {
    /// The reason.
    pub reason: String,
    /// Its events.
    pub events: i64,
}

/// One group of a report.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReportRow {
    /// The group's value (a source, domain, reason, day or sender domain).
    pub group: String,
    /// Events.
    pub events: i64,
    /// Distinct recipients.
    pub recipients: i64,
    /// Distinct recipients with a hard bounce.
    pub hard_recipients: i64,
    /// Distinct recipients with a stale-address reason.
    pub stale_recipients: i64,
    /// Events with a sender-side verdict.
    pub sender_side: i64,
    /// `hard_recipients / recipients` (0 when there are none).
    pub hard_rate: f64,
    /// `stale_recipients / recipients` (0 when there are none).
    pub stale_rate: f64,
    /// The most frequent reasons, most first.
    pub top_reasons: Vec<ReasonCount>,
    /// Sends counted for the group (lead source, domain or day groupings; `None` for the
    /// others). See [`crate::rates`].
    pub sent: Option<i64>,
    /// Distinct recipients with a failure (any bounce type but `none`).
    pub bounced_recipients: i64,
    /// `bounced_recipients` per 1,000 sent (`None` without sends).
    pub bounced_per_1000: Option<f64>,
    /// `hard_recipients` per 1,000 sent.
    pub hard_per_1000: Option<f64>,
    /// `stale_recipients` per 1,000 sent.
    pub stale_per_1000: Option<f64>,
    /// Whether the group's stale rate is far above the other groups' (see [`crate::rates`]).
    pub stale_flag: bool,
    /// The probability of the group's stale count at the others' rate (the flag's test).
    pub stale_p: Option<f64>,
}

impl ReportRow {
    /// A row of a group without events (it has sends only).
    pub(crate) fn empty(group: String) -> ReportRow {
        ReportRow {
            group,
            events: 0,
            recipients: 0,
            hard_recipients: 0,
            stale_recipients: 0,
            sender_side: 0,
            hard_rate: 0.0,
            stale_rate: 0.0,
            top_reasons: Vec::new(),
            sent: None,
            bounced_recipients: 0,
            bounced_per_1000: None,
            hard_per_1000: None,
            stale_per_1000: None,
            stale_flag: false,
            stale_p: None,
        }
    }
}

/// The counts one backend query yields per group, before rates and reasons are added.
#[derive(Debug, Clone)]
pub(crate) struct GroupCounts {
    pub group: String,
    pub events: i64,
    pub recipients: i64,
    pub hard_recipients: i64,
    pub stale_recipients: i64,
    pub sender_side: i64,
}

/// The counting query, with `$1` the lower time bound.
pub(crate) fn counts_sql(by: Grouping) -> String {
    let stale = STALE_REASONS.map(|r| format!("'{r}'")).join(", ");
    format!(
        "SELECT g, CAST(COUNT(*) AS BIGINT), CAST(COUNT(DISTINCT recipient) AS BIGINT), \
         CAST(COUNT(DISTINCT CASE WHEN bounce_type = 'hard' THEN recipient END) AS BIGINT), \
         CAST(COUNT(DISTINCT CASE WHEN reason IN ({stale}) THEN recipient END) AS BIGINT), \
         CAST(SUM(CASE WHEN bounce_type = 'block' THEN 1 ELSE 0 END) AS BIGINT) \
         FROM (SELECT {g} AS g, recipient, bounce_type, reason FROM events WHERE at_unix >= $1) AS e \
         GROUP BY g ORDER BY 2 DESC, 1",
        g = by.sql()
    )
}

/// The per-group reason query, with `$1` the lower time bound.
pub(crate) fn reasons_sql(by: Grouping) -> String {
    format!(
        "SELECT {g} AS g, reason, CAST(COUNT(*) AS BIGINT) FROM events WHERE at_unix >= $1 \
         GROUP BY 1, 2 ORDER BY 1, 3 DESC, 2",
        g = by.sql()
    )
}

/// The query of distinct recipients with a failure per group, with `$1` the lower time bound.
pub(crate) fn bounced_sql(by: Grouping) -> String {
    format!(
        "SELECT {g} AS g, CAST(COUNT(DISTINCT recipient) AS BIGINT) FROM events \
         WHERE at_unix >= $1 AND bounce_type <> 'none' GROUP BY 1",
        g = by.sql()
    )
}

/// Joins the counts and reasons into report rows.
pub(crate) fn assemble(
    counts: Vec<GroupCounts>,
    reasons: Vec<(String, String, i64)>,
) -> Vec<ReportRow> {
    let mut by_group: std::collections::HashMap<String, Vec<ReasonCount>> =
        std::collections::HashMap::new();
    for (g, reason, events) in reasons {
        let list = by_group.entry(g).or_default();
        if list.len() < TOP_REASONS {
            list.push(ReasonCount { reason, events });
        }
    }
    counts
        .into_iter()
        .map(|c| {
            let rate = |n: i64| {
                if c.recipients > 0 {
                    n as f64 / c.recipients as f64
                } else {
                    0.0
                }
            };
            ReportRow {
                top_reasons: by_group.remove(&c.group).unwrap_or_default(),
                hard_rate: rate(c.hard_recipients),
                stale_rate: rate(c.stale_recipients),
                group: c.group,
                events: c.events,
                recipients: c.recipients,
                hard_recipients: c.hard_recipients,
                stale_recipients: c.stale_recipients,
                sender_side: c.sender_side,
                sent: None,
                bounced_recipients: 0,
                bounced_per_1000: None,
                hard_per_1000: None,
                stale_per_1000: None,
                stale_flag: false,
                stale_p: None,
            }
        })
        .collect()
}
