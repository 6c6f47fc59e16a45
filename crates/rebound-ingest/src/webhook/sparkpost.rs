//! SparkPost event webhooks: a JSON array of `{"msys": {"<kind>_event": {…}}}`. Bounces
//! (`bounce`, `out_of_band`), delays (`delay`) and rejections (`policy_rejection`,
//! `generation_rejection`, `generation_failure`) are read: `raw_reason` is the server's
//! reply, `bounce_class` SparkPost's class (support docs, "Bounce classification codes"):
//! kept as the provider class `NN Name`; class 25 (Admin Failure, SparkPost's own policy) is
//! stated as `suppressed`, 60 and 100 (auto-reply, challenge-response) as `vacation`.
//! `spam_complaint` events are complaints (reason `feedback`, `fbtype` as the feedback type,
//! class `spam_complaint/<fbtype>`). Metadata ([`super::meta`]): `rcpt_meta` as
//! `meta.<key>`, `rcpt_tags` as `labels`, `campaign_id` as `campaign`, `subaccount_id` as
//! `subaccount`.

use super::json::Obj;
use super::meta::Meta;
use super::{WebhookError, batch, complaint, fill_from_class, nth};
use crate::evidence::{Evidence, Record, bare_address};
use rebound_core::DsnAction;
use serde_json::Value;

const P: &str = "sparkpost";

/// A SparkPost bounce class: number, name, permanence, RFC 3463 subject and detail.
type Class = (u64, &'static str, Option<bool>, (u16, u16));

/// SparkPost's bounce classes.
#[rustfmt::skip]
const CLASSES: &[Class] = &[
    (1, "Undetermined", None, (0, 0)),
    (10, "Invalid Recipient", Some(true), (1, 1)),
    (20, "Soft Bounce", Some(false), (0, 0)),
    (21, "DNS Failure", Some(false), (4, 4)),
    (22, "Mailbox Full", Some(false), (2, 2)),
    (23, "Too Large", Some(false), (3, 4)),
    (24, "Timeout", Some(false), (4, 7)),
    (25, "Admin Failure", Some(true), (0, 0)),
    (30, "Generic Bounce: No RCPT", Some(true), (0, 0)),
    (40, "Generic Bounce", Some(false), (0, 0)),
    (50, "Mail Block", Some(true), (7, 1)),
    (51, "Spam Block", Some(true), (7, 1)),
    (52, "Spam Content", Some(true), (7, 1)),
    (53, "Prohibited Attachment", Some(true), (7, 1)),
    (54, "Relaying Denied", Some(true), (7, 1)),
    (60, "Auto-Reply", None, (0, 0)),
    (70, "Transient Failure", Some(false), (0, 0)),
    (80, "Subscribe", None, (0, 0)),
    (90, "Unsubscribe", None, (0, 0)),
    (100, "Challenge-Response", None, (0, 0)),
];

/// Whether the body is a SparkPost event batch.
pub fn detect(body: &Value) -> bool {
    body.as_array()
        .and_then(|a| a.first())
        .is_some_and(|e| e.get("msys").is_some())
}

/// Reads one SparkPost batch.
pub fn parse(body: &Value, out: &mut Vec<Evidence>) -> Result<(), WebhookError> {
    for (i, item) in batch(body)?.iter().enumerate() {
        let msys = Obj::of(item, P, "event")?.req_obj("msys")?;
        let Some(event) = ["message_event", "gen_event", "relay_event"]
            .iter()
            .find_map(|k| msys.raw(k))
        else {
            continue;
        };
        let e = Obj::of(event, P, "msys event")?;
        let kind = e.req_str("type")?;
        if kind == "spam_complaint" {
            out.push(spam_complaint(e, i)?);
            continue;
        }
        let delayed = match kind {
            "bounce"
            | "out_of_band"
            | "policy_rejection"
            | "generation_rejection"
            | "generation_failure" => false,
            "delay" => true,
            _ => continue,
        };
        // Class numbers are small whole numbers.
        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
        let number = e.num("bounce_class")?.map(|c| c.max(0.0) as u64);
        let known = number.and_then(|n| CLASSES.iter().find(|c| c.0 == n));
        if matches!(number, Some(80 | 90)) {
            continue;
        }
        let (permanent, sd) = match known {
            Some(&(_, _, p, sd)) => (p, sd),
            None => (Some(!delayed), (0, 0)),
        };
        let class = match (number, known) {
            (Some(n), Some(c)) => format!("{n} {}", c.1),
            (Some(n), None) => n.to_string(),
            (None, _) => kind.to_string(),
        };
        let mut record = Record {
            recipient: bare_address(e.str("rcpt_to")?.or(e.str("raw_rcpt_to")?).unwrap_or("")),
            diagnostic: e
                .str("raw_reason")?
                .or(e.str("reason")?)
                .map(str::to_string),
            last_attempt: e.time("timestamp")?,
            ..Record::default()
        };
        fill_from_class(&mut record, permanent, sd, &format!("SparkPost {class}"));
        let status_class = if delayed { 4 } else { 5 };
        record.action = Some(DsnAction::for_class(status_class));
        let mut f = Evidence {
            record,
            sender: e
                .str("friendly_from")?
                .or(e.str("msg_from")?)
                .and_then(bare_address),
            class: Some(class),
            number: u64::from(nth(i)),
            index: 1,
            ..Evidence::default()
        };
        if let Some(id) = e.str("message_id")? {
            f.tags.insert("sparkpost_message_id".into(), id.to_string());
        }
        metadata(e).apply_one(&mut f);
        out.push(f);
    }
    Ok(())
}

/// A `spam_complaint` event: a feedback-loop report; SparkPost's `fbtype` (`abuse`, …) is
/// the complaint type.
fn spam_complaint(e: Obj<'_>, i: usize) -> Result<Evidence, WebhookError> {
    let mut record = Record {
        recipient: bare_address(e.str("rcpt_to")?.or(e.str("raw_rcpt_to")?).unwrap_or("")),
        last_attempt: e.time("timestamp")?,
        ..Record::default()
    };
    let fbtype = e.str("fbtype")?;
    complaint(
        &mut record,
        fbtype.unwrap_or("spam_complaint"),
        "SparkPost spam complaint",
    );
    let mut f = Evidence {
        record,
        sender: e
            .str("friendly_from")?
            .or(e.str("msg_from")?)
            .and_then(bare_address),
        reporting_mta: e.str("report_by")?.map(str::to_string),
        class: Some(format!("spam_complaint/{}", fbtype.unwrap_or("none"))),
        number: u64::from(nth(i)),
        index: 1,
        ..Evidence::default()
    };
    if let Some(id) = e.str("message_id")? {
        f.tags.insert("sparkpost_message_id".into(), id.to_string());
    }
    metadata(e).apply_one(&mut f);
    Ok(f)
}

/// The metadata of an event.
fn metadata(e: Obj<'_>) -> Meta {
    let mut meta = Meta::default();
    meta.user(e.raw("rcpt_meta"));
    meta.field("labels", e.raw("rcpt_tags"));
    meta.field("campaign", e.raw("campaign_id"));
    meta.field("subaccount", e.raw("subaccount_id"));
    meta
}
