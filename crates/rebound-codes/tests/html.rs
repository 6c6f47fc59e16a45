//! The web reference is valid HTML as a browser and a validator see it: every page has a
//! doctype, a language, one non-empty title and one main element; tags are balanced and
//! properly nested; ids are unique; every internal link and anchor resolves; nothing is
//! loaded from outside (the site works offline); text from the data is escaped.

#![allow(clippy::unwrap_used)]

use rebound_codes::Reference;
use rebound_codes::render::site::{self, SiteFile};
use std::collections::HashSet;

const VOID: &[&str] = &["meta", "input", "br", "img", "link", "hr", "wbr", "source"];
/// Elements whose end tag HTML lets a page omit; the templates always close them anyway.
const RAW_TEXT: &[&str] = &["script", "style"];

/// One tag: name, whether it closes, its attribute text.
struct Tag<'a> {
    name: String,
    closing: bool,
    attrs: &'a str,
}

/// Splits a page into tags, skipping the contents of script and style; fails on a `<` that
/// does not start a tag (unescaped text).
fn tags(html: &str) -> Result<Vec<Tag<'_>>, String> {
    let mut out = Vec::new();
    let mut rest = html;
    let mut offset = 0;
    while let Some(i) = rest.find('<') {
        let after = &rest[i + 1..];
        if after.starts_with("!DOCTYPE") || after.starts_with("!--") {
            let end = after.find('>').ok_or("unterminated declaration")?;
            rest = &after[end + 1..];
            offset += i + end + 2;
            continue;
        }
        let closing = after.starts_with('/');
        let body = if closing { &after[1..] } else { after };
        let name_len = body
            .bytes()
            .take_while(|b| b.is_ascii_alphanumeric())
            .count();
        if name_len == 0 {
            return Err(format!(
                "a bare `<` at byte {} (unescaped text?)",
                offset + i
            ));
        }
        let end = body.find('>').ok_or("unterminated tag")?;
        let name = body[..name_len].to_ascii_lowercase();
        let attrs = &body[name_len..end];
        rest = &body[end + 1..];
        offset += i + 1 + usize::from(closing) + end + 1;
        if !closing && RAW_TEXT.contains(&name.as_str()) {
            let close = format!("</{name}>");
            let stop = rest.find(&close).ok_or(format!("unclosed <{name}>"))?;
            out.push(Tag {
                name: name.clone(),
                closing: false,
                attrs,
            });
            out.push(Tag {
                name,
                closing: true,
                attrs: "",
            });
            rest = &rest[stop + close.len()..];
            offset += stop + close.len();
            continue;
        }
        out.push(Tag {
            name,
            closing,
            attrs,
        });
    }
    Ok(out)
}

/// The value of attribute `name` in an attribute string (double-quoted, as maud writes them).
fn attr<'a>(attrs: &'a str, name: &str) -> Option<&'a str> {
    let key = format!(" {name}=\"");
    let start = attrs.find(&key)? + key.len();
    let len = attrs[start..].find('"')?;
    Some(&attrs[start..start + len])
}

fn check_page(page: &SiteFile, paths: &HashSet<&str>) -> Result<(), String> {
    let html = &page.contents;
    if !html.starts_with("<!DOCTYPE html>") {
        return Err("no doctype".into());
    }
    if !html.contains("<html lang=\"en\">") {
        return Err("no language".into());
    }
    let tags = tags(html)?;
    let mut stack: Vec<&str> = Vec::new();
    let mut ids = HashSet::new();
    let count = |n: &str| tags.iter().filter(|t| t.name == n && !t.closing).count();
    if count("title") != 1 || count("main") != 1 || count("h1") != 1 || count("body") != 1 {
        return Err("needs exactly one title, main, h1 and body".into());
    }
    for t in &tags {
        if t.closing {
            match stack.pop() {
                Some(open) if open == t.name => {}
                other => return Err(format!("</{}> closes {other:?}", t.name)),
            }
            continue;
        }
        if let Some(id) = attr(t.attrs, "id")
            && !ids.insert(id.to_string())
        {
            return Err(format!("duplicate id {id}"));
        }
        if attr(t.attrs, "src").is_some() || t.name == "link" {
            return Err(format!("external asset in <{}{}>", t.name, t.attrs));
        }
        if !VOID.contains(&t.name.as_str()) {
            stack.push(&t.name);
        }
    }
    if !stack.is_empty() {
        return Err(format!("unclosed: {stack:?}"));
    }
    for t in tags.iter().filter(|t| t.name == "a" && !t.closing) {
        let href = attr(t.attrs, "href").ok_or("a link without href")?;
        if let Some(anchor) = href.strip_prefix('#') {
            if !ids.contains(anchor) {
                return Err(format!("anchor #{anchor} has no target"));
            }
        } else if !paths.contains(href) {
            return Err(format!("link to {href}, which is not a page of the site"));
        }
    }
    let title_start = html.find("<title>").ok_or("no title")? + 7;
    let title_end = html[title_start..].find("</title>").ok_or("no title end")?;
    if html[title_start..title_start + title_end].trim().is_empty() {
        return Err("empty title".into());
    }
    Ok(())
}

#[test]
fn every_page_is_valid() {
    let reference = Reference::builtin().unwrap();
    let pages = site::render(reference);
    assert_eq!(pages.len(), reference.entries().len() + 1);
    let paths: HashSet<&str> = pages.iter().map(|p| p.path.as_str()).collect();
    assert_eq!(paths.len(), pages.len(), "two pages share a file name");
    let bad: Vec<String> = pages
        .iter()
        .filter_map(|p| {
            check_page(p, &paths)
                .err()
                .map(|e| format!("{}: {e}", p.path))
        })
        .collect();
    assert!(bad.is_empty(), "{}", bad.join("\n"));
}

#[test]
fn the_checker_catches_broken_html() {
    let paths: HashSet<&str> = ["index.html"].into_iter().collect();
    let page = |body: &str| SiteFile {
        path: "x.html".into(),
        contents: format!(
            "<!DOCTYPE html><html lang=\"en\"><head><title>t</title></head><body><main><h1>x</h1>{body}</main></body></html>"
        ),
    };
    assert!(check_page(&page("<p>ok</p>"), &paths).is_ok());
    assert!(check_page(&page("<p>a <b>b</p></b>"), &paths).is_err());
    assert!(check_page(&page("<p>1 < 2</p>"), &paths).is_err());
    assert!(check_page(&page("<a href=\"nowhere.html\">x</a>"), &paths).is_err());
    assert!(check_page(&page("<img src=\"http://x/y.png\">"), &paths).is_err());
}

#[test]
fn the_551_page_has_the_glance_table_and_every_section() {
    let reference = Reference::builtin().unwrap();
    let html = rebound_codes::render::html::page(reference.get("551").unwrap(), reference);
    for needle in [
        "<table class=\"glance\">",
        "At a glance",
        "Bounce type",
        "Severity",
        "Category",
        "What to do",
        "RFC 5321, sections 3.4, 4.2.3 and 7.4",
        "What it means",
        "What it looks like in your logs",
        "How it plays out",
        "Common causes",
        "How to fix it",
        "Soft or hard?",
        "Questions people ask",
        "For senders",
        "Related codes",
        "list-quality signal",
        "never followed automatically",
        "551 User not local; please try &lt;jdoe@relay.example.net&gt;",
    ] {
        assert!(html.contains(needle), "551 page lacks {needle}");
    }
}

#[test]
fn the_index_lists_every_entry_with_a_filter() {
    let reference = Reference::builtin().unwrap();
    let html = rebound_codes::render::index::page(reference);
    assert!(html.contains("id=\"filter\"") && html.contains("id=\"category\""));
    for e in reference.entries() {
        assert!(
            html.contains(&format!("href=\"{}.html\"", e.id)),
            "index lacks {}",
            e.id
        );
    }
}
