//! `rebound watch` against a real Dovecot (IMAP and POP3) on 127.0.0.1: bounces delivered by
//! IMAP APPEND are read, the watcher is killed with SIGKILL mid-run and started again, and
//! every bounce's events are stored exactly once, every message is moved (IMAP) or recorded
//! (POP3), nothing is deleted unless --delete is given, and a message that cannot be read is
//! left on the server. Also: a changed UIDVALIDITY does not double-count, and imaps:// with a
//! private CA (--ca-file).
//!
//! A private Dovecot (its own configuration, base and state directories, passwd-file users and
//! Maildirs under a scratch directory, mail stored as `nobody`) listens on free ports of
//! 127.0.0.1 only. Needs root (Dovecot's master switches users) and the Debian packages
//! `dovecot-imapd` and `dovecot-pop3d` (installed by `.ci/run`); says "skipped" otherwise. The
//! TLS part also needs `openssl`.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::io::{BufRead, BufReader};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

const DOVECOT: &str = "/usr/sbin/dovecot";
const PASSWORD: &str = "bounce-secret";
/// Messages delivered per mailbox: enough batches (25 messages each) to be killed mid-run.
const MESSAGES: usize = 300;

/// A Dovecot instance under `dir`, stopped and removed on drop.
struct Dovecot {
    dir: PathBuf,
    imap: u16,
    pop3: u16,
    imaps: Option<u16>,
}

impl Dovecot {
    fn log(&self) -> String {
        std::fs::read_to_string(self.dir.join("dovecot.log")).unwrap_or_default()
    }

    /// An IMAP session of `user` (plain, for delivering and checking).
    fn session(&self, user: &str) -> imap::Session<TcpStream> {
        let tcp = TcpStream::connect(("127.0.0.1", self.imap)).unwrap();
        tcp.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
        let mut client = imap::Client::new(tcp);
        client.read_greeting().unwrap();
        client.login(user, PASSWORD).map_err(|(e, _)| e).unwrap()
    }
}

impl Drop for Dovecot {
    fn drop(&mut self) {
        let pid_file = self.dir.join("run/master.pid");
        let pid = std::fs::read_to_string(&pid_file).unwrap_or_default();
        if !pid.trim().is_empty() {
            let _ = Command::new("kill").arg(pid.trim()).status();
            common::wait_for_exit(&pid_file);
        }
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// Why this machine cannot run the test, if it cannot.
fn cannot_run() -> Option<&'static str> {
    if !common::is_root() {
        return Some("not root (Dovecot's master switches to the mail user)");
    }
    if !Path::new(DOVECOT).exists() {
        return Some("dovecot is not installed (Debian packages dovecot-imapd, dovecot-pop3d)");
    }
    let imap = Path::new("/usr/lib/dovecot/imap").exists();
    let pop3 = Path::new("/usr/lib/dovecot/pop3").exists();
    if !imap || !pop3 {
        return Some("dovecot-imapd or dovecot-pop3d is not installed");
    }
    None
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Makes a CA and a server certificate for 127.0.0.1 signed by it, in `dir`; `None` without
/// openssl.
fn certificates(dir: &Path) -> Option<(PathBuf, PathBuf, PathBuf)> {
    let openssl = |args: &[&str]| {
        Command::new("openssl")
            .args(args)
            .current_dir(dir)
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success())
    };
    std::fs::write(
        dir.join("san.ext"),
        "subjectAltName=IP:127.0.0.1\nbasicConstraints=CA:FALSE\n",
    )
    .unwrap();
    let ok = openssl(&[
        "req",
        "-x509",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-keyout",
        "ca.key",
        "-out",
        "ca.pem",
        "-days",
        "2",
        "-subj",
        "/CN=Rebound test CA",
    ]) && openssl(&[
        "req",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-keyout",
        "server.key",
        "-out",
        "server.csr",
        "-subj",
        "/CN=127.0.0.1",
    ]) && openssl(&[
        "x509",
        "-req",
        "-in",
        "server.csr",
        "-CA",
        "ca.pem",
        "-CAkey",
        "ca.key",
        "-CAcreateserial",
        "-out",
        "server.pem",
        "-days",
        "2",
        "-extfile",
        "san.ext",
    ]);
    ok.then(|| {
        (
            dir.join("ca.pem"),
            dir.join("server.pem"),
            dir.join("server.key"),
        )
    })
}

fn start() -> Dovecot {
    let dir = std::env::temp_dir().join(rebound_store::testing::unique_name("rebound-dovecot"));
    for sub in ["run", "state", "mail", "tls"] {
        std::fs::create_dir_all(dir.join(sub)).unwrap();
    }
    let ok = Command::new("chown")
        .args(["nobody:nogroup", &dir.join("mail").display().to_string()])
        .status()
        .unwrap();
    assert!(ok.success(), "chown nobody the mail directory");
    let users: String = ["imapuser", "popuser", "validity", "tlsuser"]
        .iter()
        .map(|u| format!("{u}:{{PLAIN}}{PASSWORD}\n"))
        .collect();
    std::fs::write(dir.join("users"), users).unwrap();
    let (imap, pop3) = (free_port(), free_port());
    let tls = certificates(&dir.join("tls"));
    let imaps = tls.as_ref().map(|_| free_port());
    let d = dir.display();
    let ssl = match &tls {
        Some((_, cert, key)) => format!(
            "ssl = yes\nssl_cert = <{}\nssl_key = <{}\n",
            cert.display(),
            key.display()
        ),
        None => "ssl = no\n".to_string(),
    };
    let imaps_listener = match imaps {
        Some(port) => format!(
            "inet_listener imaps {{\n    address = 127.0.0.1\n    port = {port}\n    ssl = yes\n  }}"
        ),
        None => "inet_listener imaps {\n    port = 0\n  }".to_string(),
    };
    std::fs::write(
        dir.join("dovecot.conf"),
        format!(
            "protocols = imap pop3
listen = 127.0.0.1
base_dir = {d}/run
state_dir = {d}/state
{ssl}disable_plaintext_auth = no
auth_mechanisms = plain login
log_path = {d}/dovecot.log
info_log_path = {d}/dovecot.log
default_internal_user = dovecot
default_login_user = dovenull
mail_location = maildir:{d}/mail/%u
first_valid_uid = 1
pop3_uidl_format = %08Xu%08Xv
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {d}/users
}}
userdb {{
  driver = static
  args = uid=nobody gid=nogroup home={d}/mail/%u
}}
service imap-login {{
  chroot =
  inet_listener imap {{
    address = 127.0.0.1
    port = {imap}
  }}
  {imaps_listener}
}}
service pop3-login {{
  chroot =
  inet_listener pop3 {{
    address = 127.0.0.1
    port = {pop3}
  }}
  inet_listener pop3s {{
    port = 0
  }}
}}
service anvil {{
  chroot =
}}
"
        ),
    )
    .unwrap();
    let dovecot = Dovecot {
        dir,
        imap,
        pop3,
        imaps,
    };
    // The master goes on in the background, holding what it inherits: no pipes to wait on.
    let errors = dovecot.dir.join("start.err");
    let status = Command::new(DOVECOT)
        .arg("-c")
        .arg(dovecot.dir.join("dovecot.conf"))
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(&errors).unwrap())
        .status()
        .unwrap();
    assert!(
        status.success(),
        "dovecot: {}{}",
        std::fs::read_to_string(&errors).unwrap_or_default(),
        dovecot.log()
    );
    let start = Instant::now();
    while TcpStream::connect(("127.0.0.1", imap)).is_err()
        || TcpStream::connect(("127.0.0.1", pop3)).is_err()
    {
        assert!(
            start.elapsed() < Duration::from_secs(20),
            "dovecot does not listen: {}",
            dovecot.log()
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    dovecot
}

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/mail")
}

/// `rebound parse --json` of one file: its events as JSON values.
fn parse(path: &Path) -> Vec<serde_json::Value> {
    let o = Command::new(env!("CARGO_BIN_EXE_rebound"))
        .args(["parse", "--json"])
        .arg(path)
        .output()
        .unwrap();
    String::from_utf8_lossy(&o.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

/// The bounces to deliver: `MESSAGES` copies of real bounce fixtures, each copy's failed
/// recipients renamed (`local` → `local.wN`) so every copy's events are distinct, written to
/// `dir` (to count their events by hand with `rebound parse`); then one message that holds no
/// bounce and one that cannot be read. Returns the messages and the recipients `rebound parse`
/// finds in the bounces, with their numbers of events.
fn messages(dir: &Path) -> (Vec<Vec<u8>>, BTreeMap<String, usize>) {
    std::fs::create_dir_all(dir).unwrap();
    let mut originals = Vec::new();
    for name in [
        "postfix/user-unknown.eml",
        "postfix/mailbox-full.eml",
        "postfix/multi-rcpt.eml",
        "exim/user-unknown.eml",
        "exim/multi-rcpt.eml",
        "exim/relocated.eml",
        "opensmtpd/user-unknown.eml",
    ] {
        let path = fixtures().join(name);
        let Ok(bytes) = std::fs::read(&path) else {
            continue;
        };
        let recipients: BTreeSet<String> = parse(&path)
            .iter()
            .filter_map(|e| e["recipient"].as_str().map(str::to_string))
            .collect();
        assert!(!recipients.is_empty(), "{name} holds no bounce");
        originals.push((String::from_utf8(bytes).unwrap(), recipients));
    }
    assert!(originals.len() >= 5, "the bounce fixtures are missing");
    let mut out = Vec::new();
    let mut expected: BTreeMap<String, usize> = BTreeMap::new();
    for n in 0..MESSAGES {
        let (text, recipients) = &originals[n % originals.len()];
        let mut text = text.clone();
        for r in recipients {
            let (local, domain) = r.split_once('@').unwrap();
            text = text.replace(
                &format!("{local}@{domain}"),
                &format!("{local}.w{n}@{domain}"),
            );
        }
        std::fs::write(dir.join(format!("{n}.eml")), &text).unwrap();
        out.push(text.into_bytes());
    }
    for e in parse(dir) {
        *expected
            .entry(e["recipient"].as_str().unwrap().to_string())
            .or_default() += 1;
    }
    assert!(
        expected.keys().all(|r| r.contains(".w")),
        "a recipient was not renamed: {:?}",
        expected.keys().find(|r| !r.contains(".w"))
    );
    // Not a bounce (stored as nothing, marked all the same), then a message without a header.
    out.push(b"From: alice@example.org\r\nTo: bounces@rebound.test\r\nSubject: Lunch\r\n\r\nSee you at noon.\r\n".to_vec());
    out.push(b"this line is not a header\r\n".to_vec());
    (out, expected)
}

fn deliver(dovecot: &Dovecot, user: &str, folder: &str, messages: &[Vec<u8>]) {
    let mut s = dovecot.session(user);
    if folder != "INBOX" {
        s.create(folder).unwrap();
    }
    for m in messages {
        s.append(folder, m).finish().unwrap();
    }
    s.logout().unwrap();
}

/// `(messages, of which flagged $Rebound)` in a folder.
fn folder_counts(dovecot: &Dovecot, user: &str, folder: &str) -> (usize, usize) {
    let mut s = dovecot.session(user);
    let n = s.examine(folder).unwrap().exists as usize;
    let flagged = s.uid_search("KEYWORD $Rebound").unwrap().len();
    s.logout().unwrap();
    (n, flagged)
}

/// The events of the store `db` per recipient.
fn stored(db: &Path) -> BTreeMap<String, usize> {
    let conn = rusqlite::Connection::open(db).unwrap();
    let mut stmt = conn.prepare("SELECT recipient FROM events").unwrap();
    let mut out = BTreeMap::new();
    for r in stmt.query_map([], |r| r.get::<_, String>(0)).unwrap() {
        *out.entry(r.unwrap()).or_default() += 1;
    }
    out
}

fn event_count(db: &Path) -> usize {
    if !db.exists() {
        return 0;
    }
    let conn = rusqlite::Connection::open(db).unwrap();
    conn.busy_timeout(Duration::from_secs(30)).unwrap();
    conn.query_row("SELECT COUNT(*) FROM events", [], |r| r.get::<_, i64>(0))
        .unwrap() as usize
}

struct Run {
    lines: Vec<serde_json::Value>,
    stderr: String,
    code: Option<i32>,
}

fn watch_command(db: &Path, pw: &Path, args: &[&str]) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_rebound"));
    c.args(["watch", "--json", "--db"])
        .arg(db)
        .arg("--password-file")
        .arg(pw)
        .args(args)
        .env_remove("REBOUND_MAIL_PASSWORD");
    c
}

/// Runs the watcher (not --once) until it has printed `after` message lines, then kills it
/// with SIGKILL; returns what it printed.
fn run_and_kill(mut command: Command, after: usize) -> Run {
    let mut child = command
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let (tx, rx) = mpsc::channel();
    let reader = std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines() {
            let Ok(line) = line else { break };
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    let mut lines = Vec::new();
    let deadline = Instant::now() + Duration::from_secs(120);
    while lines.len() < after {
        let left = deadline.saturating_duration_since(Instant::now());
        match rx.recv_timeout(left) {
            Ok(l) => lines.push(l),
            Err(_) => break,
        }
    }
    child.kill().unwrap(); // SIGKILL
    let status = child.wait().unwrap();
    reader.join().unwrap();
    lines.extend(rx.try_iter());
    let mut stderr = String::new();
    std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut stderr).unwrap();
    assert!(
        lines.len() >= after,
        "the watcher printed {} lines before it was killed:\n{stderr}",
        lines.len()
    );
    Run {
        lines: lines
            .iter()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect(),
        stderr,
        code: status.code(),
    }
}

fn run_once(mut command: Command) -> Run {
    let o = command.arg("--once").output().unwrap();
    Run {
        lines: String::from_utf8_lossy(&o.stdout)
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect(),
        stderr: String::from_utf8_lossy(&o.stderr).into_owned(),
        code: o.status.code(),
    }
}

/// The ids each outcome was given, over several runs.
fn ids(runs: &[&Run], outcomes: &[&str]) -> Vec<String> {
    runs.iter()
        .flat_map(|r| &r.lines)
        .filter(|l| outcomes.contains(&l["outcome"].as_str().unwrap()))
        .map(|l| l["id"].as_str().unwrap().to_string())
        .collect()
}

/// Kills the watcher mid-run, restarts it with --once and checks the outcome: every bounce
/// stored once, no message read and stored twice, the unreadable one left.
fn killed_and_resumed(db: &Path, pw: &Path, args: &[&str], expected: &BTreeMap<String, usize>) {
    let total: usize = expected.values().sum();
    let first = run_and_kill(watch_command(db, pw, args), 30);
    assert_eq!(first.code, None, "killed by a signal:\n{}", first.stderr);
    let at_kill = event_count(db);
    eprintln!(
        "{}: killed with {at_kill} of {total} events stored",
        args[args.len() - 1]
    );
    assert!(
        at_kill > 0 && at_kill < total,
        "killed mid-run: {at_kill} of {total} events stored"
    );
    let second = run_once(watch_command(db, pw, args));
    assert_eq!(
        second.code,
        Some(1),
        "exit 1: one message cannot be read\n{}",
        second.stderr
    );
    assert!(
        second.stderr.contains("cannot be read") && second.stderr.contains("left on the server"),
        "{}",
        second.stderr
    );
    assert_eq!(
        &stored(db),
        expected,
        "every bounce's events stored exactly once"
    );
    // No message was read and stored by both runs.
    let read = ids(&[&first, &second], &["stored", "not_a_bounce"]);
    let distinct: BTreeSet<&String> = read.iter().collect();
    assert_eq!(read.len(), distinct.len(), "a message was stored twice");
    assert_eq!(ids(&[&second], &["unreadable"]).len(), 1);
    // Nothing more to do.
    let third = run_once(watch_command(db, pw, args));
    assert!(
        third.lines.iter().all(|l| l["outcome"] == "unreadable"),
        "{:?}",
        third.lines
    );
    assert_eq!(&stored(db), expected);
}

#[test]
fn watch_reads_dovecot_over_imap_and_pop3_and_resumes_after_sigkill() {
    if let Some(why) = cannot_run() {
        eprintln!("skipped: {why}");
        return;
    }
    let dovecot = start();
    let (messages, expected) = messages(&dovecot.dir.join("messages"));
    let pw = dovecot.dir.join("password");
    std::fs::write(&pw, format!("{PASSWORD}\n")).unwrap();
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&pw, std::fs::Permissions::from_mode(0o600)).unwrap();
    }

    // IMAP, moving processed messages to a folder the watcher creates.
    deliver(&dovecot, "imapuser", "INBOX", &messages);
    let db = dovecot.dir.join("imap.db");
    let url = format!("imap://imapuser@127.0.0.1:{}/INBOX", dovecot.imap);
    let args = [
        "--processed-folder",
        "Processed",
        "--interval",
        "5",
        url.as_str(),
    ];
    killed_and_resumed(&db, &pw, &args, &expected);
    assert_eq!(
        folder_counts(&dovecot, "imapuser", "INBOX"),
        (1, 0),
        "the unreadable one stays"
    );
    assert_eq!(
        folder_counts(&dovecot, "imapuser", "Processed").0,
        MESSAGES + 1,
        "every other message moved once, none lost or copied twice"
    );

    // POP3 without --delete: every message stays; the store's UIDL set is the mark.
    deliver(&dovecot, "popuser", "INBOX", &messages);
    let db = dovecot.dir.join("pop3.db");
    let url = format!("pop3://popuser@127.0.0.1:{}", dovecot.pop3);
    let args = ["--interval", "5", url.as_str()];
    killed_and_resumed(&db, &pw, &args, &expected);
    assert_eq!(
        folder_counts(&dovecot, "popuser", "INBOX").0,
        MESSAGES + 2,
        "nothing deleted"
    );
    let conn = rusqlite::Connection::open(&db).unwrap();
    let recorded: i64 = conn
        .query_row(
            "SELECT COUNT(*) FROM mailbox_messages WHERE mailbox = ?1",
            [&url],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(
        recorded as usize,
        MESSAGES + 1,
        "every readable message recorded"
    );
    // --delete: DELE what is recorded, after the commit; the unreadable one stays.
    let deleting = run_once(watch_command(&db, &pw, &["--delete", url.as_str()]));
    assert_eq!(deleting.code, Some(1), "{}", deleting.stderr);
    assert_eq!(ids(&[&deleting], &["marked"]).len(), MESSAGES + 1);
    assert_eq!(folder_counts(&dovecot, "popuser", "INBOX").0, 1);
    assert_eq!(stored(&db), expected);

    // A changed UIDVALIDITY: the folder recreated with the same messages is read again, and
    // nothing is counted twice.
    let some = &messages[..40];
    let few: usize = expected
        .iter()
        .filter(|(r, _)| {
            let n: usize = r
                .rsplit(".w")
                .next()
                .unwrap()
                .split('@')
                .next()
                .unwrap()
                .parse()
                .unwrap();
            n < 40
        })
        .map(|(_, n)| n)
        .sum();
    deliver(&dovecot, "validity", "Bounces", some);
    let db = dovecot.dir.join("validity.db");
    let url = format!("imap://validity@127.0.0.1:{}/Bounces", dovecot.imap);
    let once = run_once(watch_command(&db, &pw, &[url.as_str()]));
    assert_eq!(once.code, Some(0), "{}", once.stderr);
    assert_eq!(event_count(&db), few);
    assert_eq!(
        folder_counts(&dovecot, "validity", "Bounces"),
        (40, 40),
        "all flagged"
    );
    // Stored but not marked (as when killed between the commit and the mark): marked again
    // without being read again.
    {
        let mut s = dovecot.session("validity");
        s.select("Bounces").unwrap();
        s.store("1:5", "-FLAGS.SILENT ($Rebound \\Seen)").unwrap();
        s.logout().unwrap();
    }
    assert_eq!(folder_counts(&dovecot, "validity", "Bounces"), (40, 35));
    let remark = run_once(watch_command(&db, &pw, &[url.as_str()]));
    assert_eq!(remark.code, Some(0), "{}", remark.stderr);
    assert_eq!(ids(&[&remark], &["marked"]).len(), 5, "{:?}", remark.lines);
    assert_eq!(ids(&[&remark], &["stored"]).len(), 0, "not read again");
    assert_eq!(folder_counts(&dovecot, "validity", "Bounces"), (40, 40));
    {
        let mut s = dovecot.session("validity");
        s.delete("Bounces").unwrap();
        s.logout().unwrap();
    }
    deliver(&dovecot, "validity", "Bounces", some);
    let again = run_once(watch_command(&db, &pw, &[url.as_str()]));
    assert_eq!(again.code, Some(0), "{}", again.stderr);
    assert!(
        again.stderr.contains("UIDVALIDITY changed"),
        "{}",
        again.stderr
    );
    assert!(
        again.stderr.contains(&format!("({few} events, 0 new)")),
        "{}",
        again.stderr
    );
    assert_eq!(ids(&[&again], &["stored"]).len(), 40, "read again");
    assert_eq!(event_count(&db), few, "not counted twice");
    assert_eq!(folder_counts(&dovecot, "validity", "Bounces"), (40, 40));
    // IMAP --delete: the stored messages are expunged (UID EXPUNGE), not read again.
    let deleting = run_once(watch_command(&db, &pw, &["--delete", url.as_str()]));
    assert_eq!(deleting.code, Some(0), "{}", deleting.stderr);
    assert_eq!(
        ids(&[&deleting], &["marked"]).len(),
        40,
        "{:?}",
        deleting.lines
    );
    assert_eq!(folder_counts(&dovecot, "validity", "Bounces"), (0, 0));
    assert_eq!(event_count(&db), few);

    // imaps:// with a private CA.
    if let Some(port) = dovecot.imaps {
        deliver(&dovecot, "tlsuser", "INBOX", &messages[..3]);
        let db = dovecot.dir.join("tls.db");
        let url = format!("imaps://tlsuser@127.0.0.1:{port}/INBOX");
        let ca = dovecot.dir.join("tls/ca.pem");
        // Without the CA the certificate is refused, and nothing is stored.
        let refused = run_once(watch_command(&db, &pw, &[url.as_str()]));
        assert_eq!(refused.code, Some(1), "{}", refused.stderr);
        assert!(refused.stderr.contains("certificate"), "{}", refused.stderr);
        let ca = ca.display().to_string();
        let ok = run_once(watch_command(
            &db,
            &pw,
            &["--ca-file", ca.as_str(), url.as_str()],
        ));
        assert_eq!(ok.code, Some(0), "{}", ok.stderr);
        assert_eq!(ids(&[&ok], &["stored"]).len(), 3);
        assert_eq!(folder_counts(&dovecot, "tlsuser", "INBOX"), (3, 3));
        eprintln!("imaps:// with --ca-file: 3 messages stored and flagged");
    } else {
        eprintln!("skipped the imaps:// part: openssl is not installed");
    }
}

#[test]
fn a_password_on_the_command_line_is_refused() {
    let o = Command::new(env!("CARGO_BIN_EXE_rebound"))
        .args(["watch", "--once", "imap://bounces:secret@127.0.0.1:1/INBOX"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("a password in the URL is refused"),
        "{stderr}"
    );
    assert!(stderr.contains("--password-file"), "{stderr}");
    // No password at all: said, and nothing is tried.
    let o = Command::new(env!("CARGO_BIN_EXE_rebound"))
        .args(["watch", "--once", "imap://bounces@127.0.0.1:1/INBOX"])
        .env_remove("REBOUND_MAIL_PASSWORD")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("no password"), "{stderr}");
}
