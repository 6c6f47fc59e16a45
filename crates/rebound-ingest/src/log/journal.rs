//! The systemd journal's export as JSON (`journalctl -o json`, one entry a line), of an MTA's
//! unit: each entry is turned back into the line its MTA's reader knows, so every reader
//! reads the journal too.
//!
//! Fields used (systemd.journal-fields(7)): `MESSAGE` (a string, or an array of bytes when it
//! is not UTF-8), `__REALTIME_TIMESTAMP` (microseconds since the epoch, as a decimal string),
//! `SYSLOG_IDENTIFIER` (the syslog tag's program: `postfix/smtp`, `exim`, `smtpd`), `_HOSTNAME`,
//! and `SYSLOG_PID` or `_PID`. A syslog MTA's entry becomes `RFC3339 host program[pid]:
//! MESSAGE`; an Exim entry becomes a main log line (`YYYY-MM-DD hh:mm:ss MESSAGE`, unless the
//! message already starts with its own timestamp: Exim's `syslog_timestamp`).
//!
//! ```text
//! {"__REALTIME_TIMESTAMP":"1795747026205767","_HOSTNAME":"mta-lab","SYSLOG_IDENTIFIER":"postfix/smtp","SYSLOG_PID":"473","MESSAGE":"3279098C335: to=<…>, …, status=bounced (…)"}
//! ```

use super::LogFormat;
use jiff::Timestamp;
use jiff::tz::Offset;
use serde_json::Value;

/// Whether `line` is a journal export entry (a JSON object with `__REALTIME_TIMESTAMP` and
/// `MESSAGE`).
pub fn is_entry(line: &str) -> bool {
    let line = line.trim();
    line.starts_with('{')
        && line.contains("\"__REALTIME_TIMESTAMP\"")
        && line.contains("\"MESSAGE\"")
        && serde_json::from_str::<Value>(line).is_ok_and(|v| v.is_object())
}

/// The MTA log format most of the first entries of `text` are lines of.
pub fn format_of(text: &str) -> Option<LogFormat> {
    let entries: Vec<Value> = text
        .lines()
        .filter(|l| !l.trim().is_empty())
        .take(50)
        .filter_map(|l| serde_json::from_str(l).ok())
        .collect();
    [
        LogFormat::Exim,
        LogFormat::Postfix,
        LogFormat::OpenSmtpd,
        LogFormat::Sendmail,
    ]
    .into_iter()
    .map(|f| {
        let n = entries
            .iter()
            .filter(|e| line_of(e, f).is_ok_and(|l| l.is_some_and(|l| f.detect(&l))))
            .count();
        (f, n)
    })
    .filter(|&(_, n)| n > 0)
    .max_by_key(|&(_, n)| n)
    .map(|(f, _)| f)
}

/// The `format` line of one journal entry given as JSON text; `Ok(None)` for an entry of
/// another program; `Err` for an entry that is not JSON or has no message or time.
pub fn to_line(entry: &str, format: LogFormat) -> Result<Option<String>, &'static str> {
    let v: Value = serde_json::from_str(entry).map_err(|_| "journal: not a JSON entry")?;
    line_of(&v, format)
}

fn line_of(v: &Value, format: LogFormat) -> Result<Option<String>, &'static str> {
    let field = |k: &str| v.get(k).and_then(Value::as_str);
    let message = match v.get("MESSAGE") {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Array(bytes)) => {
            let bytes: Vec<u8> = bytes
                .iter()
                .filter_map(Value::as_u64)
                .filter_map(|b| u8::try_from(b).ok())
                .collect();
            String::from_utf8_lossy(&bytes).into_owned()
        }
        _ => return Err("journal: entry without MESSAGE"),
    };
    let micros: i64 = field("__REALTIME_TIMESTAMP")
        .and_then(|t| t.trim().parse().ok())
        .ok_or("journal: entry without __REALTIME_TIMESTAMP")?;
    let at = Timestamp::from_microsecond(micros).map_err(|_| "journal: time out of range")?;
    let program = field("SYSLOG_IDENTIFIER")
        .or_else(|| field("_COMM"))
        .unwrap_or("");
    // One line per entry: a message with line breaks keeps its first line.
    let message = message.lines().next().unwrap_or("");
    if format == LogFormat::Exim {
        if !program.starts_with("exim") {
            return Ok(None);
        }
        if crate::time::exim_prefix(message).is_some() {
            return Ok(Some(message.to_string()));
        }
        let civil = Offset::UTC.to_datetime(at);
        return Ok(Some(format!(
            "{} {message}",
            civil.strftime("%Y-%m-%d %H:%M:%S")
        )));
    }
    if program.is_empty() || program.contains(' ') {
        return Ok(None);
    }
    let host = field("_HOSTNAME").unwrap_or("localhost");
    let pid = field("SYSLOG_PID").or_else(|| field("_PID"));
    let tag = match pid {
        Some(pid) => format!("{program}[{pid}]"),
        None => program.to_string(),
    };
    let stamp = Offset::UTC
        .to_datetime(at)
        .strftime("%Y-%m-%dT%H:%M:%S%.6f+00:00");
    Ok(Some(format!("{stamp} {host} {tag}: {message}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_become_their_mta_lines() {
        let pf = r#"{"__REALTIME_TIMESTAMP":"1795747026205767","_HOSTNAME":"mta-lab","SYSLOG_IDENTIFIER":"postfix/qmgr","SYSLOG_PID":"385","MESSAGE":"3279098C335: removed"}"#;
        assert!(is_entry(pf));
        assert_eq!(
            to_line(pf, LogFormat::Postfix).unwrap().unwrap(),
            "2026-11-27T02:37:06.205767+00:00 mta-lab postfix/qmgr[385]: 3279098C335: removed"
        );
        let ex = r#"{"__REALTIME_TIMESTAMP":"1795747031000000","SYSLOG_IDENTIFIER":"exim","MESSAGE":[49,120,87,108,112,110,45,48,48,48,48,65,114,45,49,104,32,67,111,109,112,108,101,116,101,100]}"#;
        assert_eq!(
            to_line(ex, LogFormat::Exim).unwrap().unwrap(),
            "2026-11-27 02:37:11 1xWlpn-0000Ar-1h Completed"
        );
        assert_eq!(to_line(pf, LogFormat::Exim).unwrap(), None);
        assert!(to_line("{}", LogFormat::Postfix).is_err());
        assert!(!is_entry("2026-11-27 02:37:11 1xWlpn-0000Ar-1h Completed"));
    }
}
