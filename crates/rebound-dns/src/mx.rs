//! The mail exchangers of a domain, found as RFC 5321 section 5.1 says: the MX records ordered
//! by preference, each target resolved to its addresses; no MX at all means the implicit MX
//! (the domain's own A/AAAA, preference 0); a single MX of `.` is a null MX (RFC 7505): the
//! domain accepts no mail. What is wrong with a target is reported beside it: a CNAME
//! (RFC 2181 section 10.3), an IP literal, no address records, a failed lookup.
//!
//! [`MxReport`] is also the JSON contract of `rebound mx --json`, one object per domain.

use crate::host::HostCheck;
use crate::name::DomainName;
use crate::resolver::{Failure, Miss, Resolver};
use futures_util::future::join_all;
use hickory_resolver::proto::rr::{RData, RecordType};
use serde::Serialize;
use std::net::{IpAddr, Ipv4Addr};

/// What the DNS says about mail for one domain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MxReport {
    /// The domain as given.
    pub domain: String,
    /// Its ASCII (A-label) form, the name queried; `null` when the domain is invalid.
    pub ascii: Option<DomainName>,
    /// The outcome; see [`Status`].
    pub status: Status,
    /// Whether at least one exchanger has an address, i.e. mail can be sent at all.
    pub deliverable: bool,
    /// The mail exchangers, by preference (ties by name; senders pick randomly among them).
    pub exchangers: Vec<Exchanger>,
    /// What is wrong with the MX set as a whole.
    pub problems: Vec<DomainProblem>,
    /// The message of a failed lookup or an invalid domain, else `null`.
    pub error: Option<String>,
    /// Present only when a host was checked: is it one of these exchangers?
    #[serde(skip_serializing_if = "Option::is_none")]
    pub host: Option<HostCheck>,
}

/// The outcome of a domain's MX lookup.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Status {
    /// MX records were found.
    Mx,
    /// No MX; the domain's own addresses serve as an MX of preference 0 (RFC 5321 5.1).
    ImplicitMx,
    /// A null MX (RFC 7505): the domain accepts no mail.
    NullMx,
    /// The domain exists but has neither MX nor address records: no mail host.
    NoMailHost,
    /// The domain does not exist.
    #[serde(rename = "nxdomain")]
    NxDomain,
    /// The name server answered SERVFAIL.
    #[serde(rename = "servfail")]
    ServFail,
    /// The name server refused to answer.
    Refused,
    /// No answer within the timeout, after every attempt.
    Timeout,
    /// Another failure (network, malformed answer).
    Error,
    /// The domain is not a valid domain name; nothing was asked.
    Invalid,
}

/// One mail exchanger.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Exchanger {
    /// The MX preference (lower is preferred); 0 for the implicit MX.
    pub preference: u16,
    /// The target host name, ASCII, without the trailing dot.
    pub name: DomainName,
    /// Its addresses, IPv4 then IPv6.
    pub addresses: Vec<IpAddr>,
    /// What is wrong with this target.
    pub problems: Vec<TargetProblem>,
}

/// What is wrong with one MX target.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum TargetProblem {
    /// The target is an alias (RFC 2181 10.3 forbids it); its addresses are the canonical
    /// name's, which most MTAs follow.
    Cname {
        /// Where the alias leads.
        canonical: DomainName,
    },
    /// The target is an IP address written as a name; MX targets must be host names
    /// (RFC 5321 5.1), so it is not looked up.
    IpLiteral,
    /// The target exists but has no A or AAAA record.
    NoAddress,
    /// The target does not exist.
    #[serde(rename = "nxdomain")]
    NxDomain,
    /// Looking up the target's addresses failed.
    LookupFailed {
        /// How it failed.
        failure: Failure,
        /// The resolver's message.
        message: String,
    },
}

/// What is wrong with the MX set as a whole.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum DomainProblem {
    /// A null MX beside other MX records (RFC 7505 section 3 forbids it); the null one is
    /// ignored.
    NullMxWithOtherMx,
}

impl Status {
    /// The wire name, as in JSON (`mx`, `implicit-mx`, `null-mx`, …).
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Mx => "mx",
            Status::ImplicitMx => "implicit-mx",
            Status::NullMx => "null-mx",
            Status::NoMailHost => "no-mail-host",
            Status::NxDomain => "nxdomain",
            Status::ServFail => "servfail",
            Status::Refused => "refused",
            Status::Timeout => "timeout",
            Status::Error => "error",
            Status::Invalid => "invalid",
        }
    }

    /// Whether the lookup failed (no authoritative answer), as opposed to answered.
    pub fn is_failure(self) -> bool {
        matches!(
            self,
            Status::ServFail | Status::Refused | Status::Timeout | Status::Error | Status::Invalid
        )
    }

    fn from_failure(failure: Failure) -> Self {
        match failure {
            Failure::ServFail => Status::ServFail,
            Failure::Refused => Status::Refused,
            Failure::Timeout => Status::Timeout,
            Failure::Error => Status::Error,
        }
    }
}

impl MxReport {
    /// A report that stops before any exchanger: a negative answer, a failure, an invalid name.
    pub(crate) fn bare(domain: &str, ascii: Option<DomainName>, status: Status) -> Self {
        Self {
            domain: domain.trim().to_string(),
            ascii,
            status,
            deliverable: false,
            exchangers: Vec::new(),
            problems: Vec::new(),
            error: None,
            host: None,
        }
    }

    /// Whether any lookup behind this report failed: the domain's own, or a target's.
    pub fn lookup_failed(&self) -> bool {
        self.status.is_failure()
            || self.exchangers.iter().any(|x| {
                x.problems
                    .iter()
                    .any(|p| matches!(p, TargetProblem::LookupFailed { .. }))
            })
    }
}

impl Resolver {
    /// Finds the mail exchangers of `domain` (given as `input`), per RFC 5321 section 5.1.
    pub async fn mx(&self, input: &str, domain: &DomainName) -> MxReport {
        let mut report = MxReport::bare(input, Some(domain.clone()), Status::Mx);
        let records = match self.query(domain, RecordType::MX).await {
            Ok(records) => records,
            Err(Miss::NoData) => return self.implicit_mx(report, domain).await,
            Err(miss) => return fail(report, miss),
        };
        let mut targets: Vec<(u16, DomainName)> = records
            .iter()
            .filter_map(|r| match &r.data {
                RData::MX(mx) => Some((
                    mx.preference,
                    DomainName::from_answer(&mx.exchange.to_ascii()),
                )),
                _ => None,
            })
            .collect();
        if targets.is_empty() {
            // Only an alias chain came back: the canonical name has no MX.
            return self.implicit_mx(report, domain).await;
        }
        let with_null = targets.len();
        targets.retain(|(_, name)| !name.as_str().is_empty());
        if targets.is_empty() {
            report.status = Status::NullMx;
            return report;
        }
        if targets.len() < with_null {
            report.problems.push(DomainProblem::NullMxWithOtherMx);
        }
        targets.sort();
        targets.dedup();
        report.exchangers = join_all(
            targets
                .into_iter()
                .map(|(pref, name)| self.exchanger(pref, name)),
        )
        .await;
        report.deliverable = report.exchangers.iter().any(|x| !x.addresses.is_empty());
        report
    }

    /// No MX records: the domain's own addresses, if any, are its implicit MX.
    async fn implicit_mx(&self, mut report: MxReport, domain: &DomainName) -> MxReport {
        let found = self.addresses(domain).await;
        if found.ips.is_empty() {
            return match found.miss {
                Some(Miss::NoData) | None => {
                    report.status = Status::NoMailHost;
                    report
                }
                Some(miss) => fail(report, miss),
            };
        }
        report.status = Status::ImplicitMx;
        report.deliverable = true;
        let mut exchanger = Exchanger {
            preference: 0,
            name: domain.clone(),
            addresses: found.ips.clone(),
            problems: Vec::new(),
        };
        if let Some((failure, message)) = found.failure() {
            exchanger.problems.push(TargetProblem::LookupFailed {
                failure,
                message: message.to_string(),
            });
        }
        report.exchangers.push(exchanger);
        report
    }

    /// Resolves one MX target and notes what is wrong with it.
    async fn exchanger(&self, preference: u16, name: DomainName) -> Exchanger {
        let mut exchanger = Exchanger {
            preference,
            name,
            addresses: Vec::new(),
            problems: Vec::new(),
        };
        if exchanger.name.as_str().parse::<Ipv4Addr>().is_ok() {
            exchanger.problems.push(TargetProblem::IpLiteral);
            return exchanger;
        }
        let found = self.addresses(&exchanger.name).await;
        if let Some(canonical) = found.canonical.clone() {
            exchanger.problems.push(TargetProblem::Cname { canonical });
        }
        match (&found.miss, found.ips.is_empty()) {
            (Some(Miss::NxDomain), true) => exchanger.problems.push(TargetProblem::NxDomain),
            (Some(Miss::NoData), true) | (None, true) => {
                exchanger.problems.push(TargetProblem::NoAddress)
            }
            (Some(Miss::Failed(failure, message)), _) => {
                exchanger.problems.push(TargetProblem::LookupFailed {
                    failure: *failure,
                    message: message.clone(),
                })
            }
            _ => {}
        }
        exchanger.addresses = found.ips;
        exchanger
    }
}

/// Ends a report on a negative answer or a failed lookup of the domain itself.
fn fail(mut report: MxReport, miss: Miss) -> MxReport {
    match miss {
        Miss::NxDomain => report.status = Status::NxDomain,
        Miss::NoData => report.status = Status::NoMailHost,
        Miss::Failed(failure, message) => {
            report.status = Status::from_failure(failure);
            report.error = Some(message);
        }
    }
    report
}
