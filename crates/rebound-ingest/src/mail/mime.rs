//! A fast, forgiving MIME walker (RFC 2045, RFC 2046 section 5): splits a message into its parts
//! without copying, descending into `multipart/*` and `message/rfc822` (RFC 2046 5.2.1) with an
//! explicit stack; inside a returned message only its header and a nested report are walked, not
//! the original's own parts. Nesting deeper than [`MAX_DEPTH`] or more than [`MAX_PARTS`] parts
//! stop the walk there (noted in [`Mime::truncated`]); a missing closing boundary ends the last
//! part at the end of the input. Bodies stay encoded until a reader asks for them.

use super::decode;
use super::header::{self, ContentType, Headers};
use memchr::memmem;
use rebound_core::Truncation;
use std::borrow::Cow;
use std::sync::LazyLock;

/// The deepest nesting walked; real bounces nest three or four levels.
pub const MAX_DEPTH: usize = 32;
/// The most parts collected from one message.
pub const MAX_PARTS: usize = 512;

/// One MIME entity: its header fields, content type and (still encoded) body.
#[derive(Debug, Clone)]
pub struct Part<'a> {
    /// The entity's header fields.
    pub headers: Headers<'a>,
    /// Its parsed `Content-Type`.
    pub content_type: ContentType<'a>,
    /// Its `Content-Transfer-Encoding`, lower-cased (`7bit` when absent).
    pub encoding: Cow<'a, str>,
    /// The body as it appears in the message.
    pub body: &'a [u8],
    /// 0 for the message itself, +1 per multipart or message level.
    pub depth: usize,
    /// True inside a `message/rfc822` (a returned or forwarded message).
    pub inside_message: bool,
}

impl Part<'_> {
    /// `type/subtype`, lower-cased.
    pub fn mime(&self) -> &str {
        &self.content_type.mime
    }

    /// The body with its transfer encoding removed.
    pub fn decoded(&self) -> Cow<'_, [u8]> {
        decode::transfer_decode(&self.encoding, self.body)
    }

    /// The decoded body as text, in its declared charset (borrowed from the message when
    /// neither the transfer encoding nor the charset needed a copy).
    pub fn text(&self) -> Cow<'_, str> {
        let charset = self.content_type.param("charset");
        let charset = charset.as_deref().unwrap_or("us-ascii");
        match self.decoded() {
            Cow::Borrowed(bytes) => decode::to_text(charset, bytes),
            Cow::Owned(bytes) => Cow::Owned(decode::into_text(charset, bytes)),
        }
    }
}

/// A walked message: every entity in document order, the message itself first.
#[derive(Debug, Clone)]
pub struct Mime<'a> {
    /// All entities, depth-first in document order; `parts[0]` is the whole message.
    pub parts: Vec<Part<'a>>,
    /// The limits that stopped the walk: [`Truncation::MimeDepth`] when a multipart or
    /// message entity at [`MAX_DEPTH`] was not walked, [`Truncation::MimeParts`] when parts
    /// beyond [`MAX_PARTS`] were left; empty when the whole message was walked.
    pub truncated: Vec<Truncation>,
}

impl<'a> Mime<'a> {
    /// Walks a LF-normalized message.
    pub fn parse(message: &'a [u8]) -> Mime<'a> {
        // Room for a typical report (the multipart, human text, status and returned message)
        // without growing, in a block small enough for the allocator's per-thread cache: eight
        // parts made every message's block a slow allocation and free.
        let mut parts = Vec::with_capacity(5);
        let mut truncated = Vec::new();
        // (bytes of an entity, depth, inside a message/rfc822)
        let mut stack: Vec<(&'a [u8], usize, bool)> = Vec::with_capacity(8);
        stack.push((message, 0, false));
        while let Some((bytes, depth, inside)) = stack.pop() {
            if parts.len() >= MAX_PARTS {
                truncated.push(Truncation::MimeParts);
                break;
            }
            let part = entity(bytes, depth, inside);
            let mime = &*part.content_type.mime;
            let body = part.body;
            if depth >= MAX_DEPTH {
                if (mime.starts_with("multipart/") || mime == "message/rfc822")
                    && !truncated.contains(&Truncation::MimeDepth)
                {
                    truncated.push(Truncation::MimeDepth);
                }
                parts.push(part);
                continue;
            }
            // Inside a returned message only a report (a bounce of a bounce) is worth
            // walking; the original's own alternatives and attachments are not evidence.
            let walk = !inside || mime == "multipart/report";
            if mime.starts_with("multipart/") && walk {
                if let Some(b) = part
                    .content_type
                    .param("boundary")
                    .filter(|b| !b.is_empty())
                {
                    let first_child = stack.len();
                    split_multipart(body, b.as_bytes(), |child| {
                        stack.push((child, depth + 1, inside));
                    });
                    stack[first_child..].reverse();
                }
            } else if (mime == "message/rfc822" || mime == "message/global")
                && matches!(&*part.encoding, "7bit" | "8bit" | "binary" | "")
            {
                stack.push((body, depth + 1, true));
            }
            parts.push(part);
        }
        truncated.sort_unstable();
        Mime { parts, truncated }
    }

    /// The top-level header fields.
    pub fn top(&self) -> &Headers<'a> {
        &self.parts[0].headers
    }

    /// The first part of a type, outside or (failing that) inside returned messages.
    pub fn first(&self, mime: &str) -> Option<&Part<'a>> {
        self.parts
            .iter()
            .filter(|p| p.mime() == mime)
            .min_by_key(|p| p.inside_message)
    }
}

/// Reads one entity's header block and body.
fn entity(bytes: &[u8], depth: usize, inside_message: bool) -> Part<'_> {
    let (head, body) = header::split(bytes);
    let headers = Headers::borrowed(head);
    // Borrowed from the input when the field was on one line; a folded one owns its text.
    let content_type = match headers.get_cow("content-type") {
        Some(Cow::Borrowed(v)) => ContentType::parse(Some(v)),
        Some(Cow::Owned(v)) => ContentType::parse(Some(&v)).into_owned(),
        None => ContentType::parse(None),
    };
    let encoding = match headers.get_cow("content-transfer-encoding") {
        Some(Cow::Borrowed(v)) => header::ascii_lower(header::trim(v)),
        Some(Cow::Owned(v)) => Cow::Owned(header::trim(&v).to_ascii_lowercase()),
        None => Cow::Borrowed("7bit"),
    };
    Part {
        headers,
        content_type,
        encoding,
        body,
        depth,
        inside_message,
    }
}

/// The bodies between `--boundary` delimiter lines (RFC 2046 5.1.1). Preamble and epilogue
/// are dropped; without a closing delimiter the last part runs to the end; without any
/// delimiter the whole body is one part.
fn split_multipart<'a>(body: &'a [u8], boundary: &[u8], mut emit: impl FnMut(&'a [u8])) {
    // The length of `\n--boundary`.
    let delim_len = boundary.len() + 3;
    let mut starts = Vec::new(); // positions just after each delimiter line
    let mut closed_at = None;
    // A delimiter may open the body without a preceding newline.
    let mut search_from = 0;
    if body.starts_with(b"--") && body[2..].starts_with(boundary) {
        search_from = delim_len - 1;
        if let Some(s) = after_delimiter(body, search_from) {
            starts.push((0, s.0));
            if s.1 {
                closed_at = Some(0);
            }
        }
    }
    let mut pos = search_from;
    while closed_at.is_none() {
        let Some(at) = find_delimiter(body, pos, boundary) else {
            break;
        };
        let end = at + delim_len;
        pos = end;
        if let Some((next, closing)) = after_delimiter(body, end) {
            starts.push((at, next));
            if closing {
                closed_at = Some(at);
            }
        }
    }
    if starts.is_empty() {
        emit(body);
        return;
    }
    for w in starts.windows(2) {
        emit(&body[w[0].1.min(w[1].0)..w[1].0]);
    }
    if closed_at.is_none()
        && let Some(&(_, last)) = starts.last()
    {
        emit(&body[last.min(body.len())..]);
    }
}

/// Every line that starts with `--`, searched with one finder built once: building a
/// searcher for each boundary costs more than the few `--` lines of a bounce's parts.
static LINE_DASHES: LazyLock<memmem::Finder<'static>> =
    LazyLock::new(|| memmem::Finder::new(b"\n--"));

/// Where the first `\n--boundary` at or after `from` starts.
fn find_delimiter(body: &[u8], from: usize, boundary: &[u8]) -> Option<usize> {
    let mut pos = from;
    loop {
        let at = pos + LINE_DASHES.find(&body[pos..])?;
        if body[at + 3..].starts_with(boundary) {
            return Some(at);
        }
        // `\n--` cannot overlap itself: the next candidate starts after this one.
        pos = at + 3;
    }
}

/// After a delimiter ending at `end`: where the next part starts, and whether it was the
/// closing delimiter (`--` right after the boundary). `None` when the boundary only starts a
/// longer word (`--abc` is not `--ab`).
fn after_delimiter(body: &[u8], end: usize) -> Option<(usize, bool)> {
    let rest = &body[end..];
    let closing = rest.starts_with(b"--");
    let line_end = memchr::memchr(b'\n', rest).map_or(body.len(), |i| end + i + 1);
    let tail = &body[end + if closing { 2 } else { 0 }..line_end];
    if !tail.iter().all(|b| b.is_ascii_whitespace()) {
        return None;
    }
    Some((line_end, closing))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn walks_a_report() {
        let m = b"Content-Type: multipart/report; boundary=\"XX\"\n\npre\n--XX\n\nhuman\n--XX\nContent-Type: message/delivery-status\n\nStatus: 5.1.1\n--XX\nContent-Type: message/rfc822\n\nMessage-ID: <a@b>\n\nhi\n--XX--\nepi";
        let mime = Mime::parse(m);
        let types: Vec<_> = mime.parts.iter().map(|p| p.mime().to_string()).collect();
        assert_eq!(
            types,
            [
                "multipart/report",
                "text/plain",
                "message/delivery-status",
                "message/rfc822",
                "text/plain"
            ]
        );
        assert_eq!(mime.parts[1].body, b"human");
        assert_eq!(mime.parts[4].headers.get("message-id"), Some("<a@b>"));
        assert!(mime.parts[4].inside_message);
    }

    #[test]
    fn missing_closing_boundary_and_no_boundary() {
        let m = b"Content-Type: multipart/mixed; boundary=b\n\n--b\n\none\n--b\n\ntwo\n";
        assert_eq!(Mime::parse(m).parts.len(), 3);
        let m = b"Content-Type: multipart/mixed; boundary=zz\n\nno delimiter here\n";
        let mime = Mime::parse(m);
        assert_eq!(mime.parts.len(), 2);
    }

    #[test]
    fn deep_nesting_is_cut() {
        let mut m = Vec::new();
        for _ in 0..1000 {
            m.extend_from_slice(b"Content-Type: message/rfc822\n\n");
        }
        let mime = Mime::parse(&m);
        assert_eq!(mime.truncated, [Truncation::MimeDepth]);
        assert!(mime.parts.len() <= MAX_DEPTH + 1);
    }

    #[test]
    fn too_many_parts_are_cut() {
        let mut m = b"Content-Type: multipart/mixed; boundary=b\n\n".to_vec();
        for i in 0..1000 {
            m.extend_from_slice(format!("--b\n\npart {i}\n").as_bytes());
        }
        m.extend_from_slice(b"--b--\n");
        let mime = Mime::parse(&m);
        assert_eq!(mime.truncated, [Truncation::MimeParts]);
        assert_eq!(mime.parts.len(), MAX_PARTS);
        let mut few = b"Content-Type: multipart/mixed; boundary=b\n\n".to_vec();
        few.extend_from_slice(b"--b\n\none\n--b--\n");
        assert!(Mime::parse(&few).truncated.is_empty());
    }
}
