//! `rebound watch`: a bounce mailbox read over IMAP or POP3, each message ingested as
//! `rebound ingest` ingests one email, then marked or moved on the server.
//!
//! Exactly once: a batch of messages' events and the messages' ids (IMAP UID under its
//! UIDVALIDITY, POP3 UIDL) are committed in one store transaction
//! ([`rebound_store::Store::ingest_mailbox`]); only then is a message marked, moved or deleted
//! on the server. A watcher killed between the two finds the message recorded on its next
//! pass and marks it without reading it again; one killed before the commit reads it again,
//! and nothing of it was stored. A changed UIDVALIDITY forgets the recorded UIDs; the event
//! keys keep re-read messages from being counted twice.
//!
//! - [`url`]: the mailbox URL; [`net`]: TCP and TLS;
//! - [`imap`]: the IMAP pass (the `imap` crate) and IDLE; [`pop3`]: a small POP3 client and
//!   its pass;
//! - [`Sink`]: reading messages into events and storing them with their ids, the tallies
//!   and the output.

pub mod imap;
pub mod net;
pub mod pop3;
pub mod url;

use anyhow::Context;
use rebound_core::{BounceEvent, Classifier};
use rebound_ingest::{Options, Origin};
use rebound_store::{MailboxMessage, SourceRule, Store, Validity};
use serde::Serialize;
use sha2::{Digest, Sha256};
use std::collections::HashSet;
use std::io::Write;
use std::path::PathBuf;
use std::time::Duration;
pub use url::MailboxUrl;

/// Messages fetched and stored per batch (one store transaction, one mark or move).
pub const BATCH: usize = 25;

/// What a watcher does, from the command line.
pub struct Settings {
    /// The mailbox.
    pub url: MailboxUrl,
    /// The password (from a file or the environment).
    pub password: String,
    /// PEM roots to trust instead of the system's.
    pub ca_file: Option<PathBuf>,
    /// IMAP: move processed messages to this folder (else flag them).
    pub processed_folder: Option<String>,
    /// Delete processed messages (IMAP: \Deleted and UID EXPUNGE; POP3: DELE).
    pub delete: bool,
    /// One pass, then exit.
    pub once: bool,
    /// Seconds between polls (and between IDLE renewals).
    pub interval: Duration,
}

/// What is done to a processed message on the server.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Disposal {
    /// IMAP: moved to --processed-folder.
    Moved,
    /// IMAP: flagged \Seen and $Rebound (or \Seen alone).
    Flagged,
    /// Deleted (--delete).
    Deleted,
    /// POP3 without --delete: left on the server, its UIDL recorded in the store.
    Recorded,
}

/// One message's line of `--json`.
#[derive(Serialize)]
struct MessageLine<'a> {
    mailbox: &'a str,
    id: &'a str,
    /// `stored` (a bounce: its events are stored), `not_a_bounce`, `unreadable` (left on the
    /// server, unmarked), `marked` (recorded earlier, marked now without being read).
    outcome: &'a str,
    events: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    disposal: Option<Disposal>,
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<&'a str>,
}

/// The tallies of a batch or a run.
#[derive(Debug, Default, Clone, Copy)]
pub struct Tally {
    /// Messages read from the server.
    pub fetched: u64,
    /// Messages whose events were stored (bounces).
    pub bounces: u64,
    /// Messages that hold no bounce (recorded and marked all the same).
    pub not_bounces: u64,
    /// Messages that could not be read (left unmarked).
    pub unreadable: u64,
    /// Events handed to the store.
    pub events: u64,
    /// Of those, new.
    pub new: u64,
    /// Messages marked, moved or deleted on the server.
    pub disposed: u64,
    /// Events the database refused.
    pub refused: u64,
}

impl std::ops::AddAssign for Tally {
    fn add_assign(&mut self, o: Tally) {
        self.fetched += o.fetched;
        self.bounces += o.bounces;
        self.not_bounces += o.not_bounces;
        self.unreadable += o.unreadable;
        self.events += o.events;
        self.new += o.new;
        self.disposed += o.disposed;
        self.refused += o.refused;
    }
}

/// Reads fetched messages into events and stores them with their ids; prints what happened.
pub struct Sink<'a> {
    store: &'a mut Store,
    sources: SourceRule,
    options: Options,
    classifier: &'a Classifier,
    /// The mailbox's name in the store.
    pub mailbox: String,
    json: bool,
    /// Ids that could not be read, reported once per run.
    reported: HashSet<String>,
    /// The whole run.
    pub total: Tally,
}

/// A message as fetched: its id and its bytes, or why it has none.
pub type Fetched = (String, Result<Vec<u8>, String>);

impl<'a> Sink<'a> {
    /// A sink into `store` for the mailbox `url`.
    pub fn new(
        store: &'a mut Store,
        sources: SourceRule,
        classifier: &'a Classifier,
        url: &MailboxUrl,
        json: bool,
    ) -> Self {
        Sink {
            store,
            options: Options {
                tag_headers: vec![sources.header.clone()],
            },
            sources,
            classifier,
            mailbox: url.key(),
            json,
            reported: HashSet::new(),
            total: Tally::default(),
        }
    }

    /// Checks the mailbox's UIDVALIDITY against the store's (0 for POP3), saying on stderr
    /// when it changed.
    pub fn validity(&mut self, validity: i64) -> anyhow::Result<()> {
        let found = self
            .store
            .mailbox_validity(&self.mailbox, validity)
            .context("reading the mailbox state in the store")?;
        if let Validity::Changed(old) = found {
            eprintln!(
                "rebound: {}: UIDVALIDITY changed from {old} to {validity} (the folder was \
                 recreated or restored): its recorded UIDs are forgotten and its messages read \
                 again; events already stored are not counted twice",
                self.mailbox
            );
        }
        Ok(())
    }

    /// The ids recorded as stored.
    pub fn recorded(&mut self) -> anyhow::Result<HashSet<String>> {
        self.store
            .mailbox_recorded(&self.mailbox)
            .context("reading the mailbox state in the store")
    }

    /// Whether the message `id` could not be read earlier in this run: it is not fetched
    /// again until the next run (its content does not change).
    pub fn unreadable(&self, id: &str) -> bool {
        self.reported.contains(id)
    }

    /// Forgets recorded ids no longer on the server.
    pub fn forget(&mut self, gone: &[String]) -> anyhow::Result<()> {
        self.store
            .mailbox_forget(&self.mailbox, gone)
            .context("writing the mailbox state in the store")?;
        Ok(())
    }

    /// Reads and stores a batch; returns the ids stored (bounces and not) with their numbers
    /// of events, which the caller then marks, moves or deletes. Unreadable messages are
    /// reported and left out.
    pub fn ingest(&mut self, batch: Vec<Fetched>) -> anyhow::Result<(Vec<(String, usize)>, Tally)> {
        let mut tally = Tally {
            fetched: batch.len() as u64,
            ..Tally::default()
        };
        let mut read: Vec<(String, Vec<BounceEvent>)> = Vec::with_capacity(batch.len());
        for (id, bytes) in batch {
            let parsed = bytes.and_then(|raw| {
                let digest = Sha256::digest(&raw);
                let origin = Origin {
                    // The content's digest, not the UID: the same message read again under
                    // another UIDVALIDITY has the same event keys (see rebound_store::EventKey).
                    path: Some(format!("{}#sha256:{:x}", self.mailbox, digest)),
                    message: 1,
                };
                rebound_ingest::read_message(&raw, &self.options, self.classifier, &origin)
                    .map_err(|e| e.to_string())
            });
            match parsed {
                Ok(events) => read.push((id, events)),
                Err(why) => {
                    tally.unreadable += 1;
                    if self.reported.insert(id.clone()) {
                        eprintln!(
                            "rebound: {} message {id}: cannot be read ({why}); left on the \
                             server unmarked",
                            self.mailbox,
                            why = crate::term::escape(&why)
                        );
                    }
                    self.line(&id, "unreadable", 0, None, Some(&why))?;
                }
            }
        }
        let messages: Vec<MailboxMessage<'_>> = read
            .iter()
            .map(|(id, events)| MailboxMessage {
                id: id.clone(),
                events,
            })
            .collect();
        let mut skipped = Vec::new();
        let stats = self
            .store
            .ingest_mailbox(&self.mailbox, &messages, &self.sources, &mut skipped)
            .context("writing to the store")?;
        for s in &skipped {
            eprintln!(
                "rebound: event {} ({}): refused by the store, skipped: {}",
                s.event_id,
                crate::term::escape(s.recipient.as_deref().unwrap_or("no recipient")),
                s.error
            );
        }
        tally.events = stats.events;
        tally.new = stats.new;
        tally.refused = stats.skipped;
        for (_, events) in &read {
            if events.is_empty() {
                tally.not_bounces += 1;
            } else {
                tally.bounces += 1;
            }
        }
        let ids = read.into_iter().map(|(id, e)| (id, e.len())).collect();
        Ok((ids, tally))
    }

    /// Reports a batch once its messages were disposed of: one `--json` line each, or one
    /// stderr line for the batch.
    pub fn done(
        &mut self,
        mut tally: Tally,
        stored: &[(String, usize)],
        marked: &[String],
        disposal: Disposal,
    ) -> anyhow::Result<()> {
        tally.disposed = (stored.len() + marked.len()) as u64;
        self.total += tally;
        if self.json {
            for (id, events) in stored {
                let outcome = if *events == 0 {
                    "not_a_bounce"
                } else {
                    "stored"
                };
                self.line(id, outcome, *events, Some(disposal), None)?;
            }
            for id in marked {
                self.line(id, "marked", 0, Some(disposal), None)?;
            }
        } else if tally.fetched > 0 || !marked.is_empty() {
            let what = match disposal {
                Disposal::Moved => "moved",
                Disposal::Flagged => "flagged",
                Disposal::Deleted => "deleted",
                Disposal::Recorded => "recorded",
            };
            eprintln!(
                "rebound: {}: fetched {}, stored {} events ({} new) of {} bounces, {} not \
                 bounces, {} unreadable; {what} {}{}",
                self.mailbox,
                tally.fetched,
                tally.events,
                tally.new,
                tally.bounces,
                tally.not_bounces,
                tally.unreadable,
                tally.disposed,
                if marked.is_empty() {
                    String::new()
                } else {
                    format!(" ({} stored by an earlier run)", marked.len())
                }
            );
        }
        Ok(())
    }

    fn line(
        &self,
        id: &str,
        outcome: &str,
        events: usize,
        disposal: Option<Disposal>,
        error: Option<&str>,
    ) -> anyhow::Result<()> {
        if !self.json {
            return Ok(());
        }
        let mut out = std::io::stdout().lock();
        serde_json::to_writer(
            &mut out,
            &MessageLine {
                mailbox: &self.mailbox,
                id,
                outcome,
                events,
                disposal,
                error,
            },
        )?;
        writeln!(out)?;
        out.flush()?;
        Ok(())
    }
}

/// Why a pass stopped: the caller reconnects after a network error, and gives up on others.
#[derive(Debug)]
pub enum PassError {
    /// The connection failed or broke: reconnect later.
    Network(anyhow::Error),
    /// Anything else (the login was refused, the store failed): stop.
    Fatal(anyhow::Error),
}

impl From<anyhow::Error> for PassError {
    fn from(e: anyhow::Error) -> Self {
        PassError::Fatal(e)
    }
}

/// Connects to the mailbox's server for a pass: a failure to connect is retried, but a
/// certificate that is not trusted will not become trusted by retrying.
pub fn connect(settings: &Settings) -> Result<net::Stream, PassError> {
    let url = &settings.url;
    net::connect(
        &url.host,
        url.port,
        url.scheme.tls(),
        settings.ca_file.as_deref(),
    )
    .map_err(|e| {
        if format!("{e:#}").contains("certificate") {
            PassError::Fatal(e)
        } else {
            PassError::Network(e)
        }
    })
}

/// Watches until killed (or, with `once`, one pass): connects, runs passes, waits (IDLE or
/// the interval) and reconnects with backoff after a network error. Returns the run's tally.
pub fn run(settings: &Settings, sink: &mut Sink<'_>) -> anyhow::Result<Tally> {
    let mut backoff = Duration::from_secs(1);
    loop {
        let result = if settings.url.scheme.imap() {
            imap::watch(settings, sink, &mut backoff)
        } else {
            pop3::watch(settings, sink, &mut backoff)
        };
        match result {
            Ok(()) => return Ok(sink.total),
            Err(PassError::Fatal(e)) => return Err(e),
            Err(PassError::Network(e)) if settings.once => {
                return Err(e.context(format!("reading {}", settings.url)));
            }
            Err(PassError::Network(e)) => {
                eprintln!(
                    "rebound: {}: {e:#}; reconnecting in {} s",
                    settings.url,
                    backoff.as_secs()
                );
                std::thread::sleep(backoff);
                backoff = (backoff * 2).min(Duration::from_secs(300));
            }
        }
    }
}
