//! The bounce taxonomy: [`Reason`], [`BounceType`], [`Category`], [`Severity`] and [`Action`].
//!
//! Reason names are Sisimai's (so results can be compared with the peer library); the other
//! axes answer the sender's questions: is this address dead ([`BounceType`]), what kind of
//! problem is it ([`Category`]), how bad ([`Severity`]) and what to do now ([`Action`]).
//! Each reason carries default values for the other axes ([`Reason::profile`]); a rule may
//! override them.

/// Declares a string-named enum: variants, their wire names, and their one-line meanings,
/// with `as_str`, `ALL`, `Display` and `FromStr` generated from the one table.
macro_rules! named_enum {
    (
        $(#[$meta:meta])*
        $name:ident {
            $( $(#[$vmeta:meta])* $variant:ident = $wire:literal : $meaning:literal, )+
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, ::serde::Serialize, ::serde::Deserialize)]
        pub enum $name {
            $( $(#[$vmeta])* #[doc = $meaning] #[serde(rename = $wire)] $variant, )+
        }

        impl $name {
            /// Every value, in declaration order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The stable wire name, as used in JSON and rule files.
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $wire,)+ }
            }

            /// One line saying what the value means, for people.
            pub fn meaning(self) -> &'static str {
                match self { $($name::$variant => $meaning,)+ }
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl ::std::str::FromStr for $name {
            type Err = $crate::taxonomy::UnknownName;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                match s {
                    $($wire => Ok($name::$variant),)+
                    _ => Err($crate::taxonomy::UnknownName {
                        kind: stringify!($name),
                        name: s.to_string(),
                        known: &[$($wire),+],
                    }),
                }
            }
        }
    };
}

pub(crate) use named_enum;

/// A name that is not one of an enum's wire names.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown {kind} `{name}` (known: {})", known.join(", "))]
pub struct UnknownName {
    /// Which enum was asked for.
    pub kind: &'static str,
    /// The name that was given.
    pub name: String,
    /// The names that would have been accepted.
    pub known: &'static [&'static str],
}

named_enum! {
    /// Why a message was not delivered, in Sisimai's vocabulary (go-sisimai `reason/`),
    /// plus `greylisted`, which Sisimai lacks: a deliberate temporary refusal of a first
    /// attempt is neither a block nor a system error, and senders must treat it as
    /// "retry soon", so it gets its own name.
    Reason {
        AuthFailure = "authfailure": "SPF, DKIM or DMARC checks of the sender failed",
        BadReputation = "badreputation": "the sending IP or domain has a poor reputation at the receiver",
        Blocked = "blocked": "the sending IP or host is blocked (blocklist, no rDNS, refused connection)",
        ContentError = "contenterror": "the message content or format was rejected",
        Delivered = "delivered": "the message was delivered (or accepted for forwarding)",
        ExceedLimit = "exceedlimit": "the message exceeds a limit of the recipient's mailbox",
        Expired = "expired": "delivery was retried until the queue lifetime ran out",
        FailedStartTls = "failedstarttls": "STARTTLS was required or failed",
        Feedback = "feedback": "a feedback-loop (complaint) report, not a bounce",
        Filtered = "filtered": "the recipient's filter or access rules refused the message",
        Greylisted = "greylisted": "a deliberate temporary refusal of a first attempt (greylisting); retry soon",
        HasMoved = "hasmoved": "the recipient has moved; the server may name a new address (551)",
        HostUnknown = "hostunknown": "the recipient domain or host does not exist",
        MailboxFull = "mailboxfull": "the recipient's mailbox is full or over quota",
        MailerError = "mailererror": "a local delivery program on the receiving side failed",
        MesgTooBig = "mesgtoobig": "the message is larger than the receiver accepts",
        NetworkError = "networkerror": "a network or DNS failure, or a mail loop, on the way",
        NoRelaying = "norelaying": "the server refused to relay: it is not responsible for that domain",
        NotAccept = "notaccept": "the domain accepts no mail (null MX, RFC 7505) or the host refuses all",
        NotCompliantRfc = "notcompliantrfc": "the message does not comply with RFC 5322",
        OnHold = "onhold": "the reporting system could not decide; the cause is unknown",
        PolicyViolation = "policyviolation": "the receiver's policy refused the message",
        Rejected = "rejected": "the sender (envelope from) address was rejected",
        RequirePtr = "requireptr": "the sending IP has no valid reverse DNS (PTR)",
        SecurityError = "securityerror": "a security check refused the message or the session",
        SpamDetected = "spamdetected": "the message was judged to be spam",
        Speeding = "speeding": "the sender is sending too fast (rate limited)",
        Suppressed = "suppressed": "the sending platform did not send: the address is on a suppression list",
        Suspend = "suspend": "the recipient's mailbox is disabled or suspended",
        SyntaxError = "syntaxerror": "the receiver answered a syntax error in the SMTP dialogue",
        SystemError = "systemerror": "a system error or misconfiguration on the receiving side",
        SystemFull = "systemfull": "the receiving system is out of storage",
        TooManyConn = "toomanyconn": "too many connections or recipients at once",
        Undefined = "undefined": "no rule could name the cause",
        UserUnknown = "userunknown": "the recipient address does not exist",
        Vacation = "vacation": "an automatic reply (vacation, out of office), not a bounce",
        VirusDetected = "virusdetected": "a virus or prohibited attachment was found",
    }
}

named_enum! {
    /// The sender's question: is this address dead?
    BounceType {
        Hard = "hard": "the address is dead (permanent and about the address): stop mailing it",
        Soft = "soft": "a temporary condition; a later attempt may succeed",
        Block = "block": "the receiver refused the sender, the route or the content: fix the sending side, never suppress the address",
        Undetermined = "undetermined": "a failure whose cause could not be determined",
        None = "none": "not a failure: delivered, forwarded (251), an auto-reply or a feedback report",
    }
}

named_enum! {
    /// The reader-facing group of a verdict.
    Category {
        Address = "address": "the recipient address itself (unknown, moved)",
        Mailbox = "mailbox": "the recipient's mailbox (full, disabled, filtered)",
        Domain = "domain": "the recipient domain (does not exist, accepts no mail)",
        Routing = "routing": "the route to the recipient (wrong host, relaying, stale MX)",
        Policy = "policy": "a receiver policy (sender address, greylisting, local rules)",
        Reputation = "reputation": "the sender's reputation (blocklists, IP or domain standing)",
        Authentication = "authentication": "sender authentication (SPF, DKIM, DMARC, PTR, TLS)",
        Content = "content": "the message content (spam, virus, size, format)",
        Capacity = "capacity": "volume limits (rate, connections, storage)",
        Network = "network": "the network on the way (timeouts, DNS, loops, expiry)",
        Protocol = "protocol": "the SMTP dialogue itself (syntax, sequence)",
        System = "system": "the receiving system (errors, misconfiguration)",
        None = "none": "not a failure",
    }
}

named_enum! {
    /// How bad it is for the sender.
    Severity {
        Low = "low": "expected now and then; nothing to do beyond the action",
        Medium = "medium": "worth watching; repeated, it needs attention",
        High = "high": "act on it: the address or the sending setup has a real problem",
        Critical = "critical": "act now: it blocks much of the sender's mail",
    }
}

named_enum! {
    /// What the sender should do now.
    Action {
        Suppress = "suppress": "stop mailing this address",
        Retry = "retry": "retry soon; the refusal was deliberate and temporary",
        RetryLater = "retry-later": "retry later, with back-off",
        UpdateAddress = "update-address": "replace the address with the one the server named, after review",
        Review = "review": "a person should look at it before anything is changed",
        FixSenderConfig = "fix-sender-config": "fix the sending setup (authentication, DNS, relay, content)",
        SlowDown = "slow-down": "send more slowly to this receiver",
        None = "none": "nothing to do",
    }
}

/// The default verdict axes of a reason, used when a rule does not override them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Profile {
    /// The default bounce type (before the permanent/temporary adjustment of [`Reason::bounce_type`]).
    pub bounce_type: BounceType,
    /// The default category.
    pub category: Category,
    /// The default severity.
    pub severity: Severity,
    /// The default action.
    pub action: Action,
}

impl Reason {
    /// The default category, severity, action and bounce type of this reason.
    #[rustfmt::skip]
    pub fn profile(self) -> Profile {
        use Action as A;
        use BounceType as B;
        use Category as C;
        use Severity as S;
        let (bounce_type, category, severity, action) = match self {
            Reason::UserUnknown     => (B::Hard, C::Address, S::High, A::Suppress),
            Reason::HasMoved        => (B::Hard, C::Address, S::High, A::UpdateAddress),
            Reason::HostUnknown     => (B::Hard, C::Domain, S::High, A::Suppress),
            Reason::NotAccept       => (B::Hard, C::Domain, S::High, A::Suppress),
            Reason::Suspend         => (B::Soft, C::Mailbox, S::Medium, A::Review),
            Reason::MailboxFull     => (B::Soft, C::Mailbox, S::Medium, A::RetryLater),
            Reason::ExceedLimit     => (B::Soft, C::Mailbox, S::Medium, A::Review),
            Reason::Filtered        => (B::Soft, C::Mailbox, S::Medium, A::Review),
            Reason::Expired         => (B::Soft, C::Network, S::Medium, A::RetryLater),
            Reason::NetworkError    => (B::Soft, C::Network, S::Medium, A::RetryLater),
            Reason::SystemError     => (B::Soft, C::System, S::Medium, A::RetryLater),
            Reason::SystemFull      => (B::Soft, C::Capacity, S::Medium, A::RetryLater),
            Reason::MailerError     => (B::Soft, C::System, S::Medium, A::RetryLater),
            Reason::TooManyConn     => (B::Soft, C::Capacity, S::Low, A::SlowDown),
            Reason::Speeding        => (B::Soft, C::Capacity, S::Medium, A::SlowDown),
            Reason::Greylisted      => (B::Soft, C::Policy, S::Low, A::Retry),
            Reason::Blocked         => (B::Block, C::Reputation, S::High, A::FixSenderConfig),
            Reason::BadReputation   => (B::Block, C::Reputation, S::High, A::SlowDown),
            Reason::SpamDetected    => (B::Block, C::Content, S::High, A::Review),
            Reason::VirusDetected   => (B::Block, C::Content, S::High, A::Review),
            Reason::ContentError    => (B::Block, C::Content, S::Medium, A::FixSenderConfig),
            Reason::NotCompliantRfc => (B::Block, C::Content, S::Medium, A::FixSenderConfig),
            Reason::MesgTooBig      => (B::Block, C::Content, S::Medium, A::FixSenderConfig),
            Reason::PolicyViolation => (B::Block, C::Policy, S::Medium, A::Review),
            Reason::Rejected        => (B::Block, C::Policy, S::High, A::FixSenderConfig),
            Reason::SecurityError   => (B::Block, C::Authentication, S::High, A::FixSenderConfig),
            Reason::AuthFailure     => (B::Block, C::Authentication, S::Critical, A::FixSenderConfig),
            Reason::RequirePtr      => (B::Block, C::Authentication, S::High, A::FixSenderConfig),
            Reason::FailedStartTls  => (B::Block, C::Authentication, S::High, A::FixSenderConfig),
            Reason::NoRelaying      => (B::Block, C::Routing, S::High, A::FixSenderConfig),
            Reason::SyntaxError     => (B::Block, C::Protocol, S::Medium, A::FixSenderConfig),
            Reason::Suppressed      => (B::Undetermined, C::Policy, S::Low, A::Suppress),
            Reason::OnHold          => (B::Undetermined, C::System, S::Medium, A::Review),
            Reason::Undefined       => (B::Undetermined, C::System, S::Medium, A::Review),
            Reason::Delivered       => (B::None, C::None, S::Low, A::None),
            Reason::Vacation        => (B::None, C::None, S::Low, A::None),
            Reason::Feedback        => (B::None, C::Policy, S::High, A::Suppress),
        };
        Profile { bounce_type, category, severity, action }
    }

    /// The bounce type of this reason for a reply that is permanent (`Some(true)`),
    /// temporary (`Some(false)`) or neither (`None`: no code at all, as in many bounce texts).
    ///
    /// Hard means permanent and about the address: Sisimai's hard-bounce set (`userunknown`,
    /// `hostunknown`, `hasmoved`, `notaccept`), unless the reply itself says the failure is
    /// temporary (a 4xx "user unknown" is a lookup that failed for now, not a dead address).
    pub fn bounce_type(self, permanent: Option<bool>) -> BounceType {
        match self.profile().bounce_type {
            BounceType::Hard if permanent == Some(false) => BounceType::Soft,
            other => other,
        }
    }

    /// Whether this reason means the address itself is dead, as Sisimai's hard-bounce set.
    pub fn is_address_level(self) -> bool {
        matches!(
            self,
            Reason::UserUnknown | Reason::HostUnknown | Reason::HasMoved | Reason::NotAccept
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for r in Reason::ALL {
            assert_eq!(r.as_str().parse::<Reason>(), Ok(*r));
        }
        for a in Action::ALL {
            assert_eq!(a.as_str().parse::<Action>(), Ok(*a));
        }
        assert_eq!(BounceType::ALL.len(), 5);
    }

    #[test]
    fn unknown_name_lists_the_known_ones() {
        let err = "usrunknown".parse::<Reason>().unwrap_err();
        let msg = err.to_string();
        assert!(msg.contains("unknown Reason `usrunknown`"), "{msg}");
        assert!(msg.contains("userunknown"), "{msg}");
    }

    #[test]
    fn hard_set_is_sisimais() {
        let hard: Vec<_> = Reason::ALL
            .iter()
            .filter(|r| r.bounce_type(Some(true)) == BounceType::Hard)
            .map(|r| r.as_str())
            .collect();
        assert_eq!(
            hard,
            ["hasmoved", "hostunknown", "notaccept", "userunknown"]
        );
        assert_eq!(Reason::NotAccept.bounce_type(Some(false)), BounceType::Soft);
        assert_eq!(
            Reason::UserUnknown.bounce_type(Some(false)),
            BounceType::Soft
        );
        assert_eq!(Reason::UserUnknown.bounce_type(None), BounceType::Hard);
    }

    #[test]
    fn serde_uses_wire_names() {
        let json = serde_json::to_string(&Action::FixSenderConfig).unwrap();
        assert_eq!(json, "\"fix-sender-config\"");
    }
}
