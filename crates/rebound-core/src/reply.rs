//! SMTP reply parsing: what a server said, from the text people and programs actually see.
//!
//! Reads the basic reply code (RFC 5321 section 4.2), the enhanced status code (RFC 3463,
//! also in qmail's `#5.1.1` / `(#5.1.1)` form), joins multi-line replies (RFC 5321 4.2.1,
//! `550-…` continuation lines, also when a DSN has flattened them onto one line), unwraps the
//! texts MTAs put around a reply (Postfix `host … said:`, Exim `SMTP error from remote mail
//! server after …:`, DSN `Diagnostic-Code: smtp; …`, Sendmail `… 550 5.1.1 <x>... User
//! unknown`), and notes the SMTP command the reply answered and the remote host (read by the
//! `wrapper` module) and the forward-path of a 251/551 reply (RFC 5321 section 3.4).

use crate::forward::{ForwardHint, find_forward_path, lone_address};
use crate::status::{DECIMAL_CAPACITY, EnhancedStatus, TEXT_CAPACITY, write_decimal};
use crate::wrapper::{TRAILER_WINDOW, find_command, find_remote_host, strip_in_reply_to, tail};
use serde::{Deserialize, Serialize};
use std::fmt;

/// What a server said, parsed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reply {
    /// The basic reply code (RFC 5321 4.2), e.g. 550.
    pub code: Option<u16>,
    /// The enhanced status code (RFC 3463), e.g. 5.1.1.
    pub status: Option<EnhancedStatus>,
    /// The server's words, continuation prefixes and wrappers removed, white space folded.
    pub text: String,
    /// The SMTP command the reply answered, when the input says so.
    pub command: Option<SmtpCommand>,
    /// The forward-path a 251/551 (or "has moved to") reply names.
    pub forward: Option<ForwardHint>,
    /// The host that answered, when the wrapper names it (`host mx.example.com[…] said:`).
    pub remote_host: Option<String>,
}

/// The SMTP stage a reply answered (RFC 5321 section 4.1.1 and 3.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum SmtpCommand {
    /// The greeting, right after the connection opened (RFC 5321 3.1).
    Connect,
    /// `HELO` or `EHLO`.
    Helo,
    /// `STARTTLS` (RFC 3207).
    Starttls,
    /// `AUTH` (RFC 4954).
    Auth,
    /// `MAIL FROM`.
    Mail,
    /// `RCPT TO`.
    Rcpt,
    /// The `DATA` command itself.
    Data,
    /// The final `.` that ends the message data.
    EndOfData,
}

impl SmtpCommand {
    /// The wire name (`rcpt`, `end-of-data`, …).
    pub fn as_str(self) -> &'static str {
        match self {
            SmtpCommand::Connect => "connect",
            SmtpCommand::Helo => "helo",
            SmtpCommand::Starttls => "starttls",
            SmtpCommand::Auth => "auth",
            SmtpCommand::Mail => "mail",
            SmtpCommand::Rcpt => "rcpt",
            SmtpCommand::Data => "data",
            SmtpCommand::EndOfData => "end-of-data",
        }
    }

    /// Parses a wire name, as rule files write it.
    pub fn from_name(name: &str) -> Option<Self> {
        COMMAND_NAMES
            .iter()
            .copied()
            .find(|c| c.as_str().eq_ignore_ascii_case(name))
    }
}

const COMMAND_NAMES: [SmtpCommand; 8] = [
    SmtpCommand::Connect,
    SmtpCommand::Helo,
    SmtpCommand::Starttls,
    SmtpCommand::Auth,
    SmtpCommand::Mail,
    SmtpCommand::Rcpt,
    SmtpCommand::Data,
    SmtpCommand::EndOfData,
];

impl fmt::Display for SmtpCommand {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Why a reply could not be read at all.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReplyError {
    /// Nothing but white space (or wrappers) was given.
    #[error("the reply is empty")]
    Empty,
}

impl Reply {
    /// Parses one reply as it appears in a DSN, a log line, a bounce text or an SMTP session.
    ///
    /// Never panics; any text gives a reply (with whatever codes it holds), only empty input is
    /// an error.
    pub fn parse(input: &str) -> Result<Reply, ReplyError> {
        let (body, found) = read_front(input).ok_or(ReplyError::Empty)?;
        let (code, status, text_start) = match found {
            Some(f) => (f.code, f.status, f.text_start),
            None => (None, None, 0),
        };
        let raw_text = &body[text_start..];
        let mut text = join_lines(raw_text, code, status);
        let command = command_around(body, found);
        if command.is_some() {
            strip_in_reply_to(&mut text);
        }
        let remote_host = find_remote_host(preamble(body, found));
        let lone = || {
            matches!(code, Some(251 | 551))
                .then(|| lone_address(raw_text))
                .flatten()
        };
        let forward = find_forward_path(&text)
            .or_else(lone)
            .map(|address| ForwardHint {
                will_forward: matches!(code, Some(200..=299)),
                address,
                same_domain: None,
            });
        Ok(Reply {
            code,
            status,
            text,
            command,
            forward,
            remote_host,
        })
    }

    /// The basic reply code and the enhanced status [`Reply::parse`] reads from `input`
    /// (`(None, None)` where it finds none or fails), without the rest of its work (joining
    /// the text, reading the command, the host and a forward-path): for callers that only ask
    /// whether a text holds a reply code.
    pub fn codes(input: &str) -> (Option<u16>, Option<EnhancedStatus>) {
        match read_front(input) {
            Some((_, Some(f))) => (f.code, f.status),
            _ => (None, None),
        }
    }

    /// The SMTP command [`Reply::parse`] reads from `input` (the wrapper's words before the
    /// reply, or a trailing `(in reply to … command)`), without the rest of its work.
    pub fn command_of(input: &str) -> Option<SmtpCommand> {
        let (body, found) = read_front(input)?;
        command_around(body, found)
    }

    /// Parses bytes that may not be UTF-8 (invalid sequences become U+FFFD).
    pub fn parse_bytes(input: &[u8]) -> Result<Reply, ReplyError> {
        Reply::parse(&String::from_utf8_lossy(input))
    }

    /// The RFC fact: `Some(true)` for a permanent failure (5xx, or 5.x.x without a basic
    /// code), `Some(false)` for a transient one (4xx / 4.x.x), `None` for success,
    /// intermediate replies and replies without any code.
    ///
    /// The basic code decides when both are present: it is what the SMTP client acts on
    /// (RFC 5321 4.2.1), and RFC 3463 requires the class to agree with it.
    pub fn permanent(&self) -> Option<bool> {
        match self.code.map(|c| c / 100) {
            Some(5) => Some(true),
            Some(4) => Some(false),
            Some(_) => None,
            None => match self.status.map(|s| s.class) {
                Some(5) => Some(true),
                Some(4) => Some(false),
                _ => None,
            },
        }
    }

    /// Records the original recipient, so a forward-path can say whether it stays in the
    /// recipient's domain (`same_domain`).
    pub fn relate_to_recipient(&mut self, recipient: &str) {
        if let Some(forward) = self.forward.as_mut() {
            forward.same_domain = Some(crate::forward::same_domain(recipient, &forward.address));
        }
    }

    /// The canonical one-line form `CODE STATUS text`, as logs and rule authors write it.
    pub fn canonical(&self) -> String {
        let mut out = String::with_capacity(self.text.len() + 12);
        if let Some(code) = self.code {
            out.push_str(&code.to_string());
            out.push(' ');
        }
        if let Some(status) = self.status {
            out.push_str(&status.to_string());
            out.push(' ');
        }
        out.push_str(&self.text);
        out.truncate(out.trim_end().len());
        out
    }
}

/// The steps every reading of a reply starts with: the input without white space and
/// `Diagnostic-Code: smtp;` around it, and the reply located in it; `None` when nothing is left.
fn read_front(input: &str) -> Option<(&str, Option<Located>)> {
    let body = strip_diagnostic_prefix(input.trim());
    if body.trim().is_empty() {
        return None;
    }
    Some((body, locate(body.as_bytes())))
}

/// What stands before the reply in `body` (all of it when no reply was located): the
/// wrapper's words.
fn preamble(body: &str, found: Option<Located>) -> &str {
    match found {
        Some(f) => &body[..f.start],
        None => body,
    }
}

/// The command a reply answered, from its wrapper: named before the reply (Exim, qmail,
/// Sendmail) or in a trailing `(in reply to … command)` (Postfix); the server's words in
/// between do not count.
fn command_around(body: &str, found: Option<Located>) -> Option<SmtpCommand> {
    find_command(preamble(body, found)).or_else(|| match found {
        Some(_) if body.ends_with(')') => find_command(tail(body, TRAILER_WINDOW)),
        _ => None,
    })
}

/// Removes `Diagnostic-Code:` and a diagnostic type such as `smtp;` or `X-Postfix;`
/// (RFC 3464 section 2.3.6) from the front.
fn strip_diagnostic_prefix(s: &str) -> &str {
    let mut rest = s;
    if rest.len() >= 16 && rest.as_bytes()[..16].eq_ignore_ascii_case(b"diagnostic-code:") {
        rest = rest[16..].trim_start();
    }
    let type_len = rest
        .bytes()
        .take(24)
        .take_while(|b| b.is_ascii_alphanumeric() || *b == b'-' || *b == b'_')
        .count();
    if type_len > 0 && rest.as_bytes().get(type_len) == Some(&b';') {
        rest = rest[type_len + 1..].trim_start();
    }
    rest
}

/// Where the reply proper starts inside a (possibly wrapped) line.
#[derive(Debug, Clone, Copy)]
struct Located {
    /// Byte offset of the code (or status) that starts the reply.
    start: usize,
    /// Byte offset of the server's words.
    text_start: usize,
    code: Option<u16>,
    status: Option<EnhancedStatus>,
}

/// Finds the reply in `bytes`: first a basic code followed by an enhanced status anywhere,
/// then a basic code at the start or right after a `:`/`;` (the wrappers' last character),
/// then a lone enhanced status at a token boundary.
fn locate(bytes: &[u8]) -> Option<Located> {
    let mut anchored: Option<Located> = None;
    let mut lone_status: Option<Located> = None;
    let mut i = 0;
    loop {
        i = next_code_digit(bytes, i);
        if i >= bytes.len() {
            break;
        }
        if i > 0 && !is_token_boundary(bytes[i - 1]) {
            i += 1;
            continue;
        }
        if let Some(code) = basic_code_at(bytes, i) {
            let after = i + 3;
            let sep = bytes.get(after).copied();
            // `550 5.1.1`, `550-5.1.1`, and Gmail's `550 #5.1.0`.
            let status_at = after + 1 + usize::from(bytes.get(after + 1) == Some(&b'#'));
            if matches!(sep, Some(b' ' | b'-'))
                && let Some((status, n)) = EnhancedStatus::parse_prefix(&bytes[status_at..])
            {
                let text_start = skip_spaces(bytes, status_at + n);
                return Some(Located {
                    start: i,
                    text_start,
                    code: Some(code),
                    status: Some(status),
                });
            }
            if anchored.is_none() && is_anchor(bytes, i) {
                let text_start = skip_spaces(bytes, after + usize::from(sep.is_some()));
                anchored = Some(Located {
                    start: i,
                    text_start,
                    code: Some(code),
                    status: None,
                });
            }
        } else if lone_status.is_none()
            && let Some((status, n)) = EnhancedStatus::parse_prefix(&bytes[i..])
        {
            let text_start = if is_anchor(bytes, i) {
                skip_spaces(bytes, i + n)
            } else {
                0
            };
            let start = if text_start == 0 { 0 } else { i };
            lone_status = Some(Located {
                start,
                text_start,
                code: None,
                status: Some(status),
            });
        }
        i += 1;
    }
    anchored.or(lone_status)
}

/// The first position at or after `from` holding a `2` to `5`, the digits a code or status
/// starts with (the length of `bytes` when none does).
fn next_code_digit(bytes: &[u8], mut from: usize) -> usize {
    let is_code_digit = |b: &u8| b.wrapping_sub(b'2') < 4;
    // Most of a reply is words: a whole chunk is tested at once (the test has no early exit,
    // so it compiles to a few vector instructions) and skipped when it holds no such digit.
    const CHUNK: usize = 16;
    while let Some(chunk) = bytes.get(from..from + CHUNK) {
        if chunk.iter().fold(false, |any, b| any | is_code_digit(b)) {
            break;
        }
        from += CHUNK;
    }
    bytes[from.min(bytes.len())..]
        .iter()
        .position(is_code_digit)
        .map_or(bytes.len(), |p| from + p)
}

/// The positive codes that are read as replies: those RFC 5321 (4.2.3), RFC 4954 and RFC 3030
/// define. Another `2yz` in a bounce is far more often a number (`Size: 222`, `error 255`).
const POSITIVE_CODES: [u16; 10] = [211, 214, 220, 221, 235, 250, 251, 252, 334, 354];

/// A basic reply code at `i`: `[2-5][0-5][0-9]` not followed by another digit or a dot
/// (RFC 5321 4.2: the second digit is 0 to 5); a 2yz or 3yz only if it is a defined one.
fn basic_code_at(bytes: &[u8], i: usize) -> Option<u16> {
    let d = bytes.get(i..i + 3)?;
    if !(matches!(d[0], b'2'..=b'5') && matches!(d[1], b'0'..=b'5') && d[2].is_ascii_digit()) {
        return None;
    }
    match bytes.get(i + 3) {
        None | Some(b' ' | b'-' | b'\t' | b'\r' | b'\n') => {}
        _ => return None,
    }
    let code = u16::from(d[0] - b'0') * 100 + u16::from(d[1] - b'0') * 10 + u16::from(d[2] - b'0');
    (code >= 400 || POSITIVE_CODES.contains(&code)).then_some(code)
}

/// Characters after which a code or status may start.
fn is_token_boundary(b: u8) -> bool {
    matches!(
        b,
        b' ' | b'\t'
            | b'\r'
            | b'\n'
            | b'('
            | b'#'
            | b'['
            | b':'
            | b';'
            | b'"'
            | b'\''
            | b'<'
            | b'='
    )
}

/// True when only white space stands between `i` and the start, or the `:` / `;` that ends a
/// wrapper (`said:`, `smtp;`). A status after `(#` or `#` (qmail) ends the words instead.
fn is_anchor(bytes: &[u8], i: usize) -> bool {
    match bytes[..i].iter().rev().find(|b| !b.is_ascii_whitespace()) {
        None => true,
        Some(b) => matches!(b, b':' | b';' | b'"'),
    }
}

fn skip_spaces(bytes: &[u8], mut i: usize) -> usize {
    while bytes.get(i).is_some_and(|b| matches!(b, b' ' | b'\t')) {
        i += 1;
    }
    i.min(bytes.len())
}

/// Joins continuation lines and folds white space. Removes the `550-5.1.1 ` / `550 5.1.1 `
/// prefixes a multi-line reply repeats, on new lines or where a DSN flattened them inline.
/// A bare code is dropped only when the status follows it, as a continuation writes it.
fn join_lines(raw: &str, code: Option<u16>, status: Option<EnhancedStatus>) -> String {
    let (mut code_buf, mut status_buf) = ([0; DECIMAL_CAPACITY], [0; TEXT_CAPACITY]);
    let code_str = code.map(|c| write_decimal(&mut code_buf, c));
    let status_str = status.map(|s| s.write_text(&mut status_buf));
    let mut out = String::with_capacity(raw.len());
    let mut held_code: Option<&str> = None;
    for (n, line) in raw.lines().enumerate() {
        let line = if n == 0 {
            line
        } else {
            strip_continuation(line, code_str, status_str)
        };
        for word in line.split_ascii_whitespace() {
            if let Some(held) = held_code.take() {
                if status_str == Some(word) {
                    continue;
                }
                push_word(&mut out, held);
            }
            if let Some(c) = code_str
                && let Some(rest) = word.strip_prefix(c)
            {
                if rest.is_empty() {
                    held_code = Some(word);
                    continue;
                }
                if let Some(tail) = rest.strip_prefix('-') {
                    if !tail.is_empty() && status_str != Some(tail) {
                        push_word(&mut out, tail);
                    }
                    continue;
                }
            }
            push_word(&mut out, word);
        }
    }
    if let Some(held) = held_code {
        push_word(&mut out, held);
    }
    out
}

/// Removes the `550-` / `550 ` and repeated status that start a continuation line.
fn strip_continuation<'a>(line: &'a str, code: Option<&str>, status: Option<&str>) -> &'a str {
    let mut rest = line.trim_start();
    if let Some(c) = code
        && let Some(r) = rest.strip_prefix(c)
        && (r.is_empty() || r.starts_with(['-', ' ', '\t']))
    {
        rest = r.get(1..).unwrap_or("").trim_start();
        if let Some(s) = status
            && let Some(r) = rest.strip_prefix(s)
            && (r.is_empty() || r.starts_with([' ', '\t']))
        {
            rest = r;
        }
    }
    rest
}

fn push_word(out: &mut String, word: &str) {
    if !out.is_empty() {
        out.push(' ');
    }
    out.push_str(word);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(s: &str) -> Reply {
        Reply::parse(s).unwrap()
    }

    fn st(s: &str) -> Option<EnhancedStatus> {
        Some(s.parse().unwrap())
    }

    #[test]
    fn plain_reply() {
        let r = p("550 5.1.1 <x@example.com>: Recipient address rejected: User unknown");
        assert_eq!(r.code, Some(550));
        assert_eq!(r.status, st("5.1.1"));
        assert_eq!(
            r.text,
            "<x@example.com>: Recipient address rejected: User unknown"
        );
        assert_eq!(r.permanent(), Some(true));
    }

    #[test]
    fn multi_line_on_lines_and_flattened() {
        let lines = "550-5.1.1 The email account that you tried to reach does not exist. Please try\r\n550-5.1.1 double-checking the recipient's email address for typos or\r\n550 5.1.1 unnecessary spaces. https://support.google.com/mail/?p=NoSuchUser - gsmtp";
        let flat = "550-5.1.1 The email account that you tried to reach does not exist. Please try 550-5.1.1 double-checking the recipient's email address for typos or 550 5.1.1 unnecessary spaces. https://support.google.com/mail/?p=NoSuchUser - gsmtp";
        for s in [lines, flat] {
            let r = p(s);
            assert_eq!(r.code, Some(550));
            assert_eq!(r.status, st("5.1.1"));
            assert_eq!(
                r.text,
                "The email account that you tried to reach does not exist. Please try double-checking the recipient's email address for typos or unnecessary spaces. https://support.google.com/mail/?p=NoSuchUser - gsmtp"
            );
        }
    }

    #[test]
    fn continuation_without_status() {
        let r = p("554-mx.example.net\n554-Your IP is listed\n554 Go away");
        assert_eq!(r.code, Some(554));
        assert_eq!(r.status, None);
        assert_eq!(r.text, "mx.example.net Your IP is listed Go away");
    }

    #[test]
    fn postfix_wrapper() {
        let r = p(
            "host mx.example.com[192.0.2.1] said: 550 5.1.1 <jdoe@example.com>: Recipient address rejected: User unknown in local recipient table (in reply to RCPT TO command)",
        );
        assert_eq!(r.code, Some(550));
        assert_eq!(r.command, Some(SmtpCommand::Rcpt));
        assert_eq!(r.remote_host.as_deref(), Some("mx.example.com"));
        assert_eq!(
            r.text,
            "<jdoe@example.com>: Recipient address rejected: User unknown in local recipient table"
        );
    }

    #[test]
    fn exim_wrapper() {
        let r = p(
            "SMTP error from remote mail server after RCPT TO:<jdoe@example.com>: 550 User unknown",
        );
        assert_eq!(r.code, Some(550));
        assert_eq!(r.status, None);
        assert_eq!(r.command, Some(SmtpCommand::Rcpt));
        assert_eq!(r.text, "User unknown");
        let r = p(
            "H=mx.example.com [192.0.2.1]: SMTP error from remote mail server after end of data: 552 5.3.4 Message too big",
        );
        assert_eq!(r.command, Some(SmtpCommand::EndOfData));
        assert_eq!(r.remote_host.as_deref(), Some("mx.example.com"));
        assert_eq!(r.status, st("5.3.4"));
    }

    #[test]
    fn diagnostic_code_and_sendmail() {
        let r = p("Diagnostic-Code: smtp; 550 5.1.1 <kijitora@example.jp>... User Unknown");
        assert_eq!((r.code, r.status), (Some(550), st("5.1.1")));
        assert_eq!(r.text, "<kijitora@example.jp>... User Unknown");
        let r = p(
            "X-Postfix; Host or domain name not found. Name service error for name=example.invalid type=A: Host not found",
        );
        assert_eq!((r.code, r.status), (None, None));
        assert!(r.text.starts_with("Host or domain name not found"));
        assert_eq!(r.remote_host, None);
    }

    #[test]
    fn qmail_status_forms() {
        for s in [
            "Sorry, no mailbox here by that name. (#5.1.1)",
            "Sorry, no mailbox here by that name. #5.1.1",
        ] {
            let r = p(s);
            assert_eq!(r.code, None);
            assert_eq!(r.status, st("5.1.1"));
            assert_eq!(r.permanent(), Some(true));
            assert!(r.text.starts_with("Sorry, no mailbox here"), "{}", r.text);
        }
    }

    #[test]
    fn hash_before_the_status() {
        let r = p("The response from the remote server was: 550 #5.1.0 Address rejected.");
        assert_eq!((r.code, r.status), (Some(550), st("5.1.0")));
        assert_eq!(r.text, "Address rejected.");
    }

    #[test]
    fn undefined_positive_codes_are_numbers() {
        assert_eq!(p("222 Number of lines: 2").code, None);
        assert_eq!(p("255 unknown mailer error").code, None);
        assert_eq!(p("250 2.0.0 Ok").code, Some(250));
    }

    #[test]
    fn numbers_that_are_not_codes() {
        let r = p("Connection timed out after 450 seconds to 192.0.2.250");
        assert_eq!((r.code, r.status), (None, None));
        let r = p("5.4.7 - Delivery expired (message too old) 'timeout' (delivery attempts: 0)");
        assert_eq!((r.code, r.status), (None, st("5.4.7")));
        assert_eq!(
            r.text,
            "- Delivery expired (message too old) 'timeout' (delivery attempts: 0)"
        );
    }

    #[test]
    fn command_stages() {
        let cases = [
            (
                "host a.example[192.0.2.1] refused to talk to me: 554 5.7.1 go away",
                SmtpCommand::Connect,
            ),
            (
                "x said: 550 nope (in reply to MAIL FROM command)",
                SmtpCommand::Mail,
            ),
            (
                "x said: 554 5.7.1 spam (in reply to end of DATA command)",
                SmtpCommand::EndOfData,
            ),
            (
                "x said: 503 bad sequence (in reply to DATA command)",
                SmtpCommand::Data,
            ),
            (
                "x said: 501 syntax (in reply to EHLO command)",
                SmtpCommand::Helo,
            ),
        ];
        for (s, c) in cases {
            assert_eq!(p(s).command, Some(c), "{s}");
        }
    }

    #[test]
    fn forward_paths() {
        let r = p("551 User not local; please try <jdoe@relay.example.net>");
        let f = r.forward.clone().unwrap();
        assert_eq!(f.address, "jdoe@relay.example.net");
        assert!(!f.will_forward);
        let r = p("251 User not local; will forward to <jdoe@example.org>");
        assert!(r.forward.as_ref().unwrap().will_forward);
        // Any line of a multi-line reply, or the address alone on its last line.
        let r = p(
            "551-5.1.6 User not local.\n551-5.1.6 Mail should now be sent to\n551 5.1.6 <jdoe@example.net>",
        );
        assert_eq!(r.forward.unwrap().address, "jdoe@example.net");
        let f = p("551-User not local\n551 <jdoe@relay.example.net>")
            .forward
            .unwrap();
        assert_eq!(
            (f.address.as_str(), f.will_forward),
            ("jdoe@relay.example.net", false)
        );
        assert!(
            p("550-User unknown\n550 <jdoe@example.net>")
                .forward
                .is_none()
        );
        let r = p("251 User not local; will forward to <jdoe@example.org>");
        assert_eq!(r.permanent(), None);
    }

    #[test]
    fn codes_and_command_agree_with_parse() {
        let inputs = [
            "550 5.1.1 <x@example.com>: Recipient address rejected: User unknown",
            "550-5.1.1 first\r\n550-5.1.1 second\r\n550 5.1.1 third",
            "554-mx.example.net\n554-Your IP is listed\n554 Go away",
            "host mx.example.com[192.0.2.1] said: 550 5.1.1 <j@example.com>: no (in reply to RCPT TO command)",
            "SMTP error from remote mail server after RCPT TO:<jdoe@example.com>: 550 User unknown",
            "Diagnostic-Code: smtp; 550 5.1.1 <kijitora@example.jp>... User Unknown",
            "X-Postfix; Host or domain name not found. Name service error for name=x type=A",
            "Sorry, no mailbox here by that name. (#5.1.1)",
            "The response from the remote server was: 550 #5.1.0 Address rejected.",
            "222 Number of lines: 2",
            "250 2.0.0 Ok",
            "Connection timed out after 450 seconds to 192.0.2.250",
            "5.4.7 - Delivery expired (message too old)",
            "host a.example[192.0.2.1] refused to talk to me: 554 5.7.1 go away",
            "x said: 554 5.7.1 spam (in reply to end of DATA command)",
            "551 User not local; please try <jdoe@relay.example.net>",
            "Blocked 4.7.1",
            "  \r\n",
            "Diagnostic-Code: smtp;",
            "",
        ];
        for input in inputs {
            let parsed = Reply::parse(input).ok();
            let want = parsed.as_ref().map_or((None, None), |r| (r.code, r.status));
            assert_eq!(Reply::codes(input), want, "{input}");
            let want = parsed.and_then(|r| r.command);
            assert_eq!(Reply::command_of(input), want, "{input}");
        }
    }

    #[test]
    fn the_digit_skip_finds_every_code_digit() {
        let text = b"words words words 1 words 6789 then 5 and more words at the end 2";
        for from in 0..=text.len() {
            let naive = (from..text.len())
                .find(|&i| matches!(text[i], b'2'..=b'5'))
                .unwrap_or(text.len());
            assert_eq!(next_code_digit(text, from), naive, "{from}");
        }
    }

    #[test]
    fn empty_is_an_error_and_junk_is_not_a_panic() {
        assert_eq!(Reply::parse("  \r\n"), Err(ReplyError::Empty));
        assert_eq!(
            Reply::parse("Diagnostic-Code: smtp;"),
            Err(ReplyError::Empty)
        );
        let junk = [b'5', b'5', b'0', b' ', 0xc3, b'x', 0, 0xff];
        let r = Reply::parse_bytes(&junk).unwrap();
        assert_eq!(r.code, Some(550));
        assert_eq!(r.text, "\u{fffd}x\0\u{fffd}");
        assert!(Reply::parse_bytes(&[0xff, 0, 0xfe]).is_ok());
    }
}
