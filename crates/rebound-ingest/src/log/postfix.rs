//! Postfix logs (via syslog). A bounce spreads over the lines of one queue id:
//!
//! ```text
//! … postfix/cleanup[472]: 3279098C335: message-id=<user-unknown.postfix.1795747026@lab.test>
//! … postfix/qmgr[385]: 3279098C335: from=<bounces+user-unknown@postfix.test>, size=602, nrcpt=1 (queue active)
//! … postfix/smtp[473]: 3279098C335: to=<user-unknown@remote.test>, relay=mx.remote.test[127.0.0.2]:25, delay=0, delays=0/0/0/0, dsn=5.1.1, status=bounced (host mx.remote.test[127.0.0.2] said: 550 5.1.1 … (in reply to RCPT TO command))
//! … postfix/qmgr[385]: 3279098C335: removed
//! ```
//!
//! Delivery agents (`smtp`, `lmtp`, `local`, `virtual`, `error`, `pipe`, …) write one
//! `to=… dsn=… status=bounced|deferred (…)` line per recipient and attempt; each becomes an
//! event (`dsn_action` failed or delayed). `qmgr` writes `status=expired, returned to sender`
//! without a recipient: every recipient still deferred gets a final `failed` event carrying
//! its last attempt's reply. Sender and Message-ID come from `qmgr` and `cleanup`; the
//! queue id is forgotten at `removed`. `status=sent` is a delivery ([`super::outcome`]).
//!
//! Postfix's own refusals are `smtpd` lines (`cleanup` for a milter's):
//!
//! ```text
//! … postfix/smtpd[480]: NOQUEUE: reject: RCPT from unknown[127.0.0.11]: 550 5.1.1 <nobody@postfix.test>: Recipient address rejected: User unknown in local recipient table; from=<a@client.test> to=<nobody@postfix.test> proto=ESMTP helo=<client.lab.test>
//! ```

use super::LineParser;
use super::fields::{comma_fields, word_and_text};
use super::outcome::{self, Refusal};
use super::queue::{Deferral, Queue};
use super::syslog::{self, SyslogLine};
use crate::evidence::Record;
use crate::evidence::{Evidence, bare_address};
use rebound_core::{DsnAction, EnhancedStatus};

/// Whether `line` is a Postfix syslog line.
pub fn detect(line: &str) -> bool {
    syslog::split(line, 2000).is_some_and(|l| is_postfix(l.program))
}

/// `postfix/smtp`, `postfix-out/qmgr`, …: a program whose name before the slash starts with
/// `postfix`.
fn is_postfix(program: &str) -> bool {
    program
        .split_once('/')
        .is_some_and(|(name, _)| name.starts_with("postfix"))
}

/// The Postfix line reader.
#[derive(Debug)]
pub struct Parser {
    year: i32,
    queue: Queue,
}

impl Parser {
    /// A reader for BSD timestamps of `year`, remembering at most `max_open` messages.
    pub fn new(year: i32, max_open: usize) -> Parser {
        Parser {
            year,
            queue: Queue::new(max_open),
        }
    }

    fn delivery(
        &mut self,
        l: &SyslogLine<'_>,
        id: &str,
        rest: &str,
        out: &mut Vec<Evidence>,
    ) -> Result<(), &'static str> {
        let mut to = None;
        let mut relay = None;
        let mut dsn = None;
        let mut status = None;
        for (key, value) in comma_fields(rest, "status") {
            match key {
                "to" => to = Some(value),
                "relay" => relay = Some(value),
                "dsn" => dsn = Some(value),
                "status" => status = Some(value),
                _ => {}
            }
        }
        let (Some(to), Some(status)) = (to, status) else {
            // `to=` lines without a status (e.g. `… to=<x>, orig_to=<y>: …` warnings).
            return Ok(());
        };
        let (word, text) = word_and_text(status);
        let action = match word {
            "bounced" => "failed",
            "deferred" => "delayed",
            "expired" => "failed",
            "sent" | "deliverable" | "undeliverable" => {
                // Delivered at last: no longer deferred; a send, not a bounce.
                let Some(rcpt) = bare_address(to) else {
                    return Ok(());
                };
                if let Some(p) = self.queue.get_mut(id) {
                    p.deferrals.retain(|d| d.recipient != rcpt);
                }
                // `deliverable`/`undeliverable` answer an address probe (`sendmail -bv`):
                // nothing was sent.
                // A message from the null sender is a bounce Postfix wrote: not a send.
                if word == "sent" {
                    let (sender, message_id) = match self.queue.get(id) {
                        Some(p) if p.sender.is_none() => return Ok(()),
                        Some(p) => (p.sender.clone(), p.message_id.clone()),
                        None => (None, None),
                    };
                    let mut f = outcome::delivery(rcpt, sender, message_id, l.at, id);
                    f.reporting_mta = Some(l.host.to_string());
                    out.push(f);
                }
                return Ok(());
            }
            _ => return Err("postfix: unknown delivery status"),
        };
        let recipient = bare_address(to).ok_or("postfix: empty recipient")?;
        let status = dsn.and_then(|d| d.parse::<EnhancedStatus>().ok());
        let remote_mta = relay.and_then(relay_host);
        let diagnostic = text.map(str::to_string);
        let pending = self.queue.entry(id);
        if action == "delayed" {
            pending.defer(Deferral {
                recipient: recipient.clone(),
                diagnostic: diagnostic.clone(),
                status,
                remote_mta: remote_mta.clone(),
            });
        } else {
            pending.deferrals.retain(|d| d.recipient != recipient);
        }
        let (sender, message_id) = (pending.sender.clone(), pending.message_id.clone());
        out.push(finding(
            Record {
                recipient: Some(recipient),
                action: DsnAction::from_field(action),
                status,
                diagnostic,
                remote_mta,
                last_attempt: l.at,
                ..Record::default()
            },
            id,
            sender,
            message_id,
            l.host,
        ));
        Ok(())
    }

    fn qmgr(&mut self, l: &SyslogLine<'_>, id: &str, rest: &str, out: &mut Vec<Evidence>) {
        if rest == "removed" {
            self.queue.remove(id);
            return;
        }
        let mut from = None;
        let mut expired = false;
        for (key, value) in comma_fields(rest, "status") {
            match key {
                "from" => from = Some(value),
                "status" => expired = value.starts_with("expired"),
                _ => {}
            }
        }
        let Some(from) = from else { return };
        let pending = self.queue.entry(id);
        pending.sender = bare_address(from);
        if !expired {
            return;
        }
        let (sender, message_id) = (pending.sender.clone(), pending.message_id.clone());
        let deferrals = std::mem::take(&mut pending.deferrals);
        let cut = std::mem::take(&mut pending.dropped_deferrals);
        let last_attempts: Vec<Option<Deferral>> = if deferrals.is_empty() {
            vec![None]
        } else {
            deferrals.into_iter().map(Some).collect()
        };
        for last in last_attempts {
            let mut f = finding(
                expiry_record(l, last),
                id,
                sender.clone(),
                message_id.clone(),
                l.host,
            );
            f.class = Some(super::EXPIRED.into());
            if cut {
                f.truncated.push(rebound_core::Truncation::Deferrals);
            }
            out.push(f);
        }
    }
}

/// An smtpd (or cleanup, for a milter) refusal, after `reject: `:
/// `RCPT from unknown[192.0.2.1]: 550 5.1.1 <a@b>: Recipient address rejected: …; from=<s@x>
/// to=<a@b> proto=ESMTP helo=<client>` (Postfix `smtpd_check.c`, `log_whatsup`). A refusal
/// that names no recipient (`CONNECT`, `HELO` without `to=`) is about no address: skipped.
fn refusal(l: &SyslogLine<'_>, rest: &str, out: &mut Vec<Evidence>) -> Result<(), &'static str> {
    let (stage, rest) = rest
        .split_once(" from ")
        .ok_or("postfix: reject line without `from`")?;
    let (client, rest) = rest
        .split_once(": ")
        .ok_or("postfix: reject line without a client")?;
    let (reply, fields) = match rest.rfind("; from=<") {
        Some(i) => (&rest[..i], &rest[i + 2..]),
        None => (rest, ""),
    };
    let field = |name: &str| {
        let start = fields.find(&format!("{name}=<"))? + name.len() + 1;
        let end = fields[start..].find('>')? + start + 1;
        Some(&fields[start..end])
    };
    let Some(recipient) = field("to").and_then(bare_address) else {
        return Ok(());
    };
    out.push(outcome::refusal(Refusal {
        recipient: Some(recipient),
        sender: field("from").and_then(bare_address),
        client: Some(client),
        stage: outcome::stage(stage),
        reply,
        temporary: false,
        at: l.at,
        host: Some(l.host),
    }));
    Ok(())
}

/// The final record of a recipient whose message expired, with its last attempt's evidence.
fn expiry_record(l: &SyslogLine<'_>, last: Option<Deferral>) -> Record {
    let (recipient, diagnostic, status, remote_mta) = match last {
        Some(d) => (Some(d.recipient), d.diagnostic, d.status, d.remote_mta),
        None => (None, None, None, None),
    };
    Record {
        recipient,
        action: Some(DsnAction::Failed),
        status,
        diagnostic,
        remote_mta,
        last_attempt: l.at,
        ..Record::default()
    }
}

fn finding(
    record: Record,
    id: &str,
    sender: Option<String>,
    message_id: Option<String>,
    host: &str,
) -> Evidence {
    let mut f = Evidence {
        record,
        sender,
        message_id,
        reporting_mta: Some(host.to_string()),
        index: 1,
        ..Evidence::default()
    };
    f.tags.insert("queue_id".into(), id.to_string());
    f
}

/// The host of `relay=mx.example.com[192.0.2.1]:25`; `None` for `none` and `local`.
fn relay_host(relay: &str) -> Option<String> {
    let host = relay.split('[').next().unwrap_or(relay);
    (!matches!(host, "" | "none" | "local" | "virtual")).then(|| host.to_string())
}

impl LineParser for Parser {
    fn line(
        &mut self,
        _number: u64,
        line: &str,
        out: &mut Vec<Evidence>,
    ) -> Result<(), &'static str> {
        let l = syslog::split(line, self.year).ok_or("not a syslog line")?;
        let Some((_, daemon)) = l.program.split_once('/').filter(|_| is_postfix(l.program)) else {
            return Ok(());
        };
        let Some((id, rest)) = syslog::queue_id(l.message) else {
            return Ok(());
        };
        if let Some(rest) = rest
            .strip_prefix("reject: ")
            .or_else(|| rest.strip_prefix("milter-reject: "))
        {
            return refusal(&l, rest, out);
        }
        match daemon {
            "qmgr" => self.qmgr(&l, id, rest, out),
            "cleanup" => {
                if let Some(mid) = rest.strip_prefix("message-id=") {
                    self.queue.entry(id).message_id = bare_address(mid);
                }
            }
            _ if rest.starts_with("to=") => return self.delivery(&l, id, rest, out),
            _ => {}
        }
        Ok(())
    }

    fn evicted(&self) -> u64 {
        self.queue.evicted
    }
}
