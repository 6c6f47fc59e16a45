//! Every webhook receiver in-process, with requests signed by keys made here, valid, forged,
//! stale and replayed; receivers without configuration; body limits.

#![allow(clippy::unwrap_used)]

mod common;

use common::*;

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
