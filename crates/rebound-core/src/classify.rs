//! The classification engine: compiles the rules once and gives each [`Reply`] a
//! [`Classification`] that names the rule that decided it.
//!
//! Rules are consulted in order: a user's files first, then the built-in statements of the
//! report itself (feedback reports, auto-replies, deliveries, a provider's own class), provider
//! texts, generic texts, report fields that say more than a bare code (a local mailer, a
//! delayed DSN, an MTA's expiry), enhanced status codes and basic reply codes
//! ([`crate::rules::BUILTIN`]). A rule reads the reply and what the input stated beside it
//! ([`Facts`]).
//! The first rule whose conditions all hold wins. Text patterns are matched through a literal
//! prefilter ([`crate::text_match`]), so a reply is scanned once whatever the number of rules
//! and only the few patterns it could match run.

use crate::facts::Facts;
use crate::reply::{Reply, SmtpCommand};
use crate::rules::{self, Patterns, Rule, RuleError};
use crate::taxonomy::{Action, BounceType, Category, Reason, Severity};
use crate::text_match::TextMatcher;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::sync::Arc;

/// How much of a reply's text the patterns read. SMTP reply lines are at most 512 octets
/// (RFC 5321 4.5.3.1.5); a few kilobytes hold any real multi-line reply, and the bound keeps
/// hostile megabyte "replies" linear and cheap.
pub const MATCH_WINDOW: usize = 16 * 1024;

/// The verdict on one reply.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Classification {
    /// The RFC fact: true for 5xx / 5.x.x, false for 4xx / 4.x.x, absent on success.
    pub permanent: Option<bool>,
    /// Is the address dead? See [`BounceType`].
    pub bounce_type: BounceType,
    /// Why, in Sisimai's vocabulary.
    pub reason: Reason,
    /// The reader-facing group.
    pub category: Category,
    /// How bad it is.
    pub severity: Severity,
    /// What to do now.
    pub action: Action,
    /// The id of the rule that decided.
    pub rule: Arc<str>,
}

impl Classification {
    /// Whether the verdict is about the route to the recipient rather than the recipient:
    /// its category is routing, or its reason is `hasmoved` (251/551 "user not local") or
    /// `norelaying` (the host answering is not the domain's). Such a bounce is worth checking
    /// against the domain's live MX set before suppressing anything.
    pub fn is_about_route(&self) -> bool {
        self.category == Category::Routing
            || matches!(self.reason, Reason::HasMoved | Reason::NoRelaying)
    }
}

/// The id given when no rule matched at all.
pub const NO_RULE: &str = "none";

/// Compiled rules, ready to classify. Build it once and share it (`&Classifier` is `Sync`).
#[derive(Debug)]
pub struct Classifier {
    rules: Vec<Rule>,
    by_id: HashMap<Arc<str>, usize>,
    text: TextMatcher,
    /// Rules without text patterns, in order.
    plain_rules: Vec<usize>,
    /// [`Rule::names_positive_replies`] of each rule, by index: asked of every rule tried on
    /// every reply, so answered once.
    names_positive: Vec<bool>,
    /// [`Rule::names_facts`] of each rule, by index.
    names_facts: Vec<bool>,
    /// Rules that state permanence ([`Rule::permanent`]), in order.
    stating: Vec<usize>,
    fallback: Arc<str>,
}

/// Builds a [`Classifier`] from rule files, earlier files first.
#[derive(Debug, Default)]
pub struct ClassifierBuilder {
    rules: Vec<Rule>,
}

impl ClassifierBuilder {
    /// Adds the rules of one file (its name is used in errors), after those already added.
    pub fn add_file(&mut self, file: &str, source: &str) -> Result<&mut Self, RuleError> {
        self.add(file, source, Patterns::Check)
    }

    /// Adds the built-in rule files.
    pub fn add_builtin(&mut self) -> Result<&mut Self, RuleError> {
        for (file, source) in rules::BUILTIN {
            self.add(file, source, Patterns::Trusted)?;
        }
        Ok(self)
    }

    fn add(
        &mut self,
        file: &str,
        source: &str,
        patterns: Patterns,
    ) -> Result<&mut Self, RuleError> {
        self.rules
            .extend(rules::parse_rules(file, source, patterns)?);
        Ok(self)
    }

    /// Compiles the rules. Fails when two rules share an id.
    pub fn build(&self) -> Result<Classifier, RuleError> {
        let mut by_id = HashMap::with_capacity(self.rules.len());
        for (i, rule) in self.rules.iter().enumerate() {
            if let Some(first) = by_id.insert(rule.id.clone(), i) {
                // Name the earlier rule (a user's file loads first), and where the id recurs.
                let earlier = &self.rules[first];
                return Err(RuleError::Invalid {
                    file: earlier.file.to_string(),
                    line: earlier.line,
                    id: rule.id.to_string(),
                    message: format!("the id is used again at {}:{}", rule.file, rule.line),
                });
            }
        }
        let mut plain_rules = Vec::new();
        for (i, rule) in self.rules.iter().enumerate() {
            if rule.text.is_empty() {
                plain_rules.push(i);
            }
        }
        let patterns = self
            .rules
            .iter()
            .enumerate()
            .flat_map(|(i, rule)| rule.text.iter().map(move |p| (p.as_str(), i)));
        let text = TextMatcher::new(patterns);
        Ok(Classifier {
            rules: self.rules.clone(),
            by_id,
            text,
            plain_rules,
            names_positive: self
                .rules
                .iter()
                .map(Rule::names_positive_replies)
                .collect(),
            names_facts: self.rules.iter().map(Rule::names_facts).collect(),
            stating: (0..self.rules.len())
                .filter(|&i| self.rules[i].permanent.is_some())
                .collect(),
            fallback: Arc::from(NO_RULE),
        })
    }
}

impl Classifier {
    /// The built-in rules alone.
    pub fn builtin() -> Result<Classifier, RuleError> {
        ClassifierBuilder::default().add_builtin()?.build()
    }

    /// A user's rule files in front of the built-in rules: `(file name, contents)` pairs.
    pub fn with_user_rules(files: &[(String, String)]) -> Result<Classifier, RuleError> {
        let mut b = ClassifierBuilder::default();
        for (name, source) in files {
            b.add_file(name, source)?;
        }
        b.add_builtin()?.build()
    }

    /// Compiles every text pattern now instead of on first use, so a pattern beyond the regex
    /// size limits is reported (with its rule) rather than silently matching nothing.
    pub fn compile_all(&self) -> Result<(), RuleError> {
        self.text.compile_all().map_err(|e| {
            let rule = &self.rules[e.rule];
            RuleError::Invalid {
                file: rule.file.to_string(),
                line: rule.line,
                id: rule.id.to_string(),
                message: e.to_string(),
            }
        })
    }

    /// All rules, in the order they are consulted.
    pub fn rules(&self) -> &[Rule] {
        &self.rules
    }

    /// The rule with this id.
    pub fn rule(&self, id: &str) -> Option<&Rule> {
        self.by_id.get(id).map(|&i| &self.rules[i])
    }

    /// Classifies one reply given alone.
    pub fn classify(&self, reply: &Reply) -> Classification {
        self.classify_with(reply, &Facts::default())
    }

    /// Classifies one reply with what the input stated beside it. `permanent` is the reply's
    /// (its code or status class); when the reply says nothing of it, the report's own
    /// verdict says it: the first rule stating permanence ([`Rule::permanent`]) whose facts
    /// hold, whichever rule decides the reason.
    pub fn classify_with(&self, reply: &Reply, facts: &Facts<'_>) -> Classification {
        let winner = self.find_rule(reply, facts);
        let permanent = reply.permanent().or_else(|| self.stated_permanence(facts));
        match winner {
            Some(i) => verdict(&self.rules[i], reply, permanent, self.names_facts[i]),
            None => Classification {
                permanent,
                bounce_type: if permanent.is_none() && reply.code.is_some() {
                    BounceType::None
                } else {
                    BounceType::Undetermined
                },
                reason: Reason::Undefined,
                category: Reason::Undefined.profile().category,
                severity: Reason::Undefined.profile().severity,
                action: Reason::Undefined.profile().action,
                rule: self.fallback.clone(),
            },
        }
    }

    /// What the report's verdict says of permanence: the first stating rule whose facts hold.
    fn stated_permanence(&self, facts: &Facts<'_>) -> Option<bool> {
        self.stating
            .iter()
            .map(|&i| &self.rules[i])
            .find(|rule| rule.facts_hold(facts))
            .and_then(|rule| rule.permanent)
    }

    /// The index of the first rule whose conditions all hold.
    fn find_rule(&self, reply: &Reply, facts: &Facts<'_>) -> Option<usize> {
        let mut best = usize::MAX;
        let text = reply.text.as_bytes();
        let window = &text[..text.len().min(MATCH_WINDOW)];
        let positive = is_positive(reply);
        if !self.text.is_empty()
            && let Some(rule) = self.text.first_match(window, |rule| {
                self.non_text_conditions_hold(rule, reply, facts, positive)
            })
        {
            best = rule;
        }
        for &rule in &self.plain_rules {
            if rule >= best {
                break;
            }
            if self.non_text_conditions_hold(rule, reply, facts, positive) {
                best = rule;
                break;
            }
        }
        (best != usize::MAX).then_some(best)
    }

    /// Whether rule `index` holds for `reply` and `facts` but for its text; `positive` is
    /// [`is_positive`] of the reply. A rule that names facts applies to success and failure
    /// alike: what the report states decides.
    fn non_text_conditions_hold(
        &self,
        index: usize,
        reply: &Reply,
        facts: &Facts<'_>,
        positive: bool,
    ) -> bool {
        let rule = &self.rules[index];
        if self.names_facts[index] {
            if !rule.facts_hold(facts) {
                return false;
            }
        } else if positive != self.names_positive[index] {
            return false;
        }
        (rule.codes.is_empty()
            || reply
                .code
                .is_some_and(|c| rule.codes.iter().any(|p| p.matches(c))))
            && (rule.statuses.is_empty()
                || rule.statuses.iter().any(|p| match (p, reply.status) {
                    (Some(p), Some(s)) => p.matches(s),
                    (None, None) => true,
                    _ => false,
                }))
            && (rule.commands.is_empty() || rule.commands.contains(&reply.command))
            && (rule.hosts.is_empty()
                || reply
                    .remote_host
                    .as_deref()
                    .is_some_and(|host| rule.hosts.iter().any(|d| within_domain(host, d))))
    }
}

/// A success or intermediate reply (2xx/3xx, or a 2.x.x status without a basic code). Rules
/// that name such codes apply to these replies only, and only they do: words like "spam" in
/// `250 ok, spam score 0` must not turn a delivery into a failure, and a stray `2.0.0` in a
/// `550` reply must not turn a failure into a delivery.
fn is_positive(reply: &Reply) -> bool {
    match reply.code {
        Some(code) => code < 400,
        None => reply.status.is_some_and(|s| s.class == 2),
    }
}

/// Whether `host` is `domain` or a name inside it (ASCII case-insensitive; a trailing dot of
/// an absolute name is ignored).
fn within_domain(host: &str, domain: &str) -> bool {
    let host = host.trim_end_matches('.').as_bytes();
    let domain = domain.as_bytes();
    host.len() >= domain.len()
        && host[host.len() - domain.len()..].eq_ignore_ascii_case(domain)
        && (host.len() == domain.len() || host[host.len() - domain.len() - 1] == b'.')
}

/// Whether the reply's status is about the sender or the sending policy, not the recipient's
/// address (RFC 3463): X.1.7 bad sender's mailbox address syntax, X.1.8 bad sender's system
/// address, X.7.x security or policy (SPF, DKIM, DMARC, PTR, blocklists, RFC 7505's X.7.27
/// sender's null MX) but X.7.17 and X.7.18 (RFC 7293: the recipient's mailbox or domain has
/// changed owner, which is about the address). Such a reply never makes the recipient a hard
/// bounce.
fn status_about_sender(reply: &Reply) -> bool {
    reply.status.is_some_and(|s| {
        (s.subject == 1 && matches!(s.detail, 7 | 8))
            || (s.subject == 7 && !matches!(s.detail, 17 | 18))
    })
}

/// Whether the bounce shows the words "user unknown" may not be the whole story: the refusal
/// came after the message body was sent (the reply answered `DATA` or the end of data).
/// There, "user unknown" is often a recipient-side filter's answer (mobile carriers answer
/// so), unless the status still names the mailbox (X.1.0, X.1.1, X.1.3: bad destination
/// mailbox). A stage the bounce does not state is not evidence of a filter: the words are
/// taken at their meaning.
fn filter_may_be_speaking(reply: &Reply) -> bool {
    let after_body = reply
        .command
        .is_some_and(|c| matches!(c, SmtpCommand::Data | SmtpCommand::EndOfData));
    let status_names_mailbox = reply
        .status
        .is_some_and(|s| s.subject == 1 && matches!(s.detail, 0 | 1 | 3));
    after_body && !status_names_mailbox
}

/// The verdict of a winning rule: its reason (or its `unconfirmed` reason when the reply does
/// not tie the failure to the address), the reason's defaults, the rule's overrides, and the
/// forward-path safety rule of RFC 5321 3.4. A rule that names what the report states and
/// finds no failure (a delivery, an auto-reply, a complaint) leaves `permanent` absent: there
/// is no failure to be permanent.
fn verdict(
    rule: &Rule,
    reply: &Reply,
    permanent: Option<bool>,
    names_facts: bool,
) -> Classification {
    let about_sender = status_about_sender(reply);
    let reason = match rule.unconfirmed {
        Some(unconfirmed) if about_sender || filter_may_be_speaking(reply) => unconfirmed,
        _ => rule.reason,
    };
    let profile = reason.profile();
    let mut bounce_type = rule
        .bounce_type
        .unwrap_or_else(|| reason.bounce_type(permanent));
    // Sender-side never hard: a status about the sender or the sending policy contradicts
    // words about the address, so the address is not proven dead; a person looks.
    let mut sender_side = false;
    if bounce_type == BounceType::Hard && about_sender {
        bounce_type = BounceType::Block;
        sender_side = true;
    }
    // A reason that is hard when permanent, answered with a temporary code: the address is
    // not proven dead yet, so the default is to retry, not to suppress.
    let downgraded = profile.bounce_type == BounceType::Hard && bounce_type == BounceType::Soft;
    let default_action = if downgraded {
        Action::RetryLater
    } else {
        profile.action
    };
    let mut action = rule.action.unwrap_or(default_action);
    if sender_side && action == Action::Suppress {
        action = Action::Review;
    }
    if reason == Reason::HasMoved {
        // A forward-path is a hint from the remote server, never an instruction: suggest an
        // update only inside the recipient's own domain, otherwise a person must review it.
        action = match reply.forward.as_ref().and_then(|f| f.same_domain) {
            Some(true) if action == Action::UpdateAddress => Action::UpdateAddress,
            _ => Action::Review,
        };
    }
    Classification {
        permanent: if names_facts && bounce_type == BounceType::None {
            None
        } else {
            permanent
        },
        bounce_type,
        reason,
        category: rule.category.unwrap_or(profile.category),
        severity: rule.severity.unwrap_or(profile.severity),
        action,
        rule: rule.id.clone(),
    }
}

/// One reply's verdict as the JSON of `rebound classify --json` and `GET /v1/classify`: the
/// input as given, the parsed reply and its classification, side by side in one object.
#[derive(Debug, Serialize)]
pub struct Verdict<'a> {
    /// The reply as given.
    pub input: &'a str,
    /// What was read from it.
    #[serde(flatten)]
    pub reply: &'a Reply,
    /// What the rules said.
    #[serde(flatten)]
    pub classification: &'a Classification,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn verdict(reply: &str) -> Classification {
        let classifier = Classifier::builtin().unwrap();
        classifier.classify(&Reply::parse(reply).unwrap())
    }

    #[test]
    fn success_and_failure_never_cross() {
        let v = verdict("250 2.0.0 Ok, spam score 0.1, queued as 4ABC");
        assert_eq!(
            (v.reason, v.bounce_type, v.permanent),
            (Reason::Delivered, BounceType::None, None)
        );
        let v = verdict("550 2.0.0 nope");
        assert_eq!(v.permanent, Some(true));
        assert_ne!(v.bounce_type, BounceType::None);
    }

    #[test]
    fn a_temporary_user_unknown_is_retried_not_suppressed() {
        let v = verdict("450 4.1.1 <x@example.com>: Recipient address rejected: User unknown");
        assert_eq!(
            (v.reason, v.bounce_type, v.action),
            (Reason::UserUnknown, BounceType::Soft, Action::RetryLater)
        );
        let v = verdict("550 5.1.1 <x@example.com>: Recipient address rejected: User unknown");
        assert_eq!(
            (v.bounce_type, v.action),
            (BounceType::Hard, Action::Suppress)
        );
    }

    #[test]
    fn user_unknown_is_hard_unless_said_after_the_body() {
        let v = verdict(
            "host mx.example.jp[192.0.2.1] said: 550 User unknown (in reply to end of DATA command)",
        );
        assert_eq!(
            (v.reason, &*v.rule),
            (Reason::Filtered, "text.user-unknown")
        );
        // A stage the bounce does not state is not evidence of a filter.
        let v = verdict("550 no such user");
        assert_eq!(
            (v.reason, v.bounce_type, v.action),
            (Reason::UserUnknown, BounceType::Hard, Action::Suppress)
        );
        assert_eq!(verdict("550 User unknown").reason, Reason::UserUnknown);
        // After the body, a status naming the mailbox still settles it.
        assert_eq!(
            verdict("550 5.1.1 User unknown (in reply to end of DATA command)").reason,
            Reason::UserUnknown
        );
        let v = verdict(
            "host mx.example.jp[192.0.2.1] said: 550 User unknown (in reply to RCPT TO command)",
        );
        assert_eq!(
            (v.reason, v.bounce_type),
            (Reason::UserUnknown, BounceType::Hard)
        );
        assert_eq!(
            verdict("550 5.1.1 User unknown").reason,
            Reason::UserUnknown
        );
    }

    #[test]
    fn sender_side_statuses_never_make_a_hard_bounce() {
        for reply in [
            "554 5.7.1 <x@example.ch>: Recipient address rejected: Access denied",
            "550 5.7.27 Host does not accept mail",
            "550 5.1.7 Invalid recipient",
            "550 5.7.1 User unknown",
        ] {
            let v = verdict(reply);
            assert_ne!(v.bounce_type, BounceType::Hard, "{reply}: {v:?}");
            assert_ne!(v.action, Action::Suppress, "{reply}: {v:?}");
        }
        // RFC 7293's owner-changed statuses are about the recipient.
        assert_eq!(
            verdict("550 5.7.17 Mailbox owner has changed").bounce_type,
            BounceType::Hard
        );
    }

    #[test]
    fn host_conditions_match_the_domain_and_its_subdomains() {
        assert!(within_domain("lsean.ezweb.ne.jp", "ezweb.ne.jp"));
        assert!(within_domain("EZWEB.ne.jp.", "ezweb.ne.jp"));
        assert!(!within_domain("notezweb.ne.jp", "ezweb.ne.jp"));
        assert!(!within_domain("ne.jp", "ezweb.ne.jp"));
        let at_kddi = "host lsean.ezweb.ne.jp[192.0.2.1] said: 550 <x@ezweb.ne.jp>: User unknown (in reply to end of DATA command)";
        assert_eq!(verdict(at_kddi).reason, Reason::UserUnknown);
        let elsewhere = at_kddi.replace("lsean.ezweb.ne.jp", "mx.example.jp");
        assert_eq!(verdict(&elsewhere).reason, Reason::Filtered);
    }

    #[test]
    fn no_rule_at_all() {
        let v = verdict("something odd happened");
        assert_eq!(
            (v.reason, v.bounce_type, &*v.rule),
            (Reason::Undefined, BounceType::Undetermined, NO_RULE)
        );
    }

    #[test]
    fn a_user_rule_goes_first_and_duplicate_ids_are_refused() {
        let mine = "[[rule]]\nid = \"mine.gone\"\ntext = 'user unknown'\nreason = \"hasmoved\"\nexamples = [\"550 user unknown\"]\n";
        let c = Classifier::with_user_rules(&[("mine.toml".into(), mine.into())]).unwrap();
        let v = c.classify(&Reply::parse("550 5.1.1 user unknown").unwrap());
        assert_eq!(&*v.rule, "mine.gone");
        let dup = "[[rule]]\nid = \"text.user-unknown\"\ncode = 550\nreason = \"hasmoved\"\nexamples = [\"550 x\"]\n";
        let err = Classifier::with_user_rules(&[("dup.toml".into(), dup.into())]).unwrap_err();
        assert!(
            err.to_string().starts_with(
                "dup.toml:1: rule `text.user-unknown`: the id is used again at rules/text.toml:"
            ),
            "{err}"
        );
    }

    #[test]
    fn hostile_replies_give_verdicts() {
        let classifier = Classifier::builtin().unwrap();
        let mut huge = String::from("550 5.1.1 ");
        huge.push_str(&"user unknown \0 \u{fffd} ".repeat(600_000));
        let v = classifier.classify(&Reply::parse(&huge).unwrap());
        assert_eq!(v.reason, Reason::UserUnknown);
        let digits = "5".repeat(10 << 20);
        assert!(Reply::parse(&digits).is_ok());
        let dots = "5.5.".repeat(1 << 20);
        assert!(Reply::parse(&dots).is_ok());
    }

    #[test]
    fn a_log_marker_states_permanence_when_the_reply_does_not() {
        use crate::facts::{DsnAction, Reader, SourceKind};
        let classifier = Classifier::builtin().unwrap();
        let facts = |action| Facts {
            kind: Some(SourceKind::Log),
            reader: Some(Reader::Exim),
            dsn_action: Some(action),
            ..Facts::default()
        };
        let words = Reply::parse("Unrouteable address").unwrap();
        let failed = classifier.classify_with(&words, &facts(DsnAction::Failed));
        assert_eq!(failed.permanent, Some(true));
        assert_eq!(failed.reason, Reason::HostUnknown);
        assert_eq!(failed.bounce_type, BounceType::Hard);
        let deferred = classifier.classify_with(&words, &facts(DsnAction::Delayed));
        assert_eq!(deferred.permanent, Some(false));
        assert_eq!(deferred.bounce_type, BounceType::Soft);
        // A code says it first: a 4xx stays temporary whatever the marker.
        let coded = Reply::parse("451 4.4.0 try later").unwrap();
        let v = classifier.classify_with(&coded, &facts(DsnAction::Failed));
        assert_eq!(v.permanent, Some(false));
        // A reply given alone states nothing more.
        assert_eq!(classifier.classify(&words).permanent, None);
        // Unexplained: the marker's own rule decides.
        let bare = Reply::parse("").unwrap_or_default();
        let v = classifier.classify_with(&bare, &facts(DsnAction::Failed));
        assert_eq!((v.rule.as_ref(), v.permanent), ("log.failed", Some(true)));
    }

    #[test]
    fn only_a_rule_naming_facts_states_permanence() {
        let err = ClassifierBuilder::default()
            .add_file(
                "user.toml",
                "[[rule]]\nid = \"x\"\ncode = 550\npermanent = true\nreason = \"rejected\"\nexamples = [\"550 no\"]\n",
            )
            .map(|_| ())
            .unwrap_err();
        assert!(err.to_string().contains("`permanent`"), "{err}");
    }
}

#[cfg(test)]
mod prefilter_tests {
    use super::*;

    /// Every built-in pattern but these few is nominated by the literal prefilter; one that is
    /// not runs its regex on every reply (a pattern starting with a class, a short word or a
    /// non-ASCII capital written as a class). Adding one here is a choice, so it is listed.
    #[test]
    fn builtin_patterns_that_skip_the_prefilter_are_listed() {
        let classifier = Classifier::builtin().unwrap();
        let found: Vec<&str> = classifier.text.unfiltered().collect();
        let listed: &[&str] = &[
            "^<[^>]+>: user unknown$",
            "^[^ ]+@[^ ]+ rejected$",
            "@[a-z0-9.-]+>? (does not|doesn.{1,3}t) exist",
        ];
        assert_eq!(
            found, listed,
            "built-in patterns without a prefix literal of 3+ bytes"
        );
    }
}
