//! `rebound rules`: check a rule file, and list the rules in force.

use crate::input;
use clap::{Args, Subcommand};
use rebound_core::{Classifier, ClassifierBuilder, Example, Reply};
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

/// Check rule files and list the rules in force.
#[derive(Args)]
pub struct RulesArgs {
    #[command(subcommand)]
    action: RulesAction,
}

#[derive(Subcommand)]
enum RulesAction {
    /// Validate rule files: TOML shape, names, patterns, and that every rule wins its examples
    /// when loaded in front of the built-in rules.
    #[command(after_help = "Example:\n  rebound rules check my-rules.toml\n\n\
A rule file is a list of [[rule]] tables:\n\n  [[rule]]\n  id = \"acme.mailbox-gone\"\n  \
text = ['mailbox is gone']        # regexes, ASCII case-insensitive\n  code = [550]                      # optional: 550, \"55x\", \"5xx\"\n  \
status = [\"5.1.1\"]                # optional: \"5.1.1\", \"x.1.1\", \"5.7.x\", \"none\"\n  \
command = [\"rcpt\", \"none\"]        # optional: connect, helo, mail, rcpt, data, end-of-data, none\n  \
reason = \"userunknown\"\n  \
examples = [\"550 5.1.1 mailbox is gone\"]\n\n\
More optional fields:\n  \
host = [\"acme.example\"]           # the answering host is this domain or inside it\n  \
unconfirmed = \"filtered\"          # the reason instead when neither RCPT nor X.1.x backs it\n  \
bounce_type, category, severity, action, description, provider")]
    Check {
        /// The rule files to check.
        #[arg(value_name = "FILE", required = true)]
        files: Vec<PathBuf>,
    },
    /// List the rules in force, in the order they are consulted (with --rules files first).
    List,
}

pub fn run(args: RulesArgs, rule_files: &[PathBuf]) -> anyhow::Result<ExitCode> {
    match args.action {
        RulesAction::Check { files } => check(&files),
        RulesAction::List => {
            let classifier = input::classifier(rule_files)?;
            let stdout = std::io::stdout();
            let mut out = std::io::BufWriter::new(stdout.lock());
            for r in classifier.rules() {
                writeln!(out, "{}\t{}\t{}:{}", r.id, r.reason, r.file, r.line)?;
            }
            // The verdict's rule when none matched.
            writeln!(
                out,
                "{}\t{}\t(no rule matched)",
                rebound_core::NO_RULE,
                rebound_core::Reason::Undefined
            )?;
            out.flush()?;
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn check(files: &[PathBuf]) -> anyhow::Result<ExitCode> {
    let classifier = input::classifier(files)?;
    classifier.compile_all()?;
    let mut count = 0;
    let mut lost = 0;
    for file in files {
        let name = file.display().to_string();
        for rule in classifier.rules().iter().filter(|r| *r.file == *name) {
            count += 1;
            for example in &rule.examples {
                let winner = winner_of(&classifier, example);
                if winner.as_deref() != Some(&*rule.id) {
                    lost += 1;
                    writeln!(
                        std::io::stdout(),
                        "{}:{}: rule `{}`: example {:?} is won by `{}`",
                        rule.file,
                        rule.line,
                        rule.id,
                        example.reply,
                        winner.as_deref().unwrap_or("(not a reply)")
                    )?;
                }
            }
        }
    }
    // The files must also compile on their own, without the built-in rules.
    let mut alone = ClassifierBuilder::default();
    for file in files {
        let text = crate::input::read_limited(file, crate::input::MAX_RULES_FILE, "rule file")?;
        alone.add_file(&file.display().to_string(), &text)?;
    }
    alone.build()?;
    if lost > 0 {
        writeln!(
            std::io::stdout(),
            "{count} rules checked; {lost} examples are won by another rule"
        )?;
        return Ok(ExitCode::from(1));
    }
    writeln!(
        std::io::stdout(),
        "{count} rules checked; every example is won by its own rule"
    )?;
    Ok(ExitCode::SUCCESS)
}

fn winner_of(classifier: &Classifier, example: &Example) -> Option<String> {
    if !example.reply.is_empty() && Reply::parse(&example.reply).is_err() {
        return None;
    }
    Some(example.verdict(classifier).rule.to_string())
}
