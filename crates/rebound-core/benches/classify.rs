//! Classification throughput over the 600+ real replies of `tests/replies.tsv`.
//!
//! `parse+classify` is Rebound's path; `classify` is the rule engine alone on parsed replies;
//! the baseline `naive-sequential` tries every rule's patterns one by one, each a separate
//! `Regex`, in rule order — what a straightforward classifier does — so the figure has
//! something to be compared with on the same noisy machine. Run: `cargo bench -p rebound-core`.

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use rebound_core::{Classifier, Reply};
use std::hint::black_box;

fn replies() -> Vec<&'static str> {
    include_str!("../tests/replies.tsv")
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .filter_map(|l| l.split('\t').nth(6))
        .collect()
}

fn bench(c: &mut Criterion) {
    let classifier = Classifier::builtin().expect("built-in rules compile");
    let inputs = replies();
    let parsed: Vec<Reply> = inputs.iter().filter_map(|r| Reply::parse(r).ok()).collect();
    let naive: Vec<(regex::Regex, usize)> = classifier
        .rules()
        .iter()
        .enumerate()
        .flat_map(|(i, rule)| {
            rule.text.iter().map(move |p| {
                let re = regex::RegexBuilder::new(p)
                    .case_insensitive(true)
                    .build()
                    .expect("rule patterns compile");
                (re, i)
            })
        })
        .collect();

    let mut group = c.benchmark_group("replies");
    group.throughput(Throughput::Elements(inputs.len() as u64));
    group.bench_function("parse+classify", |b| {
        b.iter(|| {
            for input in &inputs {
                if let Ok(reply) = Reply::parse(input) {
                    black_box(classifier.classify(&reply));
                }
            }
        })
    });
    group.bench_function("classify", |b| {
        b.iter(|| {
            for reply in &parsed {
                black_box(classifier.classify(reply));
            }
        })
    });
    group.bench_function("baseline/naive-sequential", |b| {
        b.iter(|| {
            for reply in &parsed {
                black_box(
                    naive
                        .iter()
                        .find(|(re, _)| re.is_match(&reply.text))
                        .map(|(_, i)| *i),
                );
            }
        })
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
