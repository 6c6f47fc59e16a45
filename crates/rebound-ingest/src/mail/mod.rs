//! Bounce emails: from one raw message to the evidence for each recipient ([`Record`]s in a
//! [`Bounce`]). The readers are tried in order, each with the same shape (`detect` → `parse`):
//! ARF feedback reports (RFC 5965, [`arf`]), the vendor formats that need their own reading
//! ([`vendor`]), RFC 3464 / RFC 6533 delivery status notifications ([`report`]), auto-replies
//! (RFC 3834, [`autoreply`]) and finally the generic plain-text bounce reader ([`generic`], on
//! the prose scan of [`text`]). Classification happens later, in [`crate::event`]; this module
//! only reads.

pub mod arf;
pub mod autoreply;
pub mod bare;
pub mod decode;
pub mod diagnostic;
pub mod dsn;
pub mod generic;
pub mod header;
pub mod human;
pub mod mime;
pub mod report;
pub mod returned;
pub mod text;
pub mod vendor;

use crate::evidence::Evidence;
use jiff::Timestamp;
use rebound_core::{Reader, SourceKind, Truncation};
use std::borrow::Cow;
use std::collections::BTreeMap;

pub use crate::evidence::Record;

/// Everything read from one message.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Bounce {
    /// The kind of report.
    pub kind: SourceKind,
    /// The reader that read it (`dsn`, `arf`, `exim`, …).
    pub reader: Reader,
    /// One record per recipient, in the order the message lists them.
    pub records: Vec<Record>,
    /// The host that wrote the report.
    pub reporting_mta: Option<String>,
    /// The original sender.
    pub sender: Option<String>,
    /// The Message-ID of the returned message.
    pub message_id: Option<String>,
    /// When the report was written (`Arrival-Date` or the bounce's `Date`); `None` when not
    /// stated or unreadable.
    pub date: Option<Timestamp>,
    /// The header fields of the returned message that the user asked for.
    pub tags: BTreeMap<String, String>,
    /// The limits that dropped evidence while the message was read (sorted, no repeats).
    pub truncated: Vec<Truncation>,
}

/// The most recipients read from one message. A notice listing more (a mailing list's
/// whole roster) gives this many events and says it was cut ([`Truncation::Recipients`]);
/// the readers stop building records one past it, so memory stays bounded.
pub const MAX_RECIPIENTS: usize = 100_000;

/// Options of the reading.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Header names (any case) of the returned message to keep as tags.
    pub tag_headers: Vec<String>,
}

/// Why a message could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum MailError {
    /// The input is empty.
    #[error("the message is empty")]
    Empty,
    /// The input has no header fields at all.
    #[error("no header fields in the first {0} bytes: not an e-mail message")]
    NotAMessage(usize),
}

/// A walked message and the texts every reader looks at, computed once.
pub struct Input<'a> {
    /// The MIME structure.
    pub mime: mime::Mime<'a>,
    /// The human-readable text: the decoded `text/plain` (else `text/html` without tags)
    /// parts outside returned messages, joined; the whole body when there are no parts.
    pub text: String,
    /// [`Input::text`] ASCII-lower-cased (same byte offsets), for the case-insensitive
    /// searches of markers.
    pub lower: String,
    /// Where the returned message starts in [`Input::text`] (its length when it does not).
    pub human_end: usize,
    /// True when [`Input::text`] was cut at [`human::MAX_TEXT`].
    pub text_cut: bool,
    /// The top-level `From` and `Subject`, looked up once: most readers' `detect` asks.
    from: Cow<'a, str>,
    subject: Cow<'a, str>,
}

impl<'a> Input<'a> {
    /// Walks the message and gathers its text.
    pub fn new(message: &'a [u8]) -> Input<'a> {
        let mime = mime::Mime::parse(message);
        let (text, text_cut) = human::human_text(&mime);
        let lower = text.to_ascii_lowercase();
        let human_end = human::returned_start(&lower);
        let top = mime.top();
        // Read as text: RFC 2047 encoded words decoded (an auto-reply's
        // `=?UTF-8?Q?R=C3=A9ponse_automatique?=`).
        let from = top.get_text("from").unwrap_or_default();
        let subject = top.get_text("subject").unwrap_or_default();
        Input {
            mime,
            text,
            lower,
            human_end,
            text_cut,
            from,
            subject,
        }
    }

    /// The human-readable text before the returned message (see [`human::returned_start`]).
    pub fn human(&self) -> &str {
        self.text.get(..self.human_end).unwrap_or(&self.text)
    }

    /// The top-level header fields.
    pub fn top(&self) -> &header::Headers<'a> {
        self.mime.top()
    }

    /// The top-level `Subject` (encoded words decoded), or "".
    pub fn subject(&self) -> &str {
        &self.subject
    }

    /// The top-level `From` (encoded words decoded), or "".
    pub fn from(&self) -> &str {
        &self.from
    }
}

/// Turns CRLF and lone CR line endings into LF (borrowed when there is no CR).
pub fn normalize_newlines(bytes: &[u8]) -> Cow<'_, [u8]> {
    if memchr::memchr(b'\r', bytes).is_none() {
        return Cow::Borrowed(bytes);
    }
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    // Copy the runs between CRs whole; each CR (with the LF after it) becomes one LF.
    for cr in memchr::memchr_iter(b'\r', bytes) {
        out.extend_from_slice(&bytes[i..cr]);
        out.push(b'\n');
        i = cr + 1;
        if bytes.get(i) == Some(&b'\n') {
            i += 1;
        }
    }
    out.extend_from_slice(&bytes[i..]);
    Cow::Owned(out)
}

/// Reads one message (any line endings). A message that is not a bounce gives a [`Bounce`]
/// without records.
pub fn read(raw: &[u8], options: &Options) -> Result<Bounce, MailError> {
    if raw.iter().all(u8::is_ascii_whitespace) {
        return Err(MailError::Empty);
    }
    let bytes = normalize_newlines(raw);
    let input = Input::new(&bytes);
    if input.top().is_empty() {
        return Err(MailError::NotAMessage(bytes.len().min(4096)));
    }
    let mut bounce = arf::parse(&input)
        .or_else(|| vendor::parse(&input))
        .or_else(|| report::parse(&input))
        .or_else(|| autoreply::parse(&input))
        .or_else(|| generic::parse(&input))
        .unwrap_or_else(|| Bounce::new(SourceKind::Mail, Reader::None));
    returned::fill(&input, &mut bounce, options);
    stage_from_transcript(&input, &mut bounce);
    let mut truncated = input.mime.truncated.clone();
    if input.text_cut {
        truncated.push(Truncation::Text);
    }
    if bounce.records.len() > MAX_RECIPIENTS {
        bounce.records.truncate(MAX_RECIPIENTS);
        truncated.push(Truncation::Recipients);
    }
    truncated.append(&mut bounce.truncated);
    truncated.sort_unstable();
    truncated.dedup();
    if bounce.records.is_empty() && !truncated.is_empty() {
        // A message a limit cut never passes for "not a bounce": the report may have been in
        // the part that was not read. One event without a recipient carries the names.
        bounce.records.push(Record::default());
    }
    bounce.truncated = truncated;
    Ok(bounce)
}

/// A recipient whose reply does not say which command it answered takes the command a
/// session transcript in the notice shows (Sendmail lists `(reason: 550 Unknown user x)`
/// above and the `>>> DATA` / `<<< 550 Unknown user x` exchange below): whether a refusal
/// came after the message body decides between a dead address and a filter.
fn stage_from_transcript(input: &Input<'_>, bounce: &mut Bounce) {
    let exchanges = diagnostic::Exchanges::of(input.human());
    if exchanges.is_empty() {
        return;
    }
    for record in &mut bounce.records {
        let Some(recipient) = record.recipient.as_deref() else {
            continue;
        };
        if record.command.is_some()
            || record
                .diagnostic
                .as_deref()
                .is_some_and(|d| diagnostic::command_in(d).is_some())
        {
            continue;
        }
        record.command = exchanges.command_for(recipient);
    }
}

impl Bounce {
    /// An empty bounce of a kind, read by `reader`.
    pub fn new(kind: SourceKind, reader: Reader) -> Bounce {
        Bounce {
            kind,
            reader,
            records: Vec::new(),
            reporting_mta: None,
            sender: None,
            message_id: None,
            date: None,
            tags: BTreeMap::new(),
            truncated: Vec::new(),
        }
    }

    /// The evidence of each recipient, in the order the message lists them.
    pub fn evidence(&self) -> impl Iterator<Item = Evidence> + '_ {
        self.records.iter().enumerate().map(|(i, record)| Evidence {
            kind: self.kind,
            reader: Some(self.reader),
            record: record.clone(),
            class: None,
            sender: self.sender.clone(),
            message_id: self.message_id.clone(),
            reporting_mta: self.reporting_mta.clone(),
            date: self.date,
            tags: self.tags.clone(),
            metadata: BTreeMap::new(),
            truncated: self.truncated.clone(),
            number: 0,
            index: u32::try_from(i + 1).unwrap_or(u32::MAX),
        })
    }
}
