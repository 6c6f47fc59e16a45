//! Address normalization, the one spelling under which the store keeps and looks up a
//! recipient: white space and angle brackets removed, lower-cased whole (local parts are
//! case-sensitive by RFC 5321 2.4, but no real mailbox provider treats them so, and a
//! suppression list must not miss `John@x` because it holds `john@x`).

/// The normalized form of an address, or `None` when it has no `@` with text on both sides.
pub fn normalize(address: &str) -> Option<String> {
    let mut out = String::with_capacity(address.len());
    normalize_into(address, &mut out).then_some(out)
}

/// Normalizes `address` into `out` (cleared first), reusing its allocation; returns whether
/// the address is usable (an `@` with text on both sides).
pub fn normalize_into(address: &str, out: &mut String) -> bool {
    out.clear();
    let a = address.trim();
    let a = a.strip_prefix("mailto:").unwrap_or(a);
    let a = a.trim_start_matches('<').trim_end_matches('>').trim();
    if a.is_ascii() {
        out.push_str(a);
        out.make_ascii_lowercase();
    } else {
        out.extend(a.chars().flat_map(char::to_lowercase));
    }
    match out.rfind('@') {
        Some(at) => at > 0 && at + 1 < out.len(),
        None => false,
    }
}

/// The domain of a normalized address (the text after the last `@`).
pub fn domain(normalized: &str) -> Option<&str> {
    normalized
        .rsplit_once('@')
        .map(|(_, d)| d.trim_end_matches('.'))
        .filter(|d| !d.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalizes() {
        assert_eq!(
            normalize(" <John.Doe@Example.COM> ").as_deref(),
            Some("john.doe@example.com")
        );
        assert_eq!(normalize("mailto:a@b").as_deref(), Some("a@b"));
        assert_eq!(
            normalize("Ünï@Example.com").as_deref(),
            Some("ünï@example.com")
        );
        assert_eq!(normalize("nobody"), None);
        assert_eq!(normalize("@example.com"), None);
        assert_eq!(normalize("x@"), None);
        assert_eq!(domain("a@example.com."), Some("example.com"));
    }
}
