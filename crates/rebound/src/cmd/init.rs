//! `rebound init`: create a store (or bring an existing one up to date) without ingesting
//! anything. Only this command and the commands that write events create stores; every other
//! store command refuses a missing one, so a mistyped `--db` fails instead of answering from an
//! empty list.

use super::ingest::StoreArgs;
use clap::Args;
use rebound_store::Access;
use std::path::PathBuf;
use std::process::ExitCode;

/// Create a store, or bring an existing one up to date.
#[derive(Args)]
#[command(after_help = "Examples:
  rebound init                                         # ~/.local/share/rebound/rebound.db
  rebound init --db /var/lib/rebound/bounces.db
  rebound init --db postgres://postgres@127.0.0.1:5432/test

Only `init`, `ingest` and `suppressions add|import` create a store. `suppressions check|list|
export`, `report` and `hints list|export` open it read-only and refuse a missing store (exit 1),
so a mistyped --db never answers `ok` for a suppressed address. A database that is not a
Rebound store is refused and left untouched: an SQLite file holding other tables (or marked by
another program's application id), or a PostgreSQL schema holding some of Rebound's table names
(rebound_schema, events, suppressions, hints) but not all. On PostgreSQL, Rebound's tables may
share a schema with other programs' tables. Stores made by earlier versions are recognised by
their tables.")]
pub struct InitArgs {
    #[command(flatten)]
    store: StoreArgs,
}

pub fn run(args: InitArgs, _rule_files: &[PathBuf]) -> anyhow::Result<ExitCode> {
    let mut store = args.store.open(Access::Create)?;
    let version = store.schema_version()?;
    eprintln!(
        "rebound: store ready at {} ({}, schema version {version})",
        store.location(),
        store.backend_kind(),
    );
    Ok(ExitCode::SUCCESS)
}
