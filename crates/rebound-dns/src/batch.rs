//! Many domains at once: each from the user's text to its [`MxReport`], looked up
//! concurrently with a bound, reported in input order. A failed domain is reported like
//! any other and the batch goes on.

use crate::mx::{MxReport, Status};
use crate::name::{DomainName, Host};
use crate::resolver::{Resolver, Settings, SetupError};
use futures_util::StreamExt;
use futures_util::stream;

impl Resolver {
    /// Looks up one domain as the user wrote it, and checks `host` against it when given.
    /// An invalid domain gives a report with status `invalid` naming it.
    pub async fn report(&self, input: &str, host: Option<&Host>) -> MxReport {
        let domain = match DomainName::parse(input) {
            Ok(domain) => domain,
            Err(error) => {
                let mut report = MxReport::bare(input, None, Status::Invalid);
                report.error = Some(error.to_string());
                return report;
            }
        };
        let mut report = self.mx(input, &domain).await;
        if let Some(host) = host {
            report.host = Some(self.check_host(&report, host).await);
        }
        report
    }

    /// Looks up every domain, at most `concurrency` at a time, and hands each report to
    /// `each` in input order.
    pub async fn report_all<I>(
        &self,
        domains: I,
        host: Option<&Host>,
        concurrency: usize,
        mut each: impl FnMut(MxReport),
    ) where
        I: IntoIterator,
        I::Item: AsRef<str>,
    {
        let mut reports = stream::iter(domains)
            .map(|domain| async move { self.report(domain.as_ref(), host).await })
            .buffered(concurrency.max(1));
        while let Some(report) = reports.next().await {
            each(report);
        }
    }
}

/// Blocking form of [`Resolver::report_all`] for callers without an async runtime: builds a
/// single-threaded one, and the resolver in it.
pub fn lookup_all<I>(
    settings: &Settings,
    domains: I,
    host: Option<&Host>,
    concurrency: usize,
    each: impl FnMut(MxReport),
) -> Result<(), SetupError>
where
    I: IntoIterator,
    I::Item: AsRef<str>,
{
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| SetupError::new(e.to_string()))?;
    runtime.block_on(async {
        let resolver = Resolver::new(settings)?;
        resolver.report_all(domains, host, concurrency, each).await;
        Ok(())
    })
}
