//! The generic reader of delivery status notifications (RFC 3464, RFC 6533): finds the
//! `message/delivery-status` or `message/global-delivery-status` part (or, in a broken
//! report, DSN fields written as plain text), reads its fields with [`super::dsn`] and makes
//! one [`Record`] per recipient. When a recipient's fields state no reply, the human-readable
//! part is searched for it ([`super::text::reply_for`]).

use super::dsn::{self, Report};
use super::{Bounce, Input, Record, header, text};
use memchr::memmem;
use rebound_core::{Reader, SourceKind};
use std::sync::LazyLock;

/// Reads a DSN, or `None` when the message has no delivery-status fields.
pub fn parse(input: &Input<'_>) -> Option<Bounce> {
    let report = find_report(input)?;
    if report.recipients.is_empty() {
        return None;
    }
    let mut bounce = Bounce::new(SourceKind::Dsn, Reader::Dsn);
    bounce.reporting_mta = report.message.reporting_mta.clone();
    bounce.sender = report.message.sender.clone();
    bounce.date = report.message.arrival_date;
    for r in report.recipients {
        // The final recipient, unless only the original one is an address (Exchange writes
        // `Final-Recipient: LOCAL;jdoe` beside `Original-Recipient: rfc822;jdoe@example.com`).
        let is_address = |a: &Option<String>| a.as_deref().is_some_and(|a| a.contains('@'));
        let recipient = if !is_address(&r.final_recipient) && is_address(&r.original_recipient) {
            r.original_recipient
        } else {
            r.final_recipient.or(r.original_recipient)
        };
        let mut record = Record {
            diagnostic: r.diagnostic,
            diagnostic_type: r.diagnostic_type.map(|t| t.to_ascii_lowercase()),
            recipient,
            action: r.action,
            status: r.status,
            remote_mta: r.remote_mta,
            last_attempt: r.last_attempt,
            ..Record::default()
        };
        // Without a Diagnostic-Code, a comment on the Status explains it (RFC 3464's own
        // example: `Status: 4.0.0 (cat.example.net: host name lookup failure)`); the prose is
        // not searched then, since it may hold the next recipient's reply.
        let explained = record.diagnostic.is_none() && r.status_comment.is_some();
        if explained {
            record.diagnostic = r.status_comment;
        }
        let prose = (!explained)
            .then(|| text::reply_for(input.human(), record.recipient.as_deref()))
            .flatten();
        if let Some(found) = prose {
            // The prose often names the command the diagnostic leaves out (Postfix, and
            // Sendmail's session transcript).
            record.command = found.command;
            if !text::has_reply_code(record.diagnostic.as_deref()) {
                record.diagnostic = Some(match record.diagnostic.take() {
                    Some(d) if !found.text.contains(d.as_str()) => format!("{} {d}", found.text),
                    _ => found.text,
                });
            }
        } else if record.diagnostic.is_none() {
            // No reply anywhere: the prose's own words about the recipient.
            record.diagnostic = text::explanation_for(input.human(), record.recipient.as_deref());
        }
        bounce.records.push(record);
    }
    Some(bounce)
}

/// The parsed delivery-status fields: from the report part, or from DSN fields that a broken
/// report wrote into a text part.
pub fn find_report(input: &Input<'_>) -> Option<Report> {
    let mime = &input.mime;
    let part = mime
        .first("message/delivery-status")
        .or_else(|| mime.first("message/global-delivery-status"));
    if let Some(part) = part {
        let body = part.decoded();
        // Some MTAs base64-encode the part without saying so.
        if memchr::memchr(b':', &body).is_none() {
            let raw = super::decode::base64(&body);
            return Some(dsn::parse(&header::lossy(&raw)));
        }
        return Some(dsn::parse(&header::lossy(&body)));
    }
    // DSN fields inside a text part (a report with the wrong content type), or inside the
    // text of a bounce a person forwarded with its lines quoted (unquoted in `input.text`).
    mime.parts
        .iter()
        .filter(|p| !p.inside_message && p.mime().starts_with("text/"))
        .find_map(|p| report_in_text(&p.decoded()))
        .or_else(|| report_in_text(input.text.as_bytes()))
}

/// The DSN fields written into a text, from `Reporting-MTA` (or the first recipient field)
/// on, when some recipient has a `Status` or `Action`.
fn report_in_text(body: &[u8]) -> Option<Report> {
    let at =
        field_start(body, &FINAL_RECIPIENT).or_else(|| field_start(body, &ORIGINAL_RECIPIENT))?;
    let from = field_start(&body[..at], &REPORTING_MTA).unwrap_or(at);
    let report = dsn::parse(&header::lossy(&body[from..]));
    report
        .recipients
        .iter()
        .any(|r| r.status.is_some() || r.action.is_some())
        .then_some(report)
}

/// The fields [`report_in_text`] looks for, each with the newline before it, as finders
/// built once: every message without a report part is searched (and each of its text parts).
static FINAL_RECIPIENT: LazyLock<memmem::Finder<'static>> =
    LazyLock::new(|| memmem::Finder::new(b"\nFinal-Recipient:"));
static ORIGINAL_RECIPIENT: LazyLock<memmem::Finder<'static>> =
    LazyLock::new(|| memmem::Finder::new(b"\nOriginal-Recipient:"));
static REPORTING_MTA: LazyLock<memmem::Finder<'static>> =
    LazyLock::new(|| memmem::Finder::new(b"\nReporting-MTA:"));

/// The position of a line starting with the finder's needle (given with its leading
/// newline), compared case-insensitively only in the common spellings.
fn field_start(body: &[u8], finder: &memmem::Finder<'_>) -> Option<usize> {
    let field = &finder.needle()[1..];
    if body.len() >= field.len() && body[..field.len()].eq_ignore_ascii_case(field) {
        return Some(0);
    }
    finder.find(body).map(|i| i + 1)
}
