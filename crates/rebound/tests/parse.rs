//! `rebound parse` end to end, through the real binary: the JSON fields issue 3 lists, header
//! tags (`--header X-Lead-Source`), `--jobs 2` giving the same output as `--jobs 1`, and a bad
//! file reported with its path and exit code 1 while the other files are still parsed.
//! Inputs are the repository's own fixtures (`tests/fixtures/mail`) and messages written here.

#![allow(clippy::unwrap_used)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/mail")
}

/// The `.eml` fixtures of some MTA folders (the folders also hold golden `.json` files).
fn eml_files(dirs: &[&str]) -> Vec<String> {
    let mut files: Vec<String> = dirs
        .iter()
        .flat_map(|d| std::fs::read_dir(fixtures().join(d)).unwrap())
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "eml"))
        .map(|p| p.display().to_string())
        .collect();
    files.sort();
    files
}

fn rebound(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_rebound"))
        .args(args)
        .output()
        .unwrap()
}

fn json_lines(out: &Output) -> Vec<serde_json::Value> {
    String::from_utf8(out.stdout.clone())
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

/// A scratch directory removed on drop.
struct Scratch(PathBuf);

impl Scratch {
    fn new(name: &str) -> Scratch {
        let dir = std::env::temp_dir().join(format!("rebound-parse-{name}-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        Scratch(dir)
    }

    fn write(&self, name: &str, bytes: &[u8]) -> String {
        let p = self.0.join(name);
        std::fs::write(&p, bytes).unwrap();
        p.display().to_string()
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// A DSN whose returned message carries `X-Lead-Source`.
const TAGGED: &str = "From: MAILER-DAEMON@mx.example.org\nTo: s@example.org\n\
Subject: Undelivered Mail Returned to Sender\n\
Content-Type: multipart/report; report-type=delivery-status; boundary=b\n\n\
--b\n\nSorry.\n--b\nContent-Type: message/delivery-status\n\n\
Reporting-MTA: dns; mx.example.org\n\n\
Final-Recipient: rfc822; jdoe@example.com\nAction: failed\nStatus: 5.1.1\n\
Remote-MTA: dns; mx.example.com\n\
Diagnostic-Code: smtp; 550 5.1.1 <jdoe@example.com>: User unknown\n\
--b\nContent-Type: message/rfc822\n\n\
From: s@example.org\nTo: jdoe@example.com\nMessage-ID: <m1@example.org>\n\
X-Lead-Source: spring-fair\nSubject: hello\n\nbody\n--b--\n";

#[test]
fn json_carries_the_listed_fields() {
    let files = eml_files(&["postfix", "exim"]);
    let mut args = vec!["parse", "--json"];
    args.extend(files.iter().map(String::as_str));
    let out = rebound(&args);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let events = json_lines(&out);
    assert!(!events.is_empty());
    for e in &events {
        for field in [
            "recipient",
            "sender",
            "status",
            "code",
            "text",
            "forward",
            "permanent",
            "reason",
            "bounce_type",
            "category",
            "severity",
            "action",
            "rule",
            "remote_mta",
            "reporting_mta",
            "message_id",
            "tags",
        ] {
            assert!(e.get(field).is_some(), "{field} missing in {e}");
        }
        let source = &e["source"];
        assert!(source["path"].as_str().unwrap().ends_with(".eml"));
        assert!(source["message"].as_u64().unwrap() >= 1);
        assert!(source["index"].as_u64().unwrap() >= 1);
    }
}

#[test]
fn header_tags_and_the_fields_of_one_bounce() {
    let dir = Scratch::new("tags");
    let path = dir.write("tagged.eml", TAGGED.as_bytes());
    let out = rebound(&["parse", "--json", "--header", "X-Lead-Source", &path]);
    assert!(out.status.success());
    let events = json_lines(&out);
    assert_eq!(events.len(), 1);
    let e = &events[0];
    assert_eq!(e["tags"]["x-lead-source"], "spring-fair");
    assert_eq!(e["recipient"], "jdoe@example.com");
    assert_eq!(e["code"], 550);
    assert_eq!(e["status"], "5.1.1");
    assert_eq!(e["reason"], "userunknown");
    assert_eq!(e["bounce_type"], "hard");
    assert_eq!(e["permanent"], true);
    assert_eq!(e["message_id"], "m1@example.org");
    assert_eq!(e["remote_mta"], "mx.example.com");
    assert_eq!(e["reporting_mta"], "mx.example.org");
    assert_eq!(e["source"]["message"], 1);
    assert_eq!(e["source"]["index"], 1);
    // Without --header, no tags.
    let out = rebound(&["parse", "--json", &path]);
    assert_eq!(json_lines(&out)[0]["tags"], serde_json::json!({}));
}

#[test]
fn two_jobs_give_the_same_output_as_one() {
    let files = eml_files(&["postfix", "exim", "opensmtpd", "malformed"]);
    let run = |jobs: &str| {
        let mut args = vec!["parse", "--json", "--jobs", jobs];
        args.extend(files.iter().map(String::as_str));
        rebound(&args)
    };
    let (one, two) = (run("1"), run("2"));
    assert_eq!(one.status.code(), two.status.code());
    assert!(!one.stdout.is_empty());
    assert_eq!(one.stdout, two.stdout);
}

#[test]
fn a_bad_file_is_reported_and_the_others_are_parsed() {
    let dir = Scratch::new("bad");
    let junk = dir.write("junk.eml", b"\x00\x01\x02 not a message \xff\xfe");
    let good = dir.write("good.eml", TAGGED.as_bytes());
    let missing = dir.0.join("missing.eml").display().to_string();
    for jobs in ["1", "2"] {
        let out = rebound(&["parse", "--json", "--jobs", jobs, &junk, &missing, &good]);
        assert_eq!(out.status.code(), Some(1));
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains(&junk), "{stderr}");
        assert!(stderr.contains(&missing), "{stderr}");
        let events = json_lines(&out);
        assert_eq!(events.len(), 1);
        assert_eq!(events[0]["source"]["path"], good.as_str());
    }
}

/// `rebound parse` over a directory with symlink loops ends, prints each event once, warns
/// about each loop and exits 0.
#[cfg(unix)]
#[test]
fn symlink_loops_end_with_a_warning() {
    let s = Scratch::new("loops");
    let dsn = std::fs::read(&eml_files(&["postfix"])[0]).unwrap();
    s.write("one.eml", &dsn);
    let sub = s.0.join("sub");
    std::fs::create_dir_all(&sub).unwrap();
    std::os::unix::fs::symlink(&s.0, sub.join("back")).unwrap();
    std::os::unix::fs::symlink(&s.0, sub.join("again")).unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_rebound"))
        .args(["parse", "--json", s.0.to_str().unwrap()])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let start = std::time::Instant::now();
    while child.try_wait().unwrap().is_none() {
        if start.elapsed() > std::time::Duration::from_secs(20) {
            child.kill().unwrap();
            panic!("rebound parse did not end on a symlink loop");
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    let out = child.wait_with_output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{err}");
    let once = json_lines(&out).len();
    let direct = json_lines(&rebound(&[
        "parse",
        "--json",
        &s.0.join("one.eml").display().to_string(),
    ]))
    .len();
    assert_eq!(once, direct);
    assert_eq!(err.matches("directory already read").count(), 2, "{err}");
}
