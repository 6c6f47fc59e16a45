//! The command line under hostile conditions, through the real binary: a reader that closes
//! the pipe, control characters from bounces on the terminal, and inputs without end
//! (`/dev/zero`) as rule, policy, CSV and address input.

#![allow(clippy::unwrap_used)]

use std::io::Write;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

fn rebound() -> Command {
    Command::new(env!("CARGO_BIN_EXE_rebound"))
}

fn text(o: &Output) -> (String, String) {
    (
        String::from_utf8_lossy(&o.stdout).into_owned(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

/// `rebound rules list | head -1` and friends: the reader is gone before the output is
/// written; the command ends quietly with exit 0, never a panic (exit 101).
#[test]
fn a_closed_pipe_ends_quietly() {
    let runs: [&[&str]; 4] = [
        &["rules", "list"],
        &["codes"],
        &["explain", "551"],
        &["classify", "550 5.1.1 user unknown"],
    ];
    for args in runs {
        let mut child = rebound()
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        drop(child.stdout.take());
        let o = child.wait_with_output().unwrap();
        let err = text(&o).1;
        assert_eq!(o.status.code(), Some(0), "{args:?}: {err}");
        assert!(!err.contains("panicked"), "{args:?}: {err}");
    }
    // A long stream into a reader that stops after one line.
    let mut child = rebound()
        .args(["classify"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let feeder = std::thread::spawn(move || {
        for _ in 0..200_000 {
            if stdin.write_all(b"550 5.1.1 user unknown\n").is_err() {
                break;
            }
        }
    });
    let mut first = [0u8; 16];
    std::io::Read::read_exact(child.stdout.as_mut().unwrap(), &mut first).unwrap();
    drop(child.stdout.take());
    let o = child.wait_with_output().unwrap();
    feeder.join().unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", text(&o).1);
    assert!(!text(&o).1.contains("panicked"));
}

/// ANSI (CSI) and OSC escapes, BEL, NUL and bidi overrides in a reply reach the terminal
/// escaped in `classify`'s text output; `--json` keeps the text, JSON-escaped.
#[test]
fn classify_escapes_control_characters_on_the_terminal() {
    let hostile = "550 5.1.1 <a\u{1b}[31m@example.com> \u{1b}]0;owned\u{7} gone\u{202e}x \u{1b}[2J";
    let o = rebound().args(["classify", hostile]).output().unwrap();
    let (out, err) = text(&o);
    assert!(o.status.success(), "{err}");
    assert!(
        !out.contains('\u{1b}') && !out.contains('\u{7}') && !out.contains('\u{202e}'),
        "{out:?}"
    );
    assert!(
        out.starts_with("550 5.1.1 <a\\x1b[31m@example.com> \\x1b]0;owned\\x07 gone\\u{202e}x"),
        "{out}"
    );
    let o = rebound()
        .args(["classify", "--json", hostile])
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["input"], hostile);
}

fn fails_fast_naming(args: &[&str], stdin: Option<&[u8]>, expect: &str) {
    let start = Instant::now();
    let mut child = rebound()
        .args(args)
        .stdin(if stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    if let Some(bytes) = stdin {
        let mut w = child.stdin.take().unwrap();
        let bytes = bytes.to_vec();
        std::thread::spawn(move || {
            let _ = w.write_all(&bytes);
        });
    }
    let o = child.wait_with_output().unwrap();
    let (out, err) = text(&o);
    assert_eq!(o.status.code(), Some(1), "{args:?}: {out}{err}");
    assert!(err.contains(expect), "{args:?}: {err}");
    assert!(
        start.elapsed() < Duration::from_secs(20),
        "{args:?} took {:?}",
        start.elapsed()
    );
}

/// Inputs without end or too big: each read is bounded and the error names the limit.
#[test]
fn endless_inputs_fail_fast_naming_the_limit() {
    fails_fast_naming(
        &["--rules", "/dev/zero", "rules", "list"],
        None,
        "rule file /dev/zero is larger than 8388608 bytes, the limit for a rule file",
    );
    fails_fast_naming(
        &["rules", "check", "/dev/zero"],
        None,
        "larger than 8388608 bytes",
    );
    fails_fast_naming(
        &["--rules", "/dev/zero", "classify", "550 x"],
        None,
        "the limit for a rule file",
    );
    fails_fast_naming(
        &["suppressions", "policy", "--policy", "/dev/zero"],
        None,
        "policy file /dev/zero is larger than 1048576 bytes, the limit for a policy file",
    );
    let dir = std::env::temp_dir().join(format!("rebound-hygiene-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let db = dir.join("s.db").display().to_string();
    assert!(
        rebound()
            .args(["init", "--db", &db])
            .output()
            .unwrap()
            .status
            .success()
    );
    fails_fast_naming(
        &["suppressions", "import", "--csv", "/dev/zero", "--db", &db],
        None,
        "longer than 1048576 bytes, the limit for a line",
    );
    let mut long = vec![b'a'; 3 << 20];
    long.extend_from_slice(b"\nok@example.com\n");
    let o = {
        let mut child = rebound()
            .args(["suppressions", "check", "--db", &db])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut w = child.stdin.take().unwrap();
        std::thread::spawn(move || {
            let _ = w.write_all(&long);
        });
        child.wait_with_output().unwrap()
    };
    let (out, err) = text(&o);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert_eq!(out, "(line 1: too long)\tinvalid\nok@example.com\tok\n");
    assert!(err.contains("longer than 1048576 bytes"), "{err}");
    std::fs::remove_dir_all(&dir).unwrap();
}

/// Usage errors exit 2, as `rebound --help` documents (0 ok, 1 error, 2 usage), with a
/// message naming the bad value; a missing store stays an error (1), not a usage error.
#[test]
fn usage_errors_exit_2_naming_the_bad_value() {
    let dir = std::env::temp_dir().join(format!("rebound-usage-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let db = dir.join("store.db");
    let db = db.to_str().unwrap();
    let runs: [(&[&str], &str); 7] = [
        (&["report", "--db", db, "--since", "yesterday"], "yesterday"),
        (&["codes", "--category", "nonsense"], "nonsense"),
        (&["report", "--db", "mysql://u@h/db"], "mysql"),
        (&["suppressions", "list", "--db", "mysql://u@h/db"], "mysql"),
        (&["ingest", "--db", "mysql://u@h/db", "-"], "mysql"),
        (
            &["report", "--db", "postgres://u@127.0.0.1:notaport/db"],
            "notaport",
        ),
        (&["parse", "--format", "nonsense", "-"], "nonsense"),
    ];
    for (args, needle) in runs {
        let o = rebound()
            .args(args)
            .env("XDG_DATA_HOME", dir.join("data"))
            .stdin(Stdio::null())
            .output()
            .unwrap();
        let (_, err) = text(&o);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {err}");
        assert!(err.contains(needle), "{args:?}: {err}");
    }
    // REBOUND_DB is read like --db.
    let o = rebound()
        .args(["report"])
        .env("REBOUND_DB", "mysql://u@h/db")
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2), "{}", text(&o).1);
    // Well-formed but missing: an error, exit 1.
    let o = rebound()
        .args(["report", "--db", dir.join("typo.db").to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1), "{}", text(&o).1);
    // A known category is accepted.
    let o = rebound()
        .args(["codes", "--category", "routing"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0));
    let _ = std::fs::remove_dir_all(&dir);
}
