//! Email-service webhooks: a provider's JSON body in, classified [`BounceEvent`]s out, in the
//! same shape as bounce emails (`source.kind` = `webhook`, `source.message` = the record's
//! number in the body, `provider_class` = the provider's own class).
//!
//! | provider | module | reads |
//! | --- | --- | --- |
//! | Amazon SES | [`ses`] | SNS envelope (JSON-encoded `Message`), raw notifications, event publishing: `Bounce`, `DeliveryDelay`, `Complaint` |
//! | SendGrid | [`sendgrid`] | event batches: `bounce` (type bounce/blocked), `deferred`, `dropped`, `spamreport` |
//! | Mailgun | [`mailgun`] | `event-data` of `failed` events (severity permanent/temporary), `complained` |
//! | Postmark | [`postmark`] | bounce webhooks (`TypeCode`) |
//! | SparkPost | [`sparkpost`] | `msys` arrays: `bounce`, `out_of_band`, `delay`, `policy_rejection`, `generation_*`, `spam_complaint` |
//! | Mandrill | [`mandrill`] | `mandrill_events` JSON array, raw or in the form-encoded body: bounces, `reject`, `spam` |
//!
//! Spam complaints (SES `Complaint`, SendGrid `spamreport`, Mailgun `complained`, SparkPost
//! `spam_complaint`, Mandrill `spam`) become events with reason `feedback` and bounce type
//! `none` ([`complaint`]); the provider's complaint type is kept as `feedback_type` (SES's
//! `complaintFeedbackType`, SparkPost's `fbtype`; the event name where the provider has no
//! finer type).
//!
//! Every provider module has the same shape: `detect` (is this body mine?) and `parse`
//! (body → [`Evidence`]s). The provider's reply text and status go through the classifier like
//! any DSN's; where the provider gives no reply text, its class supplies the text and an
//! RFC 3463 status ([`fill_from_class`]). Classes that say "not sent: suppressed" or "not a
//! bounce" (auto-reply, complaint) are stated, with a `webhook.<provider>.<class>` rule id.
//!
//! Each service's metadata (the sender's key/value pairs, the service's tags or categories,
//! campaign, subaccount, reported headers) becomes event tags under the namespaces of
//! [`meta`], with their JSON types, bounded.
//!
//! Hostile bodies are refused with a clear [`WebhookError`]: over [`json::MAX_BODY`] bytes,
//! nested deeper than [`json::MAX_DEPTH`], or with a field of the wrong type.

pub mod deliveries;
pub mod file;
pub mod json;
pub mod mailgun;
pub mod mandrill;
pub mod meta;
pub mod postmark;
pub mod sendgrid;
pub mod ses;
pub mod sparkpost;

use crate::event::{Origin, build};
use crate::evidence::{Evidence, Record};
use rebound_core::{BounceEvent, Classifier, EnhancedStatus, Reader, Reply, SourceKind};
use serde_json::Value;

/// The webhook payloads this crate reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum WebhookFormat {
    /// Amazon SES.
    Ses,
    /// SendGrid.
    SendGrid,
    /// Mailgun.
    Mailgun,
    /// Postmark.
    Postmark,
    /// SparkPost.
    SparkPost,
    /// Mandrill (Mailchimp Transactional).
    Mandrill,
}

impl WebhookFormat {
    /// Every provider, in detection order.
    pub const ALL: [WebhookFormat; 6] = [
        WebhookFormat::Ses,
        WebhookFormat::Mailgun,
        WebhookFormat::Postmark,
        WebhookFormat::SparkPost,
        WebhookFormat::Mandrill,
        WebhookFormat::SendGrid,
    ];

    /// The name used on the command line and in the `provider` tag.
    pub fn name(self) -> &'static str {
        match self {
            WebhookFormat::Ses => "ses",
            WebhookFormat::SendGrid => "sendgrid",
            WebhookFormat::Mailgun => "mailgun",
            WebhookFormat::Postmark => "postmark",
            WebhookFormat::SparkPost => "sparkpost",
            WebhookFormat::Mandrill => "mandrill",
        }
    }

    /// The provider of a name (as [`WebhookFormat::name`] gives it).
    pub fn from_name(name: &str) -> Option<WebhookFormat> {
        WebhookFormat::ALL.into_iter().find(|f| f.name() == name)
    }

    /// The reader named in the events of this provider.
    pub fn reader(self) -> Reader {
        match self {
            WebhookFormat::Ses => Reader::Ses,
            WebhookFormat::SendGrid => Reader::SendGrid,
            WebhookFormat::Mailgun => Reader::Mailgun,
            WebhookFormat::Postmark => Reader::Postmark,
            WebhookFormat::SparkPost => Reader::SparkPost,
            WebhookFormat::Mandrill => Reader::Mandrill,
        }
    }

    /// Whether a parsed body looks like this provider's.
    pub fn detect(self, body: &Value) -> bool {
        match self {
            WebhookFormat::Ses => ses::detect(body),
            WebhookFormat::SendGrid => sendgrid::detect(body),
            WebhookFormat::Mailgun => mailgun::detect(body),
            WebhookFormat::Postmark => postmark::detect(body),
            WebhookFormat::SparkPost => sparkpost::detect(body),
            WebhookFormat::Mandrill => mandrill::detect(body),
        }
    }

    fn parse(self, body: &Value, out: &mut Vec<Evidence>) -> Result<(), WebhookError> {
        match self {
            WebhookFormat::Ses => ses::parse(body, out),
            WebhookFormat::SendGrid => sendgrid::parse(body, out),
            WebhookFormat::Mailgun => mailgun::parse(body, out),
            WebhookFormat::Postmark => postmark::parse(body, out),
            WebhookFormat::SparkPost => sparkpost::parse(body, out),
            WebhookFormat::Mandrill => mandrill::parse(body, out),
        }
    }
}

/// Why a webhook body was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum WebhookError {
    /// The body is over [`json::MAX_BODY`].
    #[error("the body is {0} bytes, over the limit of {max} bytes", max = json::MAX_BODY)]
    TooLarge(usize),
    /// Arrays and objects nest deeper than [`json::MAX_DEPTH`].
    #[error("the JSON nests deeper than {max} levels", max = json::MAX_DEPTH)]
    TooDeep,
    /// More than [`json::MAX_EVENTS`] events in one body.
    #[error("more than {max} events in one body", max = json::MAX_EVENTS)]
    TooManyEvents,
    /// Not JSON.
    #[error("not valid JSON: {0}")]
    Json(String),
    /// A field has the wrong type.
    #[error("{provider}: field `{field}` should be {expected}")]
    WrongType {
        /// The provider.
        provider: &'static str,
        /// The field.
        field: String,
        /// What it should be.
        expected: &'static str,
    },
    /// A required field is missing.
    #[error("{provider}: field `{field}` is missing")]
    Missing {
        /// The provider.
        provider: &'static str,
        /// The field.
        field: String,
    },
    /// The body is JSON but no provider's shape.
    #[error("not a known webhook payload (SES, SendGrid, Mailgun, Postmark, SparkPost, Mandrill)")]
    Unknown,
}

/// The JSON of a body: itself, or Mandrill's form-encoded `mandrill_events` field.
pub fn body_json(body: &[u8]) -> Result<Value, WebhookError> {
    let trimmed = body.trim_ascii_start();
    if !trimmed.starts_with(b"{")
        && !trimmed.starts_with(b"[")
        && let Some(events) = json::form_field(body, "mandrill_events")
    {
        return json::parse(&events);
    }
    json::parse(body)
}

/// The provider of a parsed body, if any matches.
pub fn detect(body: &Value) -> Option<WebhookFormat> {
    WebhookFormat::ALL.into_iter().find(|f| f.detect(body))
}

/// Reads a body of `format` (detected when `None`) into evidence, one per recipient.
pub fn parse(
    body: &[u8],
    format: Option<WebhookFormat>,
) -> Result<(WebhookFormat, Vec<Evidence>), WebhookError> {
    let value = body_json(body)?;
    let format = match format {
        Some(f) => f,
        None => detect(&value).ok_or(WebhookError::Unknown)?,
    };
    let mut out = Vec::new();
    format.parse(&value, &mut out)?;
    if out.len() > json::MAX_EVENTS {
        return Err(WebhookError::TooManyEvents);
    }
    Ok((format, out))
}

/// The deliveries and acceptances a body reports ([`deliveries`]), as events with DSN action
/// `delivered` (sends, for `rebound ingest`; `path` names where the body came from).
pub fn read_deliveries(
    body: &[u8],
    classifier: &Classifier,
    path: Option<&str>,
) -> Vec<BounceEvent> {
    let Ok(value) = body_json(body) else {
        return Vec::new();
    };
    let origin = origin_of(path);
    deliveries::deliveries(&value)
        .into_iter()
        .map(|(format, evidence)| event_of(format, evidence, classifier, &origin))
        .collect()
}

/// Reads a body into classified events (`path` names where it came from).
pub fn read_webhook(
    body: &[u8],
    format: Option<WebhookFormat>,
    classifier: &Classifier,
    path: Option<&str>,
) -> Result<Vec<BounceEvent>, WebhookError> {
    let (format, found) = parse(body, format)?;
    let origin = origin_of(path);
    Ok(found
        .into_iter()
        .map(|evidence| event_of(format, evidence, classifier, &origin))
        .collect())
}

/// Where a body came from: a file (or none), one body, so message 0.
fn origin_of(path: Option<&str>) -> Origin {
    Origin {
        path: path.map(str::to_string),
        message: 0,
    }
}

/// One piece of a service's evidence as a classified event, marked as that service's.
fn event_of(
    format: WebhookFormat,
    mut evidence: Evidence,
    classifier: &Classifier,
    origin: &Origin,
) -> BounceEvent {
    evidence.kind = SourceKind::Webhook;
    evidence.reader = Some(format.reader());
    evidence
        .tags
        .insert("provider".into(), format.name().to_string());
    build(evidence, classifier, origin)
}

/// The elements of a batch (an array), or the body itself as a batch of one.
pub fn batch(body: &Value) -> Result<&[Value], WebhookError> {
    match body {
        Value::Array(a) if a.len() > json::MAX_EVENTS => Err(WebhookError::TooManyEvents),
        Value::Array(a) => Ok(a.as_slice()),
        other => Ok(std::slice::from_ref(other)),
    }
}

/// Where the provider gave no reply text or status, its class supplies them: `description`
/// as the text, and the status `class.subject.detail` with the class from `permanent`
/// (`None`: unknown, no status).
pub fn fill_from_class(
    record: &mut Record,
    permanent: Option<bool>,
    subject_detail: (u16, u16),
    description: &str,
) {
    if record.diagnostic.is_none() {
        record.diagnostic = Some(description.to_string());
    }
    // The reply parser's own reading: a code it will find makes the status its business.
    let has_code = record
        .diagnostic
        .as_deref()
        .is_some_and(|d| Reply::codes(d).0.is_some());
    if record.status.is_none() && !has_code {
        record.status = permanent.and_then(|p| {
            EnhancedStatus::new(if p { 5 } else { 4 }, subject_detail.0, subject_detail.1)
        });
    }
}

/// States a record as a spam complaint: the provider's complaint type as `feedback_type`
/// (which the rules read: reason `feedback`, bounce type `none`), and `description` as the
/// text when the provider gave none. No status: a complaint has no SMTP reply.
pub fn complaint(record: &mut Record, feedback_type: &str, description: &str) {
    record.feedback_type = Some(feedback_type.to_string());
    if record.diagnostic.is_none() {
        record.diagnostic = Some(description.to_string());
    }
}

/// A status field (`"5.1.1"`), ignoring anything unparsable.
pub fn status(s: Option<&str>) -> Option<EnhancedStatus> {
    s.and_then(|s| s.trim().parse().ok())
}

/// The number of the `i`-th (0-based) element as a 1-based record or recipient number.
pub fn nth(i: usize) -> u32 {
    u32::try_from(i + 1).unwrap_or(u32::MAX)
}
