//! Every date the readers see, read into one type, [`jiff::Timestamp`]: RFC 5322 dates of
//! mail (`Date`, DSN `Last-Attempt-Date` / `Arrival-Date`, ARF `Arrival-Date`) with the
//! obsolete forms of RFC 5322 4.3, syslog timestamps (RFC 3164 BSD without a year, RFC 5424 /
//! RFC 3339 with a zone), Exim's and PowerMTA's `YYYY-MM-DD HH:MM:SS [+hhmm]`, the ISO 8601 /
//! RFC 3339 variants of webhooks, and Unix times (seconds, with a fraction or not, and
//! milliseconds).
//!
//! What cannot be read gives `None`, never a guess and never the current time. Two readings
//! are RFC 5322's own rules, not guesses: a zone name that is not one of RFC 5322's (`JST`,
//! `CET`, a military letter) and a date without any zone are UTC ("-0000", local offset
//! unknown), as are syslog and log times that carry no zone. A leap second (`23:59:60`) is
//! read as `23:59:59` of the same day (jiff has no leap seconds), so the day is kept.

use jiff::Timestamp;
use jiff::civil::{Date, Time};
use jiff::fmt::rfc2822::DateTimeParser;
use jiff::tz::Offset;

const MONTHS: [&[u8; 3]; 12] = [
    b"jan", b"feb", b"mar", b"apr", b"may", b"jun", b"jul", b"aug", b"sep", b"oct", b"nov", b"dec",
];

/// RFC 5322's parser, with the weekday not checked against the date: a wrong weekday is a
/// common slip of hand-written `Date` fields, and the date is what matters.
static RFC5322: DateTimeParser = DateTimeParser::new().relaxed_weekday(true);

/// An RFC 5322 date-time (`Tue, 10 Nov 2026 09:15:00 +0900`), with the obsolete syntax of
/// RFC 5322 4.3 (zones `UT`, `GMT`, `EST` … `PDT`, military letters, two- and three-digit
/// years, no seconds, no weekday, comments such as `(JST)`, extra white space) and the
/// near-misses mail software writes (full month and day names, `+09:00`, `GMT+0900`, a zone
/// name after the offset, asctime's `Thu Apr 29 23:45:41 2013`, no zone at all). Falls back to
/// RFC 3339 for the ISO dates some MTAs write in DSN fields.
pub fn rfc5322(s: &str) -> Option<Timestamp> {
    // Some software quotes the whole value (`Date: 'Thu, 29 Apr 2012 23:34:45 +0000'`).
    let s = s.trim().trim_matches(['\'', '"']).trim();
    if s.is_empty() {
        return None;
    }
    if let Ok(t) = RFC5322.parse_timestamp(s) {
        return Some(t);
    }
    normalised_rfc5322(s).or_else(|| rfc3339(s))
}

/// Reads the parts of a date that jiff's RFC 5322 parser refused, word by word, and writes
/// them again in its canonical order for it to check (ranges, the date's existence).
fn normalised_rfc5322(s: &str) -> Option<Timestamp> {
    let mut day: Option<u8> = None;
    let mut month: Option<usize> = None;
    let mut year: Option<&str> = None;
    let mut clock: Option<&str> = None;
    let mut zone: Option<String> = None;
    let mut names_after_zone = 0;
    // `AM` / `PM` of a 12-hour clock (Outlook's `Thursday, April 09, 2003 9:00 AM`).
    let mut half: Option<bool> = None;
    let mut depth = 0u32;
    let mut cleaned = String::with_capacity(s.len());
    // Comments (nested ones too) become white space; so do commas.
    for c in s.chars() {
        match c {
            '(' => depth += 1,
            ')' if depth > 0 => depth -= 1,
            _ if depth > 0 => {}
            ',' => cleaned.push(' '),
            _ => cleaned.push(c),
        }
        if matches!(c, '(' | ')') {
            cleaned.push(' ');
        }
    }
    for word in cleaned.split_ascii_whitespace() {
        let b = word.as_bytes();
        if b[0].is_ascii_digit() && word.contains(':') && clock.is_none() {
            // `09:15:00`, `9:15`, and a zone stuck to it (`09:15:00+0900`).
            let end = word.find(['+', '-']).unwrap_or(word.len());
            clock = Some(&word[..end]);
            if end < word.len() {
                zone = Some(word[end..].to_string());
            }
        } else if b.iter().all(u8::is_ascii_digit) {
            // A day may carry a stray leading zero (`Tue, 029 Apr 2019`, written by a list
            // server); a three-digit year never starts with one.
            let padded_day = b.len() == 3 && b[0] == b'0' && month.is_none();
            if day.is_none() && (b.len() <= 2 || padded_day) {
                day = word.parse().ok();
            } else if year.is_none() && (2..=4).contains(&b.len()) {
                year = Some(word);
            } else {
                return None;
            }
        } else if matches!(b[0], b'+' | b'-') && zone.is_none() {
            zone = Some(word.to_string());
        } else if b.iter().all(u8::is_ascii_alphabetic) {
            let lower = word.to_ascii_lowercase();
            if let Some(m) = MONTHS
                .iter()
                .position(|m| lower.len() >= 3 && lower.as_bytes()[..3] == m[..])
                .filter(|_| month.is_none() && lower.len() <= 9)
            {
                month = Some(m);
            } else if (lower == "am" || lower == "pm") && half.is_none() && clock.is_some() {
                half = Some(lower == "pm");
            } else if is_weekday(&lower) {
                // Checked by nobody: the date decides.
            } else if zone.is_none() && lower.len() <= 5 {
                // A named zone; `UTC` is not RFC 5322's but means the same as `UT`.
                zone = Some(if lower == "utc" { "UT".into() } else { lower });
            } else if zone.is_some() && lower.len() <= 5 && names_after_zone == 0 {
                // A zone name after a numeric zone (`+0900 JST`): the number decides.
                names_after_zone += 1;
            } else {
                return None;
            }
        } else if let Some(rest) = ["gmt", "utc", "ut"]
            .iter()
            .find_map(|p| strip_prefix_ignore_case(word, p))
            .filter(|r| matches!(r.as_bytes().first(), Some(b'+' | b'-')))
            .filter(|_| zone.is_none())
        {
            // `GMT+0900`, `UTC+09:00`.
            zone = Some(rest.to_string());
        } else {
            return None;
        }
    }
    let (day, month, year, clock) = (day?, month?, year?, clock?);
    let zone = match zone.as_deref() {
        None => "+0000".to_string(),
        Some(z) if matches!(z.as_bytes()[0], b'+' | b'-') => numeric_zone(z)?,
        Some(z) => z.to_string(),
    };
    let mut parts = clock.split(':');
    let (h, m) = (parts.next()?, parts.next()?);
    let sec = parts.next();
    if parts.next().is_some() || h.is_empty() || h.len() > 2 || m.len() != 2 {
        return None;
    }
    let h = match half {
        None => h.to_string(),
        Some(pm) => {
            let h: u8 = h.parse().ok()?;
            if !(1..=12).contains(&h) {
                return None;
            }
            (h % 12 + if pm { 12 } else { 0 }).to_string()
        }
    };
    let mut text = format!("{day} {} {year} {h:0>2}:{m}", month_name(month));
    if let Some(sec) = sec {
        // A fraction of a second (`09:15:00.123`) is more than RFC 5322 holds: dropped.
        let whole = sec.split('.').next()?;
        text.push(':');
        text.push_str(whole);
    }
    text.push(' ');
    text.push_str(&zone);
    RFC5322.parse_timestamp(&text).ok()
}

fn is_weekday(lower: &str) -> bool {
    const DAYS: [&str; 7] = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"];
    lower.len() >= 3 && lower.len() <= 9 && DAYS.iter().any(|d| lower.starts_with(d))
}

fn month_name(m: usize) -> &'static str {
    [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ][m]
}

fn strip_prefix_ignore_case<'a>(s: &'a str, prefix: &str) -> Option<&'a str> {
    let head = s.get(..prefix.len())?;
    head.eq_ignore_ascii_case(prefix)
        .then(|| &s[prefix.len()..])
}

pub use rebound_core::time::{numeric_zone, rfc3339};

/// The RFC 3339 timestamp at the start of a syslog line (`2026-11-27T02:37:06.205767+00:00`,
/// as rsyslog writes it), as text, checked only for its shape: the caller reads it with
/// [`rfc3339`] and still has the line when the value is out of range.
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

/// A BSD syslog timestamp (RFC 3164 4.1.2, `Nov 27 02:37:06`, day space-padded) at the start
/// of `s`: its time in `year` (UTC: the form has neither year nor zone), `None` when the
/// values are out of range, and the bytes it took; `None` altogether when `s` does not start
/// with one.
pub fn bsd_prefix(s: &str, year: i32) -> Option<(Option<Timestamp>, usize)> {
    let b = s.as_bytes();
    if b.len() < 15 || b[3] != b' ' || b[9] != b':' || b[12] != b':' || !b[..15].is_ascii() {
        return None;
    }
    let lower = [
        b[0].to_ascii_lowercase(),
        b[1].to_ascii_lowercase(),
        b[2].to_ascii_lowercase(),
    ];
    let month = MONTHS.iter().position(|m| **m == lower)? + 1;
    let day: i8 = s[4..6].trim_start().parse().ok()?;
    let clock = &b[7..15];
    if !clock.iter().all(|c| c.is_ascii_digit() || *c == b':') || !(1..=31).contains(&day) {
        return None;
    }
    let num = |r: std::ops::Range<usize>| s[r].parse::<i8>().ok();
    let at = (|| {
        let date = Date::new(i16::try_from(year).ok()?, i8::try_from(month).ok()?, day).ok()?;
        let time = Time::new(num(7..9)?, num(10..12)?, num(13..15)?, 0).ok()?;
        Offset::UTC.to_timestamp(date.to_datetime(time)).ok()
    })();
    Some((at, 15))
}

/// Exim's and PowerMTA's `YYYY-MM-DD HH:MM:SS[.fff]` with an optional ` +hhmm` zone (UTC
/// without one) at the start of `s`: its time (`None` when out of range) and the bytes it
/// took; `None` altogether when `s` does not start with one.
pub fn exim_prefix(s: &str) -> Option<(Option<Timestamp>, usize)> {
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
    let zoned = s.get(end..end + 6).is_some_and(|z| {
        let z = z.as_bytes();
        z[0] == b' ' && matches!(z[1], b'+' | b'-') && z[2..].iter().all(u8::is_ascii_digit)
    });
    let used = if zoned { end + 6 } else { end };
    Some((rfc3339(&s[..used]), used))
}

/// Unix seconds as a number (`1521233195`, `1521233195.375`); `None` before 1970, past the
/// year 9999, or not finite. The fraction is kept to the microsecond (what an `f64` of this
/// size holds); [`unix_text`] keeps it exactly when the digits are at hand.
pub fn unix_seconds(seconds: f64) -> Option<Timestamp> {
    if !seconds.is_finite() || !(0.0..253_402_300_800.0).contains(&seconds) {
        return None;
    }
    // In range (checked above), so the casts are exact for the whole part.
    #[allow(clippy::cast_possible_truncation)]
    let whole = seconds.trunc() as i64;
    #[allow(clippy::cast_possible_truncation)]
    let micros = ((seconds - seconds.trunc()) * 1e6).round() as i32;
    Timestamp::new(whole, micros.min(999_999) * 1_000).ok()
}

/// Unix milliseconds; `None` before 1970 or past the year 9999.
pub fn unix_millis(millis: i64) -> Option<Timestamp> {
    if !(0..253_402_300_800_000).contains(&millis) {
        return None;
    }
    Timestamp::from_millisecond(millis).ok()
}

/// Unix seconds written as decimal text (`1521233195`, `1521233195.375`, as JSON or a log
/// field holds them), the fraction kept exactly to the nanosecond; `None` for anything else.
pub fn unix_text(s: &str) -> Option<Timestamp> {
    let s = s.trim();
    let (whole, fraction) = s.split_once('.').unwrap_or((s, ""));
    let digits = |t: &str| t.bytes().all(|b| b.is_ascii_digit());
    if whole.is_empty() || whole.len() > 12 || !digits(whole) || !digits(fraction) {
        return None;
    }
    let seconds: i64 = whole.parse().ok()?;
    let mut nanos = 0i32;
    for (i, d) in fraction.bytes().take(9).enumerate() {
        nanos += i32::from(d - b'0') * 10i32.pow(8 - u32::try_from(i).ok()?);
    }
    if seconds >= 253_402_300_800 {
        return None;
    }
    Timestamp::new(seconds, nanos).ok()
}

/// A JSON number (or numeric string) of Unix seconds, read from its text so that a fraction
/// is exact. An integer from 10^11 up is milliseconds (10^11 seconds is the year 5138).
pub fn unix_json(v: &serde_json::Value) -> Option<Timestamp> {
    match v {
        serde_json::Value::Number(n) => match n.as_i64() {
            Some(ms) if ms >= 100_000_000_000 => unix_millis(ms),
            _ => unix_text(&n.to_string()).or_else(|| n.as_f64().and_then(unix_seconds)),
        },
        serde_json::Value::String(s) => unix_text(s),
        _ => None,
    }
}

/// The current year (UTC), for BSD syslog timestamps that carry none.
pub fn current_year() -> i32 {
    i32::from(Offset::UTC.to_datetime(Timestamp::now()).year())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> Option<String> {
        rfc5322(s).map(|t| t.to_string())
    }

    const Z: Option<&str> = Some("2026-11-10T00:15:00Z");

    #[test]
    fn rfc5322_modern_and_obsolete_forms() {
        for s in [
            "Tue, 10 Nov 2026 09:15:00 +0900",
            "10 Nov 2026 09:15:00 +0900",
            "Tue, 10 Nov 2026 09:15:00 +0900 (JST)",
            "Tue,  10  Nov  2026  09:15:00  +0900",
            "  Tue, 10 Nov 2026 09:15:00 +0900  ",
            "Tue, 10 Nov 26 09:15:00 +0900",
            "Mon, 09 Nov 2026 19:15:00 EST",
            "Mon, 09 Nov 2026 20:15:00 EDT",
            "Mon, 09 Nov 2026 18:15:00 CST",
            "Mon, 09 Nov 2026 19:15:00 CDT",
            "Mon, 09 Nov 2026 17:15:00 MST",
            "Mon, 09 Nov 2026 18:15:00 MDT",
            "Mon, 09 Nov 2026 16:15:00 PST",
            "Mon, 09 Nov 2026 17:15:00 PDT",
            "Tue, 10 Nov 2026 00:15:00 UT",
            "Tue, 10 Nov 2026 00:15:00 GMT",
            "Tue, 10 Nov 2026 00:15:00 Z",
            "Tue, 10 Nov 2026 00:15:00 -0000",
            // Military letters other than Z are "-0000" (RFC 5322 4.3).
            "Tue, 10 Nov 2026 00:15:00 A",
            // Wrong weekday: the date decides.
            "Fri, 10 Nov 2026 09:15:00 +0900",
            // Near-misses of real mail software.
            "Tuesday, 10 November 2026 09:15:00 +0900",
            "Tue, 10 Nov 2026 09:15:00 +09:00",
            "Tue, 10 Nov 2026 09:15:00 GMT+0900",
            "Tue, 10 Nov 2026 09:15:00 +0900 JST",
            "Tue Nov 10 09:15:00 2026 +0900",
            "Tue, 10 Nov 2026 9:15:00 +0900",
            "Tue, 10 Nov 2026 09:15:00.250 +0900",
            "Tue, 10 Nov 2026 00:15:00 UTC",
            "Tue, 10 (comment) Nov 2026 09:15:00 +0900",
            "2026-11-10T09:15:00+09:00",
            // Seen in real bounces: a zero-padded day, Outlook's 12-hour clock.
            "Tue, 010 Nov 2026 09:15:00 +0900",
            "Tuesday, November 10, 2026 9:15 AM +0900",
            "Monday, November 09, 2026 7:15 PM -0500",
            "Tuesday, November 10, 2026 12:15 AM",
            "'Tue, 10 Nov 2026 09:15:00 +0900'",
        ] {
            assert_eq!(t(s).as_deref(), Z, "{s}");
        }
        // No seconds.
        assert_eq!(
            t("Tue, 10 Nov 2026 09:15 +0900").as_deref(),
            Some("2026-11-10T00:15:00Z")
        );
        // Two- and three-digit years (RFC 5322 4.3).
        assert_eq!(
            t("Wed, 10 Nov 99 00:15:00 GMT").as_deref(),
            Some("1999-11-10T00:15:00Z")
        );
        assert_eq!(
            t("Sat, 10 Nov 126 00:15:00 GMT").as_deref(),
            Some("2026-11-10T00:15:00Z")
        );
        // An unknown zone name and no zone at all are "-0000": UTC.
        assert_eq!(
            t("Thu, 29 Apr 2013 23:45:41 JST").as_deref(),
            Some("2013-04-29T23:45:41Z")
        );
        assert_eq!(
            t("Thu Apr 29 23:45:41 2013").as_deref(),
            Some("2013-04-29T23:45:41Z")
        );
        assert_eq!(
            t("Thu, 29 Apr 2013 23:45:41 +0900 (JST)").as_deref(),
            Some("2013-04-29T14:45:41Z")
        );
    }

    #[test]
    fn leap_second_keeps_its_day_and_out_of_range_is_none() {
        assert_eq!(
            t("Sat, 31 Dec 2016 23:59:60 +0000").as_deref(),
            Some("2016-12-31T23:59:59Z")
        );
        for s in [
            "Sat, 31 Dec 2016 23:59:61 +0000",
            "Tue, 31 Nov 2026 09:15:00 +0900",
            "Tue, 30 Feb 2026 09:15:00 +0900",
            "Tue, 10 Nov 2026 24:15:00 +0900",
            "Tue, 10 Nov 2026 09:60:00 +0900",
            "Tue, 10 Nov 2026 09:15:00 +9999",
            "Tue, 10 Nov 2026 09:15:00 +0960",
            "Tue, 10 Foo 2026 09:15:00 +0900",
        ] {
            assert_eq!(t(s), None, "{s}");
        }
    }

    #[test]
    fn garbage_is_none() {
        for s in [
            "",
            "   ",
            "yesterday",
            "not a date at all, really",
            "Tue, 10 Nov",
            "10 Nov 2026",
            "09:15:00",
            "Tue, 10 Nov 2026 09:15:00 +0900 and more words",
            "Tue, 10 Nov 2026 09:15:00 +09xx",
            "1 2 3 4 5",
            "\u{fffd}\u{fffd}",
            "Tue, 10 Nov 20266 09:15:00 +0900",
            "Tuesday, November 10, 2026 13:15 PM",
            "Tue, 099 Nov 2026 09:15:00 +0900",
            // Ambiguous (day-month or month-day) or a local time of unknown zone written
            // with dashes: not read, rather than read wrong.
            "10-11-2026 09:15",
            "2026-11-10 09-15-00",
            "Tue, 10 Nov 2026 09:15:00 &#43;0000",
        ] {
            assert_eq!(t(s), None, "{s:?}");
        }
    }

    #[test]
    fn iso_forms() {
        let r = |s: &str| rfc3339(s).map(|t| t.to_string());
        for s in [
            "2026-11-10T00:15:00Z",
            "2026-11-10t00:15:00z",
            "2026-11-10T09:15:00+09:00",
            "2026-11-10T09:15:00+0900",
            "2026-11-10T09:15:00+09",
            "2026-11-10 09:15:00 +0900",
            "2026-11-10 00:15:00",
            "2026-11-10T00:15:00",
            "2026-11-10 00:15:00 UTC",
            "2026-11-09T19:15:00-05:00",
        ] {
            assert_eq!(r(s).as_deref(), Z, "{s}");
        }
        assert_eq!(
            r("2019-11-05T16:33:54.9070259Z").as_deref(),
            Some("2019-11-05T16:33:54.9070259Z")
        );
        for s in [
            "2026-11-10",
            "2026-13-10T00:15:00Z",
            "2026-11-10T25:00:00Z",
            "x",
        ] {
            assert_eq!(r(s), None, "{s}");
        }
    }

    #[test]
    fn log_prefixes() {
        assert_eq!(
            rfc3339_prefix("2026-11-27T02:37:06.205767+00:00 mta-lab postfix/smtp[1]: x"),
            Some("2026-11-27T02:37:06.205767+00:00")
        );
        let (at, used) = bsd_prefix("Feb  6 18:58:13 host x", 2016).expect("a stamp");
        assert_eq!(
            (at.map(|t| t.to_string()), used),
            (Some("2016-02-06T18:58:13Z".into()), 15)
        );
        // The shape of a stamp with an impossible value: the line is still split.
        assert_eq!(bsd_prefix("Feb 30 18:58:13 host x", 2016), Some((None, 15)));
        assert_eq!(bsd_prefix("Foo  6 18:58:13 host x", 2016), None);
        assert_eq!(bsd_prefix("Nov 99 02:37:06 host x", 2016), None);
        let (at, used) = exim_prefix("2026-11-27 02:37:08 1xW").expect("a stamp");
        assert_eq!(
            (at.map(|t| t.to_string()), used),
            (Some("2026-11-27T02:37:08Z".into()), 19)
        );
        let (at, used) = exim_prefix("2026-11-27 02:37:08.123 +0100 1xW").expect("a stamp");
        assert_eq!(
            (at.map(|t| t.to_string()), used),
            (Some("2026-11-27T01:37:08.123Z".into()), 29)
        );
        // Found by fuzzing: a multi-byte character where the seconds should be.
        assert_eq!(exim_prefix("2026-11-27 02:37:0\u{fffd}x"), None);
    }

    #[test]
    fn unix_times() {
        let s = |t: Option<Timestamp>| t.map(|t| t.to_string());
        assert_eq!(
            s(unix_seconds(1_513_299_569.0)).as_deref(),
            Some("2017-12-15T00:59:29Z")
        );
        assert_eq!(
            s(unix_seconds(0.0)).as_deref(),
            Some("1970-01-01T00:00:00Z")
        );
        assert_eq!(
            s(unix_seconds(1_521_233_195.375)).as_deref(),
            Some("2018-03-16T20:46:35.375Z")
        );
        assert_eq!(unix_seconds(-1.0), None);
        assert_eq!(unix_seconds(f64::NAN), None);
        assert_eq!(unix_seconds(1e300), None);
        assert_eq!(
            s(unix_text("1521233195.375")).as_deref(),
            Some("2018-03-16T20:46:35.375Z")
        );
        assert_eq!(
            s(unix_text("1460989507")).as_deref(),
            Some("2016-04-18T14:25:07Z")
        );
        assert_eq!(unix_text("-5"), None);
        assert_eq!(unix_text("1e9"), None);
        assert_eq!(unix_text("99999999999999"), None);
        assert_eq!(
            s(unix_millis(1_521_233_195_375)).as_deref(),
            Some("2018-03-16T20:46:35.375Z")
        );
        assert_eq!(unix_millis(-1), None);
        let json: serde_json::Value = serde_json::from_str(
            "[1521233195.375, 1460989507, \"1460989507\", true, 1521233195375]",
        )
        .expect("JSON");
        let got: Vec<_> = json
            .as_array()
            .expect("an array")
            .iter()
            .map(|v| s(unix_json(v)))
            .collect();
        assert_eq!(
            got,
            [
                Some("2018-03-16T20:46:35.375Z".to_string()),
                Some("2016-04-18T14:25:07Z".into()),
                Some("2016-04-18T14:25:07Z".into()),
                None,
                Some("2018-03-16T20:46:35.375Z".into()),
            ]
        );
    }

    #[test]
    fn the_same_instant_from_every_form() {
        let want = rfc5322("Tue, 10 Nov 2026 09:15:00 +0900");
        assert!(want.is_some());
        assert_eq!(rfc3339("2026-11-10T09:15:00+09:00"), want);
        assert_eq!(
            exim_prefix("2026-11-10 09:15:00 +0900 x").and_then(|p| p.0),
            want
        );
        assert_eq!(
            bsd_prefix("Nov 10 00:15:00 h p: x", 2026).and_then(|p| p.0),
            want
        );
        assert_eq!(unix_text("1794269700"), want);
    }
}
