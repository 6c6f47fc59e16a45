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
