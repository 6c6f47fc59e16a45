//! Exim's main log (`log_file_path`, `mainlog`): one line per event, keyed by message id.
//!
//! ```text
//! 2026-11-27 02:37:08 1xWlpk-000091-0g <= bounces+user-unknown@exim.test H=… id=user-unknown.exim.1795747028@lab.test for user-unknown@remote.test
//! 2026-11-27 02:37:08 1xWlpk-000091-0g ** user-unknown@remote.test R=dnslookup T=remote_smtp H=mx.remote.test [127.0.0.2]:25: SMTP error from remote mail server after RCPT TO:<user-unknown@remote.test>: 550 5.1.1 …
//! 2026-11-27 02:37:09 1xWlpl-00009u-2j == greylist@remote.test R=dnslookup T=remote_smtp defer (-44) H=…: SMTP error from remote mail server after RCPT TO:<greylist@remote.test>: 450 4.7.1 …
//! 2026-11-27 02:38:16 1xWlpl-00009u-2j ** greylist@remote.test: retry timeout exceeded
//! 2026-11-27 02:37:08 1xWlpk-000091-0g Completed
//! ```
//!
//! `**` is a failure, `==` a deferral (`retry time not reached` lines repeat an earlier
//! deferral and are skipped). A failure that only says the retry time ran out gets the last
//! deferral's reply. Exim writes the lines of a multi-line reply joined by a literal `\n`.
//! The sender and Message-ID come from the `<=` line; the id is forgotten at `Completed`.
//! `=>` (and `->`) is a delivery ([`super::outcome`]). A line without a message id may be an
//! SMTP refusal of Exim's own:
//!
//! ```text
//! 2026-11-27 02:37:11 H=(client.lab.test) [127.0.0.11] F=<a@client.test> rejected RCPT <nobody@exim.test>: Unrouteable address
//! ```

use super::LineParser;
use super::outcome::{self, Refusal};
use super::queue::{Deferral, Queue};
use crate::evidence::Record;
use crate::evidence::{Evidence, bare_address};
use crate::time::exim_prefix;
use jiff::Timestamp;
use rebound_core::DsnAction;

/// Whether `line` is an Exim main log line.
pub fn detect(line: &str) -> bool {
    split(line).is_some()
}

/// A main log line: time, message id (if any) and the rest.
fn split(line: &str) -> Option<(Option<Timestamp>, Option<&str>, &str)> {
    let (at, used) = exim_prefix(line)?;
    let mut rest = line[used..].trim_start();
    // Optional `[pid]` (log_selector +pid).
    if rest.starts_with('[')
        && let Some(close) = rest.find("] ")
    {
        rest = &rest[close + 2..];
    }
    let (first, after) = rest.split_once(' ').unwrap_or((rest, ""));
    Some(if is_message_id(first) {
        (at, Some(first), after)
    } else {
        (at, None, rest)
    })
}

/// `1xWlpk-000091-0g` (Exim < 4.97) or `1rAbCd-00000000Xyz-0000` (4.97+).
fn is_message_id(s: &str) -> bool {
    let mut parts = s.split('-');
    let (Some(a), Some(b), Some(c), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return false;
    };
    a.len() == 6
        && (6..=11).contains(&b.len())
        && (2..=4).contains(&c.len())
        && s.bytes().all(|x| x.is_ascii_alphanumeric() || x == b'-')
}

/// The Exim main log reader.
#[derive(Debug)]
pub struct Parser {
    queue: Queue,
}

impl Parser {
    /// A reader remembering at most `max_open` messages.
    pub fn new(max_open: usize) -> Parser {
        Parser {
            queue: Queue::new(max_open),
        }
    }

    fn failure(
        &mut self,
        at: Option<Timestamp>,
        id: &str,
        rest: &str,
        deferred: bool,
        out: &mut Vec<Evidence>,
    ) -> Result<(), &'static str> {
        // `rcpt [<orig>] [R=… T=… [defer (n)] H=host [ip]:port]: text` or `rcpt: text`.
        let (head, text) = match rest.find(": ") {
            Some(i) => (&rest[..i], rest[i + 2..].trim()),
            None => (rest, ""),
        };
        let recipient = head
            .split_whitespace()
            .next()
            .and_then(bare_address)
            .ok_or("exim: no recipient")?;
        if deferred && text.to_ascii_lowercase().contains("retry time not") {
            return Ok(());
        }
        let remote_mta = head
            .split_whitespace()
            .find_map(|w| w.strip_prefix("H="))
            .map(str::to_string);
        let diagnostic = (!text.is_empty()).then(|| text.replace("\\n", "\n"));
        let pending = self.queue.entry(id);
        let (sender, message_id) = (pending.sender.clone(), pending.message_id.clone());
        let mut record = Record {
            recipient: Some(recipient.clone()),
            action: Some(DsnAction::for_class(if deferred { 4 } else { 5 })),
            diagnostic,
            remote_mta,
            last_attempt: at,
            ..Record::default()
        };
        let mut class = None;
        let mut cut = false;
        if deferred {
            pending.defer(Deferral {
                recipient,
                diagnostic: record.diagnostic.clone(),
                status: None,
                remote_mta: record.remote_mta.clone(),
            });
        } else if text.eq_ignore_ascii_case("retry timeout exceeded") {
            // The final failure after deferrals: the last attempt tells why.
            if let Some(d) = pending.deferrals.iter().find(|d| d.recipient == recipient) {
                record.diagnostic = d.diagnostic.clone();
                record.remote_mta = d.remote_mta.clone();
            } else {
                cut = pending.dropped_deferrals;
            }
            class = Some(super::EXPIRED.to_string());
            pending.deferrals.retain(|d| d.recipient != recipient);
        }
        let mut f = Evidence {
            record,
            class,
            sender,
            message_id,
            index: 1,
            ..Evidence::default()
        };
        if cut {
            f.truncated.push(rebound_core::Truncation::Deferrals);
        }
        f.tags.insert("queue_id".into(), id.to_string());
        out.push(f);
        Ok(())
    }

    /// `=> rcpt [<original>] R=… T=…` (and `->`, another address of the same delivery): a
    /// send. The deliveries of a message from the null sender (a bounce Exim wrote) are not.
    fn delivery(&mut self, at: Option<Timestamp>, id: &str, rest: &str, out: &mut Vec<Evidence>) {
        let mut words = rest.split_whitespace();
        let first = words.next().unwrap_or("");
        let original = words
            .next()
            .filter(|w| w.starts_with('<') && w.ends_with('>'));
        let Some(recipient) = original.or(Some(first)).and_then(bare_address) else {
            return;
        };
        let (sender, message_id) = match self.queue.get_mut(id) {
            Some(p) if p.sender.is_none() => return,
            Some(p) => (p.sender.clone(), p.message_id.clone()),
            None => (None, None),
        };
        out.push(outcome::delivery(recipient, sender, message_id, at, id));
    }

    fn arrival(&mut self, id: &str, rest: &str) {
        let sender = rest.split_whitespace().next().and_then(bare_address);
        let message_id = rest
            .split_whitespace()
            .find_map(|w| w.strip_prefix("id="))
            .and_then(bare_address);
        let p = self.queue.entry(id);
        p.sender = sender;
        p.message_id = message_id;
    }
}

/// A refusal Exim logged for an SMTP client (`acl.c`, `smtp_in.c`): `H=(helo) [ip] F=<sender>
/// [temporarily ]rejected RCPT <rcpt>: reason`. Exim logs the reason, not the reply code; the
/// marker says whether the refusal was temporary.
fn refusal(at: Option<Timestamp>, rest: &str, out: &mut Vec<Evidence>) {
    let Some((head, tail)) = rest.split_once(" rejected RCPT ") else {
        return;
    };
    let (head, temporary) = match head.strip_suffix(" temporarily") {
        Some(h) => (h, true),
        None => (head, false),
    };
    let client = head.find("H=").map(|i| &head[i + 2..]).map(|h| {
        // Up to the next field: `U=` (ident), `I=` (+incoming_interface), `F=<` (sender).
        [" F=<", " U=", " I=", " P="]
            .iter()
            .filter_map(|f| h.find(f))
            .min()
            .map_or(h, |end| &h[..end])
    });
    let sender = head
        .split_once("F=<")
        .and_then(|(_, s)| s.split_once('>'))
        .and_then(|(s, _)| bare_address(s));
    let (rcpt, reason) = tail.split_once(": ").unwrap_or((tail, ""));
    let Some(recipient) = bare_address(rcpt) else {
        return;
    };
    out.push(outcome::refusal(Refusal {
        recipient: Some(recipient),
        sender,
        client,
        stage: Some(rebound_core::SmtpCommand::Rcpt),
        reply: &reason.replace("\\n", "\n"),
        temporary,
        at,
        host: None,
    }));
}

impl LineParser for Parser {
    fn line(
        &mut self,
        _number: u64,
        line: &str,
        out: &mut Vec<Evidence>,
    ) -> Result<(), &'static str> {
        let (at, id, rest) = split(line).ok_or("not an Exim main log line")?;
        let Some(id) = id else {
            refusal(at, rest, out);
            return Ok(());
        };
        if rest == "Completed" {
            self.queue.remove(id);
            return Ok(());
        }
        let (flag, after) = rest.split_once(' ').unwrap_or((rest, ""));
        match flag {
            "<=" => self.arrival(id, after),
            "**" => return self.failure(at, id, after, false, out),
            "==" => return self.failure(at, id, after, true, out),
            "=>" | "->" => self.delivery(at, id, after, out),
            _ => {}
        }
        Ok(())
    }

    fn evicted(&self) -> u64 {
        self.queue.evicted
    }
}
