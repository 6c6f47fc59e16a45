//! Enhanced mail system status codes (RFC 3463 section 2): `class.subject.detail`.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;
use std::str::FromStr;

/// An enhanced status code such as `5.1.1` (RFC 3463 section 2).
///
/// `class` is 2 (success), 4 (persistent transient failure) or 5 (permanent failure);
/// `subject` and `detail` are one to three digits each (RFC 3463 allows up to 999, which is
/// why they are not bytes).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct EnhancedStatus {
    /// 2, 4 or 5.
    pub class: u8,
    /// The subject sub-code (0–999): 1 addressing, 2 mailbox, 3 mail system, 4 network and
    /// routing, 5 protocol, 6 content, 7 security or policy.
    pub subject: u16,
    /// The detail sub-code (0–999).
    pub detail: u16,
}

/// Why a string is not an enhanced status code.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{0}` is not an enhanced status code (class.subject.detail, class 2, 4 or 5)")]
pub struct StatusParseError(pub String);

impl EnhancedStatus {
    /// Builds a status, or `None` when a part is out of range.
    pub fn new(class: u8, subject: u16, detail: u16) -> Option<Self> {
        (matches!(class, 2 | 4 | 5) && subject <= 999 && detail <= 999).then_some(Self {
            class,
            subject,
            detail,
        })
    }

    /// Reads a status at the start of `bytes`: returns it and the number of bytes it took.
    /// The status must not be followed by another digit or a dot and digit (`5.1.1.2`).
    pub fn parse_prefix(bytes: &[u8]) -> Option<(Self, usize)> {
        let class = *bytes.first()?;
        if !matches!(class, b'2' | b'4' | b'5') || bytes.get(1) != Some(&b'.') {
            return None;
        }
        let (subject, n1) = digits(&bytes[2..])?;
        let at = 2 + n1;
        if bytes.get(at) != Some(&b'.') {
            return None;
        }
        let (detail, n2) = digits(&bytes[at + 1..])?;
        let end = at + 1 + n2;
        let continues = match bytes.get(end) {
            Some(b) if b.is_ascii_digit() => true,
            Some(b'.') => bytes.get(end + 1).is_some_and(u8::is_ascii_digit),
            _ => false,
        };
        if continues {
            return None;
        }
        Some((Self::new(class - b'0', subject, detail)?, end))
    }

    /// True for class 5 (permanent failure).
    pub fn is_permanent(self) -> bool {
        self.class == 5
    }

    /// `class.subject.detail` written into `buf`, without allocating or going through the
    /// formatting machinery: replies and events print it every time.
    pub(crate) fn write_text(self, buf: &mut [u8; TEXT_CAPACITY]) -> &str {
        let at = write_digits(buf, TEXT_CAPACITY, self.detail.into());
        buf[at - 1] = b'.';
        let at = write_digits(buf, at - 1, self.subject.into());
        buf[at - 1] = b'.';
        let at = write_digits(buf, at - 1, self.class.into());
        std::str::from_utf8(&buf[at..]).unwrap_or_default()
    }
}

/// Room for the longest text [`EnhancedStatus::write_text`] can write: a class of three digits,
/// two parts of five (the fields are public, so not always within RFC 3463's ranges) and two
/// dots.
pub(crate) const TEXT_CAPACITY: usize = 15;

/// Room for the digits of any `u64` (reply codes, and the message and recipient numbers of
/// an event's JSON).
pub(crate) const DECIMAL_CAPACITY: usize = 20;

/// Writes `n` in decimal into `buf` and returns the digits (no allocation, no formatting
/// machinery).
pub(crate) fn write_decimal(buf: &mut [u8; DECIMAL_CAPACITY], n: impl Into<u64>) -> &str {
    let at = write_digits(buf, DECIMAL_CAPACITY, n.into());
    std::str::from_utf8(&buf[at..]).unwrap_or_default()
}

/// Writes `n` in decimal so that it ends at `end` in `buf`; returns where it starts. `buf`
/// must have room for all the digits before `end`.
fn write_digits(buf: &mut [u8], end: usize, mut n: u64) -> usize {
    let mut at = end;
    loop {
        at -= 1;
        buf[at] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            return at;
        }
    }
}

/// One to three ASCII digits at the start of `bytes`, as a number and a length.
fn digits(bytes: &[u8]) -> Option<(u16, usize)> {
    let n = bytes
        .iter()
        .take(4)
        .take_while(|b| b.is_ascii_digit())
        .count();
    if n == 0 || n > 3 {
        return None;
    }
    let value = bytes[..n]
        .iter()
        .fold(0u16, |acc, b| acc * 10 + u16::from(b - b'0'));
    Some((value, n))
}

impl fmt::Display for EnhancedStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.write_text(&mut [0; TEXT_CAPACITY]))
    }
}

impl FromStr for EnhancedStatus {
    type Err = StatusParseError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let t = s.trim();
        match Self::parse_prefix(t.as_bytes()) {
            Some((status, n)) if n == t.len() => Ok(status),
            _ => Err(StatusParseError(s.to_string())),
        }
    }
}

impl Serialize for EnhancedStatus {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.write_text(&mut [0; TEXT_CAPACITY]))
    }
}

impl<'de> Deserialize<'de> for EnhancedStatus {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_prints() {
        let s: EnhancedStatus = "5.1.1".parse().unwrap();
        assert_eq!((s.class, s.subject, s.detail), (5, 1, 1));
        assert_eq!(s.to_string(), "5.1.1");
        assert_eq!("4.7.650".parse::<EnhancedStatus>().unwrap().detail, 650);
    }

    #[test]
    fn text_without_formatting() {
        let s = EnhancedStatus::new(4, 7, 650).unwrap();
        assert_eq!(s.write_text(&mut [0; TEXT_CAPACITY]), "4.7.650");
        let widest = EnhancedStatus {
            class: 255,
            subject: u16::MAX,
            detail: u16::MAX,
        };
        assert_eq!(
            widest.write_text(&mut [0; TEXT_CAPACITY]),
            "255.65535.65535"
        );
        assert_eq!(write_decimal(&mut [0; DECIMAL_CAPACITY], 0u16), "0");
        assert_eq!(write_decimal(&mut [0; DECIMAL_CAPACITY], 550u16), "550");
        assert_eq!(
            write_decimal(&mut [0; DECIMAL_CAPACITY], u64::MAX),
            "18446744073709551615"
        );
    }

    #[test]
    fn rejects_what_is_not_a_status() {
        for bad in [
            "",
            "5",
            "5.1",
            "3.1.1",
            "5.1.1.2",
            "5.1000.1",
            "5.a.1",
            "192.0.2.1",
        ] {
            assert!(bad.parse::<EnhancedStatus>().is_err(), "{bad}");
        }
    }

    #[test]
    fn prefix_stops_at_the_code() {
        assert_eq!(
            EnhancedStatus::parse_prefix(b"5.7.1 Relaying denied"),
            Some((EnhancedStatus::new(5, 7, 1).unwrap(), 5))
        );
        assert_eq!(
            EnhancedStatus::parse_prefix(b"5.1.1."),
            Some((EnhancedStatus::new(5, 1, 1).unwrap(), 5))
        );
    }
}
