//! What the golden-file tests share: where the fixtures are, the fields of an event they
//! compare, and the compare-or-bless step (`REBOUND_BLESS=1` writes the expected files; a
//! mismatch writes the actual output beside the expected file as `<expected>.failed`).
#![allow(dead_code, clippy::unwrap_used)]

use rebound_core::BounceEvent;
use serde_json::Value;
use std::path::{Path, PathBuf};

/// `tests/fixtures/<kind>` at the repository root.
pub fn fixtures(kind: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/fixtures")
        .join(kind)
}

/// The fields of `e` a golden file holds: `source` fields renamed (`(name, field of
/// source)`), then top-level `keys` (null when absent).
pub fn pick(e: &BounceEvent, source: &[(&str, &str)], keys: &[&str]) -> Value {
    let v = serde_json::to_value(e).unwrap();
    let mut out = serde_json::Map::new();
    for (name, field) in source {
        out.insert((*name).into(), v["source"][*field].clone());
    }
    for k in keys {
        out.insert((*k).into(), v.get(*k).cloned().unwrap_or(Value::Null));
    }
    Value::Object(out)
}

/// Compares outputs with their golden files, or writes them when blessing.
pub struct Golden {
    bless: bool,
    checked: usize,
    failed: Vec<String>,
}

impl Golden {
    /// Reads `REBOUND_BLESS` once.
    pub fn new() -> Golden {
        Golden {
            bless: std::env::var_os("REBOUND_BLESS").is_some(),
            checked: 0,
            failed: Vec::new(),
        }
    }

    /// Checks `got` against the file at `expected` (or writes it when blessing).
    pub fn check(&mut self, name: &str, expected: &Path, got: &Value) {
        let pretty = serde_json::to_string_pretty(got).unwrap() + "\n";
        let failed = PathBuf::from(format!("{}.failed", expected.display()));
        if self.bless {
            std::fs::write(expected, &pretty).unwrap();
            return;
        }
        let text = std::fs::read_to_string(expected)
            .unwrap_or_else(|_| panic!("{name}: no golden file {}", expected.display()));
        let want: Value = serde_json::from_str(&text).unwrap();
        self.checked += 1;
        if &want == got {
            let _ = std::fs::remove_file(&failed);
        } else {
            std::fs::write(&failed, &pretty).unwrap();
            self.failed.push(name.to_string());
        }
    }

    /// Fails the test on any mismatch, or when fewer than `min` files were checked.
    pub fn finish(self, min: usize) {
        assert!(
            self.failed.is_empty(),
            "golden mismatches (see *.failed beside the expected files): {:?}",
            self.failed
        );
        assert!(
            self.bless || self.checked >= min,
            "only {} golden files checked",
            self.checked
        );
    }
}
