//! `rebound diagnose`: one bounce (an email, a reply, a log line) read, classified, and for
//! routing verdicts (551 "user not local", relaying denied) the host that answered compared
//! with the recipient domain's live MX set (RFC 5321 sections 3.4 and 5.1); a domain with a
//! null MX (RFC 7505) or no mail host is reported as undeliverable. Emails are read by
//! `rebound-ingest`, replies by `rebound-core`, the DNS side is `rebound-dns`.

use crate::cmd::mx::{DnsArgs, parse_host};
use crate::input;
use anyhow::Context;
use clap::Args;
use rebound_core::{BounceEvent, Category, Classifier, Reason, Reply, Source};
use rebound_dns::{Host, MxReport, Route, RouteVerdict};
use serde::Serialize;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

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
    let classifier = input::classifier(rule_files)?;
    let events = read_events(&args, &classifier)?;
    if events.is_empty() {
        eprintln!(
            "rebound diagnose: {}: no bounce found to diagnose",
            args.input
        );
        return Ok(ExitCode::from(1));
    }
    let settings = args.dns.settings();
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    let mut failed = false;
    for mut event in events {
        if let Some(r) = &args.recipient {
            event.recipient = Some(r.clone());
        }
        let routing = is_routing(&event);
        let host = args
            .remote_host
            .clone()
            .or_else(|| event.remote_mta.as_deref().and_then(remote_host));
        let domain = event
            .recipient
            .as_deref()
            .and_then(|r| r.rsplit_once('@'))
            .map(|(_, d)| d.trim_end_matches('>').to_string());
        let mut mx = None;
        if let Some(domain) = &domain {
            let compare = if routing { host.as_ref() } else { None };
            rebound_dns::lookup_all(&settings, [domain], compare, 1, |r| mx = Some(r))?;
        }
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

/// The events of the input: an email's recipients, or one per reply or log line.
fn read_events(args: &DiagnoseArgs, classifier: &Classifier) -> anyhow::Result<Vec<BounceEvent>> {
    let (bytes, path) = if args.input == "-" {
        let mut buf = Vec::new();
        std::io::stdin()
            .read_to_end(&mut buf)
            .context("reading standard input")?;
        (buf, Some("-".to_string()))
    } else if Path::new(&args.input).is_file() {
        let bytes =
            std::fs::read(&args.input).with_context(|| format!("reading {}", args.input))?;
        (bytes, Some(args.input.clone()))
    } else {
        return Ok(vec![text_event(&args.input, None, classifier)]);
    };
    if looks_like_email(&bytes) {
        let origin = rebound_ingest::Origin {
            path: path.clone(),
            message: 1,
        };
        let events = rebound_ingest::read_message(&bytes, &Default::default(), classifier, &origin)
            .with_context(|| format!("reading {}", args.input))?;
        return Ok(events);
    }
    let text = String::from_utf8_lossy(&bytes);
    Ok(text
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| text_event(l, path.as_deref(), classifier))
        .collect())
}

/// A message starts with header fields and has a blank line after them.
fn looks_like_email(bytes: &[u8]) -> bool {
    let first = bytes.split(|b| *b == b'\n').next().unwrap_or_default();
    let is_field = first.iter().position(|b| *b == b':').is_some_and(|i| {
        i > 0
            && first[..i]
                .iter()
                .all(|b| b.is_ascii_alphanumeric() || *b == b'-')
    });
    is_field
        && (bytes.windows(2).any(|w| w == b"\n\n") || bytes.windows(4).any(|w| w == b"\r\n\r\n"))
}

/// One reply or MTA log line as an event: the reply parsed and classified; the recipient
/// from `to=<…>` or a leading `<address>:`, the host from `relay=…` or `host … said`.
fn text_event(line: &str, path: Option<&str>, classifier: &Classifier) -> BounceEvent {
    let recipient = between(line, "to=<", ">").or_else(|| {
        let rest = line.trim_start().strip_prefix('<')?;
        let (addr, after) = rest.split_once('>')?;
        after.starts_with(':').then(|| addr.to_string())
    });
    let mut reply = Reply::parse(line).unwrap_or_else(|_| Reply {
        code: None,
        status: None,
        text: line.trim().to_string(),
        command: None,
        forward: None,
        remote_host: None,
    });
    if let Some(r) = &recipient {
        reply.relate_to_recipient(r);
    }
    let remote_mta = reply.remote_host.clone().or_else(|| {
        between(line, "relay=", ",").filter(|r| !r.eq_ignore_ascii_case("none") && r != "local")
    });
    BounceEvent {
        source: Source {
            path: path.map(str::to_string),
            kind: Some("reply".to_string()),
            ..Source::default()
        },
        recipient,
        sender: None,
        at: None,
        classification: classifier.classify(&reply),
        reply,
        dsn_action: None,
        message_id: None,
        remote_mta,
        reporting_mta: None,
        feedback_type: None,
        provider_class: None,
        tags: Default::default(),
    }
}

fn between(s: &str, start: &str, end: &str) -> Option<String> {
    let from = s.find(start)? + start.len();
    let len = s[from..].find(end)?;
    Some(s[from..from + len].to_string())
}

/// The host of `dns; mx.example.com`, `mx.example.com[192.0.2.1]:25` or `[192.0.2.1]`:
/// the name when there is one, else the address.
fn remote_host(mta: &str) -> Option<Host> {
    let mta = mta.trim();
    let mta = mta.strip_prefix("dns;").map_or(mta, str::trim);
    match mta.split_once('[') {
        Some((name, rest)) if !name.is_empty() && !name.eq_ignore_ascii_case("unknown") => {
            Host::parse(name).ok().or_else(|| {
                rest.split_once(']')
                    .and_then(|(ip, _)| Host::parse(ip).ok())
            })
        }
        Some((_, rest)) => rest
            .split_once(']')
            .and_then(|(ip, _)| Host::parse(ip).ok()),
        None => Host::parse(mta).ok(),
    }
}

/// Whether the verdict is about the route: 551 "not local", relaying denied, a routing rule.
fn is_routing(event: &BounceEvent) -> bool {
    let c = &event.classification;
    c.category == Category::Routing
        || matches!(c.reason, Reason::HasMoved | Reason::NoRelaying)
        || event.reply.code == Some(551)
        || event.reply.text.to_ascii_lowercase().contains("not local")
}

fn print_readable(out: &mut impl Write, d: &Diagnosis) -> std::io::Result<()> {
    let e = &d.event;
    let c = &e.classification;
    writeln!(
        out,
        "{}",
        e.recipient.as_deref().unwrap_or("(recipient unknown)")
    )?;
    writeln!(out, "  reply     {}", e.reply.canonical())?;
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
        writeln!(out, "  forward   {} ({how})", f.address)?;
    }
    let checked =
        d.mx.as_ref()
            .and_then(|mx| mx.host.as_ref())
            .map(|h| &h.host);
    if let Some(host) = checked.or(e.remote_mta.as_ref()) {
        writeln!(out, "  answered  {host}")?;
    }
    if let Some(mx) = &d.mx {
        let set: Vec<String> = mx
            .exchangers
            .iter()
            .map(|x| format!("{} ({})", x.name, x.preference))
            .collect();
        let status = mx.status.as_str();
        if set.is_empty() {
            writeln!(out, "  mx        {} {status}", mx.domain)?;
        } else {
            writeln!(
                out,
                "  mx        {} {status}: {}",
                mx.domain,
                set.join(", ")
            )?;
        }
    }
    match &d.route {
        Some(route) => writeln!(
            out,
            "  route     {}: {}",
            route.verdict.as_str(),
            route.message
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
    fn remote_hosts_of_every_shape() {
        let host = |s| remote_host(s).map(|h| h.to_string());
        assert_eq!(host("dns; 127.0.0.1").as_deref(), Some("127.0.0.1"));
        assert_eq!(
            host("mx.Example.com[192.0.2.1]:25").as_deref(),
            Some("mx.example.com")
        );
        assert_eq!(host("unknown[192.0.2.1]").as_deref(), Some("192.0.2.1"));
        assert_eq!(host("[192.0.2.1]:2525").as_deref(), Some("192.0.2.1"));
        assert_eq!(host("dns; bad..name"), None);
    }

    #[test]
    fn emails_are_told_from_lines() {
        assert!(looks_like_email(b"From: a@b\nSubject: x\n\nbody"));
        assert!(!looks_like_email(
            b"2026-11-27T02:37:06 host postfix/smtp[1]: Q: to=<a@b>, status=bounced\n"
        ));
        assert!(!looks_like_email(b"551 User not local\n\n"));
    }

    #[test]
    fn a_postfix_log_line_gives_recipient_host_and_reply() {
        let classifier = Classifier::builtin().unwrap();
        let line = "2026-11-27T02:37:06.171940+00:00 lab postfix/smtp[473]: 2920C98C32F: \
                    to=<fwd-static@relay.test>, relay=127.0.0.1[127.0.0.1]:2525, delay=0, \
                    dsn=5.1.6, status=bounced (host 127.0.0.1[127.0.0.1] said: 551 5.1.6 User \
                    not local; please try <x@elsewhere.test> (in reply to RCPT TO command))";
        let event = text_event(line, None, &classifier);
        assert_eq!(event.recipient.as_deref(), Some("fwd-static@relay.test"));
        assert_eq!(event.reply.code, Some(551));
        assert!(is_routing(&event));
        let host = event.remote_mta.as_deref().and_then(remote_host).unwrap();
        assert_eq!(host.to_string(), "127.0.0.1");

        let bare = text_event(
            "<a@b.test>: host mx.b.test[192.0.2.9] said: 550 5.1.1 unknown",
            None,
            &classifier,
        );
        assert_eq!(bare.recipient.as_deref(), Some("a@b.test"));
        assert!(!is_routing(&bare));
    }
}
