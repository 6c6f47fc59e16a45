//! Amazon SES notifications delivered by e-mail (SNS "AWS Notification Message"): a JSON
//! object with `notificationType` Bounce, Complaint or Delivery, and per-recipient
//! `bouncedRecipients` (emailAddress, action, status, diagnosticCode),
//! `complainedRecipients` or `delivery.recipients`. SES bounces sent as RFC 3464 DSNs are
//! read by the generic DSN reader. A notification longer than a mail line may be broken by
//! the MTA that carried it (Sendmail writes `!`, a newline and a space at the 990th
//! character); those breaks are removed before the JSON is read.

use crate::mail::{Bounce, Input, Record};
use memchr::memmem;
use rebound_core::{DsnAction, Reader, SourceKind};
use serde_json::Value;
use std::sync::LazyLock;

/// The notification's type field, searched with a finder built once (every message is
/// tried).
static NOTIFICATION_TYPE: LazyLock<memmem::Finder<'static>> =
    LazyLock::new(|| memmem::Finder::new("\"notificationType\""));

/// The body holds an SES notification.
pub fn detect(input: &Input<'_>) -> bool {
    NOTIFICATION_TYPE.find(input.text.as_bytes()).is_some()
}

/// The first JSON value of a text.
fn first_value(json: &str) -> Option<Value> {
    serde_json::Deserializer::from_str(json)
        .into_iter::<Value>()
        .next()?
        .ok()
}

/// One record per recipient of the notification.
pub fn parse(input: &Input<'_>) -> Option<Bounce> {
    let start = input.text.find('{')?;
    let json = &input.text[start..];
    let v = first_value(json).or_else(|| first_value(&json.replace("!\n ", "")))?;
    // SNS may wrap the SES object as a JSON string in `Message`.
    let v = match v.get("Message").and_then(Value::as_str) {
        Some(inner) => serde_json::from_str(inner).ok()?,
        None => v,
    };
    let kind = v
        .get("notificationType")
        .or_else(|| v.get("eventType"))?
        .as_str()?;
    let mut bounce = Bounce::new(SourceKind::Mail, Reader::AmazonSes);
    let s = |x: &Value, k: &str| x.get(k).and_then(Value::as_str).map(str::to_owned);
    match kind {
        "Bounce" => {
            let b = v.get("bounce")?;
            bounce.reporting_mta =
                s(b, "reportingMTA").map(|m| m.trim_start_matches("dsn;").trim().to_string());
            for r in b.get("bouncedRecipients")?.as_array()? {
                bounce.records.push(Record {
                    recipient: s(r, "emailAddress"),
                    action: s(r, "action").as_deref().and_then(DsnAction::from_field),
                    status: s(r, "status").and_then(|st| crate::mail::dsn::status_in(&st)),
                    diagnostic: s(r, "diagnosticCode").or_else(|| s(b, "bounceSubType")),
                    ..Record::default()
                });
            }
        }
        "Complaint" => {
            bounce.kind = SourceKind::Arf;
            let c = v.get("complaint")?;
            for r in c.get("complainedRecipients")?.as_array()? {
                bounce.records.push(Record {
                    recipient: s(r, "emailAddress"),
                    feedback_type: s(c, "complaintFeedbackType").or_else(|| Some("abuse".into())),
                    ..Record::default()
                });
            }
        }
        "Delivery" => {
            let d = v.get("delivery")?;
            for r in d.get("recipients")?.as_array()? {
                bounce.records.push(Record {
                    recipient: r.as_str().map(str::to_owned),
                    action: Some(DsnAction::Delivered),
                    diagnostic: s(d, "smtpResponse"),
                    remote_mta: s(d, "remoteMtaIp"),
                    ..Record::default()
                });
            }
        }
        _ => return None,
    }
    let mail = v.get("mail");
    bounce.sender = mail.and_then(|m| s(m, "source"));
    bounce.message_id = mail.and_then(|m| s(m, "messageId"));
    Some(bounce)
}
