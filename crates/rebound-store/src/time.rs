//! Time as the store keeps it: seconds since the Unix epoch (UTC) in its columns, taken from
//! an event's [`Timestamp`]; the UTC calendar day (`YYYY-MM-DD`) for grouping, or
//! [`UNDATED`] for an event that has no time of its own; and the `--since` bound, read from
//! RFC 3339 or a bare date. All of it through `jiff`; no time-zone database is needed:
//! offsets are applied, zone names are not.

use jiff::Timestamp;
use jiff::civil::{Date, DateTime};
use jiff::tz::Offset;

/// The day under which `report --by day` groups events that carry no time of their own (the
/// input had no date, or none that could be read): their ingest time is not their day.
pub const UNDATED: &str = "undated";

/// Seconds since the epoch for an RFC 3339 date-time (`2024-05-01T12:34:56.789+02:00`, any
/// offset), a space in place of `T`, a zone of `+hhmm` or none (UTC), or a bare date
/// (midnight UTC). A fraction of a second is dropped.
pub fn parse_datetime(s: &str) -> Option<i64> {
    let s = s.trim();
    if let Ok(date) = s.parse::<Date>()
        && s.len() == 10
    {
        return utc_seconds(date.to_datetime(jiff::civil::Time::midnight()));
    }
    rebound_core::time::rfc3339(s).map(Timestamp::as_second)
}

fn utc_seconds(civil: DateTime) -> Option<i64> {
    Offset::UTC
        .to_timestamp(civil)
        .ok()
        .map(Timestamp::as_second)
}

/// Seconds since the epoch for a `YYYY-MM-DD` date (midnight UTC) or a full date-time.
pub fn parse_date(s: &str) -> Option<i64> {
    parse_datetime(s)
}

/// The UTC calendar day (`YYYY-MM-DD`) of a time.
pub fn day_of(unix: i64) -> String {
    match Timestamp::from_second(unix) {
        Ok(t) => Offset::UTC.to_datetime(t).date().to_string(),
        // Out of jiff's range (years -9999..=9999): no calendar day to give.
        Err(_) => UNDATED.to_string(),
    }
}

/// The time now, in seconds since the epoch.
pub fn now() -> i64 {
    Timestamp::now().as_second()
}

/// RFC 3339 UTC text of a time (`2024-05-01T12:00:00Z`).
pub fn format_rfc3339(unix: i64) -> String {
    Timestamp::from_second(unix).map_or_else(|_| unix.to_string(), |t| t.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_rfc3339_and_variants() {
        assert_eq!(parse_datetime("1970-01-01T00:00:00Z"), Some(0));
        assert_eq!(parse_datetime("2024-05-01T12:00:00Z"), Some(1_714_564_800));
        assert_eq!(
            parse_datetime("2024-05-01T14:00:00.123+02:00"),
            Some(1_714_564_800)
        );
        assert_eq!(parse_datetime("2024-05-01 12:00:00"), Some(1_714_564_800));
        assert_eq!(parse_datetime("2024-05-01"), Some(1_714_521_600));
        assert_eq!(
            parse_datetime("2024-05-01T07:00:00-0500"),
            Some(1_714_564_800)
        );
        assert_eq!(
            parse_datetime("2024-05-01 14:00:00 +02:00"),
            Some(1_714_564_800)
        );
        assert_eq!(
            parse_datetime("2024-05-01 12:00:00 UTC"),
            Some(1_714_564_800)
        );
        assert_eq!(parse_datetime("yesterday"), None);
        assert_eq!(parse_datetime("2024-13-01"), None);
        assert_eq!(parse_datetime("2024-02-30"), None);
        assert_eq!(parse_datetime("2024-05-01T25:00:00Z"), None);
    }

    #[test]
    fn days_and_text() {
        assert_eq!(day_of(1_714_564_800), "2024-05-01");
        assert_eq!(day_of(-1), "1969-12-31");
        assert_eq!(day_of(i64::MAX), UNDATED);
        assert_eq!(format_rfc3339(1_714_564_800), "2024-05-01T12:00:00Z");
        assert_eq!(format_rfc3339(0), "1970-01-01T00:00:00Z");
    }
}
