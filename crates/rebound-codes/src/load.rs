//! The reference data: the embedded family files (`codes/*.toml`), their TOML shape, and the
//! checks that turn them into [`Entry`] values (taxonomy names parsed into rebound-core's
//! enums, ids unique, related codes existing, common codes complete).

use crate::CodesError;
use crate::entry::{Entry, Faq, Form, Kind, SenderNotes};
use rebound_core::{BounceType, SmtpCommand};
use serde::Deserialize;
use std::collections::{HashMap, HashSet};
use std::str::FromStr;

/// The family files, embedded at build time: `(file name, contents)`.
pub const FILES: &[(&str, &str)] = &[
    ("codes/basic.toml", include_str!("../codes/basic.toml")),
    (
        "codes/enhanced.toml",
        include_str!("../codes/enhanced.toml"),
    ),
    (
        "codes/providers.toml",
        include_str!("../codes/providers.toml"),
    ),
];

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    #[serde(default)]
    entry: Vec<RawEntry>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawEntry {
    id: Option<String>,
    code: String,
    provider: Option<String>,
    title: String,
    meaning: String,
    bounce_type: String,
    severity: String,
    category: String,
    reason: String,
    action: String,
    todo: String,
    standard: String,
    examples: Vec<String>,
    #[serde(default = "default_command")]
    command: String,
    plays_out: Vec<String>,
    causes: Vec<String>,
    fix: Vec<String>,
    #[serde(default)]
    related: Vec<String>,
    #[serde(default)]
    pair: Vec<String>,
    #[serde(default)]
    faq: Vec<RawFaq>,
    bulk: Option<String>,
    transactional: Option<String>,
    #[serde(default)]
    common: bool,
    #[serde(default)]
    marks: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFaq {
    q: String,
    a: String,
}

fn default_command() -> String {
    "rcpt".into()
}

/// Parses and checks every family file.
pub fn load(files: &[(&str, &str)]) -> Result<Vec<Entry>, CodesError> {
    let mut entries = Vec::new();
    let mut pairs = Vec::new();
    for (file, source) in files {
        let raw: RawFile = toml::from_str(source).map_err(|e| CodesError::Syntax {
            file: (*file).to_string(),
            message: e.to_string(),
        })?;
        for r in raw.entry {
            let code = r.code.clone();
            let fail = |message: String| CodesError::Invalid {
                file: (*file).to_string(),
                code: code.clone(),
                message,
            };
            let pair = r.pair.clone();
            let entry = convert(r, file).map_err(fail)?;
            pairs.push(pair);
            entries.push(entry);
        }
    }
    check(&mut entries, &pairs)?;
    Ok(entries)
}

fn parse<T: FromStr>(value: &str, field: &str) -> Result<T, String>
where
    T::Err: std::fmt::Display,
{
    value.parse().map_err(|e| format!("{field}: {e}"))
}

/// The kind of a code, from its shape and its family file.
fn kind_of(code: &str, file: &str) -> Result<Kind, String> {
    let b = code.as_bytes();
    if file.ends_with("providers.toml") {
        return Ok(Kind::Provider);
    }
    if file.ends_with("basic.toml") {
        return match b {
            [c, b'x', b'x'] if (b'2'..=b'5').contains(c) => Ok(Kind::BasicClass),
            [c, d, e] if (b'2'..=b'5').contains(c) && d.is_ascii_digit() && e.is_ascii_digit() => {
                Ok(Kind::Basic)
            }
            _ => Err("a basic code is three digits (551) or a class (5xx)".into()),
        };
    }
    let parts: Vec<&str> = code.split('.').collect();
    let num = |s: &str| !s.is_empty() && s.len() <= 3 && s.bytes().all(|c| c.is_ascii_digit());
    match parts.as_slice() {
        [c, "XXX", "XXX"] if matches!(*c, "2" | "4" | "5") => Ok(Kind::EnhancedClass),
        ["X", s, "XXX"] if num(s) => Ok(Kind::EnhancedSubject),
        ["X", s, d] if num(s) && num(d) => Ok(Kind::Enhanced),
        _ => Err("an enhanced code is X.s.d, X.s.XXX or c.XXX.XXX".into()),
    }
}

fn convert(r: RawEntry, file: &str) -> Result<Entry, String> {
    let kind = kind_of(&r.code, file)?;
    let id = match (kind, r.id) {
        (Kind::Provider, Some(id)) => id,
        (Kind::Provider, None) => return Err("a provider entry needs an id".into()),
        (_, Some(_)) => return Err("only provider entries set an id".into()),
        (_, None) => r.code.to_ascii_lowercase(),
    };
    if id.is_empty()
        || !id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'-')
    {
        return Err(format!(
            "id `{id}` must be letters, digits, dots and dashes"
        ));
    }
    if (kind == Kind::Provider) != r.provider.is_some() {
        return Err("provider entries, and only they, name a provider".into());
    }
    if (kind == Kind::Provider) == r.marks.is_empty() {
        return Err("provider entries, and only they, have marks".into());
    }
    if SmtpCommand::from_name(&r.command).is_none() {
        return Err(format!("command `{}` is not an SMTP stage", r.command));
    }
    let bounce_type: BounceType = parse(&r.bounce_type, "bounce_type")?;
    let senders = match (r.bulk, r.transactional) {
        (Some(bulk), Some(transactional)) => Some(SenderNotes {
            bulk,
            transactional,
        }),
        (None, None) => None,
        _ => return Err("bulk and transactional notes go together".into()),
    };
    let texts = [&r.title, &r.meaning, &r.todo, &r.standard];
    if texts.iter().any(|t| t.trim().is_empty()) {
        return Err("title, meaning, todo and standard must not be empty".into());
    }
    if r.todo.contains('\n') {
        return Err("todo is one line".into());
    }
    for (name, list) in [
        ("examples", &r.examples),
        ("plays_out", &r.plays_out),
        ("causes", &r.causes),
        ("fix", &r.fix),
    ] {
        if list.is_empty() || list.iter().any(|s| s.trim().is_empty()) {
            return Err(format!("{name} needs at least one non-empty item"));
        }
    }
    if r.common && (r.faq.len() < 2 || senders.is_none()) {
        return Err("a common code needs two FAQ entries and bulk/transactional notes".into());
    }
    Ok(Entry {
        forms: own_forms(kind, &r.code, bounce_type),
        id,
        code: r.code,
        kind,
        provider: r.provider,
        title: r.title,
        meaning: r.meaning.trim().to_string(),
        bounce_type,
        severity: parse(&r.severity, "severity")?,
        category: parse(&r.category, "category")?,
        reason: parse(&r.reason, "reason")?,
        action: parse(&r.action, "action")?,
        todo: r.todo,
        standard: r.standard,
        examples: r.examples,
        command: r.command,
        plays_out: r.plays_out,
        causes: r.causes,
        fix: r.fix,
        related: r.related,
        faq: r.faq.into_iter().map(|f| Faq { q: f.q, a: f.a }).collect(),
        senders,
        common: r.common,
        marks: r.marks.iter().map(|m| m.to_ascii_lowercase()).collect(),
    })
}

/// The forms a code has by itself: an enhanced code's 4.x.x and 5.x.x variants (or its 2.x.x
/// form when it is not a failure); any other code is its own one form.
fn own_forms(kind: Kind, code: &str, bounce_type: BounceType) -> Vec<Form> {
    let form = |code: String, bounce_type| Form { code, bounce_type };
    match kind {
        Kind::Enhanced | Kind::EnhancedSubject => {
            let rest = code.trim_start_matches('X');
            if bounce_type == BounceType::None {
                vec![form(format!("2{rest}"), bounce_type)]
            } else {
                vec![
                    form(format!("4{rest}"), BounceType::Soft),
                    form(format!("5{rest}"), bounce_type),
                ]
            }
        }
        _ => vec![form(code.to_string(), bounce_type)],
    }
}

/// Checks across entries: unique ids, related and paired ids that exist; adds paired forms.
fn check(entries: &mut [Entry], pairs: &[Vec<String>]) -> Result<(), CodesError> {
    let mut seen = HashSet::new();
    for e in entries.iter() {
        if !seen.insert(e.id.clone()) {
            return Err(CodesError::Duplicate(e.id.clone()));
        }
    }
    let by_id: HashMap<String, (String, BounceType)> = entries
        .iter()
        .map(|e| (e.id.clone(), (e.code.clone(), e.bounce_type)))
        .collect();
    for (e, pair) in entries.iter_mut().zip(pairs) {
        for id in e.related.iter().chain(pair) {
            if !by_id.contains_key(id) || id == &e.id {
                return Err(CodesError::Dangling {
                    from: e.id.clone(),
                    to: id.clone(),
                });
            }
        }
        for id in pair {
            if let Some((code, bounce_type)) = by_id.get(id) {
                e.forms.push(Form {
                    code: code.clone(),
                    bounce_type: *bounce_type,
                });
            }
        }
    }
    Ok(())
}
