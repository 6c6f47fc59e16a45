//! A real Postfix hands bounces to `rebound ingest --mta` through its `pipe(8)` transport
//! (docs/mta-pipe.md): a bounce sent by SMTP to the bounce address lands in the store, and a
//! bounce whose store is unreachable stays in Postfix's queue, deferred with Rebound's one-line
//! reason, never bounced. A private Postfix instance (its own configuration, queue and log
//! under a scratch directory) listens on a free port of 127.0.0.1 only.
//!
//! Needs root (Postfix's master runs as root and the pipe switches to `nobody`) and the Debian
//! package `postfix` (installed by `.ci/run`); says "skipped" otherwise.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::io::{BufRead, BufReader, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

const POSTFIX: &str = "/usr/sbin/postfix";

/// A Postfix instance under `dir`, stopped and removed on drop.
struct Instance {
    dir: PathBuf,
    port: u16,
}

impl Instance {
    fn etc(&self) -> PathBuf {
        self.dir.join("etc")
    }

    fn log(&self) -> String {
        std::fs::read_to_string(self.dir.join("maillog")).unwrap_or_default()
    }

    fn queue(&self) -> String {
        let o = Command::new("/usr/sbin/postqueue")
            .arg("-p")
            .env("MAIL_CONFIG", self.etc())
            .output()
            .unwrap();
        String::from_utf8_lossy(&o.stdout).into_owned()
    }
}

impl Drop for Instance {
    fn drop(&mut self) {
        let _ = Command::new(POSTFIX)
            .args(["-c", &self.etc().display().to_string(), "stop"])
            .output();
        // Wait for the master to exit (it stops its children first); it leaves its pid file.
        common::wait_for_exit(&self.dir.join("spool/pid/master.pid"));
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// Why this machine cannot run the test, if it cannot.
fn cannot_run() -> Option<&'static str> {
    if !common::is_root() {
        return Some("not root");
    }
    if !Path::new(POSTFIX).exists() {
        return Some("postfix is not installed (Debian package postfix)");
    }
    None
}

fn start() -> Instance {
    let dir = std::env::temp_dir().join(rebound_store::testing::unique_name("rebound-postfix"));
    for sub in ["etc", "store", "spool", "data", "bin"] {
        std::fs::create_dir_all(dir.join(sub)).unwrap();
    }
    // The pipe runs as nobody: its own copy of the binary, and a store directory it owns.
    let bin = dir.join("bin/rebound");
    std::fs::copy(env!("CARGO_BIN_EXE_rebound"), &bin).unwrap();
    for (owner, sub) in [("nobody", "store"), ("postfix", "data")] {
        let ok = Command::new("chown")
            .args([owner, &dir.join(sub).display().to_string()])
            .status()
            .unwrap();
        assert!(ok.success(), "chown {owner}");
    }
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let d = dir.display();
    let bin = bin.display();
    std::fs::write(
        dir.join("etc/main.cf"),
        format!(
            "compatibility_level = 3.6
queue_directory = {d}/spool
data_directory = {d}/data
mail_owner = postfix
setgid_group = postdrop
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
myhostname = mx.rebound.test
mydomain = rebound.test
myorigin = rebound.test
mydestination = rebound.test
mynetworks = 127.0.0.0/8
transport_maps = inline:{{ bounces@rebound.test=rebound: , down@rebound.test=rebound-down: }}
local_recipient_maps =
alias_maps =
alias_database =
smtpd_recipient_restrictions = permit_mynetworks, reject
maillog_file = {d}/maillog
maillog_file_prefixes = {d}
queue_run_delay = 300s
minimal_backoff_time = 300s
biff = no
smtputf8_enable = no
"
        ),
    )
    .unwrap();
    std::fs::write(
        dir.join("etc/master.cf"),
        format!(
            "127.0.0.1:{port} inet n - n - - smtpd
cleanup   unix  n - n - 0 cleanup
qmgr      unix  n - n 300 1 qmgr
rewrite   unix  - - n - - trivial-rewrite
bounce    unix  - - n - 0 bounce
defer     unix  - - n - 0 bounce
trace     unix  - - n - 0 bounce
verify    unix  - - n - 1 verify
flush     unix  n - n 1000? 0 flush
proxymap  unix  - - n - - proxymap
showq     unix  n - n - - showq
error     unix  - - n - - error
retry     unix  - - n - - error
discard   unix  - - n - - discard
anvil     unix  - - n - 1 anvil
scache    unix  - - n - 1 scache
postlog   unix-dgram n - n - 1 postlogd
rebound   unix  - n n - - pipe
  flags=FR user=nobody argv={bin} ingest --mta --db {d}/store/bounces.db -
rebound-down unix - n n - - pipe
  flags=FR user=nobody argv={bin} ingest --mta --db postgres://postgres@127.0.0.1:1/none -
"
        ),
    )
    .unwrap();
    let instance = Instance { dir, port };
    let o = Command::new(POSTFIX)
        .args(["-c", &instance.etc().display().to_string(), "start"])
        .output()
        .unwrap();
    assert!(
        o.status.success(),
        "postfix start: {}{}",
        String::from_utf8_lossy(&o.stderr),
        instance.log()
    );
    instance
}

/// Reads one SMTP reply (all its lines); returns its code.
fn reply(r: &mut impl BufRead) -> u16 {
    loop {
        let mut line = String::new();
        assert!(r.read_line(&mut line).unwrap() > 0, "the server hung up");
        if line.as_bytes().get(3) != Some(&b'-') {
            return line.get(..3).and_then(|c| c.parse().ok()).unwrap_or(0);
        }
    }
}

/// Sends `message` from the null sender to `rcpt` over SMTP.
fn send(port: u16, rcpt: &str, message: &str) {
    let stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(20)))
        .unwrap();
    let mut w = stream.try_clone().unwrap();
    let mut r = BufReader::new(stream);
    assert_eq!(reply(&mut r), 220);
    for (command, code) in [
        ("EHLO client.rebound.test".to_string(), 250),
        ("MAIL FROM:<>".to_string(), 250),
        (format!("RCPT TO:<{rcpt}>"), 250),
        ("DATA".to_string(), 354),
    ] {
        write!(w, "{command}\r\n").unwrap();
        assert_eq!(reply(&mut r), code, "{command}");
    }
    for line in message.lines() {
        let dot = if line.starts_with('.') { "." } else { "" };
        write!(w, "{dot}{line}\r\n").unwrap();
    }
    write!(w, ".\r\n").unwrap();
    assert_eq!(reply(&mut r), 250, "end of data");
    write!(w, "QUIT\r\n").unwrap();
    reply(&mut r);
}

/// Waits up to 30 s for `done` to hold.
fn wait_for(what: &str, instance: &Instance, done: impl Fn() -> bool) {
    let start = Instant::now();
    while !done() {
        assert!(
            start.elapsed() < Duration::from_secs(30),
            "{what}: not within 30 s\nlog:\n{}\nqueue:\n{}",
            instance.log(),
            instance.queue()
        );
        std::thread::sleep(Duration::from_millis(200));
    }
}

#[test]
fn postfix_pipes_bounces_into_the_store_and_defers_when_it_is_down() {
    if let Some(why) = cannot_run() {
        eprintln!("skipped: {why}");
        return;
    }
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/mail");
    let bounce = std::fs::read_to_string(fixtures.join("postfix/user-unknown.eml")).unwrap();
    let instance = start();

    // Stored: Postfix says sent, and the unknown recipient is suppressed.
    send(instance.port, "bounces@rebound.test", &bounce);
    wait_for("the bounce delivered", &instance, || {
        instance.log().contains("relay=rebound,")
    });
    let log = instance.log();
    assert!(
        log.contains("to=<bounces@rebound.test>, relay=rebound,") && log.contains("status=sent"),
        "{log}"
    );
    let db = instance.dir.join("store/bounces.db");
    let o = Command::new(env!("CARGO_BIN_EXE_rebound"))
        .args(["suppressions", "list", "--json", "--db"])
        .arg(&db)
        .output()
        .unwrap();
    let listed = String::from_utf8_lossy(&o.stdout);
    assert!(
        listed.contains("\"address\":\"user-unknown@remote.test\""),
        "{listed}{}",
        String::from_utf8_lossy(&o.stderr)
    );

    // The store is down: deferred with Rebound's reason, kept in the queue, not bounced.
    send(instance.port, "down@rebound.test", &bounce);
    wait_for("the deferral", &instance, || {
        instance.log().contains("relay=rebound-down,")
    });
    let log = instance.log();
    let line = log
        .lines()
        .find(|l| l.contains("relay=rebound-down,"))
        .unwrap();
    assert!(line.contains("status=deferred"), "{line}");
    assert!(line.contains("dsn=4."), "{line}");
    assert!(
        line.contains("rebound: cannot connect to PostgreSQL"),
        "{line}"
    );
    assert!(!log.contains("status=bounced"), "{log}");
    let queue = instance.queue();
    assert!(queue.contains("down@rebound.test"), "{queue}");
    assert!(queue.contains("EX_TEMPFAIL"), "{queue}");
    assert!(!queue.contains("bounces@rebound.test"), "{queue}");
}
