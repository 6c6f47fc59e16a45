//! Feedback reports (RFC 5965, ARF): `multipart/report; report-type=feedback-report` with a
//! `message/feedback-report` part, and the providers' variants without one (an abuse
//! report whose only machine-readable part is the returned message). One record per
//! complained-about recipient, reason `feedback`, the `Feedback-Type` kept.

use super::header::{self, Headers};
use super::{Bounce, Input, Record};
use rebound_core::{Reader, SourceKind};

/// Whether the message is a feedback report.
pub fn detect(input: &Input<'_>) -> bool {
    let ct = &input.mime.parts[0].content_type;
    if ct.mime == "multipart/report"
        && ct
            .param("report-type")
            .is_some_and(|t| t.eq_ignore_ascii_case("feedback-report"))
    {
        return true;
    }
    if input
        .mime
        .parts
        .iter()
        .any(|p| p.mime() == "message/feedback-report")
    {
        return true;
    }
    // Microsoft JMRP / AOL-style complaints: an abuse report with the message attached.
    hotmail_recipient(input).is_some()
        || (input.top().get("x-aol-ip").is_some()
            && input.subject().to_ascii_lowercase().contains("report"))
}

/// Microsoft's complaint format names the recipient in `X-HmXmrOriginalRecipient`, in the
/// top header or in the attached message's.
fn hotmail_recipient(input: &Input<'_>) -> Option<String> {
    input
        .mime
        .parts
        .iter()
        .find_map(|p| p.headers.get("x-hmxmroriginalrecipient"))
        .and_then(header::address)
}

/// Whether a provider hid the complainant's address (RFC 6590 redaction: `redacted@…`,
/// `xxxxxxxx@…`, `undisclosed-recipients`): such an address names nobody and is not given as
/// the recipient.
fn is_redacted(address: &str) -> bool {
    let local = address.rsplit_once('@').map_or(address, |(l, _)| l);
    let lower = local.to_ascii_lowercase();
    lower == "redacted"
        || lower.starts_with("undisclosed")
        || (local.len() >= 3 && local.bytes().all(|b| matches!(b, b'x' | b'X' | b'*')))
}

/// Reads a feedback report, or `None` when the message is not one.
pub fn parse(input: &Input<'_>) -> Option<Bounce> {
    if !detect(input) {
        return None;
    }
    let report = input
        .mime
        .parts
        .iter()
        .find(|p| p.mime() == "message/feedback-report")
        .map(|p| p.decoded());
    let report = report.as_deref().map(super::normalize_newlines);
    let fields = report.as_deref().map(Headers::borrowed).unwrap_or_default();
    let returned = input
        .mime
        .parts
        .iter()
        .find(|p| p.inside_message)
        .map(|p| &p.headers);
    let feedback_type = fields
        .get("feedback-type")
        .map(|t| t.trim().to_ascii_lowercase())
        .or_else(|| Some("abuse".to_string()));
    let mut recipients: Vec<String> = Vec::new();
    for a in fields
        .values(|n| {
            n.eq_ignore_ascii_case("original-rcpt-to")
                || n.eq_ignore_ascii_case("removal-recipient")
        })
        .filter_map(header::address)
    {
        if !recipients.iter().any(|r| r.eq_ignore_ascii_case(&a)) {
            recipients.push(a);
        }
    }
    recipients.retain(|a| !is_redacted(a));
    if recipients.is_empty() {
        let hm = hotmail_recipient(input);
        recipients.extend(
            hm.or_else(|| returned.and_then(|h| h.get("to")).and_then(header::address))
                .filter(|a| !is_redacted(a)),
        );
    }
    if recipients.is_empty() {
        recipients.push(String::new());
    }
    let text = input
        .text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .take(3)
        .collect::<Vec<_>>()
        .join(" ");
    let mut bounce = Bounce::new(SourceKind::Arf, Reader::Arf);
    bounce.date = fields
        .get("arrival-date")
        .and_then(crate::time::rfc5322)
        .or_else(|| fields.get("received-date").and_then(crate::time::rfc5322));
    bounce.reporting_mta = fields
        .get("reporting-mta")
        .map(|v| header::strip_type(v).to_string());
    for r in recipients {
        bounce.records.push(Record {
            recipient: (!r.is_empty()).then_some(r),
            diagnostic: (!text.is_empty()).then(|| text.clone()),
            remote_mta: fields.get("source-ip").map(str::to_owned),
            feedback_type: feedback_type.clone(),
            ..Record::default()
        });
    }
    Some(bounce)
}

#[cfg(test)]
mod tests {
    use super::is_redacted;

    #[test]
    fn redacted_addresses() {
        assert!(is_redacted("redacted@example.com"));
        assert!(is_redacted("xxxxxxxx@example.com"));
        assert!(is_redacted("Undisclosed-Recipient@example.com"));
        assert!(!is_redacted("jdoe@example.com"));
        assert!(!is_redacted("xx@example.com"));
    }
}
