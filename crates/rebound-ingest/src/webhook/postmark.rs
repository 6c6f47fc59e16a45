//! Postmark bounce webhooks: one object per bounce, `RecordType` `Bounce`, Postmark's class
//! in `Type` / `TypeCode` (BounceTypeCode of Postmark's API), the server's words in
//! `Details` (`smtp;550 5.1.1 …`). Subscription changes and relay tests are no events;
//! auto-responders and challenge mails are stated as `vacation`, spam complaints as
//! `feedback`, manual deactivation as `suppressed`. The provider class is `Type`. Metadata
//! ([`super::meta`]): `Metadata` as `meta.<key>`, `Tag` as `labels`.

use super::json::Obj;
use super::meta::Meta;
use super::{WebhookError, fill_from_class};
use crate::evidence::{Evidence, Record, bare_address};
use crate::time::rfc3339;
use rebound_core::DsnAction;
use serde_json::Value;

const P: &str = "postmark";

/// What a TypeCode means here.
enum Class {
    /// A failure: permanent or not (None: unknown), with the RFC 3463 subject and detail.
    Failure(Option<bool>, (u16, u16)),
    /// Not a delivery failure: Postmark's name of the type, which the rules read as the
    /// class (`webhook.postmark.*`).
    Stated(&'static str),
    /// Not a bounce event.
    Skip,
}

/// Postmark's BounceTypeCode values (postmark.js `BounceTypeCode`).
fn class(code: u64) -> Class {
    match code {
        1 => Class::Failure(Some(true), (0, 0)), // HardBounce
        2 | 4096 => Class::Failure(Some(false), (0, 0)), // Transient, SoftBounce
        128 => Class::Failure(Some(true), (1, 6)), // AddressChange
        256 => Class::Failure(Some(false), (4, 4)), // DnsError
        512 | 8192 | 100_006 | 100_009 => Class::Failure(Some(true), (7, 1)), // Spam/Virus notification, Blocked, DMARCPolicy
        100_000 => Class::Failure(Some(true), (1, 3)),                        // BadEmailAddress
        100_007 | 100_003 => Class::Failure(Some(true), (0, 0)), // SMTPApiError, Unconfirmed
        100_010 => Class::Failure(Some(true), (6, 0)),           // TemplateRenderingFailed
        2048 => Class::Failure(None, (0, 0)),                    // Unknown
        64 => Class::Stated("AutoResponder"),
        16_384 => Class::Stated("ChallengeVerification"),
        100_001 => Class::Stated("SpamComplaint"),
        100_002 => Class::Stated("ManuallyDeactivated"),
        _ => Class::Skip, // Unsubscribe, Subscribe, OpenRelayTest, InboundError, unknown codes
    }
}

/// Whether the body is a Postmark bounce webhook.
pub fn detect(body: &Value) -> bool {
    body.get("TypeCode").is_some() && body.get("Email").is_some()
        || body.get("RecordType").and_then(Value::as_str) == Some("Bounce")
}

/// Reads one Postmark bounce.
pub fn parse(body: &Value, out: &mut Vec<Evidence>) -> Result<(), WebhookError> {
    let o = Obj::of(body, P, "body")?;
    if o.str("RecordType")?.is_some_and(|t| t != "Bounce") {
        return Ok(());
    }
    let code = o.num("TypeCode")?.ok_or_else(|| WebhookError::Missing {
        provider: P,
        field: "TypeCode".into(),
    })?;
    // Codes are whole numbers well within u64.
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
    let code = if code >= 0.0 { code as u64 } else { 0 };
    let name = o.str("Type")?.unwrap_or("Unknown");
    let details = o.str("Details")?.map(str::to_string);
    let description = o.str("Description")?.unwrap_or(name);
    let mut record = Record {
        recipient: bare_address(o.req_str("Email")?),
        diagnostic: details,
        last_attempt: o.str("BouncedAt")?.and_then(rfc3339),
        ..Record::default()
    };
    let mut name = name.to_string();
    match class(code) {
        Class::Skip => return Ok(()),
        Class::Stated(stated) => {
            stated.clone_into(&mut name);
            record.action = Some(DsnAction::Failed);
            fill_from_class(&mut record, None, (0, 0), description);
        }
        Class::Failure(permanent, sd) => {
            fill_from_class(&mut record, permanent, sd, description);
            let class = record
                .status
                .map_or(if permanent == Some(false) { 4 } else { 5 }, |s| s.class);
            record.action = Some(DsnAction::for_class(class));
        }
    }
    let mut f = Evidence {
        record,
        sender: o.str("From")?.and_then(bare_address),
        class: Some(name),
        number: 1,
        index: 1,
        ..Evidence::default()
    };
    if let Some(id) = o.str("MessageID")? {
        f.tags.insert("postmark_message_id".into(), id.to_string());
    }
    let mut meta = Meta::default();
    meta.user(o.raw("Metadata"));
    meta.field("labels", o.raw("Tag"));
    meta.apply_one(&mut f);
    out.push(f);
    Ok(())
}
