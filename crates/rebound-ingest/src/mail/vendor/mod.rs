//! Non-standard bounce formats, one module per producer family, each with the same shape:
//! `detect(&Input) -> bool` (is it mine?) and `parse(&Input) -> Option<Bounce>`. They run
//! before the generic DSN reader because some producers send a DSN whose fields are worse
//! than their own text. Shared scanning lives in [`super::text`].

pub mod activehunter;
pub mod amazonses;
pub mod au;
pub mod biglobe;
pub mod exim;
pub mod ezweb;
pub mod fml;
pub mod googlegroups;
pub mod notes;
pub mod qmail;
pub mod trendmicro;

use super::{Bounce, Input, header, report};
use rebound_core::SourceKind;

/// One vendor reader.
pub struct Reader {
    /// Is the message this producer's?
    pub detect: fn(&Input<'_>) -> bool,
    /// Reads it.
    pub parse: fn(&Input<'_>) -> Option<Bounce>,
}

/// The vendor readers, most specific first.
pub const READERS: &[Reader] = &[
    Reader {
        detect: amazonses::detect,
        parse: amazonses::parse,
    },
    Reader {
        detect: googlegroups::detect,
        parse: googlegroups::parse,
    },
    Reader {
        detect: fml::detect,
        parse: fml::parse,
    },
    Reader {
        detect: exim::detect,
        parse: exim::parse,
    },
    Reader {
        detect: notes::detect,
        parse: notes::parse,
    },
    Reader {
        detect: trendmicro::detect,
        parse: trendmicro::parse,
    },
    Reader {
        detect: activehunter::detect,
        parse: activehunter::parse,
    },
    Reader {
        detect: biglobe::detect,
        parse: biglobe::parse,
    },
    Reader {
        detect: qmail::detect,
        parse: qmail::parse,
    },
    Reader {
        detect: ezweb::detect,
        parse: ezweb::parse,
    },
    Reader {
        detect: au::detect,
        parse: au::parse,
    },
];

/// The addresses of a comma-separated list (`X-Failed-Recipients`).
pub fn split_addresses(list: &str) -> Vec<String> {
    list.split(',').filter_map(header::address).collect()
}

/// The first vendor reader that detects the message and reads records from it.
pub fn parse(input: &Input<'_>) -> Option<Bounce> {
    READERS
        .iter()
        .filter(|r| (r.detect)(input))
        .find_map(|r| (r.parse)(input).filter(|b| !b.records.is_empty()))
}

/// Merges the fields of the message's RFC 3464 part, if any, into records read from a
/// vendor's text: matched by address, else by position when both list as many recipients
/// and either the report names no address there (a pipe or file destination) or
/// `trust_text` says the text's address is the one to keep (Domino writes the address it
/// was asked for in its text and the rewritten one in the report). The report's order is
/// kept; the text's words stay the diagnostic unless it has none.
pub fn merge_report(input: &Input<'_>, bounce: &mut Bounce, trust_text: bool) {
    let Some(dsn) = report::find_report(input) else {
        return;
    };
    bounce.kind = SourceKind::Dsn;
    bounce.reporting_mta = dsn.message.reporting_mta.clone();
    bounce.sender = dsn.message.sender.clone();
    let same_count = dsn.recipients.len() == bounce.records.len();
    let mut texts = std::mem::take(&mut bounce.records);
    let mut merged = Vec::with_capacity(texts.len());
    for fields in dsn.recipients {
        let named = fields.final_recipient.as_deref().unwrap_or("");
        let at = texts
            .iter()
            .position(|r| {
                r.recipient
                    .as_deref()
                    .is_some_and(|a| a.eq_ignore_ascii_case(named))
            })
            .or_else(|| {
                (same_count && (trust_text || !exim::is_address(named)) && !texts.is_empty())
                    .then_some(0)
            });
        let Some(at) = at else { continue };
        let mut record = texts.remove(at);
        record.status = fields.status.or(record.status);
        record.action = fields.action.or(record.action.take());
        record.remote_mta = fields.remote_mta.or(record.remote_mta.take());
        record.last_attempt = fields.last_attempt;
        if record.diagnostic.is_none() {
            record.diagnostic = fields.diagnostic;
        }
        merged.push(record);
    }
    merged.append(&mut texts);
    bounce.records = merged;
}

#[cfg(test)]
mod tests {
    use crate::mail::{Options, read};

    /// Reads a hand-written message; returns (reader, recipient, diagnostic) per record.
    fn read_all(raw: &str) -> (String, Vec<(String, String)>) {
        let b = read(raw.as_bytes(), &Options::default()).unwrap_or_else(|e| panic!("{e}"));
        let rows = b
            .records
            .iter()
            .map(|r| {
                (
                    r.recipient.clone().unwrap_or_default(),
                    r.diagnostic.clone().unwrap_or_default(),
                )
            })
            .collect();
        (b.reader.to_string(), rows)
    }

    #[test]
    fn notes_japanese_cause() {
        let (reader, rows) = read_all(
            "From: postmaster@example.jp\nSubject: Undeliverable message\n\
             Content-Type: text/plain; charset=ISO-2022-JP\n\n\
             ------- Failure Reasons  --------\n\n\
             \u{1b}$B%G%#%l%/%H%j$N%j%9%H$K$\"$j$^$;$s\u{1b}(B\nuser@example.jp\n\n\
             ------- Returned Message --------\nTo: user@example.jp\n",
        );
        assert_eq!(reader, "notes");
        assert_eq!(rows[0].0, "user@example.jp");
        assert!(
            rows[0]
                .1
                .starts_with("User not listed in public Name & Address Book")
        );
    }

    #[test]
    fn ezweb_transcript() {
        let (reader, rows) = read_all(
            "From: Postmaster@ezweb.ne.jp\nSubject: Mail System Error - Returned Mail\n\n\
             Each of the following recipients was rejected by a remote\nmail server.\n\n\
             \x20   Recipient: <a@ezweb.ne.jp>\n    >>> RCPT TO:<a@ezweb.ne.jp>\n\
             \x20   <<< 550 <a@ezweb.ne.jp>: User unknown\n",
        );
        assert_eq!(reader, "ezweb");
        assert_eq!(
            rows,
            [(
                "a@ezweb.ne.jp".into(),
                "550 <a@ezweb.ne.jp>: User unknown".into()
            )]
        );
    }

    #[test]
    fn qmail_remote_host() {
        let raw = "From: MAILER-DAEMON@example.org\nSubject: failure notice\n\n\
                   Hi. This is the qmail-send program at example.org.\n\
                   I'm afraid I wasn't able to deliver your message to the following addresses.\n\n\
                   <b@example.net>:\n192.0.2.1 does not like recipient.\n\
                   Remote host said: 550 5.1.1 <b@example.net>... User Unknown\n\n\
                   --- Below this line is a copy of the message.\n";
        let b = read(raw.as_bytes(), &Options::default()).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(b.reader, rebound_core::Reader::Qmail);
        assert_eq!(b.records[0].recipient.as_deref(), Some("b@example.net"));
        assert_eq!(b.records[0].remote_mta.as_deref(), Some("192.0.2.1"));
    }
}
