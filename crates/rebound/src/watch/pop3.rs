//! The POP3 side of `rebound watch`, with a small client of its own (RFC 1939 with UIDL, and
//! RFC 2449 CAPA): the POP3 crates on crates.io are unmaintained or async-only, and the part
//! needed is a few commands (USER/PASS, UIDL, RETR, DELE, QUIT) and two reply shapes.
//!
//! A pass: log in, list UIDL, store the messages whose UIDL is not recorded (RETR, batches of
//! [`BATCH`]); with `--delete`, DELE each stored message (recorded ones too), committed by
//! QUIT; without it, the recorded UIDL set is the "processed" mark and the messages stay.
//! POP3 locks the maildrop for the session, so the watcher logs out after each pass and polls
//! every `--interval`. STLS (RFC 2595) is not spoken: use pop3s://.

use super::net::Stream;
use super::{BATCH, Disposal, Fetched, PassError, Settings, Sink};
use anyhow::anyhow;
use std::collections::HashSet;
use std::io::{BufRead, BufReader, Write};
use std::time::Duration;

/// The longest line of a reply or a message that is kept whole (longer ones are a broken
/// server or message; RFC 1939 allows 512 octets per reply line).
const MAX_LINE: usize = 1 << 20;

/// The largest message read; a larger one is reported unreadable, not held in memory.
const MAX_MESSAGE: usize = 64 << 20;

/// A POP3 connection in the TRANSACTION state.
pub struct Pop3 {
    conn: BufReader<Stream>,
}

/// A POP3 failure: the connection's ([`Pop3Error::Io`]) or the server's `-ERR`.
#[derive(Debug)]
pub enum Pop3Error {
    /// The connection failed.
    Io(std::io::Error),
    /// The server answered `-ERR` (its text).
    Err(String),
}

impl std::fmt::Display for Pop3Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Pop3Error::Io(e) => write!(f, "{e}"),
            Pop3Error::Err(t) => write!(f, "the server said -ERR {t}"),
        }
    }
}

impl std::error::Error for Pop3Error {}

impl From<std::io::Error> for Pop3Error {
    fn from(e: std::io::Error) -> Self {
        Pop3Error::Io(e)
    }
}

type Result<T> = std::result::Result<T, Pop3Error>;

impl Pop3 {
    /// Reads the greeting of a connected server and logs in with USER and PASS.
    pub fn login(stream: Stream, user: &str, password: &str) -> Result<Pop3> {
        let mut me = Pop3 {
            conn: BufReader::new(stream),
        };
        me.status()?;
        for field in [user, password] {
            if field.contains(['\r', '\n']) {
                return Err(Pop3Error::Err(
                    "a line break in the user or password".into(),
                ));
            }
        }
        me.command(&format!("USER {user}"))?;
        me.command(&format!("PASS {password}"))?;
        Ok(me)
    }

    /// Sends one command line and reads its status line.
    fn command(&mut self, line: &str) -> Result<String> {
        let stream = self.conn.get_mut();
        stream.write_all(line.as_bytes())?;
        stream.write_all(b"\r\n")?;
        stream.flush()?;
        self.status()
    }

    /// Reads a status line: `+OK text` gives the text, `-ERR text` an error.
    fn status(&mut self) -> Result<String> {
        let line = self.line()?;
        let text = String::from_utf8_lossy(&line).into_owned();
        if let Some(rest) = text.strip_prefix("+OK") {
            Ok(rest.trim().to_string())
        } else if let Some(rest) = text.strip_prefix("-ERR") {
            Err(Pop3Error::Err(rest.trim().to_string()))
        } else {
            Err(Pop3Error::Io(std::io::Error::new(
                std::io::ErrorKind::InvalidData,
                format!(
                    "not a POP3 reply: {:?}",
                    text.chars().take(80).collect::<String>()
                ),
            )))
        }
    }

    /// One line without its CRLF (or LF); an error at end of stream.
    fn line(&mut self) -> Result<Vec<u8>> {
        let mut line = Vec::new();
        let n =
            std::io::Read::take(&mut self.conn, MAX_LINE as u64).read_until(b'\n', &mut line)?;
        if n == 0 {
            return Err(Pop3Error::Io(std::io::ErrorKind::UnexpectedEof.into()));
        }
        if line.last() != Some(&b'\n') {
            return Err(Pop3Error::Io(std::io::Error::new(
                std::io::ErrorKind::InvalidData,
                "a line longer than 1 MiB",
            )));
        }
        line.pop();
        if line.last() == Some(&b'\r') {
            line.pop();
        }
        Ok(line)
    }

    /// The lines of a multi-line reply up to the lone `.`, dot-unstuffed; `limit` bytes at
    /// most are kept (the rest is read and dropped, and `false` is returned).
    fn multiline(&mut self, limit: usize, mut each: impl FnMut(&[u8])) -> Result<bool> {
        let mut kept = 0;
        let mut whole = true;
        loop {
            let line = self.line()?;
            if line == b"." {
                return Ok(whole);
            }
            let line = line.strip_prefix(b".").unwrap_or(&line);
            kept += line.len() + 2;
            if kept > limit {
                whole = false;
            } else {
                each(line);
            }
        }
    }

    /// `(message number, UIDL)` of every message.
    pub fn uidl(&mut self) -> Result<Vec<(u32, String)>> {
        self.command("UIDL")?;
        let mut out = Vec::new();
        let mut bad = None;
        self.multiline(usize::MAX, |line| {
            let text = String::from_utf8_lossy(line);
            let mut parts = text.split_whitespace();
            match (parts.next().and_then(|n| n.parse().ok()), parts.next()) {
                (Some(n), Some(id)) => out.push((n, id.to_string())),
                _ => bad = Some(text.into_owned()),
            }
        })?;
        if let Some(line) = bad {
            return Err(Pop3Error::Err(format!(
                "a UIDL line that does not parse: {line:?}"
            )));
        }
        Ok(out)
    }

    /// The message numbered `n` (CRLF line ends), or why it cannot be had.
    pub fn retr(&mut self, n: u32) -> Result<std::result::Result<Vec<u8>, String>> {
        self.command(&format!("RETR {n}"))?;
        let mut raw = Vec::new();
        let whole = self.multiline(MAX_MESSAGE, |line| {
            raw.extend_from_slice(line);
            raw.extend_from_slice(b"\r\n");
        })?;
        Ok(if whole {
            Ok(raw)
        } else {
            Err(format!("larger than {} MiB", MAX_MESSAGE >> 20))
        })
    }

    /// Marks message `n` deleted (done at QUIT).
    pub fn dele(&mut self, n: u32) -> Result<()> {
        self.command(&format!("DELE {n}")).map(drop)
    }

    /// Ends the session: the server deletes the messages marked by DELE.
    pub fn quit(mut self) -> Result<()> {
        self.command("QUIT").map(drop)
    }
}

fn network(e: Pop3Error, doing: &str) -> PassError {
    match e {
        Pop3Error::Io(e) => PassError::Network(anyhow!(e).context(doing.to_string())),
        e => PassError::Fatal(anyhow!(e).context(doing.to_string())),
    }
}

/// Watches the mailbox: a pass, then (unless `--once`) a sleep of `--interval`, and again.
pub fn watch(
    settings: &Settings,
    sink: &mut Sink<'_>,
    backoff: &mut Duration,
) -> std::result::Result<(), PassError> {
    loop {
        pass(settings, sink, backoff)?;
        if settings.once {
            return Ok(());
        }
        std::thread::sleep(settings.interval);
    }
}

fn pass(
    settings: &Settings,
    sink: &mut Sink<'_>,
    backoff: &mut Duration,
) -> std::result::Result<(), PassError> {
    let url = &settings.url;
    let stream = super::connect(settings)?;
    let mut pop = Pop3::login(stream, &url.user, &settings.password).map_err(|e| match e {
        Pop3Error::Err(t) => PassError::Fatal(anyhow!(
            "{url}: the server refused the login of {}: {t}",
            url.user
        )),
        e => network(e, "logging in"),
    })?;
    *backoff = Duration::from_secs(1);
    sink.validity(0)?;
    let list = pop.uidl().map_err(|e| match e {
        Pop3Error::Err(t) => PassError::Fatal(anyhow!(
            "{url}: UIDL failed ({t}); rebound watch needs UIDL to know which messages it \
             stored"
        )),
        e => network(e, "listing messages (UIDL)"),
    })?;
    let recorded = sink.recorded()?;
    let present: HashSet<&str> = list.iter().map(|(_, id)| id.as_str()).collect();
    let gone: Vec<String> = recorded
        .iter()
        .filter(|id| !present.contains(id.as_str()))
        .cloned()
        .collect();
    sink.forget(&gone)?;
    let disposal = if settings.delete {
        Disposal::Deleted
    } else {
        Disposal::Recorded
    };
    let (again, mut new): (Vec<_>, Vec<_>) = list
        .iter()
        .cloned()
        .partition(|(_, id)| recorded.contains(id));
    new.retain(|(_, id)| !sink.unreadable(id));
    if settings.delete && !again.is_empty() {
        for (n, _) in &again {
            pop.dele(*n).map_err(|e| network(e, "deleting (DELE)"))?;
        }
        let ids: Vec<String> = again.iter().map(|(_, id)| id.clone()).collect();
        sink.done(super::Tally::default(), &[], &ids, disposal)?;
    }
    for chunk in new.chunks(BATCH) {
        let mut fetched: Vec<Fetched> = Vec::with_capacity(chunk.len());
        for (n, id) in chunk {
            let raw = pop
                .retr(*n)
                .map_err(|e| network(e, "reading a message (RETR)"))?;
            fetched.push((id.clone(), raw));
        }
        let (stored, tally) = sink.ingest(fetched)?;
        if settings.delete {
            let numbers: Vec<u32> = chunk
                .iter()
                .filter(|(_, id)| stored.iter().any(|(s, _)| s == id))
                .map(|(n, _)| *n)
                .collect();
            for n in numbers {
                pop.dele(n).map_err(|e| network(e, "deleting (DELE)"))?;
            }
        }
        sink.done(tally, &stored, &[], disposal)?;
    }
    pop.quit().map_err(|e| network(e, "logging out (QUIT)"))?;
    Ok(())
}
