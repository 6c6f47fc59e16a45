//! Rendering entries for people: [`text`] for the terminal, [`html`] for the web reference
//! (one page per code, the index, the shared style), in one place so the static site and a
//! later HTTP server serve the same pages. Shared helpers live here.

pub mod html;
pub mod index;
pub mod site;
pub mod style;
pub mod text;

use crate::entry::Entry;
use rebound_core::{BounceType, Reply};

/// How an MTA (Postfix) would log a delivery attempt that got this reply, when the reply has a
/// basic code: the line a sender greps for. Host names and addresses are documentation ones.
pub fn postfix_line(entry: &Entry, example: &str) -> Option<String> {
    let reply = Reply::parse(example).ok()?;
    let code = reply.code?;
    let relay = relay_for(entry.provider.as_deref());
    let dsn = match reply.status {
        Some(s) => s.to_string(),
        None => format!("{}.0.0", code / 100),
    };
    let status = match code / 100 {
        2 | 3 => "sent",
        4 => "deferred",
        _ => "bounced",
    };
    let said = match entry.command.as_str() {
        "connect" => format!("host {relay} refused to talk to me: {example}"),
        other => format!(
            "host {relay} said: {example} (in reply to {} command)",
            command_words(other)
        ),
    };
    Some(format!(
        "Mar 14 10:15:02 mta1 postfix/smtp[21877]: 4QxY2r0Lz5z9v: to=<jdoe@{domain}>, \
         relay={relay}:25, delay=1.4, delays=0.1/0/0.6/0.7, dsn={dsn}, status={status} ({said})",
        domain = domain_for(entry.provider.as_deref()),
    ))
}

/// The words Postfix uses for an SMTP stage.
fn command_words(command: &str) -> &'static str {
    match command {
        "helo" => "EHLO",
        "starttls" => "STARTTLS",
        "auth" => "AUTH",
        "mail" => "MAIL FROM",
        "data" => "DATA",
        "end-of-data" => "end of DATA",
        _ => "RCPT TO",
    }
}

/// A plausible receiving host for a provider (documentation addresses).
fn relay_for(provider: Option<&str>) -> &'static str {
    let p = provider.unwrap_or("").to_ascii_lowercase();
    if p.starts_with("gmail") || p.starts_with("google") {
        "gmail-smtp-in.l.google.com[192.0.2.27]"
    } else if p.starts_with("microsoft") {
        "example-com.mail.protection.outlook.com[192.0.2.44]"
    } else if p.starts_with("yahoo") || p.starts_with("aol") {
        "mta7.am0.yahoodns.net[192.0.2.70]"
    } else if p.starts_with("apple") {
        "mx01.mail.icloud.com[192.0.2.17]"
    } else {
        "mx.example.net[192.0.2.10]"
    }
}

/// A plausible recipient domain for a provider.
fn domain_for(provider: Option<&str>) -> &'static str {
    let p = provider.unwrap_or("").to_ascii_lowercase();
    if p.starts_with("gmail") || p.starts_with("google") {
        "gmail.com"
    } else if p.starts_with("microsoft") {
        "outlook.com"
    } else if p.starts_with("yahoo") {
        "yahoo.com"
    } else if p.starts_with("aol") {
        "aol.com"
    } else if p.starts_with("apple") {
        "icloud.com"
    } else {
        "example.net"
    }
}

/// What a bounce type asks of the sender, for the soft-vs-hard table: (retry?, keep address?).
pub fn bounce_type_advice(t: BounceType) -> (&'static str, &'static str) {
    match t {
        BounceType::Hard => ("No: it will fail the same way", "No: suppress it"),
        BounceType::Soft => (
            "Yes, later, with back-off",
            "Yes, unless it keeps failing for days",
        ),
        BounceType::Block => (
            "Only after fixing the sending side",
            "Yes: the address is not the problem",
        ),
        BounceType::Undetermined => ("A few times, then review", "Yes, until a person decides"),
        BounceType::None => ("Nothing to retry", "Yes"),
    }
}
