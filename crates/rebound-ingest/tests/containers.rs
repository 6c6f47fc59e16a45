//! Containers end to end: mbox with `>From` escapes, Maildir (tmp/ skipped), directories,
//! CRLF and CR-only line endings, all through [`rebound_ingest::Messages`].

// Test helpers outside #[test] functions unwrap too: a failure there is a test failure.
#![allow(clippy::unwrap_used)]

use rebound_ingest::Messages;

const DSN: &str = "From: MAILER-DAEMON@example.org\nSubject: Undelivered Mail\nContent-Type: multipart/report; report-type=delivery-status; boundary=b\n\n--b\n\nSorry.\n--b\nContent-Type: message/delivery-status\n\nReporting-MTA: dns; mx.example.org\n\nFinal-Recipient: rfc822; RCPT\nAction: failed\nStatus: 5.1.1\nDiagnostic-Code: smtp; 550 5.1.1 unknown\n--b--\n";

fn tmp(name: &str) -> std::path::PathBuf {
    let d = std::env::temp_dir().join(format!("rebound-ingest-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

#[test]
fn mbox_maildir_and_line_endings() {
    let d = tmp("containers");
    let mut mbox = String::new();
    for r in ["a@example.com", "b@example.com"] {
        mbox.push_str("From MAILER-DAEMON Mon Jan  1 00:00:00 2024\n");
        mbox.push_str(
            &DSN.replace("RCPT", r)
                .replace("Sorry.", "Sorry.\n>From here"),
        );
        mbox.push('\n');
    }
    std::fs::write(d.join("box.mbox"), &mbox).unwrap();
    let md = d.join("Maildir");
    for sub in ["cur", "new", "tmp"] {
        std::fs::create_dir_all(md.join(sub)).unwrap();
        std::fs::write(
            md.join(sub).join("1.eml"),
            DSN.replace("RCPT", &format!("{sub}@example.com")),
        )
        .unwrap();
    }
    std::fs::write(
        d.join("crlf.eml"),
        DSN.replace("RCPT", "crlf@example.com")
            .replace('\n', "\r\n"),
    )
    .unwrap();
    std::fs::write(
        d.join("cr.eml"),
        DSN.replace("RCPT", "cr@example.com").replace('\n', "\r"),
    )
    .unwrap();
    let classifier = rebound_core::Classifier::builtin().unwrap();
    let mut seen = Vec::new();
    for m in Messages::new(&[&d]) {
        let m = m.unwrap();
        assert!(!String::from_utf8_lossy(&m.bytes).contains(">From here"));
        let origin = rebound_ingest::Origin {
            path: Some(m.path.to_string()),
            message: m.number,
        };
        let events =
            rebound_ingest::read_message(&m.bytes, &Default::default(), &classifier, &origin)
                .unwrap();
        for e in events {
            seen.push((
                e.recipient.unwrap(),
                e.source.message.unwrap(),
                e.reply.code,
            ));
        }
    }
    let names: Vec<_> = seen.iter().map(|s| s.0.as_str()).collect();
    assert_eq!(
        names,
        [
            "cur@example.com",
            "new@example.com",
            "a@example.com",
            "b@example.com",
            "cr@example.com",
            "crlf@example.com"
        ]
    );
    assert_eq!(seen[3].1, 2, "message numbers count within the mbox");
    assert!(seen.iter().all(|s| s.2 == Some(550)));
    let _ = std::fs::remove_dir_all(&d);
}

#[test]
fn missing_path_is_an_error_naming_it() {
    let err = Messages::new(&["/nonexistent/rebound"])
        .next()
        .unwrap()
        .unwrap_err();
    assert!(err.to_string().contains("/nonexistent/rebound"));
}

/// A directory with two symlink loops (to itself and to its parent) used to be walked without
/// end, exponentially; each directory is now read once and each loop skipped with a warning.
#[cfg(unix)]
#[test]
fn symlink_loops_are_walked_once_with_a_warning() {
    let d = tmp("loops");
    let inner = d.join("inner");
    std::fs::create_dir_all(&inner).unwrap();
    std::fs::write(d.join("a.eml"), DSN.replace("RCPT", "a@example.com")).unwrap();
    std::fs::write(inner.join("b.eml"), DSN.replace("RCPT", "b@example.com")).unwrap();
    std::os::unix::fs::symlink(&d, inner.join("up")).unwrap();
    std::os::unix::fs::symlink(&inner, inner.join("self")).unwrap();
    let warnings = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let seen = std::sync::Arc::clone(&warnings);
    let mut messages = Messages::new(&[&d]).on_warning(move |w| seen.lock().unwrap().push(w));
    let paths: Vec<String> = messages
        .by_ref()
        .map(|m| m.unwrap().path.to_string())
        .collect();
    assert_eq!(paths.len(), 2, "{paths:?}");
    assert_eq!(messages.loops, 2);
    let warnings = warnings.lock().unwrap();
    assert_eq!(warnings.len(), 2, "{warnings:?}");
    assert!(warnings[0].contains("symlink loop"), "{warnings:?}");
    // A directory given twice is two walks, each whole (the loops skipped in each).
    let twice = Messages::new(&[&d, &d]).count();
    assert_eq!(twice, 4);
    std::fs::remove_dir_all(&d).unwrap();
}
