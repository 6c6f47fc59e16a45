//! `rebound mx` end to end: the real binary against the real nsd of tests/dns/start-nsd.sh
//! (`REBOUND_TEST_NS=127.0.0.1:PORT`), every case of tests/dns/test.zone through `--json`.
//! Tests that need the server print why they skip when it is unset; the usage and timeout
//! tests need no server (the timeout one asks a silent loopback UDP socket).
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

mod common;

use serde_json::{Value, json};
use std::net::UdpSocket;
use std::process::Output;
use std::time::{Duration, Instant};

fn test_ns(test: &str) -> Option<String> {
    match std::env::var("REBOUND_TEST_NS") {
        Ok(ns) => Some(ns),
        Err(_) => {
            eprintln!(
                "skipped {test}: REBOUND_TEST_NS is not set; start the test DNS server with \
                 `eval \"$(tests/dns/start-nsd.sh 53535)\"` (needs Debian's nsd)"
            );
            None
        }
    }
}

fn rebound(args: &[&str], stdin: &str) -> Output {
    common::rebound(args, stdin.as_bytes())
}

/// `rebound mx --json --nameserver NS ARGS...`: the exit code and one JSON value per line.
fn mx_json(ns: &str, args: &[&str]) -> (i32, Vec<Value>) {
    let mut all = vec!["mx", "--json", "--nameserver", ns, "--timeout-ms", "1500"];
    all.extend_from_slice(args);
    let out = rebound(&all, "");
    let lines = String::from_utf8(out.stdout).unwrap();
    let values = lines
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    (out.status.code().unwrap(), values)
}

fn one(ns: &str, domain: &str) -> Value {
    mx_json(ns, &[domain]).1.remove(0)
}

/// `[[preference, name, [addresses]], ...]` of a report.
fn exchangers(v: &Value) -> Value {
    let list = v["exchangers"].as_array().unwrap();
    Value::Array(
        list.iter()
            .map(|x| json!([x["preference"], x["name"], x["addresses"]]))
            .collect(),
    )
}

#[test]
fn every_zone_case_through_json() {
    let Some(ns) = test_ns("every_zone_case_through_json") else {
        return;
    };

    let multi = one(&ns, "multi.test");
    assert_eq!(multi["status"], "mx");
    assert_eq!(
        exchangers(&multi),
        json!([
            [10, "mx1.multi.test", ["192.0.2.11", "2001:db8::11"]],
            [10, "mx1b.multi.test", ["192.0.2.12"]],
            [20, "mx2.multi.test", ["192.0.2.21"]],
            [30, "mx3.multi.test", ["2001:db8::31"]]
        ])
    );

    let null = one(&ns, "nullmx.test");
    assert_eq!(
        (&null["status"], &null["deliverable"]),
        (&json!("null-mx"), &json!(false))
    );
    let mixed = one(&ns, "nullmixed.test");
    assert_eq!(mixed["problems"], json!(["null-mx-with-other-mx"]));

    let implicit = one(&ns, "implicit.test");
    assert_eq!(implicit["status"], "implicit-mx");
    assert_eq!(
        exchangers(&implicit),
        json!([[0, "implicit.test", ["192.0.2.50", "2001:db8::50"]]])
    );

    let cname = one(&ns, "cname.test");
    assert_eq!(
        cname["exchangers"][0]["problems"],
        json!([{"kind": "cname", "canonical": "real.cname.test"}])
    );
    assert_eq!(cname["exchangers"][0]["addresses"], json!(["192.0.2.60"]));

    let noaddr = one(&ns, "noaddr.test");
    assert_eq!(noaddr["deliverable"], false);
    assert_eq!(
        noaddr["exchangers"][0]["problems"],
        json!([{"kind": "no-address"}])
    );
    assert_eq!(
        noaddr["exchangers"][1]["problems"],
        json!([{"kind": "nxdomain"}])
    );

    let literal = one(&ns, "literal.test");
    assert_eq!(
        literal["exchangers"][0]["problems"],
        json!([{"kind": "ip-literal"}])
    );

    assert_eq!(one(&ns, "nxdomain.test")["status"], "nxdomain");
    assert_eq!(one(&ns, "nodata.test")["status"], "no-mail-host");

    let idn = one(&ns, "bücher.test");
    assert_eq!(
        (&idn["domain"], &idn["ascii"]),
        (&json!("bücher.test"), &json!("xn--bcher-kva.test"))
    );
    assert_eq!(
        exchangers(&idn),
        json!([[10, "mx.xn--bcher-kva.test", ["192.0.2.90"]]])
    );

    let servfail = one(&ns, "servfail.test");
    assert_eq!(servfail["status"], "servfail");
    assert!(servfail["error"].as_str().unwrap().contains("SERVFAIL"));
    let broken = one(&ns, "brokentarget.test");
    assert_eq!(
        broken["exchangers"][0]["problems"][0]["failure"],
        "servfail"
    );
}

#[test]
fn host_flag_names_the_demoted_mx() {
    let Some(ns) = test_ns("host_flag_names_the_demoted_mx") else {
        return;
    };
    let (code, v) = mx_json(&ns, &["demoted.test", "--host", "mx-old.demoted.test"]);
    assert_eq!(code, 0);
    assert_eq!(
        v[0]["host"],
        json!({"host": "mx-old.demoted.test", "is_mx": false, "matched_by": null,
               "exchanger": null, "preference": null, "addresses": ["192.0.2.80"], "error": null})
    );
    let (_, v) = mx_json(&ns, &["relay.test", "--host", "[192.0.2.102]"]);
    assert_eq!(
        (&v[0]["host"]["matched_by"], &v[0]["host"]["preference"]),
        (&json!("address"), &json!(20))
    );

    let readable = rebound(
        &[
            "mx",
            "--nameserver",
            &ns,
            "demoted.test",
            "--host",
            "mx-old.demoted.test",
        ],
        "",
    );
    let text = String::from_utf8(readable.stdout).unwrap();
    assert!(
        text.contains("mx-old.demoted.test [192.0.2.80] is NOT an MX of demoted.test"),
        "{text}"
    );
    assert!(
        text.contains("10  mx-new.demoted.test  192.0.2.81"),
        "{text}"
    );
}

#[test]
fn stdin_batch_keeps_order_reports_failures_and_exits_1() {
    let Some(ns) = test_ns("stdin_batch") else {
        return;
    };
    let input = "multi.test\n# a comment\n\nbad..name\nservfail.test\nnullmx.test\n";
    let out = rebound(
        &["mx", "--json", "--nameserver", &ns, "--concurrency", "2"],
        input,
    );
    assert_eq!(out.status.code(), Some(1));
    let statuses: Vec<String> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| {
            serde_json::from_str::<Value>(l).unwrap()["status"]
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect();
    assert_eq!(statuses, ["mx", "invalid", "servfail", "null-mx"]);

    // answers, even negative ones, are not failures
    let (code, _) = mx_json(
        &ns,
        &["multi.test", "nxdomain.test", "nullmx.test", "nodata.test"],
    );
    assert_eq!(code, 0);
}

#[test]
fn a_silent_server_gives_timeout_and_exit_1_quickly() {
    let silent = UdpSocket::bind("127.0.0.1:0").unwrap();
    let ns = silent.local_addr().unwrap().to_string();
    let start = Instant::now();
    let out = rebound(
        &[
            "mx",
            "--json",
            "--nameserver",
            &ns,
            "--timeout-ms",
            "200",
            "--attempts",
            "2",
            "a.test",
            "b.test",
        ],
        "",
    );
    assert!(
        start.elapsed() < Duration::from_secs(3),
        "took {:?}",
        start.elapsed()
    );
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8(out.stdout).unwrap();
    assert_eq!(text.matches("\"status\":\"timeout\"").count(), 2, "{text}");
}

#[test]
fn usage_errors_exit_2_and_name_the_bad_value() {
    for (args, needle) in [
        (vec!["mx", "--host", "a..b", "x.test"], "a..b"),
        (vec!["mx", "--nameserver", "nowhere", "x.test"], "nowhere"),
        (vec!["mx", "--timeout-ms", "0", "x.test"], "timeout-ms"),
        (vec!["mx"], "no domain given"),
    ] {
        let out = rebound(&args, "");
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let err = String::from_utf8(out.stderr).unwrap();
        assert!(err.contains(needle), "{args:?}: {err}");
    }
    let help = rebound(&["mx", "--help"], "");
    let text = String::from_utf8(help.stdout).unwrap();
    assert!(
        text.contains("Examples:") && text.contains("--nameserver"),
        "{text}"
    );
}

/// The real Postfix bounce of the `fwd-static` case of shared/tools/mta (a 551 from the
/// statically routed host 127.0.0.1:2525); in the test zone relay.test's MX is two other hosts.
const FWD_STATIC: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../tests/dns/fwd-static.postfix.eml"
);

#[test]
fn diagnose_names_the_stale_route_and_the_current_mx_set() {
    let Some(ns) = test_ns("diagnose_stale_route") else {
        return;
    };
    let out = rebound(&["diagnose", FWD_STATIC, "--nameserver", &ns], "");
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains(
            "stale-route: 127.0.0.1 is not an MX of relay.test; current: mx1.relay.test (10), \
             mx2.relay.test (20); your route is stale or hard-coded"
        ),
        "{text}"
    );

    let out = rebound(&["diagnose", FWD_STATIC, "--json", "--nameserver", &ns], "");
    let first: Value = serde_json::from_str(
        String::from_utf8(out.stdout)
            .unwrap()
            .lines()
            .next()
            .unwrap(),
    )
    .unwrap();
    assert_eq!(first["reason"], "hasmoved");
    assert_eq!(first["routing"], true);
    assert_eq!(first["mx"]["host"]["is_mx"], false);
    assert_eq!(first["route"]["verdict"], "stale-route");
}

#[test]
fn diagnose_a_reply_against_a_current_mx_and_an_undeliverable_domain() {
    let Some(ns) = test_ns("diagnose_reply") else {
        return;
    };
    let args = |reply, rcpt, host: Option<&'static str>| {
        let mut a = vec![
            "diagnose",
            "--json",
            "--nameserver",
            ns.as_str(),
            reply,
            "--recipient",
            rcpt,
        ];
        if let Some(h) = host {
            a.extend(["--remote-host", h]);
        }
        let out = rebound(&a, "");
        serde_json::from_slice::<Value>(&out.stdout).unwrap()
    };
    let current = args(
        "551 User not local",
        "jdoe@demoted.test",
        Some("mx-new.demoted.test"),
    );
    assert_eq!(current["route"]["verdict"], "current-mx");
    let stale = args(
        "551 User not local",
        "jdoe@demoted.test",
        Some("mx-old.demoted.test"),
    );
    assert_eq!(stale["route"]["verdict"], "stale-route");
    assert!(
        stale["route"]["message"]
            .as_str()
            .unwrap()
            .contains("current: mx-new.demoted.test (10)")
    );
    let null = args("550 5.1.1 User unknown", "jdoe@nullmx.test", None);
    assert_eq!(
        (&null["routing"], &null["route"]["verdict"]),
        (&json!(false), &json!("undeliverable"))
    );
    let nodata = args("550 5.1.1 User unknown", "jdoe@nodata.test", None);
    assert_eq!(nodata["route"]["verdict"], "undeliverable");
}

/// Writes `text` to a file of its own under the temporary directory; returns its path.
fn temp_file(name: &str, text: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("rebound-mx-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("input.log");
    std::fs::write(&path, text).unwrap();
    path
}

/// Postfix-style reply lines: routing verdicts from two hosts for one domain, a null-MX
/// domain and an address verdict, a domain repeated; answers in input order.
#[test]
fn diagnose_groups_lookups_by_host_and_keeps_input_order() {
    let Some(ns) = test_ns("diagnose_groups") else {
        return;
    };
    let said = |rcpt: &str, host: &str, ip: &str, reply: &str| {
        format!(
            "to=<{rcpt}>, relay={host}[{ip}]:25, status=bounced (host {host}[{ip}] said: \
             {reply} (in reply to RCPT TO command))\n"
        )
    };
    let moved = "551 5.1.6 User not local";
    let unknown = "550 5.1.1 User unknown";
    let log = [
        said("a@demoted.test", "mx-old.demoted.test", "192.0.2.80", moved),
        said("b@demoted.test", "mx-new.demoted.test", "192.0.2.81", moved),
        said("c@nullmx.test", "mx.nullmx.test", "192.0.2.40", unknown),
        said("d@multi.test", "mx1.multi.test", "192.0.2.11", unknown),
        said("e@demoted.test", "mx-old.demoted.test", "192.0.2.80", moved),
        said("f@multi.test", "mx1.multi.test", "192.0.2.11", unknown),
    ]
    .concat();
    let path = temp_file("groups", &log);
    let out = rebound(
        &[
            "diagnose",
            "--json",
            "--nameserver",
            &ns,
            path.to_str().unwrap(),
        ],
        "",
    );
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let got: Vec<Value> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let summary: Vec<(Value, Value, Value)> = got
        .iter()
        .map(|d| {
            (
                d["recipient"].clone(),
                d["mx"]["domain"].clone(),
                d["route"]["verdict"].clone(),
            )
        })
        .collect();
    assert_eq!(
        summary,
        [
            (
                json!("a@demoted.test"),
                json!("demoted.test"),
                json!("stale-route")
            ),
            (
                json!("b@demoted.test"),
                json!("demoted.test"),
                json!("current-mx")
            ),
            (
                json!("c@nullmx.test"),
                json!("nullmx.test"),
                json!("undeliverable")
            ),
            (json!("d@multi.test"), json!("multi.test"), Value::Null),
            (
                json!("e@demoted.test"),
                json!("demoted.test"),
                json!("stale-route")
            ),
            (json!("f@multi.test"), json!("multi.test"), Value::Null),
        ]
    );
    // The host compared is the one each line names.
    assert_eq!(got[0]["mx"]["host"]["is_mx"], false);
    assert_eq!(got[1]["mx"]["host"]["is_mx"], true);
    assert!(got[3]["mx"]["host"].is_null());
    let _ = std::fs::remove_dir_all(path.parent().unwrap());
}

/// Thirty distinct domains behind a name server that never answers: looked up at once, the
/// whole run takes about one timeout, not thirty.
#[test]
fn diagnose_looks_up_distinct_domains_at_once() {
    let silent = UdpSocket::bind("127.0.0.1:0").unwrap();
    let ns = silent.local_addr().unwrap().to_string();
    let log: String = (0..30)
        .map(|i| format!("to=<u@d{i}.test>, relay=none, status=bounced (550 5.1.1 User unknown)\n"))
        .collect();
    let path = temp_file("concurrent", &log);
    let start = Instant::now();
    let out = rebound(
        &[
            "diagnose",
            "--json",
            "--nameserver",
            &ns,
            "--timeout-ms",
            "300",
            "--attempts",
            "1",
            path.to_str().unwrap(),
        ],
        "",
    );
    let took = start.elapsed();
    assert!(took < Duration::from_secs(5), "took {took:?}");
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8(out.stdout).unwrap();
    assert_eq!(text.lines().count(), 30, "{text}");
    assert_eq!(text.matches("\"status\":\"timeout\"").count(), 30, "{text}");
    let _ = std::fs::remove_dir_all(path.parent().unwrap());
}

/// Escape sequences and NUL from a bounce reach the terminal escaped.
#[test]
fn diagnose_escapes_control_characters() {
    let silent = UdpSocket::bind("127.0.0.1:0").unwrap();
    let ns = silent.local_addr().unwrap().to_string();
    let out = rebound(
        &[
            "diagnose",
            "--nameserver",
            &ns,
            "--timeout-ms",
            "100",
            "--attempts",
            "1",
            "550 5.1.1 \u{1b}]0;owned\u{7} user \u{1b}[2Jgone\u{1}",
            "--recipient",
            "x\u{1b}[31m@a.test",
        ],
        "",
    );
    let stdout = out.stdout;
    assert!(
        !stdout.iter().any(|&b| b == 0x1b || b == 0x07 || b == 0x01),
        "{}",
        String::from_utf8_lossy(&stdout)
    );
    let text = String::from_utf8(stdout).unwrap();
    assert!(text.contains("\\x1b]0;owned\\x07"), "{text}");
    assert!(text.contains("x\\x1b[31m@a.test"), "{text}");
}
