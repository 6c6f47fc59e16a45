//! The streaming message splitter: one `.eml` file, or an mbox (RFC 4155: messages start
//! with a `From ` line at the start of the file or after a blank line; `>From ` lines are
//! unescaped, mboxrd style). Reads line by line with a bounded buffer, so memory stays flat
//! however large the mailbox; a message longer than [`MAX_MESSAGE`] is skipped and reported.
//! CR-only files are read through [`CrToLf`].

use std::io::{self, BufRead, Read};

/// The largest message kept in memory; a longer one is reported and skipped.
pub const MAX_MESSAGE: usize = 64 << 20;

/// What an mbox starts with (and each of its messages).
pub const SEPARATOR: &[u8] = b"From ";

/// One step of the splitter.
#[derive(Debug)]
pub enum Step {
    /// A complete message.
    Message(Vec<u8>),
    /// A message over [`MAX_MESSAGE`] bytes was dropped; its size so far.
    TooLarge(usize),
}

/// Splits a byte stream into messages.
pub struct Splitter<R> {
    reader: R,
    /// Whether the stream is an mbox (decided from its first line).
    pub is_mbox: bool,
    line: Vec<u8>,
    done: bool,
}

impl<R: BufRead> Splitter<R> {
    /// Starts reading; sniffs the first bytes to choose between mbox and a single message.
    pub fn new(mut reader: R) -> io::Result<Splitter<R>> {
        let head = reader.fill_buf()?;
        let is_mbox = head.starts_with(SEPARATOR);
        Ok(Splitter {
            reader,
            is_mbox,
            line: Vec::with_capacity(256),
            done: false,
        })
    }

    /// Reads one line (up to and including `\n`) into `self.line`; false at the end.
    fn next_line(&mut self) -> io::Result<bool> {
        self.line.clear();
        Ok(self.reader.read_until(b'\n', &mut self.line)? > 0)
    }

    /// The next message, or `None` at the end of the stream.
    pub fn next_message(&mut self) -> io::Result<Option<Step>> {
        if self.done {
            return Ok(None);
        }
        if !self.is_mbox {
            self.done = true;
            // Sized for what is buffered already: most messages fit, read with one copy.
            let mut all = Vec::with_capacity(self.reader.fill_buf()?.len());
            let n = (&mut self.reader)
                .take(MAX_MESSAGE as u64 + 1)
                .read_to_end(&mut all)?;
            if n > MAX_MESSAGE {
                let mut rest = io::sink();
                let more = io::copy(&mut self.reader, &mut rest)?;
                return Ok(Some(Step::TooLarge(
                    n + usize::try_from(more).unwrap_or(usize::MAX),
                )));
            }
            return Ok((!all.is_empty()).then_some(Step::Message(all)));
        }
        let mut msg = Vec::new();
        let mut size = 0usize;
        let mut prev_blank = true;
        loop {
            if !self.next_line()? {
                self.done = true;
                break;
            }
            if self.line.starts_with(SEPARATOR) && (prev_blank || is_postmark(&self.line)) {
                if size == 0 {
                    continue; // this message's own separator
                }
                break; // the next message's separator, consumed here
            }
            prev_blank = self.line.iter().all(u8::is_ascii_whitespace);
            size += self.line.len();
            if size > MAX_MESSAGE {
                msg = Vec::new();
                continue;
            }
            let line = unescape_from(&self.line);
            msg.extend_from_slice(line);
        }
        if size > MAX_MESSAGE {
            return Ok(Some(Step::TooLarge(size)));
        }
        if size == 0 && self.done {
            return Ok(None);
        }
        // The blank line before the next separator belongs to the mbox, not the message.
        if msg.ends_with(b"\n\n") {
            msg.pop();
        } else if msg.ends_with(b"\r\n\r\n") {
            msg.truncate(msg.len() - 2);
        }
        Ok(Some(Step::Message(msg)))
    }
}

/// Whether a `From ` line has the full shape of a separator (`From sender Thu Jul  2 12:05:05
/// 2020`): a sender, then a weekday and a month name and a time among the words. Such a line
/// separates messages even without the blank line before it, as some tools write mboxes
/// (and as readers like Sisimai and mutt accept them); a body line starting with `From `
/// rarely has this shape, and an escaping MTA writes it as `>From ` anyway.
fn is_postmark(line: &[u8]) -> bool {
    const WEEKDAYS: [&[u8]; 7] = [b"Mon", b"Tue", b"Wed", b"Thu", b"Fri", b"Sat", b"Sun"];
    const MONTHS: [&[u8]; 12] = [
        b"Jan", b"Feb", b"Mar", b"Apr", b"May", b"Jun", b"Jul", b"Aug", b"Sep", b"Oct", b"Nov",
        b"Dec",
    ];
    let words: Vec<&[u8]> = line
        .split(u8::is_ascii_whitespace)
        .filter(|w| !w.is_empty())
        .take(8)
        .collect();
    let is_time = |w: &&[u8]| {
        w.len() == 8
            && w[2] == b':'
            && w[5] == b':'
            && w.iter().filter(|b| b.is_ascii_digit()).count() == 6
    };
    words.len() >= 6
        && WEEKDAYS.contains(&words[2])
        && MONTHS.contains(&words[3])
        && words[4..].iter().any(is_time)
}

/// `>From ` (and `>>From `, mboxrd) loses one `>`.
fn unescape_from(line: &[u8]) -> &[u8] {
    let quotes = line.iter().take_while(|&&b| b == b'>').count();
    if quotes > 0 && line[quotes..].starts_with(SEPARATOR) {
        &line[1..]
    } else {
        line
    }
}

/// A reader that turns lone CR line endings into LF (for old Mac mailboxes); CRLF passes.
pub struct CrToLf<R> {
    inner: R,
    last_cr: bool,
}

impl<R> CrToLf<R> {
    /// Wraps a reader.
    pub fn new(inner: R) -> Self {
        CrToLf {
            inner,
            last_cr: false,
        }
    }
}

impl<R: Read> Read for CrToLf<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        loop {
            let n = self.inner.read(buf)?;
            if n == 0 {
                return Ok(0);
            }
            let mut w = 0;
            for r in 0..n {
                let b = buf[r];
                let follows_cr = std::mem::replace(&mut self.last_cr, b == b'\r');
                if b == b'\n' && follows_cr {
                    continue; // the CR already became the LF
                }
                buf[w] = if b == b'\r' { b'\n' } else { b };
                w += 1;
            }
            if w > 0 {
                return Ok(w);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn split(input: &[u8]) -> Vec<Vec<u8>> {
        let mut s = Splitter::new(input).unwrap();
        let mut out = Vec::new();
        while let Some(step) = s.next_message().unwrap() {
            if let Step::Message(m) = step {
                out.push(m);
            }
        }
        out
    }

    #[test]
    fn mbox_with_escapes() {
        let m = split(b"From a@b Mon Jan 1 00:00:00 2024\nSubject: 1\n\n>From here\n\nFrom c@d Mon Jan 1 00:00:00 2024\nSubject: 2\n\nbody\n");
        assert_eq!(m.len(), 2);
        assert_eq!(m[0], b"Subject: 1\n\nFrom here\n");
        assert!(m[1].starts_with(b"Subject: 2\n\n"));
    }

    #[test]
    fn a_full_postmark_separates_without_a_blank_line() {
        let m = split(b"From a@b Mon Jan 1 00:00:00 2024\nSubject: 1\n\n--b--\nFrom c@d  Thu Jul  2 12:05:05 2020\nSubject: 2\n\nbody\nFrom here on, words\n");
        assert_eq!(m.len(), 2);
        assert_eq!(m[0], b"Subject: 1\n\n--b--\n");
        assert_eq!(m[1], b"Subject: 2\n\nbody\nFrom here on, words\n");
    }

    #[test]
    fn single_message() {
        assert_eq!(
            split(b"Subject: x\n\nbody"),
            vec![b"Subject: x\n\nbody".to_vec()]
        );
    }

    #[test]
    fn cr_only() {
        let mut out = String::new();
        CrToLf::new(&b"a\rb\r\nc"[..])
            .read_to_string(&mut out)
            .unwrap();
        assert_eq!(out, "a\nb\nc");
    }
}
