//! The reference and the classifier agree: each entry's log examples get the entry's bounce
//! type and category from `Classifier::builtin()` (known disagreements are listed, with a
//! reason each, in `tests/known-disagreements.toml`); every classification rule's examples
//! resolve to an entry; every entry is reachable from `rebound explain` (`Reference::find`).

#![allow(clippy::unwrap_used)]

use rebound_codes::{Kind, Reference};
use rebound_core::{Classifier, Reply, SmtpCommand};
use serde::Deserialize;
use std::collections::BTreeMap;

#[derive(Deserialize)]
struct AllowFile {
    #[serde(default)]
    disagreement: Vec<Allowed>,
}

#[derive(Deserialize)]
struct Allowed {
    entry: String,
    example: String,
    classifier: String,
    reason: String,
    entry_says: String,
}

fn allow_list() -> BTreeMap<(String, String), Allowed> {
    let file: AllowFile = toml::from_str(include_str!("known-disagreements.toml")).unwrap();
    file.disagreement
        .into_iter()
        .map(|a| {
            assert!(
                !a.reason.trim().is_empty(),
                "{}: every allowed disagreement needs a reason",
                a.entry
            );
            ((a.entry.clone(), a.example.clone()), a)
        })
        .collect()
}

/// Each entry's examples, classified: (entry id, example, entry's "type/category", classifier's
/// "type/category (rule)") for every disagreement.
fn disagreements() -> Vec<(String, String, String, String)> {
    let reference = Reference::builtin().unwrap();
    let classifier = Classifier::builtin().unwrap();
    let mut out = Vec::new();
    for e in reference.entries() {
        for ex in &e.examples {
            let mut reply = Reply::parse(ex).unwrap();
            // The stage the entry says its examples answered, as a bounce would tell it.
            if reply.command.is_none() {
                reply.command = SmtpCommand::from_name(&e.command);
            }
            let c = classifier.classify(&reply);
            if c.bounce_type != e.bounce_type || c.category != e.category {
                out.push((
                    e.id.clone(),
                    ex.clone(),
                    format!("{}/{}", e.bounce_type, e.category),
                    format!("{}/{} ({})", c.bounce_type, c.category, c.rule),
                ));
            }
        }
    }
    out
}

#[test]
fn log_examples_classify_as_their_entry_says() {
    let allowed = allow_list();
    let found = disagreements();
    let mut unexplained = Vec::new();
    for (id, ex, want, got) in &found {
        match allowed.get(&(id.clone(), ex.clone())) {
            Some(a) if &a.classifier == got && &a.entry_says == want => {}
            Some(a) => unexplained.push(format!(
                "{id}: `{ex}`\n    entry {want}, classifier now {got} (allow-list says entry {}, classifier {})",
                a.entry_says, a.classifier
            )),
            None => unexplained.push(format!("{id}: `{ex}`\n    entry {want}, classifier {got}")),
        }
    }
    let stale: Vec<_> = allowed
        .keys()
        .filter(|(id, ex)| !found.iter().any(|(i, e, _, _)| i == id && e == ex))
        .map(|(id, ex)| format!("{id}: `{ex}`"))
        .collect();
    assert!(
        unexplained.is_empty() && stale.is_empty(),
        "classifier disagreements not in tests/known-disagreements.toml:\n{}\n\nallow-list entries that now agree (remove them):\n{}",
        unexplained.join("\n"),
        stale.join("\n")
    );
}

#[test]
fn every_rule_example_resolves_to_an_entry() {
    let reference = Reference::builtin().unwrap();
    let classifier = Classifier::builtin().unwrap();
    let mut missing = Vec::new();
    let mut checked = 0;
    for rule in classifier.rules() {
        for ex in &rule.examples {
            let reply = ex.parsed_reply();
            let ex = &ex.reply;
            if reply.code.is_none() && reply.status.is_none() {
                continue; // a text-only rule: no code to point at
            }
            checked += 1;
            let status_entry = reply.status.and_then(|s| reference.enhanced(s));
            let code_entry = reply.code.and_then(|c| reference.basic(c));
            if status_entry.is_none() && code_entry.is_none() {
                missing.push(format!("{}: `{ex}`", rule.id));
            }
        }
    }
    assert!(checked > 100, "only {checked} rule examples carry a code");
    assert!(
        missing.is_empty(),
        "rule examples without an entry:\n{}",
        missing.join("\n")
    );
}

#[test]
fn every_entry_is_reachable_from_explain() {
    let reference = Reference::builtin().unwrap();
    for e in reference.entries() {
        for query in [e.id.as_str(), e.code.as_str()] {
            let found = reference
                .find(query)
                .unwrap_or_else(|| panic!("`{query}` finds nothing"));
            assert!(
                found.entries().iter().any(|x| x.id == e.id),
                "explain `{query}` does not show entry {}",
                e.id
            );
        }
        if e.kind == Kind::Provider {
            for ex in &e.examples {
                let found = reference.find(ex).unwrap();
                assert_eq!(
                    found.entries()[0].id,
                    e.id,
                    "explain of its example does not show {} first: `{ex}`",
                    e.id
                );
            }
        }
    }
}

#[test]
fn explain_examples_of_the_issue() {
    let reference = Reference::builtin().unwrap();
    let first = |q: &str| reference.find(q).unwrap().entries()[0].id.clone();
    assert_eq!(first("551"), "551");
    assert_eq!(first("5.1.6"), "x.1.6");
    assert_eq!(first("4.7.0"), "x.7.0");
    assert_eq!(first("S3150"), "microsoft-s3150");
    assert_eq!(first("tss04"), "yahoo-tss04");
    assert_eq!(first("5.7.606"), "microsoft-5.7.606");
    assert_eq!(first("459"), "4xx");
    assert_eq!(first("5.7.999"), "x.7.xxx");
    let found = reference
        .find("550 5.1.1 <x@example.com>: user unknown")
        .unwrap();
    let ids: Vec<&str> = found.entries().iter().map(|e| e.id.as_str()).collect();
    assert_eq!(ids, ["x.1.1", "550"]);
    let found = reference
        .find("421 4.7.0 [TSS04] Messages from 192.0.2.1 temporarily deferred due to unexpected volume or user complaints")
        .unwrap();
    let ids: Vec<&str> = found.entries().iter().map(|e| e.id.as_str()).collect();
    assert_eq!(ids, ["yahoo-tss04", "x.7.0", "421"]);
}
