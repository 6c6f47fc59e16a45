//! What a log reader remembers between the lines of one message: its sender and Message-ID
//! (Postfix `qmgr`/`cleanup`, Exim `<=`, Sendmail `from=`) and the last deferral of each
//! recipient, so a later "expired" line can say what the last attempt met. Memory is bounded:
//! an entry leaves when the MTA logs the end of the message (`removed`, `Completed`) or, when
//! more than `capacity` messages are open, the oldest one leaves first.

use std::collections::{HashMap, VecDeque};

/// Most deferrals remembered per message (one per recipient, the latest wins).
const MAX_DEFERRALS: usize = 64;

/// A deferral: the recipient and the evidence of its last failed attempt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Deferral {
    /// The recipient.
    pub recipient: String,
    /// The reply text of the last attempt.
    pub diagnostic: Option<String>,
    /// The status the line stated (`dsn=`).
    pub status: Option<rebound_core::EnhancedStatus>,
    /// The remote host.
    pub remote_mta: Option<String>,
}

/// What is known about one open message.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Pending {
    /// The envelope sender (`None` for the null sender `<>` or when unknown).
    pub sender: Option<String>,
    /// The Message-ID.
    pub message_id: Option<String>,
    /// The last deferral of each recipient.
    pub deferrals: Vec<Deferral>,
    /// True when a deferral was not kept because [`MAX_DEFERRALS`] recipients already had
    /// one: the message's expiry then says so (`deferrals` in the event's `truncated`).
    pub dropped_deferrals: bool,
    generation: u64,
}

impl Pending {
    /// Records a deferral, replacing an earlier one of the same recipient.
    pub fn defer(&mut self, deferral: Deferral) {
        self.deferrals.retain(|d| d.recipient != deferral.recipient);
        if self.deferrals.len() < MAX_DEFERRALS {
            self.deferrals.push(deferral);
        } else {
            self.dropped_deferrals = true;
        }
    }
}

/// Open messages by queue id, bounded.
#[derive(Debug)]
pub struct Queue {
    open: HashMap<Box<str>, Pending>,
    order: VecDeque<(Box<str>, u64)>,
    capacity: usize,
    generation: u64,
    /// How many messages were dropped to keep within the bound.
    pub evicted: u64,
}

impl Queue {
    /// A queue holding at most `capacity` open messages (at least 1).
    pub fn new(capacity: usize) -> Queue {
        Queue {
            open: HashMap::new(),
            order: VecDeque::new(),
            capacity: capacity.max(1),
            generation: 0,
            evicted: 0,
        }
    }

    /// The entry of `id`, created when new.
    pub fn entry(&mut self, id: &str) -> &mut Pending {
        if !self.open.contains_key(id) {
            self.generation += 1;
            let key: Box<str> = id.into();
            self.order.push_back((key.clone(), self.generation));
            self.open.insert(
                key,
                Pending {
                    generation: self.generation,
                    ..Pending::default()
                },
            );
            self.enforce_bound();
        }
        self.open
            .get_mut(id)
            .unwrap_or_else(|| unreachable!("inserted above"))
    }

    /// The entry of `id`, if open.
    pub fn get(&self, id: &str) -> Option<&Pending> {
        self.open.get(id)
    }

    /// The entry of `id`, if open, to change it.
    pub fn get_mut(&mut self, id: &str) -> Option<&mut Pending> {
        self.open.get_mut(id)
    }

    /// Forgets `id` (its last line was logged).
    pub fn remove(&mut self, id: &str) -> Option<Pending> {
        self.open.remove(id)
    }

    /// The number of open messages.
    #[cfg(test)]
    pub fn len(&self) -> usize {
        self.open.len()
    }

    fn enforce_bound(&mut self) {
        while self.open.len() > self.capacity {
            let Some((id, generation)) = self.order.pop_front() else {
                break;
            };
            if self
                .open
                .get(&id)
                .is_some_and(|p| p.generation == generation)
            {
                self.open.remove(&id);
                self.evicted += 1;
            }
        }
        // Removed messages leave stale ids behind; compact when they dominate.
        if self.order.len() > 2 * self.capacity + 64 {
            let open = &self.open;
            self.order
                .retain(|(id, g)| open.get(id).is_some_and(|p| p.generation == *g));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bounded_and_removable() {
        let mut q = Queue::new(2);
        q.entry("A").sender = Some("a@x".into());
        q.entry("B");
        q.entry("C");
        assert_eq!(q.len(), 2);
        assert!(q.get("A").is_none());
        assert_eq!(q.evicted, 1);
        q.remove("B");
        for i in 0..1000 {
            q.entry(&format!("Q{i}"));
            q.remove(&format!("Q{i}"));
        }
        assert!(q.order.len() <= 2 * 2 + 64);
    }
}
