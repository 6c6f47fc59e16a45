//! SendGrid Event Webhook batches (a JSON array of events). `bounce` events (with `type`
//! `bounce`, `blocked` or `expired`) carry the server's text in `reason` and the status in
//! `status`; `deferred` events carry `response`; `dropped` events say why SendGrid did not
//! send (`Bounced Address`, `Unsubscribed Address`, `Spam Reporting Address`: stated as
//! `suppressed`); `spamreport` events are complaints (reason `feedback`). The provider class
//! is `event/type`, `dropped/reason` or `spamreport`.

use super::json::Obj;
use super::{WebhookError, batch, complaint, fill_from_class, nth, status};
use crate::evidence::bare_address;
use crate::evidence::{Evidence, Record};
use rebound_core::DsnAction;
use serde_json::Value;

const P: &str = "sendgrid";

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
        out.push(f);
    }
    Ok(())
}
