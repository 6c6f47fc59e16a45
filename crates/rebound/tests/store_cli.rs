//! The store through the real `rebound` binary, on both backends (one body per behaviour,
//! generated for SQLite and PostgreSQL by `both_backends!`; PostgreSQL runs when
//! `REBOUND_TEST_POSTGRES` names a server and is skipped, saying so, otherwise):
//! ingest → report → suppressions → hints, bad inputs skipped, four concurrent ingest processes
//! over overlapping inputs, an ingest killed with SIGKILL then re-run, addresses in every form,
//! control characters and NUL bytes. How commands open a store is `store_open.rs`.

#![allow(clippy::unwrap_used)]

mod common;

use common::store::{Harness, both_backends, path_str, text};
use rebound_store::{EventKey, Location, Store, Table, synthetic};
use std::collections::HashSet;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

both_backends!(
    ingest_report_suppressions_hints_flow,
    bad_inputs_are_reported_and_skipped,
    four_concurrent_ingests_store_each_event_once,
    killed_ingest_loses_nothing_on_rerun,
    real_mta_bounces_ingested_twice_are_stored_once,
    name_addr_idna_and_quoted_forms_check_as_stored,
    control_characters_are_escaped_in_the_list,
    a_nul_byte_mid_stream_loses_nothing,
);

fn ingest_report_suppressions_hints_flow(h: &Harness) {
    let file = h.jsonl("events.jsonl", 0, 600);
    let o = h.run(&["ingest", "--json", path_str(&file)], "");
    let (out, err) = text(&o);
    assert!(o.status.success(), "{err}");
    let summary: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(summary["new"], 600, "{out}");
    // Again, from standard input: all duplicates.
    let again = h.run(
        &["ingest", "--json", "-"],
        &std::fs::read_to_string(&file).unwrap(),
    );
    let summary: serde_json::Value = serde_json::from_str(&text(&again).0).unwrap();
    assert_eq!(
        (summary["new"].as_u64(), summary["duplicates"].as_u64()),
        (Some(0), Some(600))
    );

    let o = h.run(&["report", "--by", "source", "--json"], "");
    let doc: serde_json::Value = serde_json::from_str(&text(&o).0).unwrap();
    let groups = doc["groups"].as_array().unwrap();
    assert_eq!(groups.len(), synthetic::SOURCES.len());
    assert_eq!(
        groups
            .iter()
            .map(|g| g["events"].as_i64().unwrap())
            .sum::<i64>(),
        600
    );
    let csv = text(&h.run(&["report", "--by", "day", "--csv"], "")).0;
    assert!(csv.starts_with("group,events,recipients,"), "{csv}");

    // Check: many addresses on stdin, one answer per line, in order.
    let mut store = h.store();
    let suppressed: Vec<String> = store
        .suppressions()
        .unwrap()
        .into_iter()
        .map(|s| s.address)
        .collect();
    assert!(!suppressed.is_empty());
    let input = format!(
        "{}\nnobody@clean.example\nnot an address\n",
        suppressed[0].to_uppercase()
    );
    let (out, _) = text(&h.run(&["suppressions", "check"], &input));
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 3, "{out}");
    assert!(
        lines[0].contains("\tsuppressed\thard:") || lines[0].contains("\tsuppressed\tsoft:"),
        "{out}"
    );
    assert_eq!(lines[1], "nobody@clean.example\tok");
    assert_eq!(lines[2], "not an address\tinvalid");

    // Add, remove, export and import.
    assert!(
        h.run(
            &[
                "suppressions",
                "add",
                "--reason",
                "asked",
                "Manual@Example.com"
            ],
            ""
        )
        .status
        .success()
    );
    let (out, _) = text(&h.run(
        &["suppressions", "check", "--json", "manual@example.com"],
        "",
    ));
    assert!(
        out.contains(r#""status":"suppressed","rule":"manual""#),
        "{out}"
    );
    let export = text(&h.run(&["suppressions", "export", "--csv"], "")).0;
    assert!(export.starts_with("address,rule,reason,event_id,classifier_rule,source,created_at\n"));
    let before = store.count(Table::Suppressions).unwrap();
    assert!(
        h.run(&["suppressions", "remove", "manual@example.com"], "")
            .status
            .success()
    );
    assert_eq!(store.count(Table::Suppressions).unwrap(), before - 1);
    let o = h.run(&["suppressions", "import", "--csv", "-"], &export);
    assert!(o.status.success(), "{}", text(&o).1);
    assert_eq!(store.count(Table::Suppressions).unwrap(), before);

    // Hints: the 551s of the synthetic events, same domain → update, other → review.
    let (out, _) = text(&h.run(&["hints", "list", "--json"], ""));
    let hints: Vec<serde_json::Value> = out
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert!(
        hints.iter().any(|x| x["kind"] == "update") && hints.iter().any(|x| x["kind"] == "review")
    );
    let id = hints[0]["id"].to_string();
    assert!(h.run(&["hints", "accept", &id], "").status.success());
    assert_eq!(
        h.run(&["hints", "reject", "99999999"], "").status.code(),
        Some(1)
    );
    let csv = text(&h.run(&["hints", "export", "--csv", "--status", "accepted"], "")).0;
    assert_eq!(csv.lines().count(), 2, "{csv}");
}

fn bad_inputs_are_reported_and_skipped(h: &Harness) {
    let good = h.jsonl("good.jsonl", 0, 20);
    let mut lines = std::fs::read_to_string(&good).unwrap();
    lines.insert_str(0, "{\"not\": \"an event\"}\n\n");
    let mixed = h.dir.join("mixed.jsonl");
    std::fs::write(&mixed, lines).unwrap();
    let missing = h.dir.join("missing.jsonl");
    let o = h.run(
        &["ingest", "--json", path_str(&missing), path_str(&mixed)],
        "",
    );
    let (out, err) = text(&o);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(err.contains("missing.jsonl"), "{err}");
    assert!(err.contains("mixed.jsonl:1: not a bounce event"), "{err}");
    let summary: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(
        (summary["new"].as_u64(), summary["failures"].as_u64()),
        (Some(20), Some(2))
    );
}

/// The keys of synthetic events `range`.
fn keys(range: std::ops::Range<u64>) -> HashSet<EventKey> {
    synthetic::events(range.start, range.end - range.start)
        .iter()
        .map(EventKey::of)
        .collect()
}

/// Every expected event is stored, and nothing else, each once.
fn assert_exactly(h: &Harness, expected: &HashSet<EventKey>) {
    let stored = h.store().event_keys().unwrap();
    let set: HashSet<EventKey> = stored.iter().copied().collect();
    assert_eq!(set.len(), stored.len(), "duplicate events");
    assert_eq!(set.len(), expected.len());
    assert!(set == *expected, "stored events differ from the input");
}

fn four_concurrent_ingests_store_each_event_once(h: &Harness) {
    // Process i reads events [i * 3000, i * 3000 + 6000): each overlaps its neighbours.
    let files: Vec<PathBuf> = (0..4)
        .map(|i| h.jsonl(&format!("in{i}.jsonl"), i * 3000, 6000))
        .collect();
    drop(h.store()); // migrate once up front is not required, but keeps the race on ingest
    let children: Vec<_> = files
        .iter()
        .map(|f| {
            h.rebound()
                .args(["ingest", "--json", "--batch", "500", path_str(f)])
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    let mut new = 0;
    for c in children {
        let o = c.wait_with_output().unwrap();
        let (out, err) = text(&o);
        assert!(o.status.success(), "{err}");
        let summary: serde_json::Value = serde_json::from_str(&out).unwrap();
        new += summary["new"].as_u64().unwrap();
    }
    assert_eq!(new, 15_000);
    assert_exactly(h, &keys(0..15_000));
    // The policy outcome is the same as one sequential ingest of the union.
    let seq = Harness::sqlite();
    let all = seq.jsonl("all.jsonl", 0, 15_000);
    assert!(seq.run(&["ingest", path_str(&all)], "").status.success());
    let addresses = |s: &mut Store| {
        s.suppressions()
            .unwrap()
            .into_iter()
            .map(|x| x.address)
            .collect::<Vec<_>>()
    };
    assert_eq!(addresses(&mut h.store()), addresses(&mut seq.store()));
}

fn killed_ingest_loses_nothing_on_rerun(h: &Harness) {
    const N: u64 = 60_000;
    let file = h.jsonl("large.jsonl", 0, N);
    let mut child = h
        .rebound()
        .args(["ingest", "--batch", "500", path_str(&file)])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    // Kill it once some batches are in, well before the end.
    let deadline = Instant::now() + Duration::from_secs(120);
    let mut store = loop {
        match Store::open(&Location::parse(&h.db).unwrap()) {
            Ok(s) => break s,
            Err(e) => assert!(Instant::now() < deadline, "the store never opened: {e}"),
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    loop {
        let n = store.count(Table::Events).unwrap_or(0);
        if n >= 2_000 || Instant::now() > deadline {
            break;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    assert!(
        child.try_wait().unwrap().is_none(),
        "the ingest finished before it could be killed"
    );
    child.kill().unwrap(); // SIGKILL on Unix
    child.wait().unwrap();
    let partial = store.count(Table::Events).unwrap();
    assert!(
        partial > 0 && partial < i64::try_from(N).unwrap(),
        "killed after {partial} events"
    );
    let o = h.run(&["ingest", "--json", path_str(&file)], "");
    let (out, err) = text(&o);
    assert!(o.status.success(), "{err}");
    let summary: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(
        summary["new"].as_i64().unwrap() + partial,
        i64::try_from(N).unwrap(),
        "{out}"
    );
    assert_exactly(h, &keys(0..N));
}

/// The `.eml` fixtures real MTAs (Postfix, Exim, OpenSMTPD) wrote, through `rebound-ingest`.
fn real_mta_bounces_ingested_twice_are_stored_once(h: &Harness) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/mail");
    let mut emls = Vec::new();
    for dir in std::fs::read_dir(&root).unwrap() {
        for f in std::fs::read_dir(dir.unwrap().path()).unwrap() {
            let p = f.unwrap().path();
            if p.extension().is_some_and(|e| e == "eml") {
                emls.push(p.display().to_string());
            }
        }
    }
    assert!(!emls.is_empty(), "no fixtures under {}", root.display());
    let mut args = vec!["ingest", "--json"];
    args.extend(emls.iter().map(String::as_str));
    let first = h.run(&args, "");
    assert!(first.status.success(), "{}", text(&first).1);
    let first: serde_json::Value = serde_json::from_str(&text(&first).0).unwrap();
    let count = h.store().count(Table::Events).unwrap();
    assert!(count > 0);
    assert_eq!(first["new"].as_i64(), Some(count));
    let again: serde_json::Value = serde_json::from_str(&text(&h.run(&args, "")).0).unwrap();
    assert_eq!(again["new"], 0);
    assert_eq!(h.store().count(Table::Events).unwrap(), count);
    // The 551s became hints, never followed: pending, and the new addresses are not suppressed.
    let mut store = h.store();
    let hints = store.hints(None).unwrap();
    assert!(!hints.is_empty());
    assert!(
        hints
            .iter()
            .all(|x| x.status == rebound_store::HintStatus::Pending)
    );
    let suppressed: HashSet<String> = store
        .suppressions()
        .unwrap()
        .into_iter()
        .map(|s| s.address)
        .collect();
    // A verdict to review (a 551 naming another domain, or none) never suppresses the old
    // address: it waits in the hints list.
    assert!(
        hints
            .iter()
            .any(|x| x.kind != rebound_store::HintKind::Update
                && !suppressed.contains(&x.old_address)),
        "{hints:?}"
    );
    assert!(hints.iter().all(|x| !suppressed.contains(&x.new_address)));
}

/// `Bob <bob@example.com>` is stored as `bob@example.com`, so every spelling of it checks as
/// suppressed; IDNA domains match their ASCII form; a quoted local part keeps its quotes; what
/// is not an address is `invalid` with exit code 1 (the others still answered).
fn name_addr_idna_and_quoted_forms_check_as_stored(h: &Harness) {
    let o = h.run(
        &[
            "suppressions",
            "add",
            "Bob <bob@example.com>",
            "x@Bücher.example",
            "\"John Doe\"@example.com",
        ],
        "",
    );
    assert!(o.status.success(), "{}", text(&o).1);
    let (list, _) = text(&h.run(&["suppressions", "list", "--json"], ""));
    let stored: Vec<String> = list
        .lines()
        .map(|l| {
            serde_json::from_str::<serde_json::Value>(l).unwrap()["address"]
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect();
    assert_eq!(
        stored,
        [
            "\"john doe\"@example.com",
            "bob@example.com",
            "x@xn--bcher-kva.example"
        ]
    );
    let input = "bob@example.com\nFoo <BOB@Example.COM.>\n<bob@example.com>\n\
        x@xn--bcher-kva.example\nx@bücher.example\n\"john doe\"@example.com\n\
        other@example.com\n";
    let o = h.run(&["suppressions", "check"], input);
    assert!(o.status.success(), "{}", text(&o).1);
    let answers: Vec<String> = text(&o)
        .0
        .lines()
        .map(|l| l.split('\t').nth(1).unwrap().to_string())
        .collect();
    assert_eq!(
        answers,
        [
            "suppressed",
            "suppressed",
            "suppressed",
            "suppressed",
            "suppressed",
            "suppressed",
            "ok"
        ]
    );
    let o = h.run(
        &[
            "suppressions",
            "check",
            "bob@example.com",
            "not an address",
            "a@b@c",
        ],
        "",
    );
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(
        text(&o).0,
        "bob@example.com\tsuppressed\tmanual\nnot an address\tinvalid\na@b@c\tinvalid\n"
    );
    // Ingested events normalize the same way.
    let mut e = synthetic::events(0, 1).remove(0);
    e.recipient = Some("Dead Person <Dead@Example.JP>".into());
    e.classification.reason = rebound_core::Reason::UserUnknown;
    e.classification.bounce_type = rebound_core::BounceType::Hard;
    e.classification.permanent = Some(true);
    e.classification.action = rebound_core::Action::Suppress;
    let line = serde_json::to_string(&e).unwrap() + "\n";
    let o = h.run(&["ingest", "--format", "jsonl", "-"], &line);
    assert!(o.status.success(), "{}", text(&o).1);
    let o = h.run(
        &[
            "suppressions",
            "check",
            "dead@example.jp",
            "Foo <dead@example.jp>",
        ],
        "",
    );
    assert_eq!(
        text(&o).0,
        "dead@example.jp\tsuppressed\thard:userunknown\nFoo <dead@example.jp>\tsuppressed\thard:userunknown\n"
    );
    // Remove takes any spelling too; a non-address is reported, exit 1.
    let o = h.run(
        &["suppressions", "remove", "BOB <bob@example.com>", "junk"],
        "",
    );
    assert_eq!(o.status.code(), Some(1));
    assert!(
        text(&o).1.contains("`junk`: not an address"),
        "{}",
        text(&o).1
    );
    let o = h.run(&["suppressions", "check", "bob@example.com"], "");
    assert_eq!(text(&o).0, "bob@example.com\tok\n");
}

/// ANSI and OSC escapes, NUL and tabs from bounces never reach the terminal from `suppressions
/// list` or `check`; JSON keeps the text as it was (JSON-escaped). `created_at` is RFC 3339 in
/// every output.
fn control_characters_are_escaped_in_the_list(h: &Harness) {
    let csv = "address,rule,reason,source,created_at\n\
        evil@example.com,manual,\"\x1b]0;pwned\x07\x1b[2J\tcleared\",src\x00,2024-05-01T10:00:00Z\n";
    let o = h.run(&["suppressions", "import", "--csv", "-"], csv);
    assert!(o.status.success(), "{}", text(&o).1);
    let (out, _) = text(&h.run(&["suppressions", "list"], ""));
    assert!(
        !out.contains('\x1b') && !out.contains('\x00') && !out.contains('\x07'),
        "{out:?}"
    );
    assert_eq!(
        out,
        "evil@example.com\tmanual\t\\x1b]0;pwned\\x07\\x1b[2J\\x09cleared\t-\tsrc\u{fffd}\t2024-05-01T10:00:00Z\n"
    );
    let (json, _) = text(&h.run(&["suppressions", "list", "--json"], ""));
    let v: serde_json::Value = serde_json::from_str(json.trim()).unwrap();
    assert_eq!(v["reason"], "\x1b]0;pwned\x07\x1b[2J\tcleared");
    assert_eq!(v["created_at"], "2024-05-01T10:00:00Z");
    let (csv_out, _) = text(&h.run(&["suppressions", "export", "--csv"], ""));
    assert!(csv_out.contains("2024-05-01T10:00:00Z"), "{csv_out}");
    let o = h.run(&["suppressions", "check"], "a\x1b[31m@example.com\n");
    assert_eq!(text(&o).0, "a\\x1b[31m@example.com\tinvalid\n");
}

/// One event with a NUL in its lead source, in the middle of a stream ingested in batches: on
/// PostgreSQL this used to abort its batch and every re-run at the same place. Now every event
/// is stored, on both backends alike.
fn a_nul_byte_mid_stream_loses_nothing(h: &Harness) {
    let path = h.dir.join("nul.jsonl");
    let mut f = std::io::BufWriter::new(std::fs::File::create(&path).unwrap());
    for (i, mut e) in synthetic::events(0, 300).into_iter().enumerate() {
        if i == 170 {
            e.tags.insert("x-lead-source".into(), "list\u{0}7".into());
            e.reporting_mta = Some("mta\u{0}.example".into());
        }
        serde_json::to_writer(&mut f, &e).unwrap();
        f.write_all(b"\n").unwrap();
    }
    f.flush().unwrap();
    drop(f);
    let o = h.run(&["ingest", "--json", "--batch", "100", path_str(&path)], "");
    let (out, err) = text(&o);
    assert!(o.status.success(), "{err}");
    let summary: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(
        (summary["new"].as_u64(), summary["skipped"].as_u64()),
        (Some(300), Some(0)),
        "{out}"
    );
    assert_eq!(h.store().count(Table::Events).unwrap(), 300);
    let (report, _) = text(&h.run(&["report", "--by", "source", "--csv"], ""));
    assert!(report.contains("list\u{fffd}7,1,"), "{report}");
}
