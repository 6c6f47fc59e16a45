//! Rebound's core: the vocabulary of bounces and the brain that classifies them.
//!
//! - [`Reply`]: what a server said, parsed from real-world text.
//! - [`EnhancedStatus`]: RFC 3463 `class.subject.detail`.
//! - [`ForwardHint`]: the forward-path of a 251/551 reply.
//! - [`BounceEvent`]: one recipient's outcome, the stable JSON contract; [`Facts`]: what an
//!   input stated besides the reply ([`SourceKind`], [`Reader`], [`DsnAction`], …).
//! - The taxonomy: [`Reason`], [`BounceType`], [`Category`], [`Severity`], [`Action`].
//! - [`Rule`]s as data (TOML, [`BUILTIN_RULES`]), and [`Classifier`], which compiles them
//!   once and names the deciding rule in every [`Classification`].
//! - [`Phrases`]: fixed phrases found ASCII case-insensitively, for the reply parser and the
//!   bounce readers alike; [`time`]: ISO 8601 / RFC 3339 date-times read leniently.
//!
//! This crate does no I/O.
//!
//! ```
//! use rebound_core::{Classifier, Reply};
//! let classifier = Classifier::builtin().unwrap();
//! let mut reply = Reply::parse("551 User not local; please try <jdoe@relay.example.net>").unwrap();
//! reply.relate_to_recipient("jdoe@example.com");
//! let verdict = classifier.classify(&reply);
//! assert_eq!(verdict.reason.as_str(), "hasmoved");
//! assert_eq!(verdict.action.as_str(), "review"); // another domain: a person decides
//! ```

mod classify;
mod event;
mod facts;
mod forward;
mod patterns;
mod phrases;
mod reply;
mod rules;
mod status;
mod taxonomy;
mod text_match;
pub mod time;
mod wrapper;

pub use classify::{Classification, Classifier, ClassifierBuilder, MATCH_WINDOW, NO_RULE, Verdict};
pub use event::{BounceEvent, Source, TagValue, tag_text};
pub use facts::{DsnAction, Facts, OwnedFacts, Reader, SourceKind, Truncation};
pub use forward::{ForwardHint, same_domain};
pub use patterns::{CodePattern, StatusPattern};
pub use phrases::{Phrases, find_ignore_ascii_case};
pub use reply::{Reply, ReplyError, SmtpCommand};
pub use rules::{BUILTIN as BUILTIN_RULES, Example, Rule, RuleError};
pub use status::{EnhancedStatus, StatusParseError};
pub use taxonomy::{Action, BounceType, Category, Profile, Reason, Severity, UnknownName};
