//! From read evidence to classified [`BounceEvent`]s: picks the reply and status from the
//! best evidence of each [`Record`] and asks the classifier for the verdict. Reports that
//! carry no SMTP reply get their verdict from what the format states, under these rule ids:
//!
//! | rule id | when | reason |
//! | --- | --- | --- |
//! | `mail.arf` | an RFC 5965 feedback report | `feedback` |
//! | `mail.autoreply` | an RFC 3834 automatic reply | `vacation` |
//! | `mail.dsn.delivered` | DSN `Action: delivered`, `relayed` or `expanded` | `delivered` |
//! | `mail.vendor` | a vendor format that states the reason itself | as stated |
//! | `mail.dsn.local-mailer` | no text rule matched, and the DSN's diagnostic type is `X-Unix` or `X-Postfix`: a local delivery program failed, not a remote server | `mailererror` |
//! | `mail.dsn.delayed` | no text rule matched, and the DSN's `Action` is `delayed` | `expired` |
//!
//! The last two apply only when the reply's words matched no text rule (the verdict came from
//! the bare status or reply code): the report's own fields then say more than the code.
//!
//! Status choice (RFC 3464 2.3.4 vs the reply): a DSN `Status` of `X.0.0` says nothing
//! specific (Exim and OpenSMTPD write `5.0.0` whatever the server said; Postfix writes it for
//! a reply without an enhanced code), so a specific status in the diagnostic wins over it.

use crate::mail::{Bounce, Kind, Record, evidence};
use rebound_core::{
    BounceEvent, BounceType, Classification, Classifier, EnhancedStatus, Reason, Reply, Source,
};
use std::sync::Arc;

/// Where a message was read: file path and 1-based message number.
#[derive(Debug, Clone, Default)]
pub struct Origin {
    /// The file path as given (`-` for standard input).
    pub path: Option<String>,
    /// 1-based message number in the file.
    pub message: u64,
}

/// Classifies every record of a bounce, one event per recipient.
pub fn events(bounce: &Bounce, classifier: &Classifier, origin: &Origin) -> Vec<BounceEvent> {
    bounce
        .records
        .iter()
        .enumerate()
        .map(|(i, record)| {
            let reply = reply_of(record);
            let classification = verdict(bounce.kind, record, &reply, classifier);
            BounceEvent {
                source: Source {
                    path: origin.path.clone(),
                    message: Some(origin.message),
                    index: Some(u32::try_from(i + 1).unwrap_or(u32::MAX)),
                    kind: Some(bounce.kind.as_str().to_string()),
                    reader: Some(bounce.reader.to_string()),
                },
                recipient: record.recipient.clone(),
                sender: bounce.sender.clone(),
                at: record.last_attempt.or(bounce.date),
                remote_mta: record
                    .remote_mta
                    .clone()
                    .or_else(|| reply.remote_host.clone()),
                reply,
                classification,
                dsn_action: record.action.clone(),
                message_id: bounce.message_id.clone(),
                reporting_mta: bounce.reporting_mta.clone(),
                feedback_type: record.feedback_type.clone(),
                provider_class: None,
                tags: bounce.tags.clone(),
            }
        })
        .collect()
}

/// The reply of a record: its diagnostic parsed, the status field merged in.
pub fn reply_of(record: &Record) -> Reply {
    let diagnostic = record.diagnostic.as_deref().map(evidence::normalize);
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
        reply.command = diagnostic.as_deref().and_then(evidence::extra_command);
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

/// The classification: stated by the format, or decided by the classifier's rules.
fn verdict(kind: Kind, record: &Record, reply: &Reply, classifier: &Classifier) -> Classification {
    let delivered = record
        .action
        .as_deref()
        .is_some_and(|a| matches!(a, "delivered" | "relayed" | "expanded"));
    let stated = match (kind, record.reason) {
        (Kind::Arf, _) => Some((Reason::Feedback, "mail.arf")),
        (Kind::AutoReply, _) => Some((Reason::Vacation, "mail.autoreply")),
        _ if delivered => Some((Reason::Delivered, "mail.dsn.delivered")),
        (_, Some(reason)) => Some((reason, "mail.vendor")),
        _ => None,
    };
    if let Some((reason, rule)) = stated {
        return stated_verdict(reason, rule, reply);
    }
    let verdict = classifier.classify(reply);
    let by_words = classifier
        .rule(&verdict.rule)
        .is_some_and(|r| !r.text.is_empty());
    if by_words {
        return verdict;
    }
    let local_mailer = record
        .diagnostic_type
        .as_deref()
        .is_some_and(|t| matches!(t, "x-unix" | "x-postfix"));
    if local_mailer {
        stated_verdict(Reason::MailerError, "mail.dsn.local-mailer", reply)
    } else if record.action.as_deref() == Some("delayed") {
        stated_verdict(Reason::Expired, "mail.dsn.delayed", reply)
    } else {
        verdict
    }
}

/// A classification built from a reason the format states, with the reason's defaults.
pub fn stated_verdict(reason: Reason, rule: &str, reply: &Reply) -> Classification {
    let profile = reason.profile();
    let permanent = reply.permanent();
    let bounce_type = match reason {
        Reason::Feedback | Reason::Vacation | Reason::Delivered => BounceType::None,
        r => r.bounce_type(permanent),
    };
    Classification {
        permanent: if bounce_type == BounceType::None {
            None
        } else {
            permanent
        },
        bounce_type,
        reason,
        category: profile.category,
        severity: profile.severity,
        action: profile.action,
        rule: Arc::from(rule),
    }
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
