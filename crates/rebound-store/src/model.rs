//! The records the store hands out besides events: [`Suppression`], [`Hint`] and their
//! statuses, and [`IngestStats`], the tally of one ingest.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// One suppressed address and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Suppression {
    /// The normalized address.
    pub address: String,
    /// The policy rule that suppressed it: `hard:<reason>`, `soft:<n>-in-<d>d`, `complaint`,
    /// `manual` or `import`.
    pub rule: String,
    /// The bounce reason of the deciding event (or a note for manual entries).
    pub reason: Option<String>,
    /// The deciding event's id (32 hex digits), when an event decided.
    pub event_id: Option<String>,
    /// The classifier rule that gave the deciding verdict.
    pub classifier_rule: Option<String>,
    /// The lead source of the deciding event.
    pub source: Option<String>,
    /// When the suppression was recorded, epoch seconds (RFC 3339 in JSON, as in CSV and text).
    #[serde(with = "rfc3339")]
    pub created_at: i64,
}

/// An API token of the HTTP service, as listed: its name and age (the token itself is never
/// stored, only its SHA-256).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiToken {
    /// The name given at creation.
    pub name: String,
    /// When it was created, epoch seconds (RFC 3339 in JSON).
    #[serde(with = "rfc3339")]
    pub created_at: i64,
}

/// Where a forward hint stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum HintStatus {
    /// Waiting for a person.
    Pending,
    /// A person accepted the new address (the CRM should apply it; nothing is sent to it).
    Accepted,
    /// A person rejected it.
    Rejected,
}

impl HintStatus {
    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            HintStatus::Pending => "pending",
            HintStatus::Accepted => "accepted",
            HintStatus::Rejected => "rejected",
        }
    }
}

impl fmt::Display for HintStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for HintStatus {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "pending" => Ok(HintStatus::Pending),
            "accepted" => Ok(HintStatus::Accepted),
            "rejected" => Ok(HintStatus::Rejected),
            other => Err(format!(
                "unknown hint status `{other}` (pending, accepted, rejected)"
            )),
        }
    }
}

/// What a forward hint suggests.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum HintKind {
    /// Same domain as the old address: a suggested address update (old → new), after review.
    Update,
    /// Another domain: flagged for review (a hostile server could name any address).
    Review,
    /// No new address: a routing verdict to review (a 551 without forward-path: mail went to a
    /// host that does not hold the mailbox, often the sender's stale route; check the domain's
    /// MX with `rebound mx` / `rebound diagnose` before suppressing). `new_address` is empty.
    Route,
    /// No new address: another verdict the classifier asks a person to review (action
    /// `review`, e.g. a suspended or filtered mailbox). `new_address` is empty.
    Verdict,
}

impl HintKind {
    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            HintKind::Update => "update",
            HintKind::Review => "review",
            HintKind::Route => "route",
            HintKind::Verdict => "verdict",
        }
    }
}

/// A forward-path a server named for an address (251/551, "has moved to"). Never followed
/// automatically.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Hint {
    /// The hint's number, for `accept` / `reject`.
    pub id: i64,
    /// The address that bounced.
    pub old_address: String,
    /// The address the server named.
    pub new_address: String,
    /// Update (same domain) or review (another domain).
    pub kind: HintKind,
    /// True when the server said it forwards itself (251).
    pub will_forward: bool,
    /// Pending, accepted or rejected.
    pub status: HintStatus,
    /// The first event that named it.
    pub event_id: String,
    /// How many distinct events named it.
    pub seen: i64,
    /// When it was first recorded, epoch seconds (RFC 3339 in JSON).
    #[serde(with = "rfc3339")]
    pub created_at: i64,
    /// When a person decided, epoch seconds (RFC 3339 in JSON, null when undecided).
    #[serde(with = "rfc3339_opt")]
    pub decided_at: Option<i64>,
}

/// A hint about to be recorded.
#[derive(Debug, Clone)]
pub(crate) struct NewHint {
    pub old_address: String,
    pub new_address: String,
    pub kind: HintKind,
    pub will_forward: bool,
    pub event_id: String,
    pub created_at: i64,
    /// How many new events of the batch named it.
    pub seen: i64,
}

/// The tally of an ingest.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct IngestStats {
    /// Events handed to the store.
    pub events: u64,
    /// Events stored for the first time.
    pub new: u64,
    /// Events that were already stored (or repeated within the run).
    pub duplicates: u64,
    /// Addresses newly suppressed.
    pub suppressed: u64,
    /// New events with sender-side verdicts (counted against the sending setup).
    pub sender_side: u64,
    /// Forward hints and review items recorded or seen again.
    pub hints: u64,
    /// New events whose verdict asks for review (action `review`): never suppressing, each
    /// recorded as a review item in the hints list.
    pub review: u64,
    /// Events the database refused (each reported in [`Skipped`]); the others were stored.
    pub skipped: u64,
}

/// An event the database refused, skipped so the rest of its batch could be stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Skipped {
    /// The event's id (32 hex digits).
    pub event_id: String,
    /// Its normalized recipient, when it has one.
    pub recipient: Option<String>,
    /// What the database said.
    pub error: String,
}

impl std::ops::AddAssign for IngestStats {
    fn add_assign(&mut self, o: Self) {
        self.events += o.events;
        self.new += o.new;
        self.duplicates += o.duplicates;
        self.suppressed += o.suppressed;
        self.sender_side += o.sender_side;
        self.hints += o.hints;
        self.review += o.review;
        self.skipped += o.skipped;
    }
}

impl HintKind {
    /// Reads a stored kind; anything unknown is treated as needing review.
    pub(crate) fn from_stored(s: &str) -> Self {
        match s {
            "update" => HintKind::Update,
            "route" => HintKind::Route,
            "verdict" => HintKind::Verdict,
            _ => HintKind::Review,
        }
    }
}

impl HintStatus {
    /// Reads a stored status; anything unknown is treated as pending.
    pub(crate) fn from_stored(s: &str) -> Self {
        s.parse().unwrap_or(HintStatus::Pending)
    }
}

/// Epoch seconds written as RFC 3339 UTC in JSON (the spelling of the CSV and text outputs);
/// read from either an RFC 3339 time or epoch seconds.
mod rfc3339 {
    use serde::{Deserialize, Deserializer, Serializer};

    #[derive(Deserialize)]
    #[serde(untagged)]
    pub(super) enum Either {
        Seconds(i64),
        Text(String),
    }

    impl Either {
        pub(super) fn seconds<E: serde::de::Error>(self) -> Result<i64, E> {
            match self {
                Either::Seconds(n) => Ok(n),
                Either::Text(t) => crate::time::parse_datetime(&t)
                    .ok_or_else(|| E::custom(format!("`{t}` is not an RFC 3339 time"))),
            }
        }
    }

    pub(super) fn serialize<S: Serializer>(t: &i64, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&crate::time::format_rfc3339(*t))
    }

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<i64, D::Error> {
        Either::deserialize(d)?.seconds()
    }
}

/// [`rfc3339`] for an optional time (null when absent).
mod rfc3339_opt {
    use super::rfc3339::Either;
    use serde::{Deserialize, Deserializer, Serializer};

    pub(super) fn serialize<S: Serializer>(t: &Option<i64>, s: S) -> Result<S::Ok, S::Error> {
        match t {
            Some(t) => s.serialize_str(&crate::time::format_rfc3339(*t)),
            None => s.serialize_none(),
        }
    }

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<i64>, D::Error> {
        Option::<Either>::deserialize(d)?
            .map(Either::seconds)
            .transpose()
    }
}
