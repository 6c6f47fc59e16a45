//! Every case of tests/dns/test.zone, asked of the real nsd that tests/dns/start-nsd.sh starts
//! on loopback (`REBOUND_TEST_NS=127.0.0.1:PORT`); skipped with a message when it is unset.
//! The timeout case needs no server: a silent loopback UDP socket.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use rebound_dns::{
    DomainProblem, Failure, Host, MatchedBy, MxReport, Settings, Status, TargetProblem,
};
use std::net::{SocketAddr, UdpSocket};
use std::time::{Duration, Instant};

/// The test name server, or `None` (and a message) when the tests must skip.
fn test_ns(test: &str) -> Option<SocketAddr> {
    match std::env::var("REBOUND_TEST_NS") {
        Ok(addr) => {
            let addr: SocketAddr = addr.parse().expect("REBOUND_TEST_NS is IP:PORT");
            assert!(
                addr.ip().is_loopback(),
                "REBOUND_TEST_NS must be a loopback address"
            );
            Some(addr)
        }
        Err(_) => {
            eprintln!(
                "skipped {test}: REBOUND_TEST_NS is not set; start the test DNS server with \
                 `eval \"$(tests/dns/start-nsd.sh 53535)\"` (needs Debian's nsd)"
            );
            None
        }
    }
}

fn settings(ns: SocketAddr) -> Settings {
    Settings {
        nameserver: Some(ns),
        timeout: Duration::from_millis(1500),
        attempts: 2,
    }
}

fn lookup(ns: SocketAddr, domain: &str, host: Option<&str>) -> MxReport {
    let host = host.map(|h| Host::parse(h).unwrap());
    let mut out = Vec::new();
    rebound_dns::lookup_all(&settings(ns), [domain], host.as_ref(), 4, |r| out.push(r)).unwrap();
    out.pop().unwrap()
}

fn names(report: &MxReport) -> Vec<(u16, &str)> {
    report
        .exchangers
        .iter()
        .map(|x| (x.preference, x.name.as_str()))
        .collect()
}

fn ips(list: &[&str]) -> Vec<std::net::IpAddr> {
    list.iter().map(|s| s.parse().unwrap()).collect()
}

#[test]
fn several_mx_come_ordered_by_preference_with_addresses() {
    let Some(ns) = test_ns("several_mx") else {
        return;
    };
    let r = lookup(ns, "Multi.Test.", None);
    assert_eq!(r.status, Status::Mx);
    assert_eq!(r.ascii.as_ref().unwrap().as_str(), "multi.test");
    assert!(r.deliverable);
    assert_eq!(
        names(&r),
        [
            (10, "mx1.multi.test"),
            (10, "mx1b.multi.test"),
            (20, "mx2.multi.test"),
            (30, "mx3.multi.test")
        ]
    );
    assert_eq!(
        r.exchangers[0].addresses,
        ips(&["192.0.2.11", "2001:db8::11"])
    );
    assert_eq!(r.exchangers[3].addresses, ips(&["2001:db8::31"]));
    assert!(r.exchangers.iter().all(|x| x.problems.is_empty()));
    assert!(!r.lookup_failed());
}

#[test]
fn null_mx_accepts_no_mail_even_with_an_address() {
    let Some(ns) = test_ns("null_mx") else { return };
    let r = lookup(ns, "nullmx.test", None);
    assert_eq!((r.status, r.deliverable), (Status::NullMx, false));
    assert!(r.exchangers.is_empty());

    let mixed = lookup(ns, "nullmixed.test", None);
    assert_eq!(mixed.status, Status::Mx);
    assert_eq!(mixed.problems, [DomainProblem::NullMxWithOtherMx]);
    assert_eq!(names(&mixed), [(10, "mx.nullmixed.test")]);
}

#[test]
fn no_mx_but_addresses_is_an_implicit_mx() {
    let Some(ns) = test_ns("implicit_mx") else {
        return;
    };
    let r = lookup(ns, "implicit.test", None);
    assert_eq!((r.status, r.deliverable), (Status::ImplicitMx, true));
    assert_eq!(names(&r), [(0, "implicit.test")]);
    assert_eq!(
        r.exchangers[0].addresses,
        ips(&["192.0.2.50", "2001:db8::50"])
    );
}

#[test]
fn target_problems_are_reported_beside_the_target() {
    let Some(ns) = test_ns("target_problems") else {
        return;
    };
    let cname = lookup(ns, "cname.test", None);
    assert_eq!(cname.exchangers[0].addresses, ips(&["192.0.2.60"]));
    assert_eq!(
        cname.exchangers[0].problems,
        [TargetProblem::Cname {
            canonical: rebound_dns::DomainName::parse("real.cname.test").unwrap()
        }]
    );
    assert!(cname.deliverable);

    let noaddr = lookup(ns, "noaddr.test", None);
    assert_eq!(noaddr.exchangers[0].problems, [TargetProblem::NoAddress]);
    assert_eq!(noaddr.exchangers[1].problems, [TargetProblem::NxDomain]);
    assert_eq!((noaddr.status, noaddr.deliverable), (Status::Mx, false));

    let literal = lookup(ns, "literal.test", None);
    assert_eq!(names(&literal), [(10, "192.0.2.70")]);
    assert_eq!(literal.exchangers[0].problems, [TargetProblem::IpLiteral]);
    assert!(!literal.deliverable);
}

#[test]
fn negative_answers_are_told_apart() {
    let Some(ns) = test_ns("negative_answers") else {
        return;
    };
    let nx = lookup(ns, "nxdomain.test", None);
    assert_eq!(
        (nx.status, nx.deliverable, nx.lookup_failed()),
        (Status::NxDomain, false, false)
    );
    let nodata = lookup(ns, "nodata.test", None);
    assert_eq!(
        (nodata.status, nodata.deliverable),
        (Status::NoMailHost, false)
    );
}

#[test]
fn servfail_is_a_failure_of_its_own() {
    let Some(ns) = test_ns("servfail") else {
        return;
    };
    let r = lookup(ns, "servfail.test", None);
    assert_eq!(r.status, Status::ServFail);
    assert!(r.lookup_failed() && r.error.is_some());

    let target = lookup(ns, "brokentarget.test", None);
    assert_eq!(target.status, Status::Mx);
    assert!(target.lookup_failed());
    assert!(matches!(
        target.exchangers[0].problems[..],
        [TargetProblem::LookupFailed {
            failure: Failure::ServFail,
            ..
        }]
    ));
}

#[test]
fn idn_domains_are_asked_in_punycode() {
    let Some(ns) = test_ns("idn") else { return };
    let r = lookup(ns, "BÜCHER.test", None);
    assert_eq!(r.domain, "BÜCHER.test");
    assert_eq!(r.ascii.as_ref().unwrap().as_str(), "xn--bcher-kva.test");
    assert_eq!(names(&r), [(10, "mx.xn--bcher-kva.test")]);
}

#[test]
fn host_check_by_name_by_address_and_demoted() {
    let Some(ns) = test_ns("host_check") else {
        return;
    };
    let by_name = lookup(ns, "multi.test", Some("MX2.multi.test"))
        .host
        .unwrap();
    assert_eq!(
        (by_name.is_mx, by_name.matched_by, by_name.preference),
        (true, Some(MatchedBy::Name), Some(20))
    );

    let by_addr = lookup(ns, "multi.test", Some("smtp.multi.test"))
        .host
        .unwrap();
    assert_eq!(by_addr.matched_by, Some(MatchedBy::Address));
    assert_eq!(by_addr.exchanger.unwrap().as_str(), "mx1.multi.test");

    let literal = lookup(ns, "multi.test", Some("[192.0.2.21]")).host.unwrap();
    assert_eq!((literal.is_mx, literal.preference), (true, Some(20)));

    let demoted = lookup(ns, "demoted.test", Some("mx-old.demoted.test"));
    let check = demoted.host.clone().unwrap();
    assert!(!check.is_mx);
    assert_eq!(check.addresses, ips(&["192.0.2.80"]));
    assert_eq!(names(&demoted), [(10, "mx-new.demoted.test")]);

    let via_alias = lookup(ns, "cname.test", Some("real.cname.test"))
        .host
        .unwrap();
    assert_eq!(via_alias.matched_by, Some(MatchedBy::Name));
}

#[test]
fn a_batch_with_failures_reports_each_in_order() {
    let Some(ns) = test_ns("batch") else { return };
    let domains = [
        "multi.test",
        "bad..name",
        "nxdomain.test",
        "servfail.test",
        "implicit.test",
    ];
    let mut statuses = Vec::new();
    rebound_dns::lookup_all(&settings(ns), domains, None, 3, |r| statuses.push(r.status)).unwrap();
    assert_eq!(
        statuses,
        [
            Status::Mx,
            Status::Invalid,
            Status::NxDomain,
            Status::ServFail,
            Status::ImplicitMx
        ]
    );
}

#[test]
fn a_silent_server_times_out_within_the_bound() {
    // Bound on loopback, never read: queries get no answer and no ICMP error.
    let silent = UdpSocket::bind("127.0.0.1:0").unwrap();
    let settings = Settings {
        nameserver: Some(silent.local_addr().unwrap()),
        timeout: Duration::from_millis(300),
        attempts: 2,
    };
    let start = Instant::now();
    let mut out = Vec::new();
    rebound_dns::lookup_all(&settings, ["example.test"], None, 1, |r| out.push(r)).unwrap();
    let elapsed = start.elapsed();
    assert_eq!(out[0].status, Status::Timeout, "{:?}", out[0]);
    assert!(out[0].lookup_failed());
    // two attempts of 300 ms each, plus the guard; far below the 2 s default
    assert!(elapsed < Duration::from_millis(1500), "took {elapsed:?}");
}
