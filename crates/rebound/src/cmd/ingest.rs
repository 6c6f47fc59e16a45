//! `rebound ingest`: everything `rebound parse` reads (bounce emails, mbox, Maildir,
//! directories) and the JSON lines `rebound parse --json` prints, into the store, in batched
//! transactions, idempotently. Also home of [`StoreArgs`], the `--db` option every store
//! command shares.

use crate::input;
use anyhow::Context;
use clap::{Args, ValueEnum};
use rebound_core::{BounceEvent, Classifier};
use rebound_ingest::{Messages, Options, Origin};
use rebound_store::{Ingester, Location, Policy, SourceRule, Store};
use serde::Serialize;
use std::io::{BufRead, Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// The `--db` option of every store command.
#[derive(Args, Clone)]
pub struct StoreArgs {
    /// The store: an SQLite file path, or a PostgreSQL URL (postgres://user@host:port/db).
    /// Default: $REBOUND_DB, else $XDG_DATA_HOME/rebound/rebound.db
    /// (~/.local/share/rebound/rebound.db).
    #[arg(long, value_name = "PATH|URL", global = true)]
    pub db: Option<String>,

    /// The suppression policy file (TOML); see `rebound suppressions policy` for the defaults.
    #[arg(long, value_name = "FILE", global = true)]
    pub policy: Option<PathBuf>,
}

impl StoreArgs {
    /// Opens the store named by `--db`, `REBOUND_DB` or the default, with the policy.
    pub fn open(&self) -> anyhow::Result<Store> {
        let location = Location::resolve(self.db.as_deref())?;
        let mut store =
            Store::open(&location).with_context(|| format!("opening the store {location}"))?;
        store.set_policy(self.load_policy()?);
        Ok(store)
    }

    /// The policy from `--policy`, or the defaults.
    pub fn load_policy(&self) -> anyhow::Result<Policy> {
        match &self.policy {
            None => Ok(Policy::default()),
            Some(path) => {
                let text = std::fs::read_to_string(path)
                    .with_context(|| format!("reading policy file {}", path.display()))?;
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
  rebound parse --json bounces/ | rebound ingest -     # JSON lines from `rebound parse --json`
  rebound ingest --db postgres://postgres@127.0.0.1:5432/test --format jsonl events.jsonl

Inputs: .eml files, mbox files, Maildir folders, directories and standard input (-), as
`rebound parse` reads them; and JSON lines of events (`rebound parse --json`): a file ending in
.jsonl/.ndjson/.json, or any file or standard input whose first character is `{`.

Idempotent: an event is identified by a key over its recipient, message id, time, reporting
MTA, reply code, status, DSN action and text; ingesting the same bounce again, or from several
processes at once, stores it once. Events are written in transactions of --batch events; an
interrupted run loses nothing that re-running does not restore. A bad input (a file that cannot
be read, a message or line that does not parse) is reported on stderr and skipped.

Summary: on stderr, or as one JSON object on stdout with --json: {db, backend, events, new,
duplicates, suppressed, sender_side, hints, failures}.

Exit codes: 0 every input was read, 1 some input was bad (the rest was ingested) or the store
failed, 2 usage.")]
pub struct IngestArgs {
    /// Files, mbox files, Maildir folders, directories or JSON-lines files; `-` (or nothing)
    /// reads standard input.
    #[arg(value_name = "PATH")]
    paths: Vec<PathBuf>,

    /// The input format: auto (JSON lines when the input starts with `{` or is named
    /// *.jsonl, bounce emails otherwise), jsonl, or mail.
    #[arg(long, value_enum, default_value_t = Format::Auto)]
    format: Format,

    /// The lead source of every event of this run (wins over --source-header).
    #[arg(long, value_name = "TAG")]
    source: Option<String>,

    /// The header of the returned message that names the lead source.
    #[arg(long, value_name = "NAME", default_value = "X-Lead-Source")]
    source_header: String,

    /// Events per transaction.
    #[arg(long, value_name = "N", default_value_t = rebound_store::DEFAULT_BATCH)]
    batch: usize,

    /// Print the summary as one JSON object on stdout.
    #[arg(long)]
    json: bool,

    #[command(flatten)]
    store: StoreArgs,
}

/// How inputs are read.
#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Format {
    /// Decide per input.
    Auto,
    /// JSON lines of events.
    Jsonl,
    /// Bounce emails and their containers.
    Mail,
}

#[derive(Serialize)]
struct Summary<'a> {
    db: String,
    backend: &'a str,
    #[serde(flatten)]
    stats: rebound_store::IngestStats,
    failures: u64,
}

pub fn run(args: IngestArgs, rule_files: &[PathBuf]) -> anyhow::Result<ExitCode> {
    let mut store = args.store.open()?;
    let sources = SourceRule {
        tag: args.source.clone(),
        header: args.source_header.clone(),
    };
    let paths = if args.paths.is_empty() {
        vec![PathBuf::from("-")]
    } else {
        args.paths.clone()
    };
    let mut reader = Reader {
        options: Options {
            tag_headers: vec![args.source_header.clone()],
        },
        rule_files,
        classifier: None,
        failures: 0,
    };
    let mut ingester = store.ingester(sources, args.batch);
    for path in &paths {
        let jsonl = match args.format {
            Format::Jsonl => true,
            Format::Mail => false,
            Format::Auto => looks_like_jsonl(path),
        };
        if jsonl {
            reader.jsonl(path, &mut ingester)?;
        } else {
            reader.mail(path, &mut ingester)?;
        }
    }
    let stats = ingester.finish()?;
    let summary = Summary {
        db: store.location().to_string(),
        backend: store.backend_kind(),
        stats,
        failures: reader.failures,
    };
    if args.json {
        let mut out = std::io::stdout().lock();
        serde_json::to_writer(&mut out, &summary)?;
        writeln!(out)?;
    } else {
        eprintln!(
            "rebound: ingested {} events into {} ({}): {} new, {} already stored, {} addresses \
             suppressed, {} sender-side, {} forward hints, {} bad inputs",
            stats.events,
            summary.db,
            summary.backend,
            stats.new,
            stats.duplicates,
            stats.suppressed,
            stats.sender_side,
            stats.hints,
            reader.failures
        );
    }
    Ok(if reader.failures > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

/// Reads inputs into an ingester, counting and reporting bad ones.
struct Reader<'a> {
    options: Options,
    rule_files: &'a [PathBuf],
    classifier: Option<Classifier>,
    failures: u64,
}

impl Reader<'_> {
    fn fail(&mut self, why: impl std::fmt::Display) {
        self.failures += 1;
        eprintln!("rebound: {why}");
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
                Ok(event) => ingester.push(&event).context("writing to the store")?,
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

    /// Ingests bounce emails through `rebound-ingest`, as `rebound parse` reads them.
    fn mail(&mut self, path: &Path, ingester: &mut Ingester<'_>) -> anyhow::Result<()> {
        if self.classifier.is_none() {
            self.classifier = Some(input::classifier(self.rule_files)?);
        }
        let Some(classifier) = self.classifier.take() else {
            return Ok(());
        };
        for item in Messages::new(&[path]) {
            match item {
                Err(e) => self.fail(e),
                Ok(m) => {
                    let origin = Origin {
                        path: Some(m.path.to_string()),
                        message: m.number,
                    };
                    match rebound_ingest::read_message(
                        &m.bytes,
                        &self.options,
                        &classifier,
                        &origin,
                    ) {
                        Ok(events) => {
                            for e in &events {
                                ingester.push(e).context("writing to the store")?;
                            }
                        }
                        Err(e) => self.fail(format_args!("{}: message {}: {e}", m.path, m.number)),
                    }
                }
            }
        }
        self.classifier = Some(classifier);
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
    let mut buf = Vec::with_capacity(4096);
    let mut n = 0;
    loop {
        buf.clear();
        let limit = u64::try_from(input::MAX_LINE).unwrap_or(u64::MAX) + 1;
        let got = (&mut reader)
            .take(limit)
            .read_until(b'\n', &mut buf)
            .map_err(ReadError::Io)?;
        if got == 0 {
            return Ok(());
        }
        n += 1;
        if buf.len() > input::MAX_LINE && buf.last() != Some(&b'\n') {
            // Skip the rest of the long line.
            loop {
                let chunk = reader.fill_buf().map_err(ReadError::Io)?;
                if chunk.is_empty() {
                    break;
                }
                if let Some(i) = chunk.iter().position(|b| *b == b'\n') {
                    reader.consume(i + 1);
                    break;
                }
                let len = chunk.len();
                reader.consume(len);
            }
            each(n, None).map_err(ReadError::Store)?;
            continue;
        }
        while buf.last().is_some_and(|b| *b == b'\n' || *b == b'\r') {
            buf.pop();
        }
        each(n, Some(&buf)).map_err(ReadError::Store)?;
    }
}

/// Whether an input holds JSON lines: named *.jsonl, *.ndjson or *.json, or a file (or
/// standard input) whose first non-blank byte is `{`. Directories are mail.
fn looks_like_jsonl(path: &Path) -> bool {
    let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("");
    if ["jsonl", "ndjson", "json"]
        .iter()
        .any(|x| ext.eq_ignore_ascii_case(x))
    {
        return true;
    }
    if path.as_os_str() == "-" {
        // Peek without consuming: standard input's buffer is shared, so the reader that
        // follows (ours or `rebound-ingest`'s) still sees these bytes.
        let mut stdin = std::io::stdin().lock();
        return match stdin.fill_buf() {
            Ok(buf) => first_is_brace(buf),
            Err(_) => false,
        };
    }
    if path.is_dir() {
        return false;
    }
    let mut head = [0u8; 256];
    match std::fs::File::open(path).and_then(|mut f| f.read(&mut head)) {
        Ok(n) => first_is_brace(&head[..n]),
        Err(_) => false,
    }
}

fn first_is_brace(buf: &[u8]) -> bool {
    buf.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'{')
}
