//! The suppression policy, as configuration: which verdicts stop mail to an address at once,
//! which count towards a soft-bounce threshold, and which never touch the recipient.
//!
//! # Defaults (a TOML file may change any of them; see [`Policy::from_toml`])
//!
//! ```toml
//! [hard]      # suppress at once
//! reasons = ["userunknown", "hostunknown", "hasmoved", "notaccept", "suspend"]
//! [soft]      # suppress after `count` soft bounces within `days` days
//! count = 3
//! days = 7
//! ignore = ["greylisted", "toomanyconn", "speeding"]   # about the sender's pace, not the address
//! [complaints]
//! suppress = true   # an ARF complaint (reason `feedback`) suppresses at once
//! ```
//!
//! # How an event is judged ([`Policy::judge`])
//!
//! | verdict of the event | policy |
//! | --- | --- |
//! | `bounce_type = block` (blocked, spamdetected, authfailure, badreputation, norelaying, policyviolation, rejected, …) | never suppresses the recipient: the receiver refused the *sender*; counted against the sending setup (`sender_side` in reports) |
//! | the classifier's action is `review` (a 551 without forward-path: a route to check; a 551 naming another domain; a suspended or filtered mailbox), where the rows below would suppress or count | never suppresses, never counts: a review item in the hints list (kind `route`, `review` or `verdict`) |
//! | reason in `hard.reasons`, not a temporary reply (or the classifier still says `hard`) | suppress at once, rule `hard:<reason>` |
//! | `bounce_type = hard` or `soft`, reason not in `soft.ignore` | counts as a soft bounce; the `count`-th within `days` days (by the event's own time; an undated event by its ingest time) suppresses, rule `soft:<count>-in-<days>d` |
//! | reason `feedback` and `complaints.suppress` | suppress at once, rule `complaint` |
//! | anything else (delivered, vacation, undetermined) | spared |
//!
//! Every suppression records the policy rule, the reason, the event id and the classifier rule
//! that decided the verdict.

use crate::error::{Result, StoreError};
use rebound_core::{Action, BounceType, Classification, Reason};
use serde::{Deserialize, Serialize};

/// The suppression policy.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Policy {
    /// Reasons that suppress at once.
    pub hard: HardPolicy,
    /// The soft-bounce threshold.
    pub soft: SoftPolicy,
    /// Complaints (ARF feedback reports).
    pub complaints: ComplaintPolicy,
}

/// Reasons that suppress an address at the first event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct HardPolicy {
    /// The reasons (default: userunknown, hostunknown, hasmoved, notaccept, suspend).
    pub reasons: Vec<Reason>,
}

/// Soft bounces suppress after `count` within `days` days.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SoftPolicy {
    /// How many soft bounces suppress (default 3; 0 turns the rule off).
    pub count: u32,
    /// Within how many days, by event time (default 7).
    pub days: u32,
    /// Soft reasons that do not count (default: greylisted, toomanyconn, speeding).
    pub ignore: Vec<Reason>,
}

/// What a complaint does.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ComplaintPolicy {
    /// Whether a complaint suppresses the address at once (default true).
    pub suppress: bool,
}

impl Default for HardPolicy {
    fn default() -> Self {
        Self {
            reasons: vec![
                Reason::UserUnknown,
                Reason::HostUnknown,
                Reason::HasMoved,
                Reason::NotAccept,
                Reason::Suspend,
            ],
        }
    }
}

impl Default for SoftPolicy {
    fn default() -> Self {
        Self {
            count: 3,
            days: 7,
            ignore: vec![Reason::Greylisted, Reason::TooManyConn, Reason::Speeding],
        }
    }
}

impl Default for ComplaintPolicy {
    fn default() -> Self {
        Self { suppress: true }
    }
}

/// What the policy makes of one event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Judgement {
    /// Suppress the recipient now, under this policy rule.
    Suppress(String),
    /// A soft bounce: counts towards the threshold.
    Soft,
    /// Sender-side: never suppresses the recipient; counted against the sending setup.
    SenderSide,
    /// The classifier asks a person to review the verdict (action `review`): never
    /// suppresses; recorded as a review item.
    Review,
    /// Nothing to do.
    Spare,
}

impl Policy {
    /// Reads a policy from TOML; absent keys keep their defaults.
    pub fn from_toml(text: &str) -> Result<Self> {
        let policy: Policy = toml::from_str(text).map_err(|e| StoreError::Policy(e.to_string()))?;
        if policy.soft.count > 0 && policy.soft.days == 0 {
            return Err(StoreError::Policy("soft.days must be at least 1".into()));
        }
        Ok(policy)
    }

    /// The policy as TOML (the documented defaults, for `Policy::default()`).
    pub fn to_toml(&self) -> String {
        toml::to_string(self).unwrap_or_default()
    }

    /// The name of the soft rule, e.g. `soft:3-in-7d`.
    pub fn soft_rule(&self) -> String {
        format!("soft:{}-in-{}d", self.soft.count, self.soft.days)
    }

    /// The soft window in seconds.
    pub fn soft_window(&self) -> i64 {
        i64::from(self.soft.days) * 86_400
    }

    /// Judges one verdict; see the module documentation for the table.
    pub fn judge(&self, c: &Classification) -> Judgement {
        match self.judge_by_reason(c) {
            Judgement::Suppress(_) | Judgement::Soft if c.action == Action::Review => {
                Judgement::Review
            }
            j => j,
        }
    }

    /// The judgement by bounce type and reason alone, before the action is heard.
    fn judge_by_reason(&self, c: &Classification) -> Judgement {
        match c.bounce_type {
            BounceType::Block => Judgement::SenderSide,
            BounceType::None if c.reason == Reason::Feedback && self.complaints.suppress => {
                Judgement::Suppress("complaint".into())
            }
            BounceType::None => Judgement::Spare,
            bt => {
                let temporary = c.permanent == Some(false) && bt != BounceType::Hard;
                if self.hard.reasons.contains(&c.reason) && !temporary {
                    Judgement::Suppress(format!("hard:{}", c.reason))
                } else if matches!(bt, BounceType::Hard | BounceType::Soft)
                    && self.soft.count > 0
                    && !self.soft.ignore.contains(&c.reason)
                {
                    Judgement::Soft
                } else {
                    Judgement::Spare
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rebound_core::{Classifier, Reply};

    fn judge(policy: &Policy, reply: &str) -> Judgement {
        let classifier = Classifier::builtin().unwrap();
        let reply = Reply::parse(reply).unwrap();
        policy.judge(&classifier.classify(&reply))
    }

    #[test]
    fn defaults_follow_the_documented_table() {
        let p = Policy::default();
        assert_eq!(
            judge(
                &p,
                "550 5.1.1 <x@example.com>: Recipient address rejected: User unknown"
            ),
            Judgement::Suppress("hard:userunknown".into())
        );
        assert_eq!(judge(&p, "452 4.2.2 Mailbox full"), Judgement::Soft);
        assert_eq!(
            judge(
                &p,
                "554 5.7.1 Service unavailable; Client host [192.0.2.1] blocked using zen.spamhaus.org"
            ),
            Judgement::SenderSide
        );
        assert_eq!(judge(&p, "250 2.0.0 OK"), Judgement::Spare);
        // The classifier calls a 551 without forward-path a routing problem to review: the
        // sender's stale route must not kill a good address.
        assert_eq!(judge(&p, "551 5.1.1 User not local"), Judgement::Review);
        assert_eq!(
            judge(&p, "551 User not local; please try <x@elsewhere.example>"),
            Judgement::Review
        );
    }

    #[test]
    fn toml_overrides_and_keeps_defaults() {
        let p = Policy::from_toml("[soft]\ncount = 5\n").unwrap();
        assert_eq!(p.soft.count, 5);
        assert_eq!(p.soft.days, 7);
        assert_eq!(p.hard, HardPolicy::default());
        assert_eq!(
            Policy::from_toml(&Policy::default().to_toml()).unwrap(),
            Policy::default()
        );
        let e = Policy::from_toml("[hard]\nreasons = [\"nosuch\"]\n")
            .unwrap_err()
            .to_string();
        assert!(e.contains("nosuch"), "{e}");
    }
}
