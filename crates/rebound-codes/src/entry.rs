//! One reference entry: what a code means and what a sender does about it, in the
//! taxonomy of `rebound-core` (bounce type, category, severity, action, reason).

use rebound_core::{Action, BounceType, Category, Reason, Severity};
use serde::Serialize;

/// What kind of code an entry explains; decides its id, its family and where the index lists it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Kind {
    /// A class of basic reply codes (`4xx`, RFC 5321 4.2.1).
    BasicClass,
    /// One basic reply code (`551`, RFC 5321 4.2.3, RFC 4954, RFC 7504).
    Basic,
    /// A class of enhanced status codes (`5.XXX.XXX`, RFC 3463 section 2).
    EnhancedClass,
    /// A subject of enhanced status codes (`X.1.XXX`, RFC 3463 section 2).
    EnhancedSubject,
    /// One enhanced status code of the IANA registry (`X.1.6`).
    Enhanced,
    /// A provider's own code or wording (`S3150`, `TSS04`, Gmail's `5.7.26` text).
    Provider,
}

impl Kind {
    /// A heading for people.
    pub fn label(self) -> &'static str {
        match self {
            Kind::BasicClass => "Basic reply code class",
            Kind::Basic => "Basic reply code",
            Kind::EnhancedClass => "Enhanced status class",
            Kind::EnhancedSubject => "Enhanced status subject",
            Kind::Enhanced => "Enhanced status code",
            Kind::Provider => "Provider code",
        }
    }
}

/// A question senders ask about a code, and its answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Faq {
    /// The question.
    pub q: String,
    /// The answer.
    pub a: String,
}

/// How a code matters in two kinds of sending.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SenderNotes {
    /// Bulk and cold email: lists, campaigns, prospecting.
    pub bulk: String,
    /// Transactional mail: receipts, password resets, notifications.
    pub transactional: String,
}

/// One form of a code (its temporary or permanent variant) and how a sender reads it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Form {
    /// The code as written in that form (`4.1.1`, `5.1.1`, `450`).
    pub code: String,
    /// The bounce type that form usually has.
    pub bounce_type: BounceType,
}

/// One code, explained.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Entry {
    /// Stable, URL-safe id: `551`, `5xx`, `x.1.6`, `5.xxx.xxx`, `x.1.xxx`, `yahoo-tss04`.
    pub id: String,
    /// The code as people write it: `551`, `X.1.6`, `5.XXX.XXX`, `TSS04`.
    pub code: String,
    /// What kind of code this is.
    pub kind: Kind,
    /// The provider whose code or wording this is (provider entries only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub provider: Option<String>,
    /// A short title.
    pub title: String,
    /// What it means, in a paragraph.
    pub meaning: String,
    /// Is the address dead?
    pub bounce_type: BounceType,
    /// How bad it is for the sender.
    pub severity: Severity,
    /// The reader-facing group.
    pub category: Category,
    /// The usual reason, in rebound-core's (Sisimai's) vocabulary.
    pub reason: Reason,
    /// What to do, as an action.
    pub action: Action,
    /// What to do, in one line.
    pub todo: String,
    /// Where the code is defined: RFC and section, or the provider.
    pub standard: String,
    /// Replies as they appear in logs and bounce messages.
    pub examples: Vec<String>,
    /// The SMTP stage the examples answered (`connect`, `mail`, `rcpt`, `end-of-data`, …).
    pub command: String,
    /// How it plays out, step by step, from sending to the bounce.
    pub plays_out: Vec<String>,
    /// The usual causes.
    pub causes: Vec<String>,
    /// How to fix it, step by step.
    pub fix: Vec<String>,
    /// Ids of related entries.
    pub related: Vec<String>,
    /// Questions senders ask (at least two for the most common codes).
    pub faq: Vec<Faq>,
    /// Notes for bulk and transactional senders (the most common codes).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub senders: Option<SenderNotes>,
    /// Whether this is one of the codes senders meet most.
    pub common: bool,
    /// Lower-case marks that identify a provider's reply text (provider entries only).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub marks: Vec<String>,
    /// The temporary and permanent forms of the code, for the soft-vs-hard table.
    pub forms: Vec<Form>,
}

impl Entry {
    /// The class digit of a code that starts with one (`551` → 5, `4xx` → 4, `5.XXX.XXX` → 5);
    /// `None` for `X.…` codes and provider tokens.
    pub fn class_digit(&self) -> Option<u8> {
        match self.code.as_bytes().first() {
            Some(b @ b'2'..=b'5') => Some(b - b'0'),
            _ => None,
        }
    }

    /// The enhanced subject number (`X.7.1` → 7), for enhanced and subject entries.
    pub fn subject(&self) -> Option<u16> {
        match self.kind {
            Kind::Enhanced | Kind::EnhancedSubject => self.code.split('.').nth(1)?.parse().ok(),
            _ => None,
        }
    }
}
