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
