//! The index page: every entry, grouped by class (basic codes by first digit, enhanced codes by
//! class and subject, provider codes by provider) and by category, with a filter box.

use super::html::{badge, layout, page_file};
use super::style::FILTER_JS;
use crate::Reference;
use crate::entry::{Entry, Kind};
use maud::{Markup, html};
use rebound_core::Category;

/// One titled group of entries.
struct Group<'a> {
    id: String,
    /// The family the group belongs to, for the jump links: basic, enhanced, provider.
    family: &'static str,
    /// The group's short name in the jump links.
    short: String,
    title: String,
    entries: Vec<&'a Entry>,
}

/// The index page.
pub fn page(reference: &Reference) -> String {
    let all = reference.entries();
    let mut groups = Vec::new();
    for (digit, name) in [
        (2, "success"),
        (3, "intermediate"),
        (4, "transient failure"),
        (5, "permanent failure"),
    ] {
        groups.push(Group {
            id: format!("basic-{digit}xx"),
            family: "Basic reply codes",
            short: format!("{digit}xx"),
            title: format!("Basic reply codes {digit}xx: {name}"),
            entries: all
                .iter()
                .filter(|e| {
                    matches!(e.kind, Kind::Basic | Kind::BasicClass)
                        && e.class_digit() == Some(digit)
                })
                .collect(),
        });
    }
    groups.push(Group {
        id: "enhanced-classes".into(),
        family: "Enhanced status codes",
        short: "classes".into(),
        title: "Enhanced status classes".into(),
        entries: all
            .iter()
            .filter(|e| e.kind == Kind::EnhancedClass)
            .collect(),
    });
    for subject in 0..=7u16 {
        let entries: Vec<&Entry> = all
            .iter()
            .filter(|e| e.subject() == Some(subject))
            .collect();
        let name = entries
            .iter()
            .find(|e| e.kind == Kind::EnhancedSubject)
            .map_or(String::new(), |e| format!(": {}", e.title));
        groups.push(Group {
            id: format!("enhanced-x-{subject}"),
            family: "Enhanced status codes",
            short: format!("X.{subject}"),
            title: format!("Enhanced status X.{subject}.XXX{name}"),
            entries,
        });
    }
    let mut providers: Vec<String> = Vec::new();
    for e in all.iter().filter(|e| e.kind == Kind::Provider) {
        let p = provider_group(e);
        if !providers.contains(&p) {
            providers.push(p);
        }
    }
    for p in providers {
        groups.push(Group {
            id: format!(
                "provider-{}",
                p.to_ascii_lowercase()
                    .replace(|c: char| !c.is_ascii_alphanumeric(), "-")
            ),
            family: "Provider codes",
            short: p.clone(),
            title: format!("Provider codes: {p}"),
            entries: all
                .iter()
                .filter(|e| e.kind == Kind::Provider && provider_group(e) == p)
                .collect(),
        });
    }
    let body = html! {
        h1 { "Every bounce code, explained" }
        p { "Basic SMTP reply codes (RFC 5321, RFC 4954, RFC 7504), every enhanced status code of the IANA registry (RFC 3463), and the codes and wordings of the large mailbox providers and filters. Each page says what the code means, whether the bounce is hard or soft, how serious it is, and what to do." }
        div.filters role="search" {
            label for="filter" { "Filter" }
            input id="filter" type="search" placeholder="Type a code, a word or a provider: 551, 5.7.26, full, Yahoo" autocomplete="off";
            label for="category" { "Category" }
            select id="category" {
                option value="" { "all" }
                @for c in Category::ALL { option value=(c.as_str()) { (c.as_str()) } }
            }
            span id="count" class="muted" { (all.len()) " codes" }
        }
        nav.jump {
            @for family in ["Basic reply codes", "Enhanced status codes", "Provider codes"] {
                p { span.muted { (family) ": " }
                    @for (i, g) in groups.iter().filter(|g| g.family == family && !g.entries.is_empty()).enumerate() {
                        @if i > 0 { " · " }
                        a href={ "#" (g.id) } { (g.short) }
                    }
                }
            }
            p { a href="#by-category" { "By category" } }
        }
        @for g in &groups {
            @if !g.entries.is_empty() {
                section data-group id=(g.id) {
                    h2 { (g.title) }
                    table.codes {
                        thead { tr { th { "Code" } th { "Title" } th { "Type" } th { "Category" } } }
                        tbody { @for e in &g.entries { (row(e)) } }
                    }
                }
            }
        }
        section id="by-category" {
            h2 { "By category" }
            @for c in Category::ALL {
                @let in_cat: Vec<&Entry> = all.iter().filter(|e| e.category == *c).collect();
                @if !in_cat.is_empty() {
                    div data-group {
                        h3 { (c.as_str()) " " span.muted { "– " (c.meaning()) } }
                        p.chips { @for e in in_cat { a href=(page_file(e)) title=(e.title) data-search=(search_text(e)) data-category=(e.category.as_str()) { (e.code) } } }
                    }
                }
            }
        }
    };
    layout("Rebound code reference: every SMTP and bounce code", "Every SMTP reply code, enhanced status code and provider bounce code, explained for senders.", body, Some(FILTER_JS)).into_string()
}

fn row(e: &Entry) -> Markup {
    html! {
        tr data-search=(search_text(e)) data-category=(e.category.as_str()) {
            td { a href=(page_file(e)) { code { (e.code) } } }
            td { (e.title) }
            td.t { (badge(e.bounce_type)) }
            td { (e.category.as_str()) }
        }
    }
}

/// What the filter box searches: code, id, title, provider, taxonomy names, lower case.
fn search_text(e: &Entry) -> String {
    format!(
        "{} {} {} {} {} {} {}",
        e.code,
        e.id,
        e.title,
        e.provider.as_deref().unwrap_or(""),
        e.bounce_type,
        e.category,
        e.reason
    )
    .to_lowercase()
}

/// A provider's group: the first word of its name (Microsoft 365 goes with Microsoft), with
/// Google's own sending servers under Gmail.
fn provider_group(e: &Entry) -> String {
    let p = e.provider.as_deref().unwrap_or("Other");
    match p.split_whitespace().next().unwrap_or(p) {
        "Google" => "Gmail".into(),
        first => first.to_string(),
    }
}
