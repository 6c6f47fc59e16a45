//! Sendmail logs (via syslog, programs `sendmail`, `sm-mta`, `sm-msp-queue`):
//!
//! ```text
//! Sep 14 11:59:31 ubuntu-server sm-mta[7423]: l8E3xVpO007423: from=<nobody@ubuntu-server>, size=344, class=0, nrcpts=1, msgid=<200709140359.l8E3xVHi007418@ubuntu-server>, proto=ESMTP, …
//! Sep 14 11:59:34 ubuntu-server sm-mta[7425]: l8E3xVpO007423: to=<myemail@whatever.com>, ctladdr=…, mailer=esmtp, pri=120344, relay=whatever.com. [74.200.79.210], dsn=5.1.1, stat=User unknown
//! ```
//!
//! A `to=` line with a failure `dsn=` (4.x.x or 5.x.x) gives one event per recipient it
//! lists; the `stat=` text (or a `reply=` field, when logged) is the diagnostic. Sender and
//! Message-ID come from the queue id's `from=` line. Sendmail logs no line that ends a queue
//! id, so the bound of the queue alone limits memory. A refusal of a recipient by Sendmail's
//! own `check_rcpt` ruleset is an event of class `refused` ([`super::outcome`]):
//!
//! ```text
//! Nov 27 02:37:11 mx sm-mta[9310]: 4ARAbB0u009310: ruleset=check_rcpt, arg1=<nobody@example.com>, relay=client.example.org [192.0.2.1], reject=550 5.7.1 <nobody@example.com>... Relaying denied
//! ```

use super::LineParser;
use super::fields::comma_fields;
use super::outcome::{self, Refusal};
use super::queue::Queue;
use super::syslog;
use crate::evidence::Record;
use crate::evidence::{Evidence, bare_address};
use rebound_core::{DsnAction, EnhancedStatus};

/// The program names Sendmail logs under.
fn is_sendmail(program: &str) -> bool {
    matches!(program, "sendmail" | "sm-mta" | "sm-msp-queue") || program.starts_with("sm-")
}

/// Whether `line` is a Sendmail syslog line.
pub fn detect(line: &str) -> bool {
    syslog::split(line, 2000).is_some_and(|l| is_sendmail(l.program))
}

/// The Sendmail line reader.
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
}

/// `ruleset=check_rcpt, arg1=<a@b>, relay=client.example [192.0.2.1], reject=550 5.1.1
/// <a@b>... User unknown`: Sendmail refused a recipient of an SMTP client itself.
fn check_rcpt(l: &syslog::SyslogLine<'_>, rest: &str, out: &mut Vec<Evidence>) {
    let (mut ruleset, mut arg1, mut relay, mut reject) = (None, None, None, None);
    for (key, value) in comma_fields(rest, "reject") {
        match key {
            "ruleset" => ruleset = Some(value),
            "arg1" => arg1 = Some(value),
            "relay" => relay = Some(value),
            "reject" => reject = Some(value),
            _ => {}
        }
    }
    let (Some("check_rcpt"), Some(reject)) = (ruleset, reject) else {
        return;
    };
    let Some(recipient) = arg1.and_then(bare_address) else {
        return;
    };
    out.push(outcome::refusal(Refusal {
        recipient: Some(recipient),
        sender: None,
        client: relay,
        stage: Some(rebound_core::SmtpCommand::Rcpt),
        reply: reject,
        temporary: false,
        at: l.at,
        host: Some(l.host),
    }));
}

impl LineParser for Parser {
    fn line(
        &mut self,
        _number: u64,
        line: &str,
        out: &mut Vec<Evidence>,
    ) -> Result<(), &'static str> {
        let l = syslog::split(line, self.year).ok_or("not a syslog line")?;
        if !is_sendmail(l.program) {
            return Ok(());
        }
        let Some((id, rest)) = syslog::queue_id(l.message) else {
            return Ok(());
        };
        if rest.starts_with("from=") {
            let mut p = (None, None);
            for (key, value) in comma_fields(rest, "relay") {
                match key {
                    "from" => p.0 = bare_address(value),
                    "msgid" => p.1 = bare_address(value),
                    _ => {}
                }
            }
            let pending = self.queue.entry(id);
            (pending.sender, pending.message_id) = p;
            return Ok(());
        }
        // `<id>: <dsn id>: DSN: …`: the queue id of the bounce Sendmail wrote (null sender).
        if let Some((dsn_id, what)) = syslog::queue_id(rest)
            && what.starts_with("DSN: ")
        {
            self.queue.entry(dsn_id).sender = None;
            return Ok(());
        }
        if rest.starts_with("ruleset=") {
            check_rcpt(&l, rest, out);
            return Ok(());
        }
        if !rest.starts_with("to=") {
            return Ok(());
        }
        let (mut to, mut dsn, mut stat, mut relay, mut reply) = (None, None, None, None, None);
        for (key, value) in comma_fields(rest, "stat") {
            match key {
                "to" => to = Some(value),
                "dsn" => dsn = value.parse::<EnhancedStatus>().ok(),
                "stat" => stat = Some(value.trim()),
                "relay" => relay = Some(value),
                "reply" => reply = Some(value),
                _ => {}
            }
        }
        let (Some(to), Some(stat)) = (to, stat) else {
            return Err("sendmail: to= line without stat=");
        };
        let class = match dsn {
            Some(s) => s.class,
            None if stat.starts_with("Deferred") => 4,
            None => return Ok(()),
        };
        if class == 2 {
            // `stat=Sent (…)`: a send, unless of a bounce Sendmail wrote (null sender).
            let known = self.queue.get(id);
            if stat.starts_with("Sent") && known.is_none_or(|p| p.sender.is_some()) {
                let (sender, message_id) = known
                    .map(|p| (p.sender.clone(), p.message_id.clone()))
                    .unwrap_or_default();
                for rcpt in to.split(',').filter_map(bare_address) {
                    let mut f =
                        outcome::delivery(rcpt, sender.clone(), message_id.clone(), l.at, id);
                    f.reporting_mta = Some(l.host.to_string());
                    out.push(f);
                }
            }
            return Ok(());
        }
        let remote_mta = relay
            .and_then(|r| r.split_whitespace().next())
            .map(|h| h.trim_matches(['[', ']']).trim_end_matches('.').to_string())
            .filter(|h| !h.is_empty());
        let (sender, message_id) = self
            .queue
            .get(id)
            .map(|p| (p.sender.clone(), p.message_id.clone()))
            .unwrap_or_default();
        let diagnostic = reply.unwrap_or(stat).to_string();
        for (i, rcpt) in to.split(',').filter_map(bare_address).enumerate() {
            let mut f = Evidence {
                record: Record {
                    recipient: Some(rcpt),
                    action: Some(DsnAction::for_class(class)),
                    status: dsn,
                    diagnostic: Some(diagnostic.clone()),
                    remote_mta: remote_mta.clone(),
                    last_attempt: l.at,
                    ..Record::default()
                },
                sender: sender.clone(),
                message_id: message_id.clone(),
                reporting_mta: Some(l.host.to_string()),
                index: u32::try_from(i + 1).unwrap_or(u32::MAX),
                ..Evidence::default()
            };
            f.tags.insert("queue_id".into(), id.to_string());
            out.push(f);
        }
        Ok(())
    }

    fn evicted(&self) -> u64 {
        self.queue.evicted
    }
}
