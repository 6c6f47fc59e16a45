//! The HTML page of one entry (maud templates, which escape every value), and the page layout
//! every page of the web reference shares.

use super::style::CSS;
use super::{bounce_type_advice, postfix_line};
use crate::Reference;
use crate::entry::Entry;
use maud::{DOCTYPE, Markup, PreEscaped, html};
use rebound_core::BounceType;

/// The file name of an entry's page, relative to the site root.
pub fn page_file(entry: &Entry) -> String {
    format!("{}.html", entry.id)
}

/// The shared frame of a page: head with inline style, site header, main content, footer.
pub fn layout(title: &str, description: &str, body: Markup, script: Option<&str>) -> Markup {
    html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                meta name="description" content=(description);
                title { (title) }
                style { (PreEscaped(CSS)) }
            }
            body {
                header.site {
                    a href="index.html" { "Rebound code reference" }
                    span { "SMTP reply codes, enhanced status codes and provider codes, explained" }
                }
                main { (body) }
                footer {
                    "Written for Rebound from RFC 5321, RFC 3463, RFC 4954, RFC 7504, RFC 7505, the IANA registry and provider replies seen in bounces. "
                    a href="index.html" { "All codes" }
                }
                @if let Some(js) = script {
                    script { (PreEscaped(js)) }
                }
            }
        }
    }
}

/// A bounce type as a coloured badge.
pub fn badge(t: BounceType) -> Markup {
    html! { span class={ "badge b-" (t.as_str()) } { (t.as_str()) } }
}

/// The full page of one entry.
pub fn page(entry: &Entry, reference: &Reference) -> String {
    let title = format!("{} {} – Rebound code reference", entry.code, entry.title);
    let body = html! {
        p.kind {
            a href="index.html" { "All codes" } " › " (entry.kind.label())
            @if let Some(p) = &entry.provider { " › " (p) }
        }
        h1 { code { (entry.code) } (entry.title) }
        (glance(entry))
        h2 id="meaning" { "What it means" }
        p { (entry.meaning) }
        h2 id="logs" { "What it looks like in your logs" }
        @for ex in &entry.examples { pre { code { (ex) } } }
        @if let Some(line) = entry.examples.first().and_then(|ex| postfix_line(entry, ex)) {
            p.muted { "As Postfix logs it:" }
            pre { code { (line) } }
        }
        h2 id="plays-out" { "How it plays out" }
        ol { @for s in &entry.plays_out { li { (s) } } }
        h2 id="causes" { "Common causes" }
        ul { @for s in &entry.causes { li { (s) } } }
        h2 id="fix" { "How to fix it" }
        ol { @for s in &entry.fix { li { (s) } } }
        h2 id="soft-or-hard" { "Soft or hard?" }
        (forms_table(entry))
        @if !entry.faq.is_empty() {
            h2 id="faq" { "Questions people ask" }
            dl.faq { @for f in &entry.faq { dt { (f.q) } dd { (f.a) } } }
        }
        @if let Some(s) = &entry.senders {
            h2 id="senders" { "For senders" }
            div.notes {
                div { h3 { "Bulk and cold email" } p { (s.bulk) } }
                div { h3 { "Transactional mail" } p { (s.transactional) } }
            }
        }
        @if !entry.related.is_empty() {
            h2 id="related" { "Related codes" }
            ul {
                @for r in entry.related.iter().filter_map(|id| reference.get(id)) {
                    li { a href=(page_file(r)) { code { (r.code) } } " " (r.title) }
                }
            }
        }
    };
    layout(&title, &entry.title, body, None).into_string()
}

/// The at-a-glance table.
fn glance(entry: &Entry) -> Markup {
    html! {
        table.glance {
            caption.muted style="text-align:left;caption-side:top;padding-bottom:.3rem" { "At a glance" }
            tbody {
                tr { th scope="row" { "Code" } td { code { (entry.code) } } }
                tr { th scope="row" { "Meaning" } td { (entry.title) } }
                tr { th scope="row" { "Bounce type" } td { (badge(entry.bounce_type)) " " span.muted { (entry.bounce_type.meaning()) } } }
                tr { th scope="row" { "Severity" } td { (entry.severity.as_str()) " " span.muted { "(" (entry.severity.meaning()) ")" } } }
                tr { th scope="row" { "Category" } td { (entry.category.as_str()) " " span.muted { "(" (entry.category.meaning()) ")" } } }
                tr { th scope="row" { "Reason" } td { code { (entry.reason.as_str()) } } }
                tr { th scope="row" { "What to do" } td { strong { (entry.todo) } " " span.muted { "(" code { (entry.action.as_str()) } ")" } } }
                tr { th scope="row" { "Standard" } td { (entry.standard) } }
            }
        }
    }
}

/// The soft-vs-hard table: each bounce type, what it asks of the sender, and where this code's
/// forms fall.
fn forms_table(entry: &Entry) -> Markup {
    let mut rows = vec![BounceType::Soft, BounceType::Hard, BounceType::Block];
    for f in &entry.forms {
        if !rows.contains(&f.bounce_type) {
            rows.push(f.bounce_type);
        }
    }
    html! {
        table.forms {
            thead { tr { th { "Bounce type" } th { "What it means" } th { "Retry?" } th { "Keep the address?" } th { "This code" } } }
            tbody {
                @for t in rows {
                    @let here: Vec<&str> = entry.forms.iter().filter(|f| f.bounce_type == t).map(|f| f.code.as_str()).collect();
                    @let (retry, keep) = bounce_type_advice(t);
                    tr.here[!here.is_empty()] {
                        td { (badge(t)) }
                        td { (t.meaning()) }
                        td { (retry) }
                        td { (keep) }
                        td.this { @for (i, c) in here.iter().enumerate() { @if i > 0 { ", " } code { (c) } } }
                    }
                }
            }
        }
    }
}
