//! Classification rules as data: the TOML file format, its validation, and the built-in files.
//!
//! A rule file is a list of `[[rule]]` tables. A rule matches a [`Reply`](crate::Reply) when every
//! condition it states holds: any of its `text` patterns (regular expressions, ASCII
//! case-insensitive), any of its basic `code`s (`550`, or `"55x"`/`"5xx"`), any of its enhanced
//! `status`es (`"5.1.1"`, `"x.1.1"`, `"5.7.x"`, or `"none"` for no status) and any of its
//! `command`s (`"rcpt"`, …, or `"none"` when the reply does not say) and any of its `host` domains
//! (the remote host that answered is that domain or inside it), and any of the facts the input
//! stated beside the reply ([`Facts`]): its `kind` (`dsn`, `arf`, `autoreply`, `mail`, `log`,
//! `webhook`, `reply`), its `reader`, its `dsn_action`, its `diagnostic_type`, the producer's
//! own `class` (`*` stands for any text) and whether it is a complaint (`feedback = true`). A
//! rule that names facts applies to any reply, success or failure: the report's statement
//! decides. It yields a `reason` and, optionally, overrides of the reason's default
//! `bounce_type`, `category`, `severity` and `action`, a `permanent` that a rule naming facts
//! states for replies that say nothing of it (an MTA log's verdict marker, see
//! [`Rule::permanent`]), and an `unconfirmed` reason: the one given instead when the bounce
//! shows a filter may be speaking (after the message body; see [`Rule::unconfirmed`]). Every
//! rule carries `examples`: replies it must win (a table gives the facts beside the reply, see
//! [`Example`]), which the test suite checks, so no rule is dead or shadowed by an earlier one.
//!
//! ```toml
//! [[rule]]
//! id = "text.user-unknown"
//! text = ['user unknown', 'no such user']
//! reason = "userunknown"
//! examples = ["550 5.1.1 <x@example.com>: User unknown"]
//! ```

use crate::facts::{DsnAction, Facts, OwnedFacts, Reader, SourceKind};
use crate::patterns::wildcard_match;
use crate::patterns::{CodePattern, StatusPattern};
use crate::reply::SmtpCommand;
use crate::taxonomy::{Action, BounceType, Category, Reason, Severity};
use serde::Deserialize;
use std::sync::Arc;
use toml::Spanned;

/// The built-in rule files, in the order they are consulted: what a report states itself,
/// provider-specific texts, generic texts (English), the same reasons worded in other
/// languages (`languages.toml`: German, French, Spanish, Italian, Portuguese, Dutch, Polish,
/// Russian, Japanese, Chinese, Korean, Turkish, Czech, written in their own script, since
/// replies reach the classifier decoded; after the English texts so that a bilingual reply is
/// read by its English half), report fields that say more than a bare code, enhanced status
/// codes, basic reply codes, and last what an MTA log's verdict marker alone says
/// (`verdict.toml`: a failure no words or code explain).
pub const BUILTIN: &[(&str, &str)] = &[
    ("rules/stated.toml", include_str!("../rules/stated.toml")),
    (
        "rules/provider.toml",
        include_str!("../rules/provider.toml"),
    ),
    ("rules/text.toml", include_str!("../rules/text.toml")),
    (
        "rules/languages.toml",
        include_str!("../rules/languages.toml"),
    ),
    ("rules/fields.toml", include_str!("../rules/fields.toml")),
    ("rules/status.toml", include_str!("../rules/status.toml")),
    ("rules/code.toml", include_str!("../rules/code.toml")),
    ("rules/verdict.toml", include_str!("../rules/verdict.toml")),
];

/// One validated rule.
#[derive(Debug, Clone)]
pub struct Rule {
    /// The rule's id, unique across all loaded files; every verdict names it.
    pub id: Arc<str>,
    /// The file the rule came from.
    pub file: Arc<str>,
    /// The line of the rule's table in that file.
    pub line: usize,
    /// The provider whose wording the rule reads, if it is provider-specific.
    pub provider: Option<String>,
    /// Text patterns (regular expressions); any may match.
    pub text: Vec<String>,
    /// Basic reply code patterns; any may match.
    pub codes: Vec<CodePattern>,
    /// Enhanced status patterns; any may match. `None` (written `"none"`) matches a reply
    /// without an enhanced status.
    pub statuses: Vec<Option<StatusPattern>>,
    /// SMTP commands; any may match. `None` (written `"none"`) matches a reply that does not
    /// say which command it answered.
    pub commands: Vec<Option<SmtpCommand>>,
    /// Domains of the remote host (lower case); any may match. A provider's wording can mean
    /// something else elsewhere, so such rules name the provider's hosts.
    pub hosts: Vec<String>,
    /// Kinds of input ([`Facts::kind`]); any may match.
    pub kinds: Vec<SourceKind>,
    /// Readers ([`Facts::reader`]); any may match.
    pub readers: Vec<Reader>,
    /// DSN actions ([`Facts::dsn_action`]); any may match.
    pub dsn_actions: Vec<DsnAction>,
    /// DSN diagnostic types, lower case ([`Facts::diagnostic_type`]); any may match.
    pub diagnostic_types: Vec<String>,
    /// The producer's classes ([`Facts::class`]), as patterns where `*` stands for any text,
    /// matched ASCII case-insensitively; any may match.
    pub classes: Vec<String>,
    /// `Some(true)`: the input is a complaint (it carries a feedback type); `Some(false)`:
    /// it is not.
    pub feedback: Option<bool>,
    /// The reason the rule gives.
    pub reason: Reason,
    /// The reason given instead when the bounce shows a filter may be speaking: the refusal
    /// came after the message body (`DATA`, end of data), and no X.1.0, X.1.1 or X.1.3 status
    /// names the mailbox. "User unknown" there is
    /// often a recipient-side filter's answer (mobile carriers answer so), not proof of a dead
    /// address. A stage the bounce does not state is not evidence of a filter.
    pub unconfirmed: Option<Reason>,
    /// Overrides of the reason's defaults.
    pub bounce_type: Option<BounceType>,
    /// Category override.
    pub category: Option<Category>,
    /// Severity override.
    pub severity: Option<Severity>,
    /// Action override.
    pub action: Option<Action>,
    /// What the report's own verdict says of permanence, for a reply that says nothing of it
    /// (no 4xx/5xx code, no 4.x.x/5.x.x status): an MTA log's marker (Exim `**` failed, `==`
    /// deferred; OpenSMTPD `PermFail`; Postfix `status=bounced`). Only a rule that names facts
    /// may state it, and the first such rule whose facts hold states it whichever rule decides
    /// the reason ([`crate::Classifier::classify_with`]).
    pub permanent: Option<bool>,
    /// What a reply that this rule wins means, in one line for people.
    pub description: Option<String>,
    /// Replies (with the facts beside them) this rule must win.
    pub examples: Vec<Example>,
}

/// A reply a rule must win, with what the input stated beside it. In a rule file, a string
/// is a reply alone; a table gives the facts too:
/// `{ reply = "550 …", kind = "dsn", dsn_action = "delayed", diagnostic_type = "x-unix" }`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Example {
    /// The reply's text (empty when the input gives none, as a feedback report).
    pub reply: String,
    /// What the input stated.
    pub facts: OwnedFacts,
}

impl Example {
    /// The example's reply, parsed (empty when the text is).
    pub fn parsed_reply(&self) -> crate::Reply {
        crate::Reply::parse(&self.reply).unwrap_or_default()
    }

    /// The verdict `classifier` gives the example.
    pub fn verdict(&self, classifier: &crate::Classifier) -> crate::Classification {
        classifier.classify_with(&self.parsed_reply(), &self.facts.as_facts())
    }
}

impl Rule {
    /// Whether the rule names anything an input states besides its reply ([`Facts`]).
    pub fn names_facts(&self) -> bool {
        !(self.kinds.is_empty()
            && self.readers.is_empty()
            && self.dsn_actions.is_empty()
            && self.diagnostic_types.is_empty()
            && self.classes.is_empty()
            && self.feedback.is_none())
    }

    /// The rule's conditions, one `name = values` line each, as a rule file states them.
    pub fn conditions(&self) -> Vec<String> {
        fn line<T: ToString>(name: &str, values: &[T]) -> Option<String> {
            (!values.is_empty()).then(|| {
                let v: Vec<String> = values.iter().map(ToString::to_string).collect();
                format!("{name} = {}", v.join(" | "))
            })
        }
        let statuses: Vec<String> = self
            .statuses
            .iter()
            .map(|s| s.map_or_else(|| "none".to_string(), |s| s.to_string()))
            .collect();
        let commands: Vec<&str> = self
            .commands
            .iter()
            .map(|c| c.map_or("none", SmtpCommand::as_str))
            .collect();
        [
            line("kind", &self.kinds),
            line("reader", &self.readers),
            line("dsn_action", &self.dsn_actions),
            line("diagnostic_type", &self.diagnostic_types),
            line("class", &self.classes),
            self.feedback.map(|f| format!("feedback = {f}")),
            line("text", &self.text),
            line("code", &self.codes),
            line("status", &statuses),
            line("command", &commands),
            line("host", &self.hosts),
        ]
        .into_iter()
        .flatten()
        .collect()
    }

    /// Whether the facts conditions of the rule hold.
    pub fn facts_hold(&self, facts: &Facts<'_>) -> bool {
        fn any<T: PartialEq>(wanted: &[T], have: Option<T>) -> bool {
            wanted.is_empty() || have.is_some_and(|h| wanted.contains(&h))
        }
        any(&self.kinds, facts.kind)
            && any(&self.readers, facts.reader)
            && any(&self.dsn_actions, facts.dsn_action)
            && (self.diagnostic_types.is_empty()
                || facts.diagnostic_type.is_some_and(|t| {
                    self.diagnostic_types
                        .iter()
                        .any(|d| d.eq_ignore_ascii_case(t))
                }))
            && (self.classes.is_empty()
                || facts
                    .class
                    .is_some_and(|c| self.classes.iter().any(|p| wildcard_match(p, c))))
            && self
                .feedback
                .is_none_or(|f| f == facts.feedback_type.is_some())
    }
}

impl Rule {
    /// Whether the rule names success or intermediate replies (a 2xx/3xx code or a 2.x.x
    /// status); such rules classify those replies only, and only they do.
    pub fn names_positive_replies(&self) -> bool {
        self.codes.iter().any(|c| c.names_positive())
            || self.statuses.iter().flatten().any(|s| s.names_positive())
    }
}

/// Why a rule file was refused. Each variant names the file, the line and, once known, the rule.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RuleError {
    /// The file is not valid TOML or does not have the rule-file shape.
    #[error("{file}:{line}: {message}")]
    Syntax {
        /// The file.
        file: String,
        /// The line the TOML parser stopped at.
        line: usize,
        /// What the parser said.
        message: String,
    },
    /// A rule is well-formed TOML but not a valid rule.
    #[error("{file}:{line}: rule `{id}`: {message}")]
    Invalid {
        /// The file.
        file: String,
        /// The line of the rule's table.
        line: usize,
        /// The rule's id (empty when the id itself is missing).
        id: String,
        /// What is wrong.
        message: String,
    },
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    #[serde(default)]
    rule: Vec<Spanned<RawRule>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRule {
    id: String,
    provider: Option<String>,
    #[serde(default)]
    text: OneOrMany<String>,
    #[serde(default)]
    code: OneOrMany<RawCode>,
    #[serde(default)]
    status: OneOrMany<String>,
    #[serde(default)]
    command: OneOrMany<String>,
    #[serde(default)]
    host: OneOrMany<String>,
    #[serde(default)]
    kind: OneOrMany<String>,
    #[serde(default)]
    reader: OneOrMany<String>,
    #[serde(default)]
    dsn_action: OneOrMany<String>,
    #[serde(default)]
    diagnostic_type: OneOrMany<String>,
    #[serde(default)]
    class: OneOrMany<String>,
    feedback: Option<bool>,
    reason: String,
    unconfirmed: Option<String>,
    bounce_type: Option<String>,
    category: Option<String>,
    severity: Option<String>,
    action: Option<String>,
    permanent: Option<bool>,
    description: Option<String>,
    #[serde(default)]
    examples: Vec<RawExample>,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum RawExample {
    Reply(String),
    WithFacts(RawFacts),
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFacts {
    #[serde(default)]
    reply: String,
    kind: Option<String>,
    reader: Option<String>,
    dsn_action: Option<String>,
    diagnostic_type: Option<String>,
    class: Option<String>,
    feedback_type: Option<String>,
}

impl RawExample {
    fn into_example(self) -> Result<Example, String> {
        let raw = match self {
            RawExample::Reply(reply) => {
                return Ok(Example {
                    reply,
                    facts: OwnedFacts::default(),
                });
            }
            RawExample::WithFacts(raw) => raw,
        };
        Ok(Example {
            reply: raw.reply,
            facts: OwnedFacts {
                kind: parse_name(raw.kind, "example kind")?,
                reader: parse_name(raw.reader, "example reader")?,
                dsn_action: parse_name(raw.dsn_action, "example dsn_action")?,
                diagnostic_type: raw.diagnostic_type.map(|t| t.to_ascii_lowercase()),
                class: raw.class,
                feedback_type: raw.feedback_type,
            },
        })
    }
}

/// Parses every name of a list, saying which field was wrong.
fn parse_names<T: std::str::FromStr<Err = crate::taxonomy::UnknownName>>(
    values: OneOrMany<String>,
    field: &str,
) -> Result<Vec<T>, String> {
    values
        .into_vec()
        .into_iter()
        .map(|s| s.parse().map_err(|e| format!("{field}: {e}")))
        .collect()
}

#[derive(Deserialize)]
#[serde(untagged)]
enum OneOrMany<T> {
    One(T),
    Many(Vec<T>),
}

impl<T> Default for OneOrMany<T> {
    fn default() -> Self {
        OneOrMany::Many(Vec::new())
    }
}

impl<T> OneOrMany<T> {
    fn into_vec(self) -> Vec<T> {
        match self {
            OneOrMany::One(t) => vec![t],
            OneOrMany::Many(v) => v,
        }
    }
}

#[derive(Deserialize)]
#[serde(untagged)]
enum RawCode {
    Number(u16),
    Pattern(String),
}

/// Reads and validates one rule file. Regular expressions are checked here one by one, so a
/// bad pattern is reported with its rule; the classifier compiles them together later.
#[cfg(test)]
pub fn parse_file(file: &str, source: &str) -> Result<Vec<Rule>, RuleError> {
    parse_rules(file, source, Patterns::Check)
}

/// Whether [`validate`] parses each text pattern to report a bad one with its rule.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Patterns {
    /// A user's file: a bad pattern is an error naming its rule.
    Check,
    /// A built-in file: its patterns are tested (every one is compiled by the test suite),
    /// and the classifier parses each one anyway to find its literals, so parsing it here
    /// too would only double the start-up cost.
    Trusted,
}

/// Reads one rule file, validating everything but, for [`Patterns::Trusted`], the patterns.
pub(crate) fn parse_rules(
    file: &str,
    source: &str,
    patterns: Patterns,
) -> Result<Vec<Rule>, RuleError> {
    let raw: RawFile = toml::from_str(source).map_err(|e| RuleError::Syntax {
        file: file.to_string(),
        line: e.span().map_or(1, |s| line_of(source, s.start)),
        message: e.message().trim().to_string(),
    })?;
    let file_arc: Arc<str> = Arc::from(file);
    let mut lines = LineCounter::new(source);
    raw.rule
        .into_iter()
        .map(|spanned| {
            let line = lines.line_at(spanned.span().start);
            let raw = spanned.into_inner();
            let invalid = |id: &str, message: String| RuleError::Invalid {
                file: file.to_string(),
                line,
                id: id.to_string(),
                message,
            };
            validate(raw, file_arc.clone(), line, patterns).map_err(|(id, msg)| invalid(&id, msg))
        })
        .collect()
}

fn validate(
    raw: RawRule,
    file: Arc<str>,
    line: usize,
    patterns: Patterns,
) -> Result<Rule, (String, String)> {
    let id = raw.id.clone();
    let fail = |msg: String| (id.clone(), msg);
    if id.trim().is_empty() || id.chars().any(char::is_whitespace) {
        return Err(fail(
            "an id must be non-empty and have no white space".into(),
        ));
    }
    let reason: Reason = raw
        .reason
        .parse()
        .map_err(|e| fail(format!("reason: {e}")))?;
    let unconfirmed = parse_name(raw.unconfirmed, "unconfirmed").map_err(fail)?;
    let bounce_type = parse_name(raw.bounce_type, "bounce_type").map_err(fail)?;
    let category = parse_name(raw.category, "category").map_err(fail)?;
    let severity = parse_name(raw.severity, "severity").map_err(fail)?;
    let action = parse_name(raw.action, "action").map_err(fail)?;
    let text = raw.text.into_vec();
    let checked = if patterns == Patterns::Check {
        &text[..]
    } else {
        &[]
    };
    for pattern in checked {
        crate::text_match::check_pattern(pattern).map_err(|e| {
            fail(format!(
                "text pattern `{pattern}` is not a valid regex: {e}"
            ))
        })?;
    }
    let codes = raw
        .code
        .into_vec()
        .into_iter()
        .map(|c| {
            let s = match c {
                RawCode::Number(n) => n.to_string(),
                RawCode::Pattern(p) => p,
            };
            CodePattern::parse(&s).ok_or_else(|| {
                fail(format!(
                    "code `{s}` is not a reply code or pattern like 550, 55x, 5xx"
                ))
            })
        })
        .collect::<Result<Vec<_>, _>>()?;
    let statuses = raw
        .status
        .into_vec()
        .into_iter()
        .map(|s| match s.as_str() {
            "none" => Ok(None),
            _ => StatusPattern::parse(&s).map(Some).ok_or_else(|| {
                fail(format!(
                    "status `{s}` is not a status or pattern like 5.1.1, x.1.1, 5.7.x, or none"
                ))
            }),
        })
        .collect::<Result<Vec<_>, _>>()?;
    let commands = raw
        .command
        .into_vec()
        .into_iter()
        .map(|c| match c.as_str() {
            "none" => Ok(None),
            _ => SmtpCommand::from_name(&c).map(Some).ok_or_else(|| {
                fail(format!(
                    "command `{c}` is not one of connect, helo, starttls, auth, mail, rcpt, data, end-of-data, none"
                ))
            }),
        })
        .collect::<Result<Vec<_>, _>>()?;
    let hosts = raw
        .host
        .into_vec()
        .into_iter()
        .map(|h| {
            let h = h.trim_start_matches('.').to_ascii_lowercase();
            let valid = h.contains('.')
                && h.split('.').all(|label| {
                    !label.is_empty()
                        && label
                            .bytes()
                            .all(|b| b.is_ascii_alphanumeric() || b == b'-')
                });
            if valid {
                Ok(h)
            } else {
                Err(fail(format!(
                    "host `{h}` is not a domain name like example.com"
                )))
            }
        })
        .collect::<Result<Vec<_>, _>>()?;
    let kinds = parse_names(raw.kind, "kind").map_err(fail)?;
    let readers = parse_names(raw.reader, "reader").map_err(fail)?;
    let dsn_actions = parse_names(raw.dsn_action, "dsn_action").map_err(fail)?;
    let diagnostic_types: Vec<String> = raw
        .diagnostic_type
        .into_vec()
        .into_iter()
        .map(|t| t.to_ascii_lowercase())
        .collect();
    let classes = raw.class.into_vec();
    if raw.examples.is_empty() {
        return Err(fail(
            "a rule needs at least one example reply that it wins".into(),
        ));
    }
    let examples = raw
        .examples
        .into_iter()
        .map(RawExample::into_example)
        .collect::<Result<Vec<_>, _>>()
        .map_err(fail)?;
    let rule = Rule {
        id: Arc::from(id.as_str()),
        file,
        line,
        provider: raw.provider,
        text,
        codes,
        statuses,
        commands,
        hosts,
        kinds,
        readers,
        dsn_actions,
        diagnostic_types,
        classes,
        feedback: raw.feedback,
        reason,
        unconfirmed,
        bounce_type,
        category,
        severity,
        action,
        permanent: raw.permanent,
        description: raw.description,
        examples,
    };
    if rule.permanent.is_some() && !(rule.names_facts() && rule.text.is_empty()) {
        return Err(fail(
            "`permanent` states what the report's own verdict says: only a rule that names \
             facts (kind, reader, dsn_action, diagnostic_type, class or feedback) and no text \
             may state it"
                .into(),
        ));
    }
    if rule.text.is_empty()
        && rule.codes.is_empty()
        && rule.statuses.is_empty()
        && !rule.names_facts()
    {
        return Err(fail(
            "a rule needs at least one of text, code, status, kind, reader, dsn_action, \
             diagnostic_type, class or feedback"
                .into(),
        ));
    }
    Ok(rule)
}

/// Parses an optional taxonomy name, saying which field was wrong.
fn parse_name<T: std::str::FromStr<Err = crate::taxonomy::UnknownName>>(
    value: Option<String>,
    field: &str,
) -> Result<Option<T>, String> {
    value
        .map(|s| s.parse().map_err(|e| format!("{field}: {e}")))
        .transpose()
}

fn line_of(source: &str, offset: usize) -> usize {
    LineCounter::new(source).line_at(offset)
}

/// The 1-based line of byte offsets in one source. Rules come in file order, so each count
/// goes on from the previous offset instead of from the start of a file of thousands of lines.
struct LineCounter<'a> {
    source: &'a [u8],
    offset: usize,
    line: usize,
}

impl<'a> LineCounter<'a> {
    fn new(source: &'a str) -> Self {
        LineCounter {
            source: source.as_bytes(),
            offset: 0,
            line: 1,
        }
    }

    fn line_at(&mut self, offset: usize) -> usize {
        let offset = offset.min(self.source.len());
        if offset < self.offset {
            (self.offset, self.line) = (0, 1);
        }
        self.line += self.source[self.offset..offset]
            .iter()
            .filter(|b| **b == b'\n')
            .count();
        self.offset = offset;
        self.line
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_files_pass_the_checks_a_users_file_gets() {
        for (file, source) in BUILTIN {
            let checked = parse_file(file, source).unwrap();
            let trusted = parse_rules(file, source, Patterns::Trusted).unwrap();
            assert_eq!(checked.len(), trusted.len());
            for (a, b) in checked.iter().zip(&trusted) {
                assert_eq!((&a.id, a.line, &a.text), (&b.id, b.line, &b.text));
            }
        }
    }

    #[test]
    fn lines_are_counted_forwards_and_backwards() {
        let src = "a\nb\n\nc";
        let mut lines = LineCounter::new(src);
        assert_eq!(lines.line_at(0), 1);
        assert_eq!(lines.line_at(2), 2);
        assert_eq!(lines.line_at(5), 4);
        assert_eq!(lines.line_at(99), 4);
        assert_eq!(lines.line_at(1), 1);
        assert_eq!(line_of(src, 4), 3);
    }

    #[test]
    fn syntax_error_names_file_and_line() {
        let src = "[[rule]]\nid = \"a\"\nreason = \"userunknown\"\ncode = [550\n";
        let err = parse_file("mine.toml", src).unwrap_err();
        assert!(
            matches!(
                err,
                RuleError::Syntax { line: 4, .. } | RuleError::Syntax { line: 5, .. }
            ),
            "{err}"
        );
        assert!(err.to_string().starts_with("mine.toml:"), "{err}");
    }

    #[test]
    fn invalid_rule_names_file_line_and_id() {
        let src = "[[rule]]\nid = \"ok\"\ncode = 550\nreason = \"userunknown\"\nexamples = [\"550 x\"]\n\n[[rule]]\nid = \"bad-one\"\ntext = 'user (unknown'\nreason = \"userunknown\"\nexamples = [\"x\"]\n";
        let err = parse_file("mine.toml", src).unwrap_err().to_string();
        assert!(
            err.starts_with("mine.toml:7: rule `bad-one`: text pattern"),
            "{err}"
        );
        let src =
            "[[rule]]\nid = \"r\"\ncode = 550\nreason = \"usrunknown\"\nexamples = [\"550 x\"]\n";
        let err = parse_file("f.toml", src).unwrap_err().to_string();
        assert!(
            err.contains("f.toml:1: rule `r`: reason: unknown Reason `usrunknown`"),
            "{err}"
        );
    }

    #[test]
    fn hosts_and_unconfirmed_reasons_are_checked() {
        let src = "[[rule]]\nid = \"r\"\ncode = 550\nhost = [\".Example.COM\"]\nreason = \"userunknown\"\nunconfirmed = \"filtered\"\nexamples = [\"550 x\"]\n";
        let rule = &parse_file("f", src).unwrap()[0];
        assert_eq!(rule.hosts, ["example.com"]);
        assert_eq!(rule.unconfirmed, Some(Reason::Filtered));
        let bad = src.replace(".Example.COM", "not a host");
        assert!(
            parse_file("f", &bad)
                .unwrap_err()
                .to_string()
                .contains("host `not a host`")
        );
        let bad = src.replace("\"filtered\"", "\"filterd\"");
        assert!(
            parse_file("f", &bad)
                .unwrap_err()
                .to_string()
                .contains("unconfirmed:")
        );
    }

    #[test]
    fn rules_need_conditions_and_examples() {
        let src = "[[rule]]\nid = \"r\"\nreason = \"userunknown\"\nexamples = [\"x\"]\n";
        assert!(
            parse_file("f", src)
                .unwrap_err()
                .to_string()
                .contains("at least one of text")
        );
        let src = "[[rule]]\nid = \"r\"\ncode = 550\nreason = \"userunknown\"\n";
        assert!(
            parse_file("f", src)
                .unwrap_err()
                .to_string()
                .contains("example")
        );
        let src = "[[rule]]\nid = \"r\"\ncode = 550\nreason = \"userunknown\"\nexampels = []\n";
        assert!(
            parse_file("f", src)
                .unwrap_err()
                .to_string()
                .contains("unknown field")
        );
    }
}
