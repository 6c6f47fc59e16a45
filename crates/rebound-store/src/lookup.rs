//! The last step of choosing a lead source ([`crate::SourceStep::SendList`]): an event (or a
//! send of a log or webhook) that no earlier step gave a source takes the source of the send
//! it answers, found among the sends the store keeps ([`crate::sends`]: an imported send
//! list, and the deliveries and failures recorded with a source).
//!
//! The send is found by the Message-ID first (the returned message's Message-ID of a bounce
//! email, the message id a log or webhook reader gives; compared with and without angle
//! brackets; of several sends of one message, the one to the same recipient wins), then by the
//! recipient address: the most recent send at or before the event's time, else the most recent
//! one. Sends without a source (`(none)`) are never matches. A batch makes two queries (one for
//! all its Message-IDs, one for the addresses still unmatched), inside its transaction.

use crate::backend::Tx;
use crate::error::Result;
use std::collections::{BTreeSet, HashMap};

/// A send as the lookup reads it.
#[derive(Debug, Clone)]
pub(crate) struct ListedSend {
    pub address: String,
    pub message_id: Option<String>,
    pub source: String,
    pub at_unix: i64,
}

/// What one event (or send) offers to the lookup.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Wanted<'a> {
    pub message_id: Option<&'a str>,
    /// The normalized recipient.
    pub address: Option<&'a str>,
    /// The event's time (epoch seconds).
    pub at: i64,
}

/// A Message-ID without its angle brackets and surrounding blanks, as sends are keyed.
pub(crate) fn bare_id(id: &str) -> &str {
    id.trim().trim_start_matches('<').trim_end_matches('>')
}

/// The source of each wanted send, in order: `None` where the store keeps none.
pub(crate) fn sources_for(tx: &mut dyn Tx, wanted: &[Wanted<'_>]) -> Result<Vec<Option<String>>> {
    let mut out = vec![None; wanted.len()];
    let ids: BTreeSet<String> = wanted
        .iter()
        .filter_map(|w| w.message_id.map(bare_id))
        .filter(|id| !id.is_empty())
        .flat_map(|id| [id.to_string(), format!("<{id}>")])
        .collect();
    if !ids.is_empty() {
        let ids: Vec<String> = ids.into_iter().collect();
        let mut by_id: HashMap<String, Vec<ListedSend>> = HashMap::new();
        for send in tx.sends_by_message_id(&ids)? {
            if let Some(id) = send.message_id.as_deref().map(bare_id) {
                by_id.entry(id.to_string()).or_default().push(send);
            }
        }
        for (w, slot) in wanted.iter().zip(out.iter_mut()) {
            let Some(sends) = w.message_id.and_then(|id| by_id.get(bare_id(id))) else {
                continue;
            };
            let same: Vec<&ListedSend> = sends
                .iter()
                .filter(|s| Some(s.address.as_str()) == w.address)
                .collect();
            let pool = if same.is_empty() {
                sends.iter().collect()
            } else {
                same
            };
            *slot = pick(&pool, w.at);
        }
    }
    let addresses: BTreeSet<&str> = wanted
        .iter()
        .zip(&out)
        .filter(|(_, s)| s.is_none())
        .filter_map(|(w, _)| w.address)
        .collect();
    if !addresses.is_empty() {
        let addresses: Vec<String> = addresses.into_iter().map(str::to_string).collect();
        let mut by_address: HashMap<String, Vec<ListedSend>> = HashMap::new();
        for send in tx.sends_by_address(&addresses)? {
            by_address
                .entry(send.address.clone())
                .or_default()
                .push(send);
        }
        for (w, slot) in wanted.iter().zip(out.iter_mut()) {
            if slot.is_some() {
                continue;
            }
            if let Some(sends) = w.address.and_then(|a| by_address.get(a)) {
                *slot = pick(&sends.iter().collect::<Vec<_>>(), w.at);
            }
        }
    }
    Ok(out)
}

/// The source of the most recent send at or before `at`, else of the most recent; ties go to
/// the smallest source, so the answer never depends on the order rows come back in.
fn pick(sends: &[&ListedSend], at: i64) -> Option<String> {
    let best = |it: &mut dyn Iterator<Item = &&ListedSend>| {
        it.max_by(|a, b| {
            a.at_unix
                .cmp(&b.at_unix)
                .then_with(|| b.source.cmp(&a.source))
        })
        .map(|s| s.source.clone())
    };
    best(&mut sends.iter().filter(|s| s.at_unix <= at)).or_else(|| best(&mut sends.iter()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn send(source: &str, at_unix: i64) -> ListedSend {
        ListedSend {
            address: "a@example.com".into(),
            message_id: None,
            source: source.into(),
            at_unix,
        }
    }

    #[test]
    fn the_latest_send_before_the_event_wins_else_the_latest() {
        let sends = [send("old", 10), send("new", 20), send("later", 40)];
        let refs: Vec<&ListedSend> = sends.iter().collect();
        assert_eq!(pick(&refs, 30).as_deref(), Some("new"));
        assert_eq!(pick(&refs, 5).as_deref(), Some("later"));
        assert_eq!(pick(&refs, 40).as_deref(), Some("later"));
        assert_eq!(pick(&[], 40), None);
        let tied = [send("b", 10), send("a", 10)];
        let refs: Vec<&ListedSend> = tied.iter().collect();
        assert_eq!(pick(&refs, 10).as_deref(), Some("a"));
    }

    #[test]
    fn message_ids_compare_without_brackets() {
        assert_eq!(bare_id(" <x@y> "), "x@y");
        assert_eq!(bare_id("x@y"), "x@y");
    }
}
