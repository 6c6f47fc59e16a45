//! Where a store lives: a [`Location`] parsed from `--db` / `REBOUND_DB` (a file path, or a
//! `postgres://` URL), and the default SQLite file in the user's data directory (XDG Base
//! Directory: `$XDG_DATA_HOME/rebound/rebound.db`, else `~/.local/share/rebound/rebound.db`).

use crate::error::{Result, StoreError};
use std::fmt;
use std::path::{Path, PathBuf};

/// The environment variable naming the database when `--db` is not given.
pub const DB_ENV: &str = "REBOUND_DB";

/// A store's location.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Location {
    /// An SQLite file (created, with its directory, only when opened with
    /// [`Access::Create`](crate::Access::Create)).
    Sqlite(PathBuf),
    /// A PostgreSQL connection URL (`postgres://user@host:port/db?options=...`).
    Postgres(String),
}

impl Location {
    /// Parses a `--db` value: `postgres://…` or `postgresql://…` is PostgreSQL, `sqlite:PATH`
    /// or anything else is an SQLite file path.
    pub fn parse(spec: &str) -> Result<Self> {
        let spec = spec.trim();
        if spec.is_empty() {
            return Err(StoreError::Invalid("empty database location".into()));
        }
        let lower = spec.to_ascii_lowercase();
        if lower.starts_with("postgres://") || lower.starts_with("postgresql://") {
            spec.parse::<postgres::Config>()
                .map_err(|e| StoreError::BadUrl {
                    url: mask_password(spec),
                    detail: crate::error::with_causes(&e),
                })?;
            return Ok(Location::Postgres(spec.to_string()));
        }
        if let Some((scheme, _)) = spec.split_once("://") {
            return Err(StoreError::BadUrl {
                url: mask_password(spec),
                detail: format!(
                    "unknown scheme `{scheme}` (use postgres://… for PostgreSQL or a file path for SQLite)"
                ),
            });
        }
        let path = spec.strip_prefix("sqlite:").unwrap_or(spec);
        Ok(Location::Sqlite(PathBuf::from(path)))
    }

    /// The location to use: `--db` if given, else `REBOUND_DB`, else the default SQLite file.
    pub fn resolve(flag: Option<&str>) -> Result<Self> {
        if let Some(spec) = flag {
            return Self::parse(spec);
        }
        match std::env::var(DB_ENV) {
            Ok(spec) if !spec.trim().is_empty() => Self::parse(&spec),
            _ => default_sqlite_path().map(Location::Sqlite),
        }
    }
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Location::Sqlite(p) => write!(f, "{}", p.display()),
            Location::Postgres(url) => f.write_str(&mask_password(url)),
        }
    }
}

/// The default SQLite file: `$XDG_DATA_HOME/rebound/rebound.db`, or
/// `$HOME/.local/share/rebound/rebound.db` when `XDG_DATA_HOME` is unset or not absolute.
pub fn default_sqlite_path() -> Result<PathBuf> {
    let xdg = std::env::var_os("XDG_DATA_HOME").map(PathBuf::from);
    let base = match xdg {
        Some(p) if p.is_absolute() => p,
        _ => {
            let home = std::env::var_os("HOME")
                .filter(|h| !h.is_empty())
                .ok_or(StoreError::NoDefaultLocation)?;
            Path::new(&home).join(".local").join("share")
        }
    };
    Ok(base.join("rebound").join("rebound.db"))
}

/// The URL with any password replaced by `***`, fit for messages.
pub fn mask_password(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_string();
    };
    let authority_end = rest.find(['/', '?']).unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(authority_end);
    match authority.rsplit_once('@') {
        Some((userinfo, host)) => match userinfo.split_once(':') {
            Some((user, _)) => format!("{scheme}://{user}:***@{host}{tail}"),
            None => url.to_string(),
        },
        None => url.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_paths_and_urls() {
        assert_eq!(
            Location::parse("/tmp/x.db").unwrap(),
            Location::Sqlite("/tmp/x.db".into())
        );
        assert_eq!(
            Location::parse("sqlite:rel.db").unwrap(),
            Location::Sqlite("rel.db".into())
        );
        assert!(matches!(
            Location::parse("postgres://postgres@127.0.0.1:5432/test").unwrap(),
            Location::Postgres(_)
        ));
    }

    #[test]
    fn bad_urls_name_themselves() {
        let e = Location::parse("mysql://h/db").unwrap_err().to_string();
        assert!(e.contains("mysql://h/db"), "{e}");
        let e = Location::parse("postgres://u:secret@h:notaport/db")
            .unwrap_err()
            .to_string();
        assert!(e.contains("postgres://u:***@h:notaport/db"), "{e}");
        assert!(!e.contains("secret"), "{e}");
    }
}
