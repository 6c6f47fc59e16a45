//! Reading the command's inputs: bounded lines from standard input, and the classifier with a
//! user's rule files in front of the built-in ones.

use anyhow::Context;
use rebound_core::Classifier;
use std::io::{BufRead, ErrorKind};
use std::path::PathBuf;

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

/// Reads lines of at most [`MAX_LINE`] bytes, calling `each(line_number, line)`.
pub fn for_each_line(
    mut reader: impl BufRead,
    mut each: impl FnMut(usize, Line) -> anyhow::Result<()>,
) -> anyhow::Result<()> {
    let mut buf = Vec::new();
    let mut number = 0;
    loop {
        buf.clear();
        let mut too_long = false;
        let mut ended = false;
        loop {
            let chunk = match reader.fill_buf() {
                Ok(c) => c,
                Err(e) if e.kind() == ErrorKind::Interrupted => continue,
                Err(e) => return Err(e).context("reading standard input"),
            };
            if chunk.is_empty() {
                ended = true;
                break;
            }
            let (take, newline) = match chunk.iter().position(|&b| b == b'\n') {
                Some(i) => (i + 1, true),
                None => (chunk.len(), false),
            };
            if !too_long {
                if buf.len() + take > MAX_LINE + 1 {
                    too_long = true;
                    buf.clear();
                } else {
                    buf.extend_from_slice(&chunk[..take]);
                }
            }
            reader.consume(take);
            if newline {
                break;
            }
        }
        if ended && buf.is_empty() && !too_long {
            return Ok(());
        }
        number += 1;
        if too_long {
            each(number, Line::TooLong)?;
        } else {
            while buf.last().is_some_and(|b| *b == b'\n' || *b == b'\r') {
                buf.pop();
            }
            each(
                number,
                Line::Text(String::from_utf8_lossy(&buf).into_owned()),
            )?;
        }
        if ended {
            return Ok(());
        }
    }
}

/// The classifier: the user's rule files (in the order given) in front of the built-in rules.
pub fn classifier(rule_files: &[PathBuf]) -> anyhow::Result<Classifier> {
    let files = rule_files
        .iter()
        .map(|path| {
            std::fs::read_to_string(path)
                .with_context(|| format!("reading rule file {}", path.display()))
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
