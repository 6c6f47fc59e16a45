//! From [`Evidence`] to a classified [`BounceEvent`]: the one way, for bounce emails, log
//! lines, webhook events and replies given alone. The reply is read from the evidence's
//! diagnostic and status fields ([`reply_of`]); the verdict comes from the classifier's rules,
//! which read the reply and what the input stated beside it ([`Evidence::facts`]): a feedback
//! report, an auto-reply, a DSN action, a local mailer's diagnostic type, a provider's class.
//! No verdict is decided here; `rebound rules list` shows every rule that can decide one.
//!
//! Status choice (RFC 3464 2.3.4 vs the reply): a DSN `Status` of `X.0.0` says nothing
//! specific (Exim and OpenSMTPD write `5.0.0` whatever the server said; Postfix writes it for
//! a reply without an enhanced code), so a specific status in the diagnostic wins over it.

use crate::evidence::{Evidence, Record};
use crate::mail::{Bounce, diagnostic};
use rebound_core::MATCH_WINDOW;
use rebound_core::{BounceEvent, Classifier, EnhancedStatus, Reply, Source, Truncation};

/// Where an input was read: file path and 1-based message number.
#[derive(Debug, Clone, Default)]
pub struct Origin {
    /// The file path as given (`-` for standard input).
    pub path: Option<String>,
    /// 1-based message number in the file.
    pub message: u64,
}

/// Classifies every recipient of a bounce email, one event each.
pub fn events(bounce: &Bounce, classifier: &Classifier, origin: &Origin) -> Vec<BounceEvent> {
    bounce
        .evidence()
        .map(|e| build(e, classifier, origin))
        .collect()
}

/// Classifies one recipient's evidence into its event. The event's `source.message` is the
/// evidence's own record number when the reader counts records, else the origin's.
pub fn build(evidence: Evidence, classifier: &Classifier, origin: &Origin) -> BounceEvent {
    let reply = reply_of(&evidence.record);
    let classification = classifier.classify_with(&reply, &evidence.facts());
    let Evidence {
        kind,
        reader,
        record,
        class,
        sender,
        message_id,
        reporting_mta,
        date,
        tags,
        mut metadata,
        mut truncated,
        number,
        index,
    } = evidence;
    for (k, v) in tags {
        metadata.insert(k, v.into());
    }
    if reply.text.len() > MATCH_WINDOW {
        truncated.push(Truncation::ReplyText);
        truncated.sort_unstable();
        truncated.dedup();
    }
    BounceEvent {
        source: Source {
            path: origin.path.clone(),
            message: Some(if number > 0 { number } else { origin.message }),
            index: Some(index.max(1)),
            kind: Some(kind),
            reader,
        },
        recipient: record.recipient,
        sender,
        at: record.last_attempt.or(date),
        remote_mta: record.remote_mta.or_else(|| reply.remote_host.clone()),
        reply,
        classification,
        dsn_action: record.action,
        message_id,
        reporting_mta,
        feedback_type: record.feedback_type,
        provider_class: class,
        truncated,
        tags: metadata,
    }
}

/// The reply of a record: its diagnostic parsed, the status field merged in.
pub fn reply_of(record: &Record) -> Reply {
    let diagnostic = record.diagnostic.as_deref().map(diagnostic::normalize);
    let mut reply = diagnostic
        .as_deref()
        .and_then(|d| Reply::parse(d).ok())
        .unwrap_or_default();
    if reply.status.is_none() {
        reply.status = status_in_words(&reply.text);
    }
    if let Some(field) = record.status {
        // The reply's own status is the more specific evidence; the field fills a gap, wins
        // over a reply's vague X.0.0, and wins when the reply's class contradicts the field
        // and the basic code.
        let vague = |s: EnhancedStatus| s.subject == 0 && s.detail == 0;
        let field_is_vague = vague(field);
        reply.status = match reply.status {
            Some(said) if vague(said) && !field_is_vague && said.class == field.class => {
                Some(field)
            }
            Some(said) if field_is_vague || said.class == field.class => Some(said),
            Some(said) if reply.code.is_some_and(|c| u16::from(said.class) == c / 100) => {
                Some(said)
            }
            _ => Some(field),
        };
    }
    if reply.remote_host.is_none() {
        reply.remote_host.clone_from(&record.remote_mta);
    }
    if record.command.is_some() {
        reply.command = record.command;
    } else if reply.command.is_none() {
        reply.command = diagnostic.as_deref().and_then(diagnostic::extra_command);
    }
    if let Some(r) = &record.recipient {
        reply.relate_to_recipient(r);
    }
    reply
}

/// An enhanced status standing alone among the words of a reply's text
/// (`RCPT TO not accepted: 5.7.1 This system…`), class 4 or 5.
fn status_in_words(text: &str) -> Option<EnhancedStatus> {
    text.split(|c: char| {
        c.is_whitespace() || matches!(c, '(' | ')' | '[' | ']' | '\'' | '"' | '#' | ',' | ';')
    })
    .filter(|w| w.starts_with(['4', '5']))
    .find_map(|w| {
        let w = w.trim_end_matches(['.', ':']);
        EnhancedStatus::parse_prefix(w.as_bytes())
            .filter(|(_, n)| *n == w.len())
            .map(|(s, _)| s)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The status `reply_of` settles on for a diagnostic and a DSN `Status` field.
    fn status_of(diagnostic: &str, field: &str) -> String {
        let record = Record {
            diagnostic: Some(diagnostic.into()),
            status: Some(field.parse().unwrap()),
            ..Record::default()
        };
        reply_of(&record).status.unwrap().to_string()
    }

    #[test]
    fn the_more_specific_status_wins() {
        // The reply's own detail beats the field's X.0.0 (Exim, OpenSMTPD, Postfix write it).
        assert_eq!(status_of("550 5.1.1 User unknown", "5.0.0"), "5.1.1");
        // The field's detail beats the reply's X.0.0 (Sendmail's `451 4.0.0` over `4.5.0`).
        assert_eq!(
            status_of("451 4.0.0 Operating system error", "4.5.0"),
            "4.5.0"
        );
        // Both specific: the reply's own.
        assert_eq!(status_of("550 5.7.1 Blocked", "5.1.1"), "5.7.1");
        // A class the code contradicts: the field.
        assert_eq!(status_of("Blocked 4.7.1", "5.7.1"), "5.7.1");
    }
}
