//! Amazon SES notifications: the SNS `Notification` envelope (the SES event JSON-encoded in
//! `Message`), the raw notification (`notificationType`) and configuration-set event
//! publishing (`eventType`). `Bounce` gives one event per `bouncedRecipients` entry,
//! `DeliveryDelay` one per `delayedRecipients` entry. The provider class is
//! `bounceType/bounceSubType` (`Permanent/NoEmail`); SES's suppression-list subtypes are
//! stated as `suppressed` (SES did not send). `Complaint` gives one `feedback` event per
//! `complainedRecipients` entry (bounce type `none`), with SES's `complaintFeedbackType`
//! (`abuse`, …) kept as `feedback_type` and the class `Complaint/<type>`. Metadata
//! ([`super::meta`]): the message tags of event publishing (`mail.tags`, each a list of
//! strings, `ses:configuration-set` and the other `ses:` tags among them) as `meta.<key>`,
//! and the original headers (`mail.headers`, when the notification includes them) as
//! `header.<lower-cased name>`.

use super::json::{self, Obj};
use super::meta::Meta;
use super::{WebhookError, fill_from_class, nth, status};
use crate::evidence::{Evidence, Record, bare_address};
use crate::time::rfc3339;
use rebound_core::DsnAction;
use serde_json::Value;

const P: &str = "ses";

/// Whether the body is an SES notification or its SNS envelope.
pub fn detect(body: &Value) -> bool {
    let has = |k| body.get(k).is_some();
    (has("Type") && has("Message") && has("TopicArn"))
        || has("notificationType")
        || (has("eventType") && has("mail"))
}

/// The status RFC 3463 gives the subtype's condition (subject, detail).
fn subtype_status(sub: &str) -> (u16, u16) {
    match sub {
        "NoEmail" => (1, 1),
        "MailboxFull" => (2, 2),
        "MessageTooLarge" => (3, 4),
        "ContentRejected" | "AttachmentRejected" => (6, 0),
        _ => (0, 0),
    }
}

/// Reads one SES body.
pub fn parse(body: &Value, out: &mut Vec<Evidence>) -> Result<(), WebhookError> {
    let o = Obj::of(body, P, "body")?;
    if o.has("Message") && o.has("Type") {
        let inner = json::parse(o.req_str("Message")?.as_bytes())?;
        if inner.get("Message").is_some() {
            return Err(json::wrong(
                P,
                "Message",
                "an SES event, not another envelope",
            ));
        }
        return parse(&inner, out);
    }
    let kind = match o.str("notificationType")? {
        Some(k) => k,
        None => o.req_str("eventType")?,
    };
    let mail = o.obj("mail")?;
    let sender = mail
        .map(|m| m.str("source"))
        .transpose()?
        .flatten()
        .and_then(bare_address);
    let common_id = match mail.map(|m| m.obj("commonHeaders")).transpose()?.flatten() {
        Some(c) => c.str("messageId")?,
        None => None,
    };
    let ses_id = mail.map(|m| m.str("messageId")).transpose()?.flatten();
    let mut meta = Meta::default();
    if let Some(m) = mail {
        meta.user(m.raw("tags"));
        meta.headers(m.raw("headers"));
    }
    let (detail, recipients_key, class, permanent, action) = match kind {
        "Bounce" => {
            let b = o.req_obj("bounce")?;
            let t = b.str("bounceType")?.unwrap_or("Undetermined");
            let sub = b.str("bounceSubType")?.unwrap_or("Undetermined");
            let permanent = match t {
                "Permanent" => Some(true),
                "Transient" => Some(false),
                _ => None,
            };
            (
                b,
                "bouncedRecipients",
                format!("{t}/{sub}"),
                permanent,
                "failed",
            )
        }
        "Complaint" => {
            let c = o.req_obj("complaint")?;
            let t = c.str("complaintFeedbackType")?.unwrap_or("none");
            (
                c,
                "complainedRecipients",
                format!("Complaint/{t}"),
                None,
                "",
            )
        }
        "DeliveryDelay" => {
            let d = o.req_obj("deliveryDelay")?;
            let t = d.str("delayType")?.unwrap_or("Undetermined");
            (
                d,
                "delayedRecipients",
                format!("DeliveryDelay/{t}"),
                Some(false),
                "delayed",
            )
        }
        _ => return Ok(()),
    };
    let sub = class.split('/').nth(1).unwrap_or("");
    let complaint = kind == "Complaint";
    let feedback_type = if complaint {
        detail.str("complaintFeedbackType")?.map(str::to_string)
    } else {
        None
    };
    let at = detail.str("timestamp")?.and_then(rfc3339);
    let reporting_mta = detail
        .str("reportingMTA")?
        .map(|m| m.rsplit(';').next().unwrap_or(m).trim().to_string());
    for (i, r) in detail.arr(recipients_key)?.iter().enumerate() {
        let r = Obj::of(r, P, recipients_key)?;
        let mut record = Record {
            recipient: bare_address(r.req_str("emailAddress")?),
            action: r
                .str("action")?
                .or(Some(action).filter(|a| !a.is_empty()))
                .and_then(DsnAction::from_field),
            status: status(r.str("status")?),
            diagnostic: r.str("diagnosticCode")?.map(str::to_string),
            last_attempt: at,
            ..Record::default()
        };
        if complaint {
            record.feedback_type.clone_from(&feedback_type);
        }
        fill_from_class(
            &mut record,
            permanent,
            subtype_status(sub),
            &format!("Amazon SES {class}"),
        );
        let mut f = Evidence {
            record,
            sender: sender.clone(),
            message_id: common_id.or(ses_id).and_then(bare_address),
            reporting_mta: reporting_mta.clone(),
            class: Some(class.clone()),
            number: 1,
            index: nth(i),
            ..Evidence::default()
        };
        if let Some(id) = ses_id {
            f.tags.insert("ses_message_id".into(), id.to_string());
        }
        meta.apply_one(&mut f);
        out.push(f);
    }
    Ok(())
}
