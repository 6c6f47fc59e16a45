//! `rebound ingest`: everything `rebound parse` reads (bounce emails, mbox, Maildir,
//! directories, MTA logs, webhook bodies; routed by [`crate::route`], the same code as
//! `rebound parse`) and the JSON lines `rebound parse --json` prints, into the store, in
//! batched transactions, idempotently. Also home of [`StoreArgs`], the `--db` option every
//! store command shares.

use crate::input;
use crate::route::{self, Outcome, Reading};
use anyhow::Context;
use clap::Args;
use rebound_core::{BounceEvent, Classifier};
use rebound_ingest::Format;
use rebound_ingest::Options;
use rebound_store::{Access, Ingester, Location, Policy, SourceRule, Store};
use serde::Serialize;
use std::io::{BufRead, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::str::FromStr;
use std::sync::Arc;

/// The `--db` option of every store command.
#[derive(Args, Clone)]
pub struct StoreArgs {
    /// The store: an SQLite file path, or a PostgreSQL URL (postgres://user@host:port/db).
    /// Default: $REBOUND_DB, else $XDG_DATA_HOME/rebound/rebound.db
    /// (~/.local/share/rebound/rebound.db). PostgreSQL gives up after 10 s without an answer
    /// (start-up included; `?connect_timeout=SECONDS` to change) and stops a statement after
    /// 5 min (`?options=-c%20statement_timeout%3D60s` to change). SQLite waits up to 120 s for
    /// another writer's lock, saying so after a second.
    #[arg(long, value_name = "PATH|URL", global = true)]
    pub db: Option<String>,

    /// The suppression policy file (TOML); see `rebound suppressions policy` for the defaults.
    #[arg(long, value_name = "FILE", global = true)]
    pub policy: Option<PathBuf>,
}

impl StoreArgs {
    /// Opens the store named by `--db`, `REBOUND_DB` or the default for `access` (only
    /// commands that write events create one), with the policy.
    pub fn open(&self, access: Access) -> anyhow::Result<Store> {
        let location = Location::resolve(self.db.as_deref())?;
        let mut store = Store::open_with(&location, access).map_err(|e| {
            use rebound_store::StoreError as E;
            match e {
                // These name the store themselves.
                E::Missing { .. }
                | E::NotAStore { .. }
                | E::SchemaTooOld { .. }
                | E::Open { .. }
                | E::Unreachable { .. }
                | E::BadUrl { .. } => anyhow::Error::new(e),
                e => anyhow::Error::new(e).context(format!("opening the store {location}")),
            }
        })?;
        store.set_policy(self.load_policy()?);
        Ok(store)
    }

    /// The policy from `--policy`, or the defaults.
    pub fn load_policy(&self) -> anyhow::Result<Policy> {
        match &self.policy {
            None => Ok(Policy::default()),
            Some(path) => {
                let text = input::read_limited(path, input::MAX_POLICY_FILE, "policy file")?;
                Policy::from_toml(&text).with_context(|| format!("in {}", path.display()))
            }
        }
    }
}

/// Feed bounces into the store: events, suppressions, forward hints, lead sources.
#[derive(Args)]
#[command(after_help = "Examples:
  rebound ingest ~/Maildir/.Bounces                    # default store: ~/.local/share/rebound/rebound.db
  rebound ingest --source fair-2024 bounces.mbox       # label every event with a lead source
  rebound ingest --source-header X-Campaign bounces/   # lead source from a header of the returned message
  rebound ingest --source-tag lead_source webhooks/    # lead source from an email service's metadata
  rebound ingest --source-tag list --source-tag vendor sendgrid-events.json
  rebound sends import sends.csv && rebound ingest /var/log/mail.log   # sources from a send list
  rebound parse --json bounces/ | rebound ingest -     # JSON lines from `rebound parse --json`
  rebound ingest /var/log/mail.log ses-bounce.json     # MTA logs and webhook bodies too
  rebound ingest --db postgres://postgres@127.0.0.1:5432/test --format jsonl events.jsonl

Inputs: everything `rebound parse` reads, routed the same way: .eml files, mbox files, Maildir
folders, directories, MTA logs (Postfix, Exim, Sendmail, OpenSMTPD, KumoMTA, PowerMTA) and
webhook bodies (SES, SendGrid, Mailgun, Postmark, SparkPost, Mandrill), each input's kind
sniffed from its first bytes (standard input too) or given by --format; and JSON lines of
events (`rebound parse --json`): a file named *.jsonl/*.ndjson, or any input whose first line
is a JSON object with the event's `source` and `reason` fields.

Lead source: each event's source is chosen in this order, the first that gives a value that
is not blank winning:
  1. --source VALUE: the same source for every event of the run;
  2. each --source-tag KEY, in the order given: the event tag KEY, else the email service's
     metadata key KEY (the tag meta.KEY: Mailgun user-variables, SendGrid custom arguments,
     Postmark Metadata, SES message tags, SparkPost rcpt_meta, Mandrill metadata; see
     docs/tags.md); a value that is not a string is used as its JSON text, a list of one
     value as that value;
  3. --source-header NAME (default X-Lead-Source): that header of the returned message of a
     bounce email (read from a message/rfc822 part, a text/rfc822-headers part, a copy
     quoted in the bounce's text, or the message inside a bounce forwarded as an
     attachment), or of the original message as an email service reports it (SES
     mail.headers: the tag header.NAME).
  4. the send list (unless --no-send-list): the source of the send the event answers, among
     the sends the store keeps (`rebound sends import FILE.csv`, and the deliveries and
     failures of earlier logs and webhooks that had a source): the send of the event's
     Message-ID (the returned message's of a bounce email, the message id of a log line or
     a webhook event; of several recipients, the event's own first), else the most recent send to
     the event's recipient at or before the event's time, else the most recent send to it.
     Import the send list before the bounces: the lookup is made when an event is stored.
An event with none of these has no source (`(none)` in `rebound report --by source`).
A log's or webhook's send (a delivery, a final failure) without a source of its own is looked
up the same way; one found in the send list is that listed send, counted already, so a list
and a log of the same mailing count each message once, under the list's source.

Idempotent: an event is identified by a key over its recipient, message id, time, reporting
MTA, reply code, status, DSN action and text; ingesting the same bounce again, or from several
processes at once, stores it once. Events are written in transactions of --batch events; an
interrupted run loses nothing that re-running does not restore. A bad input (a file that cannot
be read, a message or line that does not parse) is reported on stderr and skipped.

Sends: the deliveries in MTA logs (Postfix status=sent, Exim =>, OpenSMTPD result=\"Ok\",
Sendmail stat=Sent) and webhooks (delivered, processed) are counted as sends per lead source,
recipient domain and day, not stored as events; each recipient's final failure in a log or
webhook is a send too. They are the denominators of `rebound report`'s rates per 1,000 sent
(see `rebound sends --help`).

Summary: on stderr, or as one JSON object on stdout with --json: {db, backend, events, new,
duplicates, suppressed, sender_side, hints, review, skipped, failures, sends: {sends, new,
duplicates}}; `review` counts new
events whose verdict asks for review (never suppressing; each a review item in `rebound hints
list`); `skipped` counts events the store refused (reported one by one with the database's
error; the rest of their batch is stored). Text is stored alike on both backends: a NUL byte
(which PostgreSQL cannot store) becomes U+FFFD, as invalid UTF-8 already does.

Exit codes: 0 every input was read, 1 some input was bad (the rest was ingested) or the store
failed, 2 usage.

MTA pipe (--mta): one message on standard input, handed over by an MTA's pipe transport
(Postfix pipe(8), Exim's pipe transport; see docs/mta-pipe.md), exit codes of sysexits.h:
  0   the message was stored, or it holds no bounce or cannot be read (accepted, one line on
      stderr saying so: a failure status would make the MTA bounce a bounce, or send a
      bounce of spam to a forged sender);
  75  EX_TEMPFAIL: anything else (the store cannot be opened or written, a bad command line,
      a rules file that does not load): the MTA keeps the message and retries.
Nothing is printed when the message was stored; otherwise one line on stderr.
  rebound ingest --mta --db postgres://rebound@db.example.net/rebound -")]
pub struct IngestArgs {
    /// Files, mbox files, Maildir folders, directories, MTA logs, webhook bodies or
    /// JSON-lines files; `-` (or nothing) reads standard input.
    #[arg(value_name = "PATH")]
    paths: Vec<PathBuf>,

    /// Input format: auto (sniff each input), jsonl (events from `rebound parse --json`), or
    /// any format `rebound parse --format` takes: mail, mbox, an MTA log (postfix, exim,
    /// sendmail, opensmtpd, kumomta, powermta) or a webhook body (ses, sendgrid, mailgun,
    /// postmark, sparkpost, mandrill).
    #[arg(long, value_name = "FORMAT", default_value = "auto")]
    format: IngestFormat,

    #[command(flatten)]
    sources: SourceArgs,

    /// Events per transaction.
    #[arg(long, value_name = "N", default_value_t = rebound_store::DEFAULT_BATCH)]
    batch: usize,

    /// Print the summary as one JSON object on stdout.
    #[arg(long)]
    json: bool,

    /// MTA pipe mode: read one message from standard input and answer with the exit codes
    /// of sysexits.h an MTA's pipe transport understands (0 accepted, 75 EX_TEMPFAIL: retry
    /// later); quiet when the message was stored. See "MTA pipe" below.
    #[arg(long)]
    mta: bool,

    #[command(flatten)]
    store: StoreArgs,
}

/// The lead-source options of `rebound ingest` and `rebound watch` (see "Lead source" in
/// `rebound ingest --help`).
#[derive(Args, Clone)]
pub struct SourceArgs {
    /// The lead source of every event of this run (wins over --source-tag and
    /// --source-header).
    #[arg(long, value_name = "TAG")]
    pub source: Option<String>,

    /// A metadata key that names the lead source (the tag KEY, else meta.KEY); repeatable,
    /// the first present wins; tried before --source-header.
    #[arg(long, value_name = "KEY")]
    pub source_tag: Vec<String>,

    /// The header of the returned message that names the lead source.
    #[arg(long, value_name = "NAME", default_value = "X-Lead-Source")]
    pub source_header: String,

    /// Do not look an event's lead source up in the send list (by Message-ID, then address)
    /// when no step before gives one; a log's or webhook's send is then counted on its own
    /// (once per address and Message-ID), whether the list holds it or not.
    #[arg(long)]
    pub no_send_list: bool,
}

impl SourceArgs {
    /// The store's rule for choosing each event's lead source.
    pub fn rule(&self) -> SourceRule {
        SourceRule {
            tag: self.source.clone(),
            tags: self.source_tag.clone(),
            header: self.source_header.clone(),
            send_list: !self.no_send_list,
        }
    }
}

/// EX_TEMPFAIL of sysexits.h: the MTA defers the message and tries again later.
pub const EX_TEMPFAIL: u8 = 75;

/// How inputs are read: JSON lines of events, or as `rebound parse` reads them.
#[derive(Clone, Copy, PartialEq, Eq)]
enum IngestFormat {
    /// JSON lines of events.
    Jsonl,
    /// A `rebound parse` format (`auto`: JSON lines when the input looks like them, else
    /// sniffed as `rebound parse` does).
    Parse(Format),
}

impl FromStr for IngestFormat {
    type Err = String;

    fn from_str(s: &str) -> Result<IngestFormat, String> {
        if s == "jsonl" {
            return Ok(IngestFormat::Jsonl);
        }
        s.parse::<Format>()
            .map(IngestFormat::Parse)
            .map_err(|e| format!("{e}, or jsonl"))
    }
}

#[derive(Serialize)]
struct Summary<'a> {
    db: String,
    backend: &'a str,
    #[serde(flatten)]
    stats: rebound_store::IngestStats,
    failures: u64,
    /// Sends counted from deliveries and final failures of logs and webhooks.
    sends: rebound_store::SendStats,
}

pub fn run(args: IngestArgs, rule_files: &[PathBuf]) -> anyhow::Result<ExitCode> {
    if args.mta {
        return Ok(mta(args, rule_files));
    }
    ingest(args, rule_files).map(|(_, code)| code)
}

/// `--mta`: ingests the one message on standard input and maps the result to the exit codes
/// of sysexits.h (see the command's help): every error is EX_TEMPFAIL, so the MTA keeps the
/// message; a message that is accepted without being stored says why on one line.
fn mta(args: IngestArgs, rule_files: &[PathBuf]) -> ExitCode {
    if args.paths.iter().any(|p| p.as_os_str() != "-") {
        return mta_tempfail("--mta reads one message from standard input: give `-` or no path");
    }
    match ingest(args, rule_files) {
        Err(err) => mta_tempfail(&format!("{err:#}")),
        Ok((outcome, _)) => {
            // A message that cannot be read said so (on its one line).
            if outcome.failures == 0 && outcome.events == 0 && outcome.sends == 0 {
                mta_line("the message holds no bounce; accepted, nothing stored");
            }
            ExitCode::SUCCESS
        }
    }
}

/// Says why the MTA is asked to retry (one line), reads the rest of the message (an MTA may
/// take a command that stops reading for a failure of its own) and returns EX_TEMPFAIL.
pub fn mta_tempfail(why: &str) -> ExitCode {
    mta_line(&format!("{why}; the MTA is asked to retry (EX_TEMPFAIL)"));
    let _ = std::io::copy(&mut std::io::stdin().lock(), &mut std::io::sink());
    ExitCode::from(EX_TEMPFAIL)
}

/// Prints `rebound: TEXT` as one line on stderr (an MTA keeps the first line of the output
/// as the reason of a deferral).
pub fn mta_line(text: &str) {
    let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
    eprintln!("rebound: {}", crate::term::escape(&text));
}

/// What one run did, for `--mta`.
struct Done {
    /// Events read (new or already stored).
    events: u64,
    /// Deliveries and final failures counted as sends.
    sends: u64,
    /// Bad inputs and refused events.
    failures: u64,
}

fn ingest(args: IngestArgs, rule_files: &[PathBuf]) -> anyhow::Result<(Done, ExitCode)> {
    let mut store = args.store.open(Access::Create)?;
    let sources = args.sources.rule();
    let format = match args.format {
        // An MTA hands over one message, never JSON lines, a log or a webhook body.
        IngestFormat::Parse(Format::Auto) if args.mta => IngestFormat::Parse(Format::Mail),
        f => f,
    };
    let paths = if args.paths.is_empty() {
        vec![PathBuf::from("-")]
    } else {
        args.paths.clone()
    };
    let mut reader = Reader {
        options: Arc::new(Options {
            tag_headers: vec![args.sources.source_header.clone()],
        }),
        rule_files,
        classifier: None,
        failures: 0,
        mta: args.mta,
    };
    let mut ingester = store.ingester(sources, args.batch);
    for path in &paths {
        let format = match format {
            IngestFormat::Jsonl => None,
            IngestFormat::Parse(Format::Auto) if rebound_ingest::holds_events(path) => None,
            IngestFormat::Parse(format) => Some(format),
        };
        match format {
            None => reader.jsonl(path, &mut ingester)?,
            Some(format) => reader.parsed(path, format, &mut ingester)?,
        }
    }
    ingester.flush()?;
    reader.report_skipped(&mut ingester);
    let sends = ingester.send_stats();
    let stats = ingester.finish()?;
    let summary = Summary {
        db: store.location().to_string(),
        backend: store.backend_kind(),
        stats,
        failures: reader.failures,
        sends,
    };
    let done = Done {
        events: stats.events,
        sends: sends.sends,
        failures: reader.failures,
    };
    if args.mta {
        // Quiet unless something is wrong: the caller says it.
    } else if args.json {
        let mut out = std::io::stdout().lock();
        serde_json::to_writer(&mut out, &summary)?;
        writeln!(out)?;
    } else {
        eprintln!(
            "rebound: ingested {} events into {} ({}): {} new, {} already stored, {} addresses \
             suppressed, {} sender-side, {} to review, {} forward hints and review items, {} bad \
             inputs; {} sends counted ({} new)",
            stats.events,
            summary.db,
            summary.backend,
            stats.new,
            stats.duplicates,
            stats.suppressed,
            stats.sender_side,
            stats.review,
            stats.hints,
            reader.failures,
            sends.sends,
            sends.new
        );
    }
    let code = if reader.failures > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    };
    Ok((done, code))
}

/// Reads inputs into an ingester, counting and reporting bad ones.
struct Reader<'a> {
    options: Arc<Options>,
    rule_files: &'a [PathBuf],
    classifier: Option<Arc<Classifier>>,
    failures: u64,
    /// `--mta`: each failure is a message accepted without being stored.
    mta: bool,
}

impl Reader<'_> {
    fn fail(&mut self, why: impl std::fmt::Display) {
        self.failures += 1;
        if self.mta {
            mta_line(&format!("{why}; accepted, not stored"));
        } else {
            eprintln!("rebound: {why}");
        }
    }

    /// Reports the events the store refused (the rest of their batches were stored) as bad
    /// inputs.
    fn report_skipped(&mut self, ingester: &mut Ingester<'_>) {
        for s in ingester.take_skipped() {
            self.fail(format_args!(
                "event {} ({}): refused by the store, skipped: {}",
                s.event_id,
                crate::term::escape(s.recipient.as_deref().unwrap_or("no recipient")),
                s.error
            ));
        }
    }

    /// Ingests JSON lines (one `BounceEvent` per line; blank lines skipped).
    fn jsonl(&mut self, path: &Path, ingester: &mut Ingester<'_>) -> anyhow::Result<()> {
        let name = path.display().to_string();
        let reader: Box<dyn BufRead> = if name == "-" {
            Box::new(std::io::stdin().lock())
        } else {
            match std::fs::File::open(path) {
                Ok(f) => Box::new(std::io::BufReader::with_capacity(256 * 1024, f)),
                Err(e) => {
                    self.fail(format_args!("{name}: {e}"));
                    return Ok(());
                }
            }
        };
        let result = read_lines(reader, |n, line| {
            let Some(line) = line else {
                self.fail(format_args!(
                    "{name}:{n}: longer than {} bytes, skipped",
                    input::MAX_LINE
                ));
                return Ok(());
            };
            if line.iter().all(u8::is_ascii_whitespace) {
                return Ok(());
            }
            match serde_json::from_slice::<BounceEvent>(line) {
                Ok(event) => {
                    ingester.push(&event).context("writing to the store")?;
                    self.report_skipped(ingester);
                }
                Err(e) => self.fail(format_args!("{name}:{n}: not a bounce event: {e}")),
            }
            Ok(())
        });
        match result {
            Err(ReadError::Io(e)) => self.fail(format_args!("{name}: {e}")),
            Err(ReadError::Store(e)) => return Err(e),
            Ok(()) => {}
        }
        Ok(())
    }

    /// Ingests one input as `rebound parse` reads it (the same routing: [`route::read`]).
    fn parsed(
        &mut self,
        path: &Path,
        format: Format,
        ingester: &mut Ingester<'_>,
    ) -> anyhow::Result<()> {
        let classifier = match &self.classifier {
            Some(c) => Arc::clone(c),
            None => {
                let c = Arc::new(input::classifier(self.rule_files)?);
                self.classifier = Some(Arc::clone(&c));
                c
            }
        };
        let options = Arc::clone(&self.options);
        let how = Reading {
            format,
            classifier: &classifier,
            options: &options,
            follow: false,
            jobs: 1,
            deliveries: true,
        };
        let paths = [path.to_path_buf()];
        route::read(&paths, &how, &mut |outcome| {
            match outcome {
                Outcome::Events(events) => {
                    if let Some(warning) = route::truncation_warning(&events) {
                        eprintln!("rebound: {warning}");
                    }
                    for e in &events {
                        ingester.push(e).context("writing to the store")?;
                    }
                    self.report_skipped(ingester);
                }
                Outcome::Failed(why) => self.fail(why),
            }
            Ok(())
        })?;
        Ok(())
    }
}

enum ReadError {
    Io(std::io::Error),
    Store(anyhow::Error),
}

/// Calls `each(line_number, Some(line))` for each line without its ending, or
/// `each(n, None)` for a line over [`input::MAX_LINE`] bytes (dropped, not held in memory).
fn read_lines(
    mut reader: impl BufRead,
    mut each: impl FnMut(u64, Option<&[u8]>) -> anyhow::Result<()>,
) -> Result<(), ReadError> {
    let mut lines = rebound_ingest::Lines::new(input::MAX_LINE);
    while let Some(line) = lines.next_line(&mut reader).map_err(ReadError::Io)? {
        match line {
            rebound_ingest::Line::Text(n, bytes) => each(n, Some(bytes)),
            rebound_ingest::Line::TooLong(n) => each(n, None),
        }
        .map_err(ReadError::Store)?;
    }
    Ok(())
}
