//! `key=value, key=value` lists as Postfix and Sendmail write them after the queue id: values
//! in angle brackets may hold anything, the final key (`status` / `stat`) takes the rest of
//! the line.

/// The pairs of a comma-separated list, stopping at `last` whose value is the rest.
pub fn comma_fields<'a>(s: &'a str, last: &'a str) -> CommaFields<'a> {
    CommaFields { rest: s, last }
}

/// Iterator over `key=value` pairs; see [`comma_fields`].
pub struct CommaFields<'a> {
    rest: &'a str,
    last: &'a str,
}

impl<'a> Iterator for CommaFields<'a> {
    type Item = (&'a str, &'a str);

    fn next(&mut self) -> Option<Self::Item> {
        let s = self.rest.trim_start_matches([' ', ',']);
        if s.is_empty() {
            return None;
        }
        let eq = s.find('=')?;
        let key = &s[..eq];
        let value_start = eq + 1;
        if key == self.last {
            self.rest = "";
            return Some((key, &s[value_start..]));
        }
        let v = &s[value_start..];
        let end = if v.starts_with('<') {
            // to=<a@b>,<c@d> (Sendmail lists) or a bracketed address with commas inside.
            let close = v.find(">, ").map(|i| i + 1);
            close.unwrap_or_else(|| v.find(", ").unwrap_or(v.len()))
        } else {
            v.find(", ").unwrap_or(v.len())
        };
        self.rest = &v[end..];
        Some((key, &v[..end]))
    }
}

/// Splits `status=bounced (text)` into the word and the text in parentheses.
pub fn word_and_text(value: &str) -> (&str, Option<&str>) {
    match value.split_once(" (") {
        Some((word, text)) => (word, Some(text.strip_suffix(')').unwrap_or(text))),
        None => (value.trim(), None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn postfix_fields() {
        let f: Vec<_> = comma_fields(
            "to=<a@b>, relay=x[1.2.3.4]:25, delay=0, dsn=5.1.1, status=bounced (host x said: 550 a, b)",
            "status",
        )
        .collect();
        assert_eq!(f[0], ("to", "<a@b>"));
        assert_eq!(f[3], ("dsn", "5.1.1"));
        assert_eq!(
            word_and_text(f[4].1),
            ("bounced", Some("host x said: 550 a, b"))
        );
    }

    #[test]
    fn sendmail_lists() {
        let f: Vec<_> = comma_fields(
            "to=a@x,b@y, ctladdr=w (33/33), dsn=4.0.0, stat=Deferred: x",
            "stat",
        )
        .collect();
        assert_eq!(f[0], ("to", "a@x,b@y"));
        assert_eq!(f[3], ("stat", "Deferred: x"));
    }
}
