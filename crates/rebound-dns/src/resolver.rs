//! The DNS client: which name server to ask, how long to wait and how often to try, and what
//! one query came back with. NXDOMAIN and NODATA (RFC 2308 sections 2.1 and 2.2) are answers;
//! SERVFAIL, REFUSED (RFC 1035 section 4.1.1), a timeout and a network error are failures,
//! and all of them are kept apart.

use crate::name::DomainName;
use hickory_resolver::TokioResolver;
use hickory_resolver::config::{NameServerConfig, ResolveHosts, ResolverConfig, ResolverOpts};
use hickory_resolver::net::runtime::TokioRuntimeProvider;
use hickory_resolver::net::{DnsError, NetError, NoRecords};
use hickory_resolver::proto::op::ResponseCode;
use hickory_resolver::proto::rr::{Record, RecordType};
use serde::Serialize;
use std::net::SocketAddr;
use std::time::Duration;

/// How to reach the DNS.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settings {
    /// The name server to ask (UDP, TCP on truncation); `None` uses the system's resolver
    /// configuration (`/etc/resolv.conf`) and its hosts file.
    pub nameserver: Option<SocketAddr>,
    /// How long one try of one query may take.
    pub timeout: Duration,
    /// How many times a query is tried when it times out, fails on the network or gets
    /// SERVFAIL (at least once).
    pub attempts: u32,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            nameserver: None,
            timeout: Duration::from_secs(2),
            attempts: 2,
        }
    }
}

/// The resolver could not be set up.
#[derive(Debug, thiserror::Error)]
#[error("cannot set up the DNS resolver: {0}")]
pub struct SetupError(String);

impl SetupError {
    pub(crate) fn new(message: String) -> Self {
        Self(message)
    }
}

/// Why a lookup got no usable answer from the DNS.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Failure {
    /// The server answered SERVFAIL: it could not produce an answer.
    ServFail,
    /// The server answered REFUSED: it will not answer for this name.
    Refused,
    /// No answer came within the timeout, after every attempt.
    Timeout,
    /// Anything else: the network, a malformed answer, another response code.
    Error,
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Failure::ServFail => "SERVFAIL",
            Failure::Refused => "REFUSED",
            Failure::Timeout => "timeout",
            Failure::Error => "error",
        })
    }
}

/// What one query came back with, when it came back without records.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Miss {
    /// The name does not exist (RCODE 3).
    NxDomain,
    /// The name exists but has no record of the type asked.
    NoData,
    /// No usable answer; the message says what happened.
    Failed(Failure, String),
}

/// A DNS client with bounded timeouts and retries.
#[derive(Clone)]
pub struct Resolver {
    inner: TokioResolver,
    settings: Settings,
}

impl Resolver {
    /// Builds a resolver. Must be called within a Tokio runtime.
    pub fn new(settings: &Settings) -> Result<Self, SetupError> {
        let provider = TokioRuntimeProvider::default();
        let mut builder = match settings.nameserver {
            Some(addr) => {
                let mut server = NameServerConfig::udp_and_tcp(addr.ip());
                for connection in &mut server.connections {
                    connection.port = addr.port();
                }
                TokioResolver::builder_with_config(
                    ResolverConfig::from_name_servers(vec![server]),
                    provider,
                )
            }
            None => TokioResolver::builder(provider).map_err(|e| SetupError(e.to_string()))?,
        };
        let options: &mut ResolverOpts = builder.options_mut();
        options.timeout = settings.timeout;
        options.attempts = 1;
        options.preserve_intermediates = true;
        options.max_active_requests = 4096;
        if settings.nameserver.is_some() {
            options.use_hosts_file = ResolveHosts::Never;
        }
        let inner = builder.build().map_err(|e| SetupError(e.to_string()))?;
        Ok(Self {
            inner,
            settings: settings.clone(),
        })
    }

    /// The settings this resolver was built with.
    pub fn settings(&self) -> &Settings {
        &self.settings
    }

    /// Asks for the records of one type at `name`, retrying failures up to the configured
    /// number of attempts; every try is bounded by the timeout. The answer may hold CNAME
    /// records before the ones asked for.
    pub(crate) async fn query(
        &self,
        name: &DomainName,
        rtype: RecordType,
    ) -> Result<Vec<Record>, Miss> {
        let fqdn = name.fqdn();
        let guard = self.settings.timeout + Duration::from_millis(100);
        let mut last = Miss::Failed(Failure::Timeout, "no attempt made".into());
        for _ in 0..self.settings.attempts.max(1) {
            let outcome =
                tokio::time::timeout(guard, self.inner.lookup(fqdn.as_str(), rtype)).await;
            last = match outcome {
                Ok(Ok(lookup)) => return Ok(lookup.answers().to_vec()),
                Ok(Err(error)) => classify(&error),
                Err(_) => Miss::Failed(Failure::Timeout, "request timed out".into()),
            };
            if !matches!(&last, Miss::Failed(f, _) if *f != Failure::Refused) {
                break;
            }
        }
        Err(match last {
            Miss::Failed(Failure::Timeout, _) => Miss::Failed(
                Failure::Timeout,
                format!(
                    "timeout for {fqdn} {rtype}: no answer in {} attempt(s) of {} ms",
                    self.settings.attempts.max(1),
                    self.settings.timeout.as_millis()
                ),
            ),
            Miss::Failed(failure, message) => {
                Miss::Failed(failure, format!("{failure} for {fqdn} {rtype}: {message}"))
            }
            answer => answer,
        })
    }
}

/// Sorts a resolver error into an answer (NXDOMAIN, NODATA) or a failure.
fn classify(error: &NetError) -> Miss {
    let failed = |failure| Miss::Failed(failure, error.to_string());
    match error {
        NetError::Dns(DnsError::NoRecordsFound(NoRecords { response_code, .. })) => {
            match *response_code {
                ResponseCode::NXDomain => Miss::NxDomain,
                ResponseCode::NoError => Miss::NoData,
                ResponseCode::ServFail => failed(Failure::ServFail),
                ResponseCode::Refused => failed(Failure::Refused),
                _ => failed(Failure::Error),
            }
        }
        NetError::Dns(DnsError::ResponseCode(ResponseCode::ServFail)) => failed(Failure::ServFail),
        NetError::Dns(DnsError::ResponseCode(ResponseCode::Refused)) => failed(Failure::Refused),
        NetError::Timeout => failed(Failure::Timeout),
        _ => failed(Failure::Error),
    }
}
