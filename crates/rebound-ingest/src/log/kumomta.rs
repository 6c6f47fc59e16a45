//! KumoMTA JSON log records, one object per line (`kumo.configure_local_logs`, log hooks and
//! webhooks), as documented in KumoMTA's reference `log_record.md`:
//!
//! ```text
//! {"type":"Bounce","id":"…","sender":"…","recipient":"…","site":"…","response":{"code":550,"enhanced_code":{"class":5,"subject":1,"detail":1},"content":"…","command":"RCPT TO\r\n"},"peer_address":{"name":"…","addr":"…"},"timestamp":1678069691,"bounce_classification":"InvalidRecipient",…}
//! ```
//!
//! `Bounce`, `AdminBounce`, `OOB` and `Expiration` records are failures, `TransientFailure`
//! a deferral; other types (Reception, Delivery, Feedback, …) are no events. The response is
//! put back into its one-line form `CODE C.S.D content` for the classifier, and KumoMTA's own
//! `bounce_classification` is kept as the provider class.

use super::LineParser;
use crate::evidence::Record;
use crate::evidence::{Evidence, bare_address};
use crate::time::unix_json;
use rebound_core::{DsnAction, EnhancedStatus, SmtpCommand};
use serde_json::Value;

/// Whether `line` looks like a KumoMTA log record.
pub fn detect(line: &str) -> bool {
    let l = line.trim_start();
    l.starts_with('{')
        && l.contains("\"type\"")
        && (l.contains("\"queue\"") || l.contains("\"site\"") || l.contains("\"response\""))
}

/// The KumoMTA record reader (stateless: each record stands alone).
#[derive(Debug, Default)]
pub struct Parser;

fn text<'a>(v: &'a Value, key: &str) -> Option<&'a str> {
    v.get(key).and_then(Value::as_str).filter(|s| !s.is_empty())
}

/// The SMTP command named by KumoMTA's `response.command` (`RCPT TO`, `MAIL FROM`, `.`).
fn command(raw: &str) -> Option<SmtpCommand> {
    let word = raw.trim().split([' ', ':']).next().unwrap_or("");
    match word.to_ascii_uppercase().as_str() {
        "RCPT" => Some(SmtpCommand::Rcpt),
        "MAIL" => Some(SmtpCommand::Mail),
        "DATA" => Some(SmtpCommand::Data),
        "." => Some(SmtpCommand::EndOfData),
        "EHLO" | "HELO" | "LHLO" => Some(SmtpCommand::Helo),
        "STARTTLS" => Some(SmtpCommand::Starttls),
        "AUTH" => Some(SmtpCommand::Auth),
        _ => None,
    }
}

/// The response in its one-line form, and its enhanced status.
fn response(r: &Value) -> (Option<String>, Option<EnhancedStatus>) {
    let code = r
        .get("code")
        .and_then(Value::as_u64)
        .filter(|c| (200..600).contains(c));
    let status = r.get("enhanced_code").and_then(|e| {
        let part = |k| e.get(k).and_then(Value::as_u64);
        EnhancedStatus::new(
            u8::try_from(part("class")?).ok()?,
            u16::try_from(part("subject")?).ok()?,
            u16::try_from(part("detail")?).ok()?,
        )
    });
    let content = text(r, "content").unwrap_or("");
    let mut line = String::with_capacity(content.len() + 16);
    if let Some(c) = code {
        line.push_str(&c.to_string());
        line.push(' ');
    }
    if let Some(s) = status {
        line.push_str(&s.to_string());
        line.push(' ');
    }
    line.push_str(content);
    let line = line.trim().to_string();
    ((!line.is_empty()).then_some(line), status)
}

impl LineParser for Parser {
    fn line(
        &mut self,
        _number: u64,
        line: &str,
        out: &mut Vec<Evidence>,
    ) -> Result<(), &'static str> {
        let v: Value = serde_json::from_str(line).map_err(|_| "kumomta: not a JSON object")?;
        let kind = v
            .get("type")
            .and_then(Value::as_str)
            .ok_or("kumomta: no record type")?;
        let action = match kind {
            "Bounce" | "AdminBounce" | "OOB" | "Expiration" => "failed",
            "TransientFailure" => "delayed",
            _ => return Ok(()),
        };
        let r = v.get("response").unwrap_or(&Value::Null);
        let (diagnostic, status) = response(r);
        let remote_mta = v
            .get("peer_address")
            .and_then(|p| text(p, "name"))
            .map(|n| n.trim_end_matches('.').to_string());
        let message_id = v.get("headers").and_then(Value::as_object).and_then(|h| {
            h.iter()
                .find(|(k, _)| k.eq_ignore_ascii_case("message-id"))
                .and_then(|(_, m)| m.as_str())
                .and_then(bare_address)
        });
        let mut f = Evidence {
            record: Record {
                recipient: text(&v, "recipient").and_then(bare_address),
                action: DsnAction::from_field(action),
                status,
                diagnostic,
                command: text(r, "command").and_then(command),
                remote_mta,
                last_attempt: v.get("timestamp").and_then(unix_json),
                ..Record::default()
            },
            sender: text(&v, "sender").and_then(bare_address),
            message_id,
            class: text(&v, "bounce_classification").map(str::to_string),
            index: 1,
            ..Evidence::default()
        };
        if f.record.recipient.is_none() {
            return Err("kumomta: record without recipient");
        }
        f.tags.insert("record_type".into(), kind.to_string());
        if let Some(id) = text(&v, "id") {
            f.tags.insert("queue_id".into(), id.to_string());
        }
        out.push(f);
        Ok(())
    }
}
