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

/// Explain a reply code, an enhanced status code, a provider code, a whole reply, or a rule.
#[derive(Args)]
#[command(after_help = "Examples:
  rebound explain 551
  rebound explain 5.1.6
  rebound explain S3150
  rebound explain TSS04
  rebound explain \"550 5.1.1 <jdoe@example.com>: user unknown\"
  rebound explain --json 4.7.0
  rebound explain mail.dsn.delayed

A code prints its page: meaning, bounce type, severity, category, what to do, standard, log
examples, how it plays out, causes, fixes, the soft-vs-hard table, FAQ and related codes. A
reply prints the classifier's verdict, then the pages of the provider, enhanced and basic
codes it carries. A rule id (as a verdict's `rule` names it; `rebound rules list` lists them)
prints the rule: its conditions, its verdict and its examples. `rebound codes` lists every
entry.")]
pub struct ExplainArgs {
    /// A code (551, 5.1.6, 4xx, S3150, TSS04), a whole reply, or a rule id; several words
    /// are joined.
    #[arg(value_name = "CODE|REPLY|RULE", required = true, num_args = 1..)]
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

/// The JSON shape of a rule explained.
#[derive(Serialize)]
struct RuleExplained<'a> {
    rule: &'a str,
    file: &'a str,
    line: usize,
    conditions: Vec<String>,
    reason: rebound_core::Reason,
    unconfirmed: Option<rebound_core::Reason>,
    bounce_type: Option<rebound_core::BounceType>,
    /// What the rule states of permanence when the reply does not (see `Rule::permanent`).
    permanent: Option<bool>,
    category: Option<rebound_core::Category>,
    severity: Option<rebound_core::Severity>,
    action: Option<rebound_core::Action>,
    description: Option<&'a str>,
    examples: Vec<&'a str>,
}

/// Explains the rule with the id `query`, if there is one.
fn explain_rule(
    query: &str,
    json: bool,
    rule_files: &[PathBuf],
) -> anyhow::Result<Option<ExitCode>> {
    let classifier = input::classifier(rule_files)?;
    if query == rebound_core::NO_RULE {
        let stdout = std::io::stdout();
        let mut out = stdout.lock();
        writeln!(
            out,
            "rule {query}: no rule matched the reply and what the input stated; the verdict is \
             reason undefined, bounce type undetermined (or none for a success code).\n\
             Add a rule for such replies with --rules (see `rebound rules check --help`)."
        )?;
        return Ok(Some(ExitCode::SUCCESS));
    }
    let Some(rule) = classifier.rule(query) else {
        return Ok(None);
    };
    let data = RuleExplained {
        rule: &rule.id,
        file: &rule.file,
        line: rule.line,
        conditions: rule.conditions(),
        reason: rule.reason,
        unconfirmed: rule.unconfirmed,
        bounce_type: rule.bounce_type,
        category: rule.category,
        severity: rule.severity,
        action: rule.action,
        permanent: rule.permanent,
        description: rule.description.as_deref(),
        examples: rule.examples.iter().map(|e| e.reply.as_str()).collect(),
    };
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    if json {
        serde_json::to_writer_pretty(&mut out, &data)?;
        writeln!(out)?;
    } else {
        writeln!(out, "rule {} ({}:{})", data.rule, data.file, data.line)?;
        if let Some(d) = data.description {
            writeln!(out, "  {d}")?;
        }
        writeln!(out, "  when      {}", data.conditions.join("; "))?;
        let profile = rule.reason.profile();
        writeln!(
            out,
            "  verdict   reason {}, {} bounce, category {}, severity {}, action {}",
            rule.reason,
            rule.bounce_type.unwrap_or(profile.bounce_type),
            rule.category.unwrap_or(profile.category),
            rule.severity.unwrap_or(profile.severity),
            rule.action.unwrap_or(profile.action),
        )?;
        if let Some(p) = rule.permanent {
            writeln!(
                out,
                "  states    permanent {p} for any event whose facts it names and whose reply \
                 has no code or status"
            )?;
        }
        if let Some(u) = rule.unconfirmed {
            writeln!(
                out,
                "  else      reason {u} when the reply does not tie the failure to the address"
            )?;
        }
        for e in &rule.examples {
            let facts = e.facts.as_facts();
            let mut said = Vec::new();
            if let Some(k) = facts.kind {
                said.push(format!("kind {k}"));
            }
            if let Some(r) = facts.reader {
                said.push(format!("reader {r}"));
            }
            if let Some(a) = facts.dsn_action {
                said.push(format!("action {a}"));
            }
            if let Some(c) = facts.class {
                said.push(format!("class {c}"));
            }
            let said = if said.is_empty() {
                String::new()
            } else {
                format!(" [{}]", said.join(", "))
            };
            writeln!(out, "  example   {:?}{said}", e.reply)?;
        }
    }
    out.flush()?;
    Ok(Some(ExitCode::SUCCESS))
}

pub fn run(args: ExplainArgs, rule_files: &[PathBuf]) -> anyhow::Result<ExitCode> {
    let query = args.query.join(" ");
    if let Some(code) = explain_rule(query.trim(), args.json, rule_files)? {
        return Ok(code);
    }
    let reference = Reference::builtin()?;
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
