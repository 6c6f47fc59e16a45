//! The webhook receivers, `POST /webhooks/{service}`: each checks its service's own
//! authenticity proof ([`mailgun`], [`sendgrid`], [`ses`], [`mandrill`], [`basic`] for
//! Postmark and SparkPost) and refuses a failed one with 401, storing nothing; then reads the
//! body with the same reader as `rebound parse --format SERVICE` (a body that does not parse
//! gets 400 with the reason) and answers 200 only after the events are committed. A service
//! without configuration answers 404.
//!
//! The same delivery twice stores its events once (the store's event key); a Mailgun token
//! is remembered once its events are committed, so a replayed signature is refused.

pub mod basic;
pub mod mailgun;
pub mod mandrill;
pub mod sendgrid;
pub mod ses;

use crate::app::{App, Stored, store_signed_events};
use crate::config::Config;
use crate::error::ApiError;
use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use rebound_ingest::WebhookFormat;
use rebound_store::SourceRule;
use std::sync::Arc;

/// A failed authenticity proof, and why (logged and answered with 401).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthError(pub String);

/// The receivers' keys, read from the configuration at start-up.
#[derive(Default)]
pub struct Verifiers {
    mailgun: Option<String>,
    sendgrid: Option<p256::ecdsa::VerifyingKey>,
    ses: Option<ses::Keys>,
    mandrill: Option<crate::config::Mandrill>,
    postmark: Option<crate::config::Basic>,
    sparkpost: Option<crate::config::Basic>,
}

impl Verifiers {
    /// Reads the keys and certificates of every configured receiver; an error names the
    /// setting.
    pub fn from_config(config: &Config) -> Result<Verifiers, String> {
        let w = &config.webhooks;
        Ok(Verifiers {
            mailgun: w.mailgun.as_ref().map(|m| m.signing_key.clone()),
            sendgrid: w
                .sendgrid
                .as_ref()
                .map(|s| sendgrid::key(&s.public_key))
                .transpose()?,
            ses: w.ses.as_ref().map(ses::Keys::load).transpose()?,
            mandrill: w.mandrill.clone(),
            postmark: w.postmark.clone(),
            sparkpost: w.sparkpost.clone(),
        })
    }

    /// The names of the configured receivers.
    pub fn configured(&self) -> Vec<&'static str> {
        let mut v = Vec::new();
        for (name, on) in [
            ("mailgun", self.mailgun.is_some()),
            ("sendgrid", self.sendgrid.is_some()),
            ("ses", self.ses.is_some()),
            ("mandrill", self.mandrill.is_some()),
            ("postmark", self.postmark.is_some()),
            ("sparkpost", self.sparkpost.is_some()),
        ] {
            if on {
                v.push(name);
            }
        }
        v
    }
}

/// What a receiver answers: the events read and how many were new.
#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct Received {
    /// The service.
    pub service: String,
    /// `stored`, or for an SNS confirmation `logged`.
    pub outcome: &'static str,
    /// What the store did with the body's events.
    #[serde(flatten)]
    pub stored: Stored,
}

/// `HEAD /webhooks/{service}`: Mandrill checks a new webhook URL this way; 200 when the
/// receiver is configured, 404 otherwise.
pub async fn head(State(app): State<Arc<App>>, Path(service): Path<String>) -> StatusCode {
    if app.verifiers.configured().contains(&service.as_str()) {
        StatusCode::OK
    } else {
        StatusCode::NOT_FOUND
    }
}

/// `POST /webhooks/{service}`.
#[utoipa::path(
    post,
    path = "/webhooks/{service}",
    params(("service" = String, Path, description = "mailgun, sendgrid, ses, mandrill, postmark or sparkpost")),
    request_body(content = String, description = "the service's webhook body, as it sends it"),
    responses(
        (status = 200, description = "events committed (or an SNS confirmation logged)", body = Received),
        (status = 400, description = "the body does not parse", body = crate::error::ErrorBody),
        (status = 401, description = "the authenticity proof failed; nothing stored", body = crate::error::ErrorBody),
        (status = 404, description = "no such receiver configured", body = crate::error::ErrorBody),
        (status = 413, description = "the body is over max_body"),
        (status = 503, description = "the store failed; retry", body = crate::error::ErrorBody),
    ),
    tag = "webhooks"
)]
pub async fn receive(
    State(app): State<Arc<App>>,
    Path(service): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    let v = &app.verifiers;
    let refuse = |e: AuthError| {
        app.metrics.auth_failure(&service);
        tracing::warn!(service = %service, why = %e.0, "webhook refused");
        ApiError::unauthorized(e.0)
    };
    let not_configured =
        || ApiError::not_found(format!("no [webhooks.{service}] receiver is configured"));
    let mut nonce = None;
    let format = match service.as_str() {
        "mailgun" => {
            let key = v.mailgun.as_ref().ok_or_else(not_configured)?;
            let window = i64::try_from(app.config.replay_window).unwrap_or(i64::MAX);
            let token =
                mailgun::verify(key, &body, rebound_store::time::now(), window).map_err(refuse)?;
            let t = token.clone();
            let seen = app.pool.run(move |s| s.nonce_seen("mailgun", &t)).await?;
            if seen {
                return Err(refuse(AuthError(
                    "this signature's token was seen before (a replay)".into(),
                )));
            }
            nonce = Some(token);
            WebhookFormat::Mailgun
        }
        "sendgrid" => {
            let key = v.sendgrid.as_ref().ok_or_else(not_configured)?;
            sendgrid::verify(key, &headers, &body).map_err(refuse)?;
            WebhookFormat::SendGrid
        }
        "ses" => {
            let keys = v.ses.as_ref().ok_or_else(not_configured)?;
            let envelope = keys.verify(&body).map_err(refuse)?;
            if envelope.kind != "Notification" {
                tracing::warn!(
                    topic = %envelope.topic_arn,
                    kind = %envelope.kind,
                    subscribe_url = envelope.subscribe_url.as_deref().unwrap_or(""),
                    "SNS {}: open the SubscribeURL to confirm (not confirmed automatically)",
                    envelope.kind
                );
                return Ok(Json(Received {
                    service,
                    outcome: "logged",
                    stored: Stored::default(),
                })
                .into_response());
            }
            WebhookFormat::Ses
        }
        "mandrill" => {
            let m = v.mandrill.as_ref().ok_or_else(not_configured)?;
            mandrill::verify(&m.key, &m.url, &headers, &body).map_err(refuse)?;
            WebhookFormat::Mandrill
        }
        "postmark" => {
            let b = v.postmark.as_ref().ok_or_else(not_configured)?;
            basic::verify(b, &headers).map_err(refuse)?;
            WebhookFormat::Postmark
        }
        "sparkpost" => {
            let b = v.sparkpost.as_ref().ok_or_else(not_configured)?;
            basic::verify(b, &headers).map_err(refuse)?;
            WebhookFormat::SparkPost
        }
        _ => {
            return Err(ApiError::not_found(format!(
                "no webhook receiver `{service}`"
            )));
        }
    };
    let path = format!("webhook:{service}");
    let events = rebound_ingest::read_webhook(&body, Some(format), &app.classifier, Some(&path))
        .map_err(|e| ApiError::bad_request(format!("{service}: {e}")))?;
    let sources = SourceRule {
        tag: None,
        tags: app.config.source_tags.clone(),
        header: app.config.source_header.clone(),
        send_list: app.config.send_list,
    };
    // The token is recorded after the commit: a crash before lets the service's retry in,
    // and its events are already stored once.
    let keep = i64::try_from(app.config.replay_window.saturating_mul(2)).unwrap_or(i64::MAX);
    let nonce = nonce.map(|value| crate::pool::Nonce {
        service: "mailgun",
        value,
        keep_secs: keep,
    });
    let stored = store_signed_events(&app, events, sources, nonce).await?;
    Ok(Json(Received {
        service,
        outcome: "stored",
        stored,
    })
    .into_response())
}
