//! [`Finding`]: what one log line or webhook record says about one recipient, before
//! classification, and its conversion into a [`BounceEvent`]. Shared by every log and
//! webhook reader so they all give the same event shape as bounce emails: the evidence is a
//! [`Record`] like a DSN's, and [`crate::event::reply_of`] / [`crate::event::stated_verdict`]
//! turn it into a reply and a verdict exactly as they do for mail.

use crate::event::{reply_of, stated_verdict};
use crate::mail::Record;
use rebound_core::{BounceEvent, Classifier, Source};
use std::collections::BTreeMap;

/// One recipient's outcome as a log line or a webhook record states it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Finding {
    /// The per-recipient evidence (recipient, action, status, diagnostic, remote MTA, time,
    /// and a reason when the input states one itself).
    pub record: Record,
    /// The rule id reported when `record.reason` is stated by the input (`log.expired`,
    /// `webhook.suppressed`, …).
    pub rule: Option<&'static str>,
    /// The envelope sender.
    pub sender: Option<String>,
    /// The Message-ID of the message.
    pub message_id: Option<String>,
    /// The host that wrote the report.
    pub reporting_mta: Option<String>,
    /// The provider's own class (`Permanent/General`, `hard_bounce/bad_mailbox`, …).
    pub provider_class: Option<String>,
    /// Tags the input carried (`mta`, `queue_id`, `provider`).
    pub tags: BTreeMap<String, String>,
    /// 1-based line (logs) or record (webhooks) number.
    pub number: u64,
    /// 1-based recipient number within that line or record.
    pub index: u32,
}

impl Finding {
    /// Classifies the finding into an event of `kind` (`log` or `webhook`) read from `path`.
    pub fn into_event(
        self,
        kind: &str,
        path: Option<&str>,
        classifier: &Classifier,
    ) -> BounceEvent {
        let reply = reply_of(&self.record);
        let classification = match self.record.reason {
            Some(reason) => stated_verdict(reason, self.rule.unwrap_or("log.stated"), &reply),
            None => classifier.classify(&reply),
        };
        let record = self.record;
        BounceEvent {
            source: Source {
                path: path.map(str::to_string),
                message: Some(self.number),
                index: Some(self.index.max(1)),
                kind: Some(kind.to_string()),
                reader: None,
            },
            recipient: record.recipient,
            sender: self.sender,
            at: record.last_attempt,
            remote_mta: record.remote_mta.or_else(|| reply.remote_host.clone()),
            reply,
            classification,
            dsn_action: record.action,
            message_id: self.message_id,
            reporting_mta: self.reporting_mta,
            feedback_type: record.feedback_type,
            provider_class: self.provider_class,
            tags: self.tags,
        }
    }
}

/// An address without its angle brackets and white space; `None` when empty (`<>`).
pub fn bare_address(raw: &str) -> Option<String> {
    let a = raw
        .trim()
        .trim_start_matches('<')
        .trim_end_matches('>')
        .trim();
    (!a.is_empty()).then(|| a.to_string())
}

/// The DSN action for a failure of status class `class` (RFC 3464 2.3.3).
pub fn action_for_class(class: u8) -> &'static str {
    if class == 4 { "delayed" } else { "failed" }
}
