//! CSV exchange: suppressions out and in (`rebound suppressions export --csv` / `import
//! --csv`) and forward hints out (`rebound hints export --csv`, a file a CRM can import).
//! Times are RFC 3339 UTC. The first row is a header; import needs an `address` column, and
//! reads `rule`, `reason`, `event_id`, `classifier_rule` and `source` when present.

use crate::address;
use crate::error::Result;
use crate::model::{Hint, Suppression};
use crate::time;
use std::io::{Read, Write};

/// The suppression columns, in export order.
pub const SUPPRESSION_COLUMNS: [&str; 7] = [
    "address",
    "rule",
    "reason",
    "event_id",
    "classifier_rule",
    "source",
    "created_at",
];

/// The hint columns, in export order.
pub const HINT_COLUMNS: [&str; 10] = [
    "id",
    "old_address",
    "new_address",
    "kind",
    "status",
    "will_forward",
    "seen",
    "event_id",
    "created_at",
    "decided_at",
];

/// Writes suppressions as CSV.
pub fn write_suppressions(out: impl Write, rows: &[Suppression]) -> Result<()> {
    let mut w = csv::Writer::from_writer(out);
    w.write_record(SUPPRESSION_COLUMNS)?;
    for s in rows {
        w.write_record([
            s.address.as_str(),
            &s.rule,
            s.reason.as_deref().unwrap_or(""),
            s.event_id.as_deref().unwrap_or(""),
            s.classifier_rule.as_deref().unwrap_or(""),
            s.source.as_deref().unwrap_or(""),
            &time::format_rfc3339(s.created_at),
        ])?;
    }
    w.flush().map_err(csv::Error::from)?;
    Ok(())
}

/// Writes hints as CSV.
pub fn write_hints(out: impl Write, rows: &[Hint]) -> Result<()> {
    let mut w = csv::Writer::from_writer(out);
    w.write_record(HINT_COLUMNS)?;
    for h in rows {
        w.write_record([
            h.id.to_string().as_str(),
            &h.old_address,
            &h.new_address,
            h.kind.as_str(),
            h.status.as_str(),
            if h.will_forward { "true" } else { "false" },
            &h.seen.to_string(),
            &h.event_id,
            &time::format_rfc3339(h.created_at),
            &h.decided_at.map(time::format_rfc3339).unwrap_or_default(),
        ])?;
    }
    w.flush().map_err(csv::Error::from)?;
    Ok(())
}

/// The result of reading a suppression CSV: the usable rows and, for each unusable one, its
/// line number and why.
#[derive(Debug, Default)]
pub struct ImportedSuppressions {
    /// Rows to add.
    pub rows: Vec<Suppression>,
    /// `(line, problem)` of rows that were skipped.
    pub skipped: Vec<(u64, String)>,
}

/// Reads suppressions from CSV (see the module documentation); `now` dates rows that carry no
/// valid `created_at`.
pub fn read_suppressions(input: impl Read, now: i64) -> Result<ImportedSuppressions> {
    let mut r = csv::ReaderBuilder::new()
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(input);
    let headers = r.headers()?.clone();
    let col = |name: &str| headers.iter().position(|h| h.eq_ignore_ascii_case(name));
    let Some(addr_col) = col("address") else {
        return Err(crate::StoreError::Invalid(
            "CSV has no `address` column in its header row".into(),
        ));
    };
    let cols = [
        col("rule"),
        col("reason"),
        col("event_id"),
        col("classifier_rule"),
        col("source"),
        col("created_at"),
    ];
    let mut out = ImportedSuppressions::default();
    for record in r.records() {
        let record = match record {
            Ok(rec) => rec,
            Err(e) => {
                let line = e.position().map_or(0, csv::Position::line);
                out.skipped.push((line, e.to_string()));
                continue;
            }
        };
        let line = record.position().map_or(0, csv::Position::line);
        let field = |i: Option<usize>| {
            i.and_then(|i| record.get(i))
                .filter(|v| !v.is_empty())
                .map(str::to_string)
        };
        let raw = record.get(addr_col).unwrap_or("");
        let Some(address) = address::normalize(raw) else {
            out.skipped.push((line, format!("not an address: `{raw}`")));
            continue;
        };
        out.rows.push(Suppression {
            address,
            rule: field(cols[0]).unwrap_or_else(|| "import".into()),
            reason: field(cols[1]),
            event_id: field(cols[2]),
            classifier_rule: field(cols[3]),
            source: field(cols[4]),
            created_at: field(cols[5])
                .as_deref()
                .and_then(time::parse_datetime)
                .unwrap_or(now),
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suppressions_round_trip_and_bad_rows_are_named() {
        let rows = vec![Suppression {
            address: "a@example.com".into(),
            rule: "hard:userunknown".into(),
            reason: Some("userunknown".into()),
            event_id: Some("00".repeat(16)),
            classifier_rule: Some("status.5.1.1".into()),
            source: Some("fair, 2024".into()),
            created_at: 1_714_564_800,
        }];
        let mut buf = Vec::new();
        write_suppressions(&mut buf, &rows).unwrap();
        let mut text = String::from_utf8(buf).unwrap();
        text.push_str("not-an-address,manual,,,,,\n");
        let back = read_suppressions(text.as_bytes(), 0).unwrap();
        assert_eq!(back.rows, rows);
        assert_eq!(back.skipped.len(), 1);
        assert_eq!(back.skipped[0].0, 3);
    }
}
