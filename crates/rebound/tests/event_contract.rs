//! The event JSON contract (`docs/event.md`) against what `rebound parse --json` writes: the
//! field table of the document is read, and every event of the mail, log and webhook fixtures
//! must have exactly the documented fields (nested `source.*` and `forward.*` included), none
//! missing and none undocumented; fields documented as never null are never null; the
//! `truncated` names of the document are the library's; `parse --help` names every field.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{json_lines, rebound};
use serde_json::Value;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// A documented field: its dotted name and whether it can be null (or empty).
struct Field {
    name: String,
    never_null: bool,
}

/// The rows of the table under `heading` in docs/event.md: the backquoted first cell and the
/// third cell.
fn table(heading: &str) -> Vec<(String, String)> {
    let doc = std::fs::read_to_string(repo().join("docs/event.md")).unwrap();
    let mut rows = Vec::new();
    let mut inside = false;
    for line in doc.lines() {
        if line.starts_with("## ") {
            inside = line.trim_start_matches('#').trim() == heading;
            continue;
        }
        if !inside || !line.starts_with("| `") {
            continue;
        }
        let cells: Vec<&str> = line.split(" | ").collect();
        let name = cells[0].trim_start_matches("| ").trim_matches('`');
        rows.push((name.to_string(), cells.get(2).unwrap_or(&"").to_string()));
    }
    assert!(
        !rows.is_empty(),
        "no table under `## {heading}` in docs/event.md"
    );
    rows
}

fn documented() -> Vec<Field> {
    table("Fields")
        .into_iter()
        .map(|(name, null_when)| Field {
            name,
            never_null: null_when.starts_with("never"),
        })
        .collect()
}

/// The dotted names of an event's fields: top-level keys, and the keys of the `source` and
/// (when present) `forward` objects; `tags` is a map of free names, not descended into.
fn fields_of(event: &Value) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for (k, v) in event.as_object().expect("an event is an object") {
        out.insert(k.clone());
        if matches!(k.as_str(), "source" | "forward")
            && let Some(inner) = v.as_object()
        {
            out.extend(inner.keys().map(|i| format!("{k}.{i}")));
        }
    }
    out
}

/// Files of `tests/fixtures/<kind>/<dir>/` whose names end with `suffix`, minus `except`.
fn files(kind: &str, dir: &str, suffix: &str, except: &str) -> Vec<String> {
    let mut out: Vec<String> =
        std::fs::read_dir(repo().join("tests/fixtures").join(kind).join(dir))
            .unwrap()
            .map(|e| e.unwrap().path().display().to_string())
            .filter(|p| p.ends_with(suffix) && (except.is_empty() || !p.ends_with(except)))
            .collect();
    out.sort();
    out
}

/// Events of `rebound parse --json [--format F] FILES`, which must succeed.
fn parse(format: Option<&str>, files: &[String]) -> Vec<Value> {
    let mut args = vec!["parse", "--json"];
    if let Some(f) = format {
        args.extend(["--format", f]);
    }
    args.extend(files.iter().map(String::as_str));
    let out = rebound(&args, b"");
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    json_lines(&out)
}

/// The events of every mail, log and webhook fixture, by kind.
fn fixture_events() -> Vec<(&'static str, Vec<Value>)> {
    let mut mail = Vec::new();
    for dir in ["postfix", "exim", "opensmtpd", "charset"] {
        mail.extend(parse(None, &files("mail", dir, ".eml", "")));
    }
    let mut log = Vec::new();
    for dir in [
        "postfix",
        "exim",
        "sendmail",
        "opensmtpd",
        "kumomta",
        "powermta",
    ] {
        let mut inputs = files("log", dir, ".log", "");
        inputs.extend(files("log", dir, ".csv", ""));
        inputs.extend(files("log", dir, ".jsonl", ""));
        log.extend(parse(Some(dir), &inputs));
    }
    let mut webhook = Vec::new();
    for dir in [
        "ses",
        "sendgrid",
        "mailgun",
        "postmark",
        "sparkpost",
        "mandrill",
    ] {
        let inputs = files("webhook", dir, ".json", ".expected.json");
        webhook.extend(parse(Some(dir), &inputs));
    }
    vec![("mail", mail), ("log", log), ("webhook", webhook)]
}

#[test]
fn every_documented_field_and_nothing_else() {
    let doc = documented();
    let all: BTreeSet<String> = doc.iter().map(|f| f.name.clone()).collect();
    let never_null: Vec<&str> = doc
        .iter()
        .filter(|f| f.never_null)
        .map(|f| f.name.as_str())
        .collect();
    // Sanity of the reading: the table holds the fields this test cannot do without.
    for f in [
        "source.reader",
        "feedback_type",
        "provider_class",
        "truncated",
        "tags",
    ] {
        assert!(all.contains(f), "docs/event.md does not document `{f}`");
    }
    for (kind, events) in fixture_events() {
        assert!(events.len() >= 5, "{kind}: only {} events", events.len());
        let mut forwards = 0;
        let mut typed = 0;
        for e in &events {
            let mut want = all.clone();
            if e["forward"].is_null() {
                want.retain(|f| !f.starts_with("forward."));
            } else {
                forwards += 1;
            }
            let got = fields_of(e);
            let missing: Vec<_> = want.difference(&got).collect();
            let extra: Vec<_> = got.difference(&want).collect();
            assert!(
                missing.is_empty() && extra.is_empty(),
                "{kind}: missing {missing:?}, undocumented {extra:?} in {e}"
            );
            for f in &never_null {
                let value = match f.split_once('.') {
                    Some((outer, inner)) => e[outer].get(inner),
                    None => e.get(*f),
                };
                if let Some(v) = value {
                    assert!(!v.is_null(), "{kind}: `{f}` is null in {e}");
                }
            }
            assert!(e["truncated"].is_array(), "{e}");
            assert!(e["tags"].is_object(), "{e}");
            // Only an email service's metadata (docs/tags.md) keeps a JSON type other than
            // string.
            for (k, v) in e["tags"].as_object().unwrap() {
                let metadata = k.starts_with("meta.")
                    || k.starts_with("header.")
                    || ["labels", "campaign", "subaccount", "tags_left_out"].contains(&k.as_str());
                assert!(v.is_string() || metadata, "{kind}: tag `{k}` is {v} in {e}");
                if !v.is_string() {
                    typed += 1;
                }
            }
        }
        if kind == "mail" {
            assert!(forwards > 0, "no mail fixture names a forward-path");
        }
        if kind == "webhook" {
            assert!(
                typed > 0,
                "no webhook fixture has metadata of another type than string"
            );
        }
    }
}

#[test]
fn truncation_names_are_documented() {
    let documented: Vec<String> = table("`truncated`: limits that dropped evidence")
        .into_iter()
        .map(|(name, _)| name)
        .collect();
    let known: Vec<String> = rebound_core::Truncation::ALL
        .iter()
        .map(|t| t.as_str().to_string())
        .collect();
    assert_eq!(documented, known);
}

#[test]
fn parse_help_names_every_field() {
    let out = rebound(&["parse", "--help"], b"");
    assert!(out.status.success());
    let help = String::from_utf8_lossy(&out.stdout).replace('\n', " ");
    for f in documented() {
        let name = f.name.rsplit('.').next().unwrap();
        assert!(help.contains(name), "`parse --help` does not name `{name}`");
    }
    assert!(help.contains("docs/event.md"));
}
