//! `rebound explain`: one code or one whole reply, explained from the code reference
//! (`rebound-codes`): the readable page, or the data as JSON. For a reply it also shows the
//! classifier's verdict, so the reference and the verdict can be read side by side.

use crate::input;
use clap::Args;
use rebound_codes::render::text;
use rebound_codes::{Entry, Found, Reference};
use serde::Serialize;
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

/// Explain a reply code, an enhanced status code, a provider code, or a whole reply.
#[derive(Args)]
#[command(after_help = "Examples:
  rebound explain 551
  rebound explain 5.1.6
  rebound explain S3150
  rebound explain TSS04
  rebound explain \"550 5.1.1 <jdoe@example.com>: user unknown\"
  rebound explain --json 4.7.0

A code prints its page: meaning, bounce type, severity, category, what to do, standard, log
examples, how it plays out, causes, fixes, the soft-vs-hard table, FAQ and related codes. A
reply prints the classifier's verdict, then the pages of the provider, enhanced and basic
codes it carries. `rebound codes` lists every entry.")]
pub struct ExplainArgs {
    /// A code (551, 5.1.6, 4xx, S3150, TSS04) or a whole reply; several words are joined.
    #[arg(value_name = "CODE|REPLY", required = true, num_args = 1..)]
    query: Vec<String>,

    /// Print the entries (and, for a reply, the verdict) as one JSON object.
    #[arg(long)]
    json: bool,
}

/// The JSON shape: the query, the parsed reply and verdict when it was a reply, the entries.
#[derive(Serialize)]
struct Explained<'a> {
    query: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    reply: Option<&'a rebound_core::Reply>,
    #[serde(skip_serializing_if = "Option::is_none")]
    verdict: Option<&'a rebound_core::Classification>,
    entries: &'a [&'a Entry],
}

pub fn run(args: ExplainArgs, rule_files: &[PathBuf]) -> anyhow::Result<ExitCode> {
    let reference = Reference::builtin()?;
    let query = args.query.join(" ");
    let Some(found) = reference.find(&query) else {
        eprintln!(
            "rebound: nothing in the code reference explains `{query}` (see `rebound codes`)"
        );
        return Ok(ExitCode::from(1));
    };
    let verdict = match &found {
        Found::Reply(reply, _) => Some(input::classifier(rule_files)?.classify(reply)),
        Found::Code(_) => None,
    };
    let reply = match &found {
        Found::Reply(reply, _) => Some(reply.as_ref()),
        Found::Code(_) => None,
    };
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    if args.json {
        let data = Explained {
            query: &query,
            reply,
            verdict: verdict.as_ref(),
            entries: found.entries(),
        };
        serde_json::to_writer_pretty(&mut out, &data)?;
        writeln!(out)?;
    } else {
        if let (Some(reply), Some(c)) = (reply, &verdict) {
            writeln!(out, "{query}")?;
            writeln!(
                out,
                "  verdict   {} bounce, reason {}, category {}, severity {}, action {} (rule {})",
                c.bounce_type, c.reason, c.category, c.severity, c.action, c.rule
            )?;
            if let Some(f) = &reply.forward {
                writeln!(
                    out,
                    "  forward   {} (never followed automatically)",
                    f.address
                )?;
            }
            let codes: Vec<&str> = found.entries().iter().map(|e| e.code.as_str()).collect();
            writeln!(out, "  entries   {}\n", codes.join(", "))?;
        }
        for (i, entry) in found.entries().iter().enumerate() {
            if i > 0 {
                writeln!(out, "\n{}\n", "-".repeat(text::WIDTH))?;
            }
            out.write_all(text::page(entry, reference).as_bytes())?;
        }
    }
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}
