//! The mailbox a watcher reads, as a URL: `imap://user@host[:port]/Folder`, `imaps://…`,
//! `pop3://user@host[:port]`, `pop3s://…`. A password in it is refused: it would be seen in
//! `ps`, shell history and process accounting.

use std::fmt;
use std::str::FromStr;

/// The protocol, and whether TLS is spoken from the first byte.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scheme {
    /// IMAP, port 143.
    Imap,
    /// IMAP over TLS, port 993.
    Imaps,
    /// POP3, port 110.
    Pop3,
    /// POP3 over TLS, port 995.
    Pop3s,
}

impl Scheme {
    fn name(self) -> &'static str {
        match self {
            Scheme::Imap => "imap",
            Scheme::Imaps => "imaps",
            Scheme::Pop3 => "pop3",
            Scheme::Pop3s => "pop3s",
        }
    }

    fn default_port(self) -> u16 {
        match self {
            Scheme::Imap => 143,
            Scheme::Imaps => 993,
            Scheme::Pop3 => 110,
            Scheme::Pop3s => 995,
        }
    }

    /// Whether TLS is spoken from the first byte.
    pub fn tls(self) -> bool {
        matches!(self, Scheme::Imaps | Scheme::Pop3s)
    }

    /// Whether this is IMAP (else POP3).
    pub fn imap(self) -> bool {
        matches!(self, Scheme::Imap | Scheme::Imaps)
    }
}

/// A parsed mailbox URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MailboxUrl {
    /// The protocol.
    pub scheme: Scheme,
    /// The login name (percent-decoded).
    pub user: String,
    /// The server's host name or address.
    pub host: String,
    /// The port (the scheme's default when not given).
    pub port: u16,
    /// The IMAP folder (INBOX when not given); POP3 has one mailbox and no folder.
    pub folder: String,
}

impl MailboxUrl {
    /// The mailbox's name in the store, `scheme://user@host:port/folder` (user and folder
    /// percent-encoded where needed): a mailbox is the same mailbox when these are the same.
    pub fn key(&self) -> String {
        self.to_string()
    }
}

impl fmt::Display for MailboxUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let host = if self.host.contains(':') {
            format!("[{}]", self.host)
        } else {
            self.host.clone()
        };
        write!(
            f,
            "{}://{}@{host}:{}",
            self.scheme.name(),
            encode(&self.user),
            self.port
        )?;
        if self.scheme.imap() {
            write!(f, "/{}", encode(&self.folder))?;
        }
        Ok(())
    }
}

impl FromStr for MailboxUrl {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        let (scheme, rest) = s.split_once("://").ok_or(
            "not a mailbox URL: give imap://USER@HOST/FOLDER, imaps://, pop3:// or pop3s://",
        )?;
        let scheme = match scheme.to_ascii_lowercase().as_str() {
            "imap" => Scheme::Imap,
            "imaps" => Scheme::Imaps,
            "pop3" | "pop" => Scheme::Pop3,
            "pop3s" | "pops" => Scheme::Pop3s,
            other => {
                return Err(format!(
                    "unknown scheme {other:?}: give imap, imaps, pop3 or pop3s"
                ));
            }
        };
        let (authority, path) = rest.split_once('/').unwrap_or((rest, ""));
        let (userinfo, hostport) = authority
            .rsplit_once('@')
            .ok_or("no user name: give imap://USER@HOST/FOLDER (the password comes from --password-file or REBOUND_MAIL_PASSWORD)")?;
        if userinfo.contains(':') {
            return Err(
                "a password in the URL is refused: it would be seen in `ps`, shell history and \
                 logs; put it in a file only you can read and give --password-file FILE, or set \
                 REBOUND_MAIL_PASSWORD"
                    .to_string(),
            );
        }
        let user = decode(userinfo)?;
        if user.is_empty() {
            return Err("the user name is empty".to_string());
        }
        let (host, port) = if let Some(v6) = hostport.strip_prefix('[') {
            let (host, after) = v6.split_once(']').ok_or("unclosed [ in the host")?;
            (host.to_string(), after.strip_prefix(':'))
        } else {
            match hostport.rsplit_once(':') {
                Some((h, p)) => (h.to_string(), Some(p)),
                None => (hostport.to_string(), None),
            }
        };
        if host.is_empty() {
            return Err("the host is empty".to_string());
        }
        let port = match port {
            None | Some("") => scheme.default_port(),
            Some(p) => p
                .parse::<u16>()
                .ok()
                .filter(|p| *p > 0)
                .ok_or_else(|| format!("bad port {p:?}"))?,
        };
        let path = path.trim_end_matches('/');
        let folder = if path.is_empty() {
            "INBOX".to_string()
        } else {
            decode(path)?
        };
        if !scheme.imap() && folder != "INBOX" {
            return Err(format!(
                "POP3 has one mailbox and no folders; remove /{path} from the URL"
            ));
        }
        if folder.bytes().any(|b| b < 0x20 || b == 0x7f) {
            return Err("the folder name has a control character".to_string());
        }
        Ok(MailboxUrl {
            scheme,
            user,
            host,
            port,
            folder,
        })
    }
}

/// Percent-decoding (RFC 3986) into UTF-8.
fn decode(s: &str) -> Result<String, String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = s
                .get(i + 1..i + 3)
                .and_then(|h| u8::from_str_radix(h, 16).ok())
                .ok_or_else(|| format!("bad percent escape in {s:?}"))?;
            out.push(hex);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).map_err(|_| format!("{s:?} is not UTF-8 once decoded"))
}

/// Percent-encodes what would change the URL's reading (`%`, `@`, `/`, `:`, spaces, controls).
fn encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '%' | '@' | '/' | ':' | ' ' | '?' | '#' | '\u{0}'..='\u{1f}' | '\u{7f}' => {
                let mut buf = [0; 4];
                for b in c.encode_utf8(&mut buf).bytes() {
                    out.push_str(&format!("%{b:02X}"));
                }
            }
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn reads_the_four_schemes_with_defaults() {
        let u: MailboxUrl = "imap://bounces@mail.example.org/Bounces".parse().unwrap();
        assert_eq!(
            (u.scheme, u.port, u.user.as_str(), u.folder.as_str()),
            (Scheme::Imap, 143, "bounces", "Bounces")
        );
        assert_eq!(u.key(), "imap://bounces@mail.example.org:143/Bounces");
        let u: MailboxUrl = "imaps://b%40example.org@[::1]:1993".parse().unwrap();
        assert_eq!(
            (u.user.as_str(), u.host.as_str(), u.port),
            ("b@example.org", "::1", 1993)
        );
        assert_eq!(u.folder, "INBOX");
        assert_eq!(u.key(), "imaps://b%40example.org@[::1]:1993/INBOX");
        let u: MailboxUrl = "pop3s://b@pop.example.org".parse().unwrap();
        assert_eq!((u.scheme, u.port), (Scheme::Pop3s, 995));
        assert_eq!(u.key(), "pop3s://b@pop.example.org:995");
        let u: MailboxUrl = "imap://b@h/Sent%20Bounces/".parse().unwrap();
        assert_eq!(u.folder, "Sent Bounces");
    }

    #[test]
    fn refuses_a_password_and_bad_urls() {
        let e = "imap://u:secret@h/INBOX".parse::<MailboxUrl>().unwrap_err();
        assert!(e.contains("password in the URL is refused"), "{e}");
        assert!(e.contains("--password-file"), "{e}");
        for bad in [
            "h/INBOX",
            "smtp://u@h",
            "imap://h/INBOX",
            "imap://u@:143",
            "imap://u@h:99999",
            "pop3://u@h/Folder",
            "imap://u@h/%zz",
        ] {
            assert!(bad.parse::<MailboxUrl>().is_err(), "{bad}");
        }
    }
}
