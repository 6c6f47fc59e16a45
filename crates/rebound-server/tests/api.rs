//! The `/v1` API in-process: the bearer token known to the store, every route over the store,
//! and the routes that need no token (classify, explain, health, metrics, OpenAPI, pages).

#![allow(clippy::unwrap_used)]

mod common;

use common::*;

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
