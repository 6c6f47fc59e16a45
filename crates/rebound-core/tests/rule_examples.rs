//! Every rule wins every one of its own examples: no rule is dead or shadowed by an earlier one.

use rebound_core::{Classifier, Reply};

#[test]
fn every_rule_wins_its_examples() {
    let classifier = Classifier::builtin().expect("built-in rules compile");
    classifier
        .compile_all()
        .expect("every built-in pattern compiles");
    let mut lost = Vec::new();
    let mut checked = 0;
    for rule in classifier.rules() {
        for example in &rule.examples {
            checked += 1;
            if !example.reply.is_empty() {
                Reply::parse(&example.reply).expect("examples are replies");
            }
            let verdict = example.verdict(&classifier);
            if *verdict.rule != *rule.id {
                lost.push(format!(
                    "{}:{} `{}` loses {example:?} to `{}`",
                    rule.file, rule.line, rule.id, verdict.rule
                ));
            }
        }
    }
    assert!(
        lost.is_empty(),
        "{} of {checked} examples are won by another rule:\n{}",
        lost.len(),
        lost.join("\n")
    );
    assert!(checked > 200, "only {checked} examples");
}
