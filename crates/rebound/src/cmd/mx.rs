//! `rebound mx`: the mail exchangers of domains (RFC 5321 section 5.1, null MX of RFC 7505),
//! looked up concurrently, readable or as JSON lines, and optionally whether a host is one of
//! them. The lookups are `rebound_dns`'s; this module parses the options and prints.

use crate::input::{self, Line};
use anyhow::bail;
use clap::Args;
use rebound_dns::{DomainProblem, Host, MxReport, Settings, Status, TargetProblem};
use std::io::Write;
use std::net::{IpAddr, SocketAddr};
use std::process::ExitCode;
use std::time::Duration;

/// Look up the mail exchangers of domains; check whether a host is one of them.
#[derive(Args)]
#[command(after_help = "Examples:
  rebound mx example.com
  rebound mx example.com --host mx-old.example.com
  rebound mx bücher.example --json
  cut -d@ -f2 recipients.txt | sort -u | rebound mx --json --concurrency 200 > mx.jsonl
  rebound mx example.test --nameserver 127.0.0.1:53535 --timeout-ms 500 --attempts 1

Outcomes (`status`): mx, implicit-mx (no MX: the domain's own A/AAAA, preference 0), null-mx
(RFC 7505: accepts no mail), no-mail-host (the domain exists, no MX, no address), nxdomain,
servfail, refused, timeout, error, invalid. A lookup of an MX target that fails is reported on
that target; a batch always finishes.

JSON (one object per domain, in input order): domain (as given), ascii (A-label form, null when
invalid), status, deliverable (some exchanger has an address), exchangers [{preference, name,
addresses [..], problems [{kind: cname (canonical) | ip-literal | no-address | nxdomain |
lookup-failed (failure, message)}]}], problems [null-mx-with-other-mx], error (message or null),
and with --host: host {host, is_mx, matched_by (name | address | null), exchanger, preference,
addresses [..], error}.

Exit codes: 0 every domain was answered (NXDOMAIN, a null MX and no mail host are answers),
1 some lookup failed (SERVFAIL, timeout, refused, network) or a domain was invalid, 2 usage.")]
pub struct MxArgs {
    /// Domains to look up; without any, one domain per line is read from standard input.
    #[arg(value_name = "DOMAIN")]
    domains: Vec<String>,

    /// Print one JSON object per domain instead of the readable report.
    #[arg(long)]
    json: bool,

    /// Is this host (a name, an IP address or `[IP]`) one of each domain's exchangers?
    #[arg(long, value_name = "HOST", value_parser = parse_host)]
    host: Option<Host>,

    #[command(flatten)]
    dns: DnsArgs,

    /// How many domains are looked up at once.
    #[arg(long, value_name = "N", default_value_t = 64,
          value_parser = clap::value_parser!(u32).range(1..=10_000))]
    concurrency: u32,
}

/// How to reach the DNS; shared by `rebound mx` and `rebound diagnose`.
#[derive(Args)]
pub struct DnsArgs {
    /// The name server to ask, `IP` or `IP:PORT`; default: the system's resolver.
    #[arg(long, value_name = "IP:PORT", value_parser = parse_nameserver)]
    nameserver: Option<SocketAddr>,

    /// How long one try of one query may take, in milliseconds.
    #[arg(long, value_name = "N", default_value_t = 2000,
          value_parser = clap::value_parser!(u64).range(1..=60_000))]
    timeout_ms: u64,

    /// How many times a query that times out or fails is tried.
    #[arg(long, value_name = "N", default_value_t = 2,
          value_parser = clap::value_parser!(u32).range(1..=10))]
    attempts: u32,
}

impl DnsArgs {
    /// The resolver settings these options ask for.
    pub fn settings(&self) -> Settings {
        Settings {
            nameserver: self.nameserver,
            timeout: Duration::from_millis(self.timeout_ms),
            attempts: self.attempts,
        }
    }
}

pub fn parse_host(s: &str) -> Result<Host, String> {
    Host::parse(s).map_err(|e| e.to_string())
}

fn parse_nameserver(s: &str) -> Result<SocketAddr, String> {
    s.parse::<SocketAddr>()
        .or_else(|_| s.parse::<IpAddr>().map(|ip| SocketAddr::new(ip, 53)))
        .map_err(|_| format!("`{s}` is not IP or IP:PORT (e.g. 127.0.0.1:53, [::1]:53)"))
}

pub fn run(args: MxArgs) -> anyhow::Result<ExitCode> {
    let domains = if args.domains.is_empty() {
        read_domains()?
    } else {
        args.domains.clone()
    };
    if domains.is_empty() {
        eprintln!("rebound mx: no domain given (as arguments or one per line on standard input)");
        return Ok(ExitCode::from(2));
    }
    let settings = args.dns.settings();
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    let mut failed = false;
    let mut write_error = None;
    rebound_dns::lookup_all(
        &settings,
        &domains,
        args.host.as_ref(),
        args.concurrency as usize,
        |report| {
            failed |= report.lookup_failed();
            if write_error.is_none() {
                let written = if args.json {
                    serde_json::to_writer(&mut out, &report)
                        .map_err(std::io::Error::from)
                        .and_then(|()| writeln!(out))
                } else {
                    print_readable(&mut out, &report)
                };
                write_error = written.err();
            }
        },
    )?;
    if let Some(e) = write_error {
        bail!("writing the report: {e}");
    }
    out.flush()?;
    Ok(if failed {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

/// One domain per line from standard input; blank lines and `#` comments are skipped.
fn read_domains() -> anyhow::Result<Vec<String>> {
    let mut domains = Vec::new();
    input::for_each_line(std::io::stdin().lock(), |n, line| {
        match line {
            Line::Text(t) if t.trim().is_empty() || t.trim_start().starts_with('#') => {}
            Line::Text(t) => domains.push(t.trim().to_string()),
            Line::TooLong => eprintln!("rebound mx: line {n}: too long for a domain, skipped"),
        }
        Ok(())
    })?;
    Ok(domains)
}

fn print_readable(out: &mut impl Write, r: &MxReport) -> std::io::Result<()> {
    let name = match &r.ascii {
        Some(a) if a.to_unicode() != a.as_str() => format!("{} ({a})", a.to_unicode()),
        Some(a) => a.to_string(),
        None => r.domain.clone(),
    };
    let error = r.error.as_deref().unwrap_or("");
    let headline = match r.status {
        Status::Mx if r.deliverable => format!("{} mail exchanger(s)", r.exchangers.len()),
        Status::Mx if r.lookup_failed() => "no exchanger's address could be looked up".into(),
        Status::Mx => "no exchanger has an address: undeliverable".into(),
        Status::ImplicitMx => "no MX; implicit MX (RFC 5321 5.1): the domain's own address".into(),
        Status::NullMx => "null MX (RFC 7505): the domain accepts no mail".into(),
        Status::NoMailHost => "no MX and no address record (NODATA): no mail host".into(),
        Status::NxDomain => "the domain does not exist (NXDOMAIN)".into(),
        Status::ServFail | Status::Refused | Status::Timeout | Status::Error => {
            format!("lookup failed: {error}")
        }
        Status::Invalid => format!("invalid: {error}"),
    };
    writeln!(out, "{name}: {headline}")?;
    for p in &r.problems {
        match p {
            DomainProblem::NullMxWithOtherMx => writeln!(
                out,
                "  ! a null MX beside other MX records (RFC 7505 section 3); it is ignored"
            )?,
        }
    }
    let width = r
        .exchangers
        .iter()
        .map(|x| x.name.as_str().len())
        .max()
        .unwrap_or(0);
    for x in &r.exchangers {
        let addresses = if x.addresses.is_empty() {
            "-".to_string()
        } else {
            x.addresses
                .iter()
                .map(|a| a.to_string())
                .collect::<Vec<_>>()
                .join(", ")
        };
        writeln!(
            out,
            "  {:>5}  {:width$}  {addresses}",
            x.preference,
            x.name.as_str()
        )?;
        for p in &x.problems {
            writeln!(out, "         ! {}", describe(p))?;
        }
    }
    if let Some(h) = &r.host {
        let verdict = match (&h.exchanger, h.preference, h.matched_by) {
            (Some(x), Some(pref), Some(by)) => {
                format!("is an MX of {name}: {x} (preference {pref}, matched by {by})")
            }
            _ => format!("is NOT an MX of {name}"),
        };
        let addresses = h
            .addresses
            .iter()
            .map(|a| a.to_string())
            .collect::<Vec<_>>()
            .join(", ");
        let addresses = if addresses.is_empty() {
            String::new()
        } else {
            format!(" [{addresses}]")
        };
        writeln!(out, "  host {}{addresses} {verdict}", h.host)?;
        if let Some(e) = &h.error {
            writeln!(
                out,
                "         ! the host's addresses could not be looked up: {e}"
            )?;
        }
    }
    Ok(())
}

fn describe(problem: &TargetProblem) -> String {
    match problem {
        TargetProblem::Cname { canonical } => {
            format!(
                "an alias (CNAME) of {canonical}: MX targets must not be aliases (RFC 2181 10.3)"
            )
        }
        TargetProblem::IpLiteral => {
            "an IP address written as a name: MX targets must be host names (RFC 5321 5.1)".into()
        }
        TargetProblem::NoAddress => "no A or AAAA record".into(),
        TargetProblem::NxDomain => "the target does not exist (NXDOMAIN)".into(),
        TargetProblem::LookupFailed { failure, message } => {
            format!("address lookup failed ({failure}): {message}")
        }
    }
}
