//! Header fields (RFC 5322 section 2.2): splitting a header block from its body, unfolding
//! continuation lines (2.2.3) when a value is read, values read as text with their RFC 2047
//! encoded words decoded ([`Headers::get_text`]), `Content-Type` parameters (RFC 2045 5.1,
//! with RFC 2231 extended values and continuations) and the addresses in `From`, `To` and DSN
//! address fields. Works on LF-normalized bytes.

use super::decode;
use memchr::memmem;
use std::borrow::Cow;
use std::cell::OnceCell;
use std::ops::Range;
use std::sync::LazyLock;

/// Bytes as text: borrowed when valid UTF-8 (the common case, checked fast), else with
/// U+FFFD for the invalid sequences.
pub fn lossy(b: &[u8]) -> Cow<'_, str> {
    match std::str::from_utf8(b) {
        Ok(s) => Cow::Borrowed(s),
        Err(_) => String::from_utf8_lossy(b),
    }
}

/// One header field: where its name and value lie in the block's text. A folded value
/// (RFC 5322 2.2.3) is unfolded the first time it is read: most fields of a top header (the
/// `Received` and `DKIM-Signature` chains) never are.
#[derive(Debug, Clone)]
struct Field {
    /// The name, as written.
    name: Range<usize>,
    /// [`name_key`] of the name.
    key: u32,
    /// The value, white space before and after it removed; when `folded`, it runs to the
    /// end of the last line after the field's own that may add to it.
    value: Range<usize>,
    /// Whether continuation lines (or a lost one, see [`Line::Orphan`]) follow.
    folded: bool,
    /// The unfolded value of a folded field, once read.
    unfolded: OnceCell<Box<str>>,
}

/// An ordered list of header fields over the text of their block (borrowed from the
/// message when the block is valid UTF-8, else repaired once with U+FFFD).
#[derive(Debug, Clone, Default)]
pub struct Headers<'a> {
    text: Cow<'a, str>,
    fields: Vec<Field>,
    /// One bit ([`key_bit`]) per name present: most lookups are for a field the block does
    /// not hold (`X-Failed-Recipients`, a vendor's own field), and end here.
    names: u128,
}

/// What a line of a header block is.
enum Line {
    /// A field: its name's length and where its colon is.
    Field { name_len: usize, colon: usize },
    /// A continuation line: starts with a space or a tab.
    Continuation,
    /// A line without a colon: a continuation line that lost its indentation
    /// (`boundary="…"` under a `Content-Type: multipart/alternative;`) when the value above
    /// ends with `;`, else nothing.
    Orphan,
    /// Neither a field nor a continuation (blank, or a name with white space or none).
    Skip,
}

/// The bytes that end a field's name: `:` and ASCII white space, one table lookup a byte
/// (every name of every header block is scanned).
static NAME_STOP: [bool; 256] = {
    let mut table = [false; 256];
    let mut b = 0;
    while b < 256 {
        table[b] = b as u8 == b':' || (b as u8).is_ascii_whitespace();
        b += 1;
    }
    table
};

impl Line {
    fn of(line: &[u8]) -> Line {
        let Some(&first) = line.first() else {
            return Line::Skip;
        };
        if matches!(first, b' ' | b'\t') {
            return Line::Continuation;
        }
        // The name runs to the colon. Most names hold no white space: one pass finds the
        // colon and proves it.
        let stop = line.iter().position(|&b| NAME_STOP[usize::from(b)]);
        let (name_len, colon) = match stop {
            Some(colon) if line[colon] == b':' => (colon, colon),
            _ => {
                let from = stop.unwrap_or(line.len());
                let Some(colon) = memchr::memchr(b':', &line[from..]).map(|i| from + i) else {
                    return Line::Orphan;
                };
                // `Name : value` (space before colon) still counts; anything else does not.
                let name = line[..colon].trim_ascii_end();
                if name.iter().any(u8::is_ascii_whitespace) {
                    return Line::Skip;
                }
                (name.len(), colon)
            }
        };
        if name_len == 0 {
            return Line::Skip;
        }
        Line::Field { name_len, colon }
    }
}

impl Headers<'static> {
    /// Parses a header block (without the blank line that ends it) that the fields then own,
    /// without copying it when it is valid UTF-8.
    pub fn owned(block: Vec<u8>) -> Headers<'static> {
        let text = match String::from_utf8(block) {
            Ok(text) => text,
            Err(e) => String::from_utf8_lossy(e.as_bytes()).into_owned(),
        };
        Headers::of_text(Cow::Owned(text))
    }
}

impl<'a> Headers<'a> {
    /// Parses a header block (without the blank line that ends it), borrowing the names and
    /// values from it. Lines that are neither a field nor a continuation are skipped.
    pub fn borrowed(block: &'a [u8]) -> Headers<'a> {
        Headers::of_text(lossy(block))
    }

    /// Finds the fields of a block's text. Only ASCII bytes (line ends, colons, white space)
    /// decide, so U+FFFD repairs change nothing.
    fn of_text(text: Cow<'a, str>) -> Headers<'a> {
        let block = text.as_bytes();
        let mut fields: Vec<Field> = Vec::with_capacity(16);
        let mut names = 0;
        let mut start = 0;
        let ends = memchr::memchr_iter(b'\n', block).chain(std::iter::once(block.len()));
        for end in ends {
            let line_start = start;
            let line = &block[start..end];
            start = end + 1;
            match Line::of(line) {
                Line::Field { name_len, colon } => {
                    let value = line[colon + 1..].trim_ascii_start();
                    let value_start = end - value.len();
                    let key = name_key(&line[..name_len]);
                    names |= key_bit(key);
                    fields.push(Field {
                        name: line_start..line_start + name_len,
                        key,
                        value: value_start..value_start + value.trim_ascii_end().len(),
                        folded: false,
                        unfolded: OnceCell::new(),
                    });
                }
                Line::Continuation | Line::Orphan => {
                    if let Some(last) = fields.last_mut() {
                        last.folded = true;
                        last.value.end = end;
                    }
                }
                Line::Skip => {}
            }
        }
        Headers {
            text,
            fields,
            names,
        }
    }

    /// The same fields, owning their text.
    pub fn into_owned(self) -> Headers<'static> {
        Headers {
            text: Cow::Owned(self.text.into_owned()),
            fields: self.fields,
            names: self.names,
        }
    }

    /// Whether the block held no field.
    pub fn is_empty(&self) -> bool {
        self.fields.is_empty()
    }

    fn name(&self, f: &Field) -> &str {
        &self.text[f.name.clone()]
    }

    /// A field's value, unfolded: line breaks and the white space that starts a
    /// continuation line become one space.
    fn value<'s>(&'s self, f: &'s Field) -> &'s str {
        let raw = &self.text[f.value.clone()];
        if !f.folded {
            return raw;
        }
        f.unfolded.get_or_init(|| unfold(raw).into_boxed_str())
    }

    /// The first field of a name (compared case-insensitively, keys first).
    fn find(&self, name: &str) -> Option<&Field> {
        let key = name_key(name.as_bytes());
        if self.names & key_bit(key) == 0 {
            return None;
        }
        let text = self.text.as_bytes();
        self.fields
            .iter()
            .find(|f| f.key == key && same_name(&text[f.name.clone()], name.as_bytes()))
    }

    /// The first value of a field (name compared case-insensitively).
    pub fn get(&self, name: &str) -> Option<&str> {
        self.find(name).map(|f| self.value(f))
    }

    /// [`Headers::get`], borrowed from the parsed block when the value needed neither
    /// unfolding nor repair, so that it may outlive the fields.
    pub fn get_cow(&self, name: &str) -> Option<Cow<'a, str>> {
        let f = self.find(name)?;
        Some(match self.text {
            Cow::Borrowed(text) if !f.folded => Cow::Borrowed(&text[f.value.clone()]),
            _ => Cow::Owned(self.value(f).to_owned()),
        })
    }

    /// [`Headers::get_cow`] of a field read as text (`Subject`, a display name, a tag), by
    /// [`text_value`].
    pub fn get_text(&self, name: &str) -> Option<Cow<'a, str>> {
        self.get_cow(name).map(text_value)
    }

    /// Whether a field is present.
    pub fn has(&self, name: &str) -> bool {
        self.find(name).is_some()
    }

    /// Every field as (name, unfolded value), in order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.fields.iter().map(|f| (self.name(f), self.value(f)))
    }

    /// The values of the fields whose name `pick` takes, in order; only those are unfolded.
    pub fn values<'s>(&'s self, pick: impl Fn(&str) -> bool + 's) -> impl Iterator<Item = &'s str> {
        self.fields
            .iter()
            .filter(move |f| pick(self.name(f)))
            .map(|f| self.value(f))
    }
}

/// A field name's length and its first and last bytes lower-cased, in one number: the
/// fields a lookup passes over nearly all differ from the name asked for in one of them, so
/// a lookup compares one number per field and whole names only when it matches.
fn name_key(name: &[u8]) -> u32 {
    match (name.first(), name.last()) {
        (Some(first), Some(last)) => {
            let len = u32::try_from(name.len()).unwrap_or(u32::MAX).min(0xffff);
            len << 16
                | u32::from(first.to_ascii_lowercase()) << 8
                | u32::from(last.to_ascii_lowercase())
        }
        _ => 0,
    }
}

/// `eq_ignore_ascii_case` of two names, comparing the bytes as written first: most bytes of
/// a field name already match the lower-case name asked for (`Content-Type`,
/// `content-type`), and only the others need case-folding.
fn same_name(field: &[u8], query: &[u8]) -> bool {
    field.len() == query.len()
        && field
            .iter()
            .zip(query)
            .all(|(a, b)| a == b || a.eq_ignore_ascii_case(b))
}

/// A name key's bit in [`Headers`]' set of names (a multiplicative hash to 0..128).
fn key_bit(key: u32) -> u128 {
    1 << (key.wrapping_mul(0x9e37_79b1) >> 25)
}

/// Unfolds a value that runs over several lines (its first line already trimmed at the
/// start): each continuation line, trimmed, joins with one space; a lost continuation
/// ([`Line::Orphan`]) joins only a value that ends with `;`; other lines add nothing.
fn unfold(raw: &str) -> String {
    // The line ends by one SIMD search each (`str::split` with a char is slower here).
    let mut start = 0;
    let ends = memchr::memchr_iter(b'\n', raw.as_bytes()).chain(std::iter::once(raw.len()));
    let mut lines = ends.map(|end| {
        let line = &raw[start..end];
        start = end + 1;
        line
    });
    let mut value = String::with_capacity(raw.len());
    value.push_str(lines.next().unwrap_or("").trim_ascii_end());
    for line in lines {
        match Line::of(line.as_bytes()) {
            Line::Continuation => {
                let more = trim(line);
                if !more.is_empty() {
                    if !value.is_empty() {
                        value.push(' ');
                    }
                    value.push_str(more);
                }
            }
            Line::Orphan if value.ends_with(';') => {
                value.push(' ');
                value.push_str(line.trim());
            }
            _ => {}
        }
    }
    value
}

/// A header value read as text: its RFC 2047 encoded words decoded
/// ([`decode::decode_words`]), and the raw ISO-2022-JP runs that some Japanese mailers write
/// without encoding them ([`decode::iso_2022_jp_runs`]). The value itself when it holds
/// neither, as nearly every value does.
pub fn text_value(value: Cow<'_, str>) -> Cow<'_, str> {
    // Neither an `=` (of `=?`) nor an escape: nothing to decode, one byte search.
    if memchr::memchr2(b'=', 0x1b, value.as_bytes()).is_none() {
        return value;
    }
    let words = match decode::decode_words(&value) {
        Cow::Owned(decoded) => Some(decoded),
        Cow::Borrowed(_) => None,
    };
    let value = words.map_or(value, Cow::Owned);
    let runs = match decode::iso_2022_jp_runs(&value) {
        Cow::Owned(decoded) => Some(decoded),
        Cow::Borrowed(_) => None,
    };
    runs.map_or(value, Cow::Owned)
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

/// A parsed `Content-Type`: `type/subtype` lower-cased, and its parameters, read when asked
/// for (both borrowed from the header value unless lower-casing needed a copy).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ContentType<'a> {
    /// `type/subtype`, lower-cased; `text/plain` when absent (RFC 2045 5.2).
    pub mime: Cow<'a, str>,
    /// The value after `type/subtype`: its `;`-separated parameters, as written.
    params: Cow<'a, str>,
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
        let mut rest = value;
        // The first piece that is not blank is the type; the parameters follow it.
        while let Some(piece) = rest {
            let (first, after) = next_piece(piece);
            rest = after;
            let mime = ascii_lower(trim(first));
            if !mime.is_empty() {
                return ContentType {
                    mime,
                    params: Cow::Borrowed(after.unwrap_or("")),
                };
            }
        }
        ContentType {
            mime: Cow::Borrowed("text/plain"),
            params: Cow::Borrowed(""),
        }
    }

    /// The same content type, owning its text.
    pub fn into_owned(self) -> ContentType<'static> {
        ContentType {
            mime: Cow::Owned(self.mime.into_owned()),
            params: Cow::Owned(self.params.into_owned()),
        }
    }

    /// A parameter's value, unquoted (name lower-case, compared case-insensitively). A
    /// parameter given only in RFC 2231 form, extended (`name*=charset'lang'%XX…`) or in
    /// sections (`name*0*=…; name*1=…`), is joined and decoded; the plain form wins when
    /// both are present.
    pub fn param(&self, name: &str) -> Option<Cow<'_, str>> {
        let mut extended = false;
        for p in split_params(&self.params) {
            let Some((k, v)) = key_value(p) else { continue };
            if k.eq_ignore_ascii_case(name) {
                return Some(Cow::Borrowed(v));
            }
            extended |= rfc2231_section(k, name).is_some();
        }
        if !extended {
            return None;
        }
        self.rfc2231_param(name).map(Cow::Owned)
    }

    /// The RFC 2231 sections of a parameter (RFC 2231 3 and 4), in order, joined and
    /// decoded in the charset the first one declares.
    fn rfc2231_param(&self, name: &str) -> Option<String> {
        /// More sections than any real value has; the rest are dropped.
        const MAX_SECTIONS: u32 = 64;
        let mut sections: Vec<(u32, bool, &str)> = split_params(&self.params)
            .filter_map(|p| {
                let (k, v) = key_value(p)?;
                let (n, ext) = rfc2231_section(k, name)?;
                (n < MAX_SECTIONS).then_some((n, ext, v))
            })
            .collect();
        sections.sort_by_key(|s| s.0);
        sections.dedup_by_key(|s| s.0);
        let mut charset = "";
        let mut bytes = Vec::new();
        for (i, (_, ext, v)) in sections.iter().enumerate() {
            if !ext {
                bytes.extend_from_slice(v.as_bytes());
                continue;
            }
            let mut v = *v;
            if i == 0
                && let Some((cs, rest)) = v.split_once('\'')
            {
                charset = cs;
                v = rest.split_once('\'').map_or(rest, |(_, value)| value);
            }
            bytes.extend(decode::percent_decode(v.as_bytes()));
        }
        (!sections.is_empty()).then(|| decode::charset_text(charset, &bytes))
    }
}

/// A parameter's key and unquoted value (both trimmed), or `None` without `=`.
fn key_value(p: &str) -> Option<(&str, &str)> {
    let eq = memchr::memchr(b'=', p.as_bytes())?;
    let v = trim(&p[eq + 1..]);
    let v = v
        .strip_prefix('"')
        .map_or(v, |v| v.strip_suffix('"').unwrap_or(v));
    Some((trim(&p[..eq]), v))
}

/// For an RFC 2231 key of parameter `name` (`name*`, `name*N`, `name*N*`): the section
/// number and whether the value is extended (percent-encoded); `None` for other keys.
fn rfc2231_section(key: &str, name: &str) -> Option<(u32, bool)> {
    let head = key.get(..name.len())?;
    if !head.eq_ignore_ascii_case(name) {
        return None;
    }
    let tail = key[name.len()..].strip_prefix('*')?;
    if tail.is_empty() {
        return Some((0, true));
    }
    let (number, ext) = match tail.strip_suffix('*') {
        Some(n) => (n, true),
        None => (tail, false),
    };
    if number.is_empty() || !number.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    Some((number.parse().ok()?, ext))
}

/// The text up to the first `;` outside double quotes, and the text after that `;` (`None`
/// when there is none). Both are ASCII, so the search jumps from one to the next over the
/// bytes (every cut falls on a char boundary): parameters are read again at each lookup.
fn next_piece(piece: &str) -> (&str, Option<&str>) {
    let bytes = piece.as_bytes();
    let mut in_quotes = false;
    let mut from = 0;
    while let Some(i) = memchr::memchr2(b'"', b';', &bytes[from..]) {
        let at = from + i;
        if bytes[at] == b'"' {
            in_quotes = !in_quotes;
        } else if !in_quotes {
            return (&piece[..at], Some(&piece[at + 1..]));
        }
        from = at + 1;
    }
    (piece, None)
}

/// Splits on `;` outside double quotes, dropping blank pieces.
fn split_params(value: &str) -> impl Iterator<Item = &str> {
    let mut rest = Some(value);
    std::iter::from_fn(move || {
        let (piece, after) = next_piece(rest?);
        rest = after;
        Some(piece)
    })
    .filter(|s| !trim(s).is_empty())
}

/// The first e-mail address in a header or DSN value: inside `<…>` if any, else the first
/// word with an `@`, without quotes, brackets or a `rfc822;` type prefix.
pub fn address(value: &str) -> Option<String> {
    let v = strip_type(value);
    // Byte searches (`<` and `>` are ASCII, so every hit is a char boundary): cheaper than
    // `str::find` with a char on these short values.
    if let Some(start) = memchr::memchr(b'<', v.as_bytes())
        && let Some(len) = memchr::memchr(b'>', &v.as_bytes()[start + 1..])
    {
        let inner = v[start + 1..start + 1 + len].trim();
        if inner.contains('@') {
            return Some(clean_address(inner));
        }
    }
    let is_address = |w: &str| {
        w.len() > 2 && w.bytes().any(|b| b == b'@') && !w.starts_with('@') && !w.ends_with('@')
    };
    let is_separator = |c: char| {
        c.is_whitespace() || matches!(c, ',' | '<' | '>' | '(' | ')' | '[' | ']' | '"' | ';')
    };
    if !v.is_ascii() {
        return v
            .split(is_separator)
            .find(|w| is_address(w))
            .map(clean_address);
    }
    // Every byte is a char here: the same words without decoding each char (most values
    // are, and every DSN recipient field is read through here).
    let bytes = v.as_bytes();
    let mut start = 0;
    for end in 0..=bytes.len() {
        if bytes.get(end).is_none_or(|&b| is_separator(char::from(b))) {
            let word = &v[start..end];
            if is_address(word) {
                return Some(clean_address(word));
            }
            start = end + 1;
        }
    }
    None
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
    let v = trim(value);
    // The type is at most 24 name bytes before the first `;`: a byte that cannot be in it,
    // or no `;` within 25 bytes, means there is none (one pass over the front only).
    for (i, &b) in v.as_bytes().iter().take(25).enumerate() {
        if b == b';' {
            return trim(&v[i + 1..]);
        }
        if !(b.is_ascii_alphanumeric() || b == b'-' || b == b'_') {
            break;
        }
    }
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unfolds_and_splits() {
        let (h, b) = split(b"Subject: a\n  b\nX-Y: 1\n\nbody");
        let h = Headers::borrowed(h);
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
        assert_eq!(ct.param("boundary").as_deref(), Some("a;b"));
        assert_eq!(ct.param("report-type").as_deref(), Some("delivery-status"));
        assert_eq!(ct.param("charset"), None);
    }

    #[test]
    fn rfc2231_parameters() {
        let ct = ContentType::parse(Some(
            "text/plain; charset*=us-ascii'en'Shift_JIS; name*0*=UTF-8''%E5%AE%9B; name*1=\"-a\";\n name*2*=%2Etxt",
        ));
        assert_eq!(ct.param("charset").as_deref(), Some("Shift_JIS"));
        assert_eq!(ct.param("name").as_deref(), Some("宛-a.txt"));
        // Sections out of order, without an extended one.
        let ct = ContentType::parse(Some("x/y; b*1=\"cd\"; b*0=\"ab\""));
        assert_eq!(ct.param("b").as_deref(), Some("abcd"));
        // The plain form wins; other keys are not sections.
        let ct = ContentType::parse(Some("x/y; n*=utf-8''x; n=plain; nx*=z; n*a=q"));
        assert_eq!(ct.param("n").as_deref(), Some("plain"));
        let ct = ContentType::parse(Some("x/y; nx*=z; n*a=q; n**=r"));
        assert_eq!(ct.param("n"), None);
    }

    #[test]
    fn text_values() {
        let (h, _) = split(
            b"Subject: =?UTF-8?Q?R=C3=A9ponse_automatique?=\n =?UTF-8?Q?_:_absent?=\nFrom: =?ISO-8859-1?Q?Andr=E9?= <a@b.c>\nX-Raw: \x1b$B08@h\x1b(B\nX-Plain: hello\n\n",
        );
        let h = Headers::borrowed(h);
        assert_eq!(
            h.get_text("subject").as_deref(),
            Some("Réponse automatique : absent")
        );
        assert_eq!(h.get_text("from").as_deref(), Some("André <a@b.c>"));
        assert_eq!(h.get_text("x-raw").as_deref(), Some("宛先"));
        assert!(matches!(
            h.get_text("x-plain"),
            Some(Cow::Borrowed("hello"))
        ));
        assert_eq!(h.get_text("x-none"), None);
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
