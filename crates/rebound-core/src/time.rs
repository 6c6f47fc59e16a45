//! Date-times as logs, webhooks and people write them in ISO 8601 / RFC 3339 form, read
//! leniently into [`jiff::Timestamp`]: the one copy the readers (`rebound-ingest`) and the
//! store's `--since` (`rebound-store`) share. RFC 5322 dates of bounce emails are read by the
//! readers, which alone meet them.

use jiff::Timestamp;
use jiff::civil::DateTime;
use jiff::tz::Offset;

/// `+0900`, `+09:00`, `+09`, `+9` → `+0900`.
pub fn numeric_zone(z: &str) -> Option<String> {
    let (sign, digits) = z.split_at(1);
    let digits: String = digits.chars().filter(|c| *c != ':').collect();
    if !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let hhmm = match digits.len() {
        1 => format!("0{digits}00"),
        2 => format!("{digits}00"),
        3 => format!("0{digits}"),
        4 => digits,
        _ => return None,
    };
    Some(format!("{sign}{hhmm}"))
}

/// An ISO 8601 / RFC 3339 date-time as logs and webhooks write it: `T`, `t` or a space
/// between date and time, a fraction of any length up to nanoseconds, a zone of `Z`,
/// `+hh:mm`, `+hhmm` or `+hh`, or none (then UTC). A bare date is not a time: `None`.
pub fn rfc3339(s: &str) -> Option<Timestamp> {
    let s = s.trim();
    if let Ok(t) = s.parse::<Timestamp>() {
        return Some(t);
    }
    // jiff reads RFC 3339 and RFC 9557; what it refuses here is a zone-less time, a zone
    // after a space, or an hour-only zone.
    let b = s.as_bytes();
    if b.len() < 16 || b[4] != b'-' || b[7] != b'-' || !matches!(b[10], b'T' | b't' | b' ') {
        return None;
    }
    let body_end = s[11..]
        .find(|c: char| !(c.is_ascii_digit() || c == ':' || c == '.' || c == ','))
        .map_or(s.len(), |i| i + 11);
    let civil: DateTime = format!("{}T{}", &s[..10], &s[11..body_end]).parse().ok()?;
    let zone = s[body_end..].trim_start();
    let offset = if zone.is_empty()
        || zone.eq_ignore_ascii_case("z")
        || zone.eq_ignore_ascii_case("utc")
        || zone.eq_ignore_ascii_case("gmt")
    {
        Offset::UTC
    } else if matches!(zone.as_bytes()[0], b'+' | b'-') {
        let z = numeric_zone(zone)?;
        let hours: i32 = z[1..3].parse().ok()?;
        let minutes: i32 = z[3..5].parse().ok()?;
        if minutes > 59 {
            return None;
        }
        let secs = (hours * 3600 + minutes * 60) * if z.starts_with('-') { -1 } else { 1 };
        Offset::from_seconds(secs).ok()?
    } else {
        return None;
    };
    offset.to_timestamp(civil).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iso_forms_give_one_instant() {
        let want = "2026-11-10T00:15:00Z".parse::<Timestamp>().ok();
        for s in [
            "2026-11-10T09:15:00+09:00",
            "2026-11-10 09:15:00 +0900",
            "2026-11-10t00:15:00",
            "2026-11-10T00:15:00 UTC",
            "2026-11-10T09:15:00+09",
        ] {
            assert_eq!(rfc3339(s), want, "{s}");
        }
        assert_eq!(rfc3339("2026-11-10"), None);
        assert_eq!(rfc3339("2026-11-10T09:15:00+09:75"), None);
        assert_eq!(numeric_zone("+9").as_deref(), Some("+0900"));
    }
}
