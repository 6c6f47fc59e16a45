//! `rebound report`: the audit: events grouped by lead source, recipient domain, reason, day,
//! sender domain, campaign or any tag, with hard-bounce and stale-address rates, as a table,
//! JSON or CSV.

use super::ingest::StoreArgs;
use clap::Args;
use rebound_store::{Grouping, ReportRow, time};
use serde::Serialize;
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

/// `--since`: a date or time, as epoch seconds; a usage error (exit 2) otherwise.
fn parse_since(s: &str) -> Result<i64, String> {
    time::parse_date(s).ok_or_else(|| "expected a date (YYYY-MM-DD) or an RFC 3339 time".into())
}

/// Which lead sources, domains or days produce bounces and stale addresses.
#[derive(Args)]
#[command(after_help = "Examples:
  rebound report --by source                 # which lead source produces stale addresses?
  rebound report --by domain --since 2024-05-01
  rebound report --by reason --json | jq '.groups[0]'
  rebound report --by day --csv > bounces-per-day.csv
  rebound report --by sender                 # sender-side refusals: fix the sending setup
  rebound report --by campaign               # a service's campaign, else the metadata key campaign
  rebound report --by tag:meta.list          # any tag: here the sender's metadata key `list`
  rebound report --by tag:labels             # an email service's tags or categories

Per group: events; recipients (distinct); hard_rate = recipients with a hard bounce /
recipients; stale_rate = recipients with a userunknown, hasmoved or suspend event / recipients;
sender_side = events refused because of the sender (bounce type block), which say nothing about
the address; the top 3 reasons. Groups are ordered by events, most first.

--by campaign groups by the tag campaign (SparkPost campaign_id, SendGrid
marketing_campaign_name), else meta.campaign (the sender's own metadata). --by tag:KEY groups
by any tag of the events (`rebound parse --json` shows them; docs/tags.md lists what each
email service's metadata becomes): a value that is not a string is its JSON text, a list of
one value that value; events without the tag are `(none)`.

Time is each bounce's own (its Date, Last-Attempt-Date, log or webhook time), not when it was
ingested: --by day groups by its UTC day. An event whose input had no readable date is grouped
as `undated`; --since (and the suppression policy's windows) place it at its ingest time.

JSON: {by, since, groups: [{group, events, recipients, hard_recipients, stale_recipients,
sender_side, hard_rate, stale_rate, top_reasons: [{reason, events}]}]}.
CSV columns: group, events, recipients, hard_recipients, stale_recipients, sender_side,
hard_rate, stale_rate, top_reasons (reason:events separated by spaces).")]
pub struct ReportArgs {
    /// Group by source, domain, reason, day, sender, campaign or tag:KEY.
    #[arg(long, value_name = "GROUP", default_value = "source", value_parser = parse_grouping)]
    by: Grouping,

    /// Only events at or after this date (YYYY-MM-DD, UTC) or RFC 3339 time.
    #[arg(long, value_name = "DATE", value_parser = parse_since)]
    since: Option<i64>,

    /// One JSON document.
    #[arg(long, conflicts_with = "csv")]
    json: bool,

    /// CSV with a header row.
    #[arg(long)]
    csv: bool,

    #[command(flatten)]
    store: StoreArgs,
}

fn parse_grouping(s: &str) -> Result<Grouping, String> {
    s.parse()
}

#[derive(Serialize)]
struct Document<'a> {
    by: Grouping,
    since: Option<String>,
    groups: &'a [ReportRow],
}

pub fn run(args: ReportArgs, _rule_files: &[PathBuf]) -> anyhow::Result<ExitCode> {
    let since = args.since;
    let mut store = args.store.open(rebound_store::Access::Read)?;
    let rows = store.report(args.by.clone(), since)?;
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    let reasons = |r: &ReportRow, sep: &str| {
        r.top_reasons
            .iter()
            .map(|x| format!("{}:{}", x.reason, x.events))
            .collect::<Vec<_>>()
            .join(sep)
    };
    if args.json {
        let doc = Document {
            by: args.by.clone(),
            since: since.map(time::format_rfc3339),
            groups: &rows,
        };
        serde_json::to_writer_pretty(&mut out, &doc)?;
        writeln!(out)?;
    } else if args.csv {
        let mut csv = csv::Writer::from_writer(&mut out);
        csv.write_record([
            "group",
            "events",
            "recipients",
            "hard_recipients",
            "stale_recipients",
            "sender_side",
            "hard_rate",
            "stale_rate",
            "top_reasons",
        ])?;
        for r in &rows {
            csv.write_record([
                r.group.clone(),
                r.events.to_string(),
                r.recipients.to_string(),
                r.hard_recipients.to_string(),
                r.stale_recipients.to_string(),
                r.sender_side.to_string(),
                format!("{:.4}", r.hard_rate),
                format!("{:.4}", r.stale_rate),
                reasons(r, " "),
            ])?;
        }
        csv.flush()?;
    } else {
        writeln!(
            out,
            "{:<28} {:>9} {:>10} {:>6} {:>6} {:>11}  top reasons",
            args.by.as_str(),
            "events",
            "recipients",
            "hard",
            "stale",
            "sender-side"
        )?;
        for r in &rows {
            writeln!(
                out,
                "{:<28} {:>9} {:>10} {:>5.1}% {:>5.1}% {:>11}  {}",
                crate::term::escape(&r.group),
                r.events,
                r.recipients,
                r.hard_rate * 100.0,
                r.stale_rate * 100.0,
                r.sender_side,
                crate::term::escape(&reasons(r, ", "))
            )?;
        }
    }
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}
