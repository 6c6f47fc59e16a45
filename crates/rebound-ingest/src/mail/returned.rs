//! The returned message: the copy of the original message (or of its header) that a bounce
//! carries as `message/rfc822` (RFC 3464 section 2, RFC 2046 5.2.1), `text/rfc822-headers`
//! (RFC 6522 / RFC 3462) or inline after a line such as "----- Original message -----"; in a
//! bounce forwarded as an attachment, the message returned inside it.
//! Gives the event its Message-ID, the sender when the report did not name one, and the
//! header fields the user asked to keep as tags.

use super::header::{self, Headers};
use super::{Bounce, Input, Options};
use aho_corasick::packed;
use std::borrow::Cow;
use std::sync::LazyLock;

/// Lines after which MTAs put the original message inline (lower-case, matched as the start
/// of a trimmed line).
pub const INLINE_MARKERS: &[&str] = &[
    "------ this is a copy of the message",
    "------ this is a copy of your message",
    "--- below this line is a copy of the message",
    "message headers follow",
    "----- original message -----",
    "------ original message ------",
    "--- original message",
    "----- transcript of session follows -----",
    "original message headers",
    "----- the following addresses had",
    "content-type: message/rfc822",
    "the original message was received",
    "------ the header of the original message",
    "--- the header of the original message",
    "----- unsent message follows -----",
    "--- original message follows",
    "|------------------------- message text follows",
    "------ original message follows",
    "--- the message header follows",
    "original message:",
    "original message follows",
    "below this line is a copy of the message",
    "header of original message",
    "included is a copy of the message header",
];

/// [`INLINE_MARKERS`] as one packed (SIMD) searcher, over ASCII-lower-cased text
/// ([`Input::lower`]).
static MARKERS: LazyLock<Option<packed::Searcher>> = LazyLock::new(|| {
    packed::Config::new()
        .match_kind(packed::MatchKind::LeftmostFirst)
        .builder()
        .extend(INLINE_MARKERS)
        .build()
});

/// Whether a parsed header block looks like a message's (not a DSN's or a bounce's words).
fn is_message_header(h: &Headers) -> bool {
    h.has("message-id") || h.has("from") || h.has("to") || h.has("subject")
}

/// The header fields of the returned message, if the bounce carries any.
pub fn headers<'a>(input: &'a Input<'_>) -> Option<Cow<'a, Headers<'a>>> {
    let mime = &input.mime;
    let mut inside = mime
        .parts
        .iter()
        .filter(|p| p.inside_message && p.depth > 0);
    let first = inside.next();
    // A bounce forwarded as an attachment is itself a `multipart/report` inside a message:
    // the returned message is the next message header inside it.
    let first = match first {
        Some(f) if f.mime() == "multipart/report" => inside
            .find(|p| p.depth > f.depth && is_message_header(&p.headers))
            .or(Some(f)),
        other => other,
    };
    if let Some(p) = first
        && !p.headers.is_empty()
    {
        return Some(Cow::Borrowed(&p.headers));
    }
    for p in &mime.parts {
        let m = p.mime();
        // A header block attached as a text file (`mailheaders-….txt`) counts too.
        let attached = m.starts_with("text/plain")
            && !p.inside_message
            && p.depth > 0
            && (p.headers.has("content-disposition") || p.content_type.param("name").is_some());
        if m == "text/rfc822-headers"
            || m == "text/global-headers"
            || attached
            || ((m == "message/rfc822" || m == "message/global") && p.encoding != "7bit")
        {
            let block = match lf_normalized(p.decoded()) {
                Cow::Borrowed(body) => Cow::Borrowed(header_block(body)),
                Cow::Owned(body) => Cow::Owned(header_block(&body).to_vec()),
            };
            let accept = |h: &Headers| !h.is_empty() && (!attached || is_message_header(h));
            if let Some(h) = accepted(block, accept) {
                return Some(Cow::Owned(h));
            }
        }
    }
    inline(input).map(Cow::Owned)
}

/// A part's body with LF line endings, still borrowed from the message when it was.
fn lf_normalized(body: Cow<'_, [u8]>) -> Cow<'_, [u8]> {
    match body {
        Cow::Borrowed(b) => super::normalize_newlines(b),
        Cow::Owned(b) if memchr::memchr(b'\r', &b).is_some() => {
            Cow::Owned(super::normalize_newlines(&b).into_owned())
        }
        owned => owned,
    }
}

/// The header block at the start of a body (blank lines before it skipped).
fn header_block(body: &[u8]) -> &[u8] {
    header::split(trim_start_lines(body)).0
}

/// The fields of a header block when `accept` takes them: borrowed from the message when
/// the block is, else owning the block.
fn accepted<'a>(block: Cow<'a, [u8]>, accept: impl Fn(&Headers) -> bool) -> Option<Headers<'a>> {
    match block {
        Cow::Borrowed(b) => Some(Headers::borrowed(b)).filter(|h| accept(h)),
        Cow::Owned(b) => Some(Headers::owned(b)).filter(|h| accept(h)),
    }
}

/// The original header inline in the bounce body, after one of [`INLINE_MARKERS`] (the
/// first marker followed by a header block).
fn inline<'a>(input: &'a Input<'_>) -> Option<Headers<'a>> {
    let markers = MARKERS.as_ref()?;
    // The decoded text parts are already joined in `input.text`: no second decoding. Its
    // lower-cased copy has the same offsets.
    let body = input.text.as_bytes();
    for m in markers.find_iter(input.lower.as_bytes()).take(8) {
        let Some(i) = memchr::memchr(b'\n', &body[m.start()..]) else {
            continue;
        };
        let after = &body[m.start() + i + 1..];
        if let Some(h) = accepted(unindent(header_block(after)), is_message_header) {
            return Some(h);
        }
    }
    None
}

/// Drops blank (or white-space-only) lines at the start.
fn trim_start_lines(mut b: &[u8]) -> &[u8] {
    loop {
        let end = memchr::memchr(b'\n', b).unwrap_or(b.len());
        if end < b.len() && b[..end].iter().all(u8::is_ascii_whitespace) {
            b = &b[end + 1..];
        } else {
            return b;
        }
    }
}

/// Removes a common indentation some MTAs put before the quoted header (`   From: …`);
/// borrowed when there is none.
fn unindent(head: &[u8]) -> Cow<'_, [u8]> {
    let indent = head
        .iter()
        .take_while(|b| **b == b' ' || **b == b'\t')
        .count();
    if indent == 0 {
        return Cow::Borrowed(head);
    }
    let mut out = Vec::with_capacity(head.len());
    for line in head.split(|&b| b == b'\n') {
        let n = line
            .iter()
            .take(indent)
            .take_while(|b| **b == b' ' || **b == b'\t')
            .count();
        out.extend_from_slice(&line[n..]);
        out.push(b'\n');
    }
    Cow::Owned(out)
}

/// Fills the bounce's Message-ID, sender, date and tags from the returned message and the
/// bounce's own header.
pub fn fill(input: &Input<'_>, bounce: &mut Bounce, options: &Options) {
    let returned = headers(input);
    if let Some(h) = &returned {
        if bounce.message_id.is_none() {
            bounce.message_id = h
                .get("message-id")
                .map(|m| m.trim().trim_matches(['<', '>']).to_string())
                .filter(|m| !m.is_empty());
        }
        if bounce.sender.is_none() {
            bounce.sender = h.get("from").and_then(header::address);
        }
        for name in &options.tag_headers {
            if let Some(v) = h.get_text(name) {
                bounce
                    .tags
                    .insert(name.to_ascii_lowercase(), v.into_owned());
            }
        }
    }
    if bounce.sender.is_none() {
        bounce.sender = input.top().get("to").and_then(header::address);
    }
    if bounce.date.is_none() {
        bounce.date = input.top().get("date").and_then(crate::time::rfc5322);
    }
    // A recipient-less record: the bounce's own `X-Failed-Recipients` (by position) names
    // the address that failed; else a VERP return path (see [`verp_recipient`]); else the
    // returned message's `To` (else the `for` of its `Received`) is the best evidence left
    // (see [`addressee`]). An unqualified one (`kijitora`) is completed as
    // [`super::bare::qualify`] says, else left as it is.
    if let Some(failed) = input.top().get("x-failed-recipients") {
        let failed = super::vendor::split_addresses(failed);
        for (r, f) in bounce.records.iter_mut().zip(failed) {
            if r.recipient.is_none() {
                r.recipient = Some(f);
            }
        }
    }
    // Read only for a record that needs it (most name their recipient).
    let returned = returned.as_deref();
    let mut verp = verp_recipient(input);
    let mut to = || {
        verp.take()
            .or_else(|| returned.and_then(|h| addressee(input, h)))
    };
    for r in bounce.records.iter_mut() {
        match r.recipient.as_deref() {
            None => r.recipient = to(),
            Some(local) if !local.contains('@') => {
                if let Some(full) = super::bare::qualify(input, returned, local) {
                    r.recipient = Some(full);
                }
            }
            Some(_) => {}
        }
    }
}

/// The recipient a VERP return path encodes (variable envelope return path: the sender
/// writes the recipient into the address bounces come back to, `bounces+jdoe=example.net@
/// list.example.org`, as Mailman and froide do): the bounce's `To` with a `+` tag holding
/// `local=domain`. Only `+` is read as the tag's separator: in qmail's `-` form the local
/// part's own hyphens make the split a guess.
fn verp_recipient(input: &Input<'_>) -> Option<String> {
    let to = header::address(input.top().get("to")?)?;
    let (local, _) = to.rsplit_once('@')?;
    let tag = local.rsplit_once('+')?.1;
    let (user, domain) = tag.rsplit_once('=')?;
    let domain_ok = domain.contains('.')
        && !domain.starts_with(['.', '-'])
        && domain
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-'));
    let user_ok = !user.is_empty()
        && user
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'));
    (domain_ok && user_ok).then(|| format!("{user}@{}", domain.to_ascii_lowercase()))
}

/// The returned message's addressee, when its header names one that can be the failed
/// recipient: the one mailbox of its `To` and `Cc`, or of several the one whose display name
/// the notice writes (Exchange lists `Jane Doe on 19/09/2002 13:52`); else the first `for`
/// of its `Received` fields. Never the sender (the returned `From`, the bounce's `To`) nor the
/// list's own address (`List-Post`, `List-Id`): a post to a list, or a newsletter sent to
/// its sender with the readers in `Bcc`, names no reader in its header.
fn addressee(input: &Input<'_>, h: &Headers) -> Option<String> {
    let mut not_recipient: Vec<String> = [h.get("from"), input.top().get("to"), h.get("list-post")]
        .into_iter()
        .flatten()
        .filter_map(|v| header::address(v.trim_start_matches('<').trim_start_matches("mailto:")))
        .map(|a| a.to_ascii_lowercase())
        .collect();
    // `List-Id: <news.example.org>` is the list `news@example.org` (RFC 2919's usual form).
    if let Some(id) = h.get("list-id").and_then(|v| v.split(['<', '>']).nth(1))
        && let Some((local, domain)) = id.split_once('.')
    {
        not_recipient.push(format!("{local}@{domain}").to_ascii_lowercase());
    }
    let ok = |a: &String| !not_recipient.contains(&a.to_ascii_lowercase());
    let mailboxes: Vec<(String, String)> = h
        .values(|n| n.eq_ignore_ascii_case("to") || n.eq_ignore_ascii_case("cc"))
        .flat_map(mailboxes)
        .collect();
    let picked = match mailboxes.as_slice() {
        [] => None,
        [(_, one)] => Some(one.clone()).filter(ok),
        several => {
            let text = input.human();
            let mut named = several.iter().filter(|(name, address)| {
                name.len() > 2 && ok(address) && super::text::contains_ignore_ascii_case(text, name)
            });
            match (named.next(), named.next()) {
                (Some((_, address)), None) => Some(address.clone()),
                _ => None,
            }
        }
    };
    picked.or_else(|| received_for(h).find(ok))
}

/// The (display name, address) pairs of an address-list field (RFC 5322 3.4), split at
/// commas outside quotes and angle brackets; the name is "" when there is none.
fn mailboxes(value: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let (mut quoted, mut angle, mut start) = (false, false, 0);
    for (i, c) in value
        .char_indices()
        .chain(std::iter::once((value.len(), ',')))
    {
        match c {
            '"' => quoted = !quoted,
            '<' if !quoted => angle = true,
            '>' if !quoted => angle = false,
            ',' if !quoted && !angle => {
                let part = &value[start..i];
                start = i + 1;
                let Some(address) = header::address(part) else {
                    continue;
                };
                let name = part
                    .split('<')
                    .next()
                    .filter(|_| part.contains('<'))
                    .unwrap_or("")
                    .trim()
                    .trim_matches(['"', '\'', ' '])
                    .to_string();
                out.push((name, address));
            }
            _ => {}
        }
    }
    out
}

/// The addresses in the `for` clauses of `Received` fields (RFC 5321 4.4).
fn received_for<'h>(h: &'h Headers) -> impl Iterator<Item = String> + 'h {
    h.values(|n| n.eq_ignore_ascii_case("received"))
        .filter_map(|v| {
            let i = v.find(" for ")?;
            header::address(&v[i + 5..])
        })
}

/// The address of the returned message (`To`, `Cc`, `Received … for`, `Envelope-To`,
/// `X-Original-To`, `Delivered-To`) whose local part is `local`.
pub(super) fn qualify(local: &str, h: &Headers) -> Option<String> {
    let names = ["to", "cc", "envelope-to", "x-original-to", "delivered-to"];
    let from_fields = h
        .values(|name| names.iter().any(|n| name.eq_ignore_ascii_case(n)))
        .flat_map(|v| v.split(',').filter_map(header::address));
    from_fields.chain(received_for(h)).find(|a| {
        a.rsplit_once('@')
            .is_some_and(|(l, _)| l.eq_ignore_ascii_case(local))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mail::{Options, read};

    #[test]
    fn mailboxes_of_an_address_list() {
        assert_eq!(
            mailboxes(r#""Doe, Jane" <jdoe@a.example>, Jo <jo@b.example>, x@c.example"#),
            [
                ("Doe, Jane".to_string(), "jdoe@a.example".to_string()),
                ("Jo".to_string(), "jo@b.example".to_string()),
                (String::new(), "x@c.example".to_string()),
            ]
        );
        assert!(mailboxes("undisclosed-recipients:;").is_empty());
    }

    /// The recipient a bounce without recipient lines gets from its returned message.
    fn fallback(to: &str, notice: &str, extra: &str) -> Option<String> {
        let raw = format!(
            "From: MAILER-DAEMON@mx.example.net\nTo: news@example.org\nSubject: Undeliverable\n\
             Content-Type: multipart/mixed; boundary=\"b\"\n\n--b\nContent-Type: text/plain\n\n\
             {notice}\n--b\nContent-Type: message/rfc822\n\nFrom: News <news@example.org>\n\
             To: {to}\n{extra}Subject: s\n\nbody\n--b--\n"
        );
        let b = read(raw.as_bytes(), &Options::default()).unwrap_or_else(|e| panic!("{e}"));
        b.records.first().and_then(|r| r.recipient.clone())
    }

    #[test]
    fn a_verp_return_path_names_the_recipient() {
        let raw = "From: MAILER-DAEMON@mx.example.net\n\
                   To: news-bounces+jdoe=Example.NET@lists.example.org\n\
                   Subject: Undeliverable\n\nDelivery failed: 550 No such user\n";
        let b = read(raw.as_bytes(), &Options::default()).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(b.records[0].recipient.as_deref(), Some("jdoe@example.net"));
        // No `+` tag, or no domain in it: no recipient read from the To.
        for to in [
            "news-jdoe=example.net@lists.example.org",
            "news+abc@example.org",
        ] {
            let raw = format!(
                "From: MAILER-DAEMON@mx.example.net\nTo: {to}\nSubject: Undeliverable\n\n\
                 Delivery failed: 550 No such user\n"
            );
            let b = read(raw.as_bytes(), &Options::default()).unwrap_or_else(|e| panic!("{e}"));
            assert_eq!(b.records[0].recipient, None, "{to}");
        }
    }

    #[test]
    fn the_returned_to_only_when_it_can_be_the_recipient() {
        let notice = "Delivery failed: 550 No such user";
        assert_eq!(
            fallback("jdoe@example.net", notice, "").as_deref(),
            Some("jdoe@example.net")
        );
        // The sender itself (readers in Bcc), the list's own address: no recipient.
        assert_eq!(fallback("news@example.org", notice, ""), None);
        assert_eq!(
            fallback(
                "news-list@example.org",
                notice,
                "List-Post: <mailto:news-list@example.org>\n"
            ),
            None
        );
        assert_eq!(
            fallback(
                "news-list@example.org",
                notice,
                "List-Id: <news-list.example.org>\n"
            ),
            None
        );
        // Several: the one the notice names by display name, else none.
        let two = "Jane Doe <jdoe@example.net>, John Roe <jroe@example.net>";
        assert_eq!(
            fallback(two, "John Roe on 19/09/2002\n550 No such user", "").as_deref(),
            Some("jroe@example.net")
        );
        assert_eq!(fallback(two, notice, ""), None);
    }
}
