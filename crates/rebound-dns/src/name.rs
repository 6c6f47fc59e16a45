//! Domain and host names as the user types them, made fit to query: IDNA to A-labels
//! (RFC 5890, UTS #46 with the STD3 rules), the length limits of RFC 1035 section 2.3.4, and
//! SMTP address literals (`[192.0.2.1]`, `[IPv6:2001:db8::1]`, RFC 5321 section 4.1.3).

use serde::{Serialize, Serializer};
use std::fmt;
use std::net::{IpAddr, Ipv6Addr};

/// A domain name in its ASCII form: A-labels, lower case, no trailing dot.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct DomainName(String);

/// A host as the user or a bounce names it: a domain name or an IP address.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Host {
    /// A host name, e.g. `mx1.example.com`.
    Name(DomainName),
    /// An IP address, bare or as an SMTP address literal.
    Ip(IpAddr),
}

/// Why a string is not a usable domain or host name. Every variant names the input.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NameError {
    /// Nothing but white space, or nothing at all.
    #[error("empty domain name")]
    Empty,
    /// IDNA processing (UTS #46, STD3 rules) refused the name.
    #[error("invalid domain `{0}`: not a valid (internationalized) host name")]
    Idna(String),
    /// A label is empty, as in `a..b` or `.a`.
    #[error("invalid domain `{0}`: empty label")]
    EmptyLabel(String),
    /// A label is longer than 63 octets (RFC 1035 section 2.3.4).
    #[error("invalid domain `{0}`: label `{1}` is longer than 63 octets")]
    LabelTooLong(String, String),
    /// The name is longer than 253 octets (RFC 1035 section 2.3.4).
    #[error("invalid domain `{0}`: longer than 253 octets")]
    TooLong(String),
    /// An IP address was given where a domain name is needed.
    #[error("`{0}` is an IP address, not a domain name")]
    IpAddress(String),
    /// A `[...]` address literal whose content is not an address.
    #[error("invalid address literal `{0}`")]
    BadLiteral(String),
}

impl DomainName {
    /// Reads a domain name as a user writes it: trims white space and one trailing dot,
    /// converts Unicode labels to A-labels and lower-cases, then checks the lengths.
    pub fn parse(input: &str) -> Result<Self, NameError> {
        let trimmed = input.trim();
        let name = trimmed.strip_suffix('.').unwrap_or(trimmed);
        if name.is_empty() {
            return Err(NameError::Empty);
        }
        if name.parse::<IpAddr>().is_ok() {
            return Err(NameError::IpAddress(trimmed.to_string()));
        }
        let ascii = idna::domain_to_ascii_cow(name.as_bytes(), idna::AsciiDenyList::STD3)
            .map_err(|_| NameError::Idna(trimmed.to_string()))?;
        if ascii.len() > 253 {
            return Err(NameError::TooLong(trimmed.to_string()));
        }
        for label in ascii.split('.') {
            if label.is_empty() {
                return Err(NameError::EmptyLabel(trimmed.to_string()));
            }
            if label.len() > 63 {
                return Err(NameError::LabelTooLong(
                    trimmed.to_string(),
                    label.to_string(),
                ));
            }
        }
        Ok(Self(ascii.into_owned()))
    }

    /// Takes a name as the DNS gave it (presentation form, ASCII): lower-cased, without its
    /// trailing dot, unchecked, since names in answers need not be host names.
    pub(crate) fn from_answer(ascii: &str) -> Self {
        let name = ascii.strip_suffix('.').unwrap_or(ascii);
        Self(name.to_ascii_lowercase())
    }

    /// The ASCII form, e.g. `xn--bcher-kva.example`.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The fully qualified form with the trailing dot, so that no search list applies.
    pub fn fqdn(&self) -> String {
        format!("{}.", self.0)
    }

    /// The Unicode form for people, e.g. `bücher.example`.
    pub fn to_unicode(&self) -> String {
        idna::domain_to_unicode(&self.0).0
    }
}

impl fmt::Display for DomainName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl Serialize for DomainName {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}

impl Host {
    /// Reads a host: `[192.0.2.1]`, `[IPv6:2001:db8::1]`, a bare address, or a domain name.
    pub fn parse(input: &str) -> Result<Self, NameError> {
        let trimmed = input.trim();
        if let Some(inner) = trimmed.strip_prefix('[') {
            let inner = inner
                .strip_suffix(']')
                .ok_or_else(|| NameError::BadLiteral(trimmed.to_string()))?;
            let ip = match inner.get(..5) {
                Some(tag) if tag.eq_ignore_ascii_case("IPv6:") => {
                    inner[5..].parse::<Ipv6Addr>().map(IpAddr::V6).ok()
                }
                _ => inner.parse::<std::net::Ipv4Addr>().map(IpAddr::V4).ok(),
            };
            return ip
                .map(Host::Ip)
                .ok_or_else(|| NameError::BadLiteral(trimmed.to_string()));
        }
        match trimmed.parse::<IpAddr>() {
            Ok(ip) => Ok(Host::Ip(ip)),
            Err(_) => DomainName::parse(trimmed).map(Host::Name),
        }
    }

    /// The host a bounce names as the one that answered: `dns; mx.example.com` (a DSN's
    /// `Remote-MTA`), `mx.example.com[192.0.2.1]:25` (Postfix's `relay=`), `[192.0.2.1]`:
    /// the name when there is one, else the address; `None` when neither reads.
    pub fn of_remote_mta(mta: &str) -> Option<Host> {
        let mta = mta.trim();
        let mta = mta.strip_prefix("dns;").map_or(mta, str::trim);
        let ip_in = |rest: &str| {
            rest.split_once(']')
                .and_then(|(ip, _)| Host::parse(ip).ok())
        };
        match mta.split_once('[') {
            Some((name, rest)) if !name.is_empty() && !name.eq_ignore_ascii_case("unknown") => {
                Host::parse(name).ok().or_else(|| ip_in(rest))
            }
            Some((_, rest)) => ip_in(rest),
            None => Host::parse(mta).ok(),
        }
    }
}

impl fmt::Display for Host {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Host::Name(name) => name.fmt(f),
            Host::Ip(ip) => ip.fmt(f),
        }
    }
}

#[cfg(test)]
mod tests {

    #![allow(clippy::unwrap_used)]
    use super::*;
    #[test]
    fn remote_hosts_of_every_shape() {
        let host = |s| Host::of_remote_mta(s).map(|h| h.to_string());
        assert_eq!(host("dns; 127.0.0.1").as_deref(), Some("127.0.0.1"));
        assert_eq!(
            host("mx.Example.com[192.0.2.1]:25").as_deref(),
            Some("mx.example.com")
        );
        assert_eq!(host("unknown[192.0.2.1]").as_deref(), Some("192.0.2.1"));
        assert_eq!(host("[192.0.2.1]:2525").as_deref(), Some("192.0.2.1"));
        assert_eq!(host("dns; bad..name"), None);
    }

    #[test]
    fn normalizes_case_dot_and_unicode() {
        assert_eq!(
            DomainName::parse(" Example.COM. ").unwrap().as_str(),
            "example.com"
        );
        let idn = DomainName::parse("Bücher.test").unwrap();
        assert_eq!(idn.as_str(), "xn--bcher-kva.test");
        assert_eq!(idn.to_unicode(), "bücher.test");
        assert_eq!(idn.fqdn(), "xn--bcher-kva.test.");
    }

    #[test]
    fn rejects_bad_names_naming_them() {
        let long_label = format!("{}.test", "a".repeat(64));
        let long_name = ["abcdefghij"; 24].join(".");
        for (input, want) in [
            ("", "empty"),
            ("a..b", "`a..b`: empty label"),
            (".a", "empty label"),
            ("bad_name.test", "`bad_name.test`"),
            ("a b.test", "`a b.test`"),
            (long_label.as_str(), "longer than 63"),
            (long_name.as_str(), "longer than 253"),
            ("192.0.2.1", "is an IP address"),
        ] {
            let err = DomainName::parse(input).unwrap_err().to_string();
            assert!(err.contains(want), "{input}: {err}");
        }
    }

    #[test]
    fn hosts_take_literals_addresses_and_names() {
        let v4: IpAddr = "192.0.2.1".parse().unwrap();
        let v6: IpAddr = "2001:db8::1".parse().unwrap();
        assert_eq!(Host::parse("[192.0.2.1]").unwrap(), Host::Ip(v4));
        assert_eq!(Host::parse("[IPv6:2001:db8::1]").unwrap(), Host::Ip(v6));
        assert_eq!(Host::parse("2001:db8::1").unwrap(), Host::Ip(v6));
        assert_eq!(
            Host::parse("MX1.Example.com").unwrap().to_string(),
            "mx1.example.com"
        );
        assert!(Host::parse("[192.0.2.1").is_err());
        assert!(Host::parse("[mx.example.com]").is_err());
    }
}
