//! MX resolution and mail-route checks for Rebound.
//!
//! Owns the DNS side of bounce diagnosis: the mail exchangers of a domain as RFC 5321
//! section 5.1 defines them (MX by preference, implicit MX, null MX of RFC 7505), what is
//! wrong with them (CNAME or IP-literal targets, targets without addresses), negative answers
//! and failures kept apart (NXDOMAIN, NODATA, SERVFAIL, timeout), internationalized domains,
//! whether a given host is one of a domain's current exchangers, and what that says about a
//! route ([`diagnose_route`]).
//!
//! ```no_run
//! use rebound_dns::{Host, Settings, lookup_all};
//! let host = Host::parse("mx-old.example.com")?;
//! lookup_all(&Settings::default(), ["example.com"], Some(&host), 16, |report| {
//!     println!("{:?} {:?}", report.status, report.host.map(|h| h.is_mx));
//! })?;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod address;
mod batch;
mod host;
mod mx;
mod name;
mod resolver;
mod route;

pub use batch::lookup_all;
pub use host::{HostCheck, MatchedBy};
pub use mx::{DomainProblem, Exchanger, MxReport, Status, TargetProblem};
pub use name::{DomainName, Host, NameError};
pub use resolver::{Failure, Resolver, Settings, SetupError};
pub use route::{Route, RouteVerdict, diagnose as diagnose_route};
