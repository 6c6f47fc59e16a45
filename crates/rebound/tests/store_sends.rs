//! Sends through the real binary, on both backends: `rebound sends import` (bad rows named
//! by line), `rebound ingest` counting an MTA log's deliveries and final failures as sends
//! (once, however often ingested), and `rebound report --by source` showing the rates per
//! 1,000 sent, checked against numbers worked out by hand.

#![allow(clippy::unwrap_used)]

mod common;

use common::store::{Harness, both_backends, path_str, text};
use rebound_store::Table;
use std::path::Path;
use std::process::Stdio;

both_backends!(
    a_send_list_and_log_deliveries_give_rates_per_1000,
    a_send_list_without_its_columns_is_refused,
    a_directory_of_logs_webhooks_and_mail_is_ingested_with_its_sends,
    four_concurrent_imports_count_each_send_once,
);

fn fixture(rel: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/fixtures")
        .join(rel)
        .display()
        .to_string()
}

/// The hand count. Send list: 6 sends of `lab` and 2 of `web` (line 5 is refused: no
/// address). Logs ingested with --source lab: postfix/multi-rcpt.log (multi-ok delivered,
/// multi-fwd and multi-unknown failed; the bounce Postfix then delivered locally is from the
/// null sender, no send) and postfix/user-unknown.log (one failure): 4 sends. So lab: sent 10,
/// bounced 3 (all hard: hasmoved, userunknown, userunknown), stale 3: 300.0 per 1,000 each;
/// web: sent 2, nothing bounced: 0.0.
fn a_send_list_and_log_deliveries_give_rates_per_1000(h: &Harness) {
    let csv = h.dir.join("sends.csv");
    std::fs::write(
        &csv,
        "address,source,time\n\
         a1@lab.example,lab,2026-11-27T01:00:00Z\n\
         a2@lab.example,lab,2026-11-27T01:00:00Z\n\
         a3@lab.example,lab,2026-11-27\n\
         ,lab,2026-11-27\n\
         a4@lab.example,lab,2026-11-27 01:00:00\n\
         a5@lab.example,lab,2026-11-27T01:00:00+01:00\n\
         a6@lab.example,lab,2026-11-27T01:00:00Z\n\
         w1@web.example,web,2026-11-27\n\
         w2@web.example,web,2026-11-27\n",
    )
    .unwrap();
    let o = h.run(&["sends", "import", path_str(&csv)], "");
    let (_, err) = text(&o);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(
        err.contains("sends.csv:5: `` is not an email address, skipped"),
        "{err}"
    );
    assert!(
        err.contains("8 sends read") && err.contains("8 new"),
        "{err}"
    );
    // Again: nothing counted twice.
    let o = h.run(&["sends", "import", path_str(&csv)], "");
    assert!(
        text(&o).1.contains("0 new, 8 already counted"),
        "{}",
        text(&o).1
    );
    let logs = [
        fixture("log/postfix/multi-rcpt.log"),
        fixture("log/postfix/user-unknown.log"),
    ];
    for round in 0..2 {
        let o = h.run(
            &["ingest", "--json", "--source", "lab", &logs[0], &logs[1]],
            "",
        );
        let (out, err) = text(&o);
        assert!(o.status.success(), "{err}");
        let summary: serde_json::Value = serde_json::from_str(&out).unwrap();
        assert_eq!(summary["events"], 3, "{out}");
        assert_eq!(summary["sends"]["sends"], 4, "{out}");
        assert_eq!(
            summary["sends"]["new"],
            if round == 0 { 4 } else { 0 },
            "{out}"
        );
    }
    assert_eq!(h.store().count(Table::Sends).unwrap(), 12);
    let o = h.run(&["report", "--by", "source", "--json"], "");
    let (out, err) = text(&o);
    assert!(o.status.success(), "{err}");
    let doc: serde_json::Value = serde_json::from_str(&out).unwrap();
    let group = |g: &str| {
        doc["groups"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["group"] == g)
            .unwrap()
            .clone()
    };
    let lab = group("lab");
    assert_eq!(lab["sent"], 10, "{lab}");
    assert_eq!(lab["bounced_recipients"], 3, "{lab}");
    for rate in ["bounced_per_1000", "hard_per_1000", "stale_per_1000"] {
        assert!(
            (lab[rate].as_f64().unwrap() - 300.0).abs() < 1e-9,
            "{rate}: {lab}"
        );
    }
    assert_eq!(lab["stale_flag"], false, "10 sends are too few to flag");
    let web = group("web");
    assert_eq!(
        (web["sent"].as_i64(), web["events"].as_i64()),
        (Some(2), Some(0))
    );
    assert_eq!(web["stale_per_1000"].as_f64(), Some(0.0));
    // The table shows the same.
    let o = h.run(&["report", "--by", "source"], "");
    let (out, _) = text(&o);
    let line = out.lines().find(|l| l.starts_with("lab ")).unwrap();
    let cells: Vec<&str> = line.split_whitespace().collect();
    assert_eq!(
        &cells[..6],
        ["lab", "10", "3", "300.0", "300.0", "300.0"],
        "{out}"
    );
    assert!(out.lines().next().unwrap().contains("sent"), "{out}");
}

fn a_send_list_without_its_columns_is_refused(h: &Harness) {
    let csv = h.dir.join("bad.csv");
    std::fs::write(&csv, "email,when\na@example.com,2026-11-27\n").unwrap();
    let o = h.run(&["sends", "import", path_str(&csv)], "");
    let (_, err) = text(&o);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(err.contains("line 1") && err.contains("`source`"), "{err}");
    let o = h.run(&["sends", "import", "/nonexistent/sends.csv"], "");
    assert_eq!(o.status.code(), Some(1));
    assert!(
        text(&o).1.contains("/nonexistent/sends.csv"),
        "{}",
        text(&o).1
    );
}

/// `ingest DIR`: each file sniffed. The Postfix log gives 2 failures (events and sends) and 1
/// delivery (a send only); the SendGrid body a `processed` and a `delivered` of one message
/// (one send) and a bounce (an event and a send); the DSN email an event and no send (a bounce
/// email says nothing of sends). So 4 events; 6 sends handed over, 5 counted.
fn a_directory_of_logs_webhooks_and_mail_is_ingested_with_its_sends(h: &Harness) {
    let dir = h.dir.join("inputs");
    std::fs::create_dir_all(dir.join("hooks")).unwrap();
    std::fs::copy(fixture("log/postfix/multi-rcpt.log"), dir.join("mail.log")).unwrap();
    std::fs::copy(
        fixture("sends/sendgrid-delivered.json"),
        dir.join("hooks/batch-1.json"),
    )
    .unwrap();
    std::fs::copy(
        fixture("mail/postfix/user-unknown.eml"),
        dir.join("bounce.eml"),
    )
    .unwrap();
    let o = h.run(
        &["ingest", "--json", "--source", "spring", path_str(&dir)],
        "",
    );
    let (out, err) = text(&o);
    assert!(o.status.success(), "{err}");
    let summary: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(summary["events"], 4, "{out}");
    assert_eq!(summary["new"], 4, "{out}");
    assert_eq!(summary["sends"]["sends"], 6, "{out}");
    assert_eq!(summary["sends"]["new"], 5, "{out}");
    assert_eq!(h.store().count(Table::Sends).unwrap(), 5);
    assert_eq!(h.store().count(Table::Events).unwrap(), 4);
}

/// Four `sends import` processes at once over overlapping lists (process i reads sends
/// i × 3000 .. i × 3000 + 6000): the union, 15,000 sends, is counted once each, the counts per
/// source match (send n has source `s{n % 3}`: 5,000 each).
fn four_concurrent_imports_count_each_send_once(h: &Harness) {
    let files: Vec<_> = (0..4u32)
        .map(|i| {
            let path = h.dir.join(format!("sends{i}.csv"));
            let mut csv = String::from("address,source,time\n");
            for n in i * 3000..i * 3000 + 6000 {
                csv.push_str(&format!(
                    "r{n}@d{}.example,s{},2026-11-{:02}T08:00:00Z\n",
                    n % 7,
                    n % 3,
                    1 + n % 5
                ));
            }
            std::fs::write(&path, csv).unwrap();
            path
        })
        .collect();
    drop(h.store());
    let children: Vec<_> = files
        .iter()
        .map(|f| {
            h.rebound()
                .args(["sends", "import", path_str(f)])
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    let mut new = 0;
    for c in children {
        let o = c.wait_with_output().unwrap();
        let (_, err) = text(&o);
        assert!(o.status.success(), "{err}");
        let n: u64 = err
            .split(" new,")
            .next()
            .and_then(|s| s.rsplit(' ').next())
            .and_then(|s| s.parse().ok())
            .unwrap_or_else(|| panic!("no count in {err}"));
        new += n;
    }
    assert_eq!(new, 15_000);
    assert_eq!(h.store().count(Table::Sends).unwrap(), 15_000);
    let o = h.run(&["report", "--by", "source", "--json"], "");
    let doc: serde_json::Value = serde_json::from_str(&text(&o).0).unwrap();
    let mut sent: Vec<(String, i64)> = doc["groups"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| {
            (
                g["group"].as_str().unwrap().to_string(),
                g["sent"].as_i64().unwrap(),
            )
        })
        .collect();
    sent.sort();
    assert_eq!(
        sent,
        [
            ("s0".to_string(), 5000),
            ("s1".to_string(), 5000),
            ("s2".to_string(), 5000)
        ]
    );
}
