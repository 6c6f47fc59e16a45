//! The evidence a bounce text gives besides the reply itself: the SMTP command the session
//! was at when the server answered (RFC 5321 section 4.2 replies answer a command), from the
//! phrases MTAs write that `Reply::parse` does not read itself (`after RCPT command`,
//! `[RCPT_TO]`, `SMTP:RCPT host`, qmail's `most progress was RCPT TO response`, transcript
//! lines `>>> RCPT TO:` / `In: RCPT TO:`), and the unwrapping of
//! replies that a producer quoted inside its own words (Amazon SES
//! `550-'5.7.1 <x@y>... Access denied'`), so the classifier reads the server's reply.

use memchr::memmem;
use rebound_core::{Phrases, Reply, SmtpCommand};
use std::sync::LazyLock;

/// Phrases naming the command, lower-case, beyond those `Reply::parse` knows.
#[rustfmt::skip]
const EXTRA_MARKERS: &[(&str, SmtpCommand)] = &[
    ("after rcpt command", SmtpCommand::Rcpt),
    ("[rcpt_to]", SmtpCommand::Rcpt),
    ("in: rcpt to", SmtpCommand::Rcpt),
    ("smtp:rcpt host", SmtpCommand::Rcpt),
    ("most progress was rcpt to response", SmtpCommand::Rcpt),
    ("after mail command", SmtpCommand::Mail),
    ("[mail_from]", SmtpCommand::Mail),
    ("after data command", SmtpCommand::Data),
    ("step: data send", SmtpCommand::Data),
    ("(data)", SmtpCommand::Data),
    ("after end of data", SmtpCommand::EndOfData),
];

/// The command a text says the reply answered: what `Reply::parse` reads, else the first
/// of [`EXTRA_MARKERS`] present.
pub fn command_in(text: &str) -> Option<SmtpCommand> {
    Reply::command_of(text).or_else(|| extra_command(text))
}

/// [`EXTRA_MARKERS`], searched at once.
static EXTRA: LazyLock<Phrases> =
    LazyLock::new(|| Phrases::leftmost_first(EXTRA_MARKERS.iter().map(|(m, _)| *m)));

/// The command named by one of [`EXTRA_MARKERS`] only (for a text already given to
/// `Reply::parse`): the leftmost one in the text.
pub fn extra_command(text: &str) -> Option<SmtpCommand> {
    EXTRA.find(text).map(|i| EXTRA_MARKERS[i].1)
}

/// The `<<<` reply lines of a session transcript (Sendmail's `----- Transcript of session
/// follows -----`), each with the command of the `>>>` line before it, read once per notice;
/// at most [`MAX_EXCHANGES`] of them.
pub struct Exchanges<'a>(Vec<(Option<SmtpCommand>, &'a str)>);

/// How many reply lines of one transcript are kept: a notice may list a hundred thousand
/// recipients, and each is looked up in them.
const MAX_EXCHANGES: usize = 1_000;

impl<'a> Exchanges<'a> {
    /// The exchanges of `text`; none when it holds no `<<<` line.
    pub fn of(text: &'a str) -> Exchanges<'a> {
        if memmem::find(text.as_bytes(), b"<<<").is_none() {
            return Exchanges(Vec::new());
        }
        Exchanges(exchanges(text.lines()).take(MAX_EXCHANGES).collect())
    }

    /// The command the first reply line naming `recipient` answered (`>>> DATA` / `<<< 550
    /// Unknown user x@y`); `None` when no reply line names the recipient.
    pub fn command_for(&self, recipient: &str) -> Option<SmtpCommand> {
        if recipient.is_empty() {
            return None;
        }
        self.0
            .iter()
            .find(|(_, reply)| super::text::contains_ignore_ascii_case(reply, recipient))
            .and_then(|(sent, _)| *sent)
    }

    /// Whether the text held no transcript.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// A session transcript's evidence: the command of the last `>>>` line before the first
/// `<<<` reply, and the `<<<` reply lines (markers removed) joined; `(None, "")` when the
/// lines hold no reply.
pub fn transcript<S: AsRef<str>>(lines: &[S]) -> (Option<SmtpCommand>, String) {
    let all: Vec<_> = exchanges(lines.iter().map(AsRef::as_ref)).collect();
    let Some(&(command, _)) = all.first() else {
        return (None, String::new());
    };
    let replies: Vec<&str> = all.iter().map(|(_, reply)| *reply).collect();
    (command, replies.join(" "))
}

/// The `<<<` reply lines of transcript lines (markers removed, trimmed), each with the command
/// of the last `>>>` line before it: the one reading of the `>>>` / `<<<` grammar that
/// [`transcript`] and [`Exchanges`] share.
fn exchanges<'a>(
    lines: impl Iterator<Item = &'a str>,
) -> impl Iterator<Item = (Option<SmtpCommand>, &'a str)> {
    let mut sent = None;
    lines.map(str::trim).filter_map(move |line| {
        if let Some(command) = sent_line(line) {
            sent = sent_command(command.trim());
            None
        } else {
            received_line(line).map(|reply| (sent, reply.trim()))
        }
    })
}

/// What a transcript line the client sent says after its `>>>` (also written `Sent >>>`);
/// `None` for another line.
pub fn sent_line(line: &str) -> Option<&str> {
    line.strip_prefix("Sent ")
        .map_or(line, str::trim_start)
        .strip_prefix(">>>")
}

/// What a transcript line the server answered says after its `<<<` (also written
/// `Received <<<`, the form PHPMailer-BMH's samples quote); `None` for another line.
pub fn received_line(line: &str) -> Option<&str> {
    line.strip_prefix("Received ")
        .map_or(line, str::trim_start)
        .strip_prefix("<<<")
}

/// The command of a line the client sent (`RCPT TO:<x>`, `MAIL FROM:<x>`, `DATA`, `.`).
pub fn sent_command(sent: &str) -> Option<SmtpCommand> {
    let word = sent
        .split(|c: char| c.is_whitespace() || c == ':')
        .next()?
        .to_ascii_uppercase();
    Some(match word.as_str() {
        "RCPT" => SmtpCommand::Rcpt,
        "MAIL" => SmtpCommand::Mail,
        "DATA" => SmtpCommand::Data,
        "." => SmtpCommand::EndOfData,
        "EHLO" | "HELO" => SmtpCommand::Helo,
        "STARTTLS" => SmtpCommand::Starttls,
        "AUTH" => SmtpCommand::Auth,
        _ => return None,
    })
}

/// The diagnostic as the reply parser should read it: [`unwrap_quoted`], then a basic code
/// written with a colon (`550: 5.1.1 <x@y>…`, Yahoo) or Zoho's
/// `Invalid Address, ERROR_CODE :550, ERROR_CODE :5.2.1 …` turned into `550 5.2.1 …`, and
/// Zoho's `[Status: Error, Address: <x@y>, ResponseCode 421, , Host not reachable.]` into
/// `421 Host not reachable.`.
pub fn normalize(diagnostic: &str) -> std::borrow::Cow<'_, str> {
    let d = unwrap_quoted(diagnostic);
    let t = d.trim_start();
    if let Some(rest) = after(&ERROR_CODE, t) {
        let (code, rest) = rest.split_once(',').unwrap_or((rest, ""));
        let rest = rest.trim_start();
        let rest = rest.strip_prefix("ERROR_CODE :").unwrap_or(rest);
        return format!("{} {}", code.trim(), rest.trim_start_matches([',', ' '])).into();
    }
    if let Some(rest) = after(&RESPONSE_CODE, t)
        && let Some((code, words)) = rest.split_once(',')
        && code.len() == 3
        && code.bytes().all(|b| b.is_ascii_digit())
    {
        let words = words.trim_start_matches([',', ' ']);
        let words = words.split_once(']').map_or(words, |(w, _)| w);
        return format!("{code} {words}").into();
    }
    let b = t.as_bytes();
    if b.len() > 4
        && b[..3].iter().all(u8::is_ascii_digit)
        && b[3] == b':'
        && matches!(b[0], b'4' | b'5')
    {
        return format!("{} {}", &t[..3], t[4..].trim_start_matches([' ', ':'])).into();
    }
    d
}

/// Zoho's labels, searched with finders built once: every diagnostic is normalized.
static ERROR_CODE: LazyLock<memmem::Finder<'static>> =
    LazyLock::new(|| memmem::Finder::new("ERROR_CODE :"));
static RESPONSE_CODE: LazyLock<memmem::Finder<'static>> =
    LazyLock::new(|| memmem::Finder::new("ResponseCode "));

/// The text after the first occurrence of a finder's needle.
fn after<'t>(finder: &memmem::Finder<'_>, text: &'t str) -> Option<&'t str> {
    let at = finder.find(text.as_bytes())?;
    text.get(at + finder.needle().len()..)
}

/// Unwraps a reply quoted as `DDD-'text'` (a basic code, a dash and the quoted reply) into
/// `DDD text`; any other text is returned as it is.
pub fn unwrap_quoted(diagnostic: &str) -> std::borrow::Cow<'_, str> {
    let b = diagnostic.as_bytes();
    // Only the quotes are visited: the code is the three bytes before the `-` before one.
    let found = memchr::memchr_iter(b'\'', b)
        .filter(|&q| q >= 4 && b[q - 1] == b'-')
        .map(|q| q - 4)
        .find(|&i| {
            b[i..i + 3].iter().all(u8::is_ascii_digit)
                && matches!(b[i], b'4' | b'5')
                && (i == 0 || !b[i - 1].is_ascii_alphanumeric())
        });
    let Some(i) = found else {
        return diagnostic.into();
    };
    let inner = &diagnostic[i + 5..];
    let (quoted, after) = inner.split_once('\'').unwrap_or((inner, ""));
    format!(
        "{}{} {}{}",
        &diagnostic[..i],
        &diagnostic[i..i + 3],
        quoted,
        after
    )
    .into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sent_and_received_transcript_lines() {
        assert_eq!(sent_line(">>> RCPT TO:<a@b.c>"), Some(" RCPT TO:<a@b.c>"));
        assert_eq!(
            sent_line("Sent >>> RCPT TO: <a@b.c>"),
            Some(" RCPT TO: <a@b.c>")
        );
        assert_eq!(
            received_line("Received <<< 550 a@b.c... No such user"),
            Some(" 550 a@b.c... No such user")
        );
        assert_eq!(received_line("Received: from mx.example.com"), None);
        assert_eq!(sent_line("Sent: Thursday"), None);
    }

    #[test]
    fn commands() {
        assert_eq!(
            command_in("SMTP error from remote server after RCPT command: host: x 5.2.1 no"),
            Some(SmtpCommand::Rcpt)
        );
        assert_eq!(
            command_in("User Unknown [RCPT_TO]"),
            Some(SmtpCommand::Rcpt)
        );
        assert_eq!(
            command_in(
                "Sorry, no SMTP connection got far enough; most progress was RCPT TO response; remote host 192.0.2.32 said: 550 Unknown user"
            ),
            Some(SmtpCommand::Rcpt)
        );
        assert_eq!(command_in("550 5.1.1 user unknown"), None);
    }

    #[test]
    fn a_recipient_s_stage_in_a_transcript() {
        let text = "... while talking to mx.example.com.:\n>>> RCPT To:<a@example.com>\n\
                    <<< 550 5.1.1 <a@example.com>... User unknown\n\
                    ... while talking to mx.example.net.:\n>>> DATA\n\
                    <<< 550 Unknown user b@example.net\n554 5.0.0 Service unavailable\n";
        let exchanges = Exchanges::of(text);
        assert_eq!(
            exchanges.command_for("a@example.com"),
            Some(SmtpCommand::Rcpt)
        );
        assert_eq!(
            exchanges.command_for("B@example.net"),
            Some(SmtpCommand::Data)
        );
        assert_eq!(exchanges.command_for("c@example.org"), None);
        assert!(Exchanges::of("550 no transcript").is_empty());
    }

    #[test]
    fn transcripts() {
        let lines: Vec<String> = [">>> RCPT TO:<a@b.c>", "<<< 550 <a@b.c>: User unknown"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        assert_eq!(
            transcript(&lines),
            (
                Some(SmtpCommand::Rcpt),
                "550 <a@b.c>: User unknown".to_string()
            )
        );
        assert_eq!(transcript(&lines[..1]), (None, String::new()));
    }

    #[test]
    fn zoho_codes() {
        assert_eq!(
            normalize(
                "Invalid Address, ERROR_CODE :550, ERROR_CODE :5.2.1 <a@b.c>... User Unknown"
            ),
            "550 5.2.1 <a@b.c>... User Unknown"
        );
        assert_eq!(
            normalize(
                "[Status: Error, Address: <a@b.c>, ResponseCode 421, , Host not reachable.] Message will be retried"
            ),
            "421 Host not reachable."
        );
    }

    #[test]
    fn quoted_reply() {
        assert_eq!(
            unwrap_quoted("- Unknown address error 550-'5.7.1 <a@b>... Access denied' (x: 0)"),
            "- Unknown address error 550 5.7.1 <a@b>... Access denied (x: 0)"
        );
        assert_eq!(unwrap_quoted("550 fine"), "550 fine");
        assert_eq!(normalize("550: 5.1.1 <a@b>... no"), "550 5.1.1 <a@b>... no");
        assert_eq!(
            normalize("ERROR_CODE :550, ERROR_CODE :5.2.1 <a@b>... no"),
            "550 5.2.1 <a@b>... no"
        );
    }
}
