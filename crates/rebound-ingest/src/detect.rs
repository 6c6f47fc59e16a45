//! What is this input? Sniffs the kind of a file or body from its first bytes: a bounce
//! email, an mbox, an MTA log (and which MTA's), or an email-service webhook (and which
//! provider's), and routes it to its reader. `--format` on the command line overrides the
//! guess ([`Format`]).

use crate::log::{LogFormat, LogOptions, LogStats, file};
use crate::webhook::{self, WebhookError, WebhookFormat};
use rebound_core::{BounceEvent, Classifier};
use std::io::{BufRead, Read};
use std::path::{Path, PathBuf};
use std::str::FromStr;

/// How much of an input is looked at to sniff its kind.
pub const SNIFF_BYTES: usize = 64 * 1024;

/// The kind of an input.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum InputKind {
    /// One email message (a bounce, hopefully).
    Mail,
    /// An mbox file (RFC 4155).
    Mbox,
    /// An MTA log.
    Log(LogFormat),
    /// The systemd journal's JSON export (`journalctl -o json`) of an MTA's unit.
    Journal(LogFormat),
    /// A webhook body (the provider, when the first bytes tell).
    Webhook(Option<WebhookFormat>),
    /// Nothing recognizable.
    Unknown,
}

/// The format asked for on the command line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum Format {
    /// Sniff each input.
    #[default]
    Auto,
    /// Email messages (.eml files, Maildir, directories).
    Mail,
    /// mbox files.
    Mbox,
    /// An MTA log.
    Log(LogFormat),
    /// A webhook body.
    Webhook(WebhookFormat),
}

/// An unknown format name.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "unknown format `{0}` (auto, mail, mbox, postfix, exim, sendmail, opensmtpd, kumomta, powermta, ses, sendgrid, mailgun, postmark, sparkpost, mandrill)"
)]
pub struct UnknownFormat(pub String);

impl FromStr for Format {
    type Err = UnknownFormat;

    fn from_str(s: &str) -> Result<Format, UnknownFormat> {
        match s {
            "auto" => Ok(Format::Auto),
            "mail" => Ok(Format::Mail),
            "mbox" => Ok(Format::Mbox),
            _ => LogFormat::from_name(s)
                .map(Format::Log)
                .or_else(|| WebhookFormat::from_name(s).map(Format::Webhook))
                .ok_or_else(|| UnknownFormat(s.to_string())),
        }
    }
}

/// Sniffs the kind of an input from its first bytes (up to [`SNIFF_BYTES`]).
pub fn sniff(head: &[u8]) -> InputKind {
    let head = &head[..head.len().min(SNIFF_BYTES)];
    if starts_with_header_field(head) {
        // An RFC 5322 header line (`Return-Path: <>`): a message. No log line looks like one
        // (their first word is a date, a time or a CSV record) and JSON starts with `{` or `[`,
        // so a directory of thousands of .eml files is told apart on its first line each.
        return InputKind::Mail;
    }
    let text = String::from_utf8_lossy(head);
    let start = text.trim_start();
    if start.starts_with("mandrill_events=") || text.contains("&mandrill_events=") {
        return InputKind::Webhook(Some(WebhookFormat::Mandrill));
    }
    let first_line = start.lines().next().unwrap_or("");
    if LogFormat::KumoMta.detect(first_line) {
        return InputKind::Log(LogFormat::KumoMta);
    }
    if crate::log::journal::is_entry(first_line) {
        // A journal export: the MTA whose lines its entries hold (or, when none is one yet,
        // the first MTA with the most detections; Postfix when nothing tells).
        let format = crate::log::journal::format_of(start).unwrap_or(LogFormat::Postfix);
        return InputKind::Journal(format);
    }
    if start.starts_with('{') || start.starts_with('[') {
        let provider = webhook::body_json(head)
            .ok()
            .and_then(|v| webhook::detect(&v));
        return InputKind::Webhook(provider.or_else(|| keyword_provider(start)));
    }
    if let Some(format) = log_format(start) {
        return InputKind::Log(format);
    }
    if first_line.starts_with("From ") {
        return InputKind::Mbox;
    }
    if is_header_field(first_line) {
        return InputKind::Mail;
    }
    InputKind::Unknown
}

/// The provider of a (possibly cut) JSON body, by the field names only it uses.
fn keyword_provider(text: &str) -> Option<WebhookFormat> {
    let has = |k: &str| text.contains(k);
    if has("\"TopicArn\"") || has("\"notificationType\"") || has("\"bouncedRecipients\"") {
        Some(WebhookFormat::Ses)
    } else if has("\"event-data\"") {
        Some(WebhookFormat::Mailgun)
    } else if has("\"TypeCode\"") {
        Some(WebhookFormat::Postmark)
    } else if has("\"msys\"") {
        Some(WebhookFormat::SparkPost)
    } else if has("\"sg_event_id\"") {
        Some(WebhookFormat::SendGrid)
    } else if has("\"msg\"") && has("\"event\"") {
        Some(WebhookFormat::Mandrill)
    } else {
        None
    }
}

/// The log format most of the first lines fit.
fn log_format(text: &str) -> Option<LogFormat> {
    let lines: Vec<&str> = text
        .lines()
        .filter(|l| !l.trim().is_empty())
        .take(50)
        .collect();
    LogFormat::ALL
        .into_iter()
        .map(|f| (f, lines.iter().filter(|l| f.detect(l)).count()))
        .filter(|&(_, n)| n > 0)
        .max_by_key(|&(_, n)| n)
        .map(|(f, _)| f)
}

/// Whether the first line of `head` is `Name: value` with a field name that starts with a
/// letter (an ISO-dated log line, `2026-12-05T10:00:00 host …`, starts with a digit).
fn starts_with_header_field(head: &[u8]) -> bool {
    let line = &head[..memchr::memchr(b'\n', head).unwrap_or(head.len())];
    field_name(line).is_some_and(|name| name[0].is_ascii_alphabetic())
}

/// `Name: value` with any RFC 5322 field name (the fallback once no log format fits).
fn is_header_field(line: &str) -> bool {
    field_name(line.as_bytes()).is_some()
}

/// The field name of a `Name: value` line: letters, digits and `-` before the first colon.
fn field_name(line: &[u8]) -> Option<&[u8]> {
    let name = &line[..memchr::memchr(b':', line)?];
    (!name.is_empty() && name.iter().all(|b| b.is_ascii_alphanumeric() || *b == b'-'))
        .then_some(name)
}

/// The kind of the input at `path` under `format`: given, or sniffed from its head
/// ([`head`]). Directories are mail (Maildir or folders of .eml files); standard input (`-`)
/// is sniffed from a peek at its first bytes like a file.
pub fn kind_of(path: &Path, format: Format) -> std::io::Result<InputKind> {
    match format {
        Format::Mail => return Ok(InputKind::Mail),
        Format::Mbox => return Ok(InputKind::Mbox),
        Format::Log(f) => return Ok(InputKind::Log(f)),
        Format::Webhook(f) => return Ok(InputKind::Webhook(Some(f))),
        Format::Auto => {}
    }
    if path.as_os_str() != "-" && path.is_dir() {
        return Ok(InputKind::Mail);
    }
    Ok(sniff(&head(path)?))
}

/// The first bytes of the input at `path`, without consuming them: up to [`SNIFF_BYTES`] of a
/// file, or, for standard input (`-`), what its buffer holds after one read (at most the
/// standard library's buffer, 8 KiB; nothing more is read, so a huge or endless stream is
/// never held). The standard input buffer is shared by the whole process, so every reader
/// that follows still sees these bytes. Empty for a directory.
pub fn head(path: &Path) -> std::io::Result<Vec<u8>> {
    if path.as_os_str() == "-" {
        let mut stdin = std::io::stdin().lock();
        let peek = loop {
            match stdin.fill_buf() {
                Ok(b) => break b,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        };
        return Ok(peek[..peek.len().min(SNIFF_BYTES)].to_vec());
    }
    if path.is_dir() {
        return Ok(Vec::new());
    }
    let mut head = Vec::with_capacity(4096);
    std::fs::File::open(path)?
        .take(SNIFF_BYTES as u64)
        .read_to_end(&mut head)?;
    Ok(head)
}

/// [`sniff`] of a file in a directory walk: its first line alone first (a directory of
/// messages is read again in full by the mail reader, so each file is opened twice; the first
/// time only for a few hundred bytes when the first line is a header field), then its head.
fn sniff_file(path: &Path) -> std::io::Result<InputKind> {
    let mut file = std::fs::File::open(path)?;
    let mut first = Vec::with_capacity(512);
    (&mut file).take(512).read_to_end(&mut first)?;
    if starts_with_header_field(&first) && memchr::memchr(b'\n', &first).is_some() {
        return Ok(InputKind::Mail);
    }
    let mut head = first;
    file.take((SNIFF_BYTES - head.len()) as u64)
        .read_to_end(&mut head)?;
    Ok(sniff(&head))
}

/// Waits until the file at `path` holds a first complete line (it may not exist yet), polling
/// every `poll`, so that a log followed from its creation (`parse --follow` on an empty or
/// missing file) is sniffed from real lines. Returns at once for standard input and
/// directories; `stop()` ends the wait early.
pub fn wait_for_first_line(
    path: &Path,
    poll: std::time::Duration,
    stop: &dyn Fn() -> bool,
) -> std::io::Result<()> {
    if path.as_os_str() == "-" {
        return Ok(());
    }
    loop {
        match head(path) {
            Ok(h) if h.trim_ascii_start().contains(&b'\n') || path.is_dir() => return Ok(()),
            Ok(h) if h.len() >= SNIFF_BYTES => return Ok(()),
            Ok(_) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(e),
        }
        if stop() {
            return Ok(());
        }
        std::thread::sleep(poll);
    }
}

/// Whether an input holds JSON lines of events: named *.jsonl or *.ndjson, or a file (or
/// standard input: a peek, nothing consumed) whose first non-blank line is a JSON object with
/// the event's `source` and `reason` fields. Directories are mail.
pub fn holds_events(path: &Path) -> bool {
    let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("");
    if ["jsonl", "ndjson"]
        .iter()
        .any(|x| ext.eq_ignore_ascii_case(x))
    {
        return true;
    }
    head(path).is_ok_and(|head| first_line_is_event(&head))
}

/// Whether the first non-blank line of `head` is a `rebound parse --json` event (a line cut
/// by the end of `head` is judged by its start: `{"source":`, the event's first field).
fn first_line_is_event(head: &[u8]) -> bool {
    let start = head.trim_ascii_start();
    if !start.starts_with(b"{") {
        return false;
    }
    let line = start.split(|b| *b == b'\n').next().unwrap_or(start);
    match serde_json::from_slice::<serde_json::Value>(line) {
        Ok(v) => {
            v.get("source").is_some_and(serde_json::Value::is_object) && v.get("reason").is_some()
        }
        Err(_) => {
            let compact: Vec<u8> = line
                .iter()
                .copied()
                .filter(|b| !b.is_ascii_whitespace())
                .take(10)
                .collect();
            compact.starts_with(b"{\"source\":")
        }
    }
}

/// Why a log or webhook input could not be read.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ReadError {
    /// Reading failed.
    #[error("{0}")]
    Io(#[from] std::io::Error),
    /// The webhook body was refused.
    #[error("{0}")]
    Webhook(#[from] WebhookError),
    /// The input's size is over the webhook limit.
    #[error("over {max} bytes: too large for a webhook body", max = webhook::json::MAX_BODY)]
    TooLarge,
}

/// Reads a log or webhook file (`-`: standard input) of `kind`, calling `each` per event.
/// With `stop`, a log file is followed (`tail -F`) until `stop()` says so. Returns the log
/// counts (empty for a webhook).
pub fn read_foreign(
    path: &Path,
    kind: InputKind,
    classifier: &Classifier,
    options: &LogOptions,
    stop: Option<&dyn Fn() -> bool>,
    each: &mut dyn FnMut(BounceEvent) -> std::io::Result<()>,
) -> Result<LogStats, ReadError> {
    let name = path.display().to_string();
    let stdin = path.as_os_str() == "-";
    let journal_options;
    let (kind, options) = match kind {
        InputKind::Journal(format) => {
            journal_options = LogOptions {
                journal: true,
                ..options.clone()
            };
            (InputKind::Log(format), &journal_options)
        }
        other => (other, options),
    };
    match kind {
        InputKind::Log(format) => match stop {
            Some(stop) if !stdin => {
                Ok(file::follow(path, format, classifier, options, stop, each)?)
            }
            _ if stdin => Ok(file::read_stream(
                std::io::stdin().lock(),
                &name,
                format,
                classifier,
                options,
                each,
            )?),
            _ => {
                let f = std::io::BufReader::with_capacity(256 * 1024, std::fs::File::open(path)?);
                Ok(file::read_stream(
                    f, &name, format, classifier, options, each,
                )?)
            }
        },
        InputKind::Webhook(format) => {
            let bodies = webhook::file::Bodies {
                format,
                classifier,
                name: &name,
                deliveries: options.deliveries,
            };
            if stdin {
                bodies.read(std::io::stdin().lock(), each)
            } else {
                bodies.read(std::fs::File::open(path)?, each)
            }
        }
        _ => Ok(LogStats::default()),
    }
}

/// Splits inputs into logs and webhook bodies (with their kind) and the paths the mail
/// reader takes (emails, mbox, Maildir, and inputs that could not be sniffed: the mail reader
/// reports why). Standard input is sniffed like a file. Under [`Format::Auto`], a directory
/// that is not a Maildir is walked (recursively, in name order, hidden entries and a second
/// visit of a directory skipped, as the mail reader walks) and each file sniffed like a file
/// given alone, so a folder of logs, webhook bodies and emails mixed is read whole; a Maildir
/// (`cur/` and `new/`) goes to the mail reader whole. A directory met again in one walk (a
/// symlink loop, or a second link to it) is skipped, with a warning handed to `warn`.
pub fn split_paths(
    paths: &[PathBuf],
    format: Format,
    warn: &mut dyn FnMut(String),
) -> (Vec<(PathBuf, InputKind)>, Vec<PathBuf>) {
    let (mut foreign, mut mail) = (Vec::new(), Vec::new());
    for path in paths {
        if format == Format::Auto && path.as_os_str() != "-" && path.is_dir() && !is_maildir(path) {
            let mut visited = std::collections::HashSet::new();
            walk(path, &mut visited, &mut foreign, &mut mail, warn);
            continue;
        }
        match kind_of(path, format) {
            Ok(kind @ (InputKind::Log(_) | InputKind::Journal(_) | InputKind::Webhook(_))) => {
                foreign.push((path.clone(), kind))
            }
            _ => mail.push(path.clone()),
        }
    }
    (foreign, mail)
}

/// Whether `dir` is a Maildir (has `cur/` and `new/`).
fn is_maildir(dir: &Path) -> bool {
    dir.join("cur").is_dir() && dir.join("new").is_dir()
}

/// Sniffs every file under `dir` into `foreign` or `mail`; a Maildir below goes to `mail`
/// whole; a directory already walked (a symlink loop) is skipped with a warning; an entry that
/// cannot be read goes to the mail reader, which reports why.
fn walk(
    dir: &Path,
    visited: &mut std::collections::HashSet<(u64, u64)>,
    foreign: &mut Vec<(PathBuf, InputKind)>,
    mail: &mut Vec<PathBuf>,
    warn: &mut dyn FnMut(String),
) {
    let fresh = std::fs::metadata(dir)
        .map(|m| visited.insert(crate::container::dir_id(&m)))
        .unwrap_or(true);
    if !fresh {
        warn(format!(
            "{}: directory already read (a symlink loop, or a second link to it); skipped",
            dir.display()
        ));
        return;
    }
    let Ok(children) = crate::container::list_dir(dir) else {
        mail.push(dir.to_path_buf());
        return;
    };
    for child in children {
        // A `.eml` file is a message by its name (the extension of message/rfc822 files): not
        // opened twice. The mail reader still refuses one that is not a message, by name.
        if child
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("eml"))
        {
            mail.push(child);
            continue;
        }
        // Sniffed first: a directory fails to read (EISDIR) and only then is looked at as
        // one, so a folder of many files costs no extra `stat` per file.
        match sniff_file(&child) {
            Ok(kind @ (InputKind::Log(_) | InputKind::Journal(_) | InputKind::Webhook(_))) => {
                foreign.push((child, kind))
            }
            Err(_) if child.is_dir() => {
                if is_maildir(&child) {
                    mail.push(child);
                } else {
                    walk(&child, visited, foreign, mail, warn);
                }
            }
            _ => mail.push(child),
        }
    }
}

/// Reads every log and webhook input with `options` (deliveries too when it asks), handing
/// `each` an event or, for a garbled log line or a refused body, why (`path: line N: …`). With
/// `follow`, the one log input is followed until the process ends.
pub fn read_all(
    inputs: &[(PathBuf, InputKind)],
    classifier: &Classifier,
    options: &LogOptions,
    follow: bool,
    each: &mut dyn FnMut(Result<BounceEvent, String>) -> std::io::Result<()>,
) -> std::io::Result<()> {
    if follow
        && (inputs.len() != 1 || !matches!(inputs[0].1, InputKind::Log(_) | InputKind::Journal(_)))
    {
        return Err(std::io::Error::new(
            std::io::ErrorKind::InvalidInput,
            "--follow reads exactly one log file",
        ));
    }
    let never = || false;
    for (path, kind) in inputs {
        let stop: Option<&dyn Fn() -> bool> = if follow { Some(&never) } else { None };
        // An error of `each` (a closed pipe, a store that failed) stops the run; only errors
        // of reading the input are reported and skipped.
        let mut stopped: Option<std::io::Error> = None;
        let result = read_foreign(path, *kind, classifier, options, stop, &mut |e| {
            each(Ok(e)).map_err(|err| {
                let kind = err.kind();
                stopped = Some(err);
                std::io::Error::new(kind, "stopped by the event handler")
            })
        });
        if let Some(err) = stopped {
            return Err(err);
        }
        let name = path.display();
        match result {
            Ok(stats) => {
                for g in &stats.first_garbled {
                    each(Err(format!("{name}: line {}: skipped: {}", g.line, g.why)))?;
                }
                if stats.garbled > stats.first_garbled.len() as u64 {
                    let more = stats.garbled - stats.first_garbled.len() as u64;
                    each(Err(format!("{name}: {more} more garbled lines skipped")))?;
                }
            }
            Err(ReadError::Io(e)) if e.kind() == std::io::ErrorKind::BrokenPipe => return Err(e),
            Err(e) => each(Err(format!("{name}: {e}")))?,
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds() {
        assert_eq!(sniff(b"Return-Path: <>\nFrom: x\n\nbody"), InputKind::Mail);
        assert_eq!(
            sniff(b"From MAILER-DAEMON Thu Jan  1 00:00:00 2026\nFrom: x\n"),
            InputKind::Mbox
        );
        assert_eq!(
            sniff(b"2026-11-27T02:37:06.2+00:00 mta-lab postfix/qmgr[385]: 3279098C335: removed\n"),
            InputKind::Log(LogFormat::Postfix)
        );
        assert_eq!(
            sniff(b"2026-11-27 02:37:08 1xWlpk-000091-0g Completed\n"),
            InputKind::Log(LogFormat::Exim)
        );
        assert_eq!(
            sniff(b"[{\"event\":\"bounce\",\"email\":\"a@b\",\"sg_event_id\":\"x\"}]"),
            InputKind::Webhook(Some(WebhookFormat::SendGrid))
        );
        assert_eq!(
            sniff(b"mandrill_events=%5B%5D"),
            InputKind::Webhook(Some(WebhookFormat::Mandrill))
        );
        assert_eq!(
            "postfix".parse::<Format>(),
            Ok(Format::Log(LogFormat::Postfix))
        );
        assert!("nope".parse::<Format>().is_err());
    }
}
