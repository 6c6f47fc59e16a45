//! Reading the command's inputs: bounded lines from standard input, and the classifier with a
//! user's rule files in front of the built-in ones.

use anyhow::Context;
use rebound_core::Classifier;
use std::io::{BufRead, ErrorKind, Read};
use std::path::{Path, PathBuf};

/// The longest line read as one input; a longer one is reported and skipped, so a 2 GB line
/// never sits in memory.
pub const MAX_LINE: usize = 1 << 20;

/// One line of input, or why it was skipped.
pub enum Line {
    /// The line's text (invalid UTF-8 replaced by U+FFFD), without its line ending.
    Text(String),
    /// The line was longer than [`MAX_LINE`] bytes; its bytes were read and dropped.
    TooLong,
}

/// Reads lines of at most [`MAX_LINE`] bytes ([`rebound_ingest::Lines`], the one line reader),
/// calling `each(line_number, line)`.
pub fn for_each_line(
    mut reader: impl BufRead,
    mut each: impl FnMut(usize, Line) -> anyhow::Result<()>,
) -> anyhow::Result<()> {
    let mut lines = rebound_ingest::Lines::new(MAX_LINE);
    while let Some(line) = lines
        .next_line(&mut reader)
        .context("reading standard input")?
    {
        let (number, line) = match line {
            rebound_ingest::Line::Text(n, bytes) => {
                (n, Line::Text(String::from_utf8_lossy(bytes).into_owned()))
            }
            rebound_ingest::Line::TooLong(n) => (n, Line::TooLong),
        };
        each(usize::try_from(number).unwrap_or(usize::MAX), line)?;
    }
    Ok(())
}

/// A reader that fails with an error naming the limit when a line runs over [`MAX_LINE`]
/// bytes, so a parser that holds a whole record (CSV) never fills memory with one endless line
/// (`/dev/zero`).
pub struct LineLimit<R> {
    inner: R,
    run: usize,
}

impl<R> LineLimit<R> {
    /// Limits the lines of `inner`.
    pub fn new(inner: R) -> Self {
        Self { inner, run: 0 }
    }
}

impl<R: std::io::Read> std::io::Read for LineLimit<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        for &b in &buf[..n] {
            if b == b'\n' {
                self.run = 0;
            } else {
                self.run += 1;
                if self.run > MAX_LINE {
                    return Err(std::io::Error::new(
                        ErrorKind::InvalidData,
                        format!("a line longer than {MAX_LINE} bytes, the limit for a line"),
                    ));
                }
            }
        }
        Ok(n)
    }
}

/// The largest rule file read (`--rules`, `rules check`).
pub const MAX_RULES_FILE: u64 = 8 << 20;

/// The largest policy file read (`--policy`).
pub const MAX_POLICY_FILE: u64 = 1 << 20;

/// Reads a whole text file of at most `limit` bytes; `what` names it in errors ("rule file").
/// A larger file (or a device such as /dev/zero) fails after `limit + 1` bytes, naming the
/// limit, instead of filling memory.
pub fn read_limited(path: &Path, limit: u64, what: &str) -> anyhow::Result<String> {
    let file =
        std::fs::File::open(path).with_context(|| format!("reading {what} {}", path.display()))?;
    let mut bytes = Vec::new();
    file.take(limit + 1)
        .read_to_end(&mut bytes)
        .with_context(|| format!("reading {what} {}", path.display()))?;
    if bytes.len() as u64 > limit {
        anyhow::bail!(
            "{what} {} is larger than {limit} bytes, the limit for a {what}",
            path.display()
        );
    }
    String::from_utf8(bytes).map_err(|e| {
        anyhow::anyhow!(
            "{what} {}: not UTF-8 text (invalid byte at offset {})",
            path.display(),
            e.utf8_error().valid_up_to()
        )
    })
}

/// The classifier: the user's rule files (in the order given) in front of the built-in rules.
pub fn classifier(rule_files: &[PathBuf]) -> anyhow::Result<Classifier> {
    let files = rule_files
        .iter()
        .map(|path| {
            read_limited(path, MAX_RULES_FILE, "rule file")
                .map(|source| (path.display().to_string(), source))
        })
        .collect::<anyhow::Result<Vec<_>>>()?;
    Ok(Classifier::with_user_rules(&files)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(input: &[u8]) -> Vec<String> {
        let mut out = Vec::new();
        for_each_line(input, |n, line| {
            out.push(match line {
                Line::Text(t) => format!("{n}:{t}"),
                Line::TooLong => format!("{n}:too long"),
            });
            Ok(())
        })
        .unwrap();
        out
    }

    #[test]
    fn splits_lines_of_any_ending() {
        assert_eq!(lines(b"a\r\nb\nc"), ["1:a", "2:b", "3:c"]);
        assert_eq!(lines(b""), Vec::<String>::new());
        assert_eq!(lines(b"\n"), ["1:"]);
    }

    #[test]
    fn drops_overlong_lines_and_goes_on() {
        let mut input = vec![b'x'; MAX_LINE + 10];
        input.extend_from_slice(b"\nok\n");
        assert_eq!(lines(&input), ["1:too long", "2:ok"]);
    }
}
