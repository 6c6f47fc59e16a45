//! The patterns a rule's conditions are written in: basic reply codes (`550`, `55x`, `5xx`:
//! [`CodePattern`]), enhanced statuses (`5.1.1`, `x.1.1`, `5.7.x`: [`StatusPattern`]), and the
//! `*` wildcards of a producer's class ([`wildcard_match`]).

use crate::status::EnhancedStatus;

/// A basic reply code pattern: three characters, each a digit or `x` (`550`, `55x`, `5xx`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CodePattern([Option<u8>; 3]);

impl std::fmt::Display for CodePattern {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        for d in self.0 {
            match d {
                Some(d) => write!(f, "{d}")?,
                None => f.write_str("x")?,
            }
        }
        Ok(())
    }
}

impl std::fmt::Display for StatusPattern {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let part = |p: Option<u16>| p.map_or_else(|| "x".to_string(), |v| v.to_string());
        write!(
            f,
            "{}.{}.{}",
            part(self.class.map(u16::from)),
            part(self.subject),
            part(self.detail)
        )
    }
}

impl CodePattern {
    pub(crate) fn parse(s: &str) -> Option<Self> {
        let b = s.as_bytes();
        if b.len() != 3 || !matches!(b[0], b'2'..=b'5') {
            return None;
        }
        let mut out = [None; 3];
        for (slot, c) in out.iter_mut().zip(b) {
            *slot = match c {
                b'0'..=b'9' => Some(c - b'0'),
                b'x' | b'X' => None,
                _ => return None,
            };
        }
        Some(CodePattern(out))
    }

    /// Whether the pattern names success or intermediate codes (2xx, 3xx).
    pub fn names_positive(self) -> bool {
        matches!(self.0[0], Some(2 | 3))
    }

    /// Whether `code` fits the pattern.
    pub fn matches(self, code: u16) -> bool {
        let digits = [
            (code / 100) as u8,
            (code / 10 % 10) as u8,
            (code % 10) as u8,
        ];
        self.0
            .iter()
            .zip(digits)
            .all(|(p, d)| p.is_none_or(|p| p == d))
    }
}

/// An enhanced status pattern: `class.subject.detail`, each part a number or `x`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StatusPattern {
    class: Option<u8>,
    subject: Option<u16>,
    detail: Option<u16>,
}

impl StatusPattern {
    pub(crate) fn parse(s: &str) -> Option<Self> {
        let mut parts = s.split('.');
        let mut part = |max: u16| -> Option<Option<u16>> {
            match parts.next()? {
                "x" | "X" => Some(None),
                p if !p.is_empty() && p.len() <= 3 && p.bytes().all(|b| b.is_ascii_digit()) => {
                    let v: u16 = p.parse().ok()?;
                    (v <= max).then_some(Some(v))
                }
                _ => None,
            }
        };
        let class = part(5)?;
        let subject = part(999)?;
        let detail = part(999)?;
        if parts.next().is_some() || class.is_some_and(|c| !matches!(c, 2 | 4 | 5)) {
            return None;
        }
        Some(StatusPattern {
            class: class.map(|c| c as u8),
            subject,
            detail,
        })
    }

    /// Whether the pattern names success statuses (2.x.x).
    pub fn names_positive(self) -> bool {
        self.class == Some(2)
    }

    /// Whether `status` fits the pattern.
    pub fn matches(self, status: EnhancedStatus) -> bool {
        self.class.is_none_or(|c| c == status.class)
            && self.subject.is_none_or(|s| s == status.subject)
            && self.detail.is_none_or(|d| d == status.detail)
    }
}

/// Whether `text` fits `pattern`, where `*` stands for any run of characters; ASCII
/// case-insensitive.
pub(crate) fn wildcard_match(pattern: &str, text: &str) -> bool {
    let (p, t) = (pattern.as_bytes(), text.as_bytes());
    let mut parts = p.split(|&b| b == b'*');
    let first = parts.next().unwrap_or_default();
    if t.len() < first.len() || !t[..first.len()].eq_ignore_ascii_case(first) {
        return false;
    }
    let mut at = first.len();
    let rest: Vec<&[u8]> = parts.collect();
    let Some((last, middle)) = rest.split_last() else {
        return at == t.len();
    };
    for part in middle.iter().filter(|p| !p.is_empty()) {
        let found = t[at..]
            .windows(part.len())
            .position(|w| w.eq_ignore_ascii_case(part));
        match found {
            Some(i) => at += i + part.len(),
            None => return false,
        }
    }
    t.len() - at >= last.len() && t[t.len() - last.len()..].eq_ignore_ascii_case(last)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_and_statuses() {
        assert!(CodePattern::parse("5xx").unwrap().matches(554));
        assert!(!CodePattern::parse("55x").unwrap().matches(541));
        assert!(CodePattern::parse("6xx").is_none());
        assert!(CodePattern::parse("2xx").unwrap().names_positive());
        let s = StatusPattern::parse("x.1.1").unwrap();
        assert!(s.matches("4.1.1".parse().unwrap()));
        assert!(!s.matches("5.1.2".parse().unwrap()));
        assert!(StatusPattern::parse("5.7").is_none());
        assert!(StatusPattern::parse("3.1.1").is_none());
        assert_eq!(StatusPattern::parse("x.7.X").unwrap().to_string(), "x.7.x");
    }

    #[test]
    fn wildcards() {
        assert!(wildcard_match("Complaint/*", "complaint/abuse"));
        assert!(wildcard_match("*/Suppressed", "Permanent/Suppressed"));
        assert!(wildcard_match("*/*/6*", "permanent/suppress-bounce/605"));
        assert!(!wildcard_match("*/*/6*", "permanent/suppress-bounce"));
        assert!(wildcard_match("25", "25"));
        assert!(!wildcard_match("25", "250"));
        assert!(wildcard_match("a**b", "ab"));
        assert!(wildcard_match("ab**", "ab"));
        assert!(!wildcard_match("ab*ab", "ab"));
    }
}
