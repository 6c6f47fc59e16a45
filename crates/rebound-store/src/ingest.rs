//! Writing a batch of events: one transaction that inserts the events not stored yet (by
//! [`EventKey`](crate::EventKey)), applies the suppression policy to the new ones only, and
//! records their forward hints. Shared by both backends, so they behave the same; a batch
//! either commits whole or not at all, so a killed ingest loses nothing that a re-run does not
//! restore, and duplicates cannot arise.

use crate::backend::Backend;
use crate::error::Result;
use crate::key::EventKey;
use crate::lookup::Wanted;
use crate::model::{HintKind, IngestStats, NewHint, Skipped, Suppression};
use crate::policy::{Judgement, Policy};
use crate::record::EventRow;
use std::collections::{BTreeMap, HashSet};

/// How often a batch is retried after a deadlock or a busy database.
const RETRIES: u32 = 8;

/// Writes one batch (sorted and de-duplicated here) in one transaction, retrying it whole on
/// a retryable error. When the database refuses a row's data ([`crate::StoreError::is_row_error`]),
/// the batch is split in halves until the refused rows are alone; those are skipped and listed
/// in `skipped`, and every other row is stored: one bad event never stops an ingest.
pub(crate) fn write_batch(
    backend: &mut dyn Backend,
    rows: &mut Vec<EventRow>,
    policy: &Policy,
    now: i64,
    skipped: &mut Vec<Skipped>,
) -> Result<IngestStats> {
    write_batch_keyed(backend, rows, policy, now, skipped, &mut Vec::new())
}

/// [`write_batch`], also listing in `new_keys` the keys of the events it stored for the first
/// time.
pub(crate) fn write_batch_keyed(
    backend: &mut dyn Backend,
    rows: &mut Vec<EventRow>,
    policy: &Policy,
    now: i64,
    skipped: &mut Vec<Skipped>,
    new_keys: &mut Vec<EventKey>,
) -> Result<IngestStats> {
    let handed = rows.len() as u64;
    // One order for every writer: concurrent PostgreSQL transactions then wait, never deadlock.
    rows.sort_by_key(|r| r.key);
    rows.dedup_by(|a, b| a.key == b.key);
    let mut stats = write_sorted(backend, rows, policy, now, skipped, new_keys)?;
    stats.events = handed;
    stats.duplicates = handed - stats.new - stats.skipped;
    Ok(stats)
}

/// [`write_batch`] of sorted, distinct rows; `events` and `duplicates` are left to the caller.
pub(crate) fn write_sorted(
    backend: &mut dyn Backend,
    rows: &mut [EventRow],
    policy: &Policy,
    now: i64,
    skipped: &mut Vec<Skipped>,
    new_keys: &mut Vec<EventKey>,
) -> Result<IngestStats> {
    match write_whole(backend, rows, policy, now, new_keys, &mut |_| Ok(())) {
        Err(e) if e.is_row_error() => {
            if let [row] = rows {
                skipped.push(Skipped {
                    event_id: row.key.to_hex(),
                    recipient: row.recipient.clone(),
                    error: crate::error::with_causes(&e),
                });
                return Ok(IngestStats {
                    skipped: 1,
                    ..IngestStats::default()
                });
            }
            let (a, b) = rows.split_at_mut(rows.len() / 2);
            let mut stats = write_sorted(backend, a, policy, now, skipped, new_keys)?;
            stats += write_sorted(backend, b, policy, now, skipped, new_keys)?;
            Ok(stats)
        }
        other => other,
    }
}

/// Writes by [`write_whole`] what must be committed with the events (the ids of the mailbox
/// messages they came from), in their transaction, before it commits.
pub(crate) type Alongside<'a> = dyn FnMut(&mut dyn crate::backend::Tx) -> Result<()> + 'a;

/// One transaction of `rows` (sorted and distinct) and of what `alongside` writes, retried
/// whole on a retryable error.
pub(crate) fn write_whole(
    backend: &mut dyn Backend,
    rows: &mut [EventRow],
    policy: &Policy,
    now: i64,
    new_keys: &mut Vec<EventKey>,
    alongside: &mut Alongside<'_>,
) -> Result<IngestStats> {
    let mut attempt = 0;
    loop {
        match try_batch(backend, rows, policy, now, alongside) {
            Ok((stats, keys)) => {
                new_keys.extend(keys);
                return Ok(stats);
            }
            Err(e) if e.is_retryable() && attempt < RETRIES => {
                attempt += 1;
                std::thread::sleep(std::time::Duration::from_millis(20 << attempt.min(6)));
            }
            Err(e) => return Err(e),
        }
    }
}

/// One transaction; the tally and the keys of the events stored for the first time.
fn try_batch(
    backend: &mut dyn Backend,
    rows: &mut [EventRow],
    policy: &Policy,
    now: i64,
    alongside: &mut Alongside<'_>,
) -> Result<(IngestStats, Vec<EventKey>)> {
    let mut stats = IngestStats::default();
    let mut new_keys = Vec::new();
    let mut tx = backend.begin()?;
    look_up_sources(&mut *tx, rows)?;
    let rows: &[EventRow] = rows;
    let new = tx.insert_events(rows, now)?;
    tx.lock_policy()?;
    let mut suppressions: Vec<Suppression> = Vec::new();
    let mut hints: Vec<NewHint> = Vec::new();
    // Soft bounces per recipient, in time order.
    let mut soft: BTreeMap<&str, Vec<&EventRow>> = BTreeMap::new();
    for row in rows.iter().zip(&new).filter(|(_, n)| **n).map(|(r, _)| r) {
        stats.new += 1;
        new_keys.push(row.key);
        if row.judgement == Judgement::SenderSide {
            stats.sender_side += 1;
        }
        let Some(recipient) = row.recipient.as_deref() else {
            continue;
        };
        match &row.judgement {
            Judgement::Suppress(rule) => suppressions.push(suppression(row, recipient, rule, now)),
            Judgement::Soft => soft.entry(recipient).or_default().push(row),
            Judgement::Review => {
                stats.review += 1;
                // With a forward-path, the hint below is the review item.
                if row.forward.as_ref().is_none_or(|(a, _)| a == recipient) {
                    hints.push(NewHint {
                        old_address: recipient.to_string(),
                        new_address: String::new(),
                        kind: if row.category == rebound_core::Category::Routing {
                            HintKind::Route
                        } else {
                            HintKind::Verdict
                        },
                        will_forward: false,
                        event_id: row.key.to_hex(),
                        created_at: now,
                        seen: 1,
                    });
                }
            }
            Judgement::SenderSide | Judgement::Spare => {}
        }
        if let Some((address, will_forward)) = &row.forward
            && address != recipient
        {
            let same = rebound_core::same_domain(recipient, address);
            hints.push(NewHint {
                old_address: recipient.to_string(),
                new_address: address.clone(),
                kind: if same {
                    HintKind::Update
                } else {
                    HintKind::Review
                },
                will_forward: *will_forward,
                event_id: row.key.to_hex(),
                created_at: now,
                seen: 1,
            });
        }
    }
    if !soft.is_empty() {
        apply_soft_rule(&mut *tx, &mut soft, policy, now, &mut suppressions)?;
    }
    // One order for every writer, and one suppression per address (the first decides).
    suppressions.sort_by(|a, b| a.address.cmp(&b.address));
    suppressions.dedup_by(|a, b| a.address == b.address);
    if !suppressions.is_empty() {
        stats.suppressed = tx.insert_suppressions(&suppressions)?;
    }
    if !hints.is_empty() {
        hints.sort_by(|a, b| {
            (&a.old_address, &a.new_address).cmp(&(&b.old_address, &b.new_address))
        });
        // One row per (old, new): a multi-row upsert may not touch a row twice.
        hints.dedup_by(|later, first| {
            let same =
                later.old_address == first.old_address && later.new_address == first.new_address;
            if same {
                first.seen += later.seen;
            }
            same
        });
        stats.hints = tx.upsert_hints(&hints)?;
    }
    alongside(&mut *tx)?;
    tx.commit()?;
    Ok((stats, new_keys))
}

/// Gives each row that asks for it ([`EventRow::look_up`]) the source of the send it
/// answers, when the store keeps one ([`crate::lookup`]); inside the batch's transaction, so
/// the event, its suppression and its source agree.
fn look_up_sources(tx: &mut dyn crate::backend::Tx, rows: &mut [EventRow]) -> Result<()> {
    let (at, wanted): (Vec<usize>, Vec<Wanted<'_>>) = rows
        .iter()
        .enumerate()
        .filter(|(_, r)| r.look_up && (r.message_id.is_some() || r.recipient.is_some()))
        .map(|(i, r)| {
            let w = Wanted {
                message_id: r.message_id.as_deref(),
                address: r.recipient.as_deref(),
                at: r.at_unix,
            };
            (i, w)
        })
        .unzip();
    if wanted.is_empty() {
        return Ok(());
    }
    let found = crate::lookup::sources_for(tx, &wanted)?;
    for (i, source) in at.into_iter().zip(found) {
        // Set every time: a retried transaction looks again.
        rows[i].lead_source = source;
    }
    Ok(())
}

/// Suppresses each recipient that has `soft.count` soft bounces within some `soft.days`-day
/// window containing one of its new events (stored ones included, which include this batch's).
/// Checking every window through a new event, not only the window ending at it, makes the
/// outcome independent of the order events arrive in: the last event of a qualifying window
/// to be stored always finds it.
fn apply_soft_rule(
    tx: &mut dyn crate::backend::Tx,
    soft: &mut BTreeMap<&str, Vec<&EventRow>>,
    policy: &Policy,
    now: i64,
    out: &mut Vec<Suppression>,
) -> Result<()> {
    let window = policy.soft_window();
    let needed = usize::try_from(policy.soft.count).unwrap_or(usize::MAX);
    let from = soft
        .values()
        .flatten()
        .map(|r| r.at_unix)
        .min()
        .unwrap_or(0)
        - window;
    let to = soft
        .values()
        .flatten()
        .map(|r| r.at_unix)
        .max()
        .unwrap_or(0)
        + window;
    let already: HashSet<&str> = out.iter().map(|s| s.address.as_str()).collect();
    let recipients: Vec<&str> = soft
        .keys()
        .copied()
        .filter(|r| !already.contains(r))
        .collect();
    let mut times: BTreeMap<String, Vec<i64>> = BTreeMap::new();
    for (r, t) in tx.soft_times(&recipients, from, to)? {
        times.entry(r).or_default().push(t);
    }
    let rule = policy.soft_rule();
    for recipient in recipients {
        let (Some(events), Some(stored)) = (soft.get_mut(recipient), times.get_mut(recipient))
        else {
            continue;
        };
        stored.sort_unstable();
        events.sort_by_key(|r| r.at_unix);
        let deciding = events.iter().find(|row| {
            let t = row.at_unix;
            // Windows [s, s + window] with s a stored time in [t - window, t].
            let first = stored.partition_point(|x| *x < t - window);
            let last = stored.partition_point(|x| *x <= t);
            stored[first..last].iter().any(|&s| {
                let lo = stored.partition_point(|x| *x < s);
                let hi = stored.partition_point(|x| *x <= s + window);
                hi - lo >= needed
            })
        });
        if let Some(row) = deciding {
            out.push(suppression(row, recipient, &rule, now));
        }
    }
    Ok(())
}

fn suppression(row: &EventRow, recipient: &str, rule: &str, now: i64) -> Suppression {
    Suppression {
        address: recipient.to_string(),
        rule: rule.to_string(),
        reason: Some(row.reason.to_string()),
        event_id: Some(row.key.to_hex()),
        classifier_rule: Some(row.rule.clone()),
        source: row.lead_source.clone(),
        created_at: now,
    }
}
