//! `rebound parse`: bounce emails (.eml, mbox, Maildir, directories), MTA logs and webhook
//! bodies (files or standard input, routed by [`crate::route`]) in, one classified event per
//! recipient out, as JSON lines or a readable table and summary.
//! With `--jobs N`, one reader thread streams messages to N parsing threads and the output
//! keeps the input order; memory stays bounded however large the mailbox.

use crate::input;
use crate::route::{self, Outcome, Reading};
use clap::Args;
use rebound_core::BounceEvent;
use rebound_ingest::Options;
use std::collections::BTreeMap;
use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

/// Parse bounce emails into classified events, one per recipient.
#[derive(Args)]
#[command(after_help = "Examples:
  rebound parse bounce.eml
  rebound parse --json ~/Maildir/.Bounces > events.jsonl
  rebound parse --json --header X-Lead-Source --jobs 4 bounces.mbox
  cat bounce.eml | rebound parse -

Reads .eml files, mbox files (From_ separated, >From unescaped), Maildir folders (cur/, new/),
directories (recursively), MTA logs, webhook bodies and standard input (-); the kind of each
file, and of standard input, is sniffed from its first bytes unless --format says it. In a
directory, each file is sniffed on its own: logs, webhook bodies and emails may be mixed (a
Maildir inside is read as one; a file named *.eml is taken for a message without sniffing). A webhook file holds one body, or JSON lines of bodies (one a
line; a line that is no body is named and skipped). The systemd journal's JSON export of an
MTA's unit (`journalctl -u postfix -o json`) is read as the MTA's log.

MTA logs: each failure's dsn_action is the MTA's own verdict (Postfix status=bounced,
deferred, expired; Exim ** and ==; OpenSMTPD PermFail and TempFail), and `permanent` follows
it when the reply has no code or status. The MTA's own refusals of its clients (Postfix
NOQUEUE: reject, Exim rejected RCPT, OpenSMTPD smtp failed-command, Sendmail check_rcpt) are
events too: provider_class `refused`, tags `client` and `stage`. Deliveries are not events
(`rebound ingest` counts them as sends).

--follow reads one log as it grows, in either output mode, row by row: across rotation (the
file renamed or removed and created again) and truncation, and from a file that is empty or
not there yet (its format is sniffed from its first line).
Understands RFC 3464 delivery status notifications, RFC 6533 internationalized ones, ARF
feedback reports, auto-replies and the plain-text formats of many mail servers.

JSON fields (one object per recipient): source {path, message, index, kind, reader},
recipient, sender, at, code, status, text, command, forward {address, will_forward,
same_domain}, remote_host, permanent, bounce_type, reason, category, severity, action, rule,
dsn_action, message_id, remote_mta, reporting_mta, feedback_type, provider_class, truncated,
tags. Every field is always present; absent values are null, empty lists []. docs/event.md
in the source describes each field and its values; docs/tags.md what each email service's
metadata becomes in tags (meta.<key>, labels, campaign, subaccount, header.<name>).

Exit codes: 0 every message was read, 1 some file or message could not be read (each is
reported on stderr with its path and why), 2 usage.")]
pub struct ParseArgs {
    /// Files, mbox files, Maildir folders or directories; `-` reads standard input.
    #[arg(value_name = "PATH", required = true)]
    paths: Vec<PathBuf>,

    /// Print one JSON object per recipient instead of the table and summary.
    #[arg(long)]
    json: bool,

    /// Parsing threads (1 = everything on the main thread).
    #[arg(long, short = 'j', value_name = "N", default_value_t = 1)]
    jobs: usize,

    /// A header of the returned message to keep as an event tag (repeatable), e.g. X-Lead-Source.
    #[arg(long = "header", value_name = "NAME")]
    headers: Vec<String>,

    /// Input format: auto (sniff each file), mail, mbox, an MTA log (postfix, exim, sendmail,
    /// opensmtpd, kumomta, powermta) or a webhook body (ses, sendgrid, mailgun, postmark,
    /// sparkpost, mandrill).
    #[arg(long, value_name = "FORMAT", default_value = "auto")]
    format: rebound_ingest::Format,

    /// Keep reading a log file as it grows, across rotation (like tail -F); the file may
    /// start empty.
    #[arg(long)]
    follow: bool,
}

/// Counts for the summary.
#[derive(Default)]
struct Summary {
    messages: u64,
    not_bounces: u64,
    recipients: u64,
    failures: u64,
    /// Events read from evidence that a reading limit cut (`truncated` not empty).
    truncated: u64,
    by_reason: BTreeMap<&'static str, u64>,
}

pub fn run(args: ParseArgs, rule_files: &[PathBuf]) -> anyhow::Result<ExitCode> {
    let classifier = Arc::new(input::classifier(rule_files)?);
    let options = Arc::new(Options {
        tag_headers: args.headers.clone(),
    });
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::with_capacity(64 * 1024, stdout.lock());
    let progress = progress_bar();
    let mut summary = Summary::default();
    // Each JSON line is built here and written whole: one call through `dyn Write` per event
    // instead of one per token.
    let mut line = Vec::new();
    let mut emit = |outcome: Outcome, out: &mut dyn Write| -> anyhow::Result<()> {
        match outcome {
            Outcome::Events(events) => {
                summary.messages += 1;
                summary.not_bounces += u64::from(events.is_empty());
                if let Some(warning) = route::truncation_warning(&events) {
                    if let Some(p) = &progress {
                        p.suspend(|| eprintln!("rebound: {warning}"));
                    } else {
                        eprintln!("rebound: {warning}");
                    }
                }
                for e in &events {
                    summary.recipients += 1;
                    summary.truncated += u64::from(!e.truncated.is_empty());
                    *summary
                        .by_reason
                        .entry(e.classification.reason.as_str())
                        .or_default() += 1;
                    if args.json {
                        line.clear();
                        e.write_json(&mut line);
                        line.push(b'\n');
                        out.write_all(&line)?;
                        if args.follow {
                            out.flush()?;
                        }
                    } else {
                        print_row(out, e)?;
                        if args.follow {
                            out.flush()?;
                        }
                    }
                }
            }
            Outcome::Failed(why) => {
                summary.failures += 1;
                if let Some(p) = &progress {
                    p.suspend(|| eprintln!("rebound: {why}"));
                } else {
                    eprintln!("rebound: {why}");
                }
            }
        }
        if let Some(p) = &progress {
            p.inc(1);
        }
        Ok(())
    };
    if !args.json {
        writeln!(
            out,
            "{:<40} {:<36} {:<4} {:<7} {:<16} {:<12} action",
            "source", "recipient", "code", "status", "reason", "type"
        )?;
        if args.follow {
            out.flush()?;
        }
    }
    let how = Reading {
        format: args.format,
        classifier: &classifier,
        options: &options,
        follow: args.follow,
        jobs: args.jobs,
        deliveries: false,
    };
    let files = route::read(&args.paths, &how, &mut |o| emit(o, &mut out))?;
    if let Some(p) = &progress {
        p.finish_and_clear();
    }
    if !args.json {
        print_summary(&mut out, files, &summary)?;
    }
    out.flush()?;
    Ok(if summary.failures > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

/// A spinner with a message count, only when stderr is a terminal.
fn progress_bar() -> Option<indicatif::ProgressBar> {
    if !std::io::stderr().is_terminal() {
        return None;
    }
    let bar = indicatif::ProgressBar::new_spinner();
    if let Ok(style) =
        indicatif::ProgressStyle::with_template("{spinner} {pos} messages, {per_sec}")
    {
        bar.set_style(style);
    }
    bar.enable_steady_tick(std::time::Duration::from_millis(200));
    Some(bar)
}

fn print_row(out: &mut dyn Write, e: &BounceEvent) -> std::io::Result<()> {
    let src = format!(
        "{}:{}:{}",
        e.source.path.as_deref().unwrap_or("-"),
        e.source.message.unwrap_or(0),
        e.source.index.unwrap_or(0)
    );
    let code = e
        .reply
        .code
        .map(|c| c.to_string())
        .unwrap_or_else(|| "-".into());
    let status = e
        .reply
        .status
        .map(|s| s.to_string())
        .unwrap_or_else(|| "-".into());
    writeln!(
        out,
        "{:<40} {:<36} {:<4} {:<7} {:<16} {:<12} {}",
        tail(&crate::term::escape(&src), 40),
        tail(
            &crate::term::escape(e.recipient.as_deref().unwrap_or("-")),
            36
        ),
        code,
        status,
        e.classification.reason.as_str(),
        e.classification.bounce_type.as_str(),
        e.classification.action.as_str()
    )
}

/// The last `n` characters of `s` (paths are told apart by their ends).
fn tail(s: &str, n: usize) -> String {
    let count = s.chars().count();
    if count <= n {
        return s.to_string();
    }
    let skip = count - (n - 1);
    format!("…{}", s.chars().skip(skip).collect::<String>())
}

fn print_summary(out: &mut dyn Write, files: u64, s: &Summary) -> std::io::Result<()> {
    writeln!(out)?;
    writeln!(
        out,
        "{files} files, {} messages ({} not bounces), {} recipients; {} inputs could not be read",
        s.messages, s.not_bounces, s.recipients, s.failures
    )?;
    if s.truncated > 0 {
        writeln!(
            out,
            "{} recipients read from evidence cut by reading limits (warnings above;              `truncated` in --json)",
            s.truncated
        )?;
    }
    let mut reasons: Vec<_> = s.by_reason.iter().collect();
    reasons.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
    for (reason, n) in reasons {
        writeln!(out, "  {n:>8}  {reason}")?;
    }
    Ok(())
}
