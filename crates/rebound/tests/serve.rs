//! `rebound serve` and `rebound tokens` end to end, through the real binary: the printed
//! configuration, tokens, every webhook sample of the repository posted (signed) to its
//! receiver giving the same events as `rebound parse --format SERVICE` on it, and SIGTERM.

#![allow(clippy::unwrap_used)]

mod common;

use base64::Engine;
use common::http::{Served, request};
use common::rebound;
use common::store::{Harness, text};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

const MAILGUN_KEY: &str = "mailgun-signing-key";
const CERT: &str = "SimpleNotificationService-e2e.pem";
const TOPIC: &str = "arn:aws:sns:us-east-1:123456789012:ses-bounces";

#[test]
fn print_config_prints_the_documented_defaults() {
    let out = rebound(&["serve", "--print-config"], b"");
    assert!(out.status.success());
    let (stdout, _) = text(&out);
    assert_eq!(stdout, rebound_server::DEFAULT_TOML);
    assert!(stdout.contains("listen = \"127.0.0.1:8025\""));
    assert!(stdout.contains("max_body = 10485760"));
    let bad = std::env::temp_dir().join(rebound_store::testing::unique_name("bad-config.toml"));
    std::fs::write(&bad, "max_body = \"lots\"\n").unwrap();
    let out = rebound(&["serve", "--config", bad.to_str().unwrap()], b"");
    let (_, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr.contains("max_body") && stderr.contains(bad.to_str().unwrap()),
        "{stderr}"
    );
    std::fs::remove_file(bad).unwrap();
}

#[test]
fn tokens_create_list_revoke() {
    let h = Harness::sqlite();
    let out = h.run(&["tokens", "create", "crm"], "");
    assert!(out.status.success(), "{:?}", text(&out));
    let (stdout, stderr) = text(&out);
    let token = stdout.lines().last().unwrap();
    assert!(token.starts_with("rbd_") && token.len() == 68, "{stdout}");
    assert!(stderr.contains("shown once"), "{stderr}");
    // The store holds the hash only.
    let mut store = h.store();
    assert_eq!(
        store
            .token_named(&rebound_server::tokens::hash(token))
            .unwrap()
            .as_deref(),
        Some("crm")
    );
    assert_eq!(store.token_named(token).unwrap(), None);
    let again = h.run(&["tokens", "create", "crm"], "");
    assert_eq!(again.status.code(), Some(1));
    let list = h.run(&["tokens", "list"], "");
    assert!(text(&list).0.starts_with("crm\t"), "{:?}", text(&list));
    assert!(!text(&list).0.contains(token));
    assert!(h.run(&["tokens", "revoke", "crm"], "").status.success());
    assert_eq!(
        h.run(&["tokens", "revoke", "crm"], "").status.code(),
        Some(1)
    );
    assert_eq!(text(&h.run(&["tokens", "list", "--json"], "")).0, "");
}

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/webhook")
}

/// The config of a server with every receiver (SES when a certificate could be made).
fn config(dir: &Path, sendgrid_public: &str, ses_cert: Option<&Path>) -> PathBuf {
    let mut text = format!(
        "[webhooks.mailgun]\nsigning_key = \"{MAILGUN_KEY}\"\n\
         [webhooks.sendgrid]\npublic_key = \"{sendgrid_public}\"\n\
         [webhooks.mandrill]\nkey = \"mandrill-key\"\nurl = \"http://hooks.example/webhooks/mandrill\"\n\
         [webhooks.postmark]\nusername = \"pm\"\npassword = \"pm-pass\"\n\
         [webhooks.sparkpost]\nusername = \"sp\"\npassword = \"sp-pass\"\n"
    );
    if let Some(cert) = ses_cert {
        text.push_str(&format!(
            "[webhooks.ses]\ncertificates = [{:?}]\ntopics = [\"{TOPIC}\", \"arn:aws:sns:us-east-1:1234567890:SES_Events\"]\n",
            cert.display().to_string()
        ));
    }
    let path = dir.join("rebound.toml");
    std::fs::write(&path, text).unwrap();
    path
}

/// The events of `rebound parse --format SERVICE --json FILE`, without their path; `None`
/// when it cannot read the file.
fn parsed(service: &str, file: &Path) -> Option<Vec<String>> {
    let out = rebound(
        &[
            "parse",
            "--json",
            "--format",
            service,
            file.to_str().unwrap(),
        ],
        b"",
    );
    if !out.status.success() {
        return None;
    }
    Some(text(&out).0.lines().map(without_path).collect())
}

/// An event's JSON with `source.path` removed (a file name for `parse`, the route for the
/// server), re-serialized in one spelling.
fn without_path(line: &str) -> String {
    let mut v: serde_json::Value = serde_json::from_str(line).unwrap();
    v["source"].as_object_mut().unwrap().remove("path");
    v.to_string()
}

/// An event's JSON (as [`without_path`] gives it) without its tags.
fn untagged(line: &str) -> String {
    let mut v: serde_json::Value = serde_json::from_str(line).unwrap();
    v.as_object_mut().unwrap().remove("tags");
    v.to_string()
}

fn stored(h: &Harness) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    h.store()
        .for_each_event(None, |json| {
            out.insert(without_path(&json));
            Ok(())
        })
        .unwrap();
    out
}

/// The repository's webhook fixtures, by service.
fn repository_samples() -> Vec<(&'static str, PathBuf)> {
    let mut out = Vec::new();
    for service in [
        "mailgun",
        "sendgrid",
        "ses",
        "mandrill",
        "postmark",
        "sparkpost",
    ] {
        let mut files: Vec<PathBuf> = std::fs::read_dir(fixtures().join(service))
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| {
                let name = p.file_name().unwrap().to_str().unwrap();
                !name.ends_with(".expected.json")
                    && (name.ends_with(".json") || name.ends_with(".form"))
            })
            .collect();
        files.sort();
        out.extend(files.into_iter().map(|f| (service, f)));
    }
    out
}

#[test]
fn every_webhook_sample_posted_gives_the_events_of_rebound_parse() {
    let checked = post_samples(&repository_samples());
    assert!(checked >= 25, "only {checked} samples found");
}

/// The same over the shared ESP samples the fixtures came from, when `REBOUND_ESP_DIR` names
/// their folder (an evaluation run, not needed by `cargo test`): files `SERVICE-*.json`,
/// `amazon-ses-*.json` for SES.
#[test]
fn every_shared_esp_sample_posted_gives_the_events_of_rebound_parse() {
    let Some(dir) = std::env::var_os("REBOUND_ESP_DIR") else {
        eprintln!("skipped: REBOUND_ESP_DIR is not set (e.g. REBOUND_ESP_DIR=../shared/esp)");
        return;
    };
    let mut samples = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_str().unwrap().to_string();
        let service = ["mailgun", "sendgrid", "mandrill", "postmark", "sparkpost"]
            .into_iter()
            .find(|s| name.starts_with(&format!("{s}-")))
            .or_else(|| name.starts_with("amazon-ses-").then_some("ses"));
        if let Some(service) = service {
            samples.push((service, path));
        }
    }
    samples.sort();
    let checked = post_samples(&samples);
    eprintln!("{checked} shared ESP samples posted, each gave the events of rebound parse");
    assert_eq!(checked, samples.len());
}

/// Posts each sample, signed, to its receiver and checks the stored events against `rebound
/// parse --format SERVICE` on the file; returns how many were checked.
fn post_samples(samples: &[(&str, PathBuf)]) -> usize {
    let h = Harness::sqlite();
    let (sendgrid, public) = rebound_server::testing::sendgrid_key().unwrap();
    let sns = rebound_server::testing::sns_certificate(&h.dir, CERT);
    if sns.is_none() {
        eprintln!("skipped: the SES samples (openssl is not installed)");
    }
    let config = config(&h.dir, &public, sns.as_ref().map(|(c, _)| c.as_path()));
    let server = Served::start(&h.db, &config, &h.dir.join("serve.log"));
    let basic = |u: &str, p: &str| {
        format!(
            "Basic {}",
            base64::engine::general_purpose::STANDARD.encode(format!("{u}:{p}"))
        )
    };
    let mut checked = 0;
    for (n, (service, file)) in samples.iter().enumerate() {
        let service = *service;
        {
            let raw = std::fs::read(file).unwrap();
            let (body, headers): (Vec<u8>, Vec<(String, String)>) = match service {
                "mailgun" => {
                    let v: serde_json::Value = serde_json::from_slice(&raw).unwrap();
                    let token = format!("token-{n}-{}", std::process::id());
                    (
                        rebound_server::testing::mailgun_signed(
                            &v,
                            MAILGUN_KEY,
                            rebound_store::time::now(),
                            &token,
                        ),
                        vec![],
                    )
                }
                "sendgrid" => {
                    let sig =
                        rebound_server::testing::sendgrid_signature(&sendgrid, "1700000000", &raw);
                    (
                        raw.clone(),
                        vec![
                            ("X-Twilio-Email-Event-Webhook-Signature".into(), sig),
                            (
                                "X-Twilio-Email-Event-Webhook-Timestamp".into(),
                                "1700000000".into(),
                            ),
                        ],
                    )
                }
                "ses" => {
                    let Some((_, key)) = &sns else { continue };
                    let v: serde_json::Value = serde_json::from_slice(&raw).unwrap();
                    let mut envelope = if v.get("Type").is_some() {
                        v
                    } else {
                        serde_json::json!({
                            "Type": "Notification",
                            "MessageId": format!("message-{n}"),
                            "TopicArn": TOPIC,
                            "Message": String::from_utf8(raw.clone()).unwrap(),
                            "Timestamp": "2024-05-01T12:00:00.000Z",
                        })
                    };
                    rebound_server::testing::sns_sign(&mut envelope, key, 1 + (n % 2) as u8, CERT)
                        .unwrap();
                    (serde_json::to_vec(&envelope).unwrap(), vec![])
                }
                "mandrill" => {
                    let form = if file.extension().unwrap() == "form" {
                        raw.clone()
                    } else {
                        let encoded: String = form_urlencoded::byte_serialize(&raw).collect();
                        format!("mandrill_events={encoded}").into_bytes()
                    };
                    let sig = rebound_server::testing::mandrill_signature(
                        "mandrill-key",
                        "http://hooks.example/webhooks/mandrill",
                        &form,
                    );
                    (
                        form,
                        vec![
                            ("X-Mandrill-Signature".into(), sig),
                            (
                                "Content-Type".into(),
                                "application/x-www-form-urlencoded".into(),
                            ),
                        ],
                    )
                }
                "postmark" => (
                    raw.clone(),
                    vec![("Authorization".into(), basic("pm", "pm-pass"))],
                ),
                _ => (
                    raw.clone(),
                    vec![("Authorization".into(), basic("sp", "sp-pass"))],
                ),
            };
            let expected = parsed(service, file);
            let before = stored(&h);
            let headers: Vec<(&str, &str)> = headers
                .iter()
                .map(|(k, v)| (k.as_str(), v.as_str()))
                .collect();
            let (status, answer) = request(
                server.addr,
                "POST",
                &format!("/webhooks/{service}"),
                &headers,
                &body,
            );
            let Some(expected) = expected else {
                // Not a body `rebound parse` reads: the server refuses it too, storing nothing.
                assert_eq!(status, 400, "{}: {answer}", file.display());
                assert_eq!(stored(&h), before, "{}", file.display());
                checked += 1;
                continue;
            };
            assert_eq!(status, 200, "{}: {answer}", file.display());
            let answer: serde_json::Value = serde_json::from_str(&answer).unwrap();
            assert_eq!(
                answer["events"].as_u64(),
                Some(expected.len() as u64),
                "{}",
                file.display()
            );
            let new: BTreeSet<String> = stored(&h).difference(&before).cloned().collect();
            // An event stored before is not stored again, even when this sample carries
            // other tags (tags are not part of the event key: two samples of one bounce,
            // one with custom tags, are one event).
            let before_untagged: BTreeSet<String> = before.iter().map(|e| untagged(e)).collect();
            let expected_new: BTreeSet<String> = expected
                .into_iter()
                .filter(|e| !before_untagged.contains(&untagged(e)))
                .collect();
            assert_eq!(
                new,
                expected_new,
                "{}: the stored events differ from `rebound parse`",
                file.display()
            );
            checked += 1;
        }
    }
    checked
}

#[test]
fn sigterm_finishes_and_exits_zero() {
    sigterm(&Harness::sqlite());
}

#[test]
fn sigterm_finishes_and_exits_zero_on_postgres() {
    if let Some(h) = Harness::postgres("sigterm_finishes_and_exits_zero_on_postgres") {
        sigterm(&h);
    }
}

fn sigterm(h: &Harness) {
    use std::io::{Read, Write};
    let config = h.dir.join("empty.toml");
    std::fs::write(&config, "").unwrap();
    let token = text(&h.run(&["tokens", "create", "term"], ""))
        .0
        .trim()
        .to_string();
    let mut server = Served::start(&h.db, &config, &h.dir.join("serve.log"));
    let (status, body) = request(
        server.addr,
        "GET",
        "/v1/classify?reply=452%204.2.2%20mailbox%20full",
        &[],
        b"",
    );
    assert_eq!(status, 200, "{body}");
    // A request in flight when SIGTERM comes: half its body sent before, half after.
    let line = br#"{"recipient":"inflight@example.com","reply":"550 5.1.1 user unknown"}"#;
    let mut s = std::net::TcpStream::connect(server.addr).unwrap();
    s.set_read_timeout(Some(std::time::Duration::from_secs(20)))
        .unwrap();
    let head = format!(
        "POST /v1/events HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {token}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        line.len()
    );
    s.write_all(head.as_bytes()).unwrap();
    s.write_all(&line[..10]).unwrap();
    std::thread::sleep(std::time::Duration::from_millis(300));
    server.signal_term();
    std::thread::sleep(std::time::Duration::from_millis(300));
    s.write_all(&line[10..]).unwrap();
    let mut answer = String::new();
    s.read_to_string(&mut answer).unwrap();
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    let exit = server.child.wait().unwrap();
    assert!(exit.success(), "{exit}");
    let log = std::fs::read_to_string(&server.log).unwrap();
    assert!(!log.contains("panicked"), "{log}");
    assert!(
        std::net::TcpStream::connect(server.addr).is_err(),
        "still listening after SIGTERM"
    );
    assert_eq!(
        h.store().count(rebound_store::Table::Events).unwrap(),
        1,
        "the request in flight was stored"
    );
}

#[test]
fn slow_clients_time_out() {
    use std::io::{Read, Write};
    let h = Harness::sqlite();
    let config = h.dir.join("slow.toml");
    std::fs::write(&config, "request_timeout = 1\n").unwrap();
    let token = text(&h.run(&["tokens", "create", "slow"], ""))
        .0
        .trim()
        .to_string();
    let server = Served::start(&h.db, &config, &h.dir.join("serve.log"));
    let answer_within = |sent: &[u8]| {
        let mut s = std::net::TcpStream::connect(server.addr).unwrap();
        s.set_read_timeout(Some(std::time::Duration::from_secs(10)))
            .unwrap();
        s.write_all(sent).unwrap();
        let started = std::time::Instant::now();
        let mut got = Vec::new();
        let _ = s.read_to_end(&mut got);
        (
            started.elapsed(),
            String::from_utf8_lossy(&got).into_owned(),
        )
    };
    // Stalls in its headers: the connection is closed.
    let (took, got) = answer_within(b"POST /v1/events HTTP/1.1\r\nHost: 127.0.0.1\r\n");
    assert!(took < std::time::Duration::from_secs(5), "{took:?}");
    assert!(!got.starts_with("HTTP/1.1 2"), "{got}");
    // Stalls in its body: 408 (or closed), never stored.
    let (took, got) = answer_within(
        format!("POST /v1/events HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {token}\r\nContent-Length: 100\r\n\r\n{{\"rec").as_bytes(),
    );
    assert!(took < std::time::Duration::from_secs(5), "{took:?}");
    assert!(got.is_empty() || got.starts_with("HTTP/1.1 408"), "{got}");
    // The server still answers.
    assert_eq!(request(server.addr, "GET", "/healthz", &[], b"").0, 200);
}
