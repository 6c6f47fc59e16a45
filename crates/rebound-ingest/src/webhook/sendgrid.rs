//! SendGrid Event Webhook batches (a JSON array of events). `bounce` events (with `type`
//! `bounce`, `blocked` or `expired`) carry the server's text in `reason` and the status in
//! `status`; `deferred` events carry `response`; `dropped` events say why SendGrid did not
//! send (`Bounced Address`, `Unsubscribed Address`, `Spam Reporting Address`: stated as
//! `suppressed`); `spamreport` events are complaints (reason `feedback`). The provider class
//! is `event/type`, `dropped/reason` or `spamreport`.
//!
//! Metadata ([`super::meta`]): custom arguments are the event's top-level keys that are not
//! among SendGrid's own fields ([`STANDARD`], from SendGrid's Event Webhook reference): each
//! becomes `meta.<key>`, as do the entries of a legacy `unique_args` object; `category` (a
//! string or a list) becomes `labels`, `marketing_campaign_name` becomes `campaign`.

use super::json::Obj;
use super::meta::Meta;
use super::{WebhookError, batch, complaint, fill_from_class, nth, status};
use crate::evidence::bare_address;
use crate::evidence::{Evidence, Record};
use rebound_core::DsnAction;
use serde_json::Value;

const P: &str = "sendgrid";

/// The fields SendGrid itself writes into events (its Event Webhook reference: delivery,
/// engagement and account events); every other top-level key is a custom argument.
#[rustfmt::skip]
pub const STANDARD: &[&str] = &[
    "email", "timestamp", "event", "smtp-id", "sg_event_id", "sg_message_id", "sg_user_id",
    "sg_template_id", "sg_template_name", "sg_machine_open", "sg_content_type", "category",
    "reason", "status", "type", "response", "attempt", "ip", "tls", "cert_err", "useragent",
    "url", "url_offset", "asm_group_id", "pool", "send_at", "bounce_classification",
    "marketing_campaign_id", "marketing_campaign_name", "marketing_campaign_version",
    "marketing_campaign_split_id", "mc_stats", "singlesend_id", "singlesend_name",
    "template_id", "template_version_id", "template_hash", "phase_id", "post_type",
    "newsletter", "unique_args", "ab_variation", "ab_phase_id",
];

/// Whether the body is a SendGrid event batch.
pub fn detect(body: &Value) -> bool {
    body.as_array().and_then(|a| a.first()).is_some_and(|e| {
        e.get("sg_event_id").is_some() || (e.get("event").is_some() && e.get("email").is_some())
    })
}

/// Reads one SendGrid batch.
pub fn parse(body: &Value, out: &mut Vec<Evidence>) -> Result<(), WebhookError> {
    for (i, e) in batch(body)?.iter().enumerate() {
        let e = Obj::of(e, P, "event")?;
        let event = e.req_str("event")?;
        let (action, permanent, class, text) = match event {
            "bounce" => {
                let t = e.str("type")?.unwrap_or("bounce");
                // `expired`: retries ran out after temporary failures.
                (
                    "failed",
                    Some(t != "expired"),
                    format!("bounce/{t}"),
                    e.str("reason")?,
                )
            }
            "deferred" => (
                "delayed",
                Some(false),
                "deferred".to_string(),
                e.str("response")?,
            ),
            "dropped" => {
                let reason = e.str("reason")?;
                (
                    "failed",
                    Some(true),
                    format!("dropped/{}", reason.unwrap_or("")),
                    reason,
                )
            }
            "spamreport" => ("", None, "spamreport".to_string(), None),
            _ => continue,
        };
        let mut record = Record {
            recipient: bare_address(e.req_str("email")?),
            action: DsnAction::from_field(action),
            status: status(e.str("status")?),
            diagnostic: text.map(str::to_string),
            last_attempt: e.time("timestamp")?,
            ..Record::default()
        };
        if event == "spamreport" {
            complaint(&mut record, event, "SendGrid spam report");
        } else {
            fill_from_class(&mut record, permanent, (0, 0), &format!("SendGrid {class}"));
        }
        let mut f = Evidence {
            record,
            message_id: e.str("smtp-id")?.and_then(bare_address),
            class: Some(class),
            number: u64::from(nth(i)),
            index: 1,
            ..Evidence::default()
        };
        if let Some(id) = e.str("sg_message_id")? {
            f.tags.insert("sg_message_id".into(), id.to_string());
        }
        let mut meta = Meta::default();
        for (key, value) in e.entries() {
            if !STANDARD.contains(&key) && !key.starts_with("sg_") {
                meta.put(&format!("{}{key}", super::meta::META), value);
            }
        }
        if let Some(unique) = e.raw("unique_args") {
            meta.user(Some(unique));
        }
        meta.field("labels", e.raw("category"));
        meta.field("campaign", e.raw("marketing_campaign_name"));
        meta.apply_one(&mut f);
        out.push(f);
    }
    Ok(())
}
