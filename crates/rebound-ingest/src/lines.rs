//! Reading numbered lines of bounded length from any byte stream: a longer line is reported
//! by its number and dropped, never held in memory. The one line reader of the log readers,
//! `--follow`, and the command line's standard input.

use std::io::{BufRead, ErrorKind};

/// One line read.
#[derive(Debug, PartialEq, Eq)]
pub enum Line<'a> {
    /// Line number and bytes, without the line ending.
    Text(u64, &'a [u8]),
    /// Line number of a line longer than the limit (its bytes were dropped).
    TooLong(u64),
}

/// Splits a byte stream into numbered lines of bounded length.
#[derive(Debug)]
pub struct Lines {
    buf: Vec<u8>,
    max: usize,
    number: u64,
    too_long: bool,
    returned: bool,
}

impl Lines {
    /// Lines of at most `max` bytes.
    pub fn new(max: usize) -> Lines {
        Lines {
            buf: Vec::new(),
            max,
            number: 0,
            too_long: false,
            returned: false,
        }
    }

    /// Reads up to the end of the next complete line; `false` at the end of what `input`
    /// holds now (a partial last line stays buffered: see [`Lines::finish`]). The line is
    /// then [`Lines::current`].
    pub fn next_complete(&mut self, input: &mut impl BufRead) -> std::io::Result<bool> {
        self.forget_returned();
        loop {
            let chunk = match input.fill_buf() {
                Ok(c) => c,
                Err(e) if e.kind() == ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            };
            if chunk.is_empty() {
                return Ok(false);
            }
            let (take, ended) = match memchr::memchr(b'\n', chunk) {
                Some(i) => (i + 1, true),
                None => (chunk.len(), false),
            };
            if !self.too_long {
                if self.buf.len() + take > self.max + 1 {
                    self.too_long = true;
                    self.buf.clear();
                } else {
                    self.buf.extend_from_slice(&chunk[..take]);
                }
            }
            input.consume(take);
            if ended {
                self.number += 1;
                self.returned = true;
                return Ok(true);
            }
        }
    }

    /// Takes the partial last line, when the input has truly ended; `false` when there is
    /// none. The line is then [`Lines::current`].
    pub fn finish(&mut self) -> bool {
        self.forget_returned();
        if self.buf.is_empty() && !self.too_long {
            return false;
        }
        self.number += 1;
        self.returned = true;
        true
    }

    /// The line the last successful [`Lines::next_complete`] or [`Lines::finish`] read.
    pub fn current(&self) -> Line<'_> {
        if self.too_long {
            Line::TooLong(self.number)
        } else {
            Line::Text(self.number, trim_eol(&self.buf))
        }
    }

    /// The next line, the partial last one included (for inputs that do not grow).
    pub fn next_line(&mut self, input: &mut impl BufRead) -> std::io::Result<Option<Line<'_>>> {
        if self.next_complete(input)? || self.finish() {
            return Ok(Some(self.current()));
        }
        Ok(None)
    }

    /// Starts numbering again (a new file) and drops any partial line.
    pub fn restart(&mut self) {
        self.buf.clear();
        self.number = 0;
        self.too_long = false;
        self.returned = false;
    }

    fn forget_returned(&mut self) {
        if self.returned {
            self.buf.clear();
            self.too_long = false;
            self.returned = false;
        }
    }
}

fn trim_eol(b: &[u8]) -> &[u8] {
    let mut end = b.len();
    while end > 0 && matches!(b[end - 1], b'\n' | b'\r') {
        end -= 1;
    }
    &b[..end]
}
