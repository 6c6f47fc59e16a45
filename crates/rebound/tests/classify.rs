//! `rebound classify` and `rebound rules`, end to end through the real binary.

mod common;

use common::{json_lines, rebound};

#[test]
fn the_551_family() {
    let out = rebound(
        &[
            "classify",
            "--json",
            "--recipient",
            "jdoe@example.com",
            "551 User not local; please try <jdoe@relay.example.net>",
            "551 User not local; please try <john.doe@example.com>",
            "251 User not local; will forward to <jdoe@example.org>",
            "551 5.7.1 Relaying denied",
            "551 User not local, authentication required",
            "551 User not local",
        ],
        b"",
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v = json_lines(&out);
    assert_eq!(v.len(), 6);
    let pick = |i: usize, k: &str| v[i][k].clone();
    // Forward-path to another domain: hard, hasmoved, a person reviews it; never followed.
    assert_eq!(pick(0, "bounce_type"), "hard");
    assert_eq!(pick(0, "reason"), "hasmoved");
    assert_eq!(pick(0, "action"), "review");
    assert_eq!(v[0]["forward"]["address"], "jdoe@relay.example.net");
    assert_eq!(v[0]["forward"]["will_forward"], false);
    assert_eq!(v[0]["forward"]["same_domain"], false);
    // Same domain: suggest the address update.
    assert_eq!(pick(1, "action"), "update-address");
    assert_eq!(v[1]["forward"]["same_domain"], true);
    // 251: not a bounce, the server forwards.
    assert_eq!(pick(2, "bounce_type"), "none");
    assert_eq!(v[2]["forward"]["will_forward"], true);
    assert_eq!(pick(2, "permanent"), serde_json::Value::Null);
    // Relaying refused: the sender's setup, never the address.
    for i in [3, 4] {
        assert_eq!(pick(i, "reason"), "norelaying", "{}", v[i]);
        assert_eq!(pick(i, "bounce_type"), "block");
        assert_ne!(pick(i, "action"), "suppress");
    }
    // Bare 551: hard, routing, review.
    assert_eq!(pick(5, "bounce_type"), "hard");
    assert_eq!(pick(5, "category"), "routing");
    assert_eq!(pick(5, "action"), "review");
    assert_eq!(pick(5, "forward"), serde_json::Value::Null);
}

#[test]
fn json_has_the_stable_fields() {
    let out = rebound(
        &["classify", "--json"],
        b"host mx.example.com[192.0.2.1] said: 550 5.1.1 <x@example.com>: User unknown (in reply to RCPT TO command)\n",
    );
    let v = &json_lines(&out)[0];
    for field in [
        "input",
        "code",
        "status",
        "text",
        "command",
        "forward",
        "remote_host",
        "permanent",
        "reason",
        "bounce_type",
        "category",
        "severity",
        "action",
        "rule",
    ] {
        assert!(v.get(field).is_some(), "missing {field} in {v}");
    }
    assert_eq!(v["code"], 550);
    assert_eq!(v["status"], "5.1.1");
    assert_eq!(v["command"], "rcpt");
    assert_eq!(v["remote_host"], "mx.example.com");
    assert_eq!(v["reason"], "userunknown");
}

#[test]
fn stdin_lines_bad_bytes_and_overlong_lines() {
    let mut input = b"550 5.1.1 user unknown\n\n\xff\xfe 421 4.7.0 try later \x00\n".to_vec();
    input.extend(std::iter::repeat_n(b'x', 2 << 20));
    input.extend_from_slice(b"\n452 4.2.2 mailbox full\n");
    let out = rebound(&["classify", "--json"], &input);
    let v = json_lines(&out);
    assert_eq!(v.len(), 3, "{}", String::from_utf8_lossy(&out.stdout));
    // Junk before a code followed by its status does not hide the reply.
    assert_eq!(v[1]["code"], 421);
    assert_eq!(v[1]["status"], "4.7.0");
    assert_eq!(v[2]["reason"], "mailboxfull");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("line 4: longer than"), "{err}");
    assert_eq!(out.status.code(), Some(1));
}

#[test]
fn readable_output_explains() {
    let out = rebound(&["classify", "552 5.2.2 Mailbox full"], b"");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("soft bounce, reason mailboxfull"), "{text}");
    assert!(text.contains("do        retry-later"), "{text}");
    assert!(
        text.contains("rule      text.mailbox-full (rules/text.toml:"),
        "{text}"
    );
}

#[test]
fn exit_codes() {
    assert_eq!(rebound(&["classify", "  "], b"").status.code(), Some(1));
    assert_eq!(
        rebound(&["classify", "--no-such-flag"], b"").status.code(),
        Some(2)
    );
    assert_eq!(rebound(&[], b"").status.code(), Some(2));
}

#[test]
fn user_rules_and_rules_check() {
    let dir = std::env::temp_dir().join(format!("rebound-rules-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let good = dir.join("good.toml");
    std::fs::write(
        &good,
        "[[rule]]\nid = \"acme.gone\"\ntext = 'mailbox is gone'\nreason = \"userunknown\"\nexamples = [\"550 mailbox is gone\"]\n",
    )
    .unwrap();
    let out = rebound(&["rules", "check", good.to_str().unwrap()], b"");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    let out = rebound(
        &[
            "--rules",
            good.to_str().unwrap(),
            "classify",
            "--json",
            "550 the mailbox is gone",
        ],
        b"",
    );
    assert_eq!(json_lines(&out)[0]["rule"], "acme.gone");

    // A rule whose example a built-in rule wins is reported, with file and line.
    let shadowed = dir.join("shadowed.toml");
    std::fs::write(
        &shadowed,
        "[[rule]]\nid = \"acme.late\"\ncode = 599\nreason = \"userunknown\"\nexamples = [\"550 5.1.1 user unknown\"]\n",
    )
    .unwrap();
    let out = rebound(&["rules", "check", shadowed.to_str().unwrap()], b"");
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(text.contains("shadowed.toml:1: rule `acme.late`"), "{text}");

    // A broken file is an error naming file, line and rule.
    let broken = dir.join("broken.toml");
    std::fs::write(&broken, "[[rule]]\nid = \"acme.bad\"\ntext = '(unclosed'\nreason = \"userunknown\"\nexamples = [\"x\"]\n").unwrap();
    let out = rebound(&["rules", "check", broken.to_str().unwrap()], b"");
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        err.contains("broken.toml:1: rule `acme.bad`: text pattern"),
        "{err}"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}
