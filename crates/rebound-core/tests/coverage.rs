//! The coverage table: real-world replies (provider docs, a labelled corpus of real bounces,
//! the RFC and IANA registry texts) with the verdict Rebound must give each.

use rebound_core::{BounceType, Classifier, EnhancedStatus, Reason, Reply, SmtpCommand};

const TABLE: &str = include_str!("replies.tsv");

struct Row<'a> {
    line: usize,
    reason: Reason,
    bounce_type: BounceType,
    source: &'a str,
    command: Option<SmtpCommand>,
    status: Option<EnhancedStatus>,
    reply: &'a str,
}

fn rows() -> Vec<Row<'static>> {
    TABLE
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.starts_with('#') && !l.trim().is_empty())
        .map(|(i, l)| {
            let cols: Vec<&str> = l.split('\t').collect();
            assert_eq!(cols.len(), 7, "replies.tsv:{}: seven columns", i + 1);
            Row {
                line: i + 1,
                reason: cols[0].parse().expect("a reason name"),
                bounce_type: cols[1].parse().expect("a bounce type name"),
                source: cols[2],
                command: (!cols[3].is_empty())
                    .then(|| SmtpCommand::from_name(cols[3]).expect("a command name")),
                status: (!cols[4].is_empty()).then(|| cols[4].parse().expect("a status")),
                reply: cols[6],
            }
        })
        .collect()
}

#[test]
fn every_row_gets_its_verdict() {
    let classifier = Classifier::builtin().expect("built-in rules compile");
    let rows = rows();
    let mut wrong = Vec::new();
    for row in &rows {
        let mut reply = Reply::parse(row.reply).expect("rows are replies");
        reply.command = reply.command.or(row.command);
        reply.status = reply.status.or(row.status);
        let v = classifier.classify(&reply);
        if (v.reason, v.bounce_type) != (row.reason, row.bounce_type) {
            wrong.push(format!(
                "replies.tsv:{} ({}): want {} {}, got {} {} by `{}`: {}",
                row.line,
                row.source,
                row.reason,
                row.bounce_type,
                v.reason,
                v.bounce_type,
                v.rule,
                row.reply
            ));
        }
    }
    assert!(
        wrong.is_empty(),
        "{} of {} rows differ:\n{}",
        wrong.len(),
        rows.len(),
        wrong.join("\n")
    );
}

#[test]
fn the_table_is_large_and_covers_every_source() {
    let rows = rows();
    assert!(rows.len() >= 200, "{} rows", rows.len());
    for prefix in ["provider:", "corpus:", "RFC ", "IANA"] {
        let n = rows.iter().filter(|r| r.source.starts_with(prefix)).count();
        assert!(n >= 20, "only {n} rows from {prefix}");
    }
    let reasons: std::collections::BTreeSet<_> = rows.iter().map(|r| r.reason).collect();
    assert!(
        reasons.len() >= 25,
        "only {} reasons covered",
        reasons.len()
    );
}

#[test]
fn the_language_rows_cover_the_main_reasons_in_thirteen_languages() {
    // Rows in other languages carry `lang:xx` in their note column (rules/languages.toml).
    let rows: Vec<(&str, &str)> = TABLE
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .filter_map(|l| {
            let cols: Vec<&str> = l.split('\t').collect();
            let lang = cols[5].strip_prefix("lang:")?;
            Some((cols[0], lang.split(';').next().unwrap_or(lang)))
        })
        .collect();
    let languages = [
        "de", "fr", "es", "it", "pt", "nl", "pl", "ru", "ja", "zh", "ko", "tr", "cs",
    ];
    let mut missing = Vec::new();
    for lang in languages {
        for reason in ["userunknown", "mailboxfull", "spamdetected", "blocked"] {
            if !rows.iter().any(|&(r, l)| r == reason && l == lang) {
                missing.push(format!("{lang} {reason}"));
            }
        }
    }
    assert!(missing.is_empty(), "no row for: {}", missing.join(", "));
}
