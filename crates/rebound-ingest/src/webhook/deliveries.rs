//! The sends a service's webhook reports: the events that say a message was delivered or
//! accepted for sending, which the bounce readers of each provider skip. They are the
//! denominators of bounce rates, read only when asked ([`crate::LogOptions::deliveries`] for
//! `rebound ingest`), as evidence with DSN action `delivered`.
//!
//! | provider | events | recipient, time, Message-ID |
//! | --- | --- | --- |
//! | SendGrid | `delivered`, `processed` | `email`, `timestamp`, `smtp-id` |
//! | Mailgun | `delivered`, `accepted` | `event-data.recipient`, `.timestamp`, `.message.headers.message-id` |
//! | Postmark | `RecordType: Delivery` | `Recipient`, `DeliveredAt`, `MessageID` |
//! | Amazon SES | `Delivery`, `Send` (SNS notification, raw, event publishing) | `delivery.recipients` / `mail.destination`, `delivery.timestamp` / `mail.timestamp`, `mail.messageId` |
//! | SparkPost | `delivery`, `injection` | `msys.message_event.rcpt_to`, `.timestamp`, `.message_id` |
//! | Mandrill | `send` | `msg.email`, `ts`, `msg._id` |
//!
//! A provider that reports both acceptance and delivery of a message names it the same way in
//! both, so the store counts that send once (its key is the address and Message-ID).

use super::WebhookFormat;
use super::json::Obj;
use crate::evidence::{Evidence, Record, bare_address};
use jiff::Timestamp;
use rebound_core::DsnAction;
use serde_json::Value;

/// The deliveries and acceptances a webhook body reports, with the provider of each. Malformed
/// or unknown events are skipped: the bounce reader of the same body reports what is wrong.
pub fn deliveries(body: &Value) -> Vec<(WebhookFormat, Evidence)> {
    let mut out = Vec::new();
    let items: &[Value] = match body {
        Value::Array(a) => a,
        other => std::slice::from_ref(other),
    };
    for (i, item) in items.iter().take(super::json::MAX_EVENTS).enumerate() {
        let number = u64::try_from(i + 1).unwrap_or(u64::MAX);
        if let Some(body) = ses_body(item) {
            for mut evidence in ses(&body).unwrap_or_default() {
                evidence.number = number;
                out.push((WebhookFormat::Ses, evidence));
            }
        } else if let Some((format, mut evidence)) = one(item) {
            evidence.number = number;
            out.push((format, evidence));
        }
    }
    out
}

/// An SES notification (the SNS envelope's `Message` decoded, or the body itself).
fn ses_body(item: &Value) -> Option<Value> {
    let e = Obj::of(item, "ses", "body").ok()?;
    if e.has("TopicArn") {
        return serde_json::from_str(e.str("Message").ok()??).ok();
    }
    (e.has("notificationType") || e.has("eventType")).then(|| item.clone())
}

/// The delivery one event reports, if it reports one.
fn one(item: &Value) -> Option<(WebhookFormat, Evidence)> {
    let e = Obj::of(item, "webhook", "event").ok()?;
    if let Some(data) = e.obj("event-data").ok().flatten() {
        return mailgun(data);
    }
    if let Some(msys) = e.obj("msys").ok().flatten() {
        return sparkpost(msys);
    }
    if e.str("RecordType").ok().flatten() == Some("Delivery") {
        let at = e.time("DeliveredAt").ok().flatten();
        let id = e.str("MessageID").ok().flatten();
        return delivered(e.str("Recipient").ok()??, id, at).map(|f| (WebhookFormat::Postmark, f));
    }
    if let Some(event) = e.str("event").ok().flatten() {
        if let Some(msg) = e.obj("msg").ok().flatten() {
            // Mandrill: `send` is the message leaving Mandrill.
            if event != "send" {
                return None;
            }
            let at = e.time("ts").ok().flatten();
            let id = msg.str("_id").ok().flatten();
            return delivered(msg.str("email").ok()??, id, at)
                .map(|f| (WebhookFormat::Mandrill, f));
        }
        if matches!(event, "delivered" | "processed") {
            let at = e.time("timestamp").ok().flatten();
            let id = e.str("smtp-id").ok().flatten();
            return delivered(e.str("email").ok()??, id, at).map(|f| (WebhookFormat::SendGrid, f));
        }
    }
    None
}

fn mailgun(data: Obj<'_>) -> Option<(WebhookFormat, Evidence)> {
    let event = data.str("event").ok()??;
    if !matches!(event, "delivered" | "accepted") {
        return None;
    }
    let id = data
        .obj("message")
        .ok()
        .flatten()
        .and_then(|m| m.obj("headers").ok().flatten())
        .and_then(|h| h.str("message-id").ok().flatten());
    let at = data.time("timestamp").ok().flatten();
    delivered(data.str("recipient").ok()??, id, at).map(|f| (WebhookFormat::Mailgun, f))
}

fn sparkpost(msys: Obj<'_>) -> Option<(WebhookFormat, Evidence)> {
    let m = msys.obj("message_event").ok()??;
    if !matches!(m.str("type").ok()??, "delivery" | "injection") {
        return None;
    }
    let at = m.time("timestamp").ok().flatten();
    let id = m.str("message_id").ok().flatten();
    delivered(m.str("rcpt_to").ok()??, id, at).map(|f| (WebhookFormat::SparkPost, f))
}

/// SES `Delivery` (its recipients) or `Send` (the message's destinations).
fn ses(body: &Value) -> Option<Vec<Evidence>> {
    let e = Obj::of(body, "ses", "Message").ok()?;
    let kind = e
        .str("notificationType")
        .ok()
        .flatten()
        .or_else(|| e.str("eventType").ok().flatten())?;
    let mail = e.obj("mail").ok()??;
    let id = mail.str("messageId").ok().flatten();
    let (recipients, at) = match kind {
        "Delivery" => {
            let d = e.obj("delivery").ok()??;
            (
                d.arr("recipients").ok()?,
                d.time("timestamp").ok().flatten(),
            )
        }
        "Send" => (
            mail.arr("destination").ok()?,
            mail.time("timestamp").ok().flatten(),
        ),
        _ => return None,
    };
    Some(
        recipients
            .iter()
            .filter_map(Value::as_str)
            .filter_map(|r| delivered(r, id, at))
            .collect(),
    )
}

/// The evidence of one delivery.
fn delivered(recipient: &str, message_id: Option<&str>, at: Option<Timestamp>) -> Option<Evidence> {
    Some(Evidence {
        record: Record {
            recipient: Some(bare_address(recipient)?),
            action: Some(DsnAction::Delivered),
            last_attempt: at,
            ..Record::default()
        },
        message_id: message_id.and_then(bare_address),
        index: 1,
        ..Evidence::default()
    })
}
