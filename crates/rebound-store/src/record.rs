//! [`EventRow`]: a [`BounceEvent`] flattened into the columns the store writes and queries
//! (normalized recipient and domains, epoch time and day, lead source, the policy's judgement),
//! with the full event kept as JSON so nothing the input said is lost, and each tag as text
//! for reports by tag. [`SourceRule`] chooses an event's lead source.

use crate::address;
use crate::key::EventKey;
use crate::policy::{Judgement, Policy};
use crate::time;
use rebound_core::{BounceEvent, tag_text};

/// The replacement of a NUL in stored text: U+FFFD, the character lossy UTF-8 decoding already
/// puts for invalid byte sequences, so both end up alike on both backends.
pub const NUL_REPLACEMENT: char = '\u{fffd}';

/// Text as both backends store it: PostgreSQL's `text` cannot hold NUL (SQLite can), so a NUL
/// becomes [`NUL_REPLACEMENT`] on both, and a store answers the same whichever backend it is.
/// (Invalid UTF-8 never gets this far: readers decode lossily. The event's JSON keeps the
/// original, escaped as `\u0000`.)
pub fn store_text(s: String) -> String {
    if s.contains('\0') {
        s.replace('\0', "\u{fffd}")
    } else {
        s
    }
}

/// Where an event's lead source comes from: the settings of `rebound ingest` (`--source`,
/// `--source-tag`, `--source-header`) and of a server's configuration alike. The steps are
/// tried in the order of [`SourceRule::steps`]; the first that gives a value that is not
/// blank wins.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceRule {
    /// A fixed source for every event of the run (`--source`); wins over everything else.
    pub tag: Option<String>,
    /// Metadata keys that may name the lead source (`--source-tag`), tried in order: each
    /// is looked up as the event tag of that name, then as the service metadata
    /// `meta.<key>` (docs/tags.md).
    pub tags: Vec<String>,
    /// The header of the returned message that names the lead source (`--source-header`;
    /// default `X-Lead-Source`), compared case-insensitively: a bounce email's header kept
    /// as a tag, or one an email service reported (`header.<name>`).
    pub header: String,
    /// Whether an event that the steps before give no source takes the source of the send it
    /// answers, looked up by the store among the sends it keeps (by Message-ID, then by
    /// address; [`SourceStep::SendList`]); default true (`--no-send-list` turns it off).
    pub send_list: bool,
}

impl Default for SourceRule {
    fn default() -> Self {
        Self {
            tag: None,
            tags: Vec::new(),
            header: "X-Lead-Source".into(),
            send_list: true,
        }
    }
}

/// One step of choosing a lead source ([`SourceRule::steps`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum SourceStep<'a> {
    /// A fixed source (`--source`).
    Fixed(&'a str),
    /// A metadata key (`--source-tag`): the tag `<key>`, else `meta.<key>`.
    Tag(&'a str),
    /// A header of the returned message (`--source-header`): the tag `<lower-cased name>`,
    /// else `header.<lower-cased name>`.
    Header(&'a str),
    /// The send the event answers, among the sends the store keeps (an imported send list,
    /// deliveries and failures recorded with a source): by Message-ID, then by recipient
    /// address (the most recent send at or before the event, else the most recent). Only the
    /// store can take this step, inside the transaction that writes the event
    /// ([`SourceRule::source_of`] skips it).
    SendList,
}

impl SourceRule {
    /// The steps, in the order they are tried: the fixed source, each metadata key, the
    /// header, and (when [`SourceRule::send_list`] is on) the send list.
    pub fn steps(&self) -> Vec<SourceStep<'_>> {
        let mut steps: Vec<SourceStep<'_>> = self
            .tag
            .as_deref()
            .map(SourceStep::Fixed)
            .into_iter()
            .collect();
        steps.extend(self.tags.iter().map(|k| SourceStep::Tag(k)));
        steps.push(SourceStep::Header(&self.header));
        if self.send_list {
            steps.push(SourceStep::SendList);
        }
        steps
    }

    /// The lead source of an event under this rule from the event alone: the first step that
    /// gives a value, the send list left out (the store looks that up when it writes the
    /// event).
    pub fn source_of(&self, event: &BounceEvent) -> Option<String> {
        self.steps()
            .into_iter()
            .find_map(|step| step_value(step, event))
    }
}

/// What one step finds in an event: trimmed, `None` when absent or blank.
fn step_value(step: SourceStep<'_>, event: &BounceEvent) -> Option<String> {
    let value = match step {
        SourceStep::Fixed(s) => Some(s.to_string()),
        SourceStep::Tag(key) => {
            let key = key.trim();
            tag(event, key).or_else(|| tag(event, &format!("meta.{key}")))
        }
        SourceStep::Header(name) => {
            let name = name.trim().to_ascii_lowercase();
            tag(event, &name).or_else(|| tag(event, &format!("header.{name}")))
        }
        SourceStep::SendList => None,
    }?;
    let value = value.trim();
    (!value.is_empty()).then(|| value.to_string())
}

/// The text of the tag named `name`: the exact key, else one equal ignoring ASCII case.
fn tag(event: &BounceEvent, name: &str) -> Option<String> {
    event
        .tags
        .get(name)
        .or_else(|| {
            event
                .tags
                .iter()
                .find(|(k, _)| k.eq_ignore_ascii_case(name))
                .map(|(_, v)| v)
        })
        .and_then(tag_text)
}

/// One event as stored.
#[derive(Debug, Clone)]
pub(crate) struct EventRow {
    pub key: EventKey,
    /// The event's own time, epoch seconds; the ingest time when the event has none (so the
    /// policy's windows and `--since` place an undated event when it was seen).
    pub at_unix: i64,
    /// The event's own time as RFC 3339 UTC; `None` (NULL) when it has none.
    pub at: Option<String>,
    /// The UTC day of `at`, or [`time::UNDATED`].
    pub day: String,
    pub recipient: Option<String>,
    pub domain: Option<String>,
    pub sender: Option<String>,
    pub sender_domain: Option<String>,
    pub code: Option<i32>,
    pub status: Option<String>,
    pub reason: &'static str,
    pub bounce_type: &'static str,
    pub category: rebound_core::Category,
    pub rule: String,
    pub lead_source: Option<String>,
    /// Whether the store looks the lead source up in the send list (no step before gave one,
    /// and the rule's [`SourceRule::send_list`] is on).
    pub look_up: bool,
    pub message_id: Option<String>,
    pub reporting_mta: Option<String>,
    pub judgement: Judgement,
    pub json: String,
    /// `(address, will_forward)` of a forward-path the reply named.
    pub forward: Option<(String, bool)>,
    /// `(name, text)` of each tag with a value that is not empty ([`tag_text`]), for reports
    /// by tag (an empty value groups as `(none)`, like a missing one).
    pub tags: Vec<(String, String)>,
}

impl EventRow {
    /// Flattens an event; `now` (the ingest time) stands in for a missing time in `at_unix`
    /// only: `at` stays NULL and the day is [`time::UNDATED`].
    pub fn new(
        event: &BounceEvent,
        sources: &SourceRule,
        policy: &Policy,
        now: i64,
    ) -> Result<Self, serde_json::Error> {
        let at_unix = event.at.map_or(now, |t| t.as_second());
        let recipient = event.recipient.as_deref().and_then(address::normalize);
        let domain = recipient
            .as_deref()
            .and_then(address::domain)
            .map(str::to_string);
        let sender = event.sender.as_deref().and_then(address::normalize);
        let sender_domain = sender
            .as_deref()
            .and_then(address::domain)
            .map(str::to_string);
        let c = &event.classification;
        let lead_source = sources.source_of(event).map(store_text);
        let forward = event
            .reply
            .forward
            .as_ref()
            .and_then(|f| address::normalize(&f.address).map(|a| (a, f.will_forward)));
        Ok(Self {
            key: EventKey::of(event),
            at_unix,
            at: event.at.map(|t| t.to_string()),
            day: event.at.map_or_else(
                || time::UNDATED.to_string(),
                |t| time::day_of(t.as_second()),
            ),
            recipient,
            domain,
            sender,
            sender_domain,
            code: event.reply.code.map(i32::from),
            status: event.reply.status.map(|s| s.to_string()),
            reason: c.reason.as_str(),
            bounce_type: c.bounce_type.as_str(),
            category: c.category,
            rule: store_text(c.rule.to_string()),
            look_up: sources.send_list && lead_source.is_none(),
            lead_source,
            message_id: event.message_id.clone().map(store_text),
            reporting_mta: event.reporting_mta.clone().map(store_text),
            judgement: policy.judge(c),
            json: serde_json::to_string(event)?,
            forward,
            tags: event
                .tags
                .iter()
                .filter_map(|(k, v)| {
                    let text = tag_text(v).filter(|t| !t.is_empty())?;
                    Some((store_text(k.clone()), store_text(text)))
                })
                .collect(),
        })
    }

    /// Whether the policy counts this event as a soft bounce.
    pub fn soft(&self) -> bool {
        self.judgement == Judgement::Soft
    }
}
