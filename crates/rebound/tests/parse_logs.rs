//! `rebound parse` on MTA logs and webhook bodies, through the real binary: detection, the
//! event shape, garbled lines reported with their number, and `--follow` across a real
//! rotation of the log file.

#![allow(clippy::unwrap_used)]

use serde_json::Value;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

fn fixture(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/fixtures")
        .join(rel)
}

fn parse(args: &[&str]) -> (Vec<Value>, String, i32) {
    let out = Command::new(env!("CARGO_BIN_EXE_rebound"))
        .arg("parse")
        .args(args)
        .output()
        .unwrap();
    let events = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    (
        events,
        String::from_utf8_lossy(&out.stderr).into_owned(),
        out.status.code().unwrap_or(-1),
    )
}

#[test]
fn logs_and_webhooks_are_detected() {
    let log = fixture("log/postfix/user-unknown.log");
    let (events, _, code) = parse(&["--json", log.to_str().unwrap()]);
    assert_eq!(code, 0);
    assert_eq!(events.len(), 1);
    let e = &events[0];
    assert_eq!(e["recipient"], "user-unknown@remote.test");
    assert_eq!(e["reason"], "userunknown");
    assert_eq!(e["source"]["kind"], "log");
    assert_eq!(e["source"]["message"], 6);
    let hook = fixture("webhook/ses/sns-envelope-bounce.json");
    let (events, _, code) = parse(&["--json", hook.to_str().unwrap()]);
    assert_eq!(code, 0);
    assert_eq!(events[0]["provider_class"], "Permanent/General");
    assert_eq!(events[0]["source"]["kind"], "webhook");
    // A mail fixture still goes through the mail reader, in the same run.
    let eml = fixture("mail/postfix/user-unknown.eml");
    let (events, _, _) = parse(&["--json", eml.to_str().unwrap(), log.to_str().unwrap()]);
    assert_eq!(events.len(), 2);
}

#[test]
fn format_option_and_garbled_lines() {
    let exim = fixture("log/exim/user-unknown.log");
    let (events, _, _) = parse(&["--json", "--format", "exim", exim.to_str().unwrap()]);
    assert_eq!(events[0]["recipient"], "user-unknown@remote.test");
    let bad = fixture("log/malformed/postfix-garbled.log");
    let (events, stderr, code) = parse(&["--json", "--format", "postfix", bad.to_str().unwrap()]);
    assert_eq!(events.len(), 1);
    assert_eq!(code, 1);
    assert!(stderr.contains("line 2: skipped"), "{stderr}");
    let (_, stderr, code) = parse(&["--format", "nope", exim.to_str().unwrap()]);
    assert_eq!(code, 2);
    assert!(stderr.contains("unknown format"), "{stderr}");
}

#[test]
fn follow_survives_rotation() {
    let dir = std::env::temp_dir().join(format!("rebound-cli-follow-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("mail.log");
    std::fs::write(
        &path,
        std::fs::read(fixture("log/postfix/user-unknown.log")).unwrap(),
    )
    .unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_rebound"))
        .args(["parse", "--json", "--follow", "--format", "postfix"])
        .arg(&path)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines() {
            let Ok(line) = line else { break };
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    let first: Value =
        serde_json::from_str(&rx.recv_timeout(Duration::from_secs(20)).unwrap()).unwrap();
    assert_eq!(first["recipient"], "user-unknown@remote.test");
    // logrotate's default: rename, then a new file under the old name.
    std::fs::rename(&path, dir.join("mail.log.1")).unwrap();
    std::thread::sleep(Duration::from_millis(400));
    std::fs::write(
        &path,
        std::fs::read(fixture("log/postfix/unauth.log")).unwrap(),
    )
    .unwrap();
    let second: Value =
        serde_json::from_str(&rx.recv_timeout(Duration::from_secs(20)).unwrap()).unwrap();
    assert_eq!(second["recipient"], "unauth@remote.test");
    assert_eq!(second["source"]["message"], 6);
    child.kill().unwrap();
    child.wait().unwrap();
    let _ = std::fs::remove_dir_all(&dir);
}

/// A copy of fixture `rel` at `dir/name`.
fn copy(rel: &str, dir: &Path, name: &str) {
    std::fs::copy(fixture(rel), dir.join(name)).unwrap();
}

#[test]
fn a_directory_of_logs_webhooks_and_mail_is_read_whole() {
    let dir = std::env::temp_dir().join(format!("rebound-cli-dir-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("sub")).unwrap();
    copy("log/postfix/user-unknown.log", &dir, "mail.log");
    copy("log/exim/nxdomain.log", &dir, "exim-mainlog");
    copy("webhook/sendgrid/bounce-docs.json", &dir, "hook-1.json");
    copy("sends/bodies.jsonl", &dir, "hooks.jsonl");
    copy("mail/postfix/user-unknown.eml", &dir, "bounce.eml");
    copy(
        "log/opensmtpd/user-unknown.log",
        &dir.join("sub"),
        "maillog",
    );
    copy(
        "journal/postfix-user-unknown.jsonl",
        &dir.join("sub"),
        "journal.json",
    );
    let (events, stderr, code) = parse(&["--json", dir.to_str().unwrap()]);
    let mut got: Vec<String> = events
        .iter()
        .map(|e| {
            format!(
                "{} {} {}",
                e["source"]["path"]
                    .as_str()
                    .unwrap()
                    .rsplit('/')
                    .next()
                    .unwrap(),
                e["source"]["reader"].as_str().unwrap(),
                e["recipient"].as_str().unwrap()
            )
        })
        .collect();
    got.sort();
    assert_eq!(
        got,
        [
            "bounce.eml dsn user-unknown@remote.test",
            "exim-mainlog exim user@nxdomain.test",
            "hook-1.json sendgrid example@test.com",
            "hooks.jsonl postmark bounce@example.com",
            "hooks.jsonl sendgrid example@test.com",
            "journal.json postfix user-unknown@remote.test",
            "mail.log postfix user-unknown@remote.test",
            "maillog opensmtpd user-unknown@remote.test",
        ],
        "{stderr}"
    );
    // Line 3 of the JSON lines is no webhook body: named, the rest read, exit code 1.
    assert_eq!(code, 1);
    assert!(
        stderr.contains("hooks.jsonl: line 3: skipped: not a webhook body"),
        "{stderr}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn mta_verdicts_and_refusals_are_read() {
    let (events, _, code) = parse(&["--json", fixture("log/exim/nxdomain.log").to_str().unwrap()]);
    assert_eq!(code, 0);
    assert_eq!(events[0]["permanent"], true, "Exim's ** says failed");
    assert_eq!(events[0]["dsn_action"], "failed");
    let (events, _, code) = parse(&[
        "--json",
        fixture("log/postfix/refusals.log").to_str().unwrap(),
    ]);
    assert_eq!(code, 0);
    assert_eq!(events.len(), 4, "the CONNECT refusal names no recipient");
    let e = &events[0];
    assert_eq!(e["recipient"], "nobody@postfix.test");
    assert_eq!(e["provider_class"], "refused");
    assert_eq!(e["tags"]["client"], "unknown[127.0.0.11]");
    assert_eq!(e["tags"]["stage"], "rcpt");
    assert_eq!(e["command"], "rcpt");
    assert_eq!(e["reason"], "userunknown");
    assert_eq!(events[2]["permanent"], false, "a 450 refusal is temporary");
}

#[test]
fn follow_streams_table_rows_from_an_empty_file_across_rotation() {
    let dir = std::env::temp_dir().join(format!("rebound-cli-follow-table-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("mail.log");
    std::fs::write(&path, b"").unwrap();
    // Table mode, format sniffed: nothing to sniff until the first line arrives.
    let mut child = Command::new(env!("CARGO_BIN_EXE_rebound"))
        .args(["parse", "--follow"])
        .arg(&path)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines() {
            let Ok(line) = line else { break };
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    let row_with = |needle: &str| loop {
        let line = rx.recv_timeout(Duration::from_secs(20)).unwrap();
        if line.contains(needle) {
            return line;
        }
    };
    std::thread::sleep(Duration::from_millis(500));
    std::fs::write(
        &path,
        std::fs::read(fixture("log/postfix/user-unknown.log")).unwrap(),
    )
    .unwrap();
    let row = row_with("user-unknown@remote.test");
    assert!(row.contains("userunknown") && row.contains("hard"), "{row}");
    std::fs::rename(&path, dir.join("mail.log.1")).unwrap();
    std::thread::sleep(Duration::from_millis(400));
    std::fs::write(
        &path,
        std::fs::read(fixture("log/postfix/unauth.log")).unwrap(),
    )
    .unwrap();
    let row = row_with("unauth@remote.test");
    assert!(row.contains("mail.log:6:1"), "{row}");
    child.kill().unwrap();
    child.wait().unwrap();
    let _ = std::fs::remove_dir_all(&dir);
}
