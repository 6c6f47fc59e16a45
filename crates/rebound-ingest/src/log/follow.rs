//! Reading log lines with a bound on their length, and following a growing log like
//! `tail -F`: the whole file is read, then new lines as they are written; when the file is
//! rotated (renamed or removed and created again) or truncated, reading goes on in the new
//! file from its start. Line numbers count within the file being read.

use crate::lines::{Line, Lines};
use std::fs::File;
use std::io::{BufReader, ErrorKind, Seek, SeekFrom};
use std::path::{Path, PathBuf};
use std::time::Duration;

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
