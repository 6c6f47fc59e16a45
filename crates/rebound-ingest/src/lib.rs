//! Rebound's readers: every foreign format in, [`rebound_core::BounceEvent`]s out.
//!
//! - [`mail`]: bounce emails, one raw message → the evidence per recipient (RFC 3464 DSN,
//!   RFC 6533, ARF RFC 5965, auto-replies RFC 3834, vendor formats).
//! - [`container`]: `.eml` files, mbox (RFC 4155), Maildir and directories, streamed one
//!   message at a time.
//! - [`event`]: evidence → classified events, through `rebound-core`'s classifier.
//!
//! ```
//! use rebound_core::Classifier;
//! let raw = b"From: MAILER-DAEMON@example.org\nTo: s@example.org\nSubject: Undelivered Mail\n\
//! Content-Type: multipart/report; report-type=delivery-status; boundary=b\n\n--b\n\nSorry.\n\
//! --b\nContent-Type: message/delivery-status\n\nReporting-MTA: dns; mx.example.org\n\n\
//! Final-Recipient: rfc822; jdoe@example.com\nAction: failed\nStatus: 5.1.1\n\
//! Diagnostic-Code: smtp; 550 5.1.1 <jdoe@example.com>: User unknown\n--b--\n";
//! let classifier = Classifier::builtin().unwrap();
//! let events = rebound_ingest::read_message(raw, &Default::default(), &classifier, &Default::default()).unwrap();
//! assert_eq!(events[0].recipient.as_deref(), Some("jdoe@example.com"));
//! assert_eq!(events[0].classification.reason.as_str(), "userunknown");
//! ```

pub mod container;
pub mod detect;
pub mod event;
pub mod evidence;
pub mod log;
pub mod mail;
pub mod time;
pub mod webhook;

pub use container::{ContainerError, Message, Messages};
pub use event::Origin;
pub use mail::{MailError, Options};

use rebound_core::{BounceEvent, Classifier};

/// Reads one raw message and classifies each recipient.
pub fn read_message(
    raw: &[u8],
    options: &Options,
    classifier: &Classifier,
    origin: &Origin,
) -> Result<Vec<BounceEvent>, MailError> {
    let bounce = mail::read(raw, options)?;
    Ok(event::events(&bounce, classifier, origin))
}
