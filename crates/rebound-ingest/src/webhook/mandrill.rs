//! Mandrill (Mailchimp Transactional) webhooks: a JSON array of events, posted form-encoded
//! as the `mandrill_events` field (both the raw array and the form body are read).
//! `hard_bounce`, `soft_bounce` and `deferral` events carry the server's reply in `msg.diag`
//! (`smtp;550 5.1.1 …`) and Mandrill's class in `msg.bounce_description`; `reject` (Mandrill
//! refused to send: rejection list) is stated as `suppressed`; `spam` (the recipient reported
//! the message) is a complaint (reason `feedback`). The provider class is
//! `event/bounce_description`. Metadata ([`super::meta`]): `msg.metadata` as `meta.<key>`,
//! `msg.tags` as `labels`, `msg.subaccount` as `subaccount`.

use super::json::Obj;
use super::meta::Meta;
use super::{WebhookError, batch, complaint, fill_from_class, nth};
use crate::evidence::{Evidence, Record, bare_address};
use rebound_core::DsnAction;
use serde_json::Value;

const P: &str = "mandrill";

/// Whether the body is a Mandrill event batch.
pub fn detect(body: &Value) -> bool {
    body.as_array()
        .and_then(|a| a.first())
        .is_some_and(|e| e.get("event").is_some() && e.get("msg").is_some())
}

/// Reads one Mandrill batch.
pub fn parse(body: &Value, out: &mut Vec<Evidence>) -> Result<(), WebhookError> {
    for (i, e) in batch(body)?.iter().enumerate() {
        let e = Obj::of(e, P, "event")?;
        let event = e.req_str("event")?;
        let (permanent, delayed) = match event {
            "hard_bounce" | "reject" => (Some(true), false),
            "soft_bounce" => (Some(false), false),
            "deferral" => (Some(false), true),
            "spam" => (None, false),
            _ => continue,
        };
        let msg = e.req_obj("msg")?;
        let description = msg.str("bounce_description")?;
        let class = match description {
            Some(d) => format!("{event}/{d}"),
            None => event.to_string(),
        };
        let mut record = Record {
            recipient: bare_address(msg.req_str("email")?),
            diagnostic: msg.str("diag")?.map(str::to_string),
            last_attempt: e.time("ts")?,
            ..Record::default()
        };
        if event == "spam" {
            complaint(&mut record, event, "Mandrill spam complaint");
        } else {
            fill_from_class(
                &mut record,
                permanent,
                (0, 0),
                &format!(
                    "Mandrill {}",
                    description.unwrap_or(event).replace('_', " ")
                ),
            );
            record.action = Some(DsnAction::for_class(if delayed { 4 } else { 5 }));
        }
        let mut f = Evidence {
            record,
            sender: msg.str("sender")?.and_then(bare_address),
            class: Some(class),
            number: u64::from(nth(i)),
            index: 1,
            ..Evidence::default()
        };
        if let Some(id) = msg.str("_id")? {
            f.tags.insert("mandrill_id".into(), id.to_string());
        }
        let mut meta = Meta::default();
        meta.user(msg.raw("metadata"));
        meta.field("labels", msg.raw("tags"));
        meta.field("subaccount", msg.raw("subaccount"));
        meta.apply_one(&mut f);
        out.push(f);
    }
    Ok(())
}
