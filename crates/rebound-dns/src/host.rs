//! Is a given host one of a domain's current mail exchangers? By name (the MX target, or the
//! canonical name it aliases) or by address (the host's A/AAAA against the targets').
//! This is the check behind a 551 "user not local" that comes from a stale route
//! (RFC 5321 sections 3.4 and 5.1).

use crate::mx::{Exchanger, MxReport, TargetProblem};
use crate::name::{DomainName, Host};
use crate::resolver::Resolver;
use serde::Serialize;
use std::net::IpAddr;

/// The answer to "is HOST an MX of this domain?".
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct HostCheck {
    /// The host checked, normalized (ASCII name or address).
    pub host: String,
    /// Whether it is one of the domain's current exchangers.
    pub is_mx: bool,
    /// How it matched: `"name"` or `"address"`; `null` when it did not.
    pub matched_by: Option<MatchedBy>,
    /// The exchanger it matched, else `null`.
    pub exchanger: Option<DomainName>,
    /// That exchanger's preference, else `null`.
    pub preference: Option<u16>,
    /// The host's own addresses (the address itself when an IP was given).
    pub addresses: Vec<IpAddr>,
    /// Why the host's addresses could not be looked up, else `null`.
    pub error: Option<String>,
}

/// How a host matched an exchanger.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum MatchedBy {
    /// The host name is the MX target (or the canonical name the target aliases).
    Name,
    /// One of the host's addresses is one of the target's.
    Address,
}

impl std::fmt::Display for MatchedBy {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            MatchedBy::Name => "name",
            MatchedBy::Address => "address",
        })
    }
}

impl Resolver {
    /// Checks `host` against the exchangers of `report`, looking up the host's addresses
    /// when it is given by name.
    pub async fn check_host(&self, report: &MxReport, host: &Host) -> HostCheck {
        let mut check = HostCheck {
            host: host.to_string(),
            is_mx: false,
            matched_by: None,
            exchanger: None,
            preference: None,
            addresses: Vec::new(),
            error: None,
        };
        match host {
            Host::Ip(ip) => check.addresses.push(*ip),
            Host::Name(name) => {
                let found = self.addresses(name).await;
                if found.ips.is_empty() {
                    check.error = found.failure().map(|(_, message)| message.to_string());
                }
                check.addresses = found.ips;
                if let Some(x) = report.exchangers.iter().find(|x| names_match(x, name)) {
                    return check.matched(x, MatchedBy::Name);
                }
            }
        }
        let by_address = report
            .exchangers
            .iter()
            .find(|x| x.addresses.iter().any(|ip| check.addresses.contains(ip)));
        match by_address {
            Some(x) => check.matched(x, MatchedBy::Address),
            None => check,
        }
    }
}

impl HostCheck {
    fn matched(mut self, exchanger: &Exchanger, by: MatchedBy) -> Self {
        self.is_mx = true;
        self.matched_by = Some(by);
        self.exchanger = Some(exchanger.name.clone());
        self.preference = Some(exchanger.preference);
        self
    }
}

/// Whether `name` is the exchanger's target or the canonical name the target aliases.
fn names_match(exchanger: &Exchanger, name: &DomainName) -> bool {
    exchanger.name == *name
        || exchanger
            .problems
            .iter()
            .any(|p| matches!(p, TargetProblem::Cname { canonical } if canonical == name))
}
