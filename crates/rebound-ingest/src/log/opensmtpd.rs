//! OpenSMTPD logs (via syslog, program `smtpd`): each delivery attempt is one line that
//! names the envelope, sender, recipient, result and the server's reply:
//!
//! ```text
//! … smtpd[420]: 983b332f10296bf5 mta delivery evpid=9fca999a00284a55 from=<bounces+user-unknown@opensmtpd.test> to=<user-unknown@remote.test> rcpt=<-> source="127.0.0.2" relay="127.0.0.2 (mx.remote.test)" delay=1s result="PermFail" stat="550 5.1.1 …"
//! … smtpd[421]: relay: Expire for e3404295b4da4cb7: from=<bounces+greylist@opensmtpd.test>, to=<greylist@remote.test>, rcpt=<->, delay=1m, stat=Envelope expired
//! ```
//!
//! `PermFail` is a failure, `TempFail` a deferral (remembered per envelope id); `Expire for`
//! is the final failure of an envelope, with its last deferral's reply. OpenSMTPD 6.8 flattens
//! multi-line replies oddly (continuation lines lose their code); the reply parser copes.
//! `result="Ok"` is a delivery ([`super::outcome`]). OpenSMTPD's own refusals of a client
//! name the session, whose client the `smtp connected` line gave:
//!
//! ```text
//! … smtpd[420]: 6f2c1a0b9d8e7f60 smtp connected address=127.0.0.11 host=client.lab.test
//! … smtpd[420]: 6f2c1a0b9d8e7f60 smtp failed-command command="RCPT TO:<nobody@opensmtpd.test>" result="550 Invalid recipient: <nobody@opensmtpd.test>"
//! ```

use super::LineParser;
use super::fields::comma_fields;
use super::outcome::{self, Refusal};
use super::queue::{Deferral, Queue};
use super::syslog;
use crate::evidence::Record;
use crate::evidence::{Evidence, bare_address};
use jiff::Timestamp;
use rebound_core::DsnAction;

/// Whether `line` is an OpenSMTPD syslog line.
pub fn detect(line: &str) -> bool {
    syslog::split(line, 2000).is_some_and(|l| {
        l.program == "smtpd"
            && (l.message.contains(" evpid=")
                || l.message.contains(" smtp connected ")
                || l.message.contains(" mta "))
    })
}

/// `key=value` pairs separated by spaces; values may be double-quoted.
fn space_fields(s: &str) -> impl Iterator<Item = (&str, &str)> {
    let mut rest = s;
    std::iter::from_fn(move || {
        loop {
            rest = rest.trim_start();
            if rest.is_empty() {
                return None;
            }
            let word_end = rest.find([' ', '=']).unwrap_or(rest.len());
            if rest.as_bytes().get(word_end) != Some(&b'=') {
                rest = &rest[word_end..];
                continue;
            }
            let key = &rest[..word_end];
            let v = &rest[word_end + 1..];
            let (value, next) = match v.strip_prefix('"') {
                Some(q) => match q.find('"') {
                    // The last field (`stat`) may hold quotes: it runs to the line's end.
                    Some(_) if key == "stat" => (q.strip_suffix('"').unwrap_or(q), ""),
                    Some(close) => (&q[..close], &q[close + 1..]),
                    None => (q, ""),
                },
                None if key == "stat" => (v, ""),
                None => {
                    let end = v.find(' ').unwrap_or(v.len());
                    (&v[..end], &v[end..])
                }
            };
            rest = next;
            return Some((key, value));
        }
    })
}

/// The OpenSMTPD line reader.
#[derive(Debug)]
pub struct Parser {
    year: i32,
    queue: Queue,
    /// The client of each open SMTP session (`smtp connected address=… host=…`), oldest first,
    /// at most [`MAX_SESSIONS`].
    sessions: std::collections::VecDeque<(String, String)>,
}

/// How many SMTP sessions' clients are remembered for their refusals.
const MAX_SESSIONS: usize = 4096;

impl Parser {
    /// A reader for BSD timestamps of `year`, remembering at most `max_open` envelopes.
    pub fn new(year: i32, max_open: usize) -> Parser {
        Parser {
            year,
            queue: Queue::new(max_open),
            sessions: std::collections::VecDeque::new(),
        }
    }

    fn delivery(
        &mut self,
        at: Option<Timestamp>,
        host: &str,
        fields: &str,
        out: &mut Vec<Evidence>,
    ) -> Result<(), &'static str> {
        let (mut evpid, mut from, mut to, mut relay, mut result, mut stat) =
            (None, None, None, None, None, None);
        for (key, value) in space_fields(fields) {
            match key {
                "evpid" => evpid = Some(value),
                "from" => from = Some(value),
                "to" => to = Some(value),
                "relay" => relay = Some(value),
                "result" => result = Some(value),
                "stat" => stat = Some(value),
                _ => {}
            }
        }
        let (Some(evpid), Some(result)) = (evpid, result) else {
            return Err("opensmtpd: delivery line without evpid or result");
        };
        let action = match result {
            "PermFail" => "failed",
            "TempFail" => "delayed",
            "Ok" => {
                self.queue.remove(evpid);
                // A send, unless from the null sender (a bounce OpenSMTPD wrote).
                let sender = from.and_then(bare_address);
                if let (Some(rcpt), Some(_)) = (to.and_then(bare_address), &sender) {
                    let mut f = outcome::delivery(rcpt, sender, None, at, evpid);
                    f.reporting_mta = Some(host.to_string());
                    out.push(f);
                }
                return Ok(());
            }
            _ => return Err("opensmtpd: unknown delivery result"),
        };
        let recipient = to.and_then(bare_address).ok_or("opensmtpd: no recipient")?;
        // relay="127.0.0.2 (mx.remote.test)" or relay="badmx.test"
        let remote_mta = relay.map(|r| match (r.find('('), r.rfind(')')) {
            (Some(a), Some(b)) if a < b => r[a + 1..b].to_string(),
            _ => r.to_string(),
        });
        let diagnostic = stat.map(str::to_string);
        let sender = from.and_then(bare_address);
        if action == "delayed" {
            let p = self.queue.entry(evpid);
            p.sender.clone_from(&sender);
            p.defer(Deferral {
                recipient: recipient.clone(),
                diagnostic: diagnostic.clone(),
                status: None,
                remote_mta: remote_mta.clone(),
            });
        } else {
            self.queue.remove(evpid);
        }
        out.push(finding(
            Record {
                recipient: Some(recipient),
                action: DsnAction::from_field(action),
                diagnostic,
                remote_mta,
                last_attempt: at,
                ..Record::default()
            },
            evpid,
            sender,
            host,
        ));
        Ok(())
    }

    fn expire(
        &mut self,
        at: Option<Timestamp>,
        host: &str,
        rest: &str,
        out: &mut Vec<Evidence>,
    ) -> Result<(), &'static str> {
        let (evpid, fields) = rest.split_once(": ").ok_or("opensmtpd: bad Expire line")?;
        let (mut from, mut to) = (None, None);
        for (key, value) in comma_fields(fields, "stat") {
            match key {
                "from" => from = bare_address(value),
                "to" => to = bare_address(value),
                _ => {}
            }
        }
        let recipient = to.ok_or("opensmtpd: Expire line without to=")?;
        let last = self
            .queue
            .remove(evpid)
            .and_then(|p| p.deferrals.into_iter().find(|d| d.recipient == recipient));
        let mut record = Record {
            recipient: Some(recipient),
            action: Some(DsnAction::Failed),
            last_attempt: at,
            ..Record::default()
        };
        match last {
            Some(d) => {
                record.diagnostic = d.diagnostic;
                record.remote_mta = d.remote_mta;
            }
            None => record.diagnostic = Some("Envelope expired".into()),
        }
        let mut f = finding(record, evpid, from, host);
        f.class = Some(super::EXPIRED.into());
        out.push(f);
        Ok(())
    }
}

impl Parser {
    /// `smtp connected address=127.0.0.11 host=client.lab.test`: the session's client.
    fn connected(&mut self, session: &str, fields: &str) {
        let (mut address, mut host) = (None, None);
        for (key, value) in space_fields(fields) {
            match key {
                "address" => address = Some(value),
                "host" => host = Some(value),
                _ => {}
            }
        }
        let client = match (host, address) {
            (Some(h), Some(a)) => format!("{h} [{a}]"),
            (None, Some(a)) => format!("[{a}]"),
            (Some(h), None) => h.to_string(),
            (None, None) => return,
        };
        if self.sessions.len() >= MAX_SESSIONS {
            self.sessions.pop_front();
        }
        self.sessions.push_back((session.to_string(), client));
    }

    /// `smtp failed-command command="RCPT TO:<a@b>" result="550 Invalid recipient: <a@b>"`
    /// (OpenSMTPD `smtp_session.c`): a refusal of OpenSMTPD's own. Only a refused `RCPT TO`
    /// names an address.
    fn failed_command(
        &mut self,
        l: &syslog::SyslogLine<'_>,
        session: &str,
        fields: &str,
        out: &mut Vec<Evidence>,
    ) {
        let (mut command, mut result) = (None, None);
        for (key, value) in space_fields(fields) {
            match key {
                "command" => command = Some(value),
                "result" => result = Some(value),
                _ => {}
            }
        }
        let (Some(command), Some(result)) = (command, result) else {
            return;
        };
        let stage = outcome::stage(command);
        if stage != Some(rebound_core::SmtpCommand::Rcpt) {
            return;
        }
        let recipient = command
            .split_once(':')
            .map(|(_, a)| a.split_whitespace().next().unwrap_or(a))
            .and_then(bare_address);
        if recipient.is_none() {
            return;
        }
        let client = self
            .sessions
            .iter()
            .find(|(s, _)| s == session)
            .map(|(_, c)| c.as_str());
        out.push(outcome::refusal(Refusal {
            recipient,
            sender: None,
            client,
            stage,
            reply: result,
            temporary: false,
            at: l.at,
            host: Some(l.host),
        }));
    }
}

fn finding(record: Record, evpid: &str, sender: Option<String>, host: &str) -> Evidence {
    let mut f = Evidence {
        record,
        sender,
        reporting_mta: Some(host.to_string()),
        index: 1,
        ..Evidence::default()
    };
    f.tags.insert("queue_id".into(), evpid.to_string());
    f
}

impl LineParser for Parser {
    fn line(
        &mut self,
        _number: u64,
        line: &str,
        out: &mut Vec<Evidence>,
    ) -> Result<(), &'static str> {
        let l = syslog::split(line, self.year).ok_or("not a syslog line")?;
        if l.program != "smtpd" {
            return Ok(());
        }
        if let Some(rest) = l.message.strip_prefix("relay: Expire for ") {
            return self.expire(l.at, l.host, rest, out);
        }
        // `<session> mta delivery …` or `<session> mda delivery …`
        let mut words = l.message.splitn(4, ' ');
        let (session, kind, verb, fields) =
            (words.next(), words.next(), words.next(), words.next());
        if matches!(kind, Some("mta" | "mda")) && verb == Some("delivery") {
            return self.delivery(l.at, l.host, fields.unwrap_or(""), out);
        }
        if kind == Some("smtp") {
            let session = session.unwrap_or("");
            match verb {
                Some("connected") => self.connected(session, fields.unwrap_or("")),
                Some("disconnected") => self.sessions.retain(|(s, _)| s != session),
                Some("failed-command") => {
                    self.failed_command(&l, session, fields.unwrap_or(""), out);
                }
                _ => {}
            }
        }
        Ok(())
    }

    fn evicted(&self) -> u64 {
        self.queue.evicted
    }
}
