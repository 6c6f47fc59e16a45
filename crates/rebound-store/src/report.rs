//! The audit report: events grouped by lead source, recipient domain, reason, day, sender
//! domain, campaign or any tag, with the rates that show which source produces stale
//! addresses.
//!
//! Per group: `events`; `recipients` (distinct); `hard_rate` = recipients with at least one
//! hard bounce / recipients; `stale_rate` = recipients with at least one `userunknown`,
//! `hasmoved` or `suspend` event / recipients; `sender_side` = events with a sender-side
//! verdict (bounce type `block`), which say nothing about the address; the top reasons. By
//! source, domain and day, also the sends and the rates per 1,000 sent ([`crate::rates`]).

use serde::{Serialize, Serializer};
use std::str::FromStr;

/// The longest tag name `--by tag:KEY` takes, in bytes (the longest a service's metadata
/// key is kept, with room for its namespace).
pub const MAX_TAG_NAME: usize = 256;

/// The tags `--by campaign` reads, first present wins: a service's own campaign field, then
/// the sender's metadata key `campaign`.
pub const CAMPAIGN_TAGS: [&str; 2] = ["campaign", "meta.campaign"];

/// The reasons that mark an address as stale.
pub const STALE_REASONS: [&str; 3] = ["userunknown", "hasmoved", "suspend"];

/// How many reasons a report row lists.
pub const TOP_REASONS: usize = 3;

/// What a report groups by.
#[derive(Debug, Clone, PartialEq, Eq)]
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
    /// The campaign: the first of [`CAMPAIGN_TAGS`] an event has (`(none)` when none).
    Campaign,
    /// The text of one tag (`(none)` when an event lacks it): `tag:KEY`.
    Tag(TagName),
}

/// The tag a report groups by: a name of at most [`MAX_TAG_NAME`] bytes without control
/// characters, kept with its `tag:` prefix as the wire name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TagName(String);

impl TagName {
    /// The tag's name (without `tag:`).
    pub fn name(&self) -> &str {
        self.0.strip_prefix("tag:").unwrap_or(&self.0)
    }
}

impl Serialize for Grouping {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

/// The joins that bring the tags `names` to each row of `events` (as `t0`, `t1`, …), and
/// the expression of the first of them present; each name is quoted as an SQL string literal
/// (its quotes doubled; names hold no control characters, which [`Grouping::from_str`]
/// checks). A join rather than a subquery per row: PostgreSQL hashes it.
fn tag_sql(names: &[&str]) -> (String, String) {
    let joins: Vec<String> = names
        .iter()
        .enumerate()
        .map(|(i, n)| {
            format!(
                " LEFT JOIN event_tags AS t{i} ON t{i}.event_id = events.id AND t{i}.name = '{}'",
                n.replace('\'', "''")
            )
        })
        .collect();
    let values: Vec<String> = (0..names.len()).map(|i| format!("t{i}.value")).collect();
    (
        joins.concat(),
        format!("COALESCE({}, '(none)')", values.join(", ")),
    )
}

impl Grouping {
    /// The SQL of the group, the same on both backends: the joins it needs after `FROM
    /// events` (empty for a column of `events`), and its expression.
    pub(crate) fn sql(&self) -> (String, String) {
        let column = |c: &str| (String::new(), c.to_string());
        match self {
            Grouping::Source => column("COALESCE(lead_source, '(none)')"),
            Grouping::Domain => column("COALESCE(domain, '(none)')"),
            Grouping::Reason => column("reason"),
            Grouping::Day => column("day"),
            Grouping::Sender => column("COALESCE(sender_domain, '(none)')"),
            Grouping::Campaign => tag_sql(&CAMPAIGN_TAGS),
            Grouping::Tag(tag) => tag_sql(&[tag.name()]),
        }
    }

    /// The wire name (`tag:KEY` for a tag).
    pub fn as_str(&self) -> &str {
        match self {
            Grouping::Source => "source",
            Grouping::Domain => "domain",
            Grouping::Reason => "reason",
            Grouping::Day => "day",
            Grouping::Sender => "sender",
            Grouping::Campaign => "campaign",
            Grouping::Tag(tag) => &tag.0,
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
            "campaign" => Ok(Grouping::Campaign),
            _ => {
                let name = s
                    .trim()
                    .get(..4)
                    .filter(|p| p.eq_ignore_ascii_case("tag:"))
                    .map(|_| &s.trim()[4..])
                    .ok_or_else(|| {
                        format!(
                            "unknown grouping `{}` (source, domain, reason, day, sender, campaign, \
                             tag:KEY)",
                            s.trim()
                        )
                    })?;
                if name.is_empty() {
                    return Err("`tag:` needs a tag name, e.g. tag:meta.lead_source".into());
                }
                if name.len() > MAX_TAG_NAME {
                    return Err(format!("tag name over {MAX_TAG_NAME} bytes"));
                }
                if name.chars().any(char::is_control) {
                    return Err("a tag name cannot hold control characters".into());
                }
                Ok(Grouping::Tag(TagName(format!("tag:{name}"))))
            }
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
pub(crate) fn counts_sql(by: &Grouping) -> String {
    let stale = STALE_REASONS.map(|r| format!("'{r}'")).join(", ");
    let (joins, g) = by.sql();
    format!(
        "SELECT g, CAST(COUNT(*) AS BIGINT), CAST(COUNT(DISTINCT recipient) AS BIGINT), \
         CAST(COUNT(DISTINCT CASE WHEN bounce_type = 'hard' THEN recipient END) AS BIGINT), \
         CAST(COUNT(DISTINCT CASE WHEN reason IN ({stale}) THEN recipient END) AS BIGINT), \
         CAST(SUM(CASE WHEN bounce_type = 'block' THEN 1 ELSE 0 END) AS BIGINT) \
         FROM (SELECT {g} AS g, recipient, bounce_type, reason FROM events{joins} \
         WHERE at_unix >= $1) AS e GROUP BY g ORDER BY 2 DESC, 1"
    )
}

/// The per-group reason query, with `$1` the lower time bound.
pub(crate) fn reasons_sql(by: &Grouping) -> String {
    let (joins, g) = by.sql();
    format!(
        "SELECT g, reason, CAST(COUNT(*) AS BIGINT) \
         FROM (SELECT {g} AS g, reason FROM events{joins} WHERE at_unix >= $1) AS e \
         GROUP BY 1, 2 ORDER BY 1, 3 DESC, 2"
    )
}

/// The query of distinct recipients with a failure per group, with `$1` the lower time bound.
pub(crate) fn bounced_sql(by: &Grouping) -> String {
    let (joins, g) = by.sql();
    format!(
        "SELECT {g} AS g, CAST(COUNT(DISTINCT recipient) AS BIGINT) FROM events{joins} \
         WHERE at_unix >= $1 AND bounce_type <> 'none' GROUP BY 1"
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
                events: c.events,
                recipients: c.recipients,
                hard_recipients: c.hard_recipients,
                stale_recipients: c.stale_recipients,
                sender_side: c.sender_side,
                // The send columns are filled in later, where there are sends.
                ..ReportRow::empty(c.group)
            }
        })
        .collect()
}
