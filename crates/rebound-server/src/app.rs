//! [`App`]: what every handler shares (configuration, store connections, classifier, metrics,
//! webhook keys), and [`router`], the whole HTTP surface with its limits: request bodies over
//! `max_body` get 413 before they are read, requests slower than `request_timeout` get 408,
//! and every request is logged as one structured line and counted by route and status.

use crate::config::Config;
use crate::error::ApiError;
use crate::metrics::Metrics;
use crate::pool::StorePool;
use crate::webhook::Verifiers;
use crate::{api, docs, pages, webhook};
use axum::extract::{DefaultBodyLimit, MatchedPath, Request, State};
use axum::http::StatusCode;
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use rebound_core::{BounceEvent, Classifier};
use rebound_store::SourceRule;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// What the handlers share.
pub struct App {
    /// The configuration.
    pub config: Config,
    /// The store.
    pub pool: Arc<StorePool>,
    /// The classifier (built-in rules, and the user's).
    pub classifier: Arc<Classifier>,
    /// The counters of `/metrics`.
    pub metrics: Arc<Metrics>,
    /// The webhook receivers' keys.
    pub verifiers: Verifiers,
    /// The code reference pages.
    pub site: pages::Site,
}

/// What the store did with a request's events.
#[derive(Debug, Default, Clone, Copy, serde::Serialize, utoipa::ToSchema)]
pub struct Stored {
    /// Events read from the request.
    pub events: u64,
    /// Events stored for the first time.
    pub new: u64,
    /// Events already stored (a retried delivery, or the same event twice in the request).
    pub duplicates: u64,
    /// Events the database refused (each logged).
    pub skipped: u64,
}

/// Stores events (committed, possibly in one transaction with other requests' events, before
/// this returns), counting them.
pub async fn store_events(
    app: &App,
    events: Vec<BounceEvent>,
    sources: SourceRule,
) -> Result<Stored, ApiError> {
    store_signed_events(app, events, sources, None).await
}

/// [`store_events`], then records the webhook signature's one-time value (even when the body
/// held no event, so the signature cannot be replayed).
pub async fn store_signed_events(
    app: &App,
    events: Vec<BounceEvent>,
    sources: SourceRule,
    nonce: Option<crate::pool::Nonce>,
) -> Result<Stored, ApiError> {
    if events.is_empty() && nonce.is_none() {
        return Ok(Stored::default());
    }
    let stats = app.pool.ingest(events, sources, nonce).await?;
    app.metrics.events(stats.new, stats.duplicates);
    Ok(Stored {
        events: stats.events,
        new: stats.new,
        duplicates: stats.duplicates,
        skipped: stats.skipped,
    })
}

/// The whole HTTP surface.
pub fn router(app: Arc<App>) -> Router {
    let timeout = Duration::from_secs(app.config.request_timeout);
    let max_body = app.config.max_body;
    Router::new()
        .route("/healthz", get(healthz))
        .route("/metrics", get(metrics))
        .route("/openapi.json", get(docs::openapi))
        .route("/codes", get(pages::index))
        .route("/codes/", get(pages::index))
        .route("/codes/{*page}", get(pages::page))
        .route(
            "/webhooks/{service}",
            post(webhook::receive).head(webhook::head),
        )
        .merge(api::routes())
        .layer(DefaultBodyLimit::disable())
        .layer(tower_http::limit::RequestBodyLimitLayer::new(max_body))
        .layer(tower_http::timeout::TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            timeout,
        ))
        .layer(middleware::from_fn_with_state(
            Arc::clone(&app),
            log_request,
        ))
        .with_state(app)
}

/// Logs one line per request and counts it by route pattern and status.
async fn log_request(State(app): State<Arc<App>>, req: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = req.method().clone();
    let path = req.uri().path().to_string();
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map_or("(unmatched)", |m| m.as_str())
        .to_string();
    let response = next.run(req).await;
    let status = response.status().as_u16();
    app.metrics.request(&route, status);
    tracing::info!(
        method = %method,
        path = %path,
        route = %route,
        status,
        ms = started.elapsed().as_secs_f64() * 1000.0,
        "request"
    );
    response
}

/// The answer of `/healthz`.
#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct Health {
    /// `ok`.
    pub status: &'static str,
    /// `sqlite` or `postgres`.
    pub backend: String,
    /// The store's schema version.
    pub schema: i64,
}

/// `GET /healthz`: 200 when the store answers, 503 otherwise.
#[utoipa::path(get, path = "/healthz", responses(
    (status = 200, description = "the store answers", body = Health),
    (status = 503, description = "the store does not answer", body = crate::error::ErrorBody),
), tag = "service")]
pub async fn healthz(State(app): State<Arc<App>>) -> Result<Json<Health>, ApiError> {
    let (backend, schema) = app
        .pool
        .run(|s| Ok((s.backend_kind().to_string(), s.schema_version()?)))
        .await?;
    Ok(Json(Health {
        status: "ok",
        backend,
        schema,
    }))
}

/// `GET /metrics`: the Prometheus text format.
#[utoipa::path(get, path = "/metrics", responses(
    (status = 200, description = "Prometheus text format 0.0.4", body = String, content_type = "text/plain"),
), tag = "service")]
pub async fn metrics(State(app): State<Arc<App>>) -> Response {
    (
        [(
            axum::http::header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        app.metrics.render(),
    )
        .into_response()
}
