//! Reading a log from a file or standard input into events, once or following the file as
//! it grows and rotates ([`super::follow::Follower`]); events are handed out one by one so
//! memory does not grow with the log.

use super::follow::Follower;
use super::{LogFormat, LogOptions, LogReader, LogStats};
use crate::lines::{Line, Lines};
use rebound_core::{BounceEvent, Classifier};
use std::io::BufRead;
use std::path::Path;
use std::time::Duration;

/// The longest line read as one (longer lines are counted as garbled and skipped).
pub const MAX_LINE: usize = 1 << 20;

/// How often a followed file is checked for new lines.
pub const POLL: Duration = Duration::from_millis(200);

/// Reads `input` (named `path`) to its end, calling `each` per event.
pub fn read_stream(
    mut input: impl BufRead,
    path: &str,
    format: LogFormat,
    classifier: &Classifier,
    options: &LogOptions,
    each: &mut dyn FnMut(BounceEvent) -> std::io::Result<()>,
) -> std::io::Result<LogStats> {
    let mut reader = LogReader::new(format, classifier, Some(path.to_string()), options);
    let mut lines = Lines::new(MAX_LINE);
    let mut events = Vec::new();
    while let Some(line) = lines.next_line(&mut input)? {
        feed(&mut reader, line, &mut events);
        for e in events.drain(..) {
            each(e)?;
        }
    }
    Ok(reader.stats().clone())
}

/// Follows the file at `path` (from its first line) until `stop()` says so, calling `each`
/// per event as lines arrive.
pub fn follow(
    path: &Path,
    format: LogFormat,
    classifier: &Classifier,
    options: &LogOptions,
    stop: &dyn Fn() -> bool,
    each: &mut dyn FnMut(BounceEvent) -> std::io::Result<()>,
) -> std::io::Result<LogStats> {
    let name = path.display().to_string();
    let mut reader = LogReader::new(format, classifier, Some(name), options);
    let mut follower = Follower::new(path, POLL, MAX_LINE);
    let mut events = Vec::new();
    while let Some(line) = follower.next_line(stop)? {
        feed(&mut reader, line, &mut events);
        for e in events.drain(..) {
            each(e)?;
        }
    }
    Ok(reader.stats().clone())
}

fn feed(reader: &mut LogReader<'_>, line: Line<'_>, out: &mut Vec<BounceEvent>) {
    match line {
        Line::Text(number, bytes) => reader.line(number, bytes, out),
        Line::TooLong(number) => reader.too_long(number),
    }
}
