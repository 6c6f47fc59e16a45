//! A file (or stream) of webhook bodies: one body, as a service posts it, or JSON lines of
//! bodies (one body a line, as a receiver that logs each POST writes them). A JSON-lines input
//! is streamed line by line, each line at most [`super::json::MAX_BODY`] bytes; a line that
//! is not a body is counted and named, never stops the run. Events of a JSON-lines input have
//! `source.message` = the line and `source.index` = the event's number within it.

use super::{
    WebhookError, WebhookFormat, body_json, json::MAX_BODY, read_deliveries, read_webhook,
};
use crate::detect::ReadError;
use crate::lines::{Line, Lines};
use crate::log::LogStats;
use rebound_core::{BounceEvent, Classifier};
use std::io::{BufReader, Cursor, Read};

/// How bodies are read.
pub struct Bodies<'a> {
    /// The provider, when given (`--format`); else each body is detected.
    pub format: Option<WebhookFormat>,
    /// The classifier.
    pub classifier: &'a Classifier,
    /// The input's name in events and errors.
    pub name: &'a str,
    /// Also yield the deliveries and acceptances the bodies report (sends).
    pub deliveries: bool,
}

impl Bodies<'_> {
    /// The events of one body read as `format` (`None`: detected): its bounces and, when
    /// asked, its deliveries. A body of deliveries only is no error, asked for or not, even
    /// though no bounce reader knows it. Each line of JSON lines is detected alone (one file may mix services).
    fn events(
        &self,
        body: &[u8],
        format: Option<WebhookFormat>,
    ) -> Result<Vec<BounceEvent>, WebhookError> {
        let mut events = match read_webhook(body, format, self.classifier, Some(self.name)) {
            Ok(events) => events,
            Err(WebhookError::Unknown) => {
                let sends = read_deliveries(body, self.classifier, Some(self.name));
                if sends.is_empty() {
                    return Err(WebhookError::Unknown);
                }
                return Ok(if self.deliveries { sends } else { Vec::new() });
            }
            Err(e) => return Err(e),
        };
        if self.deliveries {
            events.extend(read_deliveries(body, self.classifier, Some(self.name)));
        }
        Ok(events)
    }

    /// Reads `input`: one body, or JSON lines of bodies (when the whole is not one JSON
    /// document but its first line is), calling `each` per event. Returns the counts of a
    /// JSON-lines input (lines, events, lines refused with why); a single body that is
    /// refused is an error.
    pub fn read(
        &self,
        mut input: impl Read,
        each: &mut dyn FnMut(BounceEvent) -> std::io::Result<()>,
    ) -> Result<LogStats, ReadError> {
        let mut head = Vec::new();
        (&mut input)
            .take(MAX_BODY as u64 + 1)
            .read_to_end(&mut head)?;
        let whole = head.len() <= MAX_BODY && body_json(&head).is_ok();
        if !whole && first_line_is_json(&head) {
            return self.lines(Cursor::new(head).chain(input), each);
        }
        if head.len() > MAX_BODY {
            return Err(ReadError::TooLarge);
        }
        let events = self.events(&head, self.format)?;
        let stats = LogStats {
            events: events.len() as u64,
            ..LogStats::default()
        };
        for e in events {
            each(e)?;
        }
        Ok(stats)
    }

    fn lines(
        &self,
        input: impl Read,
        each: &mut dyn FnMut(BounceEvent) -> std::io::Result<()>,
    ) -> Result<LogStats, ReadError> {
        let mut reader = BufReader::with_capacity(256 * 1024, input);
        let mut lines = Lines::new(MAX_BODY);
        let mut stats = LogStats::default();
        while let Some(line) = lines.next_line(&mut reader)? {
            stats.lines += 1;
            match line {
                Line::TooLong(n) => stats.garble(n, "line longer than the webhook body limit"),
                Line::Text(_, bytes) if bytes.trim_ascii().is_empty() => {}
                Line::Text(n, bytes) => match self.events(bytes, None) {
                    Ok(events) => {
                        for (i, mut e) in (1u32..).zip(events) {
                            e.source.message = Some(n);
                            e.source.index = Some(i);
                            stats.events += 1;
                            each(e)?;
                        }
                    }
                    Err(e) => stats.garble(n, format!("not a webhook body: {e}")),
                },
            }
        }
        Ok(stats)
    }
}

/// Whether the first non-blank line of `head` is a whole JSON document.
fn first_line_is_json(head: &[u8]) -> bool {
    let start = head.trim_ascii_start();
    let Some(end) = start.iter().position(|b| *b == b'\n') else {
        return false;
    };
    let line = start[..end].trim_ascii();
    (line.starts_with(b"{") || line.starts_with(b"["))
        && serde_json::from_slice::<serde_json::Value>(line).is_ok()
}
