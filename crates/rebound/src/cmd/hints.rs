//! `rebound hints`: forward hints of 551 (and 251, "has moved to") replies: list them, accept
//! or reject them, export them as CSV for a CRM. Nothing is ever followed automatically.

use super::ingest::StoreArgs;
use crate::term::escape;
use anyhow::Context;
use clap::{Args, Subcommand};
use rebound_store::{Access, HintStatus, exchange, time};
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

/// Forward hints: new addresses servers named for bounced ones, pending a person's review.
#[derive(Args)]
#[command(after_help = "Examples:
  rebound hints list                       # pending hints
  rebound hints list --status all --json
  rebound hints accept 12 14
  rebound hints reject 13
  rebound hints export --csv --status accepted > address-updates.csv

A hint is recorded when a reply names a forward-path (`551 User not local; please try
<new@example.com>`, RFC 5321 3.4). In the bounced address's own domain it is a suggested
address update (kind `update`); in another domain it is flagged for review (kind `review`): a
hostile server could name any address. Accepting a hint only records the decision; Rebound
never mails the new address itself. Export the accepted ones and apply them in your CRM.

Review items without a new address come from verdicts whose action is `review`, which never
suppress (see `rebound suppressions policy --help`): kind `route` for a routing verdict (a 551
without forward-path: often the sender's own stale route; check the domain's live MX with
`rebound mx DOMAIN --host HOST` before suppressing by hand), kind `verdict` for the others (a
suspended or filtered mailbox). Their new_address is empty (`-` in the text listing).

CSV columns: id, old_address, new_address, kind, status, will_forward, seen, event_id,
created_at, decided_at (RFC 3339).")]
pub struct HintsArgs {
    #[command(subcommand)]
    action: Action,

    #[command(flatten)]
    store: StoreArgs,
}

#[derive(Subcommand)]
enum Action {
    /// List hints (pending ones unless --status says otherwise).
    List {
        /// pending, accepted, rejected or all.
        #[arg(long, default_value = "pending", value_name = "STATUS")]
        status: String,
        /// One JSON object per line: id, old_address, new_address, kind, will_forward,
        /// status, event_id, seen, created_at, decided_at (RFC 3339; decided_at null while pending).
        #[arg(long)]
        json: bool,
    },
    /// Accept hints by id (records the decision only).
    Accept {
        /// Hint ids.
        #[arg(value_name = "ID", required = true)]
        ids: Vec<i64>,
    },
    /// Reject hints by id.
    Reject {
        /// Hint ids.
        #[arg(value_name = "ID", required = true)]
        ids: Vec<i64>,
    },
    /// Write hints as CSV.
    Export {
        /// CSV (the only format).
        #[arg(long, required = true)]
        csv: bool,
        /// pending, accepted, rejected or all.
        #[arg(long, default_value = "all", value_name = "STATUS")]
        status: String,
    },
}

fn parse_status(s: &str) -> anyhow::Result<Option<HintStatus>> {
    if s.eq_ignore_ascii_case("all") {
        return Ok(None);
    }
    s.parse()
        .map(Some)
        .map_err(anyhow::Error::msg)
        .context("--status")
}

pub fn run(args: HintsArgs, _rule_files: &[PathBuf]) -> anyhow::Result<ExitCode> {
    let access = match args.action {
        Action::Accept { .. } | Action::Reject { .. } => Access::Write,
        Action::List { .. } | Action::Export { .. } => Access::Read,
    };
    let mut store = args.store.open(access)?;
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    let mut code = ExitCode::SUCCESS;
    match args.action {
        Action::List { status, json } => {
            for h in store.hints(parse_status(&status)?)? {
                if json {
                    serde_json::to_writer(&mut out, &h)?;
                    writeln!(out)?;
                } else {
                    writeln!(
                        out,
                        "{}\t{} -> {}\t{}\t{}\tseen {}\t{}",
                        h.id,
                        escape(&h.old_address),
                        if h.new_address.is_empty() {
                            "-".into()
                        } else {
                            escape(&h.new_address)
                        },
                        h.kind.as_str(),
                        h.status,
                        h.seen,
                        time::format_rfc3339(h.created_at)
                    )?;
                }
            }
        }
        Action::Accept { ids } => code = decide(&mut store, &ids, HintStatus::Accepted)?,
        Action::Reject { ids } => code = decide(&mut store, &ids, HintStatus::Rejected)?,
        Action::Export { status, .. } => {
            let hints = store.hints(parse_status(&status)?)?;
            exchange::write_hints(&mut out, &hints)?;
        }
    }
    out.flush()?;
    Ok(code)
}

/// Records a decision on each hint; exit code 1 when one does not exist.
fn decide(
    store: &mut rebound_store::Store,
    ids: &[i64],
    status: HintStatus,
) -> anyhow::Result<ExitCode> {
    let mut code = ExitCode::SUCCESS;
    for &id in ids {
        if store.decide_hint(id, status)? {
            eprintln!("rebound: hint {id} {status}");
        } else {
            eprintln!("rebound: no hint {id}");
            code = ExitCode::from(1);
        }
    }
    Ok(code)
}
