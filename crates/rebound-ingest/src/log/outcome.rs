//! The evidence of two outcomes every MTA log states besides its bounces, in one shape for
//! all formats:
//!
//! - an MTA's own refusal of an SMTP command ([`refusal`]): Postfix `NOQUEUE: reject: RCPT
//!   from …`, Exim `rejected RCPT <…>`, OpenSMTPD `smtp failed-command …`, Sendmail
//!   `ruleset=check_rcpt, … reject=…`. The event's `provider_class` is [`REFUSED`], its
//!   `client` tag the client the MTA refused (as the log names it), its `stage` tag and
//!   `command` the SMTP command refused;
//! - a delivery ([`delivery`]): Postfix `status=sent`, Exim `=>`, OpenSMTPD `result="Ok"`,
//!   DSN action `delivered`. Deliveries are sends, not bounces: [`super::LogReader`] yields
//!   them only when asked ([`super::LogOptions::deliveries`]), for the send counts.

use crate::evidence::{Evidence, Record};
use jiff::Timestamp;
use rebound_core::{DsnAction, SmtpCommand};

/// The class (`provider_class`) of an MTA's own refusal of an SMTP command.
pub const REFUSED: &str = "refused";

/// What one refusal line says.
#[derive(Debug, Default)]
pub struct Refusal<'a> {
    /// The refused recipient.
    pub recipient: Option<String>,
    /// The envelope sender, when logged.
    pub sender: Option<String>,
    /// The client refused, as the log names it (`unknown[192.0.2.1]`, `(helo) [192.0.2.1]`).
    pub client: Option<&'a str>,
    /// The SMTP command refused.
    pub stage: Option<SmtpCommand>,
    /// The reply (or, where the MTA logs no code, the reason it gave).
    pub reply: &'a str,
    /// Whether the MTA logged the refusal as temporary (`4xx`, Exim `temporarily rejected`).
    pub temporary: bool,
    /// When.
    pub at: Option<Timestamp>,
    /// The host that wrote the log.
    pub host: Option<&'a str>,
}

/// The evidence of an MTA's own refusal (`dsn_action` failed, or delayed when temporary).
pub fn refusal(r: Refusal<'_>) -> Evidence {
    let code_class = r
        .reply
        .trim_start()
        .as_bytes()
        .first()
        .copied()
        .filter(|b| matches!(b, b'4' | b'5'));
    let temporary = match code_class {
        Some(c) => c == b'4',
        None => r.temporary,
    };
    let mut f = Evidence {
        record: Record {
            recipient: r.recipient,
            action: Some(if temporary {
                DsnAction::Delayed
            } else {
                DsnAction::Failed
            }),
            diagnostic: Some(r.reply.trim().to_string()).filter(|d| !d.is_empty()),
            command: r.stage,
            last_attempt: r.at,
            ..Record::default()
        },
        class: Some(REFUSED.into()),
        sender: r.sender,
        reporting_mta: r.host.map(str::to_string),
        index: 1,
        ..Evidence::default()
    };
    if let Some(client) = r.client.map(str::trim).filter(|c| !c.is_empty()) {
        f.tags.insert("client".into(), client.to_string());
    }
    if let Some(stage) = r.stage {
        f.tags.insert("stage".into(), stage.as_str().to_string());
    }
    f
}

/// The SMTP command of a stage as logs name it: `RCPT`, `RCPT TO:<…>`, `MAIL FROM:<…>`,
/// `END-OF-MESSAGE`, `CONNECT`, `check_rcpt` (Sendmail's ruleset).
pub fn stage(name: &str) -> Option<SmtpCommand> {
    let word = name
        .trim()
        .split([' ', ':'])
        .next()
        .unwrap_or("")
        .to_ascii_uppercase();
    Some(match word.as_str() {
        "RCPT" | "CHECK_RCPT" => SmtpCommand::Rcpt,
        "MAIL" | "CHECK_MAIL" => SmtpCommand::Mail,
        "DATA" => SmtpCommand::Data,
        "END-OF-MESSAGE" | "EOM" => SmtpCommand::EndOfData,
        "CONNECT" | "CHECK_RELAY" => SmtpCommand::Connect,
        "HELO" | "EHLO" => SmtpCommand::Helo,
        "STARTTLS" => SmtpCommand::Starttls,
        "AUTH" => SmtpCommand::Auth,
        _ => return None,
    })
}

/// The evidence of a delivery to `recipient` (`dsn_action` delivered).
pub fn delivery(
    recipient: String,
    sender: Option<String>,
    message_id: Option<String>,
    at: Option<Timestamp>,
    queue_id: &str,
) -> Evidence {
    let mut f = Evidence {
        record: Record {
            recipient: Some(recipient),
            action: Some(DsnAction::Delivered),
            last_attempt: at,
            ..Record::default()
        },
        sender,
        message_id,
        index: 1,
        ..Evidence::default()
    };
    f.tags.insert("queue_id".into(), queue_id.to_string());
    f
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stages_as_logs_name_them() {
        assert_eq!(stage("RCPT"), Some(SmtpCommand::Rcpt));
        assert_eq!(stage("RCPT TO:<a@b>"), Some(SmtpCommand::Rcpt));
        assert_eq!(stage("check_rcpt"), Some(SmtpCommand::Rcpt));
        assert_eq!(stage("END-OF-MESSAGE"), Some(SmtpCommand::EndOfData));
        assert_eq!(stage("NOOP"), None);
    }

    #[test]
    fn a_code_decides_permanence_before_the_marker() {
        let f = refusal(Refusal {
            reply: "450 4.1.1 <a@b>: Recipient address rejected: try later",
            ..Refusal::default()
        });
        assert_eq!(f.record.action, Some(DsnAction::Delayed));
        let f = refusal(Refusal {
            reply: "Unrouteable address",
            temporary: true,
            ..Refusal::default()
        });
        assert_eq!(f.record.action, Some(DsnAction::Delayed));
        assert_eq!(f.class.as_deref(), Some(REFUSED));
    }
}
