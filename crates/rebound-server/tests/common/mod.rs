//! What the service tests share: a server with every receiver configured, called in-process
//! (the router directly, an SQLite store in a scratch directory), with keys made here; the
//! imports the tests share come with it.

#![allow(dead_code)]

pub use axum::Router;
pub use axum::body::Body;
pub use axum::http::{Method, Request, StatusCode};
pub use http_body_util::BodyExt;
pub use rebound_core::Classifier;
pub use rebound_server::config::{Basic, Mailgun, Mandrill, SendGrid, Ses};
pub use rebound_server::{Config, Server, testing, tokens};
pub use rebound_store::{Location, Policy, Store, Table};
pub use std::path::{Path, PathBuf};
pub use std::sync::Arc;
pub use tower::ServiceExt;

pub const MAILGUN_KEY: &str = "key-3ax6xnjp29jd6fds4gc373sgvjxteol0";
pub const MANDRILL_URL: &str = "https://bounces.example.com/webhooks/mandrill";
pub const TOPIC: &str = "arn:aws:sns:us-east-1:123456789012:ses-bounces";
pub const CERT: &str = "SimpleNotificationService-test.pem";

pub fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures")
}

pub fn fixture(path: &str) -> Vec<u8> {
    std::fs::read(fixtures().join(path)).unwrap()
}

pub struct Harness {
    pub dir: PathBuf,
    pub location: Location,
    pub router: Router,
    pub sendgrid: p256::ecdsa::SigningKey,
    pub sns: Option<rsa::RsaPrivateKey>,
    pub token: String,
}

impl Drop for Harness {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// A server with every receiver configured (SES only when `openssl` can make a certificate).
pub fn harness() -> Harness {
    harness_with(|_| {})
}

pub fn harness_with(tune: impl FnOnce(&mut Config)) -> Harness {
    let dir = std::env::temp_dir().join(rebound_store::testing::unique_name("rebound-server-test"));
    std::fs::create_dir_all(&dir).unwrap();
    let (sendgrid, public) = testing::sendgrid_key().unwrap();
    let sns = testing::sns_certificate(&dir, CERT);
    let mut config = Config::default();
    config.webhooks.mailgun = Some(Mailgun {
        signing_key: MAILGUN_KEY.into(),
    });
    config.webhooks.sendgrid = Some(SendGrid { public_key: public });
    config.webhooks.mandrill = Some(Mandrill {
        key: "mandrill-key".into(),
        url: MANDRILL_URL.into(),
    });
    config.webhooks.postmark = Some(Basic {
        username: "postmark".into(),
        password: "pm-secret".into(),
    });
    config.webhooks.sparkpost = Some(Basic {
        username: "sparkpost".into(),
        password: "sp-secret".into(),
    });
    if let Some((cert, _)) = &sns {
        config.webhooks.ses = Some(Ses {
            certificates: vec![cert.clone()],
            topics: vec![
                TOPIC.into(),
                "arn:aws:sns:us-east-1:1234567890:SES_Events".into(),
            ],
            confirm_subscriptions: false,
        });
    } else {
        eprintln!("skipped: the SES receiver's tests (openssl is not installed)");
    }
    tune(&mut config);
    let location = Location::Sqlite(dir.join("store.db"));
    let classifier = Arc::new(Classifier::builtin().unwrap());
    let server = Server::new(config, location.clone(), Policy::default(), classifier).unwrap();
    let token = tokens::generate().unwrap();
    Store::open(&location)
        .unwrap()
        .add_token("tests", &tokens::hash(&token))
        .unwrap();
    Harness {
        dir,
        location,
        router: server.router(),
        sendgrid,
        sns: sns.map(|(_, k)| k),
        token,
    }
}

impl Harness {
    pub async fn send(&self, req: Request<Body>) -> (StatusCode, String) {
        let response = self.router.clone().oneshot(req).await.unwrap();
        let status = response.status();
        let body = response.into_body().collect().await.unwrap().to_bytes();
        (status, String::from_utf8_lossy(&body).into_owned())
    }

    pub async fn post(
        &self,
        path: &str,
        headers: &[(&str, &str)],
        body: Vec<u8>,
    ) -> (StatusCode, String) {
        let mut req = Request::builder().method(Method::POST).uri(path);
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        self.send(req.body(Body::from(body)).unwrap()).await
    }

    pub async fn api(
        &self,
        method: Method,
        path: &str,
        body: &str,
    ) -> (StatusCode, serde_json::Value) {
        let req = Request::builder()
            .method(method)
            .uri(path)
            .header("authorization", format!("Bearer {}", self.token))
            .body(Body::from(body.to_string()))
            .unwrap();
        let (status, text) = self.send(req).await;
        (
            status,
            serde_json::from_str(&text).unwrap_or(serde_json::Value::Null),
        )
    }

    pub fn events(&self) -> i64 {
        Store::open(&self.location)
            .unwrap()
            .count(Table::Events)
            .unwrap()
    }

    pub async fn mailgun(
        &self,
        body: &serde_json::Value,
        key: &str,
        ts: i64,
        token: &str,
    ) -> (StatusCode, String) {
        let signed = testing::mailgun_signed(body, key, ts, token);
        self.post(
            "/webhooks/mailgun",
            &[("content-type", "application/json")],
            signed,
        )
        .await
    }

    pub async fn sendgrid(
        &self,
        key: &p256::ecdsa::SigningKey,
        signed: &[u8],
        sent: &[u8],
    ) -> (StatusCode, String) {
        let sig = testing::sendgrid_signature(key, "1700000000", signed);
        self.post(
            "/webhooks/sendgrid",
            &[
                ("x-twilio-email-event-webhook-signature", &sig),
                ("x-twilio-email-event-webhook-timestamp", "1700000000"),
            ],
            sent.to_vec(),
        )
        .await
    }
}

pub fn now() -> i64 {
    rebound_store::time::now()
}

pub fn mailgun_body() -> serde_json::Value {
    serde_json::from_slice(&fixture("webhook/mailgun/failed-permanent-bounce.json")).unwrap()
}
