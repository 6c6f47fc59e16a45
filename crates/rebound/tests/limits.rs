//! A reading limit that drops evidence is never silent in the CLI: `rebound parse` and
//! `rebound ingest` warn on stderr naming the message and the limit, the `parse` summary
//! counts the events, and `parse --json` carries `truncated` (docs/event.md).

#![allow(clippy::unwrap_used)]

mod common;

use common::{json_lines, rebound};
use std::path::PathBuf;

/// A scratch directory removed on drop.
struct Scratch(PathBuf);

impl Scratch {
    fn new(name: &str) -> Scratch {
        let dir =
            std::env::temp_dir().join(format!("rebound-limits-{name}-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        Scratch(dir)
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// A report whose delivery-status part comes after 1,000 other parts.
fn many_parts() -> Vec<u8> {
    let mut m = String::from(
        "From: MAILER-DAEMON@mx.example.org\nTo: s@example.org\nSubject: Undelivered Mail\n\
Content-Type: multipart/report; boundary=b\n\n",
    );
    for i in 0..1_000 {
        m.push_str(&format!("--b\nContent-Type: text/plain\n\npart {i}\n"));
    }
    m.push_str(
        "--b\nContent-Type: message/delivery-status\n\nReporting-MTA: dns; mx.example.org\n\n\
Final-Recipient: rfc822; late@example.com\nAction: failed\nStatus: 5.1.1\n--b--\n",
    );
    m.into_bytes()
}

/// A DSN within every limit.
const PLAIN: &str = "From: MAILER-DAEMON@mx.example.org\nTo: s@example.org\n\
Subject: Undelivered Mail\nContent-Type: multipart/report; boundary=b\n\n--b\n\
Content-Type: message/delivery-status\n\nReporting-MTA: dns; mx.example.org\n\n\
Final-Recipient: rfc822; a@example.com\nAction: failed\nStatus: 5.1.1\n\
Diagnostic-Code: smtp; 550 5.1.1 User unknown\n--b--\n";

#[test]
fn parse_warns_counts_and_marks_cut_evidence() {
    let dir = Scratch::new("parse");
    let cut = dir.0.join("parts.eml");
    std::fs::write(&cut, many_parts()).unwrap();
    let plain = dir.0.join("plain.eml");
    std::fs::write(&plain, PLAIN).unwrap();
    let (cut, plain) = (cut.to_str().unwrap(), plain.to_str().unwrap());

    let out = rebound(&["parse", cut, plain], b"");
    let stderr = String::from_utf8_lossy(&out.stderr);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(
        stderr.contains("warning:")
            && stderr.contains("parts.eml: message 1")
            && stderr.contains("mime-parts"),
        "{stderr}"
    );
    assert!(!stderr.contains("plain.eml"), "{stderr}");
    assert!(
        stdout.contains("1 recipients read from evidence cut by reading limits"),
        "{stdout}"
    );

    let out = rebound(&["parse", "--json", cut, plain], b"");
    assert!(String::from_utf8_lossy(&out.stderr).contains("mime-parts"));
    let events = json_lines(&out);
    assert_eq!(events.len(), 2);
    assert_eq!(events[0]["truncated"], serde_json::json!(["mime-parts"]));
    assert_eq!(events[1]["truncated"], serde_json::json!([]));

    // Within the limits: no warning, no count.
    let out = rebound(&["parse", plain], b"");
    assert!(
        out.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(!String::from_utf8_lossy(&out.stdout).contains("cut by reading limits"));
}

#[test]
fn ingest_warns_about_cut_evidence() {
    let dir = Scratch::new("ingest");
    let cut = dir.0.join("parts.eml");
    std::fs::write(&cut, many_parts()).unwrap();
    let db = dir.0.join("store.db");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_rebound"))
        .args([
            "ingest",
            "--db",
            db.to_str().unwrap(),
            cut.to_str().unwrap(),
        ])
        .env("XDG_DATA_HOME", dir.0.join("data"))
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(
        stderr.contains("warning:") && stderr.contains("mime-parts"),
        "{stderr}"
    );
}
