//! `docs/formats.md` kept true, through the real binary: every row of its tables names a
//! format, the reader that handles it (a `source.reader` name) or "not handled", and its
//! evidence, a repository fixture (`fixture:formats/x.eml`, under `tests/fixtures`) or a
//! file of the shared Sisimai corpus (`shared:lhost-x-01.eml`). A handled row's file must be
//! read by that reader with the row's recipient (or any recipient for corpus files) and a
//! reason, and a fixture must give no other recipient; a "not handled" row's fixture must
//! not give its recipient. Corpus rows are checked
//! only when the shared corpus is on disk (`REBOUND_SHARED`, `../shared` or `/work/shared`);
//! otherwise they are skipped with a message, so `cargo test` never needs it.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};
use std::process::Command;

/// One row of a format table.
#[derive(Debug)]
struct Row {
    line: usize,
    format: String,
    /// `Some(reader)` when a reader reads it, `None` for "not handled".
    reader: Option<String>,
    /// "(recipient only)": the reader gives the recipient but no reason.
    recipient_only: bool,
    /// `fixture:…` / `shared:…` references, in the order written.
    evidence: Vec<String>,
    /// The recipient the fixture must give; `None` for "any"; `Some("none")` for a file that
    /// is not a bounce and must give no recipient.
    recipient: Option<String>,
}

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The text between backticks of a cell, or the trimmed cell.
fn ticks(cell: &str) -> Vec<String> {
    let parts: Vec<&str> = cell.split('`').collect();
    if parts.len() < 3 {
        return Vec::new();
    }
    parts
        .iter()
        .skip(1)
        .step_by(2)
        .map(|s| s.trim().to_string())
        .collect()
}

/// The columns of a format table.
const COLUMNS: [&str; 6] = [
    "format",
    "named by",
    "reader",
    "evidence",
    "recipient",
    "notes",
];

/// The rows of every table whose header is [`COLUMNS`].
fn rows() -> Vec<Row> {
    let doc = std::fs::read_to_string(root().join("docs/formats.md")).expect("docs/formats.md");
    let mut out = Vec::new();
    let mut in_table = false;
    for (i, line) in doc.lines().enumerate() {
        let t = line.trim();
        if !t.starts_with('|') {
            in_table = false;
            continue;
        }
        let cells: Vec<&str> = t.trim_matches('|').split('|').map(str::trim).collect();
        if cells
            .first()
            .is_some_and(|c| c.eq_ignore_ascii_case("format"))
        {
            assert_eq!(
                cells,
                COLUMNS,
                "docs/formats.md:{}: a format table has these columns",
                i + 1
            );
            in_table = true;
            continue;
        }
        if !in_table
            || cells
                .iter()
                .all(|c| c.chars().all(|ch| ch == '-' || ch == ':'))
        {
            continue;
        }
        assert_eq!(
            cells.len(),
            COLUMNS.len(),
            "docs/formats.md:{}: six cells",
            i + 1
        );
        let reader = if cells[2].eq_ignore_ascii_case("not handled") {
            None
        } else {
            let r = ticks(cells[2]);
            assert_eq!(
                r.len(),
                1,
                "docs/formats.md:{}: reader is one `name` or \"not handled\"",
                i + 1
            );
            Some(r[0].clone())
        };
        let evidence = ticks(cells[3]);
        for e in &evidence {
            assert!(
                e.starts_with("fixture:") || e.starts_with("shared:"),
                "docs/formats.md:{}: evidence `{e}` is fixture:… or shared:…",
                i + 1
            );
        }
        let recipient = ticks(cells[4]).into_iter().next();
        out.push(Row {
            line: i + 1,
            format: cells[0].to_string(),
            reader,
            recipient_only: cells[2].contains("(recipient only)"),
            evidence,
            recipient,
        });
    }
    out
}

/// The shared Sisimai corpus folder, when it is on disk.
fn shared_corpus() -> Option<PathBuf> {
    let tail = "corpus/sisimai/emails/maildir/bsd";
    let mut bases: Vec<PathBuf> = Vec::new();
    if let Some(s) = std::env::var_os("REBOUND_SHARED") {
        bases.push(PathBuf::from(s));
    }
    bases.push(root().join("../shared"));
    bases.push(PathBuf::from("/work/shared"));
    bases.into_iter().map(|b| b.join(tail)).find(|p| p.is_dir())
}

/// A reason that says something: not absent, `undefined` or `onhold`.
fn has_reason(reason: &str) -> bool {
    !matches!(reason, "" | "undefined" | "onhold")
}

/// What the binary made of one file: (reader, recipient, reason) per event.
fn parse(path: &Path) -> Vec<(String, String, String)> {
    let out = Command::new(env!("CARGO_BIN_EXE_rebound"))
        .args(["parse", "--json"])
        .arg(path)
        .output()
        .expect("the binary runs");
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).expect("one JSON object a line");
            let s = |x: &serde_json::Value| x.as_str().unwrap_or_default().to_string();
            (
                s(&v["source"]["reader"]),
                s(&v["recipient"]),
                s(&v["reason"]),
            )
        })
        .collect()
}

/// Checks one file against its row; returns a complaint, if any.
fn check(row: &Row, path: &Path) -> Option<String> {
    let events = parse(path);
    let what = format!(
        "docs/formats.md:{} ({}), {}",
        row.line,
        row.format,
        path.display()
    );
    let want = row.recipient.as_deref();
    let Some(reader) = &row.reader else {
        // Not handled: the recipient the fixture was written for (any recipient, when the
        // row names none) must not come out.
        return events
            .iter()
            .find(|e| !e.1.is_empty() && want.is_none_or(|w| e.1.eq_ignore_ascii_case(w)))
            .map(|e| {
                format!(
                    "{what}: listed as not handled, but reader `{}` gives {} ({}); update the doc",
                    e.0, e.1, e.2
                )
            });
    };
    if want == Some("none") {
        return events
            .iter()
            .find(|e| !e.1.is_empty())
            .map(|e| format!("{what}: not a bounce, yet {} came out", e.1));
    }
    let names = |e: &&(String, String, String)| {
        !e.1.is_empty() && want.is_none_or(|w| e.1.eq_ignore_ascii_case(w))
    };
    let hit = if row.recipient_only {
        events.iter().find(names)
    } else {
        events.iter().filter(names).find(|e| has_reason(&e.2))
    };
    let Some(hit) = hit else {
        return Some(format!(
            "{what}: expected reader `{reader}` to find {}{}; got {events:?}",
            want.unwrap_or("a recipient"),
            if row.recipient_only {
                ""
            } else {
                " with a reason"
            }
        ));
    };
    // A row naming its recipient (a fixture's) also says that no other address comes out:
    // not the sender, the list, a forward-path or a Message-ID.
    if let Some(w) = want
        && let Some(other) = events
            .iter()
            .find(|e| !e.1.is_empty() && !e.1.eq_ignore_ascii_case(w))
    {
        return Some(format!(
            "{what}: gives {} ({}) besides {w}",
            other.1, other.2
        ));
    }
    if row.recipient_only && has_reason(&hit.2) {
        return Some(format!(
            "{what}: listed as recipient only, but the reason is `{}`; update the doc",
            hit.2
        ));
    }
    (&hit.0 != reader).then(|| format!("{what}: read by `{}`, the doc says `{reader}`", hit.0))
}

#[test]
fn the_format_tables_are_well_formed() {
    let rows = rows();
    assert!(rows.len() >= 100, "the doc lists {} formats", rows.len());
    let known: Vec<&str> = rebound_core::Reader::ALL
        .iter()
        .map(|r| r.as_str())
        .collect();
    for row in &rows {
        if let Some(r) = &row.reader {
            assert!(
                known.contains(&r.as_str()),
                "docs/formats.md:{}: `{r}` is not a reader name ({known:?})",
                row.line
            );
            assert!(
                !row.evidence.is_empty(),
                "docs/formats.md:{} ({}): a handled format names its evidence",
                row.line,
                row.format
            );
        }
    }
    // Every fixture written for this doc is named by a row.
    let dir = root().join("tests/fixtures/formats");
    for entry in std::fs::read_dir(&dir).unwrap() {
        let name = entry.unwrap().file_name().to_string_lossy().into_owned();
        let reference = format!("fixture:formats/{name}");
        assert!(
            rows.iter().any(|r| r.evidence.contains(&reference)),
            "tests/fixtures/formats/{name} is named by no row of docs/formats.md"
        );
    }
}

#[test]
fn every_fixture_row_holds() {
    let fixtures = root().join("tests/fixtures");
    let mut complaints = Vec::new();
    let mut checked = 0;
    for row in rows() {
        for e in &row.evidence {
            if let Some(rel) = e.strip_prefix("fixture:") {
                let path = fixtures.join(rel);
                assert!(path.is_file(), "docs/formats.md:{}: no {rel}", row.line);
                checked += 1;
                complaints.extend(check(&row, &path));
            }
        }
    }
    assert!(checked > 0, "no fixture rows");
    assert!(complaints.is_empty(), "{}", complaints.join("\n"));
}

#[test]
fn every_shared_corpus_row_holds() {
    let Some(corpus) = shared_corpus() else {
        eprintln!(
            "formats: the shared corpus is not on disk (REBOUND_SHARED, ../shared, /work/shared); \
             the shared: rows of docs/formats.md are not checked"
        );
        return;
    };
    let mut complaints = Vec::new();
    for row in rows() {
        for e in &row.evidence {
            if let Some(name) = e.strip_prefix("shared:") {
                let path = corpus.join(name);
                if !path.is_file() {
                    complaints.push(format!("docs/formats.md:{}: no {name}", row.line));
                    continue;
                }
                complaints.extend(check(&row, &path));
            }
        }
    }
    assert!(complaints.is_empty(), "{}", complaints.join("\n"));
}
