//! Header fields (RFC 5322 section 2.2): splitting a header block from its body, unfolding
//! continuation lines (2.2.3), reading `Content-Type` parameters (RFC 2045 5.1) and the
//! addresses in `From`, `To` and DSN address fields. Works on LF-normalized bytes.

use memchr::memmem;
use std::borrow::Cow;

/// Bytes as text: borrowed when valid UTF-8 (the common case, checked fast), else with
/// U+FFFD for the invalid sequences.
pub fn lossy(b: &[u8]) -> Cow<'_, str> {
    match std::str::from_utf8(b) {
        Ok(s) => Cow::Borrowed(s),
        Err(_) => String::from_utf8_lossy(b),
    }
}

/// One header field: its name as written and its unfolded value (line breaks and the white
/// space that starts a continuation line become one space).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Field {
    /// The field name, as written.
    pub name: String,
    /// The unfolded value, leading and trailing white space removed.
    pub value: String,
}

/// An ordered list of header fields.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Headers {
    /// The fields, in order.
    pub fields: Vec<Field>,
}

impl Headers {
    /// Parses a header block (without the blank line that ends it). Lines that are neither a
    /// field nor a continuation are skipped.
    pub fn parse(block: &[u8]) -> Headers {
        let mut fields: Vec<Field> = Vec::with_capacity(16);
        let mut start = 0;
        let ends = memchr::memchr_iter(b'\n', block).chain(std::iter::once(block.len()));
        for end in ends {
            let line = &block[start..end];
            start = end + 1;
            if line.is_empty() {
                continue;
            }
            if matches!(line[0], b' ' | b'\t') {
                if let Some(last) = fields.last_mut() {
                    let more = lossy(line);
                    let more = more.trim();
                    if !more.is_empty() {
                        if !last.value.is_empty() {
                            last.value.push(' ');
                        }
                        last.value.push_str(more);
                    }
                }
                continue;
            }
            let Some(colon) = memchr::memchr(b':', line) else {
                // A continuation line that lost its indentation (`boundary="…"` under a
                // `Content-Type: multipart/alternative;`): join it to the field above.
                if let Some(last) = fields.last_mut()
                    && last.value.ends_with(';')
                {
                    last.value.push(' ');
                    last.value.push_str(lossy(line).trim());
                }
                continue;
            };
            let name = &line[..colon];
            if name.is_empty() || name.len() > 128 || name.iter().any(|b| b.is_ascii_whitespace()) {
                // `Name : value` (space before colon) still counts; anything else does not.
                let trimmed = name.trim_ascii_end();
                if trimmed.is_empty() || trimmed.iter().any(|b| b.is_ascii_whitespace()) {
                    continue;
                }
            }
            fields.push(Field {
                name: lossy(name.trim_ascii_end()).into_owned(),
                value: lossy(line[colon + 1..].trim_ascii()).into_owned(),
            });
        }
        Headers { fields }
    }

    /// The first value of a field (name compared case-insensitively).
    pub fn get(&self, name: &str) -> Option<&str> {
        self.fields
            .iter()
            .find(|f| f.name.eq_ignore_ascii_case(name))
            .map(|f| f.value.as_str())
    }

    /// Whether a field is present.
    pub fn has(&self, name: &str) -> bool {
        self.get(name).is_some()
    }
}

/// Splits a message (or a MIME part) into its header block and its body at the first blank
/// line. Without a blank line, the header block runs as long as lines look like fields and
/// the rest is body.
pub fn split(message: &[u8]) -> (&[u8], &[u8]) {
    if message.first() == Some(&b'\n') {
        return (&[], &message[1..]);
    }
    if let Some(i) = memmem::find(message, b"\n\n") {
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

/// A parsed `Content-Type`: `type/subtype` lower-cased, and its parameters.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ContentType {
    /// `type/subtype`, lower-cased; `text/plain` when absent (RFC 2045 5.2).
    pub mime: String,
    /// Parameters, names lower-cased, values unquoted.
    pub params: Vec<(String, String)>,
}

impl ContentType {
    /// Parses a `Content-Type` value; `None` gives the RFC 2045 default.
    pub fn parse(value: Option<&str>) -> ContentType {
        let Some(value) = value else {
            return ContentType {
                mime: "text/plain".into(),
                params: Vec::new(),
            };
        };
        let mut parts = split_params(value);
        let mime = parts
            .next()
            .map(|m| m.trim().to_ascii_lowercase())
            .filter(|m| !m.is_empty())
            .unwrap_or_else(|| "text/plain".into());
        let params = parts
            .filter_map(|p| {
                let (k, v) = p.split_once('=')?;
                let v = v.trim();
                let v = v
                    .strip_prefix('"')
                    .map_or(v, |v| v.strip_suffix('"').unwrap_or(v));
                Some((k.trim().to_ascii_lowercase(), v.to_string()))
            })
            .collect();
        ContentType { mime, params }
    }

    /// A parameter's value (name lower-case).
    pub fn param(&self, name: &str) -> Option<&str> {
        self.params
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

/// Splits on `;` outside double quotes.
fn split_params(value: &str) -> impl Iterator<Item = &str> {
    let mut in_quotes = false;
    value
        .split(move |c: char| {
            if c == '"' {
                in_quotes = !in_quotes;
            }
            c == ';' && !in_quotes
        })
        .filter(|s| !s.trim().is_empty())
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
    match a.rsplit_once('@') {
        Some((local, domain)) => format!("{local}@{}", domain.to_ascii_lowercase()),
        None => a.to_string(),
    }
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
