//! Bounce mailboxes (`rebound watch`): which messages of a mailbox have their events stored, so
//! a watcher that is killed or restarted neither loses nor double-counts a message.
//!
//! A mailbox is named by its canonical URL (`imap://user@host:port/Folder`,
//! `pop3://user@host:port`), which the caller builds. Its messages are named by their ids
//! within the mailbox: IMAP UIDs (as decimal text), valid under one UIDVALIDITY, or POP3
//! UIDL values. [`Store::ingest_mailbox`] stores a batch of messages' events and records
//! their ids in **one** transaction: either both are stored or neither is. The caller marks
//! or moves a message on the server only after that commit; a message found recorded but not
//! yet marked is marked again without being read. A changed UIDVALIDITY forgets the ids
//! ([`Store::mailbox_validity`]); the messages are then read again, and the event keys
//! ([`crate::EventKey`]) keep their events from being counted twice.

use crate::error::Result;
use crate::ingest::{write_sorted, write_whole};
use crate::model::{IngestStats, Skipped};
use crate::record::{EventRow, SourceRule};
use crate::sends::{Send, SendRow};
use crate::store::{Store, write_sends};
use crate::time;
use rebound_core::BounceEvent;
use std::collections::HashSet;

/// One message of a mailbox and its events (none: not a bounce, still recorded).
pub struct MailboxMessage<'a> {
    /// Its id in the mailbox: an IMAP UID as decimal text, or a POP3 UIDL value.
    pub id: String,
    /// Its events.
    pub events: &'a [BounceEvent],
}

/// What [`Store::mailbox_validity`] found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Validity {
    /// The mailbox was not known; its validity is now kept.
    New,
    /// The same validity as kept: the recorded ids hold.
    Same,
    /// Another validity was kept (the one given): its ids were forgotten.
    Changed(i64),
}

impl Store {
    /// Compares a mailbox's UIDVALIDITY (0 for mailboxes without one, as POP3's) with the one
    /// kept, keeps the new one, and forgets the recorded ids when it changed (they named
    /// other messages).
    pub fn mailbox_validity(&mut self, mailbox: &str, validity: i64) -> Result<Validity> {
        let now = time::now();
        let mut tx = self.backend.begin()?;
        let found = match tx.mailbox_validity(mailbox)? {
            None => Validity::New,
            Some(v) if v == validity => Validity::Same,
            Some(v) => {
                tx.forget_mailbox_messages(mailbox, None)?;
                Validity::Changed(v)
            }
        };
        if found != Validity::Same {
            tx.set_mailbox_validity(mailbox, validity, now)?;
        }
        tx.commit()?;
        Ok(found)
    }

    /// The ids of a mailbox's messages whose events are stored.
    pub fn mailbox_recorded(&mut self, mailbox: &str) -> Result<HashSet<String>> {
        let mut tx = self.backend.begin()?;
        let ids = tx.mailbox_messages(mailbox)?;
        tx.commit()?;
        Ok(ids.into_iter().collect())
    }

    /// Forgets recorded ids of messages that left the mailbox (moved or deleted); ids are never
    /// given to another message, so this only keeps the table small. Returns how many were kept.
    pub fn mailbox_forget(&mut self, mailbox: &str, ids: &[String]) -> Result<u64> {
        if ids.is_empty() {
            return Ok(0);
        }
        let mut tx = self.backend.begin()?;
        let n = tx.forget_mailbox_messages(mailbox, Some(ids))?;
        tx.commit()?;
        Ok(n)
    }

    /// Stores the events of `messages` and records their ids, in one transaction. Events the
    /// database refuses are skipped and listed in `skipped` (the others and the ids are then
    /// stored in transactions of their own, the ids last). The sends some events record
    /// ([`Send::of_event`]) are written first, in a transaction of their own (they are counted
    /// once however often they are written).
    pub fn ingest_mailbox(
        &mut self,
        mailbox: &str,
        messages: &[MailboxMessage<'_>],
        sources: &SourceRule,
        skipped: &mut Vec<Skipped>,
    ) -> Result<IngestStats> {
        let now = time::now();
        let mut rows = Vec::new();
        let mut sends = Vec::new();
        for event in messages.iter().flat_map(|m| m.events) {
            if let Some(send) = Send::of_event(event, sources) {
                let mut row = SendRow::new(&send, now);
                row.look_up = sources.send_list && send.source == crate::sends::NO_SOURCE;
                sends.push(row);
            }
            if !Send::only_a_send(event) {
                rows.push(EventRow::new(event, sources, &self.policy, now)?);
            }
        }
        if !sends.is_empty() {
            write_sends(&mut *self.backend, &sends)?;
        }
        let ids: Vec<(String, i64)> = messages
            .iter()
            .map(|m| (m.id.clone(), m.events.len() as i64))
            .collect();
        let handed = rows.len() as u64;
        rows.sort_by_key(|r| r.key);
        rows.dedup_by(|a, b| a.key == b.key);
        let mut keys = Vec::new();
        let mut record =
            |tx: &mut dyn crate::backend::Tx| tx.record_mailbox_messages(mailbox, &ids, now);
        let mut stats = match write_whole(
            &mut *self.backend,
            &mut rows,
            &self.policy,
            now,
            &mut keys,
            &mut record,
        ) {
            Err(e) if e.is_row_error() => {
                let stats = write_sorted(
                    &mut *self.backend,
                    &mut rows,
                    &self.policy,
                    now,
                    skipped,
                    &mut keys,
                )?;
                let mut tx = self.backend.begin()?;
                tx.record_mailbox_messages(mailbox, &ids, now)?;
                tx.commit()?;
                stats
            }
            other => other?,
        };
        stats.events = handed;
        stats.duplicates = handed - stats.new - stats.skipped;
        Ok(stats)
    }
}
