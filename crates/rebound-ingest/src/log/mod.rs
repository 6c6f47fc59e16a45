//! MTA logs: one line (or record) at a time in, classified [`BounceEvent`]s out, in the same
//! shape as bounce emails (`source.kind` = `log`, `source.message` = the line number).
//!
//! One module per format, each with the same shape: `detect` (is this line mine?) and a
//! [`LineParser`] that turns lines into [`Evidence`]s, remembering what it must between lines
//! in a bounded [`queue::Queue`]:
//!
//! | format | module | reads |
//! | --- | --- | --- |
//! | Postfix | [`postfix`] | smtp/lmtp/local/virtual/error lines with `status=bounced\|deferred\|sent`, `qmgr` `status=expired`, `smtpd` `reject:`, sender from `qmgr`, Message-ID from `cleanup` |
//! | Exim | [`exim`] | main log `**` (failed), `==` (deferred), `=>` (delivered), `rejected RCPT`, sender from `<=` |
//! | Sendmail | [`sendmail`] | `to=… dsn=… stat=…`, `ruleset=check_rcpt, … reject=…`, sender from `from=` |
//! | OpenSMTPD | [`opensmtpd`] | `mta/mda delivery … result="PermFail"\|"TempFail"\|"Ok"`, `Expire for`, `smtp failed-command` |
//! | KumoMTA | [`kumomta`] | JSON log records `Bounce`, `TransientFailure`, `Expiration` |
//! | PowerMTA | [`powermta`] | accounting CSV `b`/`t` records (`bounceCat`, `dsnStatus`, `dsnDiag`) |
//!
//! A line that does not fit its format is counted and skipped with its number
//! ([`LogStats::garbled`]); it never stops the run. Successful deliveries are not events
//! unless [`LogOptions::deliveries`] asks for them (they are sends, counted by the store).
//!
//! Each event's `dsn_action` is the MTA's own verdict marker (failed, delayed); the rules read
//! it (`rules/verdict.toml`), so `permanent` is set from it when no reply code or status says
//! it. An MTA's refusal of an SMTP command is an event of class `refused` ([`outcome`]).

pub mod exim;
pub mod fields;
pub mod file;
pub mod follow;
pub mod journal;
pub mod kumomta;
pub mod opensmtpd;
pub mod outcome;
pub mod postfix;
pub mod powermta;
pub mod queue;
pub mod sendmail;
pub mod syslog;

use crate::event::{Origin, build};
use crate::evidence::Evidence;
use rebound_core::{BounceEvent, Classifier, Reader, SourceKind};

/// The class an MTA log states for a message it gave up on after its retry time: Postfix's
/// `status=expired`, Exim's `retry timeout exceeded`, OpenSMTPD's `Expire`. The rule
/// `log.expired` reads it.
pub const EXPIRED: &str = "expired";
use std::io::BufRead;

/// The log formats this crate reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum LogFormat {
    /// Postfix via syslog.
    Postfix,
    /// Exim's main log.
    Exim,
    /// Sendmail via syslog.
    Sendmail,
    /// OpenSMTPD via syslog.
    OpenSmtpd,
    /// KumoMTA JSON log records, one per line.
    KumoMta,
    /// PowerMTA accounting CSV.
    PowerMta,
}

impl LogFormat {
    /// Every format, in detection order.
    pub const ALL: [LogFormat; 6] = [
        LogFormat::KumoMta,
        LogFormat::PowerMta,
        LogFormat::Exim,
        LogFormat::Postfix,
        LogFormat::OpenSmtpd,
        LogFormat::Sendmail,
    ];

    /// The name used on the command line and in the `mta` tag.
    pub fn name(self) -> &'static str {
        match self {
            LogFormat::Postfix => "postfix",
            LogFormat::Exim => "exim",
            LogFormat::Sendmail => "sendmail",
            LogFormat::OpenSmtpd => "opensmtpd",
            LogFormat::KumoMta => "kumomta",
            LogFormat::PowerMta => "powermta",
        }
    }

    /// The format of a name (as [`LogFormat::name`] gives it).
    pub fn from_name(name: &str) -> Option<LogFormat> {
        LogFormat::ALL.into_iter().find(|f| f.name() == name)
    }

    /// The reader named in the events of this format.
    pub fn reader(self) -> Reader {
        match self {
            LogFormat::Postfix => Reader::Postfix,
            LogFormat::Exim => Reader::Exim,
            LogFormat::Sendmail => Reader::Sendmail,
            LogFormat::OpenSmtpd => Reader::OpenSmtpd,
            LogFormat::KumoMta => Reader::KumoMta,
            LogFormat::PowerMta => Reader::PowerMta,
        }
    }

    /// Whether `line` looks like a line of this format.
    pub fn detect(self, line: &str) -> bool {
        match self {
            LogFormat::Postfix => postfix::detect(line),
            LogFormat::Exim => exim::detect(line),
            LogFormat::Sendmail => sendmail::detect(line),
            LogFormat::OpenSmtpd => opensmtpd::detect(line),
            LogFormat::KumoMta => kumomta::detect(line),
            LogFormat::PowerMta => powermta::detect(line),
        }
    }
}

/// Options of log reading.
#[derive(Debug, Clone)]
pub struct LogOptions {
    /// The year of BSD syslog timestamps, which carry none (default: the current year).
    pub year: Option<i32>,
    /// Most messages remembered at once while their lines are joined (default 100,000).
    pub max_open: usize,
    /// Yield deliveries too (`dsn_action` delivered: Postfix `status=sent`, Exim `=>`,
    /// OpenSMTPD `result="Ok"`), for counting sends; off by default: they are not bounces.
    pub deliveries: bool,
    /// The lines are journal export entries (`journalctl -o json`) of the format's MTA, read
    /// as the lines they hold ([`journal`]).
    pub journal: bool,
}

impl Default for LogOptions {
    fn default() -> Self {
        LogOptions {
            year: None,
            max_open: 100_000,
            deliveries: false,
            journal: false,
        }
    }
}

/// Why a line was skipped as garbled.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Garbled {
    /// The 1-based line number.
    pub line: u64,
    /// What was wrong.
    pub why: std::borrow::Cow<'static, str>,
}

/// Counts of a log reading.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct LogStats {
    /// Lines read.
    pub lines: u64,
    /// Events produced.
    pub events: u64,
    /// Lines skipped because they did not fit the format.
    pub garbled: u64,
    /// The first [`LogStats::KEEP`] garbled lines, with why.
    pub first_garbled: Vec<Garbled>,
    /// Messages forgotten before their end to keep memory bounded.
    pub evicted: u64,
}

impl LogStats {
    /// How many garbled lines are kept with their reason.
    pub const KEEP: usize = 100;

    /// Counts line `line` as garbled, keeping why while fewer than [`LogStats::KEEP`] are.
    pub fn garble(&mut self, line: u64, why: impl Into<std::borrow::Cow<'static, str>>) {
        self.garbled += 1;
        if self.first_garbled.len() < LogStats::KEEP {
            self.first_garbled.push(Garbled {
                line,
                why: why.into(),
            });
        }
    }
}

/// A format's line reader: state between lines lives in it.
pub trait LineParser: Send {
    /// Reads one non-blank line (without its line ending), pushing what it says about
    /// recipients; [`LogReader`] skips blank lines before they get here.
    /// `Err(why)` marks the line as garbled; lines of other programs are `Ok` and give nothing.
    fn line(
        &mut self,
        number: u64,
        line: &str,
        out: &mut Vec<Evidence>,
    ) -> Result<(), &'static str>;

    /// Messages forgotten so far to keep memory bounded.
    fn evicted(&self) -> u64 {
        0
    }
}

/// Reads a log line by line into classified events.
pub struct LogReader<'c> {
    format: LogFormat,
    parser: Box<dyn LineParser>,
    classifier: &'c Classifier,
    origin: Origin,
    findings: Vec<Evidence>,
    stats: LogStats,
    deliveries: bool,
    journal: bool,
}

impl<'c> LogReader<'c> {
    /// A reader of `format` for the file `path` (`None` or `-` for standard input).
    pub fn new(
        format: LogFormat,
        classifier: &'c Classifier,
        path: Option<String>,
        options: &LogOptions,
    ) -> LogReader<'c> {
        let year = options.year.unwrap_or_else(crate::time::current_year);
        let parser: Box<dyn LineParser> = match format {
            LogFormat::Postfix => Box::new(postfix::Parser::new(year, options.max_open)),
            LogFormat::Exim => Box::new(exim::Parser::new(options.max_open)),
            LogFormat::Sendmail => Box::new(sendmail::Parser::new(year, options.max_open)),
            LogFormat::OpenSmtpd => Box::new(opensmtpd::Parser::new(year, options.max_open)),
            LogFormat::KumoMta => Box::new(kumomta::Parser),
            LogFormat::PowerMta => Box::new(powermta::Parser::default()),
        };
        LogReader {
            format,
            parser,
            classifier,
            origin: Origin { path, message: 0 },
            findings: Vec::new(),
            stats: LogStats::default(),
            deliveries: options.deliveries,
            journal: options.journal,
        }
    }

    /// The format read.
    pub fn format(&self) -> LogFormat {
        self.format
    }

    /// Reads line `number` (1-based), appending its events to `out`. Invalid UTF-8 is read
    /// as U+FFFD.
    pub fn line(&mut self, number: u64, line: &[u8], out: &mut Vec<BounceEvent>) {
        let text = String::from_utf8_lossy(line);
        let text = text.trim_end_matches(['\n', '\r']);
        self.stats.lines += 1;
        if text.trim().is_empty() {
            return;
        }
        self.findings.clear();
        let converted;
        let text = if self.journal {
            match journal::to_line(text, self.format) {
                Ok(Some(line)) => {
                    converted = line;
                    converted.as_str()
                }
                Ok(None) => return,
                Err(why) => {
                    self.stats.garble(number, why);
                    return;
                }
            }
        } else {
            text
        };
        match self.parser.line(number, text, &mut self.findings) {
            Ok(()) => {}
            Err(why) => {
                self.stats.garbled += 1;
                if self.stats.first_garbled.len() < LogStats::KEEP {
                    self.stats.first_garbled.push(Garbled {
                        line: number,
                        why: why.into(),
                    });
                }
            }
        }
        for mut evidence in self.findings.drain(..) {
            if !self.deliveries
                && evidence.record.action == Some(rebound_core::DsnAction::Delivered)
            {
                continue;
            }
            evidence.kind = SourceKind::Log;
            evidence.reader = Some(self.format.reader());
            evidence.number = number;
            evidence
                .tags
                .insert("mta".into(), self.format.name().to_string());
            out.push(build(evidence, self.classifier, &self.origin));
            self.stats.events += 1;
        }
        self.stats.evicted = self.parser.evicted();
    }

    /// The counts so far.
    pub fn stats(&self) -> &LogStats {
        &self.stats
    }
}

/// Reads a whole log into events. Lines longer than `max_line` bytes are skipped as
/// garbled without being held in memory.
pub fn read_log(
    mut input: impl BufRead,
    reader: &mut LogReader<'_>,
    max_line: usize,
) -> std::io::Result<Vec<BounceEvent>> {
    let mut out = Vec::new();
    let mut lines = crate::lines::Lines::new(max_line);
    while let Some(line) = lines.next_line(&mut input)? {
        match line {
            crate::lines::Line::Text(number, bytes) => reader.line(number, bytes, &mut out),
            crate::lines::Line::TooLong(number) => reader.too_long(number),
        }
    }
    Ok(out)
}

impl LogReader<'_> {
    /// Counts line `number` as garbled because it was longer than the line limit.
    pub fn too_long(&mut self, number: u64) {
        self.stats.lines += 1;
        self.stats.garbled += 1;
        if self.stats.first_garbled.len() < LogStats::KEEP {
            self.stats.first_garbled.push(Garbled {
                line: number,
                why: "line longer than the limit".into(),
            });
        }
    }
}
