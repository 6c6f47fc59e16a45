//! The syslog line around an MTA's message: timestamp (RFC 3339 as rsyslog writes it, or
//! BSD RFC 3164 `Mmm dd hh:mm:ss`), host, and the tag `program[pid]:` (RFC 3164 4.1.3).
//! Postfix, Sendmail and OpenSMTPD log through syslog; their readers start here.

use crate::time::{bsd_prefix, rfc3339, rfc3339_prefix};
use jiff::Timestamp;

/// One syslog line, split.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyslogLine<'a> {
    /// The timestamp; `None` when it has the shape of one but not a valid value.
    pub at: Option<Timestamp>,
    /// The host name field.
    pub host: &'a str,
    /// The program name of the tag (`postfix/smtp`, `sm-mta`, `smtpd`).
    pub program: &'a str,
    /// The message after `tag: `.
    pub message: &'a str,
}

/// Splits a syslog line; `None` when it has no timestamp, host and tag.
pub fn split(line: &str, year: i32) -> Option<SyslogLine<'_>> {
    let (at, rest) = if let Some(stamp) = rfc3339_prefix(line) {
        (rfc3339(stamp), &line[stamp.len()..])
    } else {
        let (stamp, used) = bsd_prefix(line, year)?;
        (stamp, &line[used..])
    };
    let rest = rest.trim_start_matches(' ');
    let (host, rest) = rest.split_once(' ')?;
    let (tag, message) = rest.split_once(": ")?;
    let program = match tag.find('[') {
        Some(i) if tag.ends_with(']') => &tag[..i],
        _ => tag,
    };
    if program.is_empty() || program.contains(' ') {
        return None;
    }
    Some(SyslogLine {
        at,
        host,
        program,
        message,
    })
}

/// Splits `QUEUEID: rest` (Postfix and Sendmail queue ids: letters and digits).
pub fn queue_id(message: &str) -> Option<(&str, &str)> {
    let (id, rest) = message.split_once(": ")?;
    let ok = (5..=32).contains(&id.len()) && id.bytes().all(|b| b.is_ascii_alphanumeric());
    ok.then_some((id, rest))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_timestamp_forms() {
        let l = split(
            "2026-11-27T02:37:06.2+00:00 mta-lab postfix/smtp[473]: 3279: to=<a@b>",
            2026,
        )
        .unwrap_or_else(|| unreachable!());
        assert_eq!(
            (l.host, l.program, l.message),
            ("mta-lab", "postfix/smtp", "3279: to=<a@b>")
        );
        let l = split(
            "Nov 27 02:37:06 mta-lab postfix/qmgr[385]: 3279098C335: removed",
            2026,
        )
        .unwrap_or_else(|| unreachable!());
        assert_eq!(l.at, "2026-11-27T02:37:06Z".parse().ok());
        assert_eq!(queue_id(l.message), Some(("3279098C335", "removed")));
        assert!(split("garbage", 2026).is_none());
    }
}
