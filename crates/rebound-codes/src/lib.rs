//! Rebound's code reference: every SMTP basic reply code (RFC 5321 4.2.3, RFC 4954, RFC 7504),
//! every enhanced status code, class and subject of the IANA registry (RFC 3463), and the
//! provider codes and wordings senders meet, each explained for a sender.
//!
//! - [`entry`]: one explained code ([`Entry`]), in rebound-core's taxonomy.
//! - [`load`]: the data, one TOML file per family under `codes/`, embedded and checked.
//! - [`lookup`]: finding entries for a code or a whole reply ([`Reference::find`]).
//! - [`render`]: the same entries as terminal text and as HTML pages (one place for both
//!   the static site and a later HTTP server).
//!
//! ```
//! let reference = rebound_codes::Reference::builtin().unwrap();
//! let found = reference.find("551").unwrap();
//! assert_eq!(found.entries()[0].bounce_type.as_str(), "hard");
//! ```

pub mod entry;
pub mod load;
pub mod lookup;
pub mod render;

pub use entry::{Entry, Faq, Form, Kind, SenderNotes};
pub use lookup::Found;

use std::collections::HashMap;
use std::sync::OnceLock;

/// Why the reference data could not be read. The built-in data is checked by the test suite,
/// so these name the file and the code for whoever edits it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CodesError {
    /// A family file is not valid TOML or not in the entry shape.
    #[error("{file}: {message}")]
    Syntax {
        /// The file.
        file: String,
        /// What the TOML parser said.
        message: String,
    },
    /// An entry is well-formed TOML but incomplete or wrong.
    #[error("{file}: entry `{code}`: {message}")]
    Invalid {
        /// The file.
        file: String,
        /// The entry's code.
        code: String,
        /// What is wrong.
        message: String,
    },
    /// Two entries share an id.
    #[error("two entries have the id `{0}`")]
    Duplicate(String),
    /// An entry names a related or paired entry that does not exist.
    #[error("entry `{from}` refers to `{to}`, which is not an entry")]
    Dangling {
        /// The referring entry.
        from: String,
        /// The missing id.
        to: String,
    },
}

/// All entries, in file order, with an index by id.
#[derive(Debug)]
pub struct Reference {
    entries: Vec<Entry>,
    by_id: HashMap<String, usize>,
}

impl Reference {
    /// The built-in reference, parsed once per process.
    pub fn builtin() -> Result<&'static Reference, CodesError> {
        static BUILTIN: OnceLock<Result<Reference, CodesError>> = OnceLock::new();
        BUILTIN
            .get_or_init(|| Reference::from_files(load::FILES))
            .as_ref()
            .map_err(Clone::clone)
    }

    /// A reference from `(file name, contents)` pairs; the file name decides the family.
    pub fn from_files(files: &[(&str, &str)]) -> Result<Reference, CodesError> {
        let entries = load::load(files)?;
        let by_id = entries
            .iter()
            .enumerate()
            .map(|(i, e)| (e.id.clone(), i))
            .collect();
        Ok(Reference { entries, by_id })
    }

    /// Every entry, in file order (basic, enhanced, providers).
    pub fn entries(&self) -> &[Entry] {
        &self.entries
    }

    /// The entry with this id (ids are lower case: `551`, `x.1.6`, `yahoo-tss04`).
    pub fn get(&self, id: &str) -> Option<&Entry> {
        self.by_id.get(id).map(|&i| &self.entries[i])
    }
}
