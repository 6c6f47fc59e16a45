//! `rebound sends`: the sends that give bounce rates their denominator: import a send list
//! (CSV: address, source, time) into the store's counts per lead source, recipient domain and
//! day.

use super::ingest::StoreArgs;
use anyhow::Context;
use clap::{Args, Subcommand};
use rebound_store::{Access, Send, SendStats, sends};
use std::path::PathBuf;
use std::process::ExitCode;

/// Sends: how many messages went to each lead source's addresses, the denominators of
/// `rebound report`'s rates per 1,000 sent.
#[derive(Args)]
#[command(after_help = "Examples:
  rebound sends import sent-2024-05.csv
  rebound sends import --db postgres://postgres@127.0.0.1:5432/test sends.csv
  export-sends | rebound sends import -
  rebound report --by source                 # then: sent, bounced, hard, stale per 1,000 sent

A send list is CSV with a header row: `address` (or email, recipient), `source` (or
lead_source; empty for none) and `time` (or sent_at, date: RFC 3339 such as
2024-05-01T09:00:00Z, `2024-05-01 09:00:00` as UTC, or a bare date), and optionally
`message_id`. Other columns are ignored.

Sends are also counted by `rebound ingest` from MTA logs (Postfix status=sent, Exim =>,
OpenSMTPD result=\"Ok\", Sendmail stat=Sent, and each recipient's final failure) and from
webhook bodies (each service's delivered and accepted events, and its bounces; not its drops
or suppressions, which were never sent), labelled with --source, --source-tag or the source
header. One that names no source is looked up in the send list (by Message-ID, then address):
when it is there, it is that listed send, counted already, and is not counted again. Not
sends: deferrals (the final outcome counts), an MTA's refusals of its own clients, complaints,
bounce emails (they say nothing of what was sent).

Counting: per lead source, recipient domain and UTC day. Each send is kept once, by a key over
its address and Message-ID (without one: its address, source and time), so importing a list
twice, or a list that repeats rows, counts each send once.

Lead sources: a bounce that names no source of its own (no --source, --source-tag or source
header) takes the source of the send it answers: the send with its Message-ID (give the list
a message_id column where you have one), else the most recent send to its recipient at or
before the bounce, else the most recent. Import the list before ingesting the bounces; see
`rebound ingest --help` (--no-send-list).

Exit codes: 0 every row was read, 1 some rows were skipped (each named on stderr by its line;
the others were imported), 2 usage.")]
pub struct SendsArgs {
    #[command(subcommand)]
    action: Action,

    #[command(flatten)]
    store: StoreArgs,
}

#[derive(Subcommand)]
enum Action {
    /// Import a send list (CSV: address, source, time); `-` reads standard input.
    Import {
        /// The CSV file.
        #[arg(value_name = "FILE.csv")]
        file: PathBuf,
    },
}

/// Sends recorded per transaction.
const BATCH: usize = rebound_store::DEFAULT_BATCH;

pub fn run(args: SendsArgs, _rule_files: &[PathBuf]) -> anyhow::Result<ExitCode> {
    let Action::Import { file } = args.action;
    let name = file.display().to_string();
    let input: Box<dyn std::io::Read> = if name == "-" {
        Box::new(std::io::stdin().lock())
    } else {
        Box::new(std::fs::File::open(&file).with_context(|| format!("opening {name}"))?)
    };
    let input = crate::input::LineLimit::new(std::io::BufReader::new(input));
    let mut store = args.store.open(Access::Create)?;
    let mut stats = SendStats::default();
    let mut batch: Vec<Send> = Vec::with_capacity(BATCH);
    let skipped = sends::for_each_csv(input, &mut |send| {
        batch.push(send);
        if batch.len() >= BATCH {
            stats += store.record_sends(&batch)?;
            batch.clear();
        }
        Ok(())
    })
    .with_context(|| format!("reading {name}"))?;
    stats += store.record_sends(&batch)?;
    for (line, why) in &skipped {
        eprintln!(
            "rebound: {}:{line}: {}, skipped",
            crate::term::escape(&name),
            crate::term::escape(why)
        );
    }
    eprintln!(
        "rebound: {} sends read into {} ({}): {} new, {} already counted, {} rows skipped",
        stats.sends,
        store.location(),
        store.backend_kind(),
        stats.new,
        stats.duplicates,
        skipped.len()
    );
    Ok(if skipped.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}
