//! `rebound suppressions`: the suppression list: list, check (fast, many addresses from
//! standard input), add, remove, CSV export and import, and the policy in force.

use super::ingest::StoreArgs;
use crate::term::escape;
use anyhow::Context;
use clap::{Args, Subcommand};
use rebound_store::Address;
use rebound_store::{Access, Check, Suppression, exchange, time};
use serde::Serialize;
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

/// The suppression list: addresses not to mail again, and why.
#[derive(Args)]
#[command(after_help = "Examples:
  rebound suppressions list
  rebound suppressions check jdoe@example.com bob@example.org
  cut -d, -f1 mailing-list.csv | rebound suppressions check --only-suppressed
  rebound suppressions add --reason 'asked by phone' jane@example.com
  rebound suppressions remove jane@example.com
  rebound suppressions export --csv > suppressions.csv
  rebound suppressions import --csv suppressions.csv
  rebound suppressions policy > policy.toml      # the defaults, to edit and pass with --policy

What suppresses: see `rebound suppressions policy --help` for the whole table. Every
suppression records its rule, reason, event id and classifier rule.

Addresses: `bob@example.com`, `<bob@example.com>`, `Bob <bob@example.com>`,
`mailto:bob@example.com`, `\"john doe\"@example.com` and internationalized domains
(`bob@bücher.example`) are all read, and stored and looked up under one spelling: display name,
angle brackets and comments dropped, the domain in its IDNA ASCII form, everything lower-cased.
Anything else is `invalid` (for `check`: answered `invalid`, exit code 1; for `add`/`remove`:
reported and skipped, exit code 1).")]
pub struct SuppressionsArgs {
    #[command(subcommand)]
    action: Action,

    #[command(flatten)]
    store: StoreArgs,
}

#[derive(Subcommand)]
enum Action {
    /// List suppressed addresses with rule, reason, event id, source and date.
    List {
        /// One JSON object per line: address, rule, reason, event_id, classifier_rule, source,
        /// created_at (RFC 3339, as in the text and CSV outputs).
        #[arg(long, conflicts_with = "csv")]
        json: bool,
        /// CSV with a header row (as `export --csv`).
        #[arg(long)]
        csv: bool,
    },
    /// Answer for each address: suppressed (and the rule), ok, or invalid. Without
    /// addresses, reads one per line from standard input and answers one line each, in order.
    #[command(
        after_help = "Output: `ADDRESS<TAB>suppressed<TAB>RULE`, `ADDRESS<TAB>ok` or \
`ADDRESS<TAB>invalid`, with ADDRESS as given; with --json one object per line: {address,
status: suppressed|ok|invalid, rule}. Exit code 0 however many are suppressed; 1 when an
address is invalid (the others are still answered) or the store is missing."
    )]
    Check {
        /// Addresses to check.
        #[arg(value_name = "ADDRESS")]
        addresses: Vec<String>,
        /// One JSON object per address.
        #[arg(long)]
        json: bool,
        /// Print only the suppressed addresses.
        #[arg(long)]
        only_suppressed: bool,
    },
    /// Suppress addresses by hand (rule `manual`); already suppressed ones keep their reason.
    Add {
        /// Addresses.
        #[arg(value_name = "ADDRESS", required = true)]
        addresses: Vec<String>,
        /// Why (kept as the reason).
        #[arg(long, value_name = "TEXT")]
        reason: Option<String>,
    },
    /// Remove addresses from the list (mail to them resumes).
    Remove {
        /// Addresses.
        #[arg(value_name = "ADDRESS", required = true)]
        addresses: Vec<String>,
    },
    /// Write the list as CSV: address, rule, reason, event_id, classifier_rule, source,
    /// created_at (RFC 3339).
    Export {
        /// CSV (the only format; required so scripts say what they expect).
        #[arg(long, required = true)]
        csv: bool,
        /// Write to this file instead of standard output.
        #[arg(long, short = 'o', value_name = "FILE")]
        output: Option<PathBuf>,
    },
    /// Add addresses from CSV with a header row holding at least `address` (and optionally
    /// rule, reason, event_id, classifier_rule, source, created_at). Bad rows are reported
    /// and skipped.
    Import {
        /// CSV (the only format).
        #[arg(long, required = true)]
        csv: bool,
        /// The file (`-` for standard input).
        #[arg(value_name = "FILE")]
        file: PathBuf,
    },
    /// Print the suppression policy in force (the defaults, or --policy FILE) as TOML.
    #[command(after_help = "How each new event is judged, first matching row wins:

  verdict of the event                                 what the policy does
  ---------------------------------------------------  ------------------------------------------
  bounce_type block (blocked, spamdetected, norelaying, never suppresses: the receiver refused the
  authfailure, badreputation, policyviolation, ...)    sender; counted as sender_side (`rebound
                                                       report --by sender`)
  action review, where a row below would suppress or   never suppresses, never counts: a review
  count (551 without forward-path = route to check;    item in `rebound hints list` (kind route,
  551 naming another domain; suspended, filtered)      review or verdict)
  reason in [hard] reasons (default userunknown,       suppress at once, rule hard:REASON
  hostunknown, hasmoved, notaccept, suspend), not a
  temporary reply
  bounce_type hard or soft, reason not in [soft]       a soft bounce: the COUNT-th within DAYS days
  ignore (default greylisted, toomanyconn, speeding)   (by event time) suppresses, rule
                                                       soft:COUNT-in-DAYSd (default 3 in 7)
  reason feedback (an ARF complaint), [complaints]     suppress at once, rule complaint
  suppress = true (default)
  anything else (delivered, vacation, undetermined)    nothing

Only new events are judged: ingesting the same bounce again changes nothing. Manual entries
(`add`, `import`) have rule manual or import. Edit the printed TOML and pass it with --policy
FILE to `ingest`; absent keys keep their defaults.

Examples:
  rebound suppressions policy > policy.toml
  rebound ingest --policy policy.toml bounces/")]
    Policy,
}

#[derive(Serialize)]
struct Answer<'a> {
    address: &'a str,
    status: &'a str,
    rule: Option<&'a str>,
}

pub fn run(args: SuppressionsArgs, _rule_files: &[PathBuf]) -> anyhow::Result<ExitCode> {
    if let Action::Policy = args.action {
        write!(std::io::stdout(), "{}", args.store.load_policy()?.to_toml())?;
        return Ok(ExitCode::SUCCESS);
    }
    let access = match args.action {
        Action::Add { .. } | Action::Import { .. } => Access::Create,
        Action::Remove { .. } => Access::Write,
        Action::List { .. } | Action::Check { .. } | Action::Export { .. } | Action::Policy => {
            Access::Read
        }
    };
    let mut store = args.store.open(access)?;
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::with_capacity(256 * 1024, stdout.lock());
    let mut code = ExitCode::SUCCESS;
    match args.action {
        Action::Policy => {}
        Action::List { json, csv } => {
            let list = store.suppressions()?;
            if csv {
                exchange::write_suppressions(&mut out, &list)?;
            } else if json {
                for s in &list {
                    serde_json::to_writer(&mut out, s)?;
                    writeln!(out)?;
                }
            } else {
                for s in &list {
                    writeln!(
                        out,
                        "{}\t{}\t{}\t{}\t{}\t{}",
                        escape(&s.address),
                        escape(&s.rule),
                        escape(s.reason.as_deref().unwrap_or("-")),
                        escape(s.event_id.as_deref().unwrap_or("-")),
                        escape(s.source.as_deref().unwrap_or("-")),
                        time::format_rfc3339(s.created_at)
                    )?;
                }
            }
        }
        Action::Check {
            addresses,
            json,
            only_suppressed,
        } => {
            let mut set = store.suppression_set()?;
            let mut invalid = 0u64;
            let mut invalid_lines = 0u64;
            let mut answer = |given: &str, out: &mut dyn Write| -> std::io::Result<()> {
                let (status, rule) = match set.check(given) {
                    Check::Suppressed(rule) => ("suppressed", Some(rule)),
                    Check::Clear => ("ok", None),
                    Check::Invalid => {
                        invalid += 1;
                        ("invalid", None)
                    }
                };
                if only_suppressed && rule.is_none() {
                    return Ok(());
                }
                if json {
                    serde_json::to_writer(
                        &mut *out,
                        &Answer {
                            address: given,
                            status,
                            rule,
                        },
                    )?;
                    writeln!(out)
                } else if let Some(rule) = rule {
                    writeln!(out, "{}\t{status}\t{}", escape(given), escape(rule))
                } else {
                    writeln!(out, "{}\t{status}", escape(given))
                }
            };
            if addresses.is_empty() {
                let stdin = std::io::stdin().lock();
                crate::input::for_each_line(stdin, |n, line| {
                    match line {
                        crate::input::Line::Text(text) => answer(&text, &mut out)?,
                        crate::input::Line::TooLong => {
                            eprintln!(
                                "rebound: standard input:{n}: longer than {} bytes, not an address",
                                crate::input::MAX_LINE
                            );
                            invalid_lines += 1;
                            if !only_suppressed {
                                writeln!(out, "(line {n}: too long)\tinvalid")?;
                            }
                        }
                    }
                    Ok(())
                })?;
            } else {
                for a in &addresses {
                    answer(a, &mut out)?;
                }
            }
            if invalid + invalid_lines > 0 {
                code = ExitCode::from(1);
            }
        }
        Action::Add { addresses, reason } => {
            let mut rows = Vec::new();
            for a in &addresses {
                match Address::parse(a) {
                    Ok(address) => rows.push(Suppression {
                        address: address.into_string(),
                        rule: "manual".into(),
                        reason: reason.clone(),
                        event_id: None,
                        classifier_rule: None,
                        source: None,
                        created_at: time::now(),
                    }),
                    Err(e) => {
                        eprintln!("rebound: `{}`: {e}, skipped", escape(a));
                        code = ExitCode::from(1);
                    }
                }
            }
            let added = store.add_suppressions(rows)?;
            eprintln!("rebound: {added} addresses suppressed");
        }
        Action::Remove { addresses } => {
            let mut normalized = Vec::new();
            for a in &addresses {
                match Address::parse(a) {
                    Ok(address) => normalized.push(address.into_string()),
                    Err(e) => {
                        eprintln!("rebound: `{}`: {e}, skipped", escape(a));
                        code = ExitCode::from(1);
                    }
                }
            }
            let removed = store.remove_suppressions(&normalized)?;
            eprintln!(
                "rebound: {removed} of {} addresses removed",
                addresses.len()
            );
        }
        Action::Export { output, .. } => {
            let list = store.suppressions()?;
            match output {
                Some(path) => {
                    let file = std::fs::File::create(&path)
                        .with_context(|| format!("creating {}", path.display()))?;
                    exchange::write_suppressions(std::io::BufWriter::new(file), &list)?;
                }
                None => exchange::write_suppressions(&mut out, &list)?,
            }
        }
        Action::Import { file, .. } => {
            let name = file.display().to_string();
            let input: Box<dyn std::io::Read> = if name == "-" {
                Box::new(std::io::stdin().lock())
            } else {
                Box::new(std::fs::File::open(&file).with_context(|| format!("opening {name}"))?)
            };
            let input = crate::input::LineLimit::new(input);
            let imported = exchange::read_suppressions(input, time::now())
                .with_context(|| format!("reading {name}"))?;
            for (line, why) in &imported.skipped {
                eprintln!("rebound: {name}:{line}: {why}, skipped");
            }
            if !imported.skipped.is_empty() {
                code = ExitCode::from(1);
            }
            let total = imported.rows.len();
            let added = store.add_suppressions(imported.rows)?;
            eprintln!("rebound: {added} of {total} addresses newly suppressed");
        }
    }
    out.flush()?;
    Ok(code)
}
