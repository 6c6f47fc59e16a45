//! How commands open a store, through the real `rebound` binary: only writers create one;
//! reading commands refuse a missing or foreign database and open SQLite read-only (a
//! read-only copy, read-only media and stores of earlier versions can be checked); bad
//! locations name themselves; unresponsive servers and held locks do not hang a command.

#![allow(clippy::unwrap_used)]

mod common;

use common::store::{Harness, both_backends, path_str, text};
use rebound_store::testing;
use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

both_backends!(
    reading_commands_refuse_a_missing_store,
    foreign_databases_are_refused_untouched,
);

#[test]
fn bad_db_urls_name_themselves_and_unreachable_servers_say_so() {
    let h = Harness::sqlite();
    let o = h
        .rebound()
        .args([
            "report",
            "--db",
            "postgres://u:secret@127.0.0.1:notaport/db",
        ])
        .output()
        .unwrap();
    let err = text(&o).1;
    // A --db that is not a database location is a usage error.
    assert_eq!(o.status.code(), Some(2));
    assert!(
        err.contains("bad database URL `postgres://u:***@127.0.0.1:notaport/db`"),
        "{err}"
    );
    assert!(!err.contains("secret"), "{err}");
    let o = h
        .rebound()
        .args(["report", "--db", "postgres://nobody@127.0.0.1:1/none"])
        .output()
        .unwrap();
    let err = text(&o).1;
    assert!(
        err.contains("cannot connect to PostgreSQL at `postgres://nobody@127.0.0.1:1/none`"),
        "{err}"
    );
    assert!(err.to_lowercase().contains("refused"), "{err}");
}

#[test]
fn default_store_lives_in_the_data_directory() {
    let h = Harness::sqlite();
    let o = h
        .rebound()
        .env_remove("REBOUND_DB")
        .args(["suppressions", "list"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1), "{}", text(&o).1);
    assert!(!h.dir.join("data/rebound").exists());
    let o = h
        .rebound()
        .env_remove("REBOUND_DB")
        .arg("init")
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", text(&o).1);
    assert!(h.dir.join("data/rebound/rebound.db").exists());
    let o = h
        .rebound()
        .env_remove("REBOUND_DB")
        .args(["suppressions", "list"])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", text(&o).1);
}

/// The commands that only read (or change existing rows), each with its arguments.
const READERS: [&[&str]; 7] = [
    &["suppressions", "check", "dead@example.com"],
    &["suppressions", "list"],
    &["suppressions", "export", "--csv"],
    &["suppressions", "remove", "dead@example.com"],
    &["report", "--by", "source"],
    &["hints", "list"],
    &["hints", "accept", "1"],
];

/// A mistyped `--db` (a missing file, or an empty PostgreSQL schema) makes every reading
/// command fail with exit 1 and creates nothing; `init` creates the store, after which they
/// work.
fn reading_commands_refuse_a_missing_store(h: &Harness) {
    let db = match &h._schema {
        Some(_) => h.db.clone(),
        None => h.dir.join("typo/nothing.db").display().to_string(),
    };
    for args in READERS {
        let o = h
            .rebound()
            .args(args.iter())
            .args(["--db", &db])
            .output()
            .unwrap();
        let (out, err) = text(&o);
        assert_eq!(o.status.code(), Some(1), "{args:?}: {out}{err}");
        assert!(err.contains("no Rebound store at"), "{args:?}: {err}");
        assert!(!out.contains("\tok"), "{args:?}: {out}");
    }
    match &h._schema {
        Some(_) => {
            let err = text(&h.run(&["suppressions", "check", "x@example.com"], "")).1;
            assert!(err.contains("no Rebound store"), "{err}");
        }
        None => assert!(!h.dir.join("typo").exists()),
    }
    let o = h.rebound().args(["init", "--db", &db]).output().unwrap();
    assert!(o.status.success(), "{}", text(&o).1);
    for args in READERS {
        let o = h
            .rebound()
            .args(args.iter())
            .args(["--db", &db])
            .output()
            .unwrap();
        let err = text(&o).1;
        assert!(!err.contains("no Rebound store"), "{args:?}: {err}");
    }
    let o = h
        .rebound()
        .args(["suppressions", "check", "dead@example.com", "--db", &db])
        .output()
        .unwrap();
    assert_eq!(text(&o).0, "dead@example.com\tok\n");
}

/// Another program's database (an SQLite file with its own tables; a PostgreSQL schema holding
/// a table named `events` that Rebound did not make) is refused by every command, writers
/// included, and left as it was.
fn foreign_databases_are_refused_untouched(h: &Harness) {
    let db = match &h._schema {
        Some(schema) => {
            let base = testing::postgres_url("foreign").unwrap();
            let mut c = ::postgres::Client::connect(&base, ::postgres::NoTls).unwrap();
            c.batch_execute(&format!(
                "CREATE TABLE {}.events (id INT); INSERT INTO {}.events VALUES (7)",
                schema.schema, schema.schema
            ))
            .unwrap();
            h.db.clone()
        }
        None => {
            let path = h.dir.join("other.db");
            let c = rusqlite::Connection::open(&path).unwrap();
            c.execute_batch(
                "CREATE TABLE contacts (email TEXT); INSERT INTO contacts VALUES ('a@b')",
            )
            .unwrap();
            drop(c);
            path.display().to_string()
        }
    };
    let before = std::fs::read(&db).ok();
    let events = h.jsonl("e.jsonl", 0, 3);
    let writers: [&[&str]; 3] = [
        &["ingest", path_str(&events)],
        &["suppressions", "add", "x@example.com"],
        &["init"],
    ];
    for args in READERS.iter().chain(&writers) {
        let o = h
            .rebound()
            .args(args.iter())
            .args(["--db", &db])
            .output()
            .unwrap();
        let err = text(&o).1;
        assert_eq!(o.status.code(), Some(1), "{args:?}: {err}");
        assert!(err.contains("is not a Rebound store"), "{args:?}: {err}");
    }
    match &h._schema {
        Some(schema) => {
            let base = testing::postgres_url("foreign").unwrap();
            let mut c = ::postgres::Client::connect(&base, ::postgres::NoTls).unwrap();
            let n: i64 = c
                .query_one(
                    "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = $1",
                    &[&schema.schema],
                )
                .unwrap()
                .get(0);
            assert_eq!(n, 1, "only the foreign table");
        }
        None => {
            assert_eq!(std::fs::read(&db).ok(), before, "the file was changed");
            let text_file = h.dir.join("notes.db");
            std::fs::write(&text_file, "not a database\n").unwrap();
            let o = h
                .rebound()
                .args(["report", "--db", path_str(&text_file)])
                .output()
                .unwrap();
            assert_eq!(o.status.code(), Some(1));
            assert!(
                text(&o).1.contains("not an SQLite database"),
                "{}",
                text(&o).1
            );
        }
    }
}

/// A read-only copy of a store can be checked (SQLite opened read-only: nothing written, no
/// journal switch); a store of an earlier version (no application id) opens, untouched by the
/// reading commands and marked by the next writer.
#[test]
fn read_only_copies_and_earlier_stores_can_be_checked() {
    let h = Harness::sqlite();
    assert!(
        h.run(&["suppressions", "add", "dead@example.com"], "")
            .status
            .success()
    );
    // A store as earlier versions made it: the tables, no application id.
    let c = rusqlite::Connection::open(&h.db).unwrap();
    c.pragma_update(None, "application_id", 0).unwrap();
    drop(c);
    let copy = h.dir.join("copy.db");
    std::fs::copy(&h.db, &copy).unwrap();
    let mut perms = std::fs::metadata(&copy).unwrap().permissions();
    perms.set_readonly(true);
    std::fs::set_permissions(&copy, perms).unwrap();
    let before = std::fs::read(&copy).unwrap();
    let o = h
        .rebound()
        .args([
            "suppressions",
            "check",
            "dead@example.com",
            "--db",
            path_str(&copy),
        ])
        .output()
        .unwrap();
    let (out, err) = text(&o);
    assert!(o.status.success(), "{err}");
    assert_eq!(out, "dead@example.com\tsuppressed\tmanual\n");
    assert_eq!(
        std::fs::read(&copy).unwrap(),
        before,
        "a reading command wrote"
    );
    let o = h.run(&["report", "--json"], "");
    assert!(o.status.success(), "{}", text(&o).1);
    let app_id = |p: &str| -> i64 {
        rusqlite::Connection::open(p)
            .unwrap()
            .pragma_query_value(None, "application_id", |r| r.get(0))
            .unwrap()
    };
    assert_eq!(app_id(&h.db), 0);
    assert!(
        h.run(&["suppressions", "add", "x@example.com"], "")
            .status
            .success()
    );
    assert_eq!(app_id(&h.db), 0x5242_4e44);
}

/// A server that accepts the TCP connection and never answers: `report` and `ingest` give up
/// after the connect timeout (the URL's `connect_timeout`, else 10 s) with a clear error and
/// exit 1, instead of hanging.
#[test]
fn a_silent_postgres_server_times_out() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    // Accept and hold connections, never writing a byte.
    std::thread::spawn(move || {
        let mut held = Vec::new();
        for s in listener.incoming() {
            held.push(s);
        }
    });
    let h = Harness::sqlite();
    let run = |args: &[&str]| {
        let start = Instant::now();
        let o = h.rebound().args(args).output().unwrap();
        (o, start.elapsed())
    };
    let quick = format!("postgres://nobody@127.0.0.1:{port}/none?connect_timeout=1");
    let (o, took) = run(&["report", "--db", &quick]);
    let err = text(&o).1;
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(err.contains("no answer within 1 s"), "{err}");
    assert!(took < Duration::from_secs(8), "{took:?}");
    let default = format!("postgres://nobody@127.0.0.1:{port}/none");
    let events = h.jsonl("e.jsonl", 0, 3);
    let (o, took) = run(&["ingest", "--db", &default, path_str(&events)]);
    let err = text(&o).1;
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(err.contains("no answer within 10 s"), "{err}");
    assert!(took < Duration::from_secs(20), "{took:?}");
}

/// A writer waiting for SQLite's write lock says so after a second (instead of 120 s of
/// silence), then goes on when the lock is released.
#[test]
fn a_sqlite_lock_wait_is_reported_after_a_second() {
    let h = Harness::sqlite();
    assert!(h.run(&["init"], "").status.success());
    let conn = rusqlite::Connection::open(&h.db).unwrap();
    conn.execute_batch("BEGIN IMMEDIATE").unwrap();
    let child = h
        .rebound()
        .args(["suppressions", "add", "late@example.com"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_millis(2500));
    conn.execute_batch("COMMIT").unwrap();
    let o = child.wait_with_output().unwrap();
    let err = text(&o).1;
    assert!(o.status.success(), "{err}");
    assert!(err.contains("waiting for the lock on"), "{err}");
    assert!(err.contains("1 addresses suppressed"), "{err}");
}

/// A store on read-only media (no `-shm` file can be made beside it) can still be checked.
/// Needs to mount a tmpfs (root); skipped, saying so, where that is not allowed.
#[test]
fn a_store_on_read_only_media_can_be_checked() {
    let h = Harness::sqlite();
    assert!(
        h.run(&["suppressions", "add", "dead@example.com"], "")
            .status
            .success()
    );
    let mnt = h.dir.join("media");
    std::fs::create_dir_all(&mnt).unwrap();
    let mounted = Command::new("mount")
        .args(["-t", "tmpfs", "none"])
        .arg(&mnt)
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !mounted {
        let _ = writeln!(
            std::io::stderr(),
            "skipped a_store_on_read_only_media_can_be_checked: cannot mount a tmpfs here"
        );
        return;
    }
    let guard = Mounted(mnt.clone());
    std::fs::copy(&h.db, mnt.join("copy.db")).unwrap();
    let remounted = Command::new("mount")
        .args(["-o", "remount,ro"])
        .arg(&mnt)
        .status()
        .unwrap();
    assert!(remounted.success());
    let copy = mnt.join("copy.db");
    let o = h
        .rebound()
        .args([
            "suppressions",
            "check",
            "dead@example.com",
            "ok@example.com",
            "--db",
        ])
        .arg(&copy)
        .output()
        .unwrap();
    let (out, err) = text(&o);
    assert!(o.status.success(), "{err}");
    assert_eq!(
        out,
        "dead@example.com\tsuppressed\tmanual\nok@example.com\tok\n"
    );
    drop(guard);
}

/// Unmounts a test's file system on drop.
struct Mounted(PathBuf);

impl Drop for Mounted {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg(&self.0).status();
    }
}
