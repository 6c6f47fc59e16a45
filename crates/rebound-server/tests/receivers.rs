//! The service in-process (the router called directly, an SQLite store in a scratch
//! directory): every webhook receiver with requests signed by keys made here, valid and
//! forged; limits; the API's token; the `/v1` routes over the store.

#![allow(clippy::unwrap_used)]

use axum::Router;
use axum::body::Body;
use axum::http::{Method, Request, StatusCode};
use http_body_util::BodyExt;
use rebound_core::Classifier;
use rebound_server::config::{Basic, Mailgun, Mandrill, SendGrid, Ses};
use rebound_server::{Config, Server, testing, tokens};
use rebound_store::{Location, Policy, Store, Table};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use tower::ServiceExt;

const MAILGUN_KEY: &str = "key-3ax6xnjp29jd6fds4gc373sgvjxteol0";
const MANDRILL_URL: &str = "https://bounces.example.com/webhooks/mandrill";
const TOPIC: &str = "arn:aws:sns:us-east-1:123456789012:ses-bounces";
const CERT: &str = "SimpleNotificationService-test.pem";

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures")
}

fn fixture(path: &str) -> Vec<u8> {
    std::fs::read(fixtures().join(path)).unwrap()
}

struct Harness {
    dir: PathBuf,
    location: Location,
    router: Router,
    sendgrid: p256::ecdsa::SigningKey,
    sns: Option<rsa::RsaPrivateKey>,
    token: String,
}

impl Drop for Harness {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// A server with every receiver configured (SES only when `openssl` can make a certificate).
fn harness() -> Harness {
    harness_with(|_| {})
}

fn harness_with(tune: impl FnOnce(&mut Config)) -> Harness {
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
    async fn send(&self, req: Request<Body>) -> (StatusCode, String) {
        let response = self.router.clone().oneshot(req).await.unwrap();
        let status = response.status();
        let body = response.into_body().collect().await.unwrap().to_bytes();
        (status, String::from_utf8_lossy(&body).into_owned())
    }

    async fn post(
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

    async fn api(&self, method: Method, path: &str, body: &str) -> (StatusCode, serde_json::Value) {
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

    fn events(&self) -> i64 {
        Store::open(&self.location)
            .unwrap()
            .count(Table::Events)
            .unwrap()
    }

    async fn mailgun(
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

    async fn sendgrid(
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

fn now() -> i64 {
    rebound_store::time::now()
}

fn mailgun_body() -> serde_json::Value {
    serde_json::from_slice(&fixture("webhook/mailgun/failed-permanent-bounce.json")).unwrap()
}

#[tokio::test]
async fn mailgun_signed_is_stored_and_forgeries_and_replays_are_refused() {
    let h = harness();
    let body = mailgun_body();
    let (status, text) = h.mailgun(&body, MAILGUN_KEY, now(), "token-1").await;
    assert_eq!(status, StatusCode::OK, "{text}");
    assert_eq!(h.events(), 1);
    let v: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(
        (v["new"].as_u64(), v["outcome"].as_str()),
        (Some(1), Some("stored"))
    );

    // The same token again (a replay of the whole request): refused.
    let (status, text) = h.mailgun(&body, MAILGUN_KEY, now(), "token-1").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{text}");
    assert!(text.contains("replay"), "{text}");

    let mut other = body.clone();
    other["event-data"]["recipient"] = "someone.else@example.com".into();
    // Wrong key.
    let (status, _) = h.mailgun(&other, "key-wrong", now(), "token-2").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    // Stale timestamp (10 minutes).
    let (status, text) = h.mailgun(&other, MAILGUN_KEY, now() - 600, "token-3").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert!(text.contains("window"), "{text}");
    // Tampered body: signed, then the recipient changed.
    let signed = testing::mailgun_signed(&body, MAILGUN_KEY, now(), "token-4");
    let mut tampered: serde_json::Value = serde_json::from_slice(&signed).unwrap();
    tampered["signature"]["timestamp"] = (now() + 1).to_string().into();
    let (status, _) = h
        .post(
            "/webhooks/mailgun",
            &[],
            serde_json::to_vec(&tampered).unwrap(),
        )
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    // No signature at all.
    let (status, _) = h
        .post(
            "/webhooks/mailgun",
            &[],
            fixture("webhook/mailgun/failed-temporary-generic.json"),
        )
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(h.events(), 1, "nothing refused was stored");

    // A body without bounce events (a delivery): acknowledged, its token remembered all the same.
    let mut delivered = body.clone();
    delivered["event-data"]["event"] = "delivered".into();
    let (status, text) = h.mailgun(&delivered, MAILGUN_KEY, now(), "token-5").await;
    assert_eq!(status, StatusCode::OK, "{text}");
    let (status, _) = h.mailgun(&delivered, MAILGUN_KEY, now(), "token-5").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(h.events(), 1);

    let metrics = h
        .send(Request::get("/metrics").body(Body::empty()).unwrap())
        .await
        .1;
    assert!(
        metrics.contains("rebound_webhook_auth_failures_total{service=\"mailgun\"} 6"),
        "{metrics}"
    );
}

#[tokio::test]
async fn sendgrid_signature_checks_key_and_body_and_a_retry_is_stored_once() {
    let h = harness();
    let body = fixture("webhook/sendgrid/bounce-docs.json");
    let (status, text) = h.sendgrid(&h.sendgrid, &body, &body).await;
    assert_eq!(status, StatusCode::OK, "{text}");
    assert_eq!(h.events(), 1);
    // The service retries the same delivery: acknowledged, stored once.
    let (status, text) = h.sendgrid(&h.sendgrid, &body, &body).await;
    assert_eq!(status, StatusCode::OK, "{text}");
    let v: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(
        (v["new"].as_u64(), v["duplicates"].as_u64()),
        (Some(0), Some(1))
    );
    // Another key.
    let (other, _) = testing::sendgrid_key().unwrap();
    let body2 = fixture("webhook/sendgrid/dropped-docs.json");
    assert_eq!(
        h.sendgrid(&other, &body2, &body2).await.0,
        StatusCode::UNAUTHORIZED
    );
    // A body changed after signing.
    let mut tampered = body2.clone();
    let at = tampered.iter().position(|b| *b == b'@').unwrap();
    tampered[at - 1] = b'X';
    assert_eq!(
        h.sendgrid(&h.sendgrid, &body2, &tampered).await.0,
        StatusCode::UNAUTHORIZED
    );
    // No signature headers.
    assert_eq!(
        h.post("/webhooks/sendgrid", &[], body2.clone()).await.0,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(h.events(), 1);
    // Signed but not a SendGrid body: 400 with the reason, nothing stored.
    let (status, text) = h
        .sendgrid(&h.sendgrid, b"{\"not\": [", b"{\"not\": [")
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(text.contains("JSON"), "{text}");
    let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000)).into_bytes();
    let (status, _) = h.sendgrid(&h.sendgrid, &deep, &deep).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(h.events(), 1);
}

fn sns_notification(message: &str, topic: &str) -> serde_json::Value {
    serde_json::json!({
        "Type": "Notification",
        "MessageId": "22b80b92-fdea-4c2c-8f9d-bdfb0c7bf324",
        "TopicArn": topic,
        "Subject": "Amazon SES Email Event Notification",
        "Message": message,
        "Timestamp": "2024-05-01T12:00:00.000Z",
        "UnsubscribeURL": "https://sns.us-east-1.amazonaws.com/?Action=Unsubscribe",
    })
}

#[tokio::test]
async fn ses_sns_signatures_v1_and_v2_topics_and_certificates() {
    let h = harness();
    let Some(key) = &h.sns else { return };
    let message =
        String::from_utf8(fixture("webhook/ses/notification-bounce-with-dsn.json")).unwrap();
    let post = |v: &serde_json::Value| h.post("/webhooks/ses", &[], serde_json::to_vec(v).unwrap());
    for version in [1, 2] {
        let mut m = sns_notification(&message, TOPIC);
        testing::sns_sign(&mut m, key, version, CERT).unwrap();
        let (status, text) = post(&m).await;
        assert_eq!(status, StatusCode::OK, "version {version}: {text}");
    }
    let stored = h.events();
    assert!(stored >= 1);
    // The message changed after signing.
    let mut m = sns_notification(&message, TOPIC);
    testing::sns_sign(&mut m, key, 2, CERT).unwrap();
    m["Message"] = message.replace("@", "+x@").into();
    assert_eq!(post(&m).await.0, StatusCode::UNAUTHORIZED);
    // Another key under the configured certificate's name.
    let (_, other) = testing::sns_certificate(&h.dir, "other.pem").unwrap();
    let mut m = sns_notification(&message, TOPIC);
    testing::sns_sign(&mut m, &other, 1, CERT).unwrap();
    assert_eq!(post(&m).await.0, StatusCode::UNAUTHORIZED);
    // A certificate that is not configured.
    let mut m = sns_notification(&message, TOPIC);
    testing::sns_sign(&mut m, key, 1, "other.pem").unwrap();
    assert_eq!(post(&m).await.0, StatusCode::UNAUTHORIZED);
    // A certificate URL off Amazon.
    let mut m = sns_notification(&message, TOPIC);
    testing::sns_sign(&mut m, key, 1, CERT).unwrap();
    m["SigningCertURL"] = format!("https://evil.example/{CERT}").into();
    assert_eq!(post(&m).await.0, StatusCode::UNAUTHORIZED);
    // A topic not allow-listed, however well signed.
    let mut m = sns_notification(&message, "arn:aws:sns:us-east-1:999999999999:other");
    testing::sns_sign(&mut m, key, 2, CERT).unwrap();
    let (status, text) = post(&m).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert!(text.contains("topic"), "{text}");
    assert_eq!(h.events(), stored);
    // A subscription confirmation: logged for a person, nothing stored.
    let mut c = serde_json::json!({
        "Type": "SubscriptionConfirmation",
        "MessageId": "165545c9-2a5c-472c-8df2-7ff2be2b3b1b",
        "Token": "2336412f37",
        "TopicArn": TOPIC,
        "Message": "You have chosen to subscribe to the topic.",
        "SubscribeURL": "https://sns.us-east-1.amazonaws.com/?Action=ConfirmSubscription&Token=2336412f37",
        "Timestamp": "2024-05-01T12:00:00.000Z",
    });
    testing::sns_sign(&mut c, key, 1, CERT).unwrap();
    let (status, text) = post(&c).await;
    assert_eq!(status, StatusCode::OK, "{text}");
    assert!(text.contains("logged"), "{text}");
    assert_eq!(h.events(), stored);
}

#[tokio::test]
async fn mandrill_signature_over_url_and_sorted_params_and_its_head_check() {
    let h = harness();
    let head = Request::head("/webhooks/mandrill")
        .body(Body::empty())
        .unwrap();
    assert_eq!(h.send(head).await.0, StatusCode::OK);
    let body = fixture("webhook/mandrill/hard-bounce.form");
    let sig = testing::mandrill_signature("mandrill-key", MANDRILL_URL, &body);
    let form = ("content-type", "application/x-www-form-urlencoded");
    let (status, text) = h
        .post(
            "/webhooks/mandrill",
            &[form, ("x-mandrill-signature", &sig)],
            body.clone(),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{text}");
    let stored = h.events();
    assert!(stored >= 1);
    let wrong = testing::mandrill_signature("other-key", MANDRILL_URL, &body);
    assert_eq!(
        h.post(
            "/webhooks/mandrill",
            &[form, ("x-mandrill-signature", &wrong)],
            body.clone()
        )
        .await
        .0,
        StatusCode::UNAUTHORIZED
    );
    let wrong_url =
        testing::mandrill_signature("mandrill-key", "https://elsewhere.example/", &body);
    assert_eq!(
        h.post(
            "/webhooks/mandrill",
            &[form, ("x-mandrill-signature", &wrong_url)],
            body.clone()
        )
        .await
        .0,
        StatusCode::UNAUTHORIZED
    );
    let mut tampered = body.clone();
    tampered.extend_from_slice(b"&extra=1");
    assert_eq!(
        h.post(
            "/webhooks/mandrill",
            &[form, ("x-mandrill-signature", &sig)],
            tampered
        )
        .await
        .0,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(h.events(), stored);
}

#[tokio::test]
async fn postmark_and_sparkpost_take_their_basic_credentials_only() {
    use base64::Engine;
    let h = harness();
    let basic = |u: &str, p: &str| {
        format!(
            "Basic {}",
            base64::engine::general_purpose::STANDARD.encode(format!("{u}:{p}"))
        )
    };
    for (service, user, password, file) in [
        (
            "postmark",
            "postmark",
            "pm-secret",
            "webhook/postmark/bounce-webhook.json",
        ),
        (
            "sparkpost",
            "sparkpost",
            "sp-secret",
            "webhook/sparkpost/bounce.json",
        ),
    ] {
        let path = format!("/webhooks/{service}");
        let body = fixture(file);
        let before = h.events();
        for bad in [
            basic(user, "wrong"),
            basic("someone", password),
            "Bearer x".to_string(),
        ] {
            let (status, _) = h
                .post(&path, &[("authorization", &bad)], body.clone())
                .await;
            assert_eq!(status, StatusCode::UNAUTHORIZED, "{service} {bad}");
        }
        assert_eq!(
            h.post(&path, &[], body.clone()).await.0,
            StatusCode::UNAUTHORIZED
        );
        assert_eq!(h.events(), before);
        let (status, text) = h
            .post(&path, &[("authorization", &basic(user, password))], body)
            .await;
        assert_eq!(status, StatusCode::OK, "{service}: {text}");
        assert!(h.events() > before, "{service}");
    }
}

#[tokio::test]
async fn receivers_without_configuration_answer_404() {
    let h = harness_with(|c| c.webhooks = Default::default());
    for service in [
        "mailgun",
        "sendgrid",
        "ses",
        "mandrill",
        "postmark",
        "sparkpost",
        "nobody",
    ] {
        let (status, _) = h
            .post(&format!("/webhooks/{service}"), &[], b"{}".to_vec())
            .await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{service}");
        let head = Request::head(format!("/webhooks/{service}"))
            .body(Body::empty())
            .unwrap();
        assert_eq!(h.send(head).await.0, StatusCode::NOT_FOUND, "{service}");
    }
}

#[tokio::test]
async fn bodies_over_max_body_get_413_declared_or_streamed() {
    let h = harness_with(|c| c.max_body = 1024);
    let big = vec![b' '; 4096];
    let declared = Request::post("/webhooks/sendgrid")
        .header("content-length", "4096")
        .body(Body::from(big.clone()))
        .unwrap();
    assert_eq!(h.send(declared).await.0, StatusCode::PAYLOAD_TOO_LARGE);
    // Streamed without a length: cut at the limit, then 413 (after the proof: signed).
    let sig = testing::sendgrid_signature(&h.sendgrid, "1", &big);
    let chunks: Vec<Result<Vec<u8>, std::io::Error>> =
        big.chunks(512).map(|c| Ok(c.to_vec())).collect();
    let streamed = Request::post("/webhooks/sendgrid")
        .header("x-twilio-email-event-webhook-signature", sig)
        .header("x-twilio-email-event-webhook-timestamp", "1")
        .body(Body::from_stream(futures_util::stream::iter(chunks)))
        .unwrap();
    assert_eq!(h.send(streamed).await.0, StatusCode::PAYLOAD_TOO_LARGE);
    let api = Request::post("/v1/events")
        .header("authorization", format!("Bearer {}", h.token))
        .header("content-length", "4096")
        .body(Body::from(big))
        .unwrap();
    assert_eq!(h.send(api).await.0, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(h.events(), 0);
}

#[tokio::test]
async fn api_writes_and_stored_reads_need_a_token_known_to_the_store() {
    let h = harness();
    let line = r#"{"recipient":"jdoe@example.com","reply":"550 5.1.1 user unknown"}"#;
    for auth in [
        None,
        Some("Bearer rbd_0000"),
        Some("Basic eDp5"),
        Some("Bearer "),
    ] {
        for (method, path) in [
            (Method::POST, "/v1/events"),
            (Method::POST, "/v1/bounces"),
            (Method::GET, "/v1/suppressions/jdoe@example.com"),
            (Method::PUT, "/v1/suppressions/jdoe@example.com"),
            (Method::DELETE, "/v1/suppressions/jdoe@example.com"),
            (Method::GET, "/v1/suppressions"),
            (Method::GET, "/v1/hints"),
            (Method::POST, "/v1/hints/1/accept"),
            (Method::GET, "/v1/reports/source"),
        ] {
            let mut req = Request::builder().method(method.clone()).uri(path);
            if let Some(a) = auth {
                req = req.header("authorization", a);
            }
            let (status, _) = h.send(req.body(Body::from(line)).unwrap()).await;
            assert_eq!(
                status,
                StatusCode::UNAUTHORIZED,
                "{method} {path} with {auth:?}"
            );
        }
    }
    assert_eq!(h.events(), 0);
    let (status, v) = h.api(Method::POST, "/v1/events", line).await;
    assert_eq!(status, StatusCode::OK, "{v}");
    assert_eq!(h.events(), 1);
    // Revoked: refused at the next request.
    Store::open(&h.location)
        .unwrap()
        .remove_token("tests")
        .unwrap();
    assert_eq!(
        h.api(Method::GET, "/v1/hints", "").await.0,
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test]
async fn events_bounces_suppressions_hints_and_reports() {
    let h = harness();
    // Generic lines and a line as `rebound parse --json` writes it.
    let parsed = rebound_ingest::read_webhook(
        &fixture("webhook/sendgrid/bounce-docs.json"),
        Some(rebound_ingest::WebhookFormat::SendGrid),
        &Classifier::builtin().unwrap(),
        Some("x.json"),
    )
    .unwrap();
    let body = format!(
        "{}\n\n{}\n{}\n",
        r#"{"recipient":"Jane <jane@example.com>","reply":"550 5.1.1 user unknown","source":"fair-2024"}"#,
        r#"{"recipient":"old@example.com","reply":"551 User not local; please try <new@example.com>"}"#,
        serde_json::to_string(&parsed[0]).unwrap()
    );
    let (status, v) = h.api(Method::POST, "/v1/events?source=", &body).await;
    assert_eq!(status, StatusCode::OK, "{v}");
    assert_eq!(v["new"], 3);
    // A bad line refuses the whole request, naming the line.
    let (status, v) = h
        .api(
            Method::POST,
            "/v1/events",
            "{\"recipient\":\"a@b.c\",\"reply\":\"550 x\"}\n{oops\n",
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(v["error"].as_str().unwrap().contains("line 2"), "{v}");
    let deep = format!("{}{}", "[".repeat(10_000), "]".repeat(10_000));
    assert_eq!(
        h.api(Method::POST, "/v1/events", &deep).await.0,
        StatusCode::BAD_REQUEST
    );
    assert_eq!(h.events(), 3);

    // A raw bounce email.
    let eml = String::from_utf8(fixture("mail/postfix/fwd-251.eml")).unwrap();
    let (status, v) = h.api(Method::POST, "/v1/bounces", &eml).await;
    assert_eq!(status, StatusCode::OK, "{v}");
    assert!(v["events"].as_u64().unwrap() >= 1, "{v}");
    assert_eq!(
        h.api(Method::POST, "/v1/bounces", "").await.0,
        StatusCode::BAD_REQUEST
    );

    // Suppressions: the hard bounce suppressed jane; by hand; removed; pages.
    let (status, v) = h
        .api(Method::GET, "/v1/suppressions/JANE@example.com", "")
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        (v["address"].as_str(), v["suppressed"].as_bool()),
        (Some("jane@example.com"), Some(true))
    );
    assert_eq!(v["reason"], "userunknown");
    assert!(v["since"].as_str().unwrap().ends_with('Z'));
    let (status, v) = h
        .api(
            Method::PUT,
            "/v1/suppressions/bob@example.org",
            r#"{"reason":"asked by phone"}"#,
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        (
            v["suppressed"].as_bool(),
            v["reason"].as_str(),
            v["rule"].as_str()
        ),
        (Some(true), Some("asked by phone"), Some("manual"))
    );
    let (_, v) = h.api(Method::GET, "/v1/suppressions?limit=1", "").await;
    assert_eq!(v["suppressions"].as_array().unwrap().len(), 1);
    let next = v["next"].as_str().unwrap().to_string();
    let (_, v2) = h
        .api(
            Method::GET,
            &format!("/v1/suppressions?limit=1&after={next}"),
            "",
        )
        .await;
    assert_ne!(
        v2["suppressions"][0]["address"],
        v["suppressions"][0]["address"]
    );
    let (status, v) = h
        .api(
            Method::DELETE,
            "/v1/suppressions/bob@example.org?reason=mistake",
            "",
        )
        .await;
    assert_eq!(
        (status, v["suppressed"].as_bool()),
        (StatusCode::OK, Some(false))
    );
    let (_, v) = h
        .api(Method::GET, "/v1/suppressions/bob@example.org", "")
        .await;
    assert_eq!(v["suppressed"], false);
    assert_eq!(
        h.api(Method::GET, "/v1/suppressions/not-an-address", "")
            .await
            .0,
        StatusCode::BAD_REQUEST
    );

    // Hints: the 551 named a new address in the same domain.
    let (status, v) = h.api(Method::GET, "/v1/hints?status=pending", "").await;
    assert_eq!(status, StatusCode::OK);
    let hint = v
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["new_address"] == "new@example.com")
        .unwrap();
    let id = hint["id"].as_i64().unwrap();
    let (status, v) = h
        .api(Method::POST, &format!("/v1/hints/{id}/accept"), "")
        .await;
    assert_eq!(
        (status, v["status"].as_str()),
        (StatusCode::OK, Some("accepted"))
    );
    assert_eq!(
        h.api(Method::POST, "/v1/hints/999999/reject", "").await.0,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        h.api(Method::GET, "/v1/hints?status=maybe", "").await.0,
        StatusCode::BAD_REQUEST
    );

    // Reports.
    let (status, v) = h.api(Method::GET, "/v1/reports/source", "").await;
    assert_eq!(status, StatusCode::OK);
    let fair = v["groups"]
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["group"] == "fair-2024")
        .unwrap();
    assert_eq!(
        (fair["events"].as_i64(), fair["hard_recipients"].as_i64()),
        (Some(1), Some(1))
    );
    assert_eq!(
        h.api(Method::GET, "/v1/reports/weather", "").await.0,
        StatusCode::BAD_REQUEST
    );
    assert_eq!(
        h.api(Method::GET, "/v1/reports/day?since=yesterday", "")
            .await
            .0,
        StatusCode::BAD_REQUEST
    );
    let (status, v) = h
        .api(Method::GET, "/v1/reports/reason?since=2000-01-01", "")
        .await;
    assert_eq!(
        (status, v["since"].as_str()),
        (StatusCode::OK, Some("2000-01-01T00:00:00Z"))
    );
}

#[tokio::test]
async fn classify_explain_health_metrics_openapi_and_pages_without_a_token() {
    let h = harness();
    let get = |p: &str| h.send(Request::get(p.to_string()).body(Body::empty()).unwrap());
    let (status, text) = get("/v1/classify?reply=551%20User%20not%20local%3B%20please%20try%20%3Cj%40relay.example.net%3E&recipient=j%40example.com").await;
    assert_eq!(status, StatusCode::OK, "{text}");
    let v: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(
        (v["reason"].as_str(), v["code"].as_u64()),
        (Some("hasmoved"), Some(551))
    );
    assert_eq!(v["forward"]["same_domain"], false);
    assert_eq!(get("/v1/classify").await.0, StatusCode::BAD_REQUEST);
    let (status, text) = get("/v1/explain/5.1.1").await;
    assert_eq!(status, StatusCode::OK);
    let v: serde_json::Value = serde_json::from_str(&text).unwrap();
    // The registry's entry of the status (X.1.1: either class).
    assert!(
        v["entries"][0]["code"].as_str().unwrap().ends_with(".1.1"),
        "{v}"
    );
    let (status, text) = get("/v1/explain/550%205.1.1%20user%20unknown").await;
    assert_eq!(status, StatusCode::OK);
    assert!(text.contains("\"verdict\""), "{text}");
    assert_eq!(get("/v1/explain/zzz").await.0, StatusCode::NOT_FOUND);

    let (status, text) = get("/healthz").await;
    assert_eq!(status, StatusCode::OK);
    assert!(text.contains("\"sqlite\""), "{text}");
    let (_, text) = get("/metrics").await;
    assert!(
        text.contains("rebound_http_requests_total{route=\"/v1/explain/{code}\",status=\"200\"} 2"),
        "{text}"
    );
    assert!(text.contains("rebound_store_seconds_count"), "{text}");
    let (status, text) = get("/openapi.json").await;
    assert_eq!(status, StatusCode::OK);
    let doc: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert!(doc["openapi"].as_str().unwrap().starts_with("3.1"));
    for path in [
        "/v1/events",
        "/v1/suppressions/{address}",
        "/webhooks/{service}",
        "/v1/reports/{by}",
    ] {
        assert!(
            doc["paths"].get(path).is_some(),
            "{path} missing from the OpenAPI document"
        );
    }
    // The pages are the ones `rebound codes site` writes.
    let site = rebound_codes::render::site::render(rebound_codes::Reference::builtin().unwrap());
    let (status, text) = get("/codes/").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(text, site[0].contents);
    let page = &site[1];
    let (status, text) = get(&format!("/codes/{}", page.path)).await;
    assert_eq!(
        (status, text.as_str()),
        (StatusCode::OK, page.contents.as_str())
    );
    assert_eq!(get("/codes/nothing.html").await.0, StatusCode::NOT_FOUND);
}
