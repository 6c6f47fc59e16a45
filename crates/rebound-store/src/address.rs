//! [`Address`]: the one address type of the store and the command line. It parses what people
//! and bounces write — `bob@example.com`, `<bob@example.com>`, `Bob <bob@example.com>`,
//! `"Bob, Jr." <bob@example.com> (comment)`, `mailto:bob@example.com`, `"john doe"@example.com`,
//! `bob@bücher.example` — and keeps one spelling under which the store writes and looks up a
//! recipient, so a check always finds what a write stored:
//!
//! - the display name, angle brackets, comments, a source route (`<@relay:bob@x>`) and a
//!   trailing dot of the domain are dropped;
//! - the domain goes through IDNA (UTS #46) to its ASCII form (`bücher.example` →
//!   `xn--bcher-kva.example`), lower-cased; a domain literal (`[192.0.2.1]`) must hold an IP;
//! - a quoted local part loses its quotes when it does not need them (`"bob"@x` is `bob@x`),
//!   and keeps minimal ones otherwise (`"john doe"@x`);
//! - the local part is lower-cased: it is case-sensitive by RFC 5321 2.4, but no real mailbox
//!   provider treats it so, and a suppression list must not miss `John@x` because it holds
//!   `john@x`.
//!
//! What is not an address (no `@`, an empty side, white space or control characters outside
//! quotes, two addresses, a domain IDNA refuses) is an [`AddressError`] naming what is wrong.
//! Local parts are read leniently (consecutive or trailing dots, as some Japanese carriers
//! issued them, and UTF-8 per RFC 6531 are accepted): a real recipient must never be dropped.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;
use std::net::{Ipv4Addr, Ipv6Addr};

/// The longest input read as an address (RFC 5321 allows a 256-octet path; display names and
/// comments get the rest).
pub const MAX_INPUT: usize = 1024;

/// A normalized email address (see the module documentation).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Address {
    text: String,
    at: usize,
}

/// Why a text is not an address.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("not an address: {0}")]
pub struct AddressError(pub String);

fn err(why: impl Into<String>) -> AddressError {
    AddressError(why.into())
}

impl Address {
    /// Parses an address in any of the forms of the module documentation.
    pub fn parse(input: &str) -> Result<Self, AddressError> {
        if input.len() > MAX_INPUT {
            return Err(err(format!("longer than {MAX_INPUT} bytes")));
        }
        let spec = addr_spec_of(input)?;
        let (local, domain) = split(spec)?;
        let mut text = String::with_capacity(spec.len());
        push_local(local, &mut text)?;
        let at = text.len();
        text.push('@');
        push_domain(domain, &mut text)?;
        Ok(Address { text, at })
    }

    /// The normalized address.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// The local part (before the `@`), normalized.
    pub fn local(&self) -> &str {
        &self.text[..self.at]
    }

    /// The domain, in its lower-case ASCII (IDNA) form, without a trailing dot.
    pub fn domain(&self) -> &str {
        &self.text[self.at + 1..]
    }

    /// The normalized address, owned.
    pub fn into_string(self) -> String {
        self.text
    }
}

impl fmt::Display for Address {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

impl std::str::FromStr for Address {
    type Err = AddressError;

    fn from_str(s: &str) -> Result<Self, AddressError> {
        Address::parse(s)
    }
}

impl AsRef<str> for Address {
    fn as_ref(&self) -> &str {
        &self.text
    }
}

impl From<Address> for String {
    fn from(a: Address) -> String {
        a.text
    }
}

impl Serialize for Address {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.text)
    }
}

impl<'de> Deserialize<'de> for Address {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Address::parse(&s).map_err(serde::de::Error::custom)
    }
}

/// The normalized form of an address, or `None` when it is not one ([`Address::parse`]).
pub fn normalize(address: &str) -> Option<String> {
    Address::parse(address).ok().map(Address::into_string)
}

/// Normalizes `address` into `out` (cleared first), reusing its allocation for the common
/// plain ASCII form; returns whether it is an address. The same spelling as [`normalize`].
pub fn normalize_into(address: &str, out: &mut String) -> bool {
    out.clear();
    let a = address.trim_matches(is_space);
    if is_plain(a) {
        out.push_str(a);
        out.make_ascii_lowercase();
        if out.ends_with('.') {
            out.pop();
        }
        return true;
    }
    match Address::parse(address) {
        Ok(a) => {
            out.push_str(a.as_str());
            true
        }
        Err(_) => false,
    }
}

/// Whether `a` is `local@domain` of plain ASCII (atext and dots, one `@`, an LDH domain), whose
/// normal form is itself lower-cased (less a trailing dot): the fast path of checks.
fn is_plain(a: &str) -> bool {
    let Some((local, domain)) = a.split_once('@') else {
        return false;
    };
    !local.is_empty()
        && !domain.is_empty()
        && local.bytes().all(|b| b == b'.' || is_atext(b))
        && domain.len() <= 253
        && !domain.starts_with('.')
        && !domain.contains("..")
        && !domain
            .as_bytes()
            .windows(4)
            .any(|w| w.eq_ignore_ascii_case(b"xn--"))
        && domain.trim_end_matches('.').split('.').all(|l| {
            !l.is_empty()
                && l.len() <= 63
                && !l.starts_with('-')
                && !l.ends_with('-')
                && l.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        })
}

/// The domain of a normalized address (the text after the last `@`).
pub fn domain(normalized: &str) -> Option<&str> {
    normalized
        .rsplit_once('@')
        .map(|(_, d)| d.trim_end_matches('.'))
        .filter(|d| !d.is_empty())
}

fn is_space(c: char) -> bool {
    c == ' ' || c == '\t' || c == '\r' || c == '\n'
}

/// RFC 5322 atext (ASCII).
fn is_atext(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"!#$%&'*+-/=?^_`{|}~".contains(&b)
}

/// A local-part character outside quotes: atext, a dot, or UTF-8 (RFC 6531).
fn is_local_char(c: char) -> bool {
    if c.is_ascii() {
        c == '.' || is_atext(c as u8)
    } else {
        !c.is_control() && !c.is_whitespace()
    }
}

/// The addr-spec inside an input: the angle-addr of a name-addr (display name and comments
/// dropped), else the input less comments, `mailto:` and surrounding space.
fn addr_spec_of(input: &str) -> Result<&str, AddressError> {
    let s = input.trim_matches(is_space);
    let s = match s.get(..7) {
        Some(p) if p.eq_ignore_ascii_case("mailto:") => &s[7..],
        _ => s,
    };
    if s.is_empty() {
        return Err(err("empty"));
    }
    // Find an angle-addr outside quoted strings and comments.
    let bytes = s.as_bytes();
    let (mut i, mut quoted, mut depth) = (0, false, 0usize);
    let mut open = None;
    let mut spans: Vec<(usize, usize)> = Vec::new(); // text outside comments
    let mut start = 0;
    while i < bytes.len() {
        let b = bytes[i];
        match b {
            b'\\' if quoted || depth > 0 => i += 1,
            b'"' if depth == 0 => quoted = !quoted,
            b'(' if !quoted => {
                if depth == 0 {
                    spans.push((start, i));
                }
                depth += 1;
            }
            b')' if !quoted && depth > 0 => {
                depth -= 1;
                if depth == 0 {
                    start = i + 1;
                }
            }
            b'<' if !quoted && depth == 0 => {
                if open.is_some() {
                    return Err(err("more than one `<`"));
                }
                open = Some(i);
            }
            _ => {}
        }
        i += 1;
    }
    if quoted {
        return Err(err("unclosed quote"));
    }
    if depth > 0 {
        return Err(err("unclosed comment"));
    }
    spans.push((start, s.len()));
    if let Some(open) = open {
        let rest = &s[open + 1..];
        let close = rest.rfind('>').ok_or_else(|| err("`<` without `>`"))?;
        let after = &rest[close + 1..];
        if !strip_comments(after).trim_matches(is_space).is_empty() {
            return Err(err("text after `>`"));
        }
        let inner = rest[..close].trim_matches(is_space);
        // An obsolete source route: `<@relay.example,@other:bob@example.com>`.
        let inner = match (inner.starts_with('@'), inner.find(':')) {
            (true, Some(colon)) => &inner[colon + 1..],
            _ => inner,
        };
        return Ok(inner);
    }
    // No angle brackets: comments allowed around the address only (`bob@x (Bob)`).
    let kept: Vec<&str> = spans
        .iter()
        .map(|&(a, b)| s[a..b].trim_matches(is_space))
        .filter(|t| !t.is_empty())
        .collect();
    match kept.as_slice() {
        [one] => Ok(one),
        [] => Err(err("only a comment")),
        _ => Err(err("text around the address")),
    }
}

/// `s` without parenthesized comments (for the text after `>`).
fn strip_comments(s: &str) -> String {
    let mut out = String::new();
    let mut depth = 0usize;
    for c in s.chars() {
        match c {
            '(' => depth += 1,
            ')' if depth > 0 => depth -= 1,
            c if depth == 0 => out.push(c),
            _ => {}
        }
    }
    out
}

/// Splits an addr-spec into local part and domain at the `@` that ends the local part (after
/// a quoted local part's closing quote).
fn split(spec: &str) -> Result<(&str, &str), AddressError> {
    let at = if spec.starts_with('"') {
        let bytes = spec.as_bytes();
        let mut i = 1;
        loop {
            match bytes.get(i) {
                None => return Err(err("unclosed quote")),
                Some(b'\\') => i += 2,
                Some(b'"') => break,
                Some(_) => i += 1,
            }
        }
        if bytes.get(i + 1) != Some(&b'@') {
            return Err(err("the quoted local part is not followed by `@`"));
        }
        i + 1
    } else {
        spec.find('@').ok_or_else(|| err("no `@`"))?
    };
    let (local, domain) = (&spec[..at], &spec[at + 1..]);
    if local.is_empty() {
        return Err(err("nothing before `@`"));
    }
    if domain.is_empty() {
        return Err(err("nothing after `@`"));
    }
    Ok((local, domain))
}

/// Appends the normalized local part.
fn push_local(local: &str, out: &mut String) -> Result<(), AddressError> {
    let Some(quoted) = local.strip_prefix('"') else {
        if let Some(c) = local.chars().find(|c| !is_local_char(*c)) {
            return Err(err(format!("{c:?} in the local part")));
        }
        out.extend(local.chars().flat_map(char::to_lowercase));
        return Ok(());
    };
    let inner = quoted.strip_suffix('"').unwrap_or(quoted);
    let mut value = String::with_capacity(inner.len());
    let mut chars = inner.chars();
    while let Some(c) = chars.next() {
        let c = if c == '\\' {
            chars
                .next()
                .ok_or_else(|| err("a quoted local part ends in `\\`"))?
        } else {
            c
        };
        if c.is_control() && c != '\t' {
            return Err(err(format!("{c:?} in the local part")));
        }
        value.extend(c.to_lowercase());
    }
    if value.is_empty() {
        return Err(err("empty quoted local part"));
    }
    let plain = value.chars().all(is_local_char)
        && !value.starts_with('.')
        && !value.ends_with('.')
        && !value.contains("..");
    if plain {
        out.push_str(&value);
    } else {
        out.push('"');
        for c in value.chars() {
            if c == '"' || c == '\\' {
                out.push('\\');
            }
            out.push(c);
        }
        out.push('"');
    }
    Ok(())
}

/// Appends the normalized domain: IDNA to ASCII, lower case, no trailing dot; or a domain
/// literal holding an IP address.
fn push_domain(domain: &str, out: &mut String) -> Result<(), AddressError> {
    if let Some(literal) = domain.strip_prefix('[') {
        let literal = literal
            .strip_suffix(']')
            .ok_or_else(|| err("a domain literal without `]`"))?;
        let ok = match literal.get(..5) {
            Some(tag) if tag.eq_ignore_ascii_case("ipv6:") => {
                literal[5..].parse::<Ipv6Addr>().is_ok()
            }
            _ => literal.parse::<Ipv4Addr>().is_ok(),
        };
        if !ok {
            return Err(err(format!("`[{literal}]` is not an IP address literal")));
        }
        out.push('[');
        out.push_str(&literal.to_ascii_lowercase());
        out.push(']');
        return Ok(());
    }
    let domain = domain.strip_suffix('.').unwrap_or(domain);
    if domain.is_empty() {
        return Err(err("nothing after `@`"));
    }
    if let Some(c) = domain.chars().find(|c| c.is_whitespace() || c.is_control()) {
        return Err(err(format!("{c:?} in the domain")));
    }
    let ascii = idna::domain_to_ascii(domain)
        .map_err(|_| err(format!("the domain `{domain}` is not a valid (IDNA) name")))?;
    if ascii.is_empty() || ascii.len() > 253 {
        return Err(err(format!("the domain `{domain}` is empty or too long")));
    }
    for label in ascii.split('.') {
        let ldh = label
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
        let hyphen = label.starts_with('-') || label.ends_with('-');
        if label.is_empty() || label.len() > 63 || !ldh || hyphen {
            return Err(err(format!("the domain `{domain}` is not a host name")));
        }
    }
    out.push_str(&ascii);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn n(s: &str) -> Option<String> {
        let full = normalize(s);
        let mut buf = String::new();
        let fast = normalize_into(s, &mut buf).then_some(buf);
        assert_eq!(full, fast, "normalize and normalize_into disagree on {s:?}");
        full
    }

    #[test]
    fn plain_and_angle_forms() {
        assert_eq!(
            n(" <John.Doe@Example.COM> ").as_deref(),
            Some("john.doe@example.com")
        );
        assert_eq!(n("mailto:a@b").as_deref(), Some("a@b"));
        assert_eq!(n("MAILTO:A@B.").as_deref(), Some("a@b"));
        assert_eq!(n("bob@example.com.").as_deref(), Some("bob@example.com"));
        assert_eq!(n("Ünï@Example.com").as_deref(), Some("ünï@example.com"));
        assert_eq!(domain("a@example.com."), Some("example.com"));
    }

    #[test]
    fn name_addr_forms() {
        for s in [
            "Bob <bob@example.com>",
            "\"Bob, Jr.\" <BOB@example.com>",
            "\"Bob <the builder>\" <bob@example.com> (work)",
            "bob@example.com (Bob)",
            "(Bob) bob@example.com",
            "<@relay.example:bob@example.com>",
            "  Bob\t< bob@example.com >  ",
        ] {
            assert_eq!(n(s).as_deref(), Some("bob@example.com"), "{s}");
        }
    }

    #[test]
    fn quoted_local_parts() {
        assert_eq!(n("\"bob\"@example.com").as_deref(), Some("bob@example.com"));
        assert_eq!(
            n("\"John Doe\"@Example.com").as_deref(),
            Some("\"john doe\"@example.com")
        );
        assert_eq!(
            n("\"a\\\"b\"@example.com").as_deref(),
            Some("\"a\\\"b\"@example.com")
        );
        assert_eq!(
            n("\"a@b\"@example.com").as_deref(),
            Some("\"a@b\"@example.com")
        );
        assert_eq!(n("\"\"@example.com"), None);
        assert_eq!(n("\"a\u{0}\"@example.com"), None);
    }

    #[test]
    fn idna_domains() {
        let a = Address::parse("Bob@Bücher.Example").unwrap();
        assert_eq!(a.as_str(), "bob@xn--bcher-kva.example");
        assert_eq!(a.domain(), "xn--bcher-kva.example");
        assert_eq!(a.local(), "bob");
        assert_eq!(
            n("bob@XN--BCHER-KVA.example").as_deref(),
            Some("bob@xn--bcher-kva.example")
        );
        assert_eq!(
            n("x@例え.テスト").as_deref(),
            Some("x@xn--r8jz45g.xn--zckzah")
        );
        // Full-width letters map to ASCII under UTS #46.
        assert_eq!(n("x@ｅｘａｍｐｌｅ.com").as_deref(), Some("x@example.com"));
        assert_eq!(n("x@[192.0.2.1]").as_deref(), Some("x@[192.0.2.1]"));
        assert_eq!(
            n("x@[IPv6:2001:DB8::1]").as_deref(),
            Some("x@[ipv6:2001:db8::1]")
        );
        assert_eq!(n("x@[not.an.ip]"), None);
    }

    #[test]
    fn lenient_local_parts_of_real_carriers() {
        assert_eq!(
            n("taro..yamada.@docomo.ne.jp").as_deref(),
            Some("taro..yamada.@docomo.ne.jp")
        );
        assert_eq!(n("a+tag@x.example").as_deref(), Some("a+tag@x.example"));
    }

    #[test]
    fn non_addresses_are_refused() {
        for s in [
            "",
            "nobody",
            "@example.com",
            "x@",
            "x@.",
            "not an address",
            "bob smith@example.com",
            "a@b@c",
            "a@b c",
            "a@exa mple.com",
            "a@example..com",
            "a@-example.com",
            "a\u{1b}[31m@example.com",
            "a@example.com\u{0}",
            "Bob <bob@example.com",
            "<a@b> <c@d>",
            "<a@b> trailing",
            "a@b, c@d",
            "\"unclosed@example.com",
            "a@exa/mple.com",
        ] {
            assert_eq!(n(s), None, "{s:?} was taken as an address");
            assert!(Address::parse(s).is_err());
        }
        let e = Address::parse("nobody").unwrap_err().to_string();
        assert!(e.contains("no `@`"), "{e}");
        assert!(Address::parse(&"a".repeat(2000)).is_err());
    }

    #[test]
    fn serde_round_trip() {
        let a: Address = serde_json::from_str("\"Bob <BOB@x.example>\"").unwrap();
        assert_eq!(serde_json::to_string(&a).unwrap(), "\"bob@x.example\"");
        assert!(serde_json::from_str::<Address>("\"nope\"").is_err());
    }
}
