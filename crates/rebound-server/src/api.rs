//! The JSON API under `/v1`: raw bounce emails and events in (`POST /v1/bounces`,
//! `POST /v1/events`), verdicts out (`GET /v1/classify`, `GET /v1/explain/{code}`, no token,
//! no store), and the stored data (suppressions, hints, reports) behind a bearer token
//! ([`Caller`]). Each handler is a thin face over the same library call as its `rebound`
//! command.

use crate::app::{App, Stored, store_events};
use crate::error::{ApiError, ErrorBody};
use crate::tokens;
use axum::body::Bytes;
use axum::extract::{FromRequestParts, Path, Query, State};
use axum::http::request::Parts;
use axum::routing::{get, post};
use axum::{Json, Router};
use rebound_core::{BounceEvent, Reply, Verdict};
use rebound_ingest::{Evidence, Options, Origin};
use rebound_store::{
    Address, Grouping, Hint, HintStatus, ReportRow, SourceRule, Suppression, time,
};
use serde::{Deserialize, Serialize};
use std::sync::Arc;

/// The `/v1` routes.
pub fn routes() -> Router<Arc<App>> {
    Router::new()
        .route("/v1/bounces", post(post_bounce))
        .route("/v1/events", post(post_events))
        .route("/v1/classify", get(classify))
        .route("/v1/explain/{code}", get(explain))
        .route("/v1/suppressions", get(list_suppressions))
        .route(
            "/v1/suppressions/{address}",
            get(get_suppression)
                .put(put_suppression)
                .delete(delete_suppression),
        )
        .route("/v1/hints", get(list_hints))
        .route("/v1/hints/{id}/accept", post(accept_hint))
        .route("/v1/hints/{id}/reject", post(reject_hint))
        .route("/v1/reports/{by}", get(report))
}

/// The caller of a protected route: the name of its API token (`Authorization: Bearer …`).
pub struct Caller(pub String);

impl FromRequestParts<Arc<App>> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, app: &Arc<App>) -> Result<Caller, ApiError> {
        let value = parts
            .headers
            .get(axum::http::header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .ok_or_else(|| {
                ApiError::unauthorized("an API token is required: Authorization: Bearer TOKEN (rebound tokens create NAME)")
            })?;
        let token = value
            .strip_prefix("Bearer ")
            .or_else(|| value.strip_prefix("bearer "))
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .ok_or_else(|| {
                ApiError::unauthorized("the Authorization header is not `Bearer TOKEN`")
            })?;
        let hash = tokens::hash(token);
        match app.pool.run(move |s| s.token_named(&hash)).await? {
            Some(name) => Ok(Caller(name)),
            None => Err(ApiError::unauthorized("unknown or revoked API token")),
        }
    }
}

/// `?source=TAG` of the write routes: the lead source of every event of the request.
#[derive(Deserialize, utoipa::IntoParams)]
pub struct SourceQuery {
    /// The lead source of every event (wins over the `X-Lead-Source` header of the returned
    /// message).
    source: Option<String>,
}

fn sources(app: &App, q: SourceQuery) -> SourceRule {
    SourceRule {
        tag: q.source.filter(|s| !s.trim().is_empty()),
        tags: app.config.source_tags.clone(),
        header: app.config.source_header.clone(),
        send_list: app.config.send_list,
    }
}

/// `POST /v1/bounces`: one raw bounce email (message/rfc822), read as `rebound parse` reads
/// an .eml file; its events are committed before the answer.
#[utoipa::path(post, path = "/v1/bounces", params(SourceQuery),
    request_body(content = String, content_type = "message/rfc822", description = "one bounce email"),
    responses(
        (status = 200, description = "events committed", body = Stored),
        (status = 400, description = "not a readable message", body = ErrorBody),
        (status = 401, description = "no or wrong token", body = ErrorBody),
        (status = 413, description = "over max_body"),
    ), security(("bearer" = [])), tag = "api")]
pub async fn post_bounce(
    State(app): State<Arc<App>>,
    _caller: Caller,
    Query(q): Query<SourceQuery>,
    body: Bytes,
) -> Result<Json<Stored>, ApiError> {
    if body.is_empty() {
        return Err(ApiError::bad_request(
            "the body is empty: post one bounce email",
        ));
    }
    let options = Options {
        tag_headers: vec![app.config.source_header.clone()],
    };
    let origin = Origin {
        path: Some("http:/v1/bounces".into()),
        message: 1,
    };
    let events = rebound_ingest::read_message(&body, &options, &app.classifier, &origin)
        .map_err(|e| ApiError::bad_request(format!("the message: {e}")))?;
    let sources = sources(&app, q);
    Ok(Json(store_events(&app, events, sources).await?))
}

/// The generic event form for scripts: a recipient and the server's reply.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Generic {
    recipient: String,
    reply: String,
    #[serde(default)]
    source: Option<String>,
}

/// One line of `POST /v1/events`: an event as `rebound parse --json` writes it, or the
/// generic form.
fn event_of_line(app: &App, n: usize, line: &[u8]) -> Result<BounceEvent, ApiError> {
    let value: serde_json::Value = serde_json::from_slice(line)
        .map_err(|e| ApiError::bad_request(format!("line {n}: not JSON: {e}")))?;
    let generic = value.get("reply").is_some_and(serde_json::Value::is_string)
        && value.get("reason").is_none();
    if !generic {
        return serde_json::from_value(value)
            .map_err(|e| ApiError::bad_request(format!("line {n}: not a bounce event (the shape `rebound parse --json` writes, or {{\"recipient\",\"reply\",\"source\"}}): {e}")));
    }
    let g: Generic = serde_json::from_value(value)
        .map_err(|e| ApiError::bad_request(format!("line {n}: {e}")))?;
    let mut evidence = Evidence::of_reply_line(&g.reply);
    evidence.record.recipient = Some(g.recipient);
    if let Some(source) = g.source {
        evidence
            .tags
            .insert(app.config.source_header.clone(), source);
    }
    let origin = Origin {
        path: Some("http:/v1/events".into()),
        message: u64::try_from(n).unwrap_or(0),
    };
    Ok(rebound_ingest::build_event(
        evidence,
        &app.classifier,
        &origin,
    ))
}

/// `POST /v1/events`: JSON lines, each an event in the shape `rebound parse --json` writes or
/// `{"recipient","reply","source"}` (classified here; `source` is the lead source). All lines
/// are checked before anything is stored: one bad line refuses the request (400, naming it).
#[utoipa::path(post, path = "/v1/events", params(SourceQuery),
    request_body(content = String, content_type = "application/x-ndjson", description = "JSON lines"),
    responses(
        (status = 200, description = "events committed", body = Stored),
        (status = 400, description = "a line is not an event", body = ErrorBody),
        (status = 401, description = "no or wrong token", body = ErrorBody),
    ), security(("bearer" = [])), tag = "api")]
pub async fn post_events(
    State(app): State<Arc<App>>,
    _caller: Caller,
    Query(q): Query<SourceQuery>,
    body: Bytes,
) -> Result<Json<Stored>, ApiError> {
    let mut events = Vec::new();
    for (i, line) in body.split(|b| *b == b'\n').enumerate() {
        if line.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        events.push(event_of_line(&app, i + 1, line)?);
    }
    let sources = sources(&app, q);
    Ok(Json(store_events(&app, events, sources).await?))
}

/// `?reply=…&recipient=…` of `GET /v1/classify`.
#[derive(Deserialize, utoipa::IntoParams)]
pub struct ClassifyQuery {
    /// The reply, as the server wrote it (or an MTA quoted it).
    reply: String,
    /// The original recipient: tells whether a forward-path stays in its domain.
    recipient: Option<String>,
}

/// `GET /v1/classify?reply=…`: the classifier's verdict (no token, no store).
#[utoipa::path(get, path = "/v1/classify", params(ClassifyQuery), responses(
    (status = 200, description = "the fields of `rebound classify --json`", body = Object),
    (status = 400, description = "not a reply", body = ErrorBody),
), tag = "api")]
pub async fn classify(
    State(app): State<Arc<App>>,
    Query(q): Query<ClassifyQuery>,
) -> Result<Json<serde_json::Value>, ApiError> {
    let mut reply = Reply::parse(&q.reply).map_err(|e| ApiError::bad_request(e.to_string()))?;
    if let Some(r) = &q.recipient {
        reply.relate_to_recipient(r);
    }
    let c = app.classifier.classify(&reply);
    let v = serde_json::to_value(Verdict {
        input: &q.reply,
        reply: &reply,
        classification: &c,
    })
    .map_err(|e| ApiError::bad_request(e.to_string()))?;
    Ok(Json(v))
}

/// `GET /v1/explain/{code}`: the reference entries of a code or a reply (and the verdict for
/// a reply), as `rebound explain --json` prints them.
#[utoipa::path(get, path = "/v1/explain/{code}",
    params(("code" = String, Path, description = "551, 5.1.1, S3150, or a whole reply")),
    responses(
        (status = 200, description = "{query, reply, verdict, entries}", body = Object),
        (status = 404, description = "nothing explains it", body = ErrorBody),
    ), tag = "api")]
pub async fn explain(
    State(app): State<Arc<App>>,
    Path(code): Path<String>,
) -> Result<Json<serde_json::Value>, ApiError> {
    let reference = rebound_codes::Reference::builtin()
        .map_err(|e| ApiError::new(axum::http::StatusCode::INTERNAL_SERVER_ERROR, e.to_string()))?;
    let found = reference.find(&code).ok_or_else(|| {
        ApiError::not_found(format!("nothing in the code reference explains `{code}`"))
    })?;
    let mut doc = serde_json::json!({ "query": code, "entries": found.entries() });
    if let rebound_codes::Found::Reply(reply, _) = &found {
        doc["reply"] = serde_json::to_value(reply.as_ref()).unwrap_or_default();
        doc["verdict"] = serde_json::to_value(app.classifier.classify(reply)).unwrap_or_default();
    }
    Ok(Json(doc))
}

/// One address's standing.
#[derive(Serialize, utoipa::ToSchema)]
pub struct Standing {
    /// The address, normalized.
    pub address: String,
    /// Whether it is suppressed.
    pub suppressed: bool,
    /// The rule that suppressed it (`hard:userunknown`, `manual`, …).
    pub rule: Option<String>,
    /// Why: the bounce reason, or the note given by hand.
    pub reason: Option<String>,
    /// Since when (RFC 3339).
    pub since: Option<String>,
    /// The deciding event's id.
    pub event_id: Option<String>,
}

impl Standing {
    fn of(address: String, s: Option<Suppression>) -> Standing {
        match s {
            Some(s) => Standing {
                address,
                suppressed: true,
                rule: Some(s.rule),
                reason: s.reason,
                since: Some(time::format_rfc3339(s.created_at)),
                event_id: s.event_id,
            },
            None => Standing {
                address,
                suppressed: false,
                rule: None,
                reason: None,
                since: None,
                event_id: None,
            },
        }
    }
}

fn normalize(address: &str) -> Result<String, ApiError> {
    Address::parse(address)
        .map(Address::into_string)
        .map_err(|e| ApiError::bad_request(format!("`{address}`: {e}")))
}

/// `GET /v1/suppressions/{address}`.
#[utoipa::path(get, path = "/v1/suppressions/{address}",
    params(("address" = String, Path, description = "an email address")),
    responses(
        (status = 200, description = "the address's standing", body = Standing),
        (status = 400, description = "not an address", body = ErrorBody),
        (status = 401, description = "no or wrong token", body = ErrorBody),
    ), security(("bearer" = [])), tag = "suppressions")]
pub async fn get_suppression(
    State(app): State<Arc<App>>,
    _caller: Caller,
    Path(address): Path<String>,
) -> Result<Json<Standing>, ApiError> {
    let address = normalize(&address)?;
    let a = address.clone();
    let found = app.pool.run(move |s| s.suppression(&a)).await?;
    Ok(Json(Standing::of(address, found)))
}

/// The body (or query) of `PUT` / `DELETE /v1/suppressions/{address}`.
#[derive(Deserialize, Default, utoipa::ToSchema, utoipa::IntoParams)]
pub struct ReasonBody {
    /// Why (kept as the suppression's reason).
    #[serde(default)]
    reason: Option<String>,
}

/// The reason from a JSON body, else from `?reason=`.
fn reason_of(body: &Bytes, q: ReasonBody) -> Result<Option<String>, ApiError> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(q.reason);
    }
    let b: ReasonBody = serde_json::from_slice(body).map_err(|e| {
        ApiError::bad_request(format!("the body should be {{\"reason\": \"…\"}}: {e}"))
    })?;
    Ok(b.reason.or(q.reason))
}

/// `PUT /v1/suppressions/{address}`: suppress by hand (rule `manual`), with `{"reason"}`; an
/// address already suppressed keeps its first reason.
#[utoipa::path(put, path = "/v1/suppressions/{address}",
    params(("address" = String, Path, description = "an email address"), ReasonBody),
    request_body(content = ReasonBody, description = "optional: {\"reason\": \"…\"}"),
    responses(
        (status = 200, description = "the address's standing", body = Standing),
        (status = 400, description = "not an address", body = ErrorBody),
        (status = 401, description = "no or wrong token", body = ErrorBody),
    ), security(("bearer" = [])), tag = "suppressions")]
pub async fn put_suppression(
    State(app): State<Arc<App>>,
    caller: Caller,
    Path(address): Path<String>,
    Query(q): Query<ReasonBody>,
    body: Bytes,
) -> Result<Json<Standing>, ApiError> {
    let address = normalize(&address)?;
    let reason = reason_of(&body, q)?;
    let row = Suppression {
        address: address.clone(),
        rule: "manual".into(),
        reason,
        event_id: None,
        classifier_rule: None,
        source: None,
        created_at: time::now(),
    };
    let a = address.clone();
    let found = app
        .pool
        .run(move |s| {
            s.add_suppressions(vec![row])?;
            s.suppression(&a)
        })
        .await?;
    tracing::info!(token = %caller.0, address = %address, "suppressed by hand");
    Ok(Json(Standing::of(address, found)))
}

/// `DELETE /v1/suppressions/{address}`: mail to the address resumes (`reason` is logged).
#[utoipa::path(delete, path = "/v1/suppressions/{address}",
    params(("address" = String, Path, description = "an email address"), ReasonBody),
    responses(
        (status = 200, description = "the address's standing (not suppressed)", body = Standing),
        (status = 400, description = "not an address", body = ErrorBody),
        (status = 401, description = "no or wrong token", body = ErrorBody),
    ), security(("bearer" = [])), tag = "suppressions")]
pub async fn delete_suppression(
    State(app): State<Arc<App>>,
    caller: Caller,
    Path(address): Path<String>,
    Query(q): Query<ReasonBody>,
    body: Bytes,
) -> Result<Json<Standing>, ApiError> {
    let address = normalize(&address)?;
    let reason = reason_of(&body, q)?;
    let a = address.clone();
    let removed = app.pool.run(move |s| s.remove_suppressions(&[a])).await?;
    tracing::info!(token = %caller.0, address = %address, removed, reason = reason.as_deref().unwrap_or(""), "suppression removed");
    Ok(Json(Standing::of(address, None)))
}

/// `?after=…&limit=…` of `GET /v1/suppressions`.
#[derive(Deserialize, utoipa::IntoParams)]
pub struct PageQuery {
    /// Start after this address (the `next` of the previous page).
    after: Option<String>,
    /// Rows per page, 1 to 10,000 (default 1,000).
    limit: Option<u32>,
}

/// A page of the suppression list.
#[derive(Serialize, utoipa::ToSchema)]
pub struct SuppressionPage {
    /// The rows, by address (the fields of `rebound suppressions list --json`).
    #[schema(value_type = Vec<Object>)]
    pub suppressions: Vec<Suppression>,
    /// The `after` of the next page; null on the last.
    pub next: Option<String>,
}

/// `GET /v1/suppressions?after=…&limit=…`: the list, a page at a time, by address.
#[utoipa::path(get, path = "/v1/suppressions", params(PageQuery), responses(
    (status = 200, description = "one page", body = SuppressionPage),
    (status = 401, description = "no or wrong token", body = ErrorBody),
), security(("bearer" = [])), tag = "suppressions")]
pub async fn list_suppressions(
    State(app): State<Arc<App>>,
    _caller: Caller,
    Query(q): Query<PageQuery>,
) -> Result<Json<SuppressionPage>, ApiError> {
    let limit = q.limit.unwrap_or(1000).clamp(1, 10_000);
    let after = q.after.unwrap_or_default();
    let rows = app
        .pool
        .run(move |s| s.suppressions_page(&after, limit))
        .await?;
    let next = (rows.len() == limit as usize)
        .then(|| rows.last().map(|r| r.address.clone()))
        .flatten();
    Ok(Json(SuppressionPage {
        suppressions: rows,
        next,
    }))
}

/// `?status=` of `GET /v1/hints`.
#[derive(Deserialize, utoipa::IntoParams)]
pub struct HintQuery {
    /// pending, accepted or rejected (default: all).
    status: Option<String>,
}

/// `GET /v1/hints`: forward hints and review items (the fields of `rebound hints list --json`).
#[utoipa::path(get, path = "/v1/hints", params(HintQuery), responses(
    (status = 200, description = "the hints, by id", body = Vec<Object>),
    (status = 400, description = "unknown status", body = ErrorBody),
    (status = 401, description = "no or wrong token", body = ErrorBody),
), security(("bearer" = [])), tag = "hints")]
pub async fn list_hints(
    State(app): State<Arc<App>>,
    _caller: Caller,
    Query(q): Query<HintQuery>,
) -> Result<Json<Vec<Hint>>, ApiError> {
    let status = q
        .status
        .map(|s| s.parse::<HintStatus>())
        .transpose()
        .map_err(ApiError::bad_request)?;
    Ok(Json(app.pool.run(move |s| s.hints(status)).await?))
}

async fn decide(
    app: &App,
    caller: &Caller,
    id: i64,
    status: HintStatus,
) -> Result<Json<serde_json::Value>, ApiError> {
    let found = app.pool.run(move |s| s.decide_hint(id, status)).await?;
    if !found {
        return Err(ApiError::not_found(format!("no hint {id}")));
    }
    tracing::info!(token = %caller.0, id, status = %status, "hint decided");
    Ok(Json(serde_json::json!({ "id": id, "status": status })))
}

/// `POST /v1/hints/{id}/accept`: a person accepts the new address (nothing is mailed to it).
#[utoipa::path(post, path = "/v1/hints/{id}/accept", params(("id" = i64, Path, description = "the hint's id")), responses(
    (status = 200, description = "{id, status}", body = Object),
    (status = 404, description = "no such hint", body = ErrorBody),
    (status = 401, description = "no or wrong token", body = ErrorBody),
), security(("bearer" = [])), tag = "hints")]
pub async fn accept_hint(
    State(app): State<Arc<App>>,
    caller: Caller,
    Path(id): Path<i64>,
) -> Result<Json<serde_json::Value>, ApiError> {
    decide(&app, &caller, id, HintStatus::Accepted).await
}

/// `POST /v1/hints/{id}/reject`.
#[utoipa::path(post, path = "/v1/hints/{id}/reject", params(("id" = i64, Path, description = "the hint's id")), responses(
    (status = 200, description = "{id, status}", body = Object),
    (status = 404, description = "no such hint", body = ErrorBody),
    (status = 401, description = "no or wrong token", body = ErrorBody),
), security(("bearer" = [])), tag = "hints")]
pub async fn reject_hint(
    State(app): State<Arc<App>>,
    caller: Caller,
    Path(id): Path<i64>,
) -> Result<Json<serde_json::Value>, ApiError> {
    decide(&app, &caller, id, HintStatus::Rejected).await
}

/// `?since=` of `GET /v1/reports/{by}`.
#[derive(Deserialize, utoipa::IntoParams)]
pub struct ReportQuery {
    /// Only events at or after this date (YYYY-MM-DD) or RFC 3339 time.
    since: Option<String>,
}

/// The report, as `rebound report --json` prints it.
#[derive(Serialize, utoipa::ToSchema)]
pub struct Report {
    /// source, domain, reason, day or sender.
    pub by: String,
    /// The `since` in force (RFC 3339).
    pub since: Option<String>,
    /// One row per group.
    #[schema(value_type = Vec<Object>)]
    pub groups: Vec<ReportRow>,
}

/// `GET /v1/reports/{by}`: the audit by source, domain, reason, day or sender.
#[utoipa::path(get, path = "/v1/reports/{by}", params(("by" = String, Path, description = "source, domain, reason, day or sender"), ReportQuery), responses(
    (status = 200, description = "the fields of `rebound report --json`", body = Report),
    (status = 400, description = "unknown grouping or date", body = ErrorBody),
    (status = 401, description = "no or wrong token", body = ErrorBody),
), security(("bearer" = [])), tag = "reports")]
pub async fn report(
    State(app): State<Arc<App>>,
    _caller: Caller,
    Path(by): Path<String>,
    Query(q): Query<ReportQuery>,
) -> Result<Json<Report>, ApiError> {
    let grouping: Grouping = by.parse().map_err(ApiError::bad_request)?;
    let since = q
        .since
        .map(|s| {
            time::parse_date(&s).ok_or_else(|| {
                ApiError::bad_request(format!(
                    "since `{s}`: expected a date (YYYY-MM-DD) or an RFC 3339 time"
                ))
            })
        })
        .transpose()?;
    let by = grouping.as_str().to_string();
    let groups = app.pool.run(move |s| s.report(grouping, since)).await?;
    Ok(Json(Report {
        by,
        since: since.map(time::format_rfc3339),
        groups,
    }))
}
