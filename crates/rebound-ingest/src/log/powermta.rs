//! PowerMTA accounting files (CSV, RFC 4180, one record per line, the first column the
//! record type), as described in the PowerMTA User's Guide ("Accounting records"). The
//! header line names the columns; without one, the guide's default column order is assumed.
//!
//! ```text
//! type,timeLogged,orig,rcpt,dlvSourceIp,bounceCat
//! b,1178807915,orig@port25.com,user3@domain.com,,policy-related
//! ```
//!
//! `b` (bounce) and `rb` (remote bounce) records are failures, `t`/`tq` (transient) records
//! deferrals; `d`, `r`, `f` and others are no events. `dsnDiag` is the diagnostic, `dsnStatus`
//! the status, `dsnMta` the remote host; PowerMTA's `bounceCat` is kept as the provider class
//! and, when no status was logged, gives one ([`category_status`]).

use super::LineParser;
use crate::evidence::Record;
use crate::evidence::{Evidence, bare_address};
use crate::time::{exim_prefix, rfc3339, unix_text};
use rebound_core::{DsnAction, EnhancedStatus};

/// The guide's full column order, assumed when the file has no header line.
const DEFAULT_COLUMNS: &str = "type,timeLogged,timeQueued,orig,rcpt,orcpt,dsnAction,dsnStatus,dsnDiag,dsnMta,bounceCat,srcType,srcMta,dlvType,dlvSourceIp,dlvDestinationIp,dlvEsmtpAvailable,dlvSize,vmta,jobId,envId,queue,vmtaPool";

/// Whether `line` looks like a PowerMTA accounting line (header or record).
pub fn detect(line: &str) -> bool {
    line.starts_with("type,") && line.contains("rcpt")
        || ["b,", "d,", "t,", "tq,", "rb,"]
            .iter()
            .any(|p| line.starts_with(p))
            && line.matches(',').count() >= 3
            && line.contains('@')
}

/// The status PowerMTA's bounce category implies (User's Guide, "Bounce categories").
pub fn category_status(category: &str, transient: bool) -> Option<EnhancedStatus> {
    let (subject, detail) = match category {
        "bad-mailbox" => (1, 1),
        "bad-domain" => (1, 2),
        "invalid-sender" => (1, 7),
        "inactive-mailbox" => (2, 1),
        "quota-issues" => (2, 2),
        "no-answer-from-host" => (4, 1),
        "bad-connection" => (4, 2),
        "routing-errors" => (4, 4),
        "message-expired" => (4, 7),
        "protocol-errors" => (5, 0),
        "content-related" => (6, 0),
        "policy-related" | "spam-related" | "virus-related" | "relaying-issues" => (7, 1),
        "bad-configuration" | "other" => (0, 0),
        _ => return None,
    };
    EnhancedStatus::new(if transient { 4 } else { 5 }, subject, detail)
}

/// Splits one CSV line; `None` when a quoted field is not closed on the line.
fn split_csv(line: &str) -> Option<Vec<String>> {
    let mut fields = Vec::new();
    let mut field = String::new();
    let mut chars = line.chars().peekable();
    let mut quoted = false;
    while let Some(c) = chars.next() {
        match (c, quoted) {
            ('"', false) if field.is_empty() => quoted = true,
            ('"', true) if chars.peek() == Some(&'"') => {
                field.push('"');
                chars.next();
            }
            ('"', true) => quoted = false,
            (',', false) => fields.push(std::mem::take(&mut field)),
            (c, _) => field.push(c),
        }
    }
    if quoted {
        return None;
    }
    fields.push(field);
    Some(fields)
}

/// The PowerMTA accounting reader: remembers the header line.
#[derive(Debug, Default)]
pub struct Parser {
    columns: Vec<String>,
}

impl LineParser for Parser {
    fn line(
        &mut self,
        _number: u64,
        line: &str,
        out: &mut Vec<Evidence>,
    ) -> Result<(), &'static str> {
        let fields = split_csv(line).ok_or("powermta: unterminated quoted field")?;
        if fields.first().is_some_and(|t| t == "type") {
            self.columns = fields;
            return Ok(());
        }
        if self.columns.is_empty() {
            self.columns = DEFAULT_COLUMNS.split(',').map(str::to_string).collect();
        }
        if fields.len() > self.columns.len() {
            return Err("powermta: more fields than columns");
        }
        let get = |name: &str| {
            self.columns
                .iter()
                .position(|c| c == name)
                .and_then(|i| fields.get(i))
                .map(|s| s.trim())
                .filter(|s| !s.is_empty())
        };
        let kind = get("type").ok_or("powermta: no record type")?;
        let transient = match kind {
            "b" | "bounce" | "rb" | "remoteBounce" => false,
            "t" | "transient" | "tq" | "transientQueue" => true,
            _ => return Ok(()),
        };
        let recipient = get("rcpt")
            .and_then(bare_address)
            .ok_or("powermta: record without rcpt")?;
        let category = get("bounceCat");
        let status = get("dsnStatus")
            .and_then(|s| s.parse::<EnhancedStatus>().ok())
            .or_else(|| category.and_then(|c| category_status(c, transient)));
        let diagnostic = get("dsnDiag")
            .map(str::to_string)
            .or_else(|| category.map(|c| c.replace('-', " ")));
        let at = get("timeLogged").and_then(|t| {
            unix_text(t)
                .or_else(|| exim_prefix(t).and_then(|(at, _)| at))
                .or_else(|| rfc3339(t))
        });
        let class = status.map_or(if transient { 4 } else { 5 }, |s| s.class);
        let mut f = Evidence {
            record: Record {
                recipient: Some(recipient),
                action: Some(DsnAction::for_class(class)),
                status,
                diagnostic,
                remote_mta: get("dsnMta")
                    .map(|m| m.rsplit(';').next().unwrap_or(m).trim().to_string()),
                last_attempt: at,
                ..Record::default()
            },
            sender: get("orig").and_then(bare_address),
            class: category.map(str::to_string),
            index: 1,
            ..Evidence::default()
        };
        if let Some(job) = get("jobId") {
            f.tags.insert("job_id".into(), job.to_string());
        }
        out.push(f);
        Ok(())
    }
}
