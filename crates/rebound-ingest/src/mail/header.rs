//! Header fields (RFC 5322 section 2.2): splitting a header block from its body, unfolding
//! continuation lines (2.2.3), reading `Content-Type` parameters (RFC 2045 5.1) and the
//! addresses in `From`, `To` and DSN address fields. Works on LF-normalized bytes.

use memchr::memmem;
use std::borrow::Cow;
use std::sync::LazyLock;

/// Bytes as text: borrowed when valid UTF-8 (the common case, checked fast), else with
/// U+FFFD for the invalid sequences.
pub fn lossy(b: &[u8]) -> Cow<'_, str> {
    match std::str::from_utf8(b) {
        Ok(s) => Cow::Borrowed(s),
        Err(_) => String::from_utf8_lossy(b),
    }
}

/// One header field: its name as written and its unfolded value (line breaks and the white
/// space that starts a continuation line become one space). Both borrow from the parsed block
/// unless unfolding or invalid UTF-8 made a copy necessary.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Field<'a> {
    /// The field name, as written.
    pub name: Cow<'a, str>,
    /// The unfolded value, leading and trailing white space removed.
    pub value: Cow<'a, str>,
}

/// An ordered list of header fields.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Headers<'a> {
    /// The fields, in order.
    pub fields: Vec<Field<'a>>,
}

impl Headers<'static> {
    /// Parses a header block (without the blank line that ends it) into fields that own their
    /// text, for blocks that do not outlive the parse (see [`Headers::borrowed`]).
    pub fn parse(block: &[u8]) -> Headers<'static> {
        Headers::borrowed(block).into_owned()
    }
}

impl<'a> Headers<'a> {
    /// Parses a header block (without the blank line that ends it), borrowing the names and
    /// values from it. Lines that are neither a field nor a continuation are skipped.
    pub fn borrowed(block: &'a [u8]) -> Headers<'a> {
        let mut fields: Vec<Field<'a>> = Vec::with_capacity(16);
        // Validated once: every cut below falls on an ASCII byte, so a valid block gives
        // valid slices without a check per field.
        let text = std::str::from_utf8(block).ok();
        let cut = |from: usize, to: usize| -> Cow<'a, str> {
            match text.and_then(|t| t.get(from..to)) {
                Some(s) => Cow::Borrowed(s),
                None => lossy(&block[from..to]),
            }
        };
        let mut start = 0;
        let ends = memchr::memchr_iter(b'\n', block).chain(std::iter::once(block.len()));
        for end in ends {
            let line_start = start;
            let line = &block[start..end];
            start = end + 1;
            let Some(&first) = line.first() else {
                continue;
            };
            if matches!(first, b' ' | b'\t') {
                if let Some(last) = fields.last_mut() {
                    let rest = line.trim_ascii_start();
                    let more = rest.trim_ascii_end();
                    if !more.is_empty() {
                        let from = end - rest.len();
                        let more = cut(from, from + more.len());
                        let more = trim(&more);
                        if !more.is_empty() {
                            // Room for all the continuation lines at once: a folded field
                            // (`Received`, `DKIM-Signature`) often has many.
                            let value = owned_with_room(&mut last.value, || {
                                continuation_len(&block[line_start..])
                            });
                            if !value.is_empty() {
                                value.push(' ');
                            }
                            value.push_str(more);
                        }
                    }
                }
                continue;
            }
            // The name runs to the colon. Most names hold no white space: one pass finds the
            // colon and proves it.
            let stop = line
                .iter()
                .position(|&b| b == b':' || b.is_ascii_whitespace());
            let (name_len, colon) = match stop {
                Some(colon) if line[colon] == b':' => (colon, colon),
                _ => {
                    let from = stop.unwrap_or(line.len());
                    let Some(colon) = memchr::memchr(b':', &line[from..]).map(|i| from + i) else {
                        // A continuation line that lost its indentation (`boundary="…"` under
                        // a `Content-Type: multipart/alternative;`): join it to the field
                        // above.
                        if let Some(last) = fields.last_mut()
                            && last.value.ends_with(';')
                        {
                            let value = last.value.to_mut();
                            value.push(' ');
                            value.push_str(lossy(line).trim());
                        }
                        continue;
                    };
                    // `Name : value` (space before colon) still counts; anything else does not.
                    let name = line[..colon].trim_ascii_end();
                    if name.iter().any(u8::is_ascii_whitespace) {
                        continue;
                    }
                    (name.len(), colon)
                }
            };
            if name_len == 0 {
                continue;
            }
            let value = line[colon + 1..].trim_ascii_start();
            let value_start = end - value.len();
            fields.push(Field {
                name: cut(line_start, line_start + name_len),
                value: cut(value_start, value_start + value.trim_ascii_end().len()),
            });
        }
        Headers { fields }
    }

    /// The same fields, owning their text.
    pub fn into_owned(self) -> Headers<'static> {
        Headers {
            fields: self
                .fields
                .into_iter()
                .map(|f| Field {
                    name: Cow::Owned(f.name.into_owned()),
                    value: Cow::Owned(f.value.into_owned()),
                })
                .collect(),
        }
    }

    /// The first value of a field (name compared case-insensitively).
    pub fn get(&self, name: &str) -> Option<&str> {
        self.fields
            .iter()
            .find(|f| f.name.eq_ignore_ascii_case(name))
            .map(|f| &*f.value)
    }

    /// Whether a field is present.
    pub fn has(&self, name: &str) -> bool {
        self.get(name).is_some()
    }
}

/// The blank line that ends a header block (and separates DSN field groups), searched with
/// one finder built once.
pub static BLANK_LINE: LazyLock<memmem::Finder<'static>> =
    LazyLock::new(|| memmem::Finder::new(b"\n\n"));

/// Splits a message (or a MIME part) into its header block and its body at the first blank
/// line. Without a blank line, the header block runs as long as lines look like fields and
/// the rest is body.
pub fn split(message: &[u8]) -> (&[u8], &[u8]) {
    if message.first() == Some(&b'\n') {
        return (&[], &message[1..]);
    }
    if let Some(i) = BLANK_LINE.find(message) {
        return (&message[..i], &message[i + 2..]);
    }
    // No blank line: take the lines that look like header fields.
    let mut end = 0;
    for line in message.split_inclusive(|&b| b == b'\n') {
        let is_field = matches!(line.first(), Some(b' ' | b'\t'))
            || line
                .iter()
                .position(|&b| b == b':')
                .is_some_and(|c| c > 0 && !line[..c].iter().any(|b| b.is_ascii_whitespace()));
        if !is_field {
            break;
        }
        end += line.len();
    }
    (&message[..end], &message[end..])
}

/// A parsed `Content-Type`: `type/subtype` lower-cased, and its parameters (borrowed from the
/// header value unless lower-casing needed a copy).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ContentType<'a> {
    /// `type/subtype`, lower-cased; `text/plain` when absent (RFC 2045 5.2).
    pub mime: Cow<'a, str>,
    /// Parameters, names lower-cased, values unquoted.
    pub params: Vec<(Cow<'a, str>, Cow<'a, str>)>,
}

/// The owned text of a field value; a borrowed one is copied with room for `more()` bytes.
fn owned_with_room<'v>(
    value: &'v mut Cow<'_, str>,
    more: impl FnOnce() -> usize,
) -> &'v mut String {
    if let Cow::Borrowed(v) = *value {
        let mut owned = String::with_capacity(v.len() + more());
        owned.push_str(v);
        *value = Cow::Owned(owned);
    }
    value.to_mut()
}

/// The length of the continuation lines (starting with white space) at the start of `rest`.
fn continuation_len(rest: &[u8]) -> usize {
    let mut n = 0;
    while matches!(rest.get(n), Some(b' ' | b'\t')) {
        n = memchr::memchr(b'\n', &rest[n..]).map_or(rest.len(), |i| n + i + 1);
    }
    n
}

/// `s.trim()` (Unicode white space), without decoding chars when the ends are ASCII: once
/// the ASCII white space is gone, only a vertical tab or a non-ASCII space can remain there.
pub fn trim(s: &str) -> &str {
    let t = s.trim_ascii();
    match (t.as_bytes().first(), t.as_bytes().last()) {
        (Some(&a), Some(&z)) if a.is_ascii() && z.is_ascii() && a != 0x0b && z != 0x0b => t,
        _ => t.trim(),
    }
}

/// `s` lower-cased (ASCII), borrowed when it already is.
pub fn ascii_lower(s: &str) -> Cow<'_, str> {
    if s.bytes().any(|b| b.is_ascii_uppercase()) {
        Cow::Owned(s.to_ascii_lowercase())
    } else {
        Cow::Borrowed(s)
    }
}

impl<'a> ContentType<'a> {
    /// Parses a `Content-Type` value; `None` gives the RFC 2045 default.
    pub fn parse(value: Option<&'a str>) -> ContentType<'a> {
        let Some(value) = value else {
            return ContentType {
                mime: Cow::Borrowed("text/plain"),
                params: Vec::new(),
            };
        };
        let mut parts = split_params(value);
        let mime = parts
            .next()
            .map(|m| ascii_lower(trim(m)))
            .filter(|m| !m.is_empty())
            .unwrap_or(Cow::Borrowed("text/plain"));
        let params = parts
            .filter_map(|p| {
                let (k, v) = p.split_once('=')?;
                let v = trim(v);
                let v = v
                    .strip_prefix('"')
                    .map_or(v, |v| v.strip_suffix('"').unwrap_or(v));
                Some((ascii_lower(trim(k)), Cow::Borrowed(v)))
            })
            .collect();
        ContentType { mime, params }
    }

    /// The same content type, owning its text.
    pub fn into_owned(self) -> ContentType<'static> {
        ContentType {
            mime: Cow::Owned(self.mime.into_owned()),
            params: self
                .params
                .into_iter()
                .map(|(k, v)| (Cow::Owned(k.into_owned()), Cow::Owned(v.into_owned())))
                .collect(),
        }
    }

    /// A parameter's value (name lower-case).
    pub fn param(&self, name: &str) -> Option<&str> {
        self.params
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| &**v)
    }
}

/// Splits on `;` outside double quotes, dropping blank pieces. Both are ASCII, so the bytes
/// are scanned (every cut falls on a char boundary) rather than decoded char by char.
fn split_params(value: &str) -> impl Iterator<Item = &str> {
    let mut rest = Some(value);
    std::iter::from_fn(move || {
        let piece = rest?;
        let mut in_quotes = false;
        for (i, b) in piece.bytes().enumerate() {
            match b {
                b'"' => in_quotes = !in_quotes,
                b';' if !in_quotes => {
                    rest = Some(&piece[i + 1..]);
                    return Some(&piece[..i]);
                }
                _ => {}
            }
        }
        rest = None;
        Some(piece)
    })
    .filter(|s| !trim(s).is_empty())
}

/// The first e-mail address in a header or DSN value: inside `<…>` if any, else the first
/// word with an `@`, without quotes, brackets or a `rfc822;` type prefix.
pub fn address(value: &str) -> Option<String> {
    let v = strip_type(value);
    if let Some(start) = v.find('<')
        && let Some(len) = v[start + 1..].find('>')
    {
        let inner = v[start + 1..start + 1 + len].trim();
        if inner.contains('@') {
            return Some(clean_address(inner));
        }
    }
    v.split(|c: char| {
        c.is_whitespace() || matches!(c, ',' | '<' | '>' | '(' | ')' | '[' | ']' | '"' | ';')
    })
    .find(|w| w.contains('@') && w.len() > 2 && !w.starts_with('@') && !w.ends_with('@'))
    .map(clean_address)
}

/// Trims quotes and punctuation and lower-cases the domain of an address.
pub fn clean_address(a: &str) -> String {
    let a = a.trim_matches(|c: char| {
        matches!(c, '\'' | '"' | '.' | ':' | ',' | ';' | '<' | '>') || c.is_whitespace()
    });
    let mut out = a.to_string();
    if let Some(at) = a.rfind('@') {
        out[at..].make_ascii_lowercase();
    }
    out
}

/// Removes an address or diagnostic type (`rfc822;`, `dns;`, `smtp;`) from the front.
pub fn strip_type(value: &str) -> &str {
    let v = value.trim();
    match v.find(';') {
        Some(i)
            if i <= 24
                && v[..i]
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_') =>
        {
            v[i + 1..].trim()
        }
        _ => v,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unfolds_and_splits() {
        let (h, b) = split(b"Subject: a\n  b\nX-Y: 1\n\nbody");
        let h = Headers::parse(h);
        assert_eq!(h.get("subject"), Some("a b"));
        assert_eq!(h.get("x-y"), Some("1"));
        assert_eq!(b, b"body");
    }

    #[test]
    fn trim_is_str_trim() {
        for s in [
            "",
            " ",
            " a ",
            "\u{b}a\u{b}",
            "\u{a0} a\u{3000}",
            "a\u{85}",
            "\t\r\n",
            "\u{1c}x",
        ] {
            assert_eq!(trim(s), s.trim(), "{s:?}");
        }
    }

    #[test]
    fn content_type_params() {
        let ct = ContentType::parse(Some(
            "multipart/report; report-type=delivery-status;\n boundary=\"a;b\"",
        ));
        assert_eq!(ct.mime, "multipart/report");
        assert_eq!(ct.param("boundary"), Some("a;b"));
        assert_eq!(ct.param("report-type"), Some("delivery-status"));
    }

    #[test]
    fn addresses() {
        assert_eq!(
            address("rfc822; Jo@Example.COM").as_deref(),
            Some("Jo@example.com")
        );
        assert_eq!(address("\"x\" <a@b.c>").as_deref(), Some("a@b.c"));
        assert_eq!(address("nobody"), None);
    }
}
