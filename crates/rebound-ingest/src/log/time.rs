//! Timestamps of logs and webhooks, turned into RFC 3339: syslog's RFC 3339 form (rsyslog's
//! default on Debian), the classic BSD syslog form (RFC 3164 4.1.2, `Nov 27 02:37:06`, no
//! year, no zone), Exim's `2026-11-27 02:37:08 [+0100]` and Unix seconds (webhooks, KumoMTA,
//! PowerMTA). A time without a zone is written with the offset `-00:00`, RFC 3339 4.3's
//! "UTC, local offset unknown".

const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// An RFC 3339 timestamp at the start of `s` (`2026-11-27T02:37:06.205767+00:00`) and its
/// length, checked only for its shape.
pub fn rfc3339_prefix(s: &str) -> Option<&str> {
    let b = s.as_bytes();
    let shape = b.len() >= 20
        && b[..4].iter().all(u8::is_ascii_digit)
        && b[4] == b'-'
        && b[7] == b'-'
        && (b[10] == b'T' || b[10] == b't')
        && b[13] == b':'
        && b[16] == b':';
    if !shape {
        return None;
    }
    let end = s.find(' ').unwrap_or(s.len());
    Some(&s[..end])
}

/// A BSD syslog timestamp (`Nov 27 02:37:06`, day space-padded) at the start of `s`, as
/// RFC 3339 in `year`, and the number of bytes it took.
pub fn bsd_prefix(s: &str, year: i32) -> Option<(String, usize)> {
    let b = s.as_bytes();
    if b.len() < 15 || b[3] != b' ' || b[9] != b':' || b[12] != b':' {
        return None;
    }
    let month = MONTHS.iter().position(|m| m.as_bytes() == &b[..3])? + 1;
    let day: u32 = s.get(4..6)?.trim_start().parse().ok()?;
    let clock = s.get(7..15)?;
    if !clock.bytes().all(|c| c.is_ascii_digit() || c == b':') || !(1..=31).contains(&day) {
        return None;
    }
    Some((format!("{year:04}-{month:02}-{day:02}T{clock}-00:00"), 15))
}

/// Exim's `YYYY-MM-DD HH:MM:SS[.mmm]` with an optional ` +hhmm` zone, as RFC 3339, and the
/// bytes it took.
pub fn exim_prefix(s: &str) -> Option<(String, usize)> {
    let b = s.as_bytes();
    let shape = b.len() >= 19
        && b[..19].is_ascii()
        && b[..4].iter().all(u8::is_ascii_digit)
        && b[4] == b'-'
        && b[7] == b'-'
        && b[10] == b' '
        && b[13] == b':'
        && b[16] == b':';
    if !shape {
        return None;
    }
    let mut end = 19;
    if b.get(19) == Some(&b'.') {
        end += 1 + b[20..].iter().take_while(|c| c.is_ascii_digit()).count();
    }
    let (date, clock) = (&s[..10], &s[11..end]);
    let zone = s.get(end..end + 6).filter(|z| {
        let z = z.as_bytes();
        z[0] == b' ' && matches!(z[1], b'+' | b'-') && z[2..].iter().all(u8::is_ascii_digit)
    });
    match zone {
        Some(z) => Some((format!("{date}T{clock}{}:{}", &z[1..4], &z[4..6]), end + 6)),
        None => Some((format!("{date}T{clock}-00:00"), end)),
    }
}

/// Unix seconds (fractions dropped) as an RFC 3339 UTC time; `None` out of years 1970–9999.
pub fn from_unix(seconds: f64) -> Option<String> {
    if !seconds.is_finite() || !(0.0..253_402_300_800.0).contains(&seconds) {
        return None;
    }
    // Truncation is the intent: whole seconds.
    #[allow(clippy::cast_possible_truncation)]
    let secs = seconds as i64;
    let (days, rest) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    let (y, m, d) = civil_from_days(days);
    Some(format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        rest / 3600,
        rest % 3600 / 60,
        rest % 60
    ))
}

/// The current year (UTC), for BSD syslog timestamps that carry none.
pub fn current_year() -> i32 {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    let days = i64::try_from(secs / 86_400).unwrap_or(0);
    i32::try_from(civil_from_days(days).0).unwrap_or(1970)
}

/// Days since 1970-01-01 → (year, month, day), proleptic Gregorian (H. Hinnant's algorithm).
fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forms() {
        assert_eq!(
            rfc3339_prefix("2026-11-27T02:37:06.205767+00:00 mta-lab postfix/smtp[1]: x"),
            Some("2026-11-27T02:37:06.205767+00:00")
        );
        assert_eq!(
            bsd_prefix("Feb  6 18:58:13 host x", 2016),
            Some(("2016-02-06T18:58:13-00:00".into(), 15))
        );
        assert_eq!(
            exim_prefix("2026-11-27 02:37:08 1xW"),
            Some(("2026-11-27T02:37:08-00:00".into(), 19))
        );
        assert_eq!(
            exim_prefix("2026-11-27 02:37:08.123 +0100 1xW"),
            Some(("2026-11-27T02:37:08.123+01:00".into(), 29))
        );
        assert_eq!(
            from_unix(1_513_299_569.0).as_deref(),
            Some("2017-12-15T00:59:29Z")
        );
        assert_eq!(from_unix(0.0).as_deref(), Some("1970-01-01T00:00:00Z"));
        assert_eq!(from_unix(-1.0), None);
        assert_eq!(from_unix(f64::NAN), None);
        // Found by fuzzing: a multi-byte character where the seconds should be.
        assert_eq!(exim_prefix("2026-11-27 02:37:0\u{fffd}x"), None);
    }
}
