//! The machine-readable part of a delivery status notification: `message/delivery-status`
//! (RFC 3464 section 2) and `message/global-delivery-status` (RFC 6533 section 6). Reads the
//! per-message fields and one group of per-recipient fields per recipient; tolerates the
//! common faults of real DSNs (no blank line between groups, fields before the first
//! recipient repeated in each group, folded fields).

use super::header::{self, Headers};
use jiff::Timestamp;
use rebound_core::EnhancedStatus;

/// The per-message fields (RFC 3464 2.2).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MessageFields {
    /// `Reporting-MTA`, type removed.
    pub reporting_mta: Option<String>,
    /// `Arrival-Date`, when it reads as a date.
    pub arrival_date: Option<Timestamp>,
    /// `X-Postfix-Sender` / `X-Original-Envelope-Id`-style envelope sender, when given.
    pub sender: Option<String>,
}

/// The per-recipient fields (RFC 3464 2.3).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RecipientFields {
    /// `Final-Recipient` address.
    pub final_recipient: Option<String>,
    /// `Original-Recipient` address.
    pub original_recipient: Option<String>,
    /// `Action`, lower-cased (failed, delayed, delivered, relayed, expanded).
    pub action: Option<rebound_core::DsnAction>,
    /// `Status`, when it holds a valid enhanced status code.
    pub status: Option<EnhancedStatus>,
    /// The comment after the status code (`4.0.0 (host name lookup failure)`, RFC 5322 3.2.2
    /// comments are allowed in DSN fields), its words only.
    pub status_comment: Option<String>,
    /// `Remote-MTA`, type removed.
    pub remote_mta: Option<String>,
    /// `Diagnostic-Code`, type removed, unfolded.
    pub diagnostic: Option<String>,
    /// The diagnostic type (`smtp`, `X-Postfix`, …).
    pub diagnostic_type: Option<String>,
    /// `Last-Attempt-Date`, when it reads as a date.
    pub last_attempt: Option<Timestamp>,
}

/// A parsed delivery-status body.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Report {
    /// Per-message fields.
    pub message: MessageFields,
    /// One entry per recipient group that names a recipient.
    pub recipients: Vec<RecipientFields>,
}

/// Fields that open a new recipient group.
fn starts_recipient(name: &str) -> bool {
    name.eq_ignore_ascii_case("final-recipient") || name.eq_ignore_ascii_case("original-recipient")
}

/// Parses the decoded body of a delivery-status part: groups are separated by blank lines;
/// a group without a recipient field holds per-message fields; a group may hold several
/// recipients when a producer forgot the blank lines, and fields written before a group's
/// first recipient field belong to that recipient.
pub fn parse(body: &str) -> Report {
    let normalized;
    // One SIMD byte search (`str::contains` with a char goes a word at a time).
    let body = if memchr::memchr(b'\r', body.as_bytes()).is_some() {
        normalized = body.replace("\r\n", "\n");
        &normalized
    } else {
        body
    };
    let mut report = Report::default();
    let mut from = 0;
    let groups = header::BLANK_LINE
        .find_iter(body.as_bytes())
        .chain(std::iter::once(body.len()))
        .map(|at| {
            let group = &body[from..at];
            from = at + 2;
            group
        });
    for group in groups
        .map(|g| g.trim_matches('\n'))
        .filter(|g| !g.trim().is_empty())
    {
        // One recipient past the limit is kept, so that the caller sees it was passed
        // (`crate::mail::read` cuts to the limit and says so); the rest are never built.
        if report.recipients.len() > super::MAX_RECIPIENTS {
            break;
        }
        let headers = Headers::borrowed(group.as_bytes());
        let mut current: Option<RecipientFields> = None;
        let mut early = RecipientFields::default();
        let mut seen_final = false;
        for (name, value) in headers.iter() {
            if starts_recipient(name) {
                let is_final = name.eq_ignore_ascii_case("final-recipient");
                let new_group = match &current {
                    None => true,
                    Some(c) => {
                        (is_final && seen_final) || (!is_final && c.original_recipient.is_some())
                    }
                };
                if new_group {
                    if report.recipients.len() > super::MAX_RECIPIENTS {
                        break;
                    }
                    report.recipients.extend(current.take());
                    current = Some(std::mem::take(&mut early));
                    seen_final = false;
                }
                let Some(c) = current.as_mut() else { continue };
                let addr = header::address(value).or_else(|| non_empty(header::strip_type(value)));
                if is_final {
                    c.final_recipient = addr;
                    seen_final = true;
                } else {
                    c.original_recipient = addr;
                }
                continue;
            }
            let is = |field: &str| name.eq_ignore_ascii_case(field);
            if is("reporting-mta") {
                report.message.reporting_mta = non_empty(header::strip_type(value));
            } else if is("arrival-date") {
                report.message.arrival_date = crate::time::rfc5322(value);
            } else if is("x-postfix-sender") || is("x-original-sender") {
                report.message.sender = header::address(value);
            } else {
                recipient_field(current.as_mut().unwrap_or(&mut early), name, value);
            }
        }
        report.recipients.extend(current);
    }
    report
}

/// Sets one per-recipient field (RFC 3464 2.3); `name` in any case.
fn recipient_field(c: &mut RecipientFields, name: &str, value: &str) {
    let is = |field: &str| name.eq_ignore_ascii_case(field);
    if is("action") {
        c.action = rebound_core::DsnAction::from_field(value);
    } else if is("status") {
        c.status = status_in(value);
        c.status_comment = comment_in(value);
    } else if is("remote-mta") {
        c.remote_mta = host_name(header::strip_type(value));
    } else if is("diagnostic-code") {
        let (ty, text) = diagnostic(value);
        c.diagnostic_type = ty;
        c.diagnostic = non_empty(text);
    } else if is("last-attempt-date") {
        c.last_attempt = crate::time::rfc5322(value);
    }
}

/// The first enhanced status code in a `Status` value (`5.1.1`, `5.1.1 (user unknown)`).
pub fn status_in(value: &str) -> Option<EnhancedStatus> {
    let b = value.trim().as_bytes();
    (0..b.len())
        .filter(|&i| i == 0 || !b[i - 1].is_ascii_digit() && b[i - 1] != b'.')
        .find_map(|i| EnhancedStatus::parse_prefix(&b[i..]).map(|(s, _)| s))
}

/// The words of a field's parenthesised comment (`5.0.0 (permanent failure)`), if any.
fn comment_in(value: &str) -> Option<String> {
    let (_, rest) = value.split_once('(')?;
    let words = rest.rsplit_once(')').map_or(rest, |(w, _)| w).trim();
    non_empty(words)
}

/// Splits `smtp; 550 …` into its type and text.
fn diagnostic(value: &str) -> (Option<String>, &str) {
    let v = value.trim();
    match v.find(';') {
        Some(i)
            if i <= 24
                && v[..i]
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_') =>
        {
            (Some(v[..i].to_string()), v[i + 1..].trim())
        }
        _ => (None, v),
    }
}

/// The host name of a host description: the first word, without brackets or a final dot.
/// `Remote-MTA` values carry comments after the name (`lsean.ezweb.ne.jp (TCP|192.0.2.1|…)
/// (au mail)`, `mx.example.jp. (192.0.2.1, the server for …)`); RFC 3464 2.3.5 wants the
/// name alone.
pub fn host_name(description: &str) -> Option<String> {
    let word = description
        .split(|c: char| c.is_whitespace() || c == '(')
        .find(|w| !w.is_empty())?;
    let host = word
        .trim_matches(['[', ']', '<', '>', ',', ':', ';'])
        .trim_end_matches('.');
    (!host.is_empty()).then(|| host.to_string())
}

fn non_empty(s: &str) -> Option<String> {
    let s = s.trim();
    (!s.is_empty()).then(|| s.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_comments() {
        assert_eq!(
            comment_in("4.0.0 (cat.example.net: host name lookup failure)").as_deref(),
            Some("cat.example.net: host name lookup failure")
        );
        assert_eq!(comment_in("5.1.1"), None);
        assert_eq!(comment_in("5.0.0 ()"), None);
        assert_eq!(comment_in("5.0.0 (unclosed").as_deref(), Some("unclosed"));
    }

    #[test]
    fn two_recipients_without_blank_line() {
        let r = parse(
            "Reporting-MTA: dns; mx.example.org\nX-Postfix-Sender: rfc822; s@example.org\n\n\
             Final-Recipient: rfc822; a@example.com\nAction: failed\nStatus: 5.1.1\n\
             Diagnostic-Code: smtp; 550 5.1.1 <a@example.com>:\n    User unknown\n\
             Final-Recipient: rfc822; b@example.com\nAction: delayed\nStatus: 4.4.1\n",
        );
        assert_eq!(r.message.reporting_mta.as_deref(), Some("mx.example.org"));
        assert_eq!(r.message.sender.as_deref(), Some("s@example.org"));
        assert_eq!(r.recipients.len(), 2);
        assert_eq!(
            r.recipients[0].diagnostic.as_deref(),
            Some("550 5.1.1 <a@example.com>: User unknown")
        );
        assert_eq!(
            r.recipients[1].status.map(|s| s.to_string()).as_deref(),
            Some("4.4.1")
        );
    }

    #[test]
    fn fields_before_the_recipient() {
        let r = parse(
            "Reporting-MTA: dns; a\n\nAction: failed\nFinal-Recipient: rfc822; x@a.b\nStatus: 5.1.1\n",
        );
        assert_eq!(r.recipients.len(), 1);
        assert_eq!(
            r.recipients[0].action,
            Some(rebound_core::DsnAction::Failed)
        );
    }

    #[test]
    fn remote_mta_is_the_host_name() {
        for (v, want) in [
            (
                "lsean.ezweb.ne.jp (TCP|17.111.174.65|31066|27.85.176.228|25) (au mail)",
                "lsean.ezweb.ne.jp",
            ),
            (
                "lsean.ezweb.ne.jp. (27.85.176.228, the server for the domain)",
                "lsean.ezweb.ne.jp",
            ),
            ("[192.0.2.1]", "192.0.2.1"),
            ("mx.example.com", "mx.example.com"),
        ] {
            assert_eq!(host_name(v).as_deref(), Some(want));
        }
        assert_eq!(host_name("  "), None);
    }

    #[test]
    fn original_then_final_is_one_recipient() {
        let r = parse(
            "Original-Recipient: rfc822;x@a.b\nFinal-Recipient: rfc822;y@a.b\nStatus: 5.0.0\n",
        );
        assert_eq!(r.recipients.len(), 1);
        assert_eq!(r.recipients[0].final_recipient.as_deref(), Some("y@a.b"));
    }
}
