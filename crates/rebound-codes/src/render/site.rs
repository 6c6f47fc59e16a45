//! The static web reference as a list of files: the index and one page per entry. Writing them
//! is the caller's job (the CLI writes a directory; a server can serve them from memory).

use crate::Reference;

/// One file of the site: its path relative to the site root, and its contents.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SiteFile {
    /// The path, e.g. `index.html`, `551.html`.
    pub path: String,
    /// The contents (HTML).
    pub contents: String,
}

/// Renders every page of the site.
pub fn render(reference: &Reference) -> Vec<SiteFile> {
    let mut files = vec![SiteFile {
        path: "index.html".into(),
        contents: super::index::page(reference),
    }];
    files.extend(reference.entries().iter().map(|e| SiteFile {
        path: super::html::page_file(e),
        contents: super::html::page(e, reference),
    }));
    files
}
