//! Mailgun webhooks (2018+): `{"signature": {…}, "event-data": {…}}`. `failed` events are
//! read: `severity` permanent or temporary, Mailgun's `reason` (`bounce`, `generic`,
//! `greylisted`, `suppress-bounce`, …) and the server's reply in `delivery-status`
//! (`code`, `enhanced-code`, `message`, `description`). Mailgun's pseudo-codes 605/606/607
//! ("not delivering to a previously bounced / unsubscribed / complained address") and the
//! `suppress-*` reasons are stated as `suppressed`. The provider class is `severity/reason`.
//! `complained` events are complaints (reason `feedback`, class `complained`). Metadata:
//! `user-variables` as `meta.<key>`, `tags` as `labels` ([`super::meta`]).

use super::json::Obj;
use super::meta::Meta;
use super::{WebhookError, complaint, fill_from_class, status};
use crate::evidence::{Evidence, Record, bare_address};
use rebound_core::DsnAction;
use serde_json::Value;

const P: &str = "mailgun";

/// Whether the body is a Mailgun webhook.
pub fn detect(body: &Value) -> bool {
    body.get("event-data").is_some()
}

/// Reads one Mailgun webhook.
pub fn parse(body: &Value, out: &mut Vec<Evidence>) -> Result<(), WebhookError> {
    let ed = Obj::of(body, P, "body")?.req_obj("event-data")?;
    let event = ed.req_str("event")?;
    if event == "complained" {
        return parse_complaint(ed, out);
    }
    if !matches!(event, "failed" | "bounced" | "dropped") {
        return Ok(());
    }
    let severity = ed.str("severity")?.unwrap_or("permanent");
    let reason = ed.str("reason")?.unwrap_or("");
    let permanent = severity != "temporary";
    let ds = ed.obj("delivery-status")?;
    let (mut code, mut enhanced, mut message, mut remote) = (None, None, None, None);
    if let Some(ds) = ds {
        code = ds.num("code")?.filter(|c| (100.0..1000.0).contains(c));
        enhanced = ds.str("enhanced-code")?;
        message = ds.str("message")?.or(ds.str("description")?);
        remote = ds.str("mx-host")?.map(str::to_string);
    }
    let pseudo = code.is_some_and(|c| c >= 600.0);
    let diagnostic = match (code, message) {
        (Some(c), Some(m)) if !pseudo => Some(format!(
            "{c} {}{m}",
            enhanced.map(|e| format!("{e} ")).unwrap_or_default()
        )),
        (_, Some(m)) => Some(m.to_string()),
        _ => None,
    };
    // Mailgun's own codes of 600 and above say it did not send (605: a previously bounced
    // address, 606: unsubscribed, 607: complained); the class carries them.
    let class = match code {
        Some(c) if pseudo => format!("{severity}/{reason}/{c}"),
        _ => format!("{severity}/{reason}"),
    };
    let mut record = Record {
        recipient: bare_address(ed.req_str("recipient")?),
        action: Some(DsnAction::for_class(if permanent { 5 } else { 4 })),
        status: status(enhanced),
        diagnostic,
        remote_mta: remote,
        last_attempt: ed.time("timestamp")?,
        ..Record::default()
    };
    fill_from_class(
        &mut record,
        Some(permanent),
        (0, 0),
        &format!("Mailgun {class}"),
    );
    push(out, ed, record, class)
}

/// A `complained` event: the recipient reported the message as spam.
fn parse_complaint(ed: Obj<'_>, out: &mut Vec<Evidence>) -> Result<(), WebhookError> {
    let mut record = Record {
        recipient: bare_address(ed.req_str("recipient")?),
        last_attempt: ed.time("timestamp")?,
        ..Record::default()
    };
    complaint(&mut record, "complained", "Mailgun spam complaint");
    push(out, ed, record, "complained".to_string())
}

/// The finding of an event: the record and what the event says of the message.
fn push(
    out: &mut Vec<Evidence>,
    ed: Obj<'_>,
    record: Record,
    class: String,
) -> Result<(), WebhookError> {
    let headers = ed
        .obj("message")?
        .map(|m| m.obj("headers"))
        .transpose()?
        .flatten();
    let mut f = Evidence {
        record,
        sender: ed
            .obj("envelope")?
            .map(|e| e.str("sender"))
            .transpose()?
            .flatten()
            .and_then(bare_address),
        message_id: headers
            .map(|h| h.str("message-id"))
            .transpose()?
            .flatten()
            .and_then(bare_address),
        class: Some(class),
        number: 1,
        index: 1,
        ..Evidence::default()
    };
    if let Some(id) = ed.str("id")? {
        f.tags.insert("mailgun_event_id".into(), id.to_string());
    }
    let mut meta = Meta::default();
    meta.user(ed.raw("user-variables"));
    meta.field("labels", ed.raw("tags"));
    meta.apply_one(&mut f);
    out.push(f);
    Ok(())
}
