//! [`BounceEvent`]: one recipient's outcome, normalized from whatever input reported it (a DSN
//! email, a log line, a webhook), with the reply and its classification. Its JSON form is a
//! stable contract: fields are only ever added.

use crate::classify::Classification;
use crate::reply::Reply;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// One recipient's bounce (or delivery, delay, auto-reply, complaint), normalized.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BounceEvent {
    /// Where the event was read.
    pub source: Source,
    /// The recipient address the event is about (lower-cased domain; local part as given).
    pub recipient: Option<String>,
    /// The original sender (envelope from, or the returned message's From).
    pub sender: Option<String>,
    /// When it happened, RFC 3339 (`Last-Attempt-Date`, `Arrival-Date`, the log or webhook
    /// timestamp, or the bounce's `Date`).
    pub at: Option<String>,
    /// What the server said.
    #[serde(flatten)]
    pub reply: Reply,
    /// The verdict.
    #[serde(flatten)]
    pub classification: Classification,
    /// The DSN `Action` field (RFC 3464 2.3.3: failed, delayed, delivered, relayed, expanded)
    /// or its equivalent.
    pub dsn_action: Option<String>,
    /// The Message-ID of the message that bounced.
    pub message_id: Option<String>,
    /// The host that refused or failed (`Remote-MTA`, `host … said`).
    pub remote_mta: Option<String>,
    /// The host that wrote the report (`Reporting-MTA`).
    pub reporting_mta: Option<String>,
    /// ARF feedback type (RFC 5965 3.1: abuse, fraud, …) of a complaint.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub feedback_type: Option<String>,
    /// The provider's own class of a webhook event (e.g. SES `Permanent/NoEmail`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provider_class: Option<String>,
    /// Headers of the returned message a user asked to keep (e.g. `X-Lead-Source`), by
    /// lower-cased name, plus any tags the input carried.
    #[serde(default)]
    pub tags: BTreeMap<String, String>,
}

/// Where an event was read: the file, the message within it and the recipient within that.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Source {
    /// The file path as given (`-` for standard input).
    pub path: Option<String>,
    /// 1-based number of the message (or log record) within the file.
    pub message: Option<u64>,
    /// 1-based number of the recipient within that message.
    pub index: Option<u32>,
    /// The kind of input: `dsn`, `arf`, `autoreply`, `mail` (non-standard bounce text),
    /// `log`, `webhook`, `reply`.
    pub kind: Option<String>,
    /// For a bounce email, the reader that recognised its format (`dsn`, `exim`, `qmail`,
    /// `text` for the generic reader of bounce prose, …).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reader: Option<String>,
}
