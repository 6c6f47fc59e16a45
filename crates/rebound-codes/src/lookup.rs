//! Finding entries: by id or code (`551`, `5.1.6`, `S3150`, `TSS04`), and for a whole reply
//! (`550 5.1.1 <x>: user unknown`) the provider, enhanced and basic entries that explain it.

use crate::Reference;
use crate::entry::{Entry, Kind};
use rebound_core::{EnhancedStatus, Reply};

/// What a query is about, and the entries that explain it, most specific first.
#[derive(Debug, Clone)]
pub enum Found<'a> {
    /// The query named a code (or an id); the first entry is the one asked for, the rest are
    /// other entries with the same code (a provider's own use of an IANA code, for example).
    Code(Vec<&'a Entry>),
    /// The query was a reply: its parsed form and the matching entries (provider, enhanced,
    /// basic).
    Reply(Box<Reply>, Vec<&'a Entry>),
}

impl<'a> Found<'a> {
    /// The entries found, most specific first.
    pub fn entries(&self) -> &[&'a Entry] {
        match self {
            Found::Code(e) | Found::Reply(_, e) => e,
        }
    }
}

impl Reference {
    /// Finds what a query means: an id or code first, otherwise the query is read as a reply.
    /// `None` when nothing explains it.
    pub fn find(&self, query: &str) -> Option<Found<'_>> {
        let q = query.trim();
        if q.is_empty() {
            return None;
        }
        if let Some(found) = self.find_code(q) {
            return Some(Found::Code(found));
        }
        let reply = Reply::parse(q).ok()?;
        let entries = self.for_reply(&reply);
        (!entries.is_empty()).then(|| Found::Reply(Box::new(reply), entries))
    }

    /// The entries for a code or id (case-insensitive): an exact id first, then entries whose
    /// code is the query, then, for an enhanced status like `5.1.6`, its `X.1.6` entry (or its
    /// subject's), and for a basic code like `559`, its class.
    pub fn find_code(&self, q: &str) -> Option<Vec<&Entry>> {
        let lower = q.to_ascii_lowercase();
        let status = lower.parse::<EnhancedStatus>().ok();
        let mut out: Vec<&Entry> = Vec::new();
        out.extend(self.get(&lower));
        out.extend(status.and_then(|s| self.registered(s)));
        out.extend(
            self.entries()
                .iter()
                .filter(|e| e.code.eq_ignore_ascii_case(q)),
        );
        if out.is_empty() {
            match status {
                Some(s) => out.extend(self.enhanced(s)),
                None => out.extend(basic_code(&lower).and_then(|c| self.basic(c))),
            }
        }
        let mut seen = std::collections::HashSet::new();
        out.retain(|e| seen.insert(e.id.as_str()));
        (!out.is_empty()).then_some(out)
    }

    /// The entries explaining a parsed reply: providers whose marks its text carries, then the
    /// enhanced status entry, then the basic code entry.
    pub fn for_reply(&self, reply: &Reply) -> Vec<&Entry> {
        let text = reply.canonical().to_ascii_lowercase();
        let mut out: Vec<&Entry> = self
            .entries()
            .iter()
            .filter(|e| e.kind == Kind::Provider && e.marks.iter().any(|m| text.contains(m)))
            .collect();
        if let Some(e) = reply.status.and_then(|s| self.enhanced(s)) {
            out.push(e);
        }
        if let Some(e) = reply.code.and_then(|c| self.basic(c)) {
            out.push(e);
        }
        out
    }

    /// The entry for an enhanced status: the registered `X.s.d`, else a provider entry with
    /// exactly this code, else the subject `X.s.XXX`.
    pub fn enhanced(&self, status: EnhancedStatus) -> Option<&Entry> {
        if let Some(e) = self.registered(status) {
            return Some(e);
        }
        let shown = status.to_string();
        self.entries()
            .iter()
            .find(|e| e.kind == Kind::Provider && e.code == shown)
            .or_else(|| self.get(&format!("x.{}.xxx", status.subject)))
            .or_else(|| self.get(&format!("{}.xxx.xxx", status.class)))
    }

    /// The registered `X.s.d` entry for a status, when the registry has that code in this class.
    pub fn registered(&self, status: EnhancedStatus) -> Option<&Entry> {
        self.get(&format!("x.{}.{}", status.subject, status.detail))
            .filter(|e| is_registered_form(e, status))
    }

    /// The entry for a basic reply code, or its class (`5xx`).
    pub fn basic(&self, code: u16) -> Option<&Entry> {
        self.get(&code.to_string())
            .or_else(|| self.get(&format!("{}xx", code / 100)))
    }
}

/// Whether an `X.s.d` entry covers this class: success-only codes (X.1.5) do not explain a
/// 5.1.5, which is not registered; such statuses fall back to the subject.
fn is_registered_form(e: &Entry, status: EnhancedStatus) -> bool {
    let class = status.class.to_string();
    e.forms.iter().any(|f| f.code.starts_with(&class))
}

/// A three-digit basic code with a known class.
fn basic_code(s: &str) -> Option<u16> {
    (s.len() == 3 && s.bytes().all(|b| b.is_ascii_digit()))
        .then(|| s.parse().ok())
        .flatten()
        .filter(|c| (200..600).contains(c))
}
