//! The terminal page of an entry: the at-a-glance fields first, then every section, wrapped
//! to a readable width. Plain text, no colours, so it pipes and pastes cleanly.

use super::{bounce_type_advice, postfix_line};
use crate::Reference;
use crate::entry::Entry;
use std::fmt::Write;

/// The width text is wrapped to.
pub const WIDTH: usize = 88;

/// The full terminal page of one entry.
pub fn page(entry: &Entry, reference: &Reference) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "{}  {}", entry.code, entry.title);
    let source = match &entry.provider {
        Some(p) => format!("{} · {p}", entry.kind.label()),
        None => entry.kind.label().to_string(),
    };
    let _ = writeln!(out, "{source}\n");
    let glance = [
        (
            "Bounce type",
            format!("{} ({})", entry.bounce_type, entry.bounce_type.meaning()),
        ),
        (
            "Severity",
            format!("{} ({})", entry.severity, entry.severity.meaning()),
        ),
        (
            "Category",
            format!("{} ({})", entry.category, entry.category.meaning()),
        ),
        (
            "Reason",
            format!("{} ({})", entry.reason, entry.reason.meaning()),
        ),
        (
            "Action",
            format!("{} ({})", entry.action, entry.action.meaning()),
        ),
        ("What to do", entry.todo.clone()),
        ("Standard", entry.standard.clone()),
    ];
    for (label, value) in glance {
        wrap_into(
            &mut out,
            &value,
            &format!("  {label:<12} "),
            &" ".repeat(15),
        );
    }
    section(&mut out, "MEANING");
    wrap_into(&mut out, &entry.meaning, "  ", "  ");
    section(&mut out, "IN YOUR LOGS");
    for ex in &entry.examples {
        wrap_into(&mut out, ex, "  ", "    ");
    }
    if let Some(line) = entry
        .examples
        .first()
        .and_then(|ex| postfix_line(entry, ex))
    {
        let _ = writeln!(out, "  As Postfix logs it:");
        wrap_into(&mut out, &line, "    ", "      ");
    }
    section(&mut out, "HOW IT PLAYS OUT");
    numbered(&mut out, &entry.plays_out);
    section(&mut out, "COMMON CAUSES");
    for c in &entry.causes {
        wrap_into(&mut out, c, "  - ", "    ");
    }
    section(&mut out, "HOW TO FIX");
    numbered(&mut out, &entry.fix);
    section(&mut out, "SOFT OR HARD");
    for form in &entry.forms {
        let (retry, keep) = bounce_type_advice(form.bounce_type);
        let line = format!(
            "{}: {}. Retry: {retry}. Keep the address: {keep}.",
            form.code, form.bounce_type
        );
        wrap_into(&mut out, &line, "  ", "    ");
    }
    if !entry.faq.is_empty() {
        section(&mut out, "QUESTIONS PEOPLE ASK");
        for f in &entry.faq {
            wrap_into(&mut out, &f.q, "  Q: ", "     ");
            wrap_into(&mut out, &f.a, "  A: ", "     ");
        }
    }
    if let Some(s) = &entry.senders {
        section(&mut out, "FOR SENDERS");
        wrap_into(&mut out, &s.bulk, "  Bulk and cold email: ", "    ");
        wrap_into(&mut out, &s.transactional, "  Transactional mail: ", "    ");
    }
    if !entry.related.is_empty() {
        section(&mut out, "RELATED");
        for id in &entry.related {
            if let Some(r) = reference.get(id) {
                wrap_into(&mut out, &format!("{}  {}", r.code, r.title), "  ", "    ");
            }
        }
    }
    out
}

/// One line of the code list: code, bounce type, category, title.
pub fn list_line(entry: &Entry) -> String {
    format!(
        "{:<22} {:<12} {:<14} {}",
        entry.code,
        entry.bounce_type.as_str(),
        entry.category.as_str(),
        entry.title
    )
}

fn section(out: &mut String, title: &str) {
    let _ = writeln!(out, "\n{title}");
}

fn numbered(out: &mut String, items: &[String]) {
    for (i, item) in items.iter().enumerate() {
        wrap_into(out, item, &format!("  {}. ", i + 1), "     ");
    }
}

/// Appends `text` word-wrapped to [`WIDTH`], the first line after `first`, the rest after `rest`.
pub fn wrap_into(out: &mut String, text: &str, first: &str, rest: &str) {
    let mut line = String::from(first);
    let mut empty = true;
    for word in text.split_whitespace() {
        if !empty && line.chars().count() + 1 + word.chars().count() > WIDTH {
            out.push_str(line.trim_end());
            out.push('\n');
            line = String::from(rest);
            empty = true;
        }
        if !empty {
            line.push(' ');
        }
        line.push_str(word);
        empty = false;
    }
    out.push_str(line.trim_end());
    out.push('\n');
}
