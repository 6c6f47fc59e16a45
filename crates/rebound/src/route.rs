//! Routing the inputs of `rebound parse` and `rebound ingest`, in one place: each input's
//! kind is taken from `--format` or sniffed ([`rebound_ingest::detect`]); MTA logs and
//! webhook bodies go to their readers, bounce emails (.eml, mbox, Maildir, directories) to the
//! mail reader, optionally on several threads. Every message, log line or webhook record
//! comes out as one [`Outcome`], in input order.

use rebound_core::{BounceEvent, Classifier};
use rebound_ingest::{self as detect, Format};
use rebound_ingest::{ContainerError, Message, Messages, Options, Origin};
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, mpsc};

/// The outcome of one message, log event or webhook record.
pub enum Outcome {
    /// Its events (possibly none: not a bounce).
    Events(Vec<BounceEvent>),
    /// Why it could not be read (`path: …`), already worded for stderr.
    Failed(String),
}

/// How inputs are read.
pub struct Reading<'a> {
    /// `--format`: auto (sniff each input) or the format of every input.
    pub format: Format,
    /// The classifier.
    pub classifier: &'a Arc<Classifier>,
    /// Options of the mail reader (headers kept as tags).
    pub options: &'a Arc<Options>,
    /// Follow the one log input as it grows (`tail -F`).
    pub follow: bool,
    /// Mail parsing threads (1: everything on the calling thread).
    pub jobs: usize,
    /// Yield deliveries of logs and webhooks too (sends, for `rebound ingest`).
    pub deliveries: bool,
}

/// Reads `paths` (`-`: standard input), handing each outcome to `emit`: logs and webhook
/// bodies first, then mail. An error of `emit` stops the run and is returned; a bad input is
/// an [`Outcome::Failed`]. Returns the number of mail files opened.
pub fn read(
    paths: &[PathBuf],
    how: &Reading<'_>,
    emit: &mut dyn FnMut(Outcome) -> anyhow::Result<()>,
) -> anyhow::Result<u64> {
    if how.follow && how.format == Format::Auto && paths.len() == 1 {
        // A followed log may start empty (or not exist yet): sniff it from its first line.
        detect::wait_for_first_line(&paths[0], std::time::Duration::from_millis(200), &|| false)?;
    }
    let (foreign, mail_paths) = detect::split_paths(paths, how.format, &mut |w| {
        eprintln!("rebound: warning: {}", crate::term::escape(&w));
    });
    let options = rebound_ingest::LogOptions {
        deliveries: how.deliveries,
        ..rebound_ingest::LogOptions::default()
    };
    detect::read_all(
        &foreign,
        how.classifier,
        &options,
        how.follow,
        &mut |item| {
            let outcome = match item {
                Ok(event) => Outcome::Events(vec![event]),
                Err(why) => Outcome::Failed(why),
            };
            emit(outcome).map_err(std::io::Error::other)
        },
    )?;
    if mail_paths.is_empty() {
        return Ok(0);
    }
    let mut messages = Messages::new(&mail_paths)
        .on_warning(|w| eprintln!("rebound: warning: {}", crate::term::escape(&w)));
    if how.jobs <= 1 {
        for item in messages.by_ref() {
            emit(process(item, how.options, how.classifier))?;
        }
        Ok(messages.files)
    } else {
        parallel(messages, how.jobs, how.options, how.classifier, emit)
    }
}

/// Reads and classifies one message (or says why not).
fn process(
    item: Result<Message, ContainerError>,
    options: &Options,
    classifier: &Classifier,
) -> Outcome {
    match item {
        Err(e) => Outcome::Failed(e.to_string()),
        Ok(m) => {
            let origin = Origin {
                path: Some(m.path.to_string()),
                message: m.number,
            };
            match rebound_ingest::read_message(&m.bytes, options, classifier, &origin) {
                Ok(events) => Outcome::Events(events),
                Err(e) => Outcome::Failed(format!("{}: message {}: {e}", m.path, m.number)),
            }
        }
    }
}

/// Runs a reader thread and `jobs` parsing threads; outcomes are handed to `emit` in input
/// order. The queues are bounded, so memory does not grow with the input. Returns the
/// number of files opened.
fn parallel(
    mut messages: Messages,
    jobs: usize,
    options: &Arc<Options>,
    classifier: &Arc<Classifier>,
    emit: &mut dyn FnMut(Outcome) -> anyhow::Result<()>,
) -> anyhow::Result<u64> {
    type Item = (u64, Result<Message, ContainerError>);
    let (work_tx, work_rx) = mpsc::sync_channel::<Item>(jobs * 8);
    let work_rx = Arc::new(Mutex::new(work_rx));
    let (done_tx, done_rx) = mpsc::sync_channel::<(u64, Outcome)>(jobs * 8);
    std::thread::scope(|scope| -> anyhow::Result<u64> {
        let reader = scope.spawn(move || {
            for (seq, item) in (0u64..).zip(messages.by_ref()) {
                if work_tx.send((seq, item)).is_err() {
                    break;
                }
            }
            messages.files
        });
        for _ in 0..jobs {
            let rx = Arc::clone(&work_rx);
            let tx = done_tx.clone();
            let (options, classifier) = (Arc::clone(options), Arc::clone(classifier));
            scope.spawn(move || {
                loop {
                    let next = match rx.lock() {
                        Ok(guard) => guard.recv(),
                        Err(_) => return,
                    };
                    let Ok((seq, item)) = next else { return };
                    if tx
                        .send((seq, process(item, &options, &classifier)))
                        .is_err()
                    {
                        return;
                    }
                }
            });
        }
        drop(done_tx);
        let mut held: HashMap<u64, Outcome> = HashMap::new();
        let mut next_out = 0u64;
        for (seq, outcome) in done_rx {
            held.insert(seq, outcome);
            while let Some(o) = held.remove(&next_out) {
                emit(o)?;
                next_out += 1;
            }
        }
        reader
            .join()
            .map_err(|_| anyhow::anyhow!("the reader thread panicked"))
    })
}

/// The warning for one message (or log record, or webhook body) whose events were read from
/// evidence that a reading limit cut (their `truncated` field, see docs/event.md), worded
/// for stderr after `rebound: `; `None` when nothing was cut.
pub fn truncation_warning(events: &[BounceEvent]) -> Option<String> {
    let mut names: Vec<rebound_core::Truncation> = events
        .iter()
        .flat_map(|e| e.truncated.iter().copied())
        .collect();
    let first = events.iter().find(|e| !e.truncated.is_empty())?;
    names.sort_unstable();
    names.dedup();
    let cut = events.iter().filter(|e| !e.truncated.is_empty()).count();
    let names: Vec<String> = names
        .iter()
        .map(|t| format!("{t} ({})", t.meaning()))
        .collect();
    Some(format!(
        "warning: {}: message {}: evidence cut by reading limits: {}; {cut} of its {} events \
         say so in their `truncated` field",
        crate::term::escape(first.source.path.as_deref().unwrap_or("-")),
        first.source.message.unwrap_or(0),
        names.join(", "),
        events.len()
    ))
}
