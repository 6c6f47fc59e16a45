//! Route diagnosis: given a domain's live MX set and the host that answered for it, say
//! plainly what is wrong with the route. A host that is not a current exchanger means the
//! route is stale or hard-coded (the usual root of a 551 "user not local", RFC 5321 section
//! 3.4); a null MX (RFC 7505) or no mail host at all means the mail is undeliverable, before
//! any sending. Pure: works on an [`MxReport`] that the resolver already made.

use crate::mx::{MxReport, Status};
use serde::Serialize;

/// What the route check concluded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum RouteVerdict {
    /// The host that answered is not one of the domain's current exchangers.
    StaleRoute,
    /// The host that answered is a current exchanger: the route is right.
    CurrentMx,
    /// The domain accepts no mail (null MX), has no mail host, or does not exist.
    Undeliverable,
    /// The check could not conclude: a failed lookup, or no host to compare.
    Unknown,
}

impl RouteVerdict {
    /// The wire name, as in JSON (`stale-route`, `current-mx`, `undeliverable`, `unknown`).
    pub fn as_str(self) -> &'static str {
        match self {
            RouteVerdict::StaleRoute => "stale-route",
            RouteVerdict::CurrentMx => "current-mx",
            RouteVerdict::Undeliverable => "undeliverable",
            RouteVerdict::Unknown => "unknown",
        }
    }
}

/// The conclusion and its explanation, for people.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Route {
    /// The verdict.
    pub verdict: RouteVerdict,
    /// One sentence naming the host, the domain and its current MX set.
    pub message: String,
}

/// Compares the host of `report.host` (when checked) with the exchangers of `report`.
pub fn diagnose(report: &MxReport) -> Route {
    let domain = report
        .ascii
        .as_ref()
        .map_or(report.domain.clone(), |a| a.to_string());
    let undeliverable = |why: &str| Route {
        verdict: RouteVerdict::Undeliverable,
        message: format!("{domain} {why}: mail to it is undeliverable; do not send"),
    };
    match report.status {
        Status::NullMx => return undeliverable("publishes a null MX (RFC 7505)"),
        Status::NoMailHost => return undeliverable("has no MX and no address record"),
        Status::NxDomain => return undeliverable("does not exist (NXDOMAIN)"),
        Status::Mx | Status::ImplicitMx if !report.deliverable && !report.lookup_failed() => {
            return undeliverable("has no exchanger with an address");
        }
        status if status.is_failure() => {
            return Route {
                verdict: RouteVerdict::Unknown,
                message: format!(
                    "the MX lookup of {domain} failed ({}); the route cannot be checked",
                    report.error.as_deref().unwrap_or("no answer")
                ),
            };
        }
        _ => {}
    }
    let current = current_set(report);
    match &report.host {
        None => Route {
            verdict: RouteVerdict::Unknown,
            message: format!(
                "no host to compare: the bounce does not name the host that answered; \
                 current MX of {domain}: {current}"
            ),
        },
        Some(check) if check.is_mx => Route {
            verdict: RouteVerdict::CurrentMx,
            message: format!(
                "{} is a current MX of {domain} ({}); the route is right, the refusal is \
                 the exchanger's own",
                check.host,
                check.exchanger.as_ref().map_or(String::new(), |x| format!(
                    "{x}, preference {}",
                    check.preference.unwrap_or_default()
                )),
            ),
        },
        Some(check) => Route {
            verdict: RouteVerdict::StaleRoute,
            message: format!(
                "{} is not an MX of {domain}; current: {current}; your route is stale or \
                 hard-coded",
                check.host
            ),
        },
    }
}

/// `mx1.example.com (10), mx2.example.com (20)`, or the implicit MX said as such.
fn current_set(report: &MxReport) -> String {
    if report.status == Status::ImplicitMx {
        let addresses: Vec<String> = report
            .exchangers
            .iter()
            .flat_map(|x| x.addresses.iter().map(|a| a.to_string()))
            .collect();
        return format!("the domain itself (implicit MX: {})", addresses.join(", "));
    }
    report
        .exchangers
        .iter()
        .map(|x| format!("{} ({})", x.name, x.preference))
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::host::{HostCheck, MatchedBy};
    use crate::mx::Exchanger;
    use crate::name::DomainName;

    fn report(
        status: Status,
        exchangers: &[(u16, &str, &str)],
        host: Option<(&str, bool)>,
    ) -> MxReport {
        let mut r = MxReport::bare(
            "example.com",
            Some(DomainName::parse("example.com").unwrap()),
            status,
        );
        r.exchangers = exchangers
            .iter()
            .map(|(preference, name, ip)| Exchanger {
                preference: *preference,
                name: DomainName::parse(name).unwrap(),
                addresses: vec![ip.parse().unwrap()],
                problems: Vec::new(),
            })
            .collect();
        r.deliverable = !r.exchangers.is_empty();
        r.host = host.map(|(h, is_mx)| HostCheck {
            host: h.to_string(),
            is_mx,
            matched_by: is_mx.then_some(MatchedBy::Name),
            exchanger: is_mx.then(|| DomainName::parse(h).unwrap()),
            preference: is_mx.then_some(20),
            addresses: Vec::new(),
            error: None,
        });
        r
    }

    #[test]
    fn a_host_outside_the_mx_set_is_a_stale_route() {
        let mx = [
            (10, "mx1.example.com", "192.0.2.1"),
            (20, "mx2.example.com", "192.0.2.2"),
        ];
        let route = diagnose(&report(
            Status::Mx,
            &mx,
            Some(("mx-old.example.com", false)),
        ));
        assert_eq!(route.verdict, RouteVerdict::StaleRoute);
        assert_eq!(
            route.message,
            "mx-old.example.com is not an MX of example.com; current: mx1.example.com (10), \
             mx2.example.com (20); your route is stale or hard-coded"
        );
        let ok = diagnose(&report(Status::Mx, &mx, Some(("mx2.example.com", true))));
        assert_eq!(ok.verdict, RouteVerdict::CurrentMx);
        assert!(
            ok.message.contains("mx2.example.com, preference 20"),
            "{}",
            ok.message
        );
    }

    #[test]
    fn null_mx_and_no_mail_host_are_undeliverable() {
        for status in [Status::NullMx, Status::NoMailHost, Status::NxDomain] {
            let route = diagnose(&report(status, &[], Some(("mx.example.com", false))));
            assert_eq!(route.verdict, RouteVerdict::Undeliverable, "{status:?}");
            assert!(route.message.contains("do not send"));
        }
        let failed = diagnose(&report(Status::Timeout, &[], None));
        assert_eq!(failed.verdict, RouteVerdict::Unknown);
    }
}
