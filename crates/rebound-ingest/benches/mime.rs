//! The hand-written MIME walk (the crate's MIME walk) against `mail-parser` 0.11 on
//! the same messages. The rule it informs: keep the hand-written walk only if it is clearly
//! faster (at least 1.5x) and loses nothing the readers need.
//!
//! For each message both sides produce what the readers read from MIME: the top `Subject` as
//! text (RFC 2047 decoded), the human-readable text (the decoded `text/plain` parts outside
//! returned messages that are not attachments, in their charsets), the decoded
//! `message/delivery-status` body and the returned message's `Message-ID`. The bench times
//! each side over all messages `REBOUND_BENCH_REPEAT` times (default 20, one thread), prints
//! messages per second and the ratio, then counts the messages where the two differ (after
//! line endings and trailing white space are evened out) and shows the first few.
//!
//! It also times RFC 2047 decoding alone: [`decode_words`] against mail-parser's
//! unstructured-field parser, on every `Subject` and `From` of the messages.
//!
//! Messages are read from `REBOUND_BENCH_DIRS` (colon-separated; default: the shared
//! corpus's messages, `../shared/corpus/sisimai/emails` beside the repository). Never part of
//! `cargo test`. `REBOUND_BENCH_SHOW=N` shows the first N differing messages (default 5).
//!
//! ```text
//! cargo bench -p rebound-ingest --bench mime
//! ```
//!
//! # Measured (the baseline)
//!
//! On the shared corpus (470 messages x 20, one thread; two cores shared with other builds,
//! so the absolute figures are noisy and the ratio is the figure to keep), four runs:
//!
//! | | messages/s |
//! | --- | --- |
//! | hand-written walk | 115,000 - 150,000 |
//! | mail-parser 0.11.9 (`full_encoding`) | 22,000 - 29,000 |
//! | ratio | 4.6x - 5.6x |
//!
//! Where the two differ (23 of 470 messages), the walk loses nothing the readers need:
//!
//! - subject (7): mail-parser puts a space between an encoded word and the `.` after it
//!   (`=?UTF-8?B?…?=. Mail failure.`); the walk keeps the text as written (RFC 2047 6.2).
//! - text, Japanese (5, ezweb and kddi): bodies labelled ISO-2022-JP that hold Shift_JIS;
//!   mail-parser gives U+FFFD, the walk decodes them (the 8-bit fallback of `decode`).
//! - text missing in mail-parser (6): a `boundary=` on a continuation line that lost its
//!   indentation (apachejames, verizon), and four more (messagingserver-03, office365-09,
//!   office365-12, rfc3464-06) where mail-parser yields no `text/plain` text at all.
//! - text, boundary mismatch (2, rhost-franceptt-07, rhost-google-02): the declared boundary
//!   is not the one used; neither splits, the walk keeps the whole body as text (the readers
//!   still find the recipients), mail-parser gives none.
//! - text, line ends (1, dragonfly-01): `CR CR LF` reads as two line ends in the walk.
//! - delivery-status (2): lhost-x5-01 the walk finds and mail-parser does not; rfc3464-35 has a
//!   delimiter line indented by a space, which mail-parser accepts and the walk does not (the
//!   DSN reader still reads all three recipients from the text).
//!
//! RFC 2047 alone on the 939 `Subject` and `From` values (25 with encoded words):
//! [`decode_words`] 2-7x faster than mail-parser's unstructured-field parser, the same text for
//! 930; the 9 others are mail-parser's: the space before `.` above, spaces inside quotes
//! around a word, and an unpadded base64 word losing its last character.

#![allow(clippy::unwrap_used, missing_docs)]

use mail_parser::{HeaderValue, MessageParser, MimeHeaders, PartType};
use rebound_ingest::Messages;
use rebound_ingest::internals::Headers;
use rebound_ingest::internals::Mime;
use rebound_ingest::internals::normalize_newlines;
use rebound_ingest::internals::{decode_words, to_text};
use std::hint::black_box;
use std::path::PathBuf;
use std::time::Instant;

/// What the readers take from a message's MIME structure.
#[derive(Debug, Default, PartialEq, Eq)]
struct Extract {
    subject: String,
    text: String,
    status: Option<String>,
    returned_id: Option<String>,
}

impl Extract {
    /// The same extract with line endings and trailing white space evened out.
    fn even(mut self) -> Extract {
        let even = |s: &str| {
            s.replace('\r', "")
                .lines()
                .map(str::trim_end)
                .collect::<Vec<_>>()
                .join("\n")
                .trim()
                .to_string()
        };
        self.subject = even(&self.subject);
        self.text = even(&self.text);
        self.status = self.status.map(|s| even(&s)).filter(|s| !s.is_empty());
        self.returned_id = self
            .returned_id
            .map(|s| s.trim().trim_matches(['<', '>']).to_string());
        self
    }
}

/// The hand-written walk: LF-normalized, walked, the parts read as the readers read them.
fn hand(raw: &[u8]) -> Extract {
    let bytes = normalize_newlines(raw);
    let mime = Mime::parse(&bytes);
    let subject = mime
        .top()
        .get_text("subject")
        .unwrap_or_default()
        .into_owned();
    let mut text = String::new();
    for p in mime.parts.iter().filter(|p| {
        !p.inside_message
            && p.mime() == "text/plain"
            && !(p.depth > 0
                && p.headers
                    .get("content-disposition")
                    .is_some_and(|d| d.to_ascii_lowercase().starts_with("attachment")))
    }) {
        if !text.is_empty() {
            text.push('\n');
        }
        text.push_str(&p.text());
    }
    let status = mime
        .first("message/delivery-status")
        .map(|p| p.text().into_owned());
    let returned_id = mime
        .parts
        .iter()
        .find(|p| p.inside_message && p.depth > 0 && !p.headers.is_empty())
        .map(|p| &p.headers)
        .or_else(|| {
            mime.parts
                .iter()
                .find(|p| p.mime() == "text/rfc822-headers")
                .map(|p| &p.headers)
        })
        .and_then(|h| h.get("message-id").map(str::to_string));
    // A text/rfc822-headers part holds the fields in its body.
    let returned_id = returned_id.or_else(|| {
        let p = mime.first("text/rfc822-headers")?;
        let body = p.decoded();
        let (block, _) = rebound_ingest::internals::split(&body);
        Headers::borrowed(block)
            .get("message-id")
            .map(str::to_string)
    });
    Extract {
        subject,
        text,
        status,
        returned_id,
    }
}

/// mail-parser: the full parse, then the same parts picked from its tree.
fn parsed(parser: &MessageParser, raw: &[u8]) -> Extract {
    let Some(m) = parser.parse(raw) else {
        return Extract::default();
    };
    let subject = m.subject().unwrap_or("").to_string();
    let mut text = String::new();
    let mut status = None;
    let mut returned_id = None;
    for (i, p) in m.parts.iter().enumerate() {
        let (ctype, subtype) = p.content_type().map_or(("text", "plain"), |ct| {
            (ct.ctype(), ct.subtype().unwrap_or(""))
        });
        let is =
            |t: &str, s: &str| ctype.eq_ignore_ascii_case(t) && subtype.eq_ignore_ascii_case(s);
        if is("text", "plain")
            && !(i > 0 && p.content_disposition().is_some_and(|d| d.is_attachment()))
            && let PartType::Text(t) = &p.body
        {
            if !text.is_empty() {
                text.push('\n');
            }
            text.push_str(t);
        }
        if is("message", "delivery-status") && status.is_none() {
            let charset = p
                .content_type()
                .and_then(|ct| ct.attribute("charset"))
                .unwrap_or("us-ascii");
            status = Some(to_text(charset, p.contents()).into_owned());
        }
        if returned_id.is_none() {
            match &p.body {
                PartType::Message(inner) => {
                    returned_id = inner.message_id().map(|id| format!("<{id}>"));
                }
                _ if is("text", "rfc822-headers") => {
                    returned_id = parser
                        .parse_headers(p.contents())
                        .and_then(|h| h.message_id().map(|id| format!("<{id}>")));
                }
                _ => {}
            }
        }
    }
    Extract {
        subject,
        text,
        status,
        returned_id,
    }
}

/// mail-parser's reading of one unstructured field value (RFC 2047 decoded).
fn parsed_words(value: &str) -> String {
    let mut line = Vec::with_capacity(value.len() + 2);
    line.extend_from_slice(value.as_bytes());
    line.extend_from_slice(b"\n\n");
    match mail_parser::parsers::MessageStream::new(&line).parse_unstructured() {
        HeaderValue::Text(t) => t.into_owned(),
        _ => String::new(),
    }
}

fn rate(n: usize, f: impl Fn()) -> f64 {
    f();
    let start = Instant::now();
    f();
    n as f64 / start.elapsed().as_secs_f64()
}

fn main() {
    let dirs: Vec<PathBuf> = std::env::var("REBOUND_BENCH_DIRS")
        .map(|v| v.split(':').map(PathBuf::from).collect())
        .unwrap_or_else(|_| {
            vec![PathBuf::from(concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/../../../shared/corpus/sisimai/emails"
            ))]
        });
    let repeat: usize = std::env::var("REBOUND_BENCH_REPEAT")
        .ok()
        .and_then(|r| r.parse().ok())
        .unwrap_or(20);
    let (paths, raws): (Vec<_>, Vec<Vec<u8>>) = Messages::new(&dirs)
        .filter_map(Result::ok)
        .map(|m| (m.path, m.bytes))
        .unzip();
    assert!(!raws.is_empty(), "no messages under {dirs:?}");
    let parser = MessageParser::default();
    let n = raws.len() * repeat;

    let hand_rate = rate(n, || {
        for _ in 0..repeat {
            for raw in &raws {
                black_box(hand(raw));
            }
        }
    });
    let parsed_rate = rate(n, || {
        for _ in 0..repeat {
            for raw in &raws {
                black_box(parsed(&parser, raw));
            }
        }
    });
    println!("{} messages x {repeat}", raws.len());
    println!("hand-written walk  {hand_rate:>10.0} messages/s");
    println!("mail-parser 0.11   {parsed_rate:>10.0} messages/s");
    println!("ratio              {:>10.2}x", hand_rate / parsed_rate);

    // Same output?
    let mut differ = [0usize; 4];
    let show: usize = std::env::var("REBOUND_BENCH_SHOW")
        .ok()
        .and_then(|r| r.parse().ok())
        .unwrap_or(5);
    let mut shown = 0;
    for (path, raw) in paths.iter().zip(&raws) {
        let (a, b) = (hand(raw).even(), parsed(&parser, raw).even());
        let fields = [
            a.subject != b.subject,
            a.text != b.text,
            a.status != b.status,
            a.returned_id != b.returned_id,
        ];
        for (count, d) in differ.iter_mut().zip(fields) {
            *count += usize::from(d);
        }
        if fields.iter().any(|d| *d) && shown < show {
            shown += 1;
            let cut = |s: &str| s.chars().take(160).collect::<String>();
            println!("--- differs: {path}");
            if fields[0] {
                println!(
                    "  subject  hand {:?}\n           m-p  {:?}",
                    a.subject, b.subject
                );
            }
            if fields[1] {
                // From a little before the first char where they part.
                let at = a
                    .text
                    .char_indices()
                    .zip(b.text.chars())
                    .find(|((_, x), y)| x != y)
                    .map_or(a.text.len().min(b.text.len()), |((i, _), _)| i);
                let mut from = at.saturating_sub(40);
                while !a.text.is_char_boundary(from) {
                    from -= 1;
                }
                let tail = |s: &str| cut(s.get(from..).unwrap_or(""));
                println!(
                    "  text (from byte {from})\n           hand {:?}\n           m-p  {:?}",
                    tail(&a.text),
                    tail(&b.text)
                );
            }
            if fields[2] {
                let s = |x: &Option<String>| x.as_deref().map(cut);
                println!(
                    "  status   hand {:?}\n           m-p  {:?}",
                    s(&a.status),
                    s(&b.status)
                );
            }
            if fields[3] {
                println!(
                    "  returned hand {:?}\n           m-p  {:?}",
                    a.returned_id, b.returned_id
                );
            }
        }
    }
    println!(
        "messages that differ: subject {}, text {}, delivery-status {}, returned Message-ID {} (of {})",
        differ[0],
        differ[1],
        differ[2],
        differ[3],
        raws.len()
    );

    // RFC 2047 alone, on every Subject and From.
    let values: Vec<String> = raws
        .iter()
        .flat_map(|raw| {
            let bytes = normalize_newlines(raw);
            let mime = Mime::parse(&bytes);
            let top = mime.top();
            ["subject", "from"]
                .iter()
                .filter_map(|f| top.get(f).map(str::to_string))
                .collect::<Vec<_>>()
        })
        .collect();
    let encoded = values.iter().filter(|v| v.contains("=?")).count();
    let m = values.len() * repeat * 10;
    let ours = rate(m, || {
        for _ in 0..repeat * 10 {
            for v in &values {
                black_box(decode_words(v));
            }
        }
    });
    let theirs = rate(m, || {
        for _ in 0..repeat * 10 {
            for v in &values {
                black_box(parsed_words(v));
            }
        }
    });
    let same = values
        .iter()
        .filter(|v| decode_words(v).trim() == parsed_words(v).trim())
        .count();
    println!(
        "RFC 2047, {} Subject/From values ({encoded} with encoded words): decode_words {ours:.0}/s, \
         mail-parser {theirs:.0}/s ({:.1}x); same text for {same}",
        values.len(),
        ours / theirs
    );
    for v in values
        .iter()
        .filter(|v| decode_words(v).trim() != parsed_words(v).trim())
        .take(show)
    {
        println!(
            "  {v:?}\n    ours {:?}\n    m-p  {:?}",
            decode_words(v),
            parsed_words(v)
        );
    }
}
