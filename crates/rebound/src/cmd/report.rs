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

Rates per 1,000 sent (--by source, domain or day, once sends are recorded: `rebound sends
import`, or the deliveries of the MTA logs and webhooks `rebound ingest` reads): sent = sends
counted for the group (by whole UTC days: --since counts the sends of its day on); bounced,
hard and stale = distinct recipients with any failure, a hard bounce, a stale-address event,
per 1,000 sent. A group without sends has no rates (-).

The stale flag (`!` after the stale rate; stale_flag, stale_p in JSON and CSV): a group is
flagged when its stale rate is far above that of all the other groups together, and chance
cannot explain it. All of: the group has at least 200 sends and 5 stale addresses, the others
together at least 200 sends; its stale rate is at least twice theirs; and at their rate, the
chance of seeing as many stale addresses in its sends is below 0.001 (one-sided Poisson test:
P(X >= stale) for X ~ Poisson(sent x their rate); shown as stale_p). Small sources are never
flagged on a handful of bounces, and a big source is not flagged for a difference within noise.

JSON: {by, since, groups: [{group, events, recipients, hard_recipients, stale_recipients,
sender_side, hard_rate, stale_rate, top_reasons: [{reason, events}], sent, bounced_recipients,
bounced_per_1000, hard_per_1000, stale_per_1000, stale_flag, stale_p}]}.
CSV columns: group, events, recipients, hard_recipients, stale_recipients, sender_side,
hard_rate, stale_rate, top_reasons (reason:events separated by spaces), sent,
bounced_recipients, bounced_per_1000, hard_per_1000, stale_per_1000, stale_flag, stale_p.")]
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
            "sent",
            "bounced_recipients",
            "bounced_per_1000",
            "hard_per_1000",
            "stale_per_1000",
            "stale_flag",
            "stale_p",
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
                r.sent.map(|n| n.to_string()).unwrap_or_default(),
                r.bounced_recipients.to_string(),
                per_1000(r.bounced_per_1000),
                per_1000(r.hard_per_1000),
                per_1000(r.stale_per_1000),
                r.stale_flag.to_string(),
                r.stale_p.map(|p| format!("{p:.3e}")).unwrap_or_default(),
            ])?;
        }
        csv.flush()?;
    } else if rows.iter().any(|r| r.sent.is_some_and(|n| n > 0)) {
        write_rates_table(&mut out, args.by, &rows, &reasons)?;
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

/// A rate per 1,000 with one decimal, or nothing without sends.
fn per_1000(rate: Option<f64>) -> String {
    rate.map(|r| format!("{r:.1}")).unwrap_or_default()
}

/// The table with sends and rates per 1,000 sent, and a note on the flagged groups.
fn write_rates_table(
    out: &mut dyn Write,
    by: Grouping,
    rows: &[ReportRow],
    reasons: &dyn Fn(&ReportRow, &str) -> String,
) -> std::io::Result<()> {
    writeln!(
        out,
        "{:<28} {:>9} {:>9} {:>10} {:>10} {:>11}  top reasons",
        by.as_str(),
        "sent",
        "events",
        "bounced/1k",
        "hard/1k",
        "stale/1k"
    )?;
    let cell = |rate: Option<f64>| rate.map_or_else(|| "-".to_string(), |r| format!("{r:.1}"));
    for r in rows {
        let stale = format!(
            "{}{}",
            cell(r.stale_per_1000),
            if r.stale_flag { " !" } else { "  " }
        );
        writeln!(
            out,
            "{:<28} {:>9} {:>9} {:>10} {:>10} {:>11}  {}",
            crate::term::escape(&r.group),
            r.sent.map_or_else(|| "-".to_string(), |n| n.to_string()),
            r.events,
            cell(r.bounced_per_1000),
            cell(r.hard_per_1000),
            stale,
            crate::term::escape(&reasons(r, ", "))
        )?;
    }
    let flagged: Vec<&ReportRow> = rows.iter().filter(|r| r.stale_flag).collect();
    if !flagged.is_empty() {
        writeln!(out)?;
        for r in flagged {
            writeln!(
                out,
                "! {}: stale rate far above the others' (chance p = {:.1e}; see --help)",
                crate::term::escape(&r.group),
                r.stale_p.unwrap_or(0.0)
            )?;
        }
    }
    Ok(())
}
