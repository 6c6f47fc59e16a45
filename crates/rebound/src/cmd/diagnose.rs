//! `rebound diagnose`: bounces (an email, an mbox, a log, a webhook body, replies) read and
//! classified as `rebound parse` does, and for
//! routing verdicts (551 "user not local", relaying denied) the host that answered compared
//! with the recipient domain's live MX set (RFC 5321 sections 3.4 and 5.1); a domain with a
//! null MX (RFC 7505) or no mail host is reported as undeliverable. Emails are read by
//! `rebound-ingest`, replies by `rebound-core`, the DNS side is `rebound-dns`.

use crate::cmd::mx::{DnsArgs, parse_host};
use crate::input;
use crate::route::{self, Outcome, Reading};
use crate::term::escape;
use anyhow::Context;
use clap::Args;
use rebound_core::{BounceEvent, Classifier};
use rebound_dns::{Host, MxReport, Route, RouteVerdict};
use rebound_ingest::Evidence;
use rebound_ingest::{Format, InputKind};
use rebound_ingest::{Options, Origin};
use serde::Serialize;
use std::collections::HashMap;
use std::io::{BufRead, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

/// Diagnose a bounce: what it means, and whether the route to the recipient is stale.
#[derive(Args)]
#[command(after_help = "Examples:
  rebound diagnose bounce.eml
  rebound diagnose \"551 5.1.6 User not local; please try <jdoe@example.net>\" \\
      --recipient jdoe@example.com --remote-host mx-old.example.com
  grep 'status=bounced' /var/log/mail.log | rebound diagnose - --json

INPUT is a file (a bounce email, or MTA log lines, one bounce per line), `-` for standard
input, or else the text of one reply or log line. For routing verdicts (551 user not local,
relaying denied) the host that answered (Remote-MTA, `host ... said`, `relay=`) is checked
against the recipient domain's current MX set; any recipient domain with a null MX or no mail
host is reported as undeliverable.

JSON (one object per recipient): the BounceEvent fields (as `rebound parse`), plus domain,
routing (whether the verdict is about the route), mx (the `rebound mx --json` object, with
host when compared; null without a recipient domain) and route {verdict: stale-route |
current-mx | undeliverable | unknown, message} (null when there is nothing to say).

Exit codes: 0 diagnosed, 1 nothing to diagnose or a DNS lookup failed, 2 usage.")]
pub struct DiagnoseArgs {
    /// A bounce email or log file, `-` for standard input, or the text of a reply.
    #[arg(value_name = "INPUT")]
    input: String,

    /// Print one JSON object per recipient instead of the readable diagnosis.
    #[arg(long)]
    json: bool,

    /// The recipient, when the input does not name it (a bare reply).
    #[arg(long, value_name = "ADDRESS")]
    recipient: Option<String>,

    /// The host that answered, when the input does not name it (overrides the input).
    #[arg(long, value_name = "HOST", value_parser = parse_host)]
    remote_host: Option<Host>,

    #[command(flatten)]
    dns: DnsArgs,

    /// How many domains are looked up at once.
    #[arg(long, value_name = "N", default_value_t = 64,
          value_parser = clap::value_parser!(u32).range(1..=10_000))]
    concurrency: u32,
}

/// The JSON shape of one diagnosis.
#[derive(Serialize)]
struct Diagnosis {
    #[serde(flatten)]
    event: BounceEvent,
    domain: Option<String>,
    routing: bool,
    mx: Option<MxReport>,
    route: Option<Route>,
}

pub fn run(args: DiagnoseArgs, rule_files: &[PathBuf]) -> anyhow::Result<ExitCode> {
    let classifier = Arc::new(input::classifier(rule_files)?);
    let events = read_events(&args, &classifier)?;
    if events.is_empty() {
        eprintln!(
            "rebound diagnose: {}: no bounce found to diagnose",
            escape(&args.input)
        );
        return Ok(ExitCode::from(1));
    }
    let settings = args.dns.settings();
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    let mut failed = false;
    let mut plans = Vec::with_capacity(events.len());
    for mut event in events {
        if let Some(r) = &args.recipient {
            event.recipient = Some(r.clone());
        }
        let routing = event.classification.is_about_route();
        let host = args
            .remote_host
            .clone()
            .or_else(|| event.remote_mta.as_deref().and_then(Host::of_remote_mta));
        let domain = event
            .recipient
            .as_deref()
            .and_then(|r| r.rsplit_once('@'))
            .map(|(_, d)| d.trim_end_matches('>').to_ascii_lowercase());
        // Only a routing verdict compares the host that answered with the MX set.
        let compare = if routing { host } else { None };
        plans.push((event, routing, domain, compare));
    }
    let looked_up = look_up(
        &settings,
        plans
            .iter()
            .filter_map(|(_, _, d, h)| Some((d.as_deref()?, h.as_ref()))),
        args.concurrency as usize,
    )?;
    for (event, routing, domain, compare) in plans {
        let mx = domain.as_ref().and_then(|d| {
            looked_up
                .get(&(d.clone(), compare.as_ref().map(ToString::to_string)))
                .cloned()
        });
        failed |= mx.as_ref().is_some_and(MxReport::lookup_failed);
        let route = mx
            .as_ref()
            .map(rebound_dns::diagnose_route)
            .filter(|r| routing || r.verdict == RouteVerdict::Undeliverable);
        let diagnosis = Diagnosis {
            event,
            domain,
            routing,
            mx,
            route,
        };
        if args.json {
            serde_json::to_writer(&mut out, &diagnosis)?;
            writeln!(out)?;
        } else {
            print_readable(&mut out, &diagnosis)?;
        }
    }
    out.flush()?;
    Ok(if failed {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

/// The MX report of each distinct (domain, host compared), by domain and the host's text:
/// each domain is looked up once however many bounces name it, and the distinct domains of
/// each host compared (most often one, or none) are looked up together, `concurrency` at a
/// time, so that many domains behind a slow or unreachable name server wait for it at once
/// rather than one after another.
fn look_up<'a>(
    settings: &rebound_dns::Settings,
    wanted: impl Iterator<Item = (&'a str, Option<&'a Host>)>,
    concurrency: usize,
) -> anyhow::Result<HashMap<(String, Option<String>), MxReport>> {
    // The domains of each host compared, in first-seen order, without repeats.
    let mut groups: Vec<(Option<&Host>, Vec<&str>)> = Vec::new();
    let mut group_of: HashMap<Option<String>, usize> = HashMap::new();
    let mut seen: std::collections::HashSet<(&str, Option<String>)> = Default::default();
    for (domain, host) in wanted {
        let host_key = host.map(ToString::to_string);
        if !seen.insert((domain, host_key.clone())) {
            continue;
        }
        let at = *group_of.entry(host_key).or_insert_with(|| {
            groups.push((host, Vec::new()));
            groups.len() - 1
        });
        groups[at].1.push(domain);
    }
    let mut out = HashMap::new();
    for (host, domains) in groups {
        let host_key = host.map(ToString::to_string);
        // Reports come back in the order the domains were given.
        let mut names = domains.iter();
        rebound_dns::lookup_all(settings, &domains, host, concurrency, |report| {
            if let Some(domain) = names.next() {
                out.insert(((*domain).to_string(), host_key.clone()), report);
            }
        })?;
    }
    Ok(out)
}

/// The events of the input, read as `rebound parse` reads it (an email, an mbox, a log, a
/// webhook body); an input that is none of these is read as replies, one per line, and text
/// that names no file is one reply.
fn read_events(
    args: &DiagnoseArgs,
    classifier: &Arc<Classifier>,
) -> anyhow::Result<Vec<BounceEvent>> {
    let path = PathBuf::from(&args.input);
    let origin = Origin {
        path: Some(args.input.clone()),
        message: 0,
    };
    if args.input != "-" && !path.is_file() {
        let evidence = Evidence::of_reply_line(&args.input);
        let origin = Origin::default();
        return Ok(vec![rebound_ingest::build_event(
            evidence, classifier, &origin,
        )]);
    }
    let kind = rebound_ingest::kind_of(&path, Format::Auto)
        .with_context(|| format!("reading {}", args.input))?;
    let mut events = Vec::new();
    if kind == InputKind::Unknown {
        let reader: Box<dyn BufRead> = if args.input == "-" {
            Box::new(std::io::stdin().lock())
        } else {
            Box::new(std::io::BufReader::new(
                std::fs::File::open(&path).with_context(|| format!("reading {}", args.input))?,
            ))
        };
        input::for_each_line(reader, |number, line| {
            if let input::Line::Text(text) = line
                && !text.trim().is_empty()
            {
                let origin = Origin {
                    message: number as u64,
                    ..origin.clone()
                };
                let evidence = Evidence::of_reply_line(&text);
                events.push(rebound_ingest::build_event(evidence, classifier, &origin));
            }
            Ok(())
        })
        .with_context(|| format!("reading {}", args.input))?;
        return Ok(events);
    }
    let options = Arc::new(Options::default());
    let how = Reading {
        format: Format::Auto,
        classifier,
        options: &options,
        follow: false,
        jobs: 1,
        deliveries: false,
    };
    let mut failures = Vec::new();
    route::read(&[path], &how, &mut |outcome| {
        match outcome {
            Outcome::Events(found) => events.extend(found),
            Outcome::Failed(why) => failures.push(why),
        }
        Ok(())
    })?;
    for why in &failures {
        eprintln!("rebound diagnose: {why}");
    }
    Ok(events)
}

fn print_readable(out: &mut impl Write, d: &Diagnosis) -> std::io::Result<()> {
    let e = &d.event;
    let c = &e.classification;
    writeln!(
        out,
        "{}",
        escape(e.recipient.as_deref().unwrap_or("(recipient unknown)"))
    )?;
    writeln!(out, "  reply     {}", escape(&e.reply.canonical()))?;
    writeln!(
        out,
        "  verdict   {} bounce, reason {}, category {}, severity {}",
        c.bounce_type, c.reason, c.category, c.severity
    )?;
    writeln!(out, "  do        {}: {}", c.action, c.action.meaning())?;
    if let Some(f) = &e.reply.forward {
        let how = if f.will_forward {
            "the server forwards the message itself"
        } else {
            "never followed automatically"
        };
        writeln!(out, "  forward   {} ({how})", escape(&f.address))?;
    }
    let checked =
        d.mx.as_ref()
            .and_then(|mx| mx.host.as_ref())
            .map(|h| &h.host);
    if let Some(host) = checked.or(e.remote_mta.as_ref()) {
        writeln!(out, "  answered  {}", escape(host))?;
    }
    if let Some(mx) = &d.mx {
        let set: Vec<String> = mx
            .exchangers
            .iter()
            .map(|x| format!("{} ({})", x.name, x.preference))
            .collect();
        let status = mx.status.as_str();
        let domain = escape(&mx.domain);
        if set.is_empty() {
            writeln!(out, "  mx        {domain} {status}")?;
        } else {
            writeln!(
                out,
                "  mx        {domain} {status}: {}",
                escape(&set.join(", "))
            )?;
        }
    }
    match &d.route {
        Some(route) => writeln!(
            out,
            "  route     {}: {}",
            route.verdict.as_str(),
            escape(&route.message)
        )?,
        None if d.routing => writeln!(out, "  route     not checked: no recipient domain")?,
        None => {}
    }
    writeln!(out)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn a_postfix_log_line_gives_recipient_host_and_reply() {
        let classifier = Classifier::builtin().unwrap();
        let line = "2026-11-27T02:37:06.171940+00:00 lab postfix/smtp[473]: 2920C98C32F: \
                    to=<fwd-static@relay.test>, relay=127.0.0.1[127.0.0.1]:2525, delay=0, \
                    dsn=5.1.6, status=bounced (host 127.0.0.1[127.0.0.1] said: 551 5.1.6 User \
                    not local; please try <x@elsewhere.test> (in reply to RCPT TO command))";
        let event = rebound_ingest::build_event(
            Evidence::of_reply_line(line),
            &classifier,
            &Origin::default(),
        );
        assert_eq!(event.recipient.as_deref(), Some("fwd-static@relay.test"));
        assert_eq!(event.reply.code, Some(551));
        assert!(event.classification.is_about_route());
        let host = event
            .remote_mta
            .as_deref()
            .and_then(Host::of_remote_mta)
            .unwrap();
        assert_eq!(host.to_string(), "127.0.0.1");

        let bare = rebound_ingest::build_event(
            Evidence::of_reply_line(
                "<a@b.test>: host mx.b.test[192.0.2.9] said: 550 5.1.1 unknown",
            ),
            &classifier,
            &Origin::default(),
        );
        assert_eq!(bare.recipient.as_deref(), Some("a@b.test"));
        assert!(!bare.classification.is_about_route());
    }
}
