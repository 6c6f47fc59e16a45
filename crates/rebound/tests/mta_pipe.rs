//! `rebound ingest --mta`, the command an MTA's pipe transport runs for the bounce address
//! (docs/mta-pipe.md), through the real binary: a bounce on standard input is stored quietly
//! (exit 0); a store that cannot be opened is EX_TEMPFAIL (75) with one line, so the MTA
//! retries; a message that holds no bounce or cannot be read is accepted (0) with one line;
//! a bad command line defers too; nothing panics.

#![allow(clippy::unwrap_used)]

mod common;

use common::store::{Harness, both_backends, path_str, text};
use rebound_store::Table;
use std::path::{Path, PathBuf};
use std::process::Output;

both_backends!(
    a_bounce_on_stdin_is_stored_quietly,
    a_redelivered_bounce_is_stored_once,
    a_message_without_a_bounce_is_accepted_with_one_line,
);

/// The repository's `tests/fixtures`.
fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/fixtures")
        .join(name)
}

/// A Postfix bounce of one unknown recipient, as Postfix pipe(8) hands it over with
/// `flags=FR` (a `From ` line, then the message starting with its Return-Path).
fn postfix_bounce() -> String {
    let mail = std::fs::read_to_string(fixture("mail/postfix/user-unknown.eml")).unwrap();
    format!("From MAILER-DAEMON  Sun Dec  6 01:00:00 2026\n{mail}")
}

/// Exactly one line on stderr, starting `rebound: `; returns it.
fn one_line(o: &Output) -> String {
    let err = text(o).1;
    assert_eq!(err.lines().count(), 1, "one line on stderr: {err:?}");
    assert!(err.starts_with("rebound: "), "{err}");
    assert!(!err.contains("panicked"), "{err}");
    err
}

fn events(h: &Harness) -> i64 {
    h.store().count(Table::Events).unwrap()
}

fn a_bounce_on_stdin_is_stored_quietly(h: &Harness) {
    let o = h.run(&["ingest", "--mta", "-"], &postfix_bounce());
    assert_eq!(o.status.code(), Some(0), "{:?}", text(&o));
    assert_eq!(text(&o), (String::new(), String::new()), "quiet on success");
    assert_eq!(events(h), 1);

    // Exim's pipe transport hands the message over without a `From ` line; no path reads
    // standard input too; both recipients of the bounce are stored.
    let exim = std::fs::read(fixture("mail/exim/multi-rcpt.eml")).unwrap();
    let o = h.run(&["ingest", "--mta"], &String::from_utf8_lossy(&exim));
    assert_eq!(o.status.code(), Some(0), "{:?}", text(&o));
    assert_eq!(text(&o).1, "");
    assert_eq!(events(h), 3);

    // The unknown recipient of the Postfix bounce is suppressed, as `rebound ingest FILE`
    // would have done.
    let o = h.run(&["suppressions", "list", "--json"], "");
    let listed = common::json_lines(&o);
    assert!(
        listed
            .iter()
            .any(|s| s["address"] == "user-unknown@remote.test"),
        "{listed:?}"
    );
}

/// The MTA may run the command again for a message already stored (its own crash, a lost
/// exit status): the store keeps one event.
fn a_redelivered_bounce_is_stored_once(h: &Harness) {
    for _ in 0..2 {
        let o = h.run(&["ingest", "--mta", "-"], &postfix_bounce());
        assert_eq!(o.status.code(), Some(0), "{:?}", text(&o));
    }
    assert_eq!(events(h), 1);
}

fn a_message_without_a_bounce_is_accepted_with_one_line(h: &Harness) {
    let reply = "From: someone@example.net\nTo: bounces@example.com\nSubject: Re: your offer\n\
                 Message-ID: <r1@example.net>\n\nPlease remove me.\n";
    let o = h.run(&["ingest", "--mta", "-"], reply);
    assert_eq!(o.status.code(), Some(0));
    let err = one_line(&o);
    assert!(err.contains("holds no bounce; accepted"), "{err}");
    assert_eq!(text(&o).0, "");
}

#[test]
fn an_unreachable_postgresql_defers_with_one_line() {
    let h = Harness::sqlite();
    let o = h.run(
        &[
            "ingest",
            "--mta",
            "--db",
            "postgres://postgres@127.0.0.1:1/none",
            "-",
        ],
        &postfix_bounce(),
    );
    assert_eq!(o.status.code(), Some(75), "{:?}", text(&o));
    let err = one_line(&o);
    assert!(err.contains("cannot connect to PostgreSQL"), "{err}");
    assert!(err.contains("EX_TEMPFAIL"), "{err}");
    // Without --mta the same failure is the CLI's usual 1.
    let o = h.run(
        &[
            "ingest",
            "--db",
            "postgres://postgres@127.0.0.1:1/none",
            "-",
        ],
        &postfix_bounce(),
    );
    assert_eq!(o.status.code(), Some(1));
}

#[test]
fn an_sqlite_store_that_cannot_be_opened_defers() {
    let h = Harness::sqlite();
    // A directory that cannot exist (its parent is a file): refused even to root.
    let file = h.dir.join("a-file");
    std::fs::write(&file, "not a directory").unwrap();
    let db = file.join("store.db");
    let o = h.run(
        &["ingest", "--mta", "--db", path_str(&db), "-"],
        &postfix_bounce(),
    );
    assert_eq!(o.status.code(), Some(75), "{:?}", text(&o));
    let err = one_line(&o);
    assert!(err.contains("store.db"), "names the store: {err}");

    // A file that is not a store is left alone, and the MTA retries.
    let o = h.run(
        &["ingest", "--mta", "--db", path_str(&file), "-"],
        &postfix_bounce(),
    );
    assert_eq!(o.status.code(), Some(75), "{:?}", text(&o));
    one_line(&o);
    assert_eq!(std::fs::read_to_string(&file).unwrap(), "not a directory");
}

#[test]
fn unreadable_input_is_accepted_with_one_line_and_never_panics() {
    let h = Harness::sqlite();
    let mut noise = Vec::new();
    let mut x: u32 = 0x1234_5678;
    for _ in 0..20_000 {
        // xorshift: the same bytes every run.
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        noise.push(x.to_le_bytes()[0]);
    }
    let long_header = format!("Subject: {}\n\nbody\n", "x".repeat(2_000_000));
    let inputs: Vec<(&str, Vec<u8>)> = vec![
        ("empty", Vec::new()),
        ("noise", noise),
        ("NUL bytes", vec![0; 4096]),
        ("headers only", b"From: a@b\nSubject: x".to_vec()),
        ("a 2 MB header", long_header.into_bytes()),
        ("a bare LF-less line", b"x".to_vec()),
    ];
    for (what, bytes) in inputs {
        let o = common::rebound(&["ingest", "--mta", "--db", &h.db, "-"], &bytes);
        assert_eq!(o.status.code(), Some(0), "{what}: {:?}", text(&o));
        let err = one_line(&o);
        assert!(err.contains("accepted"), "{what}: {err}");
    }
}

#[test]
fn a_bad_command_line_defers_under_mta_only() {
    let h = Harness::sqlite();
    let o = h.run(
        &["ingest", "--mta", "--no-such-flag", "-"],
        &postfix_bounce(),
    );
    assert_eq!(o.status.code(), Some(75), "{:?}", text(&o));
    let err = one_line(&o);
    assert!(err.contains("--no-such-flag"), "{err}");

    let o = h.run(&["ingest", "--mta", "bounce.eml"], &postfix_bounce());
    assert_eq!(o.status.code(), Some(75), "{:?}", text(&o));
    assert!(one_line(&o).contains("standard input"));

    let o = h.run(
        &["ingest", "--mta", "--rules", "/no/such/rules.toml", "-"],
        &postfix_bounce(),
    );
    assert_eq!(o.status.code(), Some(75), "{:?}", text(&o));
    assert!(one_line(&o).contains("/no/such/rules.toml"));

    // Without --mta a usage error stays the CLI's 2.
    let o = h.run(&["ingest", "--no-such-flag", "-"], "");
    assert_eq!(o.status.code(), Some(2));
}
