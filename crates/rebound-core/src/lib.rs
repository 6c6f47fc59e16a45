//! Rebound's core: the vocabulary of bounces and the brain that classifies them.
//!
//! - [`Reply`] ([`reply`]): what a server said, parsed from real-world text.
//! - [`EnhancedStatus`] ([`status`]): RFC 3463 `class.subject.detail`.
//! - [`ForwardHint`] ([`forward`]): the forward-path of a 251/551 reply.
//! - [`BounceEvent`] ([`event`]): one recipient's outcome, the stable JSON contract.
//! - [`taxonomy`]: reasons, bounce types, categories, severities and actions.
//! - [`rules`]: classification rules as data (TOML), and [`Classifier`] ([`classify`]) which
//!   compiles them once and names the deciding rule in every [`Classification`].
//! - [`Phrases`] ([`phrases`]): fixed phrases found ASCII case-insensitively, for the
//!   reply parser and the bounce readers alike.
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

pub mod classify;
pub mod event;
pub mod facts;
pub mod forward;
pub mod phrases;
pub mod reply;
pub mod rules;
pub mod status;
pub mod taxonomy;
pub mod text_match;
mod wrapper;

pub use classify::{Classification, Classifier, ClassifierBuilder};
pub use event::{BounceEvent, Source};
pub use facts::{DsnAction, Facts, OwnedFacts, Reader, SourceKind, Truncation};
pub use forward::ForwardHint;
pub use phrases::Phrases;
pub use reply::{Reply, ReplyError, SmtpCommand};
pub use rules::{Example, Rule, RuleError};
pub use status::EnhancedStatus;
pub use taxonomy::{Action, BounceType, Category, Reason, Severity};
