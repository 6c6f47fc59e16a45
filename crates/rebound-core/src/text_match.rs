//! Matching the rules' text patterns against a reply: a literal prefilter, then the few
//! patterns it nominates.
//!
//! One `RegexSet` over all patterns is simple but slow on real bounces: its lazy DFA builds new
//! states for nearly every new text (each state tracks every pattern at once), so a corpus of
//! diverse replies costs millions of instructions per reply until the cache is warm. Instead,
//! each pattern's required prefix literals (`user unknown`, `relay access denied`, …),
//! lower-cased, go into one Aho-Corasick automaton that scans the lower-cased reply once (the
//! same as ignoring ASCII case, but half the automaton to build and walk); only the patterns
//! whose literals occur in it (plus the few without usable literals) run their own regex, and
//! only from where the first of its literals occurs, since every match starts with one. A
//! pattern that is nothing but a finite set of literals (`relay(ing)? (access )?denied`)
//! matches exactly when one of its literals occurs, so it never needs a regex at all. Patterns
//! are ASCII case-insensitive and match bytes. Each pattern is parsed once, when the matcher is
//! built, to extract its literals; its regex is compiled the first time the prefilter nominates
//! it, so start-up stays cheap, and without a prefilter of its own (ours already found where
//! to start). A user's patterns were checked when the rule file was read ([`check_pattern`]);
//! the built-in ones are checked by the test suite.

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};
use regex_automata::nfa::thompson::WhichCaptures;
use regex_automata::util::syntax;
use regex_automata::{Input, meta};
use regex_syntax::hir::Hir;
use regex_syntax::hir::literal::{ExtractKind, Extractor};
use std::cell::Cell;
use std::sync::OnceLock;

/// The shortest literal worth prefiltering on; shorter ones would nominate too often.
const MIN_LITERAL: usize = 3;
/// A pattern with more prefix literals than this (large classes, many alternatives) is
/// always checked instead.
const MAX_LITERALS: usize = 64;

/// The compiled patterns of all rules, in rule order.
#[derive(Debug)]
pub struct TextMatcher {
    patterns: Vec<Pattern>,
    prefilter: AhoCorasick,
    /// For each literal of `prefilter`, the pattern it nominates.
    literal_pattern: Vec<usize>,
    /// Patterns without usable literals: checked on every reply.
    unfiltered: Vec<usize>,
}

#[derive(Debug)]
struct Pattern {
    source: String,
    rule: usize,
    /// The prefilter's literals are the pattern's whole matches: a nomination is a match.
    exact: bool,
    /// The prefilter nominates this pattern, so its regex needs no prefilter of its own.
    nominated: bool,
    /// Compiled on first use; `Err` only for a pattern over the regex size limits.
    regex: OnceLock<Result<meta::Regex, regex::Error>>,
}

impl Pattern {
    /// The pattern compiled as `regex::bytes::RegexBuilder` would compile it (ASCII
    /// case-insensitive, bytes, the same size limits), through `regex-automata` so that a
    /// nominated pattern can skip the literal prefilter the regex crate would build for it:
    /// building that prefilter costs more than the rare search it could speed up, since the
    /// search already starts at a literal (see [`TextMatcher::first_match`]).
    fn regex(&self) -> &Result<meta::Regex, regex::Error> {
        self.regex.get_or_init(|| {
            let config = meta::Config::new()
                .match_kind(regex_automata::MatchKind::LeftmostFirst)
                .utf8_empty(false)
                .nfa_size_limit(Some(10 * (1 << 20)))
                .hybrid_cache_capacity(2 * (1 << 20))
                .auto_prefilter(!self.nominated)
                // Only `is_match` is asked: no capture group is ever read.
                .which_captures(WhichCaptures::None);
            meta::Builder::new()
                .configure(config)
                .syntax(
                    syntax::Config::new()
                        .case_insensitive(true)
                        .unicode(false)
                        .utf8(false),
                )
                .build(&self.source)
                .map_err(regex_error)
        })
    }
}

/// The error the regex crate gives for a failed build (its own conversion, which is private).
fn regex_error(e: meta::BuildError) -> regex::Error {
    match (e.size_limit(), e.syntax_error()) {
        (Some(limit), _) => regex::Error::CompiledTooBig(limit),
        (None, Some(syntax)) => regex::Error::Syntax(syntax.to_string()),
        (None, None) => regex::Error::Syntax(e.to_string()),
    }
}

/// A pattern that parses but cannot be compiled (it exceeds the regex size limits).
#[derive(Debug, thiserror::Error)]
#[error("pattern `{pattern}` of rule {rule}: {source}")]
pub struct PatternError {
    /// The pattern.
    pub pattern: String,
    /// The index of its rule.
    pub rule: usize,
    #[source]
    source: regex::Error,
}

impl TextMatcher {
    /// Prepares `(pattern, rule index)` pairs, given in rule order.
    pub fn new<'a>(patterns: impl IntoIterator<Item = (&'a str, usize)>) -> Self {
        let mut compiled = Vec::new();
        let mut literals: Vec<Vec<u8>> = Vec::new();
        let mut literal_pattern = Vec::new();
        let mut unfiltered = Vec::new();
        for (index, (source, rule)) in patterns.into_iter().enumerate() {
            let literals_of = parse(source)
                .ok()
                .and_then(|hir| prefix_literals(source, &hir));
            compiled.push(Pattern {
                source: source.to_string(),
                rule,
                exact: literals_of.as_ref().is_some_and(|l| l.exact),
                nominated: literals_of.is_some(),
                regex: OnceLock::new(),
            });
            match literals_of {
                Some(Literals { literals: lits, .. }) => {
                    for lit in lits {
                        literals.push(lit);
                        literal_pattern.push(index);
                    }
                }
                None => unfiltered.push(index),
            }
        }
        let prefilter = AhoCorasickBuilder::new()
            .match_kind(MatchKind::Standard)
            .build(&literals)
            .unwrap_or_else(|e| unreachable!("literal sets always compile: {e}"));
        TextMatcher {
            patterns: compiled,
            prefilter,
            literal_pattern,
            unfiltered,
        }
    }

    /// The patterns the prefilter cannot nominate (no prefix literal of
    /// [`MIN_LITERAL`] bytes or more, or too many): each runs its regex on every reply.
    #[cfg(test)]
    pub(crate) fn unfiltered(&self) -> impl Iterator<Item = &str> {
        self.unfiltered
            .iter()
            .map(|&i| self.patterns[i].source.as_str())
    }

    /// Compiles every pattern now (normally each is compiled when first needed), reporting
    /// the first that cannot be.
    pub fn compile_all(&self) -> Result<(), PatternError> {
        for p in &self.patterns {
            if let Err(e) = p.regex() {
                return Err(PatternError {
                    pattern: p.source.clone(),
                    rule: p.rule,
                    source: e.clone(),
                });
            }
        }
        Ok(())
    }

    /// Whether there are no patterns at all.
    pub fn is_empty(&self) -> bool {
        self.patterns.is_empty()
    }

    /// The rule index of each pattern that matches `text`, in rule order, stopping at the first
    /// for which `accept(rule)` is true; returns that rule.
    pub fn first_match(&self, text: &[u8], mut accept: impl FnMut(usize) -> bool) -> Option<usize> {
        let mut scratch = SCRATCH.take();
        let Scratch { lower, candidates } = &mut scratch;
        // Each candidate with the offset its search starts at: every match of a nominated
        // pattern starts with one of its literals, so not before the first place one occurs.
        candidates.clear();
        candidates.extend(self.unfiltered.iter().map(|&i| (i, 0)));
        lower.clear();
        lower.extend_from_slice(text);
        lower.make_ascii_lowercase();
        for m in self.prefilter.find_overlapping_iter(&lower[..]) {
            candidates.push((self.literal_pattern[m.pattern().as_usize()], m.start()));
        }
        candidates.sort_unstable();
        // Sorted, the first of a pattern's candidates has its earliest start.
        candidates.dedup_by_key(|&mut (pattern, _)| pattern);
        let found = candidates.iter().find_map(|&(i, start)| {
            let p = &self.patterns[i];
            // A pattern over the size limits matches nothing; `compile_all` reports it. The
            // span keeps the whole text as context, so `^` and `\b` still see what precedes.
            let matches = |re: &Result<meta::Regex, regex::Error>| {
                re.as_ref()
                    .is_ok_and(|r| r.is_match(Input::new(text).span(start..text.len())))
            };
            (accept(p.rule) && (p.exact || matches(p.regex()))).then_some(p.rule)
        });
        if scratch.bytes() <= MAX_KEPT_SCRATCH {
            SCRATCH.set(scratch);
        }
        found
    }
}

/// The buffers of [`TextMatcher::first_match`], kept per thread between calls: the two
/// allocations and frees they would otherwise cost each reply were about 300 instructions,
/// a twentieth of the matching. A call that finds them taken (an `accept` that itself
/// matches text) works on new ones.
#[derive(Default)]
struct Scratch {
    /// The lower-cased text, which the prefilter scans.
    lower: Vec<u8>,
    /// `(pattern, start)` pairs to try.
    candidates: Vec<(usize, usize)>,
}

impl Scratch {
    /// The memory the buffers hold.
    fn bytes(&self) -> usize {
        self.lower.capacity() + self.candidates.capacity() * size_of::<(usize, usize)>()
    }
}

thread_local! {
    static SCRATCH: Cell<Scratch> = const {
        Cell::new(Scratch {
            lower: Vec::new(),
            candidates: Vec::new(),
        })
    };
}

/// The most memory [`Scratch`] keeps for the next call: room for any real reply (and for
/// [`crate::classify::MATCH_WINDOW`]), so that a huge or hostile text, passed once, does not
/// pin its buffers.
const MAX_KEPT_SCRATCH: usize = 64 * 1024;

/// The prefix literals of a pattern (see [`prefix_literals`]).
struct Literals {
    /// Lower-cased, sorted, without duplicates.
    literals: Vec<Vec<u8>>,
    /// Every match of the pattern is one of the literals and every occurrence of one is a
    /// match: no look-around assertion and no inline flag (`(?-i)`) that the ASCII
    /// case-insensitive prefilter could not honour.
    exact: bool,
}

/// Parses a pattern as both [`check_pattern`] and [`prefix_literals`] read it: bytes, without
/// Unicode, and case-sensitively (so the literal set stays small; the prefilter ignores ASCII
/// case, and case folding adds no error of its own). The error says what is wrong and where.
fn parse(pattern: &str) -> Result<Hir, String> {
    regex_syntax::ParserBuilder::new()
        .unicode(false)
        .utf8(false)
        .build()
        .parse(pattern)
        .map_err(|e| e.to_string())
}

/// The literals one of which every match of `pattern` (parsed as `hir`) starts with, or
/// `None` when there is no small set of them worth prefiltering on.
fn prefix_literals(pattern: &str, hir: &Hir) -> Option<Literals> {
    let mut extractor = Extractor::new();
    extractor
        .kind(ExtractKind::Prefix)
        .limit_total(MAX_LITERALS);
    let seq = extractor.extract(hir);
    let lits = seq.literals()?;
    if lits.is_empty() || lits.len() > MAX_LITERALS || lits.iter().any(|l| l.len() < MIN_LITERAL) {
        return None;
    }
    let mut literals: Vec<Vec<u8>> = lits
        .iter()
        .map(|l| l.as_bytes().to_ascii_lowercase())
        .collect();
    literals.sort();
    literals.dedup();
    let exact = seq.is_exact() && hir.properties().look_set().is_empty() && !pattern.contains("(?");
    Some(Literals { literals, exact })
}

/// Checks one pattern's syntax as [`TextMatcher`] compiles it, without building it; the
/// error says what is wrong and where.
pub fn check_pattern(pattern: &str) -> Result<(), String> {
    parse(pattern).map(drop)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn literals_of_common_shapes() {
        let l = |p: &str| {
            prefix_literals(p, &parse(p).unwrap()).map(|v| {
                v.literals
                    .into_iter()
                    .map(|b| String::from_utf8(b).unwrap())
                    .collect::<Vec<_>>()
            })
        };
        assert_eq!(l("user unknown"), Some(vec!["user unknown".into()]));
        assert_eq!(
            l("User (not found|does not exist)"),
            Some(vec!["user does not exist".into(), "user not found".into()])
        );
        assert_eq!(l("^rejected$"), Some(vec!["rejected".into()]));
        assert_eq!(l(r"\[tss0[1-4]\]").map(|v| v.len()), Some(4));
        assert_eq!(l(".*spam"), None);
        assert_eq!(l("[a-z]+@x"), None);
        let exact = |p: &str| prefix_literals(p, &parse(p).unwrap()).map(|v| v.exact);
        assert_eq!(exact("relay(ing)? (access )?denied"), Some(true));
        assert_eq!(exact("^rejected$"), Some(false));
        assert_eq!(exact("(?-i)User unknown"), Some(false));
        assert_eq!(exact("user unknown.*here"), Some(false));
    }

    #[test]
    fn exact_patterns_match_without_a_regex_and_anchors_still_count() {
        let m = TextMatcher::new([("^rejected$", 0), ("relay(ing)? denied", 1)]);
        assert_eq!(m.first_match(b"not rejected here", |_| true), None);
        assert_eq!(m.first_match(b"REJECTED", |_| true), Some(0));
        assert_eq!(m.first_match(b"550 Relaying Denied", |_| true), Some(1));
        assert!(m.patterns[1].regex.get().is_none());
    }

    #[test]
    fn nominated_and_unfiltered_patterns_both_match() {
        let m = TextMatcher::new([
            ("user unknown", 0),
            (".*relay.*denied", 1),
            ("mailbox full", 2),
        ]);
        m.compile_all().unwrap();
        assert_eq!(m.first_match(b"550 USER Unknown here", |_| true), Some(0));
        assert_eq!(m.first_match(b"Relaying is DENIED", |_| true), Some(1));
        assert_eq!(
            m.first_match(b"mailbox full; user unknown", |r| r != 0),
            Some(2)
        );
        assert_eq!(m.first_match(b"nothing", |_| true), None);
    }
}
