//! What the end-to-end tests share: running the real `rebound` binary.
#![allow(dead_code, clippy::expect_used)]

pub mod http;
pub mod store;

use std::io::Write;
use std::process::{Command, Output, Stdio};

/// Runs `rebound ARGS...` with `stdin` on its standard input (written from another thread, so
/// a large input cannot dead-lock against a full stdout pipe) and returns what it did.
pub fn rebound(args: &[&str], stdin: &[u8]) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_rebound"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary runs");
    let mut input = child.stdin.take().expect("stdin is piped");
    let data = stdin.to_vec();
    let writer = std::thread::spawn(move || {
        // The binary may exit before reading everything (a usage error): that is not ours.
        let _ = input.write_all(&data);
    });
    let out = child.wait_with_output().expect("the binary finishes");
    writer.join().expect("the stdin writer finishes");
    out
}

/// Standard output as one JSON value per line.
pub fn json_lines(out: &Output) -> Vec<serde_json::Value> {
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).expect("one JSON object per line"))
        .collect()
}

/// Whether the tests run as root (the private MTA and IMAP servers need it).
pub fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| o.stdout.trim_ascii() == b"0")
}

/// Waits up to 10 s for the daemon whose pid file is `pid_file` to exit (a zombie counts as
/// gone); returns at once when the file is missing or empty.
pub fn wait_for_exit(pid_file: &std::path::Path) {
    let pid = std::fs::read_to_string(pid_file).unwrap_or_default();
    let pid = pid.trim();
    if pid.is_empty() {
        return;
    }
    let stat = format!("/proc/{pid}/stat");
    let running = || {
        std::fs::read_to_string(&stat)
            .is_ok_and(|s| s.rsplit(") ").next().is_some_and(|r| !r.starts_with('Z')))
    };
    let start = std::time::Instant::now();
    while running() && start.elapsed() < std::time::Duration::from_secs(10) {
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
}
