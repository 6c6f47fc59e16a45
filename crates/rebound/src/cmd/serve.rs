//! `rebound serve`: the HTTP service ([`rebound_server`]) on the store: email-service
//! webhooks, raw bounce emails and the JSON API, until SIGTERM or Ctrl-C.

use super::ingest::StoreArgs;
use anyhow::Context;
use clap::{Args, ValueEnum};
use rebound_server::{Config, DEFAULT_TOML, Server};
use rebound_store::Location;
use std::io::Write;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

/// Receive bounces over HTTP: email-service webhooks, raw bounce emails, a JSON API.
#[derive(Args)]
#[command(after_help = "Examples:
  rebound serve                                         # 127.0.0.1:8025, the default store
  rebound serve --print-config > rebound.toml           # every key with its default
  rebound serve --config rebound.toml --db /var/lib/rebound/bounces.db
  rebound serve --listen 0.0.0.0:8025 --db postgres://rebound@db.internal/rebound
  rebound tokens create crm                             # a token for the API
  curl -H \"Authorization: Bearer $TOKEN\" http://127.0.0.1:8025/v1/suppressions/jdoe@example.com

Routes:
  POST /webhooks/{mailgun,sendgrid,ses,mandrill,postmark,sparkpost}
                     each service's body, checked with its own proof (configure
                     [webhooks.SERVICE]; without it the receiver answers 404)
  POST /v1/bounces   a raw bounce email (message/rfc822)           [token]
  POST /v1/events    JSON lines: events as `rebound parse --json` writes them, or
                     {\"recipient\",\"reply\",\"source\"}               [token]
  GET  /v1/classify?reply=...   GET /v1/explain/{code}             (no token)
  GET|PUT|DELETE /v1/suppressions/{address}   GET /v1/suppressions?after=&limit=  [token]
  GET  /v1/hints   POST /v1/hints/{id}/accept|reject               [token]
  GET  /v1/reports/{source|domain|reason|day|sender}?since=       [token]
  GET  /healthz  /metrics  /openapi.json  /codes/

Answers: 2xx only after the events are committed; 400 a body that does not parse (with the
reason; services do not retry most 4xx); 401 a failed proof or a missing token (nothing
stored); 404 a receiver not configured; 413 a body over max_body; 503 the store failed (retry).
The same delivery twice stores its events once.

Logs: one structured line per request on stderr (RUST_LOG=rebound_server=debug for more;
--log-format json for JSON lines). SIGTERM stops accepting, finishes the requests in flight and
exits 0.")]
pub struct ServeArgs {
    /// The address to listen on (default 127.0.0.1:8025, or `listen` of the config).
    #[arg(long, value_name = "ADDR")]
    listen: Option<SocketAddr>,

    /// The configuration file (TOML; see --print-config).
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,

    /// Print the configuration keys with their defaults and documentation, and exit.
    #[arg(long)]
    print_config: bool,

    /// The log format on stderr.
    #[arg(long, value_name = "FORMAT", default_value = "text")]
    log_format: LogFormat,

    #[command(flatten)]
    store: StoreArgs,
}

#[derive(Clone, Copy, ValueEnum)]
enum LogFormat {
    /// `time level message key=value ...`
    Text,
    /// One JSON object per line.
    Json,
}

pub fn run(args: ServeArgs, rule_files: &[PathBuf]) -> anyhow::Result<ExitCode> {
    if args.print_config {
        std::io::stdout().write_all(DEFAULT_TOML.as_bytes())?;
        return Ok(ExitCode::SUCCESS);
    }
    let mut config = match &args.config {
        None => Config::default(),
        Some(path) => {
            let text = crate::input::read_limited(path, 1024 * 1024, "configuration file")?;
            Config::from_toml(&text).with_context(|| format!("in {}", path.display()))?
        }
    };
    if let Some(listen) = args.listen {
        config.listen = listen;
    }
    let location = Location::resolve(args.store.db.as_deref().or(config.db.as_deref()))?;
    let mut store_args = args.store.clone();
    if store_args.policy.is_none() {
        store_args.policy = config.policy.clone();
    }
    let policy = store_args.load_policy()?;
    let classifier = Arc::new(crate::input::classifier(rule_files)?);
    init_logs(args.log_format);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("starting the runtime")?;
    runtime.block_on(async move {
        let server = Server::new(config, location.clone(), policy, classifier)?;
        let listener = server.bind().await?;
        let addr = listener.local_addr()?;
        tracing::info!(
            listen = %addr,
            store = %location,
            receivers = %server.receivers().join(","),
            "rebound serve: listening on http://{addr}"
        );
        server
            .serve(listener, rebound_server::shutdown_signal())
            .await?;
        tracing::info!("stopped");
        anyhow::Ok(())
    })?;
    Ok(ExitCode::SUCCESS)
}

/// Structured logs on stderr: `RUST_LOG` when set, else info for the service.
fn init_logs(format: LogFormat) {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(false);
    match format {
        LogFormat::Text => builder.init(),
        LogFormat::Json => builder.json().flatten_event(true).init(),
    }
}
