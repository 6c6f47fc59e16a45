//! MTA log fixtures: every `tests/fixtures/log/<mta>/<case>.log` is sniffed (it must be
//! detected as its folder's format), read, and its events compared with `<case>.json`
//! (`REBOUND_BLESS=1` writes them; a mismatch writes `<case>.json.failed`). Also: garbled
//! lines are counted and skipped, the same bounce as a Postfix DSN email and as its log line
//! agree, memory stays bounded, and `follow` survives a real rotation.

#![allow(clippy::unwrap_used)]

mod common;

use common::{Golden, pick};
use rebound_core::{BounceEvent, Classifier};
use rebound_ingest::{InputKind, sniff};
use rebound_ingest::{LogFormat, LogOptions, LogReader, follow_log, read_log};
use rebound_ingest::{Options, Origin, read_message};
use serde_json::{Value, json};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, mpsc};
use std::time::{Duration, Instant};

fn fixtures() -> PathBuf {
    common::fixtures("")
}

fn options() -> LogOptions {
    LogOptions {
        year: Some(2026),
        ..LogOptions::default()
    }
}

fn summarize(e: &BounceEvent) -> Value {
    pick(
        e,
        &[("line", "message"), ("kind", "kind")],
        &[
            "recipient",
            "sender",
            "at",
            "code",
            "status",
            "command",
            "forward",
            "dsn_action",
            "remote_mta",
            "message_id",
            "permanent",
            "reason",
            "bounce_type",
            "rule",
            "provider_class",
            "tags",
        ],
    )
}

fn read(path: &Path, format: LogFormat, classifier: &Classifier) -> (Vec<BounceEvent>, Value) {
    let name = path.file_name().unwrap().to_string_lossy().to_string();
    let mut reader = LogReader::new(format, classifier, Some(name), &options());
    let input = std::io::BufReader::new(std::fs::File::open(path).unwrap());
    let events = read_log(input, &mut reader, 1 << 20).unwrap();
    let garbled: Vec<Value> = reader
        .stats()
        .first_garbled
        .iter()
        .map(|g| json!([g.line, g.why]))
        .collect();
    let got = json!({
        "events": events.iter().map(summarize).collect::<Vec<_>>(),
        "garbled": garbled,
    });
    (events, got)
}

fn format_of(dir: &str, file: &str) -> LogFormat {
    LogFormat::from_name(dir)
        .or_else(|| LogFormat::from_name(file.split('-').next().unwrap()))
        .unwrap_or_else(|| panic!("{dir}/{file}: no format"))
}

#[test]
fn log_fixtures_match_golden_files() {
    let classifier = Classifier::builtin().unwrap();
    let mut golden = Golden::new();
    let mut dirs: Vec<_> = std::fs::read_dir(fixtures().join("log"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir())
        .collect();
    dirs.sort();
    for dir in dirs {
        let dir_name = dir.file_name().unwrap().to_string_lossy().to_string();
        let mut files: Vec<_> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| {
                p.extension()
                    .is_some_and(|x| x == "log" || x == "jsonl" || x == "csv")
            })
            .collect();
        files.sort();
        for path in files {
            let file = path.file_name().unwrap().to_string_lossy().to_string();
            let format = format_of(&dir_name, &file);
            if dir_name != "malformed" {
                let head = std::fs::read(&path).unwrap();
                assert_eq!(
                    sniff(&head),
                    InputKind::Log(format),
                    "{dir_name}/{file}: detection"
                );
            }
            let (_, got) = read(&path, format, &classifier);
            golden.check(
                &format!("{dir_name}/{file}"),
                &path.with_extension("json"),
                &got,
            );
        }
    }
    golden.finish(40);
}

#[test]
fn garbled_lines_are_counted_and_skipped() {
    let classifier = Classifier::builtin().unwrap();
    let path = fixtures().join("log/malformed/postfix-garbled.log");
    let (events, got) = read(&path, LogFormat::Postfix, &classifier);
    // The bounce still comes through, with its sender, around the garbage.
    assert_eq!(events.len(), 1);
    assert_eq!(
        events[0].recipient.as_deref(),
        Some("user-unknown@remote.test")
    );
    assert_eq!(
        events[0].sender.as_deref(),
        Some("bounces+user-unknown@postfix.test")
    );
    let lines: Vec<u64> = got["garbled"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g[0].as_u64().unwrap())
        .collect();
    assert_eq!(lines, [2, 7, 8, 9]);
}

#[test]
fn a_ten_megabyte_line_is_skipped() {
    let classifier = Classifier::builtin().unwrap();
    let mut raw = vec![b'x'; 10 << 20];
    raw.push(b'\n');
    raw.extend_from_slice(
        std::fs::read(fixtures().join("log/postfix/user-unknown.log"))
            .unwrap()
            .as_slice(),
    );
    let mut reader = LogReader::new(LogFormat::Postfix, &classifier, None, &options());
    let events = read_log(&raw[..], &mut reader, 1 << 20).unwrap();
    assert_eq!(events.len(), 1);
    assert_eq!(reader.stats().garbled, 1);
    assert_eq!(reader.stats().first_garbled[0].line, 1);
}

/// The same bounce as the Postfix DSN email and as the Postfix log line of the same case
/// (two runs of the same lab) gives the same recipient, status and verdict.
#[test]
fn postfix_dsn_email_and_log_line_agree() {
    let classifier = Classifier::builtin().unwrap();
    let mut compared = 0;
    for entry in std::fs::read_dir(fixtures().join("mail/postfix")).unwrap() {
        let eml = entry.unwrap().path();
        let name = eml.file_name().unwrap().to_string_lossy().to_string();
        if !name.ends_with(".eml") || name.contains(".delayed.") {
            continue;
        }
        let log = fixtures()
            .join("log/postfix")
            .join(name.replace(".eml", ".log"));
        if !log.exists() {
            continue;
        }
        let raw = std::fs::read(&eml).unwrap();
        let mail =
            read_message(&raw, &Options::default(), &classifier, &Origin::default()).unwrap();
        let (logged, _) = read(&log, LogFormat::Postfix, &classifier);
        for m in mail
            .iter()
            .filter(|e| e.dsn_action == Some(rebound_core::DsnAction::Failed))
        {
            let l = logged
                .iter()
                .rev()
                .find(|e| {
                    e.recipient == m.recipient
                        && e.dsn_action == Some(rebound_core::DsnAction::Failed)
                })
                .unwrap_or_else(|| panic!("{name}: no failed log event for {:?}", m.recipient));
            let key = |e: &BounceEvent| {
                (
                    e.recipient.clone(),
                    e.reply.status.map(|s| s.to_string()),
                    e.classification.reason,
                    e.classification.bounce_type,
                )
            };
            assert_eq!(key(l), key(m), "{name}");
            compared += 1;
        }
    }
    assert!(compared >= 9, "only {compared} bounces compared");
}

#[test]
fn memory_stays_bounded() {
    let classifier = Classifier::builtin().unwrap();
    let opts = LogOptions {
        year: Some(2026),
        max_open: 100,
        ..LogOptions::default()
    };
    let mut reader = LogReader::new(LogFormat::Postfix, &classifier, None, &opts);
    let mut out = Vec::new();
    for i in 0..10_000u64 {
        // Messages that never log `removed`.
        let line = format!(
            "2026-11-27T02:37:06+00:00 h postfix/qmgr[1]: Q{i:010}: from=<s@x.test>, size=1, nrcpt=1 (queue active)"
        );
        reader.line(i + 1, line.as_bytes(), &mut out);
    }
    assert_eq!(reader.stats().evicted, 10_000 - 100);
}

#[test]
fn follow_survives_rotation() {
    let classifier = Classifier::builtin().unwrap();
    let dir = std::env::temp_dir().join(format!("rebound-follow-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("mail.log");
    let source = std::fs::read_to_string(fixtures().join("log/postfix/user-unknown.log")).unwrap();
    let second = std::fs::read_to_string(fixtures().join("log/postfix/unauth.log")).unwrap();
    std::fs::write(&path, &source).unwrap();
    let stop = Arc::new(AtomicBool::new(false));
    let (tx, rx) = mpsc::channel();
    let (p, s) = (path.clone(), Arc::clone(&stop));
    let handle = std::thread::spawn(move || {
        let classifier = Classifier::builtin().unwrap();
        let stop_now = || s.load(Ordering::Relaxed);
        follow_log(
            &p,
            LogFormat::Postfix,
            &classifier,
            &options(),
            &stop_now,
            &mut |e| tx.send(e.recipient).map_err(std::io::Error::other),
        )
        .unwrap()
    });
    let first = rx.recv_timeout(Duration::from_secs(10)).unwrap();
    assert_eq!(first.as_deref(), Some("user-unknown@remote.test"));
    // Rotate: rename the file away, create a new one, write the next case into it.
    std::fs::rename(&path, dir.join("mail.log.1")).unwrap();
    std::thread::sleep(Duration::from_millis(300));
    std::fs::write(&path, &second).unwrap();
    let next = rx.recv_timeout(Duration::from_secs(10)).unwrap();
    assert_eq!(next.as_deref(), Some("unauth@remote.test"));
    stop.store(true, Ordering::Relaxed);
    let started = Instant::now();
    let stats = handle.join().unwrap();
    assert!(started.elapsed() < Duration::from_secs(5));
    assert_eq!(stats.events, 2);
    drop(classifier);
    let _ = std::fs::remove_dir_all(&dir);
}

/// The deliveries of a log, as `recipient (mta)`, read with `deliveries` on.
fn deliveries(dir: &str, case: &str) -> Vec<String> {
    let classifier = Classifier::builtin().unwrap();
    let format = LogFormat::from_name(dir).unwrap();
    let opts = LogOptions {
        deliveries: true,
        ..options()
    };
    let mut reader = LogReader::new(format, &classifier, None, &opts);
    let path = fixtures().join("log").join(dir).join(format!("{case}.log"));
    let input = std::io::BufReader::new(std::fs::File::open(path).unwrap());
    read_log(input, &mut reader, 1 << 20)
        .unwrap()
        .into_iter()
        .filter(|e| e.dsn_action == Some(rebound_core::DsnAction::Delivered))
        .map(|e| {
            assert_eq!(e.classification.bounce_type.as_str(), "none");
            format!(
                "{} from {}",
                e.recipient.unwrap(),
                e.sender.unwrap_or_else(|| "?".into())
            )
        })
        .collect()
}

#[test]
fn deliveries_are_read_only_when_asked_and_never_of_bounces() {
    // Real lab logs: the one recipient of multi-rcpt that was accepted; the bounces the
    // MTAs then delivered to the local bounce mailbox (null sender) are not sends.
    assert_eq!(
        deliveries("postfix", "multi-rcpt"),
        ["multi-ok@remote.test from bounces+multi-rcpt@postfix.test"]
    );
    assert_eq!(
        deliveries("exim", "multi-rcpt"),
        ["multi-ok@remote.test from bounces+multi-rcpt@exim.test"]
    );
    assert_eq!(
        deliveries("opensmtpd", "multi-rcpt"),
        ["multi-ok@remote.test from bounces+multi-rcpt@opensmtpd.test"]
    );
    assert_eq!(
        deliveries("exim", "conn-refused"),
        ["ok@remote.test from bounces+conn-refused@exim.test"]
    );
    // Public Sendmail excerpt: `stat=Sent` of the submission relay.
    assert_eq!(deliveries("sendmail", "user-unknown").len(), 1);
    // Off by default: the golden files hold no deliveries.
    let classifier = Classifier::builtin().unwrap();
    let (events, _) = read(
        &fixtures().join("log/postfix/multi-rcpt.log"),
        LogFormat::Postfix,
        &classifier,
    );
    assert!(
        events
            .iter()
            .all(|e| e.dsn_action != Some(rebound_core::DsnAction::Delivered))
    );
}

#[test]
fn journal_exports_read_as_the_logs_they_hold() {
    let classifier = Classifier::builtin().unwrap();
    for (journal, log, format) in [
        (
            "postfix-user-unknown",
            "postfix/user-unknown",
            LogFormat::Postfix,
        ),
        ("exim-user-unknown", "exim/user-unknown", LogFormat::Exim),
    ] {
        let path = fixtures().join("journal").join(format!("{journal}.jsonl"));
        let kind = sniff(&std::fs::read(&path).unwrap());
        assert_eq!(kind, InputKind::Journal(format), "{journal}");
        let mut got = Vec::new();
        let stats =
            rebound_ingest::read_foreign(&path, kind, &classifier, &options(), None, &mut |e| {
                got.push(e);
                Ok(())
            })
            .unwrap();
        assert_eq!(stats.garbled, 0, "{journal}: {:?}", stats.first_garbled);
        let (want, _) = read(
            &fixtures().join("log").join(format!("{log}.log")),
            format,
            &classifier,
        );
        let key = |e: &BounceEvent| {
            let mut v = summarize(e);
            v.as_object_mut().unwrap().remove("kind");
            v
        };
        assert!(!want.is_empty());
        assert_eq!(
            got.iter().map(key).collect::<Vec<_>>(),
            want.iter().map(key).collect::<Vec<_>>(),
            "{journal}"
        );
    }
}
