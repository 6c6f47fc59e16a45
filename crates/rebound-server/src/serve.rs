//! [`Server`]: the service put together (store, classifier, keys, pages) and run on a socket
//! until a shutdown signal; on SIGTERM or Ctrl-C it stops accepting, lets the requests in
//! flight finish (each commits before it answers) and returns.

use crate::app::{App, router};
use crate::config::Config;
use crate::metrics::Metrics;
use crate::pages::Site;
use crate::pool::StorePool;
use crate::webhook::Verifiers;
use rebound_core::Classifier;
use rebound_store::{Location, Policy};
use std::future::Future;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;
use tokio_io_timeout::TimeoutStream;

/// Why the service could not start or stopped.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    /// The store could not be opened.
    #[error("opening the store {location}: {source}")]
    Store {
        /// Where.
        location: String,
        /// Why.
        source: rebound_store::StoreError,
    },
    /// A webhook key or certificate could not be read.
    #[error("{0}")]
    Config(String),
    /// The socket.
    #[error("listening on {addr}: {source}")]
    Listen {
        /// The address.
        addr: SocketAddr,
        /// Why.
        source: std::io::Error,
    },
    /// Serving failed.
    #[error("serving: {0}")]
    Io(#[from] std::io::Error),
}

/// The service, ready to serve.
pub struct Server {
    app: Arc<App>,
}

impl Server {
    /// Opens the store (creating it when missing) and reads every key, certificate and page.
    pub fn new(
        config: Config,
        location: Location,
        policy: Policy,
        classifier: Arc<Classifier>,
    ) -> Result<Server, ServeError> {
        let metrics = Arc::new(Metrics::default());
        let verifiers = Verifiers::from_config(&config).map_err(ServeError::Config)?;
        let site = Site::render().map_err(|e| ServeError::Config(e.to_string()))?;
        let pool = StorePool::open(
            location.clone(),
            policy,
            config.store_connections,
            Arc::clone(&metrics),
        )
        .map_err(|source| ServeError::Store {
            location: location.to_string(),
            source,
        })?;
        Ok(Server {
            app: Arc::new(App {
                config,
                pool: Arc::new(pool),
                classifier,
                metrics,
                verifiers,
                site,
            }),
        })
    }

    /// The router, for tests that call it in-process.
    pub fn router(&self) -> axum::Router {
        router(Arc::clone(&self.app))
    }

    /// The configured webhook receivers.
    pub fn receivers(&self) -> Vec<&'static str> {
        self.app.verifiers.configured()
    }

    /// Binds the configured address.
    pub async fn bind(&self) -> Result<TimedListener, ServeError> {
        let addr = self.app.config.listen;
        let inner = tokio::net::TcpListener::bind(addr)
            .await
            .map_err(|source| ServeError::Listen { addr, source })?;
        Ok(TimedListener {
            inner,
            idle: Duration::from_secs(self.app.config.request_timeout),
        })
    }

    /// Serves on `listener` until `shutdown` completes, then lets requests in flight finish.
    pub async fn serve(
        self,
        listener: TimedListener,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> Result<(), ServeError> {
        axum::serve(listener, self.router())
            .with_graceful_shutdown(shutdown)
            .await?;
        Ok(())
    }
}

/// The listening socket; every connection it accepts is closed when the client sends nothing
/// for `request_timeout` seconds (a client that stalls in its headers, or an idle keep-alive
/// connection). Stalls within a body are answered 408 by the request timeout.
pub struct TimedListener {
    inner: tokio::net::TcpListener,
    idle: Duration,
}

impl TimedListener {
    /// The bound address.
    pub fn local_addr(&self) -> std::io::Result<SocketAddr> {
        self.inner.local_addr()
    }
}

impl axum::serve::Listener for TimedListener {
    type Io = Pin<Box<TimeoutStream<tokio::net::TcpStream>>>;
    type Addr = SocketAddr;

    async fn accept(&mut self) -> (Self::Io, SocketAddr) {
        loop {
            match self.inner.accept().await {
                Ok((stream, addr)) => {
                    let _ = stream.set_nodelay(true);
                    let mut stream = TimeoutStream::new(stream);
                    stream.set_read_timeout(Some(self.idle));
                    return (Box::pin(stream), addr);
                }
                // Out of file descriptors and the like: wait, do not spin.
                Err(e) => {
                    tracing::warn!(error = %e, "accepting a connection failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
            }
        }
    }

    fn local_addr(&self) -> std::io::Result<SocketAddr> {
        self.inner.local_addr()
    }
}

/// Completes on SIGTERM or SIGINT (Ctrl-C).
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => tracing::info!("SIGINT: finishing the requests in flight"),
        () = term => tracing::info!("SIGTERM: finishing the requests in flight"),
    }
}
