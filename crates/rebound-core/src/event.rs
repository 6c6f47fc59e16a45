//! [`BounceEvent`]: one recipient's outcome, normalized from whatever input reported it (a DSN
//! email, a log line, a webhook), with the reply and its classification. Its JSON form is a
//! stable contract: fields are only ever added.
//!
//! That form is serde's (`Serialize`), and also [`BounceEvent::write_json`]: the same bytes
//! written directly, for `rebound parse --json`, where serde's generic path (flattened fields
//! go through a map serializer, every string through a byte-at-a-time escaper) cost more than
//! reading the bounce. A test keeps the two identical.

use crate::classify::Classification;
use crate::facts::{DsnAction, Reader, SourceKind, Truncation};
use crate::forward::ForwardHint;
use crate::reply::Reply;
use crate::status::{DECIMAL_CAPACITY, TEXT_CAPACITY, write_decimal};
use jiff::Timestamp;
use serde::{Deserialize, Deserializer, Serialize};
use std::collections::BTreeMap;

/// One recipient's bounce (or delivery, delay, auto-reply, complaint), normalized.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BounceEvent {
    /// Where the event was read.
    pub source: Source,
    /// The recipient address the event is about (lower-cased domain; local part as given).
    pub recipient: Option<String>,
    /// The original sender (envelope from, or the returned message's From).
    pub sender: Option<String>,
    /// When it happened: the bounce's own instant (`Last-Attempt-Date`, `Arrival-Date`, the
    /// log or webhook timestamp, or the bounce's `Date`), `None` when the input has no date
    /// that could be read (never the time it was read). Written as RFC 3339 UTC with `Z`,
    /// whole seconds unless the source had a fraction (`2026-11-10T00:15:00Z`); read back
    /// from RFC 3339 with any offset, or an RFC 5322 date as older versions wrote.
    #[serde(default, deserialize_with = "deserialize_at")]
    pub at: Option<Timestamp>,
    /// What the server said.
    #[serde(flatten)]
    pub reply: Reply,
    /// The verdict.
    #[serde(flatten)]
    pub classification: Classification,
    /// The DSN `Action` field (RFC 3464 2.3.3: failed, delayed, delivered, relayed, expanded)
    /// or its equivalent.
    pub dsn_action: Option<DsnAction>,
    /// The Message-ID of the message that bounced.
    pub message_id: Option<String>,
    /// The host that refused or failed (`Remote-MTA`, `host … said`).
    pub remote_mta: Option<String>,
    /// The host that wrote the report (`Reporting-MTA`).
    pub reporting_mta: Option<String>,
    /// ARF feedback type (RFC 5965 3.1: abuse, fraud, …) of a complaint; written as `null`
    /// when absent (older versions left it out, and it still reads back without it).
    #[serde(default)]
    pub feedback_type: Option<String>,
    /// The provider's own class of a webhook event (e.g. SES `Permanent/NoEmail`) or an MTA
    /// log's verdict; `null` when absent.
    #[serde(default)]
    pub provider_class: Option<String>,
    /// The limits that dropped evidence while this event's input was read, in a fixed order
    /// (see [`Truncation`]); empty when nothing was cut. Always written.
    #[serde(default)]
    pub truncated: Vec<Truncation>,
    /// Headers of the returned message a user asked to keep (e.g. `X-Lead-Source`), by
    /// lower-cased name, plus any tags the input carried: the reader's own (`queue_id`,
    /// `provider`) as strings, and an email service's metadata (`meta.<key>`, `labels`,
    /// `campaign`, …) with the JSON type the service gave it (docs/tags.md).
    #[serde(default)]
    pub tags: BTreeMap<String, TagValue>,
}

/// The value of a tag: a JSON value, so that an email service's metadata keeps its type
/// (`{"user_id": 111}` stays a number, a list of tags stays a list). Tags a reader makes
/// itself, and headers, are strings. [`tag_text`] gives the text a report groups by.
pub type TagValue = serde_json::Value;

/// The text of a tag value, as a lead source or a report group: a string as it is, a number
/// or boolean as JSON writes it, a list of one string or number as that element, `None` for
/// `null` or an empty list, and any other list or object as its compact JSON text.
pub fn tag_text(value: &TagValue) -> Option<String> {
    use serde_json::Value;
    match value {
        Value::Null => None,
        Value::String(s) => Some(s.clone()),
        Value::Number(_) | Value::Bool(_) => Some(value.to_string()),
        Value::Array(items) => match items.as_slice() {
            [] => None,
            [one @ (Value::String(_) | Value::Number(_) | Value::Bool(_))] => tag_text(one),
            _ => Some(value.to_string()),
        },
        Value::Object(_) => Some(value.to_string()),
    }
}

/// Where an event was read: the file, the message within it and the recipient within that.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Source {
    /// The file path as given (`-` for standard input).
    pub path: Option<String>,
    /// 1-based number of the message (or log record) within the file.
    pub message: Option<u64>,
    /// 1-based number of the recipient within that message.
    pub index: Option<u32>,
    /// The kind of input: `dsn`, `arf`, `autoreply`, `mail` (non-standard bounce text),
    /// `log`, `webhook`, `reply`.
    pub kind: Option<SourceKind>,
    /// The reader that recognised its format (`dsn`, `exim`, `qmail`, `text` for the generic
    /// reader of bounce prose, `postfix` for a Postfix log, `ses` for an SES webhook, …);
    /// `null` when absent.
    #[serde(default)]
    pub reader: Option<Reader>,
}

impl BounceEvent {
    /// Appends the event's JSON object to `out`: byte for byte what `serde_json::to_writer`
    /// writes for it (same keys in the same order, `null` for an absent value, no field
    /// omitted, and the same string escapes), without a trailing newline.
    pub fn write_json(&self, out: &mut Vec<u8>) {
        // Taken apart field by field, here and below, so that a field added to any of these
        // structs fails to compile until it is written here too.
        let BounceEvent {
            source,
            recipient,
            sender,
            at,
            reply,
            classification,
            dsn_action,
            message_id,
            remote_mta,
            reporting_mta,
            feedback_type,
            provider_class,
            truncated,
            tags,
        } = self;
        let Source {
            path,
            message,
            index,
            kind,
            reader,
        } = source;
        out.extend_from_slice(b"{\"source\":{\"path\":");
        write_opt_str(out, path.as_deref());
        out.extend_from_slice(b",\"message\":");
        write_opt_number(out, *message);
        out.extend_from_slice(b",\"index\":");
        write_opt_number(out, index.map(u64::from));
        out.extend_from_slice(b",\"kind\":");
        write_opt_str(out, kind.map(SourceKind::as_str));
        out.extend_from_slice(b",\"reader\":");
        match reader {
            Some(reader) => write_name(out, reader.as_str()),
            None => out.extend_from_slice(b"null"),
        }
        out.extend_from_slice(b"},\"recipient\":");
        write_opt_str(out, recipient.as_deref());
        out.extend_from_slice(b",\"sender\":");
        write_opt_str(out, sender.as_deref());
        out.extend_from_slice(b",\"at\":");
        match at {
            Some(at) => write_timestamp(out, *at),
            None => out.extend_from_slice(b"null"),
        }
        write_reply_fields(out, reply);
        write_classification_fields(out, classification);
        out.extend_from_slice(b",\"dsn_action\":");
        write_opt_str(out, dsn_action.map(DsnAction::as_str));
        out.extend_from_slice(b",\"message_id\":");
        write_opt_str(out, message_id.as_deref());
        out.extend_from_slice(b",\"remote_mta\":");
        write_opt_str(out, remote_mta.as_deref());
        out.extend_from_slice(b",\"reporting_mta\":");
        write_opt_str(out, reporting_mta.as_deref());
        out.extend_from_slice(b",\"feedback_type\":");
        write_opt_str(out, feedback_type.as_deref());
        out.extend_from_slice(b",\"provider_class\":");
        write_opt_str(out, provider_class.as_deref());
        out.extend_from_slice(b",\"truncated\":[");
        for (i, t) in truncated.iter().enumerate() {
            if i > 0 {
                out.push(b',');
            }
            write_name(out, t.as_str());
        }
        out.push(b']');
        out.extend_from_slice(b",\"tags\":{");
        for (i, (name, value)) in tags.iter().enumerate() {
            if i > 0 {
                out.push(b',');
            }
            write_str(out, name);
            out.push(b':');
            write_tag_value(out, value);
        }
        out.extend_from_slice(b"}}");
    }
}

/// Writes a tag value as serde_json writes it: a string through [`write_str`] (the same
/// escapes), anything else through serde_json itself (tags of other types are few and small).
fn write_tag_value(out: &mut Vec<u8>, value: &TagValue) {
    match value {
        TagValue::String(s) => write_str(out, s),
        other => {
            // Writing a `Value` to a Vec cannot fail (its keys are strings); were it to, the
            // value would be written as null rather than leave the JSON broken.
            let mark = out.len();
            if serde_json::to_writer(&mut *out, other).is_err() {
                out.truncate(mark);
                out.extend_from_slice(b"null");
            }
        }
    }
}

/// Reads `at`: RFC 3339 (any offset; what [`BounceEvent`] writes), or, for JSON written
/// before the time was a type, an RFC 5322 date (`Thu, 29 Apr 2013 23:45:41 +0900 (JST)`).
fn deserialize_at<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Timestamp>, D::Error> {
    let Some(text) = Option::<String>::deserialize(d)? else {
        return Ok(None);
    };
    let text = text.trim();
    text.parse::<Timestamp>()
        .or_else(|e| {
            jiff::fmt::rfc2822::DateTimeParser::new()
                .relaxed_weekday(true)
                .parse_timestamp(text)
                .map_err(|_| e)
        })
        .map(Some)
        .map_err(|e| serde::de::Error::custom(format_args!("`at` {text:?}: {e}")))
}

/// Writes a time as serde writes it (jiff's `Display`: RFC 3339 UTC, `Z`, a fraction only
/// when there is one), quoted; the text needs no escapes.
fn write_timestamp(out: &mut Vec<u8>, at: Timestamp) {
    use std::io::Write;
    out.push(b'"');
    // Writing to a Vec cannot fail; a formatting error (none for a valid Timestamp) would
    // leave the string shorter, never invalid JSON.
    let _ = write!(out, "{at}");
    out.push(b'"');
}

/// The fields of a [`Reply`], flattened into the event (each preceded by a comma).
fn write_reply_fields(out: &mut Vec<u8>, reply: &Reply) {
    let Reply {
        code,
        status,
        text,
        command,
        forward,
        remote_host,
    } = reply;
    out.extend_from_slice(b",\"code\":");
    write_opt_number(out, code.map(u64::from));
    out.extend_from_slice(b",\"status\":");
    match status {
        Some(status) => write_str(out, status.write_text(&mut [0; TEXT_CAPACITY])),
        None => out.extend_from_slice(b"null"),
    }
    out.extend_from_slice(b",\"text\":");
    write_str(out, text);
    out.extend_from_slice(b",\"command\":");
    match command {
        Some(command) => write_name(out, command.as_str()),
        None => out.extend_from_slice(b"null"),
    }
    out.extend_from_slice(b",\"forward\":");
    match forward {
        Some(forward) => write_forward(out, forward),
        None => out.extend_from_slice(b"null"),
    }
    out.extend_from_slice(b",\"remote_host\":");
    write_opt_str(out, remote_host.as_deref());
}

fn write_forward(out: &mut Vec<u8>, forward: &ForwardHint) {
    let ForwardHint {
        address,
        will_forward,
        same_domain,
    } = forward;
    out.extend_from_slice(b"{\"address\":");
    write_str(out, address);
    out.extend_from_slice(b",\"will_forward\":");
    write_bool(out, *will_forward);
    out.extend_from_slice(b",\"same_domain\":");
    match same_domain {
        Some(same_domain) => write_bool(out, *same_domain),
        None => out.extend_from_slice(b"null"),
    }
    out.push(b'}');
}

/// The fields of a [`Classification`], flattened into the event (each preceded by a comma).
fn write_classification_fields(out: &mut Vec<u8>, c: &Classification) {
    let Classification {
        permanent,
        bounce_type,
        reason,
        category,
        severity,
        action,
        rule,
    } = c;
    out.extend_from_slice(b",\"permanent\":");
    match permanent {
        Some(permanent) => write_bool(out, *permanent),
        None => out.extend_from_slice(b"null"),
    }
    out.extend_from_slice(b",\"bounce_type\":");
    write_name(out, bounce_type.as_str());
    out.extend_from_slice(b",\"reason\":");
    write_name(out, reason.as_str());
    out.extend_from_slice(b",\"category\":");
    write_name(out, category.as_str());
    out.extend_from_slice(b",\"severity\":");
    write_name(out, severity.as_str());
    out.extend_from_slice(b",\"action\":");
    write_name(out, action.as_str());
    out.extend_from_slice(b",\"rule\":");
    write_str(out, rule);
}

fn write_bool(out: &mut Vec<u8>, value: bool) {
    out.extend_from_slice(if value { b"true" } else { b"false" });
}

fn write_opt_number(out: &mut Vec<u8>, value: Option<u64>) {
    match value {
        Some(n) => out.extend_from_slice(write_decimal(&mut [0; DECIMAL_CAPACITY], n).as_bytes()),
        None => out.extend_from_slice(b"null"),
    }
}

fn write_opt_str(out: &mut Vec<u8>, value: Option<&str>) {
    match value {
        Some(s) => write_str(out, s),
        None => out.extend_from_slice(b"null"),
    }
}

/// Writes a wire name (of a taxonomy value or an SMTP command) as a JSON string. The names
/// are lower-case words and hyphens (a test checks every one), so there is nothing to escape
/// and no need to look: a fifth of an event's strings are these.
fn write_name(out: &mut Vec<u8>, name: &'static str) {
    out.reserve(name.len() + 2);
    out.push(b'"');
    out.extend_from_slice(name.as_bytes());
    out.push(b'"');
}

/// Writes `s` as a JSON string, escaped as serde_json escapes it: `\"`, `\\`, the short
/// escapes `\b \t \n \f \r`, `\u00XX` (lower-case hex) for the other control characters,
/// and every other byte (DEL, non-ASCII, U+2028) as it is. Runs of plain bytes are copied
/// whole.
fn write_str(out: &mut Vec<u8>, s: &str) {
    let bytes = s.as_bytes();
    out.reserve(bytes.len() + 2);
    out.push(b'"');
    let mut copied = 0;
    while let Some(at) = next_to_escape(bytes, copied) {
        out.extend_from_slice(&bytes[copied..at]);
        let byte = bytes[at];
        match byte {
            b'"' => out.extend_from_slice(b"\\\""),
            b'\\' => out.extend_from_slice(b"\\\\"),
            0x08 => out.extend_from_slice(b"\\b"),
            b'\t' => out.extend_from_slice(b"\\t"),
            b'\n' => out.extend_from_slice(b"\\n"),
            0x0c => out.extend_from_slice(b"\\f"),
            b'\r' => out.extend_from_slice(b"\\r"),
            _ => {
                const HEX: &[u8; 16] = b"0123456789abcdef";
                out.extend_from_slice(b"\\u00");
                out.push(HEX[usize::from(byte >> 4)]);
                out.push(HEX[usize::from(byte & 0xf)]);
            }
        }
        copied = at + 1;
    }
    out.extend_from_slice(&bytes[copied..]);
    out.push(b'"');
}

/// The position of the first byte at or after `from` that a JSON string must escape (a
/// control character, `"` or `\`). Replies are long runs of plain text, so eight bytes are
/// tested at once, with the word-wide "has a byte below n" test; only a word that has one is
/// looked at byte by byte.
fn next_to_escape(bytes: &[u8], from: usize) -> Option<usize> {
    const ONES: u64 = u64::from_ne_bytes([1; 8]);
    const HIGH: u64 = ONES << 7;
    /// The high bit of some byte set when a byte of `word` is below `n` (the test is exact
    /// for n ≤ 128 about whether there is one, which is all that is asked).
    fn below(word: u64, n: u8) -> u64 {
        word.wrapping_sub(ONES * u64::from(n)) & !word & HIGH
    }
    let rest = &bytes[from..];
    let mut plain = 0;
    for chunk in rest.chunks_exact(8) {
        let Ok(chunk) = <[u8; 8]>::try_from(chunk) else {
            break;
        };
        let word = u64::from_ne_bytes(chunk);
        let special = below(word, 0x20)
            | below(word ^ (ONES * u64::from(b'"')), 1)
            | below(word ^ (ONES * u64::from(b'\\')), 1);
        if special != 0 {
            break;
        }
        plain += 8;
    }
    rest[plain..]
        .iter()
        .position(|&b| b < 0x20 || b == b'"' || b == b'\\')
        .map(|at| from + plain + at)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::status::EnhancedStatus;
    use crate::taxonomy::{Action, BounceType, Category, Reason, Severity};
    use crate::{Classifier, SmtpCommand};
    use std::sync::Arc;

    fn direct(event: &BounceEvent) -> String {
        let mut out = Vec::new();
        event.write_json(&mut out);
        String::from_utf8(out).expect("the writer writes UTF-8")
    }

    fn bare() -> BounceEvent {
        BounceEvent {
            source: Source::default(),
            recipient: None,
            sender: None,
            at: None,
            reply: Reply::default(),
            classification: Classification {
                permanent: None,
                bounce_type: BounceType::Undetermined,
                reason: Reason::Undefined,
                category: Category::System,
                severity: Severity::Medium,
                action: Action::Review,
                rule: Arc::from("none"),
            },
            dsn_action: None,
            message_id: None,
            remote_mta: None,
            reporting_mta: None,
            feedback_type: None,
            provider_class: None,
            truncated: Vec::new(),
            tags: BTreeMap::new(),
        }
    }

    /// Every byte that needs an escape, the bytes around those that do not, and text that
    /// is not ASCII, at every offset within an eight-byte word and across word edges.
    fn awkward_strings() -> Vec<String> {
        let mut all: String = (0u8..0x80).map(char::from).collect();
        all.push_str("é中\u{2028}\u{2029}\u{fffd}😀\"\\");
        let mut strings = vec![
            String::new(),
            all.clone(),
            "plain text longer than one word of eight bytes".into(),
            "\"quoted\" and back\\slashed\\".into(),
            "ends with a quote\"".into(),
            "\u{1f}\u{7f}\u{80}".into(),
        ];
        for offset in 0..17 {
            for special in ["\"", "\\", "\n", "\u{0}", "\u{1f}", "\u{2028}", "é"] {
                strings.push(format!("{}{special}{}", "x".repeat(offset), "y".repeat(9)));
            }
        }
        strings
    }

    #[test]
    fn wire_names_need_no_escape() {
        let names = (Reason::ALL.iter().map(|v| v.as_str()))
            .chain(BounceType::ALL.iter().map(|v| v.as_str()))
            .chain(Category::ALL.iter().map(|v| v.as_str()))
            .chain(Severity::ALL.iter().map(|v| v.as_str()))
            .chain(Action::ALL.iter().map(|v| v.as_str()))
            .chain(Truncation::ALL.iter().map(|v| v.as_str()))
            .chain(
                [
                    "connect",
                    "helo",
                    "starttls",
                    "auth",
                    "mail",
                    "rcpt",
                    "data",
                    "end-of-data",
                ]
                .into_iter()
                .map(|n| SmtpCommand::from_name(n).map_or("", SmtpCommand::as_str)),
            );
        for name in names {
            assert!(
                !name.is_empty() && name.bytes().all(|b| b.is_ascii_lowercase() || b == b'-'),
                "{name:?}"
            );
        }
    }

    #[test]
    fn at_is_rfc3339_utc_and_reads_back() {
        let mut e = bare();
        e.at = Some("2026-11-10T09:15:00+09:00".parse().expect("a time"));
        let json = serde_json::to_string(&e).expect("an event serializes");
        assert!(json.contains(r#""at":"2026-11-10T00:15:00Z""#), "{json}");
        assert_eq!(direct(&e), json);
        let back: BounceEvent = serde_json::from_str(&json).expect("reads back");
        assert_eq!(back, e);
        e.at = Some("2018-03-16T20:46:35.375Z".parse().expect("a time"));
        let json = serde_json::to_string(&e).expect("an event serializes");
        assert!(
            json.contains(r#""at":"2018-03-16T20:46:35.375Z""#),
            "{json}"
        );
        // An RFC 5322 date, as older versions wrote, reads as the same instant.
        let old = json.replace(
            "2018-03-16T20:46:35.375Z",
            "Sat, 17 Mar 2018 05:46:35 +0900 (JST)",
        );
        let back: BounceEvent = serde_json::from_str(&old).expect("reads an old date");
        assert_eq!(
            back.at,
            Some("2018-03-16T20:46:35Z".parse().expect("a time"))
        );
        let bad = json.replace("2018-03-16T20:46:35.375Z", "yesterday");
        assert!(serde_json::from_str::<BounceEvent>(&bad).is_err());
        let null = json.replace(r#""2018-03-16T20:46:35.375Z""#, "null");
        let back: BounceEvent = serde_json::from_str(&null).expect("reads null");
        assert_eq!(back.at, None);
    }

    #[test]
    fn direct_json_is_serde_json() {
        let check = |e: &BounceEvent| {
            let serde = serde_json::to_string(e).expect("an event serializes");
            assert_eq!(direct(e), serde);
        };
        check(&bare());
        let classifier = Classifier::builtin().expect("the built-in rules load");
        let replies = [
            "550 5.1.1 <x@example.com>: User unknown",
            "host mx.example.com[192.0.2.1] said: 451 4.7.1 Greylisted (in reply to RCPT TO command)",
            "551 User not local; please try <jdoe@relay.example.net>",
            "251 User not local; will forward to <jdoe@example.com>",
            "250 2.0.0 Ok",
        ];
        for (n, text) in replies.into_iter().enumerate() {
            let mut e = bare();
            e.reply = Reply::parse(text).expect("a reply");
            if n == 2 {
                e.reply.relate_to_recipient("jdoe@example.com");
            }
            e.classification = classifier.classify(&e.reply);
            e.source = Source {
                path: Some("/var/mail/bounces".into()),
                message: Some(u64::MAX),
                index: Some(u32::MAX),
                kind: Some(SourceKind::Dsn),
                reader: (n % 2 == 0).then_some(Reader::Dsn),
            };
            e.recipient = Some("x@example.com".into());
            e.sender = Some("me@example.org".into());
            e.at = Some(
                match n {
                    0 => "2024-05-01T10:00:00Z",
                    1 => "2024-05-01T10:00:00.375Z",
                    2 => "2024-05-01T19:00:00+09:00",
                    3 => "1970-01-01T00:00:00Z",
                    _ => "2024-05-01T10:00:00.000000001-00:00",
                }
                .parse()
                .expect("a time"),
            );
            e.dsn_action = Some(DsnAction::Failed);
            e.message_id = Some("<id@example.org>".into());
            e.remote_mta = Some("mx.example.com".into());
            e.reporting_mta = Some("mta.example.org".into());
            e.feedback_type = (n % 2 == 1).then(|| "abuse".into());
            e.provider_class = (n % 3 == 0).then(|| "Permanent/General".into());
            e.truncated = Truncation::ALL[..n.min(Truncation::ALL.len())].to_vec();
            e.tags = (0..n)
                .map(|i| (format!("x-tag-{i}"), format!("value \"{i}\"").into()))
                .collect();
            // Metadata keeps its JSON type: numbers, booleans, null, lists and objects.
            e.tags.insert(
                "meta.typed".into(),
                serde_json::json!({"n": 111, "f": 1.5, "b": true, "z": null, "l": ["a\u{0}", 2]}),
            );
            check(&e);
        }
        let widest = EnhancedStatus {
            class: 255,
            subject: u16::MAX,
            detail: u16::MAX,
        };
        for (i, s) in awkward_strings().into_iter().enumerate() {
            let mut e = bare();
            e.source.path = Some(s.clone());
            e.source.message = Some(i as u64);
            e.source.index = Some(0);
            e.recipient = Some(s.clone());
            e.reply.text = s.clone();
            e.reply.code = Some(u16::MAX);
            e.reply.status = Some(widest);
            e.reply.command = Some(SmtpCommand::EndOfData);
            e.reply.forward = Some(ForwardHint {
                address: s.clone(),
                will_forward: i % 2 == 0,
                same_domain: (i % 3 != 0).then_some(i % 3 == 1),
            });
            e.reply.remote_host = Some(s.clone());
            e.classification.permanent = Some(i % 2 == 0);
            e.classification.rule = Arc::from(s.as_str());
            e.feedback_type = Some(s.clone());
            e.provider_class = Some(s.clone());
            e.tags.insert(s.clone(), s.clone().into());
            e.tags
                .insert("a".into(), serde_json::json!([s.clone(), {"k": s}]));
            check(&e);
        }
    }

    #[test]
    fn tag_text_of_each_json_type() {
        use serde_json::json;
        let text = |v: serde_json::Value| tag_text(&v);
        assert_eq!(text(json!("fair-2024")), Some("fair-2024".into()));
        assert_eq!(text(json!(111)), Some("111".into()));
        assert_eq!(text(json!(1.5)), Some("1.5".into()));
        assert_eq!(text(json!(true)), Some("true".into()));
        assert_eq!(text(json!(null)), None);
        assert_eq!(text(json!([])), None);
        // SES gives every message tag as a list of one string.
        assert_eq!(text(json!(["spring"])), Some("spring".into()));
        assert_eq!(text(json!([7])), Some("7".into()));
        assert_eq!(text(json!(["a", "b"])), Some(r#"["a","b"]"#.into()));
        assert_eq!(text(json!([{"k": 1}])), Some(r#"[{"k":1}]"#.into()));
        assert_eq!(
            text(json!({"b": 1, "a": "x"})),
            Some(r#"{"a":"x","b":1}"#.into())
        );
    }
}
