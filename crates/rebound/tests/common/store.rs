//! A store for one end-to-end test (SQLite in a scratch directory, or a fresh PostgreSQL
//! schema), the `rebound` binary pointed at it, and `both_backends!`, which runs one test body
//! on each backend.
#![allow(clippy::unwrap_used)]

use rebound_store::testing::{self, FreshSchema};
use rebound_store::{Location, Store, synthetic};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

/// One test's store and scratch directory, removed on drop.
pub struct Harness {
    pub dir: PathBuf,
    pub db: String,
    pub _schema: Option<FreshSchema>,
}

impl Harness {
    pub fn sqlite() -> Self {
        let dir = std::env::temp_dir().join(testing::unique_name("rebound-cli-test"));
        std::fs::create_dir_all(&dir).unwrap();
        let db = dir.join("store.db").display().to_string();
        Harness {
            dir,
            db,
            _schema: None,
        }
    }

    pub fn postgres(test: &str) -> Option<Self> {
        let url = testing::postgres_url(test)?;
        let schema = FreshSchema::create(&url).unwrap();
        let dir = std::env::temp_dir().join(testing::unique_name("rebound-cli-test"));
        std::fs::create_dir_all(&dir).unwrap();
        Some(Harness {
            dir,
            db: schema.url.clone(),
            _schema: Some(schema),
        })
    }

    /// `rebound` with the store in `REBOUND_DB` and a private data directory.
    pub fn rebound(&self) -> Command {
        let mut c = Command::new(env!("CARGO_BIN_EXE_rebound"));
        c.env("REBOUND_DB", &self.db)
            .env("XDG_DATA_HOME", self.dir.join("data"));
        c
    }

    pub fn run(&self, args: &[&str], stdin: &str) -> Output {
        let mut child = self
            .rebound()
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        child
            .stdin
            .take()
            .unwrap()
            .write_all(stdin.as_bytes())
            .unwrap();
        child.wait_with_output().unwrap()
    }

    pub fn store(&self) -> Store {
        Store::open(&Location::parse(&self.db).unwrap()).unwrap()
    }

    /// Writes synthetic events `start .. start + n` as JSON lines; returns the path.
    pub fn jsonl(&self, name: &str, start: u64, n: u64) -> PathBuf {
        let path = self.dir.join(name);
        let mut f = std::io::BufWriter::new(std::fs::File::create(&path).unwrap());
        for e in synthetic::events(start, n) {
            serde_json::to_writer(&mut f, &e).unwrap();
            f.write_all(b"\n").unwrap();
        }
        f.flush().unwrap();
        path
    }
}

impl Drop for Harness {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// Generates one test per backend for each behaviour named: `mod sqlite` and `mod postgres`
/// (skipped, saying so, unless `REBOUND_TEST_POSTGRES` names a server).
#[allow(unused_macros)]
macro_rules! both_backends {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $( #[test] fn $name() { super::$name(&super::Harness::sqlite()); } )*
        }
        mod postgres {
            $( #[test] fn $name() {
                let Some(h) = super::Harness::postgres(stringify!($name)) else { return };
                super::$name(&h);
            } )*
        }
    };
}

pub fn text(o: &Output) -> (String, String) {
    (
        String::from_utf8_lossy(&o.stdout).into_owned(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

pub fn path_str(p: &Path) -> &str {
    p.to_str().unwrap()
}

#[allow(unused_imports)]
pub(crate) use both_backends;
