//! The addresses of one host name: its A and AAAA records asked at once, the CNAME chain
//! that led to them (RFC 1034 section 3.6.2), and what was missing or failed.

use crate::name::DomainName;
use crate::resolver::{Failure, Miss, Resolver};
use hickory_resolver::proto::rr::{RData, Record, RecordType};
use std::net::IpAddr;

/// The outcome of looking up the addresses of one name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Addresses {
    /// IPv4 then IPv6 addresses, each sorted, without duplicates.
    pub ips: Vec<IpAddr>,
    /// The canonical name when the name is an alias (CNAME), else `None`.
    pub canonical: Option<DomainName>,
    /// Why there are no addresses (when `ips` is empty), or which half failed (A or AAAA)
    /// when the other half answered.
    pub miss: Option<Miss>,
}

impl Resolver {
    /// Looks up the A and AAAA records of `name` concurrently.
    pub(crate) async fn addresses(&self, name: &DomainName) -> Addresses {
        let (v4, v6) = tokio::join!(
            self.query(name, RecordType::A),
            self.query(name, RecordType::AAAA)
        );
        let mut ips = Vec::new();
        let mut canonical = None;
        for records in [&v4, &v6].into_iter().flatten() {
            canonical = canonical.or_else(|| cname_target(name, records));
            ips.extend(records.iter().filter_map(|r| match &r.data {
                RData::A(a) => Some(IpAddr::V4(a.0)),
                RData::AAAA(aaaa) => Some(IpAddr::V6(aaaa.0)),
                _ => None,
            }));
        }
        ips.sort();
        ips.dedup();
        let miss = match (v4, v6) {
            (Err(Miss::Failed(f, m)), _) | (_, Err(Miss::Failed(f, m))) => Some(Miss::Failed(f, m)),
            _ if !ips.is_empty() => None,
            (Err(Miss::NxDomain), Err(Miss::NxDomain)) => Some(Miss::NxDomain),
            _ => Some(Miss::NoData),
        };
        Addresses {
            ips,
            canonical,
            miss,
        }
    }
}

/// Follows the CNAME records of an answer from `name` to the last name of the chain.
fn cname_target(name: &DomainName, records: &[Record]) -> Option<DomainName> {
    let mut current = name.clone();
    let mut followed = false;
    // A chain longer than the answer would be a loop; stop there.
    for _ in 0..records.len() {
        let next = records.iter().find_map(|r| match &r.data {
            RData::CNAME(target) if DomainName::from_answer(&r.name.to_ascii()) == current => {
                Some(DomainName::from_answer(&target.0.to_ascii()))
            }
            _ => None,
        });
        match next {
            Some(target) => {
                current = target;
                followed = true;
            }
            None => break,
        }
    }
    followed.then_some(current)
}

impl Addresses {
    /// The failure, when the lookup failed rather than found nothing.
    pub(crate) fn failure(&self) -> Option<(Failure, &str)> {
        match &self.miss {
            Some(Miss::Failed(f, m)) => Some((*f, m.as_str())),
            _ => None,
        }
    }
}
