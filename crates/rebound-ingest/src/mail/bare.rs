//! Bare user names: old notices that name the failed recipient by its local part alone
//! (CompuServe's `Receiver not found: jdoe4711`, AOL's list of screen names, GroupWise 5.2's
//! `jdoe (user not found)` under "undeliverable to the following:"). A name becomes an
//! address only by what the bounce itself states, in this order:
//!
//! 1. an address of the returned message with that local part (its `To`, `Cc`, `Received …
//!    for`; see [`super::returned::qualify`]);
//! 2. the domain of the notice's `From` when that is the reporting mail system's role
//!    address (`postmaster@D`, `mailer-daemon@D`): a mail system that reports an unqualified
//!    local user names a mailbox of its own domain, as an MTA qualifies an unqualified local
//!    recipient with its own name (Sendmail's `$j`, RFC 5321 section 2.3.5's domain of the
//!    host that holds the mailbox).
//!
//! Otherwise the name gives no recipient: nothing is guessed.

use super::header::{self, Headers};
use super::{Input, returned};

/// A line that names one bare user name after a label, lower-case.
const LABELS: &[&str] = &["receiver not found:"];

/// The failed recipients a notice names by bare user name, qualified as the module says,
/// each with the line that named it; empty when the notice names none or none can be
/// qualified.
pub fn recipients(input: &Input<'_>, text: &str) -> Vec<(String, String)> {
    let names = names(text);
    if names.is_empty() {
        return Vec::new();
    }
    let returned = returned::headers(input);
    names
        .into_iter()
        .filter_map(|(name, line)| Some((qualify(input, returned.as_deref(), &name)?, line)))
        .collect()
}

/// A bare user name as an address, by the rule of this module: the returned message's
/// address with that local part, else the name at the domain of the notice's role sender.
pub fn qualify(input: &Input<'_>, returned: Option<&Headers<'_>>, name: &str) -> Option<String> {
    // A name, not a pipe or a file (`|/usr/bin/procmail`, `/var/mail/jdoe`).
    local_part(name).filter(|n| n.len() == name.len())?;
    returned
        .and_then(|h| returned::qualify(name, h))
        .or_else(|| role_domain(input.from()).map(|d| format!("{name}@{d}")))
}

/// The domain of a role address (`postmaster@D`, `mailer-daemon@D`), lower-cased.
fn role_domain(from: &str) -> Option<String> {
    let address = header::address(from)?;
    let (local, domain) = address.rsplit_once('@')?;
    (super::generic::is_mail_daemon(local) && domain.contains('.'))
        .then(|| domain.to_ascii_lowercase())
}

/// The bare names of a text with the line naming each: after one of [`LABELS`], or listed
/// one per indented line (`name` or `name (reason)`) under a line that announces the
/// recipients ("… the following …:").
fn names(text: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut listing = false;
    for line in text.lines() {
        let t = line.trim();
        let lower = t.to_ascii_lowercase();
        if let Some(rest) = LABELS
            .iter()
            .find_map(|l| lower.starts_with(l).then(|| t[l.len()..].trim()))
        {
            if let Some(name) = local_part(rest).filter(|n| n.len() == rest.len()) {
                out.push((name.to_string(), t.to_string()));
            }
            listing = false;
            continue;
        }
        if lower.contains("following") && t.ends_with(':') {
            listing = true;
            continue;
        }
        if !listing {
            continue;
        }
        if t.is_empty() {
            listing = out.is_empty();
            continue;
        }
        let item = line
            .starts_with([' ', '\t'])
            .then(|| local_part(t))
            .flatten()
            .filter(|n| {
                let after = t[n.len()..].trim();
                after.is_empty() || (after.starts_with('(') && after.ends_with(')'))
            });
        match item {
            Some(name) => out.push((name.to_string(), t.to_string())),
            None => listing = false,
        }
    }
    out
}

/// The local part at the start of `s`: letters, digits and `.`, `_`, `+`, `-`, with a
/// letter among them, up to 64 characters, not followed by `@` (an address is read
/// elsewhere).
fn local_part(s: &str) -> Option<&str> {
    let end = s
        .find(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '+' | '-')))
        .unwrap_or(s.len());
    let name = &s[..end];
    (!name.is_empty()
        && name.len() <= 64
        && name.bytes().any(|b| b.is_ascii_alphabetic())
        && !s[end..].starts_with('@'))
    .then_some(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bare_names_of_the_documented_shapes() {
        assert_eq!(
            names("Receiver not found: jdoe4711\n\nYour message could not be delivered."),
            [("jdoe4711".into(), "Receiver not found: jdoe4711".into())]
        );
        assert_eq!(
            names("undeliverable to the following:\n        jdoe (user not found)\n\nmore"),
            [("jdoe".into(), "jdoe (user not found)".into())]
        );
        assert_eq!(
            names("could not be delivered to the following:\n\tjdoe4711\n\tjroe\n"),
            [
                ("jdoe4711".into(), "jdoe4711".into()),
                ("jroe".into(), "jroe".into())
            ]
        );
        // Not a list item: prose, an address, a line that is not indented.
        assert!(names("the following:\n  Please check the address.\n").is_empty());
        assert!(names("the following:\n  jdoe@example.com\n").is_empty());
        assert!(names("the following:\njdoe\n").is_empty());
        assert!(names("Receiver not found: two words").is_empty());
    }

    #[test]
    fn role_domains() {
        assert_eq!(
            role_domain("CompuServe Postmaster <postmaster@compuserve.com>").as_deref(),
            Some("compuserve.com")
        );
        assert_eq!(
            role_domain("MAILER-DAEMON@AOL.com").as_deref(),
            Some("aol.com")
        );
        assert_eq!(role_domain("Jane <jane@example.com>"), None);
    }
}
