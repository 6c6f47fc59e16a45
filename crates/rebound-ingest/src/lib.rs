//! Rebound's readers: every foreign format in, [`rebound_core::BounceEvent`]s out.
//!
//! Every reader yields [`Evidence`] (one recipient's), and [`build_event`] is the one way from
//! evidence to a classified event, for all of them:
//!
//! - bounce emails: [`read_message`] (or [`read_bounce`] then [`bounce_events`]): RFC 3464 DSN,
//!   RFC 6533, ARF (RFC 5965), auto-replies (RFC 3834), vendor formats, in every charset;
//! - containers: [`Messages`] streams `.eml` files, mbox (RFC 4155), Maildir and directories;
//! - MTA logs: [`LogReader`] / [`read_log`] for each [`LogFormat`], [`follow_log`] for `tail -F`;
//! - webhooks: [`read_webhook`] for each [`WebhookFormat`];
//! - what an input is: [`sniff`], [`kind_of`], [`holds_events`]; [`read_all`] and
//!   [`read_foreign`] route logs and webhook bodies to their readers;
//! - [`Lines`]: numbered lines of bounded length from any stream.
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

mod container;
mod detect;
mod event;
mod evidence;
mod lines;
mod log;
mod mail;
mod time;
mod webhook;

pub use container::mbox::Splitter as MboxSplitter;
pub use container::{ContainerError, Message, Messages};
pub use detect::{
    Format, InputKind, ReadError, SNIFF_BYTES, UnknownFormat, head, holds_events, kind_of,
    read_all, read_foreign, sniff, split_paths, wait_for_first_line,
};
pub use event::{Origin, build as build_event, events as bounce_events};
pub use evidence::{Evidence, Record};
pub use lines::{Line, Lines};
pub use log::file::{follow as follow_log, read_stream as read_log_stream};
pub use log::{Garbled, LogFormat, LogOptions, LogReader, LogStats, read_log};
pub use mail::{Bounce, MailError, Options, read as read_bounce};
pub use webhook::json::MAX_BODY as MAX_WEBHOOK_BODY;
pub use webhook::{WebhookError, WebhookFormat, read_deliveries, read_webhook};

/// The MIME walk and the charset and header decoders, for this crate's own benchmarks and
/// fuzz targets; not a stable API.
#[doc(hidden)]
pub mod internals {
    pub use crate::mail::decode::{decode_words, into_text, to_text};
    pub use crate::mail::header::{ContentType, Headers, split, text_value};
    pub use crate::mail::mime::Mime;
    pub use crate::mail::normalize_newlines;
}

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
