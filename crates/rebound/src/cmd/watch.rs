//! `rebound watch`: the command line of the bounce-mailbox watcher ([`crate::watch`]).

use crate::cmd::ingest::{SourceArgs, StoreArgs};
use crate::input;
use crate::watch::{self, MailboxUrl, Settings, Sink};
use anyhow::{Context, bail};
use clap::Args;
use rebound_store::Access;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

/// The environment variable that may hold the mailbox password.
pub const PASSWORD_ENV: &str = "REBOUND_MAIL_PASSWORD";

/// Read a bounce mailbox over IMAP or POP3: store each message's bounces, then mark or move it.
#[derive(Args)]
#[command(after_help = "Examples:
  REBOUND_MAIL_PASSWORD=… rebound watch imaps://bounces@mail.example.org/INBOX
  rebound watch --password-file /etc/rebound/mail.pw --processed-folder Processed \\
      imaps://bounces@mail.example.org/Bounces
  rebound watch --once --json --password-file pw pop3s://bounces@mail.example.org   # for cron
  rebound watch --ca-file /etc/ssl/private-ca.pem imaps://bounces@10.0.0.5:993/INBOX

Each message is read as `rebound ingest` reads one bounce email (same classifier, same --source
options, same store), its events and its id in the mailbox (IMAP UID under the folder's
UIDVALIDITY, POP3 UIDL) are committed in one transaction, and only then is it marked on the
server:
  IMAP, --processed-folder NAME: moved there (UID MOVE; else COPY, \\Deleted, UID EXPUNGE of those
        UIDs); the folder is created when missing;
  IMAP, default: flagged \\Seen and $Rebound (when the server allows keywords), and left where it is;
  POP3, default: left on the server; its UIDL recorded in the store is the mark;
  --delete: deleted (IMAP: \\Deleted and UID EXPUNGE; POP3: DELE, committed at QUIT). Never without it.
A message that holds no bounce is marked all the same (counted as not a bounce); one that cannot
be read is left on the server unmarked and reported.

Resuming: killed at any point, the next run neither loses nor double-counts a message: a message
stored but not yet marked is marked without being read again, one not yet stored is read again.
A changed UIDVALIDITY (a folder recreated or restored) forgets the recorded UIDs, says so, and
reads the folder again; events already stored are recognized by their keys and not counted twice.

Waiting: IMAP IDLE when the server offers it (renewed every --interval), else a poll every
--interval; POP3 polls. A network error is retried with backoff (1 s doubling to 5 min), one line
on stderr each time; a refused login, a missing folder or a store failure stops the watcher.

Password: from --password-file FILE (its first line) or $REBOUND_MAIL_PASSWORD; never on the
command line, and a password in the URL is refused. TLS: imaps:// and pop3s:// (rustls, the
system's roots or --ca-file). STARTTLS/STLS and OAuth2 are not supported.

Output: one stderr line per batch (fetched, events stored and new, not bounces, unreadable,
moved/flagged/deleted); --json prints one JSON object per message on stdout: {mailbox, id,
outcome: stored|not_a_bounce|unreadable|marked, events, disposal: moved|flagged|deleted|recorded,
error}.

Exit codes: 0 done (--once: every message was read), 1 some message could not be read (left
on the server) or the watcher stopped on an error, 2 usage.")]
pub struct WatchArgs {
    /// The mailbox: imap://USER@HOST[:PORT]/FOLDER, imaps://…, pop3://USER@HOST[:PORT] or
    /// pop3s://… (FOLDER defaults to INBOX; percent-encode @ or / in the user name).
    #[arg(value_name = "URL")]
    url: MailboxUrl,

    /// Read the password from the first line of FILE (else $REBOUND_MAIL_PASSWORD).
    #[arg(long, value_name = "FILE")]
    password_file: Option<PathBuf>,

    /// IMAP: move each processed message to this folder (created when missing) instead of
    /// flagging it.
    #[arg(long, value_name = "NAME", conflicts_with = "delete")]
    processed_folder: Option<String>,

    /// Delete each message once its events are stored (IMAP: \Deleted and UID EXPUNGE;
    /// POP3: DELE). Without it nothing is ever deleted.
    #[arg(long)]
    delete: bool,

    /// Process what is in the mailbox now, then exit (for cron, and tests).
    #[arg(long)]
    once: bool,

    /// Seconds between polls (and between renewals of IMAP IDLE).
    #[arg(long, value_name = "SECONDS", default_value_t = 60,
          value_parser = clap::value_parser!(u64).range(1..=86_400))]
    interval: u64,

    /// Trust the CA certificates of this PEM file (instead of the system's) for imaps:// and
    /// pop3s://.
    #[arg(long, value_name = "FILE")]
    ca_file: Option<PathBuf>,

    /// One JSON object per message on stdout (see below).
    #[arg(long)]
    json: bool,

    #[command(flatten)]
    sources: SourceArgs,

    #[command(flatten)]
    store: StoreArgs,
}

pub fn run(args: WatchArgs, rule_files: &[PathBuf]) -> anyhow::Result<ExitCode> {
    let password = match usage(&args) {
        Ok(password) => password,
        Err(e) => {
            eprintln!("rebound: {e:#}");
            return Ok(ExitCode::from(2));
        }
    };
    let classifier = input::classifier(rule_files)?;
    let mut store = args.store.open(Access::Create)?;
    let settings = Settings {
        url: args.url.clone(),
        password,
        ca_file: args.ca_file.clone(),
        processed_folder: args.processed_folder.clone(),
        delete: args.delete,
        once: args.once,
        interval: Duration::from_secs(args.interval),
    };
    let mut sink = Sink::new(
        &mut store,
        args.sources.rule(),
        &classifier,
        &settings.url,
        args.json,
    );
    let total = watch::run(&settings, &mut sink)?;
    eprintln!(
        "rebound: {}: {} messages read: {} bounces ({} events, {} new), {} not bounces, {} \
         unreadable (left on the server); {} marked, moved or deleted",
        settings.url,
        total.fetched,
        total.bounces,
        total.events,
        total.new,
        total.not_bounces,
        total.unreadable,
        total.disposed
    );
    Ok(if total.unreadable > 0 || total.refused > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

/// Checks what clap cannot and reads the password; an error is a usage error (exit 2).
fn usage(args: &WatchArgs) -> anyhow::Result<String> {
    if args.processed_folder.is_some() && !args.url.scheme.imap() {
        bail!("--processed-folder is for IMAP: POP3 has no folders (use --delete, or nothing)");
    }
    if args
        .processed_folder
        .as_deref()
        .is_some_and(|f| f == args.url.folder)
    {
        bail!("--processed-folder is the folder being watched");
    }
    password(args.password_file.as_deref())
}

/// The password: the first line of `file`, else $REBOUND_MAIL_PASSWORD.
fn password(file: Option<&std::path::Path>) -> anyhow::Result<String> {
    let text = match file {
        Some(path) => {
            let text = input::read_limited(path, 64 * 1024, "password file")?;
            warn_if_readable_by_others(path);
            text.lines().next().unwrap_or("").to_string()
        }
        None => std::env::var(PASSWORD_ENV).with_context(|| {
            format!("no password: give --password-file FILE or set {PASSWORD_ENV}")
        })?,
    };
    if text.is_empty() {
        bail!("the password is empty");
    }
    Ok(text)
}

#[cfg(unix)]
fn warn_if_readable_by_others(path: &std::path::Path) {
    use std::os::unix::fs::PermissionsExt;
    if let Ok(meta) = std::fs::metadata(path)
        && meta.permissions().mode() & 0o077 != 0
    {
        eprintln!(
            "rebound: warning: the password file {} can be read by others (chmod 600 it)",
            path.display()
        );
    }
}

#[cfg(not(unix))]
fn warn_if_readable_by_others(_: &std::path::Path) {}
