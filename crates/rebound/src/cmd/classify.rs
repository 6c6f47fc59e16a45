//! `rebound classify`: one verdict per reply, from arguments or from standard input.

use crate::input::{self, Line};
use crate::term::escape;
use clap::Args;
use rebound_core::{Classification, Classifier, Reply, Verdict};
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

/// Classify SMTP replies: hard or soft, why, and what to do.
#[derive(Args)]
#[command(after_help = "Examples:
  rebound classify \"551 User not local; please try <jdoe@relay.example.net>\"
  rebound classify --recipient jdoe@example.com \"551 User not local; please try <jane@example.com>\"
  rebound classify \"host mx.example.com[192.0.2.1] said: 550 5.1.1 <x@example.com>: User unknown (in reply to RCPT TO command)\"
  grep -h '^Diagnostic-Code' bounces/*.eml | rebound classify --json

Accepts bare replies and the wrappers MTAs put around them (Postfix `said:`, Exim `SMTP error
from remote mail server after ...`, DSN `Diagnostic-Code: smtp; ...`).

JSON fields (one object per line): input, code, status, text, command, forward {address,
will_forward, same_domain}, remote_host, permanent, reason, bounce_type, category, severity,
action, rule. Absent values are null.")]
pub struct ClassifyArgs {
    /// Replies to classify; without any, one reply per line is read from standard input.
    #[arg(value_name = "REPLY")]
    replies: Vec<String>,

    /// Print one JSON object per reply instead of the readable verdict.
    #[arg(long)]
    json: bool,

    /// The original recipient: tells whether a forward-path stays in its domain.
    #[arg(long, value_name = "ADDRESS")]
    recipient: Option<String>,
}

pub fn run(args: ClassifyArgs, rule_files: &[PathBuf]) -> anyhow::Result<ExitCode> {
    let classifier = input::classifier(rule_files)?;
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    let mut failures = 0usize;
    // Classifies one reply; returns whether it could be read.
    let one = |where_: &str, text: &str, out: &mut dyn Write| -> anyhow::Result<bool> {
        match Reply::parse(text) {
            Ok(mut reply) => {
                if let Some(r) = &args.recipient {
                    reply.relate_to_recipient(r);
                }
                let c = classifier.classify(&reply);
                if args.json {
                    serde_json::to_writer(
                        &mut *out,
                        &Verdict {
                            input: text,
                            reply: &reply,
                            classification: &c,
                        },
                    )?;
                    writeln!(out)?;
                } else {
                    print_readable(out, text, &reply, &c, &classifier)?;
                }
            }
            Err(e) => {
                eprintln!("rebound: {where_}: {}", escape(&e.to_string()));
                return Ok(false);
            }
        }
        Ok(true)
    };
    if args.replies.is_empty() {
        input::for_each_line(std::io::stdin().lock(), |n, line| match line {
            Line::Text(t) if t.trim().is_empty() => Ok(()),
            Line::Text(t) => {
                failures += usize::from(!one(&format!("line {n}"), &t, &mut out)?);
                Ok(())
            }
            Line::TooLong => {
                failures += 1;
                eprintln!(
                    "rebound: line {n}: longer than {} bytes, skipped",
                    input::MAX_LINE
                );
                Ok(())
            }
        })?;
    } else {
        for (i, reply) in args.replies.iter().enumerate() {
            failures += usize::from(!one(&format!("argument {}", i + 1), reply, &mut out)?);
        }
    }
    out.flush()?;
    Ok(if failures > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

fn print_readable(
    out: &mut dyn Write,
    input: &str,
    reply: &Reply,
    c: &Classification,
    classifier: &Classifier,
) -> std::io::Result<()> {
    let rule = classifier.rule(&c.rule);
    let meaning = rule
        .and_then(|r| r.description.as_deref())
        .unwrap_or_else(|| c.reason.meaning());
    let kind = match c.bounce_type {
        rebound_core::BounceType::None => "not a bounce".to_string(),
        t => format!("{t} bounce"),
    };
    writeln!(out, "{}", escape(input))?;
    writeln!(
        out,
        "  verdict   {kind}, reason {}, category {}, severity {}",
        c.reason, c.category, c.severity
    )?;
    writeln!(out, "  means     {}", escape(meaning))?;
    let code = reply
        .code
        .map(|c| c.to_string())
        .unwrap_or_else(|| "-".into());
    let status = reply
        .status
        .map(|s| s.to_string())
        .unwrap_or_else(|| "-".into());
    let permanence = match c.permanent {
        Some(true) => "permanent",
        Some(false) => "temporary",
        None => "neither permanent nor temporary",
    };
    writeln!(out, "  codes     {code} {status} ({permanence})")?;
    if let Some(cmd) = reply.command {
        writeln!(out, "  answered  {cmd}")?;
    }
    if let Some(f) = &reply.forward {
        let domain = match f.same_domain {
            Some(true) => ", same domain as the recipient",
            Some(false) => ", another domain than the recipient's",
            None => "",
        };
        let how = if f.will_forward {
            "the server forwards the message itself"
        } else {
            "never followed automatically"
        };
        writeln!(out, "  forward   {} ({how}{domain})", escape(&f.address))?;
    }
    writeln!(out, "  do        {}: {}", c.action, c.action.meaning())?;
    match rule {
        Some(r) => writeln!(
            out,
            "  rule      {} ({}:{})",
            escape(&c.rule),
            escape(&r.file),
            r.line
        )?,
        None => writeln!(out, "  rule      {} (no rule matched)", escape(&c.rule))?,
    }
    writeln!(out)
}
