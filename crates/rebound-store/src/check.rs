//! [`SuppressionSet`]: the whole suppression list in memory for fast look-ups (`rebound
//! suppressions check`): loaded once, then one hash look-up per address, no allocation per
//! look-up.

use crate::address;
use std::collections::HashMap;

/// Suppressed addresses and their rules, in memory.
#[derive(Debug, Default, Clone)]
pub struct SuppressionSet {
    map: HashMap<Box<str>, Box<str>>,
    scratch: String,
}

/// The answer for one address.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Check<'a> {
    /// Suppressed, under this rule.
    Suppressed(&'a str),
    /// Not suppressed.
    Clear,
    /// Not an address ([`crate::address::Address::parse`] refuses it).
    Invalid,
}

impl SuppressionSet {
    /// An empty set with room for `n` addresses.
    pub fn with_capacity(n: usize) -> Self {
        Self {
            map: HashMap::with_capacity(n),
            scratch: String::new(),
        }
    }

    /// Adds an address (normalized here, as checks are) and its rule. A stored spelling that
    /// is not an address is kept as it is, never dropped; one that earlier versions made of a
    /// name-addr (`bob <bob@example.com`, the `>` lost) is read as the address it held.
    pub fn insert(&mut self, address: &str, rule: &str) {
        let normalized = address::normalize(address)
            .or_else(|| {
                (address.contains('<') && !address.contains('>'))
                    .then(|| address::normalize(&format!("{address}>")))
                    .flatten()
            })
            .unwrap_or_else(|| address.to_string());
        self.map.insert(normalized.into_boxed_str(), rule.into());
    }

    /// How many addresses are suppressed.
    pub fn len(&self) -> usize {
        self.map.len()
    }

    /// Whether no address is suppressed.
    pub fn is_empty(&self) -> bool {
        self.map.is_empty()
    }

    /// Checks one address as given (normalized into a reused buffer).
    pub fn check(&mut self, address: &str) -> Check<'_> {
        let mut scratch = std::mem::take(&mut self.scratch);
        let ok = address::normalize_into(address, &mut scratch);
        let answer = if !ok {
            Check::Invalid
        } else {
            match self.map.get(scratch.as_str()) {
                Some(rule) => Check::Suppressed(rule),
                None => Check::Clear,
            }
        };
        self.scratch = scratch;
        answer
    }
}
