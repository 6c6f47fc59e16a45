//! Reading log lines with a bound on their length, and following a growing log like
//! `tail -F`: the whole file is read, then new lines as they are written; when the file is
//! rotated (renamed or removed and created again) or truncated, reading goes on in the new
//! file from its start. Line numbers count within the file being read.

use std::fs::File;
use std::io::{BufRead, BufReader, ErrorKind, Seek, SeekFrom};
use std::path::{Path, PathBuf};
use std::time::Duration;

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

/// The identity of an open file, to notice rotation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct FileId(u64, u64);

#[cfg(unix)]
fn file_id(meta: &std::fs::Metadata) -> FileId {
    use std::os::unix::fs::MetadataExt;
    FileId(meta.dev(), meta.ino())
}

#[cfg(not(unix))]
fn file_id(_meta: &std::fs::Metadata) -> FileId {
    FileId(0, 0)
}

/// Follows a log file by name across rotation and truncation (`tail -F`).
#[derive(Debug)]
pub struct Follower {
    path: PathBuf,
    file: Option<(BufReader<File>, FileId)>,
    poll: Duration,
    lines: Lines,
    restart_after: bool,
    /// How many times a new file was opened after rotation or truncation.
    pub reopened: u64,
}

impl Follower {
    /// Follows `path` from its first line, polling every `poll` at its end; lines longer than
    /// `max_line` bytes are reported as [`Line::TooLong`].
    pub fn new(path: &Path, poll: Duration, max_line: usize) -> Follower {
        Follower {
            path: path.to_path_buf(),
            file: None,
            poll,
            lines: Lines::new(max_line),
            restart_after: false,
            reopened: 0,
        }
    }

    /// The next line, waiting for it; `None` once `stop()` says so while waiting.
    pub fn next_line(&mut self, stop: &dyn Fn() -> bool) -> std::io::Result<Option<Line<'_>>> {
        if self.restart_after {
            self.restart_after = false;
            self.lines.restart();
        }
        loop {
            if self.file.is_none() {
                self.open()?;
            }
            if let Some((reader, _)) = self.file.as_mut()
                && self.lines.next_complete(reader)?
            {
                return Ok(Some(self.lines.current()));
            }
            // At the end of the file: rotated, truncated, or just not written yet?
            if self.check_rotation()? {
                if self.lines.finish() {
                    self.restart_after = true;
                    return Ok(Some(self.lines.current()));
                }
                self.lines.restart();
                continue;
            }
            if stop() {
                return Ok(None);
            }
            std::thread::sleep(self.poll);
        }
    }

    /// Opens the file if it exists (a missing file is waited for).
    fn open(&mut self) -> std::io::Result<()> {
        match File::open(&self.path) {
            Ok(f) => {
                let id = file_id(&f.metadata()?);
                self.file = Some((BufReader::with_capacity(64 * 1024, f), id));
                Ok(())
            }
            Err(e) if e.kind() == ErrorKind::NotFound => Ok(()),
            Err(e) => Err(e),
        }
    }

    /// Whether the path now names another file (rotation) or the file shrank (truncation);
    /// the old handle is dropped so the next read opens the new one.
    fn check_rotation(&mut self) -> std::io::Result<bool> {
        let Some((reader, id)) = self.file.as_mut() else {
            return Ok(false);
        };
        let now = match std::fs::metadata(&self.path) {
            Ok(m) => m,
            Err(e) if e.kind() == ErrorKind::NotFound => return Ok(false),
            Err(e) => return Err(e),
        };
        let position = reader.stream_position()?;
        let rotated = file_id(&now) != *id;
        let truncated = !rotated && now.len() < position;
        if truncated {
            reader.seek(SeekFrom::Start(0))?;
        }
        if rotated {
            self.file = None;
        }
        if rotated || truncated {
            self.reopened += 1;
        }
        Ok(rotated || truncated)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bounded_lines() {
        let data = b"one\r\ntwo-too-long\nthree".to_vec();
        let mut input = &data[..];
        let mut lines = Lines::new(5);
        let mut got = Vec::new();
        while let Some(l) = lines
            .next_line(&mut input)
            .unwrap_or_else(|_| unreachable!())
        {
            got.push(match l {
                Line::Text(n, b) => format!("{n}:{}", String::from_utf8_lossy(b)),
                Line::TooLong(n) => format!("{n}:too long"),
            });
        }
        assert_eq!(got, ["1:one", "2:too long", "3:three"]);
    }
}
